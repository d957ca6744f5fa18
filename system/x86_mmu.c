/* x86_mmu.c — the x86-64 MMU in system mode: 4-level paging (SDM vol. 3
 * 4.5) with NX, U/S, R/W and CR0.WP, accessed/dirty bits, 2 MiB and 1 GiB
 * pages; the softmmu TLB it fills (runtime/softmmu.h) and the slow paths
 * behind it; the interpreter's IrMemOps; the instruction-fetch side
 * (code_key, the frontend's fetch); and physical memory: RAM, the bus, and
 * the pages holding translated code.
 *
 * A RAM page holding translated code (code_added) is mapped with
 * SOFTMMU_TLB_IO on its write tag. The first write that reaches the slow path
 * drops every block of the page and forgets that the page holds code, so the
 * page is plain RAM again until something is translated there.
 *
 * Global pages (CR4.PGE, G in the leaf entry) survive CR3 writes, in the TLB,
 * the instruction TLB and, for CPL0 code, the runtime's virtual lookups: after
 * a context switch the kernel's pages do not all miss again. */
#include <stdio.h>
#include <string.h>

#include "pc_layout.h"
#include "x86_sys_int.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_XD (1ull << 63)
#define PHYS_BITS 39 /* CPUID 0x80000008 */
#define PTE_ADDR (((1ull << PHYS_BITS) - 1) & ~0xfffull)
/* Bits 51:MAXPHYADDR of an entry are reserved (and bit 63 without NXE). */
#define PTE_RSVD_HI (((1ull << 52) - 1) & ~((1ull << PHYS_BITS) - 1))

/* -- Physical memory ------------------------------------------------------------ */

uint8_t *x86_phys_ram(X86Sys *s, uint64_t gpa) {
  if (gpa < s->ram_low)
    return s->hooks.ram + gpa;
  if (gpa >= PC_HIGH_RAM_BASE && gpa - PC_HIGH_RAM_BASE < s->hooks.ram_size - s->ram_low)
    return s->hooks.ram + s->ram_low + (gpa - PC_HIGH_RAM_BASE);
  return NULL;
}

/* RAM the TLB may map directly: RAM, and no device claims the page. */
static uint8_t *page_ram(X86Sys *s, uint64_t page) {
  uint8_t *h = x86_phys_ram(s, page);
  if (h && s->hooks.bus && hw_mmio_claims(s->hooks.bus, page))
    return NULL;
  return h;
}

static uint64_t code_index(X86Sys *s, const uint8_t *host) {
  return (uint64_t)(host - s->hooks.ram) >> SOFTMMU_PAGE_BITS;
}

bool x86_code_page(X86Sys *s, uint64_t gpa) {
  uint8_t *h = x86_phys_ram(s, gpa);
  if (!h || !s->code_bits)
    return false;
  uint64_t i = code_index(s, h);
  return (s->code_bits[i / 64] >> (i % 64)) & 1;
}

/* A write is about to change RAM page gpa: drop its translated code first. */
static void code_write(X86Sys *s, uint64_t gpa) {
  uint8_t *h = x86_phys_ram(s, gpa);
  if (!h || !s->code_bits)
    return;
  uint64_t i = code_index(s, h);
  if (!((s->code_bits[i / 64] >> (i % 64)) & 1))
    return;
  uint64_t page = gpa & SOFTMMU_PAGE_MASK;
  emu_engine_invalidate(s->cpu->rt.engine, page, page + SOFTMMU_PAGE_SIZE);
  s->code_bits[i / 64] &= ~(1ull << (i % 64));
}

void x86_code_added(EmuCpu *cpu, uint64_t lo, uint64_t hi) {
  X86Sys *s = x86sys_state(cpu);
  for (uint64_t page = lo & SOFTMMU_PAGE_MASK; page < hi; page += SOFTMMU_PAGE_SIZE) {
    uint8_t *h = x86_phys_ram(s, page);
    if (!h || !s->code_bits)
      continue;
    uint64_t i = code_index(s, h);
    if ((s->code_bits[i / 64] >> (i % 64)) & 1)
      continue;
    s->code_bits[i / 64] |= 1ull << (i % 64);
    /* Writes through existing entries must now take the slow path. */
    for (unsigned m = 0; m < SOFTMMU_MMU_MAX; m++)
      for (unsigned k = 0; k < SOFTMMU_TLB_SIZE; k++) {
        SoftTlbEntry *e = &s->tlb.e[m][k];
        if (e->phys == page && !(e->tag_write & SOFTMMU_TLB_INVALID))
          e->tag_write |= SOFTMMU_TLB_IO;
      }
  }
}

