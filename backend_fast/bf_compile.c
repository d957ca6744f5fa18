/* bf_compile.c — backend_fast's driver: lays out one IR function as host code.
 *
 * Layout: entry (counter bump, exit_request check), the IR blocks in order, the
 * out-of-line stubs (exceptions, unchained exits, the request exit), then a data
 * area starting on its own 64-byte line: the 8-byte execution counter (written
 * on every entry, so it must not share a cache line with code) and the literals
 * (constants, helper descriptors). The runtime enters at offset 0 (tb.c), so the
 * counter sits in that data area rather than before the entry; BfBlock.counter_off
 * says where. Each instruction is lowered by the function the per-op table
 * (generated from ir_ops.def) names; the register allocator is bf_regalloc.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bf_int.h"

static const BfLowerFn lower_op[IR_OP__COUNT] = {
#define IR_OP(name, res, args, types, imm, flags) [IR_OP_##name] = bf_lower_##name,
#include "ir_ops.def"
#undef IR_OP
};

/* -- Growable arrays (thread-local, reused across compiles) ------------------ */

static void *grow(void *p, uint32_t n, size_t size, uint32_t *cap) {
  if (n <= *cap)
    return p;
  uint32_t m = *cap ? *cap : 16;
  while (m < n)
    m *= 2;
  p = realloc(p, (size_t)m * size);
  if (!p)
    abort();
  *cap = m;
  return p;
}

static __thread BfCtx tls_ctx;
static __thread uint32_t tls_capblocks;

/* Any guest thread may translate: a key destructor frees a thread's arrays
 * when it exits (they would leak with every short-lived guest thread). */
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *unused) {
  BfCtx *c = &tls_ctx;
  free(c->blabel), free(c->bpc), free(c->bpc_set);
  free(c->stubs), free(c->lits), free(c->litdata);
  memset(c, 0, sizeof *c);
  tls_capblocks = 0;
  bf_ra_thread_free();
  bf_flag_groups_free();
}

static void tls_key_make(void) { pthread_key_create(&tls_key, tls_free); }

/* -- Stubs and literals ------------------------------------------------------- */

X64Label *bf_stub_exc(BfCtx *c, IrExc exc, unsigned reg, bool write) {
  /* Neighbouring faults of one instruction usually share a stub. */
  for (uint32_t i = c->nstubs, k = 0; i-- > 0 && k < 8; k++) {
    BfStub *s = &c->stubs[i];
    if (s->kind == BF_STUB_EXC && s->exc == exc && s->reg == reg && s->write == write &&
        s->pc == c->cur_pc)
      return &s->label;
  }
  c->stubs = grow(c->stubs, c->nstubs + 1, sizeof *c->stubs, &c->capstubs);
  BfStub *s = &c->stubs[c->nstubs++];
  *s = (BfStub){.label = X64_LABEL_INIT, .kind = BF_STUB_EXC, .exc = (uint8_t)exc,
                .reg = (uint8_t)reg, .write = write, .pc = c->cur_pc};
  return &s->label;
}

uint32_t bf_stub_new(BfCtx *c, BfStubKind kind) {
  c->stubs = grow(c->stubs, c->nstubs + 1, sizeof *c->stubs, &c->capstubs);
  c->stubs[c->nstubs] = (BfStub){.label = X64_LABEL_INIT, .kind = (uint8_t)kind,
                                 .resume = X64_LABEL_INIT, .pc = c->cur_pc};
  return c->nstubs++;
}

X64Label *bf_lit(BfCtx *c, const void *data, uint32_t size) {
  c->lits = grow(c->lits, c->nlits + 1, sizeof *c->lits, &c->caplits);
  uint32_t off = (c->litsize + 15) & ~15u;
  c->litdata = grow(c->litdata, off + size, 1, &c->litcap);
  memset(c->litdata + c->litsize, 0, off - c->litsize);
  memcpy(c->litdata + off, data, size);
  c->litsize = off + size;
  BfLit *l = &c->lits[c->nlits++];
  *l = (BfLit){X64_LABEL_INIT, off, size};
  return &l->label;
}

/* Literal labels move when the array grows: fix the operand up by index. */
void bf_rip_lit(BfCtx *c, const void *data, uint32_t size) {
  bf_lit(c, data, size);
  x64_rip_label(&c->a, &c->lits[c->nlits - 1].label);
}

