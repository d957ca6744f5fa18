/* Every MMX instruction through inline asm, and the MMX forms of SSE, SSE2 and
 * SSSE3: lane arithmetic on edge values in register and memory forms, shifts by
 * immediates, registers and memory, shuffles with several immediates, moves
 * between mm, GPRs, xmm and memory, maskmovq, the mm<->xmm conversions in every
 * MXCSR rounding mode, and the x87 meeting MMX state (fld/fst/fadd/fxsave after
 * MMX writes without emms, x87 pushes before MMX, emms). Results are hashed
 * per family, so a difference names its family. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t next(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}

/* Lanes of one random width (8..64 bits), each an edge value or random. */
static uint64_t val(void) {
  unsigned bits = 8u << (next() % 4);
  uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, top = 1ull << (bits - 1), v = 0;
  for (unsigned i = 0; i < 64; i += bits) {
    uint64_t x;
    switch (next() % 9) {
    case 0: x = 0; break;
    case 1: x = 1; break;
    case 2: x = m; break;
    case 3: x = top - 1; break;
    case 4: x = top; break;
    case 5: x = top + 1; break;
    case 6: x = next() % 70; break;
    default: x = next() & m;
    }
    v |= (x & m) << i;
  }
  return v;
}

static uint64_t h;
static void mix(uint64_t x) {
  h = (h ^ x) * 0x100000001b3ull;
  h ^= h >> 29;
}
static void report(const char *family) {
  printf("%-10s %016" PRIx64 "\n", family, h);
  h = 0;
}

/* -- dst = op(dst, src): register and memory forms --------------------------- */

#define BIN_OPS(X)                                                                     \
  X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq) X(paddsb)    \
  X(paddsw) X(paddusb) X(paddusw) X(psubsb) X(psubsw) X(psubusb) X(psubusw) X(pmullw)  \
  X(pmulhw) X(pmulhuw) X(pmuludq) X(pmaddwd) X(pand) X(pandn) X(por) X(pxor)           \
  X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(punpcklbw)       \
  X(punpcklwd) X(punpckldq) X(punpckhbw) X(punpckhwd) X(punpckhdq) X(packsswb)         \
  X(packssdw) X(packuswb) X(pavgb) X(pavgw) X(pminub) X(pmaxub) X(pminsw) X(pmaxsw)    \
  X(psadbw) X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad)    \
  X(pshufb) X(phaddw) X(phaddd) X(phaddsw) X(phsubw) X(phsubd) X(phsubsw) X(psignb)    \
  X(psignw) X(psignd) X(pabsb) X(pabsw) X(pabsd) X(pmulhrsw) X(pmaddubsw)

#define DEF_BIN(op)                                                                    \
  static uint64_t reg_##op(uint64_t a, uint64_t b) {                                   \
    uint64_t r;                                                                        \
    __asm__ volatile("movq %1, %%mm0\n\tmovq %2, %%mm5\n\t" #op " %%mm5, %%mm0\n\t"     \
                     "movq %%mm0, %0"                                                  \
                     : "=m"(r) : "m"(a), "m"(b) : "mm0", "mm5");                       \
    return r;                                                                          \
  }                                                                                    \
  static uint64_t mem_##op(uint64_t a, uint64_t b) {                                   \
    uint64_t r;                                                                        \
    __asm__ volatile("movq %1, %%mm3\n\t" #op " %2, %%mm3\n\tmovq %%mm3, %0"           \
                     : "=m"(r) : "m"(a), "m"(b) : "mm3");                              \
    return r;                                                                          \
  }
BIN_OPS(DEF_BIN)

typedef uint64_t (*BinFn)(uint64_t, uint64_t);
#define BIN_ROW(op) {#op, reg_##op, mem_##op},
static const struct {
  const char *name;
  BinFn reg, mem;
} bins[] = {BIN_OPS(BIN_ROW)};

static void lanes(void) {
  for (size_t k = 0; k < sizeof bins / sizeof bins[0]; k++) {
    for (int i = 0; i < 300; i++) {
      uint64_t a = val(), b = val();
      if (i % 3 == 0) /* shift counts around the lane widths */
        b = next() % 70;
      mix(bins[k].reg(a, b));
      mix(bins[k].mem(a, b));
    }
    __asm__ volatile("emms");
    report(bins[k].name);
  }
}

/* -- Immediate forms -------------------------------------------------------- */

#define IMM_SHIFT(op, n)                                                               \
  do {                                                                                 \
    uint64_t r;                                                                        \
    __asm__ volatile("movq %1, %%mm2\n\t" #op " $" #n ", %%mm2\n\tmovq %%mm2, %0"      \
                     : "=m"(r) : "m"(a) : "mm2");                                      \
    mix(r);                                                                            \
  } while (0)
