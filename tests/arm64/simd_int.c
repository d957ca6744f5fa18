/* simd_int.c — Advanced SIMD integer instructions against qemu-aarch64: three
 * same, two-register misc, across lanes, three different (long, wide, narrow),
 * shifts by immediate, by element, and the scalar forms gcc uses, over every
 * arrangement they allow. Each case runs on 128-bit operand patterns with the
 * destination preloaded (accumulating and inserting forms read it) and prints
 * the whole destination register (Q = 0 forms must zero its high half) and
 * FPSR when it is not zero (QC: a saturating op clamped). */
#include "a64test.h"

typedef struct V {
  u64 lo, hi;
} V;

static const V pats[] = {
    {0, 0},
    {~0ull, ~0ull},
    {0x0123456789abcdef, 0xfedcba9876543210},
    {0x8000000080000000, 0x8000000000000000},
    {0x7f7f7f7f7fff7fff, 0x7fffffff7fffffff},
    {0x00ff00ff00ff00ff, 0xff00ff00ff00ff00},
    {0x0706050403020100, 0x0f0e0d0c0b0a0908},
    {0x8081828384858687, 0xf0f1f2f3fcfdfeff},
    {0x0001000200030004, 0x00000005fffffffb},
    {0xc3a5968778695a4b, 0x1e2d3c4b5a697887},
};
#define NPATS (sizeof pats / sizeof pats[0])
static const V dpat = {0x5555aaaa5555aaaa, 0x3333cccc3333cccc};

typedef V (*Fn)(const V *a, const V *b, const V *d);

/* FPSR after the case: QC (bit 27) is the saturating ops' sticky flag. */
static u64 fpsr;
#define DEF(name, text)                                                                     \
  static V name(const V *a, const V *b, const V *d) {                                      \
    V r;                                                                                    \
    __asm__ volatile("msr fpsr, xzr\n\tldr q16, [%[a]]\n\tldr q7, [%[b]]\n\t"              \
                     "ldr q18, [%[d]]\n\t" text "\n\tstr q18, [%[r]]\n\tmrs %[f], fpsr"     \
                     : [f] "=r"(fpsr)                                                       \
                     : [a] "r"(a), [b] "r"(b), [d] "r"(d), [r] "r"(&r)                       \
                     : "v16", "v7", "v18", "memory");                                      \
    return r;                                                                               \
  }

/* Three same: every arrangement (64-bit lanes only with Q). */
#define ARR_ALL(M, op) M(op, 8b) M(op, 16b) M(op, 4h) M(op, 8h) M(op, 2s) M(op, 4s) M(op, 2d)
#define ARR_NOD(M, op) M(op, 8b) M(op, 16b) M(op, 4h) M(op, 8h) M(op, 2s) M(op, 4s)
#define ARR_HS(M, op) M(op, 4h) M(op, 8h) M(op, 2s) M(op, 4s)
#define ARR_B(M, op) M(op, 8b) M(op, 16b)

#define D3(op, t) DEF(op##_##t, #op " v18." #t ", v16." #t ", v7." #t)
#define E3(op, t) {#op " " #t, op##_##t},

#define OPS3_ALL(M, A)                                                                      \
  A(M, add) A(M, sub) A(M, sqadd) A(M, uqadd) A(M, sqsub) A(M, uqsub) A(M, cmeq) A(M, cmgt)  \
  A(M, cmge) A(M, cmhi) A(M, cmhs) A(M, cmtst) A(M, sshl) A(M, ushl) A(M, srshl)             \
  A(M, urshl) A(M, sqshl) A(M, uqshl) A(M, sqrshl) A(M, uqrshl) A(M, addp)
#define OPS3_NOD(M, A)                                                                      \
  A(M, mul) A(M, mla) A(M, mls) A(M, smax) A(M, smin) A(M, umax) A(M, umin) A(M, sabd)       \
  A(M, uabd) A(M, saba) A(M, uaba) A(M, shadd) A(M, uhadd) A(M, srhadd) A(M, urhadd)        \
  A(M, shsub) A(M, uhsub) A(M, smaxp) A(M, sminp) A(M, umaxp) A(M, uminp)