void x86sys_phys_written(EmuCpu *cpu, uint64_t gpa, uint64_t len) {
  X86Sys *s = x86sys_state(cpu);
  for (uint64_t p = gpa & SOFTMMU_PAGE_MASK; p < gpa + len; p += SOFTMMU_PAGE_SIZE)
    if (x86_code_page(s, p)) {
      emu_engine_invalidate(cpu->rt.engine, gpa, gpa + len);
      return;
    }
}

/* One access of n bytes to the bus: sized when the device can take it. */
static void bus_read(X86Sys *s, uint64_t gpa, uint8_t *buf, size_t n) {
  while (n) {
    unsigned k = n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
    uint64_t v = s->hooks.bus ? hw_mmio_read(s->hooks.bus, gpa, k) : ~0ull;
    memcpy(buf, &v, k);
    buf += k, gpa += k, n -= k;
  }
}

static void bus_write(X86Sys *s, uint64_t gpa, const uint8_t *buf, size_t n) {
  while (n) {
    unsigned k = n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
    uint64_t v = 0;
    memcpy(&v, buf, k);
    if (s->hooks.bus)
      hw_mmio_write(s->hooks.bus, gpa, v, k);
    buf += k, gpa += k, n -= k;
  }
}

/* Within one page. */
static void page_read(X86Sys *s, uint64_t gpa, void *buf, size_t n) {
  uint8_t *h = page_ram(s, gpa & SOFTMMU_PAGE_MASK);
  if (h)
    memcpy(buf, h + (gpa & ~SOFTMMU_PAGE_MASK), n);
  else
    bus_read(s, gpa, buf, n);
}

static void page_write(X86Sys *s, uint64_t gpa, const void *buf, size_t n) {
  uint8_t *h = page_ram(s, gpa & SOFTMMU_PAGE_MASK);
  if (h) {
    code_write(s, gpa);
    memcpy(h + (gpa & ~SOFTMMU_PAGE_MASK), buf, n);
  } else {
    bus_write(s, gpa, buf, n);
  }
}

static size_t in_page(uint64_t a, size_t n) {
  size_t room = SOFTMMU_PAGE_SIZE - (a & ~SOFTMMU_PAGE_MASK);
  return n < room ? n : room;
}

void x86_phys_read(X86Sys *s, uint64_t gpa, void *buf, size_t n) {
  for (size_t k; n; gpa += k, buf = (uint8_t *)buf + k, n -= k)
    page_read(s, gpa, buf, k = in_page(gpa, n));
}

void x86_phys_write(X86Sys *s, uint64_t gpa, const void *buf, size_t n) {
  for (size_t k; n; gpa += k, buf = (const uint8_t *)buf + k, n -= k)
    page_write(s, gpa, buf, k = in_page(gpa, n));
}

/* -- The page walk ---------------------------------------------------------------- */

static X86Exc page_fault(uint64_t va, uint32_t err) {
  return (X86Exc){X86_EXC_PF, err, va};
}

/* Set bits in a paging entry (A, D) if clear. */
static void pte_set(X86Sys *s, uint64_t addr, uint64_t e, uint64_t bits) {
  if ((e & bits) == bits)
    return;
  uint8_t *h = x86_phys_ram(s, addr);
  if (h) /* entries outside RAM keep their bits */
    __atomic_fetch_or((uint64_t *)h, bits, __ATOMIC_RELAXED);
}

