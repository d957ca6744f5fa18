/* ir_pass_util.c — shared machinery for the validator and the passes: the CFG and
 * dominators (Cooper, Harvey and Kennedy's iterative algorithm over reverse
 * postorder), use counts, ref remapping and block-list editing.
 */
#include <pthread.h>

#include "ir_pass_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) {
    fputs("emu: out of memory\n", stderr);
    abort();
  }
  return p;
}

/* -- Control flow and dominators ----------------------------------------- */

#define IDOM_UNDEF UINT32_MAX

static void cfg_succs(IrCfg *cfg, const IrFunc *fn) {
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    const IrBlock *blk = &fn->blocks[b];
    if (blk->n == 0)
      continue;
    const IrInst *t = &fn->insts[blk->insts[blk->n - 1]];
    uint64_t targets[2] = {t->imm, t->aux};
    unsigned n = t->op == IR_OP_br ? 2 : t->op == IR_OP_jmp ? 1 : 0;
    for (unsigned i = 0; i < n; i++)
      if (targets[i] < fn->nblocks)
        cfg->succ[2 * b + cfg->nsuccs[b]++] = (uint32_t)targets[i];
  }
}

static void cfg_preds(IrCfg *cfg) {
  uint32_t nb = cfg->nblocks;
  for (uint32_t b = 0; b < nb; b++)
    for (unsigned i = 0; i < cfg->nsuccs[b]; i++)
      cfg->pred_start[cfg->succ[2 * b + i] + 1]++;
  for (uint32_t b = 0; b < nb; b++)
    cfg->pred_start[b + 1] += cfg->pred_start[b];
  uint32_t *fill = xcalloc(nb, sizeof *fill);
  for (uint32_t b = 0; b < nb; b++)
    for (unsigned i = 0; i < cfg->nsuccs[b]; i++) {
      uint32_t s = cfg->succ[2 * b + i];
      cfg->preds[cfg->pred_start[s] + fill[s]++] = b;
    }
  free(fill);
}

/* Iterative DFS from root, appending blocks to `order` in postorder. */
static void cfg_dfs(IrCfg *cfg, uint32_t root, uint8_t *seen, uint32_t *order, uint32_t *norder,
                    uint32_t *stack, uint8_t *next) {
  uint32_t sp = 0;
  stack[sp++] = root;
  seen[root] = 1;
  next[root] = 0;
  while (sp) {
    uint32_t b = stack[sp - 1];
    if (next[b] < cfg->nsuccs[b]) {
      uint32_t s = cfg->succ[2 * b + next[b]++];
      if (!seen[s]) {
        seen[s] = 1;
        next[s] = 0;
        stack[sp++] = s;
      }
    } else {
      order[(*norder)++] = b;
      sp--;
    }
  }
}

static uint32_t cfg_intersect(const IrCfg *cfg, uint32_t a, uint32_t b) {
  while (a != b) {
    while (cfg->po[a] < cfg->po[b])
      a = cfg->idom[a];
    while (cfg->po[b] < cfg->po[a])
      b = cfg->idom[b];
  }
  return a;
}

static void cfg_dominators(IrCfg *cfg, const uint8_t *is_root) {
  uint32_t nb = cfg->nblocks, root = IR_CFG_ROOT(cfg);
  for (uint32_t b = 0; b < nb; b++)
    cfg->idom[b] = is_root[b] ? root : IDOM_UNDEF;
  cfg->idom[root] = root;
  cfg->po[root] = nb;
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t i = 0; i < nb; i++) {
      uint32_t b = cfg->rpo[i];
      if (is_root[b])
        continue;
      uint32_t nidom = IDOM_UNDEF;
      for (uint32_t k = cfg->pred_start[b]; k < cfg->pred_start[b + 1]; k++) {
        uint32_t p = cfg->preds[k];
        /* Paths from outside a block's region do not count (see ir_pass_util.h). */
        if (cfg->reach[p] != cfg->reach[b] || cfg->idom[p] == IDOM_UNDEF)
          continue;
        nidom = nidom == IDOM_UNDEF ? p : cfg_intersect(cfg, p, nidom);
      }
      if (nidom != cfg->idom[b]) {
        cfg->idom[b] = nidom;
        changed = true;
      }
    }
  }
}

