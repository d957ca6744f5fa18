/* bl_lower_fp.c — floating point, bit-exact with the IR (and so with x86 SSE),
 * exception flags included.
 *
 * LLVM's fadd & co. do not keep the IR's NaN rule (the first NaN operand,
 * quieted): they may commute operands, fold x*1.0 to x (an SNaN stays
 * signalling) and constant-fold invalid operations to a positive default NaN
 * where x86 gives the negative one. And LLVM assumes the default FP
 * environment: it would drop, merge, speculate and reorder FP operations as if
 * they raised no flags. So everything that rounds, compares or can raise a flag —
 * fadd fsub fmul fdiv fsqrt fma, fcvt, fround, ftoi, rounding itof, fcmp/fcmps —
 * is SSE inline asm (VEX forms when the host has AVX) with a side effect on
 * inaccessible memory, the FP environment: kept when unused, never moved across
 * each other, a fenv_get/fenv_set, a helper call or a guest access, but slot
 * values still forward across them (docs/ir-semantics.md, "The floating-point
 * environment"). Ops that only move bits (fneg, fabs) and exact int -> float
 * conversions are plain LLVM.
 *
 * Rounding operand: JIT code runs with MXCSR.RC at nearest, as backend_fast's.
 * A constant IR_RM_NEAREST (or an exact operation) is the bare instruction;
 * another constant mode is the instruction with MXCSR.RC switched around it in
 * the same asm (no call: the rare blocks Arm's tininess check recomputes in
 * toward-zero mode stay call-free, so no caller-saved spills leak into the hot
 * path); fround and truncating conversions take the mode as an immediate or
 * need none. A run-time mode tests (rm & 3) == 0 for the bare instruction and
 * otherwise evaluates through bl_h_eval (ir_eval sets the host rounding mode,
 * keeping the flags). fma is FMA3's vfmadd213 when the host has it (rounded
 * once, NaN order as the IR's), else bl_h_eval. */
#include <stdio.h>
#include <string.h>

#include "bl_int.h"

static LLVMValueRef A(BlCtx *c, const IrInst *in, unsigned k) { return bl_v(c, in->args[k]); }

static bool host_avx(void) { return __builtin_cpu_supports("avx"); }
static bool host_sse41(void) { return __builtin_cpu_supports("sse4.1"); }
static bool host_fma(void) { return host_avx() && __builtin_cpu_supports("fma"); }

/* Inline asm that uses the FP environment (module comment). `mem`: it also
 * reads and writes the memory its pointer operands point to. */
static LLVMValueRef fp_asm_mem(BlCtx *c, LLVMTypeRef ret, const char *text, const char *cons,
                               LLVMValueRef *args, unsigned nargs, bool mem) {
  LLVMValueRef call = bl_asm(c, ret, text, cons, args, nargs, true);
  static const char *const attrs[] = {"nounwind", "willreturn"};
  for (unsigned k = 0; k < 2; k++)
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(c->ctx,
                                                     LLVMGetEnumAttributeKindForName(attrs[k], strlen(attrs[k])), 0));
  bl_call_memory(c, call, BL_ME_INACC(BL_ME_REF | BL_ME_MOD) |
                              (mem ? BL_ME_ARG(BL_ME_REF | BL_ME_MOD) : 0));
  if (mem) { /* the last operand: an i32 cell through "*m" */
    unsigned et = LLVMGetEnumAttributeKindForName("elementtype", 11);
    LLVMAddCallSiteAttribute(call, nargs, LLVMCreateTypeAttribute(c->ctx, et, c->i32));
  }
  return call;
}

/* An FP instruction as asm; under a constant rounding mode other than
 * nearest (c->fp_mode) it runs with MXCSR.RC switched around it, in the same
 * asm (stmxcsr, or, ldmxcsr ... and back), through an i32 cell: no call. */
static LLVMValueRef fp_asm(BlCtx *c, LLVMTypeRef ret, const char *text, const char *cons,
                           LLVMValueRef *args, unsigned nargs) {
  if (c->fp_mode <= 0)
    return fp_asm_mem(c, ret, text, cons, args, nargs, false);
  unsigned n = 1; /* operands: the comma-separated constraints (no clobbers here) */
  for (const char *p = cons; *p; p++)
    n += *p == ',';
  char wtext[256], wcons[96];
  snprintf(wtext, sizeof wtext,
           "stmxcsr $%u\n\torl $$%u, $%u\n\tldmxcsr $%u\n\t%s\n\t"
           "stmxcsr $%u\n\tandl $$%d, $%u\n\tldmxcsr $%u",
           n, (unsigned)c->fp_mode << 13, n, n, text, n, ~0x6000, n, n);
  snprintf(wcons, sizeof wcons, "%s,*m,~{flags}", cons);
  LLVMValueRef a[8];
  for (unsigned k = 0; k < nargs; k++)
    a[k] = args[k];
  a[nargs] = c->eval_buf;
  return fp_asm_mem(c, ret, wtext, wcons, a, nargs + 1, true);
}

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
    return fp_asm(c, bl_lt(c, t), text, "=x,x,x", args, 2);
  }
  snprintf(text, sizeof text, "%s%s $2, $0", op, suffix(t));
  return fp_asm(c, bl_lt(c, t), text, "=x,0,x", args, 2);
}

