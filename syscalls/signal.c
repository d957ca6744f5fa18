/* signal.c — guest signals, the generic part: host handlers queue what arrives
 * for the thread it arrived on and kick that thread's CPU; the CPU loop delivers
 * between guest blocks or after a syscall (frames: signal_<arch>.c; syscalls:
 * sys_signal.c). Default actions, syscall restart and the safe-syscall stub.
 *
 * The host kernel does half the work. Each guest thread's host mask mirrors its
 * guest mask (minus SIGSEGV/SIGBUS, which the runtime needs for faults), and
 * signals the guest ignores, or whose default is to ignore, stop or continue, keep
 * that disposition on the host. So the kernel picks the receiving thread, keeps
 * blocked signals pending (real-time ones queued with their siginfo) and never
 * interrupts a syscall for a signal the guest would not see. A queued real-time
 * signal stays blocked on the host until delivered, so the queue holds one of each
 * signal. Host handlers have no SA_RESTART: a blocking syscall returns EINTR and
 * is then restarted or failed by Linux's rules (user_signal_syscall_end). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "syscall_raw.h"
#include "user.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* Delivered before the others, as Linux's next_signal does. */
#define SIG_SYNC (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
                  SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define SIG_HOST_FAULTS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS)) /* never blocked on the host */
#define SIG_RT (~0ull << 31)                              /* 32..64 */

#define SA_EXPOSE_TAGBITS_ 0x800
/* What the kernel keeps of sa_flags (unknown bits read back as 0). */
#define SA_KNOWN (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | \
                  SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS_ | USER_SA_RESTORER)

/* -- Default actions -------------------------------------------------------- */

enum { DFL_TERM, DFL_CORE, DFL_IGN, DFL_STOP, DFL_CONT };
static const uint8_t sig_default[65] = {
    [SIGQUIT] = DFL_CORE, [SIGILL] = DFL_CORE,  [SIGTRAP] = DFL_CORE, [SIGABRT] = DFL_CORE,
    [SIGBUS] = DFL_CORE,  [SIGFPE] = DFL_CORE,  [SIGSEGV] = DFL_CORE, [SIGXCPU] = DFL_CORE,
    [SIGXFSZ] = DFL_CORE, [SIGSYS] = DFL_CORE,  [SIGCHLD] = DFL_IGN,  [SIGURG] = DFL_IGN,
    [SIGWINCH] = DFL_IGN, [SIGCONT] = DFL_CONT, [SIGSTOP] = DFL_STOP, [SIGTSTP] = DFL_STOP,
    [SIGTTIN] = DFL_STOP, [SIGTTOU] = DFL_STOP, /* the rest, real-time ones too: terminate */
};

static bool sig_ignored(const UserSigAction *a, int sig) {
  return a->handler == (uint64_t)(uintptr_t)SIG_IGN ||
         (a->handler == (uint64_t)(uintptr_t)SIG_DFL &&
          (sig_default[sig] == DFL_IGN || sig_default[sig] == DFL_CONT));
}

/* -- The host side ---------------------------------------------------------- */

static __thread UserThread *sig_thread;   /* the guest thread this host thread runs */
static __thread void *sig_host_altstack;  /* what user_signal_thread_start mapped */
#define HOST_ALTSTACK_SIZE (256u << 10)

/* The restorer of our host handlers (raw rt_sigaction wants one), and the
 * safe-syscall stub: user_safe_syscall(s, nr, a0..a5) enters the kernel only if
 * s->queued & ~s->blocked is 0 when it gets there. A host handler that finds the
 * interrupted pc in [start, end) (the check, or the syscall instruction not yet
 * run) and queued a deliverable signal moves it to notrun. */
extern const char user_sig_host_restorer[], user_safe_syscall_start[], user_safe_syscall_end[],
    user_safe_syscall_notrun[];
