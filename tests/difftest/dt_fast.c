/* dt_fast.c — the compiled executors (backend_fast, and backend_llvm as
 * --tier=llvm uses it): the function runs as generated code through the
 * runtime (emu_exec_func), like every block under emu-x86_64. Its
 * memory is the real thing: the guest window (loader/guest_mem), with the
 * scratch region mapped at its native address and everything else unmapped, so
 * wild accesses fault in hardware (mapped back by emu_host_fault) or fail the
 * bounds check, exactly as in the runner. */
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dt.h"
#include "emu.h"
#include "guest_mem.h"
#include "x86_frontend.h"

static struct sigaction fault_sa, saved_segv, saved_bus;

/* Installed only around a run (a test framework may own SIGSEGV otherwise). */
static void on_fault(int sig, siginfo_t *si, void *uc) {
  if (emu_host_fault(sig, si->si_addr, uc))
    return;
  sigaction(SIGSEGV, &saved_segv, NULL); /* not guest code: the harness's crash */
  sigaction(SIGBUS, &saved_bus, NULL);
  raise(sig);
}

/* Memory for helpers that touch guest memory (cmpxchg16b, x87/fxsave): the window. */
static int win_load(void *ctx, uint64_t a, unsigned n, void *out) {
  (void)ctx;
  if (!gmem_check(a, n, PROT_READ))
    return 1;
  memcpy(out, gmem_g2h(a), n);
  return 0;
}
static int win_store(void *ctx, uint64_t a, unsigned n, const void *in) {
  (void)ctx;
  if (!gmem_check(a, n, PROT_WRITE))
    return 1;
  memcpy(gmem_g2h(a), in, n);
  return 0;
}
static void *win_atomic(void *ctx, uint64_t a, unsigned n) {
  (void)ctx;
  return gmem_check(a, n, PROT_READ | PROT_WRITE) ? gmem_g2h(a) : NULL;
}

/* The guest window, once for every executor. */
static bool init_window(void) {
  static int ready = -1;
  if (ready < 0)
    ready = gmem_init() >= 0 &&
            gmem_map(DT_SCRATCH_BASE, DT_SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL) >= 0;
  return ready;
}

static EmuCpu *init(EmuTier tier) {
  static const IrFrontend fe = {.name = "x86_64 (difftest)", .rf = &x86_regfile,
                                .pc_slot = X86_SLOT_RIP, .max_insn_bytes = 15};
  if (!init_window())
    return NULL;
  EmuEngineConfig cfg = {
      .frontend = &fe,
      .tier = tier,
      .mem = {NULL, win_load, win_store, win_atomic},
      .guest_base = gmem_base,
      .guest_limit = gmem_limit,
      .passes = {.precise_classes = IR_PRECISE_ALL},
      .code_cache_size = 64u << 20,
  };
  EmuEngine *engine = emu_engine_new(&cfg);
  EmuCpu *ecpu = engine ? emu_cpu_new(engine, NULL) : NULL;
  if (!ecpu)
    return NULL;
  static char altstack[64 * 1024];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  fault_sa.sa_sigaction = on_fault;
  fault_sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  return ecpu;
}

/* mem->ctx is the case's private scratch copy (dt_emu.c): it goes into the
 * window before the run and comes back after. */
static IrExit compiled_exec(EmuTier tier, const IrFunc *fn, void *cpu, const IrMemOps *mem) {
  static EmuCpu *cpus[EMU_TIER_AUTO + 1];
  static uint32_t runs[EMU_TIER_AUTO + 1];
  EmuCpu *ecpu = cpus[tier];
  /* Every case is a new function and its code stays until a flush; LLVM's
   * code is never reclaimed by a flush, so start a new engine (and JIT) now
   * and then. */
  if (ecpu && tier == EMU_TIER_LLVM && ++runs[tier] % 2000 == 0) {
    EmuEngine *e = ecpu->rt.engine;
    emu_cpu_free(ecpu);
    emu_engine_free(e);
    ecpu = cpus[tier] = NULL;
  }
  if (!ecpu && !(ecpu = cpus[tier] = init(tier))) {
    fprintf(stderr, "difftest: cannot set up the guest window or the engine\n");
    abort();
  }
  memcpy(gmem_g2h(DT_SCRATCH_BASE), mem->ctx, DT_SCRATCH_SIZE);
  memcpy(emu_guest(ecpu), cpu, sizeof(X86Cpu));
  sigaction(SIGSEGV, &fault_sa, &saved_segv);
  sigaction(SIGBUS, &fault_sa, &saved_bus);
  ecpu->rt.fenv = ir_fenv_host_get(); /* the case's FP environment, as for ir_interp */
  IrExit x = emu_exec_func(ecpu, fn);
  ir_fenv_host_set(ecpu->rt.fenv);
  sigaction(SIGSEGV, &saved_segv, NULL);
  sigaction(SIGBUS, &saved_bus, NULL);
  memcpy(cpu, emu_guest(ecpu), sizeof(X86Cpu));
  memcpy(mem->ctx, gmem_g2h(DT_SCRATCH_BASE), DT_SCRATCH_SIZE);
  /* The llvm tier keeps backend_fast's code for what LLVM rejects: here that
   * would quietly test the wrong backend. */
  if (tier == EMU_TIER_LLVM && runs[tier] % 2000 == 1) {
    const EmuStats *st = emu_engine_stats(ecpu->rt.engine);
    if (!st->llvm_blocks || st->llvm_failed) {
      fprintf(stderr, "difftest: backend_llvm %s (%llu compiled, %llu rejected)\n",
              st->llvm_blocks ? "rejected a function" : "is not running",
              (unsigned long long)st->llvm_blocks, (unsigned long long)st->llvm_failed);
      abort();
    }
  }
  return x;
}

IrExit dt_fast_exec(const IrFunc *fn, void *cpu, const IrMemOps *mem) {
  return compiled_exec(EMU_TIER_FAST, fn, cpu, mem);
}

IrExit dt_llvm_exec(const IrFunc *fn, void *cpu, const IrMemOps *mem) {
  return compiled_exec(EMU_TIER_LLVM, fn, cpu, mem);
}
