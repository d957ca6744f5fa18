/* a64_fphalf.c — Arm floating point in C, for the helpers of rare ops: the
 * context they run in (FPCR as read, the flags they raise into the FP
 * environment, IDC) and the half-precision conversions (FPConvert with FPCR's
 * AHP, DN, FZ and RMode), scalar fcvt through the two helpers here, the vector
 * fcvtl/fcvtn lane by lane (lift_simd_helper.c). The estimates are in
 * a64_fpest.c. */
#include "a64_simd.h"

/* -- The C side's FP environment --------------------------------------------------- */

A64FpCtx a64_fp_ctx(const A64Cpu *c) { return (A64FpCtx){c->fpcr, c->frm, 0, false}; }

/* The helpers run on the guest's thread with its FP environment live (they
 * are called from guest code): the flags go straight in. */
void a64_fp_ctx_done(A64Cpu *c, const A64FpCtx *x) {
  if (x->flags)
    ir_fenv_host_raise(x->flags);
  if (x->idc)
    c->fpsr |= A64_FPSR_IDC;
}

bool a64_fz_flush(uint64_t *bits, bool dbl, A64FpCtx *x) {
  uint64_t exp = dbl ? 0x7ff0000000000000ull : 0x7f800000u, sign = dbl ? 1ull << 63 : 0x80000000u;
  if (!(x->fpcr & A64_FPCR_FZ) || (*bits & exp) || !(*bits & ~exp & ~sign))
    return false;
  *bits &= sign;
  x->idc = true;
  return true;
}

/* -- Half precision ----------------------------------------------------------------- */

/* f32 bits as f64 bits, exactly (a NaN keeps its payload's top bits). */
static uint64_t f32_to_f64_bits(uint64_t w) {
  uint64_t sign = (w >> 31 & 1) << 63, mant = w & 0x7fffff;
  unsigned exp = w >> 23 & 0xff;
  if (exp == 0xff)
    return sign | 0x7ff0000000000000ull | mant << 29;
  if (exp == 0) {
    if (mant == 0)
      return sign;
    unsigned p = 63 - (unsigned)__builtin_clzll(mant); /* value = mant * 2^-149 */
    return sign | (uint64_t)(p - 149 + 1023) << 52 | ((mant << (52 - p)) & ((1ull << 52) - 1));
  }
  return sign | (uint64_t)(exp - 127 + 1023) << 52 | mant << 29;
}

/* f64 bits of a value an f32 holds exactly (every half does; a NaN keeps its
 * payload's top bits) as f32 bits. */
static uint64_t f64_to_f32_exact(uint64_t d) {
  uint64_t sign = d >> 63 << 31, mant = d & ((1ull << 52) - 1);
  unsigned exp = d >> 52 & 0x7ff;
  if (exp == 0x7ff)
    return sign | 0x7f800000u | mant >> 29;
  if (exp == 0)
    return sign;
  return sign | (uint64_t)(exp - 1023 + 127) << 23 | mant >> 29;
}

/* FPConvert from half (exact): FPCR.AHP reads exponent 31 as numbers; a NaN
 * is quieted (invalid if signalling) or, with FPCR.DN, the default NaN. FZ16
 * does not apply to conversions, so half denormals convert as they are. */
uint64_t a64_f16_to_bits(uint64_t h, bool dbl, A64FpCtx *x) {
  uint64_t sign = (h >> 15 & 1) << 63, mant = h & 0x3ff, d;
  unsigned exp = h >> 10 & 0x1f;
  bool ahp = x->fpcr & A64_FPCR_AHP;
  if (exp == 0x1f && !ahp) {
    if (mant && !(mant & 0x200))
      x->flags |= IR_FENV_INVALID;
    if (mant && (x->fpcr & A64_FPCR_DN))
      d = 0x7ff8000000000000ull;
    else
      d = sign | 0x7ff0000000000000ull | (mant ? 1ull << 51 | mant << 42 : 0);
  } else if (exp == 0) {
    if (mant == 0) {
      d = sign;
    } else {
      unsigned p = 63 - (unsigned)__builtin_clzll(mant); /* value = mant * 2^-24 */
      d = sign | (uint64_t)(p - 24 + 1023) << 52 | ((mant << (52 - p)) & ((1ull << 52) - 1));
    }
  } else {
    d = sign | (uint64_t)(exp - 15 + 1023) << 52 | mant << 42;
  }
  return dbl ? d : f64_to_f32_exact(d);
}

/* FPConvert to half, rounded in ctx->rm: the significand is rounded at the
 * f16 quantum of the value's binade (2^-24 below the normal range). The
 * source (single or double) is flushed under FPCR.FZ first. Arm's flags:
 * inexact; underflow when tiny before rounding and inexact; overflow (and
 * inexact) — under FPCR.AHP, which has no infinity or NaN, the largest value
 * and invalid instead, and a NaN becomes zero (invalid). */
