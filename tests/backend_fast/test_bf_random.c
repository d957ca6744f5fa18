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

enum { NFUNCS = 1500, NSTATES = 3, NINSTS = 24 };

static uint32_t helpers[8], nhelpers;

static bool same_exit(IrExit a, IrExit b) {
  if (a.kind != b.kind || a.pc != b.pc)
    return false;
  return a.kind != IR_EXIT_EXCEPTION ||
         (a.exc == b.exc && a.addr == b.addr && a.is_write == b.is_write);
}

static void show_exit(const char *who, IrExit x) {
  print_error("  %s: kind %d exc %s pc %#llx addr %#llx%s\n", who, x.kind,
              x.kind == IR_EXIT_EXCEPTION ? ir_exc_name[x.exc] : "-", (unsigned long long)x.pc,
              (unsigned long long)x.addr, x.is_write ? " write" : "");
}

/* Runs fn from one random state both ways; false (with a report) if they differ. */
static bool compare_once(const IrFunc *fn, IrRand *g, uint64_t seed) {
  TestCpu in, a, b;
  irr_state(g, &in);
  static TestMem mem_in, ma, mb;
  for (unsigned i = 0; i < MEM_SIZE; i++)
    mem_in.bytes[i] = (uint8_t)irr_next(g);
  a = b = in;
  ma = mb = mem_in;
  IrMemOps ops = {&ma, mem_load, mem_store, mem_atomic};
  IrExit xa = ir_interp(fn, &a, &ops);
  IrExit xb = harness_run(fn, &b, &mb);
  bool ok = same_exit(xa, xb);
  if (!ok) {
    print_error("seed %#llx: exits differ\n", (unsigned long long)seed);
    show_exit("interp", xa);
    show_exit("fast", xb);
  }
  for (uint32_t i = 0; i < test_regfile.count; i++) {
    const IrReg *reg = &test_regfile.regs[i];
    unsigned n = ir_type_info[reg->type].bytes;
    if (memcmp((uint8_t *)&a + reg->offset, (uint8_t *)&b + reg->offset, n) != 0) {
      char sa[40], sb[40];
      hex_bytes(sa, sizeof sa, (uint8_t *)&a + reg->offset, n);
      hex_bytes(sb, sizeof sb, (uint8_t *)&b + reg->offset, n);
      print_error("seed %#llx: %s = %s (interp), %s (fast)\n", (unsigned long long)seed, reg->name,
                  sa, sb);
      ok = false;
    }
  }
  if (memcmp(&ma, &mb, sizeof ma) != 0) {
    print_error("seed %#llx: memory differs\n", (unsigned long long)seed);
    ok = false;
  }
  return ok;
}

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
      if (!compare_once(fn, &g, fseed)) {
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
      if (!compare_once(fn, &g, fseed)) {
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
