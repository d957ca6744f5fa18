/* test_bf_exec.c — backend_fast under the runtime's dispatcher (emu_exec) with a
 * tiny frontend whose "guest code" is a table of IR texts keyed by pc: chained
 * direct exits (bf_patch_jump), the jump cache, syscall / exception / request
 * exits, the block counter, host faults mapped back through the pcmap, the
 * layout of exit sites, and a translation-speed measurement (printed). */
#define _GNU_SOURCE /* REG_RIP, REG_ERR (bf_harness.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "interp_cases.h"
#include "ir_copy.h"
#include "bf_harness.h"
#include "ir_randgen.h"

/* -- The table frontend ------------------------------------------------------- */

typedef struct Prog {
  uint64_t pc;
  const char *ir;
} Prog;

static const Prog progs[] = {
    /* r0 += 1 until 10 (a chained self loop), then on to 0x2000 */
    {0x1000, "func {\nb0:\n  insn 0x1000, 4\n  %a:i64 = get r0\n  %one:i64 = const 1\n"
             "  %b:i64 = add %a, %one\n  set r0, %b\n  %ten:i64 = const 10\n"
             "  %lt:i1 = cmp.ult %b, %ten\n  br %lt, b1, b2\nb1:\n  exit 0x1000\n"
             "b2:\n  exit 0x2000\n}\n"},
    /* r1 = 2 * r0, then a computed jump to r2 */
    {0x2000, "func {\nb0:\n  insn 0x2000, 4\n  %a:i64 = get r0\n  %b:i64 = add %a, %a\n"
             "  set r1, %b\n  %t:i64 = get r2\n  exiti %t\n}\n"},
    {0x3000, "func {\nb0:\n  insn 0x3000, 2\n  syscall 0x3004\n}\n"},
    {0x3004, "func {\nb0:\n  insn 0x3004, 1\n  %k:i64 = const 7\n  raise.breakpt %k\n}\n"},
    /* the second instruction's load faults (guest 0x100 is unmapped) */
    {0x4000, "func {\nb0:\n  insn 0x4000, 4\n  %a:i64 = get r3\n  %x:i64 = load %a\n"
             "  set r4, %x\n  insn 0x4004, 4\n  %c:i64 = const 0x100\n  %y:i64 = load %c\n"
             "  set r5, %y\n  exit 0x4008\n}\n"},
    /* a store past guest_limit: the bounds check */
    {0x5000, "func {\nb0:\n  insn 0x5000, 4\n  %a:i64 = const 0x20000\n  %v:i32 = const 5\n"
             "  store %a, %v\n  exit 0x5004\n}\n"},
    /* a loop that asks to be interrupted (t_kick) on its 5th round */
    {0x6000, "func {\nb0:\n  insn 0x6000, 4\n  call t_kick()\n  exit 0x6000\n}\n"},
};

static unsigned kicks;
static uint64_t h_kick(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  if (++kicks == 5)
    emu_cpu_kick(emu_cpu_current());
  return 0;
}

static void table_translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info) {
  const char *text = "func {\nb0:\n  %z:i64 = const 0\n  raise.undef %z\n}\n";
  for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
    if (progs[i].pc == pc)
      text = progs[i].ir;
  char err[128];
  IrFunc *parsed = ir_parse(text, &test_regfile, err, sizeof err);
  if (!parsed) {
    fprintf(stderr, "table frontend: %s\n", err);
    abort();
  }
  /* Copy into fn (the runtime's scratch function); the table has no vconst. */
  test_ir_copy_into(fn, parsed);
  fn->fold = false;
  ir_func_free(parsed);
  fn->entry = pc;
  *info = (IrBlockInfo){pc, 4, 2};
}

static const IrFrontend table_frontend = {.name = "table", .rf = &test_regfile, .pc_slot = T_PC,
                                          .max_insn_bytes = 16, .translate = table_translate};

static EmuEngine *engine;
static EmuCpu *cpu;

static TestCpu *state(void) { return (TestCpu *)emu_guest(cpu); }

static EmuExit run_from(uint64_t pc) {
  harness_signals();
  emu_cpu_set_pc(cpu, pc);
  return emu_exec(cpu);
}

/* -- Tests ------------------------------------------------------------------------ */

static void test_chaining_and_exits(void **unused) {
  memset(state(), 0, sizeof(TestCpu));
  state()->r[2] = 0x3000;
  EmuExit x = run_from(0x1000);
  assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
  assert_int_equal(emu_cpu_pc(cpu), 0x3004);
  assert_int_equal(state()->r[0], 10);
  assert_int_equal(state()->r[1], 20);
  const EmuStats *st = emu_engine_stats(engine);
  assert_true(st->chains >= 2);          /* 0x1000 -> 0x1000 and 0x1000 -> 0x2000 */
  assert_true(st->blocks_executed < 10); /* the loop ran chained, not dispatched */
  /* The block counter saw every entry, chained or not. */
  Tb *t = tb_lookup(engine, 0x1000);
  assert_non_null(t);
  uint64_t count;
  memcpy(&count, t->code + t->bf.counter_off, 8);
  assert_int_equal(count, 10);
  /* Exit sites: 8-aligned rel32 of a jmp, chained now to blocks. */
  assert_int_equal(t->bf.nexits, 2);
  for (uint32_t i = 0; i < t->bf.nexits; i++) {
    const BfExitSite *s = &t->bf.exits[i];
    assert_int_equal((uintptr_t)(t->code + s->patch_off) % 8, 0);
    assert_int_equal(t->code[s->patch_off - 1], 0xE9);
    int32_t rel;
    memcpy(&rel, t->code + s->patch_off, 4);
    const uint8_t *target = t->code + s->patch_off + 4 + rel;
    assert_ptr_equal(target, tb_lookup(engine, s->target)->code);
    assert_true(s->stub_off > s->patch_off && s->stub_off < t->bf.size);
  }
  /* Next: the raise at 0x3004. */
  x = emu_exec(cpu);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_breakpt);
  assert_int_equal(x.addr, 7);
  assert_false(x.is_write);
  assert_int_equal(emu_cpu_pc(cpu), 0x3004);
  /* The jump cache: 0x2000's exiti found 0x3000 there on a second run. */
  uint64_t before = emu_engine_stats(engine)->blocks_executed;
  state()->r[0] = 9;
  x = run_from(0x1000);
  assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
  st = emu_engine_stats(engine); /* execution counters are per cpu, summed by this call */
  assert_int_equal(st->blocks_executed - before, 1); /* one dispatch, the rest chained/cached */
}

