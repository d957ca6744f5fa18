/* bl_lower_fp.c — floating point, bit-exact with the IR (and so with x86 SSE).
 *
 * LLVM's fadd & co. do not keep the IR's NaN rule (the first NaN operand,
 * quieted): they may commute operands, fold x*1.0 to x (an SNaN stays
 * signalling) and constant-fold invalid operations to a positive default NaN
 * where x86 gives the negative one. So the arithmetic that produces NaNs or
 * rounds — fadd fsub fmul fdiv fsqrt, fcvt, fround, ftoi — is SSE inline asm
 * (VEX three-operand forms when the host has AVX), opaque to LLVM's folds but
 * still pure (no side effects: CSE and dead-code removal apply). Ops that only
 * move bits or compare (fneg, fabs, fcmp) and int -> float conversions (exact
 * or rounded once, no NaN) are plain LLVM.
 *
 * Rounding operand: JIT code runs with the host MXCSR at its default
 * (round to nearest, exceptions masked), as backend_fast's does. A constant
 * IR_RM_NEAREST (or an exact operation) takes the fast path; a run-time mode
 * tests (rm & 3) == 0 for the fast path and otherwise evaluates through
 * bl_h_eval (ir_eval sets the host rounding mode); other constant modes go to
 * bl_h_eval too, except fround and ftoi, whose instructions take the mode as
 * an immediate (roundsd) or are truncating (cvtt*). fma is FMA3's vfmadd213
 * when the host has it (rounded once, NaN order as the IR's), else bl_h_eval. */
#include <stdio.h>

#include "bl_int.h"

static LLVMValueRef A(BlCtx *c, const IrInst *in, unsigned k) { return bl_v(c, in->args[k]); }

static bool host_avx(void) { return __builtin_cpu_supports("avx"); }
static bool host_sse41(void) { return __builtin_cpu_supports("sse4.1"); }
static bool host_fma(void) { return host_avx() && __builtin_cpu_supports("fma"); }

/* SSE suffix per type: scalar single/double, packed single/double. */
static const char *suffix(IrType t) {
  switch (t) {
  case IR_T_f32: return "ss";
  case IR_T_f64: return "sd";
  case IR_T_v4f32: return "ps";
  default: return "pd";
  }
}

/* `op a, b` in Intel operand order (a first): x86 returns a's NaN first. */
static LLVMValueRef sse_binary(BlCtx *c, const char *op, IrType t, LLVMValueRef a, LLVMValueRef b) {
  char text[48];
  LLVMValueRef args[2] = {a, b};
  if (host_avx()) {
    snprintf(text, sizeof text, "v%s%s $2, $1, $0", op, suffix(t));
    return bl_asm(c, bl_lt(c, t), text, "=x,x,x", args, 2, false);
  }
  snprintf(text, sizeof text, "%s%s $2, $0", op, suffix(t));
  return bl_asm(c, bl_lt(c, t), text, "=x,0,x", args, 2, false);
}

/* `text` with one register operand in and one out (conversions, sqrt). */
static LLVMValueRef sse_unary(BlCtx *c, const char *text, LLVMTypeRef out, const char *cons,
                              LLVMValueRef a) {
  return bl_asm(c, out, text, cons, &a, 1, false);
}

/* The constant rounding mode of operand k (0..3), or -1 for a run-time one. */
static int rmode(const BlCtx *c, const IrInst *in, unsigned k) {
  uint64_t m;
  return bl_is_const(c, in->args[k], &m) ? (int)(m & 3) : -1;
}

/* The op's value under constant mode m, or NULL when only bl_h_eval can. */
typedef LLVMValueRef (*FpFast)(BlCtx *c, const IrInst *in, int m);

/* Lower in with f under its rounding operand k (see the file comment).
 * exact: the result does not depend on the mode. */
