/* simd_perm.c — Advanced SIMD moves, permutations and structure loads/stores
 * against qemu-aarch64: dup (element, general), ins, umov/smov, scalar mov,
 * movi/mvni/orr/bic/fmov (vector immediates, every cmode), zip/uzp/trn, ext,
 * tbl/tbx with 1-4 table registers, and ld1..ld4/st1..st4 (multiple
 * structures, single lanes, ld1r..ld4r, post-index by immediate and register,
 * register numbers wrapping past v31). Results print as whole registers, and
 * stores as the memory they wrote. */
#include "a64test.h"

typedef struct V {
  u64 lo, hi;
} V;

static const V pats[] = {
    {0x0706050403020100, 0x0f0e0d0c0b0a0908}, {0x8899aabbccddeeff, 0x0011223344556677},
    {0xfedcba9876543210, 0x0123456789abcdef}, {0x1f1e111013121514, 0x8f80ff7f40c0207e},
    {0x0000000000000000, 0xffffffffffffffff},
};
#define NPATS (sizeof pats / sizeof pats[0])
static const V dpat = {0x5555aaaa5555aaaa, 0x3333cccc3333cccc};

static void out_v(const char *name, unsigned a, unsigned b, V r) {
  out_s(name);
  out_kv("a", a);
  out_kv("b", b);
  out_kv("lo", r.lo);
  out_kv("hi", r.hi);
  out_nl();
}

/* -- Register to register --------------------------------------------------------- */

typedef V (*Fn)(const V *a, const V *b, const V *d, u64 x);
#define DEF(name, text)                                                                       \
  static V name(const V *a, const V *b, const V *d, u64 x) {                                 \
    V r;                                                                                      \
    __asm__ volatile("ldr q16, [%[a]]\n\tldr q17, [%[b]]\n\tldr q18, [%[d]]\n\t" text        \
                     "\n\tstr q18, [%[r]]"                                                    \
                     :                                                                        \
                     : [a] "r"(a), [b] "r"(b), [d] "r"(d), [r] "r"(&r), [x] "r"(x)             \
                     : "v16", "v17", "v18", "memory");                                        \
    return r;                                                                                 \
  }

