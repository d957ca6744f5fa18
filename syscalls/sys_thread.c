/* sys_thread.c — guest threads: clone and clone3 with CLONE_VM|CLONE_THREAD,
 * thread exit (clear_child_tid, the robust futex list) against exit_group,
 * and the thread bookkeeping fork needs.
 *
 * One host thread per guest thread, made by pthread_create: the host libc and
 * ASan must know every thread that runs emu code (malloc arenas, errno, emu's
 * own __thread state), which a raw clone would hide from them. Each has its
 * own EmuCpu and UserThread; the guest tid is the host tid (gettid in the new
 * thread), so futex, tgkill and set_robust_list need no translation. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest_mem.h"
#include "syscall_raw.h"
#include "sys.h"

/* Host stack per guest thread: emu's dispatcher, translation (frontend, passes,
 * backend) and syscall handlers; host signal handlers run on their own stack
 * (signal.c). Measured high-water mark: 10-16 KiB (fast and interp tiers, a
 * 64 KiB code cache, ASan, python3's threads). LLVM may recurse deeply, and a
 * sanitizer build deserves room: they get more. */
#define THREAD_STACK (256u << 10)
#define THREAD_STACK_BIG (8u << 20)

static int nthreads = 1;          /* live guest threads (__atomic) */
static int exit_claimed;          /* a thread is ending the process (__atomic) */
static __thread jmp_buf *exit_jmp; /* threads we started leave user_cpu_loop here */
/* The robust futex list (set_robust_list): one per host thread = guest thread. */
static __thread uint64_t robust_head, robust_len;

/* -- Guest words the kernel would write with put_user (failures ignored) ----- */

static void put_word(uint64_t addr, uint32_t v) {
  if (!addr || (addr & 3) || !gmem_check(addr, 4, PROT_WRITE))
    return;
  user_smc_release(addr, addr + 4); /* a write-watched page would fault in emu */
  __atomic_store_n((uint32_t *)gmem_g2h(addr), v, __ATOMIC_SEQ_CST);
}

static void futex_wake(uint64_t addr, int n) {
  raw_syscall6(SYS_futex, (uint64_t)(uintptr_t)gmem_g2h(addr), FUTEX_WAKE, (uint64_t)n, 0, 0, 0);
}

/* -- Creation ------------------------------------------------------------------ */

typedef struct ThreadStart {
  UserThread *t;
  uint64_t flags, ptid, ctid;
  sem_t ready; /* posted when the child has written the tid words (or failed) */
  pid_t tid;
  int err;     /* -errno: the child could not be set up and will not run */
} ThreadStart;

/* Host threads share the fd table and fs info; a guest thread without
 * CLONE_FILES/CLONE_FS gets its own copies, as the kernel would give it. */
static int unshare_missing(uint64_t flags) {
  int what = (flags & CLONE_FILES ? 0 : CLONE_FILES) | (flags & CLONE_FS ? 0 : CLONE_FS);
  return what && unshare(what) != 0 ? -errno : 0;
}

static void *thread_main(void *arg) {
  ThreadStart *s = arg;
  UserThread *t = s->t;
  t->tid = (pid_t)raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
  s->tid = t->tid;
  s->err = unshare_missing(s->flags);
  if (!s->err) {
    /* Before the guest runs anywhere: glibc's new thread reads its tid from
     * the CLONE_PARENT_SETTID word at once (the kernel writes it early too). */
    if (s->flags & CLONE_PARENT_SETTID)
      put_word(s->ptid, (uint32_t)t->tid);
    if (s->flags & CLONE_CHILD_SETTID)
      put_word(s->ctid, (uint32_t)t->tid);
  }
  bool run = !s->err;
  sem_post(&s->ready); /* s is the parent's again */
  if (!run)
    return NULL;
  jmp_buf here;
  exit_jmp = &here;
  if (!setjmp(here))
    user_cpu_loop(t); /* user_signal_thread_start sets the host mask and altstack */
  return NULL;        /* sys_exit freed t */
}

