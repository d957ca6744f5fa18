/* test_fold.c — ir_fold: constant folding of every pure op class (expected values
 * worked out from docs/ir-semantics.md), no folding of what would fault, every
 * identity row of ir_fold.c, and folding at emission through fn->fold. Each identity
 * is also checked against ir_eval on random operand values, so a rule that changes
 * a value fails here even if it returns the ref the table expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "test_regfile.h"

#define V IR_T_void
#define I1 IR_T_i1
#define I8 IR_T_i8
#define I16 IR_T_i16
#define I32 IR_T_i32
#define I64 IR_T_i64
#define F32 IR_T_f32
#define F64 IR_T_f64
#define V16I8 IR_T_v16i8
#define V8I16 IR_T_v8i16
#define V4I32 IR_T_v4i32

static IrInst *inst(IrFunc *fn, IrRef r) { return ir_inst(fn, r); }

/* -- Constant folding: one row per op, operands all constants ---------------- */

typedef struct ConstCase {
  IrOp op;
  IrType type;
  uint32_t nargs;
  IrType at[IR_MAX_ARGS];
  uint64_t av[IR_MAX_ARGS];
  uint64_t imm;
  uint32_t aux;
  uint64_t want;
} ConstCase;

#define C2(op, t, a, b, want) {IR_OP_##op, t, 2, {t, t}, {a, b}, 0, 0, want}
#define C1(op, t, a, want) {IR_OP_##op, t, 1, {t}, {a}, 0, 0, want}
#define F64_1_5 0x3ff8000000000000ull
#define F64_2_25 0x4002000000000000ull
#define F64_3_75 0x400e000000000000ull
#define F64_4 0x4010000000000000ull
#define F64_2 0x4000000000000000ull
#define F64_1 0x3ff0000000000000ull
#define F64_M1 0xbff0000000000000ull
#define F64_2_5 0x4004000000000000ull
#define F64_M0_5 0xbfe0000000000000ull
#define F64_NAN 0x7ff8000000000000ull
#define F32_1_5 0x3fc00000ull

