/* x86_vm.h — a tiny x86-64 machine for the system-mode CPU tests: 16 MiB of
 * RAM with Linux-like GDT, IDT and TSS, 4-level page tables built here, a bus
 * with a test port and MMIO device, a manual clock, and the engine in the
 * interpreter tier running hand-assembled code (bytes from GNU as, shown in
 * the comments next to them).
 *
 * Physical layout (identity-mapped below 4 MiB, supervisor, 2 MiB pages):
 *   0x1000 GDT, 0x2000 IDT, 0x3000 TSS, 0x10000.. page tables,
 *   0x100000 kernel text (also at KTEXT), 0x110000 one hlt per vector (KSTUB),
 *   0x300000 user text (at UTEXT), 0x301000 user stack page (at USTACK),
 *   0x370000 kernel stack top, 0x380000 TSS.RSP0, 0x390000 TSS.IST1. */
#ifndef EMU_TEST_X86_VM_H
#define EMU_TEST_X86_VM_H

#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "x86_sys_int.h"

#define VM_RAM (16ull << 20)
#define GDT_PA 0x1000ull
#define IDT_PA 0x2000ull
#define TSS_PA 0x3000ull
#define PT_PA 0x10000ull
#define KTEXT_PA 0x100000ull
#define KTEXT 0xffffffff80000000ull
#define KSTUB (KTEXT + 0x10000)
#define UTEXT_PA 0x300000ull
#define UTEXT 0x400000ull
#define USTACK_PA 0x301000ull
#define USTACK 0x7ffff000ull
#define KSTACK 0x370000ull
#define RSP0 0x380000ull
#define IST1 0x390000ull

/* Linux's selectors. */
#define KERNEL_CS 0x10
#define KERNEL_DS 0x18
#define USER32_CS 0x23
#define USER_DS 0x2b
#define USER_CS 0x33
#define TSS_SEL 0x40

/* Page table entry bits. */
#define P_P 1ull
#define P_W 2ull
#define P_U 4ull
#define P_A 0x20ull
#define P_D 0x40ull
#define P_PS 0x80ull
#define P_G 0x100ull
#define P_XD (1ull << 63)

/* A port and an MMIO register that remember their last write. */
typedef struct VmDev {
  uint64_t last_port, last_value;
  unsigned last_size;
  unsigned writes;
} VmDev;

/* The tier the tests run in (main runs each group in both). */
static EmuTier vm_tier = EMU_TIER_INTERP;

typedef struct Vm {
  EmuEngine *e;
  EmuCpu *cpu;
  X86Sys *s;
  X86Cpu *c;
  uint8_t *ram;
  HwBus *bus;
  VmDev dev;
  uint64_t next_table;
  uint64_t clock;
  const char *reset_why;
} Vm;

static inline uint64_t vm_dev_read(void *opaque, uint64_t off, unsigned size) {
  (void)opaque;
  return 0x11223344u + off + size; /* recognisable */
}
static inline void vm_dev_write(void *opaque, uint64_t off, uint64_t v, unsigned size) {
  VmDev *d = opaque;
  d->last_port = off, d->last_value = v, d->last_size = size;
  d->writes++;
}
static const HwRegionOps vm_dev_ops = {vm_dev_read, vm_dev_write};

static inline uint64_t vm_clock(void *ctx) { return ((Vm *)ctx)->clock; }
static inline void vm_reset(void *ctx, const char *why) { ((Vm *)ctx)->reset_why = why; }

static inline uint64_t vm_rd64(Vm *vm, uint64_t pa) {
  uint64_t v;
  memcpy(&v, vm->ram + pa, 8);
  return v;
}
static inline void vm_wr64(Vm *vm, uint64_t pa, uint64_t v) { memcpy(vm->ram + pa, &v, 8); }
/* Write RAM behind the CPU's back, as DMA does (translated code is dropped). */
static inline void vm_poke(Vm *vm, uint64_t pa, const void *bytes, size_t n) {
  memcpy(vm->ram + pa, bytes, n);
  x86sys_phys_written(vm->cpu, pa, n);
}

