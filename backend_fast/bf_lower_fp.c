/* bf_lower_fp.c — scalar and packed floating point on SSE. The rounding operand:
 * a constant IR_RM_NEAREST needs nothing (generated code runs at nearest);
 * another constant mode sets MXCSR.RC around the one instruction; a mode known
 * only at run time tests it inline: nearest (what guests nearly always have)
 * runs the bare instruction, the other modes switch MXCSR around it. fma is
 * FMA3's vfmadd213 when the host has it; without FMA3, and for unsigned 64-bit
 * and saturating or narrow conversions, which x86 has no single instruction
 * for, ops go through ir_eval.
 *
 * The FP environment (IR_FENV_*) lives in the host MXCSR while guest code runs:
 * the IR word's bits are MXCSR's (flags 0..5, DAZ 6, FTZ 15), so the SSE
 * instructions raise the guest's flags and flush as it asks, at no cost.
 * fenv_get/fenv_set are stmxcsr/ldmxcsr; a rounding switch edits RC in the
 * live MXCSR (stmxcsr, or/and, ldmxcsr), so flags and flush bits survive it. */
#include "bf_int.h"

enum { MXCSR_RC = 0x6000 };

/* stmxcsr/ldmxcsr take memory: a dword in the red zone below rsp (signal
 * frames skip the 128 bytes there, and nothing else of the block lives there). */
static X64Mem mx_scratch(void) { return x64_mem(X64_RSP, -8); }

/* MXCSR.RC = m (RC is nearest, 00, while generated code runs). */
static void rc_set(BfCtx *c, unsigned m) {
  x64_memop(&c->a, X64_STMXCSR, mx_scratch());
  x64_alu_mi(&c->a, X64_OR, X64_S32, mx_scratch(), (int64_t)m << 13);
  x64_memop(&c->a, X64_LDMXCSR, mx_scratch());
}
static void rc_clear(BfCtx *c) {
  x64_memop(&c->a, X64_STMXCSR, mx_scratch());
  x64_alu_mi(&c->a, X64_AND, X64_S32, mx_scratch(), ~(int64_t)MXCSR_RC);
  x64_memop(&c->a, X64_LDMXCSR, mx_scratch());
}

/* The constant rounding mode of operand k, or -1. */
static int rmode(const BfCtx *c, const IrInst *in, unsigned k) {
  uint64_t m;
  return bf_is_const(c, in->args[k], &m) && m <= IR_RM_ZERO ? (int)m : -1;
}

static void rm_enter(BfCtx *c, int m) {
  if (m != IR_RM_NEAREST)
    rc_set(c, (unsigned)m);
}
static void rm_leave(BfCtx *c, int m) {
  if (m != IR_RM_NEAREST)
    rc_clear(c);
}

/* Per type: the scalar-single, scalar-double, packed-single, packed-double form. */
static unsigned form(IrType t) {
  switch (t) {
  case IR_T_f32: return 0;
  case IR_T_f64: return 1;
  case IR_T_v4f32: return 2;
  default: return 3;
  }
}

/* One FP instruction: SSE `op d, s`, or VEX `op d, v, s`. */
typedef struct FpIns {
  bool vex;
  unsigned op, d, s, v;
} FpIns;

static void fp_emit(BfCtx *c, FpIns i) {
  if (i.vex)
    x64_vex_rrr(&c->a, (X64VexOp)i.op, i.d, i.v, i.s);
  else
    x64_sse_rr(&c->a, (X64SseOp)i.op, i.d, i.s);
}

/* Emit i under the run-time rounding mode in GPR rm (its low two bits,
 * IR_RM_*, which are MXCSR.RC's encoding): every register is allocated before
 * this, so both paths see the same allocation. Only tests, so rm itself is
 * left intact. */
