/* virtio_blk.c — virtio block device (virtio_blk.h). A request is a descriptor
 * chain read as two byte streams (5.2.6; framing is free, 2.7.4): the
 * device-readable one starts with {le32 type, le32 reserved, le64 sector} and,
 * for a write, carries the data; the device-writable one ends with the status
 * byte and, for a read or GET_ID, begins with the data. The data moves straight
 * between guest RAM and the image (the scatter list is handed to the block
 * layer), never through a bounce buffer. */
#include "virtio_blk.h"

#include "emu.h"
#include "iov.h"
#include "virtio_mmio.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLK_HDR_SIZE 16
/* struct virtio_blk_config up to num_queues (5.2.4); the fields we fill: */
#define BLK_CONFIG_SIZE 36
#define BLK_CONFIG_CAPACITY 0 /* le64, 512-byte sectors */
#define BLK_CONFIG_SEG_MAX 12 /* le32 */
#define BLK_CONFIG_BLK_SIZE 20 /* le32 */

struct VirtioBlk {
  VirtioMmio *t;
  BlockDev *bd;
  uint64_t sectors;
  char name[32];
  char serial[VIRTIO_BLK_ID_BYTES + 1];
  uint8_t config[BLK_CONFIG_SIZE];
  struct iovec data[VIRTQ_NUM_MAX]; /* the data part of a request's stream */
};

/* IN/OUT of len bytes at sector: inside the disk, whole sectors (5.2.6.1). */
static bool range_ok(const VirtioBlk *b, uint64_t sector, size_t len) {
  return len % BLOCK_SECTOR_SIZE == 0 && sector <= b->sectors &&
         len / BLOCK_SECTOR_SIZE <= b->sectors - sector;
}

static uint8_t io_status(VirtioBlk *b, int err, const char *what, uint64_t sector) {
  if (!err)
    return VIRTIO_BLK_S_OK;
  emu_log("%s: %s error at sector %llu: %s\n", b->name, what, (unsigned long long)sector,
          strerror(-err));
  return VIRTIO_BLK_S_IOERR;
}

/* Serve one request whose header is type/sector; returns its status byte.
 * in_data: writable bytes before the status. */
static uint8_t blk_request(VirtioBlk *b, VirtqElem *e, uint32_t type, uint64_t sector,
                           size_t in_data) {
  switch (type) {
  case VIRTIO_BLK_T_IN: {
    if (!range_ok(b, sector, in_data))
      return VIRTIO_BLK_S_IOERR;
    unsigned n = iov_slice(e->in, e->in_num, 0, in_data, b->data, VIRTQ_NUM_MAX);
    return io_status(b, block_preadv(b->bd, sector * BLOCK_SECTOR_SIZE, b->data, (int)n), "read",
                     sector);
  }
  case VIRTIO_BLK_T_OUT: {
    size_t len = iov_size(e->out, e->out_num) - BLK_HDR_SIZE;
    /* A read-only disk writes nothing (5.2.6.2) */
    if (block_readonly(b->bd) || !range_ok(b, sector, len))
      return VIRTIO_BLK_S_IOERR;
    unsigned n = iov_slice(e->out, e->out_num, BLK_HDR_SIZE, len, b->data, VIRTQ_NUM_MAX);
    return io_status(b, block_pwritev(b->bd, sector * BLOCK_SECTOR_SIZE, b->data, (int)n),
                     "write", sector);
  }
  case VIRTIO_BLK_T_FLUSH:
    return io_status(b, block_flush(b->bd), "flush", 0);
  case VIRTIO_BLK_T_GET_ID: {
    /* NUL-padded, no terminator when 20 bytes long */
    char id[VIRTIO_BLK_ID_BYTES] = {0};
    memcpy(id, b->serial, strnlen(b->serial, sizeof id));
    iov_from_buf(e->in, e->in_num, 0, id, in_data < sizeof id ? in_data : sizeof id);
    return VIRTIO_BLK_S_OK;
  }
  default:
    return VIRTIO_BLK_S_UNSUPP;
  }
}

static void blk_queue_notify(void *opaque, VirtioMmio *t, unsigned queue) {
  VirtioBlk *b = opaque;
  VirtqElem *e;
  while ((e = virtio_mmio_pop(t, queue))) {
    size_t out_len = iov_size(e->out, e->out_num), in_len = iov_size(e->in, e->in_num);
    if (out_len < BLK_HDR_SIZE || in_len < 1) {
      virtio_mmio_error(t, "request of %zu readable and %zu writable bytes: no room for the "
                           "header and status", out_len, in_len);
      return;
    }
    uint8_t hdr[BLK_HDR_SIZE];
    iov_to_buf(e->out, e->out_num, 0, hdr, sizeof hdr);
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    uint8_t status = blk_request(b, e, le32toh(type), le64toh(sector), in_len - 1);
    iov_from_buf(e->in, e->in_num, in_len - 1, &status, 1);
    /* Used length: the whole writable part, the status being its last byte
     * (as QEMU reports it; Linux's driver does not read it). */
    virtio_mmio_push(t, queue, e, (uint32_t)in_len);
  }
}

static const VirtioDeviceOps blk_ops = {.queue_notify = blk_queue_notify};

VirtioBlk *virtio_blk_new(HwBus *bus, uint64_t base, HwIrq irq, BlockDev *bd, unsigned index) {
  VirtioBlk *b = calloc(1, sizeof *b);
  if (!b)
    return NULL;
  b->bd = bd;
  b->sectors = block_size(bd) / BLOCK_SECTOR_SIZE;
  snprintf(b->name, sizeof b->name, "virtio-blk%u", index);
  snprintf(b->serial, sizeof b->serial, "emu-disk-%u", index);

  uint64_t capacity = htole64(b->sectors);
  uint32_t seg_max = htole32(VIRTQ_NUM_MAX - 2); /* a chain also holds header and status */
  uint32_t blk_size = htole32(BLOCK_SECTOR_SIZE);
  memcpy(b->config + BLK_CONFIG_CAPACITY, &capacity, 8);
  memcpy(b->config + BLK_CONFIG_SEG_MAX, &seg_max, 4);
  memcpy(b->config + BLK_CONFIG_BLK_SIZE, &blk_size, 4);

  uint64_t features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
                      1ull << VIRTIO_BLK_F_FLUSH;
  if (block_readonly(bd))
    features |= 1ull << VIRTIO_BLK_F_RO;
  VirtioDeviceDesc d = {
      .name = b->name,
      .device_id = VIRTIO_ID_BLOCK,
      .features = features,
      .num_queues = 1,
      .config = b->config,
      .config_size = sizeof b->config,
      .ops = &blk_ops,
      .opaque = b,
  };
  b->t = virtio_mmio_new(bus, &d, irq);
  if (!b->t || !virtio_mmio_map(b->t, base)) {
    virtio_blk_free(b);
    return NULL;
  }
  return b;
}

void virtio_blk_free(VirtioBlk *b) {
  if (!b)
    return;
  virtio_mmio_free(b->t);
  free(b);
}