/* Map va -> pa with a page of 4 KiB (level 0), 2 MiB (1) or 1 GiB (2). */
static inline void vm_map(Vm *vm, uint64_t va, uint64_t pa, uint64_t flags, int level) {
  uint64_t table = vm->s->cr3 & ~0xfffull;
  for (int l = 3; l > level; l--) {
    uint64_t slot = table + ((va >> (12 + 9 * l)) & 511) * 8, e = vm_rd64(vm, slot);
    if (!(e & P_P)) {
      e = vm->next_table | P_P | P_W | P_U;
      vm->next_table += 0x1000;
      vm_wr64(vm, slot, e);
    }
    table = e & 0x000ffffffffff000ull;
  }
  vm_wr64(vm, table + ((va >> (12 + 9 * level)) & 511) * 8,
          pa | flags | P_P | (level ? P_PS : 0));
}

/* The entry mapping va at level (0: the PTE). */
static inline uint64_t vm_pte_addr(Vm *vm, uint64_t va, int level) {
  uint64_t table = vm->s->cr3 & ~0xfffull;
  for (int l = 3; l > level; l--)
    table = vm_rd64(vm, table + ((va >> (12 + 9 * l)) & 511) * 8) & 0x000ffffffffff000ull;
  return table + ((va >> (12 + 9 * level)) & 511) * 8;
}

static inline void vm_gate(Vm *vm, int vec, uint64_t target, int type, int dpl, int ist) {
  uint64_t lo = (target & 0xffff) | (uint64_t)KERNEL_CS << 16 | (uint64_t)ist << 32 |
                (uint64_t)type << 40 | (uint64_t)dpl << 45 | 1ull << 47 |
                (target & 0xffff0000ull) << 32;
  vm_wr64(vm, IDT_PA + 16 * (uint64_t)vec, lo);
  vm_wr64(vm, IDT_PA + 16 * (uint64_t)vec + 8, target >> 32);
}

