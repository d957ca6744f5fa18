/* a64_vec.c — vector shapes, lane constants, masks, blends and byte
 * permutations for the FP and Advanced SIMD lifters (a64_simd.h). */
#include <string.h>

#include "a64_simd.h"

IrType a64_vt(unsigned size) {
  static const IrType t[4] = {IR_T_v16i8, IR_T_v8i16, IR_T_v4i32, IR_T_v2i64};
  return t[size & 3];
}

IrType a64_itype(IrType t) {
  switch (t) {
  case IR_T_f32: return IR_T_i32;
  case IR_T_f64: return IR_T_i64;
  case IR_T_v4f32: return IR_T_v4i32;
  case IR_T_v2f64: return IR_T_v2i64;
  default: return t;
  }
}

IrType a64_ftype(IrType t) {
  switch (t) {
  case IR_T_i32: return IR_T_f32;
  case IR_T_i64: return IR_T_f64;
  case IR_T_v4i32: return IR_T_v4f32;
  case IR_T_v2i64: return IR_T_v2f64;
  default: return t;
  }
}

IrRef a64_cast(A64Lift *l, IrRef v, IrType t) {
  return ir_typeof(l->fn, v) == t ? v : ir_cast(l->fn, IR_OP_bitcast, t, v);
}

IrRef a64_lanes(A64Lift *l, IrType t, uint64_t x) {
  if (!ir_type_is_vec(t))
    return ir_const(l->fn, t, x);
  unsigned bits = ir_type_bits(ir_type_lane(t));
  uint64_t w = bits == 64 ? x : x & ((1ull << bits) - 1);
  for (unsigned s = bits; s < 64; s *= 2)
    w |= w << s;
  return ir_vconst(l->fn, t, (IrV128){w, w});
}

IrRef a64_rm(A64Lift *l, unsigned mode) { return ir_const(l->fn, IR_T_i8, mode); }

void a64_set_vq(A64Lift *l, unsigned r, IrRef v, bool q) {
  if (q)
    a64_set_v(l, r, v);
  else
    a64_set_v64(l, r, v);
}

void a64_set_lane0(A64Lift *l, unsigned r, IrRef v) {
  IrType t = ir_typeof(l->fn, v);
  a64_set_vscalar(l, r, ir_emit(l->fn, IR_OP_vextract, ir_type_lane(t), 1, &v, 0, 0));
}

IrRef a64_hi64(A64Lift *l, IrRef v) {
  IrType t = ir_typeof(l->fn, v);
  IrRef q = a64_cast(l, v, IR_T_v2i64);
  return a64_cast(l, ir_op2(l->fn, IR_OP_vziphi, q, q), t);
}

IrRef a64_join64(A64Lift *l, IrRef lo, IrRef hi) {
  IrType t = ir_typeof(l->fn, lo);
  IrRef r = ir_op2(l->fn, IR_OP_vziplo, a64_cast(l, lo, IR_T_v2i64), a64_cast(l, hi, IR_T_v2i64));
  return a64_cast(l, r, t);
}

/* -- Masks ----------------------------------------------------------------------- */

IrRef a64_mask(A64Lift *l, IrRef cmp) {
  return a64_cast(l, cmp, a64_itype(ir_typeof(l->fn, cmp)));
}

IrRef a64_blend(A64Lift *l, IrRef m, IrRef x, IrRef y) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, x);
  if (!ir_type_is_vec(t))
    return ir_select(fn, m, x, y);
  IrType it = a64_itype(t);
  IrRef mi = a64_cast(l, m, it);
  IrRef r = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, a64_cast(l, x, it), mi),
                   ir_op2(fn, IR_OP_andn, a64_cast(l, y, it), mi));
  return a64_cast(l, r, t);
}

IrRef a64_mask_value(A64Lift *l, IrRef m, IrType t) {
  if (ir_typeof(l->fn, m) == IR_T_i1)
    return ir_cast(l->fn, IR_OP_sext, t, m);
  return a64_cast(l, m, t);
}

/* -- Permutations ------------------------------------------------------------------ */