/* `text` with one register operand in and one out (conversions, sqrt). */
static LLVMValueRef sse_unary(BlCtx *c, const char *text, LLVMTypeRef out, const char *cons,
                              LLVMValueRef a) {
  return fp_asm(c, out, text, cons, &a, 1);
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
    c->fp_mode = m;
    LLVMValueRef v = f(c, in, m);
    c->fp_mode = 0;
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
  (void)m; /* any: fp_asm switches MXCSR for a constant mode */
  return sse_binary(c, arith_op((IrOp)in->op), (IrType)in->type, A(c, in, 0), A(c, in, 1));
}
#define ARITH(name) \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 2, fast_arith, false); }
ARITH(fadd)
ARITH(fsub)
ARITH(fmul)
ARITH(fdiv)

static LLVMValueRef fast_sqrt(BlCtx *c, const IrInst *in, int m) {
  (void)m;
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
  (void)m;
  if (!host_fma())
    return NULL;
  IrType t = (IrType)in->type;
  char text[48];
  snprintf(text, sizeof text, "vfmadd213%s $3, $1, $0", suffix(t));
  LLVMValueRef args[3] = {A(c, in, 0), A(c, in, 1), A(c, in, 2)};
  return fp_asm(c, bl_lt(c, t), text, "=x,x,0,x", args, 3);
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

/* round* with the mode in the immediate; bit 3 suppresses "inexact" unless
 * `inexact` asks for it. */
static LLVMValueRef round_imm(BlCtx *c, IrType t, LLVMValueRef a, int m, bool inexact) {
  char text[48];
  int imm = m | (inexact ? 0 : 8);
  if (host_avx() && !ir_type_is_vec(t))
    snprintf(text, sizeof text, "vround%s $$%d, $1, $1, $0", suffix(t), imm);
  else
    snprintf(text, sizeof text, "%sround%s $$%d, $1, $0", host_avx() ? "v" : "", suffix(t), imm);
  int mode = c->fp_mode; /* the immediate has the mode: no MXCSR switch */
  c->fp_mode = 0;
  LLVMValueRef v = sse_unary(c, text, bl_lt(c, t), "=x,x", a);
  c->fp_mode = mode;
  return v;
}
static LLVMValueRef round_mode(BlCtx *c, IrType t, LLVMValueRef a, int m) {
  return round_imm(c, t, a, m, false);
}

static LLVMValueRef fast_round(BlCtx *c, const IrInst *in, int m) {
  if (!host_sse41())
    return NULL;
  return round_imm(c, (IrType)in->type, A(c, in, 0), m, in->imm & IR_ROUND_INEXACT);
}
void bl_lower_fround(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 1, fast_round, false); }

/* -- Compare ------------------------------------------------------------------------- */

/* Scalars: ucomis (fcmp) or comis (fcmps), then setcc of one condition, or
 * two combined (foeq: equal and ordered; fune: not equal or unordered);
 * `swap` compares (b, a). (setcc in the asm: flag-output constraints came back
 * with stale flags when several compares were in flight.) */
typedef struct FpFlags {
  bool swap;
  const char *cc, *cc2;
} FpFlags;
static const FpFlags fp_flags[IR_PRED__COUNT] = {
    [IR_PRED_foeq] = {false, "e", "np"}, [IR_PRED_fone] = {false, "ne", NULL},
    [IR_PRED_folt] = {true, "a", NULL},  [IR_PRED_fole] = {true, "ae", NULL},
    [IR_PRED_fogt] = {false, "a", NULL}, [IR_PRED_foge] = {false, "ae", NULL},
    [IR_PRED_ford] = {false, "np", NULL}, [IR_PRED_fueq] = {false, "e", NULL},
    [IR_PRED_fune] = {false, "ne", "p"}, [IR_PRED_fult] = {false, "b", NULL},
    [IR_PRED_fule] = {false, "be", NULL}, [IR_PRED_fugt] = {true, "b", NULL},
    [IR_PRED_fuge] = {true, "be", NULL}, [IR_PRED_funo] = {false, "p", NULL}};

