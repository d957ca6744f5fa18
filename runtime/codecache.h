/* codecache.h — the W^X code cache: one memfd mapped twice, written through the
 * RW view and executed through the RX view, bump-allocated, flushed whole. */
#ifndef EMU_CODECACHE_H
#define EMU_CODECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CodeCache {
  uint8_t *rw, *rx;
  size_t size, used, reserved; /* reserved: trampolines at the start, never flushed */
  int fork_fd; /* the copy codecache_fork_prepare made for a child, or -1 */
} CodeCache;

bool codecache_init(CodeCache *cc, size_t size);
void codecache_destroy(CodeCache *cc);
static inline uint8_t *codecache_rw_of(const CodeCache *cc, const uint8_t *rx) {
  return cc->rw + (rx - cc->rx);
}
static inline bool codecache_contains(const CodeCache *cc, uintptr_t rx) {
  return rx >= (uintptr_t)cc->rx && rx < (uintptr_t)cc->rx + cc->size;
}
void codecache_reset(CodeCache *cc); /* keeps the reserved prefix */
/* Before fork (no translation running): copy the cache for the child, so the
 * parent's writes after fork cannot reach the child's code. After fork the
 * child maps that copy (codecache_fork_child), the parent drops it. */
bool codecache_fork_prepare(CodeCache *cc);
void codecache_fork_parent(CodeCache *cc);
bool codecache_fork_child(CodeCache *cc);

#endif
