/* sys_signal.c — the guest's signal dispositions, mask and alternate stack.
 * They are recorded per guest ABI layout; delivery to guest handlers (signal
 * frames) is not implemented yet: a signal takes its default action. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sys.h"

int64_t sys_rt_sigaction(UserThread *t, const uint64_t a[6]) {
  uint64_t sig = a[0];
  if (sig < 1 || sig > 64 || sig == SIGKILL || sig == SIGSTOP || a[3] != 8)
    return -EINVAL;
  uint8_t *slot = t->proc->sigactions[sig];
  if (a[2]) {
    void *old = user_ptr(a[2], sizeof t->proc->sigactions[0]);
    if (!old)
      return -EFAULT;
    memcpy(old, slot, sizeof t->proc->sigactions[0]);
  }
  if (a[1]) {
    const void *act = user_ptr(a[1], sizeof t->proc->sigactions[0]);
    if (!act)
      return -EFAULT;
    memcpy(slot, act, sizeof t->proc->sigactions[0]);
  }
  return 0;
}

int64_t sys_rt_sigprocmask(UserThread *t, const uint64_t a[6]) {
  if (a[3] != 8)
    return -EINVAL;
  uint64_t old = t->sigmask;
  if (a[1]) {
    uint64_t *set = user_ptr(a[1], 8);
    if (!set)
      return -EFAULT;
    switch (a[0]) {
    case SIG_BLOCK: t->sigmask |= *set; break;
    case SIG_UNBLOCK: t->sigmask &= ~*set; break;
    case SIG_SETMASK: t->sigmask = *set; break;
    default: return -EINVAL;
    }
    t->sigmask &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
  }
  if (a[2]) {
    uint64_t *oset = user_ptr(a[2], 8);
    if (!oset)
      return -EFAULT;
    *oset = old;
  }
  return 0;
}

int64_t sys_sigaltstack(UserThread *t, const uint64_t a[6]) {
  if (a[1]) {
    void *old = user_ptr(a[1], sizeof t->altstack);
    if (!old)
      return -EFAULT;
    memcpy(old, t->altstack, sizeof t->altstack);
  }
  if (a[0]) {
    const void *ss = user_ptr(a[0], sizeof t->altstack);
    if (!ss)
      return -EFAULT;
    memcpy(t->altstack, ss, sizeof t->altstack);
  }
  return 0;
}
