/* test_bf_random.c — random IR functions (tests/common/ir_randgen.h: every op,
 * random operands, one block or a diamond) run on random guest states by the
 * interpreter and by backend_fast; exit, state and memory must agree. A
 * failure prints the seed and the function. */
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
#include "ir_randgen.h"
#include "backend_compare.h"

enum { NFUNCS = 1500, NSTATES = 3, NINSTS = 24 };

static uint32_t helpers[8], nhelpers;

/* The backend under test for bc_compare_once: ctx is the function. */
static IrExit run_fast(void *fn, TestCpu *cpu, TestMem *mem) { return harness_run(fn, cpu, mem); }

static void test_random_functions(void **state) {
  /* BF_SEED / BF_FUNCS / BF_INSTS explore beyond the fixed run. */
  uint64_t seed = getenv("BF_SEED") ? strtoull(getenv("BF_SEED"), NULL, 0) : 0x5eed;
  unsigned nfuncs = getenv("BF_FUNCS") ? (unsigned)atoi(getenv("BF_FUNCS")) : NFUNCS;
  unsigned ninsts = getenv("BF_INSTS") ? (unsigned)atoi(getenv("BF_INSTS")) : NINSTS;
  unsigned bad = 0, invalid = 0;
  for (unsigned f = 0; f < nfuncs && bad < 3; f++) {
    uint64_t fseed = seed;
    IrFunc *fn = irr_func(&seed, ninsts, helpers, nhelpers);
    if (getenv("BF_TRACE"))
      fprintf(stderr, "function %u seed %#llx\n", f, (unsigned long long)fseed);
    char err[256];
    if (!ir_validate(fn, err, sizeof err)) {
      if (invalid++ < 3)
        print_error("generator made invalid IR (seed %#llx): %s\n", (unsigned long long)fseed, err);
      ir_func_free(fn);
      continue;
    }
    IrRand g = {.s = fseed ^ 0xabcdef};
    for (unsigned k = 0; k < NSTATES; k++) {
      if (!bc_compare_once(fn, run_fast, (void *)fn, "fast", &g, fseed)) {
        char *text = ir_print(fn);
        print_error("%s\n", text);
        free(text);
        bad++;
        break;
      }
    }
    ir_func_free(fn);
  }
  assert_int_equal(invalid, 0);
  assert_int_equal(bad, 0);
}

/* Op by op: each op alone, many random instances, each run on a few states. */
static void test_each_op(void **state) {
  uint64_t seed = 0x0b0b;
  unsigned bad = 0;
  for (int op = 0; op < IR_OP__COUNT && bad < 3; op++) {
    if (ir_op_info[op].flags & IRF_TERM)
      continue;
    for (unsigned i = 0; i < 300 && bad < 3; i++) {
      uint64_t fseed = seed;
      IrFunc *fn = irr_op_func(&seed, (IrOp)op, helpers, nhelpers);
      char err[256];
      if (!ir_validate(fn, err, sizeof err))
        fail_msg("generator made invalid IR for %s: %s", ir_op_info[op].name, err);
      IrRand g = {.s = fseed};
      if (!bc_compare_once(fn, run_fast, (void *)fn, "fast", &g, fseed)) {
        char *text = ir_print(fn);
        print_error("op %s:\n%s\n", ir_op_info[op].name, text);
        free(text);
        bad++;
      }
      ir_func_free(fn);
    }
  }
  assert_int_equal(bad, 0);
}

int main(void) {
  register_helpers();
  static const char *names[] = {"t_sum3", "t_echo", "t_wide", "t_poke"};
  for (unsigned i = 0; i < 4; i++) {
    int h = ir_helper_find(names[i], strlen(names[i]));
    if (h >= 0)
      helpers[nhelpers++] = (uint32_t)h;
  }
  harness_init(NULL);
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_each_op),
      cmocka_unit_test(test_random_functions),
  };
  int failed = cmocka_run_group_tests_name("bf_random", tests, NULL, NULL);
  harness_fini();
  return failed;
}
