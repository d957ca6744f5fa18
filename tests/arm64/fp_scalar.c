/* fp_scalar.c — scalar floating point against qemu-aarch64: arithmetic, min/max,
 * fused multiply-add, sqrt, frint*, fcvt between precisions (half too),
 * conversions to and from integers (fixed point too), fcmp/fcmpe/fccmp, fcsel,
 * fmov (register, general, immediate). Operands are edge values (signed zeros,
 * infinities, quiet and signalling NaNs with payloads, denormals, ties) in all
 * four FPCR rounding modes; results print as bit patterns, with the high bits
 * of the destination register (scalar writes must zero them) and NZCV. */
#include "a64test.h"

static const u64 dv[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000, 0x3fe0000000000000,
    0x3fdfffffffffffff, 0x7fefffffffffffff, 0x0010000000000000, 0x0000000000000001,
    0x800fffffffffffff, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
    0x7ff8000000000123, 0xfff8000000000456, 0x7ff0000000000001, 0xfff4000000000abc,
    0x4330000000000001, 0x43e0000000000000, 0xc3e0000000000001, 0x41efffffffe00000,
    0x3fd5555555555555, 0x4340000000000000,
};
#define NDV (sizeof dv / sizeof dv[0])

static const u64 sv[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000,
    0x3f000000, 0x3effffff, 0x7f7fffff, 0x00800000, 0x00000001, 0x807fffff, 0x7f800000,
    0xff800000, 0x7fc00000, 0x7fc00123, 0xffc00456, 0x7f800001, 0xffa00abc, 0x4b000001,
    0x5f000000, 0xdf000001, 0x4f7fffff, 0x3eaaaaab, 0x33800001,
};
#define NSV (sizeof sv / sizeof sv[0])

/* A few values for the three-operand ops: each kind of number and NaN once. */
static const u64 dv3[] = {0x8000000000000000, 0x3ff0000000000000, 0xc004000000000000,
                          0x3fd5555555555555, 0x7ff0000000000000, 0x7ff8000000000123,
                          0xfff4000000000abc, 0x0000000000000001, 0x0000000000000000};
static const u64 sv3[] = {0x80000000, 0x3f800000, 0xc0200000, 0x3eaaaaab, 0x7f800000,
                          0x7fc00123, 0xffa00abc, 0x00000001, 0x00000000};
#define NV3 (sizeof dv3 / sizeof dv3[0])

static const u64 ivals[] = {0, 1, 3, 0x7f, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000001,
                            0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
                            0x0020000000000001, 0xfffffffffffffffd, 0x123456789abcdef};
#define NIV (sizeof ivals / sizeof ivals[0])

static void set_fpcr(u64 v) { __asm__ volatile("msr fpcr, %0" ::"r"(v)); }
static const char *const rmode_name[4] = {"rn", "rp", "rm", "rz"};

/* Each case computes into v18 (first filled with ones) and returns its low 64
 * bits; *hi gets the rest of v18 (must be zero). */
#define PRE "movi v18.2d, #0xffffffffffffffff\n\t"
#define POST "\n\tfmov %[r], d18\n\tmov %[h], v18.d[1]"
#define OUTS [r] "=r"(r), [h] "=r"(*hi)
#define CLOB "v16", "v17", "v18", "v19"

typedef u64 (*Fn)(u64 a, u64 b, u64 c, u64 *hi);

#define DEF_D(name, text)                                                                    \
  static u64 name(u64 a, u64 b, u64 c, u64 *hi) {                                           \
    u64 r;                                                                                   \
    __asm__ volatile("fmov d16, %[a]\n\tfmov d17, %[b]\n\tfmov d19, %[c]\n\t" PRE text POST \
                     : OUTS : [a] "r"(a), [b] "r"(b), [c] "r"(c) : CLOB);                    \
    return r;                                                                                \
  }
#define DEF_S(name, text)                                                                    \
  static u64 name(u64 a, u64 b, u64 c, u64 *hi) {                                           \
    u64 r;                                                                                   \
    __asm__ volatile("fmov s16, %w[a]\n\tfmov s17, %w[b]\n\tfmov s19, %w[c]\n\t" PRE text  \
                     POST : OUTS : [a] "r"(a), [b] "r"(b), [c] "r"(c) : CLOB);              \
    return r;                                                                                \
  }