#define OPS3_HS(M, A) A(M, sqdmulh) A(M, sqrdmulh)
#define OPS3_B(M, A)                                                                        \
  A(M, and) A(M, bic) A(M, orr) A(M, orn) A(M, eor) A(M, bsl) A(M, bit) A(M, bif) A(M, pmul)
#define ALL_(M, op) ARR_ALL(M, op)
#define NOD_(M, op) ARR_NOD(M, op)
#define HS_(M, op) ARR_HS(M, op)
#define B_(M, op) ARR_B(M, op)
OPS3_ALL(D3, ALL_)
OPS3_NOD(D3, NOD_)
OPS3_HS(D3, HS_)
OPS3_B(D3, B_)

/* Two-register misc. */
#define D2(op, t) DEF(op##_##t, #op " v18." #t ", v16." #t)
#define OPS2_ALL(M, A)                                                                      \
  A(M, abs) A(M, neg) A(M, sqabs) A(M, sqneg) A(M, suqadd) A(M, usqadd)
#define OPS2_CMP0(M)                                                                        \
  ARR_ALL(M, cmeq) ARR_ALL(M, cmge) ARR_ALL(M, cmgt) ARR_ALL(M, cmle) ARR_ALL(M, cmlt)
#define DZ(op, t) DEF(op##0_##t, #op " v18." #t ", v16." #t ", #0")
#define EZ(op, t) {#op " #0 " #t, op##0_##t},
OPS2_ALL(D2, ALL_)
OPS2_CMP0(DZ)
#define OPS2_NOD(M, A) A(M, cls) A(M, clz)
OPS2_NOD(D2, NOD_)
#define OPS2_B(M, A) A(M, cnt) A(M, not) A(M, rbit) A(M, rev16)
OPS2_B(D2, B_)
#define REV32(M, op) M(op, 8b) M(op, 16b) M(op, 4h) M(op, 8h)
#define REV64(M, op) ARR_NOD(M, op)
REV32(D2, rev32)
REV64(D2, rev64)

/* Pairwise long and the narrows: source and destination arrangements differ. */
#define DL(op, td, ts) DEF(op##_##td##_##ts, #op " v18." #td ", v16." #ts)
#define EL(op, td, ts) {#op " " #td "," #ts, op##_##td##_##ts},
#define LONGP(M, op) M(op, 4h, 8b) M(op, 8h, 16b) M(op, 2s, 4h) M(op, 4s, 8h) M(op, 1d, 2s) M(op, 2d, 4s)
#define NARROW(M, op) M(op, 8b, 8h) M(op, 4h, 4s) M(op, 2s, 2d)
#define NARROW2(M, op) M(op, 16b, 8h) M(op, 8h, 4s) M(op, 4s, 2d)
#define SHLL(M, op) M(op, 8h, 8b) M(op, 4s, 4h) M(op, 2d, 2s)
#define SHLL2(M, op) M(op, 8h, 16b) M(op, 4s, 8h) M(op, 2d, 4s)
LONGP(DL, saddlp) LONGP(DL, uaddlp) LONGP(DL, sadalp) LONGP(DL, uadalp)
NARROW(DL, xtn) NARROW(DL, sqxtn) NARROW(DL, uqxtn) NARROW(DL, sqxtun)
NARROW2(DL, xtn2) NARROW2(DL, sqxtn2) NARROW2(DL, uqxtn2) NARROW2(DL, sqxtun2)
DEF(shll_8h, "shll v18.8h, v16.8b, #8")
DEF(shll_4s, "shll v18.4s, v16.4h, #16")
DEF(shll2_2d, "shll2 v18.2d, v16.4s, #32")

