/* test_text.c — the IR text form: ir_print / ir_parse round trips over a corpus
 * that uses every op, kind suffix and predicate; the canonical form; parse
 * errors with their line numbers; and a mutation fuzz that must never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "ir_names.h"
#include "test_regfile.h"

/* -- Helpers the texts call ----------------------------------------------- */

static uint64_t h_stub(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)cpu;
  return a0 + a1 + a2 + a3;
}

static int h_my, h_void, h_four;

static int setup_helpers(void **state) {
  (void)state;
  h_my = ir_helper_register(&(IrHelper){"my_helper", h_stub, 2, IR_T_i64, 0});
  h_void = ir_helper_register(&(IrHelper){"void_helper", h_stub, 0, IR_T_void,
                                          IR_HELPER_WRITES_STATE});
  h_four = ir_helper_register(&(IrHelper){"four_args", h_stub, 4, IR_T_i64, IR_HELPER_MEMORY});
  return h_my < 0 || h_void < 0 || h_four < 0;
}

/* -- Texts ---------------------------------------------------------------- */

/* The example the text-form spec is written around, as people write it. */
static const char example_text[] =
    "func entry=0x401000 {\n"
    "b0:\n"
    "  insn 0x401000, 3\n"
    "  %1:i64 = get r0\n"
    "  %2:i64 = const 0x10\n"
    "  %3:i64 = add %1, %2\n"
    "  set r0, %3\n"
    "  %4:i1 = cmp.eq %3, %2\n"
    "  br %4, b1, b2\n"
    "b1:\n"
    "  exit 0x401003\n"
    "b2:\n"
    "  %5:i64 = load.acq.align %3\n"
    "  %6:i8 = const 0x3\n"
    "  %7:f64 = get d0\n"
    "  %8:f64 = fadd %7, %7, %6\n"
    "  %9:i64 = call my_helper(%1, %5)\n"
    "  call void_helper()\n"
    "  raise.divide %5\n"
    "}\n";

/* The same function as the printer writes it: values are named by inst index. */
static const char example_canon[] =
    "func entry=0x401000 {\n"
    "b0:\n"
    "  insn 0x401000, 3\n"
    "  %2:i64 = get r0\n"
    "  %3:i64 = const 0x10\n"
    "  %4:i64 = add %2, %3\n"
    "  set r0, %4\n"
    "  %6:i1 = cmp.eq %4, %3\n"
    "  br %6, b1, b2\n"
    "b1:\n"
    "  exit 0x401003\n"
    "b2:\n"
    "  %9:i64 = load.acq.align %4\n"
    "  %10:i8 = const 0x3\n"
    "  %11:f64 = get d0\n"
    "  %12:f64 = fadd %11, %11, %10\n"
    "  %13:i64 = call my_helper(%2, %9)\n"
    "  call void_helper()\n"
    "  raise.divide %9\n"
    "}\n";

