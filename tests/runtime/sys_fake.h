/* sys_fake.h — a fake system-mode runner for the runtime's softmmu tests
 * (test_softmmu.c, test_softmmu_code.c): guest RAM, a one-level page table of
 * its own (virtual page -> RAM page or the MMIO page, with permissions per MMU
 * index), the SoftmmuOps slow paths that fill the TLB (runtime/softmmu.h) and
 * count their calls, an MMIO device that records every access, code_key
 * (virtual pc -> physical, or a fetch fault) and code_added (pages holding
 * code get SOFTMMU_TLB_IO on their write tags; a write there drops their
 * blocks). The interpreter tier gets IrMemOps over the same page walk.
 *
 * The guest is a tiny ISA of 8-byte instructions {op, a, b, c, imm32} read
 * from guest memory by a fake frontend that builds IR for each; SYS_PROBE is
 * one guest access (any IR memory type, load/store/cas/armw) surrounded by
 * more live values of both register classes than the host has registers. */
#ifndef EMU_TEST_SYS_FAKE_H
#define EMU_TEST_SYS_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "softmmu.h"

/* -- Guest state: 16 GPRs, 8 vectors, 4 doubles, 4 floats --------------------- */

typedef struct SysCpu {
  uint64_t r[16];
  _Alignas(16) uint64_t v[8][2];
  double f[4];
  float s[4];
  uint64_t pc;
} SysCpu;

#define SYS_R(n) {"r" #n, offsetof(SysCpu, r[n]), IR_T_i64, IR_RC_GPR}
#define SYS_V(n) {"v" #n, offsetof(SysCpu, v[n]), IR_T_v2i64, IR_RC_VEC}
static const IrReg sys_regs[] = {
    SYS_R(0), SYS_R(1), SYS_R(2),  SYS_R(3),  SYS_R(4),  SYS_R(5),  SYS_R(6),  SYS_R(7),
    SYS_R(8), SYS_R(9), SYS_R(10), SYS_R(11), SYS_R(12), SYS_R(13), SYS_R(14), SYS_R(15),
    SYS_V(0), SYS_V(1), SYS_V(2),  SYS_V(3),  SYS_V(4),  SYS_V(5),  SYS_V(6),  SYS_V(7),
    {"f0", offsetof(SysCpu, f[0]), IR_T_f64, IR_RC_FP},
    {"f1", offsetof(SysCpu, f[1]), IR_T_f64, IR_RC_FP},
    {"f2", offsetof(SysCpu, f[2]), IR_T_f64, IR_RC_FP},
    {"f3", offsetof(SysCpu, f[3]), IR_T_f64, IR_RC_FP},
    {"s0", offsetof(SysCpu, s[0]), IR_T_f32, IR_RC_FP},
    {"s1", offsetof(SysCpu, s[1]), IR_T_f32, IR_RC_FP},
    {"s2", offsetof(SysCpu, s[2]), IR_T_f32, IR_RC_FP},
    {"s3", offsetof(SysCpu, s[3]), IR_T_f32, IR_RC_FP},
    {"pc", offsetof(SysCpu, pc), IR_T_i64, IR_RC_PC},
};
#undef SYS_R
#undef SYS_V
enum { S_R0 = 0, S_V0 = 16, S_F0 = 24, S_S0 = 28, S_PC = 32 };
static const IrRegFile sys_regfile = {"sysfake", sys_regs, sizeof sys_regs / sizeof sys_regs[0],
                                      sizeof(SysCpu)};

/* -- The machine ---------------------------------------------------------------- */

#define PAGE 4096ull
#define VBASE 0x40000000ull     /* virtual page i is VBASE + i * PAGE */
#define NVPAGES 64
#define NPPAGES 32              /* RAM: guest-physical [0, NPPAGES * PAGE) */
#define MMIO_BASE 0xfeb00000ull /* one page of device registers */
#define VA(vpage) (VBASE + (uint64_t)(vpage) * PAGE)
#define PA(ppage) ((uint64_t)(ppage) * PAGE)

