/* dt_gen_fp.c — floating-point input states for the rows flagged DT_F_FP (SSE
 * float arithmetic and conversions, x87): XMM lanes, x87 registers and scratch
 * memory filled with the values where float implementations go wrong — signed
 * zeros, infinities, quiet and signalling NaNs with payloads, denormals, the
 * extremes of each format, halfway cases and values whose rounding differs per
 * mode, integers at the conversion limits — plus x87 encodings only the 80-bit
 * format has (unnormals, pseudo-denormals, pseudo-NaNs). MXCSR's flags, FTZ
 * and DAZ come as dt_gen.c draws them (FTZ|DAZ one time in four). */
#include <string.h>

#include "dt_gen_int.h"

/* A double with interesting structure; exact in f80, and via f64_to_f32 in f32. */
static uint64_t gen_f64(DtRng *r) {
  static const uint64_t fixed[] = {
      0x0000000000000000ull, 0x8000000000000000ull, /* +-0 */
      0x7ff0000000000000ull, 0xfff0000000000000ull, /* +-inf */
      0x7ff8000000000000ull, 0xfff8000000000000ull, /* QNaN, the default NaN */
      0x3ff0000000000000ull, 0xbff0000000000000ull, /* +-1 */
      0x3fe0000000000000ull, 0x3ff8000000000000ull, /* 0.5 1.5 */
      0x4004000000000000ull, 0xc004000000000000ull, /* +-2.5: halfway */
      0x0010000000000000ull, 0x000fffffffffffffull, /* min normal, max denormal */
      0x0000000000000001ull, 0x7fefffffffffffffull, /* min denormal, max */
      0x41dfffffffc00000ull, 0x41e0000000000000ull, /* 2^31 - 1, 2^31 */
      0xc1e0000000200000ull, 0x43e0000000000000ull, /* -2^31 - 1, 2^63 */
      0xc3e0000000000000ull, 0x41dfffffffe00000ull, /* -2^63, 2^31 - 0.5 */
      0x3fd5555555555555ull, 0x400921fb54442d18ull, /* 1/3, pi */
  };
  uint64_t sign = (dt_rand(r) & 1) << 63;
  switch (dt_below(r, 8)) {
  case 0:
  case 1: return fixed[dt_below(r, sizeof fixed / sizeof fixed[0])];
  case 2: /* NaN with a payload, quiet or signalling (never the infinity) */
    return sign | 0x7ff0000000000000ull | ((dt_rand(r) & 0xfffffffffffffull) | 1);
  case 3: return sign | (dt_rand(r) & 0xfffffffffffffull); /* denormal or zero */
  case 4: /* small integers and halves: exact vs inexact conversions */
    return 0; /* replaced by the caller's integer path */
  case 5: /* near 1: the exponents where most arithmetic lands */
    return sign | (0x3f0ull + dt_below(r, 0x20)) << 52 | (dt_rand(r) & 0xfffffffffffffull);
  default: return dt_rand(r); /* anything, including the far exponents */
  }
}

static double as_double(uint64_t bits) {
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

static uint64_t double_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, 8);
  return b;
}

/* A double-format value; case 4 of gen_f64 becomes k/4 for a small k. */
static uint64_t fp64(DtRng *r) {
  uint64_t v = gen_f64(r);
  if (v == 0 && dt_below(r, 2))
    v = double_bits((double)((int64_t)dt_below(r, 4096) - 2048) / 4.0);
  return v;
}

/* A single: the double's value rounded, or the same structure built directly. */
static uint32_t fp32(DtRng *r) {
  static const uint32_t fixed[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u,
                                   0x7fc00000u, 0xffc00000u, 0x00800000u, 0x007fffffu,
                                   0x00000001u, 0x7f7fffffu, 0x4f000000u, 0xcf000000u,
                                   0x5f000000u, 0x3f800000u, 0x3fc00000u, 0x40200000u};
  uint32_t sign = (uint32_t)(dt_rand(r) & 1) << 31;
  switch (dt_below(r, 6)) {
  case 0: return fixed[dt_below(r, sizeof fixed / sizeof fixed[0])];
  case 1: return sign | 0x7f800000u | (((uint32_t)dt_rand(r) & 0x7fffffu) | 1); /* NaN */
  case 2: return sign | ((uint32_t)dt_rand(r) & 0x7fffffu);                     /* denormal */
  case 3: {
    float f = (float)as_double(fp64(r));
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
  }
  case 4: return sign | (uint32_t)(0x78 + dt_below(r, 16)) << 23 | ((uint32_t)dt_rand(r) & 0x7fffffu);
  default: return (uint32_t)dt_rand(r);
  }
}

