/* test_fp_cases.c — structured floating-point cases against the host CPU, the
 * ones random generation (dt_gen_fp.c) rarely or never builds: every MXCSR and
 * FCW rounding mode and x87 precision over values that round differently, NaN
 * and signed-zero operand orders for min/max/cmp/comis, x87 exception paths
 * (#MF before a page fault, no #MF for fn* instructions, stores an unmasked
 * exception suppresses, fldcw unmasking a pending flag) and fxsave/fxrstor
 * round trips. Each case is compared whole with dt_compare, like difftest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dt_test.h"


/* -- Building cases ----------------------------------------------------------- */

#define RDI_DATA (DT_SCRATCH_BASE + 0x100) /* rdi: memory operands point here */
#define MAX_CASES 1024

static DtCase cases[MAX_CASES];
static DtOutcome nat[MAX_CASES];
static unsigned ncases;

static void put_f64(uint8_t x[16], unsigned lane, double d) { memcpy(x + 8 * lane, &d, 8); }
static void put_f32(uint8_t x[16], unsigned lane, float f) { memcpy(x + 4 * lane, &f, 4); }
static double f64_bits(uint64_t b) {
  double d;
  memcpy(&d, &b, 8);
  return d;
}
static float f32_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}

/* A new case: code bytes, and a quiet default state (round to nearest, all
 * exceptions masked, empty x87 stack, rdi at RDI_DATA). */
static DtCase *new_case(const char *hex) {
  assert_true(ncases < MAX_CASES);
  DtCase *c = &cases[ncases++];
  memset(c, 0, sizeof *c);
  for (const char *p = hex; *p;) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    c->bytes[c->len++] = (uint8_t)strtoul(p, NULL, 16);
    p += 2;
  }
  c->in.gpr[4] = DT_STACK_MID;
  c->in.gpr[7] = RDI_DATA;
  c->in.mxcsr = 0x1f80;
  c->in.fcw = 0x37f;
  c->in.ftag = 0xff;
  for (unsigned i = 0; i < DT_SCRATCH_SIZE; i++)
    c->mem[i] = (uint8_t)(i * 7);
  return c;
}

static void run_all(unsigned min_faults);

/* Finishes a case; a full batch is run at once. */
static void done(DtCase *c) {
  assert_true(dt_decode_case(c));
  snprintf(c->desc, sizeof c->desc, "case %u", (unsigned)(c - cases));
  if (ncases == MAX_CASES)
    run_all(0);
}

/* Runs everything built so far natively and through every executor. */
static void run_all(unsigned min_faults) {
  dt_runner_run(runner, cases, nat, ncases);
  unsigned bad = 0, faults = 0, printed = 0;
  for (unsigned i = 0; i < ncases; i++) {
    faults += nat[i].signo != 0;
    assert_int_not_equal(nat[i].signo, DT_SIG_HARNESS);
    bad += dt_test_executors(&cases[i], &nat[i], i, &printed, 5);
  }
  ncases = 0;
  assert_int_equal(bad, 0);
  assert_true(faults >= min_faults);
}

/* -- Values ------------------------------------------------------------------- */

/* Doubles where the rounding direction shows: halves, ties to even and odd,
 * the int32 limits, NaNs, infinities, zeros, denormals, 2^53 + 1 neighbours. */
static const uint64_t f64_edges[] = {
    0x4004000000000000ull, 0xc004000000000000ull, /* +-2.5 */
    0x3fe0000000000000ull, 0xbfe0000000000000ull, /* +-0.5 */
    0x3ff8000000000000ull, 0xbff8000000000000ull, /* +-1.5 */
    0x41dfffffffe00000ull, 0xc1e0000000100000ull, /* 2^31-0.5, -2^31-0.5 */
    0x41dfffffffc00000ull, 0x41e0000000000000ull, /* 2^31-1, 2^31 */
    0x7ff8000000000001ull, 0xfff4000000000000ull, /* QNaN, SNaN */
    0x7ff0000000000000ull, 0xfff0000000000000ull, /* +-inf */
    0x0000000000000000ull, 0x8000000000000000ull, /* +-0 */
    0x000fffffffffffffull, 0x8000000000000001ull, /* denormals */
    0x3fd5555555555555ull, 0x4340000000000001ull, /* 1/3, 2^54+2 */
    0x3ff0000000000001ull, 0x47efffffe0000000ull, /* 1+ulp, just above FLT_MAX */
};
#define NEDGES (sizeof f64_edges / sizeof f64_edges[0])

