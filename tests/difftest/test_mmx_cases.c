/* test_mmx_cases.c — lift_mmx.c against the host CPU in the cases random
 * generation rarely builds: every mmx* row (dt_classes_mmx.def) with
 * lane-shaped edge values in the mm registers, xmm registers and memory;
 * maskmovq with every kind of mask, faulting before it writes anything; #MF
 * from a pending x87 exception (and when the check must be repeated within a
 * block); and the x87 meeting MMX state: fld, fst, fadd, fxsave after MMX
 * writes (registers whose exponent is all ones, TOP 0, all valid), emms, and
 * MMX after x87 pushes. Each case is compared whole with dt_compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dt_test.h"


/* -- Running ---------------------------------------------------------------- */

#define MAX_CASES 512
static DtCase cases[MAX_CASES];
static DtOutcome nat[MAX_CASES];
static unsigned ncases, nfaults, nsigfpe;

/* Runs the batch natively and through every executor; returns the mismatches. */
static unsigned run_batch(void) {
  static unsigned printed;
  unsigned bad = 0;
  dt_runner_run(runner, cases, nat, ncases);
  for (unsigned i = 0; i < ncases; i++) {
    assert_int_not_equal(nat[i].signo, DT_SIG_HARNESS);
    nfaults += nat[i].signo != 0;
    nsigfpe += nat[i].signo == 8; /* SIGFPE */
    bad += dt_test_executors(&cases[i], &nat[i], i, &printed, 5);
  }
  ncases = 0;
  return bad;
}

static unsigned bad_total;

/* Adds a finished case; a full batch runs at once. */
static void done(DtCase *c) {
  assert_true(dt_decode_case(c));
  if (++ncases == MAX_CASES)
    bad_total += run_batch();
}

static void finish(void) {
  bad_total += run_batch();
  assert_int_equal(bad_total, 0);
  bad_total = 0;
}

/* -- Values ------------------------------------------------------------------- */


/* 8 bytes as lanes of one random width, each an edge value. */
static uint64_t lanes64(DtRng *r) {
  unsigned bits = 8u << dt_below(r, 4);
  uint64_t v = 0;
  for (unsigned i = 0; i < 64; i += bits)
    v |= lane_edge(r, bits) << i;
  return v;
}

/* -- Lane edge values for every row ------------------------------------------- */

static void test_mmx_lanes(void **state) {
  (void)state;
  unsigned forms = 0;
  for (size_t f = 0; f < dt_nforms; f++) {
    if (strncmp(dt_forms[f].cls, "mmx", 3) != 0)
      continue;
    forms++;
    for (unsigned k = 0; k < 128; k++) {
      DtRng r = dt_rng_for(0x3dd, "mmx_lanes", f << 16 | k);
      DtCase *c = &cases[ncases];
      assert_true(dt_gen_single(&r, &dt_forms[f], c));
      for (int i = 0; i < 8; i++)
        c->in.st[i].mant = lanes64(&r);
      for (int x = 0; x < 16; x++)
        for (int h = 0; h < 16; h += 8) {
          uint64_t v = lanes64(&r);
          memcpy(c->in.xmm[x] + h, &v, 8);
        }
      for (unsigned i = 0; i < DT_DATA_SIZE; i += 8) {
        uint64_t v = lanes64(&r);
        memcpy(c->mem + i, &v, 8);
      }
      done(c);
    }
  }
  finish();
  assert_true(forms > 100);
}

/* -- Fixed code ---------------------------------------------------------------- */

#define RDI_DATA (DT_SCRATCH_BASE + 0x100) /* rdi: memory operands point here */

/* A case from hex bytes, with a quiet x87 (all empty, TOP 0, exceptions masked),
 * rdi at RDI_DATA and mm/memory from the generator r. */
