/* bf_lower_ctrl.c — lowerings of values without code (const, vconst: they are
 * rematerialised where used), guest state (get, set), markers, helper calls
 * (call, and the ir_eval fallback every class may use) and the terminators. */
#include "bf_int.h"

void bf_lower_const(BfCtx *c, IrRef r, const IrInst *in) {}
void bf_lower_vconst(BfCtx *c, IrRef r, const IrInst *in) {}
void bf_lower_insn(BfCtx *c, IrRef r, const IrInst *in) {} /* the driver records it */

static const IrReg *slot_reg(const BfCtx *c, const IrInst *in) {
  return &c->fn->rf->regs[in->imm];
}

/* -- Guest state -------------------------------------------------------------- */

void bf_lower_get(BfCtx *c, IrRef r, const IrInst *in) {
  X64Mem m = bf_cpu((int32_t)slot_reg(c, in)->offset);
  X64Asm *a = &c->a;
  switch ((IrType)in->type) {
  case IR_T_i1: { /* any nonzero byte reads as 1 */
    X64Reg d = bf_def(c, r);
    x64_alu_mi(a, X64_CMP, X64_S8, m, 0);
    x64_setcc_r(a, X64_CC_NE, d);
    break;
  }
  case IR_T_i8: x64_widen_rm(a, X64_MOVZX8, X64_S32, bf_def(c, r), m); break;
  case IR_T_i16: x64_widen_rm(a, X64_MOVZX16, X64_S32, bf_def(c, r), m); break;
  case IR_T_i32: x64_mov_rm(a, X64_S32, bf_def(c, r), m); break;
  case IR_T_i64: x64_mov_rm(a, X64_S64, bf_def(c, r), m); break;
  case IR_T_f32: x64_sse_rm(a, X64_MOVSS, bf_defx(c, r), m); break;
  case IR_T_f64: x64_sse_rm(a, X64_MOVSD, bf_defx(c, r), m); break;
  default: x64_sse_rm(a, X64_MOVDQU, bf_defx(c, r), m); break;
  }
}

/* Store value v of type t at m (guest state or guest memory). */
void bf_store_value(BfCtx *c, X64Mem m, IrRef v, IrType t) {
  X64Asm *a = &c->a;
  uint64_t k;
  if (bf_is_const(c, v, &k) && ir_type_info[t].bytes <= 8) {
    X64Size s = bf_size(t);
    if (s != X64_S64 || (int64_t)k == (int32_t)k) {
      x64_mov_mi(a, s, m, (int64_t)k);
    } else {
      X64Reg tmp = bf_tmp(c);
      x64_mov_ri(a, X64_S64, tmp, (int64_t)k);
      x64_mov_mr(a, X64_S64, m, tmp);
    }
    return;
  }
  if (bf_cls(t) == BF_GPR) {
    x64_mov_mr(a, bf_size(t), m, bf_gpr(c, v));
    return;
  }
  X64SseOp op = t == IR_T_f32 ? X64_MOVSS_ST : t == IR_T_f64 ? X64_MOVSD_ST : X64_MOVDQU_ST;
  x64_sse_mr(a, op, m, bf_xmm(c, v));
}

void bf_lower_set(BfCtx *c, IrRef r, const IrInst *in) {
  const IrReg *reg = slot_reg(c, in);
  bf_store_value(c, bf_cpu((int32_t)reg->offset), in->args[0], (IrType)reg->type);
}

/* -- Helper calls --------------------------------------------------------------- */

static const X64Reg arg_regs[] = {X64_RSI, X64_RDX, X64_RCX, X64_R8};

/* call NAME(args): fn(cpu, a0..a3), operands zero-extended to 64 bits. */
void bf_lower_call(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  const IrHelper *h = ir_helper_get((uint32_t)in->imm);
  bf_clobber_call(c);
  for (unsigned k = 0; k < in->nargs; k++)
    bf_reserve(c, arg_regs[k]);
  for (unsigned k = 0; k < in->nargs; k++) {
    IrRef v = in->args[k];
    IrType t = ir_typeof(c->fn, v);
    X64Reg d = arg_regs[k];
    if (bf_cls(t) == BF_XMM) {
      x64_sse_rr(a, t == IR_T_f32 ? X64_MOVD_GX : X64_MOVQ_GX, d, bf_xmm(c, v));
      continue;
    }
    bf_load_into(c, v, BF_GPR, d);
    if (t == IR_T_i1 || t == IR_T_i8)
      x64_widen_rr(a, X64_MOVZX8, X64_S32, d, d);
    else if (t == IR_T_i16)
      x64_widen_rr(a, X64_MOVZX16, X64_S32, d, d);
    else if (t == IR_T_i32)
      x64_mov_rr(a, X64_S32, d, d);
  }
  x64_mov_rr(a, X64_S64, X64_RDI, X64_R15);
  bf_call_abs(c, (const void *)h->fn);
  if (in->type != IR_T_void)
    bf_def_in(c, r, X64_RAX);
}

/* Any pure op through ir_eval: operands in frame slots (constants in the
 * descriptor), the result written to r's slot; a refusal raises what the
 * interpreter raises (divide for the ops that may fault, else undef). */
