/* lift_simd_long.c — Advanced SIMD "three different" (lanes widened from
 * the low or, in the "2" forms, high half: [su]addl [su]addw [su]subl [su]subw
 * [su]abal [su]abdl [su]mlal [su]mlsl [su]mull sqdmull sqdmlal sqdmlsl, and
 * the narrowing addhn subhn raddhn rsubhn, pmull of bytes) and the integer
 * ops by element (mul mla mls, [su]mull [su]mlal [su]mlsl, sqdmull sqdmlal
 * sqdmlsl, sqdmulh sqrdmulh), in vector, "2" and (the saturating ones) scalar
 * forms. */
#include "a64_simd.h"

/* What happens to the widened operands (row parameter a). */
enum { L_ADD, L_SUB, L_ABD, L_ABA, L_MUL, L_MLA, L_MLS, L_QDMUL, L_QDMLA, L_QDMLS };
/* Row flags (b): signed, Vn already wide (the w forms), the element form. */
enum { SGN = 1, WIDE = 2, ELEM = 4, SC = 8 };

static IrRef widen(A64Lift *l, IrRef x, bool hi, bool sgn) {
  unsigned size = (unsigned)__builtin_ctz(ir_type_bits(ir_type_lane(ir_typeof(l->fn, x)))) - 3;
  return ir_emit(l->fn, hi ? IR_OP_vwidenhi : IR_OP_vwidenlo, a64_vt(size + 1), 1, &x,
                 sgn ? IR_WIDEN_SIGN : IR_WIDEN_ZERO, 0);
}

/* Index and register of a by-element operand (size 1: H:L:M, v0-v15; size 2: H:L). */
static unsigned elem_index(A64Lift *l, unsigned size) {
  return size == 1 ? F(H) << 2 | F(L) << 1 | F(M) : F(H) << 1 | F(L);
}
static unsigned elem_reg(A64Lift *l, unsigned size) { return size == 1 ? F(rm) : F(M) << 4 | F(rm); }

static IrRef element(A64Lift *l, unsigned size) {
  unsigned index = elem_index(l, size), reg = elem_reg(l, size);
  IrType t = a64_vt(size);
  IrRef v = a64_v(l, reg, t);
  IrRef s = ir_emit(l->fn, IR_OP_vextract, ir_type_lane(t), 1, &v, index, 0);
  return ir_emit(l->fn, IR_OP_vsplat, t, 1, &s, 0, 0);
}

/* The long ops on widened a, b, with the wide destination d; qc_bytes: the
 * result bytes that count for FPSR.QC. */
static IrRef long_op(A64Lift *l, unsigned op, bool sgn, IrRef a, IrRef b, unsigned rd,
                     unsigned qc_bytes) {
  IrFunc *fn = l->fn;
  IrType wt = ir_typeof(fn, a);
  IrRef d = a64_v(l, rd, wt), p;
  switch (op) {
  case L_ADD: return ir_op2(fn, IR_OP_add, a, b);
  case L_SUB: return ir_op2(fn, IR_OP_sub, a, b);
  case L_ABD: case L_ABA:
    p = ir_op2(fn, IR_OP_sub, ir_op2(fn, sgn ? IR_OP_smax : IR_OP_umax, a, b),
               ir_op2(fn, sgn ? IR_OP_smin : IR_OP_umin, a, b));
    return op == L_ABA ? ir_op2(fn, IR_OP_add, d, p) : p;
  case L_MUL: return ir_op2(fn, IR_OP_mul, a, b);
  case L_MLA: return ir_op2(fn, IR_OP_add, d, ir_op2(fn, IR_OP_mul, a, b));
  case L_MLS: return ir_op2(fn, IR_OP_sub, d, ir_op2(fn, IR_OP_mul, a, b));
  default: { /* doubling, saturating: only MIN * MIN overflows 2ab */
    IrRef ab = ir_op2(fn, IR_OP_mul, a, b);
    p = ir_op2(fn, IR_OP_saddsat, ab, ab);
    a64_set_qc(l, p, ir_op2(fn, IR_OP_add, ab, ab), qc_bytes);
    if (op == L_QDMUL)
      return p;
    IrRef s = ir_op2(fn, op == L_QDMLA ? IR_OP_saddsat : IR_OP_ssubsat, d, p);
    a64_set_qc(l, s, ir_op2(fn, op == L_QDMLA ? IR_OP_add : IR_OP_sub, d, p), qc_bytes);
    return s;
  }
  }
}

