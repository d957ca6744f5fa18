/* x86_flags.c — x86 arithmetic flags as explicit IR values, one slot each, and
 * the 16 condition codes computed from them. The IR's dead-slot-write pass
 * removes the ones nothing reads. */
#include "x86_lift.h"

void x86_set_flag(X86Lift *l, unsigned slot, IrRef v) { ir_set(l->fn, slot, v); }
IrRef x86_get_flag(X86Lift *l, unsigned slot) { return ir_get(l->fn, slot); }

void x86_flags_szp(X86Lift *l, IrRef r) {
  IrFunc *fn = l->fn;
  IrRef zero = ir_const(fn, ir_typeof(fn, r), 0);
  x86_set_flag(l, X86_SLOT_SF, ir_cmp(fn, IR_PRED_slt, r, zero));
  x86_set_flag(l, X86_SLOT_ZF, ir_cmp(fn, IR_PRED_eq, r, zero));
  x86_set_flag(l, X86_SLOT_PF, ir_emit(fn, IR_OP_parity, IR_T_i1, 1, &r, 0, 0));
}

/* AF: the carry or borrow out of bit 3, i.e. bit 4 of a ^ b ^ r. */
static void flag_af(X86Lift *l, IrRef a, IrRef b, IrRef r) {
  IrFunc *fn = l->fn;
  IrRef x = ir_op2(fn, IR_OP_xor, ir_op2(fn, IR_OP_xor, a, b), r);
  x86_set_flag(l, X86_SLOT_AF, ir_cast(fn, IR_OP_trunc, IR_T_i1, ir_extract(fn, x, 4, 1, false)));
}

void x86_flags_add(X86Lift *l, IrRef a, IrRef b, IrRef cin, IrRef r) {
  x86_set_flag(l, X86_SLOT_CF, ir_flag(l->fn, IR_OP_addcf, a, b, cin));
  x86_set_flag(l, X86_SLOT_OF, ir_flag(l->fn, IR_OP_addof, a, b, cin));
  flag_af(l, a, b, r);
  x86_flags_szp(l, r);
}

void x86_flags_sub(X86Lift *l, IrRef a, IrRef b, IrRef bin, IrRef r) {
  x86_set_flag(l, X86_SLOT_CF, ir_flag(l->fn, IR_OP_subcf, a, b, bin));
  x86_set_flag(l, X86_SLOT_OF, ir_flag(l->fn, IR_OP_subof, a, b, bin));
  flag_af(l, a, b, r);
  x86_flags_szp(l, r);
}

void x86_flags_logic(X86Lift *l, IrRef r) {
  IrRef zero = ir_const(l->fn, IR_T_i1, 0);
  x86_set_flag(l, X86_SLOT_CF, zero);
  x86_set_flag(l, X86_SLOT_OF, zero);
  x86_set_flag(l, X86_SLOT_AF, zero); /* undefined; hardware clears it */
  x86_flags_szp(l, r);
}

/* Even condition codes; odd ones are their negation (Intel's encoding). */
IrRef x86_cond(X86Lift *l, unsigned cc) {
  IrFunc *fn = l->fn;
  IrRef v;
  switch (cc >> 1) {
  case 0: v = x86_get_flag(l, X86_SLOT_OF); break;                     /* O */
  case 1: v = x86_get_flag(l, X86_SLOT_CF); break;                     /* B */
  case 2: v = x86_get_flag(l, X86_SLOT_ZF); break;                     /* E */
  case 3:                                                              /* BE */
    v = ir_op2(fn, IR_OP_or, x86_get_flag(l, X86_SLOT_CF), x86_get_flag(l, X86_SLOT_ZF));
    break;
  case 4: v = x86_get_flag(l, X86_SLOT_SF); break;                     /* S */
  case 5: v = x86_get_flag(l, X86_SLOT_PF); break;                     /* P */
  case 6:                                                              /* L */
    v = ir_op2(fn, IR_OP_xor, x86_get_flag(l, X86_SLOT_SF), x86_get_flag(l, X86_SLOT_OF));
    break;
  default:                                                             /* LE */
    v = ir_op2(fn, IR_OP_or, x86_get_flag(l, X86_SLOT_ZF),
               ir_op2(fn, IR_OP_xor, x86_get_flag(l, X86_SLOT_SF), x86_get_flag(l, X86_SLOT_OF)));
    break;
  }
  return (cc & 1) ? ir_op1(fn, IR_OP_not, v) : v;
}
