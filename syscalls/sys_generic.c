/* sys_generic.c — where the asm-generic 64-bit ABI (AArch64) and the x86-64
 * host disagree (see sys_generic.h): struct stat, struct epoll_event, four open
 * flag bits, struct semid64_ds, and the x86-only mmap/mprotect bits. Each
 * handler converts on the way in and out and leaves the rest to the common
 * handler or the host. */
#define _GNU_SOURCE
#include "sys_generic.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include "guest_mem.h"
#include "syscall_raw.h"

/* -- Open flags --------------------------------------------------------------- */

/* {generic, x86-64}: the bits that differ; all others agree. */
static const uint32_t open_bits[4][2] = {
    {040000, O_DIRECTORY}, {0100000, O_NOFOLLOW}, {0200000, O_DIRECT}, {0400000, 0100000},
};

static uint64_t open_flags_map(uint64_t f, int from, int to) {
  uint64_t out = f;
  for (int i = 0; i < 4; i++)
    out &= ~(uint64_t)open_bits[i][from];
  for (int i = 0; i < 4; i++)
    if (f & open_bits[i][from])
      out |= open_bits[i][to];
  return out;
}

uint64_t gen_open_flags_to_host(uint64_t flags) { return open_flags_map(flags, 0, 1); }
uint64_t gen_open_flags_from_host(uint64_t flags) { return open_flags_map(flags, 1, 0); }

/* Pass guest syscall nr through (its row's argument kinds check the pointers)
 * with argument k's open flags translated. */
static int64_t pass_with_flags(UserThread *t, uint64_t nr, const uint64_t a[6], int k) {
  uint64_t b[6];
  memcpy(b, a, sizeof b);
  b[k] = gen_open_flags_to_host(a[k]);
  return sys_passthrough(t, t->proc->by_nr[nr], b);
}

int64_t sys_gen_openat(UserThread *t, const uint64_t a[6]) {
  return user_openat(t, (int)a[0], a[1], gen_open_flags_to_host(a[2]), a[3], NULL, 0);
}

int64_t sys_gen_openat2(UserThread *t, const uint64_t a[6]) {
  struct open_how *h;
  uint64_t size = a[3];
  if (size < sizeof *h)
    return -EINVAL;
  if (size > GMEM_PAGE)
    return -E2BIG;
  const void *g = a[2] ? user_ptr(a[2], size) : NULL;
  if (!g)
    return -EFAULT;
  uint8_t copy[GMEM_PAGE]; /* the kernel reads its own copy: translate that */
  memcpy(copy, g, size);
  h = (struct open_how *)copy;
  h->flags = gen_open_flags_to_host(h->flags);
  return user_openat(t, (int)a[0], a[1], h->flags, h->mode, copy, size);
}

int64_t sys_gen_fcntl(UserThread *t, const uint64_t a[6]) {
  if ((int)a[1] == F_SETFL) {
    uint64_t b[6] = {a[0], a[1], gen_open_flags_to_host(a[2]), 0, 0, 0};
    return sys_fcntl(t, b);
  }
  int64_t r = sys_fcntl(t, a);
  return (int)a[1] == F_GETFL && r >= 0 ? (int64_t)gen_open_flags_from_host((uint64_t)r) : r;
}

/* pipe2 takes O_DIRECT (packet mode); open_by_handle_at and fanotify_init's
 * event_f_flags take open flags. Their rows are the guest table's. */
int64_t sys_gen_pipe2(UserThread *t, const uint64_t a[6]) {
  return pass_with_flags(t, GEN_NR_pipe2, a, 1);
}

int64_t sys_gen_open_by_handle_at(UserThread *t, const uint64_t a[6]) {
  return pass_with_flags(t, GEN_NR_open_by_handle_at, a, 2);
}

int64_t sys_gen_fanotify_init(UserThread *t, const uint64_t a[6]) {
  return pass_with_flags(t, GEN_NR_fanotify_init, a, 1);
}

/* -- struct stat ---------------------------------------------------------------- */

