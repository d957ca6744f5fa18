/* lift_simd_fp.c — Advanced SIMD floating point (single and double lanes),
 * vector and scalar forms: three same (fadd fsub fmul fdiv fmla fmls fabd
 * fmax fmin fmaxnm fminnm fmulx frecps frsqrts, compares fcmeq fcmge fcmgt
 * facge facgt, pairwise faddp fmaxp fminp fmaxnmp fminnmp), two-register misc
 * (fabs fneg fsqrt frint*, fcvt{n,m,p,z,a}{s,u}, scvtf ucvtf, compares with
 * zero, fcvtl fcvtn fcvtxn, the estimates frecpe frsqrte frecpx urecpe
 * ursqrte), the reductions fmaxv fminv fmaxnmv fminnmv, the scalar
 * pairwise ops, and fmul fmla fmls fmulx by element. Arithmetic goes through
 * a64_fparm.c for Arm's NaN results. The size field's low bit (sz) picks
 * single or double; half precision lanes only for fcvtl/fcvtn. Lanes an
 * instruction does not compute (the upper half of a 64-bit vector, all but
 * lane 0 of a scalar form) are made 1.0 first (a64_lanes_benign): the IR ops
 * run on whole registers and would raise their flags. */
#include "a64_simd.h"

enum {
  F_ADD, F_SUB, F_MUL, F_DIV, F_MAX, F_MIN, F_MAXNM, F_MINNM, F_MLA, F_MLS, F_ABD, F_MULX,
  F_RECPS, F_RSQRTS, F_CMEQ, F_CMGE, F_CMGT, F_ACGE, F_ACGT,
};
/* Row flags (b): scalar form, pairwise, by element. */
enum { SC = 1, PAIR = 2, ELEM = 4 };

static IrType vtype(A64Lift *l) { return a64_vtf(F(size)); }

/* The bytes of the result the row computes: the lane (scalar), 8 or 16. */
static unsigned live_bytes(A64Lift *l, const A64Row *r) {
  if (r->b & SC)
    return F(size) ? 8 : 4;
  return F(Q) ? 16 : 8;
}

/* The vector forms with double lanes need Q; by-element double needs L = 0. */
static bool shape_ok(A64Lift *l, const A64Row *r) {
  if ((r->b & ELEM) && F(size) && F(L))
    return false;
  return (r->b & SC) || !F(size) || F(Q);
}

static void put(A64Lift *l, const A64Row *r, IrRef v) {
  if (r->b & SC)
    a64_set_lane0(l, F(rd), v);
  else
    a64_set_vq(l, F(rd), v, F(Q));
}

static IrRef flanes(A64Lift *l, IrType t, uint64_t f32bits, uint64_t f64bits) {
  return a64_cast(l, a64_lanes(l, a64_itype(t), ir_type_lane(t) == IR_T_f32 ? f32bits : f64bits), t);
}

/* x with the lanes of mask m made 1.0: operands of inf * 0 lanes, whose
 * result fmulx, frecps and frsqrts replace without the invalid the IR op
 * would raise. */
static IrRef ones_where(A64Lift *l, IrRef m, IrRef x) {
  IrType t = ir_typeof(l->fn, x);
  return a64_blend(l, m, flanes(l, t, 0x3f800000u, 0x3ff0000000000000ull), x);
}

