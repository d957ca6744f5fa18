/* test_bl_fp.c — backend_llvm's floating point, bit for bit against the
 * interpreter (whose NaN rule and rounding are x86 SSE's): every FP op, every
 * type it takes (scalars and packed lanes), every rounding mode as a constant
 * and as a run-time value, on operand pairs drawn from edge values: signalling
 * and quiet NaNs with payloads and either sign, infinities, zeros of both
 * signs, denormals, ties, the integer range limits. The first NaN operand must
 * win in operand order, an SNaN must come back quieted, invalid operations must
 * give x86's negative default NaN. */
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

static const uint64_t edges64[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull, 0x3fdfffffffffffffull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x0010000000000000ull, 0x0000000000000001ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000001ull, 0x7ff0000000000001ull,
    0xfff8000000000002ull, 0xfff0000000000003ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x43dfffffffffffffull, 0x43f0000000000000ull, 0x41e0000000000000ull, 0xc1e0000000100000ull,
    0x41efffffffff0000ull, 0x7e37e43c8800759cull, 0x40dfffc000000000ull, 0xc0e0000000000000ull};
static const uint32_t edges32[] = {
    0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x3fc00000u, 0x40200000u, 0xc0200000u,
    0x3effffffu, 0x7f7fffffu, 0xff7fffffu, 0x00800000u, 0x00000001u, 0x7f800000u, 0xff800000u,
    0x7fc00001u, 0x7f800001u, 0xffc00002u, 0xff800003u, 0x5f000000u, 0xdf000000u, 0x5effffffu,
    0x5f800000u, 0x4f000000u, 0xcf000001u, 0x4f7fffffu, 0x46fffe00u, 0xc7000000u, 0x3f000000u};
enum { NE = sizeof edges64 / sizeof edges64[0] };
_Static_assert(sizeof edges32 / sizeof edges32[0] == NE, "edge lists differ in length");

/* Guest state with operand A (k) and B (m) in the slots of type t. */
static void fill(TestCpu *cpu, IrType t, unsigned k, unsigned m, unsigned rm) {
  memset(cpu, 0, sizeof *cpu);
  cpu->r[1] = rm;
  memcpy(&cpu->d0, &edges64[k], 8);
  memcpy(&cpu->d1, &edges64[m], 8);
  memcpy(&cpu->s0, &edges32[k], 4);
  memcpy(&cpu->s1, &edges32[m], 4);
  for (unsigned i = 0; i < 4; i++) { /* packed: neighbouring edges per lane */
    uint32_t a = edges32[(k + i) % NE], b = edges32[(m + 3 * i) % NE];
    if (t == IR_T_v4f32 || t == IR_T_v4i32) {
      memcpy(&cpu->v[1][4 * i], &a, 4);
      memcpy(&cpu->v[0][4 * i], &b, 4);
    }
  }
  for (unsigned i = 0; i < 2; i++) {
    uint64_t a = edges64[(k + i) % NE], b = edges64[(m + 5 * i) % NE];
    if (t == IR_T_v2f64 || t == IR_T_v2i64) {
      memcpy(&cpu->v[3][8 * i], &a, 8);
      memcpy(&cpu->v[0][8 * i], &b, 8);
    }
  }
}

/* Operand A / B of type t (floats; integer vectors as bit patterns). */
static IrRef opnd(IrFunc *fn, IrType t, bool second) {
  switch (t) {
  case IR_T_f64: return ir_get(fn, second ? T_D1 : T_D0);
  case IR_T_f32: return ir_get(fn, second ? T_S1 : T_S0);
  case IR_T_v2f64: return second ? ir_cast(fn, IR_OP_bitcast, t, ir_get(fn, T_V0)) : ir_get(fn, T_V3);
  default: return ir_cast(fn, IR_OP_bitcast, t, ir_get(fn, second ? T_V0 : T_V1));
  }
}

/* Store v where the state shows it. */
static void observe(IrFunc *fn, IrRef v) {
  IrType t = ir_typeof(fn, v);
  switch (t) {
  case IR_T_i1: ir_set(fn, T_CF, v); break;
  case IR_T_i8: ir_set(fn, T_B0, v); break;
  case IR_T_i16: ir_set(fn, T_H0, v); break;
  case IR_T_i32: ir_set(fn, T_W0, v); break;
  case IR_T_i64: ir_set(fn, T_R0, v); break;
  case IR_T_f64: ir_set(fn, T_D0, v); break;
  case IR_T_f32: ir_set(fn, T_S0, v); break;
  default: ir_set(fn, T_V0, ir_cast(fn, IR_OP_bitcast, IR_T_v16i8, v)); break;
  }
}