_Static_assert(offsetof(UserSigThread, queued) == 0 && offsetof(UserSigThread, blocked) == 8,
               "the safe-syscall stub reads queued and blocked at these offsets");
__asm__(".text\n"
        ".p2align 4\n"
        ".globl user_sig_host_restorer\n"
        ".hidden user_sig_host_restorer\n"
        "user_sig_host_restorer:\n"
        "  mov $15, %eax\n" /* rt_sigreturn */
        "  syscall\n"
        "  hlt\n"
        ".p2align 4\n"
        ".globl user_safe_syscall\n"
        ".type user_safe_syscall, @function\n"
        "user_safe_syscall:\n"
        "  mov %rdi, %r11\n" /* s; the syscall instruction clobbers r11 and rcx */
        "  mov %rsi, %rax\n"
        "  mov %rdx, %rdi\n"
        "  mov %rcx, %rsi\n"
        "  mov %r8, %rdx\n"
        "  mov %r9, %r10\n"
        "  mov 8(%rsp), %r8\n"
        "  mov 16(%rsp), %r9\n"
        ".globl user_safe_syscall_start\n"
        ".hidden user_safe_syscall_start\n"
        "user_safe_syscall_start:\n"
        "  mov 8(%r11), %rcx\n"
        "  not %rcx\n"
        "  and (%r11), %rcx\n"
        "  jnz user_safe_syscall_notrun\n"
        "  syscall\n"
        ".globl user_safe_syscall_end\n"
        ".hidden user_safe_syscall_end\n"
        "user_safe_syscall_end:\n"
        "  ret\n"
        ".globl user_safe_syscall_notrun\n"
        ".hidden user_safe_syscall_notrun\n"
        "user_safe_syscall_notrun:\n"
        "  mov $-513, %rax\n" /* -USER_ERESTARTNOINTR */
        "  ret\n"
        ".size user_safe_syscall, .-user_safe_syscall\n");

static int64_t host_sigaction(int sig, const UserSigAction *act, UserSigAction *old) {
  return raw_syscall6(SYS_rt_sigaction, (uint64_t)sig, (uint64_t)(uintptr_t)act,
                      (uint64_t)(uintptr_t)old, 8, 0, 0);
}

static uint64_t host_mask_of(const UserSigThread *s) {
  return (s->blocked & ~SIG_HOST_FAULTS) | (s->queued & SIG_RT);
}

static void host_mask_sync(const UserThread *t) {
  uint64_t m = host_mask_of(&t->sig);
  raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (uint64_t)(uintptr_t)&m, 0, 8, 0, 0);
}

/* Back into the kernel's queue, for this thread or for the process (the
 * handler blocks it here, so the kernel holds it or picks another thread). */
static void host_requeue(int sig, void *siginfo, bool to_thread) {
  uint64_t pid = (uint64_t)raw_syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
  if (to_thread)
    raw_syscall6(SYS_rt_tgsigqueueinfo, pid, (uint64_t)raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0),
                 (uint64_t)sig, (uint64_t)(uintptr_t)siginfo, 0, 0);
  else
    raw_syscall6(SYS_rt_sigqueueinfo, pid, (uint64_t)sig, (uint64_t)(uintptr_t)siginfo, 0, 0, 0);
}