static const char corpus_int[] =
    "# integer ops, flags, compares, conversions, bit fields\n"
    "func entry=0x1000 {\n"
    "b0:\n"
    "  insn 0x1000, 4\n"
    "  %a:i64 = get r0\n"
    "  %b:i64 = get r1\n"
    "  %n:i8 = get b0\n"
    "  %c:i1 = get cf\n"
    "  %w:i32 = get w0\n"
    "  %h:i16 = get h0\n"
    "  %k1:i1 = const 0x1\n"
    "  %k8:i8 = const -1\n"
    "  %k16:i16 = const 65535\n"
    "  %k32:i32 = const 0xdeadbeef\n"
    "  %k64:i64 = const -0x10\n"
    "  %add:i64 = add %a, %b\n"
    "  %sub:i64 = sub %a, %b\n"
    "  %mul:i64 = mul %a, %b\n"
    "  %mulhu:i64 = mulhu %a, %b\n"
    "  %mulhs:i64 = mulhs %a, %b\n"
    "  %and:i64 = and %a, %b\n"
    "  %or:i64 = or %a, %b\n"
    "  %xor:i64 = xor %a, %b\n"
    "  %andn:i64 = andn %a, %b\n"
    "  %not:i64 = not %a\n"
    "  %neg:i64 = neg %a\n"
    "  %shl:i64 = shl %a, %n\n"
    "  %lshr:i64 = lshr %a, %n\n"
    "  %ashr:i64 = ashr %a, %n\n"
    "  %rol:i64 = rol %a, %n\n"
    "  %ror:i64 = ror %a, %n\n"
    "  %rcl:i64 = rcl %a, %n, %c\n"
    "  %rcr:i64 = rcr %a, %n, %c\n"
    "  %rclcf:i1 = rclcf %a, %n, %c\n"
    "  %rcrcf:i1 = rcrcf %a, %n, %c\n"
    "  %udiv:i64 = udiv.trap %a, %b\n"
    "  %sdiv:i64 = sdiv.zero %a, %b\n"
    "  %urem:i64 = urem.trap %a, %b\n"
    "  %srem:i64 = srem.zero %a, %b\n"
    "  %udiv2:i64 = udiv.zero %a, %b\n"
    "  %sdiv2:i64 = sdiv.trap %a, %b\n"
    "  %urem2:i64 = urem.zero %a, %b\n"
    "  %srem2:i64 = srem.trap %a, %b\n"
    "  %udivw:i64 = udivw %a, %b, %k64\n"
    "  %sdivw:i64 = sdivw %a, %b, %k64\n"
    "  %uremw:i64 = uremw %a, %b, %k64\n"
    "  %sremw:i64 = sremw %a, %b, %k64\n"
    "  %umin:i64 = umin %a, %b\n"
    "  %umax:i64 = umax %a, %b\n"
    "  %smin:i64 = smin %a, %b\n"
    "  %smax:i64 = smax %a, %b\n"
    "  %uaddsat:i32 = uaddsat %w, %k32\n"
    "  %saddsat:i32 = saddsat %w, %k32\n"
    "  %usubsat:i16 = usubsat %h, %k16\n"
    "  %ssubsat:i16 = ssubsat %h, %k16\n"
    "  %clz:i64 = clz %a\n"
    "  %ctz:i64 = ctz %a\n"
    "  %popcnt:i64 = popcnt %a\n"
    "  %bswap:i32 = bswap %w\n"
    "  %bitrev:i8 = bitrev %n\n"
    "  %addcf:i1 = addcf %a, %b, %c\n"
    "  %addof:i1 = addof %a, %b, %c\n"
    "  %subcf:i1 = subcf %a, %b, %k1\n"
    "  %subof:i1 = subof %a, %b, %k1\n"
    "  %parity:i1 = parity %a\n"
    "  %eq:i1 = cmp.eq %a, %b\n"
    "  %ne:i1 = cmp.ne %a, %b\n"
    "  %ult:i1 = cmp.ult %a, %b\n"
    "  %ule:i1 = cmp.ule %a, %b\n"
    "  %ugt:i1 = cmp.ugt %a, %b\n"
    "  %uge:i1 = cmp.uge %a, %b\n"
    "  %slt:i1 = cmp.slt %n, %k8\n"
    "  %sle:i1 = cmp.sle %n, %k8\n"
    "  %sgt:i1 = cmp.sgt %n, %k8\n"
    "  %sge:i1 = cmp.sge %n, %k8\n"
    "  %sel:i64 = select %eq, %a, %b\n"
    "  %zext:i64 = zext %w\n"
    "  %sext:i64 = sext %n\n"
    "  %trunc:i32 = trunc %a\n"
    "  %bitcast:f64 = bitcast %a\n"
    "  %extract:i64 = extract %a, 8, 8\n"
    "  %sextract:i64 = sextract %a, 0, 16\n"
    "  %deposit:i64 = deposit %a, %n, 8, 8\n"
    "  set r2, %deposit\n"
    "  set cf, %addcf\n"
    "  %big:i1 = cmp.ugt %a, %k64\n"
    "  br %big, b1, b2\n"
    "b1:\n"
    "  jmp b3\n"
    "b2:\n"
    "  exiti %sel\n"
    "b3:\n"
    "  exit 0x1004\n"
    "}\n";

