/* engine.h — the runtime's internal state: the engine (code cache, block map,
 * translation scratch) and translation blocks. Runners see only emu.h. */
#ifndef EMU_ENGINE_H
#define EMU_ENGINE_H

#include <pthread.h>

#include "bl.h"
#include "codecache.h"
#include "emu.h"

/* A direct exit of another block that was chained to this block. */
typedef struct TbLink {
  struct Tb *from;
  uint32_t exit;
} TbLink;

/* Guest code a block was translated from (a region has one per member). */
typedef struct TbRange {
  uint64_t lo, hi;
} TbRange;

/* What a block is found by. User mode: phys = vpc = pc, mode 0. System mode:
 * the guest-physical pc (hashing, invalidation), the virtual pc the code was
 * translated at (its exits and pc-relative values), and the CPU mode. */
typedef struct TbKey {
  uint64_t phys, vpc;
  uint32_t mode;
} TbKey;

typedef struct Tb {
  uint64_t pc;  /* TbKey.phys */
  uint64_t vpc; /* TbKey.vpc */
  uint32_t mode;
  uint32_t guest_bytes, ninsns;
  IrFunc *ir;          /* interpreter tier */
  const uint8_t *code; /* rx address (compiled tiers) */
  BfBlock bf;          /* exits and the host->guest pc map */
  struct Tb *hnext;    /* hash chain */
  TbLink *in;          /* chained into this block */
  uint32_t nin, capin;
  bool invalid;        /* written under the lock, read lock-free (__atomic) */
  bool tier2;          /* code is a thunk into backend_llvm code */
  bool considered;     /* tier-up looked at it as a region entry (under the lock) */
  TbRange *ranges;     /* tier-2 region: its members' guest code (NULL: [pc, +guest_bytes)) */
  uint32_t nranges;
} Tb;

#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1u << TB_HASH_BITS)
#define TB_PAGE_BITS 65536u
#define TB_PAGE_INDEX_SIZE 4096u

struct EmuEngine {
  EmuEngineConfig cfg;
  BfConfig bf;
  CodeCache cc;
  BfTrampolines tramp;
  pthread_mutex_t lock; /* translation, the block map, chaining */
  Tb *hash[TB_HASH_SIZE];
  Tb *unlisted; /* blocks compiled by emu_exec_func, freed at flush */
  Tb **by_code; /* in code-cache order = ascending code address */
  uint32_t ntbs, captbs;
  uint64_t generation; /* bumped by each flush */
  uint64_t pc_lo, pc_hi; /* guest code of every block since the flush is inside */
  /* Bit hash(page) set: some block since the flush may hold code of that guest
   * page. Invalidating code-free ranges (thread stacks) then skips the walk. */
  uint64_t code_pages[TB_PAGE_BITS / 64];
  /* The blocks holding code of each guest page (TbPage chains by page hash),
   * so invalidating a few pages does not walk every block. Entries of dropped
   * blocks go at the next invalidation of their page or flush. */
  struct TbPage *page_index[TB_PAGE_INDEX_SIZE];
  IrFunc *scratch;     /* translation buffer, reused */
  BlJit *bl;           /* tier 2 (llvm and auto tiers) */
  struct Tierup *tierup; /* auto tier: the background compiler (tierup.c) */
  struct Tcache *tcache; /* persistent translation cache (tcache.c), or NULL */
  EmuStats stats;       /* translation counters; execution counters are per cpu */
  uint64_t insns_done;  /* executed by blocks since flushed, and by freed cpus */
  uint64_t blocks_done; /* dispatcher entries of freed cpus */
  EmuCpu **cpus;
  uint32_t ncpus, capcpus;
  /* Exclusive sections (exclusive.c), under lock. */
  pthread_cond_t excl_stopped; /* the requester waits here for the cpus it counted */
  pthread_cond_t excl_resume;  /* cpus entering emu_exec wait here for the section to end */
  int excl_pending;            /* 0: none; else 1 + counted cpus still running (read lock-free) */
};

Tb *tb_lookup(EmuEngine *e, uint64_t pc); /* user mode */
Tb *tb_lookup_key(EmuEngine *e, const TbKey *k);
/* Translate and publish; caller holds e->lock. NULL: the code cache is full
 * and must be flushed, which needs an exclusive section (exec.c does it).
 * cpu: the translating cpu (system mode's hooks need it; NULL in user mode). */
Tb *tb_translate(EmuEngine *e, uint64_t pc); /* user mode */
Tb *tb_translate_key(EmuEngine *e, EmuCpu *cpu, const TbKey *k);
static inline bool engine_system(const EmuEngine *e) { return e->cfg.code_key != NULL; }
Tb *tb_by_code(EmuEngine *e, uintptr_t rx);  /* block containing host address; under e->lock */
/* Compile fn outside the block map (found by tb_by_code only); caller holds
 * e->lock. NULL: the code cache is full, as for tb_translate. */
Tb *tb_compile_func(EmuEngine *e, const IrFunc *fn);
void tb_chain(EmuEngine *e, Tb *from, uint32_t exit, Tb *to);
/* Emit a thunk for tier-2 code fn into the code cache and publish it as the
 * block at pc in place of any block there (unhooked like an invalidation).
 * ranges: the guest code it was made from (copied). Caller holds e->lock.
 * NULL: the code cache is full. */
Tb *tb_install_tier2(EmuEngine *e, uint64_t pc, const void *fn, const TbRange *ranges,
                     uint32_t nranges, uint32_t ninsns);
/* Free every block: caller holds e->lock inside an exclusive section. */
void tb_flush_all(EmuEngine *e);
/* perfmap.c: with -d perfmap, name host code [code, code+size) for perf. */
void emu_perfmap_add(const void *code, size_t size, const char *tier, uint64_t pc);
/* Unhook blocks (they stay allocated until the next flush): caller holds
 * e->lock; other cpus may keep running. */
void tb_invalidate_range(EmuEngine *e, uint64_t start, uint64_t end);
/* Unhook one block as tb_invalidate_range would (system mode: its code no
 * longer matches its key); caller holds e->lock. */
void tb_drop(EmuEngine *e, Tb *t);

/* Empty every indirect-branch cache of cpu (each mode's in system mode). */
void emu_jcache_clear_all(EmuCpu *cpu);

/* exclusive.c: a cpu enters / leaves emu_exec (its "running" state). */
void excl_cpu_enter(EmuCpu *cpu);
void excl_cpu_leave(EmuCpu *cpu);
void excl_init(EmuEngine *e); /* also in a forked child */

/* tierup.c: the auto tier's background compiler. */
bool tierup_start(EmuEngine *e);
uint32_t tierup_threshold(const EmuEngineConfig *cfg); /* executions that make a block hot */
void tierup_stop(EmuEngine *e);
void tierup_free(EmuEngine *e); /* stops it first */
void tierup_fork_lock(EmuEngine *e);   /* no compile in progress across fork */
void tierup_fork_unlock(EmuEngine *e, bool child);
/* One function through LLVM, serialised with the background compiler. */
bool tierup_compile(EmuEngine *e, const IrFunc *fn, BlCode *out);
/* The tier-2 region the persistent cache holds for pc, loaded and installed
 * (tb_install_tier2), or NULL. Caller holds e->lock. */
Tb *tierup_cached_region(EmuEngine *e, uint64_t pc);
uint64_t emu_now_ns(void);

#endif