void bf_eval_helper(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  BfEvalDesc d = {.op = in->op, .type = in->type, .nargs = in->nargs, .aux = in->aux,
                  .imm = in->imm};
  for (unsigned k = 0; k < in->nargs; k++) {
    IrRef v = in->args[k];
    const IrInst *vi = &c->fn->insts[v];
    d.at[k] = vi->type;
    d.off[k] = -1;
    if (vi->op == IR_OP_const)
      d.cval[k].u64 = vi->imm;
    else if (vi->op == IR_OP_vconst)
      d.cval[k].v = c->fn->pool[vi->imm];
    else
      d.off[k] = bf_slot_off(c, v);
  }
  d.out = bf_slot_of(c, r);
  bf_clobber_call(c);
  x64_lea(a, X64_S64, X64_RDI, x64_mem_rip(0));
  bf_rip_lit(c, &d, sizeof d);
  x64_mov_rr(a, X64_S64, X64_RSI, X64_RSP);
  bf_call_abs(c, (const void *)bf_h_eval);
  bf_def_slot(c, r);
  x64_rmreg_rr(a, X64_TEST, X64_S32, X64_RAX, X64_RAX);
  bool divide = ir_op_info[in->op].flags & IRF_FAULT;
  x64_jcc_label(a, X64_CC_NE, bf_stub_exc(c, divide ? IR_EXC_divide : IR_EXC_undef, BF_NOREG, false));
}

/* -- Terminators ------------------------------------------------------------------- */

void bf_lower_br(BfCtx *c, IrRef r, const IrInst *in) {
  uint32_t t = (uint32_t)in->imm, f = in->aux;
  uint64_t k;
  if (bf_is_const(c, in->args[0], &k)) {
    bf_goto(c, (k & 1) ? t : f);
    return;
  }
  X64Reg cond = bf_gpr(c, in->args[0]);
  x64_rmreg_rr(&c->a, X64_TEST, X64_S8, cond, cond);
  bf_branch_cc(c, X64_CC_NE, t, f);
}

/* Jump to t if cc, else to f. */
void bf_branch_cc(BfCtx *c, X64Cond cc, uint32_t t, uint32_t f) {
  if (t == f) {
    bf_goto(c, t);
  } else if (t != 0 && (t != c->block + 1 || f == 0)) { /* else: fall through to t */
    bf_jcc_block(c, cc, t);
    bf_goto(c, f);
  } else if (f != 0) {
    bf_jcc_block(c, x64_cc_not(cc), f);
    bf_goto(c, t);
  } else {
    bf_goto(c, 0);
  }
}

void bf_lower_jmp(BfCtx *c, IrRef r, const IrInst *in) { bf_goto(c, (uint32_t)in->imm); }

void bf_lower_exit(BfCtx *c, IrRef r, const IrInst *in) { bf_emit_exit(c, in->imm); }

/* rax = a guest pc: jump straight to its block through the thread's jump
 * cache on a hit; else return it to the dispatcher (which fills the entry).
 * Clobbers rcx and rdx. Shared by exiti and the LLVM thunks. */
void bf_emit_jcache_jump(BfCtx *c) {
  X64Asm *a = &c->a;
  x64_mov_rm(a, X64_S64, X64_RCX, bf_cpu(c->cfg->off_jcache));
  x64_mov_rr(a, X64_S64, X64_RDX, X64_RAX);
  x64_shift_ri(a, X64_SHR, X64_S64, X64_RDX, BF_JCACHE_BITS);
  x64_alu_rr(a, X64_XOR, X64_S64, X64_RDX, X64_RAX);
  x64_alu_ri(a, X64_AND, X64_S32, X64_RDX, BF_JCACHE_SIZE - 1);
  x64_shift_ri(a, X64_SHL, X64_S32, X64_RDX, 4); /* sizeof(BfJcacheEntry) */
  x64_alu_rm(a, X64_CMP, X64_S64, X64_RAX, x64_mem_sib(X64_RCX, X64_RDX, 1, 0));
  X64Label miss = X64_LABEL_INIT;
  x64_jcc_label_short(a, X64_CC_NE, &miss);
  /* An empty entry is {~0, NULL}: a guest jump to ~0 must not take it. */
  x64_mov_rm(a, X64_S64, X64_RCX, x64_mem_sib(X64_RCX, X64_RDX, 1, 8));
  x64_rmreg_rr(a, X64_TEST, X64_S64, X64_RCX, X64_RCX);
  x64_jcc_label_short(a, X64_CC_E, &miss);
  x64_jmp_r(a, X64_RCX);
  x64_bind(a, &miss);
  x64_mov_ri(a, X64_S32, X64_RDX, BF_EXIT_JUMP);
  bf_jmp_abs(c, c->cfg->epilogue);
}

/* exiti v: through the jump cache. */
void bf_lower_exiti(BfCtx *c, IrRef r, const IrInst *in) {
  bf_reserve(c, X64_RAX);
  bf_reserve(c, X64_RCX);
  bf_reserve(c, X64_RDX);
  bf_load_into(c, in->args[0], BF_GPR, X64_RAX);
  bf_leave_frame(c);
  bf_emit_jcache_jump(c);
}

void bf_lower_syscall(BfCtx *c, IrRef r, const IrInst *in) {
  bf_leave_frame(c);
  bf_leave(c, in->imm, BF_EXIT_SYSCALL);
}

void bf_lower_raise(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  const BfConfig *cfg = c->cfg;
  int64_t k;
  if (bf_imm32(c, in->args[0], &k))
    x64_mov_mi(a, X64_S64, bf_cpu(cfg->off_exc_arg), k);
  else
    x64_mov_mr(a, X64_S64, bf_cpu(cfg->off_exc_arg), bf_gpr(c, in->args[0]));
  x64_mov_mi(a, X64_S32, bf_cpu(cfg->off_exc_kind), (int64_t)in->imm);
  x64_mov_mi(a, X64_S8, bf_cpu(cfg->off_exc_write), 0);
  bf_leave_frame(c);
  bf_leave(c, c->cur_pc, BF_EXIT_EXCEPTION);
}
