/* sys_fs.c — file syscalls that cannot simply pass through: those whose
 * arguments hold further guest pointers (iovec arrays, pselect6's sigmask
 * pair) or whose pointer argument depends on the command (fcntl). Buffers the
 * kernel fills are released from code watching first (user_smc_release).
 * Calls that may block go through user_safe_syscall (signals, see user.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/uio.h>

#include "syscall_raw.h"
#include "sys.h"

#define MAX_IOV 1024 /* IOV_MAX */

/* Translate a guest iovec array; returns the count or -errno. When the kernel
 * will write the buffers, they stop being watched for code. */
static int64_t iov_in(uint64_t addr, uint64_t n, struct iovec *out, bool kernel_writes) {
  if (n > MAX_IOV)
    return -EINVAL;
  const uint64_t *g = n ? user_ptr(addr, n * 16) : NULL;
  if (!g && n)
    return -EFAULT;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t base = g[2 * i], len = g[2 * i + 1];
    void *p = len ? user_ptr(base, len) : NULL;
    if (len && !p)
      return -EFAULT;
    if (len && kernel_writes)
      user_smc_release(base, base + len);
    out[i].iov_base = p;
    out[i].iov_len = len;
  }
  return (int64_t)n;
}

static int64_t vector_io(UserThread *t, long nr, const uint64_t a[6], bool kernel_writes) {
  struct iovec iov[MAX_IOV];
  int64_t n = iov_in(a[1], a[2], iov, kernel_writes);
  if (n < 0)
    return n;
  return user_safe_syscall(&t->sig, nr, a[0], (uint64_t)(uintptr_t)iov, (uint64_t)n, a[3], a[4],
                           a[5]);
}

int64_t sys_readv(UserThread *t, const uint64_t a[6]) { return vector_io(t, SYS_readv, a, true); }
int64_t sys_writev(UserThread *t, const uint64_t a[6]) { return vector_io(t, SYS_writev, a, false); }
int64_t sys_preadv(UserThread *t, const uint64_t a[6]) { return vector_io(t, SYS_preadv, a, true); }
int64_t sys_pwritev(UserThread *t, const uint64_t a[6]) { return vector_io(t, SYS_pwritev, a, false); }
int64_t sys_preadv2(UserThread *t, const uint64_t a[6]) { return vector_io(t, SYS_preadv2, a, true); }
int64_t sys_pwritev2(UserThread *t, const uint64_t a[6]) { return vector_io(t, SYS_pwritev2, a, false); }

/* -- fcntl: the commands whose argument is a pointer --------------------------- */

static const struct {
  int cmd;
  uint8_t size;
  bool kernel_writes;
} fcntl_ptr_cmds[] = {
    {F_GETLK, sizeof(struct flock), true},      {F_SETLK, sizeof(struct flock), false},
    {F_SETLKW, sizeof(struct flock), false},    {F_OFD_GETLK, sizeof(struct flock), true},
    {F_OFD_SETLK, sizeof(struct flock), false}, {F_OFD_SETLKW, sizeof(struct flock), false},
    {F_GETOWN_EX, sizeof(struct f_owner_ex), true},
    {F_SETOWN_EX, sizeof(struct f_owner_ex), false},
    {F_GET_RW_HINT, 8, true},                   {F_SET_RW_HINT, 8, false},
    {F_GET_FILE_RW_HINT, 8, true},              {F_SET_FILE_RW_HINT, 8, false},
};

int64_t sys_fcntl(UserThread *t, const uint64_t a[6]) {
  uint64_t arg = a[2];
  for (size_t i = 0; i < sizeof fcntl_ptr_cmds / sizeof fcntl_ptr_cmds[0]; i++) {
    if ((int)a[1] != fcntl_ptr_cmds[i].cmd)
      continue;
    void *p = user_ptr(a[2], fcntl_ptr_cmds[i].size);
    if (!p)
      return -EFAULT;
    if (fcntl_ptr_cmds[i].kernel_writes)
      user_smc_release(a[2], a[2] + fcntl_ptr_cmds[i].size);
    arg = (uint64_t)(uintptr_t)p;
    break;
  }
  return user_safe_syscall(&t->sig, SYS_fcntl, a[0], a[1], arg, 0, 0, 0); /* F_SETLKW blocks */
}

/* -- pselect6: the last argument points at {const sigset_t *ss; size_t len} --- */

int64_t sys_pselect6(UserThread *t, const uint64_t a[6]) {
  uint64_t h[6] = {a[0], 0, 0, 0, 0, 0};
  uint64_t set_bytes = (a[0] & 0xffffffffu) / 64 * 8 + 8;
  for (int i = 1; i <= 4; i++) { /* three fd_sets and the timeout: read and written */
    uint64_t len = i == 4 ? 16 : set_bytes;
    if (!a[i])
      continue;
    void *p = user_ptr(a[i], len);
    if (!p)
      return -EFAULT;
    user_smc_release(a[i], a[i] + len);
    h[i] = (uint64_t)(uintptr_t)p;
  }
  uint64_t pack[2];
  if (a[5]) {
    const uint64_t *g = user_ptr(a[5], 16);
    if (!g)
      return -EFAULT;
    pack[0] = g[0];
    pack[1] = g[1];
    if (pack[0]) {
      void *ss = user_ptr(pack[0], 8);
      if (!ss)
        return -EFAULT;
      pack[0] = (uint64_t)(uintptr_t)ss;
    }
    h[5] = (uint64_t)(uintptr_t)pack;
  }
  return user_safe_syscall(&t->sig, SYS_pselect6, h[0], h[1], h[2], h[3], h[4], h[5]);
}
