/* bl_codemem.c — where LLJIT's objects live: the RuntimeDyld memory manager
 * callbacks over one address range reserved per JIT. Every section of every
 * object is carved from that range, so the small code model's 32-bit
 * RIP-relative references (constant pools, stubs) always reach. Each object
 * takes whole pages per kind (code, read-only data, data) so W^X holds: pages
 * are RW while RuntimeDyld writes and relocates, then code becomes RX and
 * read-only data R at finalisation. Code sections go to an append-only table
 * (chunks never move; the count is published with release) that
 * bl_codemem_owns reads from a fault handler without locks. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bl_int.h"

enum { RANGE_CHUNK = 4096, RANGE_CHUNKS = 1024 };
enum { KIND_CODE, KIND_RO, KIND_RW, KIND__COUNT };

typedef struct BlRange {
  uintptr_t start, end;
} BlRange;

struct BlCodeMem {
  uint8_t *base;
  size_t size, used, page;
  BlRange *chunks[RANGE_CHUNKS];
  _Atomic uint32_t nranges;
  uint64_t code_bytes;
};

/* A run of pages one object uses for one kind. */
typedef struct BlRun {
  uint8_t *start;
  size_t size;
  uint8_t kind;
} BlRun;

/* One object's allocations (the memory manager's context). */
typedef struct BlObjMem {
  BlCodeMem *m;
  BlRun *runs;
  uint32_t nruns, caprun;
  BlRange *code; /* its code sections, recorded at finalisation */
  uint32_t ncode, capcode;
  uint8_t *cur[KIND__COUNT]; /* free space left in its last run of each kind */
  size_t left[KIND__COUNT];
} BlObjMem;

BlCodeMem *bl_codemem_new(size_t reserve) {
  BlCodeMem *m = calloc(1, sizeof *m);
  if (!m)
    return NULL;
  m->page = (size_t)sysconf(_SC_PAGESIZE);
  m->size = reserve;
  m->base = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m->base == MAP_FAILED) {
    free(m);
    return NULL;
  }
  return m;
}

void bl_codemem_free(BlCodeMem *m) {
  if (!m)
    return;
  munmap(m->base, m->size);
  for (unsigned i = 0; i < RANGE_CHUNKS; i++)
    free(m->chunks[i]);
  free(m);
}

static const BlRange *range_at(const BlCodeMem *m, uint32_t i) {
  return &m->chunks[i / RANGE_CHUNK][i % RANGE_CHUNK];
}

/* Async-signal-safe: no locks, no allocation. */
bool bl_codemem_owns(const BlCodeMem *m, uintptr_t pc) {
  if (pc < (uintptr_t)m->base || pc >= (uintptr_t)m->base + m->size)
    return false;
  uint32_t n = atomic_load_explicit(&m->nranges, memory_order_acquire);
  for (uint32_t i = 0; i < n; i++) {
    const BlRange *r = range_at(m, i);
    if (pc >= r->start && pc < r->end)
      return true;
  }
  return false;
}

bool bl_codemem_section(const BlCodeMem *m, uintptr_t pc, uintptr_t *start, uintptr_t *end) {
  uint32_t n = atomic_load_explicit(&m->nranges, memory_order_acquire);
  for (uint32_t i = n; i-- > 0;) {
    const BlRange *r = range_at(m, i);
    if (pc >= r->start && pc < r->end) {
      *start = r->start, *end = r->end;
      return true;
    }
  }
  return false;
}

uint64_t bl_codemem_code_bytes(const BlCodeMem *m) { return m->code_bytes; }

/* Only the compiling thread appends (bl_compile calls are serialised). */
static bool publish_range(BlCodeMem *m, BlRange r) {
  uint32_t n = atomic_load_explicit(&m->nranges, memory_order_relaxed);
  if (n >= (uint32_t)RANGE_CHUNK * RANGE_CHUNKS)
    return false;
  BlRange **chunk = &m->chunks[n / RANGE_CHUNK];
  if (!*chunk && !(*chunk = calloc(RANGE_CHUNK, sizeof **chunk)))
    return false;
  (*chunk)[n % RANGE_CHUNK] = r;
  atomic_store_explicit(&m->nranges, n + 1, memory_order_release);
  m->code_bytes += r.end - r.start;
  return true;
}

