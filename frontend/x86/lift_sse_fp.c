/* lift_sse_fp.c — SSE/SSE2/SSE3/SSE4.1 floating-point arithmetic: add sub mul div
 * sqrt min max (ss sd ps pd), rcp/rsqrt, cmp with its 8 predicates, (u)comis,
 * unpck, addsub, hadd/hsub, round, dpps/dppd, ldmxcsr/stmxcsr. Everything is
 * IR float ops rounded by MXCSR.RC, except rcp/rsqrt: hardware approximations
 * whose exact bits only the host instruction gives (a helper). MXCSR's
 * exception flags, DAZ and FTZ are the IR's FP environment: the ops raise and
 * flush as the instructions do (signalling compares as fcmps), and only lanes
 * an instruction computes are computed (addsub, dpps). */
#include <x86intrin.h>

#include "x86_fp.h"

/* -- Operands -------------------------------------------------------------- */

IrRef x86_fp_rm(X86Lift *l) {
  IrRef rc = ir_extract(l->fn, ir_get(l->fn, X86_SLOT_MXCSR), X86_MXCSR_RC_SHIFT, 2, false);
  return ir_cast(l->fn, IR_OP_trunc, IR_T_i8, rc);
}

IrRef x86_fp_scalar(X86Lift *l, int i, IrType t) {
  if (x86_is_mem(l, i))
    return x86_load(l, t, x86_addr(l, i));
  IrType vt = ir_type_info[t].bytes == 4 ? (t == IR_T_f32 ? IR_T_v4f32 : IR_T_v4i32)
                                         : (t == IR_T_f64 ? IR_T_v2f64 : IR_T_v2i64);
  IrRef v = x86_sse_get(l, i, vt);
  return ir_emit(l->fn, IR_OP_vextract, t, 1, &v, 0, 0);
}

IrRef x86_fp_low64(X86Lift *l, int i, IrType t) {
  if (x86_is_reg(l, i))
    return x86_sse_get(l, i, t);
  IrRef lo = x86_load(l, IR_T_i64, x86_addr(l, i));
  IrRef zero = ir_vconst(l->fn, IR_T_v2i64, (IrV128){0, 0});
  IrRef args[2] = {zero, lo};
  return x86_sse_cast(l, ir_emit(l->fn, IR_OP_vinsert, IR_T_v2i64, 2, args, 0, 0), t);
}

void x86_fp_put_lane0(X86Lift *l, int i, IrRef s) {
  IrType st = ir_typeof(l->fn, s);
  IrType vt = st == IR_T_f32 ? IR_T_v4f32 : st == IR_T_f64 ? IR_T_v2f64
            : st == IR_T_i32 ? IR_T_v4i32 : IR_T_v2i64;
  IrRef args[2] = {x86_sse_get(l, i, vt), s};
  x86_sse_put(l, i, ir_emit(l->fn, IR_OP_vinsert, vt, 2, args, 0, 0));
}

IrRef x86_fp_mxcsr_get(X86Lift *l) {
  IrFunc *fn = l->fn;
  IrRef flags = ir_op2(fn, IR_OP_and, ir_fenv_get(fn), ir_const(fn, IR_T_i32, X86_MXCSR_FLAGS));
  IrRef ctl = ir_op2(fn, IR_OP_and, ir_get(fn, X86_SLOT_MXCSR), ir_const(fn, IR_T_i32, ~X86_MXCSR_FLAGS));
  return ir_op2(fn, IR_OP_or, ctl, flags);
}

void x86_fp_mxcsr_set(X86Lift *l, IrRef v) {
  IrFunc *fn = l->fn;
  ir_set(fn, X86_SLOT_MXCSR, ir_op2(fn, IR_OP_and, v, ir_const(fn, IR_T_i32, ~X86_MXCSR_FLAGS)));
  ir_fenv_set(fn, ir_op2(fn, IR_OP_and, v, ir_const(fn, IR_T_i32, X86_MXCSR_FENV_BITS)));
}

void x86_fp_raise_if(X86Lift *l, IrRef cond, IrExc exc) {
  IrFunc *fn = l->fn;
  uint32_t bad = ir_block_new(fn), ok = ir_block_new(fn);
  ir_br(fn, cond, bad, ok);
  ir_block_set(fn, bad);
  ir_raise(fn, exc, x86_i64(l, 0));
  ir_block_set(fn, ok);
}

/* -- Shapes: scalar single/double (lane 0 only) or packed ----------------- */

