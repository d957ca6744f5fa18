/* lift_fence.c — SSE/SSE2 memory ordering and cache control: sfence, lfence,
 * mfence (IR fences) and clflush, which has no effect emu can observe but
 * faults like a one-byte read of its address (a page fault reports it). */
#include "x86_lift.h"

/* a = IR_FENCE_* kind. */
static bool lift_fence(X86Lift *l, const X86Lifter *e) {
  ir_emit(l->fn, IR_OP_fence, IR_T_void, 0, NULL, (uint64_t)e->a, 0);
  return true;
}

static bool lift_clflush(X86Lift *l, const X86Lifter *e) {
  (void)e;
  x86_load(l, IR_T_i8, x86_addr(l, 0));
  return true;
}

const X86Lifter x86_lifters_fence[] = {
    {ZYDIS_MNEMONIC_SFENCE, lift_fence, IR_FENCE_STORE, 0},
    {ZYDIS_MNEMONIC_LFENCE, lift_fence, IR_FENCE_LOAD, 0},
    {ZYDIS_MNEMONIC_MFENCE, lift_fence, IR_FENCE_FULL, 0},
    {ZYDIS_MNEMONIC_CLFLUSH, lift_clflush, 0, 0},
    {0, NULL, 0, 0},
};
