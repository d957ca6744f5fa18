/* virtio_blk.h — a virtio block device (virtio 1.x, 5.2) on the virtio-mmio
 * transport, backed by a BlockDev: one request queue; reads, writes, flush and
 * the device ID ("emu-disk-N"); other request types answer
 * VIRTIO_BLK_S_UNSUPP. Offers SEG_MAX, BLK_SIZE (512), FLUSH, and RO for a
 * read-only image. Requests are served synchronously inside the driver's
 * QueueNotify write: simple, and the guest's vCPU waits for the disk as it
 * would for a slow device; an I/O thread can come later without changing the
 * interface. */
#ifndef EMU_HW_VIRTIO_BLK_H
#define EMU_HW_VIRTIO_BLK_H

#include <stdint.h>

#include "block.h"
#include "hw.h"

/* Feature bits (5.2.3) and request types/status (5.2.6) */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20

typedef struct VirtioBlk VirtioBlk;

/* Disk number index (its serial is "emu-disk-<index>", its name in messages
 * "virtio-blk<index>") with registers at base on bus, interrupting through
 * irq. bd stays the caller's: close it after virtio_blk_free. NULL when base
 * overlaps a mapped region or memory runs out. */
VirtioBlk *virtio_blk_new(HwBus *bus, uint64_t base, HwIrq irq, BlockDev *bd, unsigned index);
/* After the bus is gone (the bus still points at the registers until then). */
void virtio_blk_free(VirtioBlk *b);

#endif
