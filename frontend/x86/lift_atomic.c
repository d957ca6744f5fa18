/* lift_atomic.c — x86 compare-and-exchange and exchange-and-add: cmpxchg (all
 * sizes, register or memory), cmpxchg8b, cmpxchg16b, xadd, and lock adc/sbb
 * (for lift_alu.c). Memory forms are atomic whether or not they carry lock,
 * which is stronger than hardware requires and never observably different.
 *
 * cmpxchg16b needs a 128-bit compare-and-swap, which the IR has not: a helper
 * does it with the host's own lock cmpxchg16b on the pointer the runner's
 * IrMemOps.atomic_ptr gives (ir_helper_mem). It returns a status the IR
 * branches on, so faults are raised by the IR as for any other access: the
 * helper never faults and never unwinds. */
#include <string.h>

#include "x86_lift.h"

/* -- cmpxchg, xadd ---------------------------------------------------------- */

/* cmpxchg r/m, r: if rAX == dst then dst = src else rAX = dst; flags of
 * cmp rAX, dst. A register destination is written only on success and the
 * accumulator only on failure (so only that one is zero-extended at 32 bits),
 * as hardware does. */
static bool lift_cmpxchg(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  unsigned w = l->op[0].size;
  IrType t = x86_optype(l, 0);
  IrRef src = x86_get(l, 1), acc = x86_gpr_get(l, X86_RAX, w, false), old;
  IrRef eq;
  if (x86_is_mem(l, 0)) {
    IrRef args[3] = {x86_addr(l, 0), acc, src};
    old = ir_emit(fn, IR_OP_cas, t, 3, args, 0, 0);
    eq = ir_cmp(fn, IR_PRED_eq, old, acc);
  } else {
    old = x86_get(l, 0);
    eq = ir_cmp(fn, IR_PRED_eq, old, acc);
    if (!x86_put_if(l, 0, eq, src))
      return false;
  }
  x86_gpr_put_if(l, X86_RAX, w, false, ir_op1(fn, IR_OP_not, eq), old);
  x86_flags_sub(l, acc, old, IR_NONE, ir_op2(fn, IR_OP_sub, acc, old));
  return true;
}

/* hi:lo of two 32-bit registers, as i64. */
static IrRef pair64(X86Lift *l, unsigned hi, unsigned lo) {
  IrFunc *fn = l->fn;
  IrRef h = ir_cast(fn, IR_OP_zext, IR_T_i64, x86_gpr_get(l, hi, 32, false));
  IrRef w = ir_cast(fn, IR_OP_zext, IR_T_i64, x86_gpr_get(l, lo, 32, false));
  return ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, h, x86_i64(l, 32)), w);
}

/* cmpxchg8b m64: edx:eax against memory; ecx:ebx stored if equal, else
 * edx:eax loaded (32-bit writes). Only ZF changes. */
static bool lift_cmpxchg8b(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  if (!x86_is_mem(l, 0))
    return false;
  IrRef expect = pair64(l, X86_RDX, X86_RAX), repl = pair64(l, X86_RCX, X86_RBX);
  IrRef args[3] = {x86_addr(l, 0), expect, repl};
  IrRef old = ir_emit(fn, IR_OP_cas, IR_T_i64, 3, args, 0, 0);
  IrRef eq = ir_cmp(fn, IR_PRED_eq, old, expect), ne = ir_op1(fn, IR_OP_not, eq);
  x86_gpr_put_if(l, X86_RAX, 32, false, ne, ir_cast(fn, IR_OP_trunc, IR_T_i32, old));
  x86_gpr_put_if(l, X86_RDX, 32, false, ne,
                 ir_cast(fn, IR_OP_trunc, IR_T_i32, ir_op2(fn, IR_OP_lshr, old, x86_i64(l, 32))));
  x86_set_flag(l, X86_SLOT_ZF, eq);
  return true;
}

/* xadd r/m, r: r = old dst, dst = old + r; flags of the add. */
static bool lift_xadd(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrType t = x86_optype(l, 0);
  IrRef src = x86_get(l, 1), old;
  if (x86_is_mem(l, 0)) {
    IrRef args[2] = {x86_addr(l, 0), src};
    old = ir_emit(fn, IR_OP_armw, t, 2, args, IR_RMW_add, 0);
  } else {
    old = x86_get(l, 0);
  }
  IrRef sum = ir_op2(fn, IR_OP_add, old, src);
  x86_put(l, 1, old); /* source first: xadd eax, eax leaves the sum */
  if (!x86_is_mem(l, 0))
    x86_put(l, 0, sum);
  x86_flags_add(l, old, src, IR_NONE, sum);
  return true;
}

/* -- lock adc / sbb ------------------------------------------------------------ */

/* A compare-and-swap loop: old = [addr]; new = update(old); retry until the cas
 * sees old unchanged. Returns old (as seen by the iteration that stored) and the
 * value stored in *stored. For read-modify-writes the IR has no armw kind for. */
