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

static void run_case(void **state) {
  const Case *c = *state;
  if (!c->has_exit)
    fail_msg("%s (interp_cases.txt:%u): no '=>' line", c->name, c->line);
  IrFunc *fn = parse_case(c);
  TestCpu cpu = c->cpu_in;
  TestMem *mem = malloc(sizeof *mem);
  assert_non_null(mem);
  *mem = c->mem_in;
  IrExit got = blh_run(fn, &cpu, mem);
  bool ok = check_exit(c, got);
  ok = check_state(c, &cpu) && ok;
  ok = check_memory(c, mem) && ok;
  free(mem);
  ir_func_free(fn);
  if (!ok)
    fail_msg("%s (interp_cases.txt:%u) failed under backend_llvm", c->name, c->line);
}

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
