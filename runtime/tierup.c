/* tierup.c — tier 2 for the auto tier: a background thread finds hot blocks
 * (their tier-1 execution counters), grows a region from each along the edges
 * the program took (chained exits) to blocks that are warm too, translates the
 * members again into one IR function whose internal exits become jumps (loops
 * stay loops), has backend_llvm compile it, and installs it in place of the
 * entry block (tb_install_tier2: its incoming chains and jump-cache entries are
 * re-pointed, so the next entry runs the region).
 *
 * With the persistent translation cache on, a region is compiled as an object
 * file whose one function is named by the region's identity (entry pc, member
 * ranges, their guest bytes: tcache_region_prepare) and saved with the tier-1
 * blocks; a later run loads it through the same LLJIT (bl_load_object: ORC
 * links it, resolving helpers by name) when its entry is first translated, and
 * installs it as a fresh region is. Names are identities, so a name this
 * process already has (a region loaded, or compiled before a flush) is reused
 * rather than compiled or loaded again: one JIT never defines a name twice.
 *
 * Locks, always taken in this order: e->lock (block map), u->compile (LLVM
 * lowering, optimisation, code generation), u->link (adding objects to the
 * JIT). This thread never holds e->lock with either; a translating cpu of the
 * llvm tier takes all three, fork the last two. A cpu loading a cached region
 * takes e->lock and u->link only, so it never waits for a compilation. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "tcache.h"

#define DEFAULT_THRESHOLD 2000u
#define QUEUE_MAX 16         /* hot candidates taken per scan (the bounded queue) */
#define REGION_MAX_BLOCKS 32
#define REGION_MAX_INSNS 1500
#define SCAN_NS 2000000ull   /* 2 ms between scans */
#define SCAN_CHUNK 2048      /* blocks looked at per scan (the lock is held meanwhile) */
_Static_assert(REGION_MAX_BLOCKS <= TCACHE_REGION_MAX, "a region's ranges must fit a cache entry");

/* LLVM code this process has for a region identity (tcache_region_prepare). */
typedef struct Known {
  uint64_t key;
  BlCode code;
} Known;

typedef struct Tierup {
  pthread_mutex_t compile; /* one LLVM compilation at a time */
  pthread_mutex_t link;    /* one object added to the JIT at a time */
  pthread_mutex_t mu;      /* stop flag and wake-ups */
  pthread_cond_t cv;
  pthread_t thread;
  bool running, stop;
  bool llvm_broken; /* libLLVM could not be loaded (warned): tier 1 runs everything */
  uint32_t threshold;
  uint32_t cursor;        /* where the next scan starts in e->by_code */
  IrFunc *block, *region; /* the thread's translation buffers */
  Known *known;           /* under link: functions named by region identity */
  uint32_t nknown, capknown;
  uint64_t seq;           /* under compile: names of functions not cached */
} Tierup;

uint32_t tierup_threshold(const EmuEngineConfig *cfg) {
  return cfg->jit_threshold ? cfg->jit_threshold : DEFAULT_THRESHOLD;
}

static Tierup *tierup_get(EmuEngine *e) {
  if (!e->tierup) {
    Tierup *u = calloc(1, sizeof *u);
    if (!u)
      abort();
    pthread_mutex_init(&u->compile, NULL);
    pthread_mutex_init(&u->link, NULL);
    pthread_mutex_init(&u->mu, NULL);
    pthread_cond_init(&u->cv, NULL);
    u->threshold = tierup_threshold(&e->cfg);
    e->tierup = u;
  }
  return e->tierup;
}

/* Regions of more guest instructions than this get LLVM's O1 pipeline: they
 * are branchy control code (malloc's paths) where O2 doubled the compile time,
 * which the compiling thread takes from the guest's on a busy 2-core host,
 * for code no faster; small regions are the loop kernels O2 is worth it for. */
#define REGION_O2_MAX_INSNS 150

/* LLVM is loaded when tier 2 first needs it (backend_llvm/bl_llvm.c). If it
 * cannot be, say so once and leave everything to tier 1. Under u->compile or
 * u->link: fork holds both, so a child never inherits a half-done load. */
