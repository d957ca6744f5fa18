/* test_bl_ctrl.c — backend_llvm's control flow, exits, guest memory, precise
 * state and helper calls, against what bl.h promises: loops (and their
 * exit_request check on back edges), every exit kind with its pc and
 * exception fields, the bounds and alignment checks, unaligned accesses,
 * atomics, the pc slot and earlier slot writes being in the cpu struct when a
 * guest access faults in hardware (caught with bl_owns_code + siglongjmp, as
 * the runtime does), helpers called by name, bl_owns_code, stats and dumps,
 * and the compile cost per IR instruction. */
#define _GNU_SOURCE /* REG_RIP, REG_ERR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <cmocka.h>

#include "interp_cases.h"
#include "bl_harness.h"
#include "ir_randgen.h"

static IrFunc *parse(const char *text) {
  char err[256];
  IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("parse: %s", err);
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("invalid: %s", err);
  return fn;
}

static TestMem mem;

/* Runs fn compiled and interpreted from cpu; both must agree; returns the
 * compiled run's exit and state in *cpu. */
static IrExit run_both(IrFunc *fn, TestCpu *cpu) {
  TestCpu a = *cpu;
  static TestMem ma;
  ma = mem;
  IrMemOps ops = {&ma, mem_load, mem_store, mem_atomic};
  IrExit xa = ir_interp(fn, &a, &ops);
  IrExit xb = blh_run(fn, cpu, &mem);
  assert_int_equal(xa.kind, xb.kind);
  assert_int_equal(xa.pc, xb.pc);
  if (xa.kind == IR_EXIT_EXCEPTION) {
    assert_int_equal(xa.exc, xb.exc);
    assert_int_equal(xa.addr, xb.addr);
    assert_int_equal(xa.is_write, xb.is_write);
  }
  assert_memory_equal(&a, cpu, sizeof a);
  assert_memory_equal(&ma, &mem, sizeof mem);
  return xb;
}

/* -- Loops -------------------------------------------------------------------- */

/* r1 = sum of i*i for i < r0, the loop head at a guest instruction boundary. */
static const char *loop_text =
    "func {\n"
    "b0:\n"
    "  insn 0x100, 4\n"
    "  %z:i64 = const 0\n"
    "  set r1, %z\n"
    "  set r2, %z\n"
    "  jmp b1\n"
    "b1:\n"
    "  insn 0x104, 4\n"
    "  %i:i64 = get r2\n"
    "  %n:i64 = get r0\n"
    "  %done:i1 = cmp.uge %i, %n\n"
    "  br %done, b3, b2\n"
    "b2:\n"
    "  %s:i64 = get r1\n"
    "  %sq:i64 = mul %i, %i\n"
    "  %s2:i64 = add %s, %sq\n"
    "  set r1, %s2\n"
    "  %one:i64 = const 1\n"
    "  %i2:i64 = add %i, %one\n"
    "  set r2, %i2\n"
    "  jmp b1\n"
    "b3:\n"
    "  exit 0x200\n"
    "}\n";

static void test_loop_sum(void **state) {
  IrFunc *fn = parse(loop_text);
  static const uint64_t ns[] = {0, 1, 2, 10, 1000, 100000};
  for (unsigned k = 0; k < sizeof ns / sizeof ns[0]; k++) {
    TestCpu cpu = {0};
    cpu.r[0] = ns[k];
    IrExit x = run_both(fn, &cpu);
    assert_int_equal(x.kind, IR_EXIT_JUMP);
    assert_int_equal(x.pc, 0x200);
    uint64_t want = 0;
    for (uint64_t i = 0; i < ns[k]; i++)
      want += i * i;
    assert_int_equal(cpu.r[1], want);
  }
  ir_func_free(fn);
}

/* With exit_request set, the first back edge leaves with the loop head's pc:
 * one iteration ran, its state is stored, and running on from there ends the
 * loop with the right sum. */