enum { SH_SS, SH_SD, SH_PS, SH_PD };
typedef struct FpShape {
  IrType vec, lane, ilane; /* vector type, its float lane, the same-width integer */
  bool scalar;
} FpShape;
static const FpShape shapes[] = {
    [SH_SS] = {IR_T_v4f32, IR_T_f32, IR_T_i32, true},
    [SH_SD] = {IR_T_v2f64, IR_T_f64, IR_T_i64, true},
    [SH_PS] = {IR_T_v4f32, IR_T_f32, IR_T_i32, false},
    [SH_PD] = {IR_T_v2f64, IR_T_f64, IR_T_i64, false},
};

/* The destination (operand 0) and source (operand 1) at the shape's type. */
static void operands(X86Lift *l, const FpShape *s, IrRef *a, IrRef *b) {
  *b = s->scalar ? x86_fp_scalar(l, 1, s->lane) : x86_sse_get(l, 1, s->vec);
  *a = s->scalar ? x86_fp_scalar(l, 0, s->lane) : x86_sse_get(l, 0, s->vec);
}

static void result(X86Lift *l, const FpShape *s, IrRef r) {
  if (s->scalar)
    x86_fp_put_lane0(l, 0, r);
  else
    x86_sse_put(l, 0, r);
}

/* Bitwise c ? x : y per lane, where the lane mask m is all ones or all zeros. */
static IrRef blend(X86Lift *l, IrRef m, IrRef x, IrRef y, IrType t) {
  IrFunc *fn = l->fn;
  IrRef m64 = x86_sse_cast(l, m, IR_T_v2i64);
  IrRef r = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, x86_sse_cast(l, x, IR_T_v2i64), m64),
                   ir_op2(fn, IR_OP_andn, x86_sse_cast(l, y, IR_T_v2i64), m64));
  return x86_sse_cast(l, r, t);
}

/* -- Arithmetic ------------------------------------------------------------ */

/* add sub mul div (a = IR op), b = shape. */
static bool lift_farith(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrRef a, b;
  operands(l, s, &a, &b);
  result(l, s, ir_op3(l->fn, (IrOp)e->a, a, b, x86_fp_rm(l)));
  return true;
}

/* sqrt{ss,sd,ps,pd}: the source's lanes; scalar forms keep dest's upper lanes. */
static bool lift_fsqrt(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrRef b = s->scalar ? x86_fp_scalar(l, 1, s->lane) : x86_sse_get(l, 1, s->vec);
  result(l, s, ir_op2(l->fn, IR_OP_fsqrt, b, x86_fp_rm(l)));
  return true;
}

/* r as an operand DAZ flushed: a denormal becomes zero of its sign. Under DAZ
 * a quiet compare with zero tells (a denormal equals zero; a NaN keeps its
 * bits) and raises nothing; without it r must not be compared (a denormal
 * would raise "denormal" where min/max, facing a NaN, does not): 1.0 is. */
static IrRef daz_flushed(X86Lift *l, const FpShape *s, IrRef r) {
  IrFunc *fn = l->fn;
  IrType t = s->scalar ? s->lane : s->vec;
  bool f32 = s->lane == IR_T_f32;
  uint64_t sign = f32 ? 0x80000000u : 1ull << 63, one = f32 ? 0x3f800000u : 0x3ff0000000000000ull;
  IrRef mx = ir_get(fn, X86_SLOT_MXCSR);
  IrRef daz = ir_cmp(fn, IR_PRED_ne, ir_op2(fn, IR_OP_and, mx, ir_const(fn, IR_T_i32, IR_FENV_DAZ)),
                     ir_const(fn, IR_T_i32, 0));
  if (s->scalar) {
    IrRef in = ir_select(fn, daz, r, ir_const(fn, t, one));
    IrRef z = ir_fcmp(fn, IR_PRED_foeq, in, ir_const(fn, t, 0));
    IrRef signed0 = ir_op2(fn, IR_OP_and, ir_cast(fn, IR_OP_bitcast, s->ilane, r), ir_const(fn, s->ilane, sign));
    return ir_select(fn, z, ir_cast(fn, IR_OP_bitcast, t, signed0), r);
  }
  uint64_t lanes = f32 ? 0x8000000080000000ull : sign, ones = f32 ? one * 0x100000001ull : one;
  IrRef in = ir_select(fn, daz, r, ir_vconst(fn, t, (IrV128){ones, ones}));
  IrRef z = ir_fcmp(fn, IR_PRED_foeq, in, ir_vconst(fn, t, (IrV128){0, 0}));
  IrRef signed0 = ir_op2(fn, IR_OP_and, x86_sse_cast(l, r, IR_T_v2i64),
                         ir_vconst(fn, IR_T_v2i64, (IrV128){lanes, lanes}));
  return blend(l, z, signed0, r, t);
}

