/* signal_aarch64.c — the AArch64 Linux signal ABI: the rt_sigframe as
 * arch/arm64/kernel/signal.c builds it (siginfo, then a ucontext whose
 * sigcontext's __reserved area holds an fpsimd_context record and a zero
 * terminator; a {x29, x30} frame record above it), rt_sigreturn, and how guest
 * exceptions reach the program. Handlers return through sa_restorer or, as
 * glibc leaves it unset, through a sigreturn trampoline emu maps at start
 * like the kernel's vDSO sigtramp. No SVE/SME: fpsimd is the only state record. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "a64_frontend.h"
#include "guest_mem.h"
#include "signal_aarch64.h"
#include "user.h"

#define FPSIMD_MAGIC 0x46508001u
#define ESR_MAGIC 0x45535201u
#define FPSIMD_SIZE 528u
#define RESERVED_SIZE 4096u
#define PSTATE_NZCV 0xf0000000ull
/* PSTATE bits that are not EL0t AArch64 (mode, M[4], DAIF): sigreturn refuses them. */
#define PSTATE_NOT_EL0 0x3dfull

typedef struct A64SigContext {
  uint64_t fault_address;
  uint64_t regs[31];
  uint64_t sp, pc, pstate;
  uint8_t reserved[RESERVED_SIZE] __attribute__((aligned(16)));
} A64SigContext;

typedef struct A64Frame {
  uint8_t info[128];
  struct { /* struct ucontext */
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, ss_pad;
    uint64_t ss_size;
    uint64_t sigmask;
    uint8_t unused[120]; /* sigset_t room for 1024 signals */
    A64SigContext mc;
  } uc;
} A64Frame;
_Static_assert(sizeof(A64Frame) == 4688, "struct rt_sigframe");
_Static_assert(offsetof(A64Frame, uc.sigmask) == 128 + 40, "uc_sigmask");
_Static_assert(offsetof(A64Frame, uc.mc) == 128 + 176, "uc_mcontext");
_Static_assert(offsetof(A64Frame, uc.mc.reserved) == 128 + 176 + 288, "__reserved");
_Static_assert(A64_MINSIGSTKSZ == sizeof(A64Frame) + 16 + 16, "AT_MINSIGSTKSZ");

typedef struct A64CtxHead {
  uint32_t magic, size;
} A64CtxHead;

/* -- The sigreturn trampoline ----------------------------------------------- */

static uint64_t tramp_addr;

/* mov x8, #139 (rt_sigreturn); svc #0: what the kernel's sigtramp holds, and
 * what unwinders (libgcc, gdb) recognise as a signal frame. Mapped at start
 * (process_init) where the kernel puts the vDSO: the top of the mmap area. */
static void a64_process_init(void) {
  static const uint32_t code[2] = {0xd2801168, 0xd4000001};
  int64_t a = gmem_map(0, GMEM_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
                       "[vdso]");
  if (a < 0)
    return;
  memcpy(gmem_g2h((uint64_t)a), code, sizeof code);
  if (gmem_protect((uint64_t)a, GMEM_PAGE, PROT_READ | PROT_EXEC) == 0)
    tramp_addr = (uint64_t)a;
}

/* -- Frame ------------------------------------------------------------------- */

/* FPSR's flags are the cpu's FP environment (EmuCpuRt.fenv, a64_cpu.h). */
static void save_fpsimd(const A64Cpu *c, uint32_t fenv, uint8_t *rec) {
  A64CtxHead h = {FPSIMD_MAGIC, FPSIMD_SIZE};
  memcpy(rec, &h, sizeof h);
  uint32_t fpsr = a64_fpsr_read(c, fenv);
  memcpy(rec + 8, &fpsr, 4);
  memcpy(rec + 12, &c->fpcr, 4);
  memcpy(rec + 16, c->vreg, sizeof c->vreg);
}

