/* bf_lower_mem.c — guest memory: load, store, cas, armw, fence. The guest
 * address is checked against cfg->guest_limit (the whole access must fit
 * below it) and, for IR_MEM_ALIGN, its alignment; a failed check jumps to a
 * stub that raises IR_EXC_fault with the address. Accesses go to [r14 + addr]
 * (or [addr + guest_base] when that fits a disp32). x86 loads and stores are
 * already acquire and release, so those flags need no code. */
#include "bf_int.h"

/* The checked host operand for an access of `size` bytes at guest address A. */
static X64Mem guest_access(BfCtx *c, X64Reg A, unsigned size, bool write, bool align) {
  X64Asm *a = &c->a;
  uint64_t limit = c->cfg->guest_limit;
  if (limit) {
    if (limit < size) {
      x64_jmp_label(a, bf_stub_exc(c, IR_EXC_fault, A, write));
    } else {
      uint64_t max = limit - size; /* the last address where it fits */
      if (max <= INT32_MAX) {
        x64_alu_ri(a, X64_CMP, X64_S64, A, (int64_t)max);
      } else {
        X64Reg t = bf_tmp(c);
        x64_mov_ri(a, X64_S64, t, (int64_t)max);
        x64_alu_rr(a, X64_CMP, X64_S64, A, t);
      }
      x64_jcc_label(a, X64_CC_A, bf_stub_exc(c, IR_EXC_fault, A, write));
    }
  }
  if (align && size > 1) {
    x64_test_ri(a, X64_S32, A, size - 1);
    x64_jcc_label(a, X64_CC_NE, bf_stub_exc(c, IR_EXC_fault, A, write));
  }
  return bf_guest_mem(c, A);
}

void bf_lower_load(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Reg A = bf_gpr(c, in->args[0]);
  X64Mem m = guest_access(c, A, ir_type_info[t].bytes, false, in->imm & IR_MEM_ALIGN);
  switch (t) {
  case IR_T_i8: x64_widen_rm(a, X64_MOVZX8, X64_S32, bf_def(c, r), m); break;
  case IR_T_i16: x64_widen_rm(a, X64_MOVZX16, X64_S32, bf_def(c, r), m); break;
  case IR_T_i32: x64_mov_rm(a, X64_S32, bf_def(c, r), m); break;
  case IR_T_i64: x64_mov_rm(a, X64_S64, bf_def(c, r), m); break;
  case IR_T_f32: x64_sse_rm(a, X64_MOVSS, bf_defx(c, r), m); break;
  case IR_T_f64: x64_sse_rm(a, X64_MOVSD, bf_defx(c, r), m); break;
  default: x64_sse_rm(a, X64_MOVDQU, bf_defx(c, r), m); break;
  }
}

void bf_lower_store(BfCtx *c, IrRef r, const IrInst *in) {
  IrRef v = in->args[1];
  IrType t = ir_typeof(c->fn, v);
  X64Reg A = bf_gpr(c, in->args[0]);
  X64Mem m = guest_access(c, A, ir_type_info[t].bytes, true, in->imm & IR_MEM_ALIGN);
  bf_store_value(c, m, v, t);
}

/* cas(addr, expected, new) -> old: lock cmpxchg, old value in rax. */
void bf_lower_cas(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  bf_reserve(c, X64_RAX);
  bf_load_into(c, in->args[1], BF_GPR, X64_RAX);
  X64Reg N = bf_gpr(c, in->args[2]);
  X64Reg A = bf_gpr(c, in->args[0]);
  X64Mem m = guest_access(c, A, ir_type_info[t].bytes, true, in->imm & IR_MEM_ALIGN);
  x64_lock(a);
  x64_rmreg_mr(a, X64_CMPXCHG, bf_size(t), m, N);
  bf_def_in(c, r, X64_RAX);
}

/* armw.KIND: xchg and xadd where x86 has them, else a lock cmpxchg loop. */
static const X64AluOp rmw_alu[IR_RMW__COUNT] = {
    [IR_RMW_and] = X64_AND, [IR_RMW_or] = X64_OR, [IR_RMW_xor] = X64_XOR};
/* min/max: replace the old value by v when old compares this way to v. */
static const X64Cond rmw_cc[IR_RMW__COUNT] = {
    [IR_RMW_smin] = X64_CC_G, [IR_RMW_smax] = X64_CC_L,
    [IR_RMW_umin] = X64_CC_A, [IR_RMW_umax] = X64_CC_B};

void bf_lower_armw(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Size s = bf_size(t);
  unsigned kind = (unsigned)in->imm;
  if (kind == IR_RMW_xchg || kind == IR_RMW_add) {
    X64Reg A = bf_gpr(c, in->args[0]);
    X64Mem m = guest_access(c, A, ir_type_info[t].bytes, true, false);
    X64Reg d = bf_def_over(c, r, in->args[1]);
    if (kind == IR_RMW_add)
      x64_lock(a);
    x64_rmreg_mr(a, kind == IR_RMW_add ? X64_XADD : X64_XCHG, s, m, d);
    return;
  }
  bf_reserve(c, X64_RAX);
  X64Reg V = bf_gpr(c, in->args[1]);
  X64Reg A = bf_gpr(c, in->args[0]);
  X64Mem m = guest_access(c, A, ir_type_info[t].bytes, true, false);
  X64Reg n = bf_tmp(c);
  X64Size wide = s == X64_S64 ? X64_S64 : X64_S32; /* cmov has no byte form */
  /* The first read is a locked xadd of 0, not a plain load: if it faults, the
   * fault is a write's (bf_fault_is_write), as an atomic's must be. */
  x64_alu_rr(a, X64_XOR, X64_S32, X64_RAX, X64_RAX);
  x64_lock(a);
  x64_rmreg_mr(a, X64_XADD, s, m, X64_RAX);
  X64Label loop = X64_LABEL_INIT;
  x64_bind(a, &loop);
  x64_mov_rr(a, X64_S64, n, X64_RAX);
  if (kind == IR_RMW_and || kind == IR_RMW_or || kind == IR_RMW_xor) {
    x64_alu_rr(a, rmw_alu[kind], s, n, V);
  } else {
    x64_alu_rr(a, X64_CMP, s, n, V);
    x64_cmov_rr(a, rmw_cc[kind], wide, n, V);
  }
  x64_lock(a);
  x64_rmreg_mr(a, X64_CMPXCHG, s, m, n);
  x64_jcc_label(a, X64_CC_NE, &loop);
  bf_def_in(c, r, X64_RAX);
}

void bf_lower_fence(BfCtx *c, IrRef r, const IrInst *in) {
  static const X64FixedOp op[] = {[IR_FENCE_FULL] = X64_MFENCE, [IR_FENCE_LOAD] = X64_LFENCE,
                                  [IR_FENCE_STORE] = X64_SFENCE};
  x64_fixed(&c->a, in->imm < 3 ? op[in->imm] : X64_MFENCE);
}
