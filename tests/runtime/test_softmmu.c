/* test_softmmu.c — system mode's guest data accesses under emu_exec, in the
 * fast tier (backend_fast's inline TLB lookup and its out-of-line slow-path
 * stub) and the interpreter tier (the runner's IrMemOps), against the fake
 * machine of sys_fake.h: every IR memory type hits and misses with exact
 * values while 36 values of both register classes stay live around the
 * access, page-crossing and MMIO accesses always take the slow path, a fault
 * in the slow path is precise (IR_MEM_ALIGN faults come before the lookup),
 * atomics retry after a miss, and a block translated for MMU index 1 reads
 * the second TLB table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sys_fake.h"

/* The machine's layout for these tests (virtual page -> physical page). */
enum {
  V_CODE = 0,   /* -> 1, kernel and user RX: the probes */
  V_CODE2 = 1,  /* -> 2, kernel and user RX: the fault and mmu programs */
  V_DATA = 4,   /* -> 5, RW */
  V_DATA2 = 5,  /* -> 6, RW */
  V_CROSS = 8,  /* -> 9, RW; V_CROSS + 1 -> 12 (not contiguous) */
  V_MMIO = 16,  /* -> MMIO_BASE, RW */
  V_RO = 20,    /* -> 21, R */
  V_NONE = 24,  /* unmapped */
  V_KONLY = 28, /* -> 29, kernel RW, user nothing */
};

static Sys *machine(EmuTier tier) {
  Sys *s = sys_new(tier);
  sys_map(s, V_CODE, PA(1), P_RX, P_RX);
  sys_map(s, V_CODE2, PA(2), P_RX, P_RX);
  sys_map(s, V_DATA, PA(5), P_RW, P_RW);
  sys_map(s, V_DATA2, PA(6), P_RW, P_RW);
  sys_map(s, V_CROSS, PA(9), P_RW, P_RW);
  sys_map(s, V_CROSS + 1, PA(12), P_RW, P_RW);
  sys_map(s, V_MMIO, MMIO_BASE, P_RW, P_RW);
  sys_map(s, V_RO, PA(21), P_R, P_R);
  sys_map(s, V_KONLY, PA(29), P_RW, 0);
  return s;
}

static EmuTier tier_of(void **state) { return *(const EmuTier *)*state; }

static const IrType mem_types[] = {IR_T_i8, IR_T_i16, IR_T_i32, IR_T_i64,
                                   IR_T_f32, IR_T_f64, IR_T_v2i64};
#define NTYPES (sizeof mem_types / sizeof mem_types[0])
static unsigned type_bytes(IrType t) { return ir_type_info[t].bytes; }

/* -- The probe: inputs, the oracle for every live value, the access's value ----- */

/* A probe block (the access, then a halt) at code slot n of V_CODE. */
static uint64_t probe_at(Sys *s, unsigned n, IrType t, unsigned kind) {
  Insn code[2] = {{I_PROBE, (uint8_t)t, (uint8_t)kind, 0, 0}, {I_HALT, 0, 0, 0, 0}};
  sys_code(s, PA(1) + 16 * n, code, 2);
  return VA(V_CODE) + 16 * n;
}

static void probe_inputs(SysCpu *c, uint64_t addr) {
  memset(c, 0, sizeof *c);
  for (unsigned i = 0; i < 16; i++)
    c->r[i] = (0x0123456789abcdefull * (i + 1)) ^ ((uint64_t)i << 56);
  for (unsigned k = 0; k < 8; k++) {
    c->v[k][0] = 0xfedcba9876543210ull + k;
    c->v[k][1] = 0x1000ull * k + 7;
  }
  for (unsigned k = 0; k < 4; k++) {
    c->f[k] = 1.5 + k;
    c->s[k] = 2.25f + (float)k;
  }
  c->r[15] = addr;
}