static void with_rm(BlCtx *c, IrRef r, const IrInst *in, unsigned k, FpFast f, bool exact) {
  int m = exact ? IR_RM_NEAREST : rmode(c, in, k);
  if (m >= 0) {
    LLVMValueRef v = f(c, in, m);
    if (v)
      bl_def(c, r, v);
    else
      bl_eval(c, r, in);
    return;
  }
  bl_pc(c); /* loaded here: both paths and what follows may use it */
  LLVMValueRef rm = LLVMBuildAnd(c->b, A(c, in, k), LLVMConstInt(c->i8, 3, false), "");
  LLVMValueRef other = LLVMBuildICmp(c->b, LLVMIntNE, rm, LLVMConstInt(c->i8, 0, false), "");
  LLVMBasicBlockRef fast = LLVMAppendBasicBlockInContext(c->ctx, c->func, "rn");
  LLVMBasicBlockRef slow = LLVMAppendBasicBlockInContext(c->ctx, c->func, "rm");
  LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(c->ctx, c->func, "");
  bl_br_rare(c, other, slow, fast); /* guests nearly always run in nearest */
  LLVMPositionBuilderAtEnd(c->b, fast);
  LLVMValueRef vf = f(c, in, IR_RM_NEAREST);
  if (!vf) { /* f has no fast form at all: evaluate on both paths */
    bl_eval(c, r, in);
    vf = bl_v(c, r);
  }
  LLVMBasicBlockRef fast_end = LLVMGetInsertBlock(c->b);
  LLVMBuildBr(c->b, join);
  LLVMPositionBuilderAtEnd(c->b, slow);
  bl_eval(c, r, in);
  LLVMValueRef vs = bl_v(c, r);
  LLVMBasicBlockRef slow_end = LLVMGetInsertBlock(c->b);
  LLVMBuildBr(c->b, join);
  LLVMPositionBuilderAtEnd(c->b, join);
  LLVMValueRef phi = LLVMBuildPhi(c->b, bl_lt(c, (IrType)in->type), "");
  LLVMValueRef vals[2] = {vf, vs};
  LLVMBasicBlockRef from[2] = {fast_end, slow_end};
  LLVMAddIncoming(phi, vals, from, 2);
  bl_def(c, r, phi);
}

/* -- Arithmetic ---------------------------------------------------------------------- */

static const char *arith_op(IrOp op) {
  switch (op) {
  case IR_OP_fadd: return "add";
  case IR_OP_fsub: return "sub";
  case IR_OP_fmul: return "mul";
  default: return "div";
  }
}

static LLVMValueRef fast_arith(BlCtx *c, const IrInst *in, int m) {
  if (m != IR_RM_NEAREST)
    return NULL;
  return sse_binary(c, arith_op((IrOp)in->op), (IrType)in->type, A(c, in, 0), A(c, in, 1));
}
#define ARITH(name) \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 2, fast_arith, false); }
ARITH(fadd)
ARITH(fsub)
ARITH(fmul)
ARITH(fdiv)

static LLVMValueRef fast_sqrt(BlCtx *c, const IrInst *in, int m) {
  if (m != IR_RM_NEAREST)
    return NULL;
  IrType t = (IrType)in->type;
  char text[48]; /* VEX scalar forms take the upper lanes from a second source */
  if (host_avx() && !ir_type_is_vec(t))
    snprintf(text, sizeof text, "vsqrt%s $1, $1, $0", suffix(t));
  else
    snprintf(text, sizeof text, "%ssqrt%s $1, $0", host_avx() ? "v" : "", suffix(t));
  return sse_unary(c, text, bl_lt(c, t), "=x,x", A(c, in, 0));
}
void bl_lower_fsqrt(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 1, fast_sqrt, false); }

/* fma(a, b, c): vfmadd213 with b in the destination, a in VEX.vvvv and c in
 * ModRM.rm computes a*b + c, and of NaN operands returns the first of a, b, c
 * quieted (measured: its NaN order is vvvv, dst, rm), as the IR says. */
