/* ir_cas128.c — a 16-byte compare-and-swap on memory a helper reached through
 * IrMemOps.atomic_ptr: the one both guests' 128-bit atomics use (x86
 * cmpxchg16b, AArch64 casp and stxp). */
#include <pthread.h>
#include <string.h>

#include "ir.h"

/* A runner whose buffer is not 16-byte aligned (a test harness) gets a
 * compare-and-copy under one lock, atomic against other such swaps only. */
static pthread_mutex_t unaligned_lock = PTHREAD_MUTEX_INITIALIZER;

bool ir_cas128(void *p, uint64_t *lo, uint64_t *hi, uint64_t nlo, uint64_t nhi) {
  bool ok;
#if defined(__x86_64__)
  if (((uintptr_t)p & 15) == 0) {
    __asm__ volatile("lock cmpxchg16b %1"
                     : "=@ccz"(ok), "+m"(*(volatile unsigned __int128 *)p), "+a"(*lo), "+d"(*hi)
                     : "b"(nlo), "c"(nhi)
                     : "memory");
    return ok;
  }
#endif
  uint64_t cur[2], want[2] = {nlo, nhi};
  pthread_mutex_lock(&unaligned_lock);
  memcpy(cur, p, 16);
  ok = cur[0] == *lo && cur[1] == *hi;
  if (ok)
    memcpy(p, want, 16);
  pthread_mutex_unlock(&unaligned_lock);
  *lo = cur[0];
  *hi = cur[1];
  return ok;
}
