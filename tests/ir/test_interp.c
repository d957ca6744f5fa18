/* test_interp.c — the reference interpreter (ir_interp) and evaluator (ir_eval).
 * Most cases are data: interp_cases.txt holds IR text functions with the guest
 * state and memory before, and the exit, state and memory expected after; each
 * case is one cmocka test. The coverage test fails, naming the op, if an op of
 * ir_ops.def appears in no case. A few API tests are written with the builder. */
#include <fenv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "ir_exec.h"
#include "test_regfile.h"
#include "interp_cases.h"

/* Runs fn from the case's state; checks exit, state and memory. */
static bool check_run(const Case *c, const IrFunc *fn) {
  TestCpu cpu = c->cpu_in;
  TestMem *mem = malloc(sizeof *mem);
  assert_non_null(mem);
  *mem = c->mem_in;
  IrMemOps ops = {mem, mem_load, mem_store, mem_atomic};
  IrExit got = ir_interp(fn, &cpu, &ops);
  bool ok = check_exit(c, got);
  ok = check_state(c, &cpu) && ok;
  ok = check_memory(c, mem) && ok;
  free(mem);
  return ok;
}

static void run_case(void **state) {
  const Case *c = *state;
  if (!c->has_exit)
    fail_msg("%s (interp_cases.txt:%u): no '=>' line", c->name, c->line);
  IrFunc *fn = parse_case(c);
  bool ok = check_run(c, fn);
  ir_func_free(fn);
  if (!ok)
    fail_msg("%s (interp_cases.txt:%u) failed", c->name, c->line);
}

/* The optimizer folds through ir_eval: with every register class precise, each
 * case must end exactly as it does unoptimized. */
static void test_optimized_cases_agree(void **state) {
  IrPassOptions opt = {.precise_classes = IR_PRECISE_ALL};
  unsigned failed = 0;
  for (size_t i = 0; i < ncases; i++) {
    IrFunc *fn = ir_parse(cases[i].ir, &test_regfile, NULL, 0);
    if (!fn)
      continue; /* that case's own test reports it */
    ir_optimize(fn, &opt);
    char err[256];
    if (!ir_validate(fn, err, sizeof err)) {
      print_error("%s: invalid after ir_optimize: %s\n", cases[i].name, err);
      failed++;
    } else if (!check_run(&cases[i], fn)) {
      print_error("%s: differs after ir_optimize\n", cases[i].name);
      failed++;
    }
    ir_func_free(fn);
  }
  assert_int_equal(failed, 0);
}

/* -- Coverage and the op table -------------------------------------------- */

/* Every op of ir_ops.def must appear in some case. */
static void test_every_op_has_a_case(void **state) {
  bool seen[IR_OP__COUNT] = {false};
  for (size_t i = 0; i < ncases; i++) {
    IrFunc *fn = ir_parse(cases[i].ir, &test_regfile, NULL, 0);
    if (!fn)
      continue; /* that case's own test reports it */
    for (IrRef r = 1; r < fn->ninsts; r++)
      seen[fn->insts[r].op] = true;
    ir_func_free(fn);
  }
  const char *missing = NULL;
  for (int op = 0; op < IR_OP__COUNT; op++)
    if (!seen[op]) {
      print_error("op '%s' has no interpreter case in interp_cases.txt\n", ir_op_info[op].name);
      missing = ir_op_info[op].name;
    }
  if (missing)
    fail_msg("ops without an interpreter case (last: %s)", missing);
}

/* Exactly the pure ops are ir_eval's; every other op has an interpreter handler. */
static void test_table_follows_flags(void **state) {
  for (int op = 0; op < IR_OP__COUNT; op++) {
    bool pure = ir_op_info[op].flags & IRF_PURE;
    bool handler = ir_exec_run((IrOp)op) != NULL;
    if (op == IR_OP_vconst)
      continue; /* pure, but it reads the function's pool */
    if (pure == handler)
      fail_msg("op '%s': %s", ir_op_info[op].name,
               pure ? "pure but has an interpreter handler" : "has no interpreter handler");
  }
}

