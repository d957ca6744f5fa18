/* lift_fp.c — scalar floating point (single, double; half only for fcvt):
 * fmov (register, immediate, general), arithmetic with 1, 2 and 3 sources,
 * fcmp/fcmpe, fccmp, fcsel, fcvt between precisions, conversions to and from
 * integers (also fixed-point) and frint*. Arm's NaN, min/max and rounding rules
 * come from a64_fparm.c. The ops run on the scalar (lane 0) only, so the FPSR
 * flags they raise are the instruction's. The ftype field is 00 single, 01
 * double, 11 half; rows fix its top bit where half precision (FEAT_FP16, not
 * advertised) is not implemented. */
#include "a64_simd.h"

/* IR rounding modes of FPCR.RMode-ordered fields (rmode: N, P, M, Z). */
static const unsigned rmode_ir[4] = {IR_RM_NEAREST, IR_RM_UP, IR_RM_DOWN, IR_RM_ZERO};

uint64_t a64_fp_expand_imm(unsigned imm8, unsigned sz) {
  uint64_t sign = imm8 >> 7 & 1, b6 = imm8 >> 6 & 1, rest = imm8 & 0x3f;
  if (sz == 0) /* exponent: NOT(b6), b6 x5, imm8<5:4> */
    return sign << 31 | (b6 ? 0x3e000000ull : 0x40000000ull) | rest << 19;
  return sign << 63 | (b6 ? 0x3fc0000000000000ull : 0x4000000000000000ull) | rest << 48;
}

static IrRef src(A64Lift *l, unsigned r) { return a64_vscalar(l, r, a64_ft(F(ftype))); }

/* -- Moves and one-source ops ------------------------------------------------- */

static bool lift_fmov_imm(A64Lift *l, const A64Row *r) {
  (void)r;
  a64_set_vscalar(l, F(rd), ir_const(l->fn, a64_ft(F(ftype)), a64_fp_expand_imm(F(imm), F(ftype))));
  return true;
}

/* fmov fabs fneg (a = IR op, 0 for fmov). */
static bool lift_fp_unary(A64Lift *l, const A64Row *r) {
  IrRef v = src(l, F(rn));
  a64_set_vscalar(l, F(rd), r->a ? ir_op1(l->fn, (IrOp)r->a, v) : v);
  return true;
}

static bool lift_fsqrt(A64Lift *l, const A64Row *r) {
  (void)r;
  a64_set_vscalar(l, F(rd), a64_fp_sqrt(l, src(l, F(rn)), a64_frm(l)));
  return true;
}

/* fcvt: ftype = source, opc = destination (00 single, 01 double, 11 half). */
static bool lift_fcvt(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned from = F(ftype), to = F(opc);
  if (from == to || from == 2 || to == 2)
    return false;
  IrFunc *fn = l->fn;
  IrRef v;
  if (from == 3) {
    v = a64_f16_to(l, a64_vscalar(l, F(rn), IR_T_i16), a64_ft(to));
  } else if (to == 3) {
    v = a64_f16_from(l, src(l, F(rn)));
  } else if (to == 0) { /* double to single rounds */
    v = a64_fp_narrow(l, src(l, F(rn)), IR_T_f32, a64_frm(l));
  } else {
    IrRef args[2] = {src(l, F(rn)), a64_frm(l)};
    v = a64_fp_dn(l, ir_emit(fn, IR_OP_fcvt, IR_T_f64, 2, args, 0, 0));
  }
  a64_set_vscalar(l, F(rd), v);
  return true;
}

/* frint{n,p,m,z,a,x,i} by opc (101 is unallocated); x and i use FPCR's mode,
 * x raises inexact. */
static bool lift_frint(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned opc = F(opc);
  if (opc == 5)
    return false;
  IrRef v = src(l, F(rn));
  if (opc >= 6)
    v = a64_fp_round(l, v, IR_RM_NEAREST, a64_frm(l), opc == 6);
  else if (opc == 4)
    v = a64_fp_round(l, v, A64_RM_TIEAWAY, IR_NONE, false);
  else
    v = a64_fp_round(l, v, rmode_ir[opc], a64_rm(l, rmode_ir[opc]), false);
  a64_set_vscalar(l, F(rd), v);
  return true;
}