#define IMM_SHIFTS(op)                                                                 \
  IMM_SHIFT(op, 0); IMM_SHIFT(op, 1); IMM_SHIFT(op, 7); IMM_SHIFT(op, 15);             \
  IMM_SHIFT(op, 16); IMM_SHIFT(op, 31); IMM_SHIFT(op, 32); IMM_SHIFT(op, 63);          \
  IMM_SHIFT(op, 64); IMM_SHIFT(op, 255)

#define IMM3(op, n)                                                                    \
  do {                                                                                 \
    uint64_t r1, r2;                                                                   \
    __asm__ volatile("movq %2, %%mm1\n\tmovq %3, %%mm6\n\t" #op " $" #n ", %%mm6, %%mm1\n\t" \
                     "movq %%mm1, %0\n\tmovq %2, %%mm1\n\t" #op " $" #n ", %3, %%mm1\n\t" \
                     "movq %%mm1, %1"                                                  \
                     : "=m"(r1), "=m"(r2) : "m"(a), "m"(b) : "mm1", "mm6");            \
    mix(r1), mix(r2);                                                                  \
  } while (0)

static void immediates(void) {
  for (int i = 0; i < 500; i++) {
    uint64_t a = val();
    IMM_SHIFTS(psllw); IMM_SHIFTS(pslld); IMM_SHIFTS(psllq);
    IMM_SHIFTS(psrlw); IMM_SHIFTS(psrld); IMM_SHIFTS(psrlq);
    IMM_SHIFTS(psraw); IMM_SHIFTS(psrad);
  }
  __asm__ volatile("emms");
  report("shift imm");
  for (int i = 0; i < 500; i++) {
    uint64_t a = val(), b = val();
    IMM3(pshufw, 0); IMM3(pshufw, 0x1b); IMM3(pshufw, 0xe4); IMM3(pshufw, 0x55);
    IMM3(palignr, 0); IMM3(palignr, 3); IMM3(palignr, 8); IMM3(palignr, 9);
    IMM3(palignr, 15); IMM3(palignr, 16); IMM3(palignr, 200);
  }
  __asm__ volatile("emms");
  report("shuffle");
}

/* -- Moves, inserts, extracts, masks --------------------------------------- */

static uint8_t buf[64] __attribute__((aligned(16)));

static void moves(void) {
  for (int i = 0; i < 1000; i++) {
    uint64_t a = val(), b = val(), r, q;
    uint32_t d = (uint32_t)val(), e;
    __asm__ volatile("movd %2, %%mm1\n\tmovd %%mm1, %1\n\tmovq %%mm1, %0"
                     : "=m"(r), "=r"(e) : "r"(d) : "mm1");
    mix(r), mix(e);
    __asm__ volatile("movd %2, %%mm4\n\tmovd %%mm4, %1\n\tmovq %%mm4, %0"
                     : "=m"(r), "=m"(e) : "m"(d) : "mm4");
    mix(r), mix(e);
    __asm__ volatile("movq %2, %%mm7\n\tmovq %%mm7, %%mm2\n\tmovq %%mm2, %1\n\tmovq %%mm2, %0"
                     : "=m"(r), "=r"(q) : "r"(a) : "mm2", "mm7");
    mix(r), mix(q);
    __asm__ volatile("movq %1, %%mm0\n\tmovntq %%mm0, %0\n\tsfence" : "=m"(r) : "m"(a) : "mm0");
    mix(r);
    uint64_t x[2];
    __asm__ volatile("movq %2, %%mm1\n\tmovq %3, %%xmm1\n\tmovq2dq %%mm1, %%xmm1\n\t"
                     "movdqu %%xmm1, %0\n\tpcmpeqb %%xmm2, %%xmm2\n\tmovdq2q %%xmm2, %%mm3\n\t"
                     "movq %%mm3, %1"
                     : "=m"(x), "=m"(r) : "m"(a), "m"(b) : "mm1", "mm3", "xmm1", "xmm2");
    mix(x[0]), mix(x[1]), mix(r);
    uint32_t w0, w1, w3, mask;
    uint16_t m16 = (uint16_t)b;
    __asm__ volatile("movq %4, %%mm5\n\tpextrw $0, %%mm5, %0\n\tpextrw $1, %%mm5, %1\n\t"
                     "pextrw $7, %%mm5, %2\n\tpmovmskb %%mm5, %3"
                     : "=r"(w0), "=r"(w1), "=r"(w3), "=r"(mask) : "m"(a) : "mm5");
    mix(w0), mix(w1), mix(w3), mix(mask);
    __asm__ volatile("movq %1, %%mm6\n\tpinsrw $2, %2, %%mm6\n\tpinsrw $5, %3, %%mm6\n\t"
                     "movq %%mm6, %0"
                     : "=m"(r) : "m"(a), "r"(d), "m"(m16) : "mm6");
    mix(r);
    /* maskmovq: the selected bytes of mm0 land at [rdi], the rest untouched. */
    memset(buf, 0xa5, sizeof buf);
    uint8_t *dst = buf + i % 40;
    __asm__ volatile("movq %1, %%mm0\n\tmovq %2, %%mm1\n\tmaskmovq %%mm1, %%mm0"
                     : "+D"(dst) : "m"(a), "m"(b) : "mm0", "mm1", "memory");
    for (size_t k = 0; k < sizeof buf; k += 8) {
      memcpy(&r, buf + k, 8);
      mix(r);
    }
  }
  __asm__ volatile("emms");
  report("moves");
}

