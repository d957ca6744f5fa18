/* test_softmmu_code.c — system mode's code side under emu_exec, in the fast
 * and interpreter tiers, on the fake machine of sys_fake.h: blocks are keyed
 * by guest-physical pc, virtual pc and mode (one virtual pc over two physical
 * pages, one physical page at two virtual addresses, two modes with their own
 * indirect-branch caches), a faulting instruction fetch comes back as the
 * runner's exception, invalidating a physical range (from outside, or by a
 * guest write to a code page through the slow path) runs the new code, a
 * block whose last instruction reaches into the next page follows both pages,
 * and direct jumps are chained only within a page. */
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
  V_A = 0,       /* -> 1, kernel and user RX */
  V_B = 1,       /* -> 2, kernel and user RX */
  V_REMAP = 2,   /* -> 3 or 4 */
  V_ALIAS1 = 3,  /* -> 5 */
  V_ALIAS2 = 6,  /* -> 5 as well */
  V_CROSS = 8,   /* -> 9; V_CROSS + 1 -> 12 (or 13) */
  V_NX = 10,     /* -> 11, RW: not executable */
  V_KCODE = 11,  /* -> 14, kernel RX only */
  V_CODEW = 17,  /* -> 1: V_A's page, writable */
  V_TAIL = 18,   /* -> 15, RX; V_TAIL + 1 unmapped */
  V_NONE = 20,   /* unmapped */
};

static Sys *machine(EmuTier tier) {
  Sys *s = sys_new(tier);
  sys_map(s, V_A, PA(1), P_RX, P_RX);
  sys_map(s, V_B, PA(2), P_RX, P_RX);
  sys_map(s, V_REMAP, PA(3), P_RX, P_RX);
  sys_map(s, V_ALIAS1, PA(5), P_RX, P_RX);
  sys_map(s, V_ALIAS2, PA(5), P_RX, P_RX);
  sys_map(s, V_CROSS, PA(9), P_RX, P_RX);
  sys_map(s, V_CROSS + 1, PA(12), P_RX, P_RX);
  sys_map(s, V_NX, PA(11), P_RW, P_RW);
  sys_map(s, V_KCODE, PA(14), P_RX, 0);
  sys_map(s, V_CODEW, PA(1), P_RW, P_RW);
  sys_map(s, V_TAIL, PA(15), P_RX, P_RX);
  return s;
}

static EmuTier tier_of(void **state) { return *(const EmuTier *)*state; }

/* The guest-physical address of virtual va in this layout (kernel view). */
static uint64_t pa_of(Sys *s, uint64_t va) {
  uint64_t pa;
  if (!sys_xlat(s, 0, va, 0, &pa))
    abort();
  return pa;
}

/* Code at virtual va (through the page table: no TLB, no invalidation). */
static void put(Sys *s, uint64_t va, const Insn *code, size_t n) {
  for (size_t i = 0; i < n * sizeof *code; i++)
    s->ram[pa_of(s, va + i)] = ((const uint8_t *)code)[i];
}
#define PUT(s, va, ...)                                                                   \
  put(s, va, (const Insn[]){__VA_ARGS__}, sizeof((const Insn[]){__VA_ARGS__}) / sizeof(Insn))

static Insn jmp(uint64_t from, uint64_t to) { return (Insn){I_JMP, 0, 0, 0, (uint32_t)(to - from)}; }
static const Insn halt = {I_HALT, 0, 0, 0, 0};

static void run_halts(Sys *s, uint64_t pc) {
  EmuExit x = sys_run(s, pc);
  if (x.reason != EMU_EXIT_SYSCALL)
    fail_msg("run from 0x%llx: exit %d exc %d addr 0x%llx pc 0x%llx", (unsigned long long)pc,
             x.reason, x.exc, (unsigned long long)x.addr,
             (unsigned long long)emu_cpu_pc(s->cpu));
}

static void check_fetch_fault(Sys *s, EmuExit x, uint64_t pc) {
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, pc);
  assert_false(x.is_write);
  assert_int_equal(emu_cpu_pc(s->cpu), pc);
}

static uint64_t translated(Sys *s) { return emu_engine_stats(s->e)->blocks_translated; }

/* -- Keys --------------------------------------------------------------------------- */

/* One virtual page over two physical pages in turn: reached directly and by
 * an indirect jump (the jump cache, emptied by emu_cpu_flush_vcache). */
