/* ir_pass_cse.c — local common-subexpression elimination: within a block, a pure
 * instruction equal to an earlier one (op, type, operands after replacement,
 * immediates) is replaced by it. Frontends emit operands naively (x86's
 * `xor eax, eax` reads eax twice and truncates it twice); after this, the folder
 * sees `xor x, x`. Only within a block, so the earlier one always dominates.
 * FP ops merge too (the flags an op raises are sticky: raising them once is
 * the same), but not across a fenv_set, which may clear flags or change flushing. */
#include <stdlib.h>
#include <string.h>

#include "ir_pass_util.h"

static uint32_t inst_hash(const IrInst *in, const IrRef *args) {
  uint64_t h = in->op * 0x9e3779b97f4a7c15ull ^ in->type ^ (uint64_t)in->aux << 32 ^ in->imm;
  for (uint32_t i = 0; i < in->nargs; i++)
    h = (h ^ args[i]) * 0xff51afd7ed558ccdull;
  return (uint32_t)(h ^ h >> 29);
}

static bool same(IrFunc *fn, IrMap *m, IrRef a, const IrInst *b, const IrRef *bargs) {
  const IrInst *x = &fn->insts[a];
  if (x->op != b->op || x->type != b->type || x->nargs != b->nargs || x->imm != b->imm ||
      x->aux != b->aux)
    return false;
  for (uint32_t i = 0; i < x->nargs; i++)
    if (ir_map_resolve(m, x->args[i]) != bargs[i])
      return false;
  return true;
}

void ir_pass_cse(IrFunc *fn) {
  uint32_t maxn = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    if (fn->blocks[b].n > maxn)
      maxn = fn->blocks[b].n;
  uint32_t cap = 16;
  while (cap < 2 * maxn)
    cap *= 2;
  IrRef *table = malloc(cap * sizeof *table);
  uint8_t *dead = calloc(fn->ninsts, 1);
  IrMap m;
  ir_map_init(&m, fn);
  bool changed = false;
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    memset(table, 0, cap * sizeof *table);
    const IrBlock *blk = &fn->blocks[b];
    for (uint32_t k = 0; k < blk->n; k++) {
      IrRef r = blk->insts[k];
      const IrInst *in = &fn->insts[r];
      uint16_t f = ir_op_info[in->op].flags;
      if (in->op == IR_OP_fenv_set) /* FP ops after it may flush or flag differently */
        memset(table, 0, cap * sizeof *table);
      if (!(f & IRF_PURE) || (f & IRF_FAULT) || in->op == IR_OP_vconst)
        continue;
      IrRef args[IR_MAX_ARGS];
      for (uint32_t i = 0; i < in->nargs; i++)
        args[i] = ir_map_resolve(&m, in->args[i]);
      uint32_t i = inst_hash(in, args) & (cap - 1);
      for (; table[i]; i = (i + 1) & (cap - 1))
        if (same(fn, &m, table[i], in, args))
          break;
      if (table[i]) {
        m.to[r] = table[i];
        dead[r] = 1;
        changed = true;
      } else {
        table[i] = r;
      }
    }
  }
  if (changed) {
    ir_map_apply(fn, &m);
    ir_remove_marked(fn, dead);
  }
  ir_map_free(&m);
  free(dead);
  free(table);
}
