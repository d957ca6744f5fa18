/* virtqueue.c — split virtqueues, the device side (virtqueue.h). Ring layout
 * (virtio 1.x, 2.7): descriptor table of 16-byte {le64 addr, le32 len, le16
 * flags, le16 next}; available ring {le16 flags, le16 idx, le16 ring[num]};
 * used ring {le16 flags, le16 idx, {le32 id, le32 len} ring[num]}. The whole
 * ring part is checked to be RAM each time it is used, so a driver moving its
 * rings or RAM layout changing can never send us outside guest memory. */
#include "virtqueue.h"

#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

typedef struct VirtqDesc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
} VirtqDesc;

static uint16_t ld16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, sizeof v);
  return le16toh(v);
}

static VirtqDesc desc_at(const uint8_t *table, unsigned i) {
  const uint8_t *p = table + 16 * (size_t)i;
  uint64_t addr;
  uint32_t len;
  memcpy(&addr, p, 8);
  memcpy(&len, p + 8, 4);
  return (VirtqDesc){le64toh(addr), le32toh(len), ld16(p + 12), ld16(p + 14)};
}

void virtq_reset(VirtQueue *vq) {
  vq->num = VIRTQ_NUM_MAX;
  vq->ready = false;
  vq->desc = vq->avail = vq->used = 0;
  vq->last_avail = vq->used_idx = 0;
  vq->elem.out_num = vq->elem.in_num = 0;
}

static int fail(char *err, size_t errsize, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsize, fmt, ap);
  va_end(ap);
  return -1;
}

/* Add one buffer to e, mapped to host memory. */
static int add_buffer(HwBus *bus, VirtqElem *e, const VirtqDesc *d, char *err, size_t errsize) {
  if (d->len == 0)
    return 0;
  void *host = hw_dma_ptr(bus, d->addr, d->len);
  if (!host)
    return fail(err, errsize, "buffer [%#llx, +%#x) is not RAM", (unsigned long long)d->addr,
                d->len);
  if (d->flags & VIRTQ_DESC_F_WRITE) {
    e->in_gpa[e->in_num] = d->addr;
    e->in[e->in_num++] = (struct iovec){host, d->len};
  } else {
    if (e->in_num)
      return fail(err, errsize, "device-readable buffer after a device-writable one");
    e->out[e->out_num++] = (struct iovec){host, d->len};
  }
  return 0;
}

/* Walk the chain starting at table[i] (size entries), adding its buffers;
 * *count counts buffer descriptors across the main and indirect tables. */
static int walk_chain(HwBus *bus, VirtqElem *e, const uint8_t *table, unsigned size, unsigned i,
                      bool in_indirect, bool indirect_ok, unsigned *count, char *err,
                      size_t errsize) {
  for (;;) {
    if (i >= size)
      return fail(err, errsize, "descriptor index %u out of range (%u)", i, size);
    VirtqDesc d = desc_at(table, i);
    if (d.flags & VIRTQ_DESC_F_INDIRECT) {
      if (!indirect_ok)
        return fail(err, errsize, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
      if (in_indirect)
        return fail(err, errsize, "indirect descriptor inside an indirect table");
      if (d.flags & VIRTQ_DESC_F_NEXT)
        return fail(err, errsize, "indirect descriptor with NEXT set");
      if (d.len == 0 || d.len % 16)
        return fail(err, errsize, "indirect table length %u is not a multiple of 16", d.len);
      const uint8_t *sub = hw_dma_ptr(bus, d.addr, d.len);
      if (!sub)
        return fail(err, errsize, "indirect table [%#llx, +%#x) is not RAM",
                    (unsigned long long)d.addr, d.len);
      /* 2.7.5.3: a chain may end in one indirect descriptor; its table ends it. */
      return walk_chain(bus, e, sub, d.len / 16, 0, true, indirect_ok, count, err, errsize);
    }
    /* Buffers, not the descriptor naming a table, make the chain's length
     * (Linux fills a 256-entry table for a 256-entry ring). */
    if (++*count > VIRTQ_NUM_MAX)
      return fail(err, errsize, "descriptor chain longer than %d (a loop?)", VIRTQ_NUM_MAX);
    if (add_buffer(bus, e, &d, err, errsize))
      return -1;
    if (!(d.flags & VIRTQ_DESC_F_NEXT))
      return 0;
    i = d.next;
  }
}

int virtq_pop(VirtQueue *vq, HwBus *bus, bool indirect, VirtqElem **out, char *err,
              size_t errsize) {
  const uint8_t *avail = hw_dma_ptr(bus, vq->avail, 4 + 2 * (uint64_t)vq->num);
  const uint8_t *table = hw_dma_ptr(bus, vq->desc, 16 * (uint64_t)vq->num);
  if (!avail || !table)
    return fail(err, errsize, "%s at %#llx is not RAM",
                avail ? "descriptor table" : "available ring",
                (unsigned long long)(avail ? vq->desc : vq->avail));
  uint16_t avail_idx = ld16(avail + 2);
  if (avail_idx == vq->last_avail)
    return 0;
  if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
    return fail(err, errsize, "available index moved from %u to %u, more than the %u entries",
                vq->last_avail, avail_idx, vq->num);
  VirtqElem *e = &vq->elem;
  e->head = ld16(avail + 4 + 2 * (vq->last_avail % vq->num));
  e->out_num = e->in_num = 0;
  unsigned count = 0;
  if (walk_chain(bus, e, table, vq->num, e->head, false, indirect, &count, err, errsize))
    return -1;
  vq->last_avail++;
  *out = e;
  return 1;
}

bool virtq_push(VirtQueue *vq, HwBus *bus, const VirtqElem *e, uint32_t len) {
  uint64_t slot = vq->used + 4 + 8 * (uint64_t)(vq->used_idx % vq->num);
  uint32_t elem[2] = {htole32(e->head), htole32(len)};
  uint16_t idx = htole16((uint16_t)(vq->used_idx + 1));
  /* The element before the index that publishes it (2.7.8.2). */
  if (!hw_dma_write(bus, slot, elem, sizeof elem) || !hw_dma_write(bus, vq->used + 2, &idx, 2))
    return false;
  for (unsigned i = 0; i < e->in_num; i++)
    hw_dma_written(bus, e->in_gpa[i], e->in[i].iov_len);
  vq->used_idx++;
  return true;
}

bool virtq_no_interrupt(VirtQueue *vq, HwBus *bus) {
  uint8_t flags[2];
  return hw_dma_read(bus, vq->avail, flags, 2) && (ld16(flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
