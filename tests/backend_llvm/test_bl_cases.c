/* test_bl_cases.c — backend_llvm against the reference interpreter's corpus
 * (tests/ir/interp_cases.txt): every case compiled by bl_compile and run on a
 * BlJit (bl_harness.h) must end with the exit, state and memory the case
 * expects, which the interpreter's own test checks too. One cmocka test per
 * case. */
#define _GNU_SOURCE /* REG_RIP, REG_ERR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp_cases.h"
#include "bl_harness.h"

static void run_case(void **state) { case_run_on(*state, blh_run, "backend_llvm"); }

int main(void) {
  register_helpers();
  if (!load_cases(EMU_TEST_DATA "/../ir/interp_cases.txt")) {
    fprintf(stderr, "%s\n", load_error);
    return 1;
  }
  blh_init();
  struct CMUnitTest *tests = calloc(ncases, sizeof *tests);
  assert_non_null(tests);
  for (size_t i = 0; i < ncases; i++)
    tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, &cases[i]};
  int failed = _cmocka_run_group_tests("bl_cases", tests, ncases, NULL, NULL);
  blh_fini();
  for (size_t i = 0; i < ncases; i++)
    free(cases[i].ir);
  free(cases);
  free(tests);
  return failed;
}
