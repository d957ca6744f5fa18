/* bf_reloc.c — moving a compiled block to another place or process: the
 * fields BfBlock.relocs lists are rewritten for where the copy runs. A
 * persistent translation cache (runtime/tcache.c) loads blocks through this. */
#include <string.h>

#include "bf.h"

uintptr_t bf_reloc_anchor(void) { return (uintptr_t)&bf_compile; }

static uintptr_t reloc_target(const BfBlock *b, const BfReloc *r, const BfConfig *cfg,
                              uint8_t *rw) {
  switch (r->what) {
  case BF_RELOC_ANCHOR:
    return bf_reloc_anchor() + (uintptr_t)r->value;
  case BF_RELOC_EPILOGUE:
    return (uintptr_t)cfg->epilogue;
  default: /* BF_RELOC_COUNTER: written through the rw view */
    return (uintptr_t)(rw + b->counter_off);
  }
}

bool bf_reloc_apply(const BfBlock *b, const BfConfig *cfg, uint8_t *rw, const uint8_t *rx) {
  if (b->nrelocs > b->reloc_cap)
    return false; /* incomplete list */
  for (uint32_t i = 0; i < b->nrelocs; i++) {
    const BfReloc *r = &b->relocs[i];
    uintptr_t target = reloc_target(b, r, cfg, rw);
    if (r->form == BF_RELOC_ABS64) {
      if (r->off > b->size || b->size - r->off < 8)
        return false;
      uint64_t v = target;
      memcpy(rw + r->off, &v, 8);
      continue;
    }
    if (r->form != BF_RELOC_REL32 || r->what > BF_RELOC_COUNTER || r->off > b->size ||
        b->size - r->off < 4u + r->tail)
      return false;
    int64_t rel = (int64_t)(target - (uintptr_t)(rx + r->off + 4 + r->tail));
    if (rel < INT32_MIN || rel > INT32_MAX)
      return false;
    int32_t v = (int32_t)rel;
    memcpy(rw + r->off, &v, 4);
  }
  return true;
}