static const ConstCase const_cases[] = {
    /* add sub mul mulhu mulhs: modulo 2^bits, high halves */
    C2(add, I32, 0xffffffff, 2, 1),
    C2(sub, I8, 1, 2, 0xff),
    C2(mul, I16, 0x100, 0x100, 0),
    C2(mulhu, I64, ~0ull, 2, 1),
    C2(mulhs, I64, ~0ull, 2, ~0ull),
    /* logic */
    C2(and, I8, 0xf0, 0x3c, 0x30),
    C2(or, I8, 0xf0, 0x3c, 0xfc),
    C2(xor, I8, 0xf0, 0x3c, 0xcc),
    C2(andn, I8, 0xf0, 0x3c, 0xc0),
    C2(and, I1, 1, 1, 1),
    C1(not, I16, 0x00ff, 0xff00),
    C1(neg, I32, 1, 0xffffffff),
    /* shifts: no implicit masking; rotates mod bits */
    C2(shl, I32, 1, 31, 0x80000000),
    C2(shl, I32, 1, 32, 0),
    C2(lshr, I64, 0x8000000000000000ull, 63, 1),
    {IR_OP_ashr, I8, 2, {I8, I64}, {0x80, 100}, 0, 0, 0xff},
    C2(rol, I8, 0x81, 1, 0x03),
    C2(ror, I16, 0x0001, 17, 0x8000),
    {IR_OP_rcl, I8, 3, {I8, I8, I1}, {0x80, 1, 0}, 0, 0, 0x00},
    {IR_OP_rclcf, I1, 3, {I8, I8, I1}, {0x80, 1, 0}, 0, 0, 1},
    {IR_OP_rcr, I8, 3, {I8, I8, I1}, {0x01, 1, 1}, 0, 0, 0x80},
    {IR_OP_rcrcf, I1, 3, {I8, I8, I1}, {0x01, 1, 1}, 0, 0, 1},
    {IR_OP_rcl, I8, 3, {I8, I8, I1}, {0x12, 9, 1}, 0, 0, 0x12}, /* 9 mod 9 == 0 */
    /* division: TRAP with a safe divisor folds; ZERO mode's x/0 rules */
    {IR_OP_udiv, I32, 2, {I32, I32}, {7, 2}, IR_DIV_TRAP, 0, 3},
    {IR_OP_sdiv, I32, 2, {I32, I32}, {0xfffffff9, 2}, IR_DIV_TRAP, 0, 0xfffffffd},
    {IR_OP_urem, I32, 2, {I32, I32}, {7, 2}, IR_DIV_TRAP, 0, 1},
    {IR_OP_srem, I32, 2, {I32, I32}, {0xfffffff9, 2}, IR_DIV_TRAP, 0, 0xffffffff},
    {IR_OP_udiv, I32, 2, {I32, I32}, {5, 0}, IR_DIV_ZERO, 0, 0},
    {IR_OP_urem, I32, 2, {I32, I32}, {5, 0}, IR_DIV_ZERO, 0, 5},
    {IR_OP_sdiv, I32, 2, {I32, I32}, {0x80000000, 0xffffffff}, IR_DIV_ZERO, 0, 0x80000000},
    {IR_OP_srem, I32, 2, {I32, I32}, {0x80000000, 0xffffffff}, IR_DIV_ZERO, 0, 0},
    {IR_OP_udivw, I32, 3, {I32, I32, I32}, {1, 0, 2}, 0, 0, 0x80000000},
    {IR_OP_uremw, I32, 3, {I32, I32, I32}, {1, 1, 2}, 0, 0, 1},
    {IR_OP_sdivw, I8, 3, {I8, I8, I8}, {0xff, 0xfe, 2}, 0, 0, 0xff},
    {IR_OP_sremw, I8, 3, {I8, I8, I8}, {0xff, 0xfd, 2}, 0, 0, 0xff},
    /* min/max and saturation */
    C2(umin, I8, 0x80, 0x7f, 0x7f),
    C2(smin, I8, 0x80, 0x7f, 0x80),
    C2(umax, I8, 0x80, 0x7f, 0x80),
    C2(smax, I8, 0x80, 0x7f, 0x7f),
    C2(uaddsat, I8, 0xf0, 0x20, 0xff),
    C2(saddsat, I8, 0x70, 0x20, 0x7f),
    C2(usubsat, I8, 0x10, 0x20, 0),
    C2(ssubsat, I8, 0x80, 1, 0x80),
    /* bit counts */
    C1(clz, I32, 1, 31),
    C1(clz, I16, 0, 16),
    C1(ctz, I64, 0x100, 8),
    C1(popcnt, I32, 0xf0f0, 8),
    C1(bswap, I32, 0x11223344, 0x44332211),
    C1(bitrev, I8, 0x01, 0x80),
    /* flags */
    {IR_OP_addcf, I1, 3, {I8, I8, I1}, {0xff, 0, 1}, 0, 0, 1},
    {IR_OP_addof, I1, 3, {I8, I8, I1}, {0x7f, 0, 1}, 0, 0, 1},
    {IR_OP_subcf, I1, 3, {I8, I8, I1}, {0, 0, 1}, 0, 0, 1},
    {IR_OP_subof, I1, 3, {I8, I8, I1}, {0x80, 1, 0}, 0, 0, 1},
    {IR_OP_parity, I1, 1, {I32}, {0x103}, 0, 0, 1},
    /* compare, select */
    {IR_OP_cmp, I1, 2, {I32, I32}, {1, 2}, IR_PRED_ult, 0, 1},
    {IR_OP_cmp, I1, 2, {I8, I8}, {0x80, 0}, IR_PRED_slt, 0, 1},
    {IR_OP_cmp, I1, 2, {I64, I64}, {0, ~0ull}, IR_PRED_sge, 0, 1},
    {IR_OP_cmp, I1, 2, {I64, I64}, {0, ~0ull}, IR_PRED_uge, 0, 0},
    {IR_OP_select, I64, 3, {I1, I64, I64}, {0, 11, 22}, 0, 0, 22},
    /* conversions and fields */
    {IR_OP_zext, I32, 1, {I8}, {0x80}, 0, 0, 0x80},
    {IR_OP_sext, I32, 1, {I8}, {0x80}, 0, 0, 0xffffff80},
    {IR_OP_sext, I64, 1, {I1}, {1}, 0, 0, ~0ull},
    {IR_OP_trunc, I1, 1, {I64}, {3}, 0, 0, 1},
    {IR_OP_bitcast, I32, 1, {F32}, {F32_1_5}, 0, 0, F32_1_5},
    {IR_OP_extract, I32, 1, {I32}, {0x12345678}, 8, 8, 0x56},
    {IR_OP_sextract, I32, 1, {I32}, {0x0000f000}, 12, 4, 0xffffffff},
    {IR_OP_deposit, I32, 2, {I32, I8}, {0xffffffff, 0}, 8, 8, 0xffff00ff},
    /* floating point */
    {IR_OP_fadd, F64, 3, {F64, F64, I8}, {F64_1_5, F64_2_25, IR_RM_NEAREST}, 0, 0, F64_3_75},
    {IR_OP_fsqrt, F64, 2, {F64, I8}, {F64_4, IR_RM_NEAREST}, 0, 0, F64_2},
    {IR_OP_fneg, F64, 1, {F64}, {F64_1}, 0, 0, F64_M1},
    {IR_OP_fcvt, F64, 2, {F32, I8}, {F32_1_5, IR_RM_NEAREST}, 0, 0, F64_1_5},
    {IR_OP_itof, F64, 2, {I32, I8}, {0xffffffff, IR_RM_NEAREST}, IR_CVT_SIGNED, 0, F64_M1},
    {IR_OP_ftoi, I32, 2, {F64, I8}, {F64_2, IR_RM_NEAREST}, IR_CVT_SIGNED, 0, 2},
    {IR_OP_ftoi, I32, 2, {F64, I8}, {F64_M1, IR_RM_DOWN}, IR_CVT_SIGNED, 0, 0xffffffff},
    {IR_OP_fcmp, I1, 2, {F64, F64}, {F64_NAN, F64_1}, IR_PRED_funo, 0, 1},
    {IR_OP_fcmp, I1, 2, {F64, F64}, {F64_1, F64_2}, IR_PRED_folt, 0, 1},
    {IR_OP_fcmp, I1, 2, {F64, F64}, {F64_NAN, F64_NAN}, IR_PRED_foeq, 0, 0},
};

