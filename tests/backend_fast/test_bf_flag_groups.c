/* test_bf_flag_groups.c — flag ops that backend_fast answers with one host op
 * and a setcc each (bf_flag_groups.c): the shapes the x86 and AArch64
 * frontends emit (sub/add/logic results with CF OF SF ZF PF, sets of the flag
 * slots moved up to their flag, a set of the same slot in between, a branch on
 * a flag, a 3-operand add that is no group) at every width, run by the
 * interpreter and by backend_fast on edge values and random states; every
 * slot must agree. */
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

/* %W is the width's type, %R its source slot (r0, r1 truncated to it). */
static const char *const shapes[] = {
    /* x86 cmp/sub: CF OF SZP of a - b, AF in between, sets right after each. */
    "  %1:i64 = get r0\n  %2:i64 = get r1\n  %3:W = trunc %1\n  %4:W = trunc %2\n"
    "  %5:W = sub %3, %4\n  %6:i1 = const 0x0\n  %7:i1 = cmp.ult %3, %4\n  set cf, %7\n"
    "  %8:i1 = subof %3, %4, %6\n  set of, %8\n  %9:W = xor %3, %4\n  %10:W = xor %9, %5\n"
    "  %11:W = extract %10, 4, 1\n  %12:i1 = trunc %11\n  set af, %12\n  %13:W = const 0x0\n"
    "  %14:i1 = cmp.slt %5, %13\n  set sf, %14\n  %15:i1 = cmp.eq %3, %4\n  set zf, %15\n"
    "  %16:i1 = parity %5\n  set pf, %16\n  %17:i64 = zext %5\n  set r2, %17\n"
    "  %18:i1 = cmp.ne %3, %4\n  br %18, b1, b2\nb1:\n  exit 0x1000\nb2:\n  exit 0x2000\n",
    /* add: CF OF from addcf/addof, SZP of the sum; flags also used in the block. */
    "  %1:i64 = get r0\n  %2:i64 = get r1\n  %3:W = trunc %1\n  %4:W = trunc %2\n"
    "  %5:W = add %3, %4\n  %6:i1 = const 0x0\n  %7:i1 = addcf %3, %4, %6\n  set cf, %7\n"
    "  %8:i1 = addof %3, %4, %6\n  set of, %8\n  %13:W = const 0x0\n"
    "  %14:i1 = cmp.slt %5, %13\n  set sf, %14\n  %15:i1 = cmp.eq %5, %13\n  set zf, %15\n"
    "  %16:i1 = parity %5\n  set pf, %16\n  %17:i1 = xor %14, %8\n  %18:i64 = zext %17\n"
    "  set r3, %18\n  %19:i1 = or %7, %15\n  set af, %19\n  exit 0x1000\n",
    /* logic: SZP of a ^ b against 0; sge and a compare ugt 0 in the group. */
    "  %1:i64 = get r0\n  %2:i64 = get r1\n  %3:W = trunc %1\n  %4:W = trunc %2\n"
    "  %5:W = xor %3, %4\n  %13:W = const 0x0\n  %14:i1 = cmp.sge %5, %13\n  set sf, %14\n"
    "  %15:i1 = cmp.ne %5, %13\n  set zf, %15\n  %16:i1 = parity %5\n  set pf, %16\n"
    "  %17:i1 = cmp.ugt %5, %13\n  set cf, %17\n  exit 0x1000\n",
    /* A set of the same slot between a flag and its set: that set stays. */
    "  %1:i64 = get r0\n  %2:i64 = get r1\n  %3:W = trunc %1\n  %4:W = trunc %2\n"
    "  %6:i1 = const 0x0\n  %7:i1 = subcf %3, %4, %6\n  %8:i1 = subof %3, %4, %6\n"
    "  %9:i1 = cmp.sle %3, %4\n  set cf, %9\n  set cf, %7\n  set of, %8\n"
    "  %10:i1 = cmp.sgt %3, %4\n  set zf, %10\n  exit 0x1000\n",
    /* A carry in: no group; its flags come out of adc as before. */
    "  %1:i64 = get r0\n  %2:i64 = get r1\n  %3:W = trunc %1\n  %4:W = trunc %2\n"
    "  %6:i1 = get cf\n  %7:i1 = addcf %3, %4, %6\n  %8:i1 = addof %3, %4, %6\n"
    "  set cf, %7\n  set of, %8\n  %9:i1 = subcf %3, %4, %6\n  %10:i1 = subof %3, %4, %6\n"
    "  set sf, %9\n  set zf, %10\n  exit 0x1000\n",
};

