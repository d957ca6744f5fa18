/* sys_net.c — socket syscalls whose arguments hold further guest pointers:
 * sendmsg/recvmsg and their batched forms. A guest msghdr (the host's layout
 * on x86-64) is copied with its name, iovec array and control buffer
 * translated; what the kernel reports back (lengths, flags) is copied out.
 * Other socket calls pass through (their pointers are argument kinds). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "syscall_raw.h"
#include "sys.h"

#define MAX_IOV 1024  /* UIO_MAXIOV */
#define MAX_MMSG 1024 /* UIO_MAXIOV bounds vlen too */

/* A host msghdr for the guest one at g (which stays the guest's); iov is
 * allocated, NULL when msg_iovlen is 0. The kernel writes the name, buffers
 * and control data when receiving. 0 or -errno. */
static int msg_in(const struct msghdr *g, struct msghdr *h, bool recv) {
  *h = *g;
  h->msg_iov = NULL;
  if (g->msg_name && g->msg_namelen) {
    uint64_t a = (uint64_t)(uintptr_t)g->msg_name;
    if (!(h->msg_name = user_ptr(a, g->msg_namelen)))
      return -EFAULT;
    if (recv)
      user_smc_release(a, a + g->msg_namelen);
  }
  if (g->msg_control && g->msg_controllen) {
    uint64_t a = (uint64_t)(uintptr_t)g->msg_control;
    if (!(h->msg_control = user_ptr(a, g->msg_controllen)))
      return -EFAULT;
    if (recv)
      user_smc_release(a, a + g->msg_controllen);
  }
  if (g->msg_iovlen > MAX_IOV)
    return -EMSGSIZE;
  if (!g->msg_iovlen)
    return 0;
  const uint64_t *giov = user_ptr((uint64_t)(uintptr_t)g->msg_iov, g->msg_iovlen * 16);
  if (!giov)
    return -EFAULT;
  struct iovec *iov = calloc(g->msg_iovlen, sizeof *iov);
  if (!iov)
    return -ENOMEM;
  for (size_t i = 0; i < g->msg_iovlen; i++) {
    uint64_t base = giov[2 * i], len = giov[2 * i + 1];
    iov[i].iov_len = len;
    if (!len)
      continue;
    if (!(iov[i].iov_base = user_ptr(base, len))) {
      free(iov);
      return -EFAULT;
    }
    if (recv)
      user_smc_release(base, base + len);
  }
  h->msg_iov = iov;
  return 0;
}

/* What recvmsg reports in the msghdr. */
static void msg_out(struct msghdr *g, const struct msghdr *h) {
  g->msg_namelen = h->msg_namelen;
  g->msg_controllen = h->msg_controllen;
  g->msg_flags = h->msg_flags;
}

static int64_t do_msg(UserThread *t, long nr, const uint64_t a[6], bool recv) {
  struct msghdr *g = user_ptr(a[1], sizeof *g), h;
  if (!g)
    return -EFAULT;
  int rc = msg_in(g, &h, recv);
  if (rc < 0)
    return rc;
  int64_t r = user_safe_syscall(&t->sig, nr, a[0], (uint64_t)(uintptr_t)&h, a[2], 0, 0, 0);
  if (recv && r >= 0)
    msg_out(g, &h);
  free(h.msg_iov);
  return r;
}

int64_t sys_sendmsg(UserThread *t, const uint64_t a[6]) { return do_msg(t, SYS_sendmsg, a, false); }
int64_t sys_recvmsg(UserThread *t, const uint64_t a[6]) { return do_msg(t, SYS_recvmsg, a, true); }

/* sendmmsg/recvmmsg: vlen mmsghdrs; the kernel also sets each msg_len. */
static int64_t do_mmsg(UserThread *t, long nr, const uint64_t a[6], bool recv) {
  uint64_t vlen = (uint32_t)a[2] > MAX_MMSG ? MAX_MMSG : (uint32_t)a[2];
  struct mmsghdr *g = user_ptr(a[1], vlen * sizeof *g);
  if (!g)
    return -EFAULT;
  struct mmsghdr *h = calloc(vlen ? vlen : 1, sizeof *h);
  if (!h)
    return -ENOMEM;
  int64_t r = 0;
  uint64_t n = 0;
  for (; n < vlen && r == 0; n++)
    r = msg_in(&g[n].msg_hdr, &h[n].msg_hdr, recv);
  if (r < 0)
    n--; /* the failed one has nothing allocated */
  uint64_t timeout = a[4];
  if (r == 0 && recv && timeout) {
    void *p = user_ptr(timeout, 16);
    if (!p)
      r = -EFAULT;
    timeout = (uint64_t)(uintptr_t)p;
  }
  if (r == 0)
    r = user_safe_syscall(&t->sig, nr, a[0], (uint64_t)(uintptr_t)h, vlen, a[3],
                          recv ? timeout : 0, 0);
  for (int64_t i = 0; i < r; i++) { /* r messages were sent or received */
    g[i].msg_len = h[i].msg_len;
    if (recv)
      msg_out(&g[i].msg_hdr, &h[i].msg_hdr);
  }
  for (uint64_t i = 0; i < n; i++)
    free(h[i].msg_hdr.msg_iov);
  free(h);
  return r;
}

int64_t sys_sendmmsg(UserThread *t, const uint64_t a[6]) { return do_mmsg(t, SYS_sendmmsg, a, false); }
int64_t sys_recvmmsg(UserThread *t, const uint64_t a[6]) { return do_mmsg(t, SYS_recvmmsg, a, true); }
