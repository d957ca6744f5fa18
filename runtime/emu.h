/* emu.h — the execution core both runners share: per-thread CPU glue, the
 * translation-block cache, the dispatcher, tier selection and statistics.
 *
 * A runner (user mode or system mode) creates one EmuEngine per guest process
 * or machine, one EmuCpu per guest thread/vCPU, and calls emu_exec in its CPU
 * loop; emu_exec runs guest code until something needs the runner (a syscall,
 * an exception, an interrupt request) and says what, with the guest pc stored.
 */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <setjmp.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "bf.h"
#include "ir.h"
#include "ir_frontend.h"

typedef enum EmuTier {
  EMU_TIER_INTERP, /* reference IR interpreter: slow, the oracle */
  EMU_TIER_FAST,   /* backend_fast templates */
  EMU_TIER_LLVM,   /* every block through LLVM (differential testing) */
  EMU_TIER_AUTO,   /* fast, hot regions recompiled by LLVM */
} EmuTier;

typedef struct EmuStats {
  uint64_t blocks_translated;
  uint64_t insns_translated;   /* guest instructions translated */
  uint64_t ir_insts;           /* IR instructions after optimisation */
  uint64_t code_bytes;         /* host code emitted */
  uint64_t translate_ns;       /* time spent translating (frontend + passes + backend) */
  uint64_t blocks_executed;    /* dispatcher entries (not chained transitions) */
  uint64_t insns_executed;     /* guest instructions run (compiled: block counters) */
  uint64_t chains;             /* direct exits patched */
  uint64_t flushes;            /* code cache flushes */
  /* Tier 2 (backend_llvm): regions (or, in --tier=llvm, blocks) compiled. */
  uint64_t llvm_regions;       /* compiled and installed */
  uint64_t llvm_blocks;        /* guest blocks inside them */
  uint64_t llvm_insns;         /* guest instructions inside them */
  uint64_t llvm_ns;            /* region building + LLVM lowering and compilation */
  uint64_t llvm_dropped;       /* regions not installed: code changed, or cache full */
  uint64_t llvm_failed;        /* LLVM rejected the function (a bug; tier 1 kept) */
  uint64_t llvm_noloop;        /* hot regions left in tier 1: no loop inside */
  uint64_t llvm_regions_cached; /* installed from the persistent cache (not compiled) */
  /* Persistent translation cache (tcache.c): blocks loaded instead of translated. */
  uint64_t blocks_cached;
  uint64_t insns_cached;
  uint64_t cache_ns; /* looking blocks up, loading and relocating them (hits and misses) */
} EmuStats;

typedef struct EmuEngine EmuEngine;
typedef struct EmuCpu EmuCpu;

/* Where guest code at a pc comes from: a file mapping (user mode), for the
 * persistent translation cache. Blocks hold guest addresses, so cached code
 * is only valid for the same file at the same load base. */
typedef struct EmuCodeOrigin {
  uint64_t key;     /* the file's identity (a hash of its content) */
  uint64_t base;    /* where it is loaded (mapping start - file offset) */
  uint64_t lo, hi;  /* the mapping holding pc: a cached block stays inside it */
  bool writable;    /* the guest may write this code: never cached */
  const char *name; /* the file's path (cache files are named after it) */
} EmuCodeOrigin;

/* A fast 64-bit hash of n bytes (not cryptographic): file identities,
 * checksums of the translation cache. */
uint64_t emu_hash64(const void *p, size_t n, uint64_t seed);