/* acc: fmla/fmls's addend (Vd), else unused. */
static IrRef f3_compute(A64Lift *l, unsigned op, IrRef a, IrRef b, IrRef acc) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a), it = a64_itype(t);
  IrRef rm = a64_frm(l), v, iz;
  switch (op) {
  case F_ADD: return a64_fp_arith(l, IR_OP_fadd, a, b, rm);
  case F_SUB: return a64_fp_arith(l, IR_OP_fsub, a, b, rm);
  case F_MUL: return a64_fp_arith(l, IR_OP_fmul, a, b, rm);
  case F_DIV: return a64_fp_arith(l, IR_OP_fdiv, a, b, rm);
  case F_MAX: case F_MIN: case F_MAXNM: case F_MINNM:
    return a64_fp_minmax(l, a, b, op == F_MAX || op == F_MAXNM, op >= F_MAXNM);
  case F_MLA: return a64_fp_fma(l, acc, a, b, rm);
  case F_MLS: return a64_fp_fma(l, acc, ir_op1(fn, IR_OP_fneg, a), b, rm);
  case F_ABD: return ir_op1(fn, IR_OP_fabs, a64_fp_arith(l, IR_OP_fsub, a, b, rm));
  case F_MULX: { /* inf * 0 is 2.0, signed as a product */
    IrRef sign = ir_op2(fn, IR_OP_and, ir_op2(fn, IR_OP_xor, a64_cast(l, a, it), a64_cast(l, b, it)),
                        a64_lanes(l, it, ir_type_lane(t) == IR_T_f32 ? 0x80000000u : 1ull << 63));
    IrRef two = ir_op2(fn, IR_OP_or, sign, a64_cast(l, flanes(l, t, 0x40000000u, 0x4000000000000000ull), it));
    iz = a64_fp_inf_times_zero(l, a, b);
    v = a64_fp_arith(l, IR_OP_fmul, ones_where(l, iz, a), ones_where(l, iz, b), rm);
    return a64_blend(l, iz, a64_cast(l, two, t), v);
  }
  case F_RECPS: /* 2 - a * b fused; inf * 0 gives 2.0 */
    iz = a64_fp_inf_times_zero(l, a, b);
    v = a64_fp_fma(l, flanes(l, t, 0x40000000u, 0x4000000000000000ull),
                   ir_op1(fn, IR_OP_fneg, ones_where(l, iz, a)), ones_where(l, iz, b), rm);
    return a64_blend(l, iz, flanes(l, t, 0x40000000u, 0x4000000000000000ull), v);
  case F_RSQRTS: { /* (3 - a * b) / 2 rounded once; inf * 0 gives 1.5 */
    iz = a64_fp_inf_times_zero(l, a, b);
    a = ones_where(l, iz, a);
    b = ones_where(l, iz, b);
    IrRef half = flanes(l, t, 0x3f000000u, 0x3fe0000000000000ull);
    /* Two ways, each lane takes one and the other sees 1.0 (no flags): where
     * a / 2 is exact (|a| >= 2^-125 or 2^-1021) and b is no NaN, 1.5 - a/2 * b
     * rounded once (3 - a * b could overflow where its half does not); else
     * 3 - a * b then halved, exact (a product that small leaves 3 - a*b far
     * from both overflow and the denormals), NaNs as FPMulAdd picks them. */
    IrRef big = a64_mask(l, ir_fcmp(fn, IR_PRED_foge, ir_op1(fn, IR_OP_fabs, a),
                                    flanes(l, t, 0x01000000u, 0x0020000000000000ull)));
    IrRef by_half = ir_op2(fn, IR_OP_and, big, a64_mask(l, ir_fcmp(fn, IR_PRED_ford, b, b)));
    IrRef other = ir_op1(fn, IR_OP_not, by_half);
    IrRef ha = ir_op3(fn, IR_OP_fmul, ir_op1(fn, IR_OP_fneg, ones_where(l, other, a)), half, rm);
    IrRef v1 = ir_emit(fn, IR_OP_fma, t, 4,
                       (IrRef[]){ha, ones_where(l, other, b), flanes(l, t, 0x3fc00000u, 0x3ff8000000000000ull), rm},
                       0, 0);
    v = a64_fp_fma(l, flanes(l, t, 0x40400000u, 0x4008000000000000ull),
                   ir_op1(fn, IR_OP_fneg, ones_where(l, by_half, a)), ones_where(l, by_half, b), rm);
    v = ir_op3(fn, IR_OP_fmul, v, half, rm);
    v = a64_blend(l, by_half, v1, v);
    return a64_blend(l, iz, flanes(l, t, 0x3fc00000u, 0x3ff8000000000000ull), v);
  }
  /* FPCompareEQ is quiet; GE and GT (and the absolute forms) signal */
  case F_ACGE: case F_ACGT:
    a = ir_op1(fn, IR_OP_fabs, a);
    b = ir_op1(fn, IR_OP_fabs, b);
    return ir_fcmps(fn, op == F_ACGE ? IR_PRED_foge : IR_PRED_fogt, a, b);
  case F_CMEQ: return ir_fcmp(fn, IR_PRED_foeq, a, b);
  case F_CMGE: return ir_fcmps(fn, IR_PRED_foge, a, b);
  default: return ir_fcmps(fn, IR_PRED_fogt, a, b);
  }
}

/* By element (b has ELEM): the index is H:L (single) or H (double), the
 * register M:rm. */