IrRef a64_perm(A64Lift *l, const IrRef *src, unsigned n, const uint8_t idx[16]) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, src[0]);
  IrRef acc = IR_NONE;
  for (unsigned k = 0; k < n; k++) {
    uint8_t local[16];
    bool used = false;
    for (unsigned i = 0; i < 16; i++) {
      bool mine = idx[i] >= 16 * k && idx[i] < 16 * (k + 1);
      local[i] = mine ? (uint8_t)(idx[i] - 16 * k) : 0xff;
      used |= mine;
    }
    if (!used)
      continue;
    IrV128 iv;
    memcpy(&iv, local, 16);
    IrRef part = ir_op2(fn, IR_OP_vtbl, a64_cast(l, src[k], IR_T_v16i8), ir_vconst(fn, IR_T_v16i8, iv));
    acc = acc == IR_NONE ? part : ir_op2(fn, IR_OP_or, acc, part);
  }
  if (acc == IR_NONE)
    return ir_vconst(fn, t, (IrV128){0, 0});
  return a64_cast(l, acc, t);
}

/* Byte lanes: the shift done on 16-bit lanes, then the bits that crossed from
 * the neighbouring byte masked off (ashr sign-extends the result afterwards). */
static IrRef shift_bytes(A64Lift *l, IrOp op, IrRef v, unsigned n) {
  IrFunc *fn = l->fn;
  if (op == IR_OP_ashr) {
    if (n > 7)
      n = 7;
    IrRef u = shift_bytes(l, IR_OP_lshr, v, n), m = a64_lanes(l, IR_T_v16i8, 0x80u >> n);
    return ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_xor, u, m), m);
  }
  if (n > 7)
    return ir_vconst(fn, IR_T_v16i8, (IrV128){0, 0});
  IrRef w = ir_op2(fn, op, a64_cast(l, v, IR_T_v8i16), ir_const(fn, IR_T_i64, n));
  unsigned keep = op == IR_OP_shl ? (0xffu << n) & 0xff : 0xffu >> n;
  return ir_op2(fn, IR_OP_and, a64_cast(l, w, IR_T_v16i8), a64_lanes(l, IR_T_v16i8, keep));
}

IrRef a64_vshift(A64Lift *l, IrOp op, IrRef v, unsigned n) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, v);
  if (n == 0)
    return v;
  if (t == IR_T_v16i8)
    return shift_bytes(l, op, v, n);
  if (t == IR_T_v2i64 && op == IR_OP_ashr) { /* SSE has no psraq: sign-extend a lshr */
    if (n > 63)
      n = 63;
    IrRef u = ir_op2(fn, IR_OP_lshr, v, ir_const(fn, IR_T_i64, n)), m = a64_lanes(l, t, 1ull << (63 - n));
    return ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_xor, u, m), m);
  }
  return ir_op2(l->fn, op, v, ir_const(l->fn, IR_T_i64, n));
}

IrRef a64_vmul(A64Lift *l, IrRef a, IrRef b) {
  IrFunc *fn = l->fn;
  if (ir_typeof(fn, a) != IR_T_v16i8)
    return ir_op2(fn, IR_OP_mul, a, b);
  /* Bytes as 16-bit products (SSE has no byte multiply): the even bytes'
   * product's low byte, and the odd bytes' product moved to the high byte. */
  IrRef wa = a64_cast(l, a, IR_T_v8i16), wb = a64_cast(l, b, IR_T_v8i16);
  IrRef lo = ir_op2(fn, IR_OP_and, ir_op2(fn, IR_OP_mul, wa, wb), a64_lanes(l, IR_T_v8i16, 0xff));
  IrRef hi = ir_op2(fn, IR_OP_mul, a64_vshift(l, IR_OP_lshr, wa, 8),
                    ir_op2(fn, IR_OP_and, wb, a64_lanes(l, IR_T_v8i16, 0xff00)));
  return a64_cast(l, ir_op2(fn, IR_OP_or, lo, hi), IR_T_v16i8);
}

IrRef a64_unzip(A64Lift *l, IrRef a, IrRef b, unsigned esize, bool odd, bool half) {
  uint8_t idx[16];
  memset(idx, 0xff, sizeof idx);
  unsigned out = half ? 8 : 16; /* result bytes */
  for (unsigned i = 0; i < out; i++) {
    unsigned lane = i / esize, byte = i % esize;
    idx[i] = (uint8_t)((2 * lane + odd) * esize + byte);
  }
  if (half) {
    IrRef c = a64_join64(l, a, b);
    return a64_perm(l, &c, 1, idx);
  }
  IrRef src[2] = {a, b};
  return a64_perm(l, src, 2, idx);
}