#define PERM(M)                                                                                \
  M(dup_8b, "dup v18.8b, v16.b[9]") M(dup_16b, "dup v18.16b, v16.b[15]")                     \
  M(dup_4h, "dup v18.4h, v16.h[3]") M(dup_8h, "dup v18.8h, v16.h[6]")                        \
  M(dup_2s, "dup v18.2s, v16.s[2]") M(dup_4s, "dup v18.4s, v16.s[1]")                        \
  M(dup_2d, "dup v18.2d, v16.d[1]") M(dupg_16b, "dup v18.16b, %w[x]")                        \
  M(dupg_4h, "dup v18.4h, %w[x]") M(dupg_4s, "dup v18.4s, %w[x]") M(dupg_2d, "dup v18.2d, %[x]") \
  M(dupg_2s, "dup v18.2s, %w[x]") M(ins_b, "ins v18.b[11], %w[x]") M(ins_h, "ins v18.h[2], %w[x]") \
  M(ins_s, "ins v18.s[3], %w[x]") M(ins_d, "ins v18.d[0], %[x]")                              \
  M(inse_b, "ins v18.b[1], v16.b[14]") M(inse_h, "ins v18.h[7], v16.h[0]")                    \
  M(inse_s, "ins v18.s[0], v16.s[3]") M(inse_d, "ins v18.d[1], v16.d[0]")                     \
  M(zip1_8b, "zip1 v18.8b, v16.8b, v17.8b") M(zip2_8b, "zip2 v18.8b, v16.8b, v17.8b")         \
  M(zip1_16b, "zip1 v18.16b, v16.16b, v17.16b") M(zip2_8h, "zip2 v18.8h, v16.8h, v17.8h")     \
  M(zip1_2s, "zip1 v18.2s, v16.2s, v17.2s") M(zip2_4s, "zip2 v18.4s, v16.4s, v17.4s")         \
  M(zip1_2d, "zip1 v18.2d, v16.2d, v17.2d") M(zip2_4h, "zip2 v18.4h, v16.4h, v17.4h")         \
  M(uzp1_8b, "uzp1 v18.8b, v16.8b, v17.8b") M(uzp2_16b, "uzp2 v18.16b, v16.16b, v17.16b")     \
  M(uzp1_8h, "uzp1 v18.8h, v16.8h, v17.8h") M(uzp2_4h, "uzp2 v18.4h, v16.4h, v17.4h")         \
  M(uzp1_4s, "uzp1 v18.4s, v16.4s, v17.4s") M(uzp2_2s, "uzp2 v18.2s, v16.2s, v17.2s")         \
  M(uzp2_2d, "uzp2 v18.2d, v16.2d, v17.2d") M(trn1_8b, "trn1 v18.8b, v16.8b, v17.8b")         \
  M(trn2_16b, "trn2 v18.16b, v16.16b, v17.16b") M(trn1_8h, "trn1 v18.8h, v16.8h, v17.8h")     \
  M(trn2_4h, "trn2 v18.4h, v16.4h, v17.4h") M(trn1_4s, "trn1 v18.4s, v16.4s, v17.4s")         \
  M(trn2_2s, "trn2 v18.2s, v16.2s, v17.2s") M(trn1_2d, "trn1 v18.2d, v16.2d, v17.2d")         \
  M(ext_8b_3, "ext v18.8b, v16.8b, v17.8b, #3") M(ext_8b_7, "ext v18.8b, v16.8b, v17.8b, #7") \
  M(ext_16b_1, "ext v18.16b, v16.16b, v17.16b, #1") M(ext_16b_8, "ext v18.16b, v16.16b, v17.16b, #8") \
  M(ext_16b_15, "ext v18.16b, v16.16b, v17.16b, #15") M(ext_16b_0, "ext v18.16b, v16.16b, v17.16b, #0") \
  M(tbl1_16b, "tbl v18.16b, {v16.16b}, v17.16b") M(tbl1_8b, "tbl v18.8b, {v16.16b}, v17.8b")  \
  M(tbx1_16b, "tbx v18.16b, {v16.16b}, v17.16b") M(tbx1_8b, "tbx v18.8b, {v16.16b}, v17.8b")
#define DP(name, text) DEF(p_##name, text)
#define EP(name, text) {text, p_##name},
PERM(DP)

/* umov / smov: the general register. */
#define TOGEN(M)                                                                               \
  M(umov_b, "umov %w[r], v16.b[13]") M(umov_h, "umov %w[r], v16.h[5]")                        \
  M(umov_s, "umov %w[r], v16.s[3]") M(umov_d, "umov %[r], v16.d[1]")                          \
  M(smov_wb, "smov %w[r], v16.b[15]") M(smov_wh, "smov %w[r], v16.h[7]")                      \
  M(smov_xb, "smov %[r], v16.b[8]") M(smov_xh, "smov %[r], v16.h[4]")                         \
  M(smov_xs, "smov %[r], v16.s[3]") M(mov_s, "mov %w[r], v16.s[1]")
#define DG(name, text)                                                                         \
  static u64 g_##name(const V *a) {                                                            \
    u64 r = 0x1111111111111111;                                                                \
    __asm__ volatile("ldr q16, [%[a]]\n\t" text : [r] "+r"(r) : [a] "r"(a) : "v16", "memory"); \
    return r;                                                                                  \
  }
DG(umov_b, "umov %w[r], v16.b[13]") DG(umov_h, "umov %w[r], v16.h[5]")
DG(umov_s, "umov %w[r], v16.s[3]") DG(umov_d, "umov %[r], v16.d[1]")
DG(smov_wb, "smov %w[r], v16.b[15]") DG(smov_wh, "smov %w[r], v16.h[7]")
DG(smov_xb, "smov %[r], v16.b[8]") DG(smov_xh, "smov %[r], v16.h[4]")
DG(smov_xs, "smov %[r], v16.s[3]") DG(mov_s, "mov %w[r], v16.s[1]")
#define EG(name, text) {text, g_##name},

