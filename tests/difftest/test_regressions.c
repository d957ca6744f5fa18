/* test_regressions.c — every mismatch the difftest found, kept as a fixed case:
 * the exact bytes and input that showed it, run natively and under every
 * executor, compared whole. A new find gets a row here with its fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dt_test.h"

typedef struct Regression {
  const char *what;
  uint8_t bytes[16];
  uint8_t len;
  uint64_t rsp, rbp, rcx, rsi, rdi, rax, rflags;
} Regression;

#define STACK(off) (DT_SCRATCH_BASE + (off))
static const Regression regressions[] = {
    /* enter 0x7fff, 0 with the final stack pointer unmapped: the CPU writes rbp,
     * then faults with rsp/rbp unchanged (lift_enter probed nothing). */
    {"enter, final rsp unmapped", {0xc8, 0xff, 0x7f, 0x00}, 4, .rsp = STACK(0x17c0),
     .rbp = 0x7cf256eab68517d9},
    /* pop [rbp-0xb] faulting: rsp must not move (lift_pop moved it first). */
    {"pop to faulting memory", {0x8f, 0x45, 0xf5}, 3, .rsp = STACK(0x1490), .rbp = STACK(0x3afd)},
    /* lock adc/sbb [mem], reg: raised SIGILL before lift_atomic's cas loop. */
    {"lock adc", {0xf0, 0x48, 0x11, 0x1e}, 4, .rsp = STACK(0x1000), .rsi = STACK(0x100),
     .rflags = 1},
    {"lock sbb", {0xf0, 0x48, 0x19, 0x1e}, 4, .rsp = STACK(0x1000), .rsi = STACK(0x100),
     .rflags = 1},
    /* rep movsb with 0x67: ecx/esi/edi zero-extend even for a zero count. */
    {"rep movsb addr32, count 0", {0x67, 0xf3, 0xa4}, 3, .rsp = STACK(0x1000),
     .rcx = 0xffffffff00000000ull, .rsi = 0xabcd000000000000ull | STACK(0x100),
     .rdi = 0x1234000000000000ull | STACK(0x200)},
    {"rep stosd addr32", {0x67, 0xf3, 0xab}, 3, .rsp = STACK(0x1000), .rcx = 0x5500000003ull,
     .rdi = 0x7700000000000000ull | STACK(0x200), .rax = 0x41424344},
};

static void test_regressions(void **state) {
  (void)state;
  unsigned bad = 0;
  for (size_t i = 0; i < sizeof regressions / sizeof regressions[0]; i++) {
    const Regression *r = &regressions[i];
    DtCase c;
    memset(&c, 0, sizeof c);
    memcpy(c.bytes, r->bytes, r->len);
    c.len = r->len;
    c.in.gpr[4] = r->rsp;
    c.in.gpr[5] = r->rbp;
    c.in.gpr[1] = r->rcx;
    c.in.gpr[6] = r->rsi;
    c.in.gpr[7] = r->rdi;
    c.in.gpr[0] = r->rax;
    c.in.rflags = r->rflags;
    c.in.mxcsr = 0x1f80;
    c.in.fcw = 0x37f;
    c.in.ftag = 0xff;
    for (unsigned k = 0; k < DT_SCRATCH_SIZE; k++)
      c.mem[k] = (uint8_t)(k * 13 + 5);
    assert_true(dt_decode_case(&c));
    DtOutcome nat, emu;
    dt_runner_run(runner, &c, &nat, 1);
    for (size_t e = 0; e < dt_nexecutors; e++) {
      DtEmuInfo info;
      assert_true(dt_emu_run(&dt_executors[e], &c, &emu, &info));
      DtDiffs d;
      if (dt_compare(&c, &nat, &emu, &d)) {
        print_error("regression '%s' under %s:\n", r->what, dt_executors[e].name);
        dt_print_diffs(stderr, &d);
        bad++;
      }
    }
  }
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_regressions)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