/* Flags a guest thread may be cloned with. The rest (namespaces, ptrace,
 * vfork, pidfd) would not describe a thread. */
#define THREAD_NEED (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_OK                                                                            \
  (THREAD_NEED | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
   CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_IO |  \
   CSIGNAL)

static void thread_free(UserThread *t) {
  emu_cpu_free(t->cpu);
  free(t);
}

int64_t user_thread_clone(UserThread *parent, uint64_t flags, uint64_t newsp, uint64_t ptid,
                          uint64_t ctid, uint64_t tls) {
  if ((flags & THREAD_NEED) != THREAD_NEED || (flags & ~(uint64_t)THREAD_OK))
    return -EINVAL; /* CLONE_VM alone would be a process sharing emu's memory */
  UserProcess *p = parent->proc;
  const UserGuest *g = p->guest;
  UserThread *t = calloc(1, sizeof *t);
  if (!t)
    return -EAGAIN;
  t->proc = p;
  t->cpu = emu_cpu_new(p->engine, t);
  if (!t->cpu) {
    free(t);
    return -EAGAIN;
  }
  /* The parent's registers (it is stopped in this syscall), then what clone changes. */
  void *st = emu_guest(t->cpu);
  memcpy(st, emu_guest(parent->cpu), g->frontend->rf->state_size);
  /* and its FP environment: Linux copies FPSR/FPCR (arm64) and MXCSR (x86) */
  t->cpu->rt.fenv = parent->cpu->rt.fenv;
  g->syscall_ret(st, 0);
  if (newsp)
    g->set_sp(st, newsp);
  if (flags & CLONE_SETTLS)
    g->set_tls(st, tls);
  if (flags & CLONE_CHILD_CLEARTID)
    t->clear_child_tid = ctid;
  user_signal_thread_init(t, parent);

  ThreadStart s = {.t = t, .flags = flags, .ptid = ptid, .ctid = ctid};
  sem_init(&s.ready, 0, 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  bool big = p->opt.tier == EMU_TIER_LLVM || p->opt.tier == EMU_TIER_AUTO || gmem_base != 0;
  pthread_attr_setstacksize(&attr, big ? THREAD_STACK_BIG : THREAD_STACK);
  __atomic_add_fetch(&nthreads, 1, __ATOMIC_SEQ_CST);
  /* The child starts with every host signal blocked (raw: glibc would keep
   * its own two); user_signal_thread_start sets its mask. */
  uint64_t all = ~0ull, old;
  raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (uint64_t)(uintptr_t)&all,
               (uint64_t)(uintptr_t)&old, 8, 0, 0);
  pthread_t th;
  int rc = pthread_create(&th, &attr, thread_main, &s);
  raw_syscall6(SYS_rt_sigprocmask, SIG_SETMASK, (uint64_t)(uintptr_t)&old, 0, 8, 0, 0);
  pthread_attr_destroy(&attr);
  if (rc == 0)
    while (sem_wait(&s.ready) != 0) /* EINTR: our own signal handlers */
      ;
  sem_destroy(&s.ready);
  if (rc != 0 || s.err) {
    __atomic_sub_fetch(&nthreads, 1, __ATOMIC_SEQ_CST);
    thread_free(t);
    return rc ? -EAGAIN : s.err;
  }
  return s.tid; /* not t->tid: the child may have exited and freed t already */
}

/* clone3: struct clone_args (linux/sched.h), version 0..2 sizes. Threads come
 * here; fork-like requests go to clone's path. Features that path lacks
 * (set_tid, cgroups, pidfd, clearing handlers) get ENOSYS: glibc then falls
 * back to clone, which drops them too. */
typedef struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  uint64_t set_tid, set_tid_size, cgroup;
} CloneArgs;

#define CLONE3_ONLY (CLONE_PIDFD | 0x100000000ull /* CLEAR_SIGHAND */ | 0x200000000ull /* INTO_CGROUP */)