static void test_const_fold_scalar(void **state) {
  for (size_t i = 0; i < sizeof const_cases / sizeof const_cases[0]; i++) {
    const ConstCase *c = &const_cases[i];
    IrFunc *fn = ir_func_new(&test_regfile);
    IrRef args[IR_MAX_ARGS];
    for (uint32_t k = 0; k < c->nargs; k++)
      args[k] = ir_const(fn, c->at[k], c->av[k]);
    uint32_t before = fn->ninsts;
    IrRef r = ir_emit(fn, c->op, c->type, c->nargs, args, c->imm, c->aux);
    if (!ir_is_const(fn, r) || inst(fn, r)->imm != c->want || ir_typeof(fn, r) != c->type)
      fail_msg("case %zu (%s): got %s 0x%llx, want const 0x%llx", i, ir_op_info[c->op].name,
               ir_op_info[inst(fn, r)->op].name, (unsigned long long)inst(fn, r)->imm,
               (unsigned long long)c->want);
    /* Only the one new constant, placed last in the current block. */
    assert_int_equal(fn->ninsts, before + 1);
    assert_int_equal(fn->blocks[0].insts[fn->blocks[0].n - 1], r);
    ir_func_free(fn);
  }
}

static IrRef vconst(IrFunc *fn, IrType t, uint64_t lo, uint64_t hi) {
  return ir_vconst(fn, t, (IrV128){lo, hi});
}

static void expect_vconst(IrFunc *fn, IrRef r, IrType t, uint64_t lo, uint64_t hi) {
  assert_int_equal(inst(fn, r)->op, IR_OP_vconst);
  assert_int_equal(ir_typeof(fn, r), t);
  IrV128 v = fn->pool[inst(fn, r)->imm];
  assert_int_equal(v.lo, lo);
  assert_int_equal(v.hi, hi);
}

static void test_const_fold_vector(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef a = vconst(fn, V4I32, 0x0000000200000001ull, 0x00000004ffffffffull);
  IrRef b = vconst(fn, V4I32, 0x0000000100000001ull, 0x0000000100000001ull);
  expect_vconst(fn, ir_op2(fn, IR_OP_add, a, b), V4I32, 0x0000000300000002ull,
                0x0000000500000000ull);
  /* cmp on vectors: lane masks in the operand type */
  expect_vconst(fn, ir_cmp(fn, IR_PRED_eq, a, b), V4I32, 0x00000000ffffffffull, 0);
  /* shift every lane by a scalar count */
  expect_vconst(fn, ir_op2(fn, IR_OP_shl, a, ir_const(fn, I8, 4)), V4I32,
                0x0000002000000010ull, 0x00000040fffffff0ull);
  IrRef s = ir_const(fn, I16, 0xabcd);
  IrRef sp = ir_emit(fn, IR_OP_vsplat, V8I16, 1, &s, 0, 0);
  expect_vconst(fn, sp, V8I16, 0xabcdabcdabcdabcdull, 0xabcdabcdabcdabcdull);
  IrRef e = ir_emit(fn, IR_OP_vextract, I32, 1, &a, 3, 0);
  assert_true(ir_is_const(fn, e));
  assert_int_equal(inst(fn, e)->imm, 4);
  IrRef ins = ir_emit(fn, IR_OP_vinsert, V4I32, 2, (IrRef[]){a, e}, 0, 0);
  expect_vconst(fn, ins, V4I32, 0x0000000200000004ull, 0x00000004ffffffffull);
  IrRef m = ir_emit(fn, IR_OP_vmovmsk, I32, 1, &a, 0, 0);
  assert_true(ir_is_const(fn, m));
  assert_int_equal(inst(fn, m)->imm, 0x4); /* only lane 2 (0xffffffff) has its top bit */
  IrRef w = vconst(fn, V8I16, 0x0003000200010000ull, 0x8000007f00ff0100ull);
  IrRef n = ir_emit(fn, IR_OP_vnarrow, V16I8, 2, (IrRef[]){w, w}, IR_NARROW_USAT, 0);
  /* usat: signed 16-bit lanes clamp to 0..255 (0x0100 -> ff, 0x8000 -> 0) */
  expect_vconst(fn, n, V16I8, 0x007fffff03020100ull, 0x007fffff03020100ull);
  ir_func_free(fn);
}

/* -- No folding of what would fault -------------------------------------------- */

static void expect_not_folded(IrOp op, IrType t, uint32_t nargs, const uint64_t *v,
                              uint64_t imm) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef args[IR_MAX_ARGS];
  for (uint32_t k = 0; k < nargs; k++)
    args[k] = ir_const(fn, t, v[k]);
  IrRef r = ir_emit(fn, op, t, nargs, args, imm, 0);
  assert_int_equal(inst(fn, r)->op, op);
  assert_int_equal(inst(fn, r)->nargs, nargs);
  ir_func_free(fn);
}

