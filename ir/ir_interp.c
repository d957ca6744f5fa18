/* ir_interp.c — the reference interpreter: runs an IrFunc against a guest CPU
 * struct, block by block from block 0, until a terminator leaves the function.
 * Pure ops get their value from ir_eval (the folder's evaluator); the others have
 * handlers named in the op table (ir_eval.c): guest state, markers, calls and
 * control here, guest memory in ir_interp_mem.c. docs/ir-semantics.md is the
 * specification. */
#include <stdlib.h>

#include "ir_exec.h"

/* -- Guest state and markers --------------------------------------------- */

IrRunStep ir_run_vconst(IrRun *st, const IrInst *in, IrRef r) {
  if (in->imm >= st->fn->npool)
    return ir_run_exception(st, IR_EXC_undef, 0, false);
  st->vals[r].v = st->fn->pool[in->imm];
  return IR_RUN_NEXT;
}

/* The slot's register, or NULL for a slot the register file does not have. */
static const IrReg *slot_reg(const IrRun *st, uint64_t slot) {
  const IrRegFile *rf = st->fn->rf;
  return rf && slot < rf->count ? &rf->regs[slot] : NULL;
}

/* i1 slots are one byte: any nonzero byte reads as 1. */
IrRunStep ir_run_get(IrRun *st, const IrInst *in, IrRef r) {
  const IrReg *reg = slot_reg(st, in->imm);
  if (!reg)
    return ir_run_exception(st, IR_EXC_undef, 0, false);
  IrValue v;
  memset(&v, 0, sizeof v);
  memcpy(v.b, (const uint8_t *)st->cpu + reg->offset, ir_type_info[reg->type].bytes);
  if (reg->type == IR_T_i1)
    v.u64 = v.b[0] != 0;
  st->vals[r] = v;
  return IR_RUN_NEXT;
}

IrRunStep ir_run_set(IrRun *st, const IrInst *in, IrRef r) {
  const IrReg *reg = slot_reg(st, in->imm);
  if (!reg)
    return ir_run_exception(st, IR_EXC_undef, 0, false);
  IrValue v = st->vals[in->args[0]];
  if (reg->type == IR_T_i1)
    v.b[0] &= 1;
  memcpy((uint8_t *)st->cpu + reg->offset, v.b, ir_type_info[reg->type].bytes);
  return IR_RUN_NEXT;
}

IrRunStep ir_run_insn(IrRun *st, const IrInst *in, IrRef r) {
  st->pc = in->imm;
  return IR_RUN_NEXT;
}

/* -- Helper calls -------------------------------------------------------- */

/* Operands are zero-extended to 64 bits (they are kept that way); the result
 * is truncated to the call's type. */
IrRunStep ir_run_call(IrRun *st, const IrInst *in, IrRef r) {
  const IrHelper *h = ir_helper_get((uint32_t)in->imm);
  if (!h || in->nargs > IR_MAX_ARGS)
    return ir_run_exception(st, IR_EXC_undef, 0, false);
  uint64_t a[IR_MAX_ARGS] = {0};
  for (unsigned k = 0; k < in->nargs; k++)
    a[k] = st->vals[in->args[k]].u64;
  uint64_t res = h->fn(st->cpu, a[0], a[1], a[2], a[3]);
  if (in->type != IR_T_void) {
    memset(&st->vals[r], 0, sizeof st->vals[r]);
    st->vals[r].u64 = res & ir_mask(ir_type_bits((IrType)in->type));
  }
  return IR_RUN_NEXT;
}

/* -- Control ------------------------------------------------------------- */

IrRunStep ir_run_br(IrRun *st, const IrInst *in, IrRef r) {
  st->block = (st->vals[in->args[0]].u64 & 1) ? (uint32_t)in->imm : in->aux;
  return IR_RUN_GOTO;
}

IrRunStep ir_run_jmp(IrRun *st, const IrInst *in, IrRef r) {
  st->block = (uint32_t)in->imm;
  return IR_RUN_GOTO;
}

static IrRunStep leave(IrRun *st, IrExitKind kind, uint64_t pc) {
  st->exit = (IrExit){.kind = kind, .pc = pc};
  return IR_RUN_EXIT;
}