static DtCase *new_case(DtRng *r, const char *hex) {
  assert_true(ncases < MAX_CASES);
  DtCase *c = &cases[ncases];
  memset(c, 0, sizeof *c);
  for (const char *p = hex; *p;) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    c->bytes[c->len++] = (uint8_t)strtoul(p, NULL, 16);
    p += 2;
  }
  snprintf(c->desc, sizeof c->desc, "%s", hex);
  c->in.gpr[4] = DT_STACK_MID;
  c->in.gpr[7] = RDI_DATA;
  c->in.mxcsr = 0x1f80;
  c->in.fcw = 0x37f;
  c->in.ftag = 0xff;
  for (int i = 0; i < 8; i++) {
    c->in.st[i].mant = lanes64(r);
    c->in.st[i].sexp = (uint16_t)dt_rand(r);
  }
  for (unsigned i = 0; i < DT_SCRATCH_SIZE; i += 8) {
    uint64_t v = lanes64(r);
    memcpy(c->mem + i, &v, 8);
  }
  return c;
}

/* -- maskmovq ------------------------------------------------------------------ */

/* Random data and byte masks (none, all, sparse), rdi (or edi with 0x67) at
 * any alignment in scratch, and now and then across its start, where the host
 * faults before writing anything whatever the mask. */
static void test_maskmovq(void **state) {
  (void)state;
  nfaults = 0;
  for (unsigned k = 0; k < 1024; k++) {
    DtRng r = dt_rng_for(0xf7, "maskmovq", k);
    bool a32 = dt_below(&r, 4) == 0;
    unsigned a = (unsigned)dt_below(&r, 8), b = (unsigned)dt_below(&r, 8);
    char hex[32];
    snprintf(hex, sizeof hex, "%s0f f7 %02x", a32 ? "67 " : "", 0xc0 | a << 3 | b);
    DtCase *c = new_case(&r, hex);
    c->in.ftop = (uint8_t)dt_below(&r, 8);
    c->in.ftag = (uint8_t)dt_rand(&r);
    unsigned p = (unsigned)dt_below(&r, 9);
    uint64_t sel = 0;
    for (int i = 0; i < 8; i++)
      sel |= (uint64_t)((dt_rand(&r) & 0x7f) | (dt_below(&r, 8) < p ? 0x80 : 0)) << (8 * i);
    c->in.st[b].mant = sel;
    uint64_t rdi = DT_SCRATCH_BASE + dt_below(&r, DT_SCRATCH_SIZE - 8);
    if (dt_below(&r, 8) == 0)
      rdi = DT_SCRATCH_BASE - 1 - dt_below(&r, 7);
    else if (dt_below(&r, 8) == 0)
      rdi = DT_SCRATCH_BASE + DT_SCRATCH_SIZE + dt_below(&r, 64);
    c->in.gpr[7] = a32 ? rdi | (dt_rand(&r) << 32) : rdi; /* edi ignores the upper half */
    done(c);
  }
  finish();
  assert_true(nfaults > 0);
}

/* -- #MF -------------------------------------------------------------------------- */

/* Every kind of MMX instruction with an unmasked exception pending: #MF
 * (SIGFPE) before it does anything, except the SSE forms with no mm register
 * (cvtpi2ps/cvtpi2pd from memory). Then sequences where the check must be
 * repeated after x87 instructions in the same block. */