static bool llvm_usable(EmuEngine *e, Tierup *u) {
  char err[320];
  if (bl_jit_ready(e->bl, err, sizeof err))
    return true;
  if (!__atomic_exchange_n(&u->llvm_broken, true, __ATOMIC_RELAXED))
    fprintf(stderr, "emu: warning: LLVM tier unavailable (%s); using the fast tier only\n", err);
  return false;
}

/* Under u->link. */
static bool known_find(const Tierup *u, uint64_t key, BlCode *out) {
  for (uint32_t i = 0; i < u->nknown; i++)
    if (u->known[i].key == key) {
      *out = u->known[i].code;
      return true;
    }
  return false;
}

static void known_add(Tierup *u, uint64_t key, const BlCode *code) {
  if (u->nknown == u->capknown) {
    u->capknown = u->capknown ? 2 * u->capknown : 64;
    u->known = realloc(u->known, u->capknown * sizeof *u->known);
    if (!u->known)
      abort();
  }
  u->known[u->nknown++] = (Known){key, *code};
}

/* Add an object defining `name` to the JIT, or take the function this process
 * already has under that name (then *fresh is false). Under u->link. */
static bool link_object(EmuEngine *e, Tierup *u, uint64_t key, const void *obj, size_t size,
                        const char *name, BlCode *out, bool *fresh, char *err, size_t errsize) {
  const char *names[1] = {name};
  *fresh = !(key && known_find(u, key, out));
  if (!*fresh)
    return true;
  if (!bl_load_object(e->bl, obj, size, names, 1, out, err, errsize))
    return false;
  if (key)
    known_add(u, key, out);
  return true;
}

/* Compile fn: LLVM's object file made under u->compile, added to the JIT
 * under u->link. With cr (a region the persistent cache may keep) the
 * function is named by cr->key and its object goes to cr->obj (malloc'd;
 * NULL when this process already had that function, compiled or loaded:
 * its code is reused, nothing is compiled). */
static bool compile_fn(EmuEngine *e, const IrFunc *fn, TcacheRegion *cr, BlCode *out) {
  Tierup *u = tierup_get(e);
  char err[256] = "", name[48];
  const char *names[1] = {name};
  void *obj = NULL;
  size_t size = 0;
  bool ok = true, fresh = true;
  uint32_t insns = 0;
  for (uint32_t i = 0; i < fn->ninsts; i++)
    insns += fn->insts[i].op == IR_OP_insn;
  pthread_mutex_lock(&u->compile);
  if (!llvm_usable(e, u)) {
    pthread_mutex_unlock(&u->compile);
    return false;
  }
  if (cr) {
    tcache_region_name(cr->key, name, sizeof name);
    pthread_mutex_lock(&u->link);
    fresh = !known_find(u, cr->key, out);
    pthread_mutex_unlock(&u->link);
  } else {
    snprintf(name, sizeof name, "tierup_f%" PRIu64, u->seq++);
  }
  if (fresh) {
    bl_jit_set_opt_level(e->bl, insns > REGION_O2_MAX_INSNS ? 1 : 2);
    ok = bl_emit_object(e->bl, &fn, names, 1, &obj, &size, err, sizeof err);
    if (ok) {
      pthread_mutex_lock(&u->link);
      ok = link_object(e, u, cr ? cr->key : 0, obj, size, name, out, &fresh, err, sizeof err);
      pthread_mutex_unlock(&u->link);
    }
  }
  pthread_mutex_unlock(&u->compile);
  if (!ok || !fresh || !cr) {
    free(obj);
    obj = NULL;
  }
  if (cr)
    cr->obj = obj, cr->size = size;
  if (!ok) {
    e->stats.llvm_failed++;
    if (emu_log_on(EMU_LOG_tierup) || emu_log_on(EMU_LOG_unimp))
      emu_log("tier2: LLVM rejected the function at 0x%" PRIx64 ": %s\n", fn->entry, err);
  }
  return ok;
}

