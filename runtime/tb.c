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
#include "tcache.h"

#define TB_MAX_CODE (16u << 20)

static uint32_t tb_hash(uint64_t pc) {
  return (uint32_t)((pc * 0x9e3779b97f4a7c15ull) >> (64 - TB_HASH_BITS));
}

Tb *tb_lookup_key(EmuEngine *e, const TbKey *k) {
  for (Tb *t = __atomic_load_n(&e->hash[tb_hash(k->phys)], __ATOMIC_ACQUIRE); t;
       t = __atomic_load_n(&t->hnext, __ATOMIC_ACQUIRE))
    if (t->pc == k->phys && t->vpc == k->vpc && t->mode == k->mode &&
        !__atomic_load_n(&t->invalid, __ATOMIC_RELAXED))
      return t;
  return NULL;
}

Tb *tb_lookup(EmuEngine *e, uint64_t pc) { return tb_lookup_key(e, &(TbKey){pc, pc, 0}); }

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

uint64_t emu_now_ns(void) {
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
  t->pc = t->vpc = info->pc;
  t->guest_bytes = info->guest_bytes;
  t->ninsns = info->ninsns;
  (void)e;
  return t;
}

/* Room for a block in the code cache: [start, start + cap). */
static bool cache_room(EmuEngine *e, size_t *start, size_t *cap) {
  CodeCache *cc = &e->cc;
  *start = (cc->used + 15) & ~(size_t)15;
  if (*start >= cc->size)
    return false;
  *cap = cc->size - *start;
  if (*cap > TB_MAX_CODE)
    *cap = TB_MAX_CODE; /* one block's budget; the encoder's buffers are < 256 MiB */
  return true;
}

static void cache_commit(EmuEngine *e, Tb *t, size_t start) {
  t->code = e->cc.rx + start;
  e->cc.used = start + t->bf.size;
  e->stats.code_bytes += t->bf.size;
}

/* A thunk into tier-2 code fn, as t's code; false if the cache is full. */
static bool compile_thunk(EmuEngine *e, Tb *t, const void *fn) {
  size_t start, cap;
  t->bf.pcmap_cap = 1;
  t->bf.pcmap = realloc(t->bf.pcmap, sizeof *t->bf.pcmap);
  if (!cache_room(e, &start, &cap) ||
      !bf_compile_thunk(&e->bf, t->pc, fn, e->cc.rw + start, e->cc.rx + start, cap, &t->bf))
    return false;
  cache_commit(e, t, start);
  t->tier2 = true;
  emu_perfmap_add(t->code, t->bf.size, "thunk", t->pc);
  return true;
}

/* Compile into the code cache; false if it is full. The llvm tier compiles
 * every block with LLVM (differential testing of backend_llvm) and keeps
 * backend_fast's code for what LLVM rejects. */
