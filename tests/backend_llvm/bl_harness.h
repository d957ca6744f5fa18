/* bl_harness.h — running IR functions through backend_llvm for the tests,
 * without the runtime: one BlJit over the test register file, the runtime
 * fields (exit_request, exc_*, and the pc slot the code writes before each
 * access) in a header before the TestCpu so their offsets are negative, and a
 * guest window laid out like the interpreter cases' memory: guest
 * [MEM_BASE, MEM_BASE + MEM_SIZE) is readable and writable, guest [0, MEM_BASE)
 * is mapped PROT_NONE (a host fault, caught with bl_owns_code and siglongjmp
 * as the runtime's handler does) and everything from MEM_BASE + MEM_SIZE up
 * fails the bounds check (guest_limit). Include after <cmocka.h> and
 * interp_cases.h. */
#ifndef EMU_TEST_BL_HARNESS_H
#define EMU_TEST_BL_HARNESS_H

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "bf.h" /* bf_fault_is_write: what the runtime's fault handler asks */
#include "bl.h"

/* What the code sees at cpu + negative offsets, then the guest state. */
typedef struct BlHost {
  uint64_t pc_slot; /* BlConfig.off_pc: kept out of TestCpu so states compare */
  int32_t exit_request;
  uint32_t exc_kind;
  uint64_t exc_arg;
  uint8_t exc_write;
  TestCpu cpu __attribute__((aligned(64)));
} BlHost;

#define BLH_OFF(field) ((int32_t)offsetof(BlHost, field) - (int32_t)offsetof(BlHost, cpu))

typedef struct BlHarness {
  BlJit *jit;
  BlConfig cfg;
  BlHost host;
  uint8_t *window; /* host address of guest 0 */
  size_t window_size;
  sigjmp_buf jb;
  volatile bool faulted;
  volatile uint64_t fault_addr;
  volatile bool fault_write;
  volatile uintptr_t fault_host_pc;
} BlHarness;

static BlHarness blh;

static inline void blh_segv(int sig, siginfo_t *si, void *uc) {
  ucontext_t *ctx = uc;
  uintptr_t pc = (uintptr_t)ctx->uc_mcontext.gregs[REG_RIP];
  if (!blh.jit || !bl_owns_code(blh.jit, pc)) {
    fprintf(stderr, "bl harness: host fault at pc %#lx addr %p not in JIT code\n",
            (unsigned long)pc, si->si_addr);
    signal(sig, SIG_DFL); /* a real crash: let it happen */
    raise(sig);
    return;
  }
  blh.faulted = true;
  blh.fault_host_pc = pc;
  blh.fault_addr = (uint64_t)(uintptr_t)si->si_addr - (uint64_t)(uintptr_t)blh.window;
  blh.fault_write = bf_fault_is_write((const uint8_t *)pc, ctx->uc_mcontext.gregs[REG_ERR] & 2);
  /* siglongjmp keeps the handler's fresh FP state: put the code's back */
  if (ctx->uc_mcontext.fpregs)
    ir_fenv_host_set(ctx->uc_mcontext.fpregs->mxcsr);
  siglongjmp(blh.jb, 1);
}

/* cmocka installs its own SIGSEGV handler around each test: call this inside. */
static inline void blh_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = blh_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

static inline void blh_log(const char *text) { fputs(text, stderr); }

/* BLH_DUMP=1 in the environment: the optimised LLVM IR and the host code of
 * every compile on stderr. */
static inline BlConfig blh_config(void) {
  bool dump = getenv("BLH_DUMP") != NULL;
  return (BlConfig){
      .off_exit_request = BLH_OFF(exit_request),
      .off_exc_kind = BLH_OFF(exc_kind),
      .off_exc_arg = BLH_OFF(exc_arg),
      .off_exc_write = BLH_OFF(exc_write),
      .off_pc = (uint32_t)BLH_OFF(pc_slot),
      .guest_base = (uint64_t)(uintptr_t)blh.window,
      .guest_limit = MEM_BASE + MEM_SIZE,
      .opt_level = 2,
      .verify = true,
      .log = blh_log,
      .dump_ir = dump,
      .dump_asm = dump,
  };
}