/* What the runner supplies. */
typedef struct EmuEngineConfig {
  const IrFrontend *frontend;
  EmuTier tier;
  IrCodeFetch fetch;      /* guest code bytes; also decides executability */
  IrMemOps mem;           /* guest memory for the interpreter tier */
  uint64_t guest_base;    /* user mode: host = guest_base + guest address */
  uint64_t guest_limit;   /* guest addresses must be below (0: none) */
  IrPassOptions passes;   /* which state stays precise at faults */
  size_t code_cache_size; /* bytes (0: default) */
  uint32_t jit_threshold; /* auto tier: executions that make a block hot (0: default) */
  /* Persistent translation cache: on when cache_dir is set and code_origin
   * says where code comes from (false: not from a file, never cached). */
  const char *cache_dir;
  uint64_t cache_max; /* bytes the folder may hold (0: default, 512 MiB) */
  bool (*code_origin)(void *ctx, uint64_t pc, EmuCodeOrigin *out);
  void *origin_ctx;
  /* System mode (docs/system.md); all NULL/0 in user mode. Guest memory is
   * virtual, reached through the softmmu TLB (softmmu.h). Blocks are keyed by
   * the guest-physical pc and the mode code_key gives for a virtual pc (an
   * instruction fetch: false means it faulted and the runner called
   * emu_cpu_raise). code_added: a block now holds guest-physical [lo, hi), so
   * writes there must take the slow path (which calls emu_engine_invalidate
   * with physical addresses). cpu_extra: bytes the runner gets after the guest
   * state of each cpu (emu_cpu_extra). */
  const struct SoftmmuOps *softmmu;
  bool (*code_key)(EmuCpu *cpu, uint64_t pc, uint64_t *phys, uint32_t *mode);
  void (*code_added)(EmuCpu *cpu, uint64_t phys_lo, uint64_t phys_hi);
  size_t cpu_extra;
} EmuEngineConfig;

EmuEngine *emu_engine_new(const EmuEngineConfig *cfg);
void emu_engine_free(EmuEngine *e);
const EmuStats *emu_engine_stats(EmuEngine *e); /* refreshes the execution counts */
void emu_engine_log_stats(EmuEngine *e); /* with -d stats: the counters to the log */
/* Around fork(): the parent holds the engine still so the child copies it whole
 * (no translation half done); emu_engine_fork_unlock in the parent afterwards. */
void emu_engine_fork_lock(EmuEngine *e);
void emu_engine_fork_unlock(EmuEngine *e);
/* In a forked child: stop sharing anything writable with the parent; the
 * calling thread's cpu is the only one left. */
bool emu_engine_after_fork(EmuEngine *e);
/* Drop every translation (e.g. after guest code changed behind our back): an
 * exclusive section, so call it from outside emu_exec. */
void emu_engine_flush(EmuEngine *e);
/* Drop translations overlapping guest [start, end). Other cpus keep running
 * (one may finish a dropped block); callable from a host fault handler. */
void emu_engine_invalidate(EmuEngine *e, uint64_t start, uint64_t end);
/* Write the blocks translated since start-up to the persistent translation
 * cache (at process exit and execve); no-op when it is off. */
void emu_engine_cache_save(EmuEngine *e);
/* Ahead-of-time translation: translate the block at pc without running it
 * (it goes to the persistent cache like any block). Writes up to max guest pcs
 * that may follow it (its direct exits, and the code after it: where a call
 * returns) to next; returns how many, or -1 when the code cache is full. */
int emu_pretranslate(EmuEngine *e, uint64_t pc, uint64_t *next, int max);

/* Exclusive sections (QEMU's start_exclusive): emu_exclusive_start returns once
 * no other cpu of e is inside emu_exec, so none runs generated code or holds a
 * block; they wait at their next emu_exec entry until emu_exclusive_end. A cpu
 * whose runner is outside emu_exec (a blocking syscall) never delays it. Call
 * from outside emu_exec; sections do not nest. */
void emu_exclusive_start(EmuEngine *e);
void emu_exclusive_end(EmuEngine *e);

#define EMU_MODES 4 /* system mode: CPU modes with their own indirect-branch cache */

/* Runtime fields the generated code reads; they sit just before the guest state. */
typedef struct EmuCpuRt {
  BfJcacheEntry *jcache;
  uint64_t exc_arg;
  uint32_t exc_kind;
  volatile int32_t exit_request;
  uint8_t exc_write;
  EmuEngine *engine;
  void *runner;          /* the runner's per-thread data */
  sigjmp_buf fault_jmp;  /* a host fault in guest code unwinds to emu_exec */
  volatile int in_guest; /* inside guest code: host faults are guest faults */
  int running;           /* inside emu_exec (exclusive.c; __atomic) */
  bool has_waiter;       /* an exclusive requester counted this cpu (engine lock) */
  uint64_t blocks_executed; /* dispatcher entries; written by the cpu's thread only */
  uint64_t insns_interp;    /* guest instructions run by the interpreter tier */
  BfJcacheEntry *jcaches[EMU_MODES]; /* system mode: one indirect-branch cache per mode */
  uint32_t jcache_modes;             /* ... of which these may hold entries */
  _Alignas(16) uint8_t mmu_scratch[16]; /* softmmu slow paths' value buffer */
  uint64_t mmu_pc;                      /* guest pc of the access in a slow path */
  uint64_t mmu_addr;                    /* its address and info word (the thunk's arguments) */
  uint32_t mmu_info;
  /* The guest's floating-point environment (IR_FENV_*: sticky exception flags,
   * flush controls) while the cpu is outside emu_exec. Inside, it lives in the
   * thread's host FP state (MXCSR), where generated code raises the flags for
   * free; emu_exec loads it on entry and stores it back on the way out. Runners
   * read and write it (signal frames, FPSR/MXCSR images) between emu_exec calls. */
  uint32_t fenv;
} EmuCpuRt;

