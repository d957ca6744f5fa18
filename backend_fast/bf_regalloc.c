/* bf_regalloc.c — backend_fast's local register allocator. Per IR block, in
 * instruction order: a value gets a register when it is defined or first needed,
 * loses it when its last use in the block has passed, and is spilled (the one
 * whose next use is farthest) when a class runs out. Constants are rematerialised
 * instead of spilled. Values used in another block are stored to a home slot at
 * definition and reloaded there: every register is free at a block boundary.
 * Lowerings claim what they need between bf_ra_inst_begin and bf_ra_inst_end. */
#include <stdlib.h>
#include <string.h>

#include "bf_int.h"

/* Allocation order: fixed-use registers (rax rcx rdx) last, callee-saved in
 * the middle so that values survive helper calls when pressure is low. */
static const uint8_t gpr_order[] = {X64_RSI, X64_RDI, X64_R8,  X64_R9,  X64_R10,
                                    X64_R11, X64_RBX, X64_RBP, X64_R12, X64_R13,
                                    X64_RAX, X64_RCX, X64_RDX};
#define CALLER_SAVED_GPRS                                                                 \
  (1u << X64_RAX | 1u << X64_RCX | 1u << X64_RDX | 1u << X64_RSI | 1u << X64_RDI |       \
   1u << X64_R8 | 1u << X64_R9 | 1u << X64_R10 | 1u << X64_R11)

static BfClass vcls(const BfCtx *c, IrRef v) { return bf_cls(ir_typeof(c->fn, v)); }

bool bf_is_const(const BfCtx *c, IrRef v, uint64_t *val) {
  const IrInst *in = &c->fn->insts[v];
  if (in->op != IR_OP_const)
    return false;
  if (val)
    *val = in->imm;
  return true;
}

/* A constant the instruction can take as a sign-extended imm32 at its size. */
bool bf_imm32(const BfCtx *c, IrRef v, int64_t *imm) {
  uint64_t x;
  IrType t = ir_typeof(c->fn, v);
  if (!bf_is_const(c, v, &x) || !ir_type_is_int(t))
    return false;
  if (t != IR_T_i64) {
    *imm = (int64_t)x; /* the encoder truncates to the operand size */
    return true;
  }
  *imm = (int64_t)x;
  return *imm >= INT32_MIN && *imm <= INT32_MAX;
}

static bool remat(const BfCtx *c, IrRef v) {
  uint16_t op = c->fn->insts[v].op;
  return op == IR_OP_const || op == IR_OP_vconst;
}

/* -- Uses --------------------------------------------------------------------- */

void *bf_grow(void *p, size_t n, size_t size, uint32_t *cap) {
  if (n <= *cap)
    return p;
  size_t m = *cap ? *cap : 64;
  while (m < n)
    m *= 2;
  p = realloc(p, m * size);
  if (!p)
    abort();
  *cap = (uint32_t)m;
  return p;
}

/* Thread-local scratch arrays, grown as functions need and reused. */
static __thread struct {
  uint8_t *loc, *stored, *cross;
  int32_t *slot;
  uint32_t *pos, *ucur, *uend, *uses, *blk;
  uint32_t cap_vals, cap_uses;
} scr;

void bf_ra_thread_free(void) {
  free(scr.loc), free(scr.stored), free(scr.cross), free(scr.slot), free(scr.pos);
  free(scr.ucur), free(scr.uend), free(scr.uses), free(scr.blk);
  memset(&scr, 0, sizeof scr);
}

