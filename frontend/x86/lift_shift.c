/* lift_shift.c — x86 shifts and rotates: shl/sal shr sar rol ror rcl rcr by 1,
 * imm8 or CL at every size, and the double shifts shld/shrd. The count is
 * masked to 5 bits (6 for 64-bit operands) and the destination is always
 * written (a 32-bit register is zero-extended even for a zero count), but a
 * zero count changes no flag: each flag becomes select(count != 0, new, old),
 * which folds away for constant counts.
 *
 * Flags the manual leaves undefined are set as Intel hardware sets them: OF
 * for counts above 1 is the count-1 formula applied to the source, AF is
 * cleared, and CF past the operand width follows the bits shifted through a
 * wider register (0 for shl/shr, the sign for sar). */
#include "x86_lift.h"

static IrRef bit(X86Lift *l, IrRef v, unsigned i) {
  return ir_cast(l->fn, IR_OP_trunc, IR_T_i1, ir_extract(l->fn, v, i, 1, false));
}

static IrRef xor1(X86Lift *l, IrRef a, IrRef b) { return ir_op2(l->fn, IR_OP_xor, a, b); }

/* Operand i (imm8 or CL) masked as x86 masks shift counts, as i8. */
static IrRef shift_count(X86Lift *l, int i, unsigned n) {
  IrRef c = x86_get_as(l, i, IR_T_i8);
  return ir_op2(l->fn, IR_OP_and, c, ir_const(l->fn, IR_T_i8, n == 64 ? 63 : 31));
}

static IrRef to_i64(X86Lift *l, IrRef v, bool sign) {
  if (ir_typeof(l->fn, v) == IR_T_i64)
    return v;
  return ir_cast(l->fn, sign ? IR_OP_sext : IR_OP_zext, IR_T_i64, v);
}

/* Flag slot = v when `on`, else unchanged. */
static void flag_if(X86Lift *l, IrRef on, unsigned slot, IrRef v) {
  x86_set_flag(l, slot, ir_select(l->fn, on, v, x86_get_flag(l, slot)));
}

/* The flags every shift (not rotate) sets from its result r. */
static void shift_flags(X86Lift *l, IrRef on, IrRef cf, IrRef of, IrRef r) {
  IrFunc *fn = l->fn;
  IrRef zero = ir_const(fn, ir_typeof(fn, r), 0);
  flag_if(l, on, X86_SLOT_CF, cf);
  flag_if(l, on, X86_SLOT_OF, of);
  flag_if(l, on, X86_SLOT_AF, ir_const(fn, IR_T_i1, 0));
  flag_if(l, on, X86_SLOT_SF, ir_cmp(fn, IR_PRED_slt, r, zero));
  flag_if(l, on, X86_SLOT_ZF, ir_cmp(fn, IR_PRED_eq, r, zero));
  flag_if(l, on, X86_SLOT_PF, ir_emit(fn, IR_OP_parity, IR_T_i1, 1, &r, 0, 0));
}

/* shl shr sar (a = IR op). CF is the last bit shifted out, taken from the
 * source widened to 64 bits so that counts past an 8/16-bit width behave as on
 * hardware. OF: shl a[n-1]^a[n-2], shr a[n-1], sar 0. */
static bool lift_shift(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrOp op = (IrOp)e->a;
  unsigned n = l->op[0].size;
  IrRef a = x86_get(l, 0), c = shift_count(l, 1, n);
  IrRef r = ir_op2(fn, op, a, c);
  x86_put(l, 0, r);
  IrRef c64 = ir_cast(fn, IR_OP_zext, IR_T_i64, c), cf, of;
  if (op == IR_OP_shl) {
    cf = ir_op2(fn, IR_OP_lshr, to_i64(l, a, false), ir_op2(fn, IR_OP_sub, x86_i64(l, n), c64));
    of = xor1(l, bit(l, a, n - 1), bit(l, a, n - 2));
  } else {
    IrRef wide = to_i64(l, a, op == IR_OP_ashr);
    cf = ir_op2(fn, op, wide, ir_op2(fn, IR_OP_sub, c64, x86_i64(l, 1)));
    of = op == IR_OP_lshr ? bit(l, a, n - 1) : ir_const(fn, IR_T_i1, 0);
  }
  cf = ir_cast(fn, IR_OP_trunc, IR_T_i1, cf);
  shift_flags(l, ir_cmp(fn, IR_PRED_ne, c, ir_const(fn, IR_T_i8, 0)), cf, of, r);
  return true;
}

/* rol ror (a = IR op): only CF and OF change. CF: the bit rotated into the
 * far end; OF: rol a[n-1]^a[n-2], ror a[0]^a[n-1], except that Intel keeps OF
 * when a register is rotated by an immediate other than 1 (a CL count or a
 * memory operand always sets it). */
static bool lift_rotate(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  bool left = e->a == IR_OP_rol;
  unsigned n = l->op[0].size;
  IrRef a = x86_get(l, 0), c = shift_count(l, 1, n);
  IrRef r = ir_op2(fn, (IrOp)e->a, a, c);
  x86_put(l, 0, r);
  IrRef on = ir_cmp(fn, IR_PRED_ne, c, ir_const(fn, IR_T_i8, 0));
  flag_if(l, on, X86_SLOT_CF, bit(l, r, left ? 0 : n - 1));
  if (!x86_is_reg(l, 0) || !x86_is_imm(l, 1) || (l->op[1].imm.value.u & (n == 64 ? 63 : 31)) == 1)
    flag_if(l, on, X86_SLOT_OF, xor1(l, bit(l, a, n - 1), bit(l, a, left ? n - 2 : 0)));
  return true;
}

