/* bl_lower_mem.c — guest memory: load, store, cas, armw, fence. The address
 * is checked as backend_fast checks it (the whole access below guest_limit;
 * IR_MEM_ALIGN: natural alignment); a failed check raises IR_EXC_fault with
 * the address. Then, for precise state at a host fault (bl.h), the pc slot
 * gets the instruction's pc and the state barrier keeps every earlier slot
 * store ahead of the access. Accesses are at guest_base + addr, align 1, TBAA
 * "guest", and volatile: the barrier only reads, so LLVM would otherwise sink
 * a guest load past the next instruction's pc store and barrier (a fault there
 * would then report the wrong instruction); volatile keeps every access in
 * place and in order, while slot values still forward across it. x86 loads and stores are acquire / release already; atomics are
 * seq_cst. Every atomic reads memory only through a locked instruction, so a
 * fault in one is a write for bf_fault_is_write as the IR wants. */
#include "bl_int.h"

/* The checked host pointer for an access of `size` bytes at guest address A. */
static LLVMValueRef guest_access(BlCtx *c, LLVMValueRef A, unsigned size, bool write, bool align) {
  uint64_t limit = c->cfg->guest_limit;
  if (limit) {
    LLVMValueRef bad = limit < size ? LLVMConstInt(c->i1, 1, false)
                                    : LLVMBuildICmp(c->b, LLVMIntUGT, A, bl_i64c(c, limit - size), "");
    bl_raise_if(c, bad, IR_EXC_fault, A, write);
  }
  if (align && size > 1) {
    LLVMValueRef low = LLVMBuildAnd(c->b, A, bl_i64c(c, size - 1), "");
    bl_raise_if(c, LLVMBuildICmp(c->b, LLVMIntNE, low, bl_i64c(c, 0), ""), IR_EXC_fault, A, write);
  }
  bl_store_pc(c);
  bl_state_barrier(c);
  LLVMValueRef host = LLVMBuildAdd(c->b, A, bl_i64c(c, c->cfg->guest_base), "");
  return LLVMBuildIntToPtr(c->b, host, c->ptr, "");
}

void bl_lower_load(BlCtx *c, IrRef r, const IrInst *in) {
  IrType t = (IrType)in->type;
  LLVMValueRef p = guest_access(c, bl_v(c, in->args[0]), ir_type_info[t].bytes, false,
                                in->imm & IR_MEM_ALIGN);
  LLVMValueRef v = bl_load(c, bl_lt(c, t), p, BL_TBAA_GUEST, 1);
  LLVMSetVolatile(v, true);
  bl_def(c, r, v);
}

void bl_lower_store(BlCtx *c, IrRef r, const IrInst *in) {
  IrType t = bl_t(c, in->args[1]);
  LLVMValueRef p = guest_access(c, bl_v(c, in->args[0]), ir_type_info[t].bytes, true,
                                in->imm & IR_MEM_ALIGN);
  LLVMSetVolatile(bl_store(c, bl_v(c, in->args[1]), p, BL_TBAA_GUEST, 1), true);
}

/* cas(addr, expected, new) -> old. Natural alignment is what LLVM assumes of
 * an atomic (align 1 would make it a libcall); x86's lock cmpxchg works on
 * any address, so that assumption changes no instruction. */
static LLVMValueRef cmpxchg(BlCtx *c, LLVMValueRef p, LLVMValueRef expect, LLVMValueRef nv) {
  LLVMValueRef x = LLVMBuildAtomicCmpXchg(c->b, p, expect, nv, LLVMAtomicOrderingSequentiallyConsistent,
                                          LLVMAtomicOrderingSequentiallyConsistent, false);
  LLVMSetVolatile(x, true);
  return x;
}

void bl_lower_cas(BlCtx *c, IrRef r, const IrInst *in) {
  IrType t = (IrType)in->type;
  LLVMValueRef p = guest_access(c, bl_v(c, in->args[0]), ir_type_info[t].bytes, true,
                                in->imm & IR_MEM_ALIGN);
  LLVMValueRef x = cmpxchg(c, p, bl_v(c, in->args[1]), bl_v(c, in->args[2]));
  bl_def(c, r, LLVMBuildExtractValue(c->b, x, 0, ""));
}