static bool a64_setup_frame(UserThread *t, int sig, const UserSigAction *act,
                            const uint8_t info[128], uint64_t saved_mask) {
  A64Cpu *c = emu_guest(t->cpu);
  const UserSigThread *s = &t->sig;
  uint64_t ret = (act->flags & USER_SA_RESTORER) ? act->restorer : tramp_addr;
  if (!ret)
    return false;
  /* get_sigframe: the altstack's top if asked and not on it already; the
   * frame record 16-aligned below, the rt_sigframe right under it. */
  uint64_t top = c->sp;
  if ((act->flags & SA_ONSTACK) && user_sig_ss_flags(t, top) == 0)
    top = s->ss_sp + s->ss_size;
  uint64_t record = (top - 16) & ~15ull, frame = record - sizeof(A64Frame);
  if (frame > top || !gmem_check(frame, top - frame, PROT_READ | PROT_WRITE))
    return false;

  static __thread A64Frame f; /* 4.6 KB: not on the thread's small stack */
  memset(&f, 0, sizeof f);
  f.uc.ss_sp = s->ss_sp;
  f.uc.ss_flags = s->ss_flags;
  f.uc.ss_size = s->ss_size;
  f.uc.sigmask = saved_mask;
  f.uc.mc.fault_address = s->cr2;
  memcpy(f.uc.mc.regs, c->x, sizeof c->x);
  f.uc.mc.sp = c->sp;
  f.uc.mc.pc = c->pc;
  f.uc.mc.pstate = a64_nzcv_get(c);
  save_fpsimd(c, t->cpu->rt.fenv, f.uc.mc.reserved); /* the terminator after it is already zero */
  uint8_t *g = gmem_g2h(frame);
  /* Without SA_SIGINFO the kernel leaves the siginfo area as it was. */
  memcpy(g + sizeof f.info, &f.uc, sizeof f.uc);
  if (act->flags & SA_SIGINFO) {
    memcpy(g, info, sizeof f.info);
    c->x[1] = frame + offsetof(A64Frame, info);
    c->x[2] = frame + offsetof(A64Frame, uc);
  }
  uint64_t rec[2] = {c->x[29], c->x[30]};
  memcpy(gmem_g2h(record), rec, sizeof rec);

  c->x[0] = (uint64_t)sig;
  c->x[29] = record;
  c->x[30] = ret;
  c->sp = frame;
  c->pc = act->handler;
  return true;
}

/* The records in __reserved: fpsimd is required, esr is informational, the
 * zero record ends the list; anything else (SVE, extra...) we never write. */
static bool restore_records(A64Cpu *c, uint32_t *fenv, const uint8_t *res) {
  bool fpsimd = false;
  for (uint32_t off = 0; off + sizeof(A64CtxHead) <= RESERVED_SIZE;) {
    A64CtxHead h;
    memcpy(&h, res + off, sizeof h);
    if (h.magic == 0 && h.size == 0)
      return fpsimd;
    if (h.size < sizeof h || h.size % 16 || h.size > RESERVED_SIZE - off)
      return false;
    if (h.magic == FPSIMD_MAGIC) {
      if (h.size != FPSIMD_SIZE || fpsimd)
        return false;
      uint32_t fpsr, fpcr;
      memcpy(&fpsr, res + off + 8, 4);
      memcpy(&fpcr, res + off + 12, 4);
      *fenv = a64_fp_write(c, fpsr, fpcr);
      memcpy(c->vreg, res + off + 16, sizeof c->vreg);
      fpsimd = true;
    } else if (h.magic != ESR_MAGIC) {
      return false;
    }
    off += h.size;
  }
  return false;
}

