/* ir_pass_dse.c — dead guest slot writes (mostly flags). Each block is walked
 * backwards with the set of live slots: everything is live at the terminator (exits
 * leave the function; in-function branches are taken as reading everything), a
 * `get` makes its slot live, and a `set` of a dead slot is deleted. An instruction
 * that may fault needs the precise classes (IrPassOptions) up to date, so a fault
 * sees exact guest state; a call is as live as its helper's flags say.
 */
#include "ir_pass_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct Dse {
  const IrRegFile *rf;
  uint8_t *live;    /* per slot */
  uint8_t *precise; /* per slot: its class is in precise_classes */
  const uint8_t *aliased; /* per slot: shares bytes with another slot */
} Dse;

/* Reading s reads every slot that shares bytes with it, so writes to those live. */
static void read_slot(Dse *d, uint32_t s) {
  d->live[s] = 1;
  if (d->aliased[s])
    for (uint32_t t = 0; t < d->rf->count; t++)
      if (ir_slots_overlap(d->rf, s, t))
        d->live[t] = 1;
}

static void read_slots(Dse *d, const uint8_t *which) {
  for (uint32_t t = 0; t < d->rf->count; t++)
    d->live[t] |= which ? which[t] : 1;
}

static void dse_block(const IrFunc *fn, Dse *d, const IrBlock *blk, uint8_t *dead) {
  for (uint32_t i = blk->n; i-- > 0;) {
    IrRef r = blk->insts[i];
    const IrInst *in = &fn->insts[r];
    uint16_t flags = ir_op_info[in->op].flags;
    uint32_t s = (uint32_t)in->imm;
    if (flags & IRF_TERM) {
      read_slots(d, NULL);
    } else if (in->op == IR_OP_get) {
      read_slot(d, s);
    } else if (in->op == IR_OP_set) {
      if (!d->live[s])
        dead[r] = 1;
      d->live[s] = 0;
    } else if (in->op == IR_OP_call) {
      const IrHelper *h = ir_helper_get((uint32_t)in->imm);
      if (!h || (h->flags & (IR_HELPER_READS_STATE | IR_HELPER_MEMORY)))
        read_slots(d, NULL);
    } else if (flags & IRF_FAULT) {
      read_slots(d, d->precise);
    }
  }
}

void ir_pass_dse(IrFunc *fn, const IrPassOptions *opt) {
  if (!fn->rf || fn->rf->count == 0)
    return;
  uint32_t classes = opt ? opt->precise_classes : IR_PRECISE_ALL;
  uint32_t n = fn->rf->count;
  Dse d = {fn->rf, calloc(n, 1), calloc(n, 1), ir_slot_aliased(fn->rf)};
  uint8_t *dead = calloc(fn->ninsts, 1);
  if (!d.live || !d.precise || !dead)
    abort();
  for (uint32_t s = 0; s < n; s++) {
    unsigned cls = fn->rf->regs[s].cls;
    d.precise[s] = cls < 32 && ((classes >> cls) & 1);
  }
  for (uint32_t b = 0; b < fn->nblocks; b++)
    dse_block(fn, &d, &fn->blocks[b], dead);
  ir_remove_marked(fn, dead);
  free(dead);
  free(d.live);
  free(d.precise);
}
