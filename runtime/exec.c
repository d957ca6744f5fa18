/* exec.c — the dispatcher: find or translate the block at the guest pc, run it
 * (interpreter or generated code), chain direct exits, refill the indirect
 * branch cache, and return to the runner for syscalls, exceptions and requests.
 * Host faults inside generated code unwind here through emu_host_fault.
 *
 * Threads: each cpu runs on its own thread; lookups are lock-free, translation
 * and chaining take e->lock, and flushing the full code cache waits for the
 * other cpus to leave emu_exec (exclusive.c), since they may be running blocks
 * or holding Tb pointers. Execution counters are per cpu. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "engine.h"
#include "softmmu.h"
#include "tcache.h"

/* backend_fast reads the TLB with its own constants. */
_Static_assert(BF_TLB_BITS == SOFTMMU_TLB_BITS && BF_TLB_ENTRY == sizeof(SoftTlbEntry) &&
                   BF_TLB_TAG_READ == offsetof(SoftTlbEntry, tag_read) &&
                   BF_TLB_TAG_WRITE == offsetof(SoftTlbEntry, tag_write) &&
                   BF_TLB_ADDEND == offsetof(SoftTlbEntry, addend) &&
                   BF_TLB_PAGE_BITS == SOFTMMU_PAGE_BITS &&
                   BF_MMU_INFO_ATOMIC == SOFTMMU_INFO_ATOMIC &&
                   sizeof(SoftTlb) == SOFTMMU_MMU_MAX * (BF_TLB_ENTRY << BF_TLB_BITS),
               "backend_fast's TLB layout is not softmmu.h's");

void emu_jcache_init(BfJcacheEntry *jc); /* tb.c */

#define DEFAULT_CODE_CACHE (256u << 20)

static __thread EmuCpu *current_cpu;

EmuCpu *emu_cpu_current(void) { return current_cpu; }

/* Offset of a runtime field from the guest state base (negative). */
#define RT_OFF(field) ((int32_t)(offsetof(EmuCpu, rt.field) - offsetof(EmuCpu, guest)))

/* Tier-2 results go to the shared epilogue as they are (bf_compile_thunk). */
_Static_assert((int)BL_EXIT_JUMP == (int)BF_EXIT_JUMP &&
                   (int)BL_EXIT_SYSCALL == (int)BF_EXIT_SYSCALL &&
                   (int)BL_EXIT_EXCEPTION == (int)BF_EXIT_EXCEPTION,
               "backend_llvm and backend_fast exit kinds differ");
_Static_assert(sizeof(BlRet) == sizeof(BfRet), "BlRet is not BfRet");

static void bl_log(const char *text) { emu_log("%s", text); }

/* The llvm and auto tiers' JIT; NULL (with a warning) if LLVM cannot start,
 * and then tier 1 carries on alone. */
static BlJit *make_jit(const EmuEngineConfig *cfg) {
  const IrRegFile *rf = cfg->frontend->rf;
  BlConfig bc = {
      .off_exit_request = RT_OFF(exit_request),
      .off_exc_kind = RT_OFF(exc_kind),
      .off_exc_arg = RT_OFF(exc_arg),
      .off_exc_write = RT_OFF(exc_write),
      .off_pc = rf->regs[cfg->frontend->pc_slot].offset,
      .guest_base = cfg->guest_base,
      .guest_limit = cfg->guest_limit,
      .opt_level = 2,
      .log = bl_log,
      .dump_ir = emu_log_on(EMU_LOG_llvm_ir),
      .dump_asm = emu_log_on(EMU_LOG_llvm_asm),
  };
  char err[256];
  BlJit *j = bl_jit_new(&bc, err, sizeof err);
  if (!j)
    fprintf(stderr, "emu: warning: LLVM tier unavailable (%s); using the fast tier only\n", err);
  return j;
}