/* An 80-bit value: a double widened, or one of the encodings only f80 has. */
static DtF80 fp80(DtRng *r) {
  DtF80 x;
  uint16_t sign = (uint16_t)((dt_rand(r) & 1) << 15);
  switch (dt_below(r, 10)) {
  case 0: /* unnormal: exponent set, J bit clear (invalid operand) */
    x.sexp = sign | (uint16_t)(1 + dt_below(r, 0x7ffe));
    x.mant = dt_rand(r) >> 1;
    return x;
  case 1: /* denormal or pseudo-denormal (J set with a zero exponent) */
    x.sexp = sign;
    x.mant = dt_rand(r) >> (dt_below(r, 2) ? 0 : 1 + dt_below(r, 63));
    return x;
  case 2: /* NaN, infinity, pseudo-NaN / pseudo-infinity */
    x.sexp = sign | 0x7fff;
    x.mant = dt_below(r, 4) ? (1ull << 63) | (dt_rand(r) >> dt_below(r, 64))
                            : dt_rand(r) >> 1;
    return x;
  case 3: /* full 64-bit mantissa near 1, so every precision control rounds */
    x.sexp = sign | (uint16_t)(0x3fff - 8 + dt_below(r, 16));
    x.mant = (1ull << 63) | dt_rand(r);
    return x;
  case 4: { /* integers (mostly) around the fist/fistp/fbstp limits */
    unsigned e = 14 + (unsigned)dt_below(r, 52);
    x.sexp = sign | (uint16_t)(0x3fff + e);
    x.mant = (1ull << 63) | dt_rand(r);
    if (e < 63 && dt_below(r, 4))
      x.mant &= ~0ull << (63 - e);
    return x;
  }
  case 5: /* the extremes of the exponent range */
    x.sexp = sign | (uint16_t)(dt_below(r, 2) ? 1 + dt_below(r, 8) : 0x7ffe - dt_below(r, 8));
    x.mant = (1ull << 63) | dt_rand(r);
    return x;
  default: { /* a double, exactly */
    long double v = (long double)as_double(fp64(r));
    memset(&x, 0, sizeof x);
    memcpy(&x.mant, &v, 8);
    memcpy(&x.sexp, (const uint8_t *)&v + 8, 2);
    return x;
  }
  }
}

/* An integer operand for fild/fiadd and the cvtsi2* sources. */
static uint64_t int_edge(DtRng *r) {
  static const uint64_t fixed[] = {0, 1, ~0ull, 0x7fff, 0x8000, 0x7fffffff, 0x80000000,
                                   0x7fffffffffffffffull, 0x8000000000000000ull,
                                   0x1000001, 0x20000000000001ull};
  if (dt_below(r, 2))
    return fixed[dt_below(r, sizeof fixed / sizeof fixed[0])];
  return dt_rand(r) >> dt_below(r, 64);
}

static void fill_xmm(DtRng *r, uint8_t x[16]) {
  unsigned kind = (unsigned)dt_below(r, 3);
  for (unsigned k = 0; k < 16; k += kind == 0 ? 4 : 8) {
    if (kind == 0) {
      uint32_t v = fp32(r);
      memcpy(x + k, &v, 4);
    } else {
      uint64_t v = kind == 1 ? fp64(r) : int_edge(r);
      memcpy(x + k, &v, 8);
    }
  }
}

void dt_gen_fp_state(DtRng *r, DtState *s, uint8_t *mem) {
  for (int i = 0; i < 16; i++)
    fill_xmm(r, s->xmm[i]);
  for (int i = 0; i < 8; i++)
    s->st[i] = fp80(r);
  /* Mostly a stack of k live values from TOP down, as code leaves it; the rest
   * of the time any tags (under- and overflows). */
  if (dt_below(r, 4)) {
    unsigned k = (unsigned)dt_below(r, 9);
    s->ftag = 0xff;
    for (unsigned i = 0; i < k; i++)
      s->ftag &= (uint8_t)~(1u << ((s->ftop + i) & 7));
  }
  /* Scratch memory in 16-byte chunks of floats of one format or integers;
   * fxrstor and ldmxcsr rows get their MXCSR from DT_F_MXCSR instead. */
  for (unsigned off = 0; off < DT_SCRATCH_SIZE; off += 16) {
    uint8_t *p = mem + off;
    switch (dt_below(r, 5)) {
    case 0:
    case 1: fill_xmm(r, p); break;
    case 2: {
      DtF80 x = fp80(r);
      memcpy(p, &x.mant, 8);
      memcpy(p + 8, &x.sexp, 2);
      break;
    }
    case 3: {
      uint64_t a = int_edge(r), b = int_edge(r);
      memcpy(p, &a, 8);
      memcpy(p + 8, &b, 8);
      break;
    }
    default: break; /* keep the random bytes */
    }
  }
}

/* Control words in memory operands: mostly valid (a random MXCSR has reserved
 * bits set, which is only the #GP test), now and then left random. In a
 * sequence always valid: an MXCSR that unmasks exceptions would make later SSE
 * instructions trap, which emu does not model. */
void dt_gen_fp_mem(DtRng *r, const DtForm *f, uint8_t *mem, uint64_t addr, bool seq) {
  if (addr < DT_SCRATCH_BASE || addr + 32 > DT_SCRATCH_BASE + DT_SCRATCH_SIZE ||
      (!seq && !dt_below(r, 4)))
    return;
  uint8_t *p = mem + (addr - DT_SCRATCH_BASE);
  uint32_t mxcsr = 0x1f80u | ((uint32_t)dt_rand(r) & 0xe07fu); /* any flags, RC, FTZ, DAZ */
  uint16_t fcw = (uint16_t)(0x7f | (dt_rand(r) & 0xf00));     /* exceptions masked */
  if (!dt_below(r, 8))
    fcw = (uint16_t)dt_rand(r); /* unmasked exceptions: #MF on the next x87 insn */
  switch (f->mn) {
  case ZYDIS_MNEMONIC_LDMXCSR: memcpy(p, &mxcsr, 4); break;
  case ZYDIS_MNEMONIC_FXRSTOR:
  case ZYDIS_MNEMONIC_FXRSTOR64:
    memcpy(p + 24, &mxcsr, 4);
    memcpy(p, &fcw, 2);
    break;
  case ZYDIS_MNEMONIC_FLDCW:
  case ZYDIS_MNEMONIC_FLDENV: memcpy(p, &fcw, 2); break;
  default: break;
  }
}