/* Three different, long and wide forms; also the by-element long forms, and
 * the scalar sqdmull sqdmlal sqdmlsl (b has SC: lane 0 only). */
static bool lift_long(A64Lift *l, const A64Row *r) {
  unsigned size = F(size);
  bool sgn = r->b & SGN, hi = F(Q), sc = r->b & SC;
  bool qd = r->a >= L_QDMUL;
  if (size == 3 || ((r->b & ELEM) && size == 0) || (qd && size == 0))
    return false;
  IrType t = a64_vt(size);
  IrRef n = a64_v(l, F(rn), t);
  IrRef m = r->b & ELEM ? element(l, size) : a64_v(l, F(rm), t);
  IrRef a = r->b & WIDE ? a64_v(l, F(rn), a64_vt(size + 1)) : widen(l, n, hi, sgn);
  IrRef b = widen(l, m, hi && !(r->b & ELEM), sgn);
  IrRef v = long_op(l, (unsigned)r->a, sgn, a, b, F(rd), sc ? 2u << size : 16);
  if (sc)
    a64_set_lane0(l, F(rd), v);
  else
    a64_set_v(l, F(rd), v);
  return true;
}

/* pmull, pmull2 of bytes (the 64-bit form is FEAT_PMULL, not offered), in C. */
static bool lift_pmull(A64Lift *l, const A64Row *r) {
  (void)r;
  if (F(size))
    return false;
  a64_vhelper(l, A64_VH_PMULL8, F(rd), F(rn), F(rm), 0, F(Q), false, 0);
  return true;
}

/* sqdmulh sqrdmulh by element (a = A64_VH_*; b = SC: scalar), in C. */
static bool lift_qdmulh_elem(A64Lift *l, const A64Row *r) {
  unsigned size = F(size);
  bool sc = r->b & SC;
  if (size == 0 || size == 3)
    return false;
  a64_vhelper(l, (unsigned)r->a, F(rd), F(rn), elem_reg(l, size), size, F(Q), sc,
              A64_VH_ELEM(elem_index(l, size)));
  return true;
}

/* addhn subhn (a: 0 add, 1 sub), raddhn rsubhn (b = 1: round): the high half
 * of each wide sum, narrowed; the "2" forms fill the high half of Vd. */
static bool lift_hn(A64Lift *l, const A64Row *r) {
  unsigned size = F(size), bits = 8u << size;
  if (size == 3)
    return false;
  IrFunc *fn = l->fn;
  IrType wt = a64_vt(size + 1), t = a64_vt(size);
  IrRef s = ir_op2(fn, r->a ? IR_OP_sub : IR_OP_add, a64_v(l, F(rn), wt), a64_v(l, F(rm), wt));
  if (r->b)
    s = ir_op2(fn, IR_OP_add, s, a64_lanes(l, wt, 1ull << (bits - 1)));
  IrRef v = a64_narrow(l, a64_vshift(l, IR_OP_lshr, s, bits), t, IR_NARROW_TRUNC, 16);
  if (F(Q))
    a64_set_v(l, F(rd), a64_join64(l, a64_v(l, F(rd), t), v));
  else
    a64_set_v64(l, F(rd), v);
  return true;
}

/* mul mla mls by element (a = L_MUL / L_MLA / L_MLS on same-size lanes). */
static bool lift_mul_elem(A64Lift *l, const A64Row *r) {
  unsigned size = F(size);
  if (size == 0 || size == 3)
    return false;
  IrType t = a64_vt(size);
  IrRef v = long_op(l, (unsigned)r->a, false, a64_v(l, F(rn), t), element(l, size), F(rd), 16);
  a64_set_vq(l, F(rd), v, F(Q));
  return true;
}