static void test_no_fold_of_faults(void **state) {
  expect_not_folded(IR_OP_udiv, I64, 2, (uint64_t[]){7, 0}, IR_DIV_TRAP);
  expect_not_folded(IR_OP_urem, I64, 2, (uint64_t[]){7, 0}, IR_DIV_TRAP);
  expect_not_folded(IR_OP_sdiv, I32, 2, (uint64_t[]){0x80000000, 0xffffffff}, IR_DIV_TRAP);
  expect_not_folded(IR_OP_srem, I8, 2, (uint64_t[]){0x80, 0xff}, IR_DIV_TRAP);
  expect_not_folded(IR_OP_udivw, I32, 3, (uint64_t[]){2, 0, 2}, 0); /* quotient too big */
  expect_not_folded(IR_OP_sdivw, I8, 3, (uint64_t[]){0, 0x80, 1}, 0); /* 128 > 127 */
  expect_not_folded(IR_OP_udivw, I32, 3, (uint64_t[]){0, 5, 0}, 0);

  /* A variable divided by constant zero must stay: it raises at run time. */
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef x = ir_get(fn, T_R0);
  IrRef r = ir_div(fn, IR_OP_udiv, x, ir_const(fn, I64, 0), IR_DIV_TRAP);
  assert_int_equal(inst(fn, r)->op, IR_OP_udiv);
  ir_func_free(fn);
}

/* FP ops whose value or flags the FP environment decides stay: a flag the
 * guest could read (inexact, divide by zero, invalid, a signalling compare of
 * a quiet NaN), a denormal operand or result (DAZ / FTZ change it). */
static void test_no_fold_of_fp_env(void **state) {
  static const ConstCase cases[] = {
      {IR_OP_ftoi, I32, 2, {F64, I8}, {F64_2_5, IR_RM_NEAREST}, IR_CVT_SIGNED, 0, 0}, /* inexact */
      {IR_OP_ftoi, I32, 2, {F64, I8}, {F64_NAN, IR_RM_NEAREST}, IR_CVT_SIGNED, 0, 0}, /* invalid */
      {IR_OP_fdiv, F64, 3, {F64, F64, I8}, {F64_1, 0, IR_RM_NEAREST}, 0, 0, 0},        /* divzero */
      {IR_OP_fdiv, F64, 3, {F64, F64, I8}, {F64_1, 0x4008000000000000ull, IR_RM_NEAREST}, 0, 0, 0},
      {IR_OP_fadd, F64, 3, {F64, F64, I8}, {1, 0, IR_RM_NEAREST}, 0, 0, 0},            /* denormal in */
      {IR_OP_fmul, F64, 3, {F64, F64, I8}, {0x0010000000000000ull, 0x3fe0000000000000ull,
                                            IR_RM_NEAREST}, 0, 0, 0},                 /* denormal out */
      {IR_OP_fcmps, I1, 2, {F64, F64}, {F64_NAN, F64_1}, IR_PRED_funo, 0, 0},         /* invalid */
      {IR_OP_fcmp, I1, 2, {F64, F64}, {0x7ff0000000000001ull, F64_1}, IR_PRED_funo, 0, 0}, /* sNaN */
      {IR_OP_fround, F64, 2, {F64, I8}, {F64_2_5, IR_RM_NEAREST}, IR_ROUND_INEXACT, 0, 0},
  };
  uint32_t env = ir_fenv_host_get();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const ConstCase *c = &cases[i];
    IrFunc *fn = ir_func_new(&test_regfile);
    IrRef args[IR_MAX_ARGS];
    for (uint32_t k = 0; k < c->nargs; k++)
      args[k] = ir_const(fn, c->at[k], c->av[k]);
    IrRef r = ir_emit(fn, c->op, c->type, c->nargs, args, c->imm, c->aux);
    if (inst(fn, r)->op != c->op)
      fail_msg("case %zu (%s) was folded", i, ir_op_info[c->op].name);
    ir_func_free(fn);
  }
  /* The folder's trials leave the thread's environment as it was. */
  assert_int_equal(ir_fenv_host_get(), env);
  /* Without a flag, rounding without inexact folds (2.5 -> 2, ties to even). */
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef r = ir_op2(fn, IR_OP_fround, ir_const(fn, F64, F64_2_5), ir_const(fn, I8, IR_RM_NEAREST));
  assert_true(ir_is_const(fn, r));
  assert_int_equal(inst(fn, r)->imm, F64_2);
  ir_func_free(fn);
}

/* -- Identities ------------------------------------------------------------------ */

/* Operand specs: x/y variables of the operand type (gets), c an i1 variable, 0 1 m
 * constants 0, 1, all ones, T/F constant true/false (i1). Expectation: x or y the
 * variable, B operand 1 itself, Z a new constant 0, O a new constant 1, E a new
 * cast of operand 1, - not folded. */
typedef struct IdCase {
  IrOp op;
  IrType type;
  const char *spec;
  IrType at[IR_MAX_ARGS];
  uint64_t imm;
  uint32_t aux;
  char want;
} IdCase;

