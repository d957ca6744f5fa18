/* bl_lower_bits.c — flags (carry / overflow of add and subtract with a carry
 * in, parity), integer compare, select, casts and bit fields, as plain LLVM
 * arithmetic and compares (LLVM turns the carry patterns into adc / setc). */
#include "bl_int.h"

static LLVMValueRef A(BlCtx *c, const IrInst *in, unsigned k) { return bl_v(c, in->args[k]); }

/* -- Flags ---------------------------------------------------------------------------- */

/* Operands a, b (type U) and the carry / borrow in, widened to U. */
static void flag_args(BlCtx *c, const IrInst *in, LLVMValueRef *a, LLVMValueRef *b,
                      LLVMValueRef *cin) {
  *a = A(c, in, 0), *b = A(c, in, 1);
  *cin = LLVMBuildZExt(c->b, A(c, in, 2), LLVMTypeOf(*a), "");
}

static LLVMValueRef is_neg(BlCtx *c, LLVMValueRef v) {
  return LLVMBuildICmp(c->b, LLVMIntSLT, v, LLVMConstNull(LLVMTypeOf(v)), "");
}

/* Carry / overflow of a op b without a carry in (compares, adds, subs): LLVM's
 * *.with.overflow intrinsic `name`, which x86 gets from the one add or sub that
 * also gives the result and the flags of compares on it. False: a carry in. */
static bool no_carry_in(BlCtx *c, IrRef r, const IrInst *in, const char *name) {
  uint64_t cin;
  if (!bl_is_const(c, in->args[2], &cin) || (cin & 1))
    return false;
  LLVMValueRef args[2] = {A(c, in, 0), A(c, in, 1)};
  LLVMTypeRef t = LLVMTypeOf(args[0]);
  LLVMValueRef s = bl_intrinsic(c, name, &t, 1, args, 2);
  bl_def(c, r, LLVMBuildExtractValue(c->b, s, 1, ""));
  return true;
}

void bl_lower_addcf(BlCtx *c, IrRef r, const IrInst *in) {
  if (no_carry_in(c, r, in, "llvm.uadd.with.overflow"))
    return;
  LLVMValueRef a, b, cin;
  flag_args(c, in, &a, &b, &cin);
  LLVMValueRef s1 = LLVMBuildAdd(c->b, a, b, ""), s2 = LLVMBuildAdd(c->b, s1, cin, "");
  LLVMValueRef c1 = LLVMBuildICmp(c->b, LLVMIntULT, s1, a, "");
  LLVMValueRef c2 = LLVMBuildICmp(c->b, LLVMIntULT, s2, s1, "");
  bl_def(c, r, LLVMBuildOr(c->b, c1, c2, ""));
}

/* Signed overflow of a + b + cin: a and b agree in sign and the sum does not. */
void bl_lower_addof(BlCtx *c, IrRef r, const IrInst *in) {
  if (no_carry_in(c, r, in, "llvm.sadd.with.overflow"))
    return;
  LLVMValueRef a, b, cin;
  flag_args(c, in, &a, &b, &cin);
  LLVMValueRef s = LLVMBuildAdd(c->b, LLVMBuildAdd(c->b, a, b, ""), cin, "");
  LLVMValueRef x = LLVMBuildAnd(c->b, LLVMBuildXor(c->b, a, s, ""), LLVMBuildXor(c->b, b, s, ""), "");
  bl_def(c, r, is_neg(c, x));
}

/* Borrow of a - b - bin: a < b, or a == b with a borrow in. */
void bl_lower_subcf(BlCtx *c, IrRef r, const IrInst *in) {
  if (no_carry_in(c, r, in, "llvm.usub.with.overflow"))
    return;
  LLVMValueRef a = A(c, in, 0), b = A(c, in, 1), bin = A(c, in, 2);
  LLVMValueRef lt = LLVMBuildICmp(c->b, LLVMIntULT, a, b, "");
  LLVMValueRef eq = LLVMBuildICmp(c->b, LLVMIntEQ, a, b, "");
  bl_def(c, r, LLVMBuildOr(c->b, lt, LLVMBuildAnd(c->b, eq, bin, ""), ""));
}

/* Signed overflow of a - b - bin: a and b differ in sign and a and the
 * difference differ too. */
void bl_lower_subof(BlCtx *c, IrRef r, const IrInst *in) {
  if (no_carry_in(c, r, in, "llvm.ssub.with.overflow"))
    return;
  LLVMValueRef a, b, bin;
  flag_args(c, in, &a, &b, &bin);
  LLVMValueRef d = LLVMBuildSub(c->b, LLVMBuildSub(c->b, a, b, ""), bin, "");
  LLVMValueRef x = LLVMBuildAnd(c->b, LLVMBuildXor(c->b, a, b, ""), LLVMBuildXor(c->b, a, d, ""), "");
  bl_def(c, r, is_neg(c, x));
}