static void test_mf_pending(void **state) {
  (void)state;
  nsigfpe = 0;
  static const char *const code[] = {
      "0f fc c1",             /* paddb mm0, mm1 */
      "0f 6f 07",             /* movq mm0, [rdi] */
      "0f 7f 07",             /* movq [rdi], mm0 */
      "0f 7e c0",             /* movd eax, mm0 */
      "0f 77",                /* emms */
      "0f f7 c1",             /* maskmovq mm0, mm1 */
      "0f d7 c1",             /* pmovmskb eax, mm1 */
      "0f c5 c1 02",          /* pextrw eax, mm1, 2 */
      "f3 0f d6 c1",          /* movq2dq xmm0, mm1 */
      "f2 0f d6 c1",          /* movdq2q mm0, xmm1 */
      "0f 2a c1",             /* cvtpi2ps xmm0, mm1 */
      "0f 2a 07",             /* cvtpi2ps xmm0, [rdi]: no #MF */
      "66 0f 2a 07",          /* cvtpi2pd xmm0, [rdi]: no #MF */
      "0f 2d c1",             /* cvtps2pi mm0, xmm1 */
      "0f 38 00 c1",          /* pshufb mm0, mm1 */
      "0f 71 d0 03",          /* psrlw mm0, 3 */
      "0f ef c0 0f fc c1",    /* pxor mm0, mm0; paddb mm0, mm1 */
  };
  static const struct {
    uint16_t fcw, fsw;
  } pend[] = {
      {0x37e, 0x01}, /* invalid, unmasked */
      {0x37b, 0x04}, /* zero divide */
      {0x340, 0x3f}, /* everything */
      {0x37f, 0x3f}, /* flags set but masked: no #MF */
  };
  for (size_t k = 0; k < sizeof code / sizeof code[0]; k++)
    for (size_t p = 0; p < sizeof pend / sizeof pend[0]; p++) {
      DtRng r = dt_rng_for(0x3f, "mf", k << 8 | p);
      DtCase *c = new_case(&r, code[k]);
      c->in.fcw = pend[p].fcw;
      c->in.fsw = pend[p].fsw;
      if (c->in.fsw & ~c->in.fcw & 0x3f)
        c->in.fsw |= 0x8080; /* ES and B, as loading such a state sets them */
      done(c);
    }
  /* fldcw [rdi] unmasks a flag fsw holds, fxrstor [rdi] loads such a state:
   * the second MMX instruction takes #MF although the first one checked;
   * fnclex clears it again. [rdi] holds FCW, FSW and MXCSR of an fxsave image. */
  static const char *const repeat[] = {
      "0f fc c1 d9 2f 0f fc c1",       /* paddb; fldcw [rdi]; paddb */
      "0f fc c1 d9 2f 0f 77",          /* paddb; fldcw [rdi]; emms */
      "0f fc c1 d9 2f db e2 0f fc c1", /* paddb; fldcw [rdi]; fnclex; paddb */
      "0f fc c1 d9 2f 0f 7f 47 08",    /* paddb; fldcw [rdi]; movq [rdi+8], mm0 */
      "0f fc c1 0f ae 0f 0f fc c1",    /* paddb; fxrstor [rdi]; paddb */
  };
  for (size_t k = 0; k < sizeof repeat / sizeof repeat[0]; k++) {
    DtRng r = dt_rng_for(0x3f, "mf_repeat", k);
    DtCase *c = new_case(&r, repeat[k]);
    c->in.fsw = 0x05; /* IE and ZE flagged, masked */
    static const uint16_t fx[2] = {0x37e, 0x05};
    static const uint32_t mxcsr = 0x1f80;
    memcpy(c->mem + (RDI_DATA - DT_SCRATCH_BASE), fx, 4);
    memcpy(c->mem + (RDI_DATA - DT_SCRATCH_BASE) + 24, &mxcsr, 4);
    done(c);
  }
  finish();
  assert_int_equal(nsigfpe, 3 * 15 + 4);
}

/* -- x87 meets MMX ---------------------------------------------------------------- */

/* x87 code after MMX writes (registers with exponent 0xffff: NaNs, pseudo-NaNs
 * or infinities depending on the mantissa; TOP 0; every register valid, so a
 * push overflows), after emms, and MMX after x87 pushes, from several x87
 * states. */