static IrRef element(A64Lift *l) {
  IrType t = vtype(l);
  unsigned index = F(size) ? F(H) : F(H) << 1 | F(L);
  IrRef v = a64_v(l, F(M) << 4 | F(rm), t);
  IrRef s = ir_emit(l->fn, IR_OP_vextract, ir_type_lane(t), 1, &v, index, 0);
  return ir_emit(l->fn, IR_OP_vsplat, t, 1, &s, 0, 0);
}

/* Three same and by element: a = F_*, b = flags. */
static bool lift_f3(A64Lift *l, const A64Row *r) {
  if (!shape_ok(l, r))
    return false;
  IrType t = vtype(l);
  IrRef a = a64_v(l, F(rn), t), b = r->b & ELEM ? element(l) : a64_v(l, F(rm), t);
  if (r->b & PAIR) {
    unsigned esize = F(size) ? 8 : 4;
    IrRef ev = a64_unzip(l, a, b, esize, false, !F(Q)), od = a64_unzip(l, a, b, esize, true, !F(Q));
    a = ev;
    b = od;
  }
  unsigned live = live_bytes(l, r);
  IrRef acc = r->a == F_MLA || r->a == F_MLS ? a64_lanes_benign(l, a64_v(l, F(rd), t), live) : IR_NONE;
  put(l, r, f3_compute(l, (unsigned)r->a, a64_lanes_benign(l, a, live), a64_lanes_benign(l, b, live), acc));
  return true;
}

/* -- Two-register misc ------------------------------------------------------------------ */

enum {
  G_ABS, G_NEG, G_SQRT, G_RINT, G_TOINT, G_SCVTF, G_UCVTF, G_CMGT0, G_CMEQ0, G_CMLT0,
  G_CMGE0, G_CMLE0,
};
/* The rounding of frint* / fcvt*: IR_RM_* or A64_RM_TIEAWAY; A64_RM_FPCR: FPCR's. */
#define A64_RM_FPCR 5
#define G(kind, mode, u) ((kind) | (mode) << 8 | (u) << 12)

static bool lift_f2(A64Lift *l, const A64Row *r) {
  if (!shape_ok(l, r))
    return false;
  IrFunc *fn = l->fn;
  unsigned kind = r->a & 0xff, mode = r->a >> 8 & 15;
  bool u = r->a >> 12 & 1;
  IrType t = vtype(l);
  unsigned live = live_bytes(l, r);
  IrRef x = a64_lanes_benign(l, a64_v(l, F(rn), t), live);
  IrRef zero = a64_cast(l, a64_lanes(l, a64_itype(t), 0), t), v;
  IrRef rm = mode == A64_RM_FPCR ? a64_frm(l) : a64_rm(l, mode == A64_RM_TIEAWAY ? IR_RM_ZERO : mode);
  if (mode == A64_RM_FPCR)
    mode = IR_RM_NEAREST; /* any IR mode: the operand decides */
  switch (kind) {
  case G_ABS: v = ir_op1(fn, IR_OP_fabs, x); break;
  case G_NEG: v = ir_op1(fn, IR_OP_fneg, x); break;
  case G_SQRT: v = a64_fp_sqrt(l, x, a64_frm(l)); break;
  case G_RINT: v = a64_fp_round(l, x, mode, rm, u); break; /* u: frintx */
  case G_TOINT: v = a64_fp_toint(l, x, a64_itype(t), u, mode, rm); break;
  case G_SCVTF: case G_UCVTF: {
    IrRef args[2] = {a64_lanes_benign(l, a64_v(l, F(rn), a64_itype(t)), live), a64_frm(l)};
    v = ir_emit(fn, IR_OP_itof, t, 2, args, kind == G_UCVTF ? IR_CVT_UNSIGNED : IR_CVT_SIGNED, 0);
    break;
  }
  /* with zero: FPCompareEQ is quiet, the others signal */
  case G_CMGT0: v = ir_fcmps(fn, IR_PRED_fogt, x, zero); break;
  case G_CMEQ0: v = ir_fcmp(fn, IR_PRED_foeq, x, zero); break;
  case G_CMLT0: v = ir_fcmps(fn, IR_PRED_folt, x, zero); break;
  case G_CMGE0: v = ir_fcmps(fn, IR_PRED_foge, x, zero); break;
  default: v = ir_fcmps(fn, IR_PRED_fole, x, zero); break;
  }
  put(l, r, v);
  return true;
}

