/* signal_x86_64.c — the x86-64 Linux signal ABI: the rt_sigframe (restorer
 * address, ucontext with the kernel's sigcontext, siginfo, then a 64-byte
 * aligned FXSAVE image) placed as arch/x86/kernel/signal.c places it,
 * rt_sigreturn, and how each guest exception reaches the program (signal,
 * siginfo, trapno/err/cr2, where rip is left). Our CPU model has no XSAVE, so
 * the frame is the kernel's for an FXSR-only machine (512-byte fp state). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "user.h"
#include "x86_fp.h"
#include "x86_frontend.h"

/* sigcontext's registers in the kernel's order (glibc's REG_* indices). */
enum { SC_RIP = 16, SC_EFL, SC_CSGSFS, SC_ERR, SC_TRAPNO, SC_OLDMASK, SC_CR2, SC__COUNT };
static const uint8_t sc_gpr[16] = {X86_R8,  X86_R9,  X86_R10, X86_R11, X86_R12, X86_R13,
                                   X86_R14, X86_R15, X86_RDI, X86_RSI, X86_RBP, X86_RBX,
                                   X86_RDX, X86_RAX, X86_RCX, X86_RSP};

typedef struct X86Frame {
  uint64_t pretcode; /* sa_restorer: the handler's return address */
  struct {           /* struct ucontext */
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, ss_pad;
    uint64_t ss_size;
    uint64_t gregs[SC__COUNT]; /* struct sigcontext */
    uint64_t fpstate;
    uint64_t reserved[8];
    uint64_t sigmask;
  } uc;
  uint8_t info[128];
} X86Frame;
_Static_assert(sizeof(X86Frame) == 440, "struct rt_sigframe");
_Static_assert(offsetof(X86Frame, uc.gregs) == 8 + 40, "uc_mcontext");
_Static_assert(offsetof(X86Frame, uc.sigmask) == 8 + 296, "uc_sigmask");

#define FX_SIZE 512
#define REDZONE 128
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define USER_CS 0x33
#define USER_SS 0x2b
/* RFLAGS bits sigreturn takes from the frame: AC OF DF TF SF ZF AF PF CF RF. */
#define FIX_EFLAGS 0x50dd5ull
#define EFLAGS_TF 0x100ull
#define EFLAGS_RF 0x10000ull

/* -- FXSAVE image, through the x87 helpers' image functions ----------------- */

static uint64_t fx_get(X86Cpu *c, unsigned k) {
  return ir_helper_get(x87_helper[X87_H_FXGET])->fn(c, k, 0, 0, 0);
}

static void fx_set(X86Cpu *c, unsigned k, uint64_t v0, uint64_t v1) {
  ir_helper_get(x87_helper[X87_H_FXSET])->fn(c, k, v0, v1, 0);
}

/* MXCSR's flags are the cpu's FP environment (EmuCpuRt.fenv, x86_cpu.h). */
static void fx_save(EmuCpu *cpu, uint8_t fx[FX_SIZE]) {
  X86Cpu *c = emu_guest(cpu);
  memset(fx, 0, FX_SIZE);
  for (unsigned k = 0; k < 20; k++) {
    uint64_t v = k == 3 ? (uint64_t)X86_MXCSR_MASK << 32 | x86_mxcsr_read(c, cpu->rt.fenv)
                        : fx_get(c, k);
    memcpy(fx + 8 * k, &v, 8);
  }
  memcpy(fx + 160, c->xmm, sizeof c->xmm);
}