enum { P_R = 1, P_W = 2, P_X = 4, P_RW = 3, P_RX = 5, P_RWX = 7 };
enum { MODE_KERNEL = 0, MODE_USER = 1 }; /* mode bit 0 is the MMU index */

typedef struct Pte {
  bool present;
  uint64_t phys;   /* page base: RAM or MMIO_BASE */
  uint8_t perm[2]; /* per MMU index: P_R | P_W | P_X */
} Pte;

typedef struct MmioRec {
  uint64_t off;
  unsigned size;
  bool write;
  uint8_t data[16];
} MmioRec;

typedef struct Sys {
  EmuTier tier;
  EmuEngine *e;
  EmuCpu *cpu;
  uint8_t *ram;
  uint8_t *poison; /* what an MMIO page's TLB addend points at: never to be read */
  Pte pt[NVPAGES];
  uint32_t mode;
  bool code_page[NPPAGES];
  /* What the slow paths, the interpreter's memory ops and the hooks saw. */
  unsigned slow_load, slow_store, slow_atomic, mem_calls, bad_stack;
  uint32_t last_info;
  uint64_t last_va, last_pc;
  MmioRec mmio[32];
  unsigned nmmio;
  struct { uint64_t lo, hi; } added[32];
  unsigned nadded;
} Sys;

static SysCpu *sys_state(Sys *s) { return emu_guest(s->cpu); }
static SoftTlb *sys_tlb(Sys *s) { return emu_cpu_extra(s->cpu); }

static void sys_map(Sys *s, unsigned vpage, uint64_t phys, uint8_t kperm, uint8_t uperm) {
  s->pt[vpage] = (Pte){true, phys, {kperm, uperm}};
}
static inline void sys_unmap(Sys *s, unsigned vpage) { s->pt[vpage] = (Pte){0}; }

/* The physical address of va for an access of kind acc (P_R, P_W, P_X). */
static bool sys_xlat(const Sys *s, unsigned mmu, uint64_t va, unsigned acc, uint64_t *pa) {
  if (va < VBASE || va >= VA(NVPAGES))
    return false;
  const Pte *p = &s->pt[(va - VBASE) / PAGE];
  if (!p->present || (p->perm[mmu] & acc) != acc)
    return false;
  *pa = p->phys + (va & (PAGE - 1));
  return true;
}

/* The device: reads give byte i of a register at offset o as (o + i) ^ 0x5a. */
static void mmio_access(Sys *s, uint64_t off, unsigned n, bool write, uint8_t *buf) {
  MmioRec *r = &s->mmio[s->nmmio++ % 32];
  *r = (MmioRec){off, n, write, {0}};
  if (write)
    memcpy(r->data, buf, n);
  else
    for (unsigned i = 0; i < n; i++)
      buf[i] = r->data[i] = (uint8_t)((off + i) ^ 0x5a);
}

/* A write to guest-physical [pa, pa + n): blocks holding code there go first. */
static void code_write(Sys *s, uint64_t pa, unsigned n) {
  for (uint64_t p = pa / PAGE; p <= (pa + n - 1) / PAGE; p++)
    if (p < NPPAGES && s->code_page[p]) {
      emu_engine_invalidate(s->e, PA(p), PA(p + 1));
      s->code_page[p] = false;
    }
}

static void phys_access(Sys *s, uint64_t pa, unsigned n, bool write, uint8_t *buf) {
  if (pa >= MMIO_BASE) {
    mmio_access(s, pa - MMIO_BASE, n, write, buf);
  } else if (write) {
    code_write(s, pa, n);
    memcpy(s->ram + pa, buf, n);
  } else {
    memcpy(buf, s->ram + pa, n);
  }
}

/* The whole access of size bytes at va (it may cross into the next page), or
 * false with nothing done: a fault at va. */
static bool sys_access(Sys *s, unsigned mmu, uint64_t va, unsigned size, bool write,
                       uint8_t *buf) {
  uint64_t split = (va | (PAGE - 1)) + 1, pa1, pa2 = 0;
  unsigned n1 = va + size > split ? (unsigned)(split - va) : size;
  unsigned acc = write ? P_W : P_R;
  if (!sys_xlat(s, mmu, va, acc, &pa1) || (n1 < size && !sys_xlat(s, mmu, split, acc, &pa2)))
    return false;
  phys_access(s, pa1, n1, write, buf);
  if (n1 < size)
    phys_access(s, pa2, size - n1, write, buf + n1);
  return true;
}

