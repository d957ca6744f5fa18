/* test_bf_fp.c — backend_fast's floating point, bit for bit against the
 * interpreter on edge operands (tests/common/fp_edges.h): every FP op, type
 * and rounding mode. fma twice: through FMA3's vfmadd213 (when the host has
 * it) and through the ir_eval fallback that hosts without FMA3 take. */
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
#include "bf_int.h"
#include "fp_edges.h"

static void compile_none(const IrFunc *fn) { (void)fn; } /* harness_run translates */
static const FeBackend fast = {"fast", compile_none, harness_run};

static void test_arith(void **state) { assert_int_equal(fe_arith(&fast), 0); }
static void test_unary(void **state) { assert_int_equal(fe_unary(&fast), 0); }
static void test_compare(void **state) { assert_int_equal(fe_compare(&fast), 0); }
static void test_convert(void **state) { assert_int_equal(fe_convert(&fast), 0); }

static void test_fma(void **state) {
  if (!bf_host.fma)
    print_message("host without FMA3: fma is only checked through ir_eval\n");
  assert_int_equal(fe_fma(&fast), 0);
}

static void test_fma_without_fma3(void **state) {
  bool had = bf_host.fma;
  bf_host.fma = false;
  unsigned bad = fe_fma(&fast);
  bf_host.fma = had;
  assert_int_equal(bad, 0);
}

int main(void) {
  harness_init(NULL);
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arith),   cmocka_unit_test(test_unary),
      cmocka_unit_test(test_fma),     cmocka_unit_test(test_fma_without_fma3),
      cmocka_unit_test(test_compare), cmocka_unit_test(test_convert),
  };
  int failed = cmocka_run_group_tests_name("bf_fp", tests, NULL, NULL);
  harness_fini();
  return failed;
}
