/* test_x86_mmu.c — the system-mode MMU (system/x86_mmu.c) on page tables
 * built in RAM: 4 KiB, 2 MiB and 1 GiB translations, accessed/dirty updates,
 * the #PF error codes of SDM vol. 3 4.7 (P, W/R, U/S, RSVD, I/D) for
 * not-present, U/S, R/W with CR0.WP, NX and reserved bits, non-canonical
 * addresses (#GP), accesses across pages, the TLB entries the slow paths
 * fill (RAM, MMIO, code pages), invlpg on large pages and CR3 flushes
 * (which keep global pages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "x86_vm.h"

static X86Exc xlate(Vm *vm, uint64_t va, X86Access acc, int cpl, X86Walk *w) {
  return x86_mmu_translate(vm->s, va, acc, cpl, w);
}

static void test_4k_and_ad_bits(void **state) {
  (void)state;
  Vm *vm = vm_new();
  uint64_t va = 0x5000000ull + 0x123; /* a fresh 4 KiB page */
  vm_map(vm, va & ~0xfffull, 0x500000, P_W, 0);
  uint64_t pte = vm_pte_addr(vm, va, 0), pde = vm_pte_addr(vm, va, 1);
  X86Walk w;
  assert_int_equal(xlate(vm, va, X86_ACC_READ, 0, &w).vec, -1);
  assert_int_equal(w.phys, 0x500123);
  assert_int_equal(w.page_mask, ~0xfffull);
  assert_false(w.writable); /* D clear: a write must come back to set it */
  assert_true(vm_rd64(vm, pte) & P_A);
  assert_true(vm_rd64(vm, pde) & P_A);
  assert_false(vm_rd64(vm, pte) & P_D);
  assert_int_equal(xlate(vm, va, X86_ACC_WRITE, 0, &w).vec, -1);
  assert_true(vm_rd64(vm, pte) & P_D);
  assert_false(vm_rd64(vm, pde) & P_D); /* D only in the final entry */
  assert_true(w.writable);
  vm_free(vm);
}

static void test_large_pages(void **state) {
  (void)state;
  Vm *vm = vm_new();
  vm_map(vm, 0x40000000ull, 0x600000, P_W, 1);             /* 2 MiB */
  vm_map(vm, 0xffff888000000000ull, 0, P_W | P_XD, 2);     /* 1 GiB */
  X86Walk w;
  assert_int_equal(xlate(vm, 0x40000000ull + 0x1ff123, X86_ACC_READ, 0, &w).vec, -1);
  assert_int_equal(w.phys, 0x600000 + 0x1ff123);
  assert_int_equal(w.page_mask, ~0x1fffffull);
  assert_int_equal(xlate(vm, 0xffff888000000000ull + 0x3fedcba9, X86_ACC_WRITE, 0, &w).vec, -1);
  assert_int_equal(w.phys, 0x3fedcba9);
  assert_int_equal(w.page_mask, ~0x3fffffffull);
  assert_true(vm_rd64(vm, vm_pte_addr(vm, 0xffff888000000000ull, 2)) & P_D);
  vm_free(vm);
}

/* Each case: mapping flags, access, cpl, expected vector and error code. */
static void test_fault_codes(void **state) {
  (void)state;
  static const struct {
    const char *what;
    uint64_t flags;
    bool mapped;
    X86Access acc;
    int cpl;
    int vec;
    uint32_t err;
  } cases[] = {
      {"not present, kernel read", 0, false, X86_ACC_READ, 0, 14, 0},
      {"not present, user write", 0, false, X86_ACC_WRITE, 3, 14, X86_PF_W | X86_PF_U},
      {"not present, fetch", 0, false, X86_ACC_FETCH, 0, 14, X86_PF_I},
      {"user reads a kernel page", P_W, true, X86_ACC_READ, 3, 14, X86_PF_P | X86_PF_U},
      {"kernel reads a user page", P_U, true, X86_ACC_READ, 0, -1, 0},
      {"user writes read-only", P_U, true, X86_ACC_WRITE, 3, 14, X86_PF_P | X86_PF_W | X86_PF_U},
      {"kernel writes read-only (WP)", P_U, true, X86_ACC_WRITE, 0, 14, X86_PF_P | X86_PF_W},
      {"fetch from NX", P_U | P_XD, true, X86_ACC_FETCH, 3, 14, X86_PF_P | X86_PF_U | X86_PF_I},
      {"read from NX", P_U | P_XD, true, X86_ACC_READ, 3, -1, 0},
      {"reserved bit 40", 1ull << 40, true, X86_ACC_READ, 0, 14, X86_PF_P | X86_PF_RSVD},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Vm *vm = vm_new();
    uint64_t va = 0x6000000ull;
    vm_map(vm, va, 0x500000, cases[i].flags, 0);
    if (!cases[i].mapped)
      vm_wr64(vm, vm_pte_addr(vm, va, 0), 0);
    X86Walk w;
    X86Exc x = xlate(vm, va + 8, cases[i].acc, cases[i].cpl, &w);
    if (x.vec != cases[i].vec || (x.vec >= 0 && (x.err != cases[i].err || x.cr2 != va + 8)))
      fail_msg("%s: vector %d error %#x cr2 %#llx", cases[i].what, x.vec, x.err,
               (unsigned long long)x.cr2);
    vm_free(vm);
  }
}

