/* dp_reg.c — data processing (register) against qemu-aarch64: add/sub with
 * shifted and extended registers (SP forms too), adc/sbc, logical with every
 * shift, csel and its family under all 16 conditions and NZCV inputs, ccmp and
 * ccmn, rbit/rev/clz/cls, udiv/sdiv, variable shifts, crc32, the multiplies,
 * rmif/setf. Each case prints its operands, the result and NZCV after. */
#include "a64test.h"

typedef u64 (*Fn)(u64 a, u64 b, u64 c, u64 *f);

/* A case: set NZCV to *f, run `text` (operands %[d] %[a] %[b] %[c]; x9 is
 * free for saving SP), read NZCV back into *f. */
#define DEF(name, text)                                                                    \
  static u64 name(u64 a, u64 b, u64 c, u64 *f) {                                          \
    u64 d;                                                                                 \
    __asm__ volatile("msr nzcv, %[f]\n\t" text "\n\tmrs %[f], nzcv"                      \
                     : [d] "=&r"(d), [f] "+r"(*f)                                          \
                     : [a] "r"(a), [b] "r"(b), [c] "r"(c)                                  \
                     : "x9");                                                              \
    return d;                                                                              \
  }

/* How a case iterates its operands. */
enum {
  K_AB,    /* a, b over vals; flags in 0x90000000 (also shows they are kept) */
  K_ABS,   /* a, b over a smaller set (the many shift variants) */
  K_ABF,   /* a, b over vals, every flags input in flag_ins (carry in) */
  K_A,     /* a over vals and more */
  K_AN,    /* a over vals, b over shift counts */
  K_ABC,   /* a, b over vals, c over three values */
  K_NZCV,  /* three (a, b) pairs under all 16 NZCV inputs */
  K_AF,    /* a over vals, all 16 NZCV inputs */
};

typedef struct Case {
  const char *name;
  Fn fn;
  int kind;
} Case;

#define ENTRY(name, text) {#name, name, KIND},

/* -- Add/sub, shifted register ----------------------------------------------------- */

#define SHIFTS64(M, op) \
  M(op, lsl, 0) M(op, lsl, 1) M(op, lsl, 63) M(op, lsr, 1) M(op, lsr, 32) M(op, lsr, 63) \
  M(op, asr, 1) M(op, asr, 33) M(op, asr, 63)
#define SHIFTS32(M, op) \
  M(op, lsl, 0) M(op, lsl, 1) M(op, lsl, 31) M(op, lsr, 1) M(op, lsr, 16) M(op, lsr, 31) \
  M(op, asr, 1) M(op, asr, 31)
#define RORS64(M, op) M(op, ror, 1) M(op, ror, 32) M(op, ror, 63)
#define RORS32(M, op) M(op, ror, 1) M(op, ror, 16) M(op, ror, 31)

#define DEF_SH64(op, sh, n) DEF(op##_##sh##n##_x, #op " %[d], %[a], %[b], " #sh " #" #n)
#define DEF_SH32(op, sh, n) DEF(op##_##sh##n##_w, #op " %w[d], %w[a], %w[b], " #sh " #" #n)
#define ENT_SH64(op, sh, n) {#op " x " #sh " #" #n, op##_##sh##n##_x, K_ABS},
#define ENT_SH32(op, sh, n) {#op " w " #sh " #" #n, op##_##sh##n##_w, K_ABS},

#define ADDSUB(M, L) L(M, add) L(M, adds) L(M, sub) L(M, subs)
ADDSUB(DEF_SH64, SHIFTS64)
ADDSUB(DEF_SH32, SHIFTS32)

/* -- Logical, shifted register: every op with lsl #0 and one ror; eor and ands with
 * every shift --------------------------------------------------------------------- */

#define LOGIC_OPS(M, L) \
  L(M, and) L(M, bic) L(M, orr) L(M, orn) L(M, eor) L(M, eon) L(M, ands) L(M, bics)
