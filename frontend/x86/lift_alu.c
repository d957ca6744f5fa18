/* lift_alu.c — x86 integer ALU: the eight classic binary ops and test, inc/dec,
 * neg/not, mov/movzx/movsx/lea, sign extensions of rax, setcc/cmovcc, xchg,
 * bswap and the flag instructions. One function per family; the table binds
 * mnemonics to it with their IR op and flag kind. */
#include "x86_lift.h"

enum { K_ADD, K_ADC, K_SUB, K_SBB, K_LOGIC };
enum { W_WRITE = 0, W_NONE = 1 }; /* cmp and test only set flags */

/* kind: K_*; the row's b says whether the result is written back. */
static void binop_flags(X86Lift *l, int kind, IrRef a, IrRef b, IrRef cin, IrRef r) {
  if (kind == K_ADD || kind == K_ADC)
    x86_flags_add(l, a, b, cin, r);
  else if (kind == K_SUB || kind == K_SBB)
    x86_flags_sub(l, a, b, cin, r);
  else
    x86_flags_logic(l, r);
}

static IrRef binop_value(X86Lift *l, IrOp op, int kind, IrRef a, IrRef b, IrRef cin) {
  IrRef r = ir_op2(l->fn, op, a, b);
  if (kind == K_ADC || kind == K_SBB)
    r = ir_op2(l->fn, op, r, ir_cast(l->fn, IR_OP_zext, ir_typeof(l->fn, a), cin));
  return r;
}

/* lock add/sub/and/or/xor [mem], src: one atomic read-modify-write. */
static bool binop_locked(X86Lift *l, IrOp op, int kind) {
  static const IrRmw rmw[IR_OP__COUNT] = {
      [IR_OP_add] = IR_RMW_add, [IR_OP_sub] = IR_RMW_add, [IR_OP_and] = IR_RMW_and,
      [IR_OP_or] = IR_RMW_or, [IR_OP_xor] = IR_RMW_xor};
  if (kind == K_ADC || kind == K_SBB)
    return x86_lift_lock_carry(l, kind == K_SBB); /* a cas loop (lift_atomic.c) */
  IrType t = x86_optype(l, 0);
  IrRef b = x86_get_as(l, 1, t);
  IrRef v = op == IR_OP_sub ? ir_op1(l->fn, IR_OP_neg, b) : b;
  IrRef args[2] = {x86_addr(l, 0), v};
  IrRef old = ir_emit(l->fn, IR_OP_armw, t, 2, args, rmw[op], 0);
  IrRef r = ir_op2(l->fn, op, old, b);
  binop_flags(l, kind, old, b, IR_NONE, r);
  return true;
}

static bool lift_binop(X86Lift *l, const X86Lifter *e) {
  IrOp op = (IrOp)(e->a & 0xffff);
  int kind = e->a >> 16;
  if ((l->in.attributes & ZYDIS_ATTRIB_HAS_LOCK) && x86_is_mem(l, 0))
    return binop_locked(l, op, kind);
  IrType t = x86_optype(l, 0);
  IrRef a = x86_get(l, 0), b = x86_get_as(l, 1, t);
  IrRef cin = (kind == K_ADC || kind == K_SBB) ? x86_get_flag(l, X86_SLOT_CF) : IR_NONE;
  IrRef r = binop_value(l, op, kind, a, b, cin);
  if (e->b == W_WRITE)
    x86_put(l, 0, r);
  binop_flags(l, kind, a, b, cin, r);
  return true;
}

/* inc/dec: add/sub 1 keeping CF. */
static bool lift_incdec(X86Lift *l, const X86Lifter *e) {
  IrType t = x86_optype(l, 0);
  IrRef one = x86_const(l, t, 1);
  if ((l->in.attributes & ZYDIS_ATTRIB_HAS_LOCK) && x86_is_mem(l, 0)) {
    IrRef args[2] = {x86_addr(l, 0), e->a == IR_OP_add ? one : x86_const(l, t, ~0ull)};
    IrRef old = ir_emit(l->fn, IR_OP_armw, t, 2, args, IR_RMW_add, 0);
    IrRef r = ir_op2(l->fn, (IrOp)e->a, old, one);
    IrRef cf = x86_get_flag(l, X86_SLOT_CF);
    (e->a == IR_OP_add ? x86_flags_add : x86_flags_sub)(l, old, one, IR_NONE, r);
    x86_set_flag(l, X86_SLOT_CF, cf);
    return true;
  }
  IrRef a = x86_get(l, 0);
  IrRef r = ir_op2(l->fn, (IrOp)e->a, a, one);
  x86_put(l, 0, r);
  IrRef cf = x86_get_flag(l, X86_SLOT_CF);
  (e->a == IR_OP_add ? x86_flags_add : x86_flags_sub)(l, a, one, IR_NONE, r);
  x86_set_flag(l, X86_SLOT_CF, cf);
  return true;
}

static IrRef neg_update(X86Lift *l, IrRef old, const void *ctx) {
  (void)ctx;
  return ir_op1(l->fn, IR_OP_neg, old);
}