static void fx_restore(EmuCpu *cpu, const uint8_t fx[FX_SIZE]) {
  X86Cpu *c = emu_guest(cpu);
  uint64_t q, mant;
  uint16_t sexp;
  memcpy(&q, fx, 8);
  fx_set(c, 0, q, 0); /* first: it sets TOP */
  for (unsigned k = 1; k <= 8; k++) {
    memcpy(&mant, fx + 16 + 16 * k, 8);
    memcpy(&sexp, fx + 24 + 16 * k, 2);
    fx_set(c, k, mant, sexp);
  }
  uint32_t mxcsr;
  memcpy(&mxcsr, fx + 24, 4);
  cpu->rt.fenv = x86_mxcsr_write(c, mxcsr & X86_MXCSR_MASK);
  memcpy(c->xmm, fx + 160, sizeof c->xmm);
}

/* The state a handler starts with (the kernel's fpu__clear_user_states). */
static void fpu_init(EmuCpu *cpu) {
  X86Cpu *c = emu_guest(cpu);
  c->fcw = 0x37f;
  c->fsw = 0;
  c->ftop = 0;
  c->ftag = 0xff;
  memset(c->st, 0, sizeof c->st);
  cpu->rt.fenv = x86_mxcsr_write(c, 0x1f80);
  memset(c->xmm, 0, sizeof c->xmm);
}

/* -- Frame ------------------------------------------------------------------ */

static bool raw_on_altstack(const UserThread *t, uint64_t sp) {
  return sp > t->sig.ss_sp && sp - t->sig.ss_sp <= t->sig.ss_size;
}

static bool x86_setup_frame(UserThread *t, int sig, const UserSigAction *act,
                            const uint8_t info[128], uint64_t saved_mask) {
  X86Cpu *c = emu_guest(t->cpu);
  const UserSigThread *s = &t->sig;
  if (!(act->flags & USER_SA_RESTORER))
    return false; /* x86-64 has no vdso fallback */
  /* get_sigframe: below the red zone, or at the top of the altstack; the fp
   * state 64-byte aligned under it, the frame under that with rsp % 16 == 8 as
   * after a call. A frame that would leave the altstack is an error. */
  uint64_t orig_sp = c->gpr[X86_RSP], sp = orig_sp - REDZONE;
  bool nested = user_sig_on_altstack(t, orig_sp), entering = false;
  if ((act->flags & SA_ONSTACK) && user_sig_ss_flags(t, sp) == 0) {
    sp = s->ss_sp + s->ss_size;
    entering = true;
  }
  uint64_t fp = (sp - FX_SIZE) & ~63ull;
  uint64_t frame = ((fp - sizeof(X86Frame)) & ~15ull) - 8;
  if ((nested || entering) && !raw_on_altstack(t, frame))
    return false;
  if (frame > fp || !gmem_check(frame, fp + FX_SIZE - frame, PROT_READ | PROT_WRITE))
    return false;

  X86Frame f;
  memset(&f, 0, sizeof f);
  f.pretcode = act->restorer;
  f.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
  f.uc.ss_sp = s->ss_sp;
  f.uc.ss_flags = s->ss_flags;
  f.uc.ss_size = s->ss_size;
  for (int i = 0; i < 16; i++)
    f.uc.gregs[i] = c->gpr[sc_gpr[i]];
  f.uc.gregs[SC_RIP] = c->rip;
  f.uc.gregs[SC_EFL] = x86_rflags_get(c);
  f.uc.gregs[SC_CSGSFS] = USER_CS | (uint64_t)USER_SS << 48;
  f.uc.gregs[SC_ERR] = s->err;
  f.uc.gregs[SC_TRAPNO] = s->trapno;
  f.uc.gregs[SC_OLDMASK] = saved_mask;
  f.uc.gregs[SC_CR2] = s->cr2;
  f.uc.fpstate = fp;
  f.uc.sigmask = saved_mask;
  uint8_t *g = gmem_g2h(frame);
  /* Without SA_SIGINFO the kernel leaves the siginfo area as it was. */
  memcpy(g, &f, offsetof(X86Frame, info));
  if (act->flags & SA_SIGINFO)
    memcpy(g + offsetof(X86Frame, info), info, 128);
  fx_save(t->cpu, gmem_g2h(fp));

  c->gpr[X86_RDI] = (uint64_t)sig;
  c->gpr[X86_RSI] = frame + offsetof(X86Frame, info);
  c->gpr[X86_RDX] = frame + offsetof(X86Frame, uc);
  c->gpr[X86_RAX] = 0;
  c->gpr[X86_RSP] = frame;
  c->rip = act->handler;
  c->df = 0;
  c->rflags_rest &= ~(EFLAGS_TF | EFLAGS_RF);
  fpu_init(t->cpu);
  return true;
}

