/* test_bl_ops.c — backend_llvm against the interpreter, op by op and on random
 * functions (tests/common/ir_randgen.h: every op of ir_ops.def with random
 * operands over every type it accepts, boundary values favoured, dynamic
 * rounding modes sometimes): each function is compiled once by bl_compile and
 * run from several random states; exit, state and memory must equal
 * ir_interp's. A coverage check fails naming any op no compared function held.
 * A failure prints the seed and the function. */
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
#include "ir_randgen.h"
#include "backend_compare.h"

enum { PER_OP = 60, NSTATES = 4, NFUNCS = 150, NINSTS = 24 };

static uint32_t helpers[8], nhelpers;
static unsigned seen[IR_OP__COUNT];      /* instances compared, per op */
static uint32_t seen_types[IR_OP__COUNT]; /* ... and the types (IrOpInfo.types' sense) */

/* The type an instruction has in the sense of its op's type set: the result,
 * or for 'b' / 'v' results the operand the set describes. */
static IrType op_type(const IrFunc *fn, const IrInst *in) {
  char res = ir_op_info[in->op].result;
  if (res == 'T')
    return (IrType)in->type;
  if (in->nargs == 0)
    return IR_T_void;
  return ir_typeof(fn, in->args[in->op == IR_OP_store ? 1 : 0]);
}

/* The backend under test for bc_compare_once: ctx is the compiled code. */
static IrExit run_llvm(void *code, TestCpu *cpu, TestMem *mem) {
  return blh_run_code(*(BlCode *)code, cpu, mem);
}

/* Compile fn and compare it from nstates states; counts its ops as seen. */
static bool check_func(IrFunc *fn, uint64_t fseed, unsigned nstates) {
  char err[256];
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("generator made invalid IR (seed %#llx): %s", (unsigned long long)fseed, err);
  BlCode code = blh_compile(fn);
  IrRand g = {.s = fseed ^ 0xabcdef};
  for (unsigned k = 0; k < nstates; k++)
    if (!bc_compare_once(fn, run_llvm, &code, "llvm", &g, fseed)) {
      char *text = ir_print(fn);
      print_error("%s\n", text);
      free(text);
      return false;
    }
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      seen[in->op]++;
      seen_types[in->op] |= 1u << op_type(fn, in);
    }
  return true;
}

/* Op by op: each op alone, many random instances (types, kinds, operands). */
static void test_each_op(void **state) {
  uint64_t seed = getenv("BL_SEED") ? strtoull(getenv("BL_SEED"), NULL, 0) : 0x0b1b;
  unsigned per = getenv("BL_PER_OP") ? (unsigned)atoi(getenv("BL_PER_OP")) : PER_OP;
  unsigned bad = 0;
  for (int op = 0; op < IR_OP__COUNT && bad < 3; op++) {
    if (ir_op_info[op].flags & IRF_TERM)
      continue;
    for (unsigned i = 0; i < per && bad < 3; i++) {
      uint64_t fseed = seed;
      IrFunc *fn = irr_op_func(&seed, (IrOp)op, helpers, nhelpers);
      if (!check_func(fn, fseed, NSTATES)) {
        print_error("op %s failed\n", ir_op_info[op].name);
        bad++;
      }
      ir_func_free(fn);
    }
  }
  assert_int_equal(bad, 0);
}

static void test_random_functions(void **state) {
  uint64_t seed = getenv("BL_SEED") ? strtoull(getenv("BL_SEED"), NULL, 0) : 0x5eed;
  unsigned nfuncs = getenv("BL_FUNCS") ? (unsigned)atoi(getenv("BL_FUNCS")) : NFUNCS;
  unsigned bad = 0;
  for (unsigned f = 0; f < nfuncs && bad < 3; f++) {
    uint64_t fseed = seed;
    IrFunc *fn = irr_func(&seed, NINSTS, helpers, nhelpers);
    bad += !check_func(fn, fseed, NSTATES);
    ir_func_free(fn);
  }
  assert_int_equal(bad, 0);
}

/* udivw..sremw on every width over dividend halves and divisors at the edges
 * (sign boundaries, 0, 1, -1, quotients just fitting and just not). */