/* Across lanes: scalar results. */
#define DA(op, reg, t) DEF(op##_##t, #op " " #reg "18, v16." #t)
#define EA(op, reg, t) {#op " " #t, op##_##t},
#define ACROSS(M)                                                                            \
  M(addv, b, 8b) M(addv, b, 16b) M(addv, h, 4h) M(addv, h, 8h) M(addv, s, 4s)                \
  M(smaxv, b, 16b) M(smaxv, h, 4h) M(smaxv, s, 4s) M(sminv, b, 8b) M(sminv, h, 8h)           \
  M(sminv, s, 4s) M(umaxv, b, 16b) M(umaxv, b, 8b) M(umaxv, h, 8h) M(umaxv, s, 4s)           \
  M(uminv, b, 16b) M(uminv, h, 4h) M(uminv, s, 4s) M(saddlv, h, 8b) M(saddlv, h, 16b)         \
  M(saddlv, s, 4h) M(saddlv, s, 8h) M(saddlv, d, 4s) M(uaddlv, h, 8b) M(uaddlv, h, 16b)       \
  M(uaddlv, s, 4h) M(uaddlv, s, 8h) M(uaddlv, d, 4s)
ACROSS(DA)

/* Three different. */
#define D3D(op, td, ts, tm) DEF(op##_##td##_##ts##_##tm, #op " v18." #td ", v16." #ts ", v7." #tm)
#define E3D(op, td, ts, tm) {#op " " #td "," #ts "," #tm, op##_##td##_##ts##_##tm},
#define LONG3(M, op) M(op, 8h, 8b, 8b) M(op, 4s, 4h, 4h) M(op, 2d, 2s, 2s)
#define LONG3_2(M, op) M(op, 8h, 16b, 16b) M(op, 4s, 8h, 8h) M(op, 2d, 4s, 4s)
#define WIDE3(M, op) M(op, 8h, 8h, 8b) M(op, 4s, 4s, 4h) M(op, 2d, 2d, 2s)
#define WIDE3_2(M, op) M(op, 8h, 8h, 16b) M(op, 4s, 4s, 8h) M(op, 2d, 2d, 4s)
#define HN3(M, op) M(op, 8b, 8h, 8h) M(op, 4h, 4s, 4s) M(op, 2s, 2d, 2d)
#define HN3_2(M, op) M(op, 16b, 8h, 8h) M(op, 8h, 4s, 4s) M(op, 4s, 2d, 2d)
#define QD3(M, op) M(op, 4s, 4h, 4h) M(op, 2d, 2s, 2s)
#define LONG_OPS(M, X)                                                                        \
  X(M, saddl) X(M, uaddl) X(M, ssubl) X(M, usubl) X(M, sabal) X(M, uabal) X(M, sabdl)        \
  X(M, uabdl) X(M, smlal) X(M, umlal) X(M, smlsl) X(M, umlsl) X(M, smull) X(M, umull)
#define LONG_OPS2(M, X)                                                                       \
  X(M, saddl2) X(M, uaddl2) X(M, ssubl2) X(M, usubl2) X(M, sabal2) X(M, uabal2) X(M, sabdl2) \
  X(M, uabdl2) X(M, smlal2) X(M, umlal2) X(M, smlsl2) X(M, umlsl2) X(M, smull2) X(M, umull2)
#define L_(M, op) LONG3(M, op)
#define L2_(M, op) LONG3_2(M, op)
LONG_OPS(D3D, L_)
LONG_OPS2(D3D, L2_)
WIDE3(D3D, saddw) WIDE3(D3D, uaddw) WIDE3(D3D, ssubw) WIDE3(D3D, usubw)
WIDE3_2(D3D, saddw2) WIDE3_2(D3D, uaddw2) WIDE3_2(D3D, usubw2)
HN3(D3D, addhn) HN3(D3D, subhn) HN3(D3D, raddhn) HN3(D3D, rsubhn)
HN3_2(D3D, addhn2) HN3_2(D3D, rsubhn2)
QD3(D3D, sqdmull) QD3(D3D, sqdmlal) QD3(D3D, sqdmlsl)

