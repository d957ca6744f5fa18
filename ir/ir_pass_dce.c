/* ir_pass_dce.c — dead code elimination: an instruction nobody uses goes if
 * ir_op_removable() allows it (pure values and gets, never anything that may fault,
 * writes state or memory, calls or terminates). Use counts and a worklist reach the
 * fixed point in one sweep: removing a user may free its operands in turn.
 */
#include "ir_pass_util.h"

#include <stdlib.h>

void ir_pass_dce(IrFunc *fn) {
  uint32_t *uses = ir_use_counts(fn);
  uint8_t *listed = calloc(fn->ninsts, 1), *dead = calloc(fn->ninsts, 1);
  IrRef *work = calloc(fn->ninsts, sizeof *work);
  if (!listed || !dead || !work)
    abort();
  uint32_t nwork = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      IrRef r = fn->blocks[b].insts[i];
      listed[r] = 1;
      if (uses[r] == 0 && ir_op_removable((IrOp)fn->insts[r].op)) {
        dead[r] = 1;
        work[nwork++] = r;
      }
    }
  while (nwork) {
    const IrInst *in = &fn->insts[work[--nwork]];
    for (unsigned k = 0; k < in->nargs; k++) {
      IrRef a = in->args[k];
      if (a < fn->ninsts && --uses[a] == 0 && listed[a] && !dead[a] &&
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
  free(work);
}
