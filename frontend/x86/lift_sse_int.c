/* lift_sse_int.c — SSE2..SSE4.2 integer SIMD arithmetic on xmm registers: lane-wise
 * add/sub/saturation/min/max/multiply, bitwise logic (the ps/pd forms too: they are
 * the same bits), compares, shifts by an immediate or a register count, and the
 * composite ones (pmaddwd, psadbw, pavg, pabs, psign, pmulhrsw, ptest, phminposuw,
 * mpsadbw) written as sequences of IR lane ops. */
#include "lift_sse.h"

/* Binary lane op: dst = op(dst, src) in type b; a = IrOp, plus SWAP for
 * pandn/andnps/andnpd, which compute ~dst & src = andn(src, dst). */
#define SWAP 0x10000
static bool lift_vbin(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->b;
  IrRef a = x86_sse_get(l, 0, t), b = x86_sse_get(l, 1, t);
  IrOp op = (IrOp)(e->a & 0xffff);
  x86_sse_put(l, 0, (e->a & SWAP) ? ir_op2(l->fn, op, b, a) : ir_op2(l->fn, op, a, b));
  return true;
}

/* pcmpeq/pcmpgt (a = IrPred, b = type): lanes all ones where true. */
static bool lift_vcmp(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->b;
  x86_sse_put(l, 0, ir_cmp(l->fn, (IrPred)e->a, x86_sse_get(l, 0, t), x86_sse_get(l, 1, t)));
  return true;
}

/* psll/psrl/psra (a = IrOp, b = type) by imm8 or by the low qword of an xmm/m128.
 * The count is not masked: counts >= the lane width give 0 (or the sign), which is
 * exactly the IR's shift rule. */
static bool lift_vshift(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->b;
  IrRef n;
  if (x86_is_imm(l, 1)) {
    n = x86_i64(l, l->op[1].imm.value.u & 0xff);
  } else {
    IrRef v = x86_sse_get(l, 1, IR_T_v2i64);
    n = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 0, 0);
  }
  x86_sse_put(l, 0, ir_op2(l->fn, (IrOp)e->a, x86_sse_get(l, 0, t), n));
  return true;
}

/* pabsb/w/d: |src|, with MIN staying MIN (0x80.. read as unsigned). */
static bool lift_pabs(X86Lift *l, const X86Lifter *e) {
  IrRef s = x86_sse_get(l, 1, (IrType)e->a);
  x86_sse_put(l, 0, ir_op2(l->fn, IR_OP_smax, s, ir_op1(l->fn, IR_OP_neg, s)));
  return true;
}

/* psignb/w/d: dst negated where src < 0, zeroed where src == 0. */
static bool lift_psign(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrType t = (IrType)e->a;
  IrRef a = x86_sse_get(l, 0, t), b = x86_sse_get(l, 1, t), zero = x86_sse_splat(l, t, 0);
  IrRef neg = ir_cmp(fn, IR_PRED_slt, b, zero), isz = ir_cmp(fn, IR_PRED_eq, b, zero);
  IrRef r = ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_xor, a, neg), neg); /* -a = (a ^ -1) + 1 */
  x86_sse_put(l, 0, ir_op2(fn, IR_OP_andn, r, isz));
  return true;
}

/* pavgb/pavgw: (a + b + 1) >> 1 without the carry bit: (a | b) - ((a ^ b) >> 1). */
static bool lift_pavg(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrType t = (IrType)e->a;
  IrRef a = x86_sse_get(l, 0, t), b = x86_sse_get(l, 1, t);
  IrRef half = ir_op2(fn, IR_OP_lshr, ir_op2(fn, IR_OP_xor, a, b), x86_i64(l, 1));
  x86_sse_put(l, 0, ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_or, a, b), half));
  return true;
}

/* The even (low) and odd (high) narrow lanes of v, each extended into the wide
 * lane that holds them (t: the wide type; sign or zero extension). */
static IrRef even_lanes(X86Lift *l, IrRef v, IrType t, bool sign) {
  unsigned half = ir_type_bits(ir_type_lane(t)) / 2;
  if (!sign)
    return ir_op2(l->fn, IR_OP_and, v, x86_sse_splat(l, t, (1ull << half) - 1));
  return ir_op2(l->fn, IR_OP_ashr, ir_op2(l->fn, IR_OP_shl, v, x86_i64(l, half)), x86_i64(l, half));
}
static IrRef odd_lanes(X86Lift *l, IrRef v, IrType t, bool sign) {
  unsigned half = ir_type_bits(ir_type_lane(t)) / 2;
  return ir_op2(l->fn, sign ? IR_OP_ashr : IR_OP_lshr, v, x86_i64(l, half));
}