/* asm-generic/stat.h for 64-bit longs. */
typedef struct GenStat {
  uint64_t dev, ino;
  uint32_t mode, nlink, uid, gid;
  uint64_t rdev, pad1;
  int64_t size;
  int32_t blksize, pad2;
  int64_t blocks;
  int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
  uint32_t unused4, unused5;
} GenStat;
_Static_assert(sizeof(GenStat) == 128, "asm-generic struct stat");

static int64_t stat_out(int64_t r, const struct stat *h, uint64_t addr) {
  if (r < 0)
    return r;
  GenStat g = {
      .dev = h->st_dev, .ino = h->st_ino, .mode = h->st_mode, .nlink = (uint32_t)h->st_nlink,
      .uid = h->st_uid, .gid = h->st_gid, .rdev = h->st_rdev, .size = h->st_size,
      .blksize = (int32_t)h->st_blksize, .blocks = h->st_blocks,
      .atime = h->st_atim.tv_sec, .atime_nsec = h->st_atim.tv_nsec,
      .mtime = h->st_mtim.tv_sec, .mtime_nsec = h->st_mtim.tv_nsec,
      .ctime = h->st_ctim.tv_sec, .ctime_nsec = h->st_ctim.tv_nsec,
  };
  void *p = user_ptr(addr, sizeof g);
  if (!p)
    return -EFAULT;
  user_smc_release(addr, addr + sizeof g);
  memcpy(p, &g, sizeof g);
  return 0;
}

int64_t sys_gen_fstat(UserThread *t, const uint64_t a[6]) {
  (void)t;
  struct stat st;
  if (!user_ptr(a[1], sizeof(GenStat)))
    return -EFAULT;
  return stat_out(raw_syscall6(SYS_fstat, a[0], (uint64_t)(uintptr_t)&st, 0, 0, 0, 0), &st, a[1]);
}

int64_t sys_gen_newfstatat(UserThread *t, const uint64_t a[6]) {
  const char *path = NULL;
  if (a[1]) { /* NULL is the kernel's to judge (AT_EMPTY_PATH) */
    path = user_str(a[1]);
    if (!path)
      return -EFAULT;
    path = user_path(t, path);
  }
  if (!user_ptr(a[2], sizeof(GenStat)))
    return -EFAULT;
  struct stat st;
  int64_t r = raw_syscall6(SYS_newfstatat, a[0], (uint64_t)(uintptr_t)path,
                           (uint64_t)(uintptr_t)&st, a[3], 0, 0);
  return stat_out(r, &st, a[2]);
}

/* -- struct epoll_event ----------------------------------------------------------- */

typedef struct __attribute__((packed)) HostEpollEvent {
  uint32_t events;
  uint64_t data;
} HostEpollEvent;
typedef struct GenEpollEvent {
  uint32_t events, pad;
  uint64_t data;
} GenEpollEvent;
_Static_assert(sizeof(HostEpollEvent) == 12 && sizeof(GenEpollEvent) == 16, "epoll_event");

int64_t sys_gen_epoll_ctl(UserThread *t, const uint64_t a[6]) {
  (void)t;
  HostEpollEvent h, *hp = NULL;
  if (a[3]) { /* EPOLL_CTL_DEL ignores it */
    const GenEpollEvent *g = user_ptr(a[3], sizeof *g);
    if (!g)
      return -EFAULT;
    h = (HostEpollEvent){g->events, g->data};
    hp = &h;
  }
  return raw_syscall6(SYS_epoll_ctl, a[0], a[1], a[2], (uint64_t)(uintptr_t)hp, 0, 0);
}

/* Fewer events per call than asked is what epoll may return anyway. */
#define EPOLL_BATCH 256
#define EP_MAX_EVENTS (0x7fffffff / (int64_t)sizeof(GenEpollEvent))

/* epoll_pwait and epoll_pwait2: the same but for the timeout (ms or a
 * struct __kernel_timespec pointer). */
