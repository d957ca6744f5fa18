/* ir_interp_mem.c — the interpreter's guest memory ops: load and store through
 * the runner's IrMemOps callbacks, cas and armw as real host atomics on the
 * pointer atomic_ptr gives, fences as host fences. A failed access ends the
 * function with IR_EXC_fault at the current instruction. */
#include "ir_exec.h"

static IrRunStep fault(IrRun *st, uint64_t addr, bool is_write) {
  return ir_run_exception(st, IR_EXC_fault, addr, is_write);
}

static bool misaligned(uint64_t addr, unsigned size, uint64_t memflags) {
  return (memflags & IR_MEM_ALIGN) && (addr & (size - 1));
}

IrRunStep ir_run_load(IrRun *st, const IrInst *in, IrRef r) {
  uint64_t addr = st->vals[in->args[0]].u64;
  unsigned size = ir_type_info[in->type].bytes;
  IrValue v;
  memset(&v, 0, sizeof v);
  if (misaligned(addr, size, in->imm) || st->mem->load(st->mem->ctx, addr, size, v.b))
    return fault(st, addr, false);
  if (in->imm & IR_MEM_ACQUIRE)
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
  st->vals[r] = v;
  return IR_RUN_NEXT;
}

IrRunStep ir_run_store(IrRun *st, const IrInst *in, IrRef r) {
  uint64_t addr = st->vals[in->args[0]].u64;
  unsigned size = ir_type_info[ir_typeof(st->fn, in->args[1])].bytes;
  if (misaligned(addr, size, in->imm))
    return fault(st, addr, true);
  if (in->imm & IR_MEM_RELEASE)
    __atomic_thread_fence(__ATOMIC_RELEASE);
  if (st->mem->store(st->mem->ctx, addr, size, st->vals[in->args[1]].b))
    return fault(st, addr, true);
  return IR_RUN_NEXT;
}

/* -- Host atomics, by access size ---------------------------------------- */

static uint64_t atomic_load_sized(void *p, unsigned size) {
  switch (size) {
  case 1: return __atomic_load_n((uint8_t *)p, __ATOMIC_SEQ_CST);
  case 2: return __atomic_load_n((uint16_t *)p, __ATOMIC_SEQ_CST);
  case 4: return __atomic_load_n((uint32_t *)p, __ATOMIC_SEQ_CST);
  default: return __atomic_load_n((uint64_t *)p, __ATOMIC_SEQ_CST);
  }
}

/* Stores desired iff *p == *expected; *expected becomes the old value. */
static bool atomic_cas_sized(void *p, unsigned size, uint64_t *expected, uint64_t desired) {
#define CAS_AS(T)                                                                       \
  do {                                                                                  \
    T e = (T)*expected;                                                                 \
    bool ok = __atomic_compare_exchange_n((T *)p, &e, (T)desired, false,               \
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);          \
    *expected = e;                                                                      \
    return ok;                                                                          \
  } while (0)
  switch (size) {
  case 1: CAS_AS(uint8_t);
  case 2: CAS_AS(uint16_t);
  case 4: CAS_AS(uint32_t);
  default: CAS_AS(uint64_t);
  }
#undef CAS_AS
}

/* The host pointer for an atomic access at addr, or NULL (then it faulted). */
static void *atomic_target(IrRun *st, uint64_t addr, unsigned size, uint64_t memflags) {
  if (misaligned(addr, size, memflags))
    return NULL;
  return st->mem->atomic_ptr ? st->mem->atomic_ptr(st->mem->ctx, addr, size) : NULL;
}

/* cas.FLAGS(addr, expected, new) -> old; FLAGS as for load/store. */
IrRunStep ir_run_cas(IrRun *st, const IrInst *in, IrRef r) {
  uint64_t addr = st->vals[in->args[0]].u64;
  unsigned size = ir_type_info[in->type].bytes;
  void *p = atomic_target(st, addr, size, in->imm);
  if (!p)
    return fault(st, addr, true);
  uint64_t old = st->vals[in->args[1]].u64;
  atomic_cas_sized(p, size, &old, st->vals[in->args[2]].u64);
  memset(&st->vals[r], 0, sizeof st->vals[r]);
  st->vals[r].u64 = old;
  return IR_RUN_NEXT;
}

/* armw kinds combine through the same evaluator as the ops they name. */
static const IrOp rmw_op[IR_RMW__COUNT] = {
    [IR_RMW_xchg] = IR_OP__COUNT, /* no combining: the new value is v */
    [IR_RMW_add] = IR_OP_add,     [IR_RMW_and] = IR_OP_and,   [IR_RMW_or] = IR_OP_or,
    [IR_RMW_xor] = IR_OP_xor,     [IR_RMW_smin] = IR_OP_smin, [IR_RMW_smax] = IR_OP_smax,
    [IR_RMW_umin] = IR_OP_umin,   [IR_RMW_umax] = IR_OP_umax,
};

/* armw.KIND(addr, v) -> old: a compare-and-swap loop, so every kind is atomic. */
IrRunStep ir_run_armw(IrRun *st, const IrInst *in, IrRef r) {
  uint64_t addr = st->vals[in->args[0]].u64;
  IrType t = (IrType)in->type;
  unsigned size = ir_type_info[t].bytes;
  if (in->imm >= IR_RMW__COUNT)
    return ir_run_exception(st, IR_EXC_undef, 0, false);
  void *p = atomic_target(st, addr, size, 0);
  if (!p)
    return fault(st, addr, true);
  IrOp op = rmw_op[in->imm];
  IrValue args[2];
  const IrType types[2] = {t, t};
  memset(args, 0, sizeof args);
  args[1] = st->vals[in->args[1]];
  uint64_t old = atomic_load_sized(p, size);
  for (;;) {
    IrValue nv = args[1];
    args[0].u64 = old;
    if (op != IR_OP__COUNT && !ir_eval(op, t, types, args, 2, 0, 0, &nv))
      return ir_run_exception(st, IR_EXC_undef, 0, false);
    if (atomic_cas_sized(p, size, &old, nv.u64))
      break;
  }
  memset(&st->vals[r], 0, sizeof st->vals[r]);
  st->vals[r].u64 = old;
  return IR_RUN_NEXT;
}

IrRunStep ir_run_fence(IrRun *st, const IrInst *in, IrRef r) {
  switch (in->imm) {
  case IR_FENCE_LOAD: __atomic_thread_fence(__ATOMIC_ACQUIRE); break;
  case IR_FENCE_STORE: __atomic_thread_fence(__ATOMIC_RELEASE); break;
  default: __atomic_thread_fence(__ATOMIC_SEQ_CST); break;
  }
  return IR_RUN_NEXT;
}