#define LOGIC_FEW64(M, op) M(op, lsl, 0) M(op, ror, 13)
#define LOGIC_FEW32(M, op) M(op, lsl, 0) M(op, ror, 13)
#define LOGIC_ALL(M, L) L(M, eor) L(M, ands)
#define SHROR64(M, op) SHIFTS64(M, op) RORS64(M, op)
#define SHROR32(M, op) SHIFTS32(M, op) RORS32(M, op)
LOGIC_OPS(DEF_SH64, LOGIC_FEW64)
LOGIC_OPS(DEF_SH32, LOGIC_FEW32)
/* lsl #0 and ror are above already: the rest of the shifts for eor and ands. */
#define REST64(M, op) \
  M(op, lsl, 1) M(op, lsl, 63) M(op, lsr, 1) M(op, lsr, 32) M(op, lsr, 63) M(op, asr, 1) \
  M(op, asr, 33) M(op, asr, 63) M(op, ror, 1) M(op, ror, 32) M(op, ror, 63)
#define REST32(M, op) \
  M(op, lsl, 1) M(op, lsl, 31) M(op, lsr, 1) M(op, lsr, 16) M(op, lsr, 31) M(op, asr, 1) \
  M(op, asr, 31) M(op, ror, 1) M(op, ror, 16) M(op, ror, 31)
LOGIC_ALL(DEF_SH64, REST64)
LOGIC_ALL(DEF_SH32, REST32)

/* -- Everything else, as (name, text) lists by kind ------------------------------------ */

#define AB_CASES(_)                                                                        \
  _(neg_x, "neg %[d], %[b], lsl #2")                                                       \
  _(negs_w, "negs %w[d], %w[b]")                                                           \
  _(cmp_x, "cmp %[a], %[b]")                                                               \
  _(cmn_w, "cmn %w[a], %w[b], lsr #3")                                                     \
  _(tst_x, "tst %[a], %[b], asr #5")                                                       \
  _(mvn_w, "mvn %w[d], %w[b], ror #7")                                                     \
  _(add_uxtb_x, "add %[d], %[a], %w[b], uxtb")                                             \
  _(add_uxth1_x, "add %[d], %[a], %w[b], uxth #1")                                         \
  _(add_uxtw2_x, "add %[d], %[a], %w[b], uxtw #2")                                         \
  _(add_uxtx3_x, "add %[d], %[a], %[b], uxtx #3")                                          \
  _(add_sxtb4_x, "add %[d], %[a], %w[b], sxtb #4")                                         \
  _(add_sxth_x, "add %[d], %[a], %w[b], sxth")                                             \
  _(add_sxtw1_x, "add %[d], %[a], %w[b], sxtw #1")                                         \
  _(add_sxtx2_x, "add %[d], %[a], %[b], sxtx #2")                                          \
  _(adds_sxtw_x, "adds %[d], %[a], %w[b], sxtw")                                           \
  _(adds_uxtb3_x, "adds %[d], %[a], %w[b], uxtb #3")                                       \
  _(sub_sxth2_x, "sub %[d], %[a], %w[b], sxth #2")                                         \
  _(subs_uxtw_x, "subs %[d], %[a], %w[b], uxtw")                                           \
  _(subs_sxtx4_x, "subs %[d], %[a], %[b], sxtx #4")                                        \
  _(cmp_sxtb_x, "cmp %[a], %w[b], sxtb")                                                   \
  _(add_uxtb1_w, "add %w[d], %w[a], %w[b], uxtb #1")                                       \
  _(add_sxth4_w, "add %w[d], %w[a], %w[b], sxth #4")                                       \
  _(adds_sxtb_w, "adds %w[d], %w[a], %w[b], sxtb")                                         \
  _(sub_uxtw3_w, "sub %w[d], %w[a], %w[b], uxtw #3")                                       \
  _(subs_sxtw2_w, "subs %w[d], %w[a], %w[b], sxtw #2")                                     \
  _(subs_uxth_w, "subs %w[d], %w[a], %w[b], uxth")                                         \
  /* rn = SP: SP is set to a first */                                                      \
  _(add_sp_src_x, "mov x9, sp\n\tmov sp, %[a]\n\tadd %[d], sp, %w[b], uxtw #2\n\tmov sp, x9") \
  _(adds_sp_src_x, "mov x9, sp\n\tmov sp, %[a]\n\tadds %[d], sp, %[b], lsl #1\n\tmov sp, x9") \
  _(subs_sp_src_w, "mov x9, sp\n\tmov sp, %[a]\n\tsubs %w[d], wsp, %w[b], sxtb\n\tmov sp, x9") \
  _(cmp_sp_x, "mov x9, sp\n\tmov sp, %[a]\n\tcmp sp, %w[b], sxth #3\n\tmov sp, x9")          \
  /* rd = SP (without S) */                                                                \
  _(add_sp_dst_x,                                                                          \
    "mov x9, sp\n\tadd sp, %[a], %w[b], sxtw #3\n\tmov %[d], sp\n\tmov sp, x9")            \
  _(sub_sp_dst_w,                                                                          \
    "mov x9, sp\n\tsub wsp, %w[a], %w[b], uxtb #1\n\tmov %[d], sp\n\tmov sp, x9")          \
  _(udiv_x, "udiv %[d], %[a], %[b]")                                                       \
  _(sdiv_x, "sdiv %[d], %[a], %[b]")                                                       \
  _(udiv_w, "udiv %w[d], %w[a], %w[b]")                                                    \
  _(sdiv_w, "sdiv %w[d], %w[a], %w[b]")                                                    \
  _(crc32b, "crc32b %w[d], %w[a], %w[b]")                                                  \
  _(crc32h, "crc32h %w[d], %w[a], %w[b]")                                                  \
  _(crc32w, "crc32w %w[d], %w[a], %w[b]")                                                  \
  _(crc32x, "crc32x %w[d], %w[a], %[b]")                                                   \
  _(crc32cb, "crc32cb %w[d], %w[a], %w[b]")                                                \
  _(crc32ch, "crc32ch %w[d], %w[a], %w[b]")                                                \
  _(crc32cw, "crc32cw %w[d], %w[a], %w[b]")                                                \
  _(crc32cx, "crc32cx %w[d], %w[a], %[b]")                                                 \
  _(smulh, "smulh %[d], %[a], %[b]")                                                       \
  _(umulh, "umulh %[d], %[a], %[b]")                                                       \
  _(mul_x, "mul %[d], %[a], %[b]")                                                         \
  _(mneg_w, "mneg %w[d], %w[a], %w[b]")                                                    \
  _(smull, "smull %[d], %w[a], %w[b]")                                                     \
  _(umull, "umull %[d], %w[a], %w[b]")                                                     \
  _(smnegl, "smnegl %[d], %w[a], %w[b]")