#define D3(u, opc) "0 Q:1 " u " 01110 size:2 1 rm:5 " opc " 00 rn:5 rd:5"
#define EL(u, opc) "0 Q:1 " u " 01111 size:2 L:1 M:1 rm:4 " opc " H:1 0 rn:5 rd:5"
#define SD3(opc) "01 0 11110 size:2 1 rm:5 " opc " 00 rn:5 rd:5"
#define SEL(opc) "01 0 11111 size:2 L:1 M:1 rm:4 " opc " H:1 0 rn:5 rd:5"
const A64Row a64_rows_simd_long[] = {
    {"saddl", D3("0", "0000"), lift_long, L_ADD, SGN},
    {"uaddl", D3("1", "0000"), lift_long, L_ADD, 0},
    {"saddw", D3("0", "0001"), lift_long, L_ADD, SGN | WIDE},
    {"uaddw", D3("1", "0001"), lift_long, L_ADD, WIDE},
    {"ssubl", D3("0", "0010"), lift_long, L_SUB, SGN},
    {"usubl", D3("1", "0010"), lift_long, L_SUB, 0},
    {"ssubw", D3("0", "0011"), lift_long, L_SUB, SGN | WIDE},
    {"usubw", D3("1", "0011"), lift_long, L_SUB, WIDE},
    {"addhn", D3("0", "0100"), lift_hn, 0, 0},
    {"raddhn", D3("1", "0100"), lift_hn, 0, 1},
    {"sabal", D3("0", "0101"), lift_long, L_ABA, SGN},
    {"uabal", D3("1", "0101"), lift_long, L_ABA, 0},
    {"subhn", D3("0", "0110"), lift_hn, 1, 0},
    {"rsubhn", D3("1", "0110"), lift_hn, 1, 1},
    {"sabdl", D3("0", "0111"), lift_long, L_ABD, SGN},
    {"uabdl", D3("1", "0111"), lift_long, L_ABD, 0},
    {"smlal", D3("0", "1000"), lift_long, L_MLA, SGN},
    {"umlal", D3("1", "1000"), lift_long, L_MLA, 0},
    {"sqdmlal", D3("0", "1001"), lift_long, L_QDMLA, SGN},
    {"smlsl", D3("0", "1010"), lift_long, L_MLS, SGN},
    {"umlsl", D3("1", "1010"), lift_long, L_MLS, 0},
    {"sqdmlsl", D3("0", "1011"), lift_long, L_QDMLS, SGN},
    {"smull", D3("0", "1100"), lift_long, L_MUL, SGN},
    {"umull", D3("1", "1100"), lift_long, L_MUL, 0},
    {"sqdmull", D3("0", "1101"), lift_long, L_QDMUL, SGN},
    {"pmull", D3("0", "1110"), lift_pmull, 0, 0},
    {"sqdmlal_s", SD3("1001"), lift_long, L_QDMLA, SGN | SC},
    {"sqdmlsl_s", SD3("1011"), lift_long, L_QDMLS, SGN | SC},
    {"sqdmull_s", SD3("1101"), lift_long, L_QDMUL, SGN | SC},
    {"mul_elem", EL("0", "1000"), lift_mul_elem, L_MUL, 0},
    {"mla_elem", EL("1", "0000"), lift_mul_elem, L_MLA, 0},
    {"mls_elem", EL("1", "0100"), lift_mul_elem, L_MLS, 0},
    {"smull_elem", EL("0", "1010"), lift_long, L_MUL, SGN | ELEM},
    {"umull_elem", EL("1", "1010"), lift_long, L_MUL, ELEM},
    {"smlal_elem", EL("0", "0010"), lift_long, L_MLA, SGN | ELEM},
    {"umlal_elem", EL("1", "0010"), lift_long, L_MLA, ELEM},
    {"smlsl_elem", EL("0", "0110"), lift_long, L_MLS, SGN | ELEM},
    {"umlsl_elem", EL("1", "0110"), lift_long, L_MLS, ELEM},
    {"sqdmull_elem", EL("0", "1011"), lift_long, L_QDMUL, SGN | ELEM},
    {"sqdmlal_elem", EL("0", "0011"), lift_long, L_QDMLA, SGN | ELEM},
    {"sqdmlsl_elem", EL("0", "0111"), lift_long, L_QDMLS, SGN | ELEM},
    {"sqdmull_elem_s", SEL("1011"), lift_long, L_QDMUL, SGN | ELEM | SC},
    {"sqdmlal_elem_s", SEL("0011"), lift_long, L_QDMLA, SGN | ELEM | SC},
    {"sqdmlsl_elem_s", SEL("0111"), lift_long, L_QDMLS, SGN | ELEM | SC},
    {"sqdmulh_elem", EL("0", "1100"), lift_qdmulh_elem, A64_VH_SQDMULH, 0},
    {"sqrdmulh_elem", EL("0", "1101"), lift_qdmulh_elem, A64_VH_SQRDMULH, 0},
    {"sqdmulh_elem_s", SEL("1100"), lift_qdmulh_elem, A64_VH_SQDMULH, SC},
    {"sqrdmulh_elem_s", SEL("1101"), lift_qdmulh_elem, A64_VH_SQRDMULH, SC},
    {0},
};
#undef D3
#undef EL
#undef SD3
#undef SEL