/* -- Two and three sources ------------------------------------------------------- */

/* fadd fsub fmul fdiv (a = IR op); b = 1: fnmul (the product negated). */
static bool lift_fp_arith(A64Lift *l, const A64Row *r) {
  IrRef v = a64_fp_arith(l, (IrOp)r->a, src(l, F(rn)), src(l, F(rm)), a64_frm(l));
  a64_set_vscalar(l, F(rd), r->b ? ir_op1(l->fn, IR_OP_fneg, v) : v);
  return true;
}

/* fmax fmin fmaxnm fminnm: a = max, b = nm. */
static bool lift_fp_minmax(A64Lift *l, const A64Row *r) {
  a64_set_vscalar(l, F(rd), a64_fp_minmax(l, src(l, F(rn)), src(l, F(rm)), r->a, r->b));
  return true;
}

/* fmadd fmsub fnmadd fnmsub: ra + rn * rm with a = negate ra, b = negate rn
 * (the operands are negated before the NaN rules see them, as Arm does). */
static bool lift_fp_fma(A64Lift *l, const A64Row *r) {
  IrFunc *fn = l->fn;
  IrRef a = src(l, F(ra)), n = src(l, F(rn)), m = src(l, F(rm));
  if (r->a)
    a = ir_op1(fn, IR_OP_fneg, a);
  if (r->b)
    n = ir_op1(fn, IR_OP_fneg, n);
  a64_set_vscalar(l, F(rd), a64_fp_fma(l, a, n, m, a64_frm(l)));
  return true;
}

/* -- Compares and selects ------------------------------------------------------- */

/* NZCV of a compare: equal 0110, less 1000, greater 0010, unordered 0011.
 * signalling (fcmpe, fccmpe): invalid on quiet NaNs too. With cond, only if
 * it holds (else the immediate nzcv): the operands are 0.0 otherwise, so a
 * compare not made raises nothing. */
static void fcmp_flags(A64Lift *l, IrRef a, IrRef b, bool signalling, IrRef cond, unsigned nzcv) {
  IrFunc *fn = l->fn;
  IrRef (*cmp)(IrFunc *, IrPred, IrRef, IrRef) = signalling ? ir_fcmps : ir_fcmp;
  if (cond != IR_NONE) {
    IrRef zero = ir_const(fn, ir_typeof(fn, a), 0);
    a = ir_select(fn, cond, a, zero);
    b = ir_select(fn, cond, b, zero);
  }
  IrRef f[4] = {cmp(fn, IR_PRED_folt, a, b), cmp(fn, IR_PRED_foeq, a, b),
                cmp(fn, IR_PRED_fuge, a, b), cmp(fn, IR_PRED_funo, a, b)};
  if (cond != IR_NONE)
    for (unsigned i = 0; i < 4; i++)
      f[i] = ir_select(fn, cond, f[i], ir_const(fn, IR_T_i1, nzcv >> (3 - i) & 1));
  a64_set_nzcv(l, f[0], f[1], f[2], f[3]);
}

/* fcmp, fcmpe (opc bit 4: signalling), bit 3: with 0.0. */
static bool lift_fcmp(A64Lift *l, const A64Row *r) {
  (void)r;
  if (F(opc) & 7)
    return false;
  IrRef a = src(l, F(rn));
  IrRef b = F(opc) & 8 ? ir_const(l->fn, a64_ft(F(ftype)), 0) : src(l, F(rm));
  fcmp_flags(l, a, b, F(opc) & 16, IR_NONE, 0);
  return true;
}

/* fccmp, fccmpe (op: signalling): the compare's flags if cond holds, else the
 * immediate nzcv. */
static bool lift_fccmp(A64Lift *l, const A64Row *r) {
  (void)r;
  IrRef cond = a64_cond(l, F(cond));
  fcmp_flags(l, src(l, F(rn)), src(l, F(rm)), F(op), cond, F(nzcv));
  return true;
}