static const char corpus_fp_vec[] =
    "# floating point and vectors\n"
    "func entry=0x2000 {\n"
    "b0:\n"
    "  insn 0x2000, 4\n"
    "  %d:f64 = get d0\n"
    "  %e:f64 = get d1\n"
    "  %s:f32 = get s0\n"
    "  %rm:i8 = const 0x0\n"
    "  %i:i64 = get r0\n"
    "  %w:i32 = get w0\n"
    "  %fadd:f64 = fadd %d, %e, %rm\n"
    "  %fsub:f64 = fsub %d, %e, %rm\n"
    "  %fmul:f64 = fmul %d, %e, %rm\n"
    "  %fdiv:f64 = fdiv %d, %e, %rm\n"
    "  %fsqrt:f64 = fsqrt %d, %rm\n"
    "  %fma:f64 = fma %d, %e, %fadd, %rm\n"
    "  %fneg:f32 = fneg %s\n"
    "  %fabs:f32 = fabs %s\n"
    "  %fround:f64 = fround %d, %rm\n"
    "  %froundx:f64 = fround.x %d, %rm\n"
    "  %fcmps:i1 = fcmps.fule %d, %e\n"
    "  %fenv:i32 = fenv_get\n"
    "  fenv_set %fenv\n"
    "  %foeq:i1 = fcmp.foeq %d, %e\n"
    "  %fone:i1 = fcmp.fone %d, %e\n"
    "  %folt:i1 = fcmp.folt %d, %e\n"
    "  %fole:i1 = fcmp.fole %d, %e\n"
    "  %fogt:i1 = fcmp.fogt %d, %e\n"
    "  %foge:i1 = fcmp.foge %d, %e\n"
    "  %ford:i1 = fcmp.ford %d, %e\n"
    "  %fueq:i1 = fcmp.fueq %d, %e\n"
    "  %fune:i1 = fcmp.fune %d, %e\n"
    "  %fult:i1 = fcmp.fult %d, %e\n"
    "  %fule:i1 = fcmp.fule %d, %e\n"
    "  %fugt:i1 = fcmp.fugt %d, %e\n"
    "  %fuge:i1 = fcmp.fuge %d, %e\n"
    "  %funo:i1 = fcmp.funo %s, %s\n"
    "  %fcvt:f32 = fcvt %d, %rm\n"
    "  %itofs:f64 = itof.s %i, %rm\n"
    "  %itofu:f32 = itof.u %w, %rm\n"
    "  %ftois:i64 = ftoi.s %d, %rm\n"
    "  %ftoiu:i32 = ftoi.u %s, %rm\n"
    "  %ftoiss:i64 = ftoi.s.sat %d, %rm\n"
    "  %ftoius:i64 = ftoi.u.sat %d, %rm\n"
    "  %one:f64 = const 1.5\n"
    "  %half:f32 = const -0.5\n"
    "  %inf:f64 = const inf\n"
    "  %ninf:f32 = const -inf\n"
    "  %bits:f64 = const 0x3ff8000000000000\n"
    "  %hexf:f64 = const 0x1p3\n"
    "  %exp:f32 = const 1e3\n"
    "  %v0:v16i8 = get v0\n"
    "  %v1:v4i32 = get v1\n"
    "  %v2:v2i64 = get v2\n"
    "  %v3:v2f64 = get v3\n"
    "  %vc:v4i32 = vconst 0x000000040000000300000002_00000001\n"
    "  %vz:v2i64 = vconst 0x0\n"
    "  %vadd:v4i32 = add %v1, %vc\n"
    "  %vshl:v2i64 = shl %v2, %i\n"
    "  %vcmp:v4i32 = cmp.ugt %v1, %vc\n"
    "  %vsplat:v4i32 = vsplat %w\n"
    "  %vextract:i32 = vextract %v1, 3\n"
    "  %vinsert:v4i32 = vinsert %v1, %w, 0\n"
    "  %vtbl:v16i8 = vtbl %v0, %v0\n"
    "  %vmovmsk:i32 = vmovmsk %v0\n"
    "  %vziplo:v4i32 = vziplo %v1, %vadd\n"
    "  %vziphi:v4i32 = vziphi %v1, %vadd\n"
    "  %v16:v8i16 = bitcast %v1\n"
    "  %ntrunc:v16i8 = vnarrow.trunc %v16, %v16\n"
    "  %nssat:v16i8 = vnarrow.ssat %v16, %v16\n"
    "  %nusat:v16i8 = vnarrow.usat %v16, %v16\n"
    "  %nuusat:v16i8 = vnarrow.uusat %v16, %v16\n"
    "  %wlz:v8i16 = vwidenlo.zero %v0\n"
    "  %wls:v8i16 = vwidenlo.sign %v0\n"
    "  %whz:v8i16 = vwidenhi.zero %v0\n"
    "  %whs:v8i16 = vwidenhi.sign %v0\n"
    "  %vfadd:v2f64 = fadd %v3, %v3, %rm\n"
    "  %vfcmp:v2f64 = fcmp.funo %v3, %v3\n"
    "  set d0, %fma\n"
    "  set v1, %vinsert\n"
    "  syscall 0x2004\n"
    "}\n";

static const char corpus_mem[] =
    "# memory, atomics, helpers, exceptions\n"
    "func {\n"
    "b0:\n"
    "  insn 0x3000, 7\n"
    "  %a:i64 = get r0\n"
    "  %v:i64 = get r1\n"
    "  %l0:i64 = load %a\n"
    "  %l1:i32 = load.acq %a\n"
    "  %l2:i16 = load.rel %a\n"
    "  %l3:i8 = load.align %a\n"
    "  %l4:v2f64 = load.acq.rel.align %a\n"
    "  store %a, %v\n"
    "  store.acq %a, %l1\n"
    "  store.rel %a, %l2\n"
    "  store.align %a, %l3\n"
    "  store.rel.align %a, %l4\n"
    "  %cas0:i64 = cas %a, %v, %l0\n"
    "  %cas1:i64 = cas.acq %a, %v, %l0\n"
    "  %cas2:i64 = cas.rel %a, %v, %l0\n"
    "  %cas3:i64 = cas.acq.align %a, %v, %l0\n"
    "  %x0:i64 = armw.xchg %a, %v\n"
    "  %x1:i64 = armw.add %a, %v\n"
    "  %x2:i64 = armw.and %a, %v\n"
    "  %x3:i64 = armw.or %a, %v\n"
    "  %x4:i64 = armw.xor %a, %v\n"
    "  %x5:i32 = armw.smin %a, %l1\n"
    "  %x6:i32 = armw.smax %a, %l1\n"
    "  %x7:i16 = armw.umin %a, %l2\n"
    "  %x8:i8 = armw.umax %a, %l3\n"
    "  fence.full\n"
    "  fence.load\n"
    "  fence.store\n"
    "  %h:i64 = call my_helper(%a, %v)\n"
    "  call void_helper()\n"
    "  %f:i64 = call four_args(%a, %v, %l0, %h)\n"
    "  %c:i1 = cmp.ne %a, %f\n"
    "  br %c, b1, b2\n"
    "b1:\n"
    "  raise.undef %a\n"
    "b2:\n"
    "  raise.divide %a\n"
    "b3:\n" /* b3..b8 are unreachable: their operands are their own */
    "  %e3:i64 = const 0x3\n"
    "  raise.breakpt %e3\n"
    "b4:\n"
    "  %e4:i64 = const 0x80\n"
    "  raise.trap %e4\n"
    "b5:\n"
    "  %e5:i64 = const 0x0\n"
    "  raise.priv %e5\n"
    "b6:\n"
    "  %e6:i64 = const 0x0\n"
    "  raise.halt %e6\n"
    "b7:\n"
    "  %e7:i64 = const 0xdead0000\n"
    "  raise.fault %e7\n"
    "b8:\n"
    "  %e8:i64 = const 0x2\n"
    "  raise.sys %e8\n"
    "}\n";

