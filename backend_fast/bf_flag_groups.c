/* bf_flag_groups.c — flag ops that one host instruction answers together.
 *
 * Guest flags are separate IR values (subcf, subof, cmp, parity...) that often
 * all come from one sub or add of the same operands (bf_flag_use). Lowered one
 * by one, each recomputes the arithmetic. Here each block's flag ops are
 * grouped by that arithmetic and every group of two or more is scheduled as
 * one run at its first member's place (they are pure, and a member joins only
 * when its operands are defined before that place): the run's first member
 * emits the host cmp/add/test and the others only read the host flags with a
 * setcc (bf_lower_flag_member). The rest of the backend sees the new order
 * through a shadow of the function whose blocks list it; the instructions
 * themselves are shared, unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "bf_int.h"

enum {
  MAX_GROUPS = 32, /* per block; flag ops past that are lowered alone */
  MAX_HOIST = 64,  /* how far a set may move up to its flag */
};
#define SET_MOVED (UINT32_MAX - 1) /* setat[] of a set moved next to its flag */

typedef struct Group {
  BfFlagKey key;
  uint32_t first; /* index in the block of the first member */
  uint32_t n;
} Group;

/* Thread-local scratch, grown as functions need and reused. */
static __thread struct {
  uint32_t *grp;  /* per IrRef: group id, 0 for none */
  uint32_t *lpos; /* per IrRef: index in the block being scanned, else UINT32_MAX */
  uint32_t *nuse; /* per IrRef: uses */
  uint32_t *setat; /* per IrRef: index of the set that is a flag's only use, or SET_MOVED */
  uint32_t cap_vals;
  IrBlock *blocks;
  uint32_t cap_blocks;
  IrRef *insts;
  uint32_t cap_insts;
  IrFunc shadow;
} fg;

void bf_flag_groups_free(void) {
  free(fg.grp), free(fg.lpos), free(fg.nuse), free(fg.setat), free(fg.blocks), free(fg.insts);
  memset(&fg, 0, sizeof fg);
}

static bool same_key(const BfFlagKey *x, const BfFlagKey *y) {
  return x->add == y->add && x->size == y->size && x->aconst == y->aconst &&
         x->bconst == y->bconst && x->a == y->a && x->b == y->b;
}

/* A compare that the driver fuses with the br or select after it. */
static bool fuses_next(const IrFunc *fn, const IrBlock *blk, uint32_t i) {
  IrRef r = blk->insts[i];
  if (fn->insts[r].op != IR_OP_cmp || i + 1 >= blk->n)
    return false;
  const IrInst *next = &fn->insts[blk->insts[i + 1]];
  return (next->op == IR_OP_br || next->op == IR_OP_select) && next->nargs > 0 &&
         next->args[0] == r;
}

/* r's operands exist at index `first` of its block (constants are rematerialised). */
static bool movable(const IrFunc *fn, IrRef r, uint32_t first) {
  const IrInst *in = &fn->insts[r];
  for (unsigned k = 0; k < in->nargs; k++) {
    IrRef v = in->args[k];
    if (fn->insts[v].op != IR_OP_const && fg.lpos[v] != UINT32_MAX && fg.lpos[v] >= first)
      return false;
  }
  return true;
}

/* A flag's only use, an i1 slot's set at index s, may move up to the run at
 * index `first` when nothing between reads that slot, writes it, may fault or
 * has another effect. Then the flag's setcc writes the slot (bf_lower_fused). */
static bool set_hoistable(const IrFunc *fn, const IrBlock *blk, uint32_t first, uint32_t s) {
  const IrInst *set = &fn->insts[blk->insts[s]];
  if (s - first > MAX_HOIST || fn->rf->regs[set->imm].type != IR_T_i1)
    return false;
  for (uint32_t j = first + 1; j < s; j++) {
    IrRef r = blk->insts[j];
    const IrInst *in = &fn->insts[r];
    uint16_t f = ir_op_info[in->op].flags;
    bool pure = (f & IRF_PURE) && !(f & IRF_FAULT);
    bool other_set = in->op == IR_OP_set && in->imm != set->imm;
    if (!pure && !other_set)
      return false;
  }
  return true;
}

static bool is_direct(const IrFunc *fn, IrRef r) {
  BfFlagUse u;
  return bf_flag_use(fn, r, &u) && u.direct;
}

/* Groups blk's flag ops (ids from *gid on); writes the block's order to out.
 * False when no group formed (out is then unused). */
