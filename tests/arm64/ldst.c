/* ldst.c — loads and stores against qemu-aarch64: every addressing mode
 * (unsigned offset, unscaled, pre/post-index, register offset with each
 * extend, literal, unprivileged), every size and sign extension, pairs
 * (ldp stp ldpsw ldnp stnp), SIMD&FP registers b h s d q in the same modes,
 * prfm, ldapur/stlur, and the writeback cases with rn == rt that the
 * architecture leaves constrained unpredictable (qemu's choices). */
#include "a64test.h"

static unsigned char buf[1024] __attribute__((aligned(16)));
static unsigned char vout[32] __attribute__((aligned(16)));
/* v0 and v1 before a case: what SIMD&FP stores store, what loads overwrite. */
static const unsigned char vsrc[32] __attribute__((aligned(16))) = {
    0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70,
    0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0xf0};

static void fill(void) {
  for (unsigned i = 0; i < sizeof buf; i++)
    buf[i] = (unsigned char)(i * 0x9d + 0x35);
}

/* A case gets the base address (in/out, for writeback) and an index, and
 * returns a loaded value (GPR loads) or 0; SIMD&FP loads store v0 and v1
 * whole to vout, so the zeroed upper bits show. v0 and v1 are set with ldr q
 * and read with str q (this file's own instructions, no SIMD arithmetic). */
typedef u64 (*Fn)(u64 *base, u64 idx);

#define LD(name, text)                                                                     \
  static u64 name(u64 *base, u64 idx) {                                                    \
    u64 d;                                                                                 \
    __asm__ volatile(text : [d] "=&r"(d), [a] "+r"(*base) : [b] "r"(idx) : "memory", "x1", "x2"); \
    return d;                                                                              \
  }
/* Stores store idx (or, for SIMD&FP, vsrc loaded into v0 first). */
#define ST(name, text)                                                                     \
  static u64 name(u64 *base, u64 idx) {                                                    \
    __asm__ volatile(text : [a] "+r"(*base) : [b] "r"(idx), [s] "r"(vsrc) : "memory", "x1", "x2"); \
    return 0;                                                                              \
  }
#define VLD(name, text)                                                                    \
  static u64 name(u64 *base, u64 idx) {                                                    \
    __asm__ volatile("ldp q1, q0, [%[s]]\n\t" text "\n\tstp q0, q1, [%[o]]"                \
                     : [a] "+r"(*base)                                                     \
                     : [b] "r"(idx), [o] "r"(vout), [s] "r"(vsrc)                          \
                     : "memory", "x1", "x2");                                              \
    return 0;                                                                              \
  }
#define VST(name, text)                                                                    \
  static u64 name(u64 *base, u64 idx) {                                                    \
    __asm__ volatile("ldp q0, q1, [%[s]]\n\t" text                                        \
                     : [a] "+r"(*base)                                                     \
                     : [b] "r"(idx), [s] "r"(vsrc)                                         \
                     : "memory", "x1", "x2");                                              \
    return 0;                                                                              \
  }

/* Index kinds: which idx values a case runs with (all keep the access in buf). */
enum { I_NONE, I_X, I_UXTW, I_SXTW };

