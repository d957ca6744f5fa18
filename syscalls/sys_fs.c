/* sys_fs.c — file syscalls that cannot simply pass through: those whose
 * arguments hold further guest pointers (iovec arrays). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>

#include "syscall_raw.h"
#include "sys.h"

#define MAX_IOV 1024

/* Translate a guest iovec array; returns the count or -errno. */
static int64_t iov_in(uint64_t addr, uint64_t n, struct iovec *out) {
  if (n > MAX_IOV)
    return -EINVAL;
  const uint64_t *g = user_ptr(addr, n * 16);
  if (!g && n)
    return -EFAULT;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t base = g[2 * i], len = g[2 * i + 1];
    void *p = len ? user_ptr(base, len) : NULL;
    if (len && !p)
      return -EFAULT;
    out[i].iov_base = p;
    out[i].iov_len = len;
  }
  return (int64_t)n;
}

static int64_t vector_io(long nr, const uint64_t a[6]) {
  struct iovec iov[MAX_IOV];
  int64_t n = iov_in(a[1], a[2], iov);
  if (n < 0)
    return n;
  return raw_syscall6(nr, a[0], (uint64_t)(uintptr_t)iov, (uint64_t)n, a[3], a[4], a[5]);
}

int64_t sys_readv(UserThread *t, const uint64_t a[6]) { (void)t; return vector_io(SYS_readv, a); }
int64_t sys_writev(UserThread *t, const uint64_t a[6]) { (void)t; return vector_io(SYS_writev, a); }
int64_t sys_preadv(UserThread *t, const uint64_t a[6]) { (void)t; return vector_io(SYS_preadv, a); }
int64_t sys_pwritev(UserThread *t, const uint64_t a[6]) { (void)t; return vector_io(SYS_pwritev, a); }