static void op_dynamic_rm(BfCtx *c, X64Reg rm, FpIns i) {
  X64Label slow, done, run, up_or_zero;
  x64_label_init(&slow), x64_label_init(&done), x64_label_init(&run);
  x64_label_init(&up_or_zero);
  x64_test_ri(&c->a, X64_S8, rm, 3);
  x64_jcc_label(&c->a, X64_CC_NZ, &slow);
  fp_emit(c, i); /* nearest: the bare instruction */
  x64_jmp_label(&c->a, &done);
  x64_bind(&c->a, &slow);
  x64_memop(&c->a, X64_STMXCSR, mx_scratch());
  x64_test_ri(&c->a, X64_S8, rm, 2);
  x64_jcc_label(&c->a, X64_CC_NZ, &up_or_zero);
  x64_alu_mi(&c->a, X64_OR, X64_S32, mx_scratch(), (int64_t)IR_RM_DOWN << 13); /* 01 */
  x64_jmp_label(&c->a, &run);
  x64_bind(&c->a, &up_or_zero);
  x64_alu_mi(&c->a, X64_OR, X64_S32, mx_scratch(), (int64_t)IR_RM_UP << 13); /* 10 */
  x64_test_ri(&c->a, X64_S8, rm, 1);
  x64_jcc_label(&c->a, X64_CC_Z, &run);
  x64_alu_mi(&c->a, X64_OR, X64_S32, mx_scratch(), (int64_t)IR_RM_ZERO << 13); /* 11 */
  x64_bind(&c->a, &run);
  x64_memop(&c->a, X64_LDMXCSR, mx_scratch());
  fp_emit(c, i);
  rc_clear(c);
  x64_bind(&c->a, &done);
}

/* i under rounding mode m (constant), or the run-time mode in rm (m < 0).
 * Call after every register of the instruction is allocated. */
static void emit_ins_rm(BfCtx *c, int m, X64Reg rm, FpIns i) {
  if (m < 0) {
    op_dynamic_rm(c, rm, i);
    return;
  }
  rm_enter(c, m);
  fp_emit(c, i);
  rm_leave(c, m);
}

static void emit_rm(BfCtx *c, int m, X64Reg rm, X64SseOp op, unsigned d, unsigned s) {
  emit_ins_rm(c, m, rm, (FpIns){false, op, d, s, 0});
}

/* The GPR holding rounding operand k when it is not a constant (m < 0). */
static X64Reg rm_reg(BfCtx *c, const IrInst *in, unsigned k, int m) {
  return m < 0 ? bf_gpr(c, in->args[k]) : X64_NOREG;
}

static void arith(BfCtx *c, IrRef r, const IrInst *in, const X64SseOp ops[4]) {
  int m = rmode(c, in, 2);
  X64Xmm b = bf_xmm(c, in->args[1]);
  X64Reg rm = rm_reg(c, in, 2, m);
  X64Xmm d = bf_defx_over(c, r, in->args[0]);
  emit_rm(c, m, rm, ops[form((IrType)in->type)], d, b);
}

#define ARITH(name, S)                                                               \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) {                       \
    static const X64SseOp ops[4] = {X64_##S##SS, X64_##S##SD, X64_##S##PS, X64_##S##PD}; \
    arith(c, r, in, ops);                                                            \
  }
ARITH(fadd, ADD)
ARITH(fsub, SUB)
ARITH(fmul, MUL)
ARITH(fdiv, DIV)

void bf_lower_fsqrt(BfCtx *c, IrRef r, const IrInst *in) {
  static const X64SseOp ops[4] = {X64_SQRTSS, X64_SQRTSD, X64_SQRTPS, X64_SQRTPD};
  int m = rmode(c, in, 1);
  X64Reg rm = rm_reg(c, in, 1, m);
  X64Xmm d = bf_defx_over(c, r, in->args[0]);
  emit_rm(c, m, rm, ops[form((IrType)in->type)], d, d);
}

