/* a64_fpest.c — Arm's reciprocal and reciprocal square root estimates
 * (FPRecipEstimate, FPRSqrtEstimate, UnsignedRecipEstimate,
 * UnsignedRSqrtEstimate) and FPRecpX, bit-exact as the Arm ARM's pseudocode
 * (the 8-bit estimate tables computed, not stored). Single (dbl = false) and
 * double operands as bits, under FPCR (FZ flushes a denormal operand, IDC; DN
 * makes a NaN result the default NaN; RMode picks an overflow's result), with
 * the flags the pseudocode raises added to the context. */
#include "a64_simd.h"

typedef struct FpFmt {
  unsigned frac_bits, exp_bits;
} FpFmt;

static FpFmt fmt(bool dbl) { return dbl ? (FpFmt){52, 11} : (FpFmt){23, 8}; }

static bool is_nan(uint64_t x, FpFmt f) {
  uint64_t exp = x >> f.frac_bits & ((1ull << f.exp_bits) - 1);
  return exp == (1ull << f.exp_bits) - 1 && (x & ((1ull << f.frac_bits) - 1));
}

static uint64_t quiet(uint64_t x, FpFmt f) { return x | 1ull << (f.frac_bits - 1); }

/* FPProcessNaN: invalid for a signalling NaN; the default NaN under FPCR.DN. */
static uint64_t process_nan(uint64_t x, FpFmt f, A64FpCtx *c) {
  if (!(x >> (f.frac_bits - 1) & 1))
    c->flags |= IR_FENV_INVALID;
  if (c->fpcr & A64_FPCR_DN)
    return ((1ull << f.exp_bits) - 1) << f.frac_bits | 1ull << (f.frac_bits - 1);
  return quiet(x, f);
}

static unsigned recip_estimate(unsigned a) { /* 256 <= a < 512 */
  a = a * 2 + 1;
  unsigned b = (1u << 19) / a;
  return (b + 1) / 2;
}

static unsigned rsqrt_estimate(unsigned a) { /* 128 <= a < 512 */
  if (a < 256)
    a = a * 2 + 1;
  else
    a = ((a >> 1) << 1) * 2 + 2;
  unsigned b = 512;
  while ((uint64_t)a * (b + 1) * (b + 1) < (1ull << 28))
    b++;
  return (b + 1) / 2;
}

uint64_t a64_recpe(uint64_t x, bool dbl, A64FpCtx *c) {
  FpFmt f = fmt(dbl);
  a64_fz_flush(&x, dbl, c);
  unsigned n = f.frac_bits + f.exp_bits + 1, rm = c->rm & 3;
  uint64_t sign = x >> (n - 1) & 1, mag = x & ((1ull << (n - 1)) - 1);
  int exp = (int)(mag >> f.frac_bits);
  uint64_t frac = (mag & ((1ull << f.frac_bits) - 1)) << (52 - f.frac_bits); /* as an f64's */
  uint64_t inf = ((1ull << f.exp_bits) - 1) << f.frac_bits;
  if (is_nan(x, f))
    return process_nan(x, f, c);
  if (mag == inf)
    return sign << (n - 1);
  if (mag == 0) {
    c->flags |= IR_FENV_DIVZERO;
    return sign << (n - 1) | inf;
  }
  if (mag < 1ull << (f.frac_bits - 2)) { /* 1/x overflows */
    bool to_inf = rm == IR_RM_NEAREST || (rm == IR_RM_UP && !sign) || (rm == IR_RM_DOWN && sign);
    c->flags |= IR_FENV_OVERFLOW | IR_FENV_INEXACT;
    return sign << (n - 1) | (to_inf ? inf : inf - 1);
  }
  /* FZ: a result that would be denormal (|x| >= 2^126 or 2^1022) is zero */
  if ((c->fpcr & A64_FPCR_FZ) && exp >= (dbl ? 2045 : 253)) {
    c->flags |= IR_FENV_UNDERFLOW;
    return sign << (n - 1);
  }
  if (exp == 0) { /* denormal */
    if (!(frac >> 51 & 1)) {
      exp = -1;
      frac <<= 2;
    } else {
      frac <<= 1;
    }
  }
  unsigned est = recip_estimate(256 | (unsigned)(frac >> 44 & 0xff));
  int rexp = (dbl ? 2045 : 253) - exp;
  uint64_t rfrac = (uint64_t)(est & 0xff) << 44;
  if (rexp == 0) {
    rfrac = rfrac >> 1 | 1ull << 51;
  } else if (rexp == -1) {
    rfrac = rfrac >> 2 | 1ull << 50;
    rexp = 0;
  }
  return sign << (n - 1) | (uint64_t)rexp << f.frac_bits | rfrac >> (52 - f.frac_bits);
}

uint64_t a64_rsqrte(uint64_t x, bool dbl, A64FpCtx *c) {
  FpFmt f = fmt(dbl);
  a64_fz_flush(&x, dbl, c);
  unsigned n = f.frac_bits + f.exp_bits + 1;
  uint64_t sign = x >> (n - 1) & 1, mag = x & ((1ull << (n - 1)) - 1);
  int exp = (int)(mag >> f.frac_bits);
  uint64_t frac = (mag & ((1ull << f.frac_bits) - 1)) << (52 - f.frac_bits);
  uint64_t inf = ((1ull << f.exp_bits) - 1) << f.frac_bits;
  if (is_nan(x, f))
    return process_nan(x, f, c);
  if (mag == 0) {
    c->flags |= IR_FENV_DIVZERO;
    return sign << (n - 1) | inf;
  }
  if (sign) { /* the default NaN */
    c->flags |= IR_FENV_INVALID;
    return inf | 1ull << (f.frac_bits - 1);
  }
  if (mag == inf)
    return 0;
  if (exp == 0) { /* normalise a denormal */
    while (!(frac >> 51 & 1)) {
      frac <<= 1;
      exp--;
    }
    frac = (frac & ((1ull << 51) - 1)) << 1;
  }
  unsigned scaled = exp & 1 ? 128 | (unsigned)(frac >> 45 & 0x7f) : 256 | (unsigned)(frac >> 44 & 0xff);
  unsigned est = rsqrt_estimate(scaled);
  int rexp = ((dbl ? 3068 : 380) - exp) / 2;
  return (uint64_t)rexp << f.frac_bits | (uint64_t)(est & 0xff) << (f.frac_bits - 8);
}

uint64_t a64_frecpx(uint64_t x, bool dbl, A64FpCtx *c) {
  FpFmt f = fmt(dbl);
  a64_fz_flush(&x, dbl, c);
  unsigned n = f.frac_bits + f.exp_bits + 1;
  uint64_t emask = (1ull << f.exp_bits) - 1, sign = x & 1ull << (n - 1);
  if (is_nan(x, f))
    return process_nan(x, f, c);
  uint64_t exp = x >> f.frac_bits & emask;
  return sign | (exp == 0 ? emask - 1 : ~exp & emask) << f.frac_bits;
}

uint64_t a64_urecpe(uint64_t x) {
  return x & 0x80000000u ? (uint64_t)recip_estimate((unsigned)(x >> 23 & 0x1ff)) << 23 : 0xffffffffu;
}

uint64_t a64_ursqrte(uint64_t x) {
  return x & 0xc0000000u ? (uint64_t)rsqrt_estimate((unsigned)(x >> 23 & 0x1ff)) << 23 : 0xffffffffu;
}