#define GLD_CASES(_)                                                                       \
  _(ldrb_u, I_NONE, "ldrb %w[d], [%[a], #7]")                                              \
  _(ldrsb_w_u, I_NONE, "ldrsb %w[d], [%[a], #4095]")                                       \
  _(ldrsb_x_u, I_NONE, "ldrsb %[d], [%[a]]")                                               \
  _(ldrh_u, I_NONE, "ldrh %w[d], [%[a], #2]")                                              \
  _(ldrsh_w_u, I_NONE, "ldrsh %w[d], [%[a], #8190]")                                       \
  _(ldrsh_x_u, I_NONE, "ldrsh %[d], [%[a], #6]")                                           \
  _(ldr_w_u, I_NONE, "ldr %w[d], [%[a], #16380]")                                          \
  _(ldrsw_u, I_NONE, "ldrsw %[d], [%[a], #4]")                                             \
  _(ldr_x_u, I_NONE, "ldr %[d], [%[a], #32760]")                                           \
  _(ldurb, I_NONE, "ldurb %w[d], [%[a], #-256]")                                           \
  _(ldursb_w, I_NONE, "ldursb %w[d], [%[a], #255]")                                        \
  _(ldursb_x, I_NONE, "ldursb %[d], [%[a], #-1]")                                          \
  _(ldurh, I_NONE, "ldurh %w[d], [%[a], #1]")                                              \
  _(ldursh_w, I_NONE, "ldursh %w[d], [%[a], #-3]")                                         \
  _(ldursh_x, I_NONE, "ldursh %[d], [%[a], #5]")                                           \
  _(ldur_w, I_NONE, "ldur %w[d], [%[a], #-7]")                                             \
  _(ldursw, I_NONE, "ldursw %[d], [%[a], #9]")                                             \
  _(ldur_x, I_NONE, "ldur %[d], [%[a], #-129]")                                            \
  _(ldtr_x, I_NONE, "ldtr %[d], [%[a], #-8]")                                              \
  _(ldtrsb_w, I_NONE, "ldtrsb %w[d], [%[a], #3]")                                          \
  _(ldtrsh_x, I_NONE, "ldtrsh %[d], [%[a], #-2]")                                          \
  _(ldtrsw, I_NONE, "ldtrsw %[d], [%[a], #255]")                                           \
  _(ldrb_pre, I_NONE, "ldrb %w[d], [%[a], #-256]!")                                        \
  _(ldrsb_x_post, I_NONE, "ldrsb %[d], [%[a]], #255")                                      \
  _(ldrh_post, I_NONE, "ldrh %w[d], [%[a]], #-2")                                          \
  _(ldrsh_w_pre, I_NONE, "ldrsh %w[d], [%[a], #3]!")                                       \
  _(ldr_w_pre, I_NONE, "ldr %w[d], [%[a], #-4]!")                                          \
  _(ldrsw_post, I_NONE, "ldrsw %[d], [%[a]], #12")                                         \
  _(ldr_x_pre, I_NONE, "ldr %[d], [%[a], #16]!")                                           \
  _(ldr_x_post, I_NONE, "ldr %[d], [%[a]], #-16")                                          \
  _(ldrb_r, I_X, "ldrb %w[d], [%[a], %[b]]")                                               \
  _(ldrb_r_lsl0, I_X, "ldrb %w[d], [%[a], %[b], lsl #0]")                                  \
  _(ldrsb_r_uxtw, I_UXTW, "ldrsb %[d], [%[a], %w[b], uxtw]")                               \
  _(ldrsb_r_sxtw, I_SXTW, "ldrsb %w[d], [%[a], %w[b], sxtw #0]")                           \
  _(ldrh_r_lsl, I_X, "ldrh %w[d], [%[a], %[b], lsl #1]")                                   \
  _(ldrsh_r_sxtw, I_SXTW, "ldrsh %[d], [%[a], %w[b], sxtw #1]")                            \
  _(ldrsh_r_sxtx, I_X, "ldrsh %w[d], [%[a], %[b], sxtx]")                                  \
  _(ldr_w_r_uxtw, I_UXTW, "ldr %w[d], [%[a], %w[b], uxtw #2]")                             \
  _(ldrsw_r_sxtx, I_X, "ldrsw %[d], [%[a], %[b], sxtx #2]")                                \
  _(ldr_x_r_lsl, I_X, "ldr %[d], [%[a], %[b], lsl #3]")                                    \
  _(ldr_x_r_sxtw, I_SXTW, "ldr %[d], [%[a], %w[b], sxtw]")                                 \
  _(ldr_x_r_uxtw3, I_UXTW, "ldr %[d], [%[a], %w[b], uxtw #3]")                             \
  _(ldr_w_lit, I_NONE, "ldr %w[d], 1f\n\tb 2f\n1:\t.word 0x89abcdef\n2:")                  \
  _(ldr_x_lit, I_NONE, "ldr %[d], 1f\n\tb 2f\n\t.p2align 3\n1:\t.quad 0x8123456789abcdef\n2:") \
  _(ldrsw_lit, I_NONE, "ldrsw %[d], 1f\n\tb 2f\n1:\t.word 0x89abcdef\n2:")                 \
  _(ldrsw_lit_back, I_NONE, "b 2f\n1:\t.word 0x7bcdef01\n2:\tldrsw %[d], 1b")              \
  _(ldapurb, I_NONE, "ldapurb %w[d], [%[a], #-5]")                                         \
  /* ldapur stlur must be aligned (qemu): x1 is the base rounded down */                   \
  _(ldapursh_x, I_NONE, "and x1, %[a], #-8\n\tldapursh %[d], [x1, #-2]")                   \
  _(ldapursw, I_NONE, "and x1, %[a], #-8\n\tldapursw %[d], [x1, #4]")                      \
  _(ldapur_x, I_NONE, "and x1, %[a], #-8\n\tldapur %[d], [x1, #-256]")                     \
  _(prfm_u, I_NONE, "prfm pldl1keep, [%[a], #8]\n\tmov %[d], #1")                          \
  _(prfm_r, I_X, "prfm pstl2strm, [%[a], %[b], lsl #3]\n\tmov %[d], #2")                   \
  _(prfum, I_NONE, "prfum pldl3keep, [%[a], #-3]\n\tmov %[d], #3")                         \
  _(prfm_lit, I_NONE, "prfm plil1keep, .\n\tmov %[d], #4")                                 \
  _(ldp_x, I_NONE, "ldp %[d], x1, [%[a], #-512]\n\teor %[d], %[d], x1, ror #7")            \
  _(ldp_x_pre, I_NONE, "ldp x1, %[d], [%[a], #496]!\n\teor %[d], %[d], x1, ror #7")        \
  _(ldp_x_post, I_NONE, "ldp x1, %[d], [%[a]], #-8\n\teor %[d], %[d], x1, ror #7")         \
  _(ldp_w, I_NONE, "ldp %w[d], w1, [%[a], #-256]\n\teor %[d], %[d], x1, lsl #32")          \
  _(ldp_w_pre, I_NONE, "ldp %w[d], w1, [%[a], #252]!\n\teor %[d], %[d], x1, lsl #32")      \
  _(ldp_w_post, I_NONE, "ldp %w[d], w1, [%[a]], #4\n\teor %[d], %[d], x1, lsl #32")        \
  _(ldpsw, I_NONE, "ldpsw %[d], x1, [%[a], #8]\n\teor %[d], %[d], x1, ror #32")            \
  _(ldpsw_pre, I_NONE, "ldpsw x1, %[d], [%[a], #-8]!\n\teor %[d], %[d], x1, ror #32")      \
  _(ldpsw_post, I_NONE, "ldpsw x1, %[d], [%[a]], #16\n\teor %[d], %[d], x1, ror #32")      \
  _(ldnp_x, I_NONE, "ldnp %[d], x1, [%[a], #-16]\n\teor %[d], %[d], x1, ror #9")           \
  _(ldnp_w, I_NONE, "ldnp %w[d], w1, [%[a], #12]\n\teor %[d], %[d], x1, lsl #32")          \
  /* rn == rt with writeback, rt == rt2: constrained unpredictable, as qemu */             \
  _(wb_ldr_post_rt_rn, I_NONE, "mov x1, %[a]\n\t.inst 0xf8408421\n\tmov %[d], x1")         \
  _(wb_ldr_pre_rt_rn, I_NONE, "mov x1, %[a]\n\t.inst 0xf8408c21\n\tmov %[d], x1")          \
  _(wb_ldp_same, I_NONE, "mov x2, %[a]\n\tmov x1, #0\n\t.inst 0xa9400441\n\tmov %[d], x1") \
  _(wb_ldp_post_rt_rn, I_NONE, "mov x1, %[a]\n\t.inst 0xa8c10821\n\tmov %[d], x1")         \
  _(wb_ldp_pre_rt2_rn, I_NONE, "mov x1, %[a]\n\t.inst 0xa9c10422\n\tmov %[d], x1")         \
  _(wb_ldpsw_same, I_NONE, "mov x2, %[a]\n\tmov x1, #0\n\t.inst 0x69400441\n\tmov %[d], x1")