static void test_one_vpc_two_phys(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t target = VA(V_REMAP) + 0x40, j = VA(V_A) + 0x200;
  memcpy(s->ram + PA(3) + 0x40, (const Insn[]){{I_MOVI, 0, 0, 0, 1}, halt}, 16);
  memcpy(s->ram + PA(4) + 0x40, (const Insn[]){{I_MOVI, 0, 0, 0, 2}, halt}, 16);
  PUT(s, j, {I_JR, 5, 0, 0, 0});
  SysCpu *c = sys_state(s);
  c->r[5] = target;
  for (int i = 0; i < 2; i++) {
    run_halts(s, j);
    assert_int_equal(c->r[0], 1);
    assert_int_equal(emu_cpu_pc(s->cpu), target + 16);
  }
  sys_map(s, V_REMAP, PA(4), P_RX, P_RX);
  emu_cpu_flush_vcache(s->cpu);
  for (int i = 0; i < 2; i++) {
    run_halts(s, j);
    assert_int_equal(c->r[0], 2);
  }
  run_halts(s, target);
  assert_int_equal(c->r[0], 2);
  /* Back to the first page: its block is still there. */
  uint64_t n = translated(s);
  sys_map(s, V_REMAP, PA(3), P_RX, P_RX);
  emu_cpu_flush_vcache(s->cpu);
  run_halts(s, j);
  assert_int_equal(c->r[0], 1);
  run_halts(s, target);
  assert_int_equal(c->r[0], 1);
  assert_int_equal(translated(s), n);
  sys_free(s);
}

/* One physical page at two virtual addresses: a block per virtual pc, each
 * with its own pcs (GETPC, the jump inside the page, the halt's next pc). */
static void test_one_phys_two_vpcs(void **state) {
  Sys *s = machine(tier_of(state));
  PUT(s, VA(V_ALIAS1) + 0x40, {I_GETPC, 0, 0, 0, 0}, jmp(VA(V_ALIAS1) + 0x48, VA(V_ALIAS1) + 0x80));
  PUT(s, VA(V_ALIAS1) + 0x80, {I_GETPC, 1, 0, 0, 0}, halt);
  SysCpu *c = sys_state(s);
  for (int i = 0; i < 2; i++)
    for (unsigned v = 0; v < 2; v++) {
      uint64_t base = VA(v ? V_ALIAS2 : V_ALIAS1);
      run_halts(s, base + 0x40);
      assert_int_equal(c->r[0], base + 0x40);
      assert_int_equal(c->r[1], base + 0x80);
      assert_int_equal(emu_cpu_pc(s->cpu), base + 0x90);
    }
  assert_int_equal(translated(s), 4);
  /* Invalidating the physical code drops both virtual copies. */
  PUT(s, VA(V_ALIAS1) + 0x80, {I_MOVI, 1, 0, 0, 0x99}, halt);
  emu_engine_invalidate(s->e, PA(5) + 0x80, PA(5) + 0x81);
  for (unsigned v = 0; v < 2; v++) {
    run_halts(s, VA(v ? V_ALIAS2 : V_ALIAS1) + 0x40);
    assert_int_equal(c->r[1], 0x99);
  }
  sys_free(s);
}

/* Two modes: separate blocks for the same pc, and separate indirect-branch
 * caches (the jump at j finds the target block of the current mode). */
static void test_modes_apart(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t j = VA(V_A) + 0x200, target = VA(V_A) + 0x300;
  PUT(s, j, {I_JR, 5, 0, 0, 0});
  PUT(s, target, {I_GETMODE, 0, 0, 0, 0}, halt);
  SysCpu *c = sys_state(s);
  c->r[5] = target;
  static const uint32_t modes[] = {MODE_KERNEL, MODE_KERNEL, MODE_USER, MODE_USER, MODE_KERNEL,
                                   MODE_USER};
  for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    sys_set_mode(s, modes[i]);
    c->r[0] = 0x55;
    run_halts(s, j);
    assert_int_equal(c->r[0], modes[i]);
  }
  assert_int_equal(translated(s), 4); /* j and target, once per mode */
  /* Kernel-only code: user mode cannot fetch it. */
  PUT(s, VA(V_KCODE), {I_MOVI, 0, 0, 0, 0x77}, halt);
  sys_set_mode(s, MODE_USER);
  check_fetch_fault(s, sys_run(s, VA(V_KCODE)), VA(V_KCODE));
  sys_set_mode(s, MODE_KERNEL);
  run_halts(s, VA(V_KCODE));
  assert_int_equal(c->r[0], 0x77);
  sys_free(s);
}

/* code_key says the fetch faults (emu_cpu_raise): emu_exec returns that
 * exception at the target pc, whichever way execution got there. */