/* Vector immediates: every cmode and op. */
#define IMMS(M)                                                                                 \
  M(movi_2s_0, "movi v18.2s, #0xab") M(movi_4s_8, "movi v18.4s, #0xab, lsl #8")               \
  M(movi_2s_16, "movi v18.2s, #0x80, lsl #16") M(movi_4s_24, "movi v18.4s, #0xff, lsl #24")   \
  M(movi_4h_0, "movi v18.4h, #0x7f") M(movi_8h_8, "movi v18.8h, #0x12, lsl #8")               \
  M(movi_2s_msl8, "movi v18.2s, #0x34, msl #8") M(movi_4s_msl16, "movi v18.4s, #0x56, msl #16") \
  M(movi_8b, "movi v18.8b, #0xc3") M(movi_16b, "movi v18.16b, #0x3c")                          \
  M(movi_d, "movi d18, #0xff00ff0000ffff00") M(movi_2d, "movi v18.2d, #0x00ff00ffff0000ff")   \
  M(mvni_2s_0, "mvni v18.2s, #0xab") M(mvni_4s_24, "mvni v18.4s, #0x01, lsl #24")             \
  M(mvni_4h_8, "mvni v18.4h, #0x10, lsl #8") M(mvni_8h_0, "mvni v18.8h, #0xfe")               \
  M(mvni_2s_msl8, "mvni v18.2s, #0x9a, msl #8") M(mvni_4s_msl16, "mvni v18.4s, #0xbc, msl #16") \
  M(orr_2s, "orr v18.2s, #0x81") M(orr_4s_16, "orr v18.4s, #0x42, lsl #16")                  \
  M(orr_4h_8, "orr v18.4h, #0xf0, lsl #8") M(orr_8h, "orr v18.8h, #0x0f")                     \
  M(bic_2s_8, "bic v18.2s, #0xff, lsl #8") M(bic_4s, "bic v18.4s, #0x55")                     \
  M(bic_4h, "bic v18.4h, #0xaa") M(bic_8h_8, "bic v18.8h, #0x33, lsl #8")                     \
  M(fmov_2s, "fmov v18.2s, #-1.25") M(fmov_4s, "fmov v18.4s, #0.5")                           \
  M(fmov_2d, "fmov v18.2d, #31.0")
#define DI(name, text) DEF(i_##name, text)
#define EI(name, text) {text, i_##name},
IMMS(DI)

/* tbl/tbx with 2-4 table registers (v20.. and the wrap v31, v0). */
#define DEF_TBL(name, text)                                                                    \
  static V name(const V *a, const V *b, const V *d, u64 x) {                                  \
    V r;                                                                                       \
    (void)x;                                                                                   \
    __asm__ volatile("ldr q20, [%[a]]\n\tldr q21, [%[b]]\n\tldr q22, [%[d]]\n\t"              \
                     "ldr q23, [%[a], #16]\n\tmov v31.16b, v21.16b\n\tmov v0.16b, v22.16b\n\t"  \
                     "mov v1.16b, v23.16b\n\t"                                                \
                     "ldr q17, [%[i]]\n\tldr q18, [%[d]]\n\t" text "\n\tstr q18, [%[r]]"       \
                     :                                                                         \
                     : [a] "r"(a), [b] "r"(b), [d] "r"(d), [r] "r"(&r), [i] "r"(&tbl_idx)      \
                     : "v0", "v1", "v17", "v18", "v20", "v21", "v22", "v23", "v31", "memory"); \
    return r;                                                                                  \
  }
static V tbl_idx;
#define TBLS(M)                                                                                \
  M(tbl2, "tbl v18.16b, {v20.16b, v21.16b}, v17.16b")                                          \
  M(tbl3, "tbl v18.16b, {v20.16b, v21.16b, v22.16b}, v17.16b")                                 \
  M(tbl4, "tbl v18.8b, {v20.16b, v21.16b, v22.16b, v23.16b}, v17.8b")                          \
  M(tbx2, "tbx v18.8b, {v20.16b, v21.16b}, v17.8b")                                            \
  M(tbx3, "tbx v18.16b, {v31.16b, v0.16b, v1.16b}, v17.16b")                                   \
  M(tbx4, "tbx v18.16b, {v20.16b, v21.16b, v22.16b, v23.16b}, v17.16b")
