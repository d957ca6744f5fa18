/* ir_pass_forward.c — guest slot forwarding within each block: a `get s` after
 * `set s, v` becomes v, and after an earlier `get s` (no set of s between) becomes
 * that value. A call whose helper writes guest state forgets everything; insn
 * markers, loads and stores do not touch slots. Replaced gets are deleted.
 */
#include "ir_pass_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct Forward {
  const IrRegFile *rf;
  IrRef *known;     /* per slot: its current value in this block, or IR_NONE */
  const uint8_t *aliased; /* per slot: shares bytes with another slot */
} Forward;

/* A write to s also changes every slot that shares bytes with it. */
static void forget_overlaps(Forward *f, uint32_t s) {
  if (!f->aliased[s])
    return;
  for (uint32_t t = 0; t < f->rf->count; t++)
    if (t != s && ir_slots_overlap(f->rf, s, t))
      f->known[t] = IR_NONE;
}

static void forward_block(IrFunc *fn, Forward *f, const IrBlock *blk, IrMap *map,
                          uint8_t *dead) {
  memset(f->known, 0, f->rf->count * sizeof *f->known);
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    const IrInst *in = &fn->insts[r];
    uint32_t s = (uint32_t)in->imm;
    if (in->op == IR_OP_get) {
      if (f->known[s] != IR_NONE) {
        map->to[r] = f->known[s];
        dead[r] = 1;
      } else {
        f->known[s] = r;
      }
    } else if (in->op == IR_OP_set) {
      forget_overlaps(f, s);
      f->known[s] = ir_map_resolve(map, in->args[0]);
    } else if (in->op == IR_OP_call) {
      const IrHelper *h = ir_helper_get((uint32_t)in->imm);
      if (!h || (h->flags & IR_HELPER_WRITES_STATE))
        memset(f->known, 0, f->rf->count * sizeof *f->known);
    }
  }
}

void ir_pass_forward(IrFunc *fn) {
  if (!fn->rf || fn->rf->count == 0)
    return;
  Forward f = {fn->rf, calloc(fn->rf->count, sizeof(IrRef)), ir_slot_aliased(fn->rf)};
  uint8_t *dead = calloc(fn->ninsts, 1);
  if (!f.known || !dead)
    abort();
  IrMap map;
  ir_map_init(&map, fn);
  for (uint32_t b = 0; b < fn->nblocks; b++)
    forward_block(fn, &f, &fn->blocks[b], &map, dead);
  ir_map_apply(fn, &map);
  ir_remove_marked(fn, dead);
  ir_map_free(&map);
  free(dead);
  free(f.known);
}
