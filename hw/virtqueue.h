/* virtqueue.h — split virtqueues (virtio 1.x, 2.7), the device side: take the
 * next descriptor chain the driver made available (direct and indirect
 * descriptors), mapped to host memory, and return it through the used ring.
 * Transport-neutral: virtio_mmio.c owns the queues and their registers.
 *
 * Guest memory is reached only through hw_dma_*. A driver that breaks the ring
 * (an address outside RAM, an index out of range, a loop, a readable buffer
 * after a writable one) gets an error string; the transport marks the device
 * DEVICE_NEEDS_RESET. Nothing the guest writes can crash us. */
#ifndef EMU_HW_VIRTQUEUE_H
#define EMU_HW_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hw.h"

/* The largest ring we offer (QueueNumMax) and so the longest chain a driver
 * may make (2.7.5.3.1: no chain longer than the queue size). */
#define VIRTQ_NUM_MAX 256

/* One descriptor chain, as two scatter lists in chain order. */
typedef struct VirtqElem {
  uint16_t head;                 /* descriptor index the used ring returns */
  unsigned out_num, in_num;      /* device-readable, device-writable entries */
  struct iovec out[VIRTQ_NUM_MAX];
  struct iovec in[VIRTQ_NUM_MAX];
  uint64_t in_gpa[VIRTQ_NUM_MAX]; /* guest-physical address of each in[] */
} VirtqElem;

typedef struct VirtQueue {
  uint32_t num;   /* QueueNum: ring entries, a power of 2 <= VIRTQ_NUM_MAX */
  bool ready;     /* QueueReady */
  uint64_t desc;  /* descriptor table (QueueDesc) */
  uint64_t avail; /* available ring (QueueDriver) */
  uint64_t used;  /* used ring (QueueDevice) */
  uint16_t last_avail; /* next available-ring entry to take */
  uint16_t used_idx;   /* next used-ring entry to fill */
  VirtqElem elem;      /* the chain being served (one at a time) */
} VirtQueue;

/* Back to the state after a device reset (not ready, addresses 0). */
void virtq_reset(VirtQueue *vq);

/* Take the next available chain into vq->elem. 1: *out = &vq->elem; 0: none
 * available; -1: the driver broke the ring, err says how. indirect: whether
 * VIRTIO_F_INDIRECT_DESC was negotiated. */
int virtq_pop(VirtQueue *vq, HwBus *bus, bool indirect, VirtqElem **out, char *err,
              size_t errsize);

/* Return e to the driver having written len bytes into its writable buffers
 * (all of which are reported to hw_dma_written). false: the used ring is not
 * in RAM. */
bool virtq_push(VirtQueue *vq, HwBus *bus, const VirtqElem *e, uint32_t len);

/* Whether the driver asked not to be interrupted for used buffers
 * (VIRTQ_AVAIL_F_NO_INTERRUPT; only a hint, which we follow). */
bool virtq_no_interrupt(VirtQueue *vq, HwBus *bus);

#endif
