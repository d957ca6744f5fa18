/* sys_limits.c — process attributes the guest queries and sets: prctl and the
 * resource limits. Most pass through to the host process, which is the
 * guest's. Some would act on emu itself and are refused (a seccomp filter, a
 * syscall-dispatch selector, MDWE would stop the JIT, PR_SET_MM rewrites
 * emu's mm fields) or kept emu-side: RLIMIT_AS (emu's reserved guest window
 * alone would exceed any limit the guest sets) and RLIMIT_STACK (the guest's
 * stack is a fixed mapping of the size emu chose; that is what it reports). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/prctl.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "initstack.h"
#include "syscall_raw.h"
#include "sys.h"

/* -- prctl ---------------------------------------------------------------------- */

enum { PRCTL_VALUES, PRCTL_IN, PRCTL_OUT, PRCTL_DENY };

static const struct {
  int option;
  uint8_t how;   /* for PRCTL_IN / PRCTL_OUT: arg2 points at size bytes */
  uint8_t size;
  int err;       /* PRCTL_DENY */
} prctl_rows[] = {
    {PR_SET_PDEATHSIG, PRCTL_VALUES, 0, 0},  {PR_GET_PDEATHSIG, PRCTL_OUT, 4, 0},
    {PR_GET_DUMPABLE, PRCTL_VALUES, 0, 0},   {PR_SET_DUMPABLE, PRCTL_VALUES, 0, 0},
    {PR_GET_KEEPCAPS, PRCTL_VALUES, 0, 0},   {PR_SET_KEEPCAPS, PRCTL_VALUES, 0, 0},
    {PR_GET_TIMING, PRCTL_VALUES, 0, 0},     {PR_SET_TIMING, PRCTL_VALUES, 0, 0},
    {PR_SET_NAME, PRCTL_IN, 16, 0},          {PR_GET_NAME, PRCTL_OUT, 16, 0},
    {PR_GET_SECCOMP, PRCTL_VALUES, 0, 0},    {PR_SET_SECCOMP, PRCTL_DENY, 0, EINVAL},
    {PR_CAPBSET_READ, PRCTL_VALUES, 0, 0},   {PR_CAPBSET_DROP, PRCTL_VALUES, 0, 0},
    {PR_GET_TSC, PRCTL_OUT, 4, 0},           {PR_SET_TSC, PRCTL_VALUES, 0, 0},
    {PR_GET_SECUREBITS, PRCTL_VALUES, 0, 0}, {PR_SET_SECUREBITS, PRCTL_VALUES, 0, 0},
    {PR_SET_TIMERSLACK, PRCTL_VALUES, 0, 0}, {PR_GET_TIMERSLACK, PRCTL_VALUES, 0, 0},
    {PR_TASK_PERF_EVENTS_DISABLE, PRCTL_VALUES, 0, 0},
    {PR_TASK_PERF_EVENTS_ENABLE, PRCTL_VALUES, 0, 0},
    {PR_MCE_KILL, PRCTL_VALUES, 0, 0},       {PR_MCE_KILL_GET, PRCTL_VALUES, 0, 0},
    {PR_SET_MM, PRCTL_DENY, 0, EPERM},
    {PR_SET_CHILD_SUBREAPER, PRCTL_VALUES, 0, 0}, {PR_GET_CHILD_SUBREAPER, PRCTL_OUT, 4, 0},
    {PR_SET_NO_NEW_PRIVS, PRCTL_VALUES, 0, 0}, {PR_GET_NO_NEW_PRIVS, PRCTL_VALUES, 0, 0},
    {PR_SET_THP_DISABLE, PRCTL_VALUES, 0, 0}, {PR_GET_THP_DISABLE, PRCTL_VALUES, 0, 0},
    {PR_CAP_AMBIENT, PRCTL_VALUES, 0, 0},
    {PR_GET_SPECULATION_CTRL, PRCTL_VALUES, 0, 0}, {PR_SET_SPECULATION_CTRL, PRCTL_VALUES, 0, 0},
    {PR_SET_IO_FLUSHER, PRCTL_VALUES, 0, 0}, {PR_GET_IO_FLUSHER, PRCTL_VALUES, 0, 0},
    {PR_SET_SYSCALL_USER_DISPATCH, PRCTL_DENY, 0, EINVAL},
    {65 /* PR_SET_MDWE */, PRCTL_DENY, 0, EINVAL}, {66 /* PR_GET_MDWE */, PRCTL_VALUES, 0, 0},
    {PR_SET_PTRACER, PRCTL_VALUES, 0, 0},
};

#define PR_GET_AUXV_ 0x41555856 /* Linux 6.4 */
#define PR_SET_VMA_ 0x53564d41  /* Linux 5.17: name an anonymous range */