#define ABF_CASES(_)                                                                       \
  _(adc_x, "adc %[d], %[a], %[b]")                                                         \
  _(adcs_x, "adcs %[d], %[a], %[b]")                                                       \
  _(sbc_x, "sbc %[d], %[a], %[b]")                                                         \
  _(sbcs_x, "sbcs %[d], %[a], %[b]")                                                       \
  _(adc_w, "adc %w[d], %w[a], %w[b]")                                                      \
  _(adcs_w, "adcs %w[d], %w[a], %w[b]")                                                    \
  _(sbc_w, "sbc %w[d], %w[a], %w[b]")                                                      \
  _(sbcs_w, "sbcs %w[d], %w[a], %w[b]")                                                    \
  _(ngcs_x, "ngcs %[d], %[b]")                                                             \
  _(ngc_w, "ngc %w[d], %w[b]")

#define A_CASES(_)                                                                         \
  _(rbit_x, "rbit %[d], %[a]")                                                             \
  _(rev16_x, "rev16 %[d], %[a]")                                                           \
  _(rev32_x, "rev32 %[d], %[a]")                                                           \
  _(rev_x, "rev %[d], %[a]")                                                               \
  _(clz_x, "clz %[d], %[a]")                                                               \
  _(cls_x, "cls %[d], %[a]")                                                               \
  _(rbit_w, "rbit %w[d], %w[a]")                                                           \
  _(rev16_w, "rev16 %w[d], %w[a]")                                                         \
  _(rev_w, "rev %w[d], %w[a]")                                                             \
  _(clz_w, "clz %w[d], %w[a]")                                                             \
  _(cls_w, "cls %w[d], %w[a]")

#define AN_CASES(_)                                                                        \
  _(lslv_x, "lsl %[d], %[a], %[b]")                                                        \
  _(lsrv_x, "lsr %[d], %[a], %[b]")                                                        \
  _(asrv_x, "asr %[d], %[a], %[b]")                                                        \
  _(rorv_x, "ror %[d], %[a], %[b]")                                                        \
  _(lslv_w, "lsl %w[d], %w[a], %w[b]")                                                     \
  _(lsrv_w, "lsr %w[d], %w[a], %w[b]")                                                     \
  _(asrv_w, "asr %w[d], %w[a], %w[b]")                                                     \
  _(rorv_w, "ror %w[d], %w[a], %w[b]")