static bool lift_fcsel(A64Lift *l, const A64Row *r) {
  (void)r;
  IrRef cond = a64_cond(l, F(cond));
  a64_set_vscalar(l, F(rd), ir_select(l->fn, cond, src(l, F(rn)), src(l, F(rm))));
  return true;
}

/* -- Conversions to and from integers --------------------------------------------- */

/* fcvt{n,p,m,z}{s,u}: rmode picks the rounding, U unsigned; a = 1: fcvta{s,u}
 * (ties away). Out-of-range values saturate and NaN gives 0. */
static bool lift_fcvt_int(A64Lift *l, const A64Row *r) {
  unsigned mode = r->a ? A64_RM_TIEAWAY : rmode_ir[F(rmode)];
  IrRef v = a64_fp_toint(l, src(l, F(rn)), a64_int_type(F(sf)), F(U), mode,
                         a64_rm(l, mode == A64_RM_TIEAWAY ? IR_RM_ZERO : mode));
  a64_set_x(l, F(rd), v);
  return true;
}

static IrRef int_to_fp(A64Lift *l, IrRef x, bool is_unsigned, IrType t) {
  IrRef args[2] = {x, a64_frm(l)};
  return ir_emit(l->fn, IR_OP_itof, t, 2, args, is_unsigned ? IR_CVT_UNSIGNED : IR_CVT_SIGNED, 0);
}

static bool lift_cvtf(A64Lift *l, const A64Row *r) {
  (void)r;
  a64_set_vscalar(l, F(rd), int_to_fp(l, a64_x(l, F(rn), F(sf)), F(U), a64_ft(F(ftype))));
  return true;
}

/* Fixed point: fbits = 64 - scale (at most 32 for W). Scaling by a power of
 * two is exact here, so each conversion still rounds once. */
static bool fixed_fbits(A64Lift *l, unsigned *fbits) {
  *fbits = 64 - F(scale);
  return F(sf) || F(scale) >= 32;
}

static bool lift_fcvtz_fixed(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned fbits;
  if (!fixed_fbits(l, &fbits))
    return false;
  IrRef v = a64_fp_scale_toint(l, src(l, F(rn)), fbits);
  a64_set_x(l, F(rd), a64_fp_toint(l, v, a64_int_type(F(sf)), F(U), IR_RM_ZERO,
                                   a64_rm(l, IR_RM_ZERO)));
  return true;
}

static bool lift_cvtf_fixed(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned fbits;
  if (!fixed_fbits(l, &fbits))
    return false;
  IrRef v = int_to_fp(l, a64_x(l, F(rn), F(sf)), F(U), a64_ft(F(ftype)));
  a64_set_vscalar(l, F(rd), a64_fp_scale(l, v, -(int)fbits));
  return true;
}

/* fmov between general and FP registers: W <-> S, X <-> D, X <-> V.D[1]
 * (ftype 10, rmode 01). op 1: to the FP register. */
static bool lift_fmov_gen(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned sf = F(sf), ft = F(ftype), rm = F(rmode);
  bool upper = sf && ft == 2 && rm == 1;
  if (!upper && !(rm == 0 && ((sf == 0 && ft == 0) || (sf == 1 && ft == 1))))
    return false;
  IrFunc *fn = l->fn;
  if (!F(op)) {
    IrRef v = a64_v(l, F(rn), sf ? IR_T_v2i64 : IR_T_v4i32);
    a64_set_x(l, F(rd), ir_emit(fn, IR_OP_vextract, sf ? IR_T_i64 : IR_T_i32, 1, &v, upper, 0));
  } else if (upper) {
    IrRef args[2] = {a64_v(l, F(rd), IR_T_v2i64), a64_x(l, F(rn), true)};
    a64_set_v(l, F(rd), ir_emit(fn, IR_OP_vinsert, IR_T_v2i64, 2, args, 1, 0));
  } else {
    a64_set_vscalar(l, F(rd), a64_x(l, F(rn), sf));
  }
  return true;
}