void a64_set_qc(A64Lift *l, IrRef sat, IrRef exact, unsigned bytes) {
  IrFunc *fn = l->fn;
  IrRef any = ir_cmp(fn, IR_PRED_ne, sat, exact);
  if (ir_type_is_vec(ir_typeof(fn, sat))) {
    IrV128 keep = {bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1,
                   bytes >= 16 ? ~0ull : bytes > 8 ? (1ull << (8 * (bytes - 8))) - 1 : 0};
    IrRef m = ir_op2(fn, IR_OP_and, a64_cast(l, any, IR_T_v2i64), ir_vconst(fn, IR_T_v2i64, keep));
    IrRef bits = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, (IrRef[]){a64_cast(l, m, IR_T_v16i8)}, 0, 0);
    any = ir_cmp(fn, IR_PRED_ne, bits, ir_const(fn, IR_T_i32, 0));
  }
  IrRef q = ir_op2(fn, IR_OP_shl, ir_cast(fn, IR_OP_zext, IR_T_i32, any), ir_const(fn, IR_T_i32, 27));
  ir_set(fn, A64_SLOT_FPSR, ir_op2(fn, IR_OP_or, ir_get(fn, A64_SLOT_FPSR), q));
}

/* The low halves of w's lanes packed into the low 8 bytes (a byte shuffle:
 * backend_fast has no instruction for vnarrow.trunc). */
static IrRef pack_low(A64Lift *l, IrRef w, IrType t) {
  unsigned nb = ir_type_bits(ir_type_lane(t)) / 8;
  uint8_t idx[16];
  for (unsigned i = 0; i < 16; i++)
    idx[i] = (uint8_t)(i < 8 ? (i / nb) * 2 * nb + i % nb : 0xff);
  return a64_cast(l, a64_perm(l, &w, 1, idx), t);
}

IrRef a64_narrow(A64Lift *l, IrRef w, IrType t, unsigned kind, unsigned bytes) {
  IrFunc *fn = l->fn;
  IrType wt = ir_typeof(fn, w);
  IrRef v;
  if (kind == IR_NARROW_TRUNC) {
    v = pack_low(l, w, t);
  } else if (kind == IR_NARROW_UUSAT && wt != IR_T_v2i64) { /* umin is one instruction */
    uint64_t max = (1ull << ir_type_bits(ir_type_lane(t))) - 1;
    v = pack_low(l, ir_op2(fn, IR_OP_umin, w, a64_lanes(l, wt, max)), t);
  } else {
    IrRef args[2] = {w, w};
    v = ir_emit(fn, IR_OP_vnarrow, t, 2, args, kind, 0);
  }
  if (kind != IR_NARROW_TRUNC) { /* clamped: widening back does not give w */
    IrRef back = ir_emit(fn, IR_OP_vwidenlo, ir_typeof(fn, w), 1, &v,
                         kind == IR_NARROW_SSAT ? IR_WIDEN_SIGN : IR_WIDEN_ZERO, 0);
    a64_set_qc(l, back, w, bytes);
  }
  return v;
}

IrRef a64_vcmp(A64Lift *l, IrPred p, IrRef a, IrRef b) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a);
  if (!ir_type_is_vec(t) || p < IR_PRED_ult || p > IR_PRED_uge)
    return ir_cmp(fn, p, a, b);
  static const IrPred as_signed[] = {[IR_PRED_ult] = IR_PRED_slt, [IR_PRED_ule] = IR_PRED_sle,
                                     [IR_PRED_ugt] = IR_PRED_sgt, [IR_PRED_uge] = IR_PRED_sge};
  IrRef bias = a64_lanes(l, t, 1ull << (ir_type_bits(ir_type_lane(t)) - 1));
  return ir_cmp(fn, as_signed[p], ir_op2(fn, IR_OP_xor, a, bias), ir_op2(fn, IR_OP_xor, b, bias));
}