#define GST_CASES(_)                                                                       \
  _(strb_u, I_X, "strb %w[b], [%[a], #4095]")                                              \
  _(strh_u, I_X, "strh %w[b], [%[a], #2]")                                                 \
  _(str_w_u, I_X, "str %w[b], [%[a], #16380]")                                             \
  _(str_x_u, I_X, "str %[b], [%[a], #32760]")                                              \
  _(sturb, I_X, "sturb %w[b], [%[a], #-1]")                                                \
  _(sturh, I_X, "sturh %w[b], [%[a], #3]")                                                 \
  _(stur_w, I_X, "stur %w[b], [%[a], #-255]")                                              \
  _(stur_x, I_X, "stur %[b], [%[a], #255]")                                                \
  _(sttrb, I_X, "sttrb %w[b], [%[a], #-9]")                                                \
  _(sttr_x, I_X, "sttr %[b], [%[a], #7]")                                                  \
  _(strb_pre, I_X, "strb %w[b], [%[a], #-1]!")                                             \
  _(strh_post, I_X, "strh %w[b], [%[a]], #-256")                                           \
  _(str_w_pre, I_X, "str %w[b], [%[a], #255]!")                                            \
  _(str_x_post, I_X, "str %[b], [%[a]], #8")                                               \
  _(strb_r, I_X, "mov x1, #3\n\tstrb %w[b], [%[a], x1]")                                   \
  _(strh_r_sxtw, I_X, "mov x1, #-5\n\tstrh %w[b], [%[a], w1, sxtw #1]")                    \
  _(str_w_r_uxtw, I_X, "mov x1, #3\n\tmovk x1, #1, lsl #32\n\tstr %w[b], [%[a], w1, uxtw #2]")           \
  _(str_x_r_lsl, I_X, "mov x1, #-2\n\tstr %[b], [%[a], x1, lsl #3]")                       \
  _(stlurb, I_X, "stlurb %w[b], [%[a], #-4]")                                              \
  _(stlur_x, I_X, "and x1, %[a], #-8\n\tstlur %[b], [x1, #8]")                                                \
  _(stp_x, I_X, "mvn x1, %[b]\n\tstp %[b], x1, [%[a], #-512]")                             \
  _(stp_x_pre, I_X, "mvn x1, %[b]\n\tstp x1, %[b], [%[a], #-16]!")                         \
  _(stp_x_post, I_X, "mvn x1, %[b]\n\tstp %[b], x1, [%[a]], #504")                         \
  _(stp_w, I_X, "mvn x1, %[b]\n\tstp %w[b], w1, [%[a], #252]")                             \
  _(stp_w_pre, I_X, "mvn x1, %[b]\n\tstp %w[b], w1, [%[a], #-256]!")                       \
  _(stp_w_post, I_X, "mvn x1, %[b]\n\tstp w1, %w[b], [%[a]], #-4")                         \
  _(stnp_x, I_X, "mvn x1, %[b]\n\tstnp x1, %[b], [%[a], #8]")                              \
  _(stnp_w, I_X, "mvn x1, %[b]\n\tstnp w1, %w[b], [%[a], #-4]")                            \
  _(wb_str_pre_rt_rn, I_X, "mov x1, %[a]\n\t.inst 0xf81f8c21\n\tmov %[a], x1")             \
  _(wb_str_post_rt_rn, I_X, "mov x1, %[a]\n\t.inst 0xf8008421\n\tmov %[a], x1")            \
  _(wb_stp_pre_rt_rn, I_X, "mov x1, %[a]\n\tmov x2, %[b]\n\t.inst 0xa9bf0821\n\tmov %[a], x1")