/* Every value that was live across the access, as the probe combines them. */
static void probe_check(const SysCpu *in, const SysCpu *out) {
  for (unsigned i = 0; i < 7; i++) {
    unsigned j = (i + 1) % 7;
    assert_int_equal(out->r[i], in->r[i] * 3 + in->r[j] + PROBE_GK(j));
  }
  for (unsigned k = 0; k < PROBE_NV; k++) {
    unsigned j = (k + 1) % PROBE_NV, vk = probe_vslot[k], vj = probe_vslot[j];
    for (unsigned l = 0; l < 2; l++) {
      uint64_t z = in->v[0][l] + PROBE_VK(0, l) + in->v[1][l] + PROBE_VK(1, l);
      assert_int_equal(out->v[vk][l],
                       in->v[vk][l] ^ (in->v[vj][l] + PROBE_VK(j, l)) ^ (k ? 0 : z));
    }
  }
  for (unsigned k = 0; k < 2; k++) {
    double d = in->f[k] + (in->f[(k + 1) % 2] + PROBE_DK((k + 1) % 2));
    float f = in->s[k] + (in->s[(k + 1) % 2] + PROBE_SK((k + 1) % 2));
    assert_memory_equal(&out->f[k], &d, 8);
    assert_memory_equal(&out->s[k], &f, 4);
  }
}

/* Where a load's value lands and a store's value comes from. */
static const void *probe_loaded(const SysCpu *c, IrType t) {
  return ir_type_is_int(t) ? (const void *)&c->r[8]
         : t == IR_T_f32   ? (const void *)&c->s[3]
         : t == IR_T_f64   ? (const void *)&c->f[3]
                           : (const void *)c->v[7];
}
static const void *probe_stored(const SysCpu *c, IrType t) {
  return ir_type_is_int(t) ? (const void *)&c->r[8]
         : t == IR_T_f32   ? (const void *)&c->s[2]
         : t == IR_T_f64   ? (const void *)&c->f[2]
                           : (const void *)c->v[4];
}

/* The loaded value equals size bytes of want (integers zero-extended). */
static void check_loaded(const SysCpu *c, IrType t, const uint8_t *want) {
  const uint8_t *got = probe_loaded(c, t);
  assert_memory_equal(got, want, type_bytes(t));
  if (ir_type_is_int(t))
    for (unsigned i = type_bytes(t); i < 8; i++)
      assert_int_equal(got[i], 0);
}

static void fill_pattern(uint8_t *p, unsigned n, unsigned seed) {
  for (unsigned i = 0; i < n; i++)
    p[i] = (uint8_t)(seed * 29 + i * 7 + 1);
}

/* Run a probe from fresh inputs at addr; it must halt with every live value
 * intact. Returns the state's input copy in *in. */
static void run_probe(Sys *s, uint64_t pc, uint64_t addr, SysCpu *in) {
  probe_inputs(sys_state(s), addr);
  *in = *sys_state(s);
  sys_counts_reset(s);
  EmuExit x = sys_run(s, pc);
  assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
  assert_int_equal(emu_cpu_pc(s->cpu), pc + 16);
  probe_check(in, sys_state(s));
}

/* The slow path ran `calls` times this run (fast tier); the interpreter
 * calls the runner's memory ops once per access whatever happened before. */
static void check_slow(Sys *s, unsigned loads, unsigned stores) {
  if (s->tier == EMU_TIER_INTERP) {
    assert_int_equal(s->mem_calls, 1);
    return;
  }
  assert_int_equal(s->slow_load, loads);
  assert_int_equal(s->slow_store, stores);
  assert_int_equal(s->slow_atomic, 0);
}

/* -- Hits and misses of every type ------------------------------------------------------ */