void bf_leave_frame(BfCtx *c) {
  if (c->extra)
    x64_alu_ri(&c->a, X64_ADD, X64_S64, X64_RSP, c->extra);
}

/* Branches to absolute rx targets: the assembler writes through rw, so aim at
 * the rw twin of the target (same displacement). */
static const void *rw_twin(const BfCtx *c, const void *rx_target) {
  return c->rw + ((const uint8_t *)rx_target - c->rx);
}

/* Record a process-specific field that ends `back` bytes before the current
 * position (for BfBlock.relocs). */
static void reloc_add(BfCtx *c, unsigned back, uint8_t form, uint8_t what, uint8_t tail,
                      int64_t value) {
  BfBlock *b = c->out;
  if (!b->relocs || !x64_ok(&c->a))
    return;
  if (b->nrelocs < b->reloc_cap)
    b->relocs[b->nrelocs] = (BfReloc){(uint32_t)(x64_len(&c->a) - back), form, what, tail, 0,
                                      value};
  b->nrelocs++;
}

void bf_jmp_abs(BfCtx *c, const void *rx_target) {
  x64_jmp32(&c->a, rw_twin(c, rx_target));
  reloc_add(c, 4, BF_RELOC_REL32, BF_RELOC_EPILOGUE, 0, 0); /* its only target */
}

void bf_call_abs(BfCtx *c, const void *fn) {
  intptr_t rel = (intptr_t)fn - (intptr_t)(c->rx + x64_len(&c->a) + 5);
  int64_t dist = (int64_t)((uintptr_t)fn - bf_reloc_anchor());
  if (rel >= INT32_MIN && rel <= INT32_MAX) {
    x64_call(&c->a, rw_twin(c, fn));
    reloc_add(c, 4, BF_RELOC_REL32, BF_RELOC_ANCHOR, 0, dist);
  } else {
    size_t at = x64_len(&c->a);
    x64_mov_ri(&c->a, X64_S64, X64_RAX, (int64_t)(uintptr_t)fn);
    if (x64_len(&c->a) - at == 10) /* movabs; a shorter form cannot be moved */
      reloc_add(c, 8, BF_RELOC_ABS64, BF_RELOC_ANCHOR, 0, dist);
    else if (c->out->relocs)
      c->out->nrelocs = c->out->reloc_cap + 1; /* not relocatable: "dropped" */
    x64_call_r(&c->a, X64_RAX);
  }
}

X64Mem bf_guest_mem(BfCtx *c, X64Reg addr) {
  if (c->use_r14)
    return x64_mem_sib(X64_R14, addr, 1, 0);
  return x64_mem(addr, (int32_t)c->cfg->guest_base);
}

/* rax = pc, rdx = info, to the epilogue. */
void bf_leave(BfCtx *c, uint64_t pc, unsigned kind) {
  x64_mov_ri(&c->a, X64_S64, X64_RAX, (int64_t)pc);
  x64_mov_ri(&c->a, X64_S32, X64_RDX, kind);
  bf_jmp_abs(c, c->cfg->epilogue);
}

static void emit_stub(BfCtx *c, BfStub *s) {
  X64Asm *a = &c->a;
  const BfConfig *cfg = c->cfg;
  x64_bind(a, &s->label);
  if (s->kind == BF_STUB_MMU) {
    bf_emit_mmu_stub(c, s);
    return;
  }
  if (s->kind == BF_STUB_EXIT) {
    x64_mov_ri(a, X64_S64, X64_RAX, (int64_t)s->pc);
    x64_lea(a, X64_S64, X64_RDX, x64_mem_rip(0));
    x64_rip_target(a, c->rw + s->site);
    bf_jmp_abs(c, cfg->epilogue);
    return;
  }
  if (s->reg != BF_NOREG)
    x64_mov_mr(a, X64_S64, bf_cpu(cfg->off_exc_arg), (X64Reg)s->reg);
  else
    x64_mov_mi(a, X64_S64, bf_cpu(cfg->off_exc_arg), 0);
  x64_mov_mi(a, X64_S32, bf_cpu(cfg->off_exc_kind), s->exc);
  x64_mov_mi(a, X64_S8, bf_cpu(cfg->off_exc_write), s->write);
  bf_leave_frame(c);
  bf_leave(c, s->pc, BF_EXIT_EXCEPTION);
}