#define ID2(op, t, spec, want) {IR_OP_##op, t, spec, {t, t}, 0, 0, want}
static const IdCase id_cases[] = {
    ID2(add, I64, "x0", 'x'),      ID2(add, I32, "0x", 'x'), /* commuted */
    ID2(sub, I64, "x0", 'x'),      ID2(sub, I64, "0x", '-'), /* not commutative */
    ID2(or, I16, "x0", 'x'),       ID2(xor, I8, "x0", 'x'),
    ID2(andn, I64, "x0", 'x'),     ID2(and, I64, "xm", 'x'),
    ID2(and, I1, "xT", 'x'),       ID2(and, I32, "x0", 'B'),
    ID2(and, I64, "x1", '-'),      ID2(or, I8, "xm", 'B'),
    ID2(or, I64, "mx", 'B'),       ID2(mul, I64, "x1", 'x'),
    ID2(mul, I32, "1x", 'x'),      ID2(mul, I64, "x0", 'B'),
    ID2(sub, I64, "xx", 'Z'),      ID2(xor, I32, "xx", 'Z'),
    ID2(andn, I64, "xx", 'Z'),     ID2(and, I64, "xx", 'x'),
    ID2(or, I64, "xx", 'x'),       ID2(umin, I64, "xx", 'x'),
    ID2(umax, I64, "xx", 'x'),     ID2(smin, I64, "xx", 'x'),
    ID2(smax, I64, "xx", 'x'),     ID2(sub, I64, "xy", '-'),
    ID2(sub, V4I32, "xx", 'Z'),    ID2(and, V4I32, "xx", 'x'),
    {IR_OP_shl, I64, "x0", {I64, I8}, 0, 0, 'x'},
    {IR_OP_lshr, I32, "x0", {I32, I64}, 0, 0, 'x'},
    {IR_OP_ashr, I8, "x0", {I8, I8}, 0, 0, 'x'},
    {IR_OP_rol, I16, "x0", {I16, I8}, 0, 0, 'x'},
    {IR_OP_ror, I64, "x0", {I64, I8}, 0, 0, 'x'},
    {IR_OP_shl, V4I32, "x0", {V4I32, I8}, 0, 0, 'x'},
    {IR_OP_shl, I64, "x1", {I64, I8}, 0, 0, '-'},
    {IR_OP_select, I64, "Txy", {I1, I64, I64}, 0, 0, 'x'},
    {IR_OP_select, I64, "Fxy", {I1, I64, I64}, 0, 0, 'y'},
    {IR_OP_select, I64, "cxx", {I1, I64, I64}, 0, 0, 'x'},
    {IR_OP_select, V4I32, "Fxx", {I1, V4I32, V4I32}, 0, 0, 'x'},
    {IR_OP_select, I64, "cxy", {I1, I64, I64}, 0, 0, '-'},
    {IR_OP_addcf, I1, "x00", {I64, I64, I1}, 0, 0, 'Z'},
    {IR_OP_addof, I1, "x00", {I32, I32, I1}, 0, 0, 'Z'},
    {IR_OP_subcf, I1, "x00", {I8, I8, I1}, 0, 0, 'Z'},
    {IR_OP_subof, I1, "x00", {I16, I16, I1}, 0, 0, 'Z'},
    {IR_OP_subcf, I1, "x01", {I8, I8, I1}, 0, 0, '-'},
    {IR_OP_deposit, I64, "xy", {I64, I64}, 0, 64, 'y'},
    {IR_OP_deposit, I64, "xy", {I64, I32}, 0, 64, 'E'}, /* zext of the field */
    {IR_OP_deposit, I32, "xy", {I32, I64}, 0, 32, 'E'}, /* trunc of the field */
    {IR_OP_deposit, I64, "xy", {I64, I64}, 0, 63, '-'},
    {IR_OP_extract, I64, "x", {I64}, 0, 64, 'x'},
    {IR_OP_sextract, I32, "x", {I32}, 0, 32, 'x'},
    {IR_OP_extract, I64, "x", {I64}, 1, 63, '-'},
};

/* The first slots of each type, for variables x and y. */
static uint32_t var_slot(IrType t, bool second) {
  switch (t) {
  case IR_T_i1: return second ? T_ZF : T_CF;
  case IR_T_i8: return T_B0;
  case IR_T_i16: return T_H0;
  case IR_T_i32: return T_W0;
  case IR_T_i64: return second ? T_R1 : T_R0;
  case IR_T_v16i8: return T_V0;
  case IR_T_v4i32: return T_V1;
  case IR_T_v2i64: return T_V2;
  default: fail_msg("no variable slot of type %s", ir_type_info[t].name); return 0;
  }
}

