/* simd_fp.c — Advanced SIMD floating point against qemu-aarch64: three same
 * (arithmetic, fmla/fmls, min/max, fabd, fmulx, frecps/frsqrts, compares,
 * pairwise), two-register misc (fabs fneg fsqrt frint*, conversions, compares
 * with zero, fcvtl/fcvtn/fcvtxn, half precision too, the estimates),
 * reductions, scalar pairwise, by element and the scalar SIMD forms, over 4S,
 * 2S and 2D. Lane 0 of the operands walks every pair of edge values (NaN
 * payloads and signalling NaNs, signed zeros, infinities, denormals, ties);
 * the other lanes hold other combinations. Rounding-sensitive ops run in all
 * four FPCR modes. */
#include "a64test.h"

typedef struct V {
  u64 lo, hi;
} V;

static const u64 dv[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000, 0x3fe0000000000000,
    0x7fefffffffffffff, 0x0010000000000000, 0x0000000000000001, 0x800fffffffffffff,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff8000000000123,
    0xfff8000000000456, 0x7ff0000000000001, 0xfff4000000000abc, 0x4330000000000001,
    0x43e0000000000000, 0xc3e0000000000001, 0x3fd5555555555555,
};
#define NDV (sizeof dv / sizeof dv[0])
static const u64 sv[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000,
    0x3f000000, 0x7f7fffff, 0x00800000, 0x00000001, 0x807fffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0x7fc00123, 0xffc00456, 0x7f800001, 0xffa00abc, 0x4b000001, 0x4f000000,
    0xcf000001, 0x3eaaaaab,
};
#define NSV (sizeof sv / sizeof sv[0])

/* Operand vectors for pair (a, b): lane j holds value a + j (b + 3j for the
 * second operand), so lane 0 covers every pair. */
static V vec_s(unsigned k, unsigned step) {
  u64 l[4];
  for (unsigned j = 0; j < 4; j++)
    l[j] = sv[(k + step * j) % NSV];
  return (V){l[0] | l[1] << 32, l[2] | l[3] << 32};
}
static V vec_d(unsigned k, unsigned step) { return (V){dv[k % NDV], dv[(k + step) % NDV]}; }

static const V dpat = {0x3ff0000000000000, 0xc0000000bf800000};

typedef V (*Fn)(const V *a, const V *b, const V *d);
#define DEF(name, text)                                                                     \
  static V name(const V *a, const V *b, const V *d) {                                      \
    V r;                                                                                    \
    __asm__ volatile("ldr q16, [%[a]]\n\tldr q7, [%[b]]\n\tldr q18, [%[d]]\n\t" text       \
                     "\n\tstr q18, [%[r]]"                                                  \
                     :                                                                      \
                     : [a] "r"(a), [b] "r"(b), [d] "r"(d), [r] "r"(&r)                       \
                     : "v16", "v7", "v18", "memory");                                       \
    return r;                                                                               \
  }

/* Three same, in 4S 2S 2D. */
#define T3(M, op) M(op, 4s) M(op, 2s) M(op, 2d)
#define D3(op, t) DEF(op##_##t, #op " v18." #t ", v16." #t ", v7." #t)
#define E3(op, t) {#op " " #t, op##_##t, #t[1] == 'd'},
#define OPS3_RM(M, A) A(M, fadd) A(M, fsub) A(M, fmul) A(M, fdiv) A(M, fmla) A(M, fmls) A(M, faddp) A(M, fabd) A(M, frecps) A(M, frsqrts) A(M, fmulx)
#define OPS3(M, A)                                                                          \
  A(M, fmax) A(M, fmin) A(M, fmaxnm) A(M, fminnm) A(M, fmaxp) A(M, fminp) A(M, fmaxnmp)       \
  A(M, fminnmp) A(M, fcmeq) A(M, fcmge) A(M, fcmgt) A(M, facge) A(M, facgt)
#define T3_(M, op) T3(M, op)
OPS3_RM(D3, T3_)
OPS3(D3, T3_)