/* min/max: dest op src ? dest : src — so src when either is NaN or both are
 * zeros of any sign (x86's rule), a DAZ-flushed denormal as zero; invalid for
 * any NaN, as a signalling compare. a = folt (min) or fogt (max). */
static bool lift_fminmax(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrRef a, b;
  operands(l, s, &a, &b);
  IrRef c = ir_fcmps(l->fn, (IrPred)e->a, a, b);
  IrRef r = s->scalar ? ir_select(l->fn, c, a, b) : blend(l, c, a, b, s->vec);
  result(l, s, daz_flushed(l, s, r));
  return true;
}

/* -- rcp / rsqrt: the host's approximation tables ------------------------- */

enum { RCP, RSQRT };

/* Two f32 lanes through the host's rcpps (kind RCP) or rsqrtps. Intel and AMD
 * differ in the low bits; running the instruction is the only faithful model. */
static uint64_t helper_rcp(void *cpu, uint64_t bits, uint64_t kind, uint64_t a2, uint64_t a3) {
  (void)cpu, (void)a2, (void)a3;
  __m128 v = _mm_castsi128_ps(_mm_cvtsi64_si128((long long)bits));
  __m128 r = kind == RCP ? _mm_rcp_ps(v) : _mm_rsqrt_ps(v);
  return (uint64_t)_mm_cvtsi128_si64(_mm_castps_si128(r));
}

static const IrHelper rcp_def = {"x86_rcpps", helper_rcp, 2, IR_T_i64, 0};
static uint32_t rcp_helper;

void x86_fp_helpers_register(void) {
  rcp_helper = (uint32_t)ir_helper_register(&rcp_def);
  x87_helpers_register();
}

static IrRef rcp_pair(X86Lift *l, IrRef pair, int kind) {
  IrRef args[2] = {pair, x86_i64(l, (uint64_t)kind)};
  return ir_call(l->fn, rcp_helper, 2, args);
}

/* a = RCP / RSQRT, b = SH_SS or SH_PS. */
static bool lift_frcp(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  if (e->b == SH_SS) {
    IrRef src = ir_cast(fn, IR_OP_zext, IR_T_i64, x86_fp_scalar(l, 1, IR_T_i32));
    IrRef r = ir_cast(fn, IR_OP_trunc, IR_T_i32, rcp_pair(l, src, e->a));
    x86_fp_put_lane0(l, 0, r);
    return true;
  }
  IrRef v = x86_sse_get(l, 1, IR_T_v2i64);
  IrRef out = ir_vconst(fn, IR_T_v2i64, (IrV128){0, 0});
  for (unsigned k = 0; k < 2; k++) {
    IrRef half = ir_emit(fn, IR_OP_vextract, IR_T_i64, 1, &v, k, 0);
    IrRef args[2] = {out, rcp_pair(l, half, e->a)};
    out = ir_emit(fn, IR_OP_vinsert, IR_T_v2i64, 2, args, k, 0);
  }
  x86_sse_put(l, 0, out);
  return true;
}

/* -- Compares --------------------------------------------------------------- */

/* cmp{ss,sd,ps,pd} predicates by imm8[2:0] (legacy SSE ignores the rest):
 * EQ_OQ LT_OS LE_OS UNORD_Q NEQ_UQ NLT_US NLE_US ORD_Q, so 1 2 5 6 signal. */
static const IrPred cmp_pred[8] = {IR_PRED_foeq, IR_PRED_folt, IR_PRED_fole, IR_PRED_funo,
                                   IR_PRED_fune, IR_PRED_fuge, IR_PRED_fugt, IR_PRED_ford};

static bool lift_fcmpxx(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  if (!x86_is_reg(l, 0) || l->in.operand_count_visible != 3)
    return false; /* cmpsd is also the string compare */
  IrRef a, b;
  operands(l, s, &a, &b);
  unsigned k = l->op[2].imm.value.u & 7;
  bool sig = k == 1 || k == 2 || k == 5 || k == 6;
  IrRef c = (sig ? ir_fcmps : ir_fcmp)(l->fn, cmp_pred[k], a, b);
  if (s->scalar)
    c = ir_cast(l->fn, IR_OP_sext, s->ilane, c); /* all ones or zero */
  result(l, s, c);
  return true;
}