uint64_t a64_f16_from_bits(uint64_t bits, bool dbl, A64FpCtx *c) {
  a64_fz_flush(&bits, dbl, c);
  uint64_t x = dbl ? bits : f32_to_f64_bits(bits);
  bool ahp = c->fpcr & A64_FPCR_AHP;
  unsigned rm = c->rm & 3;
  uint64_t sign = x >> 63 ? 0x8000 : 0, mant = x & ((1ull << 52) - 1);
  int exp = (int)(x >> 52 & 0x7ff);
  if (exp == 0x7ff) {
    if (mant) { /* NaN */
      if (!(mant >> 51 & 1) || ahp)
        c->flags |= IR_FENV_INVALID;
      if (ahp)
        return sign;
      return c->fpcr & A64_FPCR_DN ? 0x7e00 : sign | 0x7e00 | (mant >> 42 & 0x1ff);
    }
    if (ahp) {
      c->flags |= IR_FENV_INVALID;
      return sign | 0x7fff;
    }
    return sign | 0x7c00;
  }
  if (exp == 0 && mant == 0)
    return sign;
  uint64_t m = exp ? mant | 1ull << 52 : mant;
  int e2 = exp ? exp - 1075 : -1074;      /* value = m * 2^e2 */
  int top = 63 - __builtin_clzll(m) + e2; /* floor(log2(value)) */
  int q = top >= -14 ? top - 10 : -24;    /* log2 of the result's quantum */
  int shift = q - e2;
  uint64_t r;
  bool inexact = false;
  if (shift <= 0) {
    r = m << -shift;
  } else {
    if (shift > 60)
      shift = 60; /* m < 2^53: all of it is below one half of a quantum */
    uint64_t rem = m & ((1ull << shift) - 1), halfq = 1ull << (shift - 1);
    r = m >> shift;
    inexact = rem != 0;
    bool up;
    switch (rm) {
    case IR_RM_NEAREST: up = rem > halfq || (rem == halfq && (r & 1)); break;
    case IR_RM_UP: up = rem && !sign; break;
    case IR_RM_DOWN: up = rem && sign; break;
    default: up = false; break;
    }
    r += up;
  }
  if (inexact && top < -14)
    c->flags |= IR_FENV_UNDERFLOW;
  if (r >= 1u << 11) { /* rounding carried into a new binade */
    r >>= 1;
    q++;
  }
  int biased = r < 1u << 10 ? 0 : q + 10 + 15;
  if (biased >= (ahp ? 32 : 31)) {
    if (ahp) {
      c->flags |= IR_FENV_INVALID;
      return sign | 0x7fff;
    }
    c->flags |= IR_FENV_OVERFLOW | IR_FENV_INEXACT;
    bool inf = rm == IR_RM_NEAREST || (rm == IR_RM_UP && !sign) || (rm == IR_RM_DOWN && sign);
    return sign | (inf ? 0x7c00 : 0x7bff);
  }
  if (inexact)
    c->flags |= IR_FENV_INEXACT;
  if (r == 0 || r < 1u << 10)
    return sign | r; /* zero or subnormal */
  return sign | (uint64_t)biased << 10 | (r & 0x3ff);
}

/* (cpu, bits, 1 = double / 0 = single) */
static uint64_t h_f16_to(void *cpu, uint64_t h, uint64_t dbl, uint64_t a2, uint64_t a3) {
  (void)a2, (void)a3;
  A64FpCtx x = a64_fp_ctx(cpu);
  uint64_t r = a64_f16_to_bits(h, dbl, &x);
  a64_fp_ctx_done(cpu, &x);
  return r;
}

static uint64_t h_f16_from(void *cpu, uint64_t bits, uint64_t dbl, uint64_t a2, uint64_t a3) {
  (void)a2, (void)a3;
  A64FpCtx x = a64_fp_ctx(cpu);
  uint64_t r = a64_f16_from_bits(bits, dbl, &x);
  a64_fp_ctx_done(cpu, &x);
  return r;
}

static const IrHelper f16_to_def = {"a64_f16_to", h_f16_to, 2, IR_T_i64,
                                    IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE};
static const IrHelper f16_from_def = {"a64_f16_from", h_f16_from, 2, IR_T_i64,
                                      IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE};
static uint32_t f16_to_helper, f16_from_helper;

void a64_fparm_init(void) {
  f16_to_helper = (uint32_t)ir_helper_register(&f16_to_def);
  f16_from_helper = (uint32_t)ir_helper_register(&f16_from_def);
}

IrRef a64_f16_to(A64Lift *l, IrRef h, IrType t) {
  IrFunc *fn = l->fn;
  IrRef args[2] = {ir_cast(fn, IR_OP_zext, IR_T_i64, h), a64_i64(l, t == IR_T_f64)};
  IrRef bits = ir_call(fn, f16_to_helper, 2, args);
  return a64_cast(l, t == IR_T_f64 ? bits : ir_cast(fn, IR_OP_trunc, IR_T_i32, bits), t);
}

IrRef a64_f16_from(A64Lift *l, IrRef f) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, f);
  IrRef bits = a64_cast(l, f, a64_itype(t));
  IrRef args[2] = {t == IR_T_f64 ? bits : ir_cast(fn, IR_OP_zext, IR_T_i64, bits),
                   a64_i64(l, t == IR_T_f64)};
  return ir_cast(fn, IR_OP_trunc, IR_T_i16, ir_call(fn, f16_from_helper, 2, args));
}
