/* tb.c — translation blocks: translate (frontend -> passes -> tier), the block
 * map keyed by guest pc, chaining of direct exits, invalidation and flushing.
 * Lookups read the hash chains without the lock (blocks are published with a
 * release store and never freed before a flush, which runs in an exclusive
 * section); everything else holds it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

#define TB_MAX_CODE (16u << 20)

static uint32_t tb_hash(uint64_t pc) {
  return (uint32_t)((pc * 0x9e3779b97f4a7c15ull) >> (64 - TB_HASH_BITS));
}

Tb *tb_lookup(EmuEngine *e, uint64_t pc) {
  for (Tb *t = __atomic_load_n(&e->hash[tb_hash(pc)], __ATOMIC_ACQUIRE); t;
       t = __atomic_load_n(&t->hnext, __ATOMIC_ACQUIRE))
    if (t->pc == pc && !__atomic_load_n(&t->invalid, __ATOMIC_RELAXED))
      return t;
  return NULL;
}

Tb *tb_by_code(EmuEngine *e, uintptr_t rx) {
  uint32_t lo = 0, hi = e->ntbs;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    Tb *t = e->by_code[mid];
    if (rx < (uintptr_t)t->code)
      hi = mid;
    else if (rx >= (uintptr_t)t->code + t->bf.size)
      lo = mid + 1;
    else
      return t;
  }
  return NULL;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void log_guest(EmuEngine *e, const IrBlockInfo *info) {
  const IrFrontend *fe = e->cfg.frontend;
  emu_log("IN: %s block at 0x%" PRIx64 " (%u insns)\n", fe->name, info->pc, info->ninsns);
  uint64_t pc = info->pc, end = info->pc + info->guest_bytes;
  while (pc < end) {
    uint8_t buf[32];
    char text[160];
    size_t n = e->cfg.fetch.fetch(e->cfg.fetch.ctx, pc, buf, fe->max_insn_bytes);
    unsigned len = fe->disas(pc, buf, n, text, sizeof text);
    emu_log("0x%016" PRIx64 ":  %s\n", pc, text);
    if (!len)
      break;
    pc += len;
  }
  emu_log("\n");
}

static void log_ir(const char *title, const IrFunc *fn) {
  char *text = ir_print(fn);
  emu_log("%s:\n%s\n", title, text);
  free(text);
}

static void log_host(const Tb *t) {
  emu_log("OUT: [size=%u] host code at %p for 0x%" PRIx64 "\n", t->bf.size, (void *)t->code,
          t->pc);
  for (uint32_t i = 0; i < t->bf.size; i += 16) {
    emu_log("  %04x:", i);
    for (uint32_t j = i; j < i + 16 && j < t->bf.size; j++)
      emu_log(" %02x", t->code[j]);
    emu_log("\n");
  }
  emu_log("\n");
}

static Tb *tb_new(EmuEngine *e, const IrBlockInfo *info) {
  Tb *t = calloc(1, sizeof *t);
  if (!t)
    abort();
  t->pc = info->pc;
  t->guest_bytes = info->guest_bytes;
  t->ninsns = info->ninsns;
  (void)e;
  return t;
}

/* Compile into the code cache; false if it is full. */
static bool compile(EmuEngine *e, Tb *t, const IrFunc *fn) {
  CodeCache *cc = &e->cc;
  t->bf.pcmap_cap = bf_pcmap_need(fn);
  t->bf.pcmap = realloc(t->bf.pcmap, t->bf.pcmap_cap * sizeof *t->bf.pcmap);
  size_t start = (cc->used + 15) & ~(size_t)15;
  if (start >= cc->size)
    return false;
  size_t cap = cc->size - start;
  if (cap > TB_MAX_CODE)
    cap = TB_MAX_CODE; /* one block's budget; the encoder's buffers are < 256 MiB */
  if (!bf_compile(fn, &e->bf, cc->rw + start, cc->rx + start, cap, &t->bf))
    return false;
  t->code = cc->rx + start;
  cc->used = start + t->bf.size;
  e->stats.code_bytes += t->bf.size;
  return true;
}

static void add_by_code(EmuEngine *e, Tb *t) {
  if (t->code) {
    if (e->ntbs == e->captbs) {
      e->captbs = e->captbs ? e->captbs * 2 : 1024;
      e->by_code = realloc(e->by_code, e->captbs * sizeof *e->by_code);
      if (!e->by_code)
        abort();
    }
    e->by_code[e->ntbs++] = t;
  }
}