#define DTB(name, text) DEF_TBL(t_##name, text)
#define ETB(name, text) {text, t_##name},
TBLS(DTB)

typedef struct Case {
  const char *name;
  Fn fn;
} Case;
static const Case perm_cases[] = {PERM(EP) IMMS(EI)};
static const Case tbl_cases[] = {TBLS(ETB)};
static const struct {
  const char *name;
  u64 (*fn)(const V *a);
} gen_cases[] = {TOGEN(EG)};

static const u64 xs[] = {0x123456789abcdef0, 0xff, 0x80008000, 0};

static void run_regs(void) {
  for (unsigned i = 0; i < sizeof perm_cases / sizeof perm_cases[0]; i++)
    for (unsigned a = 0; a < NPATS; a++)
      for (unsigned b = 0; b < NPATS; b++)
        out_v(perm_cases[i].name, a, b, perm_cases[i].fn(&pats[a], &pats[b], &dpat, xs[b % 4]));
  for (unsigned i = 0; i < sizeof gen_cases / sizeof gen_cases[0]; i++)
    for (unsigned a = 0; a < NPATS; a++) {
      out_s(gen_cases[i].name);
      out_kv("a", a);
      out_kv("r", gen_cases[i].fn(&pats[a]));
      out_nl();
    }
  /* Table indices: in range, just past, far past, per table size. */
  static const V idx[] = {{0x0f0e0d0c03020100, 0x3f3e3d3c1f1e1110}, {0x4020100f2f302f31, 0xff807f7e403f2010},
                          {0x0001020304050607, 0x3837363534333231}};
  for (unsigned i = 0; i < sizeof tbl_cases / sizeof tbl_cases[0]; i++)
    for (unsigned k = 0; k < 3; k++)
      for (unsigned a = 0; a < NPATS; a++) {
        tbl_idx = idx[k];
        out_v(tbl_cases[i].name, k, a, tbl_cases[i].fn(&pats[a], &pats[(a + 1) % NPATS], &pats[(a + 2) % NPATS], 0));
      }
}

/* -- Structure loads and stores -------------------------------------------------------------- */

static unsigned char mem[256] __attribute__((aligned(16)));
static V regs[8]; /* v20-v23 and v30 v31 v0 v1 after a load */

static void fill_mem(unsigned seed) {
  for (unsigned i = 0; i < sizeof mem; i++)
    mem[i] = (unsigned char)(i * 7 + seed);
}

/* A load: v20-v23 preset to dpat (lane forms keep the rest); prints the four
 * registers and the post-indexed base. */
#define DEF_LD(name, text)                                                                     \
  static u64 name(u64 off) {                                                                   \
    u64 base = (u64)mem + 16;                                                                  \
    __asm__ volatile("ldr q20, [%[d]]\n\tmov v21.16b, v20.16b\n\tmov v22.16b, v20.16b\n\t"     \
                     "mov v23.16b, v20.16b\n\tmov v30.16b, v20.16b\n\tmov v31.16b, v20.16b\n\t" \
                     "mov v0.16b, v20.16b\n\tmov v1.16b, v20.16b\n\t" text "\n\t"              \
                     "str q20, [%[r]]\n\tstr q21, [%[r], #16]\n\tstr q22, [%[r], #32]\n\t"     \
                     "str q23, [%[r], #48]\n\tstr q30, [%[r], #64]\n\tstr q31, [%[r], #80]\n\t" \
                     "str q0, [%[r], #96]\n\tstr q1, [%[r], #112]"                            \
                     : [b] "+r"(base)                                                          \
                     : [d] "r"(&dpat), [r] "r"(regs), [off] "r"(off)                           \
                     : "v0", "v1", "v20", "v21", "v22", "v23", "v30", "v31", "memory");        \
    return base - (u64)mem;                                                                    \
  }