/* comis/ucomis: ZF PF CF = 111 unordered, 000 greater, 001 less, 100 equal;
 * OF SF AF cleared. They differ only in which NaNs signal: comis any (a = 1:
 * fcmps), ucomis only signalling ones. */
static bool lift_comis(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrRef a = x86_fp_scalar(l, 0, s->lane), b = x86_fp_scalar(l, 1, s->lane);
  IrRef zero = ir_const(l->fn, IR_T_i1, 0);
  IrRef (*cmp)(IrFunc *, IrPred, IrRef, IrRef) = e->a ? ir_fcmps : ir_fcmp;
  x86_set_flag(l, X86_SLOT_ZF, cmp(l->fn, IR_PRED_fueq, a, b));
  x86_set_flag(l, X86_SLOT_PF, cmp(l->fn, IR_PRED_funo, a, b));
  x86_set_flag(l, X86_SLOT_CF, cmp(l->fn, IR_PRED_fult, a, b));
  x86_set_flag(l, X86_SLOT_OF, zero);
  x86_set_flag(l, X86_SLOT_SF, zero);
  x86_set_flag(l, X86_SLOT_AF, zero);
  return true;
}

/* -- Lane moves and horizontal ops ---------------------------------------- */

/* unpck{l,h}{ps,pd}: a = vziplo / vziphi, b = the integer lane vector type. */
static bool lift_unpck(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->b;
  IrRef b = x86_sse_get(l, 1, t), a = x86_sse_get(l, 0, t);
  x86_sse_put(l, 0, ir_op2(l->fn, (IrOp)e->a, a, b));
  return true;
}

/* v with the lanes of mask m kept and the others +0.0: operands of lanes an
 * instruction does not compute (0 op 0 raises no flag). */
static IrRef lanes_or_zero(X86Lift *l, IrRef v, IrRef m, IrType t) {
  return x86_sse_cast(l, ir_op2(l->fn, IR_OP_and, x86_sse_cast(l, v, IR_T_v2i64), m), t);
}

/* addsub{ps,pd}: even lanes a - b, odd lanes a + b; each op sees zeros in
 * the other's lanes, so only the instruction's own operations raise flags. */
static bool lift_addsub(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrRef a, b, rm = x86_fp_rm(l);
  operands(l, s, &a, &b);
  uint64_t even = s->lane == IR_T_f32 ? 0x00000000ffffffffull : ~0ull;
  IrRef me = ir_vconst(l->fn, IR_T_v2i64, (IrV128){even, s->lane == IR_T_f32 ? even : 0});
  IrRef mo = ir_op1(l->fn, IR_OP_not, me);
  IrRef sub = ir_op3(l->fn, IR_OP_fsub, lanes_or_zero(l, a, me, s->vec), lanes_or_zero(l, b, me, s->vec), rm);
  IrRef add = ir_op3(l->fn, IR_OP_fadd, lanes_or_zero(l, a, mo, s->vec), lanes_or_zero(l, b, mo, s->vec), rm);
  x86_sse_put(l, 0, blend(l, me, sub, add, s->vec));
  return true;
}

/* The even and odd lanes of a:b, as two vectors [a0 a2 b0 b2] and [a1 a3 b1 b3]
 * (ps) or [a0 b0] and [a1 b1] (pd). */
static void deinterleave(X86Lift *l, const FpShape *s, IrRef a, IrRef b, IrRef *ev, IrRef *od) {
  IrFunc *fn = l->fn;
  IrRef a64 = x86_sse_cast(l, a, IR_T_v2i64), b64 = x86_sse_cast(l, b, IR_T_v2i64);
  if (s->lane == IR_T_f32) {
    /* bytes of lanes 0 2 1 3: each 64-bit half then holds one parity */
    IrRef idx = ir_vconst(fn, IR_T_v16i8, (IrV128){0x0b0a090803020100ull, 0x0f0e0d0c07060504ull});
    IrRef ta = ir_op2(fn, IR_OP_vtbl, x86_sse_cast(l, a, IR_T_v16i8), idx);
    IrRef tb = ir_op2(fn, IR_OP_vtbl, x86_sse_cast(l, b, IR_T_v16i8), idx);
    a64 = x86_sse_cast(l, ta, IR_T_v2i64);
    b64 = x86_sse_cast(l, tb, IR_T_v2i64);
  }
  *ev = x86_sse_cast(l, ir_op2(fn, IR_OP_vziplo, a64, b64), s->vec);
  *od = x86_sse_cast(l, ir_op2(fn, IR_OP_vziphi, a64, b64), s->vec);
}

