/* ir_eval_vec.c — evaluator families of the vector lane ops (vsplat ... vwiden),
 * rows of the op table in ir_eval.c. Lane-wise arithmetic is not here: it is the
 * scalar evaluator applied per lane (ir_eval.c). */
#include "ir_exec.h"

bool ir_eval_vsplat(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type);
  uint64_t s = ir_lane_get(c->a, c->at[0], 0);
  for (unsigned i = 0; i < ir_lanes(c->type); i++)
    ir_lane_set(out, lt, i, s);
  return true;
}

bool ir_eval_vextract(const IrEvalCall *c, IrValue *out) {
  if (!ir_type_is_vec(c->at[0]) || c->imm >= ir_lanes(c->at[0]))
    return false;
  out->u64 = ir_lane_get(c->a, ir_type_lane(c->at[0]), (unsigned)c->imm);
  return true;
}

bool ir_eval_vinsert(const IrEvalCall *c, IrValue *out) {
  if (c->imm >= ir_lanes(c->type))
    return false;
  *out = c->a[0];
  ir_lane_set(out, ir_type_lane(c->type), (unsigned)c->imm, ir_lane_get(&c->a[1], c->at[1], 0));
  return true;
}

/* Indices are unsigned; 16 and above select zero. */
bool ir_eval_vtbl(const IrEvalCall *c, IrValue *out) {
  for (unsigned i = 0; i < 16; i++) {
    uint8_t k = c->a[1].b[i];
    out->b[i] = k < 16 ? c->a[0].b[k] : 0;
  }
  return true;
}

bool ir_eval_vmovmsk(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->at[0]);
  unsigned top = ir_type_bits(lt) - 1;
  uint64_t m = 0;
  for (unsigned i = 0; i < ir_lanes(c->at[0]); i++)
    m |= (ir_lane_get(c->a, lt, i) >> top & 1) << i;
  out->u64 = m & ir_mask(ir_type_bits(c->type));
  return true;
}

/* a0 b0 a1 b1 ... from the low (param 0) or high (param 1) halves. */
bool ir_eval_vzip(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type);
  unsigned half = ir_lanes(c->type) / 2, base = c->param ? half : 0;
  for (unsigned i = 0; i < half; i++) {
    ir_lane_set(out, lt, 2 * i, ir_lane_get(&c->a[0], lt, base + i));
    ir_lane_set(out, lt, 2 * i + 1, ir_lane_get(&c->a[1], lt, base + i));
  }
  return true;
}

/* One wide lane x (wide bits) to a narrow lane, per IR_NARROW_*. */
static uint64_t narrow_lane(uint64_t x, unsigned kind, unsigned wide, unsigned bits) {
  int64_t s = ir_sx(x, wide);
  int64_t smax = (int64_t)(ir_mask(bits) >> 1), smin = -smax - 1;
  uint64_t umax = ir_mask(bits);
  switch (kind) {
  case IR_NARROW_SSAT: return (uint64_t)(s < smin ? smin : s > smax ? smax : s);
  case IR_NARROW_USAT: return s < 0 ? 0 : (uint64_t)s > umax ? umax : (uint64_t)s;
  case IR_NARROW_UUSAT: return x > umax ? umax : x;
  default: return x; /* trunc: the caller masks */
  }
}

bool ir_eval_vnarrow(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type), wt = ir_type_lane(c->at[0]);
  unsigned bits = ir_type_bits(lt), wide = ir_type_bits(wt), half = ir_lanes(c->type) / 2;
  if (wide != 2 * bits || c->at[1] != c->at[0] || c->imm > IR_NARROW_UUSAT)
    return false;
  for (unsigned i = 0; i < half; i++)
    for (unsigned k = 0; k < 2; k++) {
      uint64_t x = ir_lane_get(&c->a[k], wt, i);
      ir_lane_set(out, lt, k * half + i, narrow_lane(x, (unsigned)c->imm, wide, bits) & ir_mask(bits));
    }
  return true;
}

/* The low (param 0) or high (param 1) half of a's lanes, extended per IR_WIDEN_*. */
bool ir_eval_vwiden(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type), nt = ir_type_lane(c->at[0]);
  unsigned bits = ir_type_bits(lt), narrow = ir_type_bits(nt), n = ir_lanes(c->type);
  if (2 * narrow != bits || c->imm > IR_WIDEN_SIGN)
    return false;
  for (unsigned i = 0; i < n; i++) {
    uint64_t x = ir_lane_get(c->a, nt, (c->param ? n : 0) + i);
    if (c->imm == IR_WIDEN_SIGN)
      x = (uint64_t)ir_sx(x, narrow);
    ir_lane_set(out, lt, i, x & ir_mask(bits));
  }
  return true;
}