/* armw kinds with one x86 instruction (xchg, lock xadd). */
static const int rmw_native[IR_RMW__COUNT] = {
    [IR_RMW_xchg] = LLVMAtomicRMWBinOpXchg + 1, [IR_RMW_add] = LLVMAtomicRMWBinOpAdd + 1};

/* The new value for kind from old and v (the cmpxchg-loop kinds). */
static LLVMValueRef rmw_combine(BlCtx *c, unsigned kind, LLVMValueRef old, LLVMValueRef v) {
  static const LLVMIntPredicate keep_old[IR_RMW__COUNT] = {
      [IR_RMW_smin] = LLVMIntSLE, [IR_RMW_smax] = LLVMIntSGE,
      [IR_RMW_umin] = LLVMIntULE, [IR_RMW_umax] = LLVMIntUGE};
  switch (kind) {
  case IR_RMW_and: return LLVMBuildAnd(c->b, old, v, "");
  case IR_RMW_or: return LLVMBuildOr(c->b, old, v, "");
  case IR_RMW_xor: return LLVMBuildXor(c->b, old, v, "");
  default:
    return LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, keep_old[kind], old, v, ""), old, v, "");
  }
}

/* armw.KIND(addr, v) -> old; no alignment check (no FLAGS). The loop kinds
 * read the first old value with a locked cmpxchg (0 -> 0), never a plain load,
 * so a fault there is a write's. */
void bl_lower_armw(BlCtx *c, IrRef r, const IrInst *in) {
  IrType t = (IrType)in->type;
  unsigned kind = (unsigned)in->imm;
  LLVMValueRef p = guest_access(c, bl_v(c, in->args[0]), ir_type_info[t].bytes, true, false);
  LLVMValueRef v = bl_v(c, in->args[1]);
  if (kind < IR_RMW__COUNT && rmw_native[kind]) {
    /* Hidden from the optimiser: LLVM turns an add of a known 0 (an
     * "idempotent" RMW) into a fence and a plain load, whose fault is a read. */
    v = bl_asm(c, LLVMTypeOf(v), "", "=r,0", &v, 1, false);
    LLVMValueRef x = LLVMBuildAtomicRMW(c->b, (LLVMAtomicRMWBinOp)(rmw_native[kind] - 1), p, v,
                                        LLVMAtomicOrderingSequentiallyConsistent, false);
    LLVMSetVolatile(x, true);
    bl_def(c, r, x);
    return;
  }
  LLVMTypeRef lt = bl_lt(c, t);
  LLVMValueRef zero = LLVMConstNull(lt);
  LLVMValueRef first = LLVMBuildExtractValue(c->b, cmpxchg(c, p, zero, zero), 0, "");
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b);
  LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(c->ctx, c->func, "rmw");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, c->func, "");
  LLVMBuildBr(c->b, loop);
  LLVMPositionBuilderAtEnd(c->b, loop);
  LLVMValueRef old = LLVMBuildPhi(c->b, lt, "");
  LLVMValueRef x = cmpxchg(c, p, old, rmw_combine(c, kind, old, v));
  LLVMValueRef seen = LLVMBuildExtractValue(c->b, x, 0, "");
  LLVMBuildCondBr(c->b, LLVMBuildExtractValue(c->b, x, 1, ""), done, loop);
  LLVMBasicBlockRef from[2] = {pre, loop};
  LLVMValueRef vals[2] = {first, seen};
  LLVMAddIncoming(old, vals, from, 2);
  LLVMPositionBuilderAtEnd(c->b, done);
  bl_def(c, r, old);
}

void bl_lower_fence(BlCtx *c, IrRef r, const IrInst *in) {
  /* x86 keeps loads and stores in order except store -> load: only a full
   * fence needs an instruction; the others only stop LLVM from moving. */
  LLVMAtomicOrdering o = in->imm == IR_FENCE_LOAD    ? LLVMAtomicOrderingAcquire
                         : in->imm == IR_FENCE_STORE ? LLVMAtomicOrderingRelease
                                                     : LLVMAtomicOrderingSequentiallyConsistent;
  LLVMBuildFence(c->b, o, false, "");
}