bool tierup_compile(EmuEngine *e, const IrFunc *fn, BlCode *out) {
  return compile_fn(e, fn, NULL, out);
}

static uint64_t counter_of(const Tb *t) {
  return __atomic_load_n((const uint64_t *)(t->code + t->bf.counter_off), __ATOMIC_RELAXED);
}

/* Was exit k of `from` taken? Chaining patches an exit the first time it is
 * taken, and `to` records it: the chains are the profile's edges. */
static bool edge_taken(const Tb *from, uint32_t k, const Tb *to) {
  for (uint32_t i = 0; i < to->nin; i++)
    if (to->in[i].from == from && to->in[i].exit == k)
      return true;
  return false;
}

typedef struct Region {
  Tb *members[REGION_MAX_BLOCKS];
  TbRange ranges[REGION_MAX_BLOCKS];
  bool indirect[REGION_MAX_BLOCKS]; /* found in a jump cache: a target of indirect exits */
  uint32_t n, ninsns;
  uint32_t ncovered; /* members grown from the entry: they make no region of their own */
  bool entry_indirect; /* the entry member ends in an indirect jump (a dispatch) */
  bool loops; /* some member jumps back to the entry: a region without such a
                 loop is entered and left once per pass, and the call into
                 LLVM's code and the exit through the jump cache cost more
                 than LLVM saves (measured: malloc's paths ran 1.8x slower) */
} Region;

static int find_member(const Region *r, const Tb *t) {
  for (uint32_t i = 0; i < r->n; i++)
    if (r->members[i] == t)
      return (int)i;
  return -1;
}

static void put_member(Region *r, Tb *t, bool indirect) {
  r->indirect[r->n] = indirect;
  r->ranges[r->n] = (TbRange){t->pc, t->pc + t->guest_bytes};
  r->members[r->n++] = t;
  r->ninsns += t->ninsns;
}

/* Add t as a member if the limits allow; false if not. */
static bool add_member(Region *r, Tb *t, bool indirect) {
  if (r->n >= REGION_MAX_BLOCKS || r->ninsns + t->ninsns > REGION_MAX_INSNS)
    return false;
  put_member(r, t, indirect);
  return true;
}

/* Grow the region breadth first from members[from..], along taken edges to
 * tier-1 blocks that ran at least `bar` times. Under e->lock. */
static void grow_from(EmuEngine *e, Region *r, uint32_t from, uint64_t bar) {
  for (uint32_t i = from; i < r->n; i++) {
    Tb *t = r->members[i];
    /* Its direct exits, and the block after it: where a call returns to (a
     * return is an indirect exit, so no chain records that edge). */
    for (uint32_t k = 0; k <= t->bf.nexits && r->n < REGION_MAX_BLOCKS; k++) {
      bool after = k == t->bf.nexits;
      Tb *to = tb_lookup(e, after ? t->pc + t->guest_bytes : t->bf.exits[k].target);
      if (!to || to->tier2 || to->ir || find_member(r, to) >= 0 ||
          (!after && !edge_taken(t, k, to)) || counter_of(to) < bar)
        continue;
      add_member(r, to, false);
    }
  }
}

static void grow_region(EmuEngine *e, Region *r, Tb *entry, uint64_t bar) {
  r->n = r->ninsns = 0;
  put_member(r, entry, false);
  grow_from(e, r, 0, bar);
  r->ncovered = r->n;
}

/* For a region with indirect exits: the warm blocks some cpu entered through
 * its jump cache lately — what indirect jumps reach (an indirect call's
 * callees, a switch's cases, the returns) — hottest first, alone (their exits
 * to members become jumps; growing on from them made regions that cost more
 * to compile than they saved). Indirect exits compare their target with these before
 * leaving (ret_sites), so a loop through an indirect call or a dispatch stays
 * inside. A racy read of another cpu's cache at worst picks a useless block.
 * False if none was added. Under e->lock. */