static void test_load_hit_miss(void **state) {
  Sys *s = machine(tier_of(state));
  for (unsigned i = 0; i < NTYPES; i++) {
    IrType t = mem_types[i];
    uint64_t pc = probe_at(s, i, t, PROBE_LOAD);
    uint64_t off = 0x123 + 0x40 * i; /* misaligned, inside the page */
    uint8_t want[16];
    fill_pattern(want, 16, i);
    memcpy(s->ram + PA(5) + off, want, 16);
    softmmu_tlb_flush(sys_tlb(s));
    for (int run = 0; run < 3; run++) {
      SysCpu in;
      run_probe(s, pc, VA(V_DATA) + off, &in);
      check_loaded(sys_state(s), t, want);
      check_slow(s, run == 0, 0); /* a miss, then hits */
      if (s->tier == EMU_TIER_FAST && run == 0) {
        assert_int_equal(s->last_info, SOFTMMU_INFO(type_bytes(t), 0, 0));
        assert_int_equal(s->last_pc, pc);
        assert_int_equal(s->last_va, VA(V_DATA) + off);
        const SoftTlbEntry *e = softmmu_tlb_entry(sys_tlb(s), 0, VA(V_DATA));
        assert_int_equal(e->tag_read, VA(V_DATA));
      }
    }
  }
  assert_int_equal(s->bad_stack, 0);
  sys_free(s);
}

static void test_store_hit_miss(void **state) {
  Sys *s = machine(tier_of(state));
  for (unsigned i = 0; i < NTYPES; i++) {
    IrType t = mem_types[i];
    unsigned n = type_bytes(t);
    uint64_t pc = probe_at(s, i, t, PROBE_STORE);
    uint64_t off = 0x321 + 0x40 * i;
    uint8_t *mem = s->ram + PA(5) + off;
    softmmu_tlb_flush(sys_tlb(s));
    for (int run = 0; run < 3; run++) {
      memset(mem - 1, 0xcc, n + 2);
      SysCpu in;
      run_probe(s, pc, VA(V_DATA) + off, &in);
      assert_memory_equal(mem, probe_stored(&in, t), n);
      assert_int_equal(mem[-1], 0xcc);
      assert_int_equal(mem[n], 0xcc);
      check_slow(s, 0, run == 0);
      if (s->tier == EMU_TIER_FAST && run == 0) {
        assert_int_equal(s->last_info, SOFTMMU_INFO(n, 0, 1));
        assert_int_equal(s->last_pc, pc);
      }
    }
  }
  assert_int_equal(s->bad_stack, 0);
  sys_free(s);
}

/* -- Accesses that always take the slow path -------------------------------------------- */

/* The access's first half at the end of V_CROSS (physical page 9), the rest
 * at the start of V_CROSS + 1 (physical page 12). */
static void test_page_crossing(void **state) {
  Sys *s = machine(tier_of(state));
  for (unsigned i = 1; i < NTYPES; i++) { /* every type wider than a byte */
    IrType t = mem_types[i];
    unsigned n = type_bytes(t), lo = n / 2;
    uint64_t va = VA(V_CROSS + 1) - lo;
    uint8_t *p1 = s->ram + PA(10) - lo, *p2 = s->ram + PA(12);
    uint64_t pcl = probe_at(s, 2 * i, t, PROBE_LOAD), pcs = probe_at(s, 2 * i + 1, t, PROBE_STORE);
    softmmu_tlb_flush(sys_tlb(s));
    for (int run = 0; run < 2; run++) {
      uint8_t want[16];
      fill_pattern(want, n, 10 * i + run);
      memcpy(p1, want, lo);
      memcpy(p2, want + lo, n - lo);
      SysCpu in;
      run_probe(s, pcl, va, &in);
      check_loaded(sys_state(s), t, want);
      check_slow(s, 1, 0);
      /* The first page's entry is valid: only the crossing sent it slow. */
      if (s->tier == EMU_TIER_FAST)
        assert_int_equal(softmmu_tlb_entry(sys_tlb(s), 0, va)->tag_read, VA(V_CROSS));
      memset(p1, 0, lo);
      memset(p2, 0, n - lo);
      run_probe(s, pcs, va, &in);
      const uint8_t *v = probe_stored(&in, t);
      assert_memory_equal(p1, v, lo);
      assert_memory_equal(p2, v + lo, n - lo);
      check_slow(s, 0, 1);
    }
  }
  assert_int_equal(s->bad_stack, 0);
  sys_free(s);
}

