/* sys_signal.c — the signal syscalls, generic Linux semantics on the state
 * signal.c keeps (dispositions, per-thread mask and queue, altstack); the frame
 * and rt_sigreturn are the guest ABI's (signal_<arch>.c). kill, tgkill, alarm and
 * setitimer pass through: the host delivers to our handlers, which queue. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "syscall_raw.h"
#include "sys.h"

#define SIGBIT(s) (1ull << ((s) - 1))
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SIGSET_SIZE 8 /* the kernel's sigset_t */

int64_t sys_rt_sigaction(UserThread *t, const uint64_t a[6]) {
  uint64_t sig = a[0];
  if (a[3] != SIGSET_SIZE)
    return -EINVAL;
  if (sig < 1 || sig > 64 || (a[1] && (sig == SIGKILL || sig == SIGSTOP)))
    return -EINVAL;
  UserSigAction act, old;
  if (a[1]) {
    const void *p = user_ptr(a[1], sizeof act);
    if (!p)
      return -EFAULT;
    memcpy(&act, p, sizeof act);
  }
  user_signal_set_action(t, (int)sig, a[1] ? &act : NULL, &old);
  if (a[2]) {
    void *p = user_ptr(a[2], sizeof old);
    if (!p)
      return -EFAULT;
    memcpy(p, &old, sizeof old);
  }
  return 0;
}

int64_t sys_rt_sigprocmask(UserThread *t, const uint64_t a[6]) {
  if (a[3] != SIGSET_SIZE)
    return -EINVAL;
  uint64_t old = t->sig.blocked;
  if (a[1]) {
    const uint64_t *set = user_ptr(a[1], 8);
    if (!set)
      return -EFAULT;
    switch (a[0]) {
    case SIG_BLOCK: user_sig_set_blocked(t, old | *set); break;
    case SIG_UNBLOCK: user_sig_set_blocked(t, old & ~*set); break;
    case SIG_SETMASK: user_sig_set_blocked(t, *set); break;
    default: return -EINVAL;
    }
  }
  if (a[2]) {
    uint64_t *oset = user_ptr(a[2], 8);
    if (!oset)
      return -EFAULT;
    *oset = old;
  }
  return 0;
}

/* Pending and blocked: ours (delivered by the host, not yet to the guest) and
 * the host's (still in the kernel). */
int64_t sys_rt_sigpending(UserThread *t, const uint64_t a[6]) {
  if (a[1] > SIGSET_SIZE)
    return -EINVAL;
  uint64_t host = 0;
  raw_syscall6(SYS_rt_sigpending, (uint64_t)(uintptr_t)&host, SIGSET_SIZE, 0, 0, 0, 0);
  uint64_t set = (t->sig.queued | host) & t->sig.blocked;
  if (!a[1])
    return 0;
  void *out = user_ptr(a[0], a[1]);
  if (!out)
    return -EFAULT;
  memcpy(out, &set, a[1]);
  return 0;
}

/* The temporary mask stays until a handler has run (its frame saves the old
 * one) or, if none runs, the loop puts it back and restarts the call. */
int64_t sys_rt_sigsuspend(UserThread *t, const uint64_t a[6]) {
  if (a[1] != SIGSET_SIZE)
    return -EINVAL;
  const uint64_t *m = user_ptr(a[0], 8);
  if (!m)
    return -EFAULT;
  UserSigThread *s = &t->sig;
  s->saved_mask = s->blocked;
  s->restore_mask = true;
  s->blocked = *m & ~SIG_UNBLOCKABLE;
  uint64_t host = user_sig_host_mask(t);
  user_safe_syscall(s, SYS_rt_sigsuspend, (uint64_t)(uintptr_t)&host, SIGSET_SIZE, 0, 0, 0, 0);
  return -USER_ERESTARTNOHAND;
}

/* A signal of the set already queued here first; else the host waits (signals
 * in the set are blocked there, so the kernel keeps them for it). */
int64_t sys_rt_sigtimedwait(UserThread *t, const uint64_t a[6]) {
  if (a[3] != SIGSET_SIZE)
    return -EINVAL;
  const uint64_t *set = user_ptr(a[0], 8);
  if (!set)
    return -EFAULT;
  const void *ts = NULL;
  if (a[2] && !(ts = user_ptr(a[2], 16)))
    return -EFAULT;
  void *info = NULL;
  if (a[1] && !(info = user_ptr(a[1], 128)))
    return -EFAULT;
  uint64_t want = *set & ~SIG_UNBLOCKABLE;
  uint8_t buf[128];
  int sig = user_sig_take(t, want, buf);
  if (sig) {
    if (info)
      memcpy(info, buf, sizeof buf);
    return sig;
  }
  return user_safe_syscall(&t->sig, SYS_rt_sigtimedwait, (uint64_t)(uintptr_t)&want,
                           (uint64_t)(uintptr_t)info, (uint64_t)(uintptr_t)ts, SIGSET_SIZE, 0, 0);
}

/* stack_t: ss_sp, ss_flags (int, padded), ss_size. */
typedef struct GuestStack {
  uint64_t sp;
  int32_t flags, pad;
  uint64_t size;
} GuestStack;

int64_t sys_sigaltstack(UserThread *t, const uint64_t a[6]) {
  const UserSigArch *arch = t->proc->guest->sig;
  uint64_t sp = arch ? arch->get_sp(emu_guest(t->cpu)) : 0;
  GuestStack ss;
  if (a[0]) {
    const void *p = user_ptr(a[0], sizeof ss);
    if (!p)
      return -EFAULT;
    memcpy(&ss, p, sizeof ss);
  }
  GuestStack old = {.sp = t->sig.ss_sp,
                    .flags = user_sig_ss_flags(t, sp) | (t->sig.ss_flags & USER_SS_AUTODISARM),
                    .size = t->sig.ss_size};
  int ret = a[0] ? user_sig_set_altstack(t, ss.sp, ss.flags, ss.size, sp) : 0;
  if (ret == 0 && a[1]) {
    void *p = user_ptr(a[1], sizeof old);
    if (!p)
      return -EFAULT;
    memcpy(p, &old, sizeof old);
  }
  return ret;
}

int64_t sys_rt_sigreturn(UserThread *t, const uint64_t a[6]) {
  (void)a;
  const UserSigArch *arch = t->proc->guest->sig;
  return arch ? arch->sigreturn(t) : -ENOSYS;
}