/* rcl rcr (a = IR op) rotate through CF by count mod (n+1), which the IR ops do
 * themselves; hardware changes no flag when that rotation is 0 (so rcl r8 by 9
 * keeps OF too). OF: rcl a[n-1]^a[n-2], rcr CF^a[n-1]. */
static bool lift_rotate_carry(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  bool left = e->a == IR_OP_rcl;
  unsigned n = l->op[0].size;
  IrRef a = x86_get(l, 0), c = shift_count(l, 1, n), cin = x86_get_flag(l, X86_SLOT_CF);
  IrRef r = ir_op3(fn, (IrOp)e->a, a, c, cin);
  IrRef args[3] = {a, c, cin};
  IrRef cf = ir_emit(fn, left ? IR_OP_rclcf : IR_OP_rcrcf, IR_T_i1, 3, args, 0, 0);
  x86_put(l, 0, r);
  IrRef on = ir_const(fn, IR_T_i1, 1);
  for (unsigned k = 0; k < 32; k += n + 1) /* the counts that are 0 mod n+1 */
    on = ir_op2(fn, IR_OP_and, on, ir_cmp(fn, IR_PRED_ne, c, ir_const(fn, IR_T_i8, k)));
  flag_if(l, on, X86_SLOT_CF, cf);
  flag_if(l, on, X86_SLOT_OF, xor1(l, bit(l, a, n - 1), left ? bit(l, a, n - 2) : cin));
  return true;
}

/* shld / shrd dst, src, imm8|CL (a = 1 for left). A 16-bit count may exceed 16:
 * hardware then shifts through dst:src:dst, a 48-bit value we keep in an i64.
 * OF (count 1, and as hardware for larger ones): shld dst[n-1]^dst[n-2],
 * shrd src[0]^dst[n-1]. */
static bool lift_shift_double(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  bool left = e->a;
  unsigned n = l->op[0].size;
  IrType t = x86_optype(l, 0);
  IrRef dst = x86_get(l, 0), src = x86_get_as(l, 1, t), c = shift_count(l, 2, n);
  IrRef c64 = ir_cast(fn, IR_OP_zext, IR_T_i64, c), one = x86_i64(l, 1);
  IrRef r, cf;
  if (n == 16) {
    IrRef d64 = to_i64(l, dst, false);
    IrRef w = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, d64, x86_i64(l, 32)),
                     ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, to_i64(l, src, false),
                                                  x86_i64(l, 16)), d64));
    IrRef rs = left ? ir_op2(fn, IR_OP_sub, x86_i64(l, 32), c64) : c64;
    IrRef cs = left ? ir_op2(fn, IR_OP_sub, x86_i64(l, 48), c64) : ir_op2(fn, IR_OP_sub, c64, one);
    r = ir_cast(fn, IR_OP_trunc, t, ir_op2(fn, IR_OP_lshr, w, rs));
    cf = ir_op2(fn, IR_OP_lshr, w, cs);
  } else {
    IrRef back = ir_op2(fn, IR_OP_sub, x86_i64(l, n), c64); /* n for a zero count: no bits */
    if (left) {
      r = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, dst, c), ir_op2(fn, IR_OP_lshr, src, back));
      cf = ir_op2(fn, IR_OP_lshr, dst, back);
    } else {
      r = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_lshr, dst, c), ir_op2(fn, IR_OP_shl, src, back));
      cf = ir_op2(fn, IR_OP_lshr, dst, ir_op2(fn, IR_OP_sub, c64, one));
    }
  }
  x86_put(l, 0, r);
  cf = ir_cast(fn, IR_OP_trunc, IR_T_i1, cf);
  IrRef of = xor1(l, bit(l, dst, n - 1), left ? bit(l, dst, n - 2) : bit(l, src, 0));
  shift_flags(l, ir_cmp(fn, IR_PRED_ne, c, ir_const(fn, IR_T_i8, 0)), cf, of, r);
  return true;
}

const X86Lifter x86_lifters_shift[] = {
    {ZYDIS_MNEMONIC_SHL, lift_shift, IR_OP_shl, 0},
    {ZYDIS_MNEMONIC_SHR, lift_shift, IR_OP_lshr, 0},
    {ZYDIS_MNEMONIC_SAR, lift_shift, IR_OP_ashr, 0},
    {ZYDIS_MNEMONIC_ROL, lift_rotate, IR_OP_rol, 0},
    {ZYDIS_MNEMONIC_ROR, lift_rotate, IR_OP_ror, 0},
    {ZYDIS_MNEMONIC_RCL, lift_rotate_carry, IR_OP_rcl, 0},
    {ZYDIS_MNEMONIC_RCR, lift_rotate_carry, IR_OP_rcr, 0},
    {ZYDIS_MNEMONIC_SHLD, lift_shift_double, 1, 0},
    {ZYDIS_MNEMONIC_SHRD, lift_shift_double, 0, 0},
    {0, NULL, 0, 0},
};
