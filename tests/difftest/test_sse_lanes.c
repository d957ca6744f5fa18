/* test_sse_lanes.c — every row of sse_mov, sse_int and sse_shuf
 * (dt_classes_sse.def) against the host CPU with lane-shaped edge values: the
 * generator makes the instruction and its operands, then each xmm register and
 * the scratch memory are refilled lane by lane (8, 16, 32 or 64-bit lanes) with
 * the values saturation, signed compares, shifts and packs turn on: 0, 1, -1,
 * the signed limits and their neighbours, small shift counts around the lane
 * widths, repeated patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dt_test.h"



/* 16 bytes as lanes of one random width, each an edge value. */
static void fill_lanes(DtRng *r, uint8_t *v) {
  unsigned bits = 8u << dt_below(r, 4), bytes = bits / 8;
  for (unsigned i = 0; i < 16; i += bytes) {
    uint64_t x = lane_edge(r, bits);
    memcpy(v + i, &x, bytes);
  }
}

/* The integer and data-movement classes (sse42's string compares have
 * test_sse_strings.c; the floating-point classes their own generator). */
static bool lane_class(const char *cls) {
  return !strcmp(cls, "sse_mov") || !strcmp(cls, "sse_int") || !strcmp(cls, "sse_shuf");
}

#define BATCH 64
#define PER_FORM 256

/* Runs n cases natively and through every executor; returns the mismatches. */
static unsigned run_batch(const DtCase *cases, unsigned n) {
  static DtOutcome nat[BATCH];
  static unsigned printed;
  unsigned bad = 0;
  dt_runner_run(runner, cases, nat, n);
  for (unsigned i = 0; i < n; i++)
    bad += dt_test_executors(&cases[i], &nat[i], i, &printed, 5);
  return bad;
}

static void test_sse_lanes(void **state) {
  (void)state;
  static DtCase cases[BATCH];
  unsigned n = 0, bad = 0, forms = 0;
  for (size_t f = 0; f < dt_nforms; f++) {
    if (!lane_class(dt_forms[f].cls))
      continue;
    forms++;
    for (unsigned k = 0; k < PER_FORM; k++) {
      DtRng r = dt_rng_for(0x1a9e5, "sse_lanes", f << 16 | k);
      DtCase *c = &cases[n++];
      assert_true(dt_gen_single(&r, &dt_forms[f], c));
      for (int x = 0; x < 16; x++)
        fill_lanes(&r, c->in.xmm[x]);
      for (unsigned i = 0; i < DT_DATA_SIZE; i += 16)
        fill_lanes(&r, c->mem + i);
      if (n == BATCH) {
        bad += run_batch(cases, n);
        n = 0;
      }
    }
  }
  bad += run_batch(cases, n);
  assert_true(forms > 150);
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sse_lanes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
