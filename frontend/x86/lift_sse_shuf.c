/* lift_sse_shuf.c — SSE2..SSE4.1 lane rearrangement: immediate shuffles (pshufd,
 * pshuflw/hw, shufps/pd), byte shifts (pslldq/psrldq, palignr), pshufb,
 * interleaves (punpck*), packs with saturation, horizontal add/sub and
 * blends. Immediate forms become constant permutations (vtbl, x86_sse_permute). */
#include "lift_sse.h"

static unsigned imm8(const X86Lift *l, int i) { return (unsigned)l->op[i].imm.value.u & 0xff; }

/* pshufd (a = 4), pshuflw (a = 2, b = 0), pshufhw (a = 2, b = 4): lanes of a bytes;
 * for words only the four lanes from b on are shuffled, the rest copied. */
static bool lift_pshuf(X86Lift *l, const X86Lifter *e) {
  unsigned lb = (unsigned)e->a, n = 16 / lb, imm = imm8(l, 2), base = (unsigned)e->b;
  uint8_t sel[8];
  for (unsigned i = 0; i < n; i++)
    sel[i] = (uint8_t)(i >= base && i < base + 4 ? base + (imm >> 2 * (i - base) & 3) : i);
  x86_sse_put(l, 0, x86_sse_permute(l, x86_sse_get(l, 1, IR_T_v16i8), IR_NONE, lb, sel));
  return true;
}

/* shufps: dwords 0,1 from dst, 2,3 from src; shufpd: qword 0 from dst, 1 from src. */
static bool lift_shufp(X86Lift *l, const X86Lifter *e) {
  unsigned lb = (unsigned)e->a, n = 16 / lb, bits = n / 2, imm = imm8(l, 2);
  uint8_t sel[4];
  for (unsigned i = 0; i < n; i++)
    sel[i] = (uint8_t)((i < n / 2 ? 0 : n) + (imm >> bits * i & (n - 1)));
  IrRef a = x86_sse_get(l, 0, IR_T_v16i8), b = x86_sse_get(l, 1, IR_T_v16i8);
  x86_sse_put(l, 0, x86_sse_permute(l, a, b, lb, sel));
  return true;
}

/* pshufb: byte i = dst[src[i] & 15], or 0 if src[i] has bit 7 set (masking with
 * 0x8f keeps such indices >= 16, which vtbl turns into 0). */
static bool lift_pshufb(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef idx = ir_op2(l->fn, IR_OP_and, x86_sse_get(l, 1, IR_T_v16i8), x86_sse_splat(l, IR_T_v16i8, 0x8f));
  x86_sse_put(l, 0, ir_op2(l->fn, IR_OP_vtbl, x86_sse_get(l, 0, IR_T_v16i8), idx));
  return true;
}

/* pslldq (a = 0) / psrldq (a = 1): the register shifted by imm bytes, zeros in. */
static bool lift_pbyteshift(X86Lift *l, const X86Lifter *e) {
  unsigned n = imm8(l, 1);
  uint8_t sel[16];
  for (unsigned i = 0; i < 16; i++) {
    unsigned s = e->a ? i + n : i - n; /* wraps to huge when i < n */
    sel[i] = (uint8_t)(s < 16 ? s : X86_SSE_ZERO);
  }
  x86_sse_put(l, 0, x86_sse_permute(l, x86_sse_get(l, 0, IR_T_v16i8), IR_NONE, 1, sel));
  return true;
}

/* palignr: bytes imm.. of the 32-byte dst:src (src low), zeros past the end. */
static bool lift_palignr(X86Lift *l, const X86Lifter *e) {
  (void)e;
  unsigned n = imm8(l, 2);
  uint8_t sel[16];
  for (unsigned i = 0; i < 16; i++)
    sel[i] = (uint8_t)(i + n < 32 ? i + n : X86_SSE_ZERO);
  IrRef src = x86_sse_get(l, 1, IR_T_v16i8), dst = x86_sse_get(l, 0, IR_T_v16i8);
  x86_sse_put(l, 0, x86_sse_permute(l, src, dst, 1, sel));
  return true;
}

/* punpckl* (a = 0) and punpckh* (a = 1), b = lane type: dst lane, src lane,
 * alternating, from the low or high halves. (unpck*ps/pd: lift_sse_fp.c.) */
static bool lift_unpack(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->b;
  IrRef v = ir_op2(l->fn, e->a ? IR_OP_vziphi : IR_OP_vziplo, x86_sse_get(l, 0, t), x86_sse_get(l, 1, t));
  x86_sse_put(l, 0, v);
  return true;
}

/* packsswb packuswb packssdw packusdw (a = IR_NARROW_*, b = result type): dst's
 * lanes narrowed into the low half, src's into the high. */
static bool lift_pack(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->b, w = (IrType)(t + 1);
  IrRef args[2] = {x86_sse_get(l, 0, w), x86_sse_get(l, 1, w)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_vnarrow, t, 2, args, (uint64_t)e->a, 0));
  return true;
}

/* phaddw/d, phaddsw, phsubw/d, phsubsw (a = IrOp, b = lane type): op(even, odd) of
 * adjacent pairs, dst's pairs in the low half, src's in the high. Truncating
 * narrows pick the even lanes (the low halves of the wide lanes) and, after a
 * shift, the odd ones. */