static const char *const corpus[] = {example_text, corpus_int, corpus_fp_vec, corpus_mem};
#define NCORPUS (sizeof corpus / sizeof corpus[0])

/* -- Checks --------------------------------------------------------------- */

static IrFunc *parse_ok(const char *text) {
  char err[256];
  IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("parse failed: %s", err);
  return fn;
}

/* Two functions are the same IR: instructions, blocks, pool values, entry. */
static void assert_same_func(const IrFunc *a, const IrFunc *b) {
  assert_int_equal(a->entry, b->entry);
  assert_int_equal(a->ninsts, b->ninsts);
  assert_int_equal(a->nblocks, b->nblocks);
  for (uint32_t r = 1; r < a->ninsts; r++) {
    const IrInst *x = &a->insts[r], *y = &b->insts[r];
    assert_int_equal(x->op, y->op);
    assert_int_equal(x->type, y->type);
    assert_int_equal(x->nargs, y->nargs);
    assert_int_equal(x->aux, y->aux);
    for (unsigned i = 0; i < x->nargs; i++)
      assert_int_equal(x->args[i], y->args[i]);
    if (ir_op_info[x->op].imm == IR_IMM_POOL) {
      assert_true(x->imm < a->npool && y->imm < b->npool);
      assert_int_equal(a->pool[x->imm].lo, b->pool[y->imm].lo);
      assert_int_equal(a->pool[x->imm].hi, b->pool[y->imm].hi);
    } else {
      assert_int_equal(x->imm, y->imm);
    }
  }
  for (uint32_t i = 0; i < a->nblocks; i++) {
    assert_int_equal(a->blocks[i].n, b->blocks[i].n);
    for (uint32_t k = 0; k < a->blocks[i].n; k++)
      assert_int_equal(a->blocks[i].insts[k], b->blocks[i].insts[k]);
  }
}

/* parse -> print -> parse -> print: the same IR, and the text is a fixed point. */
static char *round_trip(const char *text) {
  IrFunc *f1 = parse_ok(text);
  char *p1 = ir_print(f1);
  IrFunc *f2 = parse_ok(p1);
  char *p2 = ir_print(f2);
  assert_string_equal(p1, p2);
  assert_same_func(f1, f2);
  free(p2);
  ir_func_free(f1);
  ir_func_free(f2);
  return p1;
}

/* -- Tests ---------------------------------------------------------------- */

static void test_example_canonical(void **state) {
  (void)state;
  char *p = round_trip(example_text);
  assert_string_equal(p, example_canon);
  free(p);
  p = round_trip(example_canon);
  assert_string_equal(p, example_canon);
  free(p);

  IrFunc *a = parse_ok(example_text), *b = parse_ok(example_canon);
  assert_same_func(a, b);
  assert_int_equal(a->entry, 0x401000);
  assert_int_equal(a->nblocks, 3);
  assert_int_equal(a->insts[4].op, IR_OP_add);
  assert_int_equal(a->insts[9].op, IR_OP_load);
  assert_int_equal(a->insts[9].imm, IR_MEM_ACQUIRE | IR_MEM_ALIGN);
  assert_int_equal(a->insts[13].imm, (uint64_t)h_my);
  assert_int_equal(a->insts[14].type, IR_T_void);
  assert_int_equal(a->insts[15].imm, IR_EXC_divide);
  ir_func_free(a);
  ir_func_free(b);
}