/* fma(a, b, c): vfmadd213 d=b, v=a, s=c computes a*b + c, and of its NaN
 * operands returns the first of v, d, s (measured on Intel hosts; the IR's a,
 * b, c order). tests/backend_fast/test_bf_fp.c checks it against ir_eval. */
void bf_lower_fma(BfCtx *c, IrRef r, const IrInst *in) {
  static const X64VexOp ops[4] = {X64_VFMADD213SS, X64_VFMADD213SD, X64_VFMADD213PS,
                                  X64_VFMADD213PD};
  if (!bf_host.fma) {
    bf_eval_helper(c, r, in);
    return;
  }
  int m = rmode(c, in, 3);
  X64Xmm a = bf_xmm(c, in->args[0]);
  X64Xmm s = bf_xmm(c, in->args[2]);
  X64Reg rm = rm_reg(c, in, 3, m);
  X64Xmm d = bf_defx_over(c, r, in->args[1]);
  emit_ins_rm(c, m, rm, (FpIns){true, ops[form((IrType)in->type)], d, s, a});
}

/* fneg / fabs: the sign bits only (xorps / andps with a 16-byte mask). */
static void sign_op(BfCtx *c, IrRef r, const IrInst *in, bool neg) {
  IrType lane = ir_type_lane((IrType)in->type);
  uint64_t sign = lane == IR_T_f32 ? 0x8000000080000000ull : 0x8000000000000000ull;
  uint64_t mask[2] = {neg ? sign : ~sign, neg ? sign : ~sign};
  X64Xmm d = bf_defx_over(c, r, in->args[0]);
  x64_sse_rm(&c->a, neg ? X64_XORPS : X64_ANDPS, d, x64_mem_rip(0));
  bf_rip_lit(c, mask, 16);
}
void bf_lower_fneg(BfCtx *c, IrRef r, const IrInst *in) { sign_op(c, r, in, true); }
void bf_lower_fabs(BfCtx *c, IrRef r, const IrInst *in) { sign_op(c, r, in, false); }

/* fround: SSE4.1 round* with the mode in the immediate (bit 3: no inexact,
 * unless the IR asks for it). */
void bf_lower_fround(BfCtx *c, IrRef r, const IrInst *in) {
  static const X64SseOp ops[4] = {X64_ROUNDSS, X64_ROUNDSD, X64_ROUNDPS, X64_ROUNDPD};
  int m = rmode(c, in, 1);
  if (m < 0 || !bf_host.sse41) {
    bf_eval_helper(c, r, in);
    return;
  }
  X64Xmm d = bf_defx_over(c, r, in->args[0]);
  unsigned quiet = in->imm & IR_ROUND_INEXACT ? 0 : 8;
  x64_sse_rri(&c->a, ops[form((IrType)in->type)], d, d, (uint8_t)(m | quiet));
}

/* -- The FP environment -------------------------------------------------------------- */

/* fenv_get: MXCSR's flags and flush bits, which are the IR word's. */
void bf_lower_fenv_get(BfCtx *c, IrRef r, const IrInst *in) {
  (void)in;
  X64Reg d = bf_def(c, r);
  x64_memop(&c->a, X64_STMXCSR, mx_scratch());
  x64_mov_rm(&c->a, X64_S32, d, mx_scratch());
  x64_alu_ri(&c->a, X64_AND, X64_S32, d, IR_FENV_ALL);
}

/* fenv_set: those bits of MXCSR replaced, rounding and masks kept. */
void bf_lower_fenv_set(BfCtx *c, IrRef r, const IrInst *in) {
  (void)r;
  X64Reg v = bf_gpr(c, in->args[0]);
  X64Reg t = bf_tmp(c);
  x64_mov_rr(&c->a, X64_S32, t, v);
  x64_alu_ri(&c->a, X64_AND, X64_S32, t, IR_FENV_ALL);
  x64_memop(&c->a, X64_STMXCSR, mx_scratch());
  x64_alu_mi(&c->a, X64_AND, X64_S32, mx_scratch(), ~(int64_t)IR_FENV_ALL);
  x64_alu_mr(&c->a, X64_OR, X64_S32, mx_scratch(), t);
  x64_memop(&c->a, X64_LDMXCSR, mx_scratch());
}