/* Shifts by immediate. */
#define DS(op, td, ts, n) DEF(op##_##td##_##n, #op " v18." #td ", v16." #ts ", #" #n)
#define ES(op, td, ts, n) {#op " " #td " #" #n, op##_##td##_##n},
#define SHR_SET(M, op)                                                                        \
  M(op, 8b, 8b, 1) M(op, 16b, 16b, 7) M(op, 16b, 16b, 8) M(op, 4h, 4h, 3) M(op, 8h, 8h, 16)  \
  M(op, 2s, 2s, 31) M(op, 4s, 4s, 5) M(op, 2d, 2d, 64) M(op, 2d, 2d, 13)
#define SHL_SET(M, op)                                                                        \
  M(op, 8b, 8b, 0) M(op, 16b, 16b, 7) M(op, 4h, 4h, 15) M(op, 8h, 8h, 4) M(op, 2s, 2s, 1)    \
  M(op, 4s, 4s, 31) M(op, 2d, 2d, 63) M(op, 2d, 2d, 8)
#define NSHR_SET(M, op) M(op, 8b, 8h, 1) M(op, 8b, 8h, 8) M(op, 4h, 4s, 5) M(op, 2s, 2d, 32) M(op, 2s, 2d, 17)
#define NSHR2_SET(M, op) M(op, 16b, 8h, 3) M(op, 8h, 4s, 16) M(op, 4s, 2d, 1)
#define LSHL_SET(M, op) M(op, 8h, 8b, 0) M(op, 8h, 8b, 7) M(op, 4s, 4h, 3) M(op, 2d, 2s, 31)
#define LSHL2_SET(M, op) M(op, 8h, 16b, 0) M(op, 4s, 8h, 15) M(op, 2d, 4s, 1)
#define SHR_OPS(M, X)                                                                         \
  X(M, sshr) X(M, ushr) X(M, ssra) X(M, usra) X(M, srshr) X(M, urshr) X(M, srsra) X(M, ursra) \
  X(M, sri)
#define SHL_OPS(M, X) X(M, shl) X(M, sli) X(M, sqshl) X(M, uqshl) X(M, sqshlu)
#define NSHR_OPS(M, X)                                                                        \
  X(M, shrn) X(M, rshrn) X(M, sqshrn) X(M, sqrshrn) X(M, sqshrun) X(M, sqrshrun) X(M, uqshrn) \
  X(M, uqrshrn)
#define NSHR2_OPS(M, X) X(M, shrn2) X(M, rshrn2) X(M, sqshrn2) X(M, uqrshrn2) X(M, sqshrun2)
#define SHR_(M, op) SHR_SET(M, op)
#define SHL_(M, op) SHL_SET(M, op)
#define NSHR_(M, op) NSHR_SET(M, op)
#define NSHR2_(M, op) NSHR2_SET(M, op)
SHR_OPS(DS, SHR_)
SHL_OPS(DS, SHL_)
NSHR_OPS(DS, NSHR_)
NSHR2_OPS(DS, NSHR2_)
LSHL_SET(DS, sshll) LSHL_SET(DS, ushll) LSHL2_SET(DS, sshll2) LSHL2_SET(DS, ushll2)