/* hadd/hsub{ps,pd}: a = fadd / fsub of adjacent lanes, dest's pairs then src's. */
static bool lift_hop(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrRef a, b, ev, od;
  operands(l, s, &a, &b);
  deinterleave(l, s, a, b, &ev, &od);
  x86_sse_put(l, 0, ir_op3(l->fn, (IrOp)e->a, ev, od, x86_fp_rm(l)));
  return true;
}

/* round{ss,sd,ps,pd} xmm, src, imm8: imm[2] set: MXCSR.RC, else imm[1:0] (the
 * IR_RM order). imm[3] clear: inexact is raised (fround.x). */
static bool lift_round(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  uint64_t imm = l->op[2].imm.value.u;
  IrRef b = s->scalar ? x86_fp_scalar(l, 1, s->lane) : x86_sse_get(l, 1, s->vec);
  IrRef rm = (imm & 4) ? x86_fp_rm(l) : ir_const(l->fn, IR_T_i8, imm & 3);
  IrRef args[2] = {b, rm};
  result(l, s, ir_emit(l->fn, IR_OP_fround, ir_typeof(l->fn, b), 2, args,
                       imm & 8 ? 0 : IR_ROUND_INEXACT, 0));
  return true;
}

/* A lane mask constant of vector type t: lane i all ones iff bit i of bits. */
static IrRef lane_mask(X86Lift *l, IrType t, unsigned bits) {
  unsigned n = ir_type_info[t].lanes, w = 128 / n;
  uint64_t half[2] = {0, 0};
  for (unsigned i = 0; i < n; i++)
    if (bits >> i & 1)
      half[i * w / 64] |= (w == 64 ? ~0ull : 0xffffffffull) << (i * w % 64);
  return ir_vconst(l->fn, IR_T_v2i64, (IrV128){half[0], half[1]});
}

/* dpps / dppd: the products of the lanes imm[7:4] selects (others +0.0) summed
 * as the hardware's adder tree does, which shows in which NaN wins (found by
 * difftest): dppd R_i = P_i + P_(i^1); dpps T_i = P_(i^1) + P_i, then
 * R_i = T_i + T_(i^2). Lanes imm[3:0] selects get R_i, the others +0.0. */
static bool lift_dp(X86Lift *l, const X86Lifter *e) {
  const FpShape *s = &shapes[e->b];
  IrFunc *fn = l->fn;
  unsigned imm = (unsigned)l->op[2].imm.value.u, lb = ir_type_info[s->lane].bytes;
  static const uint8_t swap_pairs[4] = {1, 0, 3, 2}, swap_halves[2] = {1, 0};
  IrRef a, b, rm = x86_fp_rm(l);
  operands(l, s, &a, &b);
  /* lanes imm[7:4] leaves out are not multiplied (+0.0 * +0.0: no flags) */
  IrRef keep = lane_mask(l, s->vec, imm >> 4);
  IrRef p = ir_op3(fn, IR_OP_fmul, lanes_or_zero(l, a, keep, s->vec), lanes_or_zero(l, b, keep, s->vec), rm);
  IrRef sw = x86_sse_permute(l, p, IR_NONE, lb, lb == 4 ? swap_pairs : swap_halves);
  IrRef pv = x86_sse_cast(l, p, s->vec), swv = x86_sse_cast(l, sw, s->vec);
  IrRef t = lb == 4 ? ir_op3(fn, IR_OP_fadd, swv, pv, rm) : ir_op3(fn, IR_OP_fadd, pv, swv, rm);
  if (lb == 4) {
    IrRef th = x86_sse_permute(l, t, IR_NONE, 8, swap_halves);
    t = ir_op3(fn, IR_OP_fadd, t, x86_sse_cast(l, th, s->vec), rm);
  }
  IrRef r = ir_op2(fn, IR_OP_and, x86_sse_cast(l, t, IR_T_v2i64), lane_mask(l, s->vec, imm & 15));
  x86_sse_put(l, 0, r);
  return true;
}

/* -- MXCSR ----------------------------------------------------------------- */

/* ldmxcsr: setting a reserved bit is #GP. */
static bool lift_ldmxcsr(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef v = x86_load(l, IR_T_i32, x86_addr(l, 0));
  IrRef bad = ir_op2(l->fn, IR_OP_and, v, ir_const(l->fn, IR_T_i32, ~X86_MXCSR_MASK));
  x86_fp_raise_if(l, ir_cmp(l->fn, IR_PRED_ne, bad, ir_const(l->fn, IR_T_i32, 0)), IR_EXC_priv);
  x86_fp_mxcsr_set(l, v);
  return true;
}

