/* test_crash.c — the crash report (runtime/crash.c) on generated code: a crash
 * in a C helper called from a block, and a host fault in a block itself, each
 * in a forked child whose stderr the test reads. The report must name the block
 * frame by guest pc, unwind past it to the C code that entered the block, dump
 * the guest registers and exit with EMU_CRASH_EXIT; a fault inside the report
 * ends the child at once with the same status. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu.h"
#include "ir_copy.h"
#include "test_regfile.h"

static uint64_t crash_helper(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  emu_crash_report(0, NULL, NULL, "test: crash in a helper");
}

/* Block 0x1000 calls crash_helper from its second instruction; block 0x2000
 * loads from r0 (guest_base 0, no limit: a host fault) in its second. */
static const char *const block_text[] = {
    "func {\nb0:\n  insn 0x1000, 4\n  %c:i64 = const 5\n  set r1, %c\n"
    "  insn 0x1004, 4\n  %r:i64 = call crash_helper()\n  set r2, %r\n  exit 0x1008\n}\n",
    "func {\nb0:\n  insn 0x2000, 4\n  %a:i64 = get r0\n"
    "  insn 0x2004, 4\n  %v:i64 = load %a\n  set r2, %v\n  exit 0x2008\n}\n",
};

static void crash_translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info) {
  char err[128];
  IrFunc *parsed = ir_parse(block_text[pc == 0x2000], &test_regfile, err, sizeof err);
  if (!parsed) {
    fprintf(stderr, "crash frontend: %s\n", err);
    abort();
  }
  test_ir_copy_into(fn, parsed);
  ir_func_free(parsed);
  fn->entry = pc;
  *info = (IrBlockInfo){pc, 8, 2};
}

static const IrFrontend crash_frontend = {.name = "crashtest", .rf = &test_regfile, .pc_slot = T_PC,
                                          .max_insn_bytes = 16, .translate = crash_translate};

static void on_fault(int sig, siginfo_t *si, void *uc) { emu_crash_report(sig, si, uc, NULL); }

static volatile uintptr_t bad_addr = 8; /* page 0: never mapped */

/* Not instrumented: the fault must be the hardware's, not a sanitizer report. */
__attribute__((no_sanitize("address", "undefined"))) static bool bad_namer(EmuEngine *e,
                                                                           uintptr_t host_pc,
                                                                           EmuCrashName *out) {
  return *(volatile int *)bad_addr;
}

/* In the child: run the block at pc; the report exits. Noinline: a frame the
 * backtrace must reach through the trampoline. */
__attribute__((noinline)) static void child_run(uint64_t pc, bool with_bad_namer) {
  struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER};
  sigaction(SIGSEGV, &sa, NULL);
  emu_crash_init("crashtest");
  if (with_bad_namer)
    emu_crash_add_namer(bad_namer);
  EmuEngineConfig cfg = {.frontend = &crash_frontend, .tier = EMU_TIER_FAST};
  EmuEngine *e = emu_engine_new(&cfg);
  EmuCpu *cpu = e ? emu_cpu_new(e, NULL) : NULL;
  if (!cpu)
    _exit(2);
  TestCpu *s = emu_guest(cpu);
  memset(s, 0, sizeof *s);
  s->r[0] = 0x10;
  s->r[7] = 0x7777;
  emu_cpu_set_pc(cpu, pc);
  emu_exec(cpu);
  _exit(3); /* the block came back: no crash */
}

/* Fork, run the block at pc in the child, return its stderr (static buffer)
 * and exit status. */
static const char *run_crash(uint64_t pc, bool with_bad_namer, int *status) {
  static char buf[16384];
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    child_run(pc, with_bad_namer);
  }
  close(fds[1]);
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf - 1 && (r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
    n += (size_t)r;
  buf[n] = 0;
  close(fds[0]);
  assert_int_equal(waitpid(pid, status, 0), pid);
  return buf;
}

static void expect(const char *out, const char *needle) {
  if (!strstr(out, needle)) {
    fprintf(stderr, "missing \"%s\" in the report:\n%s", needle, out);
    fail();
  }
}

/* The frame line (a "#N " line) that contains needle; its frame number. */
static int frame_of(const char *out, const char *needle) {
  for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    const char *end = strchr(l, '\n');
    size_t len = end ? (size_t)(end - l) : strlen(l);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)len, l);
    int n;
    if (sscanf(line, "  #%d ", &n) == 1 && strstr(line, needle))
      return n;
  }
  return -1;
}

static void expect_common(const char *out, int status) {
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), EMU_CRASH_EXIT);
  expect(out, "crashtest: host backtrace:\n");
  expect(out, "crashtest: guest registers (test, as last stored by guest code):\n");
  expect(out, "r0  0x0000000000000010");
  expect(out, "r7  0x0000000000007777");
  expect(out, "crashtest: exiting with status 70");
}

/* A helper called from generated code crashes: the helper's frame, then the
 * block's named by the guest pc of the call, then the C code that ran it. */
static void test_crash_in_helper(void **unused) {
  int status;
  const char *out = run_crash(0x1000, false, &status);
  expect_common(out, status);
  expect(out, "crashtest: internal error: test: crash in a helper while running guest code at 0x1000\n");
  int helper = frame_of(out, "crash_helper+");
  int block = frame_of(out, "[guest 0x1004 in fast block 0x1000]");
  int runner = frame_of(out, "child_run+");
  if (helper < 0 || block != helper + 1 || runner <= block) {
    fprintf(stderr, "frames out of order (%d %d %d):\n%s", helper, block, runner, out);
    fail();
  }
  assert_true(frame_of(out, "emu_exec+") > block);
  assert_null(strstr(out, "scanning the stack"));
}

/* A host fault in generated code itself: the top frame is the block's. */
static void test_crash_in_generated_code(void **unused) {
  int status;
  const char *out = run_crash(0x2000, false, &status);
  expect_common(out, status);
  expect(out, "crashtest: internal error: SIGSEGV at host pc 0x");
  expect(out, "(fault address 0x10) while running guest code at 0x2004\n");
  assert_int_equal(frame_of(out, "[guest 0x2004 in fast block 0x2000]"), 0);
  assert_true(frame_of(out, "child_run+") > 0);
}

/* A fault while reporting: one more line, same status, no loop. */
static void test_crash_in_report(void **unused) {
  int status;
  const char *out = run_crash(0x1000, true, &status);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), EMU_CRASH_EXIT);
  expect(out, "crashtest: internal error: test: crash in a helper");
  expect(out, "crashtest: internal error: crashed again while writing the crash report\n");
}

int main(void) {
  ir_helper_register(&(IrHelper){"crash_helper", crash_helper, 0, IR_T_i64, 0});
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crash_in_helper),
      cmocka_unit_test(test_crash_in_generated_code),
      cmocka_unit_test(test_crash_in_report),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
