/* test_validate.c — ir_validate: valid programs pass, and each rejection rule fires
 * with a message naming the block, the instruction and the rule. Programs are IR
 * text where the parser can express the mistake (it checks syntax, not types), and
 * built with the raw emitter where it cannot (undefined refs, bad targets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "test_regfile.h"

static uint64_t h_add2(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return a + b;
}
static uint32_t helper_add2(void) {
  static const IrHelper h = {"add2", h_add2, 2, IR_T_i64, 0};
  return (uint32_t)ir_helper_register(&h);
}

static IrFunc *parse(const char *text) {
  char err[256] = "";
  helper_add2();
  IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("parse failed: %s\n%s", err, text);
  return fn;
}

static void expect_valid(IrFunc *fn) {
  char err[256] = "";
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("unexpectedly invalid: %s", err);
  ir_func_free(fn);
}

/* Invalid, and the message contains every one of the NULL-terminated fragments. */
static void expect_invalid(IrFunc *fn, ...) {
  char err[256] = "";
  bool ok = ir_validate(fn, err, sizeof err);
  ir_func_free(fn);
  if (ok)
    fail_msg("unexpectedly valid");
  va_list ap;
  va_start(ap, fn);
  for (const char *frag; (frag = va_arg(ap, const char *));)
    if (!strstr(err, frag)) {
      va_end(ap);
      fail_msg("message \"%s\" lacks \"%s\"", err, frag);
    }
  va_end(ap);
}
#define INVALID(text, ...) expect_invalid(parse(text), __VA_ARGS__, (const char *)NULL)

/* -- Valid programs ---------------------------------------------------------- */

static void test_valid_scalar(void **state) {
  expect_valid(parse("func {\n"
                     "b0:\n"
                     "  insn 0x1000, 3\n"
                     "  %a:i64 = get r0\n"
                     "  %b:i64 = const 5\n"
                     "  %c:i64 = add %a, %b\n"
                     "  %d:i32 = trunc %c\n"
                     "  %e:i64 = zext %d\n"
                     "  %f:i64 = sext %d\n"
                     "  %g:f64 = bitcast %f\n"
                     "  %n:i8 = const 3\n"
                     "  %h:i64 = shl %e, %n\n"
                     "  %cf0:i1 = const 0\n"
                     "  %cf:i1 = addcf %a, %b, %cf0\n"
                     "  %x:i64 = extract %h, 4, 8\n"
                     "  %y:i64 = deposit %x, %d, 8, 32\n"
                     "  %z:i1 = cmp.ult %y, %a\n"
                     "  %s:i64 = select %z, %y, %a\n"
                     "  %rm:i8 = const 0\n"
                     "  %fl:f32 = itof.s %d, %rm\n"
                     "  %dd:f64 = fcvt %fl, %rm\n"
                     "  %fi:i32 = ftoi.s.sat %dd, %rm\n"
                     "  %fc:i1 = fcmp.folt %g, %dd\n"
                     "  %l:i32 = load.align %s\n"
                     "  store %s, %l\n"
                     "  %q:i64 = udiv.trap %a, %h\n"
                     "  %k:i64 = call add2(%q, %s)\n"
                     "  set r1, %k\n"
                     "  set w0, %fi\n"
                     "  set cf, %fc\n"
                     "  exit 0x1003\n"
                     "}\n"));
}

static void test_valid_vector(void **state) {
  expect_valid(parse("func {\n"
                     "b0:\n"
                     "  %v:v16i8 = get v0\n"
                     "  %w:v4i32 = get v1\n"
                     "  %q:v2i64 = get v2\n"
                     "  %d:v2f64 = get v3\n"
                     "  %c:v16i8 = vconst 0x0f0e0d0c0b0a09080706050403020100\n"
                     "  %t:v16i8 = vtbl %v, %c\n"
                     "  %e:i8 = vextract %t, 15\n"
                     "  %i:v16i8 = vinsert %t, %e, 0\n"
                     "  %m:i32 = vmovmsk %i\n"
                     "  %eq:v4i32 = cmp.eq %w, %w\n"
                     "  %n:v8i16 = vnarrow.ssat %eq, %w\n"
                     "  %wl:v4i32 = vwidenlo.sign %n\n"
                     "  %rm:i8 = const 0\n"
                     "  %f:v2f64 = itof.s %q, %rm\n"
                     "  %g:v4f32 = fcvt %d, %rm\n"
                     "  %h:v4i32 = ftoi.s %g, %rm\n"
                     "  %fm:v2f64 = fcmp.fune %f, %d\n"
                     "  %sp:v4i32 = vsplat %m\n"
                     "  %a:v4i32 = add %sp, %h\n"
                     "  %x:v4i32 = add %a, %wl\n"
                     "  %cnt:i64 = const 3\n"
                     "  %sh:v4i32 = shl %x, %cnt\n"
                     "  set v1, %sh\n"
                     "  %fb:v2i64 = bitcast %fm\n"
                     "  set v2, %fb\n"
                     "  exit 0\n"
                     "}\n"));
}

