/* test_bf_reloc.c — moving compiled code (for the persistent translation
 * cache): a block compiled with relocations recorded in one engine's code
 * cache is copied into a second engine's cache, relocated there with
 * bf_reloc_apply, and both copies run with the same results; each bumps its
 * own counter and leaves through its own engine's epilogue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "test_regfile.h"

static uint64_t h_twice(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return 2 * a + 1;
}

static const IrFrontend fe = {.name = "test", .rf = &test_regfile, .pc_slot = T_PC,
                              .max_insn_bytes = 16};

static const char prog[] = "func {\nb0:\n  insn 0x1000, 4\n  %a:i64 = get r0\n"
                           "  %r:i64 = call t_twice(%a)\n  set r1, %r\n  %one:i64 = const 1\n"
                           "  %c:i1 = cmp.eq %a, %one\n  br %c, b1, b2\nb1:\n  exit 0x2000\n"
                           "b2:\n  %f:f64 = get d0\n  %rm:i8 = const 0\n"
                           "  %g:f64 = fadd %f, %f, %rm\n  set d1, %g\n"
                           "  exit 0x3000\n}\n";

static EmuEngine *engine(void) {
  EmuEngineConfig cfg = {.frontend = &fe, .tier = EMU_TIER_FAST, .code_cache_size = 1u << 20};
  EmuEngine *e = emu_engine_new(&cfg);
  assert_non_null(e);
  return e;
}

/* Run code at rx on a fresh cpu of e with r0 = a. */
static BfRet run(EmuEngine *e, const uint8_t *rx, uint64_t a, TestCpu *out) {
  EmuCpu *cpu = emu_cpu_new(e, NULL);
  TestCpu *st = emu_guest(cpu);
  st->r[0] = a;
  st->d0 = 1.25;
  BfRet r = e->tramp.enter(cpu->guest, rx);
  *out = *st;
  emu_cpu_free(cpu);
  return r;
}

static void test_copy_runs_elsewhere(void **state) {
  static const IrHelper twice = {"t_twice", h_twice, 1, IR_T_i64, 0};
  assert_true(ir_helper_register(&twice) >= 0);
  char err[128];
  IrFunc *fn = ir_parse(prog, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("%s", err);
  EmuEngine *a = engine(), *b = engine();

  BfReloc relocs[32];
  BfPcEntry pcmap[8];
  BfBlock blk = {.pcmap = pcmap, .pcmap_cap = 8, .relocs = relocs, .reloc_cap = 32};
  size_t at = (a->cc.used + 63) & ~(size_t)63;
  assert_true(bf_compile(fn, &a->bf, a->cc.rw + at, a->cc.rx + at, a->cc.size - at, &blk));
  const uint8_t *code_a = a->cc.rx + at;
  a->cc.used = at + blk.size;
  /* Every kind the block has: the helper call, the epilogue jumps, the counter. */
  unsigned seen = 0;
  assert_true(blk.nrelocs <= blk.reloc_cap);
  for (uint32_t i = 0; i < blk.nrelocs; i++)
    seen |= 1u << relocs[i].what;
  assert_int_equal(seen, 1u << BF_RELOC_ANCHOR | 1u << BF_RELOC_EPILOGUE | 1u << BF_RELOC_COUNTER);

  /* The copy: same offset mod 64 (literal alignment), another mapping. */
  size_t bt = ((b->cc.used + 63) & ~(size_t)63) + 64 * 5;
  uint8_t *rw_b = b->cc.rw + bt;
  const uint8_t *code_b = b->cc.rx + bt;
  memcpy(rw_b, code_a, blk.size);
  assert_true(bf_reloc_apply(&blk, &b->bf, rw_b, code_b));
  b->cc.used = bt + blk.size;
  assert_memory_not_equal(rw_b, code_a, blk.size); /* some field moved */

  for (uint64_t v = 0; v < 3; v++) {
    TestCpu sa, sb;
    BfRet ra = run(a, code_a, v, &sa), rb = run(b, code_b, v, &sb);
    assert_int_equal(ra.pc, v == 1 ? 0x2000 : 0x3000);
    assert_int_equal(rb.pc, ra.pc);
    assert_int_equal(BF_EXIT_KIND(rb.info), BF_EXIT_CHAIN);
    /* A chain exit reports its own site: inside the copy, not the original. */
    assert_true(rb.info >= (uintptr_t)code_b && rb.info < (uintptr_t)code_b + blk.size);
    assert_int_equal(rb.info - (uintptr_t)code_b, ra.info - (uintptr_t)code_a);
    assert_int_equal(sa.r[1], 2 * v + 1);
    assert_int_equal(sb.r[1], 2 * v + 1);
    if (v != 1)
      assert_true(sb.d1 == 2.5);
  }
  assert_int_equal(*(const uint64_t *)(code_a + blk.counter_off), 3);
  assert_int_equal(*(const uint64_t *)(code_b + blk.counter_off), 3);

  /* An incomplete list (some relocations dropped) is refused. */
  BfBlock small = blk;
  small.reloc_cap = blk.nrelocs - 1;
  assert_false(bf_reloc_apply(&small, &b->bf, rw_b, code_b));
  BfBlock dropped = {.pcmap = pcmap, .pcmap_cap = 8, .relocs = relocs, .reloc_cap = 1};
  at = (a->cc.used + 63) & ~(size_t)63;
  assert_true(bf_compile(fn, &a->bf, a->cc.rw + at, a->cc.rx + at, a->cc.size - at, &dropped));
  assert_true(dropped.nrelocs > dropped.reloc_cap);
  assert_false(bf_reloc_apply(&dropped, &b->bf, rw_b, code_b));

  ir_func_free(fn);
  emu_engine_free(a);
  emu_engine_free(b);
}

int main(void) {
  emu_log_mask |= 1u << EMU_LOG_stats; /* exact block counters */
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_copy_runs_elsewhere)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
