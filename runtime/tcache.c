/* tcache.c — the persistent translation cache. One file per guest ELF object
 * and load base, named <file>-<content key>-<base>.tc in the cache folder:
 * a header (magic, version, hashes of the emu binary and of the engine config,
 * object key and base, payload size and checksum), then one entry per tier-1
 * block (metadata, exits, pc map, relocations, unchained host code) or tier-2
 * region (member ranges with their guest-byte hashes, LLVM's object file).
 * Loaded lazily and indexed by pc, one index per kind; each entry's guest
 * bytes are re-hashed against guest memory before use, so a wrong key never
 * runs stale code. Written at exit:
 * the file as it is then, plus this process's new blocks, to a temporary file
 * renamed over it (atomic; the last writer wins). Everything runs under the
 * engine lock. Design notes: docs/design.md, "Persistent translation cache". */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "tcache.h"

#define TC_MAGIC "EMUTCACH"
#define TC_VERSION 2u
#define TC_MAX_RELOCS 512u
#define TC_DEFAULT_MAX (512ull << 20)
#define TC_MAX_CODE (16u << 20) /* one entry's code or object */
/* A region saves milliseconds of LLVM time: when deciding whether new entries
 * are worth rewriting a file, it counts as this many bytes of tier-1 code. */
#define TC_REGION_WEIGHT (256u << 10)

typedef struct TcHeader {
  char magic[8];
  uint32_t version, nentries;
  uint64_t emu_hash, cfg_hash, obj_key, base;
  uint64_t payload_size, payload_hash;
} TcHeader;

/* Every entry starts so; total (a multiple of 8) covers the whole entry. */
enum { TC_BLOCK, TC_REGION, TC__KINDS };
typedef struct TcHead {
  uint64_t pc;
  uint32_t kind, total;
} TcHead;

/* A tier-1 block: followed by BfExitSite[nexits], BfPcEntry[npc],
 * BfReloc[nrelocs], code[size]. */
typedef struct TcEntry {
  TcHead h;
  uint64_t guest_hash;
  uint32_t guest_bytes, ninsns, size, counter_off;
  uint32_t nexits, npc, nrelocs;
  uint32_t align; /* rx address mod 64 it was compiled at (data alignment) */
} TcEntry;

/* A tier-2 region: followed by TcRange[nranges] (the first one starts at the
 * entry pc), then the object file[size]. */
typedef struct TcRegion {
  TcHead h;
  uint64_t key; /* region_key of pc and the ranges: names the function */
  uint32_t nranges, ninsns, size, pad;
} TcRegion;

typedef struct TcRange {
  uint64_t lo, hi, hash; /* guest code [lo, hi) and the hash of its bytes */
} TcRange;

typedef struct TcSlot {
  uint64_t pc;
  const TcHead *entry; /* NULL: empty */
} TcSlot;

typedef struct TcObj {
  uint64_t key, base;
  char path[PATH_MAX];
  bool loaded;
  void *map;
  size_t maplen;
  TcSlot *idx[TC__KINDS]; /* entries of the file, by pc, per kind */
  uint32_t idxcap[TC__KINDS];
  uint8_t *pend; /* entries added by this process */
  size_t npend, cappend;
  TcSlot *pcs[TC__KINDS]; /* their pcs per kind (entry unused but non-NULL) */
  uint32_t pcscap[TC__KINDS], npcs[TC__KINDS];
  uint64_t *dropped; /* pcs of refused regions: left out when the file is saved */
  uint32_t ndropped;
  bool rewrite; /* save even without new entries (a region was refused) */
} TcObj;

struct Tcache {
  EmuEngine *e;
  char dir[PATH_MAX - 512]; /* room left for file names */
  uint64_t max, emu_hash, cfg_hash;
  TcObj **objs;
  uint32_t nobjs, capobjs, last;
  BfReloc relocs[TC_MAX_RELOCS];
  uint8_t *buf; /* guest bytes */
  size_t bufcap;
};

/* -- Hashing ------------------------------------------------------------------- */

static inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* wyhash-style: two multiply-mix lanes over 32-byte chunks. */
uint64_t emu_hash64(const void *data, size_t n, uint64_t seed) {
  static const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                        k2 = 0x8ebc6af09c88c6e3ull, k3 = 0x589965cc75374cc3ull;
  const uint8_t *p = data;
  uint64_t a = seed ^ k0 ^ n, b = seed ^ k1;
  for (; n >= 32; p += 32, n -= 32) {
    a = mix(rd64(p) ^ k2, rd64(p + 8) ^ a);
    b = mix(rd64(p + 16) ^ k3, rd64(p + 24) ^ b);
  }
  uint8_t tail[32] = {0};
  memcpy(tail, p, n);
  a = mix(rd64(tail) ^ k2, rd64(tail + 8) ^ a ^ n);
  b = mix(rd64(tail + 16) ^ k3, rd64(tail + 24) ^ b);
  return mix(a ^ k1, b ^ k0);
}

static uint64_t emu_hash_value;
static pthread_once_t emu_hash_once = PTHREAD_ONCE_INIT;

/* The emu binary's content: code and its helpers' addresses come with it. */
static void emu_hash_compute(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0)
    return;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      emu_hash_value = emu_hash64(m, (size_t)st.st_size, 1) | 1; /* 0: unknown */
      munmap(m, (size_t)st.st_size);
    }
  }
  close(fd);
}

/* The host CPU: both backends choose instructions by its features (AVX,
 * SSE4.1, BMI...), LLVM by its model too, so a cache folder shared between
 * machines must not hand one's code to the other. */
static uint64_t host_hash(void) {
  uint32_t w[16] = {0};
  __get_cpuid(0, &w[0], &w[1], &w[2], &w[3]);              /* vendor */
  __get_cpuid(1, &w[4], &w[5], &w[6], &w[7]);              /* family/model, features */
  w[5] &= 0x00ffffffu;                                      /* not the APIC id */
  __get_cpuid_count(7, 0, &w[8], &w[9], &w[10], &w[11]);   /* extended features */
  __get_cpuid(0x80000001, &w[12], &w[13], &w[14], &w[15]); /* lzcnt & co. */
  uint64_t xcr0 = 0;
  if (w[6] >> 27 & 1) { /* OSXSAVE: which register state the OS enabled (AVX) */
    uint32_t lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t)hi << 32 | lo;
  }
  return emu_hash64(w, sizeof w, xcr0);
}

/* Everything that shapes generated code: the whole BfConfig except the
 * epilogue (relocated), the frontend, the precise-state classes and the host
 * CPU. (backend_llvm's BlConfig is made of the same offsets and limits.) */
static uint64_t config_hash(const EmuEngine *e) {
  struct {
    BfConfig bf;
    char frontend[16];
    uint32_t precise, version;
    uint64_t host;
  } k;
  memset(&k, 0, sizeof k);
  memcpy(&k.bf, &e->bf, sizeof k.bf);
  k.bf.epilogue = NULL;
  size_t pad = offsetof(BfConfig, off_jcache) + sizeof k.bf.off_jcache; /* padding: zero */
  memset((char *)&k.bf + pad, 0, offsetof(BfConfig, guest_base) - pad);
  snprintf(k.frontend, sizeof k.frontend, "%s", e->cfg.frontend->name);
  k.precise = e->cfg.passes.precise_classes, k.version = TC_VERSION;
  k.host = host_hash();
  return emu_hash64(&k, sizeof k, 2);
}

/* -- Set-up ---------------------------------------------------------------------- */

Tcache *tcache_new(EmuEngine *e) {
  /* Tier 1 only: --tier=llvm exists to run every block through LLVM. */
  if (!e->cfg.cache_dir || !*e->cfg.cache_dir || !e->cfg.code_origin ||
      (e->cfg.tier != EMU_TIER_FAST && e->cfg.tier != EMU_TIER_AUTO))
    return NULL;
  pthread_once(&emu_hash_once, emu_hash_compute);
  if (!emu_hash_value)
    return NULL;
  Tcache *tc = calloc(1, sizeof *tc);
  if (!tc)
    abort();
  tc->e = e;
  if (snprintf(tc->dir, sizeof tc->dir, "%s", e->cfg.cache_dir) >= (int)sizeof tc->dir) {
    free(tc);
    return NULL;
  }
  tc->max = e->cfg.cache_max ? e->cfg.cache_max : TC_DEFAULT_MAX;
  tc->emu_hash = emu_hash_value;
  tc->cfg_hash = config_hash(e);
  return tc;
}

static void obj_unmap(TcObj *o) {
  if (o->map)
    munmap(o->map, o->maplen);
  o->map = NULL;
  for (int k = 0; k < TC__KINDS; k++) {
    free(o->idx[k]);
    o->idx[k] = NULL;
    o->idxcap[k] = 0;
  }
}

