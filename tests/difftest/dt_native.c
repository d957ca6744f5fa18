/* dt_native.c — one case on the host CPU, inside the runner's child: the fixed
 * code and scratch mappings, the capture stub after the case's bytes, and the
 * signal handlers that turn a fault into an outcome. A handler records the
 * signal and the full register state from its ucontext, then points the
 * ucontext's rip at dt_native_resume: returning from the handler lands in the
 * trampoline's epilogue, which restores the host (no jump out of a handler). */
#define _GNU_SOURCE /* REG_* names of the ucontext registers */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "dt_native.h"
#include "dt_native_run.h"

DtNativeIo dt_nio;

_Static_assert(offsetof(DtNativeIo, in_rflags) == DT_IO_IN_RFLAGS, "layout");
_Static_assert(offsetof(DtNativeIo, out_gpr) == DT_IO_OUT_GPR, "layout");
_Static_assert(offsetof(DtNativeIo, out_rflags) == DT_IO_OUT_RFLAGS, "layout");
_Static_assert(offsetof(DtNativeIo, code) == DT_IO_CODE, "layout");
_Static_assert(offsetof(DtNativeIo, host_rsp) == DT_IO_HOST_RSP, "layout");
_Static_assert(offsetof(DtNativeIo, host_regs) == DT_IO_HOST_REGS, "layout");
_Static_assert(offsetof(DtNativeIo, in_guest) == DT_IO_IN_GUEST, "layout");
_Static_assert(offsetof(DtNativeIo, in_fx) == DT_IO_IN_FX, "layout");
_Static_assert(offsetof(DtNativeIo, out_fx) == DT_IO_OUT_FX, "layout");
_Static_assert(offsetof(DtNativeIo, host_fx) == DT_IO_HOST_FX, "layout");
_Static_assert(offsetof(DtNativeIo, stack) + sizeof dt_nio.stack == DT_IO_STACK_TOP, "layout");

/* The signal the guest took, filled by on_signal. */
static struct {
  int signo;
  uint64_t addr, rip;
} taken;

/* ucontext register slots in hardware GPR order. */
static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};

static void on_signal(int signo, siginfo_t *si, void *uctx) {
  if (!dt_nio.in_guest) {
    /* The harness itself crashed: die of it, so the runner reports it. */
    signal(signo, SIG_DFL);
    raise(signo);
    return;
  }
  ucontext_t *uc = uctx;
  greg_t *g = uc->uc_mcontext.gregs;
  for (int i = 0; i < 16; i++)
    dt_nio.out_gpr[i] = (uint64_t)g[greg_of[i]];
  dt_nio.out_rflags = (uint64_t)g[REG_EFL];
  memcpy(dt_nio.out_fx, uc->uc_mcontext.fpregs, 512); /* the fxsave layout */
  taken.signo = signo;
  taken.addr = (uint64_t)si->si_addr;
  taken.rip = (uint64_t)g[REG_RIP];
  g[REG_RIP] = (greg_t)(uintptr_t)dt_native_resume;
}

static bool map_fixed(uint64_t addr, uint64_t size, int prot) {
  void *p = mmap((void *)(uintptr_t)addr, size, prot,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED)
    return false;
  if ((uint64_t)(uintptr_t)p != addr) { /* an old kernel took it as a hint */
    munmap(p, size);
    errno = EEXIST;
    return false;
  }
  return true;
}

bool dt_native_setup(void) {
  if (!map_fixed(DT_CODE_BASE, DT_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC) ||
      !map_fixed(DT_SCRATCH_BASE - DT_GUARD_SIZE, DT_GUARD_SIZE, PROT_NONE) ||
      !map_fixed(DT_SCRATCH_BASE, DT_SCRATCH_SIZE, PROT_READ | PROT_WRITE) ||
      !map_fixed(DT_SCRATCH_BASE + DT_SCRATCH_SIZE, DT_GUARD_SIZE, PROT_NONE))
    return false;
  memset((void *)(uintptr_t)DT_CODE_BASE, 0xcc, DT_CODE_SIZE);
  /* Guest code may leave rsp anywhere: handlers run on their own stack. */
  static char altstack[1 << 16] __attribute__((aligned(64)));
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  if (sigaltstack(&ss, NULL) != 0)
    return false;
  static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sigs[i], &sa, NULL) != 0)
      return false;
  }
  return true;
}

/* -- fxsave images ---------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static uint16_t get16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}

/* Layout (Intel SDM vol. 1, FXSAVE): FCW 0, FSW 2 (TOP in bits 11..13), abridged
 * FTW 4 (bit i: physical register i valid), MXCSR 24, MXCSR_MASK 28, ST(i) at
 * 32 + 16i (stack order: physical register (TOP + i) & 7), XMM i at 160 + 16i. */