void user_signal_host(int sig, void *siginfo, void *ucontext) {
  ucontext_t *uc = ucontext;
  uint64_t bit = SIGBIT(sig);
  uint64_t *host_mask = (uint64_t *)&uc->uc_sigmask; /* restored when we return */
  bool faults = bit & SIG_HOST_FAULTS;
  UserThread *t = sig_thread;
  if (!t) { /* not a guest thread (it should block everything): another one takes it */
    if (!faults) {
      host_requeue(sig, siginfo, false);
      *host_mask |= bit;
    }
    return;
  }
  UserSigThread *s = &t->sig;
  __atomic_fetch_add(&s->host_count, 1, __ATOMIC_RELAXED);
  if (s->queued & bit) {
    if (bit & SIG_RT) { /* arrived before the host mask caught up: the kernel keeps it */
      host_requeue(sig, siginfo, true);
      *host_mask |= bit;
    }
    return; /* a standard signal pending already: Linux keeps one */
  }
  memcpy(s->info[sig - 1], siginfo, sizeof s->info[0]);
  s->seq[sig - 1] = __atomic_fetch_add(&s->seq_next, 1, __ATOMIC_RELAXED);
  __atomic_fetch_or(&s->queued, bit, __ATOMIC_SEQ_CST);
  if (bit & SIG_RT)
    *host_mask |= bit;
  if (s->blocked & bit)
    return;
  emu_cpu_kick(t->cpu);
  greg_t *pc = &uc->uc_mcontext.gregs[REG_RIP];
  if ((uintptr_t)*pc >= (uintptr_t)user_safe_syscall_start &&
      (uintptr_t)*pc < (uintptr_t)user_safe_syscall_end)
    *pc = (greg_t)(uintptr_t)user_safe_syscall_notrun;
}

static void host_handler(int sig, siginfo_t *si, void *uc) { user_signal_host(sig, si, uc); }

void user_signal_note_fault(int sig) {
  if (sig_thread)
    sig_thread->sig.fault_signo = sig;
}

/* The host disposition that makes the kernel do what the guest's would. */
static void host_action_sync(UserProcess *p, int sig) {
  if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS)
    return; /* SIGSEGV/SIGBUS: always on_host_fault (user_main.c) */
  const UserSigAction *g = &p->sigact[sig];
  UserSigAction h = {.flags = g->flags & (SA_NOCLDSTOP | SA_NOCLDWAIT)};
  if (g->handler == (uint64_t)(uintptr_t)SIG_IGN)
    h.handler = (uint64_t)(uintptr_t)SIG_IGN;
  else if (g->handler == (uint64_t)(uintptr_t)SIG_DFL && sig_default[sig] >= DFL_IGN)
    h.handler = (uint64_t)(uintptr_t)SIG_DFL; /* the kernel ignores, stops, continues */
  else {
    h.handler = (uint64_t)(uintptr_t)host_handler;
    h.flags |= SA_SIGINFO | SA_ONSTACK | USER_SA_RESTORER;
    h.restorer = (uint64_t)(uintptr_t)user_sig_host_restorer;
    h.mask = ~0ull;
  }
  host_sigaction(sig, &h, NULL);
}

/* -- Threads ---------------------------------------------------------------- */

void user_signal_init(UserProcess *p, UserThread *t) {
  pthread_mutex_init(&p->sig_lock, NULL);
  uint64_t mask = 0;
  raw_syscall6(SYS_rt_sigprocmask, SIG_BLOCK, 0, (uint64_t)(uintptr_t)&mask, 8, 0, 0);
  memset(&t->sig, 0, sizeof t->sig);
  t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
  if (p->guest->sig && p->guest->sig->process_init)
    p->guest->sig->process_init();
  /* No altstack; execve clears it but keeps the flags (0 in practice), which a
   * frame's uc_stack shows. New threads get SS_DISABLE. */
  for (int sig = 1; sig <= 64; sig++) {
    UserSigAction old;
    if (sig == SIGKILL || sig == SIGSTOP)
      continue;
    if (host_sigaction(sig, NULL, &old) == 0 && old.handler == (uint64_t)(uintptr_t)SIG_IGN)
      p->sigact[sig].handler = (uint64_t)(uintptr_t)SIG_IGN; /* exec keeps ignored signals */
    host_action_sync(p, sig);
  }
}

void user_signal_thread_init(UserThread *child, const UserThread *parent) {
  memset(&child->sig, 0, sizeof child->sig);
  child->sig.blocked = parent->sig.blocked;
  child->sig.ss_flags = SS_DISABLE;
}