/* MMIO: the entry is there, tagged SOFTMMU_TLB_IO, its addend pointing at
 * poison; every access must reach the device with its size and value. */
static void test_mmio(void **state) {
  Sys *s = machine(tier_of(state));
  for (unsigned i = 0; i < NTYPES; i++) {
    IrType t = mem_types[i];
    unsigned n = type_bytes(t);
    uint64_t off = 0x10 + 0x20 * i, va = VA(V_MMIO) + off;
    uint64_t pcl = probe_at(s, 2 * i, t, PROBE_LOAD), pcs = probe_at(s, 2 * i + 1, t, PROBE_STORE);
    tlb_fill(s, 0, va);
    for (int run = 0; run < 2; run++) {
      SysCpu in;
      run_probe(s, pcl, va, &in);
      assert_int_equal(s->nmmio, 1);
      assert_int_equal(s->mmio[0].off, off);
      assert_int_equal(s->mmio[0].size, n);
      assert_false(s->mmio[0].write);
      check_loaded(sys_state(s), t, s->mmio[0].data);
      check_slow(s, 1, 0);
      run_probe(s, pcs, va, &in);
      assert_int_equal(s->nmmio, 1);
      assert_int_equal(s->mmio[0].off, off);
      assert_int_equal(s->mmio[0].size, n);
      assert_true(s->mmio[0].write);
      assert_memory_equal(s->mmio[0].data, probe_stored(&in, t), n);
      check_slow(s, 0, 1);
    }
  }
  for (unsigned i = 0; i < PAGE; i++)
    assert_int_equal(s->poison[i], 0xee);
  sys_free(s);
}

/* -- Faults ------------------------------------------------------------------------------ */

/* r1 and r2 are written, then the access at +16 (or +24) faults: emu_exec
 * returns the fault with that instruction's pc and the earlier writes done,
 * nothing after. */
static void test_fault_is_precise(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t pc = VA(V_CODE2);
  const Insn code[] = {
      {I_MOVI, 1, 0, 0, 0x111},       {I_MOVI, 2, 0, 0, 0x222},
      {I_LD, 3, 4, IR_T_i32, 0},      {I_ST, 5, 4, IR_T_i16, 0},
      {I_MOVI, 1, 0, 0, 0x333},       {I_HALT, 0, 0, 0, 0},
  };
  sys_code(s, PA(2), code, sizeof code / sizeof code[0]);
  SysCpu *c = sys_state(s);

  /* A load from an unmapped page. */
  memset(c, 0, sizeof *c);
  c->r[3] = 0x77;
  c->r[4] = VA(V_NONE) + 0x10;
  EmuExit x = sys_run(s, pc);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, VA(V_NONE) + 0x10);
  assert_false(x.is_write);
  assert_int_equal(emu_cpu_pc(s->cpu), pc + 16);
  assert_int_equal(c->r[1], 0x111);
  assert_int_equal(c->r[2], 0x222);
  assert_int_equal(c->r[3], 0x77);

  /* The runner maps the page and resumes at the faulting instruction. */
  sys_map(s, V_NONE, PA(25), P_RW, P_RW);
  memcpy(s->ram + PA(25) + 0x10, &(uint32_t){0xdeadbeef}, 4);
  c->r[5] = 0x4242;
  x = emu_exec(s->cpu);
  assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
  assert_int_equal(c->r[3], 0xdeadbeef);
  assert_int_equal(c->r[1], 0x333);
  assert_int_equal(s->ram[PA(25) + 0x10], 0x42);
  sys_unmap(s, V_NONE);

  /* Read-only: the load hits (and fills the entry), the store faults. */
  memset(c, 0, sizeof *c);
  c->r[4] = VA(V_RO) + 0x20;
  c->r[5] = 0x5555;
  memcpy(s->ram + PA(21) + 0x20, &(uint32_t){0x12345678}, 4);
  softmmu_tlb_flush(sys_tlb(s));
  x = sys_run(s, pc);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, VA(V_RO) + 0x20);
  assert_true(x.is_write);
  assert_int_equal(emu_cpu_pc(s->cpu), pc + 24);
  assert_int_equal(c->r[3], 0x12345678);
  assert_int_equal(c->r[1], 0x111);
  assert_int_equal(s->ram[PA(21) + 0x20], 0x78);
  if (s->tier == EMU_TIER_FAST) {
    assert_int_equal(s->last_pc, pc + 24);
    assert_int_equal(softmmu_tlb_entry(sys_tlb(s), 0, VA(V_RO))->tag_read, VA(V_RO));
  }

  /* A probe faulting with everything live: no later write happened. */
  uint64_t probe = probe_at(s, 0, IR_T_v2i64, PROBE_LOAD);
  probe_inputs(c, VA(V_NONE) + 0x40);
  SysCpu in;
  memcpy(&in, c, sizeof in);
  x = sys_run(s, probe);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, VA(V_NONE) + 0x40);
  assert_int_equal(emu_cpu_pc(s->cpu), probe);
  in.pc = c->pc;
  assert_memory_equal(c, &in, sizeof in);
  sys_free(s);
}