struct EmuCpu {
  EmuCpuRt rt;
  _Alignas(64) uint8_t guest[]; /* the frontend's CPU struct (IrRegFile.state_size) */
};

EmuCpu *emu_cpu_new(EmuEngine *e, void *runner);
void emu_cpu_free(EmuCpu *cpu);
static inline void *emu_guest(EmuCpu *cpu) { return cpu->guest; }
uint64_t emu_cpu_pc(const EmuCpu *cpu);
/* The cpu whose guest state starts at guest (softmmu slow paths get that). */
static inline EmuCpu *emu_cpu_of_guest(void *guest) {
  return (EmuCpu *)((char *)guest - offsetof(EmuCpu, guest));
}
/* System mode: the runner's per-cpu area (EmuEngineConfig.cpu_extra bytes,
 * 64-byte aligned, zeroed at creation). */
void *emu_cpu_extra(EmuCpu *cpu);
/* System mode: the CPU mode changed (x86: CPL). Indirect-branch lookups are
 * cached per mode (mode < EMU_MODES), so this is cheap. */
void emu_cpu_set_mode(EmuCpu *cpu, uint32_t mode);
/* System mode: virtual-to-code lookups of every mode are stale (CR3 write,
 * invlpg, TLB flush). */
void emu_cpu_flush_vcache(EmuCpu *cpu);
/* System mode: only mode's virtual-to-code lookups are stale (x86: a CR3
 * write keeps the kernel's code reached through global pages). */
void emu_cpu_flush_vcache_mode(EmuCpu *cpu, uint32_t mode);
/* Record the exception emu_exec returns (a code_key hook whose fetch faulted). */
void emu_cpu_raise(EmuCpu *cpu, IrExc exc, uint64_t addr, bool write);
/* From a softmmu slow path called by generated code: the access at addr
 * faults; unwind to emu_exec, which returns EMU_EXIT_EXCEPTION/IR_EXC_fault
 * with the guest pc of the faulting instruction and precise state. host_ret
 * is the slow path's return address (__builtin_return_address(0)). In the
 * interpreter tier the IrMemOps callbacks return nonzero instead. */
_Noreturn void emu_helper_fault(EmuCpu *cpu, uint64_t addr, bool write, void *host_ret);
void emu_cpu_set_pc(EmuCpu *cpu, uint64_t pc);
/* Ask the CPU to return from emu_exec soon (signals, other threads). */
static inline void emu_cpu_kick(EmuCpu *cpu) { cpu->rt.exit_request = 1; }
EmuCpu *emu_cpu_current(void); /* the CPU this thread is running, or NULL */

typedef enum EmuExitReason {
  EMU_EXIT_SYSCALL,   /* guest pc is the instruction after the syscall */
  EMU_EXIT_EXCEPTION, /* guest pc is the excepting instruction; see exc fields */
  EMU_EXIT_INTERRUPT, /* exit_request was seen (and cleared); pc is where to resume */
} EmuExitReason;

typedef struct EmuExit {
  EmuExitReason reason;
  IrExc exc;         /* EMU_EXIT_EXCEPTION */
  uint64_t addr;     /* IR_EXC_fault: guest address; raise: its argument */
  bool is_write;     /* IR_EXC_fault */
} EmuExit;

/* Run guest code from the cpu's pc until the runner is needed. */
EmuExit emu_exec(EmuCpu *cpu);

/* Run one IR function once in the engine's tier, outside the block cache (tests,
 * differential testing): compiled tiers translate it into the code cache (it
 * stays there until the next flush). Host faults in it become IR_EXC_fault
 * exits like in emu_exec, provided the caller routes SIGSEGV to emu_host_fault.
 * A chained or computed exit returns IR_EXIT_JUMP with its pc. */