/* -- ir_eval directly ---------------------------------------------------- */

static bool eval2(IrOp op, IrType t, uint64_t a, uint64_t b, uint64_t imm, uint32_t aux,
                  uint64_t *out) {
  IrType ts[2] = {t, t};
  IrValue v[2];
  memset(v, 0, sizeof v);
  v[0].u64 = a, v[1].u64 = b;
  IrValue r;
  bool ok = ir_eval(op, t, ts, v, 2, imm, aux, &r);
  *out = r.u64;
  return ok;
}

static void test_eval_refuses_faults(void **state) {
  uint64_t r = 0;
  assert_false(eval2(IR_OP_udiv, IR_T_i32, 7, 0, IR_DIV_TRAP, 0, &r));
  assert_true(eval2(IR_OP_udiv, IR_T_i32, 7, 0, IR_DIV_ZERO, 0, &r));
  assert_int_equal(r, 0);
  assert_false(eval2(IR_OP_srem, IR_T_i8, 0x80, 0xff, IR_DIV_TRAP, 0, &r));
  assert_true(eval2(IR_OP_srem, IR_T_i8, 0x80, 0xff, IR_DIV_ZERO, 0, &r));
  assert_int_equal(r, 0);
  assert_true(eval2(IR_OP_sdiv, IR_T_i8, 0xf9, 0x02, IR_DIV_TRAP, 0, &r)); /* -7 / 2 */
  assert_int_equal(r, 0xfd);
  /* Not pure, or outside the op's domain: nothing to fold. */
  assert_false(eval2(IR_OP_load, IR_T_i64, MEM_BASE, 0, 0, 0, &r));
  assert_false(eval2(IR_OP_extract, IR_T_i32, 1, 0, 30, 4, &r)); /* bits 30..33 of an i32 */
  assert_false(eval2(IR_OP_extract, IR_T_i32, 1, 0, 0, 0, &r));  /* width 0 */
  assert_false(eval2(IR_OP_cmp, IR_T_i32, 1, 2, IR_PRED_folt, 0, &r));
}

static void test_eval_rounding_operand(void **state) {
  IrType ts[3] = {IR_T_f64, IR_T_f64, IR_T_i8};
  IrValue v[3], r;
  double one = 1.0, three = 3.0;
  memset(v, 0, sizeof v);
  memcpy(&v[0].u64, &one, 8);
  memcpy(&v[1].u64, &three, 8);
  v[2].u64 = IR_RM_UP;
  assert_true(ir_eval(IR_OP_fdiv, IR_T_f64, ts, v, 3, 0, 0, &r));
  assert_int_equal(r.u64, 0x3fd5555555555556ull);
  v[2].u64 = 4 | IR_RM_DOWN; /* only the low two bits count */
  assert_true(ir_eval(IR_OP_fdiv, IR_T_f64, ts, v, 3, 0, 0, &r));
  assert_int_equal(r.u64, 0x3fd5555555555555ull);
  assert_int_equal(fegetround(), FE_TONEAREST); /* the host mode is restored */
}

/* -- Built with the builder API -------------------------------------------- */