void user_signal_thread_start(UserThread *t) {
  sig_thread = t;
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
    void *p = mmap(NULL, HOST_ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p != MAP_FAILED) {
      stack_t ss = {.ss_sp = p, .ss_size = HOST_ALTSTACK_SIZE};
      sigaltstack(&ss, NULL);
      sig_host_altstack = p;
    }
  }
  host_mask_sync(t);
}

void user_signal_thread_exit(UserThread *t) {
  uint64_t all = ~0ull;
  raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (uint64_t)(uintptr_t)&all, 0, 8, 0, 0);
  sig_thread = NULL;
  /* Signals the kernel gave this thread for the process go back to it for the
   * others (Linux retargets shared pending signals when a thread exits);
   * those sent to this thread (tgkill) and its faults end with it. */
  for (uint64_t q = t->sig.queued; q; q &= q - 1) {
    int sig = __builtin_ctzll(q) + 1;
    int32_t code;
    memcpy(&code, t->sig.info[sig - 1] + 8, 4);
    if (code != SI_TKILL && !((SIGBIT(sig) & SIG_SYNC) && code > 0))
      host_requeue(sig, t->sig.info[sig - 1], false);
  }
  t->sig.queued = 0;
  if (sig_host_altstack) {
    stack_t ss = {.ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(sig_host_altstack, HOST_ALTSTACK_SIZE);
    sig_host_altstack = NULL;
  }
}

void user_signal_after_fork(UserThread *t) {
  t->sig.queued = 0;
  t->sig.restart = 0;
  host_mask_sync(t);
}

/* -- Masks and the altstack ------------------------------------------------- */

void user_sig_set_blocked(UserThread *t, uint64_t mask) {
  t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
  host_mask_sync(t);
}

uint64_t user_sig_host_mask(const UserThread *t) { return host_mask_of(&t->sig); }

bool user_sig_on_altstack(const UserThread *t, uint64_t sp) {
  const UserSigThread *s = &t->sig;
  if (s->ss_flags & USER_SS_AUTODISARM)
    return false;
  return sp > s->ss_sp && sp - s->ss_sp <= s->ss_size;
}

int user_sig_ss_flags(const UserThread *t, uint64_t sp) {
  if (!t->sig.ss_size)
    return SS_DISABLE;
  return user_sig_on_altstack(t, sp) ? SS_ONSTACK : 0;
}

int user_sig_set_altstack(UserThread *t, uint64_t ss_sp, int32_t ss_flags, uint64_t ss_size,
                          uint64_t sp) {
  UserSigThread *s = &t->sig;
  if (user_sig_on_altstack(t, sp))
    return -EPERM;
  int mode = ss_flags & ~USER_SS_AUTODISARM;
  if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
    return -EINVAL;
  if (s->ss_sp == ss_sp && s->ss_size == ss_size && s->ss_flags == ss_flags)
    return 0;
  if (mode == SS_DISABLE) {
    ss_sp = 0;
    ss_size = 0;
  } else if (ss_size < t->proc->guest->sig->minsigstksz) {
    return -ENOMEM;
  }
  s->ss_sp = ss_sp;
  s->ss_size = ss_size;
  s->ss_flags = ss_flags;
  return 0;
}

/* -- Dispositions ----------------------------------------------------------- */

