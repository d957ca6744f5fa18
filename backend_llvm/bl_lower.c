/* bl_lower.c — lowering driver: one IrFunc into one LLVM function
 * `{i64, i64} name(ptr cpu)` of a given module (the JIT or, later, an
 * ahead-of-time object owns the module). One LLVM block per IR block, after an
 * entry block holding the allocas; each instruction is lowered by the function
 * the per-op table (generated from ir_ops.def) names. Also the builders every
 * class file shares: TBAA-tagged accesses, the pc in effect, the state barrier,
 * exits and exceptions, intrinsic and inline-asm calls, the ir_eval fallback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bl_int.h"

static const BlLowerFn lower_op[IR_OP__COUNT] = {
#define IR_OP(name, res, args, types, imm, flags) [IR_OP_##name] = bl_lower_##name,
#include "ir_ops.def"
#undef IR_OP
};

/* -- Constants and types ------------------------------------------------------ */

LLVMValueRef bl_i64c(BlCtx *c, uint64_t v) { return LLVMConstInt(c->i64, v, false); }

LLVMValueRef bl_const(BlCtx *c, IrType t, uint64_t bits) {
  if (t == IR_T_f32)
    return LLVMConstBitCast(LLVMConstInt(c->i32, bits & 0xffffffffu, false), c->ty[t]);
  if (t == IR_T_f64)
    return LLVMConstBitCast(LLVMConstInt(c->i64, bits, false), c->ty[t]);
  return LLVMConstInt(c->ty[t], bits, false);
}

LLVMValueRef bl_splat(BlCtx *c, IrType vt, LLVMValueRef s) {
  unsigned n = ir_type_info[vt].lanes;
  LLVMValueRef v = LLVMBuildInsertElement(c->b, LLVMGetPoison(c->ty[vt]), s,
                                          LLVMConstInt(c->i32, 0, false), "");
  LLVMValueRef zeros = LLVMConstNull(LLVMVectorType(c->i32, n));
  return LLVMBuildShuffleVector(c->b, v, LLVMGetPoison(c->ty[vt]), zeros, "");
}

bool bl_is_const(const BlCtx *c, IrRef r, uint64_t *v) {
  const IrInst *in = ir_inst(c->fn, r);
  if (in->op != IR_OP_const)
    return false;
  *v = in->imm;
  return true;
}

LLVMValueRef bl_zext_to(BlCtx *c, LLVMValueRef v, LLVMTypeRef t) {
  unsigned from = LLVMGetIntTypeWidth(LLVMTypeOf(v)), to = LLVMGetIntTypeWidth(t);
  if (from == to)
    return v;
  return from < to ? LLVMBuildZExt(c->b, v, t, "") : LLVMBuildTrunc(c->b, v, t, "");
}

LLVMValueRef bl_as_int(BlCtx *c, LLVMValueRef v, IrType t) {
  if (ir_type_is_int(t))
    return v;
  unsigned bits = ir_type_info[t].bytes * 8;
  return LLVMBuildBitCast(c->b, v, LLVMIntTypeInContext(c->ctx, bits), "");
}

/* -- Accesses ------------------------------------------------------------------- */

LLVMValueRef bl_cpu_ptr(BlCtx *c, int64_t off) {
  if (off == 0)
    return c->cpu;
  LLVMValueRef idx = LLVMConstInt(c->i64, (uint64_t)off, true);
  return LLVMBuildGEP2(c->b, c->i8, c->cpu, &idx, 1, "");
}

LLVMValueRef bl_load(BlCtx *c, LLVMTypeRef t, LLVMValueRef p, BlAlias a, unsigned align) {
  LLVMValueRef v = LLVMBuildLoad2(c->b, t, p, "");
  LLVMSetAlignment(v, align);
  LLVMSetMetadata(v, c->md_tbaa, c->tbaa[a]);
  return v;
}

LLVMValueRef bl_store(BlCtx *c, LLVMValueRef v, LLVMValueRef p, BlAlias a, unsigned align) {
  LLVMValueRef s = LLVMBuildStore(c->b, v, p);
  LLVMSetAlignment(s, align);
  LLVMSetMetadata(s, c->md_tbaa, c->tbaa[a]);
  return s;
}

/* Scalar struct-path TBAA: a root, one type node per BlAlias, an access tag
 * per type. Guest memory and CPU state never alias, so LLVM may keep slot
 * values in registers across guest loads and stores. */