/* -- SSE rounding ----------------------------------------------------------- */

/* Every MXCSR rounding mode over every edge value: conversions to int (both
 * widths, rounding and truncating), to float, round*, and arithmetic. */
static void test_sse_rounding(void **state) {
  (void)state;
  static const char *const code[] = {
      "f2 0f 2d c0",       /* cvtsd2si eax, xmm0 */
      "f2 48 0f 2d c0",    /* cvtsd2si rax, xmm0 */
      "f2 0f 2c c0",       /* cvttsd2si eax, xmm0 */
      "f3 0f 2d c3",       /* cvtss2si eax, xmm3 */
      "f2 0f 5a d0",       /* cvtsd2ss xmm2, xmm0 */
      "66 0f 3a 0b c8 04", /* roundsd xmm1, xmm0, 4 (MXCSR) */
      "66 0f 3a 0b c8 01", /* roundsd xmm1, xmm0, 1 (down) */
      "66 0f 3a 0a cb 0b", /* roundss xmm1, xmm3, 0xb (trunc, no PE) */
      "f2 0f 58 c1",       /* addsd xmm0, xmm1 */
      "f2 0f 5e c1",       /* divsd xmm0, xmm1 */
      "f2 0f 51 c0",       /* sqrtsd xmm0, xmm0 */
      "66 0f 5b c0",       /* cvtps2dq xmm0, xmm0 */
      "66 0f e6 c0",       /* cvttpd2dq xmm0, xmm0 */
      "f2 0f e6 c0",       /* cvtpd2dq xmm0, xmm0 */
      "66 0f 5a c0",       /* cvtpd2ps xmm0, xmm0 */
      "f3 48 0f 2a d8",    /* cvtsi2ss xmm3, rax */
      "f2 48 0f 2a e0",    /* cvtsi2sd xmm4, rax */
      "66 0f 3a 41 c1 31", /* dppd xmm0, xmm1, 0x31 */
  };
  for (unsigned rc = 0; rc < 4; rc++)
    for (size_t k = 0; k < sizeof code / sizeof code[0]; k++)
      for (unsigned v = 0; v < NEDGES; v++) {
        DtCase *c = new_case(code[k]);
        c->in.mxcsr = 0x1f80 | rc << 13;
        double a = f64_bits(f64_edges[v]), b = f64_bits(f64_edges[(v * 7 + 3) % NEDGES]);
        put_f64(c->in.xmm[0], 0, a);
        put_f64(c->in.xmm[0], 1, b);
        put_f64(c->in.xmm[1], 0, f64_bits(f64_edges[(v + 5) % NEDGES]));
        put_f64(c->in.xmm[1], 1, 3.0);
        for (unsigned i = 0; i < 4; i++)
          put_f32(c->in.xmm[3], i, (float)f64_bits(f64_edges[(v + i) % NEDGES]));
        c->in.gpr[0] = v & 1 ? (1ull << 53) + 1 + v : (uint64_t)-(int64_t)(v * 0x10000001ull);
        done(c);
      }
  run_all(0);
}

/* -- NaN and zero operand order --------------------------------------------- */

/* min/max return the second operand for NaNs and equal zeros; cmp's eight
 * predicates; comis/ucomis flags. Lane pairs cover every order of NaN, SNaN,
 * +0, -0, equal and ordered values. */