/* -- Binary and unary arithmetic ------------------------------------------------------ */

#define BINOPS(M)                                                                           \
  M(fadd) M(fsub) M(fmul) M(fdiv) M(fmax) M(fmin) M(fmaxnm) M(fminnm) M(fnmul)
#define DEF_BIN(op) DEF_D(op##_d, #op " d18, d16, d17") DEF_S(op##_s, #op " s18, s16, s17")
BINOPS(DEF_BIN)

#define UNOPS(M)                                                                            \
  M(fmov) M(fabs) M(fneg) M(fsqrt) M(frintn) M(frintp) M(frintm) M(frintz) M(frinta)       \
  M(frintx) M(frinti)
#define DEF_UN(op) DEF_D(op##_d, #op " d18, d16") DEF_S(op##_s, #op " s18, s16")
UNOPS(DEF_UN)

#define TRIOPS(M) M(fmadd) M(fmsub) M(fnmadd) M(fnmsub)
#define DEF_TRI(op) DEF_D(op##_d, #op " d18, d16, d17, d19") DEF_S(op##_s, #op " s18, s16, s17, s19")
TRIOPS(DEF_TRI)

/* Precision conversions: the source value set decides the input precision. */
DEF_D(fcvt_sd, "fcvt s18, d16")
DEF_D(fcvt_hd, "fcvt h18, d16")
DEF_S(fcvt_ds, "fcvt d18, s16")
DEF_S(fcvt_hs, "fcvt h18, s16")
DEF_S(fcvt_sh, "fcvt s18, h16")
DEF_S(fcvt_dh, "fcvt d18, h16")

typedef struct Case {
  const char *name;
  Fn fn;
  int dbl; /* operand set: 1 doubles, 0 singles */
} Case;

#define ENT_BIN(op) {#op " d", op##_d, 1}, {#op " s", op##_s, 0},
static const Case bin_cases[] = {BINOPS(ENT_BIN)};
static const Case un_cases[] = {
    UNOPS(ENT_BIN) {"fcvt s,d", fcvt_sd, 1}, {"fcvt h,d", fcvt_hd, 1}, {"fcvt d,s", fcvt_ds, 0},
    {"fcvt h,s", fcvt_hs, 0},
};
static const Case tri_cases[] = {TRIOPS(ENT_BIN)};

static void run_cases(const Case *cs, unsigned n, unsigned arity) {
  for (unsigned i = 0; i < n; i++) {
    const Case *c = &cs[i];
    const u64 *v = arity == 3 ? (c->dbl ? dv3 : sv3) : (c->dbl ? dv : sv);
    unsigned nv = arity == 3 ? NV3 : c->dbl ? NDV : NSV;
    for (unsigned m = 0; m < 4; m++) {
      set_fpcr((u64)m << 22);
      for (unsigned a = 0; a < nv; a++)
        for (unsigned b = 0; b < (arity >= 2 ? nv : 1); b++)
          for (unsigned k = 0; k < (arity == 3 ? nv : 1); k++) {
            u64 hi, r = c->fn(v[a], v[b], v[k], &hi);
            out_s(c->name);
            out_c(' ');
            out_s(rmode_name[m]);
            out_kv("a", v[a]);
            if (arity >= 2)
              out_kv("b", v[b]);
            if (arity == 3)
              out_kv("c", v[k]);
            out_kv("r", r);
            out_kv("hi", hi);
            out_nl();
          }
    }
  }
  set_fpcr(0);
}

/* Half-precision inputs: every exponent, subnormals, NaNs. */
static void run_half(void) {
  static const u64 hv[] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x3555,
                           0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x7e01, 0x7c01, 0xfd55, 0x1234};
  for (unsigned i = 0; i < sizeof hv / sizeof hv[0]; i++) {
    u64 hi, s = fcvt_sh(hv[i], 0, 0, &hi), h2, d = fcvt_dh(hv[i], 0, 0, &h2);
    out_s("fcvt h->s,d");
    out_kv("a", hv[i]);
    out_kv("s", s);
    out_kv("d", d);
    out_kv("hi", hi | h2);
    out_nl();
  }
  /* Rounding to half around its limits, in each mode. */
  static const u64 near_half[] = {0x477fe000, 0x477ff000, 0x477fefff, 0x47800000, 0x38800000,
                                  0x387fc000, 0x33800000, 0x33000000, 0x33000001, 0x337fffff,
                                  0x3f801000, 0x3f803000, 0xc7ffffff, 0x00000001, 0x80000001};
  for (unsigned m = 0; m < 4; m++) {
    set_fpcr((u64)m << 22);
    for (unsigned i = 0; i < sizeof near_half / sizeof near_half[0]; i++) {
      u64 hi, h = fcvt_hs(near_half[i], 0, 0, &hi);
      out_s("fcvt s->h ");
      out_s(rmode_name[m]);
      out_kv("a", near_half[i]);
      out_kv("r", h);
      out_kv("hi", hi);
      out_nl();
    }
  }
  set_fpcr(0);
}