static void test_fetch_faults(void **state) {
  Sys *s = machine(tier_of(state));
  SysCpu *c = sys_state(s);
  check_fetch_fault(s, sys_run(s, VA(V_NONE) + 0x10), VA(V_NONE) + 0x10);
  /* A direct jump into an unmapped page, twice (the second time translated). */
  const uint64_t a = VA(V_A) + 0x400;
  PUT(s, a, {I_MOVI, 1, 0, 0, 7}, jmp(a + 8, VA(V_NONE) + 0x20));
  for (int i = 0; i < 2; i++) {
    c->r[1] = 0;
    check_fetch_fault(s, sys_run(s, a), VA(V_NONE) + 0x20);
    assert_int_equal(c->r[1], 7);
  }
  /* An indirect jump into a page that is not executable. */
  PUT(s, VA(V_A) + 0x500, {I_JR, 5, 0, 0, 0});
  c->r[5] = VA(V_NX) + 8;
  check_fetch_fault(s, sys_run(s, VA(V_A) + 0x500), VA(V_NX) + 8);
  /* An instruction whose tail is in an unmapped page: the frontend raises. */
  const uint64_t tail = VA(V_TAIL + 1) - 4;
  PUT(s, tail - 8, {I_MOVI, 2, 0, 0, 3});
  s->ram[PA(15) + PAGE - 4] = I_MOVI;
  c->r[2] = 0;
  EmuExit x = sys_run(s, tail - 8);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(emu_cpu_pc(s->cpu), tail);
  assert_int_equal(c->r[2], 3);
  sys_free(s);
}

/* -- Invalidation ------------------------------------------------------------------------ */

static void test_invalidate_phys_range(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t pc = VA(V_A) + 0x600;
  PUT(s, pc, {I_MOVI, 0, 0, 0, 5}, halt);
  SysCpu *c = sys_state(s);
  run_halts(s, pc);
  assert_int_equal(c->r[0], 5);
  /* Code added: the block's physical range went to the runner. */
  bool seen = false;
  for (unsigned i = 0; i < s->nadded; i++)
    seen |= s->added[i].lo == PA(1) + 0x600 && s->added[i].hi == PA(1) + 0x610;
  assert_true(seen);
  s->ram[PA(1) + 0x604] = 6;
  emu_engine_invalidate(s->e, PA(1) + 0x604, PA(1) + 0x605);
  run_halts(s, pc);
  assert_int_equal(c->r[0], 6);
  sys_free(s);
}

/* A guest write to a page holding code (tagged SOFTMMU_TLB_IO for writes by
 * code_added) goes to the slow path, which drops the page's blocks: the next
 * run of the written code sees the new bytes. Plain stores and atomics. */
static void test_guest_writes_code(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t t = VA(V_A) + 0x700, w = VA(V_A) + 0x800, imm = VA(V_CODEW) + 0x704;
  PUT(s, t, {I_MOVI, 0, 0, 0, 5}, halt);
  PUT(s, w, {I_ST, 6, 7, IR_T_i32, 0}, halt);
  SysCpu *c = sys_state(s);
  run_halts(s, t);
  assert_int_equal(c->r[0], 5);
  for (uint32_t v = 9; v < 12; v++) {
    c->r[6] = v;
    c->r[7] = imm;
    sys_counts_reset(s);
    run_halts(s, w);
    if (s->tier == EMU_TIER_FAST)
      assert_int_equal(s->slow_store, 1);
    run_halts(s, t);
    assert_int_equal(c->r[0], v);
  }
  /* An atomic add of 1 to the immediate. */
  const Insn probe[2] = {{I_PROBE, IR_T_i32, PROBE_ARMW + IR_RMW_add, 0, 0}, halt};
  put(s, VA(V_A) + 0x900, probe, 2);
  c->r[15] = imm;
  c->r[8] = 1;
  run_halts(s, VA(V_A) + 0x900);
  assert_int_equal(c->r[10], 11);
  run_halts(s, t);
  assert_int_equal(c->r[0], 12);
  assert_int_equal(s->bad_stack, 0);
  sys_free(s);
}

/* A block whose instruction reaches into the next page, which lies elsewhere
 * physically: both ranges go to code_added and either invalidates it; and
 * when the second page is mapped elsewhere, the block must follow. */
static void test_block_across_pages(void **state) {
  Sys *s = machine(tier_of(state));
  const uint64_t pc = VA(V_CROSS + 1) - 4;
  PUT(s, pc, {I_MOVI, 0, 0, 0, 0x1234}, halt);
  SysCpu *c = sys_state(s);
  run_halts(s, pc);
  assert_int_equal(c->r[0], 0x1234);
  assert_int_equal(emu_cpu_pc(s->cpu), pc + 16);
  bool lo = false, hi = false;
  for (unsigned i = 0; i < s->nadded; i++) {
    lo |= s->added[i].lo == PA(9) + PAGE - 4 && s->added[i].hi == PA(10);
    hi |= s->added[i].lo == PA(12) && s->added[i].hi == PA(12) + 4;
  }
  assert_true(lo);
  assert_true(hi);
  /* The second part changes: invalidating only its physical range drops it. */
  memcpy(s->ram + PA(12), &(uint32_t){0x5678}, 4);
  emu_engine_invalidate(s->e, PA(12) + 2, PA(12) + 3);
  run_halts(s, pc);
  assert_int_equal(c->r[0], 0x5678);
  /* The second page now maps another physical page, with another immediate. */
  memcpy(s->ram + PA(13), &(uint32_t){0x9abc}, 4);
  memcpy(s->ram + PA(13) + 4, &halt, 8);
  sys_map(s, V_CROSS + 1, PA(13), P_RX, P_RX);
  emu_cpu_flush_vcache(s->cpu);
  run_halts(s, pc);
  assert_int_equal(c->r[0], 0x9abc);
  sys_map(s, V_CROSS + 1, PA(12), P_RX, P_RX);
  emu_cpu_flush_vcache(s->cpu);
  run_halts(s, pc);
  assert_int_equal(c->r[0], 0x5678);
  sys_free(s);
}