static LLVMValueRef fast_fma(BlCtx *c, const IrInst *in, int m) {
  if (m != IR_RM_NEAREST || !host_fma())
    return NULL;
  IrType t = (IrType)in->type;
  char text[48];
  snprintf(text, sizeof text, "vfmadd213%s $3, $1, $0", suffix(t));
  LLVMValueRef args[3] = {A(c, in, 0), A(c, in, 1), A(c, in, 2)};
  return bl_asm(c, bl_lt(c, t), text, "=x,x,0,x", args, 3, false);
}
void bl_lower_fma(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 3, fast_fma, false); }

/* fneg / fabs: the sign bits only, as integers (NaN payloads untouched). */
static void sign_op(BlCtx *c, IrRef r, const IrInst *in, bool neg) {
  IrType t = (IrType)in->type;
  unsigned lb = ir_type_bits(ir_type_lane(t)), n = ir_type_info[t].lanes;
  LLVMTypeRef lane = LLVMIntTypeInContext(c->ctx, lb);
  LLVMTypeRef it = ir_type_is_vec(t) ? LLVMVectorType(lane, n) : lane;
  uint64_t sign = 1ull << (lb - 1);
  LLVMValueRef k = LLVMConstInt(lane, neg ? sign : ~sign, false), e[4] = {k, k, k, k};
  LLVMValueRef mask = ir_type_is_vec(t) ? LLVMConstVector(e, n) : k;
  LLVMValueRef v = LLVMBuildBitCast(c->b, A(c, in, 0), it, "");
  v = neg ? LLVMBuildXor(c->b, v, mask, "") : LLVMBuildAnd(c->b, v, mask, "");
  bl_def(c, r, LLVMBuildBitCast(c->b, v, bl_lt(c, t), ""));
}
void bl_lower_fneg(BlCtx *c, IrRef r, const IrInst *in) { sign_op(c, r, in, true); }
void bl_lower_fabs(BlCtx *c, IrRef r, const IrInst *in) { sign_op(c, r, in, false); }

/* round* with the mode in the immediate; bit 3 suppresses "inexact". */
static LLVMValueRef round_mode(BlCtx *c, IrType t, LLVMValueRef a, int m) {
  char text[48];
  if (host_avx() && !ir_type_is_vec(t))
    snprintf(text, sizeof text, "vround%s $$%d, $1, $1, $0", suffix(t), m | 8);
  else
    snprintf(text, sizeof text, "%sround%s $$%d, $1, $0", host_avx() ? "v" : "", suffix(t), m | 8);
  return sse_unary(c, text, bl_lt(c, t), "=x,x", a);
}

static LLVMValueRef fast_round(BlCtx *c, const IrInst *in, int m) {
  return host_sse41() ? round_mode(c, (IrType)in->type, A(c, in, 0), m) : NULL;
}
void bl_lower_fround(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 1, fast_round, false); }

/* -- Compare ------------------------------------------------------------------------- */

static const LLVMRealPredicate fp_pred[IR_PRED__COUNT] = {
    [IR_PRED_foeq] = LLVMRealOEQ, [IR_PRED_fone] = LLVMRealONE, [IR_PRED_folt] = LLVMRealOLT,
    [IR_PRED_fole] = LLVMRealOLE, [IR_PRED_fogt] = LLVMRealOGT, [IR_PRED_foge] = LLVMRealOGE,
    [IR_PRED_ford] = LLVMRealORD, [IR_PRED_fueq] = LLVMRealUEQ, [IR_PRED_fune] = LLVMRealUNE,
    [IR_PRED_fult] = LLVMRealULT, [IR_PRED_fule] = LLVMRealULE, [IR_PRED_fugt] = LLVMRealUGT,
    [IR_PRED_fuge] = LLVMRealUGE, [IR_PRED_funo] = LLVMRealUNO};