#define ABC_CASES(_)                                                                       \
  _(madd_x, "madd %[d], %[a], %[b], %[c]")                                                 \
  _(msub_x, "msub %[d], %[a], %[b], %[c]")                                                 \
  _(madd_w, "madd %w[d], %w[a], %w[b], %w[c]")                                             \
  _(msub_w, "msub %w[d], %w[a], %w[b], %w[c]")                                             \
  _(smaddl, "smaddl %[d], %w[a], %w[b], %[c]")                                             \
  _(smsubl, "smsubl %[d], %w[a], %w[b], %[c]")                                             \
  _(umaddl, "umaddl %[d], %w[a], %w[b], %[c]")                                             \
  _(umsubl, "umsubl %[d], %w[a], %w[b], %[c]")

#define COND_LIST(M, op) \
  M(op, eq) M(op, ne) M(op, cs) M(op, cc) M(op, mi) M(op, pl) M(op, vs) M(op, vc) M(op, hi) \
  M(op, ls) M(op, ge) M(op, lt) M(op, gt) M(op, le) M(op, al) M(op, nv)

/* csel under every condition; csinc csinv csneg and the aliases under two. */
#define DEF_CSEL(op, cc) DEF(op##_##cc, #op " %[d], %[a], %[b], " #cc)
#define ENT_CSEL(op, cc) {#op " " #cc, op##_##cc, K_NZCV},
COND_LIST(DEF_CSEL, csel)
/* ccmp (register, X) under every condition, nzcv #5. */
#define DEF_CCMP(op, cc) DEF(op##_##cc, "ccmp %[a], %[b], #5, " #cc)
COND_LIST(DEF_CCMP, ccmp_r)

#define NZCV_CASES(_)                                                                      \
  _(csinc_x_lt, "csinc %[d], %[a], %[b], lt")                                              \
  _(csinv_x_hi, "csinv %[d], %[a], %[b], hi")                                              \
  _(csneg_x_ge, "csneg %[d], %[a], %[b], ge")                                              \
  _(csel_w_le, "csel %w[d], %w[a], %w[b], le")                                             \
  _(csinc_w_vs, "csinc %w[d], %w[a], %w[b], vs")                                           \
  _(csinv_w_ls, "csinv %w[d], %w[a], %w[b], ls")                                           \
  _(csneg_w_mi, "csneg %w[d], %w[a], %w[b], mi")                                           \
  _(cset_x_gt, "cset %[d], gt")                                                            \
  _(csetm_w_cc, "csetm %w[d], cc")                                                         \
  _(cinc_x_eq, "cinc %[d], %[a], eq")                                                      \
  _(cneg_w_pl, "cneg %w[d], %w[a], pl")                                                    \
  _(ccmp_r_w_ge, "ccmp %w[a], %w[b], #10, ge")                                             \
  _(ccmp_r_x_nzcv0, "ccmp %[a], %[b], #0, eq")                                             \
  _(ccmp_r_x_nzcv15, "ccmp %[a], %[b], #15, ne")                                           \
  _(ccmn_r_x_lt, "ccmn %[a], %[b], #3, lt")                                                \
  _(ccmn_r_w_hi, "ccmn %w[a], %w[b], #12, hi")                                             \
  _(ccmp_i_x_ne, "ccmp %[a], #31, #6, ne")                                                 \
  _(ccmp_i_w_cs, "ccmp %w[a], #0, #9, cs")                                                 \
  _(ccmn_i_x_le, "ccmn %[a], #1, #2, le")                                                  \
  _(ccmn_i_w_vc, "ccmn %w[a], #17, #15, vc")

#define AF_CASES(_)                                                                        \
  _(setf8, "setf8 %w[a]")                                                                  \
  _(setf16, "setf16 %w[a]")                                                                \
  _(rmif_0_15, "rmif %[a], #0, #15")                                                       \
  _(rmif_1_5, "rmif %[a], #1, #5")                                                         \
  _(rmif_63_10, "rmif %[a], #63, #10")                                                     \
  _(rmif_30_8, "rmif %[a], #30, #8")

AB_CASES(DEF)
ABF_CASES(DEF)
A_CASES(DEF)
AN_CASES(DEF)
ABC_CASES(DEF)
NZCV_CASES(DEF)
AF_CASES(DEF)