static bool grow_indirect(EmuEngine *e, Region *r, uint64_t bar) {
  enum { MAX_TARGETS = 8 };
  Tb *cand[MAX_TARGETS];
  uint64_t heat[MAX_TARGETS];
  uint32_t nc = 0;
  for (uint32_t c = 0; c < e->ncpus; c++) {
    const BfJcacheEntry *jc = e->cpus[c]->rt.jcache;
    for (uint32_t i = 0; jc && i < BF_JCACHE_SIZE; i++) {
      Tb *t = tb_lookup(e, __atomic_load_n(&jc[i].pc, __ATOMIC_RELAXED));
      uint64_t h = t && !t->tier2 && !t->ir && !t->invalid ? counter_of(t) : 0;
      if (h < bar || find_member(r, t) >= 0)
        continue;
      uint32_t k = 0;
      while (k < nc && cand[k] != t)
        k++;
      if (k < nc)
        continue; /* in another cpu's cache too */
      if (nc < MAX_TARGETS)
        nc++;
      else if (h <= heat[nc - 1])
        continue;
      for (k = nc - 1; k > 0 && heat[k - 1] < h; k--) /* keep them hottest first */
        cand[k] = cand[k - 1], heat[k] = heat[k - 1];
      cand[k] = t, heat[k] = h;
    }
  }
  uint32_t start = r->n;
  for (uint32_t k = 0; k < nc; k++)
    add_member(r, cand[k], true);
  return r->n > start;
}

/* An indirect exit (a return, mostly) whose target turns out to be a member
 * that follows another member in memory (a return site) jumps there instead of
 * leaving: `exiti v` becomes compares against those pcs, then the exit. */
static bool ret_sites(IrFunc *fn, const Region *r, const uint32_t *first) {
  enum { MAX_SITES = 16 };
  uint32_t site[MAX_SITES], nsites = 0;
  bool to_entry = false;
  for (uint32_t i = 0; i < r->n && nsites < MAX_SITES; i++)
    for (uint32_t k = 0; k < r->n; k++)
      if (r->indirect[i] || r->members[k]->pc + r->members[k]->guest_bytes == r->members[i]->pc) {
        site[nsites++] = i;
        break;
      }
  if (!nsites)
    return false;
  uint32_t nblocks = fn->nblocks;
  for (uint32_t b = 0; b < nblocks; b++) {
    IrBlock *blk = &fn->blocks[b];
    IrRef term = blk->insts[blk->n - 1];
    if (fn->insts[term].op != IR_OP_exiti)
      continue;
    IrRef v = fn->insts[term].args[0];
    blk->n--; /* the exit moves to the end of the compare chain */
    uint32_t at = b;
    for (uint32_t s = 0; s < nsites; s++) {
      ir_block_set(fn, at);
      IrRef pc = ir_emit_raw(fn, IR_OP_const, IR_T_i64, 0, NULL, r->members[site[s]]->pc, 0);
      IrRef args[2] = {v, pc};
      IrRef eq = ir_emit_raw(fn, IR_OP_cmp, IR_T_i1, 2, args, IR_PRED_eq, 0);
      uint32_t next = ir_block_new(fn);
      ir_block_set(fn, at);
      ir_br(fn, eq, first[site[s]], next);
      to_entry |= site[s] == 0;
      at = next;
    }
    ir_block_set(fn, at);
    ir_exiti(fn, v);
  }
  return to_entry;
}

static bool has_exiti(const IrFunc *fn) {
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    const IrBlock *blk = &fn->blocks[b];
    if (blk->n && fn->insts[blk->insts[blk->n - 1]].op == IR_OP_exiti)
      return true;
  }
  return false;
}

/* Translate the members again into u->region; false if a member's code no
 * longer translates to the same span (it changed: the block will be dropped).
 * Under e->lock (the frontend is not reentrant). */