void dt_fx_from_state(const DtState *s, uint8_t fx[512]) {
  memset(fx, 0, 512);
  put16(fx + 0, s->fcw);
  put16(fx + 2, (uint16_t)((s->fsw & ~0x3800u) | ((s->ftop & 7u) << 11)));
  fx[4] = (uint8_t)~s->ftag;
  memcpy(fx + 24, &s->mxcsr, 4);
  for (unsigned i = 0; i < 8; i++) {
    const DtF80 *r = &s->st[(s->ftop + i) & 7];
    memcpy(fx + 32 + 16 * i, &r->mant, 8);
    put16(fx + 40 + 16 * i, r->sexp);
  }
  memcpy(fx + 160, s->xmm, sizeof s->xmm);
}

void dt_fx_to_state(const uint8_t fx[512], DtState *s) {
  s->fcw = get16(fx + 0);
  uint16_t fsw = get16(fx + 2);
  s->fsw = fsw & (uint16_t)~0x3800u;
  s->ftop = (fsw >> 11) & 7;
  s->ftag = (uint8_t)~fx[4];
  memcpy(&s->mxcsr, fx + 24, 4);
  for (unsigned i = 0; i < 8; i++) {
    DtF80 *r = &s->st[(s->ftop + i) & 7];
    memcpy(&r->mant, fx + 32 + 16 * i, 8);
    r->sexp = get16(fx + 40 + 16 * i);
  }
  memcpy(s->xmm, fx + 160, sizeof s->xmm);
}

uint32_t dt_mxcsr_mask(void) {
  static uint8_t fx[512] __attribute__((aligned(16)));
  __asm__ volatile("fxsave %0" : "=m"(fx));
  uint32_t mask;
  memcpy(&mask, fx + 28, 4);
  return mask ? mask : 0xffbf; /* 0 means the original default (no DAZ) */
}

/* -- One case ----------------------------------------------------------------- */

/* jmp qword [rip+0]; dq dt_native_capture */
static void write_stub(uint8_t *p) {
  static const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};
  uint64_t target = (uint64_t)(uintptr_t)dt_native_capture;
  memcpy(p, jmp, sizeof jmp);
  memcpy(p + sizeof jmp, &target, 8);
}

/* Software interrupts trap: the kernel reports the pc after them (int3 as
 * SIGTRAP, int 4 as SIGSEGV). Name the instruction itself, as the emulator
 * does. int3 in the landing pad instead means "the code ended there". */
static bool is_soft_int(const uint8_t *p, size_t len) {
  ZydisDecodedInstruction in;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(dt_decoder(), NULL, p, len, &in)))
    return false;
  return in.mnemonic == ZYDIS_MNEMONIC_INT3 || in.mnemonic == ZYDIS_MNEMONIC_INT ||
         in.mnemonic == ZYDIS_MNEMONIC_INTO || in.mnemonic == ZYDIS_MNEMONIC_INT1;
}

static void normalise_trap(const DtCase *c, DtOutcome *out) {
  uint64_t at = out->st.rip - 1;
  if (out->signo == SIGTRAP && (at < DT_CASE_PC || at >= DT_CASE_PC + c->len)) {
    out->signo = DT_SIG_NONE;
    out->sigaddr = 0;
    out->st.rip = at;
    return;
  }
  for (uint32_t i = 0; i < c->ninsns; i++)
    if (DT_CASE_PC + c->insn_off[i + 1] == out->st.rip &&
        is_soft_int(c->bytes + c->insn_off[i], c->len - c->insn_off[i]))
      out->st.rip = DT_CASE_PC + c->insn_off[i];
}

void dt_native_run(const DtCase *c, DtOutcome *out) {
  uint8_t *code = (uint8_t *)(uintptr_t)DT_CASE_PC;
  void *scratch = (void *)(uintptr_t)DT_SCRATCH_BASE;
  memcpy(code, c->bytes, c->len);
  write_stub(code + c->len);
  memcpy(scratch, c->mem, DT_SCRATCH_SIZE);
  memcpy(dt_nio.in_gpr, c->in.gpr, sizeof dt_nio.in_gpr);
  dt_nio.in_rflags = (c->in.rflags & DT_FLAGS_ALL) | 0x202;
  dt_fx_from_state(&c->in, dt_nio.in_fx);
  dt_nio.code = DT_CASE_PC;
  taken.signo = 0;

  int via_signal = dt_native_enter();

  memset(out, 0, sizeof *out);
  memcpy(out->st.gpr, dt_nio.out_gpr, sizeof out->st.gpr);
  out->st.rflags = dt_nio.out_rflags;
  dt_fx_to_state(dt_nio.out_fx, &out->st);
  if (via_signal) {
    out->signo = taken.signo;
    out->sigaddr = taken.addr;
    out->st.rip = taken.rip;
    normalise_trap(c, out);
  } else {
    out->st.rip = DT_CASE_PC + c->len;
  }
  memcpy(out->mem, scratch, DT_SCRATCH_SIZE);
  memset(code, 0xcc, c->len + DT_STUB_LEN);
}