IrExit emu_exec_func(EmuCpu *cpu, const IrFunc *fn);

/* A host SIGSEGV/SIGBUS in generated code: if it belongs to guest code run by
 * this thread, record the guest fault and unwind to emu_exec (never returns);
 * otherwise return false so the caller treats it as an emulator crash. */
bool emu_host_fault(int signo, void *fault_addr, void *ucontext);

/* -- Logging (-d items, -D file) -------------------------------------------- */

#define EMU_LOGDEF(_)                                                              \
  _(in_asm, "guest instructions of each translated block")                         \
  _(op, "IR of each block, as translated")                                         \
  _(op_opt, "IR of each block, after the passes")                                  \
  _(out_asm, "host code of each block")                                            \
  _(exec, "each block as it is entered from the dispatcher")                       \
  _(unimp, "unimplemented instructions and syscalls")                              \
  _(stats, "translation and execution counters at exit")                           \
  _(nochain, "do not chain blocks (debugging)")                                    \
  _(llvm_ir, "LLVM IR of each function tier 2 compiles (also: llvm-ir)")           \
  _(llvm_asm, "host code of each function tier 2 compiles (also: llvm-asm)")       \
  _(tierup, "regions chosen for tier 2, and their installation")                   \
  _(strace, "syscalls, like -strace")                                              \
  _(perfmap, "name generated code for perf in /tmp/perf-PID.map")
typedef enum EmuLogItem {
#define EMU_LOG_ENUM(name, help) EMU_LOG_##name,
  EMU_LOGDEF(EMU_LOG_ENUM)
#undef EMU_LOG_ENUM
  EMU_LOG__COUNT
} EmuLogItem;

extern uint32_t emu_log_mask;
static inline bool emu_log_on(EmuLogItem item) { return (emu_log_mask >> item) & 1; }
/* Parse "-d a,b,c" (or "help"); returns false and writes the reason on error. */
bool emu_log_parse(const char *items, char *err, size_t errsize);
void emu_log_help(void *file);
bool emu_log_set_file(const char *path); /* -D */
void emu_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -- Crash reports (crash.c, crash_debug.c) ---------------------------------- */
#include <signal.h>

/* An emulator crash, not the guest's: a host fault no handler claimed (signo,
 * si, ucontext from the SA_SIGINFO handler) or an internal error (signo 0, why
 * says what; si and ucontext NULL). Writes to stderr one line saying what and
 * where, a host backtrace (libunwind; frames in generated code named by guest
 * pc) and the current cpu's guest registers, then exits with EMU_CRASH_EXIT.
 * Async-signal-safe as far as practical (write(2), no malloc); a fault inside
 * the report ends the process at once with the same status. */
#define EMU_CRASH_EXIT 70 /* EX_SOFTWARE */
_Noreturn void emu_crash_report(int signo, const siginfo_t *si, void *ucontext, const char *why);
void emu_crash_init(const char *prog); /* at start-up: the name messages start with */

/* Naming generated code: backend_fast's blocks are built in; another tier (LLVM)
 * adds a namer that says whether host_pc is in its code and, if it knows, the
 * guest pc there. Called in a signal handler: no locks held for long, no malloc.
 * Frames named so are left by replaying the entry trampoline's epilogue (they
 * have no unwind info). e is the crashing cpu's engine, or NULL. */
typedef struct EmuCrashName {
  const char *kind;  /* "fast", "llvm", ...; shown as "[kind]" if !known */
  bool known;        /* block_pc and guest_pc are valid */
  uint64_t block_pc; /* guest pc of the block */
  uint64_t guest_pc; /* guest pc of the instruction at host_pc */
} EmuCrashName;
typedef bool (*EmuCrashNamer)(EmuEngine *e, uintptr_t host_pc, EmuCrashName *out);
bool emu_crash_add_namer(EmuCrashNamer fn); /* at start-up; false if the table is full */

/* EMU_DEBUG_CRASH=segv|bus (hidden, for tests): the runner calls
 * emu_crash_debug_point at its first syscall dispatch, which then crashes the
 * emulator itself with that signal. emu_crash_debug_set: false if unknown. */
bool emu_crash_debug_set(const char *what);
void emu_crash_debug_point(void);

#endif
