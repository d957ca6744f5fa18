/* lift_ctrl.c — x86 control transfer and stack: jmp, jcc, call, ret, loop*,
 * jrcxz, push, pop, leave, enter. Direct targets end the block with `exit pc`
 * (chainable); computed ones with `exiti`. jcc branches inside the function
 * to two exits so both successors stay direct. */
#include "x86_lift.h"

static uint64_t rel_target(X86Lift *l, int i) { return l->next_pc + l->op[i].imm.value.u; }

/* Branch on cond to target, else fall through to the next instruction. */
static void branch(X86Lift *l, IrRef cond, uint64_t target) {
  IrFunc *fn = l->fn;
  uint32_t taken = ir_block_new(fn), fall = ir_block_new(fn);
  ir_br(fn, cond, taken, fall);
  ir_block_set(fn, taken);
  ir_exit(fn, target);
  ir_block_set(fn, fall);
  ir_exit(fn, l->next_pc);
  l->ended = true;
}

static bool lift_jmp(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (x86_is_imm(l, 0))
    x86_end_jump(l, rel_target(l, 0));
  else
    x86_end_jump_ind(l, x86_get_as(l, 0, IR_T_i64));
  return true;
}

static bool lift_jcc(X86Lift *l, const X86Lifter *e) {
  branch(l, x86_cond(l, (unsigned)e->a), rel_target(l, 0));
  return true;
}

/* jrcxz/jecxz (a = width). */
static bool lift_jrcxz(X86Lift *l, const X86Lifter *e) {
  IrRef c = x86_gpr_get(l, X86_RCX, (unsigned)e->a, false);
  branch(l, ir_cmp(l->fn, IR_PRED_eq, c, ir_const(l->fn, ir_typeof(l->fn, c), 0)),
         rel_target(l, 0));
  return true;
}

/* loop/loope/loopne (a = 0 plain, 1 while ZF, 2 while !ZF). */
static bool lift_loop(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  unsigned w = l->in.address_width;
  IrRef c = ir_op2(fn, IR_OP_sub, x86_gpr_get(l, X86_RCX, w, false),
                   ir_const(fn, x86_type_of_bits(w), 1));
  x86_gpr_put(l, X86_RCX, w, false, c);
  IrRef cond = ir_cmp(fn, IR_PRED_ne, c, ir_const(fn, ir_typeof(fn, c), 0));
  if (e->a) {
    IrRef zf = x86_get_flag(l, X86_SLOT_ZF);
    cond = ir_op2(fn, IR_OP_and, cond, e->a == 1 ? zf : ir_op1(fn, IR_OP_not, zf));
  }
  branch(l, cond, rel_target(l, 0));
  return true;
}

static bool lift_call(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (x86_is_imm(l, 0)) {
    x86_push(l, x86_i64(l, l->next_pc));
    x86_end_jump(l, rel_target(l, 0));
  } else {
    IrRef target = x86_get_as(l, 0, IR_T_i64); /* before the push moves rsp */
    x86_push(l, x86_i64(l, l->next_pc));
    x86_end_jump_ind(l, target);
  }
  return true;
}

static bool lift_ret(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef target = x86_pop(l, IR_T_i64);
  if (l->in.operand_count_visible > 0 && x86_is_imm(l, 0)) {
    IrRef sp = ir_op2(l->fn, IR_OP_add, x86_rsp(l), x86_i64(l, l->op[0].imm.value.u & 0xffff));
    ir_set(l->fn, X86_SLOT_GPR0 + X86_RSP, sp);
  }
  x86_end_jump_ind(l, target);
  return true;
}

static bool lift_push(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrType t = l->in.operand_width == 16 ? IR_T_i16 : IR_T_i64;
  if (!x86_is_imm(l, 0) && !x86_is_mem(l, 0) && x86_optype(l, 0) != t)
    return false; /* push of a segment register */
  x86_push(l, x86_is_imm(l, 0) ? x86_get_as(l, 0, t) : x86_get(l, 0));
  return true;
}

/* pop to memory: the address uses rsp after the pop (SDM POP), but rsp may only
 * change once the store has succeeded, so the store is precise if it faults. */