static void test_sse_nan_order(void **state) {
  (void)state;
  static const char *const code[] = {
      "f2 0f 5d c1", "f2 0f 5f c1", /* minsd, maxsd xmm0, xmm1 */
      "f3 0f 5d c1", "f3 0f 5f c1", /* minss, maxss */
      "0f 5d c1",    "0f 5f c1",    /* minps, maxps */
      "66 0f 5d c1", "66 0f 5f c1", /* minpd, maxpd */
      "66 0f 2e c1", "66 0f 2f c1", /* ucomisd, comisd */
      "0f 2e c1",    "0f 2f c1",    /* ucomiss, comiss */
      "f2 0f 7c c1", "66 0f 7c c1", /* haddps, haddpd */
      "f2 0f d0 c1",                /* addsubps */
      "66 0f 3a 40 c1 ff",          /* dpps xmm0, xmm1, 0xff */
  };
  static const uint32_t f32v[] = {0x7fc00001u, 0xffa00000u, 0x00000000u, 0x80000000u,
                                  0x3f800000u, 0xbf800000u, 0x7f800000u, 0x00000001u};
  for (size_t k = 0; k < sizeof code / sizeof code[0] + 8; k++)
    for (unsigned i = 0; i < 8; i++)
      for (unsigned j = 0; j < 8; j++) {
        char cmp[32];
        if (k >= sizeof code / sizeof code[0]) /* cmpps / cmppd with predicate k - n */
          snprintf(cmp, sizeof cmp, "%s0f c2 c1 %02x", (i & 1) ? "66 " : "",
                   (unsigned)(k - sizeof code / sizeof code[0]));
        DtCase *c = new_case(k < sizeof code / sizeof code[0] ? code[k] : cmp);
        for (unsigned lane = 0; lane < 4; lane++) {
          put_f32(c->in.xmm[0], lane, f32_bits(f32v[(i + lane) % 8]));
          put_f32(c->in.xmm[1], lane, f32_bits(f32v[(j + 3 * lane) % 8]));
        }
        if (k % 2 == 1 && i == j) /* the double forms: whole-lane doubles too */
          put_f64(c->in.xmm[1], 0, f64_bits(f64_edges[(i + j) % NEDGES]));
        c->in.rflags = 0x8d5; /* every arithmetic flag set: comis must clear OF SF AF */
        done(c);
      }
  run_all(0);
}

/* -- x87 rounding and precision ------------------------------------------------ */

/* fdiv / fsqrt / fadd under each precision control and rounding mode, stored
 * as m80, m64, m32 and as integers (fistp rounds by RC, fisttp truncates). */
static void test_x87_precision(void **state) {
  (void)state;
  static const char *const code[] = {
      "d8 f1 db 3f",          /* fdiv st0, st1; fstp tbyte [rdi] */
      "d9 fa dd 1f",          /* fsqrt; fstp qword [rdi] */
      "d8 c1 d9 1f",          /* fadd st0, st1; fstp dword [rdi] */
      "df 3f",                /* fistp qword [rdi] */
      "db 1f",                /* fistp dword [rdi] */
      "dd 0f",                /* fisttp qword [rdi] */
      "df 1f",                /* fistp word [rdi] */
      "d9 fc",                /* frndint */
      "df 37",                /* fbstp [rdi] */
      "d9 f8",                /* fprem */
      "d9 fd",                /* fscale */
  };
  static const long double vals[] = {1.0L / 3.0L, 2.5L, -2.5L, 0.5L, -1.5L, 3.0L,
                                     1e-4940L, 32767.5L, -32768.5L, 9.2233720368547758075e18L,
                                     1e30L, 2.0L / 3.0L};
  for (unsigned pc = 0; pc < 4; pc++)
    for (unsigned rc = 0; rc < 4; rc++)
      for (size_t k = 0; k < sizeof code / sizeof code[0]; k++)
        for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++) {
          DtCase *c = new_case(code[k]);
          c->in.fcw = (uint16_t)(0x7f | pc << 8 | rc << 10);
          push80(&c->in, vals[(v + 5) % (sizeof vals / sizeof vals[0])]);
          push80(&c->in, vals[v]);
          done(c);
        }
  run_all(0);
}

/* -- x87 exceptions ------------------------------------------------------------ */

/* With an unmasked flag pending, a waiting instruction takes #MF (SIGFPE)
 * before its memory operand can fault; fn* instructions run anyway; an unmasked
 * invalid operation suppresses the store; fldcw can unmask a pending flag for
 * the next waiting instruction (fwait). */