static bool compile(EmuEngine *e, Tb *t, const IrFunc *fn) {
  if (e->cfg.tier == EMU_TIER_LLVM && e->bl) {
    BlCode code;
    if (tierup_compile(e, fn, &code)) {
      e->stats.llvm_blocks++;
      e->stats.llvm_insns += t->ninsns;
      return compile_thunk(e, t, (const void *)code.fn);
    }
  }
  size_t start, cap;
  t->bf.pcmap_cap = bf_pcmap_need(fn);
  t->bf.pcmap = realloc(t->bf.pcmap, t->bf.pcmap_cap * sizeof *t->bf.pcmap);
  if (!cache_room(e, &start, &cap) ||
      !bf_compile(fn, &e->bf, e->cc.rw + start, e->cc.rx + start, cap, &t->bf))
    return false;
  cache_commit(e, t, start);
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

/* Widen the bounds and page bits that may_hold_code consults to [lo, hi). */
static void note_code(EmuEngine *e, uint64_t lo, uint64_t hi) {
  if (lo < e->pc_lo || !e->pc_hi)
    e->pc_lo = lo;
  if (hi > e->pc_hi)
    e->pc_hi = hi;
  uint64_t last = (hi > lo ? hi - 1 : lo) >> 12;
  for (uint64_t page = lo >> 12; page <= last; page++)
    e->code_pages[page_bit(page) / 64] |= 1ull << (page_bit(page) % 64);
}

typedef struct TbPage {
  uint64_t page;
  Tb **v;
  uint32_t n, cap;
  struct TbPage *next;
} TbPage;

static uint32_t page_slot(uint64_t page) {
  return (uint32_t)((page * 0x9e3779b97f4a7c15ull) >> 40) % TB_PAGE_INDEX_SIZE;
}

static TbPage *page_find(EmuEngine *e, uint64_t page, bool make) {
  TbPage **head = &e->page_index[page_slot(page)];
  for (TbPage *p = *head; p; p = p->next)
    if (p->page == page)
      return p;
  if (!make)
    return NULL;
  TbPage *p = calloc(1, sizeof *p);
  if (!p)
    abort();
  p->page = page;
  p->next = *head;
  *head = p;
  return p;
}

/* Record t under every page of [lo, hi) (and widen may_hold_code's view). */
static void index_code(EmuEngine *e, Tb *t, uint64_t lo, uint64_t hi) {
  note_code(e, lo, hi);
  uint64_t last = (hi > lo ? hi - 1 : lo) >> 12;
  for (uint64_t page = lo >> 12; page <= last; page++) {
    TbPage *p = page_find(e, page, true);
    if (p->n && p->v[p->n - 1] == t)
      continue;
    if (p->n == p->cap) {
      p->cap = p->cap ? 2 * p->cap : 8;
      p->v = realloc(p->v, p->cap * sizeof *p->v);
      if (!p->v)
        abort();
    }
    p->v[p->n++] = t;
  }
}

static void page_index_free(EmuEngine *e) {
  for (uint32_t i = 0; i < TB_PAGE_INDEX_SIZE; i++) {
    for (TbPage *p = e->page_index[i], *next; p; p = next) {
      next = p->next;
      free(p->v);
      free(p);
    }
    e->page_index[i] = NULL;
  }
}

static void publish(EmuEngine *e, Tb *t) {
  add_by_code(e, t);
  if (t->ranges)
    for (uint32_t i = 0; i < t->nranges; i++)
      index_code(e, t, t->ranges[i].lo, t->ranges[i].hi);
  else
    index_code(e, t, t->pc, t->pc + t->guest_bytes);
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

/* A block from the persistent translation cache, published, or NULL (a miss,
 * or no room: translating then finds the cache full too). */
static Tb *from_tcache(EmuEngine *e, uint64_t pc) {
  TcacheHit h;
  size_t start, cap;
  if (!tcache_find(e->tcache, pc, &h) || !cache_room(e, &start, &cap))
    return NULL;
  size_t pad = (h.align - ((uintptr_t)e->cc.rx + start)) & 63; /* same data alignment */
  if (cap < pad + h.size)
    return NULL;
  start += pad;
  IrBlockInfo info = {.pc = pc, .guest_bytes = h.guest_bytes, .ninsns = h.ninsns};
  Tb *t = tb_new(e, &info);
  if (!tcache_place(e->tcache, &h, e->cc.rw + start, e->cc.rx + start, &t->bf)) {
    tb_free(t);
    return NULL;
  }
  cache_commit(e, t, start);
  e->stats.blocks_cached++;
  e->stats.insns_cached += h.ninsns;
  if (emu_log_on(EMU_LOG_out_asm))
    log_host(t);
  emu_perfmap_add(t->code, t->bf.size, "fast", t->pc);
  publish(e, t);
  return t;
}

/* System mode: the guest-physical ranges of t's code. A block stays in one
 * page, but its last instruction may cross into the next, which need not be
 * physically contiguous. Tells the runner (code_added) what now holds code. */
static void system_ranges(EmuEngine *e, EmuCpu *cpu, Tb *t) {
  uint64_t end = t->vpc + (t->guest_bytes ? t->guest_bytes : 1);
  uint64_t split = (t->vpc | 0xfff) + 1;
  TbRange r[2] = {{t->pc, t->pc + (end - t->vpc)}};
  uint32_t n = 1;
  uint64_t phys2;
  uint32_t mode2;
  if (end > split && e->cfg.code_key(cpu, split, &phys2, &mode2) && phys2 != t->pc + (split - t->vpc)) {
    r[0].hi = t->pc + (split - t->vpc);
    r[1] = (TbRange){phys2, phys2 + (end - split)};
    n = 2;
  }
  if (n == 2) {
    t->ranges = malloc(sizeof r);
    if (!t->ranges)
      abort();
    memcpy(t->ranges, r, sizeof r);
    t->nranges = 2;
  }
  if (e->cfg.code_added)
    for (uint32_t i = 0; i < n; i++)
      e->cfg.code_added(cpu, r[i].lo, r[i].hi);
}

Tb *tb_translate(EmuEngine *e, uint64_t pc) { return tb_translate_key(e, NULL, &(TbKey){pc, pc, 0}); }

Tb *tb_translate_key(EmuEngine *e, EmuCpu *cpu, const TbKey *k) {
  uint64_t pc = k->vpc;
  uint64_t t0 = emu_now_ns();
  if (e->tcache) {
    /* A cpu is about to run pc (not emu_pretranslate): a tier-2 region the
     * cache holds for it runs at once. */
    Tb *cached = cpu ? tierup_cached_region(e, pc) : NULL;
    if (!cached)
      cached = from_tcache(e, pc);
    uint64_t t1 = emu_now_ns();
    e->stats.cache_ns += t1 - t0;
    if (cached)
      return cached;
    t0 = t1;
  }
  IrFunc *fn = e->scratch;
  ir_func_reset(fn);
  IrBlockInfo info;
  IrCodeFetch fetch = e->cfg.fetch;
  fetch.mode = k->mode;
  e->cfg.frontend->translate(fn, pc, &fetch, &info);
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
  t->pc = k->phys;
  t->mode = k->mode;
  if (engine_system(e))
    system_ranges(e, cpu, t);
  if (e->cfg.tier == EMU_TIER_INTERP) {
    t->ir = fn;
    e->scratch = ir_func_new(e->cfg.frontend->rf);
  } else {
    if (e->tcache) /* record relocations for saving */
      t->bf.relocs = tcache_relocs(e->tcache, &t->bf.reloc_cap);
    if (!compile_or_free(e, t, fn))
      return NULL;
    if (e->tcache)
      tcache_add(e->tcache, t);
    t->bf.relocs = NULL, t->bf.nrelocs = t->bf.reloc_cap = 0;
  }
  e->stats.blocks_translated++;
  e->stats.insns_translated += info.ninsns;
  e->stats.ir_insts += fn->ninsts;
  if (t->code && emu_log_on(EMU_LOG_out_asm))
    log_host(t);
  emu_perfmap_add(t->code, t->bf.size, "fast", t->pc);
  publish(e, t);
  e->stats.translate_ns += emu_now_ns() - t0;
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
  free(t->ranges);
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
    emu_jcache_clear_all(e->cpus[i]);
  codecache_reset(&e->cc);
  page_index_free(e);
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

/* Mark t invalid and take it out of every way in: chained jumps and the cpus'
 * jump caches (it stays allocated until the next flush). */
static void tb_unhook(EmuEngine *e, Tb *t) {
  __atomic_store_n(&t->invalid, true, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  unchain_incoming(e, t);
  for (uint32_t i = 0; i < e->ncpus; i++) {
    EmuCpuRt *rt = &e->cpus[i]->rt;
    for (uint32_t m = 0; m < EMU_MODES; m++) {
      BfJcacheEntry *jc = m == 0 ? (rt->jcaches[0] ? rt->jcaches[0] : rt->jcache) : rt->jcaches[m];
      if (!jc)
        continue;
      BfJcacheEntry *j = &jc[bf_jcache_hash(t->vpc)];
      if (__atomic_load_n(&j->pc, __ATOMIC_RELAXED) == t->vpc)
        __atomic_store_n(&j->pc, ~0ull, __ATOMIC_RELAXED);
    }
  }
}

static bool tb_overlaps(const Tb *t, uint64_t start, uint64_t end) {
  if (!t->ranges)
    return t->pc < end && t->pc + t->guest_bytes > start;
  for (uint32_t i = 0; i < t->nranges; i++)
    if (t->ranges[i].lo < end && t->ranges[i].hi > start)
      return true;
  return false;
}

void tb_drop(EmuEngine *e, Tb *t) {
  if (!t->invalid)
    tb_unhook(e, t);
}

/* Unhook the blocks of one page that overlap [start, end); forget dropped ones. */
static bool invalidate_page(EmuEngine *e, uint64_t page, uint64_t start, uint64_t end) {
  TbPage *p = page_find(e, page, false);
  bool kick = false;
  if (!p)
    return false;
  uint32_t k = 0;
  for (uint32_t i = 0; i < p->n; i++) {
    Tb *t = p->v[i];
    if (!t->invalid && tb_overlaps(t, start, end)) {
      tb_unhook(e, t);
      kick |= t->ranges != NULL;
    }
    if (!t->invalid)
      p->v[k++] = t;
  }
  p->n = k;
  return kick;
}

void tb_invalidate_range(EmuEngine *e, uint64_t start, uint64_t end) {
  if (end <= start || !may_hold_code(e, start, end))
    return;
  bool kick = false;
  if (((end - 1) >> 12) - (start >> 12) < 64) {
    for (uint64_t page = start >> 12; page <= (end - 1) >> 12; page++)
      kick |= invalidate_page(e, page, start, end);
  } else {
    for (uint32_t h = 0; h < TB_HASH_SIZE; h++) {
      for (Tb *t = e->hash[h]; t; t = t->hnext) {
        if (t->invalid || !tb_overlaps(t, start, end))
          continue;
        tb_unhook(e, t);
        kick |= t->ranges != NULL;
      }
    }
  }
  /* A tier-2 region may loop for long: make every cpu leave it at its next
   * back edge, so none keeps running code that no longer matches the guest's. */
  if (kick)
    for (uint32_t i = 0; i < e->ncpus; i++)
      emu_cpu_kick(e->cpus[i]);
}

Tb *tb_install_tier2(EmuEngine *e, uint64_t pc, const void *fn, const TbRange *ranges,
                     uint32_t nranges, uint32_t ninsns) {
  IrBlockInfo info = {.pc = pc, .guest_bytes = 0, .ninsns = ninsns};
  Tb *t = tb_new(e, &info);
  t->ranges = malloc(nranges * sizeof *t->ranges);
  if (!t->ranges)
    abort();
  memcpy(t->ranges, ranges, nranges * sizeof *ranges);
  t->nranges = nranges;
  t->considered = true;
  for (uint32_t i = 0; i < nranges; i++)
    if (ranges[i].lo == pc)
      t->guest_bytes = (uint32_t)(ranges[i].hi - ranges[i].lo);
  if (!compile_thunk(e, t, fn)) {
    tb_free(t);
    return NULL;
  }
  Tb *old = tb_lookup(e, pc);
  if (old)
    tb_unhook(e, old);
  publish(e, t);
  return t;
}

void emu_jcache_init(BfJcacheEntry *jc) { jcache_clear(jc); }

void emu_jcache_clear_all(EmuCpu *cpu) {
  if (!cpu->rt.jcaches[0]) {
    jcache_clear(cpu->rt.jcache);
    return;
  }
  /* Only the modes entered since the last clear can hold entries. */
  for (uint32_t m = 0; m < EMU_MODES; m++)
    if (cpu->rt.jcache_modes >> m & 1)
      jcache_clear(cpu->rt.jcaches[m]);
  cpu->rt.jcache_modes = 0;
  for (uint32_t m = 0; m < EMU_MODES; m++)
    if (cpu->rt.jcaches[m] == cpu->rt.jcache)
      cpu->rt.jcache_modes = 1u << m;
}