/* IR_MEM_ALIGN: a misaligned access faults before any lookup, an aligned one
 * goes on as usual. */
static void test_misaligned_faults(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t pc = VA(V_CODE2);
  const Insn code[] = {{I_LD, 3, 4, IR_T_i32, IR_MEM_ALIGN}, {I_ST, 3, 5, IR_T_i64, IR_MEM_ALIGN},
                       {I_HALT, 0, 0, 0, 0}};
  sys_code(s, PA(2), code, sizeof code / sizeof code[0]);
  memcpy(s->ram + PA(5) + 0x40, &(uint32_t){0xabcd}, 4);
  SysCpu *c = sys_state(s);
  c->r[4] = VA(V_DATA) + 0x42;
  c->r[5] = VA(V_DATA) + 0x80;
  sys_counts_reset(s);
  EmuExit x = sys_run(s, pc);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, VA(V_DATA) + 0x42);
  assert_false(x.is_write);
  assert_int_equal(emu_cpu_pc(s->cpu), pc);
  assert_int_equal(s->slow_load + s->mem_calls, 0);
  c->r[4] = VA(V_DATA) + 0x40;
  c->r[5] = VA(V_DATA) + 0x84;
  x = sys_run(s, pc);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.addr, VA(V_DATA) + 0x84);
  assert_true(x.is_write);
  assert_int_equal(emu_cpu_pc(s->cpu), pc + 8);
  assert_int_equal(c->r[3], 0xabcd);
  c->r[5] = VA(V_DATA) + 0x88;
  assert_int_equal(sys_run(s, pc).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(s->ram[PA(5) + 0x88], 0xcd);
  sys_free(s);
}

/* -- Atomics ------------------------------------------------------------------------------ */

typedef struct AtomicCase {
  IrType t;
  unsigned kind;
  uint64_t mem, op1, op2; /* op2: cas's new value */
  uint64_t old, after;
} AtomicCase;

