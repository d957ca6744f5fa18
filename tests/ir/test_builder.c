/* test_builder.c — the IR builder (ir.c): blocks and where emission goes,
 * terminated blocks, constant masking, result types of the typed emitters, the
 * vector constant pool, reset, and that what it builds prints and parses back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "test_regfile.h"

static void test_blocks(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  assert_int_equal(fn->nblocks, 0);
  assert_int_equal(fn->ninsts, 1); /* insts[0] is IR_NONE */
  /* The first emission opens block 0. */
  IrRef a = ir_get(fn, T_R0);
  assert_int_equal(a, 1);
  assert_int_equal(fn->nblocks, 1);
  assert_false(ir_block_terminated(fn, 0));
  uint32_t b1 = ir_block_new(fn), b2 = ir_block_new(fn);
  assert_int_equal(b1, 1);
  assert_int_equal(b2, 2);
  assert_int_equal(fn->cur, 0); /* a new block does not move the cursor */
  IrRef c = ir_get(fn, T_CF);
  ir_br(fn, c, b1, b2);
  assert_true(ir_block_terminated(fn, 0));
  ir_block_set(fn, b2);
  IrRef x = ir_get(fn, T_R1);
  ir_exiti(fn, x);
  ir_block_set(fn, b1);
  ir_set(fn, T_R1, a); /* a from block 0, which dominates b1 */
  assert_false(ir_block_terminated(fn, b1));
  ir_exit(fn, 0x40);
  assert_true(ir_block_terminated(fn, b1));
  assert_true(ir_block_terminated(fn, b2));

  /* Each block lists what was emitted into it, in order. */
  assert_int_equal(fn->blocks[0].n, 3);
  assert_int_equal(fn->blocks[0].insts[0], a);
  assert_int_equal(fn->blocks[0].insts[1], c);
  assert_int_equal(fn->blocks[2].n, 2);
  assert_int_equal(fn->blocks[2].insts[0], x);
  assert_int_equal(fn->blocks[1].n, 2);
  const IrInst *br = ir_inst(fn, fn->blocks[0].insts[2]);
  assert_int_equal(br->op, IR_OP_br);
  assert_int_equal(br->imm, b1);
  assert_int_equal(br->aux, b2);
  char err[256];
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("%s", err);
  ir_func_free(fn);
}

static void test_const_masking(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  static const struct {
    IrType t;
    uint64_t in, want;
  } cases[] = {
      {IR_T_i1, 3, 1},         {IR_T_i8, 0x1ff, 0xff},  {IR_T_i16, ~0ull, 0xffff},
      {IR_T_i32, -1ll, 0xffffffff}, {IR_T_i64, ~0ull, ~0ull},
      {IR_T_f32, 0xdead3f800000ull, 0x3f800000}, {IR_T_f64, 0x3ff0000000000000ull, 0x3ff0000000000000ull},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    IrRef r = ir_const(fn, cases[i].t, cases[i].in);
    assert_int_equal(ir_inst(fn, r)->op, IR_OP_const);
    assert_int_equal(ir_typeof(fn, r), cases[i].t);
    assert_int_equal(ir_inst(fn, r)->imm, cases[i].want);
    assert_true(ir_is_const(fn, r));
  }
  /* equal values compare equal after masking */
  assert_int_equal(ir_inst(fn, ir_const(fn, IR_T_i8, 0xff))->imm,
                   ir_inst(fn, ir_const(fn, IR_T_i8, -1))->imm);
  ir_func_free(fn);
}

static void test_vconst_pool(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef a = ir_vconst(fn, IR_T_v4i32, (IrV128){1, 2});
  IrRef b = ir_vconst(fn, IR_T_v16i8, (IrV128){3, 4});
  assert_int_equal(ir_typeof(fn, a), IR_T_v4i32);
  assert_int_equal(ir_inst(fn, a)->imm, 0);
  assert_int_equal(ir_inst(fn, b)->imm, 1);
  assert_int_equal(fn->npool, 2);
  assert_int_equal(fn->pool[1].lo, 3);
  assert_int_equal(fn->pool[1].hi, 4);
  assert_false(ir_is_const(fn, a)); /* const means the scalar op */
  ir_func_free(fn);
}

static uint64_t h_two(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) { return a; }