#define FP "000 11110 0 ftype:1 1 "
const A64Row a64_rows_fp[] = {
    {"fmov_imm", FP "imm:8 100 00000 rd:5", lift_fmov_imm, 0, 0},
    {"fmov", FP "000000 10000 rn:5 rd:5", lift_fp_unary, 0, 0},
    {"fabs", FP "000001 10000 rn:5 rd:5", lift_fp_unary, IR_OP_fabs, 0},
    {"fneg", FP "000010 10000 rn:5 rd:5", lift_fp_unary, IR_OP_fneg, 0},
    {"fsqrt", FP "000011 10000 rn:5 rd:5", lift_fsqrt, 0, 0},
    {"fcvt", "000 11110 ftype:2 1 0001 opc:2 10000 rn:5 rd:5", lift_fcvt, 0, 0},
    {"frint", FP "001 opc:3 10000 rn:5 rd:5", lift_frint, 0, 0},
    {"fmul", FP "rm:5 0000 10 rn:5 rd:5", lift_fp_arith, IR_OP_fmul, 0},
    {"fdiv", FP "rm:5 0001 10 rn:5 rd:5", lift_fp_arith, IR_OP_fdiv, 0},
    {"fadd", FP "rm:5 0010 10 rn:5 rd:5", lift_fp_arith, IR_OP_fadd, 0},
    {"fsub", FP "rm:5 0011 10 rn:5 rd:5", lift_fp_arith, IR_OP_fsub, 0},
    {"fmax", FP "rm:5 0100 10 rn:5 rd:5", lift_fp_minmax, 1, 0},
    {"fmin", FP "rm:5 0101 10 rn:5 rd:5", lift_fp_minmax, 0, 0},
    {"fmaxnm", FP "rm:5 0110 10 rn:5 rd:5", lift_fp_minmax, 1, 1},
    {"fminnm", FP "rm:5 0111 10 rn:5 rd:5", lift_fp_minmax, 0, 1},
    {"fnmul", FP "rm:5 1000 10 rn:5 rd:5", lift_fp_arith, IR_OP_fmul, 1},
    {"fmadd", "000 11111 0 ftype:1 0 rm:5 0 ra:5 rn:5 rd:5", lift_fp_fma, 0, 0},
    {"fmsub", "000 11111 0 ftype:1 0 rm:5 1 ra:5 rn:5 rd:5", lift_fp_fma, 0, 1},
    {"fnmadd", "000 11111 0 ftype:1 1 rm:5 0 ra:5 rn:5 rd:5", lift_fp_fma, 1, 1},
    {"fnmsub", "000 11111 0 ftype:1 1 rm:5 1 ra:5 rn:5 rd:5", lift_fp_fma, 1, 0},
    {"fcmp", FP "rm:5 00 1000 rn:5 opc:5", lift_fcmp, 0, 0},
    {"fccmp", FP "rm:5 cond:4 01 rn:5 op:1 nzcv:4", lift_fccmp, 0, 0},
    {"fcsel", FP "rm:5 cond:4 11 rn:5 rd:5", lift_fcsel, 0, 0},
    {"fcvt_int", "sf:1 00 11110 0 ftype:1 1 rmode:2 00 U:1 000000 rn:5 rd:5", lift_fcvt_int, 0, 0},
    {"fcvta_int", "sf:1 00 11110 0 ftype:1 1 00 10 U:1 000000 rn:5 rd:5", lift_fcvt_int, 1, 0},
    {"cvtf", "sf:1 00 11110 0 ftype:1 1 00 01 U:1 000000 rn:5 rd:5", lift_cvtf, 0, 0},
    {"fmov_gen", "sf:1 00 11110 ftype:2 1 rmode:2 11 op:1 000000 rn:5 rd:5", lift_fmov_gen, 0, 0},
    {"fcvtz_fixed", "sf:1 00 11110 0 ftype:1 0 11 00 U:1 scale:6 rn:5 rd:5", lift_fcvtz_fixed, 0, 0},
    {"cvtf_fixed", "sf:1 00 11110 0 ftype:1 0 00 01 U:1 scale:6 rn:5 rd:5", lift_cvtf_fixed, 0, 0},
    {0},
};
#undef FP

void a64_fp_init(void) { a64_fparm_init(); }
