/* test_sse_strings.c — SSE4.2's pcmpestri/pcmpestrm/pcmpistri/pcmpistrm against
 * the host CPU with the inputs that matter to them, which random registers almost
 * never give: strings over a tiny alphabet (so elements match), terminators at
 * every position, explicit lengths at and around the limits (negative, above
 * 16, INT_MIN, junk in the upper half), every imm8, both operand sizes of the
 * lengths (REX.W), register and unaligned memory sources. Every case runs
 * natively and through each executor, and the whole state is compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dt_test.h"


/* Elements drawn from few values, with zeros (terminators) placed on purpose. */
static void gen_string(DtRng *r, uint8_t v[16], bool words) {
  static const uint8_t alphabet[] = {'a', 'b', 'c', 0x80, 0xff, 0x7f, 0x01, 0xfe};
  unsigned n = words ? 8 : 16, size = words ? 2 : 1;
  unsigned k = 2 + (unsigned)dt_below(r, 6); /* how much of the alphabet */
  for (unsigned i = 0; i < n; i++)
    for (unsigned b = 0; b < size; b++)
      v[i * size + b] = alphabet[dt_below(r, k)];
  if (dt_below(r, 3)) { /* a terminator somewhere, maybe at 0 */
    unsigned z = (unsigned)dt_below(r, n);
    memset(v + z * size, 0, size);
    if (dt_below(r, 4) == 0) /* and junk after it */
      for (unsigned i = (z + 1) * size; i < 16; i++)
        v[i] = (uint8_t)dt_rand(r);
  }
  if (words && dt_below(r, 4) == 0) /* a word whose low byte alone is zero */
    v[2 * dt_below(r, n)] = 0;
}

static uint64_t gen_len(DtRng *r) {
  static const uint64_t edge[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 100,
                                  (uint64_t)-1, (uint64_t)-3, (uint64_t)-8, (uint64_t)-16,
                                  (uint64_t)-17, 0x80000000ull, 0xffffffff80000000ull,
                                  0x8000000000000000ull, 0x100000005ull, 0xfffffffd00000003ull};
  return dt_below(r, 4) ? edge[dt_below(r, sizeof edge / sizeof edge[0])] : dt_rand(r);
}

/* opcode: 0x60 pcmpestrm, 0x61 pcmpestri, 0x62 pcmpistrm, 0x63 pcmpistri. */
static void make_case(DtRng *r, DtCase *c, uint8_t opcode, unsigned imm) {
  memset(c, 0, sizeof *c);
  bool mem = dt_below(r, 3) == 0, rexw = (opcode & 2) == 0 && dt_below(r, 2);
  unsigned a = (unsigned)dt_below(r, 16), b = (unsigned)dt_below(r, 16);
  uint8_t *p = c->bytes;
  *p++ = 0x66;
  uint8_t rex = (uint8_t)(0x40 | (rexw ? 8 : 0) | (a >= 8 ? 4 : 0) | (!mem && b >= 8 ? 1 : 0));
  if (rex != 0x40)
    *p++ = rex;
  *p++ = 0x0f, *p++ = 0x3a, *p++ = opcode;
  *p++ = (uint8_t)(mem ? 0x06 | (a & 7) << 3 : 0xc0 | (a & 7) << 3 | (b & 7)); /* [rsi] */
  *p++ = (uint8_t)imm;
  c->len = (uint32_t)(p - c->bytes);

  for (int i = 0; i < 16; i++)
    c->in.gpr[i] = dt_rand(r);
  c->in.gpr[4] = DT_STACK_MID;
  c->in.gpr[0] = gen_len(r); /* rax, rdx: explicit lengths */
  c->in.gpr[2] = gen_len(r);
  c->in.rflags = dt_rand(r) & DT_FLAGS_ARITH;
  c->in.mxcsr = 0x1f80;
  c->in.fcw = 0x37f;
  c->in.ftag = 0xff;
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k++)
      c->in.xmm[i][k] = (uint8_t)dt_rand(r);
  for (unsigned i = 0; i < DT_SCRATCH_SIZE; i++)
    c->mem[i] = (uint8_t)dt_rand(r);
  bool words = imm & 1;
  gen_string(r, c->in.xmm[a], words);
  if (mem) {
    uint64_t off = 0x100 + dt_below(r, 0x800); /* no alignment needed */
    c->in.gpr[6] = DT_SCRATCH_BASE + off;
    gen_string(r, c->mem + off, words);
  } else if (b == a) {
    /* the same register both ways: already a string */
  } else {
    gen_string(r, c->in.xmm[b], words);
  }
  assert_true(dt_decode_case(c));
}

#define BATCH 64

/* Runs n cases natively and emulated; returns the number of mismatches. */
static unsigned run_batch(DtCase *cases, unsigned n) {
  static DtOutcome nat[BATCH];
  unsigned bad = 0, printed = 0;
  dt_runner_run(runner, cases, nat, n);
  for (unsigned i = 0; i < n; i++) {
    assert_int_equal(nat[i].signo, 0);
    bad += dt_test_executors(&cases[i], &nat[i], i, &printed, 3);
  }
  return bad;
}

/* Every imm8 (bit 7 included: reserved, ignored), `per_imm` cases each. */
static void check_opcode(uint8_t opcode, unsigned per_imm) {
  static DtCase cases[BATCH];
  unsigned n = 0, bad = 0;
  for (unsigned imm = 0; imm < 256; imm++)
    for (unsigned k = 0; k < per_imm; k++) {
      DtRng r = dt_rng_for(0x5e42, "pcmpstr", (uint64_t)opcode << 32 | imm << 16 | k);
      make_case(&r, &cases[n++], opcode, imm);
      if (n == BATCH) {
        bad += run_batch(cases, n);
        n = 0;
      }
    }
  bad += run_batch(cases, n);
  assert_int_equal(bad, 0);
}

static void test_pcmpestrm(void **state) { (void)state; check_opcode(0x60, 64); }
static void test_pcmpestri(void **state) { (void)state; check_opcode(0x61, 64); }
static void test_pcmpistrm(void **state) { (void)state; check_opcode(0x62, 64); }
static void test_pcmpistri(void **state) { (void)state; check_opcode(0x63, 64); }

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pcmpestrm),
      cmocka_unit_test(test_pcmpestri),
      cmocka_unit_test(test_pcmpistrm),
      cmocka_unit_test(test_pcmpistri),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