void ir_cfg_build(IrCfg *cfg, const IrFunc *fn) {
  uint32_t nb = fn->nblocks;
  memset(cfg, 0, sizeof *cfg);
  cfg->nblocks = nb;
  cfg->succ = xcalloc(2 * (size_t)nb, sizeof *cfg->succ);
  cfg->nsuccs = xcalloc(nb, 1);
  cfg->pred_start = xcalloc(nb + 1, sizeof *cfg->pred_start);
  cfg->preds = xcalloc(2 * (size_t)nb, sizeof *cfg->preds);
  cfg->rpo = xcalloc(nb, sizeof *cfg->rpo);
  cfg->po = xcalloc(nb + 1, sizeof *cfg->po);
  cfg->idom = xcalloc(nb + 1, sizeof *cfg->idom);
  cfg->reach = xcalloc(nb, 1);
  cfg_succs(cfg, fn);
  cfg_preds(cfg);

  uint8_t *seen = xcalloc(nb, 1), *next = xcalloc(nb, 1), *is_root = xcalloc(nb, 1);
  uint32_t *order = xcalloc(nb, sizeof *order), *stack = xcalloc(nb, sizeof *stack);
  uint32_t norder = 0;
  for (uint32_t b = 0; b < nb; b++) {
    if (seen[b])
      continue;
    is_root[b] = 1;
    cfg_dfs(cfg, b, seen, order, &norder, stack, next);
    if (b == 0)
      for (uint32_t i = 0; i < norder; i++)
        cfg->reach[order[i]] = 1;
  }
  for (uint32_t i = 0; i < nb; i++) {
    cfg->po[order[i]] = i;
    cfg->rpo[nb - 1 - i] = order[i];
  }
  cfg_dominators(cfg, is_root);
  free(seen);
  free(next);
  free(is_root);
  free(order);
  free(stack);
}

void ir_cfg_free(IrCfg *cfg) {
  free(cfg->succ);
  free(cfg->nsuccs);
  free(cfg->pred_start);
  free(cfg->preds);
  free(cfg->rpo);
  free(cfg->po);
  free(cfg->idom);
  free(cfg->reach);
  memset(cfg, 0, sizeof *cfg);
}

bool ir_cfg_dominates(const IrCfg *cfg, uint32_t a, uint32_t b) {
  uint32_t root = IR_CFG_ROOT(cfg);
  for (uint32_t x = b; x != root && x != IDOM_UNDEF; x = cfg->idom[x])
    if (x == a)
      return true;
  return false;
}

/* -- Uses and remapping --------------------------------------------------- */

uint32_t *ir_use_counts(const IrFunc *fn) {
  uint32_t *uses = xcalloc(fn->ninsts, sizeof *uses);
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      for (unsigned k = 0; k < in->nargs; k++)
        if (in->args[k] < fn->ninsts)
          uses[in->args[k]]++;
    }
  return uses;
}

void ir_map_init(IrMap *m, const IrFunc *fn) {
  m->n = fn->ninsts;
  m->to = xcalloc(m->n, sizeof *m->to);
  for (IrRef r = 0; r < m->n; r++)
    m->to[r] = r;
}

void ir_map_free(IrMap *m) {
  free(m->to);
  m->to = NULL;
  m->n = 0;
}

IrRef ir_map_resolve(IrMap *m, IrRef r) {
  IrRef root = r;
  while (root < m->n && m->to[root] != root)
    root = m->to[root];
  while (r < m->n && m->to[r] != root) {
    IrRef next = m->to[r];
    m->to[r] = root;
    r = next;
  }
  return root;
}