#define VLD_CASES(_)                                                                       \
  _(ldr_b_u, I_NONE, "ldr b0, [%[a], #4095]")                                              \
  _(ldr_h_u, I_NONE, "ldr h0, [%[a], #2]")                                                 \
  _(ldr_s_u, I_NONE, "ldr s0, [%[a], #16380]")                                             \
  _(ldr_d_u, I_NONE, "ldr d0, [%[a], #8]")                                                 \
  _(ldr_q_u, I_NONE, "ldr q0, [%[a], #65520]")                                             \
  _(ldur_b, I_NONE, "ldur b0, [%[a], #-1]")                                                \
  _(ldur_h, I_NONE, "ldur h0, [%[a], #-255]")                                              \
  _(ldur_s, I_NONE, "ldur s0, [%[a], #3]")                                                 \
  _(ldur_d, I_NONE, "ldur d0, [%[a], #-9]")                                                \
  _(ldur_q, I_NONE, "ldur q0, [%[a], #-256]")                                              \
  _(ldr_b_pre, I_NONE, "ldr b0, [%[a], #1]!")                                              \
  _(ldr_h_post, I_NONE, "ldr h0, [%[a]], #-2")                                             \
  _(ldr_s_pre, I_NONE, "ldr s0, [%[a], #-4]!")                                             \
  _(ldr_d_post, I_NONE, "ldr d0, [%[a]], #255")                                            \
  _(ldr_q_pre, I_NONE, "ldr q0, [%[a], #-256]!")                                           \
  _(ldr_q_post, I_NONE, "ldr q0, [%[a]], #16")                                             \
  _(ldr_b_r, I_X, "ldr b0, [%[a], %[b]]")                                                  \
  _(ldr_h_r, I_SXTW, "ldr h0, [%[a], %w[b], sxtw #1]")                                     \
  _(ldr_s_r, I_UXTW, "ldr s0, [%[a], %w[b], uxtw #2]")                                     \
  _(ldr_d_r, I_X, "ldr d0, [%[a], %[b], lsl #3]")                                          \
  _(ldr_q_r, I_X, "ldr q0, [%[a], %[b], lsl #4]")                                          \
  _(ldr_q_r_sxtx, I_X, "ldr q0, [%[a], %[b], sxtx]")                                       \
  _(ldr_s_lit, I_NONE, "ldr s0, 1f\n\tb 2f\n1:\t.word 0x89abcdef\n2:")                     \
  _(ldr_d_lit, I_NONE, "ldr d0, 1f\n\tb 2f\n\t.p2align 3\n1:\t.quad 0x8123456789abcdef\n2:") \
  _(ldr_q_lit, I_NONE,                                                                     \
    "ldr q0, 1f\n\tb 2f\n\t.p2align 4\n1:\t.quad 0x1122334455667788, 0x99aabbccddeeff00\n2:") \
  _(ldp_s, I_NONE, "ldp s1, s0, [%[a], #-256]")                                            \
  _(ldp_d_pre, I_NONE, "ldp d0, d1, [%[a], #-512]!")                                       \
  _(ldp_q_post, I_NONE, "ldp q1, q0, [%[a]], #-1024")                                      \
  _(ldp_q, I_NONE, "ldp q0, q1, [%[a], #464]")                                            \
  _(ldnp_d, I_NONE, "ldnp d1, d0, [%[a], #8]")                                             \
  _(ldnp_q, I_NONE, "ldnp q0, q1, [%[a], #-32]")                                           \
  _(wb_ldp_s_same, I_NONE, "mov x2, %[a]\n\t.inst 0x2d400040")