static void tbaa_init(BlCtx *c) {
  static const char *const names[BL_TBAA__COUNT] = {"emu cpu", "emu guest", "emu runtime"};
  c->md_tbaa = LLVMGetMDKindIDInContext(c->ctx, "tbaa", 4);
  LLVMMetadataRef root_name = LLVMMDStringInContext2(c->ctx, "emu tbaa", 8);
  LLVMMetadataRef root = LLVMMDNodeInContext2(c->ctx, &root_name, 1);
  LLVMMetadataRef zero = LLVMValueAsMetadata(bl_i64c(c, 0));
  for (int i = 0; i < BL_TBAA__COUNT; i++) {
    LLVMMetadataRef tn[3] = {LLVMMDStringInContext2(c->ctx, names[i], strlen(names[i])), root,
                             zero};
    LLVMMetadataRef type = LLVMMDNodeInContext2(c->ctx, tn, 3);
    LLVMMetadataRef tag[3] = {type, type, zero};
    c->tbaa[i] = LLVMMetadataAsValue(c->ctx, LLVMMDNodeInContext2(c->ctx, tag, 3));
  }
}

/* -- The pc in effect, the pc slot, the state barrier ----------------------------- */

LLVMValueRef bl_pc(BlCtx *c) {
  if (c->pc_known)
    return bl_i64c(c, c->pc);
  if (!c->pc_dyn)
    c->pc_dyn = LLVMBuildLoad2(c->b, c->i64, c->pc_var, "pc");
  return c->pc_dyn;
}

void bl_store_pc(BlCtx *c) {
  if (c->pc_stored)
    return;
  bl_store(c, bl_pc(c), bl_cpu_ptr(c, (int32_t)c->cfg->off_pc), BL_TBAA_CPU, 8);
  c->pc_stored = true;
}

/* An empty asm that reads the cpu struct (memory(argmem: read)) and may not
 * return: every store to the struct before it stays before it, nothing after
 * it moves above it, and loads after it still see earlier stores forwarded.
 * Emitted before every guest memory access (precise state, bl.h). */
void bl_state_barrier(BlCtx *c) {
  LLVMValueRef call = bl_asm(c, LLVMVoidTypeInContext(c->ctx), "", "r", &c->cpu, 1, true);
  bl_call_memory(c, call, BL_ME_ARG(BL_ME_REF));
  unsigned nocapture = LLVMGetEnumAttributeKindForName("nocapture", 9);
  unsigned readonly = LLVMGetEnumAttributeKindForName("readonly", 8);
  LLVMAddCallSiteAttribute(call, 1, LLVMCreateEnumAttribute(c->ctx, nocapture, 0));
  LLVMAddCallSiteAttribute(call, 1, LLVMCreateEnumAttribute(c->ctx, readonly, 0));
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(c->ctx,
                                                   LLVMGetEnumAttributeKindForName("nounwind", 8), 0));
}

/* -- Exits ------------------------------------------------------------------------ */

void bl_ret(BlCtx *c, LLVMValueRef pc, unsigned kind) {
  LLVMValueRef v[2] = {pc, bl_i64c(c, kind)};
  LLVMBuildAggregateRet(c->b, v, 2);
}

void bl_raise(BlCtx *c, IrExc exc, LLVMValueRef arg, bool write) {
  const BlConfig *cfg = c->cfg;
  LLVMValueRef pc = bl_pc(c);
  bl_store(c, arg, bl_cpu_ptr(c, cfg->off_exc_arg), BL_TBAA_RT, 8);
  bl_store(c, LLVMConstInt(c->i32, exc, false), bl_cpu_ptr(c, cfg->off_exc_kind), BL_TBAA_RT, 4);
  bl_store(c, LLVMConstInt(c->i8, write, false), bl_cpu_ptr(c, cfg->off_exc_write), BL_TBAA_RT,
           1);
  bl_ret(c, pc, BL_EXIT_EXCEPTION);
}

/* br cond, rare, usual with branch weights: the rare side out of line and
 * the register allocator favouring the usual one. */
void bl_br_rare(BlCtx *c, LLVMValueRef cond, LLVMBasicBlockRef rare, LLVMBasicBlockRef usual) {
  LLVMValueRef br = LLVMBuildCondBr(c->b, cond, rare, usual);
  LLVMMetadataRef md[3] = {LLVMMDStringInContext2(c->ctx, "branch_weights", 14),
                           LLVMValueAsMetadata(LLVMConstInt(c->i32, 1, false)),
                           LLVMValueAsMetadata(LLVMConstInt(c->i32, 2000, false))};
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(c->ctx, "prof", 4),
                  LLVMMetadataAsValue(c->ctx, LLVMMDNodeInContext2(c->ctx, md, 3)));
}