static void test_x87_exceptions(void **state) {
  (void)state;
  static const struct {
    const char *code;
    uint16_t fcw, fsw;
    bool guard; /* rdi just below scratch: any access faults */
    uint16_t mem_cw;
  } x[] = {
      {"dd 07", 0x37b, 0x0004, true, 0},                /* fld qword [rdi]: #MF first */
      {"dd 07", 0x37f, 0x0004, true, 0},                /* masked: the page fault */
      {"dd 3f", 0x37b, 0x0004, false, 0},               /* fnstsw [rdi]: no #MF */
      {"d9 3f", 0x37b, 0x0004, false, 0},               /* fnstcw [rdi] */
      {"d9 37", 0x37b, 0x0004, false, 0},               /* fnstenv [rdi] (then masks all) */
      {"db e2 d9 e8", 0x37b, 0x0004, false, 0},         /* fnclex; fld1: no #MF */
      {"db e3 d9 e8", 0x37b, 0x0004, false, 0},         /* fninit; fld1 */
      {"db 1f", 0x37e, 0x0000, false, 0},               /* fistp dword [rdi] of NaN, IE unmasked */
      {"dd 1f", 0x37e, 0x0000, false, 0},               /* fstp qword [rdi] of SNaN, IE unmasked */
      {"dd 1f", 0x377, 0x0000, false, 0},               /* fstp qword of a huge value, OE unmasked */
      {"d8 f1 d9 e8", 0x37b, 0x0000, false, 0},         /* fdiv by 0, ZE unmasked; fld1: #MF */
      {"d9 2f 9b", 0x37f, 0x0004, false, 0x037b},       /* fldcw unmasks ZE; fwait: #MF */
      {"d9 2f 9b", 0x37f, 0x0004, false, 0x037f},       /* fldcw keeps it masked */
      {"d9 2f dd 3f", 0x37f, 0x0001, false, 0x0000},    /* fldcw 0; fnstsw: reserved bits */
      {"9b", 0x37b, 0x0004, false, 0},                  /* fwait alone */
      {"db f1", 0x37e, 0x0000, false, 0},               /* fcomi with a NaN, IE unmasked */
  };
  for (size_t k = 0; k < sizeof x / sizeof x[0]; k++)
    for (unsigned v = 0; v < 4; v++) {
      DtCase *c = new_case(x[k].code);
      c->in.fcw = x[k].fcw;
      c->in.fsw = x[k].fsw;
      if (c->in.fsw & ~c->in.fcw & 0x3f)
        c->in.fsw |= 0x8080; /* ES and B, as loading such a state sets them */
      static const long double nan_or[4] = {__builtin_nanl(""), 0.0L, 1e4000L, 1.0L};
      push80(&c->in, v == 1 ? __builtin_nansl("") : 3.0L);
      push80(&c->in, nan_or[v]);
      if (x[k].guard)
        c->in.gpr[7] = DT_SCRATCH_BASE - 8;
      memcpy(c->mem + (RDI_DATA - DT_SCRATCH_BASE), &x[k].mem_cw, 2);
      done(c);
    }
  run_all(8);
}

/* -- fxsave / fxrstor ------------------------------------------------------------ */

/* fxsave then fxrstor of a changed image: control words with reserved bits and
 * unmasked flags (normalised by the CPU), tags, TOP, registers, MXCSR. */
static void test_fxsave_roundtrip(void **state) {
  (void)state;
  static const uint16_t cws[] = {0x037f, 0xffff, 0x0000, 0x1372, 0x0c40};
  static const uint16_t sws[] = {0x0000, 0x00ff, 0xc7ff, 0x3800, 0x4100};
  for (size_t i = 0; i < sizeof cws / sizeof cws[0]; i++)
    for (size_t j = 0; j < sizeof sws / sizeof sws[0]; j++) {
      /* fxsave [rdi]; mov word [rdi], cx; mov word [rdi+2], dx; fxrstor [rdi]; fxsave [rdi+512] */
      DtCase *c = new_case("0f ae 07 66 89 0f 66 89 57 02 0f ae 0f 0f ae 87 00 02 00 00");
      c->in.gpr[7] = DT_SCRATCH_BASE + 0x200;
      c->in.gpr[1] = cws[i];
      c->in.gpr[2] = sws[j];
      c->in.mxcsr = 0x1f80 | (uint32_t)(j << 13) | (uint32_t)i;
      push80(&c->in, 1.0L / 7.0L);
      push80(&c->in, -0.0L);
      push80(&c->in, __builtin_infl());
      for (unsigned r = 0; r < 16; r++)
        put_f64(c->in.xmm[r], r & 1, (double)r / 3.0);
      done(c);
    }
  run_all(0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sse_rounding),   cmocka_unit_test(test_sse_nan_order),
      cmocka_unit_test(test_x87_precision),  cmocka_unit_test(test_x87_exceptions),
      cmocka_unit_test(test_fxsave_roundtrip),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