/* The builder's function prints as the canonical example, and parses back. */
static void test_builder_prints_canonical(void **state) {
  (void)state;
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  fn->entry = 0x401000;
  uint32_t b0 = ir_block_new(fn), b1 = ir_block_new(fn), b2 = ir_block_new(fn);
  ir_block_set(fn, b0);
  ir_insn(fn, 0x401000, 3);
  IrRef x = ir_get(fn, T_R0);
  IrRef k = ir_const(fn, IR_T_i64, 0x10);
  IrRef s = ir_op2(fn, IR_OP_add, x, k);
  ir_set(fn, T_R0, s);
  IrRef c = ir_cmp(fn, IR_PRED_eq, s, k);
  ir_br(fn, c, b1, b2);
  ir_block_set(fn, b1);
  ir_exit(fn, 0x401003);
  ir_block_set(fn, b2);
  IrRef l = ir_load(fn, IR_T_i64, s, IR_MEM_ACQUIRE | IR_MEM_ALIGN);
  IrRef rm = ir_const(fn, IR_T_i8, 3);
  IrRef d = ir_get(fn, T_D0);
  ir_op3(fn, IR_OP_fadd, d, d, rm);
  IrRef args[2] = {x, l};
  ir_call(fn, (uint32_t)h_my, 2, args);
  ir_call(fn, (uint32_t)h_void, 0, NULL);
  ir_raise(fn, IR_EXC_divide, l);

  char *p = ir_print(fn);
  assert_string_equal(p, example_canon);
  IrFunc *back = parse_ok(p);
  assert_same_func(fn, back);

  char buf[64];
  static const struct {
    IrRef r;
    const char *text;
  } one[] = {
      {1, "insn 0x401000, 3"},      {4, "%4:i64 = add %2, %3"}, {5, "set r0, %4"},
      {6, "%6:i1 = cmp.eq %4, %3"}, {7, "br %6, b1, b2"},       {8, "exit 0x401003"},
      {13, "%13:i64 = call my_helper(%2, %9)"},                 {14, "call void_helper()"},
  };
  for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
    ir_print_inst(fn, one[i].r, buf, sizeof buf);
    assert_string_equal(buf, one[i].text);
  }
  /* Truncation keeps a terminated prefix. */
  ir_print_inst(fn, 4, buf, 6);
  assert_string_equal(buf, "%4:i6");
  buf[0] = 'x';
  ir_print_inst(fn, 4, buf, 1);
  assert_string_equal(buf, "");

  free(p);
  ir_func_free(back);
  ir_func_free(fn);
}

/* Malformed instructions (as a validator may report) print without crashing. */
static void test_print_malformed(void **state) {
  (void)state;
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef v = ir_emit_raw(fn, IR_OP_vconst, IR_T_v4i32, 0, NULL, 99, 0);
  IrRef g = ir_emit_raw(fn, IR_OP_get, IR_T_i64, 0, NULL, 999, 0);
  IrRef rs = ir_emit_raw(fn, IR_OP_raise, IR_T_void, 1, &g, 42, 0);
  IrRef ld = ir_emit_raw(fn, IR_OP_load, IR_T_i64, 1, &g, 0x1c, 0);
  IrRef cl = ir_emit_raw(fn, IR_OP_call, IR_T_i64, 0, NULL, 100000, 0);
  IrRef bad = ir_emit_raw(fn, IR_OP_add, IR_T_i64, 2, (IrRef[]){g, g}, 0, 0);
  fn->insts[bad].op = 9999;
  char buf[80];
  ir_print_inst(fn, v, buf, sizeof buf);
  assert_string_equal(buf, "%1:v4i32 = vconst ?99");
  ir_print_inst(fn, g, buf, sizeof buf);
  assert_string_equal(buf, "%2:i64 = get ?999");
  ir_print_inst(fn, rs, buf, sizeof buf);
  assert_string_equal(buf, "raise.?42 %2");
  ir_print_inst(fn, ld, buf, sizeof buf);
  assert_string_equal(buf, "%4:i64 = load.align.?24 %2");
  ir_print_inst(fn, cl, buf, sizeof buf);
  assert_string_equal(buf, "%5:i64 = call ?100000()");
  ir_print_inst(fn, bad, buf, sizeof buf);
  assert_non_null(strstr(buf, "?"));
  ir_print_inst(fn, 12345, buf, sizeof buf);
  assert_non_null(strstr(buf, "?"));
  char *all = ir_print(fn);
  assert_non_null(strstr(all, "get ?999"));
  free(all);
  ir_func_free(fn);
}

/* Every op, every kind suffix and every predicate appears in the corpus, and
 * the corpus round-trips. A new op without printer/parser coverage fails here. */