static void *grow(void *p, uint32_t n, size_t size, uint32_t *cap) {
  if (n <= *cap)
    return p;
  uint32_t c = *cap ? *cap * 2 : 8;
  void *q = realloc(p, (size_t)c * size);
  if (!q)
    return NULL;
  *cap = c;
  return q;
}

/* -- Memory manager callbacks ------------------------------------------------ */

void *bl_mm_create(void *m) {
  BlObjMem *o = calloc(1, sizeof *o);
  if (o)
    o->m = m;
  return o;
}

void bl_mm_terminating(void *m) {}

static uint8_t *obj_alloc(BlObjMem *o, uintptr_t size, unsigned align, unsigned kind) {
  BlCodeMem *m = o->m;
  if (align == 0)
    align = 16;
  uintptr_t at = ((uintptr_t)o->cur[kind] + align - 1) & ~(uintptr_t)(align - 1);
  if (o->cur[kind] && at + size <= (uintptr_t)o->cur[kind] + o->left[kind]) {
    o->left[kind] -= at + size - (uintptr_t)o->cur[kind];
    o->cur[kind] = (uint8_t *)(at + size);
    return (uint8_t *)at;
  }
  size_t need = (size + (align > m->page ? align : 0) + m->page - 1) & ~(m->page - 1);
  if (need == 0)
    need = m->page;
  if (need > m->size - m->used)
    return NULL;
  uint8_t *run = m->base + m->used;
  if (mprotect(run, need, PROT_READ | PROT_WRITE) != 0)
    return NULL;
  o->runs = grow(o->runs, o->nruns + 1, sizeof *o->runs, &o->caprun);
  if (!o->runs)
    return NULL;
  m->used += need;
  o->runs[o->nruns++] = (BlRun){run, need, (uint8_t)kind};
  at = ((uintptr_t)run + align - 1) & ~(uintptr_t)(align - 1);
  o->cur[kind] = (uint8_t *)(at + size);
  o->left[kind] = (size_t)((uintptr_t)run + need - (at + size));
  return (uint8_t *)at;
}

uint8_t *bl_mm_code(void *obj, uintptr_t size, unsigned align, unsigned id, const char *name) {
  BlObjMem *o = obj;
  uint8_t *p = obj_alloc(o, size, align, KIND_CODE);
  if (!p)
    return NULL;
  o->code = grow(o->code, o->ncode + 1, sizeof *o->code, &o->capcode);
  if (!o->code)
    return NULL;
  o->code[o->ncode++] = (BlRange){(uintptr_t)p, (uintptr_t)p + size};
  return p;
}

uint8_t *bl_mm_data(void *obj, uintptr_t size, unsigned align, unsigned id, const char *name,
                    LLVMBool ro) {
  return obj_alloc(obj, size, align, ro ? KIND_RO : KIND_RW);
}

LLVMBool bl_mm_finalize(void *obj, char **err) {
  BlObjMem *o = obj;
  static const int prot[KIND__COUNT] = {PROT_READ | PROT_EXEC, PROT_READ, PROT_READ | PROT_WRITE};
  for (uint32_t i = 0; i < o->nruns; i++) {
    BlRun *r = &o->runs[i];
    if (r->kind != KIND_RW && mprotect(r->start, r->size, prot[r->kind]) != 0) {
      *err = strdup("mprotect failed");
      return 1;
    }
  }
  /* Later allocations (none are expected) must not land in finalised pages. */
  memset(o->cur, 0, sizeof o->cur);
  memset(o->left, 0, sizeof o->left);
  __builtin___clear_cache((char *)o->m->base, (char *)o->m->base + o->m->used);
  for (uint32_t i = 0; i < o->ncode; i++)
    if (o->code[i].end > o->code[i].start && !publish_range(o->m, o->code[i])) {
      *err = strdup("too many code sections");
      return 1;
    }
  o->ncode = 0;
  return 0;
}

/* The pages stay reserved (and code ranges listed) until the JIT goes away. */
void bl_mm_destroy(void *obj) {
  BlObjMem *o = obj;
  free(o->runs);
  free(o->code);
  free(o);
}