/* By element. */
#define DX(op, td, ts, tm, i) DEF(op##_##td##_##i, #op " v18." #td ", v16." #ts ", v7." #tm "[" #i "]")
#define EX(op, td, ts, tm, i) {#op " " #td " [" #i "]", op##_##td##_##i},
#define ELEM_SAME(M, op) M(op, 4h, 4h, h, 5) M(op, 8h, 8h, h, 7) M(op, 2s, 2s, s, 1) M(op, 4s, 4s, s, 3)
#define ELEM_LONG(M, op) M(op, 4s, 4h, h, 2) M(op, 2d, 2s, s, 3)
#define ELEM_LONG2(M, op) M(op, 4s, 8h, h, 6) M(op, 2d, 4s, s, 0)
ELEM_SAME(DX, mul) ELEM_SAME(DX, mla) ELEM_SAME(DX, mls)
ELEM_LONG(DX, smull) ELEM_LONG(DX, umull) ELEM_LONG(DX, smlal) ELEM_LONG(DX, umlal)
ELEM_LONG(DX, smlsl) ELEM_LONG(DX, umlsl) ELEM_LONG(DX, sqdmull)
ELEM_LONG2(DX, smull2) ELEM_LONG2(DX, umlal2) ELEM_LONG2(DX, sqdmlal2)
ELEM_SAME(DX, sqdmulh) ELEM_SAME(DX, sqrdmulh)

/* Scalar forms. */
#define SCALAR(M)                                                                               \
  M(add_d, "add d18, d16, d7") M(sub_d, "sub d18, d16, d7") M(cmeq_d, "cmeq d18, d16, d7")  \
  M(cmgt_d, "cmgt d18, d16, d7") M(cmhi_d, "cmhi d18, d16, d7")                               \
  M(cmhs_d, "cmhs d18, d16, d7") M(cmtst_d, "cmtst d18, d16, d7")                             \
  M(cmge_d, "cmge d18, d16, d7") M(cmeq0_d, "cmeq d18, d16, #0")                               \
  M(cmlt0_d, "cmlt d18, d16, #0") M(cmle0_d, "cmle d18, d16, #0")                               \
  M(cmgt0_d, "cmgt d18, d16, #0") M(cmge0_d, "cmge d18, d16, #0") M(abs_d, "abs d18, d16")      \
  M(neg_d, "neg d18, d16") M(ushl_d, "ushl d18, d16, d7") M(sshl_d, "sshl d18, d16, d7")      \
  M(sqadd_b, "sqadd b18, b16, b7") M(uqsub_h, "uqsub h18, h16, h7")                           \
  M(sqsub_s, "sqsub s18, s16, s7") M(uqadd_d, "uqadd d18, d16, d7")                           \
  M(ushr_d, "ushr d18, d16, #9") M(sshr_d, "sshr d18, d16, #64") M(shl_d, "shl d18, d16, #3")   \
  M(usra_d, "usra d18, d16, #63") M(ssra_d, "ssra d18, d16, #1") M(sri_d, "sri d18, d16, #4")   \
  M(sli_d, "sli d18, d16, #60") M(urshr_d, "urshr d18, d16, #7") M(srshr_d, "srshr d18, d16, #64") \
  M(sqshl_s_i, "sqshl s18, s16, #9") M(uqshl_b_i, "uqshl b18, b16, #3")                         \
  M(sqshrn_s, "sqshrn s18, d16, #5") M(uqrshrn_h, "uqrshrn h18, s16, #1")                       \
  M(sqxtn_b, "sqxtn b18, h16") M(uqxtn_s, "uqxtn s18, d16") M(sqxtun_h, "sqxtun h18, s16")      \
  M(addp_d, "addp d18, v16.2d") M(dup_b, "mov b18, v16.b[13]") M(dup_h, "mov h18, v16.h[6]")    \
  M(dup_s, "mov s18, v16.s[3]") M(dup_d, "mov d18, v16.d[1]") M(sqabs_h, "sqabs h18, h16")      \
  M(sqneg_d, "sqneg d18, d16") M(sqdmulh_s, "sqdmulh s18, s16, s7")                              \
  M(pmull_8h, "pmull v18.8h, v16.8b, v7.8b") M(pmull2_8h, "pmull2 v18.8h, v16.16b, v7.16b")      \
  M(sqdmull_sh, "sqdmull s18, h16, h7") M(sqdmlal_ds, "sqdmlal d18, s16, s7")                     \
  M(sqdmlsl_sh, "sqdmlsl s18, h16, h7") M(sqdmull_e, "sqdmull d18, s16, v7.s[3]")                 \
  M(sqdmlal_e, "sqdmlal s18, h16, v7.h[5]") M(sqrdmulh_e, "sqrdmulh h18, h16, v7.h[7]")           \
  M(sqdmulh_e, "sqdmulh s18, s16, v7.s[1]")
