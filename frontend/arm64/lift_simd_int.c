/* lift_simd_int.c — Advanced SIMD integer lanes: three same (add sub mul mla
 * mls, min/max, saturating add/sub, halving adds, absolute differences,
 * logic and the bitwise selects, compares, pairwise ops, shifts by register),
 * two-register misc (rev, cnt, not, rbit, abs, neg, compares with zero,
 * pairwise add-long, xtn and the saturating narrows, shll, clz cls) and the
 * reductions across lanes (addv, [su]{max,min}v, [su]addlv), in their vector
 * and scalar forms. */
#include <string.h>

#include "a64_simd.h"

/* Row flags (b): the scalar form (lane 0 only); element sizes reserved. */
enum { SC = 1, NOD = 2, NOB = 4, ONLYD = 8, ONLYB = 16 };

static bool size_ok(A64Lift *l, const A64Row *r) {
  unsigned size = F(size);
  if (((r->b & NOD) && size == 3) || ((r->b & NOB) && size == 0) || ((r->b & ONLYB) && size))
    return false;
  if (r->b & SC)
    return !(r->b & ONLYD) || size == 3;
  return size != 3 || F(Q);
}

static void put(A64Lift *l, const A64Row *r, IrRef v) {
  if (r->b & SC)
    a64_set_lane0(l, F(rd), v);
  else
    a64_set_vq(l, F(rd), v, F(Q));
}

/* The result bytes that count (for FPSR.QC): lane 0, or 8 or 16 bytes. */
static unsigned valid_bytes(A64Lift *l, const A64Row *r) {
  return r->b & SC ? 1u << F(size) : F(Q) ? 16 : 8;
}

static IrRef vec(A64Lift *l, unsigned reg) { return a64_v(l, reg, a64_vt(F(size))); }

static IrRef lanes(A64Lift *l, uint64_t x) { return a64_lanes(l, a64_vt(F(size)), x); }

/* -- Three same -------------------------------------------------------------------- */

/* Ops that are not one IR op (row parameter a, above the IR's op numbers). */
enum {
  X_SHADD = IR_OP__COUNT, X_UHADD, X_SRHADD, X_URHADD, X_SHSUB, X_UHSUB, X_SABD, X_UABD, X_SABA,
  X_UABA, X_MLA, X_MLS, X_ORN, X_BIC, X_BSL, X_BIT, X_BIF,
};

/* Halving add/sub without a wider type: (a >> 1) op (b >> 1) plus the low bits' carry. */
static IrRef halving(A64Lift *l, unsigned x, IrRef a, IrRef b) {
  IrFunc *fn = l->fn;
  bool sgn = x == X_SHADD || x == X_SRHADD || x == X_SHSUB;
  IrOp sh = sgn ? IR_OP_ashr : IR_OP_lshr;
  IrRef ha = a64_vshift(l, sh, a, 1), hb = a64_vshift(l, sh, b, 1), one = lanes(l, 1);
  if (x == X_SHSUB || x == X_UHSUB) /* borrow: low bit of a clear, of b set */
    return ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_sub, ha, hb),
                  ir_op2(fn, IR_OP_and, ir_op2(fn, IR_OP_andn, b, a), one));
  bool round = x == X_SRHADD || x == X_URHADD;
  IrRef low = ir_op2(fn, IR_OP_and, ir_op2(fn, round ? IR_OP_or : IR_OP_and, a, b), one);
  return ir_op2(fn, IR_OP_add, ir_op2(fn, IR_OP_add, ha, hb), low);
}

static IrRef absdiff(A64Lift *l, bool sgn, IrRef a, IrRef b) {
  IrFunc *fn = l->fn;
  return ir_op2(fn, IR_OP_sub, ir_op2(fn, sgn ? IR_OP_smax : IR_OP_umax, a, b),
                ir_op2(fn, sgn ? IR_OP_smin : IR_OP_umin, a, b));
}