IrRef x86_cas_loop(X86Lift *l, IrType t, IrRef addr, X86Update update, const void *ctx,
                   IrRef *stored) {
  IrFunc *fn = l->fn;
  uint32_t loop = ir_block_new(fn), done = ir_block_new(fn);
  ir_jmp(fn, loop);
  ir_block_set(fn, loop);
  IrRef old = x86_load(l, t, addr);
  IrRef r = update(l, old, ctx);
  IrRef args[3] = {addr, old, r};
  IrRef seen = ir_emit(fn, IR_OP_cas, t, 3, args, 0, 0);
  ir_br(fn, ir_cmp(fn, IR_PRED_eq, seen, old), done, loop);
  ir_block_set(fn, done);
  *stored = r;
  return old;
}

/* -- lock adc / sbb ------------------------------------------------------------ */

typedef struct CarryOp {
  IrOp op;
  IrRef b, cz;
} CarryOp;

static IrRef carry_update(X86Lift *l, IrRef old, const void *ctx) {
  const CarryOp *c = ctx;
  return ir_op2(l->fn, c->op, ir_op2(l->fn, c->op, old, c->b), c->cz);
}

/* new = old op src op CF; the flags come from the iteration that stored. */
bool x86_lift_lock_carry(X86Lift *l, bool sub) {
  IrType t = x86_optype(l, 0);
  IrRef addr = x86_addr(l, 0), b = x86_get_as(l, 1, t), cin = x86_get_flag(l, X86_SLOT_CF);
  CarryOp c = {sub ? IR_OP_sub : IR_OP_add, b, ir_cast(l->fn, IR_OP_zext, t, cin)};
  IrRef r, old = x86_cas_loop(l, t, addr, carry_update, &c, &r);
  (sub ? x86_flags_sub : x86_flags_add)(l, old, b, cin, r);
  return true;
}

/* -- cmpxchg16b ------------------------------------------------------------------ */

enum { CX16_EQUAL = 0, CX16_DIFFER = 1, CX16_FAULT = 2, CX16_MISALIGNED = 3 };

/* (cpu, addr) -> CX16_*: rdx:rax against [addr]; rcx:rbx stored if equal, else
 * rdx:rax loaded. A misaligned operand is #GP, checked before any access. */
static uint64_t helper_cmpxchg16b(void *opaque, uint64_t addr, uint64_t a1, uint64_t a2,
                                  uint64_t a3) {
  (void)a1, (void)a2, (void)a3;
  X86Cpu *cpu = opaque;
  if (addr & 15)
    return CX16_MISALIGNED;
  const IrMemOps *mem = ir_helper_mem();
  void *p = mem && mem->atomic_ptr ? mem->atomic_ptr(mem->ctx, addr, 16) : NULL;
  if (!p)
    return CX16_FAULT;
  uint64_t lo = cpu->gpr[X86_RAX], hi = cpu->gpr[X86_RDX];
  if (ir_cas128(p, &lo, &hi, cpu->gpr[X86_RBX], cpu->gpr[X86_RCX]))
    return CX16_EQUAL;
  cpu->gpr[X86_RAX] = lo;
  cpu->gpr[X86_RDX] = hi;
  return CX16_DIFFER;
}

static const IrHelper cx16_helper = {
    "x86_cmpxchg16b", helper_cmpxchg16b, 1, IR_T_i64,
    IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE | IR_HELPER_MEMORY};
static uint32_t cx16_index;

void x86_atomic_init(void) { cx16_index = (uint32_t)ir_helper_register(&cx16_helper); }

static bool lift_cmpxchg16b(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  if (!x86_is_mem(l, 0))
    return false;
  IrRef addr = x86_addr(l, 0);
  IrRef st = ir_call(fn, cx16_index, 1, &addr);
  uint32_t bad = ir_block_new(fn), fault = ir_block_new(fn), gp = ir_block_new(fn),
           ok = ir_block_new(fn);
  ir_br(fn, ir_cmp(fn, IR_PRED_uge, st, x86_i64(l, CX16_FAULT)), bad, ok);
  ir_block_set(fn, bad);
  ir_br(fn, ir_cmp(fn, IR_PRED_eq, st, x86_i64(l, CX16_FAULT)), fault, gp);
  ir_block_set(fn, fault);
  ir_raise(fn, IR_EXC_fault, addr);
  ir_block_set(fn, gp);
  ir_raise(fn, IR_EXC_priv, x86_i64(l, 0)); /* #GP(0): SIGSEGV, si_addr 0 */
  ir_block_set(fn, ok);
  x86_set_flag(l, X86_SLOT_ZF, ir_cmp(fn, IR_PRED_eq, st, x86_i64(l, CX16_EQUAL)));
  return true;
}

const X86Lifter x86_lifters_atomic[] = {
    {ZYDIS_MNEMONIC_CMPXCHG, lift_cmpxchg, 0, 0},
    {ZYDIS_MNEMONIC_CMPXCHG8B, lift_cmpxchg8b, 0, 0},
    {ZYDIS_MNEMONIC_CMPXCHG16B, lift_cmpxchg16b, 0, 0},
    {ZYDIS_MNEMONIC_XADD, lift_xadd, 0, 0},
    {0, NULL, 0, 0},
};