/* A store: v20-v23 from patterns; prints the memory. */
#define DEF_ST(name, text)                                                                     \
  static u64 name(u64 off) {                                                                   \
    u64 base = (u64)mem + 16;                                                                  \
    __asm__ volatile("ldr q20, [%[p]]\n\tldr q21, [%[p], #16]\n\tldr q22, [%[p], #32]\n\t"     \
                     "ldr q23, [%[p], #48]\n\tmov v31.16b, v22.16b\n\tmov v0.16b, v23.16b\n\t" \
                     "mov v1.16b, v20.16b\n\t" text                                                                      \
                     : [b] "+r"(base)                                                          \
                     : [p] "r"(pats), [off] "r"(off)                                           \
                     : "v0", "v1", "v20", "v21", "v22", "v23", "v31", "memory");               \
    return base - (u64)mem;                                                                    \
  }

#define LOADS(M)                                                                                     \
  M(ld1_16b, "ld1 {v20.16b}, [%[b]]") M(ld1_8b_2, "ld1 {v20.8b, v21.8b}, [%[b]]")                  \
  M(ld1_4s_3, "ld1 {v20.4s, v21.4s, v22.4s}, [%[b]], #48")                                         \
  M(ld1_2d_4, "ld1 {v20.2d, v21.2d, v22.2d, v23.2d}, [%[b]], %[off]")                              \
  M(ld1_1d_4, "ld1 {v20.1d, v21.1d, v22.1d, v23.1d}, [%[b]], #32")                                 \
  M(ld2_16b, "ld2 {v20.16b, v21.16b}, [%[b]]") M(ld2_4h, "ld2 {v20.4h, v21.4h}, [%[b]], #16")      \
  M(ld2_2d, "ld2 {v20.2d, v21.2d}, [%[b]], %[off]") M(ld2_2s, "ld2 {v20.2s, v21.2s}, [%[b]]")      \
  M(ld3_16b, "ld3 {v20.16b, v21.16b, v22.16b}, [%[b]]")                                            \
  M(ld3_8b, "ld3 {v20.8b, v21.8b, v22.8b}, [%[b]], #24")                                           \
  M(ld3_4s, "ld3 {v20.4s, v21.4s, v22.4s}, [%[b]]") M(ld3_4h, "ld3 {v20.4h, v21.4h, v22.4h}, [%[b]]") \
  M(ld3_2d, "ld3 {v20.2d, v21.2d, v22.2d}, [%[b]]")                                                \
  M(ld4_16b, "ld4 {v20.16b, v21.16b, v22.16b, v23.16b}, [%[b]], #64")                              \
  M(ld4_8h, "ld4 {v20.8h, v21.8h, v22.8h, v23.8h}, [%[b]]")                                        \
  M(ld4_2s, "ld4 {v20.2s, v21.2s, v22.2s, v23.2s}, [%[b]]")                                        \
  M(ld4_2d, "ld4 {v20.2d, v21.2d, v22.2d, v23.2d}, [%[b]]")                                        \
  M(ld1r_16b, "ld1r {v20.16b}, [%[b]]") M(ld1r_4h, "ld1r {v20.4h}, [%[b]], #2")                    \
  M(ld2r_4s, "ld2r {v20.4s, v21.4s}, [%[b]], %[off]") M(ld3r_1d, "ld3r {v20.1d, v21.1d, v22.1d}, [%[b]]") \
  M(ld4r_8b, "ld4r {v20.8b, v21.8b, v22.8b, v23.8b}, [%[b]], #4")                                  \
  M(ld4r_2d, "ld4r {v20.2d, v21.2d, v22.2d, v23.2d}, [%[b]]")                                      \
  M(ld1_b, "ld1 {v20.b}[13], [%[b]]") M(ld1_h, "ld1 {v20.h}[6], [%[b]], #2")                       \
  M(ld1_s, "ld1 {v20.s}[1], [%[b]], %[off]") M(ld1_d, "ld1 {v20.d}[1], [%[b]]")                    \
  M(ld2_b, "ld2 {v20.b, v21.b}[15], [%[b]]") M(ld2_s, "ld2 {v20.s, v21.s}[3], [%[b]], #8")         \
  M(ld3_h, "ld3 {v20.h, v21.h, v22.h}[7], [%[b]]") M(ld3_d, "ld3 {v20.d, v21.d, v22.d}[0], [%[b]]") \
  M(ld4_s, "ld4 {v20.s, v21.s, v22.s, v23.s}[2], [%[b]], #16")                                     \
  M(ld4_b, "ld4 {v20.b, v21.b, v22.b, v23.b}[0], [%[b]]")                                          \
  M(ld4_wrap, "ld4 {v30.4s, v31.4s, v0.4s, v1.4s}, [%[b]]")                                        \
  M(ld3_wrap, "ld3 {v31.8h, v0.8h, v1.8h}, [%[b]]")