/* fcvtl / fcvtl2: two singles from the low (high) half to doubles; sz = 0:
 * four halves to singles (in C). */
static bool lift_fcvtl(A64Lift *l, const A64Row *r) {
  (void)r;
  if (!F(size)) {
    a64_vhelper(l, A64_VH_FCVTL16, F(rd), F(rn), F(rn), 1, F(Q), false, 0);
    return true;
  }
  IrRef x = a64_v(l, F(rn), IR_T_v4f32);
  if (F(Q))
    x = a64_hi64(l, x);
  IrRef args[2] = {x, a64_frm(l)};
  a64_set_v(l, F(rd), a64_fp_dn(l, ir_emit(l->fn, IR_OP_fcvt, IR_T_v2f64, 2, args, 0, 0)));
  return true;
}

/* fcvtn / fcvtn2: two doubles to singles in the low (high) half; sz = 0:
 * four singles to halves (in C). */
static bool lift_fcvtn(A64Lift *l, const A64Row *r) {
  (void)r;
  if (!F(size)) {
    a64_vhelper(l, A64_VH_FCVTN16, F(rd), F(rn), F(rn), 1, F(Q), false, 0);
    return true;
  }
  IrRef v = a64_fp_narrow(l, a64_v(l, F(rn), IR_T_v2f64), IR_T_v4f32, a64_frm(l));
  if (F(Q))
    a64_set_v(l, F(rd), a64_join64(l, a64_v(l, F(rd), IR_T_v4f32), v));
  else
    a64_set_v64(l, F(rd), v);
  return true;
}

/* frecpe frsqrte frecpx urecpe ursqrte (a = A64_VH_*), in C; the unsigned
 * ones (b bit 8) take 32-bit lanes only. */
static bool lift_f2_helper(A64Lift *l, const A64Row *r) {
  if (!shape_ok(l, r) || ((r->b & 0x100) && F(size)))
    return false;
  a64_vhelper(l, (unsigned)r->a, F(rd), F(rn), F(rn), 2 + F(size), F(Q), r->b & SC, 0);
  return true;
}

/* fcvtxn, fcvtxn2 and scalar: doubles to singles rounding to odd (truncate,
 * then set the last bit if that lost anything; a NaN converts as usual). */
static bool lift_fcvtxn(A64Lift *l, const A64Row *r) {
  if (!F(size))
    return false;
  IrFunc *fn = l->fn;
  IrRef x = a64_lanes_benign(l, a64_v(l, F(rn), IR_T_v2f64), r->b & SC ? 8 : 16);
  IrRef t = a64_fp_dn(l, ir_emit(fn, IR_OP_fcvt, IR_T_v4f32, 2, (IrRef[]){x, a64_rm(l, IR_RM_ZERO)}, 0, 0));
  IrRef back = ir_emit(fn, IR_OP_fcvt, IR_T_v2f64, 2, (IrRef[]){t, a64_rm(l, IR_RM_NEAREST)}, 0, 0);
  IrRef inexact = a64_cast(l, ir_fcmp(fn, IR_PRED_fone, back, x), IR_T_v2i64);
  /* the two 64-bit masks as the low two 32-bit lanes: their low words */
  IrRef lanes = a64_unzip(l, inexact, inexact, 4, false, false);
  IrRef odd = ir_op2(fn, IR_OP_and, a64_cast(l, lanes, IR_T_v4i32), a64_lanes(l, IR_T_v4i32, 1));
  /* under FPCR.FZ a tiny value is flushed to zero before it is made odd */
  IrRef fz = ir_cmp(fn, IR_PRED_ne, ir_op2(fn, IR_OP_and, ir_get(fn, A64_SLOT_FPCR), a64_i32(l, A64_FPCR_FZ)),
                    a64_i32(l, 0));
  IrRef zero = a64_mask(l, ir_fcmp(fn, IR_PRED_foeq, t, flanes(l, IR_T_v4f32, 0, 0)));
  odd = ir_op2(fn, IR_OP_andn, odd, ir_select(fn, fz, zero, a64_lanes(l, IR_T_v4i32, 0)));
  IrRef v = ir_op2(fn, IR_OP_or, a64_cast(l, t, IR_T_v4i32), odd);
  if (r->b & SC)
    a64_set_lane0(l, F(rd), v);
  else if (F(Q))
    a64_set_v(l, F(rd), a64_join64(l, a64_v(l, F(rd), IR_T_v4i32), v));
  else
    a64_set_v64(l, F(rd), v);
  return true;
}