/* Evaluate a pure expression with ir_eval, gets reading `slot_vals`. */
static IrValue eval_ref(const IrFunc *fn, IrRef r, const IrValue *slot_vals) {
  const IrInst *in = &fn->insts[r];
  IrValue out;
  memset(&out, 0, sizeof out);
  if (in->op == IR_OP_const) {
    out.u64 = in->imm;
  } else if (in->op == IR_OP_vconst) {
    out.v = fn->pool[in->imm];
  } else if (in->op == IR_OP_get) {
    out = slot_vals[in->imm];
    unsigned bits = ir_type_bits((IrType)in->type);
    if (!ir_type_is_vec((IrType)in->type) && bits < 64)
      out.u64 &= (1ull << bits) - 1;
  } else {
    IrValue args[IR_MAX_ARGS];
    IrType at[IR_MAX_ARGS];
    for (unsigned k = 0; k < in->nargs; k++) {
      args[k] = eval_ref(fn, in->args[k], slot_vals);
      at[k] = ir_typeof(fn, in->args[k]);
    }
    assert_true(ir_eval((IrOp)in->op, (IrType)in->type, at, args, in->nargs, in->imm, in->aux,
                        &out));
  }
  return out;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  /* Mix in the edge values identities most often get wrong. */
  static const uint64_t edges[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull};
  return ((rng_state >> 8) & 7) < 3 ? edges[(rng_state >> 11) % 5] : rng_state;
}

/* The folded ref computes what the unfolded instruction would, for many inputs. */
static void expect_agrees(const IrFunc *fn, IrRef got, const IrInst *orig) {
  for (int round = 0; round < 200; round++) {
    IrValue slots[64];
    for (unsigned s = 0; s < test_regfile.count; s++) {
      slots[s].v.lo = rnd();
      slots[s].v.hi = rnd();
    }
    IrValue want;
    IrValue args[IR_MAX_ARGS];
    IrType at[IR_MAX_ARGS];
    memset(&want, 0, sizeof want);
    for (unsigned k = 0; k < orig->nargs; k++) {
      args[k] = eval_ref(fn, orig->args[k], slots);
      at[k] = ir_typeof(fn, orig->args[k]);
    }
    assert_true(ir_eval((IrOp)orig->op, (IrType)orig->type, at, args, orig->nargs, orig->imm,
                        orig->aux, &want));
    IrValue have = eval_ref(fn, got, slots);
    if (ir_type_is_vec((IrType)orig->type)) {
      assert_int_equal(have.v.lo, want.v.lo);
      assert_int_equal(have.v.hi, want.v.hi);
    } else {
      assert_int_equal(have.u64, want.u64);
    }
  }
}

static IrRef spec_operand(IrFunc *fn, char spec, IrType t) {
  switch (spec) {
  case 'x': return ir_get(fn, var_slot(t, false));
  case 'y': return ir_get(fn, var_slot(t, true));
  case 'c': return ir_get(fn, T_CF);
  case '0': return ir_const(fn, t, 0);
  case '1': return ir_const(fn, t, 1);
  case 'm': return ir_const(fn, t, ~0ull);
  case 'T': return ir_const(fn, IR_T_i1, 1);
  case 'F': return ir_const(fn, IR_T_i1, 0);
  default: fail_msg("bad spec %c", spec); return 0;
  }
}

static void test_identities(void **state) {
  for (size_t i = 0; i < sizeof id_cases / sizeof id_cases[0]; i++) {
    const IdCase *c = &id_cases[i];
    IrFunc *fn = ir_func_new(&test_regfile);
    uint32_t nargs = (uint32_t)strlen(c->spec);
    IrRef args[IR_MAX_ARGS], x = IR_NONE, y = IR_NONE;
    for (uint32_t k = 0; k < nargs; k++) {
      /* the same variable letter twice is one value */
      if (c->spec[k] == 'x' && x) {
        args[k] = x;
        continue;
      }
      args[k] = spec_operand(fn, c->spec[k], c->at[k]);
      if (c->spec[k] == 'x')
        x = args[k];
      if (c->spec[k] == 'y')
        y = args[k];
    }
    uint32_t before = fn->ninsts;
    IrRef got = ir_emit(fn, c->op, c->type, nargs, args, c->imm, c->aux);
    const char *name = ir_op_info[c->op].name;
    switch (c->want) {
    case 'x':
    case 'y':
      if (got != (c->want == 'x' ? x : y))
        fail_msg("case %zu (%s %s): not folded to %c", i, name, c->spec, c->want);
      assert_int_equal(fn->ninsts, before);
      break;
    case 'B':
      if (got != args[strcspn(c->spec, "01m")])
        fail_msg("case %zu (%s %s): not folded to its constant", i, name, c->spec);
      break;
    case 'Z':
      if (inst(fn, got)->op != (ir_type_is_vec(c->type) ? IR_OP_vconst : IR_OP_const))
        fail_msg("case %zu (%s %s): not folded to a constant", i, name, c->spec);
      assert_int_equal(ir_typeof(fn, got), c->type);
      break;
    case 'E':
      assert_true(inst(fn, got)->op == IR_OP_zext || inst(fn, got)->op == IR_OP_trunc);
      assert_int_equal(inst(fn, got)->args[0], args[1]);
      assert_int_equal(ir_typeof(fn, got), c->type);
      break;
    case '-':
      if (inst(fn, got)->op != c->op || got != fn->ninsts - 1)
        fail_msg("case %zu (%s %s): folded but should not be", i, name, c->spec);
      break;
    }
    IrInst orig = {.op = (uint16_t)c->op, .type = (uint8_t)c->type, .nargs = (uint8_t)nargs,
                   .imm = c->imm, .aux = c->aux};
    memcpy(orig.args, args, sizeof args);
    expect_agrees(fn, got, &orig);
    ir_func_free(fn);
  }
}