X86Exc x86_mmu_translate(X86Sys *s, uint64_t va, X86Access acc, int cpl, X86Walk *out) {
  if (!(s->cr0 & X86_CR0_PG)) {
    out->phys = s->efer & X86_EFER_LMA ? va : (uint32_t)va;
    out->page_mask = SOFTMMU_PAGE_MASK;
    out->writable = true;
    out->global = false;
    return X86_OK;
  }
  if (!x86_canonical(va))
    return x86_gp0();
  bool user = cpl == 3, nxe = s->efer & X86_EFER_NXE;
  uint32_t kind = (acc == X86_ACC_WRITE ? X86_PF_W : 0) | (user ? X86_PF_U : 0) |
                  (acc == X86_ACC_FETCH && nxe ? X86_PF_I : 0);
  uint64_t rsvd = PTE_RSVD_HI | (nxe ? 0 : PTE_XD);
  uint64_t table = s->cr3 & PTE_ADDR, addr[4], ent[4];
  bool rw = true, us = true, xd = false;
  int level = 3, used = 0;
  uint64_t e;
  for (;; level--) {
    addr[used] = table + ((va >> (12 + 9 * level)) & 511) * 8;
    const uint8_t *h = x86_phys_ram(s, addr[used]); /* no device claims RAM */
    if (h)
      memcpy(&e, h, 8);
    else
      x86_phys_read(s, addr[used], &e, 8);
    ent[used++] = e;
    if (!(e & PTE_P))
      return page_fault(va, kind);
    uint64_t r = rsvd;
    if (level == 3)
      r |= PTE_PS;
    else if (level == 2 && (e & PTE_PS))
      r |= 0x3fffe000ull; /* 1 GiB page: bits 29:13 */
    else if (level == 1 && (e & PTE_PS))
      r |= 0x1fe000ull; /* 2 MiB page: bits 20:13 */
    if (e & r)
      return page_fault(va, kind | X86_PF_P | X86_PF_RSVD);
    rw = rw && (e & PTE_RW);
    us = us && (e & PTE_US);
    xd = xd || (nxe && (e & PTE_XD));
    if (level == 0 || (e & PTE_PS))
      break;
    table = e & PTE_ADDR;
  }
  uint64_t size = 1ull << (12 + 9 * level);
  if (user && !us)
    return page_fault(va, kind | X86_PF_P);
  bool wp = user || (s->cr0 & X86_CR0_WP);
  if (acc == X86_ACC_WRITE && !rw && wp)
    return page_fault(va, kind | X86_PF_P);
  if (acc == X86_ACC_FETCH && xd)
    return page_fault(va, kind | X86_PF_P);
  for (int i = 0; i < used; i++)
    pte_set(s, addr[i], ent[i], PTE_A | (i == used - 1 && acc == X86_ACC_WRITE ? PTE_D : 0));
  out->phys = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
  out->page_mask = ~(size - 1);
  out->writable = (rw || !wp) && ((e & PTE_D) || acc == X86_ACC_WRITE);
  out->global = (s->cr4 & X86_CR4_PGE) && (e & PTE_G);
  return X86_OK;
}

/* -- Recorded faults ---------------------------------------------------------------- */

void x86_mmu_record(X86Sys *s, X86Exc e, uint64_t va) {
  s->fault.valid = true;
  s->fault.access = va;
  s->fault.vector = (uint8_t)e.vec;
  s->fault.error = e.err;
  s->fault.addr = e.cr2;
}

X86Exc x86_mmu_take_fault(X86Sys *s, uint64_t addr, bool write, uint64_t pc) {
  if (s->fault.valid && s->fault.access == addr) {
    s->fault.valid = false;
    return (X86Exc){s->fault.vector, s->fault.error, s->fault.addr};
  }
  /* Not from a slow path: the frontend's fetch stopped at addr (an instruction
   * running into the next page), or a misaligned SSE operand. */
  bool fetch = !write && addr >= pc && addr - pc < 16;
  X86Walk w;
  X86Exc e = x86_mmu_translate(s, addr, fetch ? X86_ACC_FETCH : write ? X86_ACC_WRITE : X86_ACC_READ,
                               s->cpl, &w);
  if (x86_failed(e) || !fetch)
    return x86_failed(e) ? e : x86_gp0(); /* mapped: alignment (#GP(0)) */
  if (!page_ram(s, w.phys & SOFTMMU_PAGE_MASK))
    return x86_ud(); /* code from the bus reads as all ones: ff ff is #UD */
  /* The page is mapped now: the block was translated before it was. */
  uint64_t phys;
  uint32_t mode;
  if (x86_code_key(s->cpu, pc, &phys, &mode))
    emu_engine_invalidate(s->cpu->rt.engine, phys & SOFTMMU_PAGE_MASK,
                          (phys & SOFTMMU_PAGE_MASK) + SOFTMMU_PAGE_SIZE);
  return X86_OK;
}