static bool schedule(const IrFunc *fn, const IrBlock *blk, IrRef *out, uint32_t *gid) {
  Group gs[MAX_GROUPS];
  uint32_t ng = 0, base = *gid;
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    fg.lpos[r] = i;
    const IrInst *in = &fn->insts[r];
    if (in->op == IR_OP_set && fg.grp[in->args[0]] && fg.nuse[in->args[0]] == 1)
      fg.setat[in->args[0]] = i;
    BfFlagUse u;
    if (!bf_flag_use(fn, r, &u) || fuses_next(fn, blk, i))
      continue;
    uint32_t g = ng;
    while (g-- > 0 && !same_key(&gs[g].key, &u.key)) {
    }
    if (g == UINT32_MAX || !movable(fn, r, gs[g].first)) {
      if (ng == MAX_GROUPS)
        continue;
      g = ng++;
      gs[g] = (Group){u.key, i, 0};
    }
    fg.grp[r] = base + g + 1;
    gs[g].n++;
  }
  bool any = false;
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    fg.lpos[r] = UINT32_MAX;
    if (fg.grp[r] && gs[fg.grp[r] - base - 1].n < 2)
      fg.grp[r] = 0; /* alone: lowered as before */
    any |= fg.grp[r] != 0;
  }
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    uint32_t s = fg.setat[r];
    if (s == UINT32_MAX || s == SET_MOVED)
      continue;
    if (fg.grp[r] && set_hoistable(fn, blk, gs[fg.grp[r] - base - 1].first, s))
      fg.setat[blk->insts[s]] = SET_MOVED;
    else
      fg.setat[r] = UINT32_MAX;
  }
  *gid = base + ng;
  if (!any)
    return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    uint32_t id = fg.grp[r];
    if (!id) {
      if (fg.setat[r] != SET_MOVED)
        out[k++] = r;
      continue;
    }
    if (gs[id - base - 1].first != i)
      continue;
    /* Members taking the flags from their own operands' sub or add first: the
     * run's first member sets every flag the others read. */
    for (int direct = 1; direct >= 0; direct--)
      for (uint32_t j = i; j < blk->n; j++) {
        IrRef m = blk->insts[j];
        if (fg.grp[m] == id && is_direct(fn, m) == (bool)direct) {
          out[k++] = m;
          if (fg.setat[m] != UINT32_MAX)
            out[k++] = blk->insts[fg.setat[m]];
        }
      }
  }
  return true;
}

const IrFunc *bf_flag_groups(BfCtx *c, const IrFunc *fn) {
  uint32_t n = fn->ninsts, total = 0;
  uint32_t cap = fg.cap_vals;
  fg.grp = bf_grow(fg.grp, n, sizeof *fg.grp, &cap), cap = fg.cap_vals;
  fg.lpos = bf_grow(fg.lpos, n, sizeof *fg.lpos, &cap), cap = fg.cap_vals;
  fg.nuse = bf_grow(fg.nuse, n, sizeof *fg.nuse, &cap), cap = fg.cap_vals;
  fg.setat = bf_grow(fg.setat, n, sizeof *fg.setat, &cap);
  fg.cap_vals = cap;
  memset(fg.grp, 0, n * sizeof *fg.grp);
  memset(fg.lpos, 0xff, n * sizeof *fg.lpos);
  memset(fg.nuse, 0, n * sizeof *fg.nuse);
  memset(fg.setat, 0xff, n * sizeof *fg.setat);
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      for (unsigned k = 0; k < in->nargs; k++)
        fg.nuse[in->args[k]]++;
    }
  c->fgroup = fg.grp;
  c->hflags = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    total += fn->blocks[b].n;
  fg.blocks = bf_grow(fg.blocks, fn->nblocks, sizeof *fg.blocks, &fg.cap_blocks);
  fg.insts = bf_grow(fg.insts, total, sizeof *fg.insts, &fg.cap_insts);
  uint32_t gid = 0, at = 0;
  bool any = false;
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    const IrBlock *blk = &fn->blocks[b];
    fg.blocks[b] = *blk;
    if (schedule(fn, blk, fg.insts + at, &gid)) {
      fg.blocks[b].insts = fg.insts + at;
      any = true;
    }
    at += blk->n;
  }
  if (!any)
    return fn;
  fg.shadow = *fn;
  fg.shadow.blocks = fg.blocks;
  return &fg.shadow;
}