/* A diamond: values from b0 reach b3 since b0 dominates it; b3 is also a loop head. */
static void test_valid_cfg(void **state) {
  expect_valid(parse("func {\n"
                     "b0:\n"
                     "  %a:i64 = get r0\n"
                     "  %z:i64 = const 0\n"
                     "  %c:i1 = cmp.eq %a, %z\n"
                     "  br %c, b1, b2\n"
                     "b1:\n"
                     "  %one:i64 = const 1\n"
                     "  set r1, %one\n"
                     "  jmp b3\n"
                     "b2:\n"
                     "  set r1, %a\n"
                     "  jmp b3\n"
                     "b3:\n"
                     "  %r:i64 = get r1\n"
                     "  %s:i64 = add %r, %a\n"
                     "  set r1, %s\n"
                     "  %more:i1 = cmp.ult %s, %a\n"
                     "  br %more, b3, b4\n"
                     "b4:\n"
                     "  exiti %s\n"
                     "}\n"));
}

/* -- One test per rejection rule ------------------------------------------------ */

static void test_wrong_arg_type(void **state) {
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %b:i32 = get w0\n  %c:i64 = add %a, %b\n"
          "  exit 0\n}\n",
          "b0: ", "add", "operand 1", "i32", "expected i64");
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %b:i64 = get r1\n  %c:i1 = addcf %a, %b, %a\n"
          "  exit 0\n}\n",
          "addcf", "operand 2", "expected i1");
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  load %a\n  exit 0\n}\n", "load");
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  %b:i32 = load %a\n  exit 0\n}\n", "load",
          "operand 0", "expected i64");
  INVALID("func {\nb0:\n  %a:f64 = get d0\n  %b:f64 = add %a, %a\n  exit 0\n}\n", "add",
          "type f64 not allowed");
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %b:f64 = shl %a, %a\n  exit 0\n}\n", "shl");
  INVALID("func {\nb0:\n  %a:f64 = get d0\n  %b:f64 = fadd %a, %a, %a\n  exit 0\n}\n", "fadd",
          "operand 2", "expected i8");
  INVALID("func {\nb0:\n  %a:v4i32 = get v1\n  %b:i64 = get r0\n  %c:v4i32 = vsplat %b\n"
          "  exit 0\n}\n",
          "vsplat", "expected i32");
}

static void test_bad_cmp_result(void **state) {
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %c:i64 = cmp.eq %a, %a\n  exit 0\n}\n", "cmp",
          "result type i64, expected i1");
  INVALID("func {\nb0:\n  %a:v4i32 = get v1\n  %c:i1 = cmp.eq %a, %a\n  exit 0\n}\n", "cmp",
          "expected v4i32");
  INVALID("func {\nb0:\n  %a:f64 = get d0\n  %c:v2f64 = fcmp.foeq %a, %a\n  exit 0\n}\n",
          "fcmp", "expected i1");
  INVALID("func {\nb0:\n  %a:f64 = get d0\n  %c:i1 = cmp.eq %a, %a\n  exit 0\n}\n", "cmp",
          "operand type f64 not allowed");
}

static void test_bad_cast_widths(void **state) {
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %b:i32 = zext %a\n  exit 0\n}\n", "zext",
          "strictly widen");
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  %b:i32 = sext %a\n  exit 0\n}\n", "sext",
          "strictly widen");
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  %b:i64 = trunc %a\n  exit 0\n}\n", "trunc",
          "strictly narrow");
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  %b:i32 = trunc %a\n  exit 0\n}\n", "trunc",
          "strictly narrow");
  INVALID("func {\nb0:\n  %a:f64 = get d0\n  %b:i64 = zext %a\n  exit 0\n}\n", "zext");
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %b:f32 = bitcast %a\n  exit 0\n}\n", "bitcast",
          "one size");
  INVALID("func {\nb0:\n  %a:i1 = get cf\n  %b:i8 = bitcast %a\n  exit 0\n}\n", "bitcast");
  INVALID("func {\nb0:\n  %a:f64 = get d0\n  %r:i8 = const 0\n  %b:f64 = fcvt %a, %r\n"
          "  exit 0\n}\n",
          "fcvt", "no conversion from f64 to f64");
  INVALID("func {\nb0:\n  %a:v4i32 = get v1\n  %r:i8 = const 0\n  %b:v2f64 = itof.s %a, %r\n"
          "  exit 0\n}\n",
          "itof", "no conversion");
  INVALID("func {\nb0:\n  %a:v4i32 = get v1\n  %b:v4i32 = vnarrow.trunc %a, %a\n  exit 0\n}\n",
          "vnarrow", "twice");
  INVALID("func {\nb0:\n  %a:v16i8 = get v0\n  %b:v2i64 = vwidenlo.zero %a\n  exit 0\n}\n",
          "vwidenlo", "half");
}