static LLVMValueRef scalar_fcmp(BlCtx *c, const IrInst *in) {
  const FpFlags *f = &fp_flags[in->imm];
  IrType t = bl_t(c, in->args[0]);
  char text[96];
  const char *cmp = in->op == IR_OP_fcmps ? "comis" : "ucomis", *v = host_avx() ? "v" : "";
  const char *sfx = t == IR_T_f32 ? "s" : "d";
  LLVMValueRef args[2] = {A(c, in, f->swap ? 1 : 0), A(c, in, f->swap ? 0 : 1)};
  if (!f->cc2) { /* AT&T: `ucomisd $2, $1` compares $1 with $2 */
    snprintf(text, sizeof text, "%s%s%s $2, $1\n\tset%s $0", v, cmp, sfx, f->cc);
    LLVMValueRef r = fp_asm(c, c->i8, text, "=q,x,x,~{flags}", args, 2);
    return LLVMBuildTrunc(c->b, r, c->i1, "");
  }
  snprintf(text, sizeof text, "%s%s%s $3, $2\n\tset%s $0\n\tset%s $1", v, cmp, sfx, f->cc, f->cc2);
  LLVMTypeRef two[2] = {c->i8, c->i8};
  LLVMValueRef r = fp_asm(c, LLVMStructTypeInContext(c->ctx, two, 2, false), text,
                          "=&q,=&q,x,x,~{flags}", args, 2);
  LLVMValueRef x = LLVMBuildExtractValue(c->b, r, 0, ""), y = LLVMBuildExtractValue(c->b, r, 1, "");
  x = in->imm == IR_PRED_foeq ? LLVMBuildAnd(c->b, x, y, "") : LLVMBuildOr(c->b, x, y, "");
  return LLVMBuildTrunc(c->b, x, c->i1, "");
}

/* Vectors: AVX's vcmpps/vcmppd have every predicate, quiet and signalling
 * ([signalling][pred]); legacy cmpps/cmppd only the quiet eq unord neq ord and
 * the signalling lt le nlt nle (`swap`: compare (b, a)); else ir_eval. */
static const uint8_t avx_pred[2][IR_PRED__COUNT] = {
    {[IR_PRED_foeq] = 0x00, [IR_PRED_fone] = 0x0C, [IR_PRED_folt] = 0x11, [IR_PRED_fole] = 0x12,
     [IR_PRED_fogt] = 0x1E, [IR_PRED_foge] = 0x1D, [IR_PRED_ford] = 0x07, [IR_PRED_fueq] = 0x08,
     [IR_PRED_fune] = 0x04, [IR_PRED_fult] = 0x19, [IR_PRED_fule] = 0x1A, [IR_PRED_fugt] = 0x16,
     [IR_PRED_fuge] = 0x15, [IR_PRED_funo] = 0x03},
    {[IR_PRED_foeq] = 0x10, [IR_PRED_fone] = 0x1C, [IR_PRED_folt] = 0x01, [IR_PRED_fole] = 0x02,
     [IR_PRED_fogt] = 0x0E, [IR_PRED_foge] = 0x0D, [IR_PRED_ford] = 0x17, [IR_PRED_fueq] = 0x18,
     [IR_PRED_fune] = 0x14, [IR_PRED_fult] = 0x09, [IR_PRED_fule] = 0x0A, [IR_PRED_fugt] = 0x06,
     [IR_PRED_fuge] = 0x05, [IR_PRED_funo] = 0x13},
};
typedef struct FpVec {
  bool ok, swap;
  uint8_t imm;
} FpVec;
static const FpVec sse_pred[2][IR_PRED__COUNT] = {
    {[IR_PRED_foeq] = {1, 0, 0}, [IR_PRED_funo] = {1, 0, 3}, [IR_PRED_fune] = {1, 0, 4},
     [IR_PRED_ford] = {1, 0, 7}},
    {[IR_PRED_folt] = {1, 0, 1}, [IR_PRED_fole] = {1, 0, 2}, [IR_PRED_fuge] = {1, 0, 5},
     [IR_PRED_fugt] = {1, 0, 6}, [IR_PRED_fogt] = {1, 1, 1}, [IR_PRED_foge] = {1, 1, 2},
     [IR_PRED_fult] = {1, 1, 6}, [IR_PRED_fule] = {1, 1, 5}},
};