bool bf_ra_prepare(BfCtx *c) {
  const IrFunc *fn = c->fn;
  BfRa *ra = &c->ra;
  uint32_t n = fn->ninsts, nuses = 0;
  uint32_t cap = scr.cap_vals;
  scr.loc = bf_grow(scr.loc, n, 1, &cap), cap = scr.cap_vals;
  scr.stored = bf_grow(scr.stored, n, 1, &cap), cap = scr.cap_vals;
  scr.cross = bf_grow(scr.cross, n, 1, &cap), cap = scr.cap_vals;
  scr.slot = bf_grow(scr.slot, n, 4, &cap), cap = scr.cap_vals;
  scr.pos = bf_grow(scr.pos, n, 4, &cap), cap = scr.cap_vals;
  scr.ucur = bf_grow(scr.ucur, n, 4, &cap), cap = scr.cap_vals;
  scr.uend = bf_grow(scr.uend, n, 4, &cap), cap = scr.cap_vals;
  scr.blk = bf_grow(scr.blk, n, 4, &cap);
  scr.cap_vals = cap;
  memset(scr.loc, BF_NOREG, n);
  memset(scr.stored, 0, n);
  memset(scr.cross, 0, n);
  memset(scr.ucur, 0, n * sizeof *scr.ucur);
  for (uint32_t i = 0; i < n; i++)
    scr.slot[i] = -1;
  /* Pass 1: positions, defining blocks, use counts (in ucur for now). */
  uint32_t p = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++, p++) {
      IrRef r = fn->blocks[b].insts[i];
      scr.pos[r] = p;
      scr.blk[r] = b;
      const IrInst *in = &fn->insts[r];
      for (unsigned k = 0; k < in->nargs; k++)
        scr.ucur[in->args[k]]++, nuses++;
    }
  uint32_t ucap = scr.cap_uses;
  scr.uses = bf_grow(scr.uses, nuses + 1, 4, &ucap);
  scr.cap_uses = ucap;
  uint32_t acc = 0;
  for (uint32_t v = 0; v < n; v++) {
    uint32_t k = scr.ucur[v];
    scr.ucur[v] = scr.uend[v] = acc;
    acc += k;
  }
  /* Pass 2: fill uses in linear order (so each value's list ascends); uend is
   * the fill cursor and ends at the list's end. */
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      IrRef r = fn->blocks[b].insts[i];
      const IrInst *in = &fn->insts[r];
      for (unsigned k = 0; k < in->nargs; k++) {
        IrRef v = in->args[k];
        scr.uses[scr.uend[v]++] = scr.pos[r];
        if (scr.blk[v] != b && !remat(c, v))
          scr.cross[v] = 1;
      }
    }
  ra->loc = scr.loc, ra->slot = scr.slot, ra->stored = scr.stored, ra->cross = scr.cross;
  ra->pos = scr.pos, ra->ucur = scr.ucur, ra->uend = scr.uend, ra->uses = scr.uses;
  ra->nslots = 0;
  for (uint32_t v = 1; v < n; v++)
    if (scr.cross[v])
      ra->slot[v] = (int32_t)ra->nslots++;
  /* Every other value may need one slot too: size the frame for the worst case. */
  uint32_t worst = ra->nslots;
  for (uint32_t v = 1; v < n; v++)
    if (!scr.cross[v] && fn->insts[v].type != IR_T_void && !remat(c, v))
      worst++;
  c->extra = worst > BF_FRAME_SLOTS ? (worst - BF_FRAME_SLOTS) * BF_SLOT_BYTES : 0;
  return true;
}

/* -- Registers ------------------------------------------------------------------ */

static uint32_t next_use(const BfRa *ra, IrRef v) {
  return ra->ucur[v] < ra->uend[v] ? ra->uses[ra->ucur[v]] : UINT32_MAX;
}
static bool live_in_block(const BfRa *ra, IrRef v) { return next_use(ra, v) < ra->block_end; }
static bool live_anywhere(const BfRa *ra, IrRef v) { return ra->ucur[v] < ra->uend[v]; }

int32_t bf_slot_of(BfCtx *c, IrRef r) {
  BfRa *ra = &c->ra;
  if (ra->slot[r] < 0)
    ra->slot[r] = (int32_t)ra->nslots++;
  return ra->slot[r] * BF_SLOT_BYTES;
}

static void store_slot(BfCtx *c, IrRef v, unsigned reg) {
  int32_t off = bf_slot_of(c, v);
  if (vcls(c, v) == BF_GPR)
    x64_mov_mr(&c->a, X64_S64, bf_rsp(off), (X64Reg)reg);
  else
    x64_sse_mr(&c->a, X64_MOVDQU_ST, bf_rsp(off), reg);
  c->ra.stored[v] = 1;
}