static void test_corpus_covers_every_op(void **state) {
  (void)state;
  static bool op_seen[IR_OP__COUNT], pred_seen[IR_PRED__COUNT];
  static uint64_t kind_seen[IR_OP__COUNT]; /* bit v: value v (or flag bit v) seen */
  for (size_t t = 0; t < NCORPUS; t++) {
    free(round_trip(corpus[t]));
    IrFunc *fn = parse_ok(corpus[t]);
    char err[256];
    if (!ir_validate(fn, err, sizeof err)) /* the corpus is real IR, not just syntax */
      fail_msg("corpus %zu is not valid IR: %s", t, err);
    for (IrRef r = 1; r < fn->ninsts; r++) {
      const IrInst *in = &fn->insts[r];
      const IrKindNames *kn = ir_kind_names((IrOp)in->op);
      op_seen[in->op] = true;
      if (ir_op_info[in->op].imm == IR_IMM_PRED)
        pred_seen[in->imm] = true;
      if (kn && kn->flags)
        kind_seen[in->op] |= in->imm;
      else if (kn)
        kind_seen[in->op] |= 1ull << in->imm;
    }
    ir_func_free(fn);
  }
  for (unsigned op = 0; op < IR_OP__COUNT; op++) {
    if (!op_seen[op])
      fail_msg("op %s is not in the text corpus", ir_op_info[op].name);
    if (ir_op_info[op].imm != IR_IMM_KIND)
      continue;
    const IrKindNames *kn = ir_kind_names((IrOp)op);
    if (!kn)
      fail_msg("KIND op %s has no suffix names in ir_names.c", ir_op_info[op].name);
    for (uint32_t v = 0; v < kn->count; v++)
      if (kn->names[v] && !(kind_seen[op] >> v & 1))
        fail_msg("%s.%s is not in the text corpus", ir_op_info[op].name, kn->names[v]);
  }
  for (unsigned p = 0; p < IR_PRED__COUNT; p++)
    if (!pred_seen[p])
      fail_msg("predicate %s is not in the text corpus", ir_pred_name[p]);
}

/* Immediates parse to the right bits, and print canonically. */
static void test_immediates(void **state) {
  (void)state;
  IrFunc *fn = parse_ok(corpus_fp_vec);
  char *p = ir_print(fn);
  static const char *const expect[] = {
      "= const 0x3ff8000000000000\n", /* 1.5 */
      "= const 0xbf000000\n",         /* -0.5f */
      "= const 0x7ff0000000000000\n", /* inf */
      "= const 0xff800000\n",         /* -inf f32 */
      "= const 0x4020000000000000\n", /* 0x1p3 */
      "= const 0x447a0000\n",         /* 1e3f */
      "= vconst 0x00000004000000030000000200000001\n",
      "= vconst 0x00000000000000000000000000000000\n",
      "= vextract %",
      ", 3\n",
      "= ftoi.s.sat %",
  };
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
    if (!strstr(p, expect[i]))
      fail_msg("'%s' not in:\n%s", expect[i], p);
  free(p);
  ir_func_free(fn);

  fn = parse_ok(corpus_int);
  p = ir_print(fn);
  assert_non_null(strstr(p, ":i8 = const 0xff\n"));
  assert_non_null(strstr(p, ":i16 = const 0xffff\n"));
  assert_non_null(strstr(p, ":i64 = const 0xfffffffffffffff0\n"));
  assert_non_null(strstr(p, "extract %2, 8, 8\n"));
  free(p);
  ir_func_free(fn);

  fn = parse_ok("func {\nb0:\n"
                "  %n:f32 = const nan\n"
                "  %m:i8 = const 0x1ff\n"
                "  %o:i1 = const -1\n"
                "  %v:v16i8 = vconst 0xabc\n"
                "  %w:v16i8 = vconst 0xffffffffffffffff_0000000000000001\n"
                "  %l:i64 = load.align.acq %m\n" /* any order */
                "  exit 0x10\n}\n");
  assert_int_equal(fn->insts[1].imm & 0x7f800000, 0x7f800000);
  assert_true(fn->insts[1].imm & 0x7fffff);
  assert_int_equal(fn->insts[2].imm, 0xff);
  assert_int_equal(fn->insts[3].imm, 1);
  assert_int_equal(fn->pool[fn->insts[4].imm].lo, 0xabc);
  assert_int_equal(fn->pool[fn->insts[4].imm].hi, 0);
  assert_int_equal(fn->pool[fn->insts[5].imm].lo, 1);
  assert_int_equal(fn->pool[fn->insts[5].imm].hi, UINT64_MAX);
  assert_int_equal(fn->insts[6].imm, IR_MEM_ACQUIRE | IR_MEM_ALIGN);
  assert_int_equal(fn->entry, 0);
  p = ir_print(fn);
  assert_non_null(strstr(p, "func {\n"));
  assert_non_null(strstr(p, "load.acq.align %2\n"));
  free(p);
  ir_func_free(fn);
}

/* Names are any identifier, usable in later blocks; layout is free-form. */
static void test_names_and_layout(void **state) {
  (void)state;
  IrFunc *a = parse_ok("  # leading comment\n\n"
                       "func   entry = 0x401000{   # header\n"
                       "b0 :\n"
                       "\tinsn 0x401000 ,3\n"
                       "  %x_1 : i64 = get r0\n"
                       "  %Sixteen:i64=const 16\n"
                       "  %3:i64 = add %x_1,%Sixteen   # sum\n"
                       "\n"
                       "  set r0 , %3\n"
                       "  %c:i1 = cmp.eq %3, %Sixteen\n"
                       "  br %c, b1, b2\n"
                       "b1:\n"
                       "  exit 4198403\n"
                       "b2:\n"
                       "  %l:i64 = load.acq.align %3\n"
                       "  %rm:i8 = const 3\n"
                       "  %d:f64 = get d0\n"
                       "  %f:f64 = fadd %d, %d, %rm\n"
                       "  %h:i64 = call my_helper( %x_1 , %l )\n"
                       "  call void_helper( )\n"
                       "  raise.divide %l\n"
                       "}   # trailer\n"
                       "# done\n");
  char *p = ir_print(a);
  assert_string_equal(p, example_canon);
  free(p);
  ir_func_free(a);
}