/* cmp x, x for every predicate: known for scalars, left alone for vectors. */
static void test_cmp_self(void **state) {
  static const uint8_t want[] = {[IR_PRED_eq] = 1, [IR_PRED_ne] = 0,  [IR_PRED_ult] = 0,
                                 [IR_PRED_ule] = 1, [IR_PRED_ugt] = 0, [IR_PRED_uge] = 1,
                                 [IR_PRED_slt] = 0, [IR_PRED_sle] = 1, [IR_PRED_sgt] = 0,
                                 [IR_PRED_sge] = 1};
  for (unsigned p = IR_PRED_eq; p <= IR_PRED_sge; p++) {
    IrFunc *fn = ir_func_new(&test_regfile);
    IrRef x = ir_get(fn, T_W0);
    IrRef r = ir_cmp(fn, (IrPred)p, x, x);
    assert_true(ir_is_const(fn, r));
    assert_int_equal(ir_typeof(fn, r), I1);
    assert_int_equal(inst(fn, r)->imm, want[p]);
    IrInst orig = {.op = IR_OP_cmp, .type = I1, .nargs = 2, .args = {x, x}, .imm = p};
    expect_agrees(fn, r, &orig);

    IrRef v = ir_get(fn, T_V1);
    IrRef vr = ir_cmp(fn, (IrPred)p, v, v);
    assert_int_equal(ir_typeof(fn, vr), V4I32); /* never an i1 constant */
    assert_int_equal(inst(fn, vr)->op, IR_OP_cmp);
    ir_func_free(fn);
  }
}

static void test_trunc_of_ext(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef b = ir_get(fn, T_B0);
  IrRef z = ir_cast(fn, IR_OP_zext, I64, b);
  IrRef s = ir_cast(fn, IR_OP_sext, I32, b);
  assert_int_equal(inst(fn, z)->op, IR_OP_zext);
  assert_int_equal(ir_cast(fn, IR_OP_trunc, I8, z), b);
  assert_int_equal(ir_cast(fn, IR_OP_trunc, I8, s), b);
  /* to another width it stays a trunc */
  IrRef t = ir_cast(fn, IR_OP_trunc, I16, z);
  assert_int_equal(inst(fn, t)->op, IR_OP_trunc);
  IrInst orig = {.op = IR_OP_trunc, .type = I8, .nargs = 1, .args = {z}};
  expect_agrees(fn, b, &orig);
  ir_func_free(fn);
}

/* -- Flags of a subtraction become compares ------------------------------------------ */

/* The conditions frontends build from the flags of a - b (Arm's a64_cond, x86's
 * jcc), each folded at emission to one cmp of a and b with predicate `want`. */
enum { EQ, NE, HS, LO, HI, LS, GE, LT, GT, LE, X86_BE, X86_LE, NCONDS };
static IrRef flag_cond(IrFunc *fn, unsigned cond, IrRef a, IrRef b) {
  IrType t = ir_typeof(fn, a);
  IrRef zero = ir_const(fn, t, 0), no = ir_const(fn, I1, 0), one = ir_const(fn, I1, 1);
  IrRef d = ir_op2(fn, IR_OP_sub, a, b);
  IrRef cf = ir_flag(fn, IR_OP_subcf, a, b, no), of = ir_flag(fn, IR_OP_subof, a, b, no);
  IrRef z = ir_cmp(fn, IR_PRED_eq, d, zero), n = ir_cmp(fn, IR_PRED_slt, d, zero);
  IrRef c = ir_op2(fn, IR_OP_xor, cf, one), lt = ir_op2(fn, IR_OP_xor, n, of);
  IrRef ge = ir_op1(fn, IR_OP_not, lt), hi = ir_op2(fn, IR_OP_andn, c, z);
  IrRef gt = ir_op2(fn, IR_OP_andn, ge, z);
  switch (cond) {
  case EQ: return z;
  case NE: return ir_op2(fn, IR_OP_xor, z, one);
  case HS: return c;
  case LO: return ir_op2(fn, IR_OP_xor, c, one);
  case HI: return hi;
  case LS: return ir_op2(fn, IR_OP_xor, hi, one);
  case GE: return ge;
  case LT: return lt;
  case GT: return gt;
  case LE: return ir_op2(fn, IR_OP_xor, gt, one);
  case X86_BE: return ir_op2(fn, IR_OP_or, cf, z);
  default: return ir_op2(fn, IR_OP_or, z, lt); /* X86_LE */
  }
}