static uint32_t page_bit(uint64_t page) {
  return (uint32_t)((page * 0x9e3779b97f4a7c15ull) >> 48) % TB_PAGE_BITS;
}

static void publish(EmuEngine *e, Tb *t) {
  add_by_code(e, t);
  if (t->pc < e->pc_lo || !e->pc_hi)
    e->pc_lo = t->pc;
  if (t->pc + t->guest_bytes > e->pc_hi)
    e->pc_hi = t->pc + t->guest_bytes;
  uint64_t last = (t->pc + (t->guest_bytes ? t->guest_bytes - 1 : 0)) >> 12;
  for (uint64_t page = t->pc >> 12; page <= last; page++)
    e->code_pages[page_bit(page) / 64] |= 1ull << (page_bit(page) % 64);
  uint32_t h = tb_hash(t->pc);
  t->hnext = e->hash[h];
  __atomic_store_n(&e->hash[h], t, __ATOMIC_RELEASE);
}

static void tb_free(Tb *t);

/* Compile, or free t and return false when the code cache is full (the caller
 * flushes in an exclusive section and retries). */
static bool compile_or_free(EmuEngine *e, Tb *t, const IrFunc *fn) {
  if (compile(e, t, fn))
    return true;
  if (e->cc.used == e->cc.reserved) {
    fprintf(stderr, "emu: internal error: block at 0x%" PRIx64 " does not fit the code cache\n",
            t->pc);
    abort();
  }
  tb_free(t);
  return false;
}

Tb *tb_compile_func(EmuEngine *e, const IrFunc *fn) {
  IrBlockInfo info = {.pc = fn->entry, .guest_bytes = 0, .ninsns = fn->ninsts};
  Tb *t = tb_new(e, &info);
  t->invalid = true; /* never found by pc */
  if (!compile_or_free(e, t, fn))
    return NULL;
  add_by_code(e, t);
  /* Not in the hash: remember it for the next flush through a private chain. */
  t->hnext = e->unlisted;
  e->unlisted = t;
  return t;
}

Tb *tb_translate(EmuEngine *e, uint64_t pc) {
  uint64_t t0 = now_ns();
  IrFunc *fn = e->scratch;
  ir_func_reset(fn);
  IrBlockInfo info;
  e->cfg.frontend->translate(fn, pc, &e->cfg.fetch, &info);
  if (emu_log_on(EMU_LOG_in_asm))
    log_guest(e, &info);
  if (emu_log_on(EMU_LOG_op))
    log_ir("OP", fn);
#ifndef NDEBUG
  char err[256];
  if (!ir_validate(fn, err, sizeof err)) {
    log_ir("INVALID IR", fn);
    fprintf(stderr, "emu: internal error: frontend produced invalid IR at 0x%" PRIx64 ": %s\n",
            pc, err);
    abort();
  }
#endif
  ir_optimize(fn, &e->cfg.passes);
  if (emu_log_on(EMU_LOG_op_opt))
    log_ir("OP after passes", fn);
  Tb *t = tb_new(e, &info);
  if (e->cfg.tier == EMU_TIER_INTERP) {
    t->ir = fn;
    e->scratch = ir_func_new(e->cfg.frontend->rf);
  } else if (!compile_or_free(e, t, fn)) {
    return NULL;
  }
  e->stats.blocks_translated++;
  e->stats.insns_translated += info.ninsns;
  e->stats.ir_insts += fn->ninsts;
  if (t->code && emu_log_on(EMU_LOG_out_asm))
    log_host(t);
  publish(e, t);
  e->stats.translate_ns += now_ns() - t0;
  return t;
}

void tb_chain(EmuEngine *e, Tb *from, uint32_t exit, Tb *to) {
  if (emu_log_on(EMU_LOG_nochain) || from->invalid || to->invalid || !to->code)
    return;
  BfExitSite *s = &from->bf.exits[exit];
  const uint8_t *site = from->code + s->patch_off;
  bf_patch_jump(codecache_rw_of(&e->cc, site), site, to->code);
  if (to->nin == to->capin) {
    to->capin = to->capin ? to->capin * 2 : 4;
    to->in = realloc(to->in, to->capin * sizeof *to->in);
    if (!to->in)
      abort();
  }
  to->in[to->nin++] = (TbLink){from, exit};
  e->stats.chains++;
}