static void test_wide_division(void **state) {
  static const uint64_t v[] = {0, 1, 2, 3, 7, ~0ull, ~1ull, 0x7fffffffffffffffull,
                               0x8000000000000000ull, 0x7fffffff, 0x80000000, 0xffffffff,
                               0x7fff, 0x8000, 0x80, 0x7f, 0x123456789abcdefull, 0x100000000ull};
  enum { NV = sizeof v / sizeof v[0] };
  static const IrOp ops[] = {IR_OP_udivw, IR_OP_sdivw, IR_OP_uremw, IR_OP_sremw};
  static const IrType types[] = {IR_T_i8, IR_T_i16, IR_T_i32, IR_T_i64};
  unsigned bad = 0;
  for (unsigned o = 0; o < 4; o++)
    for (unsigned t = 0; t < 4; t++) {
      IrFunc *fn = ir_func_new(&test_regfile);
      fn->fold = false;
      ir_block_new(fn);
      ir_insn(fn, 0x40, 3);
      IrRef x[3];
      for (unsigned k = 0; k < 3; k++) {
        x[k] = ir_get(fn, T_R0 + k);
        if (types[t] != IR_T_i64)
          x[k] = ir_cast(fn, IR_OP_trunc, types[t], x[k]);
      }
      IrRef q = ir_emit_raw(fn, ops[o], types[t], 3, x, 0, 0);
      ir_set(fn, T_R3, types[t] == IR_T_i64 ? q : ir_cast(fn, IR_OP_zext, IR_T_i64, q));
      ir_exit(fn, 0x43);
      BlCode code = blh_compile(fn);
      for (unsigned a = 0; a < NV; a++)
        for (unsigned b = 0; b < NV; b++)
          for (unsigned d = 0; d < NV; d++) {
            TestCpu ca = {0}, cb;
            ca.r[0] = v[a], ca.r[1] = v[b], ca.r[2] = v[d];
            /* Sign-extended halves too, so that signed quotients fit. */
            if (d & 1)
              ca.r[0] = (uint64_t)-(int64_t)(v[b] >> 63);
            cb = ca;
            static TestMem ma, mb;
            IrMemOps ops_ = {&ma, mem_load, mem_store, mem_atomic};
            IrExit xa = ir_interp(fn, &ca, &ops_);
            IrExit xb = blh_run_code(code, &cb, &mb);
            if (!bc_same_exit(xa, xb) || ca.r[3] != cb.r[3]) {
              if (bad++ < 5)
                print_error("%s.%s %#llx:%#llx / %#llx: interp %s %#llx, llvm %s %#llx\n",
                            ir_op_info[ops[o]].name, ir_type_info[types[t]].name,
                            (unsigned long long)ca.r[0], (unsigned long long)ca.r[1],
                            (unsigned long long)ca.r[2], xa.kind == IR_EXIT_EXCEPTION ? "raise" : "ok",
                            (unsigned long long)ca.r[3], xb.kind == IR_EXIT_EXCEPTION ? "raise" : "ok",
                            (unsigned long long)cb.r[3]);
            }
          }
      ir_func_free(fn);
    }
  assert_int_equal(bad, 0);
}

/* (op, types) pairs that no valid instruction here can have, though the op's
 * type set names them. */
static const struct {
  IrOp op;
  uint32_t types;
} cannot[] = {
    {IR_OP_get, IR_TSB(v8i16) | IR_TSB(v4f32)}, /* the test register file has no such slot */
    {IR_OP_set, IR_TSB(v8i16) | IR_TSB(v4f32)},
    {IR_OP_trunc, IR_TSB(i64)},                   /* nothing wider to narrow from */
    {IR_OP_bitcast, IR_TSB(i1)},                  /* bitcast excludes i1 */
    {IR_OP_vextract, IR_TSB(i1)},                 /* no i1 lanes */
    {IR_OP_vnarrow, IR_TSB(v2i64)},               /* no v1i128 to narrow */
    {IR_OP_vwidenlo, IR_TSB(v16i8)},              /* no i4 lanes to widen */
    {IR_OP_vwidenhi, IR_TSB(v16i8)},
    {IR_OP_ftoi, IR_TSB(v16i8) | IR_TSB(v8i16)},  /* no such float vector conversion */
};

/* Every op of ir_ops.def ran compiled at least once (terminators through the
 * random functions' exits and diamonds), with every type its type set allows. */
static void test_coverage(void **state) {
  unsigned missing = 0;
  for (size_t i = 0; i < sizeof cannot / sizeof cannot[0]; i++)
    seen_types[cannot[i].op] |= cannot[i].types;
  for (int op = 0; op < IR_OP__COUNT; op++) {
    if (!seen[op]) {
      print_error("op %s: no compiled test function held it\n", ir_op_info[op].name);
      missing++;
      continue;
    }
    uint32_t lack = ir_op_info[op].types & ~seen_types[op];
    for (unsigned t = 0; t < IR_T__COUNT; t++)
      if (lack >> t & 1) {
        print_error("op %s: never compiled with type %s\n", ir_op_info[op].name, ir_type_info[t].name);
        missing++;
      }
  }
  assert_int_equal(missing, 0);
}

/* Helpers with narrow results, so calls are compiled with every result type. */
static uint64_t h_narrow(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return a * 0x0101010101010101ull + b;
}

int main(void) {
  register_helpers();
  static const IrHelper narrow[] = {{"t_narrow8", h_narrow, 2, IR_T_i8, 0},
                                    {"t_narrow16", h_narrow, 2, IR_T_i16, IR_HELPER_READS_STATE}};
  for (unsigned i = 0; i < 2; i++)
    if (ir_helper_register(&narrow[i]) < 0)
      abort();
  static const char *names[] = {"t_sum3", "t_echo", "t_wide", "t_poke", "t_narrow8", "t_narrow16"};
  for (unsigned i = 0; i < 6; i++) {
    int h = ir_helper_find(names[i], strlen(names[i]));
    if (h >= 0)
      helpers[nhelpers++] = (uint32_t)h;
  }
  blh_init();
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_each_op),
      cmocka_unit_test(test_random_functions),
      cmocka_unit_test(test_wide_division),
      cmocka_unit_test(test_coverage),
  };
  int failed = cmocka_run_group_tests_name("bl_ops", tests, NULL, NULL);
  blh_fini();
  return failed;
}