/* Two-register misc. */
#define D2(op, t) DEF(op##_##t, #op " v18." #t ", v16." #t)
#define OPS2_RM(M, A) A(M, fsqrt) A(M, frintx) A(M, frinti) A(M, scvtf) A(M, ucvtf)
#define OPS2(M, A)                                                                          \
  A(M, fabs) A(M, fneg) A(M, frintn) A(M, frintm) A(M, frintp) A(M, frintz) A(M, frinta)     \
  A(M, fcvtns) A(M, fcvtnu) A(M, fcvtms) A(M, fcvtmu) A(M, fcvtps) A(M, fcvtpu) A(M, fcvtzs)  \
  A(M, fcvtzu) A(M, fcvtas) A(M, fcvtau)
OPS2_RM(D2, T3_)
OPS2(D2, T3_)
#define DZ(op, t) DEF(op##0_##t, #op " v18." #t ", v16." #t ", #0.0")
#define EZ(op, t) {#op " #0 " #t, op##0_##t, #t[1] == 'd'},
#define OPSZ(M, A) A(M, fcmeq) A(M, fcmge) A(M, fcmgt) A(M, fcmle) A(M, fcmlt)
OPSZ(DZ, T3_)

/* Others, as text. */
#define MISC_RM(M)                                                                                  \
  M(fcvtl_2d, "fcvtl v18.2d, v16.2s", 0) M(fcvtl2_2d, "fcvtl2 v18.2d, v16.4s", 0)                  \
  M(fcvtn_2s, "fcvtn v18.2s, v16.2d", 1) M(fcvtn2_4s, "fcvtn2 v18.4s, v16.2d", 1)                  \
  M(fcvtn_4h, "fcvtn v18.4h, v16.4s", 0) M(fcvtn2_8h, "fcvtn2 v18.8h, v16.4s", 0)                  \
  M(fcvtl_4s, "fcvtl v18.4s, v16.4h", 0) M(fcvtl2_4s, "fcvtl2 v18.4s, v16.8h", 0)                  \
  M(frecpe_4s, "frecpe v18.4s, v16.4s", 0) M(frecpe_2d, "frecpe v18.2d, v16.2d", 1)                \
  M(frecpe_s, "frecpe s18, s16", 0) M(fcvtxn_2s, "fcvtxn v18.2s, v16.2d", 1)                       \
  M(fcvtxn2_4s, "fcvtxn2 v18.4s, v16.2d", 1) M(fcvtxn_s, "fcvtxn s18, d16", 1)                     \
  M(fmla_e4s, "fmla v18.4s, v16.4s, v7.s[3]", 0) M(fmls_e2s, "fmls v18.2s, v16.2s, v7.s[1]", 0)    \
  M(fmul_e2d, "fmul v18.2d, v16.2d, v7.d[1]", 1) M(fmul_e4s, "fmul v18.4s, v16.4s, v7.s[0]", 0)    \
  M(fmla_e2d, "fmla v18.2d, v16.2d, v7.d[0]", 1) M(fmulx_e4s, "fmulx v18.4s, v16.4s, v7.s[2]", 0)  \
  M(fmul_es, "fmul s18, s16, v7.s[2]", 0) M(fmla_ed, "fmla d18, d16, v7.d[1]", 1)                 \
  M(fmls_es, "fmls s18, s16, v7.s[3]", 0) M(fmulx_d, "fmulx d18, d16, d7", 1)                     \
  M(frecps_s, "frecps s18, s16, s7", 0) M(frsqrts_d, "frsqrts d18, d16, d7", 1)                   \
  M(fabd_s, "fabd s18, s16, s7", 0) M(faddp_s, "faddp s18, v16.2s", 0)                            \
  M(faddp_d, "faddp d18, v16.2d", 1) M(scvtf_s, "scvtf s18, s16", 0)                              \
  M(ucvtf_d, "ucvtf d18, d16", 1) M(scvtf_fix4s, "scvtf v18.4s, v16.4s, #3", 0)                   \
  M(ucvtf_fix2d, "ucvtf v18.2d, v16.2d, #64", 1) M(scvtf_fixs, "scvtf s18, s16, #32", 0)