IrRunStep ir_run_exit(IrRun *st, const IrInst *in, IrRef r) {
  return leave(st, IR_EXIT_JUMP, in->imm);
}

IrRunStep ir_run_exiti(IrRun *st, const IrInst *in, IrRef r) {
  return leave(st, IR_EXIT_JUMP, st->vals[in->args[0]].u64);
}

IrRunStep ir_run_syscall(IrRun *st, const IrInst *in, IrRef r) {
  return leave(st, IR_EXIT_SYSCALL, in->imm);
}

IrRunStep ir_run_raise(IrRun *st, const IrInst *in, IrRef r) {
  if (in->imm >= IR_EXC__COUNT)
    return ir_run_exception(st, IR_EXC_undef, 0, false);
  return ir_run_exception(st, (IrExc)in->imm, st->vals[in->args[0]].u64, false);
}

/* -- The FP environment: the host's, which the FP ops raise flags in ----- */

IrRunStep ir_run_fenv_get(IrRun *st, const IrInst *in, IrRef r) {
  memset(&st->vals[r], 0, sizeof st->vals[r]);
  st->vals[r].u64 = ir_fenv_host_get();
  return IR_RUN_NEXT;
}

IrRunStep ir_run_fenv_set(IrRun *st, const IrInst *in, IrRef r) {
  ir_fenv_host_set((uint32_t)st->vals[in->args[0]].u64);
  return IR_RUN_NEXT;
}

/* -- Pure ops and the block loop ----------------------------------------- */

/* ir_eval refuses only a faulting division or operands outside the op's domain
 * (invalid IR, which the validator rejects): report the latter as undef. */
static IrRunStep run_pure(IrRun *st, const IrInst *in, IrRef r) {
  IrType at[IR_MAX_ARGS];
  IrValue av[IR_MAX_ARGS];
  unsigned n = in->nargs <= IR_MAX_ARGS ? in->nargs : IR_MAX_ARGS;
  for (unsigned k = 0; k < n; k++) {
    at[k] = ir_typeof(st->fn, in->args[k]);
    av[k] = st->vals[in->args[k]];
  }
  if (ir_eval((IrOp)in->op, (IrType)in->type, at, av, n, in->imm, in->aux, &st->vals[r]))
    return IR_RUN_NEXT;
  bool divide = in->op < IR_OP__COUNT && (ir_op_info[in->op].flags & IRF_FAULT);
  return ir_run_exception(st, divide ? IR_EXC_divide : IR_EXC_undef, 0, false);
}

static IrRunStep run_block(IrRun *st, const IrBlock *b) {
  for (uint32_t i = 0; i < b->n; i++) {
    IrRef r = b->insts[i];
    const IrInst *in = &st->fn->insts[r];
    IrRunFn run = ir_exec_run((IrOp)in->op);
    IrRunStep step = run ? run(st, in, r) : run_pure(st, in, r);
    if (step != IR_RUN_NEXT)
      return step;
  }
  /* A block without a terminator is invalid IR. */
  return ir_run_exception(st, IR_EXC_undef, 0, false);
}

IrExit ir_interp(const IrFunc *fn, void *cpu, const IrMemOps *mem) {
  IrValue small[128];
  IrValue *vals = small;
  if (fn->ninsts > sizeof small / sizeof small[0]) {
    vals = calloc(fn->ninsts, sizeof *vals);
    if (!vals)
      abort();
  } else {
    memset(small, 0, sizeof small);
  }
  IrRun st = {.fn = fn, .cpu = cpu, .mem = mem, .vals = vals}; /* block 0, pc 0 */
  const IrMemOps *outer_mem = ir_helper_mem(); /* helpers see this function's memory */
  ir_helper_set_mem(mem);
  for (;;) {
    if (st.block >= fn->nblocks) {
      ir_run_exception(&st, IR_EXC_undef, 0, false);
      break;
    }
    if (run_block(&st, &fn->blocks[st.block]) == IR_RUN_EXIT)
      break;
  }
  ir_helper_set_mem(outer_mem);
  if (vals != small)
    free(vals);
  return st.exit;
}