static bool lift_stmxcsr(X86Lift *l, const X86Lifter *e) {
  (void)e;
  x86_store(l, x86_addr(l, 0), x86_fp_mxcsr_get(l));
  return true;
}

/* -- Table ----------------------------------------------------------------- */

#define ARITH4(MN, op)                                                                    \
  {ZYDIS_MNEMONIC_##MN##SS, lift_farith, IR_OP_##op, SH_SS},                              \
  {ZYDIS_MNEMONIC_##MN##SD, lift_farith, IR_OP_##op, SH_SD},                              \
  {ZYDIS_MNEMONIC_##MN##PS, lift_farith, IR_OP_##op, SH_PS},                              \
  {ZYDIS_MNEMONIC_##MN##PD, lift_farith, IR_OP_##op, SH_PD}
#define FOUR(MN, fn, a)                                                                   \
  {ZYDIS_MNEMONIC_##MN##SS, fn, a, SH_SS}, {ZYDIS_MNEMONIC_##MN##SD, fn, a, SH_SD},       \
  {ZYDIS_MNEMONIC_##MN##PS, fn, a, SH_PS}, {ZYDIS_MNEMONIC_##MN##PD, fn, a, SH_PD}

const X86Lifter x86_lifters_sse_fp[] = {
    ARITH4(ADD, fadd), ARITH4(SUB, fsub), ARITH4(MUL, fmul), ARITH4(DIV, fdiv),
    FOUR(SQRT, lift_fsqrt, 0),
    FOUR(MIN, lift_fminmax, IR_PRED_folt),
    FOUR(MAX, lift_fminmax, IR_PRED_fogt),
    FOUR(CMP, lift_fcmpxx, 0),
    FOUR(ROUND, lift_round, 0),
    {ZYDIS_MNEMONIC_RCPSS, lift_frcp, RCP, SH_SS},
    {ZYDIS_MNEMONIC_RCPPS, lift_frcp, RCP, SH_PS},
    {ZYDIS_MNEMONIC_RSQRTSS, lift_frcp, RSQRT, SH_SS},
    {ZYDIS_MNEMONIC_RSQRTPS, lift_frcp, RSQRT, SH_PS},
    {ZYDIS_MNEMONIC_COMISS, lift_comis, 1, SH_SS},
    {ZYDIS_MNEMONIC_COMISD, lift_comis, 1, SH_SD},
    {ZYDIS_MNEMONIC_UCOMISS, lift_comis, 0, SH_SS},
    {ZYDIS_MNEMONIC_UCOMISD, lift_comis, 0, SH_SD},
    {ZYDIS_MNEMONIC_UNPCKLPS, lift_unpck, IR_OP_vziplo, IR_T_v4i32},
    {ZYDIS_MNEMONIC_UNPCKHPS, lift_unpck, IR_OP_vziphi, IR_T_v4i32},
    {ZYDIS_MNEMONIC_UNPCKLPD, lift_unpck, IR_OP_vziplo, IR_T_v2i64},
    {ZYDIS_MNEMONIC_UNPCKHPD, lift_unpck, IR_OP_vziphi, IR_T_v2i64},
    {ZYDIS_MNEMONIC_ADDSUBPS, lift_addsub, 0, SH_PS},
    {ZYDIS_MNEMONIC_ADDSUBPD, lift_addsub, 0, SH_PD},
    {ZYDIS_MNEMONIC_HADDPS, lift_hop, IR_OP_fadd, SH_PS},
    {ZYDIS_MNEMONIC_HADDPD, lift_hop, IR_OP_fadd, SH_PD},
    {ZYDIS_MNEMONIC_HSUBPS, lift_hop, IR_OP_fsub, SH_PS},
    {ZYDIS_MNEMONIC_HSUBPD, lift_hop, IR_OP_fsub, SH_PD},
    {ZYDIS_MNEMONIC_DPPS, lift_dp, 0, SH_PS},
    {ZYDIS_MNEMONIC_DPPD, lift_dp, 0, SH_PD},
    {ZYDIS_MNEMONIC_LDMXCSR, lift_ldmxcsr, 0, 0},
    {ZYDIS_MNEMONIC_STMXCSR, lift_stmxcsr, 0, 0},
    {0, NULL, 0, 0},
};