static bool build_ir(EmuEngine *e, Tierup *u, Region *r) {
  IrFunc *fn = u->region;
  ir_func_reset(fn);
  fn->fold = false;
  uint32_t first[REGION_MAX_BLOCKS];
  for (uint32_t i = 0; i < r->n; i++) {
    Tb *t = r->members[i];
    IrBlockInfo info;
    ir_func_reset(u->block);
    e->cfg.frontend->translate(u->block, t->pc, &e->cfg.fetch, &info);
    if (info.guest_bytes != t->guest_bytes)
      return false;
    first[i] = ir_func_append(fn, u->block);
  }
  fn->entry = r->members[0]->pc;
  /* Exits to members become jumps: the region's internal edges. */
  uint32_t back = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    IrBlock *blk = &fn->blocks[b];
    IrInst *term = &fn->insts[blk->insts[blk->n - 1]];
    if (term->op != IR_OP_exit)
      continue;
    for (uint32_t i = 0; i < r->n; i++)
      if (r->members[i]->pc == term->imm) {
        term->op = IR_OP_jmp;
        term->imm = first[i];
        term->aux = 0;
        back += i == 0; /* a loop through the entry: the time is spent inside */
        break;
      }
  }
  uint32_t end0 = r->n > 1 ? first[1] : fn->nblocks;
  r->entry_indirect = false;
  for (uint32_t b = first[0]; b < end0; b++)
    r->entry_indirect |= fn->insts[fn->blocks[b].insts[fn->blocks[b].n - 1]].op == IR_OP_exiti;
  /* through the entry by an indirect exit too (a return to it, a dispatch) */
  r->loops = ret_sites(fn, r, first) || back != 0;
  return true;
}

/* From the ranges: after the engine lock was let go, a flush may have freed
 * the member blocks. */
static void log_region(const Region *r, const char *what) {
  emu_log("tier2: %s region at 0x%" PRIx64 ": %u blocks, %u insns:", what, r->ranges[0].lo, r->n,
          r->ninsns);
  for (uint32_t i = 0; i < r->n; i++)
    emu_log(" 0x%" PRIx64, r->ranges[i].lo);
  emu_log("\n");
}

/* Build, compile and install the region entered at `entry`, found hot in
 * generation gen. */
static void tier_up(EmuEngine *e, Tierup *u, Tb *entry, uint64_t gen) {
  uint64_t t0 = emu_now_ns();
  Region r;
  pthread_mutex_lock(&e->lock);
  if (e->generation != gen || entry->invalid || entry->considered) {
    pthread_mutex_unlock(&e->lock); /* gone, or inside a region built meanwhile */
    return;
  }
  grow_region(e, &r, entry, u->threshold / 4);
  /* Members are covered: a loop's other blocks would make the same region.
   * Blocks added for indirect exits are not: they may head loops of their own. */
  for (uint32_t i = 0; i < r.ncovered; i++)
    r.members[i]->considered = true;
  bool ok = build_ir(e, u, &r);
  /* Indirect targets only where they are what closes the loop (a call
   * through a pointer) or the entry dispatches: taken in everywhere, they
   * made regions four times the size, paid for in LLVM time. */
  if (ok && (!r.loops || r.entry_indirect) && has_exiti(u->region) &&
      grow_indirect(e, &r, u->threshold / 4))
    ok = build_ir(e, u, &r);
  if (ok && !r.loops)
    e->stats.llvm_noloop++;
  /* Cacheable: identified now, while its members are what was translated. */
  TcacheRegion cached, *cr = NULL;
  if (ok && r.loops && e->tcache) {
    cached.pc = entry->pc, cached.nranges = r.n, cached.ninsns = r.ninsns;
    memcpy(cached.ranges, r.ranges, r.n * sizeof *r.ranges);
    cr = tcache_region_prepare(e->tcache, &cached) ? &cached : NULL;
  }
  pthread_mutex_unlock(&e->lock);
  if (!ok || !r.loops) {
    e->stats.llvm_dropped += !ok;
    if (emu_log_on(EMU_LOG_tierup))
      log_region(&r, ok ? "skipped (no loop)" : "dropped (code changed)");
    return;
  }
  ir_optimize(u->region, &e->cfg.passes);
  BlCode code;
  if (!compile_fn(e, u->region, cr, &code))
    return;
  pthread_mutex_lock(&e->lock);
  ok = e->generation == gen;
  for (uint32_t i = 0; ok && i < r.n; i++)
    ok = !r.members[i]->invalid;
  if (ok && !tb_install_tier2(e, entry->pc, (const void *)code.fn, r.ranges, r.n, r.ninsns))
    ok = false; /* the code cache is full: the next flush starts over */
  if (ok && cr && cr->obj)
    tcache_add_region(e->tcache, cr);
  if (cr)
    free((void *)cr->obj);
  if (ok) {
    emu_perfmap_add((const void *)code.start, code.end - code.start, "llvm", entry->pc);
    e->stats.llvm_regions++;
    e->stats.llvm_blocks += r.n;
    e->stats.llvm_insns += r.ninsns;
  } else {
    e->stats.llvm_dropped++;
  }
  e->stats.llvm_ns += emu_now_ns() - t0;
  pthread_mutex_unlock(&e->lock);
  if (emu_log_on(EMU_LOG_tierup))
    log_region(&r, ok ? "installed" : "dropped (changed while compiling)");
}