/* pmuludq (a = 0) / pmuldq (a = 1): the low dwords of each qword, multiplied
 * into full 64-bit products. */
static bool lift_pmul32(X86Lift *l, const X86Lifter *e) {
  bool sign = e->a;
  IrRef a = even_lanes(l, x86_sse_get(l, 0, IR_T_v2i64), IR_T_v2i64, sign);
  IrRef b = even_lanes(l, x86_sse_get(l, 1, IR_T_v2i64), IR_T_v2i64, sign);
  x86_sse_put(l, 0, ir_op2(l->fn, IR_OP_mul, a, b));
  return true;
}

/* pmaddwd: signed word products, adjacent pairs summed into dwords (the one
 * overflow, 2 * 0x8000 * 0x8000, wraps to 0x80000000 as on hardware). */
static bool lift_pmaddwd(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = x86_sse_get(l, 0, IR_T_v4i32), b = x86_sse_get(l, 1, IR_T_v4i32);
  IrRef ev = ir_op2(fn, IR_OP_mul, even_lanes(l, a, IR_T_v4i32, true), even_lanes(l, b, IR_T_v4i32, true));
  IrRef od = ir_op2(fn, IR_OP_mul, odd_lanes(l, a, IR_T_v4i32, true), odd_lanes(l, b, IR_T_v4i32, true));
  x86_sse_put(l, 0, ir_op2(fn, IR_OP_add, ev, od));
  return true;
}

/* pmaddubsw: unsigned bytes of dst times signed bytes of src (each product fits
 * a word), adjacent pairs added with signed saturation. */
static bool lift_pmaddubsw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = x86_sse_get(l, 0, IR_T_v8i16), b = x86_sse_get(l, 1, IR_T_v8i16);
  IrRef ev = ir_op2(fn, IR_OP_mul, even_lanes(l, a, IR_T_v8i16, false), even_lanes(l, b, IR_T_v8i16, true));
  IrRef od = ir_op2(fn, IR_OP_mul, odd_lanes(l, a, IR_T_v8i16, false), odd_lanes(l, b, IR_T_v8i16, true));
  x86_sse_put(l, 0, ir_op2(fn, IR_OP_saddsat, ev, od));
  return true;
}

/* pmulhrsw: bits 16..1 of the 32-bit product, rounded: ((a*b >> 14) + 1) >> 1. */
static bool lift_pmulhrsw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = x86_sse_get(l, 0, IR_T_v8i16), b = x86_sse_get(l, 1, IR_T_v8i16);
  IrRef half[2];
  for (int h = 0; h < 2; h++) {
    IrOp w = h ? IR_OP_vwidenhi : IR_OP_vwidenlo;
    IrRef wa = ir_emit(fn, w, IR_T_v4i32, 1, &a, IR_WIDEN_SIGN, 0);
    IrRef wb = ir_emit(fn, w, IR_T_v4i32, 1, &b, IR_WIDEN_SIGN, 0);
    IrRef p = ir_op2(fn, IR_OP_ashr, ir_op2(fn, IR_OP_mul, wa, wb), x86_i64(l, 14));
    p = ir_op2(fn, IR_OP_add, p, x86_sse_splat(l, IR_T_v4i32, 1));
    half[h] = ir_op2(fn, IR_OP_ashr, p, x86_i64(l, 1));
  }
  x86_sse_put(l, 0, ir_emit(fn, IR_OP_vnarrow, IR_T_v8i16, 2, half, IR_NARROW_TRUNC, 0));
  return true;
}

/* Sum of adjacent lane pairs of v (type t) into the lanes twice as wide. */
static IrRef pair_sum(X86Lift *l, IrRef v, IrType t) {
  IrType w = (IrType)(t + 1);
  v = x86_sse_cast(l, v, w);
  return ir_op2(l->fn, IR_OP_add, even_lanes(l, v, w, false), odd_lanes(l, v, w, false));
}

/* psadbw: |a - b| per byte, the eight of each qword summed into it. */
static bool lift_psadbw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = x86_sse_get(l, 0, IR_T_v16i8), b = x86_sse_get(l, 1, IR_T_v16i8);
  IrRef d = ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_umax, a, b), ir_op2(fn, IR_OP_umin, a, b));
  for (IrType t = IR_T_v16i8; t != IR_T_v2i64; t = (IrType)(t + 1))
    d = pair_sum(l, d, t);
  x86_sse_put(l, 0, d);
  return true;
}

static IrRef or_lanes64(X86Lift *l, IrRef v) {
  IrRef lo = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 0, 0);
  IrRef hi = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 1, 0);
  return ir_op2(l->fn, IR_OP_or, lo, hi);
}

