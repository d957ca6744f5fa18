/* lift_bits.c — x86 single-bit and bit-count instructions: bt bts btr btc
 * (register, memory, imm8; lock for the writing forms), bsf bsr, lzcnt tzcnt
 * popcnt, and xlat. Flags the manual leaves undefined are set as Intel hardware
 * sets them (bt* change only CF; bsf/bsr clear CF OF SF AF; the counts clear
 * what they do not define). */
#include "x86_lift.h"

static IrRef i1_const(X86Lift *l, bool v) { return ir_const(l->fn, IR_T_i1, v); }

#define BT_TEST IR_OP__COUNT /* bt: no update */

/* bt family: a = the IR op that updates the operand with the mask (BT_TEST for
 * bt), b = the armw kind of its locked form. */
static bool lift_bt(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrOp op = (IrOp)e->a;
  unsigned n = l->op[0].size;
  IrType t = x86_optype(l, 0);
  IrRef off = x86_get_as(l, 1, t);
  IrRef idx = ir_op2(fn, IR_OP_and, off, x86_const(l, t, n - 1));
  IrRef mask = ir_op2(fn, IR_OP_shl, x86_const(l, t, 1), idx);
  IrRef old, addr = IR_NONE;
  if (x86_is_mem(l, 0) && x86_is_reg(l, 1)) {
    /* A register offset is signed and may select a bit outside the operand:
     * the operand-sized unit it falls in is at ea + (off >> log2 n) * n/8. */
    ZydisDecodedOperandMem m = l->op[0].mem;
    m.segment = ZYDIS_REGISTER_NONE;
    IrRef off64 = n == 64 ? off : ir_cast(fn, IR_OP_sext, IR_T_i64, off);
    unsigned lg = (unsigned)__builtin_ctz(n);
    IrRef units = ir_op2(fn, IR_OP_ashr, off64, x86_i64(l, lg));
    IrRef ea = ir_op2(fn, IR_OP_add, x86_mem_addr(l, &m),
                      ir_op2(fn, IR_OP_shl, units, x86_i64(l, lg - 3)));
    addr = x86_seg_addr(l, l->op[0].mem.segment, ea);
  } else if (x86_is_mem(l, 0)) {
    addr = x86_addr(l, 0);
  }
  if (op != BT_TEST && addr != IR_NONE && (l->in.attributes & ZYDIS_ATTRIB_HAS_LOCK)) {
    IrRef v = op == IR_OP_andn ? ir_op1(fn, IR_OP_not, mask) : mask;
    IrRef args[2] = {addr, v};
    old = ir_emit(fn, IR_OP_armw, t, 2, args, (uint64_t)e->b, 0);
  } else {
    old = addr != IR_NONE ? x86_load(l, t, addr) : x86_get(l, 0);
    if (op != BT_TEST) {
      IrRef r = ir_op2(fn, op, old, mask);
      if (addr != IR_NONE)
        x86_store(l, addr, r);
      else
        x86_put(l, 0, r);
    }
  }
  x86_set_flag(l, X86_SLOT_CF,
               ir_cast(fn, IR_OP_trunc, IR_T_i1, ir_op2(fn, IR_OP_lshr, old, idx)));
  return true;
}

/* bsf / bsr (a = 1 for bsr): a zero source sets ZF and leaves the destination
 * untouched (as hardware does, though the manual says undefined). PF is the
 * parity of the index (of 0 for a zero source); CF OF SF AF are cleared. */
static bool lift_bsf(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrType t = x86_optype(l, 0);
  IrRef src = x86_get_as(l, 1, t), zero = x86_const(l, t, 0);
  IrRef nz = ir_cmp(fn, IR_PRED_ne, src, zero);
  IrRef idx = e->a ? ir_op2(fn, IR_OP_xor, ir_op1(fn, IR_OP_clz, src),
                            x86_const(l, t, ir_type_bits(t) - 1))
                   : ir_op1(fn, IR_OP_ctz, src);
  if (!x86_put_if(l, 0, nz, idx))
    return false;
  IrRef shown = ir_select(fn, nz, idx, zero);
  x86_set_flag(l, X86_SLOT_ZF, ir_op1(fn, IR_OP_not, nz));
  x86_set_flag(l, X86_SLOT_PF, ir_emit(fn, IR_OP_parity, IR_T_i1, 1, &shown, 0, 0));
  x86_set_flag(l, X86_SLOT_CF, i1_const(l, false));
  x86_set_flag(l, X86_SLOT_OF, i1_const(l, false));
  x86_set_flag(l, X86_SLOT_SF, i1_const(l, false));
  x86_set_flag(l, X86_SLOT_AF, i1_const(l, false));
  return true;
}

/* lzcnt tzcnt popcnt (a = IR op; b = 1: CF says the source was zero). ZF is
 * set for a zero result; every other flag is cleared. */
static bool lift_count(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrType t = x86_optype(l, 0);
  IrRef src = x86_get_as(l, 1, t), zero = x86_const(l, t, 0);
  IrRef r = ir_op1(fn, (IrOp)e->a, src);
  x86_put(l, 0, r);
  x86_set_flag(l, X86_SLOT_CF, e->b ? ir_cmp(fn, IR_PRED_eq, src, zero) : i1_const(l, false));
  x86_set_flag(l, X86_SLOT_ZF, ir_cmp(fn, IR_PRED_eq, r, zero));
  x86_set_flag(l, X86_SLOT_OF, i1_const(l, false));
  x86_set_flag(l, X86_SLOT_SF, i1_const(l, false));
  x86_set_flag(l, X86_SLOT_AF, i1_const(l, false));
  x86_set_flag(l, X86_SLOT_PF, i1_const(l, false));
  return true;
}

/* xlat: AL = [rBX + AL] (segment override honoured, 0x67 wraps at 4 GiB). */
static bool lift_xlat(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef al = ir_cast(fn, IR_OP_zext, IR_T_i64, x86_gpr_get(l, X86_RAX, 8, false));
  IrRef a = ir_op2(fn, IR_OP_add, x86_gpr_get(l, X86_RBX, 64, false), al);
  a = x86_seg_addr(l, l->op[0].mem.segment, a);
  x86_gpr_put(l, X86_RAX, 8, false, x86_load(l, IR_T_i8, a));
  return true;
}

const X86Lifter x86_lifters_bits[] = {
    {ZYDIS_MNEMONIC_BT, lift_bt, BT_TEST, 0},
    {ZYDIS_MNEMONIC_BTS, lift_bt, IR_OP_or, IR_RMW_or},
    {ZYDIS_MNEMONIC_BTR, lift_bt, IR_OP_andn, IR_RMW_and},
    {ZYDIS_MNEMONIC_BTC, lift_bt, IR_OP_xor, IR_RMW_xor},
    {ZYDIS_MNEMONIC_BSF, lift_bsf, 0, 0},
    {ZYDIS_MNEMONIC_BSR, lift_bsf, 1, 0},
    {ZYDIS_MNEMONIC_LZCNT, lift_count, IR_OP_clz, 1},
    {ZYDIS_MNEMONIC_TZCNT, lift_count, IR_OP_ctz, 1},
    {ZYDIS_MNEMONIC_POPCNT, lift_count, IR_OP_popcnt, 0},
    {ZYDIS_MNEMONIC_XLAT, lift_xlat, 0, 0},
    {0, NULL, 0, 0},
};