Tb *tierup_cached_region(EmuEngine *e, uint64_t pc) {
  TcacheRegion r;
  if (!e->bl || !e->tcache || !tcache_find_region(e->tcache, pc, &r))
    return NULL;
  Tierup *u = tierup_get(e);
  char err[256], name[48];
  tcache_region_name(r.key, name, sizeof name);
  BlCode code;
  bool fresh;
  pthread_mutex_lock(&u->link);
  if (!llvm_usable(e, u)) {
    pthread_mutex_unlock(&u->link);
    return NULL;
  }
  bool ok = link_object(e, u, r.key, r.obj, r.size, name, &code, &fresh, err, sizeof err);
  pthread_mutex_unlock(&u->link);
  if (!ok) {
    tcache_region_refused(e->tcache, pc, err);
    return NULL;
  }
  Tb *t = tb_install_tier2(e, pc, (const void *)code.fn, r.ranges, r.nranges, r.ninsns);
  if (!t)
    return NULL; /* the code cache is full: so translating finds it */
  emu_perfmap_add((const void *)code.start, code.end - code.start, "llvm", pc);
  e->stats.llvm_regions_cached++;
  if (emu_log_on(EMU_LOG_tierup))
    emu_log("tier2: region at 0x%" PRIx64 " from the cache: %u blocks, %u insns\n", pc,
            r.nranges, r.ninsns);
  return t;
}

/* The hottest QUEUE_MAX blocks over the threshold that are not regions yet,
 * among the next SCAN_CHUNK blocks: a program with 50,000 blocks is swept in
 * 25 scans, and the lock is never held long (reading a counter is often a
 * cache miss) while cpus wait to translate. */
static uint32_t scan(EmuEngine *e, Tierup *u, Tb **queue, uint64_t *gen) {
  uint64_t counts[QUEUE_MAX];
  uint32_t n = 0;
  pthread_mutex_lock(&e->lock);
  *gen = e->generation;
  uint32_t todo = e->ntbs < SCAN_CHUNK ? e->ntbs : SCAN_CHUNK;
  for (uint32_t k = 0; k < todo; k++) {
    if (u->cursor >= e->ntbs)
      u->cursor = 0;
    Tb *t = e->by_code[u->cursor++];
    if (t->invalid || t->tier2 || t->considered || t->ir)
      continue;
    uint64_t c = counter_of(t);
    if (c < u->threshold)
      continue;
    uint32_t at = n < QUEUE_MAX ? n++ : QUEUE_MAX;
    if (at == QUEUE_MAX) { /* full: replace the coolest if this one is hotter */
      uint32_t min = 0;
      for (uint32_t i = 1; i < QUEUE_MAX; i++)
        if (counts[i] < counts[min])
          min = i;
      if (counts[min] >= c)
        continue; /* still hot at the next sweep */
      at = min;
    }
    queue[at] = t, counts[at] = c;
  }
  pthread_mutex_unlock(&e->lock);
  for (uint32_t i = 1; i < n; i++) /* hottest first */
    for (uint32_t k = i; k > 0 && counts[k] > counts[k - 1]; k--) {
      uint64_t c = counts[k];
      counts[k] = counts[k - 1], counts[k - 1] = c;
      Tb *t = queue[k];
      queue[k] = queue[k - 1], queue[k - 1] = t;
    }
  return n;
}