/* Without -d stats a counter only needs to reach what tier-up compares it
 * with, and the fast tier has no tier-up: its blocks carry no counter code at
 * all (threads sharing a hot block never write the counter's line). The loop
 * still runs exactly. */
static void test_counter_cap(void **unused) {
  uint32_t mask = emu_log_mask;
  emu_log_mask &= ~(1u << EMU_LOG_stats);
  EmuEngineConfig cfg = {.frontend = &table_frontend, .tier = EMU_TIER_FAST};
  EmuEngine *e = emu_engine_new(&cfg);
  emu_log_mask = mask;
  assert_non_null(e);
  EmuCpu *c = emu_cpu_new(e, NULL);
  TestCpu *s = emu_guest(c);
  memset(s, 0, sizeof *s);
  s->r[2] = 0x3000;
  harness_signals();
  emu_cpu_set_pc(c, 0x1000);
  assert_int_equal(emu_exec(c).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(s->r[0], 10);
  Tb *t = tb_lookup(e, 0x1000);
  assert_non_null(t);
  uint64_t count;
  memcpy(&count, t->code + t->bf.counter_off, 8);
  assert_int_equal(count, 0);
  emu_cpu_free(c);
  emu_engine_free(e);
}

static void test_fault_pcmap(void **unused) {
  memset(state(), 0, sizeof(TestCpu));
  state()->r[3] = MEM_BASE + 8;
  uint64_t v = 0x1122334455667788ull;
  memcpy(harness.window + MEM_BASE + 8, &v, 8);
  EmuExit x = run_from(0x4000);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(emu_cpu_pc(cpu), 0x4004); /* the second instruction, from the pcmap */
  assert_int_equal(x.addr, 0x100);
  assert_false(x.is_write);
  assert_int_equal(state()->r[4], v); /* the first instruction completed */
  x = run_from(0x5000);
  assert_int_equal(x.reason, EMU_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(emu_cpu_pc(cpu), 0x5000);
  assert_int_equal(x.addr, 0x20000);
  assert_true(x.is_write);
}

static void test_exit_request(void **unused) {
  kicks = 0;
  EmuExit x = run_from(0x6000);
  assert_int_equal(x.reason, EMU_EXIT_INTERRUPT);
  assert_int_equal(emu_cpu_pc(cpu), 0x6000);
  assert_int_equal(kicks, 5);
}

/* Translation speed on random functions: printed, not asserted. */
static void test_translation_speed(void **unused) {
  uint64_t seed = 0xfeed;
  enum { N = 200 };
  IrFunc *fns[N];
  uint64_t insts = 0;
  for (int i = 0; i < N; i++) {
    fns[i] = irr_func(&seed, 40, NULL, 0);
    insts += fns[i]->ninsts;
  }
  size_t cap = 1u << 20;
  uint8_t *buf = malloc(cap);
  BfPcEntry map[512];
  BfBlock out = {.pcmap = map, .pcmap_cap = 512};
  BfConfig local = engine->bf;
  local.epilogue = buf; /* so that every branch reaches, wherever malloc put buf */
  const BfConfig *cfg = &local;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint64_t bytes = 0;
  for (int rep = 0; rep < 5; rep++)
    for (int i = 0; i < N; i++) {
      assert_true(bf_compile(fns[i], cfg, buf, buf, cap, &out));
      bytes += out.size;
    }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  printf("backend_fast: %.0f ns per IR instruction, %.1f host bytes per IR instruction "
         "(%d random functions, %llu IR instructions)\n",
         ns / (5.0 * (double)insts), (double)bytes / (5.0 * (double)insts), N,
         (unsigned long long)insts);
  for (int i = 0; i < N; i++)
    ir_func_free(fns[i]);
  free(buf);
}

int main(void) {
  static const IrHelper kick = {"t_kick", h_kick, 0, IR_T_void, 0};
  if (ir_helper_register(&kick) < 0)
    return 1;
  emu_log_mask |= 1u << EMU_LOG_stats; /* exact block counters, as with -d stats */
  harness_init(&table_frontend);
  engine = harness.engine, cpu = harness.cpu;
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_chaining_and_exits),
      cmocka_unit_test(test_counter_cap),
      cmocka_unit_test(test_fault_pcmap),
      cmocka_unit_test(test_exit_request),
      cmocka_unit_test(test_translation_speed),
  };
  int failed = cmocka_run_group_tests_name("bf_exec", tests, NULL, NULL);
  harness_fini();
  return failed;
}
