/* sys.h — syscall handlers shared by every guest ABI (generic Linux semantics
 * on guest memory); the per-guest tables (guest_*.c) bind numbers to them. */
#ifndef EMU_SYS_H
#define EMU_SYS_H

#include "user.h"

#define SYS_DECL(name) int64_t sys_##name(UserThread *t, const uint64_t a[6]);
#define SYS_HANDLERS(_)                                                                   \
  /* sys_mem.c */ _(brk) _(mmap) _(munmap) _(mprotect) _(mremap)                          \
  /* sys_proc.c */ _(exit_group) _(set_tid_address) _(rseq) _(execve) _(fork) _(vfork)   \
  _(clone) _(uname)                                                                        \
  /* sys_thread.c */ _(clone3) _(exit) _(set_robust_list) _(get_robust_list)              \
  /* sys_signal.c */ _(rt_sigaction) _(rt_sigprocmask) _(sigaltstack) _(rt_sigpending)    \
  _(rt_sigsuspend) _(rt_sigtimedwait) _(rt_sigreturn)                                      \
  /* sys_procfs.c */ _(open) _(creat) _(openat) _(openat2) _(readlink) _(readlinkat)      \
  /* sys_fs.c */ _(readv) _(writev) _(preadv) _(pwritev) _(preadv2) _(pwritev2) _(fcntl)  \
  _(pselect6)                                                                              \
  /* sys_ioctl.c */ _(ioctl)                                                               \
  /* sys_net.c */ _(sendmsg) _(recvmsg) _(sendmmsg) _(recvmmsg)                            \
  /* sys_limits.c */ _(prctl) _(getrlimit) _(setrlimit) _(prlimit64)                       \
  /* sys_memrange.c */ _(madvise) _(msync) _(mincore) _(mlock) _(munlock) _(mlock2)        \
  /* sys_ipc.c */ _(semctl)                                                              \
  /* sys_pass.c */ _(nosys)
SYS_HANDLERS(SYS_DECL)
#undef SYS_DECL

/* Threads (sys_thread.c): clone's CLONE_VM case (not vfork); around fork(),
 * prepare in the parent, done in both (pid as fork returned it). */
int64_t user_thread_clone(UserThread *parent, uint64_t flags, uint64_t newsp, uint64_t ptid,
                          uint64_t ctid, uint64_t tls);
void user_fork_prepare(UserThread *t);
void user_fork_done(UserThread *t, pid_t pid);

/* The host path for a guest path: /proc/self/exe and friends name the guest
 * program; with -L, absolute paths present under the prefix go there
 * (sys_procfs.c). */
const char *user_path(UserThread *t, const char *path);
/* open, openat, openat2 (how: the host's copy of struct open_how, howsize
 * bytes; NULL for the others), with /proc/self and -L paths (sys_procfs.c). */
int64_t user_openat(UserThread *t, int dirfd, uint64_t path, uint64_t flags, uint64_t mode,
                    const void *how, uint64_t howsize);
/* The guest's auxiliary vector as it started (what /proc/self/auxv shows). */
size_t procfs_auxv(const uint8_t **data);

#endif