/* -- The softmmu slow paths (fast tier) ------------------------------------------- */

/* Refill the entry of va's page for MMU index mmu from the page table. */
static void tlb_fill(Sys *s, unsigned mmu, uint64_t va) {
  const Pte *p = &s->pt[(va - VBASE) / PAGE];
  uint64_t page = va & SOFTMMU_PAGE_MASK;
  bool io = p->phys >= MMIO_BASE;
  bool code = !io && s->code_page[p->phys / PAGE];
  SoftTlbEntry *t = softmmu_tlb_entry(sys_tlb(s), mmu, va);
  t->tag_read = page | (p->perm[mmu] & P_R ? 0 : SOFTMMU_TLB_INVALID) | (io ? SOFTMMU_TLB_IO : 0);
  t->tag_write = page | (p->perm[mmu] & P_W ? 0 : SOFTMMU_TLB_INVALID) |
                 (io || code ? SOFTMMU_TLB_IO : 0);
  t->addend = (uintptr_t)(io ? s->poison : s->ram + p->phys) - page;
  t->phys = p->phys;
}

/* A callee may change every caller-saved register; this one does, so that a
 * stub forgetting one shows. */
static void clobber_caller_saved(void) {
  __asm__ volatile("mov $0xdead0001, %%eax\n\tmov %%rax, %%rcx\n\tmov %%rax, %%rdx\n\t"
                   "mov %%rax, %%rsi\n\tmov %%rax, %%rdi\n\tmov %%rax, %%r8\n\t"
                   "mov %%rax, %%r9\n\tmov %%rax, %%r10\n\tmov %%rax, %%r11\n\t"
                   "pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\t"
                   "pcmpeqd %%xmm2, %%xmm2\n\tpcmpeqd %%xmm3, %%xmm3\n\t"
                   "pcmpeqd %%xmm4, %%xmm4\n\tpcmpeqd %%xmm5, %%xmm5\n\t"
                   "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\t"
                   "pcmpeqd %%xmm8, %%xmm8\n\tpcmpeqd %%xmm9, %%xmm9\n\t"
                   "pcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
                   "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\t"
                   "pcmpeqd %%xmm14, %%xmm14\n\tpcmpeqd %%xmm15, %%xmm15"
                   :
                   :
                   : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm0",
                     "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                     "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc");
}

static void slow_path(void *guest, uint64_t va, uint32_t info, uint8_t *buf, void *ret) {
  EmuCpu *cpu = emu_cpu_of_guest(guest);
  Sys *s = cpu->rt.runner;
  /* The stub must call with the ABI's stack alignment (rbp = entry rsp - 8). */
  if ((uintptr_t)__builtin_frame_address(0) & 15)
    s->bad_stack++;
  unsigned size = softmmu_info_size(info), mmu = softmmu_info_mmu(info);
  bool write = softmmu_info_write(info);
  s->last_info = info;
  s->last_va = va;
  s->last_pc = cpu->rt.mmu_pc;
  clobber_caller_saved();
  if (softmmu_info_atomic(info)) {
    uint64_t pa;
    s->slow_atomic++;
    /* Only RAM within one page can be made to pass the inline check. */
    if ((va & (PAGE - 1)) + size > PAGE || !sys_xlat(s, mmu, va, P_R | P_W, &pa) ||
        pa >= MMIO_BASE)
      emu_helper_fault(cpu, va, true, ret);
    code_write(s, pa, size);
    tlb_fill(s, mmu, va);
    return;
  }
  if (write)
    s->slow_store++;
  else
    s->slow_load++;
  if (!sys_access(s, mmu, va, size, write, buf))
    emu_helper_fault(cpu, va, write, ret);
  tlb_fill(s, mmu, va);
}

static void sys_slow_load(void *guest, uint64_t va, uint32_t info, void *out) {
  slow_path(guest, va, info, out, __builtin_return_address(0));
}
static void sys_slow_store(void *guest, uint64_t va, uint32_t info, const void *in) {
  uint8_t buf[16];
  memcpy(buf, in, softmmu_info_size(info));
  slow_path(guest, va, info, buf, __builtin_return_address(0));
}

/* The TLB sits in the cpu's extra area, right after the 64-byte aligned state. */
#define SYS_TLB_OFF ((int32_t)((sizeof(SysCpu) + 63) & ~(size_t)63))
static const SoftmmuOps sys_softmmu = {sys_slow_load, sys_slow_store, SYS_TLB_OFF};

/* -- The interpreter tier's memory ops: the same walk, every access ----------------- */

static int im_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  Sys *s = ctx;
  s->mem_calls++;
  return !sys_access(s, s->mode & 1, addr, size, false, out);
}
static int im_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  Sys *s = ctx;
  uint8_t buf[16];
  memcpy(buf, in, size);
  s->mem_calls++;
  return !sys_access(s, s->mode & 1, addr, size, true, buf);
}
static void *im_atomic_ptr(void *ctx, uint64_t addr, unsigned size) {
  Sys *s = ctx;
  uint64_t pa;
  s->mem_calls++;
  if ((addr & (PAGE - 1)) + size > PAGE || !sys_xlat(s, s->mode & 1, addr, P_R | P_W, &pa) ||
      pa >= MMIO_BASE)
    return NULL;
  code_write(s, pa, size);
  return s->ram + pa;
}