void user_signal_set_action(UserThread *t, int sig, const UserSigAction *act, UserSigAction *old) {
  UserProcess *p = t->proc;
  pthread_mutex_lock(&p->sig_lock);
  if (old)
    *old = p->sigact[sig];
  if (act) {
    UserSigAction a = *act;
    a.flags &= SA_KNOWN;
    a.mask &= ~SIG_UNBLOCKABLE;
    p->sigact[sig] = a;
    host_action_sync(p, sig);
    if (sig_ignored(&a, sig) && (t->sig.queued & SIGBIT(sig))) {
      /* Setting an ignoring action discards what is pending (the host's too). */
      __atomic_fetch_and(&t->sig.queued, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
      host_mask_sync(t);
    }
  }
  pthread_mutex_unlock(&p->sig_lock);
}

/* The action a delivery uses; SA_RESETHAND's reset happens here, as in Linux. */
static UserSigAction take_action(UserProcess *p, int sig) {
  pthread_mutex_lock(&p->sig_lock);
  UserSigAction a = p->sigact[sig];
  if ((a.flags & SA_RESETHAND) && a.handler != (uint64_t)(uintptr_t)SIG_IGN &&
      a.handler != (uint64_t)(uintptr_t)SIG_DFL) {
    p->sigact[sig].handler = (uint64_t)(uintptr_t)SIG_DFL;
    host_action_sync(p, sig);
  }
  pthread_mutex_unlock(&p->sig_lock);
  return a;
}

/* -- Queue ------------------------------------------------------------------ */

/* Which pending signal goes first: a synchronous one (lowest number, as Linux's
 * next_signal), else the one that arrived first. The host hands signals to us in
 * its own order (thread-directed before process-directed, lowest first), and a
 * later arrival would have interrupted the earlier one's handler. */
static int pick(const UserSigThread *s, uint64_t ready) {
  uint64_t sync = ready & SIG_SYNC;
  if (sync)
    return __builtin_ctzll(sync) + 1;
  int best = __builtin_ctzll(ready) + 1;
  for (uint64_t r = ready & (ready - 1); r; r &= r - 1) {
    int sig = __builtin_ctzll(r) + 1;
    if ((int32_t)(s->seq[sig - 1] - s->seq[best - 1]) < 0)
      best = sig;
  }
  return best;
}

static void take(UserSigThread *s, int sig, uint8_t info[128]) {
  memcpy(info, s->info[sig - 1], 128);
  __atomic_fetch_and(&s->queued, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
}

int user_sig_take(UserThread *t, uint64_t want, uint8_t info[128]) {
  uint64_t ready = t->sig.queued & want;
  if (!ready)
    return 0;
  int sig = pick(&t->sig, ready);
  take(&t->sig, sig, info);
  if (SIGBIT(sig) & SIG_RT)
    host_mask_sync(t); /* let the kernel hand over the next one */
  return sig;
}

void user_signal_force(UserThread *t, int sig, const uint8_t info[128]) {
  UserProcess *p = t->proc;
  uint64_t bit = SIGBIT(sig);
  pthread_mutex_lock(&p->sig_lock);
  if ((t->sig.blocked & bit) || p->sigact[sig].handler == (uint64_t)(uintptr_t)SIG_IGN) {
    p->sigact[sig].handler = (uint64_t)(uintptr_t)SIG_DFL;
    host_action_sync(p, sig);
    t->sig.blocked &= ~bit;
  }
  pthread_mutex_unlock(&p->sig_lock);
  memcpy(t->sig.info[sig - 1], info, 128);
  t->sig.seq[sig - 1] = __atomic_fetch_add(&t->sig.seq_next, 1, __ATOMIC_RELAXED);
  __atomic_fetch_or(&t->sig.queued, bit, __ATOMIC_SEQ_CST);
}

/* -- Delivery --------------------------------------------------------------- */

/* -strace's line for a delivery, like strace's. */
static void strace_signal(const UserThread *t, int sig, const uint8_t info[128]) {
  int32_t code;
  uint64_t addr;
  uint32_t pid;
  memcpy(&code, info + 8, 4);
  memcpy(&addr, info + 16, 8);
  memcpy(&pid, info + 16, 4);
  const char *name = sigabbrev_np(sig);
  if (SIGBIT(sig) & SIG_SYNC && code > 0)
    emu_log("%d --- SIG%s {si_signo=%d, si_code=%d, si_addr=0x%llx} ---\n", (int)t->tid,
            name ? name : "?", sig, code, (unsigned long long)addr);
  else
    emu_log("%d --- SIG%s {si_signo=%d, si_code=%d, si_pid=%u} ---\n", (int)t->tid,
            name ? name : "?", sig, code, pid);
}

static void put_i32(uint8_t *p, int32_t v) { memcpy(p, &v, 4); }

/* Linux's force_sigsegv: a frame that cannot be written. */
static void force_sigsegv(UserThread *t, int sig) {
  if (sig == SIGSEGV)
    user_die_by_signal(t, SIGSEGV);
  uint8_t info[128] = {0};
  put_i32(info, SIGSEGV);
  put_i32(info + 8, SI_KERNEL);
  user_signal_force(t, SIGSEGV, info);
}

static void default_action(UserThread *t, int sig) {
  switch (sig_default[sig]) {
  case DFL_IGN:
  case DFL_CONT:
    return;
  case DFL_STOP:
    raw_syscall6(SYS_tgkill, (uint64_t)getpid(), (uint64_t)raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0),
                 SIGSTOP, 0, 0, 0);
    return;
  default:
    user_die_by_signal(t, sig);
  }
}

/* A handler runs: the interrupted syscall fails with EINTR (already in the
 * return register) or starts again when the handler returns. */
static void restart_for_handler(UserThread *t, uint64_t flags) {
  UserSigThread *s = &t->sig;
  bool again = s->restart == USER_ERESTARTNOINTR ||
               (s->restart == USER_ERESTARTSYS && (flags & SA_RESTART));
  if (again)
    t->proc->guest->sig->rewind_syscall(emu_guest(t->cpu), s->restart_nr);
  s->restart = 0;
}

void user_signal_deliver(UserThread *t) {
  UserSigThread *s = &t->sig;
  const UserSigArch *arch = t->proc->guest->sig;
  bool handled = false;
  for (;;) {
    uint64_t ready = s->queued & ~s->blocked;
    if (!ready) {
      if (handled || (!s->restart && !s->restore_mask))
        break;
      /* No handler ran: the interrupted syscall starts again, a temporary mask
       * (sigsuspend, pselect6) goes, and what it blocked may now be ready. */
      if (s->restart && arch)
        arch->rewind_syscall(emu_guest(t->cpu), s->restart_nr);
      s->restart = 0;
      if (s->restore_mask) {
        s->restore_mask = false;
        s->blocked = s->saved_mask;
      }
      continue;
    }
    int sig = pick(s, ready);
    uint8_t info[128];
    take(s, sig, info);
    if (t->proc->opt.strace)
      strace_signal(t, sig, info);
    UserSigAction act = take_action(t->proc, sig);
    if (act.handler == (uint64_t)(uintptr_t)SIG_IGN)
      continue;
    if (act.handler == (uint64_t)(uintptr_t)SIG_DFL || !arch) {
      default_action(t, sig);
      continue;
    }
    if (s->restart)
      restart_for_handler(t, act.flags);
    uint64_t saved = s->restore_mask ? s->saved_mask : s->blocked;
    if (!arch->setup_frame(t, sig, &act, info, saved)) {
      force_sigsegv(t, sig);
      continue;
    }
    s->restore_mask = false;
    s->blocked = (s->blocked | act.mask | ((act.flags & SA_NODEFER) ? 0 : SIGBIT(sig))) &
                 ~SIG_UNBLOCKABLE;
    if (s->ss_flags & USER_SS_AUTODISARM) {
      s->ss_sp = s->ss_size = 0;
      s->ss_flags = SS_DISABLE;
    }
    handled = true;
  }
  host_mask_sync(t);
}

/* -- Interrupted syscalls --------------------------------------------------- */

/* What Linux returns when a signal interrupts a syscall, by syscall name (the
 * same for every guest); unlisted ones are ERESTARTSYS (restart with SA_RESTART).
 * Some apply a temporary mask from an argument while they wait (indirect:
 * pselect6's pointer to {sigset pointer, size}). */
typedef struct SysEintr {
  const char *name;
  int16_t code;
  int8_t mask_arg;
  bool mask_indirect;
} SysEintr;
enum { FUTEX_BY_OP = -1 };
static const SysEintr sys_eintr[] = {
    {"pause", USER_ERESTARTNOHAND, -1, false},
    {"rt_sigsuspend", USER_ERESTARTNOHAND, -1, false},
    {"select", USER_ERESTARTNOHAND, -1, false},
    {"poll", USER_ERESTARTNOHAND, -1, false},
    {"pselect6", USER_ERESTARTNOHAND, 5, true},
    {"ppoll", USER_ERESTARTNOHAND, 3, false},
    {"msgrcv", USER_ERESTARTNOHAND, -1, false},
    {"nanosleep", USER_ERESTART_RESTARTBLOCK, -1, false},
    {"clock_nanosleep", USER_ERESTART_RESTARTBLOCK, -1, false},
    {"epoll_wait", EINTR, -1, false},
    {"epoll_pwait", EINTR, 4, false},
    {"epoll_pwait2", EINTR, 4, false},
    {"rt_sigtimedwait", EINTR, -1, false},
    {"semop", EINTR, -1, false},
    {"semtimedop", EINTR, -1, false},
    {"io_getevents", EINTR, -1, false},
    {"io_pgetevents", EINTR, -1, false},
    {"futex", FUTEX_BY_OP, -1, false},
};

/* futex: a wait without a timeout restarts with SA_RESTART, one with a timeout
 * does not (it goes through a restart block). */
static int futex_code(const uint64_t a[6]) {
  uint64_t cmd = a[1] & 127;
  if (cmd == 0 /* FUTEX_WAIT */ || cmd == 9 /* FUTEX_WAIT_BITSET */)
    return a[3] ? USER_ERESTART_RESTARTBLOCK : USER_ERESTARTSYS;
  return USER_ERESTARTSYS;
}

static void apply_temp_mask(UserSigThread *s, const SysEintr *e, const uint64_t a[6]) {
  uint64_t ptr = a[e->mask_arg];
  if (e->mask_indirect && ptr) {
    const uint64_t *pack = user_ptr(ptr, 16);
    ptr = pack ? pack[0] : 0;
  }
  const uint64_t *m = ptr ? user_ptr(ptr, 8) : NULL;
  if (!m)
    return;
  s->saved_mask = s->blocked;
  s->restore_mask = true;
  s->blocked = *m & ~SIG_UNBLOCKABLE;
}

static int eintr_code(UserSigThread *s, const SysRow *row, const uint64_t a[6]) {
  for (size_t i = 0; i < sizeof sys_eintr / sizeof sys_eintr[0]; i++) {
    const SysEintr *e = &sys_eintr[i];
    if (strcmp(e->name, row->name) != 0)
      continue;
    if (e->mask_arg >= 0)
      apply_temp_mask(s, e, a);
    return e->code == FUTEX_BY_OP ? futex_code(a) : e->code;
  }
  return USER_ERESTARTSYS;
}

int64_t user_signal_syscall_end(UserThread *t, const SysRow *row, uint64_t nr, const uint64_t a[6],
                                int64_t ret, uint32_t host_count_before) {
  UserSigThread *s = &t->sig;
  if (ret == -EINTR && row && s->host_count != host_count_before)
    ret = -eintr_code(s, row, a);
  switch (-ret) {
  case USER_ERESTARTSYS:
  case USER_ERESTARTNOINTR:
  case USER_ERESTARTNOHAND:
  case USER_ERESTART_RESTARTBLOCK:
    s->restart = (int32_t)-ret;
    s->restart_nr = nr;
    return -EINTR;
  default:
    return ret;
  }
}