#define VST_CASES(_)                                                                       \
  _(str_b_u, I_NONE, "str b0, [%[a], #4095]")                                              \
  _(str_h_u, I_NONE, "str h0, [%[a], #6]")                                                 \
  _(str_s_u, I_NONE, "str s0, [%[a], #4]")                                                 \
  _(str_d_u, I_NONE, "str d0, [%[a], #32760]")                                             \
  _(str_q_u, I_NONE, "str q0, [%[a], #16]")                                                \
  _(stur_h, I_NONE, "stur h0, [%[a], #-1]")                                                \
  _(stur_q, I_NONE, "stur q0, [%[a], #-17]")                                               \
  _(str_s_pre, I_NONE, "str s0, [%[a], #-4]!")                                             \
  _(str_d_post, I_NONE, "str d0, [%[a]], #-255")                                           \
  _(str_q_pre, I_NONE, "str q0, [%[a], #32]!")                                             \
  _(str_b_r, I_X, "str b0, [%[a], %[b], lsl #0]")                                          \
  _(str_q_r, I_X, "str q0, [%[a], %[b], lsl #4]")                                          \
  _(str_d_r, I_SXTW, "str d0, [%[a], %w[b], sxtw #3]")                                     \
  _(stp_s, I_NONE, "stp s0, s1, [%[a], #-4]")                                              \
  _(stp_d_pre, I_NONE, "stp d1, d0, [%[a], #-16]!")                                        \
  _(stp_q_post, I_NONE, "stp q0, q1, [%[a]], #-32")                                        \
  _(stp_q, I_NONE, "stp q1, q0, [%[a], #-512]")                                           \
  _(stnp_q, I_NONE, "stnp q0, q1, [%[a], #16]")                                            \
  _(stnp_s, I_NONE, "stnp s1, s0, [%[a], #-256]")