/* -- The TLB ------------------------------------------------------------------------ */

/* exec_pages: the bit of a mapping of size 4K << 9 * level at va. */
static unsigned exec_bit(uint64_t va, int level) {
  uint64_t key = (va >> (12 + 9 * level)) << 2 | (uint64_t)level;
  return (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 52); /* 12 bits */
}

static bool bit_test(const uint64_t *set, unsigned b) { return (set[b / 64] >> (b % 64)) & 1; }
static void bit_set(uint64_t *set, unsigned b) { set[b / 64] |= 1ull << (b % 64); }

/* 0: 4 KiB, 1: 2 MiB, 2: 1 GiB. */
static int mask_level(uint64_t page_mask) {
  return page_mask == ~0xfffull ? 0 : page_mask == ~0x1fffffull ? 1 : 2;
}

static void vcache_flush(X86Sys *s) {
  memset(s->exec_pages, 0, sizeof s->exec_pages);
  s->exec_local0 = false;
  emu_cpu_flush_vcache(s->cpu);
}

static unsigned mmu_of_cpl(int cpl) { return cpl == 3 ? 1 : 0; }

void x86sys_tlb_flush(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  softmmu_tlb_flush(&s->tlb);
  memset(s->tlb_global, 0, sizeof s->tlb_global);
  memset(s->large_pages, 0, sizeof s->large_pages);
  memset(s->itlb, 0xff, sizeof s->itlb);
  vcache_flush(s);
}

void x86sys_tlb_flush_nonglobal(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  for (unsigned m = 0; m < SOFTMMU_MMU_MAX; m++) {
    for (unsigned k = 0; k < SOFTMMU_TLB_SIZE; k++)
      if (!s->tlb_global[m][k])
        memset(&s->tlb.e[m][k], 0xff, sizeof s->tlb.e[m][k]);
    for (unsigned k = 0; k < X86_ITLB_SIZE; k++)
      if (!s->itlb[m][k].global)
        s->itlb[m][k].vpage = ~0ull;
  }
  /* CPL3's lookups always go (user code is not global in practice, and this
   * keeps the rule simple); CPL0's stay when all its code came from global
   * pages. The jump-cache mode is the MMU index (x86_seg.c). */
  if (s->exec_local0)
    vcache_flush(s);
  else
    emu_cpu_flush_vcache_mode(cpu, mmu_of_cpl(3));
}

/* Drop TLB slot k of MMU index m if its mapping covers va. */
static void tlb_drop_if_covers(X86Sys *s, unsigned m, unsigned k, uint64_t va) {
  SoftTlbEntry *e = &s->tlb.e[m][k];
  uint64_t tag = !(e->tag_read & SOFTMMU_TLB_INVALID) ? e->tag_read : e->tag_write;
  if (!(tag & SOFTMMU_TLB_INVALID) && ((tag ^ va) & s->tlb_vmask[m][k]) == 0)
    memset(e, 0xff, sizeof *e);
}

void x86sys_tlb_flush_page(EmuCpu *cpu, uint64_t va) {
  X86Sys *s = x86sys_state(cpu);
  /* Only an entry of a large page can sit in another slot than va's. */
  bool large = bit_test(s->large_pages, exec_bit(va, 1)) || bit_test(s->large_pages, exec_bit(va, 2));
  for (unsigned m = 0; m < SOFTMMU_MMU_MAX; m++)
    if (large)
      for (unsigned k = 0; k < SOFTMMU_TLB_SIZE; k++)
        tlb_drop_if_covers(s, m, k, va);
    else
      tlb_drop_if_covers(s, m, softmmu_tlb_index(va), va);
  memset(s->itlb, 0xff, sizeof s->itlb);
  for (int level = 0; level < 3; level++)
    if (bit_test(s->exec_pages, exec_bit(va, level))) {
      vcache_flush(s);
      break;
    }
}