static void test_wp_off_and_nxe_off(void **state) {
  (void)state;
  Vm *vm = vm_new();
  uint64_t va = 0x6000000ull;
  vm_map(vm, va, 0x500000, P_XD, 0);
  X86Walk w;
  vm->s->cr0 &= ~X86_CR0_WP; /* the kernel may write read-only pages */
  assert_int_equal(xlate(vm, va, X86_ACC_WRITE, 0, &w).vec, -1);
  assert_int_equal(xlate(vm, va, X86_ACC_WRITE, 3, &w).vec, 14);
  /* Without EFER.NXE bit 63 is reserved; the I flag is not reported. */
  vm->s->efer &= ~X86_EFER_NXE;
  X86Exc x = xlate(vm, va, X86_ACC_FETCH, 0, &w);
  assert_int_equal(x.vec, 14);
  assert_int_equal(x.err, X86_PF_P | X86_PF_RSVD);
  vm_free(vm);
}

static void test_reserved_structure_bits(void **state) {
  (void)state;
  Vm *vm = vm_new();
  X86Walk w;
  /* A 2 MiB page with bit 13 set (reserved in a large PDE). */
  vm_map(vm, 0x40000000ull, 0x600000 | 0x2000, P_W, 1);
  X86Exc x = xlate(vm, 0x40000000ull, X86_ACC_READ, 0, &w);
  assert_int_equal(x.vec, 14);
  assert_int_equal(x.err, X86_PF_P | X86_PF_RSVD);
  /* PS in a PML4 entry is reserved. */
  uint64_t pml4e = vm_pte_addr(vm, 0x40000000ull, 3);
  vm_wr64(vm, pml4e, vm_rd64(vm, pml4e) | P_PS);
  x = xlate(vm, 0x40000000ull, X86_ACC_WRITE, 3, &w);
  assert_int_equal(x.err, X86_PF_P | X86_PF_RSVD | X86_PF_W | X86_PF_U);
  vm_free(vm);
}

static void test_non_canonical(void **state) {
  (void)state;
  Vm *vm = vm_new();
  X86Walk w;
  X86Exc x = xlate(vm, 0x0000800000000000ull, X86_ACC_READ, 0, &w);
  assert_int_equal(x.vec, X86_EXC_GP);
  assert_int_equal(x.err, 0);
  vm_free(vm);
}

/* x86sys_vread/vwrite cross pages; a write faulting on its second page
 * writes nothing on the first. */
static void test_cross_page_access(void **state) {
  (void)state;
  Vm *vm = vm_new();
  uint64_t va = 0x7000000ull;
  vm_map(vm, va, 0x500000, P_W, 0);
  vm_map(vm, va + 0x1000, 0x700000, P_W, 0);
  uint64_t v = 0x1122334455667788ull, r = 0;
  assert_true(x86sys_vwrite(vm->cpu, va + 0xffc, &v, 8, 0));
  assert_int_equal(vm->ram[0x500ffc], 0x88);
  assert_int_equal(vm->ram[0x700003], 0x11);
  assert_true(x86sys_vread(vm->cpu, va + 0xffc, &r, 8, 0));
  assert_int_equal(r, v);
  vm_wr64(vm, vm_pte_addr(vm, va + 0x1000, 0), 0x700000 | P_P); /* read-only now */
  uint64_t z = 0;
  assert_false(x86sys_vwrite(vm->cpu, va + 0xffc, &z, 8, 0));
  assert_int_equal(vm->ram[0x500ffc], 0x88);
  assert_true(vm->s->fault.valid);
  assert_int_equal(vm->s->fault.vector, 14);
  assert_int_equal(vm->s->fault.error, X86_PF_P | X86_PF_W);
  assert_int_equal(vm->s->fault.addr, va + 0x1000);
  assert_int_equal(vm->s->cr2, 0); /* CR2 is written when #PF is delivered */
  vm_free(vm);
}

