/* dt_test.h — the cmocka glue every targeted difftest shares: one native
 * runner (a forked child) for the whole group, made in setup, freed in teardown. */
#ifndef EMU_DT_TEST_H
#define EMU_DT_TEST_H

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

#endif
