/* bl_lower_ctrl.c — constants, guest state (get/set: loads and stores at
 * cpu + IrReg.offset, TBAA "cpu"; LLVM's GVN/LICM keep slots in registers),
 * instruction markers, helper calls (by symbol name, never by host address)
 * and the terminators. */
#include <stdio.h>
#include <string.h>

#include "bl_int.h"

void bl_lower_const(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, bl_const(c, (IrType)in->type, in->imm));
}

void bl_lower_vconst(BlCtx *c, IrRef r, const IrInst *in) {
  IrV128 v = c->fn->pool[in->imm];
  LLVMValueRef w[2] = {bl_i64c(c, v.lo), bl_i64c(c, v.hi)};
  LLVMValueRef k = LLVMConstVector(w, 2);
  bl_def(c, r, LLVMConstBitCast(k, bl_lt(c, (IrType)in->type)));
}

static const IrReg *slot_reg(const BlCtx *c, const IrInst *in) {
  return &c->fn->rf->regs[in->imm];
}

/* i1 slots are one byte: any nonzero byte reads as 1. */
void bl_lower_get(BlCtx *c, IrRef r, const IrInst *in) {
  const IrReg *reg = slot_reg(c, in);
  IrType t = (IrType)reg->type;
  LLVMValueRef p = bl_cpu_ptr(c, reg->offset);
  if (t == IR_T_i1) {
    LLVMValueRef b = bl_load(c, c->i8, p, BL_TBAA_CPU, 1);
    bl_def(c, r, LLVMBuildICmp(c->b, LLVMIntNE, b, LLVMConstInt(c->i8, 0, false), ""));
    return;
  }
  bl_def(c, r, bl_load(c, bl_lt(c, t), p, BL_TBAA_CPU, 1));
}

void bl_lower_set(BlCtx *c, IrRef r, const IrInst *in) {
  const IrReg *reg = slot_reg(c, in);
  IrType t = (IrType)reg->type;
  LLVMValueRef v = bl_v(c, in->args[0]);
  if (t == IR_T_i1)
    v = LLVMBuildZExt(c->b, v, c->i8, "");
  bl_store(c, v, bl_cpu_ptr(c, reg->offset), BL_TBAA_CPU, 1);
  /* A set over the pc slot replaces what bl_store_pc wrote. */
  int64_t size = ir_type_info[t].bytes, pc = (int32_t)c->cfg->off_pc, off = reg->offset;
  if (off < pc + 8 && pc < off + size)
    c->pc_stored = false;
}

void bl_lower_insn(BlCtx *c, IrRef r, const IrInst *in) {
  if (c->pc_known && c->pc == in->imm)
    return;
  c->pc_known = true;
  c->pc = in->imm;
  c->pc_stored = false;
}

/* -- Helper calls -------------------------------------------------------------------- */

/* call NAME(args): emu_helper_NAME(cpu, a0..a3), operands zero-extended to 64
 * bits (floats as their bits), unused ones 0 as the interpreter passes them;
 * the result truncated to T. Its memory effects follow the helper's flags:
 * the cpu struct (argument memory) only as declared, anything else always. */
void bl_lower_call(BlCtx *c, IrRef r, const IrInst *in) {
  const IrHelper *h = ir_helper_get((uint32_t)in->imm);
  char name[160];
  snprintf(name, sizeof name, BL_SYM_HELPER_PREFIX "%s", h->name);
  LLVMTypeRef pt[5] = {c->ptr, c->i64, c->i64, c->i64, c->i64};
  LLVMTypeRef ft = LLVMFunctionType(c->i64, pt, 5, false);
  LLVMValueRef f = bl_extern(c, name, ft);
  LLVMValueRef args[5] = {c->cpu, bl_i64c(c, 0), bl_i64c(c, 0), bl_i64c(c, 0), bl_i64c(c, 0)};
  for (unsigned k = 0; k < in->nargs; k++) {
    IrType t = bl_t(c, in->args[k]);
    args[1 + k] = bl_zext_to(c, bl_as_int(c, bl_v(c, in->args[k]), t), c->i64);
  }
  if (h->flags & IR_HELPER_MEMORY)
    bl_store_pc(c); /* it may fault in guest memory like a load would */
  LLVMValueRef call = LLVMBuildCall2(c->b, ft, f, args, 5, "");
  /* One that may fault in guest memory sees the state up to date, as an
   * access would (precise state): it "reads" the struct. */
  unsigned arg = (h->flags & (IR_HELPER_READS_STATE | IR_HELPER_MEMORY) ? BL_ME_REF : 0) |
                 (h->flags & IR_HELPER_WRITES_STATE ? BL_ME_MOD : 0);
  bl_call_memory(c, call, BL_ME_ARG(arg) | BL_ME_INACC(BL_ME_REF | BL_ME_MOD) |
                              BL_ME_OTHER(BL_ME_REF | BL_ME_MOD));
  if (h->flags & IR_HELPER_WRITES_STATE)
    c->pc_stored = false; /* it may have written the pc slot */
  if (in->type != IR_T_void)
    bl_def(c, r, bl_zext_to(c, call, bl_lt(c, (IrType)in->type)));
}

/* -- Terminators ------------------------------------------------------------------------ */

void bl_lower_br(BlCtx *c, IrRef r, const IrInst *in) {
  bl_branch(c, bl_v(c, in->args[0]), (uint32_t)in->imm, in->aux);
}

void bl_lower_jmp(BlCtx *c, IrRef r, const IrInst *in) { bl_goto(c, (uint32_t)in->imm); }

void bl_lower_exit(BlCtx *c, IrRef r, const IrInst *in) {
  bl_ret(c, bl_i64c(c, in->imm), BL_EXIT_JUMP);
}

void bl_lower_exiti(BlCtx *c, IrRef r, const IrInst *in) {
  bl_ret(c, bl_v(c, in->args[0]), BL_EXIT_JUMP);
}

void bl_lower_syscall(BlCtx *c, IrRef r, const IrInst *in) {
  bl_ret(c, bl_i64c(c, in->imm), BL_EXIT_SYSCALL);
}

void bl_lower_raise(BlCtx *c, IrRef r, const IrInst *in) {
  bl_raise(c, (IrExc)in->imm, bl_v(c, in->args[0]), false);
}