#define DSC(name, text) DEF(sc_##name, text)
#define ESC(name, text) {text, sc_##name},
SCALAR(DSC)

typedef struct Case {
  const char *name;
  Fn fn;
} Case;

static const Case cases[] = {
    OPS3_ALL(E3, ALL_) OPS3_NOD(E3, NOD_) OPS3_HS(E3, HS_) OPS3_B(E3, B_)
    OPS2_ALL(E3, ALL_) OPS2_CMP0(EZ) OPS2_NOD(E3, NOD_) OPS2_B(E3, B_)
    REV32(E3, rev32) REV64(E3, rev64)
    LONGP(EL, saddlp) LONGP(EL, uaddlp) LONGP(EL, sadalp) LONGP(EL, uadalp)
    NARROW(EL, xtn) NARROW(EL, sqxtn) NARROW(EL, uqxtn) NARROW(EL, sqxtun)
    NARROW2(EL, xtn2) NARROW2(EL, sqxtn2) NARROW2(EL, uqxtn2) NARROW2(EL, sqxtun2)
    {"shll 8h", shll_8h}, {"shll 4s", shll_4s}, {"shll2 2d", shll2_2d},
    ACROSS(EA)
    LONG_OPS(E3D, L_) LONG_OPS2(E3D, L2_)
    WIDE3(E3D, saddw) WIDE3(E3D, uaddw) WIDE3(E3D, ssubw) WIDE3(E3D, usubw)
    WIDE3_2(E3D, saddw2) WIDE3_2(E3D, uaddw2) WIDE3_2(E3D, usubw2)
    HN3(E3D, addhn) HN3(E3D, subhn) HN3(E3D, raddhn) HN3(E3D, rsubhn)
    HN3_2(E3D, addhn2) HN3_2(E3D, rsubhn2)
    QD3(E3D, sqdmull) QD3(E3D, sqdmlal) QD3(E3D, sqdmlsl)
    SHR_OPS(ES, SHR_) SHL_OPS(ES, SHL_) NSHR_OPS(ES, NSHR_) NSHR2_OPS(ES, NSHR2_)
    LSHL_SET(ES, sshll) LSHL_SET(ES, ushll) LSHL2_SET(ES, sshll2) LSHL2_SET(ES, ushll2)
    ELEM_SAME(EX, mul) ELEM_SAME(EX, mla) ELEM_SAME(EX, mls)
    ELEM_LONG(EX, smull) ELEM_LONG(EX, umull) ELEM_LONG(EX, smlal) ELEM_LONG(EX, umlal)
    ELEM_LONG(EX, smlsl) ELEM_LONG(EX, umlsl) ELEM_LONG(EX, sqdmull)
    ELEM_LONG2(EX, smull2) ELEM_LONG2(EX, umlal2) ELEM_LONG2(EX, sqdmlal2)
    ELEM_SAME(EX, sqdmulh) ELEM_SAME(EX, sqrdmulh)
    SCALAR(ESC)
};

static int test_main(void) {
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (unsigned a = 0; a < NPATS; a++)
      for (unsigned b = 0; b < NPATS; b++) {
        V r = cases[i].fn(&pats[a], &pats[b], &dpat);
        out_s(cases[i].name);
        out_kv("a", a);
        out_kv("b", b);
        out_kv("lo", r.lo);
        out_kv("hi", r.hi);
        if (fpsr)
          out_kv("fpsr", fpsr);
        out_nl();
      }
  return 0;
}