void bl_raise_if(BlCtx *c, LLVMValueRef cond, IrExc exc, LLVMValueRef arg, bool write) {
  bl_pc(c); /* loaded on the main path, so later code may use it */
  LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(c->ctx, c->func, "exc");
  LLVMBasicBlockRef ok = LLVMAppendBasicBlockInContext(c->ctx, c->func, "");
  bl_br_rare(c, cond, bad, ok);
  LLVMPositionBuilderAtEnd(c->b, bad);
  bl_raise(c, exc, arg, write);
  LLVMPositionBuilderAtEnd(c->b, ok);
}

/* -- Calls -------------------------------------------------------------------------- */

LLVMValueRef bl_intrinsic(BlCtx *c, const char *name, LLVMTypeRef *types, unsigned ntypes,
                          LLVMValueRef *args, unsigned nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(c->mod, id, types, ntypes);
  LLVMTypeRef ft = LLVMIntrinsicGetType(c->ctx, id, types, ntypes);
  return LLVMBuildCall2(c->b, ft, f, args, nargs, "");
}

LLVMValueRef bl_asm(BlCtx *c, LLVMTypeRef ret, const char *text, const char *constraints,
                    LLVMValueRef *args, unsigned nargs, bool side) {
  LLVMTypeRef at[8];
  for (unsigned k = 0; k < nargs; k++)
    at[k] = LLVMTypeOf(args[k]);
  LLVMTypeRef ft = LLVMFunctionType(ret, at, nargs, false);
  LLVMValueRef a = LLVMGetInlineAsm(ft, (char *)text, strlen(text), (char *)constraints,
                                    strlen(constraints), side, false, LLVMInlineAsmDialectATT,
                                    false);
  LLVMValueRef call = LLVMBuildCall2(c->b, ft, a, args, nargs, "");
  if (!side) { /* a pure computation: LLVM may move, merge or drop it */
    static const char *const pure[] = {"nounwind", "willreturn"};
    for (unsigned k = 0; k < 2; k++)
      LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                               LLVMCreateEnumAttribute(c->ctx,
                                                       LLVMGetEnumAttributeKindForName(pure[k], strlen(pure[k])), 0));
    bl_call_memory(c, call, 0);
  }
  return call;
}

LLVMValueRef bl_extern(BlCtx *c, const char *name, LLVMTypeRef fnty) {
  LLVMValueRef f = LLVMGetNamedFunction(c->mod, name);
  if (!f) {
    f = LLVMAddFunction(c->mod, name, fnty);
    LLVMSetLinkage(f, LLVMExternalLinkage);
  }
  return f;
}

void bl_call_memory(BlCtx *c, LLVMValueRef call, unsigned effects) {
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(c->ctx, c->attr_memory, effects));
}

/* -- The ir_eval fallback ------------------------------------------------------------- */

/* Operands go to the 16-byte cells of eval_buf (integers zero-extended), the
 * result comes back in cell 4. The descriptor is immediates only: no host
 * pointer is baked into the code. */
void bl_eval(BlCtx *c, IrRef r, const IrInst *in) {
  IrType at[IR_MAX_ARGS] = {IR_T_void};
  LLVMValueRef cell[5];
  for (unsigned k = 0; k < 5; k++) {
    LLVMValueRef idx = bl_i64c(c, 16 * k);
    cell[k] = LLVMBuildGEP2(c->b, c->i8, c->eval_buf, &idx, 1, "");
  }
  for (unsigned k = 0; k < in->nargs; k++) {
    at[k] = bl_t(c, in->args[k]);
    LLVMValueRef v = bl_v(c, in->args[k]);
    if (ir_type_is_int(at[k]))
      v = bl_zext_to(c, v, c->i64);
    LLVMBuildStore(c->b, v, cell[k]);
  }
  LLVMTypeRef pt[4] = {c->i64, c->i64, c->ptr, c->ptr};
  LLVMTypeRef ft = LLVMFunctionType(c->i64, pt, 4, false);
  LLVMValueRef f = bl_extern(c, BL_SYM_EVAL, ft);
  LLVMValueRef args[4] = {bl_i64c(c, bl_eval_desc(in, at)), bl_i64c(c, in->imm), cell[0], cell[4]};
  LLVMValueRef call = LLVMBuildCall2(c->b, ft, f, args, 4, "");
  /* It touches only the cells (and the host FP environment), and returns. */
  bl_call_memory(c, call, BL_ME_ARG(BL_ME_REF | BL_ME_MOD) | BL_ME_INACC(BL_ME_REF | BL_ME_MOD));
  static const char *const attrs[] = {"nounwind", "willreturn"};
  for (unsigned k = 0; k < 2; k++)
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(c->ctx,
                                                     LLVMGetEnumAttributeKindForName(attrs[k], strlen(attrs[k])), 0));
  /* ir_eval refuses a valid instruction only when it faults (division);
   * other ops need no check, and no exit that would keep LLVM from sinking
   * slot stores out of a loop. */
  if (ir_op_info[in->op].flags & IRF_FAULT)
    bl_raise_if(c, LLVMBuildICmp(c->b, LLVMIntNE, call, bl_i64c(c, 0), ""), IR_EXC_divide,
                bl_i64c(c, 0), false);
  IrType t = (IrType)in->type;
  LLVMValueRef v;
  if (t == IR_T_i1)
    v = LLVMBuildTrunc(c->b, LLVMBuildLoad2(c->b, c->i8, cell[4], ""), c->i1, "");
  else
    v = LLVMBuildLoad2(c->b, c->ty[t], cell[4], "");
  bl_def(c, r, v);
}