/* -- Conversions in every rounding mode -------------------------------------- */

static const uint32_t f32s[] = {0x00000000, 0x80000000, 0x3fc00000, 0xbfc00000, 0x40200000,
                                0x4effffff, 0x4f000000, 0xcf000000, 0xcf000001, 0x7fc00000,
                                0x7f800000, 0xff800000, 0x00000001, 0x3f000000, 0xbf400000};
static const uint64_t f64s[] = {0, 0x8000000000000000ull, 0x3ff8000000000000ull,
                                0xc004000000000000ull, 0x41dfffffffc00000ull,
                                0x41dfffffffe00000ull, 0x41e0000000000000ull,
                                0xc1e0000000100000ull, 0xc1e0000000000000ull,
                                0x7ff8000000000000ull, 0xfff0000000000000ull,
                                0x3fe0000000000000ull, 0x000fffffffffffffull};
#define N32 (sizeof f32s / sizeof f32s[0])
#define N64 (sizeof f64s / sizeof f64s[0])

static void conversions(void) {
  uint32_t saved;
  __asm__ volatile("stmxcsr %0" : "=m"(saved));
  for (uint32_t rc = 0; rc < 4; rc++) {
    uint32_t mx = 0x1f80 | rc << 13;
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));
    for (unsigned i = 0; i < 200; i++) {
      uint32_t fa[4] = {f32s[i % N32], f32s[(i * 7 + 3) % N32], (uint32_t)next(), 1};
      uint64_t da[2] = {f64s[i % N64], f64s[(i * 5 + 1) % N64]};
      uint64_t ints = i % 2 ? val() : next(), r1, r2, r3, r4;
      uint64_t x1[2], x2[2], x3[2], x4[2];
      __asm__ volatile("movdqu %4, %%xmm3\n\tcvtps2pi %%xmm3, %%mm0\n\tcvttps2pi %%xmm3, %%mm1\n\t"
                       "cvtps2pi %4, %%mm2\n\tcvttps2pi %4, %%mm3\n\t"
                       "movq %%mm0, %0\n\tmovq %%mm1, %1\n\tmovq %%mm2, %2\n\tmovq %%mm3, %3"
                       : "=m"(r1), "=m"(r2), "=m"(r3), "=m"(r4)
                       : "m"(fa) : "mm0", "mm1", "mm2", "mm3", "xmm3");
      mix(r1), mix(r2), mix(r3), mix(r4);
      __asm__ volatile("movdqu %4, %%xmm4\n\tcvtpd2pi %%xmm4, %%mm0\n\tcvttpd2pi %%xmm4, %%mm1\n\t"
                       "cvtpd2pi %4, %%mm2\n\tcvttpd2pi %4, %%mm3\n\t"
                       "movq %%mm0, %0\n\tmovq %%mm1, %1\n\tmovq %%mm2, %2\n\tmovq %%mm3, %3"
                       : "=m"(r1), "=m"(r2), "=m"(r3), "=m"(r4)
                       : "m"(da) : "mm0", "mm1", "mm2", "mm3", "xmm4");
      mix(r1), mix(r2), mix(r3), mix(r4);
      __asm__ volatile("movdqu %4, %%xmm5\n\tmovdqu %4, %%xmm6\n\tmovq %5, %%mm7\n\t"
                       "cvtpi2ps %%mm7, %%xmm5\n\tcvtpi2ps %5, %%xmm6\n\t"
                       "cvtpi2pd %%mm7, %%xmm7\n\tcvtpi2pd %5, %%xmm8\n\t"
                       "movdqu %%xmm5, %0\n\tmovdqu %%xmm6, %1\n\tmovdqu %%xmm7, %2\n\t"
                       "movdqu %%xmm8, %3"
                       : "=m"(x1), "=m"(x2), "=m"(x3), "=m"(x4)
                       : "m"(fa), "m"(ints) : "mm7", "xmm5", "xmm6", "xmm7", "xmm8");
      mix(x1[0]), mix(x1[1]), mix(x2[0]), mix(x2[1]), mix(x3[0]), mix(x3[1]);
      mix(x4[0]), mix(x4[1]);
    }
  }
  __asm__ volatile("ldmxcsr %0\n\temms" : : "m"(saved));
  report("cvt");
}