/* -- Compares and selects ----------------------------------------------------------------- */

#define DEF_CMP(name, setup, text)                                                           \
  static u64 name(u64 a, u64 b, u64 f) {                                                     \
    __asm__ volatile("msr nzcv, %[f]\n\t" setup "\n\t" text "\n\tmrs %[f], nzcv"            \
                     : [f] "+r"(f) : [a] "r"(a), [b] "r"(b) : "v16", "v17");                 \
    return f;                                                                                \
  }
DEF_CMP(fcmp_d, "fmov d16, %[a]\n\tfmov d17, %[b]", "fcmp d16, d17")
DEF_CMP(fcmpe_d, "fmov d16, %[a]\n\tfmov d17, %[b]", "fcmpe d16, d17")
DEF_CMP(fcmp0_d, "fmov d16, %[a]", "fcmp d16, #0.0")
DEF_CMP(fcmpe0_s, "fmov s16, %w[a]", "fcmpe s16, #0.0")
DEF_CMP(fcmp_s, "fmov s16, %w[a]\n\tfmov s17, %w[b]", "fcmp s16, s17")
DEF_CMP(fccmp_eq_d, "fmov d16, %[a]\n\tfmov d17, %[b]", "fccmp d16, d17, #0x5, eq")
DEF_CMP(fccmp_lt_s, "fmov s16, %w[a]\n\tfmov s17, %w[b]", "fccmpe s16, s17, #0xa, lt")
DEF_CMP(fccmp_hi_d, "fmov d16, %[a]\n\tfmov d17, %[b]", "fccmp d16, d17, #0xf, hi")

typedef u64 (*CmpFn)(u64 a, u64 b, u64 f);
static const struct {
  const char *name;
  CmpFn fn;
  int dbl;
} cmp_cases[] = {
    {"fcmp d", fcmp_d, 1},         {"fcmpe d", fcmpe_d, 1},       {"fcmp d #0", fcmp0_d, 1},
    {"fcmpe s #0", fcmpe0_s, 0},   {"fcmp s", fcmp_s, 0},         {"fccmp d eq", fccmp_eq_d, 1},
    {"fccmpe s lt", fccmp_lt_s, 0}, {"fccmp d hi", fccmp_hi_d, 1},
};

static u64 fcsel_gt(u64 a, u64 b, u64 f, u64 *hi) {
  u64 r;
  __asm__ volatile("msr nzcv, %[f]\n\tfmov d16, %[a]\n\tfmov d17, %[b]\n\t" PRE
                   "fcsel d18, d16, d17, gt" POST
                   : OUTS : [a] "r"(a), [b] "r"(b), [f] "r"(f) : CLOB);
  return r;
}

static void run_compares(void) {
  for (unsigned i = 0; i < sizeof cmp_cases / sizeof cmp_cases[0]; i++) {
    const u64 *v = cmp_cases[i].dbl ? dv : sv;
    unsigned nv = cmp_cases[i].dbl ? NDV : NSV;
    for (unsigned a = 0; a < nv; a++)
      for (unsigned b = 0; b < nv; b++)
        for (unsigned f = 0; f < NFLAG_INS; f++) {
          out_s(cmp_cases[i].name);
          out_kv("a", v[a]);
          out_kv("b", v[b]);
          out_kv("fin", flag_ins[f]);
          out_kv("nzcv", cmp_cases[i].fn(v[a], v[b], flag_ins[f]));
          out_nl();
        }
  }
  for (unsigned f = 0; f < 16; f++) {
    u64 hi, r = fcsel_gt(dv[2], dv[16], (u64)f << 28, &hi);
    out_s("fcsel gt");
    out_kv("nzcv", (u64)f << 28);
    out_kv("r", r);
    out_kv("hi", hi);
    out_nl();
  }
}