#define STORES(M)                                                                                    \
  M(st1_16b, "st1 {v20.16b}, [%[b]]") M(st1_8b_2, "st1 {v20.8b, v21.8b}, [%[b]], #16")            \
  M(st1_4s_3, "st1 {v20.4s, v21.4s, v22.4s}, [%[b]]")                                              \
  M(st1_2d_4, "st1 {v20.2d, v21.2d, v22.2d, v23.2d}, [%[b]], %[off]")                              \
  M(st2_16b, "st2 {v20.16b, v21.16b}, [%[b]]") M(st2_4h, "st2 {v20.4h, v21.4h}, [%[b]], #16")      \
  M(st2_2d, "st2 {v20.2d, v21.2d}, [%[b]]") M(st3_16b, "st3 {v20.16b, v21.16b, v22.16b}, [%[b]]")  \
  M(st3_8b, "st3 {v20.8b, v21.8b, v22.8b}, [%[b]], #24")                                           \
  M(st3_4s, "st3 {v20.4s, v21.4s, v22.4s}, [%[b]]") M(st3_2s, "st3 {v20.2s, v21.2s, v22.2s}, [%[b]]") \
  M(st4_16b, "st4 {v20.16b, v21.16b, v22.16b, v23.16b}, [%[b]]")                                   \
  M(st4_4h, "st4 {v20.4h, v21.4h, v22.4h, v23.4h}, [%[b]], %[off]")                                \
  M(st4_2d, "st4 {v20.2d, v21.2d, v22.2d, v23.2d}, [%[b]]")                                        \
  M(st1_b, "st1 {v20.b}[9], [%[b]]") M(st1_d, "st1 {v20.d}[1], [%[b]], #8")                        \
  M(st2_h, "st2 {v20.h, v21.h}[5], [%[b]]") M(st3_s, "st3 {v20.s, v21.s, v22.s}[3], [%[b]], #12")  \
  M(st4_d, "st4 {v20.d, v21.d, v22.d, v23.d}[1], [%[b]]")                                          \
  M(st4_b, "st4 {v20.b, v21.b, v22.b, v23.b}[14], [%[b]], %[off]")                                 \
  M(st3_wrap, "st3 {v31.4s, v0.4s, v1.4s}, [%[b]]")
#define DLD(name, text) DEF_LD(ld_##name, text)
#define DST(name, text) DEF_ST(st_##name, text)
#define ELS(name, text) {text, ld_##name},
#define ESS(name, text) {text, st_##name},
LOADS(DLD)
STORES(DST)
static const struct {
  const char *name;
  u64 (*fn)(u64 off);
} ld_cases[] = {LOADS(ELS)}, st_cases[] = {STORES(ESS)};

static void run_ldst(void) {
  for (unsigned i = 0; i < sizeof ld_cases / sizeof ld_cases[0]; i++) {
    fill_mem(i);
    u64 wb = ld_cases[i].fn(40);
    out_s(ld_cases[i].name);
    out_kv("wb", wb);
    out_nl();
    for (unsigned k = 0; k < 8; k++)
      out_v("  reg", k, 0, regs[k]);
  }
  for (unsigned i = 0; i < sizeof st_cases / sizeof st_cases[0]; i++) {
    memset(mem, 0xee, sizeof mem);
    u64 wb = st_cases[i].fn(24);
    out_s(st_cases[i].name);
    out_kv("wb", wb);
    for (unsigned k = 0; k < 96; k += 8) {
      u64 w;
      memcpy(&w, mem + k, 8);
      out_kv("m", w);
    }
    out_nl();
  }
}

static int test_main(void) {
  run_regs();
  run_ldst();
  return 0;
}