static const Case cases[] = {
    ADDSUB(ENT_SH64, SHIFTS64) ADDSUB(ENT_SH32, SHIFTS32)
    LOGIC_OPS(ENT_SH64, LOGIC_FEW64) LOGIC_OPS(ENT_SH32, LOGIC_FEW32)
    LOGIC_ALL(ENT_SH64, REST64) LOGIC_ALL(ENT_SH32, REST32)
    COND_LIST(ENT_CSEL, csel) COND_LIST(ENT_CSEL, ccmp_r)
#define KIND K_AB
    AB_CASES(ENTRY)
#undef KIND
#define KIND K_ABF
    ABF_CASES(ENTRY)
#undef KIND
#define KIND K_A
    A_CASES(ENTRY)
#undef KIND
#define KIND K_AN
    AN_CASES(ENTRY)
#undef KIND
#define KIND K_ABC
    ABC_CASES(ENTRY)
#undef KIND
#define KIND K_NZCV
    NZCV_CASES(ENTRY)
#undef KIND
#define KIND K_AF
    AF_CASES(ENTRY)
#undef KIND
};

/* -- Running ----------------------------------------------------------------------- */

static const u64 small[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff,
                            0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
                            0x123456789abcdef0};
#define NSMALL (sizeof small / sizeof small[0])
/* More one-source inputs: a bit at each interesting place. */
static const u64 more_a[] = {0x100000000, 0x0000000180000000, 0x00ff00ff00ff00ff,
                             0x4000000000000000, 0xc000000000000000, 0x3fffffff, 0xc0000000};
#define NMORE (sizeof more_a / sizeof more_a[0])
static const u64 pairs[][2] = {{1, 2}, {0x8000000000000000, 0xffffffffffffffff}, {0, 0x7fffffff}};
static const u64 cvals[] = {0, 1, 0x8000000000000000};

static void one(const Case *c, u64 a, u64 b, u64 cc, u64 f) {
  u64 fo = f;
  u64 d = c->fn(a, b, cc, &fo);
  out_s(c->name);
  out_kv("a", a);
  out_kv("b", b);
  if (c->kind == K_ABC)
    out_kv("c", cc);
  out_kv("f", f >> 28);
  out_s(" ->");
  out_kv("d", d);
  out_kv("f", fo >> 28);
  out_nl();
}

static int test_main(void) {
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const Case *c = &cases[i];
    switch (c->kind) {
    case K_AB:
      for (unsigned x = 0; x < NVALS; x++)
        for (unsigned y = 0; y < NVALS; y++)
          one(c, vals[x], vals[y], 0, 0x90000000);
      break;
    case K_ABS:
      for (unsigned x = 0; x < NSMALL; x++)
        for (unsigned y = 0; y < NSMALL; y++)
          one(c, small[x], small[y], 0, 0x90000000);
      break;
    case K_ABF:
      for (unsigned x = 0; x < NVALS; x++)
        for (unsigned y = 0; y < NVALS; y++)
          for (unsigned k = 0; k < NFLAG_INS; k++)
            one(c, vals[x], vals[y], 0, flag_ins[k]);
      break;
    case K_A:
      for (unsigned x = 0; x < NVALS; x++)
        one(c, vals[x], 0, 0, 0x90000000);
      for (unsigned x = 0; x < NMORE; x++)
        one(c, more_a[x], 0, 0, 0x90000000);
      break;
    case K_AN:
      for (unsigned x = 0; x < NVALS; x++)
        for (unsigned y = 0; y < NCOUNTS; y++)
          one(c, vals[x], counts[y], 0, 0x90000000);
      break;
    case K_ABC:
      for (unsigned x = 0; x < NVALS; x++)
        for (unsigned y = 0; y < NVALS; y++)
          for (unsigned k = 0; k < 3; k++)
            one(c, vals[x], vals[y], cvals[k], 0x90000000);
      break;
    case K_NZCV:
      for (unsigned p = 0; p < 3; p++)
        for (u64 f = 0; f < 16; f++)
          one(c, pairs[p][0], pairs[p][1], 0, f << 28);
      break;
    case K_AF:
      for (unsigned x = 0; x < NVALS; x++)
        for (u64 f = 0; f < 16; f += 5)
          one(c, vals[x], 0, 0, f << 28);
      for (unsigned x = 0; x < NMORE; x++)
        one(c, more_a[x], 0, 0, 0xf0000000);
      break;
    }
  }
  return 0;
}