static int64_t a64_sigreturn(UserThread *t) {
  A64Cpu *c = emu_guest(t->cpu);
  uint64_t frame = c->sp;
  if ((frame & 15) || !gmem_check(frame, sizeof(A64Frame), PROT_READ))
    goto bad;
  const A64Frame *f = gmem_g2h(frame);
  if (f->uc.mc.pstate & PSTATE_NOT_EL0)
    goto bad;
  user_sig_set_blocked(t, f->uc.sigmask);
  A64Cpu saved = *c; /* a bad record list leaves nothing half-restored */
  uint32_t fenv = t->cpu->rt.fenv;
  if (!restore_records(c, &fenv, f->uc.mc.reserved)) {
    *c = saved;
    goto bad;
  }
  t->cpu->rt.fenv = fenv;
  memcpy(c->x, f->uc.mc.regs, sizeof c->x);
  c->sp = f->uc.mc.sp;
  c->pc = f->uc.mc.pc;
  a64_nzcv_set(c, (uint32_t)(f->uc.mc.pstate & PSTATE_NZCV));
  /* The altstack as the frame saved it; refused (EPERM) while still on it. */
  user_sig_set_altstack(t, f->uc.ss_sp, f->uc.ss_flags, f->uc.ss_size, c->sp);
  return -USER_ESIGRETURN;
bad:;
  uint8_t info[128] = {0};
  int32_t v[3] = {SIGSEGV, 0, SI_KERNEL};
  memcpy(info, v, sizeof v);
  user_signal_force(t, SIGSEGV, info);
  return -USER_ESIGRETURN;
}

/* -- Exceptions ---------------------------------------------------------------- */

static int a64_exception(UserThread *t, const EmuExit *x, uint8_t info[128]) {
  A64Cpu *c = emu_guest(t->cpu);
  UserSigThread *s = &t->sig;
  uint64_t addr = c->pc; /* the pc stays at the faulting instruction */
  int sig, code;
  s->cr2 = 0; /* arm64_notify_die clears fault_address; aborts set it */
  switch (x->exc) {
  case IR_EXC_fault: {
    GmemVmaInfo v;
    bool bus = s->fault_signo == SIGBUS, mapped = gmem_lookup(x->addr, &v);
    /* A fault at an address whose page allows the access can only be an
     * alignment check (exclusives, atomics, acquire/release): Linux sends
     * SIGBUS BUS_ADRALN for those. */
    bool align = !bus && mapped && (v.prot & (x->is_write ? PROT_WRITE : PROT_READ));
    sig = bus || align ? SIGBUS : SIGSEGV;
    code = align ? BUS_ADRALN : bus ? BUS_ADRERR : mapped ? SEGV_ACCERR : SEGV_MAPERR;
    addr = s->cr2 = x->addr;
    break;
  }
  case IR_EXC_breakpt: /* brk #imm */
    sig = SIGTRAP, code = TRAP_BRKPT;
    break;
  case IR_EXC_divide: /* AArch64 division never traps; kept for completeness */
    sig = SIGFPE, code = FPE_INTDIV;
    break;
  default: /* undef, priv, trap, halt: an instruction EL0 may not execute */
    sig = SIGILL, code = ILL_ILLOPC;
    break;
  }
  s->fault_signo = 0;
  memset(info, 0, 128);
  int32_t head[3] = {sig, 0, code};
  memcpy(info, head, sizeof head);
  memcpy(info + 16, &addr, 8);
  return sig;
}

/* Back to the svc with the number and first argument it had. */
static void a64_rewind_syscall(void *state, uint64_t nr) {
  A64Cpu *c = state;
  c->pc -= 4;
  c->x[8] = nr;
  c->x[0] = a64_user_orig_x0();
}

static uint64_t a64_get_sp(const void *state) { return ((const A64Cpu *)state)->sp; }

const UserSigArch user_sig_aarch64 = {
    .setup_frame = a64_setup_frame,
    .sigreturn = a64_sigreturn,
    .exception = a64_exception,
    .rewind_syscall = a64_rewind_syscall,
    .get_sp = a64_get_sp,
    .process_init = a64_process_init,
    .minsigstksz = 5120,
};