/* -- Control flow between IR blocks ------------------------------------------------- */

/* A back edge (to this block or an earlier one) that reaches a guest
 * instruction boundary first checks exit_request. */
static bool checks_request(const BlCtx *c, uint32_t target, uint64_t *pc) {
  if (target > c->block)
    return false;
  const IrBlock *b = &c->fn->blocks[target];
  if (b->n == 0)
    return false;
  const IrInst *first = ir_inst(c->fn, b->insts[0]);
  if (first->op != IR_OP_insn)
    return false;
  *pc = first->imm;
  return true;
}

/* The block to branch to for an edge to target: target's own, or a check. */
static LLVMBasicBlockRef edge(BlCtx *c, uint32_t target) {
  uint64_t pc;
  if (!checks_request(c, target, &pc))
    return c->bb[target];
  LLVMBasicBlockRef here = LLVMGetInsertBlock(c->b);
  LLVMBasicBlockRef chk = LLVMAppendBasicBlockInContext(c->ctx, c->func, "backedge");
  LLVMBasicBlockRef leave = LLVMAppendBasicBlockInContext(c->ctx, c->func, "request");
  LLVMPositionBuilderAtEnd(c->b, chk);
  LLVMValueRef req = bl_load(c, c->i32, bl_cpu_ptr(c, c->cfg->off_exit_request), BL_TBAA_RT, 4);
  LLVMSetVolatile(req, true); /* another thread sets it: read it every time */
  bl_br_rare(c, LLVMBuildICmp(c->b, LLVMIntNE, req, LLVMConstInt(c->i32, 0, false), ""), leave,
             c->bb[target]);
  LLVMPositionBuilderAtEnd(c->b, leave);
  bl_ret(c, bl_i64c(c, pc), BL_EXIT_JUMP);
  LLVMPositionBuilderAtEnd(c->b, here);
  return chk;
}

void bl_block_leave(BlCtx *c) {
  if (c->pc_known)
    LLVMBuildStore(c->b, bl_i64c(c, c->pc), c->pc_var);
}

void bl_goto(BlCtx *c, uint32_t target) {
  bl_block_leave(c);
  LLVMBuildBr(c->b, edge(c, target));
}

void bl_branch(BlCtx *c, LLVMValueRef cond, uint32_t t, uint32_t f) {
  bl_block_leave(c);
  LLVMBasicBlockRef bt = edge(c, t), bf = edge(c, f);
  LLVMBuildCondBr(c->b, cond, bt, bf);
}

/* -- The driver ---------------------------------------------------------------------- */

