/* dt_test.h — the cmocka glue every targeted difftest shares: one native
 * runner (a forked child) for the whole group, made in setup, freed in teardown. */
#ifndef EMU_DT_TEST_H
#define EMU_DT_TEST_H

#include <stdio.h>
#include <string.h>

#include "dt.h"

static DtRunner *runner;

static int setup(void **state) {
  (void)state;
  runner = dt_runner_new();
  return runner ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  dt_runner_free(runner);
  return 0;
}

/* Case c (number i of its batch, for executors that sample) through every
 * executor against its native outcome: returns how many executors differ,
 * printing a mismatch while *printed is below limit. Needs cmocka.h. */
static inline unsigned dt_test_executors(const DtCase *c, const DtOutcome *nat, size_t i,
                                         unsigned *printed, unsigned limit) {
  static DtOutcome emu;
  unsigned bad = 0;
  for (size_t e = 0; e < dt_nexecutors; e++) {
    if (!dt_executor_samples(&dt_executors[e], i))
      continue;
    DtEmuInfo info;
    DtDiffs d;
    assert_true(dt_emu_run(&dt_executors[e], c, &emu, &info));
    if (dt_compare(c, nat, &emu, &d)) {
      bad++;
      if ((*printed)++ < limit) {
        fprintf(stderr, "mismatch [%s] %s:\n", dt_executors[e].name, c->desc);
        dt_print_case(stderr, c);
        dt_print_diffs(stderr, &d);
      }
    }
  }
  return bad;
}

/* A lane value of `bits` bits that tends to the edges: 0, 1, -1, the signed
 * limits and their neighbours, small shift counts, alternating bits, random. */
static inline uint64_t lane_edge(DtRng *r, unsigned bits) {
  uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, top = 1ull << (bits - 1);
  static const uint64_t small[] = {7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256};
  switch (dt_below(r, 12)) {
  case 0: return 0;
  case 1: return 1;
  case 2: return m;        /* -1 */
  case 3: return top - 1;  /* signed max */
  case 4: return top;      /* signed min */
  case 5: return top - 2;
  case 6: return top + 1;
  case 7: return m - 1;
  case 8: return small[dt_below(r, 16)] & m;
  case 9: return 0x5555555555555555ull & m;
  default: return dt_rand(r) & m;
  }
}

/* x87 push of v onto the input state (TOP moves down, the register is valid). */
static inline void push80(DtState *s, long double v) {
  s->ftop = (uint8_t)((s->ftop - 1) & 7);
  memcpy(&s->st[s->ftop].mant, &v, 8);
  memcpy(&s->st[s->ftop].sexp, (const uint8_t *)&v + 8, 2);
  s->ftag &= (uint8_t)~(1u << s->ftop);
}

#endif