void tcache_free(Tcache *tc) {
  if (!tc)
    return;
  for (uint32_t i = 0; i < tc->nobjs; i++) {
    obj_unmap(tc->objs[i]);
    free(tc->objs[i]->pend);
    for (int k = 0; k < TC__KINDS; k++)
      free(tc->objs[i]->pcs[k]);
    free(tc->objs[i]->dropped);
    free(tc->objs[i]);
  }
  free(tc->objs);
  free(tc->buf);
  free(tc);
}

/* -- Index tables (open addressing by pc) ---------------------------------------- */

static uint32_t slot_of(uint64_t pc, uint32_t cap) {
  return (uint32_t)((pc * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static TcSlot *slot_find(TcSlot *t, uint32_t cap, uint64_t pc) {
  if (!cap)
    return NULL;
  for (uint32_t i = slot_of(pc, cap);; i = (i + 1) & (cap - 1))
    if (!t[i].entry || t[i].pc == pc)
      return &t[i];
}

/* Insert (keeping an existing pc); tables stay at most half full. */
static void slot_put(TcSlot **t, uint32_t *cap, uint32_t *n, uint64_t pc, const TcHead *en) {
  if (2 * (*n + 1) > *cap) {
    uint32_t ncap = *cap ? *cap * 2 : 256;
    TcSlot *nt = calloc(ncap, sizeof *nt);
    if (!nt)
      abort();
    for (uint32_t i = 0; i < *cap; i++)
      if ((*t)[i].entry)
        *slot_find(nt, ncap, (*t)[i].pc) = (*t)[i];
    free(*t);
    *t = nt, *cap = ncap;
  }
  TcSlot *s = slot_find(*t, *cap, pc);
  if (!s->entry) {
    *s = (TcSlot){pc, en};
    (*n)++;
  }
}

/* -- Reading files ------------------------------------------------------------------ */

static size_t entry_need(const TcEntry *en) {
  return sizeof *en + en->nexits * sizeof(BfExitSite) + en->npc * sizeof(BfPcEntry) +
         en->nrelocs * sizeof(BfReloc) + en->size;
}

static size_t region_need(const TcRegion *rg) {
  return sizeof *rg + rg->nranges * sizeof(TcRange) + rg->size;
}

static const TcRange *region_ranges(const TcRegion *rg) { return (const TcRange *)(rg + 1); }
static const uint8_t *region_object(const TcRegion *rg) {
  return (const uint8_t *)(region_ranges(rg) + rg->nranges);
}

static bool block_ok(const TcEntry *en, size_t left) {
  if (left < sizeof *en || en->nexits > BF_MAX_EXITS || en->npc > (1u << 20) ||
      en->nrelocs > TC_MAX_RELOCS || en->size > TC_MAX_CODE || en->h.total < entry_need(en) ||
      en->align >= 64 || (uint64_t)en->counter_off + 8 > en->size || !en->guest_bytes)
    return false;
  const BfExitSite *x = (const BfExitSite *)(en + 1);
  for (uint32_t i = 0; i < en->nexits; i++)
    if ((uint64_t)x[i].patch_off + 4 > en->size || x[i].stub_off >= en->size)
      return false;
  return true;
}

static bool region_ok(const TcRegion *rg, size_t left) {
  if (left < sizeof *rg || !rg->nranges || rg->nranges > TCACHE_REGION_MAX ||
      rg->size < 4 || rg->size > TC_MAX_CODE || rg->h.total < region_need(rg) ||
      memcmp(region_object(rg), "\177ELF", 4))
    return false;
  const TcRange *r = region_ranges(rg);
  for (uint32_t i = 0; i < rg->nranges; i++)
    if (r[i].hi <= r[i].lo || r[i].hi - r[i].lo > TC_MAX_CODE)
      return false;
  return r[0].lo == rg->h.pc;
}

/* The entry at p if it is well-formed within left bytes, else NULL. */
static const TcHead *entry_at(const uint8_t *p, size_t left) {
  const TcHead *h = (const TcHead *)p;
  if (left < sizeof *h || h->total % 8 || h->total > left)
    return NULL;
  if (h->kind == TC_BLOCK)
    return block_ok((const TcEntry *)p, left) ? h : NULL;
  if (h->kind == TC_REGION)
    return region_ok((const TcRegion *)p, left) ? h : NULL;
  return NULL;
}

enum { TC_OK, TC_MISS, TC_CORRUPT };

/* Check a whole file image; on TC_CORRUPT *why says what. */
static int file_check(const Tcache *tc, const TcObj *o, const uint8_t *m, size_t len,
                      const char **why) {
  const TcHeader *h = (const TcHeader *)m;
  if (len < sizeof *h)
    return *why = "truncated header", TC_CORRUPT;
  if (memcmp(h->magic, TC_MAGIC, 8))
    return *why = "bad magic", TC_CORRUPT;
  if (h->version != TC_VERSION || h->emu_hash != tc->emu_hash || h->cfg_hash != tc->cfg_hash)
    return TC_MISS; /* another emu build or configuration: not ours to use */
  if (h->obj_key != o->key || h->base != o->base)
    return *why = "wrong object", TC_CORRUPT;
  if (h->payload_size != len - sizeof *h)
    return *why = "truncated", TC_CORRUPT;
  if (emu_hash64(m + sizeof *h, h->payload_size, 3) != h->payload_hash)
    return *why = "checksum mismatch", TC_CORRUPT;
  const uint8_t *p = m + sizeof *h, *end = m + len;
  for (uint32_t i = 0; i < h->nentries; i++) {
    const TcHead *en = entry_at(p, (size_t)(end - p));
    if (!en)
      return *why = "bad entry", TC_CORRUPT;
    p += en->total;
  }
  if (p != end)
    return *why = "trailing bytes", TC_CORRUPT;
  return TC_OK;
}

/* Map o's file if it is valid (a corrupt one gets a warning unless quiet);
 * NULL otherwise. */
static void *file_map(const Tcache *tc, const TcObj *o, size_t *len, bool quiet) {
  int fd = open(o->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  void *m = MAP_FAILED;
  const char *why = "unreadable";
  int r = TC_CORRUPT;
  if (fstat(fd, &st) == 0) {
    *len = (size_t)st.st_size;
    if (*len < sizeof(TcHeader))
      why = "truncated header";
    else if ((m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)) != MAP_FAILED)
      r = file_check(tc, o, m, *len, &why);
  }
  close(fd);
  if (r == TC_OK)
    return m;
  if (m != MAP_FAILED)
    munmap(m, *len);
  if (r == TC_CORRUPT && !quiet)
    fprintf(stderr, "emu: warning: ignoring corrupt translation cache %s: %s\n", o->path, why);
  return NULL;
}

static void obj_load(Tcache *tc, TcObj *o) {
  o->loaded = true;
  o->map = file_map(tc, o, &o->maplen, false);
  if (!o->map)
    return;
  utimensat(AT_FDCWD, o->path, NULL, 0); /* recently used (the size bound drops the oldest) */
  const TcHeader *h = o->map;
  const uint8_t *p = (const uint8_t *)(h + 1);
  uint32_t n[TC__KINDS] = {0};
  for (uint32_t i = 0; i < h->nentries; i++) {
    const TcHead *en = (const TcHead *)p;
    slot_put(&o->idx[en->kind], &o->idxcap[en->kind], &n[en->kind], en->pc, en);
    p += en->total;
  }
}

/* -- Objects ------------------------------------------------------------------------- */

static void obj_path(const Tcache *tc, const EmuCodeOrigin *org, char *out, size_t size) {
  const char *base = org->name ? strrchr(org->name, '/') : NULL;
  base = base ? base + 1 : org->name ? org->name : "code";
  char clean[64];
  size_t n = 0;
  for (; base[n] && n < sizeof clean - 1; n++) {
    char ch = base[n];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    clean[n] = ok ? ch : '_';
  }
  clean[n] = 0;
  /* The config hash too: -d stats (exact counters) makes other code, and
   * alternating runs should not replace each other's files. */
  snprintf(out, size, "%s/%s-%016llx-%llx-%08x.tc", tc->dir, clean, (unsigned long long)org->key,
           (unsigned long long)org->base, (unsigned)tc->cfg_hash);
}

static TcObj *obj_get(Tcache *tc, const EmuCodeOrigin *org) {
  if (tc->last < tc->nobjs) {
    TcObj *o = tc->objs[tc->last];
    if (o->key == org->key && o->base == org->base)
      return o;
  }
  for (uint32_t i = 0; i < tc->nobjs; i++)
    if (tc->objs[i]->key == org->key && tc->objs[i]->base == org->base)
      return tc->objs[tc->last = i];
  if (tc->nobjs == tc->capobjs) {
    tc->capobjs = tc->capobjs ? tc->capobjs * 2 : 16;
    tc->objs = realloc(tc->objs, tc->capobjs * sizeof *tc->objs);
    if (!tc->objs)
      abort();
  }
  TcObj *o = calloc(1, sizeof *o);
  if (!o)
    abort();
  o->key = org->key, o->base = org->base;
  obj_path(tc, org, o->path, sizeof o->path);
  tc->last = tc->nobjs;
  tc->objs[tc->nobjs++] = o;
  return o;
}

/* The object holding [pc, pc + bytes), if its code may be cached. */
static TcObj *origin_obj(Tcache *tc, uint64_t pc, uint32_t bytes, EmuCodeOrigin *org) {
  const EmuEngineConfig *cfg = &tc->e->cfg;
  memset(org, 0, sizeof *org);
  if (!cfg->code_origin(cfg->origin_ctx, pc, org) || org->writable || pc + bytes > org->hi)
    return NULL;
  TcObj *o = obj_get(tc, org);
  if (!o->loaded)
    obj_load(tc, o);
  return o;
}

/* Hash of the guest's current bytes at [pc, pc + n); false unless n + more
 * bytes can be fetched. */
static bool guest_hash(Tcache *tc, uint64_t pc, uint32_t n, uint32_t more, uint64_t *out) {
  if (n + more > tc->bufcap) {
    tc->bufcap = n + more;
    tc->buf = realloc(tc->buf, tc->bufcap);
    if (!tc->buf)
      abort();
  }
  const IrCodeFetch *f = &tc->e->cfg.fetch;
  if (f->fetch(f->ctx, pc, tc->buf, n + more) != n + more)
    return false;
  *out = emu_hash64(tc->buf, n, 4);
  return true;
}

/* -- Lookup ---------------------------------------------------------------------------- */

bool tcache_find(Tcache *tc, uint64_t pc, TcacheHit *out) {
  EmuCodeOrigin org;
  TcObj *o = origin_obj(tc, pc, 1, &org);
  TcSlot *s = o ? slot_find(o->idx[TC_BLOCK], o->idxcap[TC_BLOCK], pc) : NULL;
  if (!s || !s->entry)
    return false;
  const TcEntry *en = (const TcEntry *)s->entry;
  uint64_t h;
  if (pc + en->guest_bytes > org.hi || !guest_hash(tc, pc, en->guest_bytes, 0, &h) ||
      h != en->guest_hash)
    return false;
  *out = (TcacheHit){en, en->guest_bytes, en->ninsns, en->size, en->align};
  return true;
}

bool tcache_place(Tcache *tc, const TcacheHit *hit, uint8_t *rw, uint8_t *rx, BfBlock *b) {
  const TcEntry *en = hit->entry;
  const BfExitSite *x = (const BfExitSite *)(en + 1);
  const BfPcEntry *pcm = (const BfPcEntry *)(x + en->nexits);
  const BfReloc *rel = (const BfReloc *)(pcm + en->npc);
  const uint8_t *code = (const uint8_t *)(rel + en->nrelocs);
  memcpy(rw, code, en->size);
  b->size = en->size;
  b->nexits = en->nexits;
  memcpy(b->exits, x, en->nexits * sizeof *x);
  b->counter_off = en->counter_off;
  b->relocs = (BfReloc *)rel;
  b->nrelocs = b->reloc_cap = en->nrelocs;
  bool ok = bf_reloc_apply(b, &tc->e->bf, rw, rx);
  b->relocs = NULL;
  b->nrelocs = b->reloc_cap = 0;
  if (!ok)
    return false;
  b->pcmap = realloc(b->pcmap, (en->npc ? en->npc : 1) * sizeof *b->pcmap);
  if (!b->pcmap)
    abort();
  memcpy(b->pcmap, pcm, en->npc * sizeof *pcm);
  b->npc = b->pcmap_cap = en->npc;
  return true;
}

/* -- Recording ------------------------------------------------------------------------- */

BfReloc *tcache_relocs(Tcache *tc, uint32_t *cap) {
  *cap = TC_MAX_RELOCS;
  return tc->relocs;
}

/* Code of the emu binary itself: distances to the anchor hold in every run. */
extern const char __executable_start[], etext[];
static bool in_emu_text(uintptr_t a) {
  return a >= (uintptr_t)__executable_start && a < (uintptr_t)etext;
}

static void *pend_grow(TcObj *o, size_t n) {
  if (o->npend + n > o->cappend) {
    o->cappend = (o->npend + n) * 2;
    o->pend = realloc(o->pend, o->cappend);
    if (!o->pend)
      abort();
  }
  void *p = o->pend + o->npend;
  o->npend += n;
  return p;
}

/* Has this process added an entry of this kind for pc? */
static bool pending(const TcObj *o, int kind, uint64_t pc) {
  return o->pcscap[kind] && slot_find(o->pcs[kind], o->pcscap[kind], pc)->entry;
}

void tcache_add(Tcache *tc, const Tb *t) {
  const BfBlock *b = &t->bf;
  if (!t->code || t->tier2 || !t->guest_bytes || b->nrelocs > TC_MAX_RELOCS)
    return;
  for (uint32_t i = 0; i < b->nrelocs; i++)
    if (tc->relocs[i].what == BF_RELOC_ANCHOR &&
        !in_emu_text(bf_reloc_anchor() + (uintptr_t)tc->relocs[i].value))
      return; /* a call into a shared library: its address changes */
  EmuCodeOrigin org;
  TcObj *o = origin_obj(tc, t->pc, t->guest_bytes, &org);
  uint64_t gh;
  /* A block whose translation stopped at code it could not fetch (raising a
   * fault there) would be wrong once that code is mapped: keep only blocks
   * followed by a whole fetchable instruction. */
  if (!o || pending(o, TC_BLOCK, t->pc) ||
      !guest_hash(tc, t->pc, t->guest_bytes, tc->e->cfg.frontend->max_insn_bytes, &gh))
    return;
  TcEntry en = {.h = {.pc = t->pc, .kind = TC_BLOCK}, .guest_hash = gh,
                .guest_bytes = t->guest_bytes, .ninsns = t->ninsns, .size = b->size, .counter_off = b->counter_off,
                .nexits = b->nexits, .npc = b->npc, .nrelocs = b->nrelocs,
                .align = (uint32_t)((uintptr_t)t->code & 63)};
  en.h.total = (uint32_t)((entry_need(&en) + 7) & ~(size_t)7);
  uint8_t *p = pend_grow(o, en.h.total);
  memset(p, 0, en.h.total);
  memcpy(p, &en, sizeof en), p += sizeof en;
  memcpy(p, b->exits, b->nexits * sizeof *b->exits), p += b->nexits * sizeof *b->exits;
  memcpy(p, b->pcmap, b->npc * sizeof *b->pcmap), p += b->npc * sizeof *b->pcmap;
  memcpy(p, tc->relocs, b->nrelocs * sizeof *tc->relocs), p += b->nrelocs * sizeof *tc->relocs;
  memcpy(p, t->code, b->size);
  memset(p + b->counter_off, 0, 8); /* not run yet, but a count is not code */
  slot_put(&o->pcs[TC_BLOCK], &o->pcscap[TC_BLOCK], &o->npcs[TC_BLOCK], t->pc,
           (const TcHead *)o->pend);
}

/* -- Regions ---------------------------------------------------------------------------- */

static uint64_t region_key(uint64_t pc, const TcRange *r, uint32_t n) {
  return emu_hash64(r, n * sizeof *r, pc ^ 6) | 1;
}

void tcache_region_name(uint64_t key, char *out, size_t size) {
  snprintf(out, size, "emu_region_%016llx", (unsigned long long)key);
}

bool tcache_region_prepare(Tcache *tc, TcacheRegion *r) {
  TcRange rr[TCACHE_REGION_MAX];
  if (!r->nranges || r->nranges > TCACHE_REGION_MAX || r->ranges[0].lo != r->pc)
    return false;
  for (uint32_t i = 0; i < r->nranges; i++) {
    EmuCodeOrigin org;
    uint32_t bytes = (uint32_t)(r->ranges[i].hi - r->ranges[i].lo);
    /* Every member must come from a read-only file mapping (not JIT code):
     * the same rule and the same fetchable tail as a tier-1 block. */
    if (!origin_obj(tc, r->ranges[i].lo, bytes, &org) ||
        !guest_hash(tc, r->ranges[i].lo, bytes, tc->e->cfg.frontend->max_insn_bytes, &r->hashes[i]))
      return false;
    rr[i] = (TcRange){r->ranges[i].lo, r->ranges[i].hi, r->hashes[i]};
  }
  r->key = region_key(r->pc, rr, r->nranges);
  return true;
}

void tcache_add_region(Tcache *tc, const TcacheRegion *r) {
  EmuCodeOrigin org;
  TcObj *o = origin_obj(tc, r->pc, 1, &org);
  if (!o || pending(o, TC_REGION, r->pc) || r->size > TC_MAX_CODE)
    return;
  TcRegion rg = {.h = {.pc = r->pc, .kind = TC_REGION}, .key = r->key, .nranges = r->nranges,
                 .ninsns = r->ninsns, .size = (uint32_t)r->size};
  rg.h.total = (uint32_t)((region_need(&rg) + 7) & ~(size_t)7);
  uint8_t *p = pend_grow(o, rg.h.total);
  memset(p, 0, rg.h.total);
  memcpy(p, &rg, sizeof rg), p += sizeof rg;
  for (uint32_t i = 0; i < r->nranges; i++, p += sizeof(TcRange))
    memcpy(p, &(TcRange){r->ranges[i].lo, r->ranges[i].hi, r->hashes[i]}, sizeof(TcRange));
  memcpy(p, r->obj, r->size);
  slot_put(&o->pcs[TC_REGION], &o->pcscap[TC_REGION], &o->npcs[TC_REGION], r->pc,
           (const TcHead *)o->pend);
}

static bool dropped(const TcObj *o, uint64_t pc) {
  for (uint32_t i = 0; i < o->ndropped; i++)
    if (o->dropped[i] == pc)
      return true;
  return false;
}

bool tcache_find_region(Tcache *tc, uint64_t pc, TcacheRegion *r) {
  EmuCodeOrigin org;
  TcObj *o = origin_obj(tc, pc, 1, &org);
  TcSlot *s = o ? slot_find(o->idx[TC_REGION], o->idxcap[TC_REGION], pc) : NULL;
  if (!s || !s->entry || dropped(o, pc))
    return false;
  const TcRegion *rg = (const TcRegion *)s->entry;
  const TcRange *rr = region_ranges(rg);
  for (uint32_t i = 0; i < rg->nranges; i++) {
    uint32_t bytes = (uint32_t)(rr[i].hi - rr[i].lo);
    uint64_t h;
    /* A member in another object (a loop calling into libc) is checked the
     * same way: what runs depends only on the bytes at those addresses. */
    if (!origin_obj(tc, rr[i].lo, bytes, &org) || !guest_hash(tc, rr[i].lo, bytes, 0, &h) ||
        h != rr[i].hash) {
      if (emu_log_on(EMU_LOG_tierup))
        emu_log("tier2: cached region at 0x%" PRIx64 " is stale: member 0x%" PRIx64
                " changed\n", pc, rr[i].lo);
      return false;
    }
    r->ranges[i] = (TbRange){rr[i].lo, rr[i].hi};
    r->hashes[i] = rr[i].hash;
  }
  if (region_key(pc, rr, rg->nranges) != rg->key) {
    tcache_region_refused(tc, pc, "bad key");
    return false;
  }
  r->pc = pc, r->key = rg->key;
  r->nranges = rg->nranges, r->ninsns = rg->ninsns;
  r->obj = region_object(rg), r->size = rg->size;
  return true;
}

void tcache_region_refused(Tcache *tc, uint64_t pc, const char *why) {
  EmuCodeOrigin org;
  TcObj *o = origin_obj(tc, pc, 1, &org);
  if (!o || dropped(o, pc))
    return;
  fprintf(stderr, "emu: warning: ignoring corrupt translation cache %s: region at 0x%" PRIx64
          ": %s\n", o->path, pc, why);
  o->dropped = realloc(o->dropped, (o->ndropped + 1) * sizeof *o->dropped);
  if (!o->dropped)
    abort();
  o->dropped[o->ndropped++] = pc;
  o->rewrite = true;
}

/* -- Writing ------------------------------------------------------------------------------ */

static bool write_all(int fd, const void *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p = (const uint8_t *)p + w, n -= (size_t)w;
  }
  return true;
}

/* The file as it is now plus o's new entries, through a temporary file. */
static void obj_save(Tcache *tc, TcObj *o) {
  size_t oldlen = 0;
  void *old = file_map(tc, o, &oldlen, o->loaded); /* others may have added to it */
  uint8_t *body = NULL;
  size_t n = 0, cap = o->npend + oldlen;
  uint32_t count = 0;
  body = malloc(cap ? cap : 1);
  if (!body)
    abort();
  if (old) {
    const TcHeader *h = old;
    const uint8_t *p = (const uint8_t *)(h + 1);
    for (uint32_t i = 0; i < h->nentries; i++) {
      const TcHead *en = (const TcHead *)p;
      /* replaced by ours, or refused */
      if (!pending(o, (int)en->kind, en->pc) && !(en->kind == TC_REGION && dropped(o, en->pc))) {
        memcpy(body + n, en, en->total);
        n += en->total, count++;
      }
      p += en->total;
    }
    munmap(old, oldlen);
  }
  memcpy(body + n, o->pend, o->npend);
  n += o->npend, count += o->npcs[TC_BLOCK] + o->npcs[TC_REGION];
  TcHeader h = {.version = TC_VERSION, .nentries = count, .emu_hash = tc->emu_hash,
                .cfg_hash = tc->cfg_hash, .obj_key = o->key, .base = o->base,
                .payload_size = n, .payload_hash = emu_hash64(body, n, 3)};
  memcpy(h.magic, TC_MAGIC, 8);
  char tmp[PATH_MAX + 32];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d", o->path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    bool ok = write_all(fd, &h, sizeof h) && write_all(fd, body, n);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, o->path) != 0)
      unlink(tmp);
  }
  free(body);
}

typedef struct TcFile {
  char name[NAME_MAX + 1];
  struct timespec mtime;
  uint64_t size;
} TcFile;

static int by_mtime(const void *a, const void *b) {
  const struct timespec *x = &((const TcFile *)a)->mtime, *y = &((const TcFile *)b)->mtime;
  if (x->tv_sec != y->tv_sec)
    return x->tv_sec < y->tv_sec ? -1 : 1;
  return (x->tv_nsec > y->tv_nsec) - (x->tv_nsec < y->tv_nsec);
}

/* Keep the folder under tc->max bytes: drop the least recently used files. */
static void prune(Tcache *tc) {
  DIR *d = opendir(tc->dir);
  if (!d)
    return;
  TcFile *f = NULL;
  size_t nf = 0, capf = 0;
  uint64_t total = 0;
  for (struct dirent *de; (de = readdir(d));) {
    size_t len = strlen(de->d_name);
    struct stat st;
    if (len < 4 || strcmp(de->d_name + len - 3, ".tc") ||
        fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (nf == capf) {
      capf = capf ? capf * 2 : 64;
      f = realloc(f, capf * sizeof *f);
      if (!f)
        abort();
    }
    snprintf(f[nf].name, sizeof f[nf].name, "%s", de->d_name);
    f[nf].mtime = st.st_mtim;
    f[nf].size = (uint64_t)st.st_size;
    total += f[nf++].size;
  }
  if (total > tc->max) {
    qsort(f, nf, sizeof *f, by_mtime);
    for (size_t i = 0; i < nf && total > tc->max; i++)
      if (unlinkat(dirfd(d), f[i].name, 0) == 0)
        total -= f[i].size;
  }
  closedir(d);
  free(f);
}

void tcache_save(Tcache *tc) {
  bool wrote = false;
  for (uint32_t i = 0; i < tc->nobjs; i++) {
    TcObj *o = tc->objs[i];
    /* Rewriting a 20 MB file for a handful of new blocks (a guest's random
     * paths) costs more than translating them again next time; a region costs
     * LLVM's milliseconds. A refused region is dropped from the file. */
    uint64_t worth = o->npend + (uint64_t)o->npcs[TC_REGION] * TC_REGION_WEIGHT;
    if (!o->rewrite && (!(o->npcs[TC_BLOCK] + o->npcs[TC_REGION]) || worth < o->maplen / 64))
      continue;
    if (!wrote && mkdir(tc->dir, 0777) != 0 && errno != EEXIST)
      return;
    obj_save(tc, o);
    wrote = true;
    o->npend = 0; /* saved: a later save (execve, then exit) need not repeat it */
    o->rewrite = false;
    for (int k = 0; k < TC__KINDS; k++) {
      memset(o->pcs[k], 0, o->pcscap[k] * sizeof *o->pcs[k]);
      o->npcs[k] = 0;
    }
  }
  if (wrote)
    prune(tc);
}