static void *tierup_main(void *arg) {
  EmuEngine *e = arg;
  Tierup *u = e->tierup;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL); /* guest signals go to guest threads */
  pthread_mutex_lock(&u->mu);
  while (!u->stop) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + SCAN_NS;
    ts.tv_sec += (time_t)(ns / 1000000000ull);
    ts.tv_nsec = (long)(ns % 1000000000ull);
    pthread_cond_timedwait(&u->cv, &u->mu, &ts);
    if (u->stop)
      break;
    pthread_mutex_unlock(&u->mu);
    Tb *queue[QUEUE_MAX];
    uint64_t gen;
    uint32_t n = scan(e, u, queue, &gen);
    for (uint32_t i = 0; i < n && !__atomic_load_n(&u->stop, __ATOMIC_RELAXED); i++)
      tier_up(e, u, queue[i], gen);
    pthread_mutex_lock(&u->mu);
  }
  pthread_mutex_unlock(&u->mu);
  return NULL;
}

bool tierup_start(EmuEngine *e) {
  Tierup *u = tierup_get(e);
  if (u->running)
    return true;
  /* LLVM is loaded (backend_llvm/bl_llvm.c) before the guest runs, as when
   * it was linked: loaded beside the guest (measured: 30-95 ms on a busy
   * host), the loops of a short program ended before their region came. */
  pthread_mutex_lock(&u->compile);
  bool usable = llvm_usable(e, u);
  pthread_mutex_unlock(&u->compile);
  if (!usable)
    return false;
  if (!u->block) {
    u->block = ir_func_new(e->cfg.frontend->rf);
    u->region = ir_func_new(e->cfg.frontend->rf);
  }
  u->stop = false;
  u->running = pthread_create(&u->thread, NULL, tierup_main, e) == 0;
  return u->running;
}

void tierup_stop(EmuEngine *e) {
  Tierup *u = e->tierup;
  if (!u || !u->running)
    return;
  pthread_mutex_lock(&u->mu);
  __atomic_store_n(&u->stop, true, __ATOMIC_RELAXED);
  pthread_cond_signal(&u->cv);
  pthread_mutex_unlock(&u->mu);
  pthread_join(u->thread, NULL);
  u->running = false;
}

void tierup_free(EmuEngine *e) {
  Tierup *u = e->tierup;
  if (!u)
    return;
  tierup_stop(e);
  ir_func_free(u->block);
  ir_func_free(u->region);
  free(u->known);
  pthread_mutex_destroy(&u->compile);
  pthread_mutex_destroy(&u->link);
  pthread_mutex_destroy(&u->mu);
  pthread_cond_destroy(&u->cv);
  free(u);
  e->tierup = NULL;
}

/* Fork copies only the forking thread: hold the compiler still (no LLVM lock
 * held by it in the child) and start a new background thread in the child. */
void tierup_fork_lock(EmuEngine *e) {
  if (e->tierup) {
    pthread_mutex_lock(&e->tierup->compile);
    pthread_mutex_lock(&e->tierup->link);
  }
}

void tierup_fork_unlock(EmuEngine *e, bool child) {
  Tierup *u = e->tierup;
  if (!u)
    return;
  if (!child) {
    pthread_mutex_unlock(&u->link);
    pthread_mutex_unlock(&u->compile);
    return;
  }
  pthread_mutex_init(&u->compile, NULL);
  pthread_mutex_init(&u->link, NULL);
  pthread_mutex_init(&u->mu, NULL);
  pthread_cond_init(&u->cv, NULL);
  bool was = u->running;
  u->running = false;
  if (was)
    tierup_start(e);
}