static void test_exit_request(void **state) {
  IrFunc *fn = parse(loop_text);
  BlCode code = blh_compile(fn);
  TestCpu cpu = {0};
  cpu.r[0] = 50;
  blh.host.exit_request = 1;
  IrExit x = blh_run_code(code, &cpu, &mem);
  blh.host.exit_request = 0;
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, 0x104);
  assert_int_equal(cpu.r[2], 1); /* one iteration */
  assert_int_equal(cpu.r[1], 0);
  /* Forward edges never check: a function without a loop runs to its exit. */
  IrFunc *straight = parse("func {\nb0:\n  insn 0x10, 1\n  jmp b1\nb1:\n  insn 0x11, 1\n"
                           "  exit 0x99\n}\n");
  blh.host.exit_request = 1;
  x = blh_run(straight, &cpu, &mem);
  blh.host.exit_request = 0;
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, 0x99);
  ir_func_free(straight);
  ir_func_free(fn);
}

/* -- Exits ---------------------------------------------------------------------- */

static void test_exits(void **state) {
  TestCpu cpu = {0};
  cpu.r[0] = 0x123456789abcull;
  IrFunc *fn = parse("func {\nb0:\n  insn 0x40, 2\n  exit 0x4242\n}\n");
  IrExit x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, 0x4242);
  ir_func_free(fn);
  fn = parse("func {\nb0:\n  %v:i64 = get r0\n  exiti %v\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, 0x123456789abcull);
  ir_func_free(fn);
  fn = parse("func {\nb0:\n  insn 0x50, 2\n  syscall 0x52\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_SYSCALL);
  assert_int_equal(x.pc, 0x52);
  ir_func_free(fn);
  /* raise: the pc of the marker in effect, carried into a block that has none
   * (through either predecessor), and the argument. */
  fn = parse("func {\nb0:\n  insn 0x60, 2\n  %v:i64 = get r0\n  %z:i64 = const 0\n"
             "  %c:i1 = cmp.eq %v, %z\n  br %c, b1, b2\nb1:\n  insn 0x70, 2\n  jmp b3\n"
             "b2:\n  jmp b3\nb3:\n  raise.trap %v\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_trap);
  assert_int_equal(x.pc, 0x60);
  assert_int_equal(x.addr, 0x123456789abcull);
  cpu.r[0] = 0;
  x = run_both(fn, &cpu);
  assert_int_equal(x.pc, 0x70);
  assert_int_equal(x.addr, 0);
  ir_func_free(fn);
  /* No marker at all: pc 0. Division by zero raises divide at the marker. */
  fn = parse("func {\nb0:\n  %z:i64 = const 7\n  raise.breakpt %z\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.pc, 0);
  assert_int_equal(x.exc, IR_EXC_breakpt);
  ir_func_free(fn);
  fn = parse("func {\nb0:\n  insn 0x80, 3\n  %a:i32 = get w0\n  %b:i32 = const 0\n"
             "  %q:i32 = udiv.trap %a, %b\n  set w0, %q\n  exit 0x83\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_divide);
  assert_int_equal(x.pc, 0x80);
  ir_func_free(fn);
}

/* -- Guest memory ----------------------------------------------------------------- */

static void test_memory_checks(void **state) {
  TestCpu cpu = {0};
  memset(&mem, 0, sizeof mem);
  for (unsigned i = 0; i < 32; i++)
    mem.bytes[i] = (uint8_t)(0x10 + i);
  /* Unaligned loads and a 16-byte store at an odd address work. */
  IrFunc *fn = parse("func {\nb0:\n  insn 0x10, 4\n  %p:i64 = const 0x10001\n"
                     "  %v:i64 = load %p\n  set r0, %v\n  %q:i64 = const 0x10003\n"
                     "  %w:v16i8 = get v0\n  store %q, %w\n  %h:i16 = load %q\n"
                     "  %hz:i64 = zext %h\n  set r1, %hz\n  exit 0x14\n}\n");
  for (unsigned i = 0; i < 16; i++)
    cpu.v[0][i] = (uint8_t)(0xa0 + i);
  IrExit x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(cpu.r[0], 0x1817161514131211ull);
  assert_int_equal(cpu.r[1], 0xa1a0);
  ir_func_free(fn);
  /* Past the limit: fault with the address, at the second instruction, read
   * or write; the whole access must fit (the last 8 bytes fit, 1 more not). */
  static const char *const over[] = {
      "func {\nb0:\n  insn 0x10, 4\n  %p:i64 = const 0x10ff8\n  %v:i64 = load %p\n"
      "  insn 0x14, 4\n  %q:i64 = const 0x10ff9\n  %w:i64 = load %q\n  set r0, %w\n  exit 0x18\n}\n",
      "func {\nb0:\n  insn 0x10, 4\n  %p:i64 = const 0x10ff8\n  %v:i64 = load %p\n"
      "  insn 0x14, 4\n  %q:i64 = const 0x10ff9\n  store %q, %v\n  exit 0x18\n}\n",
      "func {\nb0:\n  insn 0x10, 4\n  %p:i64 = const 0x10ff8\n  %v:i64 = load %p\n"
      "  insn 0x14, 4\n  %q:i64 = const -8\n  %o:i64 = armw.add %q, %v\n  exit 0x18\n}\n"};
  static const uint64_t addr[] = {0x10ff9, 0x10ff9, (uint64_t)-8};
  for (unsigned k = 0; k < 3; k++) {
    fn = parse(over[k]);
    x = run_both(fn, &cpu);
    assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
    assert_int_equal(x.exc, IR_EXC_fault);
    assert_int_equal(x.pc, 0x14);
    assert_int_equal(x.addr, addr[k]);
    assert_int_equal(x.is_write, k > 0);
    ir_func_free(fn);
  }
  /* An atomic add of a known 0 still faults as a write (LLVM would make it a
   * fenced plain load), like every atomic. */
  fn = parse("func {\nb0:\n  insn 0x20, 4\n  %p:i64 = const 0x7a98\n  %z:i32 = const 0\n"
             "  %o:i32 = armw.add %p, %z\n  set w0, %o\n  exit 0x24\n}\n");
  x = run_both(fn, &cpu);
  assert_true(blh.faulted);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, 0x7a98);
  assert_true(x.is_write);
  ir_func_free(fn);
  /* Alignment: only with the flag; cas too. */
  fn = parse("func {\nb0:\n  insn 0x20, 4\n  %p:i64 = const 0x10002\n  %v:i32 = load.align %p\n"
             "  exit 0x24\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, 0x10002);
  ir_func_free(fn);
  fn = parse("func {\nb0:\n  insn 0x20, 4\n  %p:i64 = const 0x10004\n  %e:i16 = const 0\n"
             "  %o:i16 = cas.align %p, %e, %e\n  %q:i64 = const 0x10006\n"
             "  %e2:i64 = const 0\n  %o2:i64 = cas.align %q, %e2, %e2\n  exit 0x24\n}\n");
  x = run_both(fn, &cpu);
  assert_int_equal(x.exc, IR_EXC_fault);
  assert_int_equal(x.addr, 0x10006);
  assert_true(x.is_write);
  ir_func_free(fn);
}

/* cas: the old value either way, the store only on a match; armw kinds. */
static void test_atomics(void **state) {
  TestCpu cpu = {0};
  memset(&mem, 0, sizeof mem);
  uint64_t init = 0x8000000000000005ull;
  memcpy(mem.bytes + 8, &init, 8);
  IrFunc *fn = parse("func {\nb0:\n  insn 0x30, 4\n  %p:i64 = const 0x10008\n"
                     "  %bad:i64 = const 4\n  %new:i64 = const 9\n"
                     "  %o1:i64 = cas %p, %bad, %new\n  set r0, %o1\n"
                     "  %o2:i64 = cas %p, %o1, %new\n  set r1, %o2\n"
                     "  %m:i64 = const -3\n  %o3:i64 = armw.smin %p, %m\n  set r2, %o3\n"
                     "  %o4:i64 = armw.umax %p, %new\n  set r3, %o4\n"
                     "  %o5:i64 = armw.xor %p, %new\n  set r4, %o5\n"
                     "  %o6:i64 = armw.xchg %p, %m\n  set r5, %o6\n  exit 0x34\n}\n");
  IrExit x = run_both(fn, &cpu);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(cpu.r[0], init);
  assert_int_equal(cpu.r[1], init);
  assert_int_equal(cpu.r[2], 9);
  assert_int_equal(cpu.r[3], (uint64_t)-3);
  assert_int_equal(cpu.r[4], (uint64_t)-3);
  assert_int_equal(cpu.r[5], (uint64_t)-3 ^ 9);
  ir_func_free(fn);
}

/* -- Precise state at a host fault ------------------------------------------------ */

/* Guest [0, MEM_BASE) is PROT_NONE: the load faults in hardware. Every set
 * before it and the faulting instruction's pc must be in the struct. */
static void test_precise_state(void **state) {
  TestCpu cpu = {0};
  memset(&mem, 0, sizeof mem);
  mem.bytes[0] = 0x5a;
  IrFunc *fn = parse("func {\nb0:\n  insn 0x10, 4\n  %k:i64 = const 0x1111\n  set r0, %k\n"
                     "  %p:i64 = const 0x10000\n  %v:i8 = load %p\n  %vz:i64 = zext %v\n"
                     "  set r1, %vz\n  insn 0x14, 4\n  %k2:i64 = const 0x2222\n  set r2, %k2\n"
                     "  %r0:i64 = get r0\n  %one:i64 = const 1\n  %r3:i64 = add %r0, %one\n"
                     "  set r3, %r3\n  %f:i1 = const 1\n  set cf, %f\n  %bad:i64 = const 0x100\n"
                     "  %x:i64 = load %bad\n  set r4, %x\n  insn 0x18, 4\n  set r5, %k\n"
                     "  exit 0x1c\n}\n");
  IrExit x = run_both(fn, &cpu);
  assert_true(blh.faulted);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(blh.host.pc_slot, 0x14);
  assert_int_equal(x.addr, 0x100);
  assert_false(x.is_write);
  assert_int_equal(cpu.r[0], 0x1111);
  assert_int_equal(cpu.r[1], 0x5a);
  assert_int_equal(cpu.r[2], 0x2222);
  assert_int_equal(cpu.r[3], 0x1112);
  assert_int_equal(cpu.cf, 1);
  assert_int_equal(cpu.r[4], 0);
  assert_int_equal(cpu.r[5], 0);
  ir_func_free(fn);
}

/* In a loop: the counter slot is written every iteration and the address
 * walks down into the unmapped page; LLVM must not sink the slot stores out
 * of the loop past the faulting load. The fault is a write for an atomic. */
static void test_precise_state_loop(void **state) {
  static const char *const text[] = {
      "func {\nb0:\n  insn 0x100, 4\n  %z:i64 = const 0\n  set r0, %z\n  jmp b1\n"
      "b1:\n  insn 0x104, 4\n  %i:i64 = get r0\n  %one:i64 = const 1\n  %i2:i64 = add %i, %one\n"
      "  set r0, %i2\n  %s:i64 = get r1\n  %s2:i64 = add %s, %i\n  set r1, %s2\n"
      "  insn 0x108, 4\n  %eight:i64 = const 8\n  %off:i64 = mul %i, %eight\n"
      "  %top:i64 = const 0x10018\n  %a:i64 = sub %top, %off\n  %v:i64 = load %a\n"
      "  %acc:i64 = get r2\n  %acc2:i64 = add %acc, %v\n  set r2, %acc2\n  jmp b1\n}\n",
      "func {\nb0:\n  insn 0x100, 4\n  %z:i64 = const 0\n  set r0, %z\n  jmp b1\n"
      "b1:\n  insn 0x104, 4\n  %i:i64 = get r0\n  %one:i64 = const 1\n  %i2:i64 = add %i, %one\n"
      "  set r0, %i2\n  insn 0x108, 4\n  %eight:i64 = const 8\n  %off:i64 = mul %i, %eight\n"
      "  %top:i64 = const 0x10018\n  %a:i64 = sub %top, %off\n  %v:i64 = armw.add %a, %one\n"
      "  jmp b1\n}\n"};
  for (unsigned k = 0; k < 2; k++) {
    TestCpu cpu = {0};
    memset(&mem, 0, sizeof mem);
    IrFunc *fn = parse(text[k]);
    IrExit x = run_both(fn, &cpu);
    assert_true(blh.faulted);
    assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
    assert_int_equal(blh.host.pc_slot, 0x108);
    assert_int_equal(x.addr, MEM_BASE - 8);
    assert_int_equal(x.is_write, k == 1);
    assert_int_equal(cpu.r[0], 5); /* iterations 0..4 stored their counter */
    if (k == 0)
      assert_int_equal(cpu.r[1], 0 + 1 + 2 + 3 + 4);
    ir_func_free(fn);
  }
}

static char *captured;
static void capture(const char *text) {
  size_t n = captured ? strlen(captured) : 0, m = strlen(text);
  captured = realloc(captured, n + m + 1);
  memcpy(captured + n, text, m + 1);
}

/* The optimised IR: the state barrier is there, and a slot read after it is
 * forwarded from the set before it (no reload of r0: offset 0 from cpu). */
static void test_barrier_ir(void **state) {
  BlConfig cfg = blh_config();
  cfg.log = capture, cfg.dump_ir = true, cfg.dump_asm = true;
  char err[256];
  BlJit *j = bl_jit_new(&cfg, err, sizeof err);
  assert_non_null(j);
  IrFunc *fn = parse("func {\nb0:\n  insn 0x10, 4\n  %k:i64 = get r1\n  set r0, %k\n"
                     "  %p:i64 = const 0x10000\n  %v:i64 = load %p\n  %r:i64 = get r0\n"
                     "  %s:i64 = add %r, %v\n  set r2, %s\n  exit 0x14\n}\n");
  BlCode code;
  assert_true(bl_compile(j, fn, &code, err, sizeof err));
  assert_non_null(captured);
  assert_non_null(strstr(captured, "asm sideeffect"));
  assert_null(strstr(captured, "load i64, ptr %0,"));
  assert_non_null(strstr(captured, "store i64 %"));
  /* -d llvm-asm: the disassembly of the function follows the IR. */
  assert_non_null(strstr(captured, "ret"));
  BlStats st;
  bl_jit_stats(j, &st);
  assert_int_equal(st.functions, 1);
  assert_int_equal(st.ir_insts, 9);
  assert_true(st.code_bytes > 0);
  assert_true(st.compile_ns > 0);
  free(captured);
  captured = NULL;
  ir_func_free(fn);
  bl_jit_free(j);
}

/* -- Helpers, code ownership --------------------------------------------------------- */

static uint64_t h_late(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return ((TestCpu *)cpu)->r[6] * 3 + a;
}

/* Helpers are called by name: one registered after the JIT started works, a
 * state-writing helper's write is seen by a later get, and no helper's host
 * address appears in the code. */
static void test_helpers(void **state) {
  static const IrHelper late = {"t_late_helper", h_late, 1, IR_T_i64, IR_HELPER_READS_STATE};
  assert_true(ir_helper_register(&late) >= 0);
  IrFunc *fn = parse("func {\nb0:\n  insn 0x10, 4\n  %a:i64 = const 5\n  %k:i64 = const 7\n"
                     "  set r6, %k\n  %r:i64 = call t_late_helper(%a)\n  set r0, %r\n"
                     "  %b:i64 = const 0x77\n  set r7, %a\n  call t_poke(%b)\n  %s:i64 = get r7\n"
                     "  set r1, %s\n  %x:i64 = call t_sum3(%a, %b, %k)\n  set r2, %x\n"
                     "  exit 0x14\n}\n");
  TestCpu cpu = {0};
  BlCode code = blh_compile(fn);
  IrExit x = blh_run_code(code, &cpu, &mem);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(cpu.r[0], 7 * 3 + 5);
  assert_int_equal(cpu.r[1], 0x77);
  assert_int_equal(cpu.r[2], 5 + 2 * 0x77 + 3 * 7);
  const void *fns[] = {(const void *)h_late, (const void *)h_poke, (const void *)h_sum3};
  for (unsigned k = 0; k < 3; k++)
    for (uintptr_t p = code.start; p + 8 <= code.end; p++)
      assert_true(memcmp((const void *)p, &fns[k], 8) != 0);
  ir_func_free(fn);
}

static void test_owns_code(void **state) {
  IrFunc *fn = parse("func {\nb0:\n  exit 0x10\n}\n");
  BlCode code = blh_compile(fn);
  assert_true(code.end > code.start);
  assert_true(bl_owns_code(blh.jit, code.start));
  assert_true(bl_owns_code(blh.jit, code.end - 1));
  assert_false(bl_owns_code(blh.jit, code.end + 0x100000));
  assert_false(bl_owns_code(blh.jit, (uintptr_t)&fn));
  assert_false(bl_owns_code(blh.jit, (uintptr_t)test_owns_code));
  assert_false(bl_owns_code(NULL, code.start));
  ir_func_free(fn);
}

/* bl_owns_code while another thread compiles (the runtime's tier-up thread
 * compiles as guest threads fault): every published function stays owned,
 * foreign addresses never are, also when asked from a signal handler. */
enum { NCONC = 60 };
static uintptr_t conc_code[NCONC];
static _Atomic unsigned conc_n;
static _Atomic bool conc_done;
static _Atomic unsigned conc_bad, conc_signals;

static void conc_check(void) {
  unsigned n = conc_n;
  for (unsigned i = 0; i < n; i++)
    if (!bl_owns_code(blh.jit, conc_code[i]))
      conc_bad++;
  int local;
  if (bl_owns_code(blh.jit, (uintptr_t)&local) || bl_owns_code(blh.jit, (uintptr_t)conc_check))
    conc_bad++;
}

static void conc_signal(int sig) {
  conc_check();
  conc_signals++;
}

static void *conc_reader(void *arg) {
  while (!conc_done) {
    conc_check();
    pthread_kill(*(pthread_t *)arg, SIGUSR1); /* the compiling thread checks too, mid-compile */
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
  }
  return NULL;
}

static void test_owns_code_concurrent(void **state) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = conc_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  conc_n = 0;
  conc_done = false;
  conc_bad = 0;
  conc_signals = 0;
  pthread_t self = pthread_self(), reader;
  assert_int_equal(pthread_create(&reader, NULL, conc_reader, &self), 0);
  uint64_t seed = 0xabc;
  for (unsigned f = 0; f < NCONC; f++) {
    IrFunc *fn = irr_func(&seed, 12, NULL, 0);
    BlCode code = blh_compile(fn);
    conc_code[f] = code.start;
    conc_n = f + 1;
    ir_func_free(fn);
  }
  conc_done = true;
  pthread_join(reader, NULL);
  signal(SIGUSR1, SIG_DFL);
  assert_int_equal(conc_bad, 0);
  assert_true(conc_signals > 0);
}

/* -- Compile cost --------------------------------------------------------------------- */

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Informational: microseconds per compile and per IR instruction for random
 * functions (one block or a diamond of four) of two sizes, at O2. */
static void cost_of(unsigned size) {
  uint64_t seed = 0xc057 + size, t0 = clock_ns(CLOCK_MONOTONIC);
  uint64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID); /* CPU time: robust on a busy machine */
  BlStats before, after;
  bl_jit_stats(blh.jit, &before);
  unsigned n = 100;
  for (unsigned f = 0; f < n; f++) {
    IrFunc *fn = irr_func(&seed, size, NULL, 0);
    blh_compile(fn);
    ir_func_free(fn);
  }
  bl_jit_stats(blh.jit, &after);
  uint64_t insts = after.ir_insts - before.ir_insts;
  uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0, wall = clock_ns(CLOCK_MONOTONIC) - t0;
  print_message("compile: %u functions of %.0f IR insts: %.0f us CPU/function, %.1f us CPU/IR inst "
                "(%.0f us wall/function), %.0f code bytes/function\n",
                n, (double)insts / n, cpu / 1e3 / n, cpu / 1e3 / (double)insts, wall / 1e3 / n,
                (double)(after.code_bytes - before.code_bytes) / n);
  assert_true(insts > 0);
}

static void test_compile_cost(void **state) {
  cost_of(8);
  cost_of(40);
}

int main(void) {
  register_helpers();
  blh_init();
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loop_sum),       cmocka_unit_test(test_exit_request),
      cmocka_unit_test(test_exits),          cmocka_unit_test(test_memory_checks),
      cmocka_unit_test(test_atomics),        cmocka_unit_test(test_precise_state),
      cmocka_unit_test(test_precise_state_loop), cmocka_unit_test(test_barrier_ir),
      cmocka_unit_test(test_helpers),        cmocka_unit_test(test_owns_code),
      cmocka_unit_test(test_owns_code_concurrent),
      cmocka_unit_test(test_compile_cost),
  };
  int failed = cmocka_run_group_tests_name("bl_ctrl", tests, NULL, NULL);
  blh_fini();
  return failed;
}
