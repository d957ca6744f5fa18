/* tcache.h — the persistent translation cache: backend_fast blocks saved per
 * guest ELF object (file content + load base) in a folder, loaded by later
 * runs instead of translating. Internal to the runtime; see tcache.c. */
#ifndef EMU_TCACHE_H
#define EMU_TCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bf.h"

typedef struct Tcache Tcache;
typedef struct EmuEngine EmuEngine;
struct Tb;

/* NULL when the cache is off (no folder, no origin callback, interpreter). */
Tcache *tcache_new(EmuEngine *e);
void tcache_free(Tcache *tc);

/* A cached block for pc whose guest bytes still match, or false. */
typedef struct TcacheHit {
  const void *entry;
  uint32_t guest_bytes, ninsns, size;
  uint32_t align; /* place the code at an rx address with this remainder mod 64 */
} TcacheHit;
bool tcache_find(Tcache *tc, uint64_t pc, TcacheHit *out);
/* Copy a hit's code to rw/rx and relocate it; fills b (its pcmap malloc'd). */
bool tcache_place(Tcache *tc, const TcacheHit *h, uint8_t *rw, uint8_t *rx, BfBlock *b);

/* Scratch relocation array for the next bf_compile. */
BfReloc *tcache_relocs(Tcache *tc, uint32_t *cap);
/* Remember a freshly compiled block (code still unchained) for saving. */
void tcache_add(Tcache *tc, const struct Tb *t);
/* Merge what this process added into the cache files (under the engine lock). */
void tcache_save(Tcache *tc);

#endif