static void test_slot_type_mismatch(void **state) {
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  set w0, %a\n  exit 0\n}\n", "set",
          "value type i64 differs from slot w0's type i32");
  INVALID("func {\nb0:\n  %a:i32 = get r0\n  exit 0\n}\n", "get", "slot r0");
}

static void test_missing_terminator(void **state) {
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  set r1, %a\n}\n", "b0: ", "set",
          "does not end with a terminator");
}

static void test_terminator_mid_block(void **state) {
  INVALID("func {\nb0:\n  exit 0\n  %a:i64 = get r0\n  exit 4\n}\n", "b0: ", "exit",
          "terminator before the end");
}

static void test_empty_block(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  ir_exit(fn, 0);
  ir_block_new(fn);
  expect_invalid(fn, "b1: ", "empty block", (const char *)NULL);
}

static void test_undefined_ref(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef a = ir_get(fn, T_R0);
  IrRef args[2] = {a, 999};
  IrRef s = ir_emit_raw(fn, IR_OP_add, IR_T_i64, 2, args, 0, 0);
  ir_set(fn, T_R0, s);
  ir_exit(fn, 0);
  expect_invalid(fn, "add", "operand 1", "not a value", (const char *)NULL);

  /* An instruction that exists but is listed in no block. */
  fn = ir_func_new(&test_regfile);
  fn->fold = false;
  a = ir_get(fn, T_R0);
  IrRef orphan = ir_const(fn, IR_T_i64, 7);
  fn->blocks[0].n--; /* unlist it */
  args[0] = a;
  args[1] = orphan;
  s = ir_emit_raw(fn, IR_OP_add, IR_T_i64, 2, args, 0, 0);
  ir_set(fn, T_R0, s);
  ir_exit(fn, 0);
  expect_invalid(fn, "operand 1", "not defined in any block", (const char *)NULL);
}

static void test_use_before_def_same_block(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef a = ir_get(fn, T_R0);
  IrRef args[2] = {a, a + 2}; /* the const emitted next */
  IrRef s = ir_emit_raw(fn, IR_OP_add, IR_T_i64, 2, args, 0, 0);
  ir_const(fn, IR_T_i64, 1);
  ir_set(fn, T_R0, s);
  ir_exit(fn, 0);
  expect_invalid(fn, "b0: ", "add", "used before its definition", (const char *)NULL);
}

static void test_use_not_dominated(void **state) {
  INVALID("func {\n"
          "b0:\n"
          "  %c:i1 = get cf\n"
          "  br %c, b1, b2\n"
          "b1:\n"
          "  %x:i64 = get r0\n"
          "  jmp b2\n"
          "b2:\n"
          "  set r1, %x\n"
          "  exit 0\n"
          "}\n",
          "b2: ", "set", "defined in b1, which does not dominate b2");
  /* Through a loop back edge: b2 is reached from b0 directly too. */
  INVALID("func {\n"
          "b0:\n"
          "  jmp b1\n"
          "b1:\n"
          "  %c:i1 = get cf\n"
          "  br %c, b2, b3\n"
          "b2:\n"
          "  %x:i64 = get r0\n"
          "  jmp b1\n"
          "b3:\n"
          "  exiti %x\n"
          "}\n",
          "b3: ", "does not dominate b3");
  /* Unreachable blocks still need their operands defined on the way in. */
  INVALID("func {\n"
          "b0:\n"
          "  %x:i64 = get r0\n"
          "  exit 0\n"
          "b1:\n"
          "  exiti %x\n"
          "}\n",
          "b1: ", "does not dominate b1");
}

static void test_bad_br_target(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef c = ir_get(fn, T_CF);
  ir_br(fn, c, 0, 7);
  expect_invalid(fn, "b0: ", "br", "target b7 does not exist", (const char *)NULL);
  fn = ir_func_new(&test_regfile);
  ir_jmp(fn, 1);
  expect_invalid(fn, "jmp", "target b1", (const char *)NULL);
}