/* Walk va for acc at the MMU index's privilege and refill its entry. */
static X86Exc tlb_fill(X86Sys *s, uint64_t va, unsigned mmu, X86Access acc) {
  X86Walk w;
  X86Exc x = x86_mmu_translate(s, va, acc, mmu ? 3 : 0, &w);
  if (x86_failed(x))
    return x;
  uint64_t vpage = va & SOFTMMU_PAGE_MASK, ppage = w.phys & SOFTMMU_PAGE_MASK;
  uint8_t *h = page_ram(s, ppage);
  SoftTlbEntry *e = softmmu_tlb_entry(&s->tlb, mmu, va);
  e->tag_read = vpage | (h ? 0 : SOFTMMU_TLB_IO);
  e->tag_write = !w.writable                        ? SOFTMMU_TLB_INVALID
                 : h && !x86_code_page(s, ppage) ? vpage
                                                   : vpage | SOFTMMU_TLB_IO;
  e->addend = h ? (uint64_t)(uintptr_t)h - vpage : 0;
  e->phys = ppage;
  s->tlb_vmask[mmu][softmmu_tlb_index(va)] = w.page_mask;
  s->tlb_global[mmu][softmmu_tlb_index(va)] = w.global;
  int level = mask_level(w.page_mask);
  if (level)
    bit_set(s->large_pages, exec_bit(va, level));
  return X86_OK;
}

/* An access within one page through the TLB. */
static X86Exc page_access(X86Sys *s, uint64_t va, void *buf, size_t n, unsigned mmu, bool write) {
  SoftTlbEntry *e = softmmu_tlb_entry(&s->tlb, mmu, va);
  uint64_t vpage = va & SOFTMMU_PAGE_MASK;
  uint64_t tag = write ? e->tag_write : e->tag_read;
  if ((tag & ~SOFTMMU_TLB_IO) != vpage) {
    X86Exc x = tlb_fill(s, va, mmu, write ? X86_ACC_WRITE : X86_ACC_READ);
    if (x86_failed(x))
      return x;
    tag = write ? e->tag_write : e->tag_read;
  }
  if (!(tag & SOFTMMU_TLB_IO)) {
    uint8_t *h = (uint8_t *)(uintptr_t)(va + e->addend);
    if (write)
      memcpy(h, buf, n);
    else
      memcpy(buf, h, n);
    return X86_OK;
  }
  uint64_t pa = e->phys | (va & ~SOFTMMU_PAGE_MASK);
  if (!write) {
    page_read(s, pa, buf, n);
    return X86_OK;
  }
  page_write(s, pa, buf, n); /* drops the page's code */
  if (page_ram(s, e->phys) && !x86_code_page(s, e->phys))
    e->tag_write = vpage; /* plain RAM from now on */
  return X86_OK;
}

/* An access of n bytes at privilege mmu. One crossing a page checks both
 * pages before it writes anything. */
static X86Exc access(X86Sys *s, uint64_t va, void *buf, size_t n, unsigned mmu, bool write) {
  size_t first = in_page(va, n);
  if (first < n && write) {
    SoftTlbEntry *e = softmmu_tlb_entry(&s->tlb, mmu, va + first);
    if ((e->tag_write & ~SOFTMMU_TLB_IO) != ((va + first) & SOFTMMU_PAGE_MASK)) {
      X86Exc x = tlb_fill(s, va + first, mmu, X86_ACC_WRITE);
      if (x86_failed(x))
        return x;
    }
  }
  for (size_t k; n; va += k, buf = (uint8_t *)buf + k, n -= k) {
    k = in_page(va, n);
    X86Exc x = page_access(s, va, buf, k, mmu, write);
    if (x86_failed(x))
      return x;
  }
  return X86_OK;
}

/* -- Slow paths: generated code, the interpreter, C ---------------------------------- */

/* An atomic missed (SOFTMMU_INFO_ATOMIC): make its entry pass the inline
 * check for a write, i.e. plain RAM in one page (a code page's blocks are
 * dropped first); the generated code then retries. A locked access to MMIO
 * or across pages is not something this model does: #GP. */
static X86Exc atomic_ready(X86Sys *s, uint64_t va, unsigned size, unsigned mmu) {
  X86Exc x = tlb_fill(s, va, mmu, X86_ACC_WRITE);
  if (x86_failed(x))
    return x;
  SoftTlbEntry *e = softmmu_tlb_entry(&s->tlb, mmu, va);
  if (in_page(va, size) < size || !page_ram(s, e->phys)) {
    if (emu_log_on(EMU_LOG_unimp))
      emu_log("x86: atomic access at %#llx across pages or to MMIO: #GP\n",
              (unsigned long long)va);
    return x86_gp0();
  }
  code_write(s, e->phys);
  e->tag_write = va & SOFTMMU_PAGE_MASK;
  return X86_OK;
}