/* Scalars give i1; vectors all-ones lanes in the operand's (float) type. */
void bl_lower_fcmp(BlCtx *c, IrRef r, const IrInst *in) {
  LLVMValueRef v = LLVMBuildFCmp(c->b, fp_pred[in->imm], A(c, in, 0), A(c, in, 1), "");
  IrType t = (IrType)in->type;
  if (ir_type_is_vec(t)) {
    unsigned n = ir_type_info[t].lanes, lb = ir_type_bits(ir_type_lane(t));
    v = LLVMBuildSExt(c->b, v, LLVMVectorType(LLVMIntTypeInContext(c->ctx, lb), n), "");
    v = LLVMBuildBitCast(c->b, v, bl_lt(c, t), "");
  }
  bl_def(c, r, v);
}

/* -- Conversions ---------------------------------------------------------------------- */

/* f64 -> f32 rounds (and quiets an SNaN); f32 -> f64 is exact but quiets too:
 * both are the SSE instruction, never LLVM's fptrunc / fpext. */
static LLVMValueRef fast_fcvt(BlCtx *c, const IrInst *in, int m) {
  if (m != IR_RM_NEAREST)
    return NULL;
  static const char *const op[IR_T__COUNT] = {
      [IR_T_f32] = "cvtsd2ss", [IR_T_f64] = "cvtss2sd", [IR_T_v4f32] = "cvtpd2ps",
      [IR_T_v2f64] = "cvtps2pd"};
  IrType t = (IrType)in->type;
  char text[48];
  if (host_avx() && (t == IR_T_f32 || t == IR_T_f64))
    snprintf(text, sizeof text, "v%s $1, $1, $0", op[t]);
  else
    snprintf(text, sizeof text, "%s%s $1, $0", host_avx() ? "v" : "", op[t]);
  return sse_unary(c, text, bl_lt(c, t), "=x,x", A(c, in, 0));
}
void bl_lower_fcvt(BlCtx *c, IrRef r, const IrInst *in) {
  bool exact = in->type == IR_T_f64 || in->type == IR_T_v2f64;
  with_rm(c, r, in, 1, fast_fcvt, exact);
}

/* Integer -> float: LLVM's sitofp / uitofp round once, to nearest, and make
 * no NaN; narrow integers widen exactly to i64 first. */
static LLVMValueRef fast_itof(BlCtx *c, const IrInst *in, int m) {
  if (m != IR_RM_NEAREST || in->imm > IR_CVT_UNSIGNED)
    return NULL;
  IrType from = bl_t(c, in->args[0]), t = (IrType)in->type;
  bool sgn = in->imm == IR_CVT_SIGNED;
  LLVMValueRef a = A(c, in, 0);
  if (!ir_type_is_vec(from) && ir_type_bits(from) < 64) {
    a = sgn ? LLVMBuildSExt(c->b, a, c->i64, "") : LLVMBuildZExt(c->b, a, c->i64, "");
    sgn = true;
  }
  return sgn ? LLVMBuildSIToFP(c->b, a, bl_lt(c, t), "") : LLVMBuildUIToFP(c->b, a, bl_lt(c, t), "");
}
void bl_lower_itof(BlCtx *c, IrRef r, const IrInst *in) {
  IrType from = bl_t(c, in->args[0]), t = (IrType)in->type;
  /* Exact whatever the mode: at most 24 (f32) or 53 (f64) significant bits. */
  bool exact = !ir_type_is_vec(from) && ir_type_bits(from) <= (t == IR_T_f32 ? 16u : 32u);
  with_rm(c, r, in, 1, fast_itof, exact);
}

/* float -> signed i32/i64, not saturating: cvt(t)s*2si, whose out-of-range
 * and NaN answer is the integer indefinite (MIN) the IR asks for. */
static LLVMValueRef cvt_si(BlCtx *c, IrType from, IrType to, LLVMValueRef a, bool trunc) {
  char text[48];
  snprintf(text, sizeof text, "%scvt%s%s2si $1, $0", host_avx() ? "v" : "", trunc ? "t" : "",
           from == IR_T_f32 ? "ss" : "sd");
  return sse_unary(c, text, bl_lt(c, to), "=r,x", a);
}