/* Point every chained jump into t back at its source's own exit stub. */
static void unchain_incoming(EmuEngine *e, Tb *t) {
  for (uint32_t i = 0; i < t->nin; i++) {
    Tb *from = t->in[i].from;
    if (from->invalid)
      continue;
    const BfExitSite *s = &from->bf.exits[t->in[i].exit];
    const uint8_t *site = from->code + s->patch_off;
    bf_patch_jump(codecache_rw_of(&e->cc, site), site, from->code + s->stub_off);
  }
  t->nin = 0;
}

static void tb_free(Tb *t) {
  ir_func_free(t->ir);
  free(t->bf.pcmap);
  free(t->in);
  free(t);
}

static void jcache_clear(BfJcacheEntry *jc) {
  for (uint32_t i = 0; i < BF_JCACHE_SIZE; i++) {
    jc[i].pc = ~0ull;
    jc[i].code = NULL;
  }
}

void tb_flush_all(EmuEngine *e) {
  for (uint32_t i = 0; i < e->ntbs; i++) { /* keep the executed count of what goes */
    const Tb *t = e->by_code[i];
    e->insns_done += *(const uint64_t *)(t->code + t->bf.counter_off) * t->ninsns;
  }
  for (uint32_t h = 0; h < TB_HASH_SIZE; h++) {
    Tb *t = e->hash[h];
    while (t) {
      Tb *next = t->hnext;
      tb_free(t);
      t = next;
    }
    e->hash[h] = NULL;
  }
  while (e->unlisted) {
    Tb *next = e->unlisted->hnext;
    tb_free(e->unlisted);
    e->unlisted = next;
  }
  e->ntbs = 0;
  for (uint32_t i = 0; i < e->ncpus; i++)
    jcache_clear(e->cpus[i]->rt.jcache);
  codecache_reset(&e->cc);
  e->pc_lo = e->pc_hi = 0;
  memset(e->code_pages, 0, sizeof e->code_pages);
  e->generation++;
  e->stats.flushes++;
}

/* Invalidated blocks stay allocated (another thread may still be inside one)
 * until the next flush; they are only unhooked. Other cpus run meanwhile: the
 * mark, a fence, then their jump cache entries (the fill side is jcache_fill in
 * exec.c). */
/* Might [start, end) hold code of a block? Most unmaps and madvises (thread
 * stacks, the heap) do not: a 64K-bucket walk each would dominate thread exit. */
static bool may_hold_code(const EmuEngine *e, uint64_t start, uint64_t end) {
  if (start >= e->pc_hi || end <= e->pc_lo)
    return false;
  if (start < e->pc_lo)
    start = e->pc_lo;
  if (end > e->pc_hi)
    end = e->pc_hi;
  if ((end - start) >> 12 >= TB_PAGE_BITS)
    return true;
  for (uint64_t page = start >> 12; page <= (end - 1) >> 12; page++)
    if (e->code_pages[page_bit(page) / 64] >> (page_bit(page) % 64) & 1)
      return true;
  return false;
}

void tb_invalidate_range(EmuEngine *e, uint64_t start, uint64_t end) {
  if (end <= start || !may_hold_code(e, start, end))
    return;
  for (uint32_t h = 0; h < TB_HASH_SIZE; h++) {
    for (Tb *t = e->hash[h]; t; t = t->hnext) {
      if (t->invalid || t->pc >= end || t->pc + t->guest_bytes <= start)
        continue;
      __atomic_store_n(&t->invalid, true, __ATOMIC_RELAXED);
      __atomic_thread_fence(__ATOMIC_SEQ_CST);
      unchain_incoming(e, t);
      for (uint32_t i = 0; i < e->ncpus; i++) {
        BfJcacheEntry *j = &e->cpus[i]->rt.jcache[bf_jcache_hash(t->pc)];
        if (__atomic_load_n(&j->pc, __ATOMIC_RELAXED) == t->pc)
          __atomic_store_n(&j->pc, ~0ull, __ATOMIC_RELAXED);
      }
    }
  }
}

void emu_jcache_init(BfJcacheEntry *jc) { jcache_clear(jc); }
