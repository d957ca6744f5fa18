/* test_bl_object.c — ahead-of-time objects: two functions lowered into one
 * object file by bl_emit_object, loaded by bl_load_object into a fresh BlJit
 * (same config; nothing shared with the JIT that emitted it but the helper
 * registry, reached by name), then run against the interpreter. */
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

static const char *const texts[2] = {
    "func {\nb0:\n  insn 0x10, 4\n  %a:i64 = get r0\n  %b:i64 = get r1\n  %s:i64 = add %a, %b\n"
    "  %c:i64 = call t_sum3(%a, %b, %s)\n  set r2, %c\n  %p:i64 = const 0x10008\n"
    "  store %p, %s\n  exit 0x14\n}\n",
    "func {\nb0:\n  insn 0x20, 4\n  %d:f64 = get d0\n  %e:f64 = get d1\n  %z:i8 = const 0\n"
    "  %q:f64 = fdiv %d, %e, %z\n  set d0, %q\n  %p:i64 = const 0x100\n  %v:i64 = load %p\n"
    "  set r3, %v\n  exit 0x24\n}\n"};

static void test_emit_and_load(void **state) {
  IrFunc *fns[2];
  char err[256];
  for (unsigned k = 0; k < 2; k++) {
    fns[k] = ir_parse(texts[k], &test_regfile, err, sizeof err);
    assert_non_null(fns[k]);
  }
  static const char *const names[2] = {"emu_aot_f10", "emu_aot_f20"};
  void *obj = NULL;
  size_t size = 0;
  if (!bl_emit_object(blh.jit, (const IrFunc *const *)fns, names, 2, &obj, &size, err, sizeof err))
    fail_msg("bl_emit_object: %s", err);
  assert_true(size > 64);
  assert_memory_equal(obj, "\177ELF", 4);
  /* A fresh JIT loads it; the emitting one's code is not involved. */
  BlJit *old = blh.jit;
  blh.jit = bl_jit_new(&blh.cfg, err, sizeof err);
  assert_non_null(blh.jit);
  BlCode code[2];
  if (!bl_load_object(blh.jit, obj, size, names, 2, code, err, sizeof err))
    fail_msg("bl_load_object: %s", err);
  free(obj);
  assert_true(code[0].start != code[1].start);
  for (unsigned k = 0; k < 2; k++) {
    assert_true(bl_owns_code(blh.jit, code[k].start));
    assert_false(bl_owns_code(old, code[k].start));
    assert_true(code[k].end > code[k].start);
    assert_true(code[(k + 1) % 2].start >= code[k].end || code[(k + 1) % 2].start < code[k].start);
  }
  TestCpu cpu = {0}, want;
  cpu.r[0] = 40, cpu.r[1] = 2, cpu.d0 = 1.0, cpu.d1 = 3.0;
  static TestMem mem, wmem;
  for (unsigned k = 0; k < 2; k++) {
    want = cpu, wmem = mem;
    IrMemOps ops = {&wmem, mem_load, mem_store, mem_atomic};
    IrExit xw = ir_interp(fns[k], &want, &ops);
    IrExit x = blh_run_code(code[k], &cpu, &mem);
    assert_int_equal(x.kind, xw.kind);
    assert_int_equal(x.pc, xw.pc);
    assert_int_equal(x.addr, xw.addr);
    assert_memory_equal(&cpu, &want, sizeof cpu);
    assert_memory_equal(&mem, &wmem, sizeof mem);
  }
  assert_int_equal(cpu.r[2], 40 + 2 * 2 + 3 * 42);
  assert_int_equal(blh.host.pc_slot, 0x20); /* the second faulted in hardware */
  BlStats st;
  bl_jit_stats(blh.jit, &st);
  assert_int_equal(st.functions, 2);
  bl_jit_free(blh.jit);
  blh.jit = old;
  for (unsigned k = 0; k < 2; k++)
    ir_func_free(fns[k]);
}

int main(void) {
  register_helpers();
  blh_init();
  static const struct CMUnitTest tests[] = {cmocka_unit_test(test_emit_and_load)};
  int failed = cmocka_run_group_tests_name("bl_object", tests, NULL, NULL);
  blh_fini();
  return failed;
}
