/* user_smc.c — self-modifying code in user mode. Every guest page code is read
 * from (fetch_code) and that the guest may write is write-protected on the host;
 * the first guest write to it faults, and the fault handler drops the page's
 * translations and lifts the protection before the write is retried. The same
 * happens before the kernel writes guest buffers (it would return EFAULT
 * instead of faulting) and when the guest remaps or reprotects the page.
 * Pages code runs from but the guest cannot write (.text) are not watched. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "user.h"

/* Watched page numbers: an open-addressing set (0 = empty; page 0 is never
 * mapped). Guarded by smc_lock; the fault path takes it too, which is safe
 * because no code holding it touches guest memory. */
static pthread_mutex_t smc_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *set;
static uint32_t cap, count;
static volatile uint32_t watched; /* lock-free "anything watched?" */
static EmuEngine *engine;
static uint64_t smc_invalidations;

void user_smc_init(EmuEngine *e) { engine = e; }

static uint32_t slot_of(uint64_t page) {
  return (uint32_t)((page * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static bool set_has(uint64_t page) {
  if (!cap)
    return false;
  for (uint32_t i = slot_of(page);; i = (i + 1) & (cap - 1)) {
    if (set[i] == page)
      return true;
    if (!set[i])
      return false;
  }
}

static void set_add(uint64_t page) {
  if ((count + 1) * 2 > cap) {
    uint64_t *old = set;
    uint32_t oldcap = cap;
    cap = cap ? cap * 2 : 256;
    set = calloc(cap, sizeof *set);
    if (!set)
      abort();
    count = 0;
    for (uint32_t i = 0; i < oldcap; i++)
      if (old[i])
        set_add(old[i]);
    free(old);
  }
  uint32_t i = slot_of(page);
  while (set[i])
    i = (i + 1) & (cap - 1);
  set[i] = page;
  count++;
}

/* Remove by re-inserting the rest of the probe run (no tombstones). */
static void set_remove(uint64_t page) {
  uint32_t i = slot_of(page);
  while (set[i] != page)
    i = (i + 1) & (cap - 1);
  set[i] = 0;
  count--;
  for (i = (i + 1) & (cap - 1); set[i]; i = (i + 1) & (cap - 1)) {
    uint64_t p = set[i];
    set[i] = 0;
    count--;
    set_add(p);
  }
}

/* The host protection a guest page gets when it is not watched. */
static int host_prot(int guest_prot) {
  int p = guest_prot & (PROT_READ | PROT_WRITE);
  return (guest_prot & PROT_EXEC) ? p | PROT_READ : p;
}

void user_smc_watch(uint64_t page) {
  GmemVmaInfo v;
  if (!gmem_lookup(page, &v) || !(v.prot & PROT_WRITE))
    return;
  pthread_mutex_lock(&smc_lock);
  if (!set_has(page) &&
      mprotect(gmem_g2h(page), GMEM_PAGE, host_prot(v.prot) & ~PROT_WRITE) == 0) {
    set_add(page);
    watched = count;
  }
  pthread_mutex_unlock(&smc_lock);
}

/* Take up to max watched pages of [start, end) out of the set, restoring their
 * protection; returns how many (in out). Caller holds smc_lock. */
static unsigned take(uint64_t start, uint64_t end, uint64_t *out, unsigned max) {
  unsigned n = 0;
  uint64_t pages = (end - gmem_page_down(start)) / GMEM_PAGE;
  if (pages <= cap) {
    for (uint64_t page = gmem_page_down(start); page < end && n < max; page += GMEM_PAGE)
      if (set_has(page))
        out[n++] = page;
  } else {
    for (uint32_t i = 0; i < cap && n < max; i++)
      if (set[i] && set[i] >= gmem_page_down(start) && set[i] < end)
        out[n++] = set[i];
  }
  for (unsigned i = 0; i < n; i++) {
    set_remove(out[i]);
    GmemVmaInfo v;
    if (gmem_lookup(out[i], &v))
      mprotect(gmem_g2h(out[i]), GMEM_PAGE, host_prot(v.prot));
  }
  watched = count;
  return n;
}

/* Stop watching the pages of [start, end): give them back their protection and
 * drop their translations. The engine's lock is taken only after smc_lock is
 * released (a translating thread holds the engine's lock and wants smc_lock).
 * Async-signal-safe enough for the fault path: no allocation. */
bool user_smc_release(uint64_t start, uint64_t end) {
  if (!watched || end <= start)
    return false;
  bool any = false;
  for (;;) {
    uint64_t pages[32];
    pthread_mutex_lock(&smc_lock);
    unsigned n = take(start, end, pages, 32);
    pthread_mutex_unlock(&smc_lock);
    if (!n)
      return any;
    any = true;
    for (unsigned i = 0; i < n; i++) {
      if (engine)
        emu_engine_invalidate(engine, pages[i], pages[i] + GMEM_PAGE);
      __atomic_add_fetch(&smc_invalidations, 1, __ATOMIC_RELAXED);
    }
  }
}

bool user_smc_fault(uint64_t guest_addr, bool is_write) {
  return is_write && guest_addr < gmem_limit && user_smc_release(guest_addr, guest_addr + 1);
}

uint64_t user_smc_count(void) { return smc_invalidations; }

void user_smc_fork_lock(void) { pthread_mutex_lock(&smc_lock); }
void user_smc_fork_unlock(void) { pthread_mutex_unlock(&smc_lock); }