static bool lift_neg(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrType t = x86_optype(l, 0);
  if ((l->in.attributes & ZYDIS_ATTRIB_HAS_LOCK) && x86_is_mem(l, 0)) {
    IrRef r, old = x86_cas_loop(l, t, x86_addr(l, 0), neg_update, NULL, &r);
    x86_flags_sub(l, x86_const(l, t, 0), old, IR_NONE, r);
    return true;
  }
  IrRef a = x86_get(l, 0), zero = x86_const(l, t, 0);
  IrRef r = ir_op1(l->fn, IR_OP_neg, a);
  x86_put(l, 0, r);
  x86_flags_sub(l, zero, a, IR_NONE, r);
  return true;
}

static bool lift_not(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if ((l->in.attributes & ZYDIS_ATTRIB_HAS_LOCK) && x86_is_mem(l, 0)) {
    IrRef args[2] = {x86_addr(l, 0), x86_const(l, x86_optype(l, 0), ~0ull)};
    ir_emit(l->fn, IR_OP_armw, x86_optype(l, 0), 2, args, IR_RMW_xor, 0);
    return true;
  }
  x86_put(l, 0, ir_op1(l->fn, IR_OP_not, x86_get(l, 0)));
  return true;
}

/* mov, movzx (a = 0) and movsx/movsxd (a = 1). */
static bool lift_mov(X86Lift *l, const X86Lifter *e) {
  IrType t = x86_optype(l, 0);
  if (t == IR_T_void || t == IR_T_v2i64)
    return false;
  x86_put(l, 0, e->a ? x86_get_sx(l, 1, t) : x86_get_as(l, 1, t));
  return true;
}

static bool lift_lea(X86Lift *l, const X86Lifter *e) {
  (void)e;
  ZydisDecodedOperandMem m = l->op[1].mem;
  m.segment = ZYDIS_REGISTER_NONE; /* lea computes the offset only */
  IrRef a = x86_mem_addr(l, &m);
  IrType t = x86_optype(l, 0);
  x86_put(l, 0, t == IR_T_i64 ? a : ir_cast(l->fn, IR_OP_trunc, t, a));
  return true;
}

/* cbw/cwde/cdqe: rax's low half sign-extended into its operand size. */
static bool lift_sext_acc(X86Lift *l, const X86Lifter *e) {
  unsigned w = (unsigned)e->a;
  IrRef v = x86_gpr_get(l, X86_RAX, w / 2, false);
  x86_gpr_put(l, X86_RAX, w, false, ir_cast(l->fn, IR_OP_sext, x86_type_of_bits(w), v));
  return true;
}

/* cwd/cdq/cqo: rdx = the sign of rax, repeated. */
static bool lift_sext_rdx(X86Lift *l, const X86Lifter *e) {
  unsigned w = (unsigned)e->a;
  IrRef v = x86_gpr_get(l, X86_RAX, w, false);
  IrRef s = ir_op2(l->fn, IR_OP_ashr, v, x86_const(l, x86_type_of_bits(w), w - 1));
  x86_gpr_put(l, X86_RDX, w, false, s);
  return true;
}

static bool lift_setcc(X86Lift *l, const X86Lifter *e) {
  x86_put(l, 0, ir_cast(l->fn, IR_OP_zext, IR_T_i8, x86_cond(l, (unsigned)e->a)));
  return true;
}

/* cmovcc reads its source even when the condition is false (it may fault),
 * and a 32-bit destination is zero-extended either way. */
static bool lift_cmovcc(X86Lift *l, const X86Lifter *e) {
  IrType t = x86_optype(l, 0);
  IrRef src = x86_get_as(l, 1, t), dst = x86_get(l, 0);
  x86_put(l, 0, ir_select(l->fn, x86_cond(l, (unsigned)e->a), src, dst));
  return true;
}

/* xchg with memory is always locked. */
static bool lift_xchg(X86Lift *l, const X86Lifter *e) {
  (void)e;
  int m = x86_is_mem(l, 0) ? 0 : x86_is_mem(l, 1) ? 1 : -1;
  if (m >= 0) {
    int r = 1 - m;
    IrType t = x86_optype(l, r);
    IrRef args[2] = {x86_addr(l, m), x86_get(l, r)};
    x86_put(l, r, ir_emit(l->fn, IR_OP_armw, t, 2, args, IR_RMW_xchg, 0));
    return true;
  }
  IrRef a = x86_get(l, 0), b = x86_get(l, 1);
  x86_put(l, 0, b);
  x86_put(l, 1, a);
  return true;
}

static bool lift_bswap(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (x86_optype(l, 0) == IR_T_i16)
    return false; /* undefined on hardware */
  x86_put(l, 0, ir_op1(l->fn, IR_OP_bswap, x86_get(l, 0)));
  return true;
}

/* clc stc cmc cld std: a = slot, b = value (2 = complement). */
static bool lift_flagop(X86Lift *l, const X86Lifter *e) {
  IrRef v = e->b == 2 ? ir_op1(l->fn, IR_OP_not, x86_get_flag(l, (unsigned)e->a))
                      : ir_const(l->fn, IR_T_i1, (uint64_t)e->b);
  x86_set_flag(l, (unsigned)e->a, v);
  return true;
}