/* -- Exits shared by the control lowerings --------------------------------------- */

/* exit PC: a patchable jmp whose rel32 field is 8-aligned, so that its rx
 * address is the info word with kind BF_EXIT_CHAIN (0). */
void bf_emit_exit(BfCtx *c, uint64_t pc) {
  X64Asm *a = &c->a;
  bf_leave_frame(c);
  /* System mode chains only inside a guest page (a mapping may change under
   * a jump to another); such exits look their target up in the jump cache,
   * which the runner empties when mappings change, instead of going back to
   * the dispatcher every time. */
  if (c->cfg->off_tlb && (pc >> BF_TLB_PAGE_BITS) != (c->fn->entry >> BF_TLB_PAGE_BITS)) {
    x64_mov_ri(a, X64_S64, X64_RAX, (int64_t)pc);
    bf_emit_jcache_jump(c);
    return;
  }
  if (c->out->nexits >= BF_MAX_EXITS) { /* more than the runtime chains: look it up */
    bf_leave(c, pc, BF_EXIT_JUMP);
    return;
  }
  x64_nop(a, (unsigned)(-((uintptr_t)a->p + 1) & 7));
  c->stubs = grow(c->stubs, c->nstubs + 1, sizeof *c->stubs, &c->capstubs);
  BfStub *s = &c->stubs[c->nstubs];
  *s = (BfStub){.label = X64_LABEL_INIT, .kind = BF_STUB_EXIT, .site = (uint32_t)x64_len(a) + 1,
                .pc = pc};
  x64_jmp_label(a, &s->label);
  if (!x64_ok(a))
    return;
  c->out->exits[c->out->nexits++] = (BfExitSite){s->site, 0, pc};
  c->nstubs++;
}

/* An in-function jump. Block 0 is entered again through the entry, so that a
 * loop back to it counts and sees exit_request like any block entry. */
void bf_goto(BfCtx *c, uint32_t target) {
  if (!c->bpc_set[target]) {
    c->bpc_set[target] = 1;
    c->bpc[target] = c->cur_pc;
  }
  if (target == 0) {
    bf_leave_frame(c);
    x64_jmp_label(&c->a, &c->entry);
  } else if (target != c->block + 1) {
    x64_jmp_label(&c->a, &c->blabel[target]);
  }
}

void bf_jcc_block(BfCtx *c, X64Cond cc, uint32_t target) {
  if (!c->bpc_set[target]) {
    c->bpc_set[target] = 1;
    c->bpc[target] = c->cur_pc;
  }
  x64_jcc_label(&c->a, cc, &c->blabel[target]);
}

/* -- The driver ---------------------------------------------------------------------- */

static void pcmap_add(BfCtx *c) {
  BfBlock *b = c->out;
  uint32_t off = (uint32_t)x64_len(&c->a);
  if (b->npc && b->pcmap[b->npc - 1].host_off == off) {
    b->pcmap[b->npc - 1].guest_pc = c->cur_pc;
    return;
  }
  if (b->npc && b->pcmap[b->npc - 1].guest_pc == c->cur_pc)
    return;
  if (b->npc < b->pcmap_cap)
    b->pcmap[b->npc++] = (BfPcEntry){off, c->cur_pc};
}

static void emit_block(BfCtx *c, uint32_t b) {
  const IrFunc *fn = c->fn;
  const IrBlock *blk = &fn->blocks[b];
  c->block = b;
  bf_ra_block_begin(c, b);
  c->hflags = 0;
  x64_bind(&c->a, &c->blabel[b]);
  if (b > 0 && c->bpc_set[b]) {
    c->cur_pc = c->bpc[b];
    pcmap_add(c);
  }
  for (uint32_t i = 0; i < blk->n && x64_ok(&c->a); i++) {
    IrRef r = blk->insts[i];
    const IrInst *in = &fn->insts[r];
    if (in->op == IR_OP_insn) {
      c->cur_pc = in->imm;
      pcmap_add(c);
      continue;
    }
    if (!c->fgroup[r])
      c->hflags = 0; /* anything else may change the host flags */
    if (i + 1 < blk->n) {
      IrRef next = blk->insts[i + 1];
      if (bf_fusable(c, in, &fn->insts[next], r)) {
        bf_ra_inst_begin(c, r, next);
        bf_lower_fused(c, r, next);
        bf_ra_inst_end(c);
        i++;
        continue;
      }
    }
    bf_ra_inst_begin(c, r, IR_NONE);
    lower_op[in->op](c, r, in);
    bf_ra_inst_end(c);
  }
}