/* -- The x87 meeting MMX state ----------------------------------------------- */

typedef struct {
  uint8_t b[512];
} __attribute__((aligned(16))) FxImage;

/* What fxsave says of the x87: FCW, FSW, abridged FTW and the registers. */
static void mix_fx(const FxImage *fx) {
  uint64_t v;
  memcpy(&v, fx->b, 5);
  mix(v & 0xffffffffffull);
  for (int i = 0; i < 8; i++) {
    memcpy(&v, fx->b + 32 + 16 * i, 8);
    mix(v);
    memcpy(&v, fx->b + 40 + 16 * i, 2);
    mix(v & 0xffff);
  }
}

static void x87_meets_mmx(void) {
  static const uint64_t mants[] = {0, 0x8000000000000000ull, 0xc000000000000000ull,
                                   0x4000000000000000ull, 0xffffffffffffffffull, 1};
  for (size_t i = 0; i < sizeof mants / sizeof mants[0]; i++) {
    uint64_t m = mants[i], other = mants[(i + 2) % 6];
    FxImage fx;
    uint16_t sw;
    uint8_t t[10];
    double d;
    long long q;
    /* An MMX write, then a push: every register is valid, so it overflows. */
    __asm__ volatile("fninit\n\tmovq %3, %%mm0\n\tfld %%st(0)\n\tfnstsw %0\n\tfstpt %1\n\t"
                     "fxsave %2\n\tfninit"
                     : "=m"(sw), "=m"(t), "=m"(fx) : "m"(m) : "mm0", "st");
    mix(sw), mix_fx(&fx);
    memcpy(&q, t, 8), mix((uint64_t)q);
    /* The MMX register read as st(0): a NaN, pseudo-NaN or infinity. */
    __asm__ volatile("fninit\n\tmovq %4, %%mm0\n\tmovq %5, %%mm1\n\tfstl %1\n\tfistpll %2\n\t"
                     "fnstsw %0\n\tfxsave %3\n\tfninit"
                     : "=m"(sw), "=m"(d), "=m"(q), "=m"(fx) : "m"(m), "m"(other)
                     : "mm0", "mm1", "st");
    mix(sw), mix(q), mix_fx(&fx);
    memcpy(&q, &d, 8), mix((uint64_t)q);
    __asm__ volatile("fninit\n\tmovq %3, %%mm0\n\tmovq %4, %%mm1\n\tfadd %%st(1), %%st\n\t"
                     "fnstsw %0\n\tfstpt %1\n\tfxsave %2\n\tfninit"
                     : "=m"(sw), "=m"(t), "=m"(fx) : "m"(m), "m"(other) : "mm0", "mm1", "st");
    mix(sw), mix_fx(&fx);
    memcpy(&q, t, 8), mix((uint64_t)q);
    /* x87 pushes, then MMX: TOP 0, all valid, the pushed values' registers kept. */
    __asm__ volatile("fninit\n\tfld1\n\tfldpi\n\tmovq %2, %%mm2\n\tpaddw %%mm2, %%mm2\n\t"
                     "fnstsw %0\n\tfxsave %1\n\tfninit"
                     : "=m"(sw), "=m"(fx) : "m"(m) : "mm2", "st");
    mix(sw), mix_fx(&fx);
    /* emms: all empty, and x87 code works again. */
    __asm__ volatile("fninit\n\tfld1\n\tmovq %2, %%mm3\n\temms\n\tfldpi\n\tfstpl %1\n\t"
                     "fnstsw %0\n\tfninit"
                     : "=m"(sw), "=m"(d) : "m"(m) : "mm3", "st");
    mix(sw);
    memcpy(&q, &d, 8), mix((uint64_t)q);
  }
  report("x87+mmx");
}

int main(void) {
  lanes();
  immediates();
  moves();
  conversions();
  x87_meets_mmx();
  /* Ordinary floating point after emms. */
  volatile double x = 1.0;
  for (int i = 0; i < 10; i++)
    x = x * 1.5 + 0.25;
  printf("fp after emms: %.6f\n", x);
  return 0;
}