static void types_init(BlCtx *c) {
  LLVMContextRef x = c->ctx;
  c->i1 = LLVMInt1TypeInContext(x), c->i8 = LLVMInt8TypeInContext(x);
  c->i16 = LLVMInt16TypeInContext(x), c->i32 = LLVMInt32TypeInContext(x);
  c->i64 = LLVMInt64TypeInContext(x), c->i128 = LLVMInt128TypeInContext(x);
  c->ptr = LLVMPointerTypeInContext(x, 0);
  LLVMTypeRef f32 = LLVMFloatTypeInContext(x), f64 = LLVMDoubleTypeInContext(x);
  LLVMTypeRef *t = c->ty;
  t[IR_T_void] = LLVMVoidTypeInContext(x);
  t[IR_T_i1] = c->i1, t[IR_T_i8] = c->i8, t[IR_T_i16] = c->i16, t[IR_T_i32] = c->i32;
  t[IR_T_i64] = c->i64, t[IR_T_f32] = f32, t[IR_T_f64] = f64;
  t[IR_T_v16i8] = LLVMVectorType(c->i8, 16), t[IR_T_v8i16] = LLVMVectorType(c->i16, 8);
  t[IR_T_v4i32] = LLVMVectorType(c->i32, 4), t[IR_T_v2i64] = LLVMVectorType(c->i64, 2);
  t[IR_T_v4f32] = LLVMVectorType(f32, 4), t[IR_T_v2f64] = LLVMVectorType(f64, 2);
  LLVMTypeRef two[2] = {c->i64, c->i64};
  c->ret_ty = LLVMStructTypeInContext(x, two, 2, false);
  c->attr_memory = LLVMGetEnumAttributeKindForName("memory", 6);
}

static void fn_attr(BlCtx *c, const char *name) {
  unsigned k = LLVMGetEnumAttributeKindForName(name, strlen(name));
  LLVMAddAttributeAtIndex(c->func, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(c->ctx, k, 0));
}

static void lower_block(BlCtx *c, uint32_t b) {
  const IrBlock *blk = &c->fn->blocks[b];
  c->block = b;
  c->pc_known = c->pc_stored = false;
  c->pc_dyn = NULL;
  LLVMPositionBuilderAtEnd(c->b, c->bb[b]);
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    const IrInst *in = ir_inst(c->fn, r);
    lower_op[in->op](c, r, in);
    c->nlowered++;
  }
}

static bool func_setup(BlCtx *c, const char *name) {
  LLVMTypeRef pt = c->ptr;
  c->func = LLVMAddFunction(c->mod, name, LLVMFunctionType(c->ret_ty, &pt, 1, false));
  c->cpu = LLVMGetParam(c->func, 0);
  fn_attr(c, "nounwind");
  /* The guest state is there to read: LICM may then hoist slot loads out of
   * loops and keep slots in registers (the stores sink to the exits). */
  if (c->fn->rf->state_size) {
    unsigned k = LLVMGetEnumAttributeKindForName("dereferenceable", 15);
    LLVMAddAttributeAtIndex(c->func, 1, LLVMCreateEnumAttribute(c->ctx, k, c->fn->rf->state_size));
  }
  /* nounwind and no uwtable: no unwind tables (faults leave by siglongjmp).
   * cpu is not noalias: helpers reach the struct through their own copy. */
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c->ctx, c->func, "entry");
  for (uint32_t b = 0; b < c->fn->nblocks; b++) {
    char bn[24];
    snprintf(bn, sizeof bn, "b%u", b);
    c->bb[b] = LLVMAppendBasicBlockInContext(c->ctx, c->func, bn);
  }
  LLVMPositionBuilderAtEnd(c->b, entry);
  c->pc_var = LLVMBuildAlloca(c->b, c->i64, "pcvar");
  LLVMValueRef buf = LLVMBuildAlloca(c->b, LLVMArrayType(LLVMVectorType(c->i64, 2), 5), "evalbuf");
  LLVMSetAlignment(buf, 16);
  c->eval_buf = buf;
  LLVMBuildStore(c->b, bl_i64c(c, 0), c->pc_var); /* "0 if none" */
  LLVMBuildBr(c->b, c->bb[0]);
  return true;
}

bool bl_lower_func(LLVMContextRef ctx, LLVMModuleRef mod, const IrFunc *fn, const BlConfig *cfg,
                   const char *name, uint32_t *ninsts, char *err, size_t errsize) {
  if (fn->nblocks == 0 || !fn->rf) {
    snprintf(err, errsize, "empty function or no register file");
    return false;
  }
  BlCtx c = {.ctx = ctx, .mod = mod, .fn = fn, .cfg = cfg};
  c.val = calloc(fn->ninsts ? fn->ninsts : 1, sizeof *c.val);
  c.bb = calloc(fn->nblocks, sizeof *c.bb);
  if (!c.val || !c.bb) {
    free(c.val), free(c.bb);
    snprintf(err, errsize, "out of memory");
    return false;
  }
  c.b = LLVMCreateBuilderInContext(ctx);
  types_init(&c);
  tbaa_init(&c);
  func_setup(&c, name);
  for (uint32_t b = 0; b < fn->nblocks; b++)
    lower_block(&c, b);
  LLVMDisposeBuilder(c.b);
  free(c.val);
  free(c.bb);
  if (ninsts)
    *ninsts = c.nlowered;
  return true;
}