/* -- Conversions to and from integers -------------------------------------------------------- */

#define CVT_OPS(M)                                                                          \
  M(fcvtzs) M(fcvtzu) M(fcvtns) M(fcvtnu) M(fcvtas) M(fcvtau) M(fcvtps) M(fcvtpu) M(fcvtms)  \
  M(fcvtmu)
#define DEF_TOI(op)                                                                         \
  static u64 op##_xd(u64 a) { u64 r; __asm__ volatile("fmov d16, %1\n\t" #op " %0, d16" : "=r"(r) : "r"(a) : "v16"); return r; } \
  static u64 op##_wd(u64 a) { u64 r; __asm__ volatile("fmov d16, %1\n\t" #op " %w0, d16" : "=r"(r) : "r"(a) : "v16"); return r; } \
  static u64 op##_xs(u64 a) { u64 r; __asm__ volatile("fmov s16, %w1\n\t" #op " %0, s16" : "=r"(r) : "r"(a) : "v16"); return r; } \
  static u64 op##_ws(u64 a) { u64 r; __asm__ volatile("fmov s16, %w1\n\t" #op " %w0, s16" : "=r"(r) : "r"(a) : "v16"); return r; }
CVT_OPS(DEF_TOI)

typedef u64 (*Fn1)(u64 a);
#define ENT_TOI(op) {#op " x,d", op##_xd, 1}, {#op " w,d", op##_wd, 1}, {#op " x,s", op##_xs, 0}, {#op " w,s", op##_ws, 0},
static const struct {
  const char *name;
  Fn1 fn;
  int dbl;
} toi_cases[] = {CVT_OPS(ENT_TOI)};

/* Fixed point, and integer to float: a few scales. */
#define DEF_X(name, text, in)                                                                 \
  static u64 name(u64 a) {                                                                    \
    u64 r;                                                                                    \
    __asm__ volatile(in "\n\t" text : "=r"(r) : "r"(a) : "v16", "v18");                      \
    return r;                                                                                 \
  }
DEF_X(fcvtzs_x_d_5, "fcvtzs %0, d16, #5", "fmov d16, %1")
DEF_X(fcvtzu_w_d_32, "fcvtzu %w0, d16, #32", "fmov d16, %1")
DEF_X(fcvtzs_w_s_1, "fcvtzs %w0, s16, #1", "fmov s16, %w1")
DEF_X(fcvtzu_x_s_64, "fcvtzu %0, s16, #64", "fmov s16, %w1")
DEF_X(scvtf_d_x, "scvtf d18, %1\n\tfmov %0, d18", "")
DEF_X(scvtf_d_w, "scvtf d18, %w1\n\tfmov %0, d18", "")
DEF_X(scvtf_s_x, "scvtf s18, %1\n\tfmov %w0, s18", "")
DEF_X(scvtf_s_w, "scvtf s18, %w1\n\tfmov %w0, s18", "")
DEF_X(ucvtf_d_x, "ucvtf d18, %1\n\tfmov %0, d18", "")
DEF_X(ucvtf_d_w, "ucvtf d18, %w1\n\tfmov %0, d18", "")
DEF_X(ucvtf_s_x, "ucvtf s18, %1\n\tfmov %w0, s18", "")
DEF_X(ucvtf_s_w, "ucvtf s18, %w1\n\tfmov %w0, s18", "")
DEF_X(scvtf_d_x_12, "scvtf d18, %1, #12\n\tfmov %0, d18", "")
DEF_X(ucvtf_s_w_32, "ucvtf s18, %w1, #32\n\tfmov %w0, s18", "")
DEF_X(scvtf_s_x_64, "scvtf s18, %1, #64\n\tfmov %w0, s18", "")
DEF_X(ucvtf_d_x_1, "ucvtf d18, %1, #1\n\tfmov %0, d18", "")