/* -- Chaining (fast tier) ------------------------------------------------------------------ */

typedef struct Counts {
  uint64_t chains, blocks;
} Counts;

/* Run the loop entered at pc for r1 = 100 rounds (each adds 3 to r0); what
 * it cost in chains made and dispatcher entries. */
static Counts run_loop(Sys *s, uint64_t pc) {
  const EmuStats *st = emu_engine_stats(s->e);
  Counts before = {st->chains, st->blocks_executed};
  SysCpu *c = sys_state(s);
  c->r[0] = 0;
  c->r[1] = 100;
  run_halts(s, pc);
  assert_int_equal(c->r[0], 300);
  st = emu_engine_stats(s->e);
  return (Counts){st->chains - before.chains, st->blocks_executed - before.blocks};
}

static void test_chaining_within_a_page(void **unused) {
  Sys *s = machine(EMU_TIER_FAST);
  /* a: r0 += 3, on to b; b: loop back to a while --r1, then on to the halt. */
  const uint64_t a = VA(V_B), b = VA(V_B) + 0x100;
  PUT(s, a, {I_ADDI, 0, 0, 0, 3}, jmp(a + 8, b));
  PUT(s, b, {I_DJNZ, 1, 0, 0, (uint32_t)(a - b)}, halt);
  Counts n = run_loop(s, a);
  assert_int_equal(n.chains, 3); /* a -> b, b -> a, b -> halt */
  assert_true(n.blocks <= 4);    /* a, b, a, halt: the rest ran chained */
  n = run_loop(s, a);
  assert_int_equal(n.chains, 0);
  assert_int_equal(n.blocks, 1);

  /* The same loop across two pages: only b -> halt (same page) is chained;
   * a2 -> b2 and b2 -> a2 go through the jump cache, so after the first
   * round (misses that fill it) no exit comes back to the dispatcher. */
  const uint64_t a2 = VA(V_A) + 0xa00, b2 = VA(V_B) + 0x200;
  PUT(s, a2, {I_ADDI, 0, 0, 0, 3}, jmp(a2 + 8, b2));
  PUT(s, b2, {I_DJNZ, 1, 0, 0, (uint32_t)(a2 - b2)}, halt);
  n = run_loop(s, a2);
  assert_int_equal(n.chains, 1);
  assert_true(n.blocks <= 4);
  /* A mapping change empties the jump cache: the cross-page exits miss once. */
  emu_cpu_flush_vcache(s->cpu);
  n = run_loop(s, a2);
  assert_int_equal(n.chains, 0);
  assert_true(n.blocks >= 2 && n.blocks <= 4);

  /* Never into a block that reaches into the next page. */
  const uint64_t x = VA(V_CROSS) + 0x100, y = VA(V_CROSS + 1) - 4;
  PUT(s, x, jmp(x, y));
  PUT(s, y, {I_MOVI, 0, 0, 0, 1}, halt);
  for (int i = 0; i < 2; i++) {
    uint64_t chains = emu_engine_stats(s->e)->chains;
    run_halts(s, x);
    assert_int_equal(emu_engine_stats(s->e)->chains, chains);
  }
  sys_free(s);
}

static const EmuTier fast = EMU_TIER_FAST, interp = EMU_TIER_INTERP;
#define BOTH_TIERS(fn)                                                                    \
  {#fn " (fast)", fn, NULL, NULL, (void *)&fast}, {#fn " (interp)", fn, NULL, NULL, (void *)&interp}

int main(void) {
  const struct CMUnitTest tests[] = {
      BOTH_TIERS(test_one_vpc_two_phys),
      BOTH_TIERS(test_one_phys_two_vpcs),
      BOTH_TIERS(test_modes_apart),
      BOTH_TIERS(test_fetch_faults),
      BOTH_TIERS(test_invalidate_phys_range),
      BOTH_TIERS(test_guest_writes_code),
      BOTH_TIERS(test_block_across_pages),
      cmocka_unit_test(test_chaining_within_a_page),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