/* -- Code: fetch, keys, pages holding code ---------------------------------------------- */

static size_t sys_fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  Sys *s = ctx;
  size_t n = 0;
  uint64_t pa;
  for (; n < max && sys_xlat(s, s->mode & 1, pc + n, P_X, &pa) && pa < MMIO_BASE; n++)
    buf[n] = s->ram[pa];
  return n;
}

static bool sys_code_key(EmuCpu *cpu, uint64_t pc, uint64_t *phys, uint32_t *mode) {
  Sys *s = cpu->rt.runner;
  if (!sys_xlat(s, s->mode & 1, pc, P_X, phys) || *phys >= MMIO_BASE) {
    emu_cpu_raise(cpu, IR_EXC_fault, pc, false);
    return false;
  }
  *mode = s->mode;
  return true;
}

/* Code now lives in [lo, hi): writes there must take the slow path. */
static void sys_code_added(EmuCpu *cpu, uint64_t lo, uint64_t hi) {
  Sys *s = cpu->rt.runner;
  s->added[s->nadded % 32].lo = lo;
  s->added[s->nadded++ % 32].hi = hi;
  SoftTlb *t = emu_cpu_extra(cpu);
  for (uint64_t p = lo / PAGE; p <= (hi - 1) / PAGE && p < NPPAGES; p++) {
    s->code_page[p] = true;
    for (unsigned m = 0; m < SOFTMMU_MMU_MAX; m++)
      for (unsigned i = 0; i < SOFTMMU_TLB_SIZE; i++)
        if (!(t->e[m][i].tag_write & SOFTMMU_TLB_INVALID) && t->e[m][i].phys == PA(p))
          t->e[m][i].tag_write |= SOFTMMU_TLB_IO;
  }
}

/* -- The guest ISA and its frontend ------------------------------------------------------ */

typedef struct Insn {
  uint8_t op, a, b, c;
  uint32_t imm;
} Insn;

enum {
  I_MOVI = 1, /* r[a] = imm */
  I_ADDI,     /* r[a] += (int32)imm */
  I_GETPC,    /* r[a] = this instruction's (virtual) pc */
  I_GETMODE,  /* r[a] = the mode the block was translated for */
  I_LD,       /* r[a] = zext(load IrType c [r[b]]), IR_MEM_* flags imm */
  I_ST,       /* store IrType c [r[b]] = trunc(r[a]), IR_MEM_* flags imm */
  I_PROBE,    /* an access of IrType a, kind b (PROBE_*) at r15 among many live values */
  I_JMP,      /* exit pc + (int32)imm */
  I_JR,       /* exiti r[a] */
  I_DJNZ,     /* if (--r[a]) exit pc + (int32)imm, else go on */
  I_HALT,     /* syscall (emu_exec returns), resuming at pc + 8 */
};
/* PROBE kinds: load, store, cas, then armw of IrRmw k as PROBE_ARMW + k. */
enum { PROBE_LOAD, PROBE_STORE, PROBE_CAS, PROBE_ARMW };

