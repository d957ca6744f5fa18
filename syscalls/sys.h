/* sys.h — syscall handlers shared by every guest ABI (generic Linux semantics
 * on guest memory); the per-guest tables (guest_*.c) bind numbers to them. */
#ifndef EMU_SYS_H
#define EMU_SYS_H

#include "user.h"

#define SYS_DECL(name) int64_t sys_##name(UserThread *t, const uint64_t a[6]);
#define SYS_HANDLERS(_)                                                                   \
  /* sys_mem.c */ _(brk) _(mmap) _(munmap) _(mprotect) _(mremap)                          \
  /* sys_proc.c */ _(exit) _(exit_group) _(set_tid_address) _(set_robust_list) _(rseq)    \
  _(execve) _(open) _(openat) _(fork) _(vfork) _(clone) _(uname) _(readlink) _(readlinkat)                  \
  /* sys_signal.c */ _(rt_sigaction) _(rt_sigprocmask) _(sigaltstack)                     \
  /* sys_fs.c */ _(readv) _(writev) _(preadv) _(pwritev)
SYS_HANDLERS(SYS_DECL)
#undef SYS_DECL

/* /proc/self/exe and friends name the guest program: the path to use instead. */
const char *user_path(UserThread *t, const char *path);

#endif