/* rm: 0..3 a constant mode, 4: the run-time value in r1 (low byte). */
static IrRef rounding(IrFunc *fn, unsigned rm) {
  if (rm < 4)
    return ir_const(fn, IR_T_i8, rm);
  return ir_cast(fn, IR_OP_trunc, IR_T_i8, ir_get(fn, T_R1));
}

typedef IrRef (*Build)(IrFunc *fn, IrType t, IrRef rm, unsigned variant);

/* Compile the function build makes and compare it with ir_interp on every
 * edge pair and run-time rounding value. Returns the mismatches. */
static unsigned check(const char *what, Build build, IrType t, IrType opt, unsigned variant,
                      unsigned rm) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  ir_block_new(fn);
  ir_insn(fn, 0x1000, 4);
  observe(fn, build(fn, t, rounding(fn, rm), variant));
  ir_exit(fn, 0x1004);
  char err[256];
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("%s: invalid IR: %s", what, err);
  BlCode code = blh_compile(fn);
  unsigned bad = 0;
  static TestMem mem;
  for (unsigned dyn = 0; dyn < (rm == 4 ? 8u : 1u); dyn++)
    for (unsigned k = 0; k < NE; k++)
      for (unsigned m = 0; m < NE; m++) {
        TestCpu a, b;
        fill(&a, opt, k, m, dyn * 0x41u); /* low two bits cycle; the rest is noise */
        b = a;
        IrMemOps ops = {&mem, mem_load, mem_store, mem_atomic};
        IrExit xa = ir_interp(fn, &a, &ops);
        IrExit xb = blh_run_code(code, &b, &mem);
        if (xa.kind != xb.kind || memcmp(&a, &b, sizeof a) != 0) {
          if (bad++ < 4) {
            char sa[40], sb[40];
            hex_bytes(sa, sizeof sa, (uint8_t *)&a.v[0], 16);
            hex_bytes(sb, sizeof sb, (uint8_t *)&b.v[0], 16);
            uint64_t da, db;
            memcpy(&da, &a.d0, 8), memcpy(&db, &b.d0, 8);
            uint32_t fa, fb;
            memcpy(&fa, &a.s0, 4), memcpy(&fb, &b.s0, 4);
            print_error("%s %s rm %u/%u edges %u,%u (interp/llvm): d0 %016llx/%016llx "
                        "s0 %08x/%08x r0 %llx/%llx w0 %x/%x v0 %s/%s\n",
                        what, ir_type_info[t].name, rm, dyn, k, m, (unsigned long long)da,
                        (unsigned long long)db, fa, fb, (unsigned long long)a.r[0],
                        (unsigned long long)b.r[0], a.w0, b.w0, sa, sb);
          }
        }
      }
  ir_func_free(fn);
  return bad;
}

/* -- The ops ----------------------------------------------------------------------- */

static IrRef b_arith(IrFunc *fn, IrType t, IrRef rm, unsigned op) {
  IrRef args[3] = {opnd(fn, t, false), opnd(fn, t, true), rm};
  return ir_emit_raw(fn, (IrOp)op, t, 3, args, 0, 0);
}
static IrRef b_unary(IrFunc *fn, IrType t, IrRef rm, unsigned op) {
  IrRef args[2] = {opnd(fn, t, false), rm};
  bool has_rm = op == IR_OP_fsqrt || op == IR_OP_fround;
  return ir_emit_raw(fn, (IrOp)op, t, has_rm ? 2 : 1, args, 0, 0);
}
static IrRef b_fma(IrFunc *fn, IrType t, IrRef rm, unsigned op) {
  IrRef a = opnd(fn, t, false), b = opnd(fn, t, true);
  IrRef args[4] = {a, b, op ? a : b, rm};
  return ir_emit_raw(fn, IR_OP_fma, t, 4, args, 0, 0);
}
static IrRef b_fcmp(IrFunc *fn, IrType t, IrRef rm, unsigned pred) {
  IrRef args[2] = {opnd(fn, t, false), opnd(fn, t, true)};
  return ir_emit_raw(fn, IR_OP_fcmp, ir_type_is_vec(t) ? t : IR_T_i1, 2, args, pred, 0);
}
static IrRef b_fcvt(IrFunc *fn, IrType t, IrRef rm, unsigned unused) {
  IrType from = t == IR_T_f32 ? IR_T_f64 : t == IR_T_f64 ? IR_T_f32 : t == IR_T_v4f32 ? IR_T_v2f64 : IR_T_v4f32;
  IrRef args[2] = {opnd(fn, from, false), rm};
  return ir_emit_raw(fn, IR_OP_fcvt, t, 2, args, 0, 0);
}