static IrRef get_r(IrFunc *fn, unsigned r) { return ir_get(fn, S_R0 + r); }
static IrRef to_type(IrFunc *fn, IrType t, IrRef v64) {
  return t == IR_T_i64 ? v64 : ir_cast(fn, IR_OP_trunc, t, v64);
}
static IrRef to_i64(IrFunc *fn, IrRef v) {
  return ir_typeof(fn, v) == IR_T_i64 ? v : ir_cast(fn, IR_OP_zext, IR_T_i64, v);
}
static IrRef f64_const(IrFunc *fn, double d) {
  uint64_t b;
  memcpy(&b, &d, 8);
  return ir_const(fn, IR_T_f64, b);
}
static IrRef f32_const(IrFunc *fn, float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return ir_const(fn, IR_T_f32, b);
}

/* Probe constants (the oracle in the tests uses the same). */
#define PROBE_GK(i) (0x1111111ull * ((i) + 1))
#define PROBE_VK(k, lane) ((uint64_t)(k) + 1 + 100 * (uint64_t)(lane))
#define PROBE_DK(k) (0.5 * ((k) + 1))
#define PROBE_SK(k) (0.25f * ((k) + 1))
#define PROBE_NV 6 /* vector inputs */

/* The vector slots a probe reads and rewrites (v4 and v7 hold the access's
 * value). */
static const unsigned probe_vslot[PROBE_NV] = {0, 1, 2, 3, 5, 6};

/* 15 GPR and 21 XMM values live across one access, more than the host has
 * registers, so every allocatable one holds a value there; each is used after
 * it. */
static void probe_build(IrFunc *fn, IrType t, unsigned kind) {
  IrRef rm = ir_const(fn, IR_T_i8, IR_RM_NEAREST);
  IrRef A = get_r(fn, 15);
  IrRef g[7], G[7], V[PROBE_NV], W[PROBE_NV], D[2], E[2], S[2], T[2];
  for (unsigned i = 0; i < 7; i++) {
    g[i] = get_r(fn, i);
    G[i] = ir_op2(fn, IR_OP_add, g[i], ir_const(fn, IR_T_i64, PROBE_GK(i)));
  }
  for (unsigned k = 0; k < PROBE_NV; k++) {
    V[k] = ir_get(fn, S_V0 + probe_vslot[k]);
    W[k] = ir_op2(fn, IR_OP_add, V[k],
                  ir_vconst(fn, IR_T_v2i64, (IrV128){PROBE_VK(k, 0), PROBE_VK(k, 1)}));
  }
  for (unsigned k = 0; k < 2; k++) {
    D[k] = ir_get(fn, S_F0 + k);
    E[k] = ir_op3(fn, IR_OP_fadd, D[k], f64_const(fn, PROBE_DK(k)), rm);
    S[k] = ir_get(fn, S_S0 + k);
    T[k] = ir_op3(fn, IR_OP_fadd, S[k], f32_const(fn, PROBE_SK(k)), rm);
  }
  /* Defined last, with no constant to load: it takes the register a dead
   * constant left (the last one the allocator hands out). */
  IrRef Z = ir_op2(fn, IR_OP_add, W[0], W[1]);
  if (kind == PROBE_LOAD) {
    IrRef L = ir_load(fn, t, A, 0);
    if (ir_type_is_int(t))
      ir_set(fn, S_R0 + 8, to_i64(fn, L));
    else
      ir_set(fn, t == IR_T_f32 ? S_S0 + 3 : t == IR_T_f64 ? S_F0 + 3 : S_V0 + 7, L);
  } else if (kind == PROBE_STORE) {
    IrRef X = ir_type_is_int(t) ? to_type(fn, t, get_r(fn, 8))
              : t == IR_T_f32   ? ir_get(fn, S_S0 + 2)
              : t == IR_T_f64   ? ir_get(fn, S_F0 + 2)
                                : ir_get(fn, S_V0 + 4);
    ir_store(fn, A, X, 0);
  } else if (kind == PROBE_CAS) {
    IrRef args[3] = {A, to_type(fn, t, get_r(fn, 8)), to_type(fn, t, get_r(fn, 9))};
    ir_set(fn, S_R0 + 10, to_i64(fn, ir_emit(fn, IR_OP_cas, t, 3, args, 0, 0)));
  } else {
    IrRef args[2] = {A, to_type(fn, t, get_r(fn, 8))};
    ir_set(fn, S_R0 + 10,
           to_i64(fn, ir_emit(fn, IR_OP_armw, t, 2, args, kind - PROBE_ARMW, 0)));
  }
  for (unsigned i = 0; i < 7; i++)
    ir_set(fn, S_R0 + i,
           ir_op2(fn, IR_OP_add, ir_op2(fn, IR_OP_mul, g[i], ir_const(fn, IR_T_i64, 3)),
                  G[(i + 1) % 7]));
  for (unsigned k = 0; k < PROBE_NV; k++) {
    IrRef x = ir_op2(fn, IR_OP_xor, V[k], W[(k + 1) % PROBE_NV]);
    ir_set(fn, S_V0 + probe_vslot[k], k ? x : ir_op2(fn, IR_OP_xor, x, Z));
  }
  for (unsigned k = 0; k < 2; k++) {
    ir_set(fn, S_F0 + k, ir_op3(fn, IR_OP_fadd, D[k], E[(k + 1) % 2], rm));
    ir_set(fn, S_S0 + k, ir_op3(fn, IR_OP_fadd, S[k], T[(k + 1) % 2], rm));
  }
}