static LLVMValueRef vector_fcmp(BlCtx *c, const IrInst *in) {
  IrType t = bl_t(c, in->args[0]);
  bool sig = in->op == IR_OP_fcmps;
  const char *sfx = t == IR_T_v4f32 ? "ps" : "pd";
  char text[48];
  if (host_avx()) { /* AT&T: vcmpps imm, src2, src1, dst = src1 PRED src2 */
    snprintf(text, sizeof text, "vcmp%s $$%u, $2, $1, $0", sfx, avx_pred[sig][in->imm]);
    LLVMValueRef args[2] = {A(c, in, 0), A(c, in, 1)};
    return fp_asm(c, bl_lt(c, t), text, "=x,x,x", args, 2);
  }
  const FpVec *f = &sse_pred[sig][in->imm];
  if (!f->ok)
    return NULL;
  snprintf(text, sizeof text, "cmp%s $$%u, $2, $0", sfx, f->imm);
  LLVMValueRef args[2] = {A(c, in, f->swap ? 1 : 0), A(c, in, f->swap ? 0 : 1)};
  return fp_asm(c, bl_lt(c, t), text, "=x,0,x", args, 2);
}

/* Scalars give i1; vectors all-ones lanes in the operand's (float) type. */
void bl_lower_fcmp(BlCtx *c, IrRef r, const IrInst *in) {
  if (!ir_type_is_vec(bl_t(c, in->args[0]))) {
    bl_def(c, r, scalar_fcmp(c, in));
    return;
  }
  LLVMValueRef v = vector_fcmp(c, in);
  if (v)
    bl_def(c, r, v);
  else
    bl_eval(c, r, in);
}
void bl_lower_fcmps(BlCtx *c, IrRef r, const IrInst *in) { bl_lower_fcmp(c, r, in); }

/* -- The FP environment: MXCSR's flags and flush bits are the IR word's ---------------- */

/* A dword for stmxcsr/ldmxcsr: the ir_eval operand cells' first (free between uses). */
static LLVMValueRef mxcsr_cell(BlCtx *c) { return c->eval_buf; }

/* asm on the cell through an indirect memory operand ($0). */
static void mxcsr_asm(BlCtx *c, const char *text, const char *cons) {
  LLVMValueRef p = mxcsr_cell(c);
  fp_asm_mem(c, LLVMVoidTypeInContext(c->ctx), text, cons, &p, 1, true);
}

void bl_lower_fenv_get(BlCtx *c, IrRef r, const IrInst *in) {
  (void)in;
  mxcsr_asm(c, "stmxcsr $0", "=*m");
  LLVMValueRef v = LLVMBuildLoad2(c->b, c->i32, mxcsr_cell(c), "");
  bl_def(c, r, LLVMBuildAnd(c->b, v, LLVMConstInt(c->i32, IR_FENV_ALL, false), ""));
}

/* The word's bits replace MXCSR's; rounding and the masks stay. */
void bl_lower_fenv_set(BlCtx *c, IrRef r, const IrInst *in) {
  (void)r;
  mxcsr_asm(c, "stmxcsr $0", "=*m");
  LLVMValueRef old = LLVMBuildLoad2(c->b, c->i32, mxcsr_cell(c), "");
  LLVMValueRef keep = LLVMBuildAnd(c->b, old, LLVMConstInt(c->i32, ~(uint32_t)IR_FENV_ALL, false), "");
  LLVMValueRef set = LLVMBuildAnd(c->b, A(c, in, 0), LLVMConstInt(c->i32, IR_FENV_ALL, false), "");
  LLVMBuildStore(c->b, LLVMBuildOr(c->b, keep, set, ""), mxcsr_cell(c));
  mxcsr_asm(c, "ldmxcsr $0", "*m");
}

/* -- Conversions ---------------------------------------------------------------------- */

/* f64 -> f32 rounds (and quiets an SNaN); f32 -> f64 is exact but quiets too:
 * both are the SSE instruction, never LLVM's fptrunc / fpext. */