EmuEngine *emu_engine_new(const EmuEngineConfig *cfg) {
  EmuEngine *e = calloc(1, sizeof *e);
  if (!e)
    return NULL;
  e->cfg = *cfg;
  if (cfg->softmmu && (cfg->tier == EMU_TIER_LLVM || cfg->tier == EMU_TIER_AUTO))
    e->cfg.tier = EMU_TIER_FAST; /* backend_llvm has no softmmu lowering yet */
  cfg = &e->cfg;
  pthread_mutex_init(&e->lock, NULL);
  excl_init(e);
  e->scratch = ir_func_new(cfg->frontend->rf);
  if (cfg->tier != EMU_TIER_INTERP) {
    size_t size = cfg->code_cache_size ? cfg->code_cache_size : DEFAULT_CODE_CACHE;
    if (!codecache_init(&e->cc, size)) {
      free(e);
      return NULL;
    }
    if (!bf_emit_trampolines(e->cc.rw, e->cc.rx, e->cc.size < 65536 ? e->cc.size : 65536,
                             &e->tramp)) { /* a few hundred bytes */
      codecache_destroy(&e->cc);
      free(e);
      return NULL;
    }
    e->cc.used = e->cc.reserved = (e->tramp.size + 63) & ~(size_t)63;
    emu_perfmap_add(e->cc.rx, e->tramp.size, "trampolines", 0);
  }
  e->bf = (BfConfig){
      .off_exit_request = RT_OFF(exit_request),
      .off_exc_kind = RT_OFF(exc_kind),
      .off_exc_arg = RT_OFF(exc_arg),
      .off_exc_write = RT_OFF(exc_write),
      .off_jcache = RT_OFF(jcache),
      .guest_base = cfg->guest_base,
      .guest_limit = cfg->guest_limit,
      .epilogue = e->tramp.epilogue,
      /* Exact counts for -d stats; else only as far as tier-up looks. */
      .counter_cap = emu_log_on(EMU_LOG_stats) ? 0
                     : cfg->tier == EMU_TIER_AUTO ? tierup_threshold(cfg)
                                                  : 1,
      /* Without tier-up or -d stats nothing reads a count. */
      .no_counter = cfg->tier != EMU_TIER_AUTO && !emu_log_on(EMU_LOG_stats),
  };
  if (cfg->softmmu) {
    e->bf.off_tlb = cfg->softmmu->tlb_offset;
    e->bf.off_mmu_scratch = RT_OFF(mmu_scratch);
    e->bf.off_mmu_pc = RT_OFF(mmu_pc);
    e->bf.off_mmu_addr = RT_OFF(mmu_addr);
    e->bf.off_mmu_info = RT_OFF(mmu_info);
    e->bf.mmu_load = (const void *)cfg->softmmu->load;
    e->bf.mmu_store = (const void *)cfg->softmmu->store;
    if (cfg->tier != EMU_TIER_INTERP) { /* the thunks go after the trampolines */
      size_t at = e->cc.used, n = bf_emit_mmu_thunks(e->cc.rw + at, e->cc.rx + at, 4096, &e->bf);
      if (!n) {
        emu_engine_free(e);
        return NULL;
      }
      e->cc.used = e->cc.reserved = (at + n + 63) & ~(size_t)63;
    }
  }
  if (cfg->tier == EMU_TIER_LLVM || cfg->tier == EMU_TIER_AUTO)
    e->bl = make_jit(cfg);
  if (cfg->tier == EMU_TIER_AUTO && e->bl)
    tierup_start(e);
  e->tcache = tcache_new(e);
  return e;
}

void emu_engine_cache_save(EmuEngine *e) {
  if (!e || !e->tcache)
    return;
  /* Called on the way out: a thread stuck holding the lock only costs the save. */
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 1;
  if (pthread_mutex_timedlock(&e->lock, &until) != 0)
    return;
  tcache_save(e->tcache);
  pthread_mutex_unlock(&e->lock);
}

void emu_engine_free(EmuEngine *e) {
  if (!e)
    return;
  tierup_stop(e);
  pthread_mutex_lock(&e->lock);
  tb_flush_all(e);
  pthread_mutex_unlock(&e->lock);
  tcache_free(e->tcache);
  codecache_destroy(&e->cc);
  tierup_free(e);
  bl_jit_free(e->bl);
  ir_func_free(e->scratch);
  free(e->by_code);
  free(e->cpus);
  free(e);
}

