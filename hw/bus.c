/* bus.c — the machine's port and memory buses and guest RAM for DMA (hw.h).
 * Port space is small, so a 64K table maps each port to its region in one
 * load; MMIO regions are few and sit in an array sorted by address. An access
 * that straddles a region's end (or lands partly on nothing) is split into
 * bytes, each routed on its own, as a real bus would cycle them. */
#include "emu.h"
#include "hw.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct HwRegion {
  uint64_t start, len;
  const char *name;
  const HwRegionOps *ops;
  void *opaque;
} HwRegion;

typedef struct HwRegionList {
  HwRegion *v;
  size_t n, cap;
} HwRegionList;

struct HwBus {
  HwRegionList pio;       /* in mapping order; pio_map indexes it */
  uint16_t pio_map[65536]; /* region index + 1 per port; 0 = unmapped */
  HwRegionList mmio;      /* sorted by start, never overlapping */
  uint8_t *ram;
  uint64_t ram_size;
  void (*dma_hook)(void *ctx, uint64_t gpa, uint64_t len);
  void *dma_ctx;
};

HwBus *hw_bus_new(void) { return calloc(1, sizeof(HwBus)); }

void hw_bus_free(HwBus *b) {
  if (!b)
    return;
  free(b->pio.v);
  free(b->mmio.v);
  free(b);
}

static uint64_t all_ones(unsigned size) { return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1; }

/* Insert r at index at; false if out of memory. */
static bool list_insert(HwRegionList *l, size_t at, const HwRegion *r) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    HwRegion *v = realloc(l->v, cap * sizeof(*v));
    if (!v)
      return false;
    l->v = v;
    l->cap = cap;
  }
  memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof(*l->v));
  l->v[at] = *r;
  l->n++;
  return true;
}

/* -- Port I/O ---------------------------------------------------------------- */

bool hw_bus_map_pio(HwBus *b, uint16_t start, uint32_t len, const char *name,
                    const HwRegionOps *ops, void *opaque) {
  if (len == 0 || start + (uint64_t)len > 65536 || b->pio.n >= UINT16_MAX)
    return false;
  for (uint32_t i = 0; i < len; i++)
    if (b->pio_map[start + i])
      return false;
  HwRegion r = {start, len, name, ops, opaque};
  if (!list_insert(&b->pio, b->pio.n, &r))
    return false;
  for (uint32_t i = 0; i < len; i++)
    b->pio_map[start + i] = (uint16_t)b->pio.n;
  return true;
}

static HwRegion *pio_region(HwBus *b, uint16_t port) {
  uint16_t i = b->pio_map[port];
  return i ? &b->pio.v[i - 1] : NULL;
}

/* No region holds any port of the access: it is one access to nothing (logged
 * once with its size), not bytes to split. */
static bool pio_unclaimed(HwBus *b, uint16_t port, unsigned size) {
  for (unsigned i = 0; i < size; i++)
    if (pio_region(b, (uint16_t)(port + i)))
      return false;
  return true;
}

static bool fits(const HwRegion *r, uint64_t addr, unsigned size) {
  return addr - r->start + size <= r->len;
}

static uint64_t region_read(const HwRegion *r, uint64_t addr, unsigned size) {
  if (!r->ops->read)
    return all_ones(size);
  return r->ops->read(r->opaque, addr - r->start, size) & all_ones(size);
}

static void region_write(const HwRegion *r, uint64_t addr, uint64_t value, unsigned size) {
  if (r->ops->write)
    r->ops->write(r->opaque, addr - r->start, value & all_ones(size), size);
}

static void log_unassigned(const char *space, const char *what, uint64_t addr, unsigned size) {
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("hw: unassigned %s %s at 0x%" PRIx64 " size %u\n", space, what, addr, size);
}

uint64_t hw_pio_read(HwBus *b, uint16_t port, unsigned size) {
  HwRegion *r = pio_region(b, port);
  if (r && fits(r, port, size))
    return region_read(r, port, size);
  if (!r && pio_unclaimed(b, port, size)) {
    log_unassigned("port", "read", port, size);
    return all_ones(size);
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++)
    v |= hw_pio_read(b, (uint16_t)(port + i), 1) << (8 * i);
  return v;
}