static IrRef v3_compute(A64Lift *l, unsigned x, IrRef n, IrRef m) {
  IrFunc *fn = l->fn;
  switch (x) {
  case X_SHADD: case X_UHADD: case X_SRHADD: case X_URHADD: case X_SHSUB: case X_UHSUB:
    return halving(l, x, n, m);
  case X_SABD: case X_UABD: return absdiff(l, x == X_SABD, n, m);
  case X_SABA: case X_UABA:
    return ir_op2(fn, IR_OP_add, vec(l, F(rd)), absdiff(l, x == X_SABA, n, m));
  case X_MLA: return ir_op2(fn, IR_OP_add, vec(l, F(rd)), a64_vmul(l, n, m));
  case X_MLS: return ir_op2(fn, IR_OP_sub, vec(l, F(rd)), a64_vmul(l, n, m));
  case IR_OP_mul: return a64_vmul(l, n, m);
  case X_ORN: return ir_op2(fn, IR_OP_or, n, ir_op1(fn, IR_OP_not, m));
  case X_BIC: return ir_op2(fn, IR_OP_andn, n, m);
  case X_BSL: return a64_blend(l, vec(l, F(rd)), n, m);
  case X_BIT: return a64_blend(l, m, n, vec(l, F(rd)));
  case X_BIF: return a64_blend(l, m, vec(l, F(rd)), n);
  default: return ir_op2(fn, (IrOp)x, n, m);
  }
}

/* Three same, integer: a = IR op or X_*, b = flags. The logic rows have no
 * size field (it selects the op): they work on bytes. */
static bool lift_v3(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  IrRef n = vec(l, F(rn)), m = vec(l, F(rm)), v = v3_compute(l, (unsigned)r->a, n, m);
  IrOp wrap = r->a == IR_OP_saddsat || r->a == IR_OP_uaddsat   ? IR_OP_add
              : r->a == IR_OP_ssubsat || r->a == IR_OP_usubsat ? IR_OP_sub
                                                               : IR_OP__COUNT;
  if (wrap != IR_OP__COUNT)
    a64_set_qc(l, v, ir_op2(l->fn, wrap, n, m), valid_bytes(l, r));
  put(l, r, v);
  return true;
}

#define A64_CMTST IR_PRED__COUNT
/* cmeq cmgt cmge cmhi cmhs cmtst (a = predicate or A64_CMTST); b = flags. */
static bool lift_v3_cmp(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  IrFunc *fn = l->fn;
  IrRef n = vec(l, F(rn)), m = vec(l, F(rm));
  IrRef v = r->a == A64_CMTST ? ir_cmp(fn, IR_PRED_ne, ir_op2(fn, IR_OP_and, n, m), lanes(l, 0))
                               : a64_vcmp(l, (IrPred)r->a, n, m);
  put(l, r, v);
  return true;
}

/* Pairwise: op(even lanes, odd lanes) of Vn:Vm. a = IR op. */
static bool lift_v3_pair(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  IrRef n = vec(l, F(rn)), m = vec(l, F(rm));
  unsigned esize = 1u << F(size);
  IrRef ev = a64_unzip(l, n, m, esize, false, !F(Q)), od = a64_unzip(l, n, m, esize, true, !F(Q));
  put(l, r, ir_op2(l->fn, (IrOp)r->a, ev, od));
  return true;
}

/* Lanes done in C: a = A64_VH_*. */
static bool lift_v3_helper(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  a64_vhelper(l, (unsigned)r->a, F(rd), F(rn), F(rm), F(size), F(Q), r->b & SC, 0);
  return true;
}

/* -- Two-register misc ---------------------------------------------------------------- */

/* rev16 rev32 rev64: a = container bytes; elements of `size` reversed in it. */
static bool lift_rev(A64Lift *l, const A64Row *r) {
  unsigned c = (unsigned)r->a, e = 1u << F(size);
  if (e >= c)
    return false;
  uint8_t idx[16];
  for (unsigned i = 0; i < 16; i++) {
    unsigned base = i - i % c, o = i % c;
    idx[i] = (uint8_t)(base + (c / e - 1 - o / e) * e + o % e);
  }
  IrRef v = a64_v(l, F(rn), IR_T_v16i8);
  a64_set_vq(l, F(rd), a64_perm(l, &v, 1, idx), F(Q));
  return true;
}

/* A nibble table lookup on each byte: lo[x & 15] op hi[x >> 4]. */
static IrRef nibbles(A64Lift *l, IrRef x, const uint8_t lo[16], const uint8_t hi[16], IrOp op) {
  IrFunc *fn = l->fn;
  IrV128 tl, th;
  memcpy(&tl, lo, 16);
  memcpy(&th, hi, 16);
  IrRef low = ir_op2(fn, IR_OP_and, x, a64_lanes(l, IR_T_v16i8, 15));
  IrRef high = a64_vshift(l, IR_OP_lshr, x, 4);
  return ir_op2(fn, op, ir_op2(fn, IR_OP_vtbl, ir_vconst(fn, IR_T_v16i8, tl), low),
                ir_op2(fn, IR_OP_vtbl, ir_vconst(fn, IR_T_v16i8, th), high));
}

