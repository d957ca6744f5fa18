/* bf_harness.h — running IR functions through backend_fast for the tests: an
 * EmuEngine of tier EMU_TIER_FAST over the test register file, whose guest
 * window is a mapping laid out like the interpreter cases' memory: guest
 * [MEM_BASE, MEM_BASE + MEM_SIZE) is readable and writable, guest [0, MEM_BASE)
 * is mapped PROT_NONE (a host fault, mapped back through the pcmap) and
 * everything from MEM_BASE + MEM_SIZE up fails the bounds check (guest_limit).
 * Include after <cmocka.h> and interp_cases.h. */
#ifndef EMU_TEST_BF_HARNESS_H
#define EMU_TEST_BF_HARNESS_H

#include <signal.h>
#include <ucontext.h>
#include <sys/mman.h>

#include "emu.h"
#include "engine.h"

typedef struct BfHarness {
  EmuEngine *engine;
  EmuCpu *cpu;
  uint8_t *window; /* host address of guest 0 */
  size_t window_size;
  bool faulted;        /* the last run ended in a host fault ... */
  uint64_t pc_before;  /* ... and the pc slot held this before emu_host_fault wrote it */
} BfHarness;

static BfHarness harness;

static inline bool codecache_contains_pc(const uint8_t *pc) {
  return harness.engine && codecache_contains(&harness.engine->cc, (uintptr_t)pc);
}

static const IrFrontend harness_frontend = {.name = "test", .rf = &test_regfile,
                                            .pc_slot = T_PC, .max_insn_bytes = 16};

/* The page-fault error code reports a locked read-modify-write as a read; the
 * IR counts atomics as writes. bf_fault_is_write knows; the runtime's
 * emu_host_fault does not ask it (yet), so the harness corrects the context. */
static inline void harness_segv(int sig, siginfo_t *si, void *uc) {
  ucontext_t *ctx = uc;
  const uint8_t *pc = (const uint8_t *)ctx->uc_mcontext.gregs[REG_RIP];
  if (codecache_contains_pc(pc) && bf_fault_is_write(pc, ctx->uc_mcontext.gregs[REG_ERR] & 2))
    ctx->uc_mcontext.gregs[REG_ERR] |= 2;
  harness.faulted = true;
  harness.pc_before = ((TestCpu *)emu_guest(harness.cpu))->pc;
  if (!emu_host_fault(sig, si->si_addr, uc)) {
    fprintf(stderr, "harness: host fault at pc %p addr %p not in guest code\n", (void *)pc, si->si_addr);
    signal(sig, SIG_DFL); /* a real crash: let it happen */
    raise(sig);
  }
}

/* cmocka installs its own SIGSEGV handler around each test: call this inside. */
static inline void harness_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = harness_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

/* fe: the frontend the engine translates with (NULL: none, emu_exec_func only). */
static inline void harness_init(const IrFrontend *fe) {
  harness.window_size = MEM_BASE + MEM_SIZE + 0x1000; /* a guard page above */
  harness.window = mmap(NULL, harness.window_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (harness.window == MAP_FAILED ||
      mprotect(harness.window + MEM_BASE, MEM_SIZE, PROT_READ | PROT_WRITE) != 0)
    abort();
  EmuEngineConfig cfg = {
      .frontend = fe ? fe : &harness_frontend,
      .tier = EMU_TIER_FAST,
      .guest_base = (uint64_t)(uintptr_t)harness.window,
      .guest_limit = MEM_BASE + MEM_SIZE,
      .code_cache_size = 64u << 20,
  };
  harness.engine = emu_engine_new(&cfg);
  harness.cpu = harness.engine ? emu_cpu_new(harness.engine, NULL) : NULL;
  if (!harness.cpu)
    abort();
}

static inline void harness_fini(void) {
  emu_cpu_free(harness.cpu);
  emu_engine_free(harness.engine);
  munmap(harness.window, harness.window_size);
}

static inline TestCpu *harness_state(void) { return (TestCpu *)emu_guest(harness.cpu); }
static inline uint8_t *harness_mem(void) { return harness.window + MEM_BASE; }

/* Run fn on *cpu and *mem through backend_fast; both are updated, and so is
 * the thread's FP environment (as ir_interp would: the cpu's goes in and out).
 * A fault found by the host (not the bounds check) also stores the pc into the
 * pc slot, as emu_exec would: that write is undone so states compare. */
static inline IrExit harness_run(const IrFunc *fn, TestCpu *cpu, TestMem *mem) {
  harness_signals();
  memcpy(harness_state(), cpu, sizeof *cpu);
  memcpy(harness_mem(), mem->bytes, MEM_SIZE);
  harness.faulted = false;
  harness.cpu->rt.fenv = ir_fenv_host_get();
  IrExit x = emu_exec_func(harness.cpu, fn);
  ir_fenv_host_set(harness.cpu->rt.fenv);
  if (harness.faulted)
    harness_state()->pc = harness.pc_before;
  memcpy(cpu, harness_state(), sizeof *cpu);
  memcpy(mem->bytes, harness_mem(), MEM_SIZE);
  return x;
}

#endif
