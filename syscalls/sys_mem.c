/* sys_mem.c — the guest's address space syscalls, all inside the guest window
 * (loader/guest_mem.c keeps the VMA list), and code invalidation when mappings
 * that may hold translated code change. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "sys.h"

int64_t sys_brk(UserThread *t, const uint64_t a[6]) {
  (void)t;
  return (int64_t)gmem_brk(a[0]);
}

int64_t sys_mmap(UserThread *t, const uint64_t a[6]) {
  if (a[3] & MAP_FIXED)
    user_smc_release(a[0], a[0] + a[1]);
  int64_t r = gmem_map(a[0], a[1], (int)a[2], (int)a[3], (int)a[4], a[5], NULL);
  if (r >= 0 && (a[3] & MAP_FIXED))
    emu_engine_invalidate(t->proc->engine, (uint64_t)r, (uint64_t)r + a[1]);
  return r;
}

int64_t sys_munmap(UserThread *t, const uint64_t a[6]) {
  user_smc_release(a[0], a[0] + a[1]);
  int r = gmem_unmap(a[0], a[1]);
  if (r == 0)
    emu_engine_invalidate(t->proc->engine, a[0], a[0] + a[1]);
  return r;
}

int64_t sys_mprotect(UserThread *t, const uint64_t a[6]) {
  user_smc_release(a[0], a[0] + a[1]); /* gmem_protect sets the new protection */
  int r = gmem_protect(a[0], a[1], (int)a[2]);
  if (r == 0 && !(a[2] & PROT_EXEC))
    emu_engine_invalidate(t->proc->engine, a[0], a[0] + a[1]);
  return r;
}

/* mremap: the pages move with the host's mremap (guest_mem.c). Translations of
 * the old range go (its code now lives elsewhere), and of the new one when it
 * replaced mappings (MREMAP_FIXED). */
int64_t sys_mremap(UserThread *t, const uint64_t a[6]) {
  user_smc_release(a[0], a[0] + a[1]);
  if (a[3] & MREMAP_FIXED)
    user_smc_release(a[4], a[4] + a[2]);
  int64_t r = gmem_remap(a[0], a[1], a[2], (int)a[3], a[4]);
  if (r >= 0 && (uint64_t)r != a[0])
    emu_engine_invalidate(t->proc->engine, a[0], a[0] + a[1]);
  if (r >= 0 && (a[3] & MREMAP_FIXED))
    emu_engine_invalidate(t->proc->engine, (uint64_t)r, (uint64_t)r + a[2]);
  if (r >= 0 && (uint64_t)r == a[0] && a[2] < a[1])
    emu_engine_invalidate(t->proc->engine, a[0] + a[2], a[0] + a[1]);
  return r;
}