/* The general case: round in mode m (roundsd), then range checks decide
 * between the conversion (in range, so defined) and the IR's answers for NaN,
 * too low and too high (indefinite, or the bounds with IR_CVT_SAT). */
static LLVMValueRef ftoi_checked(BlCtx *c, const IrInst *in, int m) {
  IrType from = bl_t(c, in->args[0]), to = (IrType)in->type;
  unsigned bits = ir_type_bits(to), kind = (unsigned)in->imm;
  bool sgn = !(kind & IR_CVT_UNSIGNED), sat = kind & IR_CVT_SAT;
  LLVMTypeRef ft = bl_lt(c, from), it = bl_lt(c, to);
  LLVMValueRef v = round_mode(c, from, A(c, in, 0), m);
  double lo = sgn ? -__builtin_ldexp(1, (int)bits - 1) : 0;
  double hi = __builtin_ldexp(1, (int)bits - (sgn ? 1 : 0));
  uint64_t min = sgn ? 1ull << (bits - 1) : 0;
  uint64_t max = sgn ? (1ull << (bits - 1)) - 1 : bits == 64 ? ~0ull : (1ull << bits) - 1;
  uint64_t indefinite = sgn ? min : max;
  LLVMValueRef is_nan = LLVMBuildFCmp(c->b, LLVMRealUNO, v, v, "");
  LLVMValueRef low = LLVMBuildFCmp(c->b, LLVMRealOLT, v, LLVMConstReal(ft, lo), "");
  LLVMValueRef high = LLVMBuildFCmp(c->b, LLVMRealOGE, v, LLVMConstReal(ft, hi), "");
  LLVMValueRef in_range = LLVMBuildNot(c->b, LLVMBuildOr(c->b, is_nan, LLVMBuildOr(c->b, low, high, ""), ""), "");
  /* Convert a value known to be in range (0 otherwise) so the result is defined. */
  LLVMValueRef safe = LLVMBuildSelect(c->b, in_range, v, LLVMConstReal(ft, 0), "");
  LLVMValueRef x = sgn ? LLVMBuildFPToSI(c->b, safe, it, "") : LLVMBuildFPToUI(c->b, safe, it, "");
  LLVMValueRef k_nan = LLVMConstInt(it, sat ? 0 : indefinite, false);
  LLVMValueRef k_low = LLVMConstInt(it, sat ? min : indefinite, false);
  LLVMValueRef k_high = LLVMConstInt(it, sat ? max : indefinite, false);
  x = LLVMBuildSelect(c->b, high, k_high, x, "");
  x = LLVMBuildSelect(c->b, low, k_low, x, "");
  return LLVMBuildSelect(c->b, is_nan, k_nan, x, "");
}

static LLVMValueRef fast_ftoi(BlCtx *c, const IrInst *in, int m) {
  IrType from = bl_t(c, in->args[0]), to = (IrType)in->type;
  bool trunc = m == IR_RM_ZERO;
  if (ir_type_is_vec(to)) {
    if (to != IR_T_v4i32 || in->imm != IR_CVT_SIGNED || (m != IR_RM_NEAREST && !trunc))
      return NULL;
    return sse_unary(c, trunc ? (host_avx() ? "vcvttps2dq $1, $0" : "cvttps2dq $1, $0")
                              : (host_avx() ? "vcvtps2dq $1, $0" : "cvtps2dq $1, $0"),
                     bl_lt(c, to), "=x,x", A(c, in, 0));
  }
  if (in->imm == IR_CVT_SIGNED && (to == IR_T_i32 || to == IR_T_i64) &&
      (trunc || m == IR_RM_NEAREST))
    return cvt_si(c, from, to, A(c, in, 0), trunc);
  if (in->imm > (IR_CVT_UNSIGNED | IR_CVT_SAT) || !host_sse41())
    return NULL;
  return ftoi_checked(c, in, m);
}
void bl_lower_ftoi(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 1, fast_ftoi, false); }