static int64_t x86_sigreturn(UserThread *t) {
  X86Cpu *c = emu_guest(t->cpu);
  uint64_t frame = c->gpr[X86_RSP] - 8; /* the handler's ret popped pretcode */
  X86Frame f;
  if (!gmem_check(frame, sizeof f, PROT_READ))
    goto bad;
  memcpy(&f, gmem_g2h(frame), sizeof f);
  user_sig_set_blocked(t, f.uc.sigmask);
  if (f.uc.fpstate && !gmem_check(f.uc.fpstate, FX_SIZE, PROT_READ))
    goto bad;
  for (int i = 0; i < 16; i++)
    c->gpr[sc_gpr[i]] = f.uc.gregs[i];
  c->rip = f.uc.gregs[SC_RIP];
  x86_rflags_set(c, (x86_rflags_get(c) & ~FIX_EFLAGS) | (f.uc.gregs[SC_EFL] & FIX_EFLAGS));
  if (f.uc.fpstate)
    fx_restore(t->cpu, gmem_g2h(f.uc.fpstate));
  else
    fpu_init(t->cpu);
  /* The altstack as the frame saved it; refused (EPERM) while still on it. */
  user_sig_set_altstack(t, f.uc.ss_sp, f.uc.ss_flags, f.uc.ss_size, c->gpr[X86_RSP]);
  return -USER_ESIGRETURN;
bad:;
  uint8_t info[128] = {0};
  int32_t v[3] = {SIGSEGV, 0, SI_KERNEL};
  memcpy(info, v, sizeof v);
  user_signal_force(t, SIGSEGV, info);
  return -USER_ESIGRETURN;
}

/* -- Exceptions ------------------------------------------------------------- */

enum { TRAP_DE = 0, TRAP_BP = 3, TRAP_OF = 4, TRAP_UD = 6, TRAP_GP = 13, TRAP_PF = 14,
       TRAP_MF = 16 };
enum { PF_PROT = 1, PF_WRITE = 2, PF_USER = 4, PF_INSTR = 0x10 };

/* The first opcode byte at pc after legacy and REX prefixes, and its offset. */
static int opcode_at(uint64_t pc, unsigned *off) {
  static const uint8_t prefixes[] = {0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65};
  for (unsigned i = 0; i < 15 && gmem_check(pc + i, 1, PROT_READ); i++) {
    uint8_t b = *(const uint8_t *)gmem_g2h(pc + i);
    if (memchr(prefixes, b, sizeof prefixes) || (b & 0xf0) == 0x40)
      continue;
    *off = i;
    return b;
  }
  return -1;
}

/* #MF's si_code from the unmasked x87 exceptions (the kernel's order). */
static int x87_fpe_code(const X86Cpu *c) {
  unsigned e = c->fsw & ~c->fcw;
  return (e & 0x01) ? FPE_FLTINV : (e & 0x04) ? FPE_FLTDIV : (e & 0x08) ? FPE_FLTOVF
       : (e & 0x12) ? FPE_FLTUND : (e & 0x20) ? FPE_FLTRES : 0;
}

static bool canonical(uint64_t a) { return a < (1ull << 47) || a >= ~0ull << 47; }