#define DEF_GLD(name, ik, text) LD(name, text)
#define DEF_GST(name, ik, text) ST(name, text)
#define DEF_VLD(name, ik, text) VLD(name, text)
#define DEF_VST(name, ik, text) VST(name, text)
GLD_CASES(DEF_GLD)
GST_CASES(DEF_GST)
VLD_CASES(DEF_VLD)
VST_CASES(DEF_VST)

enum { C_GLD, C_GST, C_VLD, C_VST };
typedef struct Case {
  const char *name;
  Fn fn;
  int idx, what;
} Case;

#define ENT_GLD(name, ik, text) {#name, name, ik, C_GLD},
#define ENT_GST(name, ik, text) {#name, name, ik, C_GST},
#define ENT_VLD(name, ik, text) {#name, name, ik, C_VLD},
#define ENT_VST(name, ik, text) {#name, name, ik, C_VST},
static const Case cases[] = {GLD_CASES(ENT_GLD) GST_CASES(ENT_GST) VLD_CASES(ENT_VLD)
                                 VST_CASES(ENT_VST)};

/* Index values by kind; a base of buf + 512 (+ misalignment) keeps every
 * access inside buf. */
static const u64 idx_none[] = {0};
static const u64 idx_x[] = {0, 1, 5, (u64)-3, 0x8000000000000007};
static const u64 idx_uxtw[] = {0, 3, 0x100000002, 0xffffffff00000001};
static const u64 idx_sxtw[] = {0, 3, 0xfffffffd, 0x7ffffffffffffff8};

/* The scaled offsets above reach far: such a case's base is moved back by
 * its offset, which the case name does not say; "far" cases list it here. */
static u64 base_bias(const char *name) {
  static const struct {
    const char *name;
    u64 bias;
  } far[] = {
      {"ldrsb_w_u", 4095}, {"ldrsh_w_u", 8190}, {"ldr_w_u", 16380},  {"ldr_x_u", 32760},
      {"strb_u", 4095},    {"str_w_u", 16380},  {"str_x_u", 32760},  {"ldr_b_u", 4095},
      {"ldr_s_u", 16380},  {"ldr_q_u", 65520},  {"str_b_u", 4095},   {"str_d_u", 32760},
  };
  for (unsigned i = 0; i < sizeof far / sizeof far[0]; i++) {
    const char *a = far[i].name, *b = name;
    while (*a && *a == *b)
      a++, b++;
    if (!*a && !*b)
      return far[i].bias;
  }
  return 0;
}

static void dump_buf(void) {
  const u64 *w = (const u64 *)buf;
  u64 h = 0xcbf29ce484222325;
  for (unsigned i = 0; i < sizeof buf / 8; i++)
    h = (h ^ w[i]) * 0x100000001b3;
  out_kv("mem", h);
}

static int test_main(void) {
  static const unsigned mis[] = {0, 1, 6, 8};
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const Case *c = &cases[i];
    const u64 *ix = c->idx == I_X      ? idx_x
                    : c->idx == I_UXTW ? idx_uxtw
                    : c->idx == I_SXTW ? idx_sxtw
                                       : idx_none;
    unsigned nix = c->idx == I_X ? 5 : c->idx == I_NONE ? 1 : 4;
    for (unsigned m = 0; m < sizeof mis / sizeof mis[0]; m++)
      for (unsigned k = 0; k < nix; k++) {
        fill();
        u64 start = (u64)buf + 512 + mis[m] - base_bias(c->name), base = start;
        u64 d = c->fn(&base, ix[k]);
        out_s(c->name);
        out_kv("mis", mis[m]);
        out_kv("idx", ix[k]);
        out_s(" ->");
        if (c->what == C_GLD)
          out_kv("d", d - (d - (u64)buf < sizeof buf ? (u64)buf : 0)); /* addresses as offsets */
        out_kv("wb", base - start);
        if (c->what == C_VLD) {
          for (unsigned w = 0; w < 4; w++)
            out_kv("v", ((const u64 *)vout)[w]);
        }
        if (c->what == C_GST || c->what == C_VST || c->what == C_VLD)
          dump_buf();
        out_nl();
      }
  }
  return 0;
}