/* Both slow paths: the access, or its fault (which does not return). */
static void slow_path(void *guest, uint64_t va, uint32_t info, void *buf, bool write, void *ret) {
  EmuCpu *cpu = emu_cpu_of_guest(guest);
  X86Sys *s = x86sys_state(cpu);
  unsigned size = softmmu_info_size(info), mmu = softmmu_info_mmu(info);
  X86Exc x = softmmu_info_atomic(info) ? atomic_ready(s, va, size, mmu)
                                       : access(s, va, buf, size, mmu, write);
  if (x86_failed(x)) {
    x86_mmu_record(s, x, va);
    emu_helper_fault(cpu, va, write || softmmu_info_atomic(info), ret);
  }
}

static void softmmu_load(void *guest, uint64_t va, uint32_t info, void *out) {
  slow_path(guest, va, info, out, false, __builtin_return_address(0));
}

static void softmmu_store(void *guest, uint64_t va, uint32_t info, const void *in) {
  slow_path(guest, va, info, (void *)in, true, __builtin_return_address(0));
}

const SoftmmuOps x86_softmmu_ops = {
    .load = softmmu_load,
    .store = softmmu_store,
    .tlb_offset = 0, /* set by x86sys_engine_config: the extra area's offset */
};

/* The interpreter and helpers: the cpu this thread runs, at its CPL. */
int x86_mem_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  (void)ctx;
  X86Sys *s = x86sys_state(emu_cpu_current());
  X86Exc x = access(s, addr, out, size, mmu_of_cpl(s->cpl), false);
  if (x86_failed(x))
    x86_mmu_record(s, x, addr);
  return x86_failed(x);
}

int x86_mem_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  (void)ctx;
  X86Sys *s = x86sys_state(emu_cpu_current());
  X86Exc x = access(s, addr, (void *)in, size, mmu_of_cpl(s->cpl), true);
  if (x86_failed(x))
    x86_mmu_record(s, x, addr);
  return x86_failed(x);
}

/* A host pointer for an atomic read-modify-write: RAM only, and within one
 * page unless both pages sit next to each other in host memory. */
void *x86_mem_atomic(void *ctx, uint64_t addr, unsigned size) {
  (void)ctx;
  X86Sys *s = x86sys_state(emu_cpu_current());
  uint8_t *p[2] = {NULL, NULL};
  size_t first = in_page(addr, size);
  for (int i = 0; i < (first < size ? 2 : 1); i++) {
    uint64_t va = i ? addr + first : addr;
    X86Walk w;
    X86Exc x = x86_mmu_translate(s, va, X86_ACC_WRITE, s->cpl, &w);
    if (x86_failed(x)) {
      x86_mmu_record(s, x, addr);
      return NULL;
    }
    p[i] = page_ram(s, w.phys & SOFTMMU_PAGE_MASK);
    if (!p[i]) {
      if (emu_log_on(EMU_LOG_unimp))
        emu_log("x86: atomic access to MMIO at %#llx: #GP\n", (unsigned long long)va);
      x86_mmu_record(s, x86_gp0(), addr);
      return NULL;
    }
    p[i] += w.phys & ~SOFTMMU_PAGE_MASK;
    code_write(s, w.phys);
  }
  if (p[1] && p[1] != p[0] + first) {
    if (emu_log_on(EMU_LOG_unimp))
      emu_log("x86: atomic access across discontiguous pages at %#llx: #GP\n",
              (unsigned long long)addr);
    x86_mmu_record(s, x86_gp0(), addr);
    return NULL;
  }
  return p[0];
}

static X86Exc vaccess(X86Sys *s, uint64_t va, void *buf, size_t n, int cpl, X86Access acc) {
  if (acc == X86_ACC_WRITE) /* nothing written unless every page allows it */
    for (uint64_t a = va, left = n, k; left; a += k, left -= k) {
      k = in_page(a, left);
      X86Walk w;
      X86Exc x = x86_mmu_translate(s, a, acc, cpl, &w);
      if (x86_failed(x))
        return x;
    }
  for (size_t k; n; va += k, buf = (uint8_t *)buf + k, n -= k) {
    k = in_page(va, n);
    X86Walk w;
    X86Exc x = x86_mmu_translate(s, va, acc, cpl, &w);
    if (x86_failed(x))
      return x;
    if (acc == X86_ACC_WRITE)
      page_write(s, w.phys, buf, k);
    else
      page_read(s, w.phys, buf, k);
  }
  return X86_OK;
}