int64_t sys_clone3(UserThread *t, const uint64_t a[6]) {
  uint64_t size = a[1];
  if (size < 64)
    return -EINVAL;
  if (size > GMEM_PAGE)
    return -E2BIG;
  const uint8_t *u = user_ptr(a[0], size);
  if (!u || !gmem_check(a[0], size, PROT_READ))
    return -EFAULT;
  CloneArgs c = {0};
  memcpy(&c, u, size < sizeof c ? size : sizeof c);
  for (uint64_t i = sizeof c; i < size; i++)
    if (u[i])
      return -E2BIG; /* a newer struct's fields we do not know */
  if ((c.exit_signal & ~(uint64_t)CSIGNAL) || c.exit_signal > 64 || (c.flags & CSIGNAL) ||
      (c.flags & CLONE_DETACHED) || ((c.flags & (CLONE_THREAD | CLONE_PARENT)) && c.exit_signal) ||
      (c.stack == 0 && c.stack_size != 0) || (c.stack != 0 && c.stack_size == 0))
    return -EINVAL;
  if ((c.flags & CLONE3_ONLY) || c.set_tid || c.set_tid_size)
    return -ENOSYS;
  uint64_t sp = c.stack ? c.stack + c.stack_size : 0; /* the stack grows down */
  if ((c.flags & CLONE_VM) && !(c.flags & CLONE_VFORK))
    return user_thread_clone(t, c.flags, sp, c.parent_tid, c.child_tid, c.tls);
  bool generic = t->proc->guest->clone_tls_before_ctid;
  uint64_t b[6] = {c.flags | c.exit_signal, sp, c.parent_tid, generic ? c.tls : c.child_tid,
                   generic ? c.child_tid : c.tls, 0};
  return sys_clone(t, b);
}

/* -- Exit -------------------------------------------------------------------- */

/* struct robust_list_head: {list.next, futex_offset, list_op_pending}; an
 * entry's low bit marks a PI futex. The kernel's exit_robust_list: each lock
 * this thread still owns gets FUTEX_OWNER_DIED and one waiter is woken. */
#define ROBUST_LIST_LIMIT 2048

static bool read_u64(uint64_t addr, uint64_t *v) {
  if (!gmem_check(addr, 8, PROT_READ))
    return false;
  *v = __atomic_load_n((uint64_t *)gmem_g2h(addr), __ATOMIC_RELAXED);
  return true;
}