static inline void blh_init(void) {
  blh.window_size = MEM_BASE + MEM_SIZE + 0x1000; /* a guard page above */
  blh.window = mmap(NULL, blh.window_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (blh.window == MAP_FAILED ||
      mprotect(blh.window + MEM_BASE, MEM_SIZE, PROT_READ | PROT_WRITE) != 0)
    abort();
  blh.cfg = blh_config();
  char err[256];
  blh.jit = bl_jit_new(&blh.cfg, err, sizeof err);
  if (!blh.jit) {
    fprintf(stderr, "bl_jit_new: %s\n", err);
    abort();
  }
}

static inline void blh_fini(void) {
  bl_jit_free(blh.jit);
  blh.jit = NULL;
  munmap(blh.window, blh.window_size);
}

static inline uint8_t *blh_mem(void) { return blh.window + MEM_BASE; }

/* Compile fn; fails the test with LLVM's reason if it cannot. */
static inline BlCode blh_compile(const IrFunc *fn) {
  BlCode code;
  char err[512];
  if (!bl_compile(blh.jit, fn, &code, err, sizeof err)) {
    char *text = ir_print(fn);
    print_error("%s\n", text);
    free(text);
    fail_msg("bl_compile: %s", err);
  }
  return code;
}

/* The exit a BlRet (or a host fault) stands for, as ir_interp reports it. */
static inline IrExit blh_exit(BlRet r, bool faulted) {
  IrExit x = {.pc = r.pc};
  if (faulted) {
    x.kind = IR_EXIT_EXCEPTION;
    x.exc = IR_EXC_fault;
    x.pc = blh.host.pc_slot;
    x.addr = blh.fault_addr;
    x.is_write = blh.fault_write;
    return x;
  }
  switch (r.info) {
  case BL_EXIT_JUMP: x.kind = IR_EXIT_JUMP; break;
  case BL_EXIT_SYSCALL: x.kind = IR_EXIT_SYSCALL; break;
  case BL_EXIT_EXCEPTION:
    x.kind = IR_EXIT_EXCEPTION;
    x.exc = (IrExc)blh.host.exc_kind;
    x.addr = blh.host.exc_arg;
    x.is_write = blh.host.exc_write;
    break;
  default: fail_msg("bad BlRet.info %llu", (unsigned long long)r.info);
  }
  return x;
}

/* Run compiled code on *cpu and *mem (both updated). */
static inline IrExit blh_run_code(BlCode code, TestCpu *cpu, TestMem *mem) {
  blh_signals();
  memcpy(&blh.host.cpu, cpu, sizeof *cpu);
  memcpy(blh_mem(), mem->bytes, MEM_SIZE);
  blh.faulted = false;
  blh.host.exc_kind = ~0u;
  BlRet r = {0, 0};
  /* Helpers that reach guest memory themselves see the window, as the
   * runtime sets it for a thread running guest code. */
  IrMemOps ops = {(TestMem *)blh_mem(), mem_load, mem_store, mem_atomic};
  ir_helper_set_mem(&ops);
  if (sigsetjmp(blh.jb, 1) == 0)
    r = code.fn(&blh.host.cpu);
  ir_helper_set_mem(NULL);
  IrExit x = blh_exit(r, blh.faulted);
  memcpy(cpu, &blh.host.cpu, sizeof *cpu);
  memcpy(mem->bytes, blh_mem(), MEM_SIZE);
  return x;
}

static inline IrExit blh_run(const IrFunc *fn, TestCpu *cpu, TestMem *mem) {
  return blh_run_code(blh_compile(fn), cpu, mem);
}

#endif