static const struct {
  const char *name;
  Fn1 fn;
  int from_float; /* 1: double operand, 2: single, 0: integer */
} x_cases[] = {
    {"fcvtzs x,d,#5", fcvtzs_x_d_5, 1},  {"fcvtzu w,d,#32", fcvtzu_w_d_32, 1},
    {"fcvtzs w,s,#1", fcvtzs_w_s_1, 2},  {"fcvtzu x,s,#64", fcvtzu_x_s_64, 2},
    {"scvtf d,x", scvtf_d_x, 0},         {"scvtf d,w", scvtf_d_w, 0},
    {"scvtf s,x", scvtf_s_x, 0},         {"scvtf s,w", scvtf_s_w, 0},
    {"ucvtf d,x", ucvtf_d_x, 0},         {"ucvtf d,w", ucvtf_d_w, 0},
    {"ucvtf s,x", ucvtf_s_x, 0},         {"ucvtf s,w", ucvtf_s_w, 0},
    {"scvtf d,x,#12", scvtf_d_x_12, 0},  {"ucvtf s,w,#32", ucvtf_s_w_32, 0},
    {"scvtf s,x,#64", scvtf_s_x_64, 0},  {"ucvtf d,x,#1", ucvtf_d_x_1, 0},
};

static void run_conversions(void) {
  for (unsigned i = 0; i < sizeof toi_cases / sizeof toi_cases[0]; i++) {
    const u64 *v = toi_cases[i].dbl ? dv : sv;
    unsigned nv = toi_cases[i].dbl ? NDV : NSV;
    for (unsigned a = 0; a < nv; a++) {
      out_s(toi_cases[i].name);
      out_kv("a", v[a]);
      out_kv("r", toi_cases[i].fn(v[a]));
      out_nl();
    }
  }
  for (unsigned m = 0; m < 4; m++) {
    set_fpcr((u64)m << 22);
    for (unsigned i = 0; i < sizeof x_cases / sizeof x_cases[0]; i++) {
      int ff = x_cases[i].from_float;
      const u64 *v = ff == 1 ? dv : ff == 2 ? sv : ivals;
      unsigned nv = ff == 1 ? NDV : ff == 2 ? NSV : NIV;
      for (unsigned a = 0; a < nv; a++) {
        out_s(x_cases[i].name);
        out_c(' ');
        out_s(rmode_name[m]);
        out_kv("a", v[a]);
        out_kv("r", x_cases[i].fn(v[a]));
        out_nl();
      }
    }
  }
  set_fpcr(0);
}

/* -- fmov ---------------------------------------------------------------------------------------- */

static void run_fmov(void) {
  u64 r[12], h;
  __asm__ volatile("fmov d18, #1.0\n\tfmov %0, d18\n\t"
                   "fmov d18, #-2.5\n\tfmov %1, d18\n\t"
                   "fmov d18, #0.125\n\tfmov %2, d18\n\t"
                   "fmov d18, #31.0\n\tfmov %3, d18\n\t"
                   "fmov s18, #1.0\n\tfmov %w4, s18\n\t"
                   "fmov s18, #-0.1875\n\tfmov %w5, s18\n\t"
                   "fmov s18, #15.5\n\tfmov %w6, s18\n\t"
                   "fmov s18, #0.25\n\tmov %7, v18.d[1]"
                   : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]),
                     "=r"(r[6]), "=r"(h)
                   :
                   : "v18");
  r[7] = h;
  /* General <-> vector, the upper lane too. */
  u64 lo = 0x0123456789abcdef, up = 0xfedcba9876543210;
  __asm__ volatile("movi v18.2d, #0\n\tfmov d18, %[lo]\n\tfmov v18.d[1], %[up]\n\t"
                   "fmov %[a], v18.d[1]\n\tfmov %w[b], s18\n\tfmov s18, %w[up]\n\t"
                   "fmov %[c], d18\n\tmov %[d], v18.d[1]"
                   : [a] "=&r"(r[8]), [b] "=&r"(r[9]), [c] "=&r"(r[10]), [d] "=&r"(r[11])
                   : [lo] "r"(lo), [up] "r"(up)
                   : "v18");
  for (unsigned i = 0; i < 12; i++) {
    out_s("fmov");
    out_kv("i", i);
    out_kv("r", r[i]);
    out_nl();
  }
}

static int test_main(void) {
  run_cases(bin_cases, sizeof bin_cases / sizeof bin_cases[0], 2);
  run_cases(un_cases, sizeof un_cases / sizeof un_cases[0], 1);
  run_cases(tri_cases, sizeof tri_cases / sizeof tri_cases[0], 3);
  run_half();
  run_compares();
  run_conversions();
  run_fmov();
  return 0;
}