static const char *const widths[] = {"i8", "i16", "i32", "i64"};

/* The shape with W replaced by the width and wrapped as a function. */
static IrFunc *make(const char *shape, const char *w) {
  char text[4096] = "func entry=0x100 {\nb0:\n";
  size_t n = strlen(text);
  for (const char *p = shape; *p && n + 8 < sizeof text; p++) {
    if (*p == 'W' && p > shape && p[-1] == ':') {
      n += (size_t)snprintf(text + n, sizeof text - n, "%s", w);
      continue;
    }
    text[n++] = *p;
  }
  snprintf(text + n, sizeof text - n, "}\n");
  char err[256];
  IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("%s: %s\n%s", w, err, text);
  return fn;
}

static IrExit run_fast(void *fn, TestCpu *cpu, TestMem *mem) { return harness_run(fn, cpu, mem); }

/* Interpreter and backend_fast from one state: exit and every slot agree. */
static bool same_run(const IrFunc *fn, const TestCpu *in) {
  static TestMem ma, mb;
  TestCpu a = *in, b = *in;
  IrMemOps ops = {&ma, mem_load, mem_store, mem_atomic};
  IrExit xa = ir_interp(fn, &a, &ops);
  IrExit xb = harness_run(fn, &b, &mb);
  bool ok = bc_same_exit(xa, xb);
  for (uint32_t i = 0; i < test_regfile.count; i++) {
    const IrReg *reg = &test_regfile.regs[i];
    if (memcmp((uint8_t *)&a + reg->offset, (uint8_t *)&b + reg->offset,
               ir_type_info[reg->type].bytes) != 0) {
      print_error("r0=%#llx r1=%#llx: %s differs\n", (unsigned long long)in->r[0],
                  (unsigned long long)in->r[1], reg->name);
      ok = false;
    }
  }
  return ok;
}

/* Operands at every width's edges: 0, 1, -1, the sign bit and its neighbours. */
static const uint64_t edges[] = {0,          1,          0x7f,       0x80,       0xff,
                                 0x7fff,     0x8000,     0xffff,     0x7fffffff, 0x80000000,
                                 0xffffffff, 0x0f,       0x10,       0x8000000000000000ull,
                                 0x7fffffffffffffffull,  UINT64_MAX, 0x123456789abcdef0ull};
enum { NEDGES = sizeof edges / sizeof edges[0], NRANDOM = 200 };

static void test_shapes(void **unused) {
  unsigned bad = 0;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (size_t w = 0; w < 4; w++) {
      IrFunc *fn = make(shapes[s], widths[w]);
      IrRand g = {.s = 0xf1a9 + s * 4 + w};
      for (unsigned i = 0; i < NEDGES * NEDGES && bad < 5; i++) {
        TestCpu in;
        irr_state(&g, &in);
        in.r[0] = edges[i / NEDGES], in.r[1] = edges[i % NEDGES];
        bad += !same_run(fn, &in);
      }
      for (unsigned k = 0; k < NRANDOM && bad < 5; k++)
        bad += !bc_compare_once(fn, run_fast, (void *)fn, "fast", &g, g.s);
      if (bad)
        print_error("shape %zu at %s\n", s, widths[w]);
      ir_func_free(fn);
      assert_int_equal(bad, 0);
    }
}

int main(void) {
  harness_init(NULL);
  static const struct CMUnitTest tests[] = {cmocka_unit_test(test_shapes)};
  int failed = cmocka_run_group_tests_name("bf_flag_groups", tests, NULL, NULL);
  harness_fini();
  return failed;
}