static void futex_owner_died(uint64_t addr, pid_t tid, bool pi, bool pending) {
  if ((addr & 3) || !gmem_check(addr, 4, PROT_READ | PROT_WRITE))
    return;
  user_smc_release(addr, addr + 4);
  uint32_t *w = gmem_g2h(addr);
  uint32_t v = __atomic_load_n(w, __ATOMIC_SEQ_CST);
  for (;;) {
    if (pending && !pi && v == 0) { /* unlocked but a waiter may not know yet */
      futex_wake(addr, 1);
      return;
    }
    if ((v & FUTEX_TID_MASK) != (uint32_t)tid)
      return;
    uint32_t died = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (__atomic_compare_exchange_n(w, &v, died, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
      break;
  }
  if (!pi && (v & FUTEX_WAITERS))
    futex_wake(addr, 1);
}

static void robust_list_walk(pid_t tid) {
  uint64_t head = robust_head, entry, off, pending;
  if (!head || !read_u64(head, &entry) || !read_u64(head + 8, &off) ||
      !read_u64(head + 16, &pending))
    return;
  for (unsigned n = 0; (entry & ~1ull) != head && n < ROBUST_LIST_LIMIT; n++) {
    uint64_t next;
    bool ok = read_u64(entry & ~1ull, &next);
    if ((entry & ~1ull) != (pending & ~1ull))
      futex_owner_died((entry & ~1ull) + off, tid, entry & 1, false);
    if (!ok)
      return;
    entry = next;
  }
  if (pending & ~1ull)
    futex_owner_died((pending & ~1ull) + off, tid, pending & 1, true);
}

int64_t sys_set_robust_list(UserThread *t, const uint64_t a[6]) {
  if (a[1] != 24)
    return -EINVAL;
  robust_head = a[0];
  robust_len = a[1];
  /* With guest = host addresses the kernel can hold it too: then it still
   * walks the list if the process dies by a signal. */
  if (gmem_base == 0)
    raw_syscall6(SYS_set_robust_list, a[0], a[1], 0, 0, 0, 0);
  return 0;
}

int64_t sys_get_robust_list(UserThread *t, const uint64_t a[6]) {
  if (a[0] != 0 && (pid_t)a[0] != t->tid) /* another thread's: the kernel's copy, if any */
    return gmem_base == 0 ? sys_passthrough(t, t->proc->by_nr[SYS_get_robust_list], a) : -EPERM;
  uint64_t *head = user_ptr(a[1], 8), *len = user_ptr(a[2], 8);
  if (!head || !len || !gmem_check(a[1], 8, PROT_WRITE) || !gmem_check(a[2], 8, PROT_WRITE))
    return -EFAULT;
  *head = robust_head;
  *len = robust_len ? robust_len : 24;
  return 0;
}

void user_exit_claim(void) {
  if (__atomic_exchange_n(&exit_claimed, 1, __ATOMIC_SEQ_CST))
    for (;;) /* another thread is ending the process: it flushes, once */
      pause();
}

/* exit: this thread only. The last one out ends the process with its own
 * status (what the host kernel reports, even when the main thread left first). */
int64_t sys_exit(UserThread *t, const uint64_t a[6]) {
  int status = (int)a[0];
  if (__atomic_sub_fetch(&nthreads, 1, __ATOMIC_SEQ_CST) == 0)
    user_exit_group(t, status);
  user_signal_thread_exit(t); /* blocks host signals: none may find t freed */
  /* What the kernel does in mm_release: robust futexes, then clear_child_tid
   * (pthread_join waits on that word). */
  robust_list_walk(t->tid);
  if (robust_head && gmem_base == 0)
    raw_syscall6(SYS_set_robust_list, 0, 24, 0, 0, 0, 0); /* walked: the kernel need not */
  robust_head = robust_len = 0;
  if (t->clear_child_tid) {
    put_word(t->clear_child_tid, 0);
    if (gmem_check(t->clear_child_tid, 4, PROT_READ))
      futex_wake(t->clear_child_tid, 1);
  }
  thread_free(t);
  if (exit_jmp)
    longjmp(*exit_jmp, 1); /* back to thread_main, which returns: pthread cleans up */
  /* The main thread: not started by us, so just end it (the process lives on). */
  for (;;)
    raw_syscall6(SYS_exit, (uint64_t)status, 0, 0, 0, 0, 0);
}

/* -- fork ---------------------------------------------------------------------- */

/* Every lock another thread may hold is taken (in the order code nests them:
 * engine, smc, gmem; sig_lock nests nothing), so the child never inherits one
 * held by a thread it does not have. */
void user_fork_prepare(UserThread *t) {
  emu_engine_fork_lock(t->proc->engine);
  user_smc_fork_lock();
  gmem_fork_lock();
  pthread_mutex_lock(&t->proc->sig_lock);
}

void user_fork_done(UserThread *t, pid_t pid) {
  pthread_mutex_unlock(&t->proc->sig_lock);
  gmem_fork_unlock();
  user_smc_fork_unlock();
  if (pid != 0) {
    emu_engine_fork_unlock(t->proc->engine);
    return;
  }
  /* emu_engine_after_fork (sys_proc.c) re-creates the engine's lock. */
  /* The child has only the forking thread (the kernel drops its robust list;
   * glibc registers it again). emu_engine_after_fork drops the other cpus. */
  nthreads = 1;
  exit_claimed = 0;
  robust_head = robust_len = 0;
}
