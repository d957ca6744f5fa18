/* sys_memrange.c — syscalls that name a guest address range for the host
 * kernel to act on (advice, sync, residency, locking). The range must lie in
 * the guest window and is translated, so a guest can never advise or lock
 * emu's own memory. madvise may replace page contents (MADV_DONTNEED zero-fills
 * private anonymous pages, re-reads file ones), so the range's translations go. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "syscall_raw.h"
#include "sys.h"

/* Host address of a guest range, or 0 when it is outside the window. */
static uint64_t range_host(uint64_t addr, uint64_t len) {
  uint64_t end = gmem_page_up(addr + len);
  if (addr + len < addr || end > gmem_limit || gmem_page_down(addr) < GMEM_MIN_ADDR)
    return 0;
  return (uint64_t)(uintptr_t)gmem_g2h(addr);
}

/* madvise and msync want a page-aligned start; mlock rounds it down. */
static int64_t range_call(long nr, const uint64_t a[6]) {
  if ((a[0] & (GMEM_PAGE - 1)) && (nr == SYS_madvise || nr == SYS_msync))
    return -EINVAL;
  uint64_t h = range_host(a[0], a[1]);
  if (!h)
    return -ENOMEM;
  return raw_syscall6(nr, h, a[1], a[2], 0, 0, 0);
}

int64_t sys_madvise(UserThread *t, const uint64_t a[6]) {
  if (a[2] == MADV_DONTNEED || a[2] == MADV_REMOVE || a[2] == MADV_FREE) {
    user_smc_release(a[0], a[0] + a[1]);
    int64_t r = range_call(SYS_madvise, a);
    if (r == 0)
      emu_engine_invalidate(t->proc->engine, a[0], a[0] + a[1]);
    return r;
  }
  return range_call(SYS_madvise, a);
}

int64_t sys_msync(UserThread *t, const uint64_t a[6]) { (void)t; return range_call(SYS_msync, a); }
int64_t sys_mlock(UserThread *t, const uint64_t a[6]) { (void)t; return range_call(SYS_mlock, a); }
int64_t sys_munlock(UserThread *t, const uint64_t a[6]) { (void)t; return range_call(SYS_munlock, a); }
int64_t sys_mlock2(UserThread *t, const uint64_t a[6]) { (void)t; return range_call(SYS_mlock2, a); }

/* mincore also writes one byte per page of the range to vec. */
int64_t sys_mincore(UserThread *t, const uint64_t a[6]) {
  (void)t;
  if (a[0] & (GMEM_PAGE - 1))
    return -EINVAL;
  uint64_t h = range_host(a[0], a[1]), pages = gmem_page_up(a[1]) / GMEM_PAGE;
  if (!h)
    return -ENOMEM;
  void *vec = user_ptr(a[2], pages);
  if (!vec)
    return -EFAULT;
  user_smc_release(a[2], a[2] + pages);
  return raw_syscall6(SYS_mincore, h, a[1], (uint64_t)(uintptr_t)vec, 0, 0, 0);
}