typedef struct BadText {
  const char *text;
  unsigned line;
  const char *msg;
} BadText;

#define HDR "func {\nb0:\n" /* the first bad line is line 3 */
#define GET HDR "  %1:i64 = get r0\n" /* ... or line 4 */
static const BadText bad_texts[] = {
    {HDR "  %1:i64 = add %1, %2\n  exit 0x0\n}\n", 3, "undefined value %1"},
    {GET "  %2:i64 = add %1, %x\n}\n", 4, "undefined value %x"},
    {GET "  %1:i64 = get r1\n}\n", 4, "%1 redefined"},
    {HDR "  %1:i65 = get r0\n}\n", 3, "bad type 'i65'"},
    {HDR "  %1:void = get r0\n}\n", 3, "bad type 'void'"},
    {HDR "  %1: = get r0\n}\n", 3, "bad type"},
    {HDR "  %1:i64 = frob r0\n}\n", 3, "unknown op 'frob'"},
    {HDR "  %1:i64 = get r99\n}\n", 3, "unknown register 'r99'"},
    {GET "  set %1, r0\n}\n", 4, "unknown register"},
    {HDR "  %1:i64 = call nope()\n}\n", 3, "unknown helper 'nope'"},
    {GET "  %2:i64 = load.acquire %1\n}\n", 4, "bad suffix '.acquire' for load"},
    {GET "  %2:i64 = load.acq.acq %1\n}\n", 4, "bad suffix '.acq'"},
    {GET "  %2:i64 = load.acq. %1\n}\n", 4, "bad suffix '.' for load"},
    {GET "  fence.full.load\n}\n", 4, "bad suffix '.full.load' for fence"},
    {GET "  %2:i64 = add.trap %1, %1\n}\n", 4, "bad suffix '.trap' for add"},
    {GET "  %2:i64 = udiv %1, %1\n}\n", 4, "missing suffix for udiv"},
    {GET "  %2:i64 = ftoi.sat %1, %1\n}\n", 4, "bad suffix '.sat'"},
    {GET "  %2:i1 = cmp.lt %1, %1\n}\n", 4, "bad suffix '.lt' for cmp"},
    {GET "  %2:i1 = cmp %1, %1\n}\n", 4, "missing suffix for cmp"},
    {GET "  %2:i64 = add %1\n}\n", 4, "missing operand"},
    {GET "  %2:i64 = add\n}\n", 4, "missing operand"},
    {GET "  %2:i64 = extract %1, 8\n}\n", 4, "missing operand"},
    {HDR "  insn 0x1000\n}\n", 3, "missing operand"},
    {HDR "  %1:i64 = const\n}\n", 3, "missing operand"},
    {HDR "  $$$ garbage\n}\n", 3, "expected an instruction"},
    {HDR "  %1:i64 = get r0 junk\n}\n", 3, "unexpected 'junk'"},
    {GET "  exit 0x0, 4\n}\n", 4, "unexpected ', 4'"},
    {GET "  %2:i64 add %1, %1\n}\n", 4, "expected '='"},
    {GET "  %2:i64 = add %1 %1\n}\n", 4, "expected ','"},
    {GET "  %2:i64 = add %1, 5\n}\n", 4, "expected a %value"},
    {GET "  %:i64 = add %1, %1\n}\n", 4, "bad value name"},
    {HDR "  %1:i64 = const 1.5\n}\n", 3, "float literal"},
    {HDR "  %1:i64 = const 0x10000000000000000\n}\n", 3, "number too large"},
    {HDR "  %1:i64 = const 99999999999999999999\n}\n", 3, "number too large"},
    {HDR "  %1:i64 = const 12abc\n}\n", 3, "bad number '12abc'"},
    {HDR "  %1:f64 = const 1.5.5\n}\n", 3, "bad number"},
    {HDR "  %1:v4i32 = vconst 0x100000000000000000000000000000000\n}\n", 3, "number too large"},
    {HDR "  %1:v4i32 = vconst 12\n}\n", 3, "bad number"},
    {GET "  %2:i32 = vextract %1, -1\n}\n", 4, "bad number '-1'"},
    {GET "  %2:i64 = extract %1, 8, 0x100000000\n}\n", 4, "number too large"},
    {GET "  %2:i64 = call my_helper(%1, %1, %1, %1, %1)\n}\n", 4, "too many operands"},
    {GET "  %2:i64 = call my_helper(%1\n}\n", 4, "missing ')'"},
    {GET "  %2:i64 = call my_helper %1\n}\n", 4, "expected '('"},
    {HDR "  jmp b1\nb2:\n  exit 0x0\n}\n", 4, "expected label b1"},
    {HDR "  jmp b0\nb0:\n}\n", 4, "expected label b1"},
    {HDR "  exit 0x0\nb1:\n  jmp b5\n  exit 0x0\n}\n", 5, "undefined block b5"},
    {HDR "  jmp bx\n}\n", 3, "bad block 'bx'"},
    {HDR "  jmp b99999999999\n}\n", 3, "bad block"},
    {"func {\n  exit 0x0\n}\n", 2, "before the first label"},
    {"fun {\n}\n", 1, "expected 'func'"},
    {"", 1, "expected 'func'"},
    {"# only a comment\n\n", 2, "expected 'func'"},
    {"func entry= {\n}\n", 1, "missing number"},
    {"func\nb0:\n", 1, "expected '{'"},
    {HDR "  exit 0x0\n", 3, "missing '}'"},
    {HDR "  exit 0x0\n}\nextra\n", 5, "text after '}'"},
    {HDR "  exit 0x0\n} }\n", 4, "unexpected '}'"},
};