/* cnt (a = 0), not (1), rbit (2): byte-wise. */
static bool lift_bytes(A64Lift *l, const A64Row *r) {
  static const uint8_t pop[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
  static const uint8_t rev_lo[16] = {0x00, 0x80, 0x40, 0xc0, 0x20, 0xa0, 0x60, 0xe0,
                                     0x10, 0x90, 0x50, 0xd0, 0x30, 0xb0, 0x70, 0xf0};
  static const uint8_t rev_hi[16] = {0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe,
                                     0x1, 0x9, 0x5, 0xd, 0x3, 0xb, 0x7, 0xf};
  IrRef x = a64_v(l, F(rn), IR_T_v16i8), v;
  if (r->a == 0)
    v = nibbles(l, x, pop, pop, IR_OP_add);
  else if (r->a == 1)
    v = ir_op1(l->fn, IR_OP_not, x);
  else
    v = nibbles(l, x, rev_lo, rev_hi, IR_OP_or);
  a64_set_vq(l, F(rd), v, F(Q));
  return true;
}

enum { U_ABS, U_NEG, U_SQABS, U_SQNEG };
/* abs neg sqabs sqneg: a = U_*; b = flags. */
static bool lift_v2_arith(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  IrFunc *fn = l->fn;
  IrRef x = vec(l, F(rn)), zero = lanes(l, 0);
  IrRef neg = ir_op2(fn, r->a >= U_SQABS ? IR_OP_ssubsat : IR_OP_sub, zero, x), v = neg;
  if (r->a == U_ABS || r->a == U_SQABS)
    v = a64_blend(l, ir_cmp(fn, IR_PRED_slt, x, zero), neg, x);
  if (r->a >= U_SQABS) /* only MIN saturates */
    a64_set_qc(l, neg, ir_op2(fn, IR_OP_sub, zero, x), valid_bytes(l, r));
  put(l, r, v);
  return true;
}

/* cmgt cmeq cmlt cmge cmle with #0: a = predicate (x pred 0). */
static bool lift_v2_cmp0(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  put(l, r, ir_cmp(l->fn, (IrPred)r->a, vec(l, F(rn)), lanes(l, 0)));
  return true;
}

/* saddlp uaddlp (a = signed), sadalp uadalp (b = accumulate): adjacent pairs
 * of narrow lanes summed into wide lanes. */
static bool lift_addlp(A64Lift *l, const A64Row *r) {
  if (F(size) == 3)
    return false;
  IrFunc *fn = l->fn;
  unsigned bits = 8u << F(size);
  IrType wt = a64_vt(F(size) + 1);
  IrRef x = a64_v(l, F(rn), wt);
  IrRef hi = a64_vshift(l, r->a ? IR_OP_ashr : IR_OP_lshr, x, bits);
  IrRef lo = r->a ? a64_vshift(l, IR_OP_ashr, a64_vshift(l, IR_OP_shl, x, bits), bits)
                  : ir_op2(fn, IR_OP_and, x, a64_lanes(l, wt, (1ull << bits) - 1));
  IrRef v = ir_op2(fn, IR_OP_add, lo, hi);
  if (r->b)
    v = ir_op2(fn, IR_OP_add, v, a64_v(l, F(rd), wt));
  a64_set_vq(l, F(rd), v, F(Q));
  return true;
}

/* xtn sqxtn uqxtn sqxtun (a = IR_NARROW_*): the "2" forms (Q) fill the high
 * half and keep the low. Scalar (b = SC): one lane. */
static bool lift_xtn(A64Lift *l, const A64Row *r) {
  if (F(size) == 3)
    return false;
  IrRef x = a64_v(l, F(rn), a64_vt(F(size) + 1));
  IrRef v = a64_narrow(l, x, a64_vt(F(size)), (unsigned)r->a, r->b & SC ? 2u << F(size) : 16);
  if (r->b & SC)
    a64_set_lane0(l, F(rd), v);
  else if (F(Q))
    a64_set_v(l, F(rd), a64_join64(l, vec(l, F(rd)), v));
  else
    a64_set_v64(l, F(rd), v);
  return true;
}

/* shll, shll2: widen the low (high) half and shift left by the element size. */
static bool lift_shll(A64Lift *l, const A64Row *r) {
  (void)r;
  if (F(size) == 3)
    return false;
  IrRef x = vec(l, F(rn));
  IrRef w = ir_emit(l->fn, F(Q) ? IR_OP_vwidenhi : IR_OP_vwidenlo, a64_vt(F(size) + 1), 1, &x,
                    IR_WIDEN_ZERO, 0);
  a64_set_v(l, F(rd), a64_vshift(l, IR_OP_shl, w, 8u << F(size)));
  return true;
}

/* clz cls suqadd usqadd (a = A64_VH_*), in C. */
static bool lift_v2_helper(A64Lift *l, const A64Row *r) {
  if (!size_ok(l, r))
    return false;
  a64_vhelper(l, (unsigned)r->a, F(rd), F(rn), F(rn), F(size), F(Q), r->b & SC, 0);
  return true;
}

/* -- Across lanes ----------------------------------------------------------------------- */

/* Lane 0 = op over the first n lanes of v: halve the span, folding the top
 * half onto the bottom. */
static IrRef reduce(A64Lift *l, IrOp op, IrRef v, unsigned n, unsigned esize) {
  for (unsigned half = n / 2; half >= 1; half /= 2) {
    uint8_t idx[16];
    for (unsigned i = 0; i < 16; i++)
      idx[i] = (uint8_t)(i + half * esize < 16 ? i + half * esize : 0xff);
    v = ir_op2(l->fn, op, v, a64_perm(l, &v, 1, idx));
  }
  return v;
}

/* addv smaxv sminv umaxv uminv: a = IR op. */
static bool lift_across(A64Lift *l, const A64Row *r) {
  unsigned size = F(size);
  if (size == 3 || (size == 2 && !F(Q)))
    return false;
  unsigned n = (F(Q) ? 16u : 8u) >> size;
  a64_set_lane0(l, F(rd), reduce(l, (IrOp)r->a, vec(l, F(rn)), n, 1u << size));
  return true;
}

/* saddlv uaddlv (a = signed): the sum in lanes twice as wide. */
static bool lift_addlv(A64Lift *l, const A64Row *r) {
  unsigned size = F(size);
  if (size == 3 || (size == 2 && !F(Q)))
    return false;
  IrFunc *fn = l->fn;
  IrType wt = a64_vt(size + 1);
  IrRef x = vec(l, F(rn)), kind = r->a ? IR_WIDEN_SIGN : IR_WIDEN_ZERO;
  IrRef v = ir_emit(fn, IR_OP_vwidenlo, wt, 1, &x, kind, 0);
  if (F(Q))
    v = ir_op2(fn, IR_OP_add, v, ir_emit(fn, IR_OP_vwidenhi, wt, 1, &x, kind, 0));
  a64_set_lane0(l, F(rd), reduce(l, IR_OP_add, v, 8u >> size, 2u << size));
  return true;
}

/* addp (scalar): the two 64-bit lanes of Vn added. */
static bool lift_addp_scalar(A64Lift *l, const A64Row *r) {
  (void)r;
  if (F(size) != 3)
    return false;
  a64_set_lane0(l, F(rd), reduce(l, IR_OP_add, a64_v(l, F(rn), IR_T_v2i64), 2, 8));
  return true;
}

#define V3(u, opc) "0 Q:1 " u " 01110 size:2 1 rm:5 " opc " 1 rn:5 rd:5"
#define S3(u, opc) "01 " u " 11110 size:2 1 rm:5 " opc " 1 rn:5 rd:5"
#define LOGIC(u, sz) "0 Q:1 " u " 01110 " sz " 1 rm:5 00011 1 rn:5 rd:5"
#define M2(u, opc) "0 Q:1 " u " 01110 size:2 10000 " opc " 10 rn:5 rd:5"
#define SM2(u, opc) "01 " u " 11110 size:2 10000 " opc " 10 rn:5 rd:5"
#define AV(u, opc) "0 Q:1 " u " 01110 size:2 11000 " opc " 10 rn:5 rd:5"
const A64Row a64_rows_simd_int[] = {
    /* three same */
    {"shadd", V3("0", "00000"), lift_v3, X_SHADD, NOD},
    {"uhadd", V3("1", "00000"), lift_v3, X_UHADD, NOD},
    {"sqadd", V3("0", "00001"), lift_v3, IR_OP_saddsat, 0},
    {"uqadd", V3("1", "00001"), lift_v3, IR_OP_uaddsat, 0},
    {"srhadd", V3("0", "00010"), lift_v3, X_SRHADD, NOD},
    {"urhadd", V3("1", "00010"), lift_v3, X_URHADD, NOD},
    {"shsub", V3("0", "00100"), lift_v3, X_SHSUB, NOD},
    {"uhsub", V3("1", "00100"), lift_v3, X_UHSUB, NOD},
    {"sqsub", V3("0", "00101"), lift_v3, IR_OP_ssubsat, 0},
    {"uqsub", V3("1", "00101"), lift_v3, IR_OP_usubsat, 0},
    {"cmgt", V3("0", "00110"), lift_v3_cmp, IR_PRED_sgt, 0},
    {"cmhi", V3("1", "00110"), lift_v3_cmp, IR_PRED_ugt, 0},
    {"cmge", V3("0", "00111"), lift_v3_cmp, IR_PRED_sge, 0},
    {"cmhs", V3("1", "00111"), lift_v3_cmp, IR_PRED_uge, 0},
    {"sshl", V3("0", "01000"), lift_v3_helper, A64_VH_SSHL, 0},
    {"ushl", V3("1", "01000"), lift_v3_helper, A64_VH_USHL, 0},
    {"sqshl", V3("0", "01001"), lift_v3_helper, A64_VH_SQSHL, 0},
    {"uqshl", V3("1", "01001"), lift_v3_helper, A64_VH_UQSHL, 0},
    {"srshl", V3("0", "01010"), lift_v3_helper, A64_VH_SRSHL, 0},
    {"urshl", V3("1", "01010"), lift_v3_helper, A64_VH_URSHL, 0},
    {"sqrshl", V3("0", "01011"), lift_v3_helper, A64_VH_SQRSHL, 0},
    {"uqrshl", V3("1", "01011"), lift_v3_helper, A64_VH_UQRSHL, 0},
    {"smax", V3("0", "01100"), lift_v3, IR_OP_smax, NOD},
    {"umax", V3("1", "01100"), lift_v3, IR_OP_umax, NOD},
    {"smin", V3("0", "01101"), lift_v3, IR_OP_smin, NOD},
    {"umin", V3("1", "01101"), lift_v3, IR_OP_umin, NOD},
    {"sabd", V3("0", "01110"), lift_v3, X_SABD, NOD},
    {"uabd", V3("1", "01110"), lift_v3, X_UABD, NOD},
    {"saba", V3("0", "01111"), lift_v3, X_SABA, NOD},
    {"uaba", V3("1", "01111"), lift_v3, X_UABA, NOD},
    {"add", V3("0", "10000"), lift_v3, IR_OP_add, 0},
    {"sub", V3("1", "10000"), lift_v3, IR_OP_sub, 0},
    {"cmtst", V3("0", "10001"), lift_v3_cmp, A64_CMTST, 0},
    {"cmeq", V3("1", "10001"), lift_v3_cmp, IR_PRED_eq, 0},
    {"mla", V3("0", "10010"), lift_v3, X_MLA, NOD},
    {"mls", V3("1", "10010"), lift_v3, X_MLS, NOD},
    {"mul", V3("0", "10011"), lift_v3, IR_OP_mul, NOD},
    {"pmul", V3("1", "10011"), lift_v3_helper, A64_VH_PMUL, ONLYB},
    {"smaxp", V3("0", "10100"), lift_v3_pair, IR_OP_smax, NOD},
    {"umaxp", V3("1", "10100"), lift_v3_pair, IR_OP_umax, NOD},
    {"sminp", V3("0", "10101"), lift_v3_pair, IR_OP_smin, NOD},
    {"uminp", V3("1", "10101"), lift_v3_pair, IR_OP_umin, NOD},
    {"sqdmulh", V3("0", "10110"), lift_v3_helper, A64_VH_SQDMULH, NOD | NOB},
    {"sqrdmulh", V3("1", "10110"), lift_v3_helper, A64_VH_SQRDMULH, NOD | NOB},
    {"addp", V3("0", "10111"), lift_v3_pair, IR_OP_add, 0},
    {"and", LOGIC("0", "00"), lift_v3, IR_OP_and, 0},
    {"bic", LOGIC("0", "01"), lift_v3, X_BIC, 0},
    {"orr", LOGIC("0", "10"), lift_v3, IR_OP_or, 0},
    {"orn", LOGIC("0", "11"), lift_v3, X_ORN, 0},
    {"eor", LOGIC("1", "00"), lift_v3, IR_OP_xor, 0},
    {"bsl", LOGIC("1", "01"), lift_v3, X_BSL, 0},
    {"bit", LOGIC("1", "10"), lift_v3, X_BIT, 0},
    {"bif", LOGIC("1", "11"), lift_v3, X_BIF, 0},
    /* scalar three same */
    {"sqadd_s", S3("0", "00001"), lift_v3, IR_OP_saddsat, SC},
    {"uqadd_s", S3("1", "00001"), lift_v3, IR_OP_uaddsat, SC},
    {"sqsub_s", S3("0", "00101"), lift_v3, IR_OP_ssubsat, SC},
    {"uqsub_s", S3("1", "00101"), lift_v3, IR_OP_usubsat, SC},
    {"cmgt_s", S3("0", "00110"), lift_v3_cmp, IR_PRED_sgt, SC | ONLYD},
    {"cmhi_s", S3("1", "00110"), lift_v3_cmp, IR_PRED_ugt, SC | ONLYD},
    {"cmge_s", S3("0", "00111"), lift_v3_cmp, IR_PRED_sge, SC | ONLYD},
    {"cmhs_s", S3("1", "00111"), lift_v3_cmp, IR_PRED_uge, SC | ONLYD},
    {"sshl_s", S3("0", "01000"), lift_v3_helper, A64_VH_SSHL, SC | ONLYD},
    {"ushl_s", S3("1", "01000"), lift_v3_helper, A64_VH_USHL, SC | ONLYD},
    {"sqshl_s", S3("0", "01001"), lift_v3_helper, A64_VH_SQSHL, SC},
    {"uqshl_s", S3("1", "01001"), lift_v3_helper, A64_VH_UQSHL, SC},
    {"srshl_s", S3("0", "01010"), lift_v3_helper, A64_VH_SRSHL, SC | ONLYD},
    {"urshl_s", S3("1", "01010"), lift_v3_helper, A64_VH_URSHL, SC | ONLYD},
    {"sqrshl_s", S3("0", "01011"), lift_v3_helper, A64_VH_SQRSHL, SC},
    {"uqrshl_s", S3("1", "01011"), lift_v3_helper, A64_VH_UQRSHL, SC},
    {"add_s", S3("0", "10000"), lift_v3, IR_OP_add, SC | ONLYD},
    {"sub_s", S3("1", "10000"), lift_v3, IR_OP_sub, SC | ONLYD},
    {"cmtst_s", S3("0", "10001"), lift_v3_cmp, A64_CMTST, SC | ONLYD},
    {"cmeq_s", S3("1", "10001"), lift_v3_cmp, IR_PRED_eq, SC | ONLYD},
    {"sqdmulh_s", S3("0", "10110"), lift_v3_helper, A64_VH_SQDMULH, SC | NOD | NOB},
    {"sqrdmulh_s", S3("1", "10110"), lift_v3_helper, A64_VH_SQRDMULH, SC | NOD | NOB},
    /* two-register misc */
    {"rev64", M2("0", "00000"), lift_rev, 8, 0},
    {"rev16", M2("0", "00001"), lift_rev, 2, 0},
    {"rev32", M2("1", "00000"), lift_rev, 4, 0},
    {"saddlp", M2("0", "00010"), lift_addlp, 1, 0},
    {"uaddlp", M2("1", "00010"), lift_addlp, 0, 0},
    {"suqadd", M2("0", "00011"), lift_v2_helper, A64_VH_SUQADD, 0},
    {"usqadd", M2("1", "00011"), lift_v2_helper, A64_VH_USQADD, 0},
    {"cls", M2("0", "00100"), lift_v2_helper, A64_VH_CLS, NOD},
    {"clz", M2("1", "00100"), lift_v2_helper, A64_VH_CLZ, NOD},
    {"cnt", "0 Q:1 0 01110 00 10000 00101 10 rn:5 rd:5", lift_bytes, 0, 0},
    {"not", "0 Q:1 1 01110 00 10000 00101 10 rn:5 rd:5", lift_bytes, 1, 0},
    {"rbit", "0 Q:1 1 01110 01 10000 00101 10 rn:5 rd:5", lift_bytes, 2, 0},
    {"sadalp", M2("0", "00110"), lift_addlp, 1, 1},
    {"uadalp", M2("1", "00110"), lift_addlp, 0, 1},
    {"sqabs", M2("0", "00111"), lift_v2_arith, U_SQABS, 0},
    {"sqneg", M2("1", "00111"), lift_v2_arith, U_SQNEG, 0},
    {"cmgt0", M2("0", "01000"), lift_v2_cmp0, IR_PRED_sgt, 0},
    {"cmge0", M2("1", "01000"), lift_v2_cmp0, IR_PRED_sge, 0},
    {"cmeq0", M2("0", "01001"), lift_v2_cmp0, IR_PRED_eq, 0},
    {"cmle0", M2("1", "01001"), lift_v2_cmp0, IR_PRED_sle, 0},
    {"cmlt0", M2("0", "01010"), lift_v2_cmp0, IR_PRED_slt, 0},
    {"abs", M2("0", "01011"), lift_v2_arith, U_ABS, 0},
    {"neg", M2("1", "01011"), lift_v2_arith, U_NEG, 0},
    {"xtn", M2("0", "10010"), lift_xtn, IR_NARROW_TRUNC, 0},
    {"sqxtun", M2("1", "10010"), lift_xtn, IR_NARROW_USAT, 0},
    {"shll", M2("1", "10011"), lift_shll, 0, 0},
    {"sqxtn", M2("0", "10100"), lift_xtn, IR_NARROW_SSAT, 0},
    {"uqxtn", M2("1", "10100"), lift_xtn, IR_NARROW_UUSAT, 0},
    /* scalar two-register misc */
    {"suqadd_s", SM2("0", "00011"), lift_v2_helper, A64_VH_SUQADD, SC},
    {"usqadd_s", SM2("1", "00011"), lift_v2_helper, A64_VH_USQADD, SC},
    {"sqabs_s", SM2("0", "00111"), lift_v2_arith, U_SQABS, SC},
    {"sqneg_s", SM2("1", "00111"), lift_v2_arith, U_SQNEG, SC},
    {"cmgt0_s", SM2("0", "01000"), lift_v2_cmp0, IR_PRED_sgt, SC | ONLYD},
    {"cmge0_s", SM2("1", "01000"), lift_v2_cmp0, IR_PRED_sge, SC | ONLYD},
    {"cmeq0_s", SM2("0", "01001"), lift_v2_cmp0, IR_PRED_eq, SC | ONLYD},
    {"cmle0_s", SM2("1", "01001"), lift_v2_cmp0, IR_PRED_sle, SC | ONLYD},
    {"cmlt0_s", SM2("0", "01010"), lift_v2_cmp0, IR_PRED_slt, SC | ONLYD},
    {"abs_s", SM2("0", "01011"), lift_v2_arith, U_ABS, SC | ONLYD},
    {"neg_s", SM2("1", "01011"), lift_v2_arith, U_NEG, SC | ONLYD},
    {"sqxtun_s", SM2("1", "10010"), lift_xtn, IR_NARROW_USAT, SC},
    {"sqxtn_s", SM2("0", "10100"), lift_xtn, IR_NARROW_SSAT, SC},
    {"uqxtn_s", SM2("1", "10100"), lift_xtn, IR_NARROW_UUSAT, SC},
    /* across lanes */
    {"saddlv", AV("0", "00011"), lift_addlv, 1, 0},
    {"uaddlv", AV("1", "00011"), lift_addlv, 0, 0},
    {"smaxv", AV("0", "01010"), lift_across, IR_OP_smax, 0},
    {"umaxv", AV("1", "01010"), lift_across, IR_OP_umax, 0},
    {"sminv", AV("0", "11010"), lift_across, IR_OP_smin, 0},
    {"uminv", AV("1", "11010"), lift_across, IR_OP_umin, 0},
    {"addv", AV("0", "11011"), lift_across, IR_OP_add, 0},
    {"addp_s", "01 0 11110 size:2 11000 11011 10 rn:5 rd:5", lift_addp_scalar, 0, 0},
    {0},
};
#undef V3
#undef S3
#undef LOGIC
#undef M2
#undef SM2
#undef AV
