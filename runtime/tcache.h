/* tcache.h — the persistent translation cache: backend_fast blocks and
 * backend_llvm regions saved per guest ELF object (file content + load base)
 * in a folder, loaded by later runs instead of translating or compiling.
 * Internal to the runtime; see tcache.c. */
#ifndef EMU_TCACHE_H
#define EMU_TCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bf.h"
#include "engine.h"

typedef struct Tcache Tcache;

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

/* -- Tier-2 regions ----------------------------------------------------------
 * A region is saved as backend_llvm's object file for one function, in the
 * cache file of the object holding its entry pc, with its member ranges and a
 * hash of each one's guest bytes. Its identity (key) hashes the entry pc, the
 * ranges and those bytes: it names the function (tcache_region_name), so one
 * process never loads two different functions under one name, and a region
 * compiled again (after a flush) is found by name instead. */
#define TCACHE_REGION_MAX 32 /* member ranges */

typedef struct TcacheRegion {
  uint64_t pc, key;
  uint32_t nranges, ninsns;
  TbRange ranges[TCACHE_REGION_MAX]; /* ranges[0] starts at pc */
  uint64_t hashes[TCACHE_REGION_MAX];
  const void *obj; /* the object file: one function, named tcache_region_name(key) */
  size_t size;
} TcacheRegion;

/* Fill r->hashes and r->key for r->pc, r->ranges (and r->nranges): false if
 * the region may not be cached (code outside a read-only file mapping, or not
 * followed by fetchable code). Under the engine lock, while the members are
 * valid (their guest bytes are what was translated). */
bool tcache_region_prepare(Tcache *tc, TcacheRegion *r);
void tcache_region_name(uint64_t key, char *out, size_t size);
/* Remember a prepared region and its object (copied) for saving. */
void tcache_add_region(Tcache *tc, const TcacheRegion *r);
/* The saved region entered at pc, if every member's guest bytes still match
 * (fetched as translation would: the SMC watch is armed the same way); r->obj
 * points into the mapped file. */
bool tcache_find_region(Tcache *tc, uint64_t pc, TcacheRegion *r);
/* The region found at pc cannot be used (LLVM refused its object): say so
 * once, never offer it again, and leave it out of the file when it is saved. */
void tcache_region_refused(Tcache *tc, uint64_t pc, const char *why);

#endif