static void test_bad_lane(void **state) {
  INVALID("func {\nb0:\n  %a:v4i32 = get v1\n  %e:i32 = vextract %a, 4\n  exit 0\n}\n",
          "vextract", "lane 4 out of range for v4i32");
  INVALID("func {\nb0:\n  %a:v4i32 = get v1\n  %e:i64 = vextract %a, 0\n  exit 0\n}\n",
          "vextract", "lane type");
  INVALID("func {\nb0:\n  %a:v16i8 = get v0\n  %b:i8 = get b0\n"
          "  %c:v16i8 = vinsert %a, %b, 16\n  exit 0\n}\n",
          "vinsert", "lane 16 out of range");
}

static void test_call_arg_count(void **state) {
  uint32_t h = helper_add2();
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef a = ir_get(fn, T_R0);
  ir_emit_raw(fn, IR_OP_call, IR_T_i64, 1, &a, h, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "call", "1 arguments, helper add2 takes 2", (const char *)NULL);
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %r:i32 = call add2(%a, %a)\n  exit 0\n}\n",
          "call", "helper add2's result");
  fn = ir_func_new(&test_regfile);
  a = ir_get(fn, T_R0);
  ir_emit_raw(fn, IR_OP_call, IR_T_i64, 0, NULL, 12345, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "helper 12345 is not registered", (const char *)NULL);
}

static void test_bad_immediates(void **state) {
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  %b:i32 = extract %a, 30, 4\n  exit 0\n}\n",
          "extract", "outside 32 bits");
  INVALID("func {\nb0:\n  %a:i32 = get w0\n  %b:i32 = extract %a, 0, 0\n  exit 0\n}\n",
          "extract");
  INVALID("func {\nb0:\n  %a:i64 = get r0\n  %b:i64 = deposit %a, %a, 1, 64\n  exit 0\n}\n",
          "deposit", "outside 64 bits");

  IrFunc *fn = ir_func_new(&test_regfile);
  ir_emit_raw(fn, IR_OP_vconst, IR_T_v4i32, 0, NULL, 3, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "vconst", "pool index 3", (const char *)NULL);

  fn = ir_func_new(&test_regfile);
  ir_emit_raw(fn, IR_OP_const, IR_T_i8, 0, NULL, 0x100, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "const", "does not fit i8", (const char *)NULL);

  fn = ir_func_new(&test_regfile);
  ir_emit_raw(fn, IR_OP_const, IR_T_v4i32, 0, NULL, 0, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "const", "type v4i32 not allowed", (const char *)NULL);

  fn = ir_func_new(&test_regfile);
  ir_emit_raw(fn, IR_OP_get, IR_T_i64, 0, NULL, 99, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "get", "slot 99 out of range", (const char *)NULL);

  fn = ir_func_new(&test_regfile);
  IrRef args[2] = {ir_get(fn, T_R0), ir_get(fn, T_R1)};
  ir_emit_raw(fn, IR_OP_udiv, IR_T_i64, 2, args, 2, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "udiv", "kind 2 out of range", (const char *)NULL);

  fn = ir_func_new(&test_regfile);
  args[0] = ir_get(fn, T_R0);
  ir_emit_raw(fn, IR_OP_cmp, IR_T_i1, 2, (IrRef[]){args[0], args[0]}, IR_PRED_folt, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "cmp", "not an integer predicate", (const char *)NULL);

  fn = ir_func_new(&test_regfile);
  ir_emit_raw(fn, IR_OP_add, IR_T_i64, 1, args, 0, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "add", "1 operands, expected 2", (const char *)NULL);
}

static void test_void_operand(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  IrRef a = ir_get(fn, T_R0);
  IrRef st = ir_emit_raw(fn, IR_OP_store, IR_T_void, 2, (IrRef[]){a, a}, 0, 0);
  ir_emit_raw(fn, IR_OP_set, IR_T_void, 1, &st, T_R1, 0);
  ir_exit(fn, 0);
  expect_invalid(fn, "set", "has no value", (const char *)NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_scalar),
      cmocka_unit_test(test_valid_vector),
      cmocka_unit_test(test_valid_cfg),
      cmocka_unit_test(test_wrong_arg_type),
      cmocka_unit_test(test_bad_cmp_result),
      cmocka_unit_test(test_bad_cast_widths),
      cmocka_unit_test(test_slot_type_mismatch),
      cmocka_unit_test(test_missing_terminator),
      cmocka_unit_test(test_terminator_mid_block),
      cmocka_unit_test(test_empty_block),
      cmocka_unit_test(test_undefined_ref),
      cmocka_unit_test(test_use_before_def_same_block),
      cmocka_unit_test(test_use_not_dominated),
      cmocka_unit_test(test_bad_br_target),
      cmocka_unit_test(test_bad_lane),
      cmocka_unit_test(test_call_arg_count),
      cmocka_unit_test(test_bad_immediates),
      cmocka_unit_test(test_void_operand),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