static void emit_entry(BfCtx *c) {
  X64Asm *a = &c->a;
  x64_bind(a, &c->entry);
  /* The counter is written through the rw view (rx is not writable): RIP-relative
   * across the two mappings when they are near each other, else absolute. */
  intptr_t delta = c->rw - c->rx, span = (intptr_t)(c->a.end - c->a.start);
  uint64_t cap = c->cfg->counter_cap;
  bool capped = cap != 0;
  c->counter_abs = capped || delta > INT32_MAX - span || delta < INT32_MIN + span;
  if (c->cfg->no_counter) {
    /* the counter stays in the data area, at 0 */
  } else if (c->counter_abs) {
    x64_mov_ri(a, X64_S64, X64_RAX, INT64_MAX); /* movabs: imm64 patched below */
    c->counter_fix = (uint32_t)x64_len(a) - 8;
    reloc_add(c, 8, BF_RELOC_ABS64, BF_RELOC_COUNTER, 0, 0);
    X64Label full = X64_LABEL_INIT;
    if (capped) { /* past the cap the line is only read: no bouncing between cores */
      x64_alu_mi(a, X64_CMP, X64_S64, x64_mem(X64_RAX, 0), cap > INT32_MAX ? INT32_MAX : (int32_t)cap);
      x64_jcc_label_short(a, X64_CC_AE, &full);
    }
    x64_alu_mi(a, X64_ADD, X64_S64, x64_mem(X64_RAX, 0), 1);
    if (capped)
      x64_bind(a, &full);
  } else {
    x64_alu_mi(a, X64_ADD, X64_S64, x64_mem_rip(0), 1);
    c->counter_fix = (uint32_t)x64_len(a) - 5; /* disp32, then the imm8 */
    reloc_add(c, 5, BF_RELOC_REL32, BF_RELOC_COUNTER, 1, 0);
  }
  x64_alu_mi(a, X64_CMP, X64_S32, bf_cpu(c->cfg->off_exit_request), 0);
  x64_jcc_label(a, X64_CC_NE, &c->request);
  if (c->extra)
    x64_alu_ri(a, X64_SUB, X64_S64, X64_RSP, c->extra);
  if (c->use_r14)
    x64_mov_ri(a, X64_S64, X64_R14, (int64_t)c->cfg->guest_base);
}

static void emit_data(BfCtx *c) {
  X64Asm *a = &c->a;
  x64_bind(a, &c->request);
  bf_leave(c, c->fn->entry, BF_EXIT_REQUEST);
  /* Pad with int3 so that no decoder runs into the data. */
  while (((uintptr_t)a->p & 63) && x64_ok(a))
    x64_fixed(a, X64_INT3);
  uint32_t counter_off = (uint32_t)x64_len(a);
  x64_bytes(a, (uint8_t[8]){0}, 8);
  if (!x64_ok(a))
    return;
  uint8_t *fix = c->rw + c->counter_fix;
  if (c->cfg->no_counter) {
    /* no code refers to the counter */
  } else if (c->counter_abs) {
    uint64_t at = (uint64_t)(uintptr_t)(c->rw + counter_off);
    memcpy(fix, &at, 8);
  } else {
    int32_t disp = (int32_t)((c->rw + counter_off) - (c->rx + c->counter_fix + 5));
    memcpy(fix, &disp, 4);
  }
  for (uint32_t i = 0; i < c->nlits && x64_ok(a); i++) {
    BfLit *l = &c->lits[i];
    x64_align(a, 16);
    x64_bind(a, &l->label);
    x64_bytes(a, c->litdata + l->off, l->size);
  }
  while (x64_len(a) < counter_off + 64 && x64_ok(a))
    x64_fixed(a, X64_INT3);
  c->out->counter_off = counter_off;
}