/* The slow paths fill the TLB: RAM with an addend, MMIO with IO tags, a
 * read-only or clean page without a write tag. */
static void test_tlb_fill(void **state) {
  (void)state;
  Vm *vm = vm_new();
  const SoftmmuOps *ops = &x86_softmmu_ops;
  uint64_t va = 0x8000000ull;
  vm_map(vm, va, 0x500000, P_W, 0);
  vm_map(vm, va + 0x1000, 0xfeb00000ull, P_W | P_D, 0);
  vm_wr64(vm, 0x500010, 0xabcdef);
  uint64_t v = 0;
  ops->load(vm->c, va + 0x10, SOFTMMU_INFO(8, 0, 0), &v);
  assert_int_equal(v, 0xabcdef);
  SoftTlbEntry *e = softmmu_tlb_entry(&vm->s->tlb, 0, va);
  assert_int_equal(e->tag_read, va);
  assert_true(e->tag_write & SOFTMMU_TLB_INVALID); /* clean page: writes go slow */
  assert_ptr_equal((void *)(uintptr_t)(va + 0x10 + e->addend), vm->ram + 0x500010);
  v = 7;
  ops->store(vm->c, va + 0x10, SOFTMMU_INFO(8, 0, 1), &v);
  assert_int_equal(e->tag_write, va);
  assert_int_equal(vm_rd64(vm, 0x500010), 7);
  /* MMIO: both tags IO, every access reaches the device. */
  ops->load(vm->c, va + 0x1004, SOFTMMU_INFO(4, 0, 0), &v);
  assert_int_equal((uint32_t)v, 0x11223344u + 4 + 4);
  e = softmmu_tlb_entry(&vm->s->tlb, 0, va + 0x1000);
  assert_int_equal(e->tag_read, (va + 0x1000) | SOFTMMU_TLB_IO);
  v = 0x55;
  ops->store(vm->c, va + 0x1008, SOFTMMU_INFO(2, 0, 1), &v);
  assert_int_equal(vm->dev.last_port, 8);
  assert_int_equal(vm->dev.last_value, 0x55);
  assert_int_equal(vm->dev.last_size, 2);
  /* The user MMU index has its own entries: this kernel page is not there. */
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 1, va)->tag_read & SOFTMMU_TLB_INVALID);
  vm_free(vm);
}

/* A page that gains code gets IO on its write tag; the first write drops its
 * blocks and makes it plain RAM again. */
static void test_code_pages(void **state) {
  (void)state;
  Vm *vm = vm_new();
  const SoftmmuOps *ops = &x86_softmmu_ops;
  uint64_t va = 0x9000000ull, v = 1;
  vm_map(vm, va, 0x500000, P_W | P_D, 0);
  ops->store(vm->c, va, SOFTMMU_INFO(8, 0, 1), &v);
  SoftTlbEntry *e = softmmu_tlb_entry(&vm->s->tlb, 0, va);
  assert_int_equal(e->tag_write, va);
  x86_code_added(vm->cpu, 0x500100, 0x500140);
  assert_true(x86_code_page(vm->s, 0x500000));
  assert_int_equal(e->tag_write, va | SOFTMMU_TLB_IO);
  v = 2;
  ops->store(vm->c, va + 8, SOFTMMU_INFO(8, 0, 1), &v);
  assert_int_equal(vm_rd64(vm, 0x500008), 2);
  assert_false(x86_code_page(vm->s, 0x500000));
  assert_int_equal(e->tag_write, va);
  vm_free(vm);
}