void bl_lower_parity(BlCtx *c, IrRef r, const IrInst *in) {
  LLVMValueRef lo = bl_zext_to(c, A(c, in, 0), c->i8);
  LLVMValueRef n = bl_intrinsic(c, "llvm.ctpop", &c->i8, 1, &lo, 1);
  LLVMValueRef odd = LLVMBuildAnd(c->b, n, LLVMConstInt(c->i8, 1, false), "");
  bl_def(c, r, LLVMBuildICmp(c->b, LLVMIntEQ, odd, LLVMConstInt(c->i8, 0, false), ""));
}

/* -- Compare, select ------------------------------------------------------------------- */

static const LLVMIntPredicate int_pred[IR_PRED_sge + 1] = {
    [IR_PRED_eq] = LLVMIntEQ,   [IR_PRED_ne] = LLVMIntNE,   [IR_PRED_ult] = LLVMIntULT,
    [IR_PRED_ule] = LLVMIntULE, [IR_PRED_ugt] = LLVMIntUGT, [IR_PRED_uge] = LLVMIntUGE,
    [IR_PRED_slt] = LLVMIntSLT, [IR_PRED_sle] = LLVMIntSLE, [IR_PRED_sgt] = LLVMIntSGT,
    [IR_PRED_sge] = LLVMIntSGE};

/* Scalars give i1; vectors a lane mask of the operand type. */
void bl_lower_cmp(BlCtx *c, IrRef r, const IrInst *in) {
  LLVMValueRef v = LLVMBuildICmp(c->b, int_pred[in->imm], A(c, in, 0), A(c, in, 1), "");
  if (ir_type_is_vec((IrType)in->type))
    v = LLVMBuildSExt(c->b, v, bl_lt(c, (IrType)in->type), "");
  bl_def(c, r, v);
}

void bl_lower_select(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildSelect(c->b, A(c, in, 0), A(c, in, 1), A(c, in, 2), ""));
}

/* -- Casts ------------------------------------------------------------------------------ */

void bl_lower_zext(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildZExt(c->b, A(c, in, 0), bl_lt(c, (IrType)in->type), ""));
}
void bl_lower_sext(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildSExt(c->b, A(c, in, 0), bl_lt(c, (IrType)in->type), ""));
}
void bl_lower_trunc(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildTrunc(c->b, A(c, in, 0), bl_lt(c, (IrType)in->type), ""));
}
void bl_lower_bitcast(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildBitCast(c->b, A(c, in, 0), bl_lt(c, (IrType)in->type), ""));
}

/* -- Bit fields (imm = lsb, aux = width; lsb + width <= bits) --------------------------- */

static uint64_t mask_of(unsigned width) { return width >= 64 ? ~0ull : (1ull << width) - 1; }

void bl_lower_extract(BlCtx *c, IrRef r, const IrInst *in) {
  LLVMTypeRef t = bl_lt(c, (IrType)in->type);
  LLVMValueRef v = LLVMBuildLShr(c->b, A(c, in, 0), LLVMConstInt(t, in->imm, false), "");
  bl_def(c, r, LLVMBuildAnd(c->b, v, LLVMConstInt(t, mask_of(in->aux), false), ""));
}

void bl_lower_sextract(BlCtx *c, IrRef r, const IrInst *in) {
  LLVMTypeRef t = bl_lt(c, (IrType)in->type);
  unsigned bits = ir_type_bits((IrType)in->type);
  LLVMValueRef v = LLVMBuildShl(c->b, A(c, in, 0), LLVMConstInt(t, bits - in->imm - in->aux, false), "");
  bl_def(c, r, LLVMBuildAShr(c->b, v, LLVMConstInt(t, bits - in->aux, false), ""));
}

void bl_lower_deposit(BlCtx *c, IrRef r, const IrInst *in) {
  LLVMTypeRef t = bl_lt(c, (IrType)in->type);
  uint64_t m = mask_of(in->aux) << in->imm;
  LLVMValueRef f = bl_zext_to(c, A(c, in, 1), t);
  f = LLVMBuildAnd(c->b, LLVMBuildShl(c->b, f, LLVMConstInt(t, in->imm, false), ""),
                   LLVMConstInt(t, m, false), "");
  LLVMValueRef base = LLVMBuildAnd(c->b, A(c, in, 0), LLVMConstInt(t, ~m, false), "");
  bl_def(c, r, LLVMBuildOr(c->b, base, f, ""));
}