static void test_types(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef r0 = ir_get(fn, T_R0), w0 = ir_get(fn, T_W0), v1 = ir_get(fn, T_V1);
  IrRef d0 = ir_get(fn, T_D0);
  assert_int_equal(ir_typeof(fn, r0), IR_T_i64);
  assert_int_equal(ir_typeof(fn, w0), IR_T_i32);
  assert_int_equal(ir_typeof(fn, v1), IR_T_v4i32);
  assert_int_equal(ir_inst(fn, r0)->imm, T_R0);
  /* op1/op2/op3 take the first operand's type */
  assert_int_equal(ir_typeof(fn, ir_op2(fn, IR_OP_add, w0, w0)), IR_T_i32);
  assert_int_equal(ir_typeof(fn, ir_op1(fn, IR_OP_not, v1)), IR_T_v4i32);
  /* compares: i1 for scalars, the lane mask type for vectors */
  assert_int_equal(ir_typeof(fn, ir_cmp(fn, IR_PRED_ult, r0, r0)), IR_T_i1);
  assert_int_equal(ir_typeof(fn, ir_cmp(fn, IR_PRED_eq, v1, v1)), IR_T_v4i32);
  assert_int_equal(ir_typeof(fn, ir_fcmp(fn, IR_PRED_folt, d0, d0)), IR_T_i1);
  IrRef cmp = ir_cmp(fn, IR_PRED_sge, r0, r0);
  assert_int_equal(ir_inst(fn, cmp)->imm, IR_PRED_sge);
  /* flags: i1, and a missing carry-in becomes the constant 0 */
  uint32_t before = fn->ninsts;
  IrRef cf = ir_flag(fn, IR_OP_addcf, r0, r0, IR_NONE);
  assert_int_equal(ir_typeof(fn, cf), IR_T_i1);
  assert_int_equal(fn->ninsts, before + 2);
  IrRef cin = ir_inst(fn, cf)->args[2];
  assert_true(ir_is_const(fn, cin));
  assert_int_equal(ir_typeof(fn, cin), IR_T_i1);
  assert_int_equal(ir_inst(fn, cin)->imm, 0);
  /* select takes the arms' type; casts their target */
  assert_int_equal(ir_typeof(fn, ir_select(fn, cf, v1, v1)), IR_T_v4i32);
  assert_int_equal(ir_typeof(fn, ir_cast(fn, IR_OP_zext, IR_T_i64, w0)), IR_T_i64);
  IrRef ex = ir_extract(fn, r0, 8, 4, true);
  assert_int_equal(ir_inst(fn, ex)->op, IR_OP_sextract);
  assert_int_equal(ir_inst(fn, ex)->imm, 8);
  assert_int_equal(ir_inst(fn, ex)->aux, 4);
  IrRef dep = ir_deposit(fn, r0, w0, 0, 32);
  assert_int_equal(ir_typeof(fn, dep), IR_T_i64);
  assert_int_equal(ir_inst(fn, dep)->args[1], w0);
  IrRef q = ir_div(fn, IR_OP_sdiv, r0, r0, IR_DIV_ZERO);
  assert_int_equal(ir_inst(fn, q)->imm, IR_DIV_ZERO);
  IrRef l = ir_load(fn, IR_T_f64, r0, IR_MEM_ALIGN);
  assert_int_equal(ir_typeof(fn, l), IR_T_f64);
  assert_int_equal(ir_inst(fn, l)->imm, IR_MEM_ALIGN);
  static const IrHelper h = {"builder_two", h_two, 2, IR_T_i32, 0};
  int hi = ir_helper_register(&h);
  assert_true(hi >= 0);
  assert_int_equal(ir_helper_register(&h), hi); /* once */
  assert_int_equal(ir_helper_find("builder_two", 11), hi);
  IrRef call = ir_call(fn, (uint32_t)hi, 2, (IrRef[]){r0, w0});
  assert_int_equal(ir_typeof(fn, call), IR_T_i32);
  assert_int_equal(ir_inst(fn, call)->nargs, 2);
  /* void instructions */
  ir_store(fn, r0, l, 0);
  ir_set(fn, T_D1, l);
  ir_insn(fn, 0x1234, 5);
  IrRef marker = fn->ninsts - 1;
  assert_int_equal(ir_typeof(fn, marker), IR_T_void);
  assert_int_equal(ir_inst(fn, marker)->imm, 0x1234);
  assert_int_equal(ir_inst(fn, marker)->aux, 5);
  /* raise with no argument gets an i64 zero */
  ir_raise(fn, IR_EXC_breakpt, IR_NONE);
  const IrInst *raise = ir_inst(fn, fn->ninsts - 1);
  assert_int_equal(raise->op, IR_OP_raise);
  assert_int_equal(raise->imm, IR_EXC_breakpt);
  assert_int_equal(ir_typeof(fn, raise->args[0]), IR_T_i64);
  char err[256];
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("%s", err);
  ir_func_free(fn);
}

static void test_reset(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  ir_vconst(fn, IR_T_v2i64, (IrV128){1, 1});
  ir_block_new(fn);
  ir_exit(fn, 0);
  fn->entry = 0x400000;
  ir_func_reset(fn);
  assert_int_equal(fn->ninsts, 1);
  assert_int_equal(fn->nblocks, 0);
  assert_int_equal(fn->npool, 0);
  assert_int_equal(fn->entry, 0);
  assert_int_equal(fn->cur, 0);
  /* and builds again from scratch */
  IrRef a = ir_get(fn, T_R0);
  assert_int_equal(a, 1);
  ir_exiti(fn, a);
  assert_int_equal(fn->nblocks, 1);
  assert_int_equal(fn->blocks[0].n, 2);
  ir_func_free(fn);
}

/* What the builder makes, the printer writes and the parser reads back unchanged. */
static void test_print_parse_roundtrip(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  ir_insn(fn, 0x1000, 4);
  IrRef a = ir_get(fn, T_R0);
  IrRef b = ir_op2(fn, IR_OP_add, a, ir_const(fn, IR_T_i64, 0x10));
  IrRef c = ir_cmp(fn, IR_PRED_ult, b, a);
  uint32_t t = ir_block_new(fn), f = ir_block_new(fn);
  ir_set(fn, T_R1, b);
  ir_br(fn, c, t, f);
  ir_block_set(fn, t);
  ir_exit(fn, 0x1004);
  ir_block_set(fn, f);
  ir_set(fn, T_CF, c);
  ir_exit(fn, 0x2000);
  char *text = ir_print(fn);
  assert_non_null(text);
  char err[256];
  IrFunc *back = ir_parse(text, &test_regfile, err, sizeof err);
  if (!back)
    fail_msg("%s\n%s", err, text);
  char *again = ir_print(back);
  assert_string_equal(text, again);
  assert_int_equal(back->nblocks, 3);
  assert_true(ir_validate(back, err, sizeof err));
  free(text);
  free(again);
  ir_func_free(back);
  ir_func_free(fn);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_blocks),     cmocka_unit_test(test_const_masking),
      cmocka_unit_test(test_vconst_pool), cmocka_unit_test(test_types),
      cmocka_unit_test(test_reset),      cmocka_unit_test(test_print_parse_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