static uint64_t read_counter(const uint64_t *c) { return __atomic_load_n(c, __ATOMIC_RELAXED); }
/* Only the cpu's own thread writes its counters; others read them. */
static void bump_counter(uint64_t *c, uint64_t n) {
  __atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* Guest instructions run: each block's entry counter times its instruction
 * count (blocks left early by an exception count whole), plus the interpreter's.
 * Threads running one block bump its counter without a lock prefix, so with
 * several cpus a few entries may be lost: the count is a lower bound then. */
static uint64_t count_executed(const EmuEngine *e) {
  uint64_t n = e->insns_done;
  for (uint32_t i = 0; i < e->ntbs; i++) {
    const Tb *t = e->by_code[i];
    n += read_counter((const uint64_t *)(t->code + t->bf.counter_off)) * t->ninsns;
  }
  for (uint32_t i = 0; i < e->ncpus; i++)
    n += read_counter(&e->cpus[i]->rt.insns_interp);
  return n;
}

/* The counters, live; the execution counts are brought up to date by this call. */
const EmuStats *emu_engine_stats(EmuEngine *e) {
  pthread_mutex_lock(&e->lock);
  e->stats.insns_executed = count_executed(e);
  uint64_t blocks = e->blocks_done;
  for (uint32_t i = 0; i < e->ncpus; i++)
    blocks += read_counter(&e->cpus[i]->rt.blocks_executed);
  e->stats.blocks_executed = blocks;
  pthread_mutex_unlock(&e->lock);
  return &e->stats;
}

/* The child's code cache is copied here, before fork (codecache_fork_prepare). */
void emu_engine_fork_lock(EmuEngine *e) {
  pthread_mutex_lock(&e->lock);
  tierup_fork_lock(e); /* LLVM holds locks of its own while it compiles */
  codecache_fork_prepare(&e->cc); /* on failure the child copies its own */
}

void emu_engine_fork_unlock(EmuEngine *e) {
  codecache_fork_parent(&e->cc);
  tierup_fork_unlock(e, false);
  pthread_mutex_unlock(&e->lock);
}

bool emu_engine_after_fork(EmuEngine *e) {
  /* Only this thread survives: forget the other cpus and any section. */
  pthread_mutex_init(&e->lock, NULL); /* held across fork, or by another thread */
  excl_init(e);
  EmuCpu *self = current_cpu;
  uint32_t n = 0;
  for (uint32_t i = 0; i < e->ncpus; i++)
    if (e->cpus[i] == self)
      e->cpus[n++] = self;
  e->ncpus = n;
  if (self) {
    self->rt.running = 0;
    self->rt.has_waiter = false;
  }
  bool ok = codecache_fork_child(&e->cc);
  tierup_fork_unlock(e, true); /* restarts the background compiler here */
  return ok;
}

/* Flush with every other cpu stopped; the caller's cpu (if any) is outside
 * emu_exec or has left its running state. gen: the generation the caller saw
 * full, so a flush another cpu did in the meantime is not repeated. */
static void flush_exclusive(EmuEngine *e, uint64_t gen) {
  emu_exclusive_start(e);
  pthread_mutex_lock(&e->lock);
  if (e->generation == gen)
    tb_flush_all(e);
  pthread_mutex_unlock(&e->lock);
  emu_exclusive_end(e);
}

void emu_engine_flush(EmuEngine *e) {
  pthread_mutex_lock(&e->lock);
  uint64_t gen = e->generation;
  pthread_mutex_unlock(&e->lock);
  flush_exclusive(e, gen);
}

void emu_engine_invalidate(EmuEngine *e, uint64_t start, uint64_t end) {
  pthread_mutex_lock(&e->lock);
  tb_invalidate_range(e, start, end);
  pthread_mutex_unlock(&e->lock);
}

static size_t state_size64(const EmuEngine *e) {
  return (e->cfg.frontend->rf->state_size + 63) & ~(size_t)63;
}

void *emu_cpu_extra(EmuCpu *cpu) { return cpu->guest + state_size64(cpu->rt.engine); }

/* One indirect-branch cache per mode in system mode (cpu->rt.jcaches), or one. */
static bool jcaches_new(EmuCpu *cpu, EmuEngine *e) {
  uint32_t n = engine_system(e) ? EMU_MODES : 1;
  for (uint32_t m = 0; m < n; m++) {
    BfJcacheEntry *jc = malloc(BF_JCACHE_SIZE * sizeof *jc);
    if (!jc)
      return false;
    emu_jcache_init(jc);
    if (n > 1)
      cpu->rt.jcaches[m] = jc;
    cpu->rt.jcache_modes = 1; /* mode 0 is where a cpu starts */
    if (m == 0)
      cpu->rt.jcache = jc;
  }
  return true;
}

static void jcaches_free(EmuCpu *cpu) {
  if (!cpu->rt.jcaches[0])
    free(cpu->rt.jcache);
  for (uint32_t m = 0; m < EMU_MODES; m++)
    free(cpu->rt.jcaches[m]);
}

EmuCpu *emu_cpu_new(EmuEngine *e, void *runner) {
  size_t size = sizeof(EmuCpu) + state_size64(e) + e->cfg.cpu_extra;
  EmuCpu *cpu = aligned_alloc(64, (size + 63) & ~(size_t)63);
  if (!cpu)
    return NULL;
  memset(cpu, 0, size);
  cpu->rt.engine = e;
  cpu->rt.runner = runner;
  if (!jcaches_new(cpu, e)) {
    jcaches_free(cpu);
    free(cpu);
    return NULL;
  }
  pthread_mutex_lock(&e->lock);
  if (e->ncpus == e->capcpus) {
    e->capcpus = e->capcpus ? 2 * e->capcpus : 4;
    e->cpus = realloc(e->cpus, e->capcpus * sizeof *e->cpus);
    if (!e->cpus)
      abort();
  }
  e->cpus[e->ncpus++] = cpu;
  pthread_mutex_unlock(&e->lock);
  return cpu;
}

void emu_cpu_free(EmuCpu *cpu) {
  if (!cpu)
    return;
  EmuEngine *e = cpu->rt.engine;
  pthread_mutex_lock(&e->lock);
  for (uint32_t i = 0; i < e->ncpus; i++)
    if (e->cpus[i] == cpu)
      e->cpus[i] = e->cpus[--e->ncpus];
  e->blocks_done += cpu->rt.blocks_executed;
  e->insns_done += cpu->rt.insns_interp;
  pthread_mutex_unlock(&e->lock);
  if (current_cpu == cpu)
    current_cpu = NULL;
  jcaches_free(cpu);
  free(cpu);
}

static uint64_t *pc_slot(const EmuCpu *cpu) {
  const EmuEngine *e = cpu->rt.engine;
  const IrRegFile *rf = e->cfg.frontend->rf;
  return (uint64_t *)(cpu->guest + rf->regs[e->cfg.frontend->pc_slot].offset);
}

uint64_t emu_cpu_pc(const EmuCpu *cpu) { return *pc_slot(cpu); }
void emu_cpu_set_pc(EmuCpu *cpu, uint64_t pc) { *pc_slot(cpu) = pc; }

void emu_cpu_set_mode(EmuCpu *cpu, uint32_t mode) {
  if (cpu->rt.jcaches[0] && mode < EMU_MODES) {
    cpu->rt.jcache = cpu->rt.jcaches[mode];
    cpu->rt.jcache_modes |= 1u << mode;
  }
}

void emu_cpu_flush_vcache(EmuCpu *cpu) { emu_jcache_clear_all(cpu); }

void emu_cpu_flush_vcache_mode(EmuCpu *cpu, uint32_t mode) {
  if (!cpu->rt.jcaches[0] || mode >= EMU_MODES) {
    emu_jcache_clear_all(cpu);
    return;
  }
  if (cpu->rt.jcache_modes >> mode & 1)
    emu_jcache_init(cpu->rt.jcaches[mode]);
  if (cpu->rt.jcaches[mode] != cpu->rt.jcache) /* the current mode stays entered */
    cpu->rt.jcache_modes &= ~(1u << mode);
}

void emu_cpu_raise(EmuCpu *cpu, IrExc exc, uint64_t addr, bool write) {
  cpu->rt.exc_kind = exc;
  cpu->rt.exc_arg = addr;
  cpu->rt.exc_write = write;
}

/* The guest pc of generated code at host_pc, or false (not a block of ours). */
static bool guest_pc_at(EmuEngine *e, uintptr_t host_pc, uint64_t *pc) {
  if (!codecache_contains(&e->cc, host_pc))
    return false;
  /* The lock guards by_code against a translating thread growing it. This
   * thread cannot hold it here (generated code never runs under it) and no
   * flush can be waiting on the lock while this cpu still runs guest code. */
  pthread_mutex_lock(&e->lock);
  Tb *t = tb_by_code(e, host_pc);
  if (t)
    *pc = bf_pc_at(&t->bf, (uint32_t)(host_pc - (uintptr_t)t->code));
  pthread_mutex_unlock(&e->lock);
  return t != NULL;
}

_Noreturn void emu_helper_fault(EmuCpu *cpu, uint64_t addr, bool write, void *host_ret) {
  /* The slow path's stub stored the access's guest pc (stubs sit after the
   * block's code, where the pc map does not reach). */
  if (!codecache_contains(&cpu->rt.engine->cc, (uintptr_t)host_ret))
    emu_crash_report(0, NULL, NULL, "softmmu fault from outside generated code");
  emu_cpu_set_pc(cpu, cpu->rt.mmu_pc);
  cpu->rt.exc_arg = addr;
  cpu->rt.exc_write = write;
  siglongjmp(cpu->rt.fault_jmp, 1);
}

/* The code cache is full: the running cpu steps out of its running state
 * (dropping its Tb pointers: callers compare e->generation) to flush. */
static void flush_full(EmuCpu *cpu, EmuEngine *e, uint64_t gen) {
  excl_cpu_leave(cpu);
  flush_exclusive(e, gen);
  excl_cpu_enter(cpu);
}

/* System mode: a block whose last instruction reaches into the next page was
 * translated from what that page mapped then; once it maps elsewhere the
 * block no longer matches its key (QEMU's lookup compares the second page's
 * physical address too). */
static bool tail_page_moved(EmuCpu *cpu, EmuEngine *e, const Tb *t) {
  uint64_t split = (t->vpc | 0xfff) + 1, phys;
  uint32_t mode;
  if (!engine_system(e) || t->vpc + t->guest_bytes <= split)
    return false;
  uint64_t was = t->nranges == 2 ? t->ranges[1].lo : t->pc + (split - t->vpc);
  return !e->cfg.code_key(cpu, split, &phys, &mode) || phys != was;
}

/* Translating (LLVM included) does floating point of its own, which must not
 * flush as the guest asked nor touch its flags: it runs in a clean
 * environment, and the guest's (returned) goes back after. */
static uint32_t fenv_clean(void) {
  uint32_t guest_env = ir_fenv_host_get();
  ir_fenv_host_set(0);
  return guest_env;
}

/* NULL only in system mode: fetching the code at pc faulted (the runner's
 * code_key recorded the exception with emu_cpu_raise). */
static Tb *find_or_translate(EmuCpu *cpu, EmuEngine *e, uint64_t pc) {
  TbKey k = {pc, pc, 0};
  if (engine_system(e) && !e->cfg.code_key(cpu, pc, &k.phys, &k.mode))
    return NULL;
  Tb *t = tb_lookup_key(e, &k);
  if (t && tail_page_moved(cpu, e, t)) {
    pthread_mutex_lock(&e->lock);
    tb_drop(e, t);
    pthread_mutex_unlock(&e->lock);
    t = NULL;
  }
  if (t)
    return t;
  uint32_t guest_env = fenv_clean();
  while (!t) {
    pthread_mutex_lock(&e->lock);
    t = tb_lookup_key(e, &k);
    if (!t)
      t = tb_translate_key(e, cpu, &k);
    uint64_t gen = e->generation;
    pthread_mutex_unlock(&e->lock);
    if (!t)
      flush_full(cpu, e, gen);
  }
  ir_fenv_host_set(guest_env);
  return t;
}

static EmuExit exception_exit(EmuCpu *cpu, uint64_t pc, IrExc exc, uint64_t addr, bool write) {
  emu_cpu_set_pc(cpu, pc);
  return (EmuExit){.reason = EMU_EXIT_EXCEPTION, .exc = exc, .addr = addr, .is_write = write};
}

/* The instruction fetch at pc faulted (system mode). */
static EmuExit fetch_fault_exit(EmuCpu *cpu, uint64_t pc) {
  return exception_exit(cpu, pc, (IrExc)cpu->rt.exc_kind, cpu->rt.exc_arg, cpu->rt.exc_write);
}

/* The interpreter tier: one IR function per block, no chaining. */
static EmuExit exec_interp(EmuCpu *cpu, EmuEngine *e, uint64_t pc) {
  for (;;) {
    if (cpu->rt.exit_request) {
      cpu->rt.exit_request = 0;
      emu_cpu_set_pc(cpu, pc);
      return (EmuExit){.reason = EMU_EXIT_INTERRUPT};
    }
    Tb *t = find_or_translate(cpu, e, pc);
    if (!t)
      return fetch_fault_exit(cpu, pc);
    if (emu_log_on(EMU_LOG_exec))
      emu_log("Trace: 0x%" PRIx64 "\n", pc);
    bump_counter(&cpu->rt.blocks_executed, 1);
    bump_counter(&cpu->rt.insns_interp, t->ninsns);
    IrExit x = ir_interp(t->ir, cpu->guest, &e->cfg.mem);
    switch (x.kind) {
    case IR_EXIT_JUMP:
      pc = x.pc;
      break;
    case IR_EXIT_SYSCALL:
      emu_cpu_set_pc(cpu, x.pc);
      return (EmuExit){.reason = EMU_EXIT_SYSCALL};
    case IR_EXIT_EXCEPTION:
      return exception_exit(cpu, x.pc, x.exc, x.addr, x.is_write);
    }
  }
}

/* Remember t for its pc in this cpu's jump cache. tb_invalidate_range clears
 * entries of other cpus without stopping them: it marks the block invalid,
 * fences, then clears; we fill, fence, then check. Either it sees our entry or
 * we see the mark, so a dropped block never stays in the cache. */
static void jcache_fill(BfJcacheEntry *j, const Tb *t) {
  __atomic_store_n(&j->code, t->code, __ATOMIC_RELAXED);
  __atomic_store_n(&j->pc, t->vpc, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (__atomic_load_n(&t->invalid, __ATOMIC_RELAXED))
    __atomic_store_n(&j->pc, ~0ull, __ATOMIC_RELAXED);
}

/* Generated code: enter, and handle whatever made it come back. */
/* May a direct exit of from jump straight to to? In system mode only inside
 * one guest page (a mapping change cannot make the jump wrong) and never into
 * a block whose last instruction reaches into the next page. */
static bool chainable(const EmuEngine *e, const Tb *from, const Tb *to) {
  if (!engine_system(e))
    return true;
  return (from->vpc >> 12) == (to->vpc >> 12) && (to->vpc & 0xfff) + to->guest_bytes <= 0x1000;
}

static EmuExit exec_compiled(EmuCpu *cpu, EmuEngine *e, uint64_t pc) {
  Tb *t = find_or_translate(cpu, e, pc);
  if (!t)
    return fetch_fault_exit(cpu, pc);
  for (;;) {
    if (cpu->rt.exit_request) {
      cpu->rt.exit_request = 0;
      emu_cpu_set_pc(cpu, pc);
      return (EmuExit){.reason = EMU_EXIT_INTERRUPT};
    }
    if (emu_log_on(EMU_LOG_exec))
      emu_log("Trace: 0x%" PRIx64 "\n", pc);
    bump_counter(&cpu->rt.blocks_executed, 1);
    cpu->rt.in_guest = 1;
    BfRet r = e->tramp.enter(cpu->guest, t->code);
    cpu->rt.in_guest = 0;
    pc = r.pc;
    switch (BF_EXIT_KIND(r.info)) {
    case BF_EXIT_CHAIN: {
      uint64_t gen = __atomic_load_n(&e->generation, __ATOMIC_RELAXED);
      Tb *next = find_or_translate(cpu, e, pc); /* may flush: then r.info is stale */
      if (!next)
        return fetch_fault_exit(cpu, pc);
      pthread_mutex_lock(&e->lock);
      Tb *from = gen == e->generation ? tb_by_code(e, (uintptr_t)r.info) : NULL;
      if (from && chainable(e, from, next)) {
        for (uint32_t i = 0; i < from->bf.nexits; i++)
          if (from->code + from->bf.exits[i].patch_off == (const uint8_t *)r.info)
            tb_chain(e, from, i, next);
      }
      pthread_mutex_unlock(&e->lock);
      t = next;
      break;
    }
    case BF_EXIT_JUMP:
      t = find_or_translate(cpu, e, pc);
      if (!t)
        return fetch_fault_exit(cpu, pc);
      jcache_fill(&cpu->rt.jcache[bf_jcache_hash(pc)], t);
      break;
    case BF_EXIT_SYSCALL:
      emu_cpu_set_pc(cpu, pc);
      return (EmuExit){.reason = EMU_EXIT_SYSCALL};
    case BF_EXIT_EXCEPTION:
      return exception_exit(cpu, pc, (IrExc)cpu->rt.exc_kind, cpu->rt.exc_arg,
                            cpu->rt.exc_write);
    case BF_EXIT_REQUEST:
      t = find_or_translate(cpu, e, pc);
      if (!t)
        return fetch_fault_exit(cpu, pc);
      break;
    default:
      fprintf(stderr, "emu: internal error: bad exit 0x%" PRIx64 "\n", r.info);
      abort();
    }
  }
}

/* The guest's FP environment goes live in the thread for guest code, and back
 * to cpu->rt.fenv after (emu.h); the runner's own (the default) returns. */
static uint32_t fenv_enter(EmuCpu *cpu) {
  uint32_t runner_env = ir_fenv_host_get();
  ir_fenv_host_set(cpu->rt.fenv);
  return runner_env;
}
static void fenv_leave(EmuCpu *cpu, uint32_t runner_env) {
  cpu->rt.fenv = ir_fenv_host_get();
  ir_fenv_host_set(runner_env);
}

EmuExit emu_exec(EmuCpu *cpu) {
  EmuEngine *e = cpu->rt.engine;
  current_cpu = cpu;
  ir_helper_set_mem(&e->cfg.mem); /* for helpers that access guest memory (cmpxchg16b) */
  excl_cpu_enter(cpu);
  volatile uint32_t runner_env = fenv_enter(cpu); /* across a fault's siglongjmp */
  EmuExit x;
  if (sigsetjmp(cpu->rt.fault_jmp, 0)) {
    /* emu_host_fault stored the guest pc and the fault. */
    cpu->rt.in_guest = 0;
    x = exception_exit(cpu, emu_cpu_pc(cpu), IR_EXC_fault, cpu->rt.exc_arg, cpu->rt.exc_write);
  } else if (e->cfg.tier == EMU_TIER_INTERP) {
    x = exec_interp(cpu, e, emu_cpu_pc(cpu));
  } else {
    x = exec_compiled(cpu, e, emu_cpu_pc(cpu));
  }
  fenv_leave(cpu, runner_env);
  excl_cpu_leave(cpu);
  return x;
}

bool emu_host_fault(int signo, void *fault_addr, void *uc) {
  EmuCpu *cpu = current_cpu;
  if (!cpu || !cpu->rt.in_guest || (signo != SIGSEGV && signo != SIGBUS))
    return false;
  EmuEngine *e = cpu->rt.engine;
  ucontext_t *ctx = uc;
  uintptr_t host_pc = (uintptr_t)ctx->uc_mcontext.gregs[REG_RIP];
  uint64_t pc;
  if (codecache_contains(&e->cc, host_pc)) {
    if (!guest_pc_at(e, host_pc, &pc))
      return false;
    emu_cpu_set_pc(cpu, pc);
  } else if (!e->bl || !bl_owns_code(e->bl, host_pc)) {
    return false;
  } /* else tier-2 code: it stored the state and the pc slot before the access (bl.h) */
  cpu->rt.exc_arg = (uint64_t)(uintptr_t)fault_addr - e->cfg.guest_base;
  cpu->rt.exc_write = bf_fault_is_write((const uint8_t *)host_pc,
                                        (ctx->uc_mcontext.gregs[REG_ERR] & 2) != 0);
  /* The handler runs in a fresh FP state and siglongjmp keeps it: the
   * guest's, as the fault interrupted it, goes back in first. */
  if (ctx->uc_mcontext.fpregs)
    ir_fenv_host_set(ctx->uc_mcontext.fpregs->mxcsr);
  siglongjmp(cpu->rt.fault_jmp, 1);
}

static IrExit exec_func_compiled(EmuCpu *cpu, EmuEngine *e, const IrFunc *fn) {
  Tb *t = NULL;
  uint32_t guest_env = fenv_clean();
  while (!t) {
    pthread_mutex_lock(&e->lock);
    t = tb_compile_func(e, fn);
    uint64_t gen = e->generation;
    pthread_mutex_unlock(&e->lock);
    if (!t)
      flush_full(cpu, e, gen);
  }
  ir_fenv_host_set(guest_env);
  cpu->rt.in_guest = 1;
  BfRet r = e->tramp.enter(cpu->guest, t->code);
  cpu->rt.in_guest = 0;
  switch (BF_EXIT_KIND(r.info)) {
  case BF_EXIT_SYSCALL:
    return (IrExit){.kind = IR_EXIT_SYSCALL, .pc = r.pc};
  case BF_EXIT_EXCEPTION:
    return (IrExit){.kind = IR_EXIT_EXCEPTION, .exc = (IrExc)cpu->rt.exc_kind, .pc = r.pc,
                    .addr = cpu->rt.exc_arg, .is_write = cpu->rt.exc_write};
  default:
    return (IrExit){.kind = IR_EXIT_JUMP, .pc = r.pc};
  }
}

IrExit emu_exec_func(EmuCpu *cpu, const IrFunc *fn) {
  EmuEngine *e = cpu->rt.engine;
  if (e->cfg.tier == EMU_TIER_INTERP) {
    uint32_t env = fenv_enter(cpu);
    IrExit x = ir_interp(fn, cpu->guest, &e->cfg.mem);
    fenv_leave(cpu, env);
    return x;
  }
  current_cpu = cpu;
  ir_helper_set_mem(&e->cfg.mem);
  excl_cpu_enter(cpu);
  volatile uint32_t runner_env = fenv_enter(cpu); /* across a fault's siglongjmp */
  IrExit x;
  if (sigsetjmp(cpu->rt.fault_jmp, 0)) {
    cpu->rt.in_guest = 0;
    x = (IrExit){.kind = IR_EXIT_EXCEPTION, .exc = IR_EXC_fault, .pc = emu_cpu_pc(cpu),
                 .addr = cpu->rt.exc_arg, .is_write = cpu->rt.exc_write};
  } else {
    x = exec_func_compiled(cpu, e, fn);
  }
  fenv_leave(cpu, runner_env);
  excl_cpu_leave(cpu);
  return x;
}

int emu_pretranslate(EmuEngine *e, uint64_t pc, uint64_t *next, int max) {
  pthread_mutex_lock(&e->lock);
  Tb *t = tb_lookup(e, pc);
  if (!t)
    t = tb_translate(e, pc);
  int n = -1;
  if (t) {
    n = 0;
    for (uint32_t i = 0; i < t->bf.nexits && n < max; i++)
      next[n++] = t->bf.exits[i].target;
    if (n < max && t->guest_bytes) /* where a call returns to, or a fall-through */
      next[n++] = t->pc + t->guest_bytes;
  }
  pthread_mutex_unlock(&e->lock);
  return n;
}