/* ptest: ZF = (dst & src) == 0, CF = (~dst & src) == 0; AF OF PF SF cleared. */
static bool lift_ptest(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = x86_sse_get(l, 0, IR_T_v2i64), b = x86_sse_get(l, 1, IR_T_v2i64);
  IrRef zero = x86_i64(l, 0), no = ir_const(fn, IR_T_i1, 0);
  x86_set_flag(l, X86_SLOT_ZF, ir_cmp(fn, IR_PRED_eq, or_lanes64(l, ir_op2(fn, IR_OP_and, a, b)), zero));
  x86_set_flag(l, X86_SLOT_CF, ir_cmp(fn, IR_PRED_eq, or_lanes64(l, ir_op2(fn, IR_OP_andn, b, a)), zero));
  x86_set_flag(l, X86_SLOT_AF, no);
  x86_set_flag(l, X86_SLOT_OF, no);
  x86_set_flag(l, X86_SLOT_PF, no);
  x86_set_flag(l, X86_SLOT_SF, no);
  return true;
}

/* phminposuw: the smallest unsigned word and its lowest index, as
 * dst = {min, index, 0...}. Keys (word << 3 | index) make one unsigned minimum
 * find both. */
static bool lift_phminposuw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef s = x86_sse_get(l, 1, IR_T_v8i16), three = x86_i64(l, 3);
  IrRef lo = ir_emit(fn, IR_OP_vwidenlo, IR_T_v4i32, 1, &s, IR_WIDEN_ZERO, 0);
  IrRef hi = ir_emit(fn, IR_OP_vwidenhi, IR_T_v4i32, 1, &s, IR_WIDEN_ZERO, 0);
  lo = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, lo, three), x86_sse_const(l, IR_T_v4i32, 1ull << 32, 2 | 3ull << 32));
  hi = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, hi, three), x86_sse_const(l, IR_T_v4i32, 4 | 5ull << 32, 6 | 7ull << 32));
  IrRef m = ir_op2(fn, IR_OP_umin, lo, hi), key = IR_NONE;
  for (unsigned i = 0; i < 4; i++) {
    IrRef k = ir_emit(fn, IR_OP_vextract, IR_T_i32, 1, &m, i, 0);
    key = key ? ir_op2(fn, IR_OP_umin, key, k) : k;
  }
  IrRef idx = ir_op2(fn, IR_OP_and, key, ir_const(fn, IR_T_i32, 7));
  IrRef r = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_lshr, key, ir_const(fn, IR_T_i32, 3)),
                   ir_op2(fn, IR_OP_shl, idx, ir_const(fn, IR_T_i32, 16)));
  x86_sse_put(l, 0, x86_sse_zext128(l, r));
  return true;
}

/* mpsadbw: word i = sum over j < 4 of |dst[o + i + j] - src[s + j]|, with the
 * byte offsets o = imm[2] * 4 and s = imm[1:0] * 4. Each j is one word-lane
 * step: the dst bytes spread into words by a permutation, the src byte splat. */
static bool lift_mpsadbw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  unsigned imm = (unsigned)l->op[2].imm.value.u;
  unsigned o = (imm >> 2 & 1) * 4, so = (imm & 3) * 4;
  IrRef a = x86_sse_get(l, 0, IR_T_v16i8), b = x86_sse_get(l, 1, IR_T_v16i8), sum = IR_NONE;
  for (unsigned j = 0; j < 4; j++) {
    uint8_t sa[16], sb[16];
    for (unsigned i = 0; i < 8; i++) {
      sa[2 * i] = (uint8_t)(o + i + j), sa[2 * i + 1] = X86_SSE_ZERO;
      sb[2 * i] = (uint8_t)(so + j), sb[2 * i + 1] = X86_SSE_ZERO;
    }
    IrRef da = x86_sse_cast(l, x86_sse_permute(l, a, IR_NONE, 1, sa), IR_T_v8i16);
    IrRef db = x86_sse_cast(l, x86_sse_permute(l, b, IR_NONE, 1, sb), IR_T_v8i16);
    IrRef d = ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_umax, da, db), ir_op2(fn, IR_OP_umin, da, db));
    sum = sum ? ir_op2(fn, IR_OP_add, sum, d) : d;
  }
  x86_sse_put(l, 0, sum);
  return true;
}

#define ROW(mn, fn, a, b) {ZYDIS_MNEMONIC_##mn, fn, a, b}
#define BIN(mn, op, t) ROW(mn, lift_vbin, IR_OP_##op, IR_T_##t)
#define CMP(mn, pred, t) ROW(mn, lift_vcmp, IR_PRED_##pred, IR_T_##t)
#define SHIFT(mn, op, t) ROW(mn, lift_vshift, IR_OP_##op, IR_T_##t)