static int page_fault(UserThread *t, const X86Cpu *c, const EmuExit *x, int *code) {
  UserSigThread *s = &t->sig;
  uint64_t a = x->addr;
  GmemVmaInfo v;
  bool mapped = gmem_lookup(a, &v);
  bool fetch = a >= c->rip && a - c->rip < 16 && !x->is_write && !gmem_check(a, 1, PROT_EXEC);
  bool bus = s->fault_signo == SIGBUS;
  /* The present bit is the page table's; a protection fault on a readable
   * page is the usual present case. */
  bool present = mapped && !bus && (v.prot & PROT_READ) && (x->is_write || fetch);
  s->trapno = TRAP_PF;
  /* Kernel addresses (above TASK_SIZE_MAX) always read as protection faults. */
  bool kernel = a >= (1ull << 47) - GMEM_PAGE;
  s->err = PF_USER | (x->is_write ? PF_WRITE : 0) | (fetch ? PF_INSTR : 0) |
           (present || kernel ? PF_PROT : 0);
  s->cr2 = a;
  *code = bus ? BUS_ADRERR : mapped ? SEGV_ACCERR : SEGV_MAPERR;
  return bus ? SIGBUS : SIGSEGV;
}

static int x86_exception(UserThread *t, const EmuExit *x, uint8_t info[128]) {
  X86Cpu *c = emu_guest(t->cpu);
  UserSigThread *s = &t->sig;
  uint64_t pc = c->rip, addr = pc;
  unsigned off = 0;
  int sig = SIGSEGV, code = SI_KERNEL;
  s->err = 0;
  switch (x->exc) {
  case IR_EXC_fault:
    if (canonical(x->addr)) {
      sig = page_fault(t, c, x, &code);
      addr = x->addr;
    } else { /* a non-canonical address is #GP, not a page fault */
      s->trapno = TRAP_GP;
      addr = 0;
    }
    break;
  case IR_EXC_undef:
    sig = SIGILL, code = ILL_ILLOPN, s->trapno = TRAP_UD;
    break;
  case IR_EXC_divide: { /* #DE, or #MF on an x87 instruction (or fwait) */
    int op = opcode_at(pc, &off);
    bool x87 = op == 0x9b || (op >= 0xd8 && op <= 0xdf);
    sig = SIGFPE, code = x87 ? x87_fpe_code(c) : FPE_INTDIV;
    s->trapno = x87 ? TRAP_MF : TRAP_DE;
    break;
  }
  case IR_EXC_breakpt: /* int3: rip after it */
    opcode_at(pc, &off);
    c->rip = pc + off + 1;
    sig = SIGTRAP, addr = 0, s->trapno = TRAP_BP;
    break;
  case IR_EXC_trap: /* int n: only 3 and 4 are open to user mode */
    addr = 0;
    if (x->addr == 3 || x->addr == 4) {
      c->rip = pc + 2;
      sig = x->addr == 3 ? SIGTRAP : SIGSEGV;
      s->trapno = x->addr;
    } else {
      s->trapno = TRAP_GP;
      s->err = x->addr << 3 | 2; /* IDT entry */
    }
    break;
  default: /* priv, halt: #GP(0) */
    s->trapno = TRAP_GP;
    addr = 0;
    break;
  }
  s->fault_signo = 0;
  memset(info, 0, 128);
  int32_t head[3] = {sig, 0, code};
  memcpy(info, head, sizeof head);
  memcpy(info + 16, &addr, 8);
  return sig;
}

static void x86_rewind_syscall(void *state, uint64_t nr) {
  X86Cpu *c = state;
  c->rip -= 2; /* syscall is 0f 05 */
  c->gpr[X86_RAX] = nr;
}

static uint64_t x86_get_sp(const void *state) { return ((const X86Cpu *)state)->gpr[X86_RSP]; }

const UserSigArch user_sig_x86_64 = {
    .setup_frame = x86_setup_frame,
    .sigreturn = x86_sigreturn,
    .exception = x86_exception,
    .rewind_syscall = x86_rewind_syscall,
    .get_sp = x86_get_sp,
    .minsigstksz = 2048,
};