static bool lift_phop(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrType t = (IrType)e->b, w = (IrType)(t + 1);
  IrRef a = x86_sse_get(l, 0, w), b = x86_sse_get(l, 1, w);
  IrRef n = x86_i64(l, ir_type_bits(ir_type_lane(t)));
  IrRef ev[2] = {a, b}, od[2] = {ir_op2(fn, IR_OP_lshr, a, n), ir_op2(fn, IR_OP_lshr, b, n)};
  IrRef even = ir_emit(fn, IR_OP_vnarrow, t, 2, ev, IR_NARROW_TRUNC, 0);
  IrRef odd = ir_emit(fn, IR_OP_vnarrow, t, 2, od, IR_NARROW_TRUNC, 0);
  x86_sse_put(l, 0, ir_op2(fn, (IrOp)e->a, even, odd));
  return true;
}

/* dst where m is 0, src where m is all ones. */
static IrRef blend(X86Lift *l, IrRef dst, IrRef src, IrRef m) {
  return ir_op2(l->fn, IR_OP_or, ir_op2(l->fn, IR_OP_andn, dst, m), ir_op2(l->fn, IR_OP_and, src, m));
}

/* pblendw blendps blendpd (a = lane type): lane i from src if imm bit i. */
static bool lift_blend_imm(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->a;
  unsigned bits = ir_type_bits(ir_type_lane(t)), imm = imm8(l, 2);
  uint64_t m[2] = {0, 0}, ones = bits == 64 ? ~0ull : (1ull << bits) - 1;
  for (unsigned i = 0; i < 128 / bits; i++)
    if (imm >> i & 1)
      m[i * bits / 64] |= ones << (i * bits % 64);
  IrRef dst = x86_sse_get(l, 0, t), src = x86_sse_get(l, 1, t);
  x86_sse_put(l, 0, blend(l, dst, src, x86_sse_const(l, t, m[0], m[1])));
  return true;
}

/* pblendvb blendvps blendvpd (a = lane type): lane from src where the lane of the
 * implicit xmm0 has its top bit set. */
static bool lift_blend_var(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->a;
  IrRef top = x86_i64(l, ir_type_bits(ir_type_lane(t)) - 1);
  IrRef m = ir_op2(l->fn, IR_OP_ashr, x86_sse_xmm(l, 0, t), top);
  x86_sse_put(l, 0, blend(l, x86_sse_get(l, 0, t), x86_sse_get(l, 1, t), m));
  return true;
}

#define ROW(mn, fn, a, b) {ZYDIS_MNEMONIC_##mn, fn, a, b}
#define UNPCK(mn, hi, t) ROW(mn, lift_unpack, hi, IR_T_##t)
#define PHOP(mn, op, t) ROW(mn, lift_phop, IR_OP_##op, IR_T_##t)

const X86Lifter x86_lifters_sse_shuf[] = {
    ROW(PSHUFD, lift_pshuf, 4, 0),      ROW(PSHUFLW, lift_pshuf, 2, 0),
    ROW(PSHUFHW, lift_pshuf, 2, 4),     ROW(SHUFPS, lift_shufp, 4, 0),
    ROW(SHUFPD, lift_shufp, 8, 0),      ROW(PSHUFB, lift_pshufb, 0, 0),
    ROW(PSLLDQ, lift_pbyteshift, 0, 0), ROW(PSRLDQ, lift_pbyteshift, 1, 0),
    ROW(PALIGNR, lift_palignr, 0, 0),
    UNPCK(PUNPCKLBW, 0, v16i8), UNPCK(PUNPCKLWD, 0, v8i16), UNPCK(PUNPCKLDQ, 0, v4i32),
    UNPCK(PUNPCKLQDQ, 0, v2i64), UNPCK(PUNPCKHBW, 1, v16i8), UNPCK(PUNPCKHWD, 1, v8i16),
    UNPCK(PUNPCKHDQ, 1, v4i32), UNPCK(PUNPCKHQDQ, 1, v2i64),
    ROW(PACKSSWB, lift_pack, IR_NARROW_SSAT, IR_T_v16i8),
    ROW(PACKUSWB, lift_pack, IR_NARROW_USAT, IR_T_v16i8),
    ROW(PACKSSDW, lift_pack, IR_NARROW_SSAT, IR_T_v8i16),
    ROW(PACKUSDW, lift_pack, IR_NARROW_USAT, IR_T_v8i16),
    PHOP(PHADDW, add, v8i16),  PHOP(PHADDD, add, v4i32),  PHOP(PHADDSW, saddsat, v8i16),
    PHOP(PHSUBW, sub, v8i16),  PHOP(PHSUBD, sub, v4i32),  PHOP(PHSUBSW, ssubsat, v8i16),
    ROW(PBLENDW, lift_blend_imm, IR_T_v8i16, 0),
    ROW(BLENDPS, lift_blend_imm, IR_T_v4i32, 0),
    ROW(BLENDPD, lift_blend_imm, IR_T_v2i64, 0),
    ROW(PBLENDVB, lift_blend_var, IR_T_v16i8, 0),
    ROW(BLENDVPS, lift_blend_var, IR_T_v4i32, 0),
    ROW(BLENDVPD, lift_blend_var, IR_T_v2i64, 0),
    {0, NULL, 0, 0},
};