/* -- Reductions ---------------------------------------------------------------------------- */

/* fmaxv fminv fmaxnmv fminnmv (4S only): Arm's pairwise tree, (e0 e1) (e2 e3). */
static bool lift_fredv(A64Lift *l, const A64Row *r) {
  if (F(size) || !F(Q))
    return false;
  IrRef x = a64_v(l, F(rn), IR_T_v4f32);
  for (unsigned step = 0; step < 2; step++)
    x = f3_compute(l, (unsigned)r->a, a64_unzip(l, x, x, 4, false, false), a64_unzip(l, x, x, 4, true, false),
                   IR_NONE);
  a64_set_lane0(l, F(rd), x);
  return true;
}

/* Scalar pairwise faddp fmaxp fminp fmaxnmp fminnmp: lanes 0 and 1 of Vn. */
static bool lift_fpair_scalar(A64Lift *l, const A64Row *r) {
  IrRef x = a64_v(l, F(rn), vtype(l));
  unsigned esize = F(size) ? 8 : 4;
  IrRef y = a64_unzip(l, x, x, esize, true, false);
  a64_set_lane0(l, F(rd), f3_compute(l, (unsigned)r->a, a64_lanes_benign(l, x, esize),
                                     a64_lanes_benign(l, y, esize), IR_NONE));
  return true;
}

#define FV3(u, s, opc) "0 Q:1 " u " 01110 " s " size:1 1 rm:5 " opc " 1 rn:5 rd:5"
#define FS3(u, s, opc) "01 " u " 11110 " s " size:1 1 rm:5 " opc " 1 rn:5 rd:5"
#define FV2(u, s, opc) "0 Q:1 " u " 01110 " s " size:1 10000 " opc " 10 rn:5 rd:5"
#define FS2(u, s, opc) "01 " u " 11110 " s " size:1 10000 " opc " 10 rn:5 rd:5"
#define FEL(u, opc) "0 Q:1 " u " 01111 1 size:1 L:1 M:1 rm:4 " opc " H:1 0 rn:5 rd:5"
#define FSEL(u, opc) "01 " u " 11111 1 size:1 L:1 M:1 rm:4 " opc " H:1 0 rn:5 rd:5"
#define BOTH2(name, u, s, opc, a)                      \
  {name, FV2(u, s, opc), lift_f2, a, 0},               \
  {name "_s", FS2(u, s, opc), lift_f2, a, SC}
