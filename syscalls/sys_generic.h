/* sys_generic.h — the asm-generic 64-bit Linux ABI (AArch64) on an x86-64
 * host: the handlers for the syscalls whose numbers of flags or struct layouts
 * differ from the host's (sys_generic.c). Everything else the generic guest
 * shares with x86-64 and uses the common handlers (sys.h) or passes through. */
#ifndef EMU_SYS_GENERIC_H
#define EMU_SYS_GENERIC_H

#include "sys.h"

/* The asm-generic syscall numbers: GEN_NR_read ... */
enum {
#define NR(name, nr) GEN_NR_##name = nr,
#include "nr_generic.def"
#undef NR
};

/* Open flags: O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE sit on other bits. */
uint64_t gen_open_flags_to_host(uint64_t flags);
uint64_t gen_open_flags_from_host(uint64_t flags);

#define SYS_GEN_HANDLERS(_)                                                                \
  _(fstat) _(newfstatat)                    /* struct stat: 128-byte generic layout */     \
  _(openat) _(openat2) _(fcntl) _(pipe2) _(open_by_handle_at) _(fanotify_init) /* flags */ \
  _(epoll_ctl) _(epoll_pwait) _(epoll_pwait2) /* struct epoll_event: 16 bytes, unpacked */ \
  _(semctl)                                 /* struct semid64_ds without x86's padding */  \
  _(mmap) _(mprotect)                       /* no MAP_32BIT; PROT_BTI/PROT_MTE */
#define SYS_GEN_DECL(name) int64_t sys_gen_##name(UserThread *t, const uint64_t a[6]);
SYS_GEN_HANDLERS(SYS_GEN_DECL)
#undef SYS_GEN_DECL

#endif
