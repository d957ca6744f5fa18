/* x86_operand.c — generic operand fetch and write-back for the x86 lifters:
 * registers with x86's partial-write rules (8/16-bit merge, 32-bit zero-extends,
 * AH..BH are bits 8..15), memory with segment bases and RIP-relative addresses,
 * and immediates at the width the instruction uses them. */
#include "x86_lift.h"

IrType x86_type_of_bits(unsigned bits) {
  switch (bits) {
  case 8: return IR_T_i8;
  case 16: return IR_T_i16;
  case 32: return IR_T_i32;
  case 64: return IR_T_i64;
  case 128: return IR_T_v2i64;
  default: return IR_T_void;
  }
}

IrType x86_optype(const X86Lift *l, int i) { return x86_type_of_bits(l->op[i].size); }
bool x86_is_reg(const X86Lift *l, int i) { return l->op[i].type == ZYDIS_OPERAND_TYPE_REGISTER; }
bool x86_is_mem(const X86Lift *l, int i) { return l->op[i].type == ZYDIS_OPERAND_TYPE_MEMORY; }
bool x86_is_imm(const X86Lift *l, int i) { return l->op[i].type == ZYDIS_OPERAND_TYPE_IMMEDIATE; }

/* Convert an integer value to type t: zero-extend or truncate. */
static IrRef resize(X86Lift *l, IrRef v, IrType t, bool sign) {
  IrType vt = ir_typeof(l->fn, v);
  if (vt == t)
    return v;
  if (ir_type_bits(vt) < ir_type_bits(t))
    return ir_cast(l->fn, sign ? IR_OP_sext : IR_OP_zext, t, v);
  return ir_cast(l->fn, IR_OP_trunc, t, v);
}

/* -- Registers ------------------------------------------------------------ */

IrRef x86_gpr_get(X86Lift *l, unsigned reg, unsigned width, bool high) {
  IrRef full = ir_get(l->fn, X86_SLOT_GPR0 + reg);
  if (high)
    return ir_cast(l->fn, IR_OP_trunc, IR_T_i8, ir_extract(l->fn, full, 8, 8, false));
  return resize(l, full, x86_type_of_bits(width), false);
}

/* The whole register after writing v to its width-bit part. */
static IrRef gpr_merge(X86Lift *l, IrRef full, unsigned width, bool high, IrRef v) {
  if (width == 64)
    return v;
  if (width == 32)
    return ir_cast(l->fn, IR_OP_zext, IR_T_i64, v); /* writes zero the top */
  return ir_deposit(l->fn, full, v, high ? 8 : 0, width);
}

void x86_gpr_put(X86Lift *l, unsigned reg, unsigned width, bool high, IrRef v) {
  unsigned slot = X86_SLOT_GPR0 + reg;
  IrRef full = width < 32 ? ir_get(l->fn, slot) : IR_NONE;
  ir_set(l->fn, slot, gpr_merge(l, full, width, high, v));
}

void x86_gpr_put_if(X86Lift *l, unsigned reg, unsigned width, bool high, IrRef cond, IrRef v) {
  unsigned slot = X86_SLOT_GPR0 + reg;
  IrRef full = ir_get(l->fn, slot);
  ir_set(l->fn, slot, ir_select(l->fn, cond, gpr_merge(l, full, width, high, v), full));
}

IrRef x86_rsp(X86Lift *l) { return ir_get(l->fn, X86_SLOT_GPR0 + X86_RSP); }

/* Zydis register -> (hardware number, width, high byte); false if not a GPR. */
static bool gpr_of(ZydisRegister r, unsigned *num, unsigned *width, bool *high) {
  ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
  if (big < ZYDIS_REGISTER_RAX || big > ZYDIS_REGISTER_R15)
    return false;
  *num = big - ZYDIS_REGISTER_RAX;
  *width = ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r);
  *high = r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH ||
          r == ZYDIS_REGISTER_BH;
  return true;
}

static bool xmm_of(ZydisRegister r, unsigned *num) {
  if (r < ZYDIS_REGISTER_XMM0 || r > ZYDIS_REGISTER_XMM15)
    return false;
  *num = r - ZYDIS_REGISTER_XMM0;
  return true;
}

/* -- Memory --------------------------------------------------------------- */

IrRef x86_load(X86Lift *l, IrType t, IrRef addr) { return ir_load(l->fn, t, addr, 0); }
void x86_store(X86Lift *l, IrRef addr, IrRef v) { ir_store(l->fn, addr, v, 0); }

IrRef x86_mem_addr(X86Lift *l, const ZydisDecodedOperandMem *m) {
  IrFunc *fn = l->fn;
  IrRef a;
  if (m->base == ZYDIS_REGISTER_RIP || m->base == ZYDIS_REGISTER_EIP) {
    a = x86_i64(l, l->next_pc + (uint64_t)m->disp.value);
  } else {
    a = x86_i64(l, (uint64_t)m->disp.value);
    unsigned num, width;
    bool high;
    if (m->base != ZYDIS_REGISTER_NONE && gpr_of(m->base, &num, &width, &high))
      a = ir_op2(fn, IR_OP_add, x86_gpr_get(l, num, 64, false), a);
    if (m->index != ZYDIS_REGISTER_NONE && gpr_of(m->index, &num, &width, &high)) {
      IrRef idx = x86_gpr_get(l, num, 64, false);
      if (m->scale > 1)
        idx = ir_op2(fn, IR_OP_shl, idx, x86_i64(l, __builtin_ctz(m->scale)));
      a = ir_op2(fn, IR_OP_add, a, idx);
    }
  }
  return x86_seg_addr(l, m->segment, a);
}