/* ftoi / itof: variant = kind | (integer type << 4); t is the float type. */
static IrType int_for(IrType ft, unsigned variant) {
  if (ir_type_is_vec(ft))
    return ft == IR_T_v4f32 ? IR_T_v4i32 : IR_T_v2i64;
  return (IrType)(variant >> 4);
}
static IrRef b_ftoi(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  IrRef args[2] = {opnd(fn, t, false), rm};
  return ir_emit_raw(fn, IR_OP_ftoi, int_for(t, variant), 2, args, variant & 15, 0);
}
/* The integer operand: the float operand's bits (every lane or the low bits). */
static IrRef b_itof(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  IrType it = int_for(t, variant);
  IrRef bits;
  if (ir_type_is_vec(t)) {
    bits = opnd(fn, it, false);
  } else {
    bits = ir_cast(fn, IR_OP_bitcast, IR_T_i64, ir_get(fn, T_D0));
    if (it != IR_T_i64)
      bits = ir_cast(fn, IR_OP_trunc, it, bits);
  }
  IrRef args[2] = {bits, rm};
  return ir_emit_raw(fn, IR_OP_itof, t, 2, args, variant & 15, 0);
}

static const IrType ftypes[] = {IR_T_f32, IR_T_f64, IR_T_v4f32, IR_T_v2f64};

static void test_arith(void **state) {
  static const IrOp ops[] = {IR_OP_fadd, IR_OP_fsub, IR_OP_fmul, IR_OP_fdiv};
  unsigned bad = 0;
  for (unsigned o = 0; o < 4; o++)
    for (unsigned i = 0; i < 4; i++)
      for (unsigned rm = 0; rm <= 4; rm++)
        bad += check(ir_op_info[ops[o]].name, b_arith, ftypes[i], ftypes[i], ops[o], rm);
  assert_int_equal(bad, 0);
}

static void test_unary(void **state) {
  static const IrOp ops[] = {IR_OP_fsqrt, IR_OP_fround, IR_OP_fneg, IR_OP_fabs};
  unsigned bad = 0;
  for (unsigned o = 0; o < 4; o++)
    for (unsigned i = 0; i < 4; i++)
      for (unsigned rm = 0; rm <= 4; rm++)
        bad += check(ir_op_info[ops[o]].name, b_unary, ftypes[i], ftypes[i], ops[o], rm);
  for (unsigned i = 0; i < 4; i++)
    for (unsigned v = 0; v < 2; v++)
      bad += check("fma", b_fma, ftypes[i], ftypes[i], v, v ? 4 : 0);
  assert_int_equal(bad, 0);
}

static void test_compare(void **state) {
  unsigned bad = 0;
  for (unsigned p = IR_PRED_foeq; p < IR_PRED__COUNT; p++)
    for (unsigned i = 0; i < 4; i++)
      bad += check(ir_pred_name[p], b_fcmp, ftypes[i], ftypes[i], p, 0);
  assert_int_equal(bad, 0);
}

static void test_convert(void **state) {
  unsigned bad = 0;
  for (unsigned i = 0; i < 4; i++)
    for (unsigned rm = 0; rm <= 4; rm++) {
      IrType from = ftypes[i] == IR_T_f32 ? IR_T_f64 : ftypes[i] == IR_T_f64 ? IR_T_f32
                    : ftypes[i] == IR_T_v4f32 ? IR_T_v2f64 : IR_T_v4f32;
      bad += check("fcvt", b_fcvt, ftypes[i], from, 0, rm);
    }
  static const IrType itypes[] = {IR_T_i8, IR_T_i16, IR_T_i32, IR_T_i64};
  for (unsigned i = 0; i < 4; i++)
    for (unsigned rm = 0; rm <= 4; rm++)
      for (unsigned kind = 0; kind < 4; kind++) {
        unsigned nint = ir_type_is_vec(ftypes[i]) ? 1 : 4;
        for (unsigned k = 0; k < nint; k++) {
          unsigned variant = kind | (unsigned)itypes[k] << 4;
          bad += check("ftoi", b_ftoi, ftypes[i], ftypes[i], variant, rm);
          if (kind <= IR_CVT_UNSIGNED)
            bad += check("itof", b_itof, ftypes[i], int_for(ftypes[i], variant), variant, rm);
        }
      }
  assert_int_equal(bad, 0);
}

int main(void) {
  blh_init();
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arith),
      cmocka_unit_test(test_unary),
      cmocka_unit_test(test_compare),
      cmocka_unit_test(test_convert),
  };
  int failed = cmocka_run_group_tests_name("bl_fp", tests, NULL, NULL);
  blh_fini();
  return failed;
}