/* invlpg of any address in a 2 MiB page drops every 4 KiB piece of it. */
static void test_invlpg_large(void **state) {
  (void)state;
  Vm *vm = vm_new();
  const SoftmmuOps *ops = &x86_softmmu_ops;
  uint64_t va = 0x40000000ull, v;
  vm_map(vm, va, 0x600000, P_W, 1);
  vm_map(vm, 0xa000000ull, 0x500000, P_W, 0);
  ops->load(vm->c, va + 0x3000, SOFTMMU_INFO(8, 0, 0), &v);
  ops->load(vm->c, va + 0x5000, SOFTMMU_INFO(8, 0, 0), &v);
  ops->load(vm->c, 0xa000000ull, SOFTMMU_INFO(8, 0, 0), &v);
  x86sys_tlb_flush_page(vm->cpu, va + 0x1ff000);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, va + 0x3000)->tag_read & SOFTMMU_TLB_INVALID);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, va + 0x5000)->tag_read & SOFTMMU_TLB_INVALID);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, 0xa000000ull)->tag_read, 0xa000000ull);
  /* A 4 KiB page outside every large one: its slot only. */
  ops->load(vm->c, va + 0x3000, SOFTMMU_INFO(8, 0, 0), &v);
  x86sys_tlb_flush_page(vm->cpu, 0xa000000ull);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, 0xa000000ull)->tag_read & SOFTMMU_TLB_INVALID);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, va + 0x3000)->tag_read, va + 0x3000);
  ops->load(vm->c, 0xa000000ull, SOFTMMU_INFO(8, 0, 0), &v);
  /* A CR3 write drops everything but global pages (none here). */
  assert_int_equal(x86_write_cr(vm->s, 3, vm->s->cr3).vec, -1);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, 0xa000000ull)->tag_read & SOFTMMU_TLB_INVALID);
  vm_free(vm);
}

/* A CR3 write keeps what came from global mappings (CR4.PGE and G in the
 * leaf): TLB and instruction-TLB entries, and CPL0's virtual code lookups when
 * all CPL0 code came from global pages. Toggling CR4.PGE drops everything. */
static void test_global_pages(void **state) {
  (void)state;
  Vm *vm = vm_new();
  const SoftmmuOps *ops = &x86_softmmu_ops;
  uint64_t g = 0xb000000ull, l = 0xc001000ull, v, phys; /* other TLB slots */
  uint32_t mode;
  vm_map(vm, g, 0x500000, P_W | P_G, 0);
  vm_map(vm, l, 0x501000, P_W, 0);
  assert_int_equal(x86_write_cr(vm->s, 3, vm->s->cr3).vec, -1); /* start clean */
  ops->load(vm->c, g, SOFTMMU_INFO(8, 0, 0), &v);
  ops->load(vm->c, l, SOFTMMU_INFO(8, 0, 0), &v);
  assert_true(x86_code_key(vm->cpu, g + 0x10, &phys, &mode));
  assert_false(vm->s->exec_local0);
  assert_int_equal(x86_write_cr(vm->s, 3, vm->s->cr3).vec, -1);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, g)->tag_read, g);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, l)->tag_read & SOFTMMU_TLB_INVALID);
  assert_int_equal(vm->s->itlb[0][(g >> 12) % X86_ITLB_SIZE].vpage, g);
  /* Code from a non-global page: the next CR3 write drops CPL0's lookups. */
  assert_true(x86_code_key(vm->cpu, l, &phys, &mode));
  assert_int_equal(phys, 0x501000);
  assert_true(vm->s->exec_local0);
  assert_int_equal(x86_write_cr(vm->s, 3, vm->s->cr3).vec, -1);
  assert_false(vm->s->exec_local0);
  assert_int_equal(vm->s->itlb[0][(l >> 12) % X86_ITLB_SIZE].vpage, ~0ull);
  assert_int_equal(vm->s->itlb[0][(g >> 12) % X86_ITLB_SIZE].vpage, g);
  /* PGE off: the global page goes too, and is not global any more. */
  assert_int_equal(x86_write_cr(vm->s, 4, vm->s->cr4 & ~X86_CR4_PGE).vec, -1);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, g)->tag_read & SOFTMMU_TLB_INVALID);
  ops->load(vm->c, g, SOFTMMU_INFO(8, 0, 0), &v);
  assert_int_equal(x86_write_cr(vm->s, 3, vm->s->cr3).vec, -1);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, g)->tag_read & SOFTMMU_TLB_INVALID);
  vm_free(vm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_global_pages),
      cmocka_unit_test(test_4k_and_ad_bits),
      cmocka_unit_test(test_large_pages),
      cmocka_unit_test(test_fault_codes),
      cmocka_unit_test(test_wp_off_and_nxe_off),
      cmocka_unit_test(test_reserved_structure_bits),
      cmocka_unit_test(test_non_canonical),
      cmocka_unit_test(test_cross_page_access),
      cmocka_unit_test(test_tlb_fill),
      cmocka_unit_test(test_code_pages),
      cmocka_unit_test(test_invlpg_large),
  };
  /* The interpreter tier (IrMemOps), then backend_fast (the inline TLB and
   * the softmmu slow paths). */
  int failed = cmocka_run_group_tests_name("interp", tests, NULL, NULL);
  vm_tier = EMU_TIER_FAST;
  return failed + cmocka_run_group_tests_name("fast", tests, NULL, NULL);
}