const X86Lifter x86_lifters_sse_int[] = {
    BIN(PADDB, add, v16i8),    BIN(PADDW, add, v8i16),    BIN(PADDD, add, v4i32),
    BIN(PADDQ, add, v2i64),    BIN(PSUBB, sub, v16i8),    BIN(PSUBW, sub, v8i16),
    BIN(PSUBD, sub, v4i32),    BIN(PSUBQ, sub, v2i64),
    BIN(PADDSB, saddsat, v16i8), BIN(PADDSW, saddsat, v8i16),
    BIN(PADDUSB, uaddsat, v16i8), BIN(PADDUSW, uaddsat, v8i16),
    BIN(PSUBSB, ssubsat, v16i8), BIN(PSUBSW, ssubsat, v8i16),
    BIN(PSUBUSB, usubsat, v16i8), BIN(PSUBUSW, usubsat, v8i16),
    BIN(PMULLW, mul, v8i16),   BIN(PMULHW, mulhs, v8i16), BIN(PMULHUW, mulhu, v8i16),
    BIN(PMULLD, mul, v4i32),
    BIN(PMINUB, umin, v16i8),  BIN(PMAXUB, umax, v16i8),  BIN(PMINSW, smin, v8i16),
    BIN(PMAXSW, smax, v8i16),  BIN(PMINSB, smin, v16i8),  BIN(PMAXSB, smax, v16i8),
    BIN(PMINUW, umin, v8i16),  BIN(PMAXUW, umax, v8i16),  BIN(PMINUD, umin, v4i32),
    BIN(PMAXUD, umax, v4i32),  BIN(PMINSD, smin, v4i32),  BIN(PMAXSD, smax, v4i32),
    BIN(PAND, and, v2i64),     BIN(ANDPS, and, v2i64),    BIN(ANDPD, and, v2i64),
    BIN(POR, or, v2i64),       BIN(ORPS, or, v2i64),      BIN(ORPD, or, v2i64),
    BIN(PXOR, xor, v2i64),     BIN(XORPS, xor, v2i64),    BIN(XORPD, xor, v2i64),
    ROW(PANDN, lift_vbin, IR_OP_andn | SWAP, IR_T_v2i64),
    ROW(ANDNPS, lift_vbin, IR_OP_andn | SWAP, IR_T_v2i64),
    ROW(ANDNPD, lift_vbin, IR_OP_andn | SWAP, IR_T_v2i64),
    CMP(PCMPEQB, eq, v16i8),   CMP(PCMPEQW, eq, v8i16),   CMP(PCMPEQD, eq, v4i32),
    CMP(PCMPEQQ, eq, v2i64),   CMP(PCMPGTB, sgt, v16i8),  CMP(PCMPGTW, sgt, v8i16),
    CMP(PCMPGTD, sgt, v4i32),  CMP(PCMPGTQ, sgt, v2i64),
    SHIFT(PSLLW, shl, v8i16),  SHIFT(PSLLD, shl, v4i32),  SHIFT(PSLLQ, shl, v2i64),
    SHIFT(PSRLW, lshr, v8i16), SHIFT(PSRLD, lshr, v4i32), SHIFT(PSRLQ, lshr, v2i64),
    SHIFT(PSRAW, ashr, v8i16), SHIFT(PSRAD, ashr, v4i32),
    ROW(PABSB, lift_pabs, IR_T_v16i8, 0), ROW(PABSW, lift_pabs, IR_T_v8i16, 0),
    ROW(PABSD, lift_pabs, IR_T_v4i32, 0),
    ROW(PSIGNB, lift_psign, IR_T_v16i8, 0), ROW(PSIGNW, lift_psign, IR_T_v8i16, 0),
    ROW(PSIGND, lift_psign, IR_T_v4i32, 0),
    ROW(PAVGB, lift_pavg, IR_T_v16i8, 0), ROW(PAVGW, lift_pavg, IR_T_v8i16, 0),
    ROW(PMULUDQ, lift_pmul32, 0, 0), ROW(PMULDQ, lift_pmul32, 1, 0),
    ROW(PMADDWD, lift_pmaddwd, 0, 0), ROW(PMADDUBSW, lift_pmaddubsw, 0, 0),
    ROW(PMULHRSW, lift_pmulhrsw, 0, 0), ROW(PSADBW, lift_psadbw, 0, 0),
    ROW(PTEST, lift_ptest, 0, 0),   ROW(PHMINPOSUW, lift_phminposuw, 0, 0),
    ROW(MPSADBW, lift_mpsadbw, 0, 0),
    {0, NULL, 0, 0},
};
