/* lift_muldiv.c — x86 integer multiply and divide: mul, imul in its one-, two-
 * and three-operand forms, div and idiv. The one-operand forms use the
 * accumulator pair at twice the width (AH:AL for bytes, else rDX:rAX); division
 * lifts to udivw/sdivw/uremw/sremw, which raise `divide` (SIGFPE) for a zero
 * divisor or a quotient that does not fit, before anything is written. */
#include "x86_lift.h"

/* CF = OF = the product does not fit the destination (ovf). SF ZF AF PF are
 * architecturally undefined; they are set as Intel hardware sets them (SF and
 * PF from the low half, ZF and AF clear), so traces compare with native runs. */
static void mul_flags(X86Lift *l, IrRef ovf, IrRef lo) {
  IrFunc *fn = l->fn;
  IrRef zero = ir_const(fn, IR_T_i1, 0);
  x86_set_flag(l, X86_SLOT_CF, ovf);
  x86_set_flag(l, X86_SLOT_OF, ovf);
  x86_set_flag(l, X86_SLOT_SF, ir_cmp(fn, IR_PRED_slt, lo, ir_const(fn, ir_typeof(fn, lo), 0)));
  x86_set_flag(l, X86_SLOT_PF, ir_emit(fn, IR_OP_parity, IR_T_i1, 1, &lo, 0, 0));
  x86_set_flag(l, X86_SLOT_ZF, zero);
  x86_set_flag(l, X86_SLOT_AF, zero);
}

/* The high half does not hold just the sign (or zero) extension of the low half. */
static IrRef mul_overflow(X86Lift *l, bool sign, IrRef lo, IrRef hi) {
  IrType t = ir_typeof(l->fn, lo);
  IrRef ext = sign ? ir_op2(l->fn, IR_OP_ashr, lo, x86_const(l, t, ir_type_bits(t) - 1))
                   : x86_const(l, t, 0);
  return ir_cmp(l->fn, IR_PRED_ne, hi, ext);
}

/* mul r/m, imul r/m (a = signed): rDX:rAX = rAX * src, or AX = AL * src8. */
static bool lift_mul_acc(X86Lift *l, bool sign) {
  IrFunc *fn = l->fn;
  unsigned w = l->op[0].size;
  IrRef src = x86_get(l, 0);
  IrRef acc = x86_gpr_get(l, X86_RAX, w, false);
  IrRef lo = ir_op2(fn, IR_OP_mul, acc, src);
  IrRef hi = ir_op2(fn, sign ? IR_OP_mulhs : IR_OP_mulhu, acc, src);
  if (w == 8) {
    IrRef ax = ir_op2(fn, IR_OP_or, ir_cast(fn, IR_OP_zext, IR_T_i16, lo),
                      ir_op2(fn, IR_OP_shl, ir_cast(fn, IR_OP_zext, IR_T_i16, hi),
                             ir_const(fn, IR_T_i16, 8)));
    x86_gpr_put(l, X86_RAX, 16, false, ax);
  } else {
    x86_gpr_put(l, X86_RAX, w, false, lo);
    x86_gpr_put(l, X86_RDX, w, false, hi);
  }
  mul_flags(l, mul_overflow(l, sign, lo, hi), lo);
  return true;
}

static bool lift_mul(X86Lift *l, const X86Lifter *e) {
  (void)e;
  return lift_mul_acc(l, false);
}

/* imul: one operand (accumulator form), two (dst *= src) or three (dst = src * imm). */
static bool lift_imul(X86Lift *l, const X86Lifter *e) {
  (void)e;
  unsigned n = l->in.operand_count_visible;
  if (n == 1)
    return lift_mul_acc(l, true);
  IrType t = x86_optype(l, 0);
  IrRef a = x86_get_as(l, n == 3 ? 1 : 0, t), b = x86_get_as(l, n - 1, t);
  IrRef lo = ir_op2(l->fn, IR_OP_mul, a, b);
  IrRef hi = ir_op2(l->fn, IR_OP_mulhs, a, b);
  x86_put(l, 0, lo);
  mul_flags(l, mul_overflow(l, true, lo, hi), lo);
  return true;
}

/* div / idiv (a = signed): quotient to AL / rAX, remainder to AH / rDX. The
 * flags are undefined and Intel hardware leaves them alone: so do we. */
static bool lift_div(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  bool sign = e->a;
  unsigned w = l->op[0].size;
  IrType t = x86_optype(l, 0);
  IrRef d = x86_get(l, 0);
  IrRef hi = w == 8 ? x86_gpr_get(l, X86_RAX, 8, true) : x86_gpr_get(l, X86_RDX, w, false);
  IrRef lo = x86_gpr_get(l, X86_RAX, w, false);
  IrRef args[3] = {hi, lo, d};
  IrRef q = ir_emit(fn, sign ? IR_OP_sdivw : IR_OP_udivw, t, 3, args, 0, 0);
  IrRef r = ir_emit(fn, sign ? IR_OP_sremw : IR_OP_uremw, t, 3, args, 0, 0);
  x86_gpr_put(l, X86_RAX, w, false, q);
  if (w == 8)
    x86_gpr_put(l, X86_RAX, 8, true, r);
  else
    x86_gpr_put(l, X86_RDX, w, false, r);
  return true;
}

const X86Lifter x86_lifters_muldiv[] = {
    {ZYDIS_MNEMONIC_MUL, lift_mul, 0, 0},
    {ZYDIS_MNEMONIC_IMUL, lift_imul, 0, 0},
    {ZYDIS_MNEMONIC_DIV, lift_div, 0, 0},
    {ZYDIS_MNEMONIC_IDIV, lift_div, 1, 0},
    {0, NULL, 0, 0},
};
