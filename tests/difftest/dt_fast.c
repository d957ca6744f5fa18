/* dt_fast.c — the backend_fast executor: the function runs as generated code
 * through the runtime (emu_exec_func), like every block under emu-x86_64. Its
 * memory is the real thing: the guest window (loader/guest_mem), with the
 * scratch region mapped at its native address and everything else unmapped, so
 * wild accesses fault in hardware (mapped back by emu_host_fault) or fail the
 * bounds check, exactly as in the runner. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dt.h"
#include "emu.h"
#include "guest_mem.h"
#include "x86_frontend.h"

static EmuEngine *engine;
static EmuCpu *ecpu;
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

static bool init(void) {
  static const IrFrontend fe = {.name = "x86_64 (difftest)", .rf = &x86_regfile,
                                .pc_slot = X86_SLOT_RIP, .max_insn_bytes = 15};
  if (gmem_init() < 0 || gmem_map(DT_SCRATCH_BASE, DT_SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL) < 0)
    return false;
  EmuEngineConfig cfg = {
      .frontend = &fe,
      .tier = EMU_TIER_FAST,
      .mem = {NULL, win_load, win_store, win_atomic},
      .guest_base = gmem_base,
      .guest_limit = gmem_limit,
      .passes = {.precise_classes = IR_PRECISE_ALL},
      .code_cache_size = 64u << 20,
  };
  engine = emu_engine_new(&cfg);
  ecpu = engine ? emu_cpu_new(engine, NULL) : NULL;
  if (!ecpu)
    return false;
  static char altstack[64 * 1024];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  fault_sa.sa_sigaction = on_fault;
  fault_sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  return true;
}

/* mem->ctx is the case's private scratch copy (dt_emu.c): it goes into the
 * window before the run and comes back after. */
IrExit dt_fast_exec(const IrFunc *fn, void *cpu, const IrMemOps *mem) {
  static int ready = -1;
  if (ready < 0)
    ready = init();
  if (!ready) {
    fprintf(stderr, "difftest: cannot set up the guest window for backend_fast\n");
    abort();
  }
  memcpy(gmem_g2h(DT_SCRATCH_BASE), mem->ctx, DT_SCRATCH_SIZE);
  memcpy(emu_guest(ecpu), cpu, sizeof(X86Cpu));
  sigaction(SIGSEGV, &fault_sa, &saved_segv);
  sigaction(SIGBUS, &fault_sa, &saved_bus);
  IrExit x = emu_exec_func(ecpu, fn);
  sigaction(SIGSEGV, &saved_segv, NULL);
  sigaction(SIGBUS, &saved_bus, NULL);
  memcpy(cpu, emu_guest(ecpu), sizeof(X86Cpu));
  memcpy(mem->ctx, gmem_g2h(DT_SCRATCH_BASE), DT_SCRATCH_SIZE);
  return x;
}