static const AtomicCase atomic_cases[] = {
    {IR_T_i32, PROBE_CAS, 5, 5, 9, 5, 9},
    {IR_T_i64, PROBE_CAS, 0x8000000000000005ull, 6, 9, 0x8000000000000005ull, 0x8000000000000005ull},
    {IR_T_i8, PROBE_CAS, 0xfe, 0xfe, 0x01, 0xfe, 0x01},
    {IR_T_i16, PROBE_CAS, 0xbeef, 0xbeef, 0x1234, 0xbeef, 0x1234},
    {IR_T_i64, PROBE_ARMW + IR_RMW_xchg, 0x1122334455667788ull, 0xaabb, 0, 0x1122334455667788ull, 0xaabb},
    {IR_T_i8, PROBE_ARMW + IR_RMW_xchg, 0x11, 0x99, 0, 0x11, 0x99},
    {IR_T_i32, PROBE_ARMW + IR_RMW_add, 0xfffffff0, 0x20, 0, 0xfffffff0, 0x10},
    {IR_T_i16, PROBE_ARMW + IR_RMW_add, 0x7fff, 1, 0, 0x7fff, 0x8000},
    {IR_T_i64, PROBE_ARMW + IR_RMW_or, 0xf0, 0x0f, 0, 0xf0, 0xff},
    {IR_T_i32, PROBE_ARMW + IR_RMW_and, 0xff00ff00, 0x0ff00ff0, 0, 0xff00ff00, 0x0f000f00},
    {IR_T_i32, PROBE_ARMW + IR_RMW_smax, 0xfffffffb, 3, 0, 0xfffffffb, 3},
    {IR_T_i8, PROBE_ARMW + IR_RMW_smax, 0x80, 0x7f, 0, 0x80, 0x7f},
    {IR_T_i16, PROBE_ARMW + IR_RMW_umin, 0x8000, 0x10, 0, 0x8000, 0x10},
    {IR_T_i64, PROBE_ARMW + IR_RMW_xor, 0xff, 0x0f, 0, 0xff, 0xf0},
};

/* On a miss the slow path only readies the entry (SOFTMMU_INFO_ATOMIC); the
 * access retries and is done inline. The next run hits. */
static void test_atomics_retry(void **state) {
  Sys *s = machine(tier_of(state));
  for (unsigned i = 0; i < sizeof atomic_cases / sizeof atomic_cases[0]; i++) {
    const AtomicCase *a = &atomic_cases[i];
    unsigned n = type_bytes(a->t);
    uint64_t pc = probe_at(s, i, a->t, a->kind);
    uint64_t off = 0x800 + 16 * i;
    uint8_t *mem = s->ram + PA(6) + off;
    softmmu_tlb_flush(sys_tlb(s));
    for (int run = 0; run < 2; run++) {
      memset(mem, 0xcc, 16);
      memcpy(mem, &a->mem, n);
      probe_inputs(sys_state(s), VA(V_DATA2) + off);
      sys_state(s)->r[8] = a->op1;
      sys_state(s)->r[9] = a->op2;
      SysCpu in = *sys_state(s);
      sys_counts_reset(s);
      EmuExit x = sys_run(s, pc);
      assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
      probe_check(&in, sys_state(s));
      assert_int_equal(sys_state(s)->r[10], a->old);
      assert_memory_equal(mem, &a->after, n);
      assert_int_equal(mem[n], 0xcc);
      if (s->tier == EMU_TIER_INTERP) {
        assert_int_equal(s->mem_calls, 1);
        continue;
      }
      assert_int_equal(s->slow_atomic, run == 0);
      assert_int_equal(s->slow_load + s->slow_store, 0);
      if (run == 0) {
        assert_int_equal(s->last_info, SOFTMMU_INFO(n, 0, 1) | SOFTMMU_INFO_ATOMIC);
        assert_int_equal(s->last_pc, pc);
      }
    }
  }
  /* An atomic on a read-only page is a write fault. */
  uint64_t pc = probe_at(s, 20, IR_T_i32, PROBE_ARMW + IR_RMW_add);
  probe_inputs(sys_state(s), VA(V_RO) + 0x40);
  EmuExit x = sys_run(s, pc);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, VA(V_RO) + 0x40);
  assert_true(x.is_write);
  assert_int_equal(emu_cpu_pc(s->cpu), pc);
  assert_int_equal(s->bad_stack, 0);
  sys_free(s);
}

/* -- MMU indexes -------------------------------------------------------------------------- */

/* A block translated in user mode (mmu_idx 1) reads TLB table 1, a kernel
 * one table 0: each table's entry for the page points at a different
 * physical page, so the value says which table was used. */
