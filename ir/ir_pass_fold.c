/* ir_pass_fold.c — re-fold every instruction of an existing function (one that was
 * parsed, or built with fn->fold off, or changed by other passes). Each block is
 * rebuilt in place: ir_fold emits new constants into the block being rebuilt, just
 * before the instruction they replace, and a br on a constant becomes a jmp.
 */
#include "ir_pass_util.h"

#include <stdlib.h>

/* A br whose condition is known: jump straight to the target it picks. */
static bool fold_br(IrFunc *fn, IrInst *in) {
  if (in->op != IR_OP_br || !ir_is_const(fn, in->args[0]))
    return false;
  uint64_t target = fn->insts[in->args[0]].imm ? in->imm : in->aux;
  in->op = IR_OP_jmp;
  in->nargs = 0;
  in->args[0] = IR_NONE;
  in->imm = target;
  in->aux = 0;
  return true;
}

static bool fold_block(IrFunc *fn, uint32_t b, IrMap *map) {
  IrBlock old = fn->blocks[b];
  bool folded_br = false;
  fn->blocks[b] = (IrBlock){0};
  fn->cur = b; /* where ir_fold emits its constants */
  for (uint32_t i = 0; i < old.n; i++) {
    IrRef r = old.insts[i];
    IrInst *in = &fn->insts[r];
    for (unsigned k = 0; k < in->nargs; k++)
      in->args[k] = ir_map_resolve(map, in->args[k]);
    if (fold_br(fn, in)) {
      folded_br = true;
    } else {
      IrInst copy = *in; /* ir_fold may reallocate fn->insts */
      IrRef f = ir_fold(fn, (IrOp)copy.op, (IrType)copy.type, copy.nargs, copy.args, copy.imm,
                        copy.aux);
      if (f != IR_NONE && f != r) {
        map->to[r] = f;
        continue;
      }
    }
    ir_block_append(&fn->blocks[b], r);
  }
  free(old.insts);
  return folded_br;
}

void ir_pass_fold(IrFunc *fn) {
  if (fn->nblocks == 0)
    return;
  IrCfg cfg;
  IrMap map;
  ir_cfg_build(&cfg, fn);
  ir_map_init(&map, fn);
  uint32_t cur = fn->cur;
  bool folded_br = false;
  /* Reverse postorder visits a definition before the uses it dominates, so most
   * operands are already replaced when their user is folded. */
  for (uint32_t i = 0; i < cfg.nblocks; i++)
    folded_br |= fold_block(fn, cfg.rpo[i], &map);
  ir_map_apply(fn, &map); /* the rest: uses in blocks outside dominance order */
  fn->cur = cur;
  ir_map_free(&map);
  ir_cfg_free(&cfg);
  /* Blocks only a folded branch reached would hold uses no longer dominated. */
  if (folded_br)
    ir_prune_unreachable(fn);
}