void bf_load_into(BfCtx *c, IrRef v, BfClass k, unsigned reg) {
  BfRa *ra = &c->ra;
  const IrInst *in = &c->fn->insts[v];
  IrType t = (IrType)in->type;
  if (ra->loc[v] != BF_NOREG) {
    if (ra->loc[v] == reg)
      return;
    if (k == BF_GPR)
      x64_mov_rr(&c->a, X64_S64, (X64Reg)reg, (X64Reg)ra->loc[v]);
    else
      x64_sse_rr(&c->a, X64_MOVAPS, reg, ra->loc[v]);
  } else if (in->op == IR_OP_const && k == BF_GPR) {
    x64_mov_ri(&c->a, t == IR_T_i64 ? X64_S64 : X64_S32, (X64Reg)reg, (int64_t)in->imm);
  } else if (in->op == IR_OP_const) {
    if (in->imm == 0) {
      x64_sse_rr(&c->a, X64_XORPS, reg, reg);
    } else {
      x64_sse_rm(&c->a, t == IR_T_f32 ? X64_MOVSS : X64_MOVSD, reg, x64_mem_rip(0));
      bf_rip_lit(c, &in->imm, 8);
    }
  } else if (in->op == IR_OP_vconst) {
    x64_sse_rm(&c->a, X64_MOVDQU, reg, x64_mem_rip(0));
    bf_rip_lit(c, &c->fn->pool[in->imm], 16);
  } else {
    int32_t off = bf_slot_of(c, v);
    if (k == BF_GPR)
      x64_mov_rm(&c->a, X64_S64, (X64Reg)reg, bf_rsp(off));
    else
      x64_sse_rm(&c->a, X64_MOVDQU, reg, bf_rsp(off));
  }
}

static void drop(BfRa *ra, BfClass k, unsigned reg) {
  IrRef v = ra->occ[k][reg];
  if (v != IR_NONE)
    ra->loc[v] = BF_NOREG;
  ra->occ[k][reg] = IR_NONE;
}

/* Make reg free: its value goes to its slot if anything still needs it. */
static void spill(BfCtx *c, BfClass k, unsigned reg) {
  BfRa *ra = &c->ra;
  IrRef v = ra->occ[k][reg];
  if (v != IR_NONE && !remat(c, v) && !ra->stored[v] && live_anywhere(ra, v))
    store_slot(c, v, reg);
  drop(ra, k, reg);
}

/* A register of class k not busy for this instruction: a free one, else the
 * one whose value is needed farthest ahead (spilled). */
static unsigned pick(BfCtx *c, BfClass k) {
  BfRa *ra = &c->ra;
  uint32_t busy = ra->pinned[k] | ra->reserved[k];
  unsigned n = k == BF_GPR ? sizeof gpr_order : 16, best = BF_NOREG;
  uint32_t best_use = 0;
  for (unsigned i = 0; i < n; i++) {
    unsigned reg = k == BF_GPR ? gpr_order[i] : i;
    if (busy >> reg & 1)
      continue;
    IrRef v = ra->occ[k][reg];
    if (v == IR_NONE)
      return reg;
    uint32_t u = live_in_block(ra, v) ? next_use(ra, v) : UINT32_MAX;
    if (best == BF_NOREG || u > best_use)
      best = reg, best_use = u;
  }
  if (best == BF_NOREG)
    abort(); /* every register busy in one instruction: a lowering bug */
  spill(c, k, best);
  return best;
}

static unsigned take(BfCtx *c, IrRef v, BfClass k) {
  BfRa *ra = &c->ra;
  if (ra->loc[v] == BF_NOREG) {
    unsigned reg = pick(c, k);
    bf_load_into(c, v, k, reg);
    ra->occ[k][reg] = v;
    ra->loc[v] = (uint8_t)reg;
  }
  ra->pinned[k] |= 1u << ra->loc[v];
  return ra->loc[v];
}

X64Reg bf_gpr(BfCtx *c, IrRef v) { return (X64Reg)take(c, v, BF_GPR); }
X64Xmm bf_xmm(BfCtx *c, IrRef v) { return (X64Xmm)take(c, v, BF_XMM); }