static void test_flag_conditions(void **state) {
  static const IrPred want[NCONDS] = {IR_PRED_eq,  IR_PRED_ne,  IR_PRED_uge, IR_PRED_ult,
                                      IR_PRED_ugt, IR_PRED_ule, IR_PRED_sge, IR_PRED_slt,
                                      IR_PRED_sgt, IR_PRED_sle, IR_PRED_ule, IR_PRED_sle};
  static const uint64_t vals[] = {0, 1, 2, 0x7f, 0x80, 0x7fffffff, 0x80000000, 0xffffffff,
                                  0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 12345};
  for (unsigned w = 0; w < 2; w++)
    for (unsigned cond = 0; cond < NCONDS; cond++) {
      IrFunc *fn = ir_func_new(&test_regfile);
      IrRef a = w ? ir_get(fn, T_R0) : ir_get(fn, T_W0);
      IrRef b = w ? ir_get(fn, T_R1) : ir_cast(fn, IR_OP_trunc, I32, ir_get(fn, T_R1));
      IrRef r = flag_cond(fn, cond, a, b);
      const IrInst *in = inst(fn, r);
      if (in->op != IR_OP_cmp || in->imm != want[cond] || in->args[0] != a || in->args[1] != b)
        fail_msg("condition %u (i%u): %s.%u, not cmp.%s a, b", cond, w ? 64 : 32,
                 ir_op_info[in->op].name, (unsigned)in->imm, ir_pred_name[want[cond]]);
      /* the predicate is the condition's meaning: the flags worked out by hand */
      unsigned bits = w ? 64 : 32;
      uint64_t m = w ? ~0ull : 0xffffffffull, sign = 1ull << (bits - 1);
      for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++) {
          uint64_t x = vals[i] & m, y = vals[j] & m, dd = (x - y) & m;
          bool Z = dd == 0, N = dd & sign, C = x >= y, V = ((x ^ y) & (x ^ dd)) & sign;
          bool truth[NCONDS] = {Z, !Z, C, !C, C && !Z, !(C && !Z), N == V, N != V,
                                !Z && N == V, !(!Z && N == V), !C || Z, Z || N != V};
          IrValue args[2] = {{.u64 = x}, {.u64 = y}}, out = {0};
          IrType at[2] = {w ? I64 : I32, w ? I64 : I32};
          assert_true(ir_eval(IR_OP_cmp, I1, at, args, 2, want[cond], 0, &out));
          if ((out.u64 & 1) != truth[cond])
            fail_msg("condition %u (i%u) on %#llx, %#llx: cmp.%s says %u", cond, bits,
                     (unsigned long long)x, (unsigned long long)y, ir_pred_name[want[cond]],
                     (unsigned)(out.u64 & 1));
        }
      ir_func_free(fn);
    }
}

/* -- Folding at emission ------------------------------------------------------------ */

static void test_fold_at_emission(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  assert_true(fn->fold); /* on by default */
  IrRef x = ir_get(fn, T_R0);
  IrRef zero = ir_const(fn, I64, 0);
  assert_int_equal(ir_op2(fn, IR_OP_add, x, zero), x);
  /* constants chain: (3 + 4) * 2 becomes one constant 14, emitted in order */
  IrRef c = ir_op2(fn, IR_OP_mul, ir_op2(fn, IR_OP_add, ir_const(fn, I64, 3), ir_const(fn, I64, 4)),
                   ir_const(fn, I64, 2));
  assert_true(ir_is_const(fn, c));
  assert_int_equal(inst(fn, c)->imm, 14);
  IrRef sum = ir_op2(fn, IR_OP_add, x, c);
  ir_set(fn, T_R1, sum);
  ir_exit(fn, 0x10);
  char err[256];
  assert_true(ir_validate(fn, err, sizeof err));
  ir_func_free(fn);

  /* With fn->fold off, the builder emits exactly what it is given. */
  fn = ir_func_new(&test_regfile);
  fn->fold = false;
  x = ir_get(fn, T_R0);
  zero = ir_const(fn, I64, 0);
  IrRef add = ir_op2(fn, IR_OP_add, x, zero);
  assert_int_equal(inst(fn, add)->op, IR_OP_add);
  IrRef k = ir_op2(fn, IR_OP_add, zero, zero);
  assert_int_equal(inst(fn, k)->op, IR_OP_add);
  ir_func_free(fn);
}

/* State, memory, calls and control never fold, even with constant operands. */
static void test_no_fold_of_effects(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef a = ir_const(fn, I64, 0x1000);
  assert_int_equal(inst(fn, ir_load(fn, I64, a, 0))->op, IR_OP_load);
  IrRef g1 = ir_get(fn, T_R0), g2 = ir_get(fn, T_R0);
  assert_int_not_equal(g1, g2); /* get forwarding is the forward pass's job */
  assert_int_equal(ir_fold(fn, IR_OP_set, V, 1, &a, T_R0, 0), IR_NONE);
  assert_int_equal(ir_fold(fn, IR_OP_store, V, 2, (IrRef[]){a, a}, 0, 0), IR_NONE);
  assert_int_equal(ir_fold(fn, IR_OP_exiti, V, 1, &a, 0, 0), IR_NONE);
  ir_func_free(fn);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_const_fold_scalar),  cmocka_unit_test(test_const_fold_vector),
      cmocka_unit_test(test_no_fold_of_faults),  cmocka_unit_test(test_identities),
      cmocka_unit_test(test_cmp_self),           cmocka_unit_test(test_trunc_of_ext),
      cmocka_unit_test(test_fold_at_emission),   cmocka_unit_test(test_no_fold_of_effects),
      cmocka_unit_test(test_flag_conditions),   cmocka_unit_test(test_no_fold_of_fp_env),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
