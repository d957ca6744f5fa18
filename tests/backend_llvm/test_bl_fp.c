/* test_bl_fp.c — backend_llvm's floating point, bit for bit against the
 * interpreter on edge operands (tests/common/fp_edges.h): every FP op, type
 * and rounding mode; fma through the host's FMA3 (vfmadd213) when it has it. */
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
#include "fp_edges.h"

static BlCode code; /* the function fe_check compiled last */

static void compile_llvm(const IrFunc *fn) { code = blh_compile(fn); }
static IrExit run_llvm(const IrFunc *fn, TestCpu *cpu, TestMem *mem) {
  (void)fn;
  return blh_run_code(code, cpu, mem);
}
static const FeBackend llvm = {"llvm", compile_llvm, run_llvm};

static void test_arith(void **state) { assert_int_equal(fe_arith(&llvm), 0); }
static void test_unary(void **state) { assert_int_equal(fe_unary(&llvm), 0); }
static void test_fma(void **state) { assert_int_equal(fe_fma(&llvm), 0); }
static void test_compare(void **state) { assert_int_equal(fe_compare(&llvm), 0); }
static void test_convert(void **state) { assert_int_equal(fe_convert(&llvm), 0); }

int main(void) {
  blh_init();
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arith),   cmocka_unit_test(test_unary),
      cmocka_unit_test(test_fma),     cmocka_unit_test(test_compare),
      cmocka_unit_test(test_convert),
  };
  int failed = cmocka_run_group_tests_name("bl_fp", tests, NULL, NULL);
  blh_fini();
  return failed;
}