void hw_pio_write(HwBus *b, uint16_t port, uint64_t value, unsigned size) {
  HwRegion *r = pio_region(b, port);
  if (r && fits(r, port, size)) {
    region_write(r, port, value, size);
    return;
  }
  if (!r && pio_unclaimed(b, port, size)) {
    log_unassigned("port", "write", port, size);
    return;
  }
  for (unsigned i = 0; i < size; i++)
    hw_pio_write(b, (uint16_t)(port + i), (value >> (8 * i)) & 0xff, 1);
}

/* -- MMIO -------------------------------------------------------------------- */

/* Index of the first region whose end is above addr (b->mmio.n if none). */
static size_t mmio_search(const HwBus *b, uint64_t addr) {
  size_t lo = 0, hi = b->mmio.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const HwRegion *r = &b->mmio.v[mid];
    if (r->start + r->len <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

bool hw_bus_map_mmio(HwBus *b, uint64_t start, uint64_t len, const char *name,
                     const HwRegionOps *ops, void *opaque) {
  if (len == 0 || start + len < start)
    return false;
  size_t at = mmio_search(b, start);
  if (at < b->mmio.n && b->mmio.v[at].start < start + len)
    return false;
  HwRegion r = {start, len, name, ops, opaque};
  return list_insert(&b->mmio, at, &r);
}

static HwRegion *mmio_region(HwBus *b, uint64_t addr) {
  size_t i = mmio_search(b, addr);
  return i < b->mmio.n && b->mmio.v[i].start <= addr ? &b->mmio.v[i] : NULL;
}

/* As pio_unclaimed: no region overlaps [addr, addr + size). */
static bool mmio_unclaimed(HwBus *b, uint64_t addr, unsigned size) {
  size_t i = mmio_search(b, addr);
  return i == b->mmio.n || b->mmio.v[i].start - addr >= size;
}

bool hw_mmio_claims(HwBus *b, uint64_t addr) { return mmio_region(b, addr) != NULL; }

uint64_t hw_mmio_read(HwBus *b, uint64_t addr, unsigned size) {
  HwRegion *r = mmio_region(b, addr);
  if (r && fits(r, addr, size))
    return region_read(r, addr, size);
  if (!r && mmio_unclaimed(b, addr, size)) {
    log_unassigned("memory", "read", addr, size);
    return all_ones(size);
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++)
    v |= hw_mmio_read(b, addr + i, 1) << (8 * i);
  return v;
}

void hw_mmio_write(HwBus *b, uint64_t addr, uint64_t value, unsigned size) {
  HwRegion *r = mmio_region(b, addr);
  if (r && fits(r, addr, size)) {
    region_write(r, addr, value, size);
    return;
  }
  if (!r && mmio_unclaimed(b, addr, size)) {
    log_unassigned("memory", "write", addr, size);
    return;
  }
  for (unsigned i = 0; i < size; i++)
    hw_mmio_write(b, addr + i, (value >> (8 * i)) & 0xff, 1);
}

/* -- Guest RAM and DMA ------------------------------------------------------- */

void hw_bus_set_ram(HwBus *b, uint8_t *host, uint64_t size) {
  b->ram = host;
  b->ram_size = size;
}

void *hw_dma_ptr(HwBus *b, uint64_t gpa, uint64_t len) {
  if (!b->ram || gpa > b->ram_size || len > b->ram_size - gpa)
    return NULL;
  /* A device window inside [0, size) is a hole, not RAM. */
  size_t i = mmio_search(b, gpa);
  if (i < b->mmio.n && b->mmio.v[i].start < gpa + len)
    return NULL;
  return b->ram + gpa;
}

bool hw_dma_read(HwBus *b, uint64_t gpa, void *buf, uint64_t len) {
  void *p = hw_dma_ptr(b, gpa, len);
  if (!p)
    return false;
  memcpy(buf, p, len);
  return true;
}

bool hw_dma_write(HwBus *b, uint64_t gpa, const void *buf, uint64_t len) {
  void *p = hw_dma_ptr(b, gpa, len);
  if (!p)
    return false;
  memcpy(p, buf, len);
  hw_dma_written(b, gpa, len);
  return true;
}

void hw_dma_written(HwBus *b, uint64_t gpa, uint64_t len) {
  if (b->dma_hook && len)
    b->dma_hook(b->dma_ctx, gpa, len);
}

void hw_bus_set_dma_hook(HwBus *b, void (*written)(void *ctx, uint64_t gpa, uint64_t len),
                         void *ctx) {
  b->dma_hook = written;
  b->dma_ctx = ctx;
}