static bool setup(BfCtx *c, const IrFunc *fn, const BfConfig *cfg, uint8_t *rw, uint8_t *rx,
                  size_t cap, BfBlock *out) {
  c->fn = fn, c->cfg = cfg, c->rw = rw, c->rx = rx, c->out = out;
  c->cur_pc = 0;
  c->nstubs = c->nlits = c->litsize = 0;
  uint32_t nb = fn->nblocks, capb = tls_capblocks;
  c->blabel = grow(c->blabel, nb, sizeof *c->blabel, &capb), capb = tls_capblocks;
  c->bpc = grow(c->bpc, nb, sizeof *c->bpc, &capb), capb = tls_capblocks;
  c->bpc_set = grow(c->bpc_set, nb, 1, &capb);
  tls_capblocks = capb;
  for (uint32_t b = 0; b < nb; b++)
    x64_label_init(&c->blabel[b]);
  memset(c->bpc_set, 0, nb);
  x64_label_init(&c->entry), x64_label_init(&c->request);
  uint64_t gb = cfg->guest_base;
  c->use_r14 = gb != 0 && gb > INT32_MAX;
  out->nexits = out->npc = out->nrelocs = 0;
  x64_init(&c->a, rw, cap < (1u << 27) ? cap : (1u << 27));
  c->fn = bf_flag_groups(c, fn);
  return fn->nblocks > 0 && bf_ra_prepare(c);
}

bool bf_compile(const IrFunc *fn, const BfConfig *cfg, uint8_t *rw, uint8_t *rx, size_t cap,
                BfBlock *out) {
  BfCtx *c = &tls_ctx;
  if (!c->blabel) { /* this thread's first compile */
    pthread_once(&tls_once, tls_key_make);
    pthread_setspecific(tls_key, c);
  }
  if (!setup(c, fn, cfg, rw, rx, cap, out))
    return false;
  emit_entry(c);
  for (uint32_t b = 0; b < fn->nblocks && x64_ok(&c->a); b++)
    emit_block(c, b);
  for (uint32_t i = 0; i < c->nstubs && x64_ok(&c->a); i++) {
    emit_stub(c, &c->stubs[i]);
    if (c->stubs[i].kind == BF_STUB_EXIT)
      for (uint32_t k = 0; k < out->nexits; k++)
        if (out->exits[k].patch_off == c->stubs[i].site)
          out->exits[k].stub_off = (uint32_t)c->stubs[i].label.pos;
  }
  emit_data(c);
  if (!x64_ok(&c->a))
    return false;
  out->size = (uint32_t)x64_len(&c->a);
  return true;
}

uint32_t bf_pcmap_need(const IrFunc *fn) {
  uint32_t n = fn->nblocks;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++)
      n += fn->insts[fn->blocks[b].insts[i]].op == IR_OP_insn;
  return n;
}

/* A thunk: the block-shaped entry to code compiled elsewhere (backend_llvm),
 * `BfRet fn(void *cpu)` under SysV. Same entry as a block (counter, exit
 * request), then a call; a JUMP result goes on through the jump cache like
 * exiti, anything else (syscall, exception) straight to the epilogue. */
bool bf_compile_thunk(const BfConfig *cfg, uint64_t pc, const void *fn, uint8_t *rw,
                      uint8_t *rx, size_t cap, BfBlock *out) {
  BfCtx *c = &tls_ctx;
  static const IrFunc none;
  IrFunc shell = none; /* emit_data reads the entry pc for the request exit */
  shell.entry = pc;
  c->fn = &shell, c->cfg = cfg, c->rw = rw, c->rx = rx, c->out = out;
  c->cur_pc = pc;
  c->nstubs = c->nlits = c->litsize = 0;
  c->extra = 0;
  c->use_r14 = false;
  out->nexits = out->npc = out->nrelocs = 0;
  x64_label_init(&c->entry), x64_label_init(&c->request);
  x64_init(&c->a, rw, cap < 4096 ? cap : 4096);
  X64Asm *a = &c->a;
  emit_entry(c);
  if (out->pcmap_cap)
    out->pcmap[out->npc++] = (BfPcEntry){0, pc};
  x64_mov_rr(a, X64_S64, X64_RDI, X64_R15);
  bf_call_abs(c, fn);
  X64Label other = X64_LABEL_INIT;
  x64_alu_ri(a, X64_CMP, X64_S32, X64_RDX, BF_EXIT_JUMP);
  x64_jcc_label_short(a, X64_CC_NE, &other);
  bf_emit_jcache_jump(c);
  x64_bind(a, &other);
  bf_jmp_abs(c, cfg->epilogue);
  emit_data(c);
  if (!x64_ok(a))
    return false;
  out->size = (uint32_t)x64_len(a);
  return true;
}