void ir_map_apply(IrFunc *fn, IrMap *m) {
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      for (unsigned k = 0; k < in->nargs; k++)
        in->args[k] = ir_map_resolve(m, in->args[k]);
    }
}

/* -- Block lists ---------------------------------------------------------- */

void ir_block_append(IrBlock *b, IrRef r) {
  if (b->n == b->cap) {
    uint32_t cap = b->cap ? 2 * b->cap : 16;
    IrRef *p = realloc(b->insts, cap * sizeof *p);
    if (!p) {
      fputs("emu: out of memory\n", stderr);
      abort();
    }
    b->insts = p;
    b->cap = cap;
  }
  b->insts[b->n++] = r;
}

void ir_remove_marked(IrFunc *fn, const uint8_t *dead) {
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    IrBlock *blk = &fn->blocks[b];
    uint32_t n = 0;
    for (uint32_t i = 0; i < blk->n; i++)
      if (!dead[blk->insts[i]])
        blk->insts[n++] = blk->insts[i];
    blk->n = n;
  }
}

void ir_prune_unreachable(IrFunc *fn) {
  IrCfg cfg;
  ir_cfg_build(&cfg, fn);
  uint32_t *renum = xcalloc(fn->nblocks, sizeof *renum), nb = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    renum[b] = nb;
    if (!cfg.reach[b])
      continue;
    /* Swap rather than copy, so every IrBlock allocation stays owned by fn. */
    IrBlock tmp = fn->blocks[nb];
    fn->blocks[nb] = fn->blocks[b];
    fn->blocks[b] = tmp;
    nb++;
  }
  for (uint32_t b = nb; b < fn->nblocks; b++)
    fn->blocks[b].n = 0;
  if (nb != fn->nblocks) {
    for (uint32_t b = 0; b < nb; b++) {
      IrBlock *blk = &fn->blocks[b];
      if (blk->n == 0)
        continue;
      IrInst *t = &fn->insts[blk->insts[blk->n - 1]];
      if (t->op == IR_OP_br || t->op == IR_OP_jmp)
        t->imm = renum[t->imm];
      if (t->op == IR_OP_br)
        t->aux = renum[t->aux];
    }
    fn->nblocks = nb;
    if (fn->cur >= nb)
      fn->cur = nb ? nb - 1 : 0;
  }
  free(renum);
  ir_cfg_free(&cfg);
}

/* -- Guest slots ---------------------------------------------------------- */

bool ir_slots_overlap(const IrRegFile *rf, uint32_t a, uint32_t b) {
  const IrReg *x = &rf->regs[a], *y = &rf->regs[b];
  uint32_t xe = x->offset + ir_type_info[x->type].bytes;
  uint32_t ye = y->offset + ir_type_info[y->type].bytes;
  return x->offset < ye && y->offset < xe;
}

/* Computed once per register file (quadratic in its size, and asked for by
 * every translation); there are only a few register files in a process. */
const uint8_t *ir_slot_aliased(const IrRegFile *rf) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static struct { const IrRegFile *rf; uint8_t *aliased; } cache[16];
  pthread_mutex_lock(&lock);
  uint8_t *aliased = NULL;
  unsigned i = 0;
  for (; i < 16 && cache[i].rf; i++)
    if (cache[i].rf == rf && !aliased)
      aliased = cache[i].aliased;
  if (!aliased) {
    aliased = xcalloc(rf->count, 1);
    for (uint32_t a = 0; a < rf->count; a++)
      for (uint32_t b = a + 1; b < rf->count; b++)
        if (ir_slots_overlap(rf, a, b))
          aliased[a] = aliased[b] = 1;
    if (i < 16)
      cache[i].rf = rf, cache[i].aliased = aliased;
    else
      abort(); /* more register files than any runner has */
  }
  pthread_mutex_unlock(&lock);
  return aliased;
}