#define MISC(M)                                                                                     \
  M(fmaxnmp_s, "fmaxnmp s18, v16.2s", 0) M(fminnmp_d, "fminnmp d18, v16.2d", 1)                    \
  M(fmaxp_d, "fmaxp d18, v16.2d", 1) M(fminp_s, "fminp s18, v16.2s", 0)                             \
  M(fmaxv, "fmaxv s18, v16.4s", 0) M(fminv, "fminv s18, v16.4s", 0)                                 \
  M(fmaxnmv, "fmaxnmv s18, v16.4s", 0) M(fminnmv, "fminnmv s18, v16.4s", 0)                         \
  M(fcmeq_s, "fcmeq s18, s16, s7", 0) M(fcmge_d, "fcmge d18, d16, d7", 1)                           \
  M(fcmgt_s, "fcmgt s18, s16, s7", 0) M(facge_d, "facge d18, d16, d7", 1)                           \
  M(facgt_s, "facgt s18, s16, s7", 0) M(fcmeq0_d, "fcmeq d18, d16, #0.0", 1)                        \
  M(fcmlt0_s, "fcmlt s18, s16, #0.0", 0) M(fcvtzs_d, "fcvtzs d18, d16", 1)                          \
  M(fcvtzu_s, "fcvtzu s18, s16", 0) M(fcvtas_d, "fcvtas d18, d16", 1)                               \
  M(fcvtnu_s, "fcvtnu s18, s16", 0) M(fcvtms_d, "fcvtms d18, d16", 1)                               \
  M(fcvtzs_fix2d, "fcvtzs v18.2d, v16.2d, #10", 1) M(fcvtzu_fix4s, "fcvtzu v18.4s, v16.4s, #32", 0) \
  M(fcvtzs_fixd, "fcvtzs d18, d16, #1", 1) M(frsqrte_4s, "frsqrte v18.4s, v16.4s", 0)              \
  M(frsqrte_d, "frsqrte d18, d16", 1) M(frecpx_s, "frecpx s18, s16", 0)                             \
  M(frecpx_d, "frecpx d18, d16", 1) M(urecpe_4s, "urecpe v18.4s, v16.4s", 0)                        \
  M(ursqrte_2s, "ursqrte v18.2s, v16.2s", 0)
#define DT(name, text, dbl) DEF(x_##name, text)
#define ET(name, text, dbl) {text, x_##name, dbl},
MISC_RM(DT)
MISC(DT)

typedef struct Case {
  const char *name;
  Fn fn;
  int dbl;
} Case;

#define E3_(M, op) T3(E3, op)
static const Case rm_cases[] = {OPS3_RM(E3, T3_) OPS2_RM(E3, T3_) MISC_RM(ET)};
static const Case plain_cases[] = {OPS3(E3, T3_) OPS2(E3, T3_) OPSZ(EZ, T3_) MISC(ET)};

static void set_fpcr(u64 v) { __asm__ volatile("msr fpcr, %0" ::"r"(v)); }

static void run(const Case *cs, unsigned n, unsigned modes) {
  static const char *const mode_name[4] = {"rn", "rp", "rm", "rz"};
  for (unsigned m = 0; m < modes; m++) {
    set_fpcr((u64)m << 22);
    for (unsigned i = 0; i < n; i++) {
      unsigned nv = cs[i].dbl ? NDV : NSV;
      for (unsigned a = 0; a < nv; a++)
        for (unsigned b = 0; b < nv; b++) {
          V va = cs[i].dbl ? vec_d(a, 5) : vec_s(a, 1), vb = cs[i].dbl ? vec_d(b, 7) : vec_s(b, 3);
          V r = cs[i].fn(&va, &vb, &dpat);
          out_s(cs[i].name);
          out_c(' ');
          out_s(mode_name[m]);
          out_kv("a", a);
          out_kv("b", b);
          out_kv("lo", r.lo);
          out_kv("hi", r.hi);
          out_nl();
        }
    }
  }
  set_fpcr(0);
}

static int test_main(void) {
  run(rm_cases, sizeof rm_cases / sizeof rm_cases[0], 4);
  run(plain_cases, sizeof plain_cases / sizeof plain_cases[0], 1);
  return 0;
}