static LLVMValueRef fast_fcvt(BlCtx *c, const IrInst *in, int m) {
  (void)m;
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

/* Integer -> float: cvtsi2s* (inexact when it rounds); narrow integers widen
 * exactly to i64 first; v4i32 -> v4f32 is cvtdq2ps. Unsigned 64-bit and
 * v2i64 go to ir_eval. Exact conversions (see bl_lower_itof) are LLVM's. */
static LLVMValueRef fast_itof(BlCtx *c, const IrInst *in, int m) {
  (void)m;
  if (in->imm > IR_CVT_UNSIGNED)
    return NULL;
  IrType from = bl_t(c, in->args[0]), t = (IrType)in->type;
  bool sgn = in->imm == IR_CVT_SIGNED;
  LLVMValueRef a = A(c, in, 0);
  if (ir_type_is_vec(from))
    return from == IR_T_v4i32 && sgn
               ? sse_unary(c, host_avx() ? "vcvtdq2ps $1, $0" : "cvtdq2ps $1, $0", bl_lt(c, t), "=x,x", a)
               : NULL;
  if (ir_type_bits(from) < 64) {
    a = sgn ? LLVMBuildSExt(c->b, a, c->i64, "") : LLVMBuildZExt(c->b, a, c->i64, "");
    sgn = true;
  }
  if (!sgn)
    return NULL;
  const char *text = t == IR_T_f32 ? (host_avx() ? "vcvtsi2ssq $1, $0, $0" : "cvtsi2ssq $1, $0")
                                   : (host_avx() ? "vcvtsi2sdq $1, $0, $0" : "cvtsi2sdq $1, $0");
  return sse_unary(c, text, bl_lt(c, t), "=x,r", a);
}
static LLVMValueRef exact_itof(BlCtx *c, const IrInst *in) {
  LLVMTypeRef t = bl_lt(c, (IrType)in->type);
  LLVMValueRef a = A(c, in, 0);
  return in->imm == IR_CVT_SIGNED ? LLVMBuildSIToFP(c->b, a, t, "") : LLVMBuildUIToFP(c->b, a, t, "");
}
void bl_lower_itof(BlCtx *c, IrRef r, const IrInst *in) {
  IrType from = bl_t(c, in->args[0]), t = (IrType)in->type;
  /* Exact whatever the mode, and no flags: at most 24 (f32) or 53 (f64) significant bits. */
  if (!ir_type_is_vec(from) && ir_type_bits(from) <= (t == IR_T_f32 ? 16u : 32u) &&
      in->imm <= IR_CVT_UNSIGNED) {
    bl_def(c, r, exact_itof(c, in));
    return;
  }
  with_rm(c, r, in, 1, fast_itof, false);
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
  /* The flags (as ir_eval's ftoi): invalid for NaN or out of range, which a
   * truncating conversion of a NaN raises; else inexact if rounding changed the
   * value, which rounding the operand without suppressing it raises. */
  LLVMValueRef qnan = LLVMConstReal(ft, __builtin_nan(""));
  cvt_si(c, from, IR_T_i64, LLVMBuildSelect(c->b, in_range, LLVMConstReal(ft, 0), qnan, ""), true);
  round_imm(c, from, LLVMBuildSelect(c->b, in_range, A(c, in, 0), LLVMConstReal(ft, 0), ""), m, true);
  LLVMValueRef k_nan = LLVMConstInt(it, sat ? 0 : indefinite, false);
  LLVMValueRef k_low = LLVMConstInt(it, sat ? min : indefinite, false);
  LLVMValueRef k_high = LLVMConstInt(it, sat ? max : indefinite, false);
  x = LLVMBuildSelect(c->b, high, k_high, x, "");
  x = LLVMBuildSelect(c->b, low, k_low, x, "");
  return LLVMBuildSelect(c->b, is_nan, k_nan, x, "");
}

/* Under a constant mode (c->fp_mode) the rounding conversions switch MXCSR in
 * their asm; the truncating ones and the general case (roundsd's immediate)
 * need no switch. */
static LLVMValueRef fast_ftoi(BlCtx *c, const IrInst *in, int m) {
  IrType from = bl_t(c, in->args[0]), to = (IrType)in->type;
  bool trunc = m == IR_RM_ZERO;
  int mode = c->fp_mode;
  c->fp_mode = trunc ? 0 : mode;
  LLVMValueRef v = NULL;
  if (ir_type_is_vec(to)) {
    if (to == IR_T_v4i32 && in->imm == IR_CVT_SIGNED)
      v = sse_unary(c, trunc ? (host_avx() ? "vcvttps2dq $1, $0" : "cvttps2dq $1, $0")
                             : (host_avx() ? "vcvtps2dq $1, $0" : "cvtps2dq $1, $0"),
                    bl_lt(c, to), "=x,x", A(c, in, 0));
  } else if (in->imm == IR_CVT_SIGNED && (to == IR_T_i32 || to == IR_T_i64)) {
    v = cvt_si(c, from, to, A(c, in, 0), trunc);
  } else if (in->imm <= (IR_CVT_UNSIGNED | IR_CVT_SAT) && host_sse41()) {
    c->fp_mode = 0;
    v = ftoi_checked(c, in, m);
  }
  c->fp_mode = mode;
  return v;
}
void bl_lower_ftoi(BlCtx *c, IrRef r, const IrInst *in) { with_rm(c, r, in, 1, fast_ftoi, false); }