/* for (i = 0; i != 10; i++) sum += i + 1, as three blocks with a back edge. */
static void test_builder_counting_loop(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  uint32_t entry = ir_block_new(fn), loop = ir_block_new(fn), done = ir_block_new(fn);
  ir_block_set(fn, entry);
  ir_set(fn, T_R0, ir_const(fn, IR_T_i64, 0));
  ir_set(fn, T_R1, ir_const(fn, IR_T_i64, 0));
  ir_jmp(fn, loop);
  ir_block_set(fn, loop);
  IrRef i = ir_op2(fn, IR_OP_add, ir_get(fn, T_R0), ir_const(fn, IR_T_i64, 1));
  ir_set(fn, T_R0, i);
  ir_set(fn, T_R1, ir_op2(fn, IR_OP_add, ir_get(fn, T_R1), i));
  ir_br(fn, ir_cmp(fn, IR_PRED_ult, i, ir_const(fn, IR_T_i64, 10)), loop, done);
  ir_block_set(fn, done);
  ir_exit(fn, 0x4000);
  char err[256];
  assert_true(ir_validate(fn, err, sizeof err));
  TestCpu cpu;
  memset(&cpu, 0, sizeof cpu);
  IrMemOps ops = {NULL, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, &cpu, &ops);
  assert_int_equal(e.kind, IR_EXIT_JUMP);
  assert_int_equal(e.pc, 0x4000);
  assert_int_equal(cpu.r[0], 10);
  assert_int_equal(cpu.r[1], 55);
  ir_func_free(fn);
}

/* More values than the interpreter keeps on its stack. */
static void test_builder_many_values(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef acc = ir_get(fn, T_R0), step = ir_get(fn, T_R1);
  for (int k = 0; k < 1000; k++)
    acc = ir_op2(fn, IR_OP_add, acc, step);
  ir_set(fn, T_R2, acc);
  ir_syscall(fn, 0x1234);
  TestCpu cpu;
  memset(&cpu, 0, sizeof cpu);
  cpu.r[0] = 5, cpu.r[1] = 3;
  IrMemOps ops = {NULL, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, &cpu, &ops);
  assert_int_equal(e.kind, IR_EXIT_SYSCALL);
  assert_int_equal(e.pc, 0x1234);
  assert_int_equal(cpu.r[2], 5 + 3 * 1000);
  ir_func_free(fn);
}

/* An i1 slot is one byte: any nonzero byte reads as 1; a write stores 0 or 1 and
 * touches no neighbour. (The case file cannot write a raw 2 into a flag.) */
static void test_i1_slots_are_bytes(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  ir_set(fn, T_R0, ir_cast(fn, IR_OP_zext, IR_T_i64, ir_get(fn, T_CF)));
  ir_set(fn, T_SF, ir_const(fn, IR_T_i1, 1));
  ir_exit(fn, 0x10);
  TestCpu cpu;
  memset(&cpu, 0xee, sizeof cpu);
  cpu.cf = 2;
  IrMemOps ops = {NULL, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, &cpu, &ops);
  assert_int_equal(e.kind, IR_EXIT_JUMP);
  assert_int_equal(cpu.r[0], 1);
  assert_int_equal(cpu.sf, 1);
  assert_int_equal(cpu.zf, 0xee);
  assert_int_equal(cpu.of, 0xee);
  ir_func_free(fn);
}

int main(void) {
  register_helpers();
  if (!load_cases(EMU_TEST_DATA "/interp_cases.txt")) {
    fprintf(stderr, "%s\n", load_error);
    return 1;
  }
  static const struct CMUnitTest fixed[] = {
      cmocka_unit_test(test_every_op_has_a_case),
      cmocka_unit_test(test_table_follows_flags),
      cmocka_unit_test(test_optimized_cases_agree),
      cmocka_unit_test(test_eval_refuses_faults),
      cmocka_unit_test(test_eval_rounding_operand),
      cmocka_unit_test(test_builder_counting_loop),
      cmocka_unit_test(test_builder_many_values),
      cmocka_unit_test(test_i1_slots_are_bytes),
  };
  size_t nfixed = sizeof fixed / sizeof fixed[0], n = nfixed + ncases;
  struct CMUnitTest *tests = calloc(n, sizeof *tests);
  assert_non_null(tests);
  memcpy(tests, fixed, sizeof fixed);
  for (size_t i = 0; i < ncases; i++)
    tests[nfixed + i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, &cases[i]};
  int failed = _cmocka_run_group_tests("ir_interp", tests, n, NULL, NULL);
  for (size_t i = 0; i < ncases; i++)
    free(cases[i].ir);
  free(cases);
  free(tests);
  return failed;
}