X86Exc x86_vread(X86Sys *s, uint64_t va, void *buf, size_t n, int cpl) {
  return vaccess(s, va, buf, n, cpl, X86_ACC_READ);
}
X86Exc x86_vwrite(X86Sys *s, uint64_t va, const void *buf, size_t n, int cpl) {
  return vaccess(s, va, (void *)buf, n, cpl, X86_ACC_WRITE);
}

bool x86sys_vread(EmuCpu *cpu, uint64_t va, void *buf, size_t n, int cpl) {
  X86Sys *s = x86sys_state(cpu);
  X86Exc x = x86_vread(s, va, buf, n, cpl);
  if (x86_failed(x))
    x86_mmu_record(s, x, va);
  return !x86_failed(x);
}

bool x86sys_vwrite(EmuCpu *cpu, uint64_t va, const void *buf, size_t n, int cpl) {
  X86Sys *s = x86sys_state(cpu);
  X86Exc x = x86_vwrite(s, va, buf, n, cpl);
  if (x86_failed(x))
    x86_mmu_record(s, x, va);
  return !x86_failed(x);
}

/* -- Instruction fetch ---------------------------------------------------------------- */

/* An instruction fetch at va through the instruction TLB. */
static X86Exc itlb_translate(X86Sys *s, uint64_t va, int cpl, uint64_t *phys) {
  unsigned mmu = mmu_of_cpl(cpl);
  uint64_t vpage = va & SOFTMMU_PAGE_MASK;
  unsigned i = (unsigned)(va >> SOFTMMU_PAGE_BITS) % X86_ITLB_SIZE;
  if (s->itlb[mmu][i].vpage != vpage) {
    X86Walk w;
    X86Exc x = x86_mmu_translate(s, va, X86_ACC_FETCH, cpl, &w);
    if (x86_failed(x))
      return x;
    s->itlb[mmu][i].vpage = vpage;
    s->itlb[mmu][i].ppage = w.phys & SOFTMMU_PAGE_MASK;
    s->itlb[mmu][i].global = w.global;
    if (!w.global && mmu == 0)
      s->exec_local0 = true;
    bit_set(s->exec_pages, exec_bit(va, mask_level(w.page_mask)));
  }
  *phys = s->itlb[mmu][i].ppage | (va & ~SOFTMMU_PAGE_MASK);
  return X86_OK;
}

X86Exc x86_vfetch(X86Sys *s, uint64_t va, void *buf, size_t n, int cpl) {
  for (size_t k; n; va += k, buf = (uint8_t *)buf + k, n -= k) {
    k = in_page(va, n);
    uint64_t pa;
    X86Exc x = itlb_translate(s, va, cpl, &pa);
    if (x86_failed(x))
      return x;
    page_read(s, pa, buf, k);
  }
  return X86_OK;
}

bool x86_code_key(EmuCpu *cpu, uint64_t pc, uint64_t *phys, uint32_t *mode) {
  X86Sys *s = x86sys_state(cpu);
  X86Exc x = itlb_translate(s, pc, s->cpl, phys);
  if (x86_failed(x)) {
    x86_mmu_record(s, x, pc);
    emu_cpu_raise(cpu, IR_EXC_fault, pc, false);
    return false;
  }
  *mode = X86_MODE_SYSTEM | (s->cpl == 3 ? X86_MODE_CPL3 : 0);
  return true;
}

/* The frontend's code bytes: RAM only, page by page, up to a fault. */
size_t x86_code_fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  (void)ctx;
  X86Sys *s = x86sys_state(emu_cpu_current());
  size_t got = 0;
  while (got < max) {
    X86Walk w;
    if (x86_failed(x86_mmu_translate(s, pc + got, X86_ACC_FETCH, s->cpl, &w)))
      break;
    uint8_t *h = page_ram(s, w.phys & SOFTMMU_PAGE_MASK);
    if (!h)
      break;
    size_t k = in_page(pc + got, max - got);
    memcpy(buf + got, h + (w.phys & ~SOFTMMU_PAGE_MASK), k);
    got += k;
  }
  return got;
}