/* fcvt: f32 <-> f64, v4f32 lanes 0,1 -> v2f64, v2f64 -> v4f32 (upper lanes 0). */
void bf_lower_fcvt(BfCtx *c, IrRef r, const IrInst *in) {
  static const X64SseOp ops[4] = {X64_CVTSD2SS, X64_CVTSS2SD, X64_CVTPD2PS, X64_CVTPS2PD};
  int m = rmode(c, in, 1);
  X64Xmm s = bf_xmm(c, in->args[0]);
  X64Reg rm = rm_reg(c, in, 1, m);
  X64Xmm d = bf_defx(c, r);
  emit_rm(c, m, rm, ops[form((IrType)in->type)], d, s);
}

/* itof: signed (any width) and unsigned up to 32 bits through the 64-bit signed
 * conversion (exact operand, one rounding); v4i32 -> v4f32 signed. */
void bf_lower_itof(BfCtx *c, IrRef r, const IrInst *in) {
  IrType from = ir_typeof(c->fn, in->args[0]), to = (IrType)in->type;
  int m = rmode(c, in, 1);
  bool sgn = in->imm == IR_CVT_SIGNED;
  if (to == IR_T_v4f32 && sgn) {
    X64Xmm s = bf_xmm(c, in->args[0]);
    X64Reg rm = rm_reg(c, in, 1, m);
    X64Xmm d = bf_defx(c, r);
    emit_rm(c, m, rm, X64_CVTDQ2PS, d, s);
    return;
  }
  if (ir_type_is_vec(to) || (!sgn && from == IR_T_i64)) {
    bf_eval_helper(c, r, in);
    return;
  }
  X64Reg rm = rm_reg(c, in, 1, m);
  X64Reg t = bf_tmp(c);
  bf_load_into(c, in->args[0], BF_GPR, t);
  if (sgn)
    bf_sext_reg(c, t, from);
  else
    bf_zext_reg(c, t, from);
  X64Xmm d = bf_defx(c, r);
  emit_rm(c, m, rm, to == IR_T_f32 ? X64_CVTSI2SS64 : X64_CVTSI2SD64, d, t);
}

/* ftoi: signed, not saturating, to i32/i64 is exactly cvts*2si (out of range and
 * NaN give the integer indefinite, MIN); toward zero is cvtts*2si. */
void bf_lower_ftoi(BfCtx *c, IrRef r, const IrInst *in) {
  IrType from = ir_typeof(c->fn, in->args[0]), to = (IrType)in->type;
  int m = rmode(c, in, 1);
  if (in->imm != IR_CVT_SIGNED || ir_type_is_vec(to) || (to != IR_T_i32 && to != IR_T_i64)) {
    bf_eval_helper(c, r, in);
    return;
  }
  static const X64SseOp ops[2][2][2] = {
      /* [f64][i64][trunc] */
      {{X64_CVTSS2SI32, X64_CVTTSS2SI32}, {X64_CVTSS2SI64, X64_CVTTSS2SI64}},
      {{X64_CVTSD2SI32, X64_CVTTSD2SI32}, {X64_CVTSD2SI64, X64_CVTTSD2SI64}}};
  bool trunc = m == IR_RM_ZERO; /* cvtt*: no MXCSR switch needed */
  X64Xmm s = bf_xmm(c, in->args[0]);
  X64Reg rm = rm_reg(c, in, 1, m);
  X64Reg d = bf_def(c, r);
  X64SseOp op = ops[from == IR_T_f64][to == IR_T_i64][trunc];
  if (trunc)
    x64_sse_rr(&c->a, op, d, s);
  else
    emit_rm(c, m, rm, op, d, s);
}
