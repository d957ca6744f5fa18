/* user_aot.c — ahead-of-time translation (`emu-aot prog`, `emu-x86_64 --aot`):
 * finds code statically — the entry point, every function symbol (libelf), and
 * recursive descent along each translated block's direct exits and the code
 * after it (return sites) — translates it without running anything, and writes
 * it to the persistent translation cache, so the program's first real run
 * starts warm. The JIT covers what discovery missed (computed jumps, code in
 * libraries ld.so loads later). Blocks go through the fast tier: see
 * docs/design.md for why not LLVM. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "user.h"

#define AOT_MAX_BLOCKS (1u << 21)

typedef struct Aot {
  uint64_t *work;           /* pcs to translate */
  size_t nwork, capwork;
  uint64_t *seen;           /* open-addressed set of pcs queued (0: empty) */
  size_t capseen, nseen;
  uint64_t lo, hi;          /* the object's span: discovery stays inside */
} Aot;

static bool seen_add(Aot *a, uint64_t pc) {
  if (2 * (a->nseen + 1) > a->capseen) { /* grow and rehash */
    size_t cap = a->capseen ? 2 * a->capseen : 1u << 16;
    uint64_t *s = calloc(cap, sizeof *s);
    if (!s)
      abort();
    for (size_t i = 0; i < a->capseen; i++)
      for (size_t h = a->seen[i] * 0x9e3779b97f4a7c15ull >> 20; a->seen[i]; h++)
        if (!s[h & (cap - 1)]) {
          s[h & (cap - 1)] = a->seen[i];
          break;
        }
    free(a->seen);
    a->seen = s, a->capseen = cap;
  }
  for (size_t h = pc * 0x9e3779b97f4a7c15ull >> 20;; h++) {
    uint64_t *slot = &a->seen[h & (a->capseen - 1)];
    if (*slot == pc)
      return false;
    if (!*slot) {
      *slot = pc;
      a->nseen++;
      return true;
    }
  }
}

static void queue(void *ctx, uint64_t pc) {
  Aot *a = ctx;
  if (!pc || pc < a->lo || pc >= a->hi || !gmem_check(pc, 1, PROT_EXEC) || !seen_add(a, pc))
    return;
  if (a->nwork == a->capwork) {
    a->capwork = a->capwork ? 2 * a->capwork : 4096;
    a->work = realloc(a->work, a->capwork * sizeof *a->work);
    if (!a->work)
      abort();
  }
  a->work[a->nwork++] = pc;
}

/* Discover and translate one loaded object; returns blocks translated. */
static uint64_t aot_object(UserProcess *p, const ElfImage *img, const char *path) {
  Aot a = {.lo = img->map_start, .hi = img->map_end};
  queue(&a, img->entry);
  int nsym = elf_func_symbols(path, img->bias, queue, &a);
  uint64_t blocks = 0;
  while (a.nwork && blocks < AOT_MAX_BLOCKS) {
    uint64_t pc = a.work[--a.nwork], next[16];
    int n = emu_pretranslate(p->engine, pc, next, 16);
    if (n < 0) {
      fprintf(stderr, "emu-aot: warning: the code cache is full; %s is covered in part\n",
              path);
      break;
    }
    blocks++;
    for (int k = 0; k < n; k++)
      queue(&a, next[k]);
  }
  fprintf(stderr, "emu-aot: %s: %" PRIu64 " blocks from %d symbols and the entry\n", path,
          blocks, nsym < 0 ? 0 : nsym);
  free(a.work);
  free(a.seen);
  return blocks;
}

int user_aot(UserProcess *p, const char *interp_path) {
  if (!p->opt.cache_dir)
    return fprintf(stderr, "emu-aot: no cache folder (--cache-dir=DIR or EMU_CACHE_DIR)\n"), 1;
  uint64_t blocks = aot_object(p, &p->exe, p->exe_path);
  if (p->exe.has_interp && interp_path)
    blocks += aot_object(p, &p->interp, interp_path);
  emu_engine_cache_save(p->engine);
  const EmuStats *s = emu_engine_stats(p->engine);
  fprintf(stderr, "emu-aot: %" PRIu64 " blocks (%" PRIu64 " guest insns) translated into %s\n",
          blocks, s->insns_translated, p->opt.cache_dir);
  return 0;
}