static unsigned tmp(BfCtx *c, BfClass k) {
  unsigned reg = pick(c, k);
  c->ra.reserved[k] |= 1u << reg;
  return reg;
}
X64Reg bf_tmp(BfCtx *c) { return (X64Reg)tmp(c, BF_GPR); }
X64Xmm bf_tmpx(BfCtx *c) { return (X64Xmm)tmp(c, BF_XMM); }

/* Claim a fixed GPR. An operand living there moves to another register. */
void bf_reserve(BfCtx *c, X64Reg reg) {
  BfRa *ra = &c->ra;
  IrRef v = ra->occ[BF_GPR][reg];
  if (v != IR_NONE && (ra->pinned[BF_GPR] >> reg & 1)) {
    ra->reserved[BF_GPR] |= 1u << reg; /* not a candidate for the move */
    unsigned to = pick(c, BF_GPR);
    x64_mov_rr(&c->a, X64_S64, (X64Reg)to, reg);
    ra->occ[BF_GPR][to] = v;
    ra->loc[v] = (uint8_t)to;
    ra->pinned[BF_GPR] |= 1u << to;
    ra->pinned[BF_GPR] &= ~(1u << reg);
    ra->occ[BF_GPR][reg] = IR_NONE;
  } else {
    spill(c, BF_GPR, reg);
  }
  ra->reserved[BF_GPR] |= 1u << reg;
}

static unsigned def(BfCtx *c, IrRef r, BfClass k) {
  unsigned reg = pick(c, k);
  bf_def_in(c, r, reg);
  return reg;
}
X64Reg bf_def(BfCtx *c, IrRef r) { return (X64Reg)def(c, r, BF_GPR); }
X64Xmm bf_defx(BfCtx *c, IrRef r) { return (X64Xmm)def(c, r, BF_XMM); }

void bf_def_in(BfCtx *c, IrRef r, unsigned reg) {
  BfRa *ra = &c->ra;
  BfClass k = vcls(c, r);
  spill(c, k, reg); /* a reserved register is already empty */
  ra->occ[k][reg] = r;
  ra->loc[r] = (uint8_t)reg;
  ra->pinned[k] |= 1u << reg;
  ra->reserved[k] &= ~(1u << reg);
}

/* Uses of v by the instruction(s) being lowered. */
static unsigned uses_here(const BfCtx *c, IrRef v) {
  unsigned n = 0;
  for (int i = 0; i < 2; i++) {
    IrRef r = c->ra.cur[i];
    if (r == IR_NONE)
      continue;
    const IrInst *in = &c->fn->insts[r];
    for (unsigned k = 0; k < in->nargs; k++)
      n += in->args[k] == v;
  }
  return n;
}

/* Two-address results: take over a's register when this is a's last use in the
 * block and nothing else here reads it; else copy a into a fresh register. */
static unsigned def_over(BfCtx *c, IrRef r, IrRef a, BfClass k) {
  BfRa *ra = &c->ra;
  unsigned reg = ra->loc[a];
  if (reg != BF_NOREG && uses_here(c, a) == 1) {
    uint32_t after = ra->ucur[a] + 1; /* a's use here is the next one */
    bool dies = after >= ra->uend[a] || ra->uses[after] >= ra->block_end;
    if (dies) {
      if (!remat(c, a) && !ra->stored[a] && live_anywhere(ra, a) && after < ra->uend[a])
        store_slot(c, a, reg); /* used again in another block (homed values are stored) */
      ra->loc[a] = BF_NOREG;
      ra->occ[k][reg] = r;
      ra->loc[r] = (uint8_t)reg;
      ra->pinned[k] |= 1u << reg;
      return reg;
    }
  }
  reg = def(c, r, k);
  bf_load_into(c, a, k, reg);
  return reg;
}
X64Reg bf_def_over(BfCtx *c, IrRef r, IrRef a) { return (X64Reg)def_over(c, r, a, BF_GPR); }
X64Xmm bf_defx_over(BfCtx *c, IrRef r, IrRef a) { return (X64Xmm)def_over(c, r, a, BF_XMM); }