static inline Vm *vm_new(void) {
  Vm *vm = calloc(1, sizeof *vm);
  vm->ram = calloc(1, VM_RAM);
  vm->bus = hw_bus_new();
  hw_bus_map_pio(vm->bus, 0x80, 8, "vmdev", &vm_dev_ops, &vm->dev);
  hw_bus_map_mmio(vm->bus, 0xfeb00000, 0x1000, "vmdev", &vm_dev_ops, &vm->dev);
  EmuEngineConfig cfg;
  memset(&cfg, 0, sizeof cfg);
  x86sys_engine_config(&cfg);
  cfg.tier = vm_tier;
  vm->e = emu_engine_new(&cfg);
  vm->cpu = emu_cpu_new(vm->e, NULL);
  X86SysHooks h = {.ram = vm->ram, .ram_size = VM_RAM, .bus = vm->bus, .ctx = vm,
                   .reset = vm_reset, .clock_ns = vm_clock};
  if (!x86sys_cpu_init(vm->cpu, &h))
    abort();
  vm->s = x86sys_state(vm->cpu);
  vm->c = emu_guest(vm->cpu);

  /* GDT: null, (0x08 unused), kernel code/data, user32 code, user data, user
   * code, (0x38 unused), TSS (16 bytes). */
  static const uint64_t gdt[] = {0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull,
                                 0x00cffb000000ffffull, 0x00cff3000000ffffull,
                                 0x00affb000000ffffull, 0};
  vm_poke(vm, GDT_PA, gdt, sizeof gdt);
  uint64_t tss_lo = 0x67 | (TSS_PA & 0xffffff) << 16 | 0x89ull << 40 | (TSS_PA >> 24) << 56;
  vm_wr64(vm, GDT_PA + TSS_SEL, tss_lo);
  vm_wr64(vm, GDT_PA + TSS_SEL + 8, TSS_PA >> 32);
  vm_wr64(vm, TSS_PA + 4, RSP0);
  vm_wr64(vm, TSS_PA + 0x24, IST1);
  uint16_t iomap = 0x68; /* past the limit: no I/O bitmap */
  vm_poke(vm, TSS_PA + 0x66, &iomap, 2);
  /* IDT: vector v's handler is the hlt at KSTUB + v; int 0x80 and int3 are
   * open to CPL3 (trap gates); NMI and #DF run on IST1. */
  for (int v = 0; v < 256; v++)
    vm_gate(vm, v, KSTUB + (uint64_t)v, 14, 0, v == 2 || v == 8 ? 1 : 0);
  vm_gate(vm, 0x80, KSTUB + 0x80, 15, 3, 0);
  vm_gate(vm, 3, KSTUB + 3, 15, 3, 0);
  memset(vm->ram + KTEXT_PA + 0x10000, 0xf4, 256);

  /* Page tables. */
  vm->s->cr3 = PT_PA;
  vm->next_table = PT_PA + 0x1000;
  for (uint64_t a = 0; a < (4ull << 20); a += 2ull << 20)
    vm_map(vm, a, a, P_W, 1);
  for (uint64_t off = 0; off < 0x20000; off += 0x1000)
    vm_map(vm, KTEXT + off, KTEXT_PA + off, P_W | P_G, 0);
  vm_map(vm, UTEXT, UTEXT_PA, P_U, 0);
  vm_map(vm, USTACK, USTACK_PA, P_U | P_W | P_XD, 0);

  X86BootRegs b = {.rip = KTEXT, .rsp = KSTACK, .rflags = 2, .cr0 = 0x80050033,
                   .cr3 = PT_PA, .cr4 = X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR,
                   .efer = X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE, .gdt_base = GDT_PA,
                   .gdt_limit = 0x4f, .idt_base = IDT_PA, .idt_limit = 0xfff,
                   .cs = KERNEL_CS, .ds = KERNEL_DS};
  x86sys_apply_boot(vm->cpu, &b);
  vm->s->tr = (X86Seg){TSS_PA, 0x67, TSS_SEL, 0x8b};
  return vm;
}

static inline void vm_free(Vm *vm) {
  x86sys_cpu_fini(vm->cpu);
  emu_cpu_free(vm->cpu);
  emu_engine_free(vm->e);
  hw_bus_free(vm->bus);
  free(vm->ram);
  free(vm);
}

/* Run until hlt, a reset or max exits; returns the last event. */
static inline X86SysEvent vm_run(Vm *vm, int max) {
  for (int i = 0; i < max; i++) {
    EmuExit x = emu_exec(vm->cpu);
    X86SysEvent ev = x86sys_handle_exit(vm->cpu, &x);
    if (ev != X86SYS_CONTINUE)
      return ev;
  }
  return X86SYS_CONTINUE;
}

/* Put code at the kernel text start and run it from there at CPL0. */
static inline X86SysEvent vm_run_kernel(Vm *vm, const void *code, size_t n) {
  vm_poke(vm, KTEXT_PA, code, n);
  vm->c->rip = KTEXT;
  return vm_run(vm, 100);
}

/* Switch to CPL3 with flat user segments (as sysret leaves them). */
static inline void vm_enter_user(Vm *vm, uint64_t rip, uint64_t rsp) {
  x86_seg_flat(&vm->s->seg[X86_CS], USER_CS, true, 3);
  x86_seg_flat(&vm->s->seg[X86_SS], USER_DS, false, 3);
  x86_set_cpl(vm->s, 3);
  vm->c->rip = rip;
  vm->c->gpr[X86_RSP] = rsp;
}

/* The vector whose stub hlt-ed (rip is past the hlt), or -1. */
static inline int vm_vector(Vm *vm) {
  uint64_t r = vm->c->rip - 1;
  return r >= KSTUB && r < KSTUB + 256 ? (int)(r - KSTUB) : -1;
}

#endif
