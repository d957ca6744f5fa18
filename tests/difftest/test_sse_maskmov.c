/* test_sse_maskmov.c — maskmovdqu against the host CPU: random data and byte
 * masks (none, all, sparse), rdi (or edi with 0x67) pointing into scratch memory
 * at any alignment, and now and then across its start or end, where the host
 * faults before writing anything, whatever the mask. The stored bytes, the
 * untouched ones around them and any fault are compared with the whole state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dt_test.h"


/* A selector byte per lane: top bit set with probability p/8. */
static void gen_mask(DtRng *r, uint8_t m[16]) {
  unsigned p = (unsigned)dt_below(r, 9);
  for (int i = 0; i < 16; i++)
    m[i] = (uint8_t)((dt_rand(r) & 0x7f) | (dt_below(r, 8) < p ? 0x80 : 0));
}

static void make_case(DtRng *r, DtCase *c) {
  memset(c, 0, sizeof *c);
  bool a32 = dt_below(r, 4) == 0;
  unsigned a = (unsigned)dt_below(r, 16), b = (unsigned)dt_below(r, 16);
  uint8_t *p = c->bytes;
  if (a32)
    *p++ = 0x67;
  *p++ = 0x66;
  if (a >= 8 || b >= 8)
    *p++ = (uint8_t)(0x40 | (a >= 8 ? 4 : 0) | (b >= 8 ? 1 : 0));
  *p++ = 0x0f, *p++ = 0xf7, *p++ = (uint8_t)(0xc0 | (a & 7) << 3 | (b & 7));
  c->len = (uint32_t)(p - c->bytes);
  for (int i = 0; i < 16; i++)
    c->in.gpr[i] = dt_rand(r);
  c->in.gpr[4] = DT_STACK_MID;
  c->in.mxcsr = 0x1f80;
  c->in.fcw = 0x37f;
  c->in.ftag = 0xff;
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k++)
      c->in.xmm[i][k] = (uint8_t)dt_rand(r);
  gen_mask(r, c->in.xmm[b]);
  for (unsigned i = 0; i < DT_SCRATCH_SIZE; i++)
    c->mem[i] = (uint8_t)dt_rand(r);
  /* Mostly inside scratch; else crossing its start or its end. Across the end
   * only with the high qword wholly past it: when that qword straddles the end,
   * the host reports the page boundary and the IR the access's start. */
  uint64_t rdi = DT_SCRATCH_BASE + dt_below(r, DT_SCRATCH_SIZE - 16);
  if (dt_below(r, 8) == 0)
    rdi = DT_SCRATCH_BASE - 1 - dt_below(r, 15);
  else if (dt_below(r, 8) == 0)
    rdi = DT_SCRATCH_BASE + DT_SCRATCH_SIZE - 1 - dt_below(r, 8);
  c->in.gpr[7] = a32 ? rdi | (dt_rand(r) << 32) : rdi; /* edi ignores the upper half */
  assert_true(dt_decode_case(c));
}

#define BATCH 64

static void test_maskmovdqu(void **state) {
  (void)state;
  static DtCase cases[BATCH];
  static DtOutcome nat[BATCH];
  unsigned bad = 0, faults = 0, printed = 0;
  for (unsigned k = 0; k < 64 * BATCH; k++) {
    DtRng r = dt_rng_for(0xf7, "maskmovdqu", k);
    make_case(&r, &cases[k % BATCH]);
    if (k % BATCH != BATCH - 1)
      continue;
    dt_runner_run(runner, cases, nat, BATCH);
    for (unsigned i = 0; i < BATCH; i++) {
      faults += nat[i].signo != 0;
      bad += dt_test_executors(&cases[i], &nat[i], i, &printed, 3);
    }
  }
  assert_int_equal(bad, 0);
  assert_true(faults > 0); /* the guard-page cases did happen */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_maskmovdqu),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