static bool lift_nop(X86Lift *l, const X86Lifter *e) {
  (void)l;
  (void)e;
  return true;
}

#define BIN(mn, op, kind, wb) {ZYDIS_MNEMONIC_##mn, lift_binop, IR_OP_##op | (kind << 16), wb}
#define CC(prefix, fn)                                                                   \
  {ZYDIS_MNEMONIC_##prefix##O, fn, 0, 0}, {ZYDIS_MNEMONIC_##prefix##NO, fn, 1, 0},       \
  {ZYDIS_MNEMONIC_##prefix##B, fn, 2, 0}, {ZYDIS_MNEMONIC_##prefix##NB, fn, 3, 0},       \
  {ZYDIS_MNEMONIC_##prefix##Z, fn, 4, 0}, {ZYDIS_MNEMONIC_##prefix##NZ, fn, 5, 0},       \
  {ZYDIS_MNEMONIC_##prefix##BE, fn, 6, 0}, {ZYDIS_MNEMONIC_##prefix##NBE, fn, 7, 0},     \
  {ZYDIS_MNEMONIC_##prefix##S, fn, 8, 0}, {ZYDIS_MNEMONIC_##prefix##NS, fn, 9, 0},       \
  {ZYDIS_MNEMONIC_##prefix##P, fn, 10, 0}, {ZYDIS_MNEMONIC_##prefix##NP, fn, 11, 0},     \
  {ZYDIS_MNEMONIC_##prefix##L, fn, 12, 0}, {ZYDIS_MNEMONIC_##prefix##NL, fn, 13, 0},     \
  {ZYDIS_MNEMONIC_##prefix##LE, fn, 14, 0}, {ZYDIS_MNEMONIC_##prefix##NLE, fn, 15, 0}

const X86Lifter x86_lifters_alu[] = {
    BIN(ADD, add, K_ADD, W_WRITE),  BIN(ADC, add, K_ADC, W_WRITE),
    BIN(SUB, sub, K_SUB, W_WRITE),  BIN(SBB, sub, K_SBB, W_WRITE),
    BIN(AND, and, K_LOGIC, W_WRITE), BIN(OR, or, K_LOGIC, W_WRITE),
    BIN(XOR, xor, K_LOGIC, W_WRITE), BIN(CMP, sub, K_SUB, W_NONE),
    BIN(TEST, and, K_LOGIC, W_NONE),
    {ZYDIS_MNEMONIC_INC, lift_incdec, IR_OP_add, 0},
    {ZYDIS_MNEMONIC_DEC, lift_incdec, IR_OP_sub, 0},
    {ZYDIS_MNEMONIC_NEG, lift_neg, 0, 0},
    {ZYDIS_MNEMONIC_NOT, lift_not, 0, 0},
    {ZYDIS_MNEMONIC_MOV, lift_mov, 0, 0},
    {ZYDIS_MNEMONIC_MOVZX, lift_mov, 0, 0},
    {ZYDIS_MNEMONIC_MOVSX, lift_mov, 1, 0},
    {ZYDIS_MNEMONIC_MOVSXD, lift_mov, 1, 0},
    {ZYDIS_MNEMONIC_LEA, lift_lea, 0, 0},
    {ZYDIS_MNEMONIC_CBW, lift_sext_acc, 16, 0},
    {ZYDIS_MNEMONIC_CWDE, lift_sext_acc, 32, 0},
    {ZYDIS_MNEMONIC_CDQE, lift_sext_acc, 64, 0},
    {ZYDIS_MNEMONIC_CWD, lift_sext_rdx, 16, 0},
    {ZYDIS_MNEMONIC_CDQ, lift_sext_rdx, 32, 0},
    {ZYDIS_MNEMONIC_CQO, lift_sext_rdx, 64, 0},
    CC(SET, lift_setcc),
    CC(CMOV, lift_cmovcc),
    {ZYDIS_MNEMONIC_XCHG, lift_xchg, 0, 0},
    {ZYDIS_MNEMONIC_BSWAP, lift_bswap, 0, 0},
    {ZYDIS_MNEMONIC_CLC, lift_flagop, X86_SLOT_CF, 0},
    {ZYDIS_MNEMONIC_STC, lift_flagop, X86_SLOT_CF, 1},
    {ZYDIS_MNEMONIC_CMC, lift_flagop, X86_SLOT_CF, 2},
    {ZYDIS_MNEMONIC_CLD, lift_flagop, X86_SLOT_DF, 0},
    {ZYDIS_MNEMONIC_STD, lift_flagop, X86_SLOT_DF, 1},
    {ZYDIS_MNEMONIC_NOP, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_ENDBR64, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_PAUSE, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_PREFETCHT0, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_PREFETCHT1, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_PREFETCHT2, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_PREFETCHNTA, lift_nop, 0, 0},
    {ZYDIS_MNEMONIC_PREFETCHW, lift_nop, 0, 0},
    {0, NULL, 0, 0},
};