const A64Row a64_rows_simd_fp[] = {
    {"fmaxnm", FV3("0", "0", "11000"), lift_f3, F_MAXNM, 0},
    {"fmla", FV3("0", "0", "11001"), lift_f3, F_MLA, 0},
    {"fadd", FV3("0", "0", "11010"), lift_f3, F_ADD, 0},
    {"fmulx", FV3("0", "0", "11011"), lift_f3, F_MULX, 0},
    {"fcmeq", FV3("0", "0", "11100"), lift_f3, F_CMEQ, 0},
    {"fmax", FV3("0", "0", "11110"), lift_f3, F_MAX, 0},
    {"frecps", FV3("0", "0", "11111"), lift_f3, F_RECPS, 0},
    {"fminnm", FV3("0", "1", "11000"), lift_f3, F_MINNM, 0},
    {"fmls", FV3("0", "1", "11001"), lift_f3, F_MLS, 0},
    {"fsub", FV3("0", "1", "11010"), lift_f3, F_SUB, 0},
    {"fmin", FV3("0", "1", "11110"), lift_f3, F_MIN, 0},
    {"frsqrts", FV3("0", "1", "11111"), lift_f3, F_RSQRTS, 0},
    {"fmaxnmp", FV3("1", "0", "11000"), lift_f3, F_MAXNM, PAIR},
    {"faddp", FV3("1", "0", "11010"), lift_f3, F_ADD, PAIR},
    {"fmul", FV3("1", "0", "11011"), lift_f3, F_MUL, 0},
    {"fcmge", FV3("1", "0", "11100"), lift_f3, F_CMGE, 0},
    {"facge", FV3("1", "0", "11101"), lift_f3, F_ACGE, 0},
    {"fmaxp", FV3("1", "0", "11110"), lift_f3, F_MAX, PAIR},
    {"fdiv", FV3("1", "0", "11111"), lift_f3, F_DIV, 0},
    {"fminnmp", FV3("1", "1", "11000"), lift_f3, F_MINNM, PAIR},
    {"fabd", FV3("1", "1", "11010"), lift_f3, F_ABD, 0},
    {"fcmgt", FV3("1", "1", "11100"), lift_f3, F_CMGT, 0},
    {"facgt", FV3("1", "1", "11101"), lift_f3, F_ACGT, 0},
    {"fminp", FV3("1", "1", "11110"), lift_f3, F_MIN, PAIR},
    {"fmulx_s", FS3("0", "0", "11011"), lift_f3, F_MULX, SC},
    {"fcmeq_s", FS3("0", "0", "11100"), lift_f3, F_CMEQ, SC},
    {"frecps_s", FS3("0", "0", "11111"), lift_f3, F_RECPS, SC},
    {"frsqrts_s", FS3("0", "1", "11111"), lift_f3, F_RSQRTS, SC},
    {"fcmge_s", FS3("1", "0", "11100"), lift_f3, F_CMGE, SC},
    {"facge_s", FS3("1", "0", "11101"), lift_f3, F_ACGE, SC},
    {"fabd_s", FS3("1", "1", "11010"), lift_f3, F_ABD, SC},
    {"fcmgt_s", FS3("1", "1", "11100"), lift_f3, F_CMGT, SC},
    {"facgt_s", FS3("1", "1", "11101"), lift_f3, F_ACGT, SC},
    {"fmla_elem", FEL("0", "0001"), lift_f3, F_MLA, ELEM},
    {"fmls_elem", FEL("0", "0101"), lift_f3, F_MLS, ELEM},
    {"fmul_elem", FEL("0", "1001"), lift_f3, F_MUL, ELEM},
    {"fmulx_elem", FEL("1", "1001"), lift_f3, F_MULX, ELEM},
    {"fmla_elem_s", FSEL("0", "0001"), lift_f3, F_MLA, ELEM | SC},
    {"fmls_elem_s", FSEL("0", "0101"), lift_f3, F_MLS, ELEM | SC},
    {"fmul_elem_s", FSEL("0", "1001"), lift_f3, F_MUL, ELEM | SC},
    {"fmulx_elem_s", FSEL("1", "1001"), lift_f3, F_MULX, ELEM | SC},
    /* two-register misc */
    {"fcvtn", FV2("0", "0", "10110"), lift_fcvtn, 0, 0},
    {"fcvtl", FV2("0", "0", "10111"), lift_fcvtl, 0, 0},
    {"frintn", FV2("0", "0", "11000"), lift_f2, G(G_RINT, IR_RM_NEAREST, 0), 0},
    {"frintm", FV2("0", "0", "11001"), lift_f2, G(G_RINT, IR_RM_DOWN, 0), 0},
    {"frintp", FV2("0", "1", "11000"), lift_f2, G(G_RINT, IR_RM_UP, 0), 0},
    {"frintz", FV2("0", "1", "11001"), lift_f2, G(G_RINT, IR_RM_ZERO, 0), 0},
    {"frinta", FV2("1", "0", "11000"), lift_f2, G(G_RINT, A64_RM_TIEAWAY, 0), 0},
    {"frintx", FV2("1", "0", "11001"), lift_f2, G(G_RINT, A64_RM_FPCR, 1), 0},
    {"frinti", FV2("1", "1", "11001"), lift_f2, G(G_RINT, A64_RM_FPCR, 0), 0},
    BOTH2("fcvtns", "0", "0", "11010", G(G_TOINT, IR_RM_NEAREST, 0)),
    BOTH2("fcvtms", "0", "0", "11011", G(G_TOINT, IR_RM_DOWN, 0)),
    BOTH2("fcvtas", "0", "0", "11100", G(G_TOINT, A64_RM_TIEAWAY, 0)),
    BOTH2("scvtf", "0", "0", "11101", G(G_SCVTF, 0, 0)),
    BOTH2("fcmgt0", "0", "1", "01100", G(G_CMGT0, 0, 0)),
    BOTH2("fcmeq0", "0", "1", "01101", G(G_CMEQ0, 0, 0)),
    BOTH2("fcmlt0", "0", "1", "01110", G(G_CMLT0, 0, 0)),
    {"fabs", FV2("0", "1", "01111"), lift_f2, G(G_ABS, 0, 0), 0},
    BOTH2("fcvtps", "0", "1", "11010", G(G_TOINT, IR_RM_UP, 0)),
    BOTH2("fcvtzs", "0", "1", "11011", G(G_TOINT, IR_RM_ZERO, 0)),
    BOTH2("fcvtnu", "1", "0", "11010", G(G_TOINT, IR_RM_NEAREST, 1)),
    BOTH2("fcvtmu", "1", "0", "11011", G(G_TOINT, IR_RM_DOWN, 1)),
    BOTH2("fcvtau", "1", "0", "11100", G(G_TOINT, A64_RM_TIEAWAY, 1)),
    BOTH2("ucvtf", "1", "0", "11101", G(G_UCVTF, 0, 0)),
    BOTH2("fcmge0", "1", "1", "01100", G(G_CMGE0, 0, 0)),
    BOTH2("fcmle0", "1", "1", "01101", G(G_CMLE0, 0, 0)),
    {"fneg", FV2("1", "1", "01111"), lift_f2, G(G_NEG, 0, 0), 0},
    BOTH2("fcvtpu", "1", "1", "11010", G(G_TOINT, IR_RM_UP, 1)),
    BOTH2("fcvtzu", "1", "1", "11011", G(G_TOINT, IR_RM_ZERO, 1)),
    {"fsqrt", FV2("1", "1", "11111"), lift_f2, G(G_SQRT, 0, 0), 0},
    {"urecpe", FV2("0", "1", "11100"), lift_f2_helper, A64_VH_URECPE, 0x100},
    {"ursqrte", FV2("1", "1", "11100"), lift_f2_helper, A64_VH_URSQRTE, 0x100},
    {"frecpe", FV2("0", "1", "11101"), lift_f2_helper, A64_VH_FRECPE, 0},
    {"frsqrte", FV2("1", "1", "11101"), lift_f2_helper, A64_VH_FRSQRTE, 0},
    {"frecpe_s", FS2("0", "1", "11101"), lift_f2_helper, A64_VH_FRECPE, SC},
    {"frsqrte_s", FS2("1", "1", "11101"), lift_f2_helper, A64_VH_FRSQRTE, SC},
    {"frecpx_s", FS2("0", "1", "11111"), lift_f2_helper, A64_VH_FRECPX, SC},
    {"fcvtxn", FV2("1", "0", "10110"), lift_fcvtxn, 0, 0},
    {"fcvtxn_s", FS2("1", "0", "10110"), lift_fcvtxn, 0, SC},
    /* reductions and scalar pairwise */
    {"fmaxnmv", "0 Q:1 1 01110 0 size:1 11000 01100 10 rn:5 rd:5", lift_fredv, F_MAXNM, 0},
    {"fminnmv", "0 Q:1 1 01110 1 size:1 11000 01100 10 rn:5 rd:5", lift_fredv, F_MINNM, 0},
    {"fmaxv", "0 Q:1 1 01110 0 size:1 11000 01111 10 rn:5 rd:5", lift_fredv, F_MAX, 0},
    {"fminv", "0 Q:1 1 01110 1 size:1 11000 01111 10 rn:5 rd:5", lift_fredv, F_MIN, 0},
    {"fmaxnmp_s", "01 1 11110 0 size:1 11000 01100 10 rn:5 rd:5", lift_fpair_scalar, F_MAXNM, 0},
    {"faddp_s", "01 1 11110 0 size:1 11000 01101 10 rn:5 rd:5", lift_fpair_scalar, F_ADD, 0},
    {"fmaxp_s", "01 1 11110 0 size:1 11000 01111 10 rn:5 rd:5", lift_fpair_scalar, F_MAX, 0},
    {"fminnmp_s", "01 1 11110 1 size:1 11000 01100 10 rn:5 rd:5", lift_fpair_scalar, F_MINNM, 0},
    {"fminp_s", "01 1 11110 1 size:1 11000 01111 10 rn:5 rd:5", lift_fpair_scalar, F_MIN, 0},
    {0},
};
#undef FV3
#undef FS3
#undef FV2
#undef FS2
#undef FEL
#undef FSEL
#undef BOTH2