static void test_x87_meets_mmx(void **state) {
  (void)state;
  static const char *const code[] = {
      "0f 6f 07 d9 c0",                   /* movq mm0, [rdi]; fld st0 */
      "0f fc c1 db 7f 10",                /* paddb mm0, mm1; fstp tbyte [rdi+16] */
      "0f 6f 0f d8 c1",                   /* movq mm1, [rdi]; fadd st0, st1 */
      "0f 6f 07 dd 5f 08",                /* movq mm0, [rdi]; fstp qword [rdi+8] */
      "0f 6f 07 df 7f 08",                /* movq mm0, [rdi]; fistp qword [rdi+8] */
      "0f 6f 07 d9 e5 df e0",             /* movq mm0, [rdi]; fxam; fnstsw ax */
      "0f 6f 07 0f 77 d9 e8",             /* movq mm0, [rdi]; emms; fld1 */
      "0f 77 dd 07 dd 5f 08",             /* emms; fld qword [rdi]; fstp qword [rdi+8] */
      "d9 e8 0f 6f c8",                   /* fld1; movq mm1, mm0 */
      "d9 ee d9 eb 0f ef d2 dd 1f dd 5f 08", /* fldz; fldpi; pxor mm2, mm2; fstp x2 */
      "d9 e8 0f 7f 47 08",                /* fld1; movq [rdi+8], mm0 */
      "0f fc c1 0f ae 47 40",             /* paddb mm0, mm1; fxsave [rdi+0x40] */
      "0f ef c0 d9 f7 0f fc c1",          /* pxor mm0, mm0; fincstp; paddb mm0, mm1 */
      "0f 6f 07 dd c0 0f 7e c0",          /* movq mm0, [rdi]; ffree st0; movd eax, mm0 */
  };
  static const uint64_t mants[] = {0, 0x8000000000000000ull, 0xc000000000000000ull,
                                   0x4000000000000000ull, 0x8000000000000001ull,
                                   0xffffffffffffffffull, 0x0000000000000001ull};
  for (size_t k = 0; k < sizeof code / sizeof code[0]; k++)
    for (unsigned v = 0; v < 3 * (sizeof mants / sizeof mants[0]); v++) {
      DtRng r = dt_rng_for(0x87, "x87_mmx", k << 8 | v);
      DtCase *c = new_case(&r, code[k]);
      uint64_t m = mants[v % (sizeof mants / sizeof mants[0])];
      memcpy(c->mem + (RDI_DATA - DT_SCRATCH_BASE), &m, 8);
      c->in.st[0].mant = m;
      c->in.st[1].mant = mants[(v + 3) % (sizeof mants / sizeof mants[0])];
      switch (v / (sizeof mants / sizeof mants[0])) {
      case 0: break; /* empty */
      case 1:        /* two values pushed */
        push80(&c->in, 2.5L);
        push80(&c->in, -1.0L / 3.0L);
        break;
      default: /* MMX mode already */
        c->in.ftag = 0;
        for (int i = 0; i < 8; i++)
          c->in.st[i].sexp = 0xffff;
      }
      done(c);
    }
  finish();
}

/* Faulting stores from mm registers: TOP is 0 at the fault, the tags as they
 * were (maskmovq: both switched); faulting loads change nothing. */
static void test_mmx_faults(void **state) {
  (void)state;
  nfaults = 0;
  static const char *const code[] = {
      "0f 7f 07",    /* movq [rdi], mm0 */
      "0f 7e 07",    /* movd [rdi], mm0 */
      "48 0f 7e 07", /* movq [rdi], mm0 (REX.W 7e) */
      "0f e7 07",    /* movntq [rdi], mm0 */
      "0f 6f 07",    /* movq mm0, [rdi] */
      "0f fc 07",    /* paddb mm0, [rdi] */
      "0f 60 07",    /* punpcklbw mm0, [rdi] (m32) */
      "0f c4 07 01", /* pinsrw mm0, [rdi], 1 */
      "0f f7 c1",    /* maskmovq mm0, mm1 */
  };
  static const uint64_t where[] = {DT_SCRATCH_BASE - 8, DT_SCRATCH_BASE - 2,
                                   DT_SCRATCH_BASE + DT_SCRATCH_SIZE, 0x8000000000000000ull};
  for (size_t k = 0; k < sizeof code / sizeof code[0]; k++)
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
      DtRng r = dt_rng_for(0x5e, "mmx_faults", k << 8 | w);
      DtCase *c = new_case(&r, code[k]);
      c->in.gpr[7] = where[w];
      push80(&c->in, 1.0L);
      push80(&c->in, 2.0L);
      done(c);
    }
  finish();
  assert_int_equal(nfaults, 9 * 4); /* every access reaches unmapped or non-canonical memory */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mmx_lanes),     cmocka_unit_test(test_maskmovq),
      cmocka_unit_test(test_mf_pending),    cmocka_unit_test(test_x87_meets_mmx),
      cmocka_unit_test(test_mmx_faults),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