static void test_mmu_index_tables(void **state) {
  Sys *s = machine(EMU_TIER_FAST);
  const Insn code[] = {{I_LD, 3, 4, IR_T_i64, 0}, {I_HALT, 0, 0, 0, 0}};
  sys_code(s, PA(2), code, 2);
  const uint64_t va = VA(V_DATA2) + 0x10;
  memcpy(s->ram + PA(6) + 0x10, &(uint64_t){0x6666}, 8);
  memcpy(s->ram + PA(7) + 0x10, &(uint64_t){0x7777}, 8);
  memcpy(s->ram + PA(8) + 0x10, &(uint64_t){0x8888}, 8);
  SoftTlb *t = sys_tlb(s);
  *softmmu_tlb_entry(t, 1, va) =
      (SoftTlbEntry){VA(V_DATA2), VA(V_DATA2), (uintptr_t)(s->ram + PA(7)) - VA(V_DATA2), PA(7)};
  *softmmu_tlb_entry(t, 0, va) =
      (SoftTlbEntry){VA(V_DATA2), VA(V_DATA2), (uintptr_t)(s->ram + PA(8)) - VA(V_DATA2), PA(8)};
  SysCpu *c = sys_state(s);
  c->r[4] = va;
  sys_set_mode(s, MODE_USER);
  sys_counts_reset(s);
  assert_int_equal(sys_run(s, VA(V_CODE2)).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(c->r[3], 0x7777);
  sys_set_mode(s, MODE_KERNEL);
  assert_int_equal(sys_run(s, VA(V_CODE2)).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(c->r[3], 0x8888);
  assert_int_equal(s->slow_load, 0);

  /* A user-mode miss: the slow path is told MMU index 1 and fills table 1. */
  softmmu_tlb_flush(t);
  sys_set_mode(s, MODE_USER);
  assert_int_equal(sys_run(s, VA(V_CODE2)).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(c->r[3], 0x6666);
  assert_int_equal(s->slow_load, 1);
  assert_int_equal(s->last_info, SOFTMMU_INFO(8, 1, 0));
  assert_int_equal(softmmu_tlb_entry(t, 1, va)->tag_read, VA(V_DATA2));
  assert_int_equal(softmmu_tlb_entry(t, 0, va)->tag_read, ~0ull);
  sys_free(s);
}

/* Permissions per MMU index: a kernel-only page faults for user code only. */
static void test_user_cannot_read_kernel_page(void **state) {
  Sys *s = machine(tier_of(state));
  const Insn code[] = {{I_LD, 3, 4, IR_T_i32, 0}, {I_HALT, 0, 0, 0, 0}};
  sys_code(s, PA(2), code, 2);
  memcpy(s->ram + PA(29) + 0x30, &(uint32_t){0xc0ffee}, 4);
  SysCpu *c = sys_state(s);
  c->r[4] = VA(V_KONLY) + 0x30;
  assert_int_equal(sys_run(s, VA(V_CODE2)).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(c->r[3], 0xc0ffee);
  c->r[3] = 0;
  sys_set_mode(s, MODE_USER);
  EmuExit x = sys_run(s, VA(V_CODE2));
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, VA(V_KONLY) + 0x30);
  assert_int_equal(emu_cpu_pc(s->cpu), VA(V_CODE2));
  assert_int_equal(c->r[3], 0);
  sys_free(s);
}

static const EmuTier fast = EMU_TIER_FAST, interp = EMU_TIER_INTERP;
#define BOTH_TIERS(fn)                                                                    \
  {#fn " (fast)", fn, NULL, NULL, (void *)&fast}, {#fn " (interp)", fn, NULL, NULL, (void *)&interp}

int main(void) {
  const struct CMUnitTest tests[] = {
      BOTH_TIERS(test_load_hit_miss),
      BOTH_TIERS(test_store_hit_miss),
      BOTH_TIERS(test_page_crossing),
      BOTH_TIERS(test_mmio),
      BOTH_TIERS(test_fault_is_precise),
      BOTH_TIERS(test_misaligned_faults),
      BOTH_TIERS(test_atomics_retry),
      cmocka_unit_test(test_mmu_index_tables),
      BOTH_TIERS(test_user_cannot_read_kernel_page),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