static int64_t epoll_wait_gen(UserThread *t, long nr, const uint64_t a[6], bool ts_timeout) {
  int64_t max = (int32_t)a[2];
  if (max <= 0 || max > EP_MAX_EVENTS)
    return -EINVAL;
  GenEpollEvent *out = user_ptr(a[1], (uint64_t)max * sizeof *out);
  if (!out)
    return -EFAULT;
  uint64_t timeout = a[3], mask = 0;
  if (ts_timeout && a[3] && !(timeout = (uint64_t)(uintptr_t)user_ptr(a[3], 16)))
    return -EFAULT;
  if (a[4] && !(mask = (uint64_t)(uintptr_t)user_ptr(a[4], 8)))
    return -EFAULT;
  HostEpollEvent ev[EPOLL_BATCH];
  int64_t n = user_safe_syscall(&t->sig, nr, a[0], (uint64_t)(uintptr_t)ev,
                                (uint64_t)(max < EPOLL_BATCH ? max : EPOLL_BATCH), timeout, mask,
                                a[5]);
  if (n > 0)
    user_smc_release(a[1], a[1] + (uint64_t)n * sizeof *out);
  for (int64_t i = 0; i < n; i++)
    out[i] = (GenEpollEvent){ev[i].events, 0, ev[i].data};
  return n;
}

int64_t sys_gen_epoll_pwait(UserThread *t, const uint64_t a[6]) {
  return epoll_wait_gen(t, SYS_epoll_pwait, a, false);
}

int64_t sys_gen_epoll_pwait2(UserThread *t, const uint64_t a[6]) {
  return epoll_wait_gen(t, SYS_epoll_pwait2, a, true);
}

/* -- struct semid64_ds ------------------------------------------------------------- */

/* x86-64 pads after each time; the generic layout does not. */
typedef struct GenSemid {
  uint8_t perm[48]; /* struct ipc64_perm: the same on both */
  int64_t otime, ctime;
  uint64_t nsems, unused3, unused4;
} GenSemid;
typedef struct HostSemid {
  uint8_t perm[48];
  int64_t otime;
  uint64_t unused1;
  int64_t ctime;
  uint64_t unused2, nsems, unused3, unused4;
} HostSemid;
_Static_assert(sizeof(HostSemid) == sizeof(struct semid_ds), "x86-64 struct semid64_ds");

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif

int64_t sys_gen_semctl(UserThread *t, const uint64_t a[6]) {
  int cmd = (int)a[2] & ~0x100; /* IPC_64 */
  bool get = cmd == IPC_STAT || cmd == SEM_STAT || cmd == SEM_STAT_ANY;
  if (!get && cmd != IPC_SET)
    return sys_semctl(t, a);
  GenSemid *g = user_ptr(a[3], sizeof *g);
  if (!g)
    return -EFAULT;
  HostSemid h;
  memset(&h, 0, sizeof h);
  if (!get) {
    memcpy(h.perm, g->perm, sizeof h.perm);
    h.otime = g->otime, h.ctime = g->ctime, h.nsems = g->nsems;
  }
  int64_t r = raw_syscall6(SYS_semctl, a[0], a[1], a[2], (uint64_t)(uintptr_t)&h, 0, 0);
  if (r >= 0 && get) {
    user_smc_release(a[3], a[3] + sizeof *g);
    *g = (GenSemid){.otime = h.otime, .ctime = h.ctime, .nsems = h.nsems};
    memcpy(g->perm, h.perm, sizeof g->perm);
  }
  return r;
}

/* -- mmap, mprotect ------------------------------------------------------------ */

#define GEN_PROT_BTI 0x10 /* AArch64 only; our CPU model has neither BTI nor MTE */
#define GEN_PROT_MTE 0x20

/* AArch64 has no MAP_32BIT: the bit means nothing there. */
int64_t sys_gen_mmap(UserThread *t, const uint64_t a[6]) {
  if (a[2] & (GEN_PROT_BTI | GEN_PROT_MTE))
    return -EINVAL;
  uint64_t b[6] = {a[0], a[1], a[2], a[3] & ~(uint64_t)MAP_32BIT, a[4], a[5]};
  return sys_mmap(t, b);
}

int64_t sys_gen_mprotect(UserThread *t, const uint64_t a[6]) {
  if (a[2] & (GEN_PROT_BTI | GEN_PROT_MTE))
    return -EINVAL;
  return sys_mprotect(t, a);
}
