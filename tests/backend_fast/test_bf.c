/* test_bf.c — backend_fast against the reference interpreter, on every case of
 * the interpreter's corpus (tests/ir/interp_cases.txt): each case runs through
 * the runtime (emu_exec_func, tier EMU_TIER_FAST) and must end with the exit,
 * state and memory the case expects, which the interpreter's own test checks
 * too. One cmocka test per case. */
#define _GNU_SOURCE /* REG_RIP, REG_ERR (bf_harness.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp_cases.h"
#include "bf_harness.h"

static void run_case(void **state) { case_run_on(*state, harness_run, "backend_fast"); }

int main(void) {
  register_helpers();
  if (!load_cases(EMU_TEST_DATA "/../ir/interp_cases.txt")) {
    fprintf(stderr, "%s\n", load_error);
    return 1;
  }
  harness_init(NULL);
  struct CMUnitTest *tests = calloc(ncases, sizeof *tests);
  assert_non_null(tests);
  for (size_t i = 0; i < ncases; i++)
    tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, &cases[i]};
  int failed = _cmocka_run_group_tests("bf_cases", tests, ncases, NULL, NULL);
  harness_fini();
  for (size_t i = 0; i < ncases; i++)
    free(cases[i].ir);
  free(cases);
  free(tests);
  return failed;
}