/* One instruction's IR; true if it ended the block. */
static bool fe_insn(IrFunc *fn, uint64_t pc, const Insn *in, uint32_t mode) {
  IrRef one = ir_const(fn, IR_T_i64, 1);
  switch (in->op) {
  case I_MOVI: ir_set(fn, S_R0 + in->a, ir_const(fn, IR_T_i64, in->imm)); return false;
  case I_ADDI:
    ir_set(fn, S_R0 + in->a, ir_op2(fn, IR_OP_add, get_r(fn, in->a),
                                    ir_const(fn, IR_T_i64, (uint64_t)(int64_t)(int32_t)in->imm)));
    return false;
  case I_GETPC: ir_set(fn, S_R0 + in->a, ir_const(fn, IR_T_i64, pc)); return false;
  case I_GETMODE: ir_set(fn, S_R0 + in->a, ir_const(fn, IR_T_i64, mode)); return false;
  case I_LD:
    ir_set(fn, S_R0 + in->a, to_i64(fn, ir_load(fn, (IrType)in->c, get_r(fn, in->b), in->imm)));
    return false;
  case I_ST:
    ir_store(fn, get_r(fn, in->b), to_type(fn, (IrType)in->c, get_r(fn, in->a)), in->imm);
    return false;
  case I_PROBE: probe_build(fn, (IrType)in->a, in->b); return false;
  case I_JMP: ir_exit(fn, pc + (uint64_t)(int64_t)(int32_t)in->imm); return true;
  case I_JR: ir_exiti(fn, get_r(fn, in->a)); return true;
  case I_DJNZ: {
    IrRef n = ir_op2(fn, IR_OP_sub, get_r(fn, in->a), one);
    ir_set(fn, S_R0 + in->a, n);
    uint32_t taken = ir_block_new(fn), next = ir_block_new(fn);
    ir_br(fn, ir_cmp(fn, IR_PRED_ne, n, ir_const(fn, IR_T_i64, 0)), taken, next);
    ir_block_set(fn, taken);
    ir_exit(fn, pc + (uint64_t)(int64_t)(int32_t)in->imm);
    ir_block_set(fn, next);
    ir_exit(fn, pc + 8);
    return true;
  }
  case I_HALT: ir_syscall(fn, pc + 8); return true;
  default: ir_raise(fn, IR_EXC_undef, ir_const(fn, IR_T_i64, IR_UNDEF_INVALID)); return true;
  }
}

