/* ir_pass_dce.c — dead code elimination: an instruction nobody uses goes if
 * ir_op_removable() allows it (pure values and gets, never anything that may fault,
 * writes state or memory, calls, terminates, or raises FP flags that must be seen).
 * Use counts and a worklist reach the fixed point in one sweep: removing a user may
 * free its operands in turn.
 *
 * FP compares raise flags too (a signalling NaN, a denormal operand; fcmps any
 * NaN), but a compare is one of several on the same operands more often than not
 * (AArch64's NZCV of one fcmp is four). An unused compare goes only if an earlier
 * one of its block, with no fenv_set between, compares the same operands at least
 * as signalling: the flags are raised there. The first of each group stays.
 */
#include "ir_pass_util.h"

#include <stdlib.h>

static bool is_fp_compare(const IrInst *in) {
  return in->op == IR_OP_fcmp || in->op == IR_OP_fcmps;
}

/* Compare a raises every flag compare b (unused) would: same operands, either
 * order, and not quiet where b signals. */
static bool raises_as(const IrInst *a, const IrInst *b) {
  bool same = (a->args[0] == b->args[0] && a->args[1] == b->args[1]) ||
              (a->args[0] == b->args[1] && a->args[1] == b->args[0]);
  return same && (a->op == IR_OP_fcmps || b->op == IR_OP_fcmp);
}

/* The unused compare at index k of block b may go (see the file comment). */
static bool compare_covered(const IrFunc *fn, const IrBlock *b, uint32_t k) {
  const IrInst *in = &fn->insts[b->insts[k]];
  for (uint32_t i = k; i-- > 0;) {
    const IrInst *e = &fn->insts[b->insts[i]];
    if (e->op == IR_OP_fenv_set)
      return false;
    if (is_fp_compare(e) && raises_as(e, in))
      return true;
  }
  return false;
}

void ir_pass_dce(IrFunc *fn) {
  uint32_t *uses = ir_use_counts(fn);
  uint8_t *listed = calloc(fn->ninsts, 1), *dead = calloc(fn->ninsts, 1);
  uint8_t *kept_cmp = calloc(fn->ninsts, 1); /* an unused compare no earlier one covers */
  IrRef *work = calloc(fn->ninsts, sizeof *work);
  if (!listed || !dead || !kept_cmp || !work)
    abort();
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    const IrBlock *blk = &fn->blocks[b];
    for (uint32_t i = 0; i < blk->n; i++) {
      IrRef r = blk->insts[i];
      listed[r] = 1;
      if (is_fp_compare(&fn->insts[r]) && !compare_covered(fn, blk, i))
        kept_cmp[r] = 1;
    }
  }
  uint32_t nwork = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      IrRef r = fn->blocks[b].insts[i];
      if (uses[r] == 0 && ir_op_removable((IrOp)fn->insts[r].op) && !kept_cmp[r]) {
        dead[r] = 1;
        work[nwork++] = r;
      }
    }
  while (nwork) {
    const IrInst *in = &fn->insts[work[--nwork]];
    for (unsigned k = 0; k < in->nargs; k++) {
      IrRef a = in->args[k];
      if (a < fn->ninsts && --uses[a] == 0 && listed[a] && !dead[a] && !kept_cmp[a] &&
          ir_op_removable((IrOp)fn->insts[a].op)) {
        dead[a] = 1;
        work[nwork++] = a;
      }
    }
  }
  ir_remove_marked(fn, dead);
  free(uses);
  free(listed);
  free(dead);
  free(kept_cmp);
  free(work);
}