static bool lift_pop(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrType t = l->in.operand_width == 16 ? IR_T_i16 : IR_T_i64;
  if (x86_is_reg(l, 0) && x86_optype(l, 0) != t)
    return false;
  if (!x86_is_mem(l, 0)) {
    x86_put(l, 0, x86_pop(l, t));
    return true;
  }
  IrRef sp = x86_rsp(l), bytes = x86_i64(l, ir_type_info[t].bytes);
  IrRef v = x86_load(l, t, sp);
  IrRef addr = x86_addr(l, 0);
  ZydisRegister base = l->op[0].mem.base;
  if (base == ZYDIS_REGISTER_RSP || base == ZYDIS_REGISTER_ESP)
    addr = ir_op2(l->fn, IR_OP_add, addr, bytes);
  x86_store(l, addr, v);
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RSP, ir_op2(l->fn, IR_OP_add, sp, bytes));
  return true;
}

static bool lift_leave(X86Lift *l, const X86Lifter *e) {
  (void)e;
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RSP, ir_get(l->fn, X86_SLOT_GPR0 + X86_RBP));
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RBP, x86_pop(l, IR_T_i64));
  return true;
}

/* enter size, 0 (nesting levels > 0 are not emitted by compilers). The CPU
 * writes the pushed rbp, then faults with rsp and rbp unchanged if the final
 * stack pointer is not writable (SDM ENTER #PF): probe it with an atomic add of
 * 0, which faults as a write, before changing any register. */
static bool lift_enter(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if ((l->op[1].imm.value.u & 31) != 0)
    return false;
  uint64_t size = l->op[0].imm.value.u & 0xffff;
  IrRef frame = ir_op2(l->fn, IR_OP_sub, x86_rsp(l), x86_i64(l, 8));
  x86_store(l, frame, ir_get(l->fn, X86_SLOT_GPR0 + X86_RBP));
  IrRef final = ir_op2(l->fn, IR_OP_sub, frame, x86_i64(l, size));
  if (size) {
    IrRef args[2] = {final, ir_const(l->fn, IR_T_i8, 0)};
    ir_emit(l->fn, IR_OP_armw, IR_T_i8, 2, args, IR_RMW_add, 0);
  }
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RBP, frame);
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RSP, final);
  return true;
}

#define JCC(mn, cc) {ZYDIS_MNEMONIC_##mn, lift_jcc, cc, 0}
const X86Lifter x86_lifters_ctrl[] = {
    {ZYDIS_MNEMONIC_JMP, lift_jmp, 0, 0},
    JCC(JO, 0), JCC(JNO, 1), JCC(JB, 2), JCC(JNB, 3), JCC(JZ, 4), JCC(JNZ, 5),
    JCC(JBE, 6), JCC(JNBE, 7), JCC(JS, 8), JCC(JNS, 9), JCC(JP, 10), JCC(JNP, 11),
    JCC(JL, 12), JCC(JNL, 13), JCC(JLE, 14), JCC(JNLE, 15),
    {ZYDIS_MNEMONIC_JRCXZ, lift_jrcxz, 64, 0},
    {ZYDIS_MNEMONIC_JECXZ, lift_jrcxz, 32, 0},
    {ZYDIS_MNEMONIC_LOOP, lift_loop, 0, 0},
    {ZYDIS_MNEMONIC_LOOPE, lift_loop, 1, 0},
    {ZYDIS_MNEMONIC_LOOPNE, lift_loop, 2, 0},
    {ZYDIS_MNEMONIC_CALL, lift_call, 0, 0},
    {ZYDIS_MNEMONIC_RET, lift_ret, 0, 0},
    {ZYDIS_MNEMONIC_PUSH, lift_push, 0, 0},
    {ZYDIS_MNEMONIC_POP, lift_pop, 0, 0},
    {ZYDIS_MNEMONIC_LEAVE, lift_leave, 0, 0},
    {ZYDIS_MNEMONIC_ENTER, lift_enter, 0, 0},
    {0, NULL, 0, 0},
};
