/* test_cse.c — local common-subexpression elimination, alone and in the pipeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_regfile.h"

static IrFunc *parse(const char *text) {
  char err[256];
  IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("parse: %s", err);
  return fn;
}

static unsigned count_op(const IrFunc *fn, IrOp op) {
  unsigned n = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t k = 0; k < fn->blocks[b].n; k++)
      n += fn->insts[fn->blocks[b].insts[k]].op == op;
  return n;
}

static void test_merges_equal_pure_insts(void **state) {
  IrFunc *fn = parse("func {\nb0:\n"
                     "  %a:i64 = get r0\n  %b:i64 = get r1\n"
                     "  %x:i64 = add %a, %b\n  %y:i64 = add %a, %b\n"   /* same */
                     "  %z:i64 = add %b, %a\n"                          /* other order: kept */
                     "  %p:i64 = mul %x, %b\n  %q:i64 = mul %y, %b\n"   /* same once x~y */
                     "  set r2, %p\n  set r3, %q\n  set r4, %z\n  exit 0x10\n}\n");
  ir_pass_cse(fn);
  char err[256];
  assert_true(ir_validate(fn, err, sizeof err));
  assert_int_equal(count_op(fn, IR_OP_add), 2);
  assert_int_equal(count_op(fn, IR_OP_mul), 1);
  ir_func_free(fn);
}

static void test_keeps_faulting_and_state_ops(void **state) {
  IrFunc *fn = parse("func {\nb0:\n"
                     "  %a:i64 = get r0\n  %b:i64 = get r1\n"
                     "  %l1:i64 = load %a\n  %l2:i64 = load %a\n"        /* may fault: kept */
                     "  %d1:i64 = udiv.trap %a, %b\n  %d2:i64 = udiv.trap %a, %b\n"
                     "  %g:i64 = get r0\n"                                /* not pure: forward's job */
                     "  set r2, %l1\n  set r3, %l2\n  set r4, %d1\n  set r5, %d2\n  set r6, %g\n"
                     "  exit 0x10\n}\n");
  ir_pass_cse(fn);
  assert_int_equal(count_op(fn, IR_OP_load), 2);
  assert_int_equal(count_op(fn, IR_OP_udiv), 2);
  assert_int_equal(count_op(fn, IR_OP_get), 3);
  ir_func_free(fn);
}

static void test_only_within_a_block(void **state) {
  IrFunc *fn = parse("func {\nb0:\n"
                     "  %a:i64 = get r0\n  %c:i1 = get cf\n  br %c, b1, b2\n"
                     "b1:\n  %x:i64 = neg %a\n  set r1, %x\n  exit 0x10\n"
                     "b2:\n  %y:i64 = neg %a\n  set r1, %y\n  exit 0x20\n}\n");
  ir_pass_cse(fn);
  assert_int_equal(count_op(fn, IR_OP_neg), 2);
  ir_func_free(fn);
}

/* x86's xor eax, eax: two truncs of one register, xor'd; the pipeline makes it 0. */
static void test_pipeline_folds_self_xor(void **state) {
  IrFunc *fn = parse("func {\nb0:\n"
                     "  %a:i64 = get r0\n  %t1:i32 = trunc %a\n  %g:i64 = get r0\n"
                     "  %t2:i32 = trunc %g\n  %x:i32 = xor %t1, %t2\n  %z:i64 = zext %x\n"
                     "  set r1, %z\n  exit 0x10\n}\n");
  ir_optimize(fn, NULL);
  assert_int_equal(count_op(fn, IR_OP_xor), 0);
  assert_int_equal(count_op(fn, IR_OP_get), 0);
  TestCpu cpu;
  memset(&cpu, 0, sizeof cpu);
  cpu.r[0] = 0x123456789;
  cpu.r[1] = 99;
  IrExit x = ir_interp(fn, &cpu, NULL);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(cpu.r[1], 0);
  ir_func_free(fn);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_merges_equal_pure_insts),
      cmocka_unit_test(test_keeps_faulting_and_state_ops),
      cmocka_unit_test(test_only_within_a_block),
      cmocka_unit_test(test_pipeline_folds_self_xor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