/* Up to 8 instructions, ending at a jump or at the end of the first page (the
 * last instruction may reach into the next one). */
static void fe_translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *f, IrBlockInfo *info) {
  uint64_t start = pc;
  uint32_t n = 0;
  bool ended = false;
  ir_block_set(fn, ir_block_new(fn));
  fn->entry = pc; /* as real frontends: the backend compares exits' pages with it */
  fn->mmu_idx = f->mode & 1;
  while (!ended && n < 8 && pc / PAGE == start / PAGE) {
    Insn in;
    if (f->fetch(f->ctx, pc, (uint8_t *)&in, sizeof in) < sizeof in) {
      if (n == 0) { /* the instruction's tail is not executable */
        ir_insn(fn, pc, 8);
        ir_raise(fn, IR_EXC_fault, ir_const(fn, IR_T_i64, pc));
        ended = true;
      }
      break;
    }
    ir_insn(fn, pc, 8);
    ended = fe_insn(fn, pc, &in, f->mode);
    pc += 8;
    n++;
  }
  ir_frontend_end(fn, ended, start, pc, n, info);
}

static const IrFrontend sys_frontend = {.name = "sysfake", .rf = &sys_regfile, .pc_slot = S_PC,
                                        .max_insn_bytes = 8, .translate = fe_translate};

/* -- Set-up and running ------------------------------------------------------------------ */

static Sys *sys_new(EmuTier tier) {
  Sys *s = calloc(1, sizeof *s);
  if (!s)
    abort();
  s->tier = tier;
  s->ram = aligned_alloc(PAGE, NPPAGES * PAGE);
  s->poison = aligned_alloc(PAGE, PAGE);
  if (!s->ram || !s->poison)
    abort();
  memset(s->ram, 0, NPPAGES * PAGE);
  memset(s->poison, 0xee, PAGE);
  EmuEngineConfig cfg = {
      .frontend = &sys_frontend,
      .tier = tier,
      .fetch = {.ctx = s, .fetch = sys_fetch},
      .mem = {.ctx = s, .load = im_load, .store = im_store, .atomic_ptr = im_atomic_ptr},
      .passes = {.precise_classes = IR_PRECISE_ALL},
      .code_cache_size = 16u << 20,
      .softmmu = &sys_softmmu,
      .code_key = sys_code_key,
      .code_added = sys_code_added,
      .cpu_extra = sizeof(SoftTlb),
  };
  s->e = emu_engine_new(&cfg);
  if (!s->e)
    abort();
  s->cpu = emu_cpu_new(s->e, s);
  if (!s->cpu || (char *)emu_cpu_extra(s->cpu) != (char *)emu_guest(s->cpu) + SYS_TLB_OFF)
    abort();
  softmmu_tlb_flush(sys_tlb(s)); /* zeroed entries would hit page 0 */
  return s;
}

static void sys_free(Sys *s) {
  emu_cpu_free(s->cpu);
  emu_engine_free(s->e);
  free(s->ram);
  free(s->poison);
  free(s);
}

static void sys_set_mode(Sys *s, uint32_t mode) {
  s->mode = mode;
  emu_cpu_set_mode(s->cpu, mode);
}

/* Write instructions at guest-physical pa. */
static inline void sys_code(Sys *s, uint64_t pa, const Insn *code, size_t n) {
  memcpy(s->ram + pa, code, n * sizeof *code);
}

static void sys_counts_reset(Sys *s) {
  s->slow_load = s->slow_store = s->slow_atomic = s->mem_calls = 0;
  s->nmmio = 0;
}

/* Run from pc until the guest halts or faults (interrupt exits go on). */
static EmuExit sys_run(Sys *s, uint64_t pc) {
  emu_cpu_set_pc(s->cpu, pc);
  EmuExit x;
  do
    x = emu_exec(s->cpu);
  while (x.reason == EMU_EXIT_INTERRUPT);
  return x;
}

#endif