IrRef x86_seg_addr(X86Lift *l, ZydisRegister seg, IrRef offset) {
  IrFunc *fn = l->fn;
  IrRef a = offset;
  if (l->in.address_width == 32)
    a = ir_cast(fn, IR_OP_zext, IR_T_i64, ir_cast(fn, IR_OP_trunc, IR_T_i32, a));
  if (seg == ZYDIS_REGISTER_FS)
    a = ir_op2(fn, IR_OP_add, a, ir_get(fn, X86_SLOT_FS_BASE));
  else if (seg == ZYDIS_REGISTER_GS)
    a = ir_op2(fn, IR_OP_add, a, ir_get(fn, X86_SLOT_GS_BASE));
  return a;
}

IrRef x86_addr(X86Lift *l, int i) {
  if (l->addr[i] == IR_NONE)
    l->addr[i] = x86_mem_addr(l, &l->op[i].mem);
  return l->addr[i];
}

/* -- Operands ------------------------------------------------------------- */

static IrRef get_typed(X86Lift *l, int i, IrType want, bool sign) {
  const ZydisDecodedOperand *o = &l->op[i];
  IrType own = x86_optype(l, i);
  switch (o->type) {
  case ZYDIS_OPERAND_TYPE_IMMEDIATE:
    /* Zydis gives signed immediates already sign-extended to 64 bits. */
    return x86_const(l, want == IR_T_void ? own : want, o->imm.value.u);
  case ZYDIS_OPERAND_TYPE_REGISTER: {
    unsigned num, width;
    bool high;
    IrRef v;
    if (gpr_of(o->reg.value, &num, &width, &high))
      v = x86_gpr_get(l, num, width, high);
    else if (xmm_of(o->reg.value, &num))
      v = ir_get(l->fn, X86_SLOT_XMM0 + num);
    else
      return IR_NONE;
    return want == IR_T_void ? v : resize(l, v, want, sign);
  }
  case ZYDIS_OPERAND_TYPE_MEMORY: {
    IrRef v = x86_load(l, own, x86_addr(l, i));
    return want == IR_T_void ? v : resize(l, v, want, sign);
  }
  default:
    return IR_NONE;
  }
}

IrRef x86_get(X86Lift *l, int i) { return get_typed(l, i, IR_T_void, false); }
IrRef x86_get_as(X86Lift *l, int i, IrType t) { return get_typed(l, i, t, false); }
IrRef x86_get_sx(X86Lift *l, int i, IrType t) { return get_typed(l, i, t, true); }

void x86_put(X86Lift *l, int i, IrRef v) {
  const ZydisDecodedOperand *o = &l->op[i];
  unsigned num, width;
  bool high;
  if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
    x86_store(l, x86_addr(l, i), v);
  } else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
    if (gpr_of(o->reg.value, &num, &width, &high))
      x86_gpr_put(l, num, width, high, v);
    else if (xmm_of(o->reg.value, &num))
      ir_set(l->fn, X86_SLOT_XMM0 + num, v);
  }
}

bool x86_put_if(X86Lift *l, int i, IrRef cond, IrRef v) {
  unsigned num, width;
  bool high;
  if (!x86_is_reg(l, i) || !gpr_of(l->op[i].reg.value, &num, &width, &high))
    return false;
  x86_gpr_put_if(l, num, width, high, cond, v);
  return true;
}

/* -- Stack ---------------------------------------------------------------- */

void x86_push(X86Lift *l, IrRef v) {
  IrType t = ir_typeof(l->fn, v);
  IrRef sp = ir_op2(l->fn, IR_OP_sub, x86_rsp(l), x86_i64(l, ir_type_info[t].bytes));
  x86_store(l, sp, v); /* store first: a faulting push leaves rsp unchanged */
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RSP, sp);
}

IrRef x86_pop(X86Lift *l, IrType t) {
  IrRef sp = x86_rsp(l);
  IrRef v = x86_load(l, t, sp);
  ir_set(l->fn, X86_SLOT_GPR0 + X86_RSP,
         ir_op2(l->fn, IR_OP_add, sp, x86_i64(l, ir_type_info[t].bytes)));
  return v;
}

/* -- Block ends ----------------------------------------------------------- */

void x86_end_jump(X86Lift *l, uint64_t target) {
  ir_exit(l->fn, target);
  l->ended = true;
}

void x86_end_jump_ind(X86Lift *l, IrRef target) {
  ir_exiti(l->fn, target);
  l->ended = true;
}

void x86_end_raise(X86Lift *l, IrExc exc, uint64_t arg) {
  ir_raise(l->fn, exc, x86_i64(l, arg));
  l->ended = true;
}