static void test_parse_errors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++) {
    const BadText *bt = &bad_texts[i];
    char err[200], prefix[32];
    IrFunc *fn = ir_parse(bt->text, &test_regfile, err, sizeof err);
    if (fn)
      fail_msg("parsed, expected an error: %s", bt->text);
    snprintf(prefix, sizeof prefix, "line %u: ", bt->line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, bt->msg))
      fail_msg("text:\n%s\nerror '%s', expected '%s...%s'", bt->text, err, prefix, bt->msg);
  }
  /* A tiny error buffer, or none, is fine. */
  char small[8];
  assert_null(ir_parse("nonsense", &test_regfile, small, sizeof small));
  assert_string_equal(small, "line 1:");
  assert_null(ir_parse("nonsense", &test_regfile, NULL, 0));
  assert_null(ir_parse(GET "}\n", NULL, small, sizeof small)); /* no register file */
}

/* -- Mutation fuzz: no crash (ASan), and whatever parses round-trips -------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return n ? (uint32_t)(rng_state % n) : 0;
}

static char *mutate(const char *src) {
  static const char alphabet[] = "%:=.,()#{}_-+ \n\tbrx0123456789abcdefip";
  size_t len = strlen(src);
  char *t = malloc(len * 2 + 64);
  memcpy(t, src, len + 1);
  unsigned edits = rng(3) ? 1 : 1 + rng(4);
  for (unsigned e = 0; e < edits && len > 0; e++) {
    size_t at = rng((uint32_t)len);
    switch (rng(5)) {
    case 0: /* truncate */
      len = at;
      break;
    case 1: /* replace one byte */
      t[at] = alphabet[rng(sizeof alphabet - 1)];
      break;
    case 2: { /* delete a span */
      size_t n = 1 + rng(8);
      if (at + n > len)
        n = len - at;
      memmove(t + at, t + at + n, len - at - n);
      len -= n;
      break;
    }
    case 3: /* insert one byte */
      if (len < strlen(src) * 2 + 32) {
        memmove(t + at + 1, t + at, len - at);
        t[at] = alphabet[rng(sizeof alphabet - 1)];
        len++;
      }
      break;
    default: { /* copy a span of the text elsewhere (dup lines, labels) */
      size_t from = rng((uint32_t)len), n = 1 + rng(24);
      if (from + n > len)
        n = len - from;
      if (len + n < strlen(src) * 2 + 32) {
        memmove(t + at + n, t + at, len - at);
        memmove(t + at, t + (from < at ? from : from + n), n);
        len += n;
      }
      break;
    }
    }
    t[len] = '\0';
  }
  t[len] = '\0';
  /* Exact-size copy so ASan sees any read past the terminator. */
  char *exact = malloc(len + 1);
  memcpy(exact, t, len + 1);
  free(t);
  return exact;
}

static void test_mutation_fuzz(void **state) {
  (void)state;
  unsigned parsed = 0, failed = 0;
  for (unsigned i = 0; i < 20000; i++) {
    char *text = mutate(corpus[i % NCORPUS]);
    char err[128];
    IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
    if (fn) {
      parsed++;
      free(round_trip(text));
      ir_func_free(fn);
    } else {
      failed++;
      if (strncmp(err, "line ", 5) != 0)
        fail_msg("error without a line: '%s' for:\n%s", err, text);
    }
    free(text);
  }
  printf("fuzz: %u parsed, %u rejected\n", parsed, failed);
  /* Both outcomes must be exercised for the fuzz to mean anything. */
  assert_true(parsed > 100);
  assert_true(failed > 1000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example_canonical),
      cmocka_unit_test(test_builder_prints_canonical),
      cmocka_unit_test(test_print_malformed),
      cmocka_unit_test(test_corpus_covers_every_op),
      cmocka_unit_test(test_immediates),
      cmocka_unit_test(test_names_and_layout),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_mutation_fuzz),
  };
  return cmocka_run_group_tests(tests, setup_helpers, NULL);
}