void bf_def_slot(BfCtx *c, IrRef r) {
  bf_slot_of(c, r);
  c->ra.stored[r] = 1;
}

int32_t bf_slot_off(BfCtx *c, IrRef v) {
  BfRa *ra = &c->ra;
  if (!ra->stored[v]) {
    BfClass k = vcls(c, v);
    if (ra->loc[v] != BF_NOREG) {
      store_slot(c, v, ra->loc[v]);
    } else {
      /* A constant: through a scratch register. */
      unsigned reg = tmp(c, k);
      bf_load_into(c, v, k, reg);
      store_slot(c, v, reg);
    }
  }
  return bf_slot_of(c, v);
}

void bf_clobber_call(BfCtx *c) {
  BfRa *ra = &c->ra;
  for (unsigned reg = 0; reg < 16; reg++) {
    if (CALLER_SAVED_GPRS >> reg & 1)
      spill(c, BF_GPR, reg);
    spill(c, BF_XMM, reg);
  }
  ra->pinned[BF_GPR] &= ~CALLER_SAVED_GPRS;
  ra->pinned[BF_XMM] = 0;
}

/* -- Blocks and instructions ------------------------------------------------------ */

void bf_ra_block_begin(BfCtx *c, uint32_t block) {
  BfRa *ra = &c->ra;
  for (int k = 0; k < 2; k++)
    for (unsigned reg = 0; reg < 16; reg++)
      drop(ra, (BfClass)k, reg);
  const IrBlock *b = &c->fn->blocks[block];
  ra->block_end = b->n ? ra->pos[b->insts[b->n - 1]] + 1 : 0;
}

void bf_ra_inst_begin(BfCtx *c, IrRef r, IrRef r2) {
  BfRa *ra = &c->ra;
  ra->cur[0] = r, ra->cur[1] = r2;
  ra->pinned[0] = ra->pinned[1] = ra->reserved[0] = ra->reserved[1] = 0;
  for (int i = 0; i < 2; i++) {
    if (ra->cur[i] == IR_NONE)
      continue;
    const IrInst *in = &c->fn->insts[ra->cur[i]];
    for (unsigned k = 0; k < in->nargs; k++) {
      IrRef v = in->args[k];
      if (ra->loc[v] != BF_NOREG)
        ra->pinned[vcls(c, v)] |= 1u << ra->loc[v];
    }
  }
}

static void consume(BfRa *ra, IrRef v, uint32_t p) {
  while (ra->ucur[v] < ra->uend[v] && ra->uses[ra->ucur[v]] == p)
    ra->ucur[v]++;
}

void bf_ra_inst_end(BfCtx *c) {
  BfRa *ra = &c->ra;
  for (int i = 0; i < 2; i++) {
    IrRef r = ra->cur[i];
    if (r == IR_NONE)
      continue;
    const IrInst *in = &c->fn->insts[r];
    for (unsigned k = 0; k < in->nargs; k++)
      consume(ra, in->args[k], ra->pos[r]);
  }
  for (int i = 0; i < 2; i++) {
    IrRef r = ra->cur[i];
    if (r == IR_NONE)
      continue;
    const IrInst *in = &c->fn->insts[r];
    for (unsigned k = 0; k < in->nargs; k++) {
      IrRef v = in->args[k];
      if (ra->loc[v] != BF_NOREG && !live_in_block(ra, v)) {
        if (!remat(c, v) && !ra->stored[v] && live_anywhere(ra, v))
          store_slot(c, v, ra->loc[v]);
        drop(ra, vcls(c, v), ra->loc[v]);
      }
    }
    if (ra->loc[r] != BF_NOREG) {
      if (ra->cross[r])
        store_slot(c, r, ra->loc[r]);
      if (!live_in_block(ra, r))
        drop(ra, vcls(c, r), ra->loc[r]);
    }
  }
  ra->pinned[0] = ra->pinned[1] = ra->reserved[0] = ra->reserved[1] = 0;
  ra->cur[0] = ra->cur[1] = IR_NONE;
}