int64_t sys_prctl(UserThread *t, const uint64_t a[6]) {
  int option = (int)a[0];
  if (option == PR_GET_TID_ADDRESS) {
    uint64_t *out = user_ptr(a[1], 8);
    if (!out)
      return -EFAULT;
    *out = t->clear_child_tid;
    return 0;
  }
  if (option == PR_GET_AUXV_) { /* the guest's auxv; returns its full size */
    const uint8_t *auxv;
    size_t len = procfs_auxv(&auxv), n = len < a[2] ? len : a[2];
    void *out = n ? user_ptr(a[1], n) : NULL;
    if (a[3] || a[4])
      return -EINVAL;
    if (n && !out)
      return -EFAULT;
    if (n)
      memcpy(out, auxv, n);
    return (int64_t)len;
  }
  if (option == PR_SET_VMA_) { /* the range is the guest's; the host names it */
    void *range = user_ptr(a[2], a[3]);
    const char *name = a[4] ? user_str(a[4]) : NULL;
    if (!range || (a[4] && !name))
      return -EFAULT;
    return raw_syscall6(SYS_prctl, a[0], a[1], (uint64_t)(uintptr_t)range, a[3],
                        (uint64_t)(uintptr_t)name, 0);
  }
  for (size_t i = 0; i < sizeof prctl_rows / sizeof prctl_rows[0]; i++) {
    if (prctl_rows[i].option != option)
      continue;
    uint64_t arg2 = a[1];
    switch (prctl_rows[i].how) {
    case PRCTL_DENY:
      return -prctl_rows[i].err;
    case PRCTL_IN:
    case PRCTL_OUT: {
      void *p = user_ptr(a[1], prctl_rows[i].size);
      if (!p)
        return -EFAULT;
      if (prctl_rows[i].how == PRCTL_OUT)
        user_smc_release(a[1], a[1] + prctl_rows[i].size);
      arg2 = (uint64_t)(uintptr_t)p;
      break;
    }
    }
    return raw_syscall6(SYS_prctl, a[0], arg2, a[2], a[3], a[4], 0);
  }
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("emu: prctl option %d not supported (returns -EINVAL)\n", option);
  return -EINVAL;
}

/* -- Resource limits ---------------------------------------------------------- */

typedef struct Rlim {
  uint64_t cur, max;
} Rlim;

static pthread_mutex_t limits_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the two below */
static Rlim guest_as, guest_stack;
static bool limits_ready;

/* First use: AS as the host's; STACK's soft limit is the guest stack's size.
 * Called with limits_lock held. */
static void limits_init(UserThread *t) {
  if (limits_ready)
    return;
  struct rlimit r;
  getrlimit(RLIMIT_AS, &r);
  guest_as = (Rlim){r.rlim_cur, r.rlim_max};
  getrlimit(RLIMIT_STACK, &r);
  uint64_t size = t->proc->opt.stack_size ? t->proc->opt.stack_size : INITSTACK_DEFAULT_SIZE;
  guest_stack = (Rlim){size < r.rlim_max ? size : r.rlim_max, r.rlim_max};
  limits_ready = true;
}

static int64_t do_prlimit(UserThread *t, uint64_t pid, uint64_t res, uint64_t newp, uint64_t oldp) {
  const Rlim *in = newp ? user_ptr(newp, sizeof *in) : NULL;
  Rlim *out = oldp ? user_ptr(oldp, sizeof *out) : NULL;
  if ((newp && !in) || (oldp && !out))
    return -EFAULT;
  Rlim *kept = NULL;
  if ((pid == 0 || pid == (uint64_t)getpid()) && (res == RLIMIT_AS || res == RLIMIT_STACK))
    kept = res == RLIMIT_AS ? &guest_as : &guest_stack;
  if (!kept)
    return raw_syscall6(SYS_prlimit64, pid, res, (uint64_t)(uintptr_t)in,
                        (uint64_t)(uintptr_t)out, 0, 0);
  int64_t r = 0;
  pthread_mutex_lock(&limits_lock);
  limits_init(t);
  Rlim old = *kept;
  if (in && in->cur > in->max)
    r = -EINVAL;
  else if (in && in->max > kept->max && geteuid() != 0)
    r = -EPERM;
  else if (in && res == RLIMIT_STACK) /* children and exec'd programs inherit it */
    r = raw_syscall6(SYS_prlimit64, 0, res, (uint64_t)(uintptr_t)in, 0, 0, 0);
  if (in && r == 0)
    *kept = *in;
  pthread_mutex_unlock(&limits_lock);
  if (out && r == 0)
    *out = old;
  return r;
}

int64_t sys_prlimit64(UserThread *t, const uint64_t a[6]) {
  return do_prlimit(t, a[0], a[1], a[2], a[3]);
}

int64_t sys_getrlimit(UserThread *t, const uint64_t a[6]) {
  if (!a[1])
    return -EFAULT;
  return do_prlimit(t, 0, a[0], 0, a[1]);
}

int64_t sys_setrlimit(UserThread *t, const uint64_t a[6]) {
  if (!a[1])
    return -EFAULT;
  return do_prlimit(t, 0, a[0], a[1], 0);
}
