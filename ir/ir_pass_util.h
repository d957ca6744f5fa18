/* ir_pass_util.h — what the validator and the passes share: the br/jmp control-flow
 * graph with its dominator tree, use counts, ref remapping, block-list editing and
 * guest-slot overlap. Internal to ir/ (not part of the public ir.h API).
 */
#ifndef EMU_IR_PASS_UTIL_H
#define EMU_IR_PASS_UTIL_H

#include "ir.h"

/* -- Control flow and dominators ----------------------------------------- */

/* Successors come from each block's br/jmp terminator (exit, exiti, syscall and
 * raise leave the function). Dominance is the usual one over paths from block 0.
 * Blocks unreachable from block 0 get their own dominator forest (each region is
 * entered at its lowest-numbered block), so their values still need a definition
 * on every path within the region; edges from unreachable into reachable blocks
 * are ignored for the reachable ones. */
typedef struct IrCfg {
  uint32_t nblocks;
  uint32_t *succ;            /* 2 per block: succ[2*b], succ[2*b+1] */
  uint8_t *nsuccs;           /* 0..2 per block */
  uint32_t *pred_start;      /* preds of b: preds[pred_start[b] .. pred_start[b+1]) */
  uint32_t *preds;
  uint32_t *rpo;             /* every block, reverse postorder over the forest */
  uint32_t *po;              /* postorder number of each block (root: nblocks) */
  uint32_t *idom;            /* immediate dominator, IR_CFG_ROOT for region entries */
  uint8_t *reach;            /* reachable from block 0 */
} IrCfg;
#define IR_CFG_ROOT(cfg) ((cfg)->nblocks)

/* Terminator targets >= nblocks are ignored (the validator reports them). */
void ir_cfg_build(IrCfg *cfg, const IrFunc *fn);
void ir_cfg_free(IrCfg *cfg);
bool ir_cfg_dominates(const IrCfg *cfg, uint32_t a, uint32_t b); /* a dom b (a == b: yes) */

/* -- Uses and remapping --------------------------------------------------- */

/* Uses of each ref by instructions listed in blocks; calloc'd, ninsts entries. */
uint32_t *ir_use_counts(const IrFunc *fn);

/* A replacement map over the refs that existed when it was made: to[r] = r until
 * a pass replaces r. Refs emitted later are never replaced. */
typedef struct IrMap {
  IrRef *to;
  uint32_t n;
} IrMap;
void ir_map_init(IrMap *m, const IrFunc *fn);
void ir_map_free(IrMap *m);
IrRef ir_map_resolve(IrMap *m, IrRef r); /* follows chains, compressing them */
/* Rewrite every operand of every listed instruction through the map. */
void ir_map_apply(IrFunc *fn, IrMap *m);

/* -- Block lists ---------------------------------------------------------- */

void ir_block_append(IrBlock *b, IrRef r);
/* Drop every listed instruction r with dead[r] != 0, keeping order. */
void ir_remove_marked(IrFunc *fn, const uint8_t *dead);
/* Delete blocks unreachable from block 0 and renumber br/jmp targets. */
void ir_prune_unreachable(IrFunc *fn);

/* -- Guest slots ---------------------------------------------------------- */

/* Whether two slots share any byte of guest state (a slot overlaps itself). */
bool ir_slots_overlap(const IrRegFile *rf, uint32_t a, uint32_t b);
/* overlap[s] = 1 if slot s shares bytes with some other slot. Cached per
 * register file: do not free. */
const uint8_t *ir_slot_aliased(const IrRegFile *rf);

#endif /* EMU_IR_PASS_UTIL_H */
