/* virtio_mmio.h — the virtio-mmio transport, version 2 (virtio 1.x, 4.2.2):
 * the 0x200-byte register window Linux's virtio_mmio driver probes, feature
 * negotiation, device status and reset, split virtqueues (virtqueue.h) and the
 * interrupt: one level-triggered line held high while InterruptStatus != 0.
 *
 * A device (virtio_blk.c; net or console later) describes itself with a
 * VirtioDeviceDesc and serves its queues when notified: it pops chains,
 * handles them, pushes them back. The transport offers VIRTIO_F_VERSION_1
 * (and refuses FEATURES_OK without it) and VIRTIO_F_INDIRECT_DESC on top of
 * the device's own features; not EVENT_IDX, packed rings or notification data.
 * VendorID is 0x00554d45, "EMU\0" in memory (QEMU's 0x554d4551 reads "QEMU"). */
#ifndef EMU_HW_VIRTIO_MMIO_H
#define EMU_HW_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw.h"
#include "virtqueue.h"

#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x00554d45

/* Device IDs (virtio 1.x, 5) */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3

/* Device status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Transport feature bits (6) */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* InterruptStatus bits */
#define VIRTIO_MMIO_INT_VRING 1  /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2 /* configuration change */

typedef struct VirtioMmio VirtioMmio;

typedef struct VirtioDeviceOps {
  /* The driver notified queue (QueueNotify) and the device is live
   * (DRIVER_OK, queue ready, no reset pending): pop and serve its chains. */
  void (*queue_notify)(void *opaque, VirtioMmio *t, unsigned queue);
  /* The driver reset the device (Status <- 0). NULL: nothing to drop. */
  void (*reset)(void *opaque);
  /* A write into config space at offset (< config_size). NULL: read-only. */
  void (*config_write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
} VirtioDeviceOps;

typedef struct VirtioDeviceDesc {
  const char *name;    /* "virtio-blk0", in messages; must outlive the transport */
  uint32_t device_id;  /* VIRTIO_ID_* */
  uint64_t features;   /* device-specific feature bits offered */
  unsigned num_queues; /* 1.. */
  /* Device config space, little-endian, read at 0x100 (the device owns it and
   * calls virtio_mmio_config_changed when it changes). */
  const void *config;
  size_t config_size;
  const VirtioDeviceOps *ops;
  void *opaque;
} VirtioDeviceDesc;

/* A transport for the device d on bus (for DMA), raising irq. NULL when out of
 * memory or num_queues is 0. */
VirtioMmio *virtio_mmio_new(HwBus *bus, const VirtioDeviceDesc *d, HwIrq irq);
/* Map the registers at base (VIRTIO_MMIO_SIZE bytes); false: overlap. */
bool virtio_mmio_map(VirtioMmio *t, uint64_t base);
void virtio_mmio_free(VirtioMmio *t);

/* For the device, from its queue_notify: the next available chain of queue,
 * or NULL when there is none or the ring is broken (then the device is marked
 * DEVICE_NEEDS_RESET, and stays silent until the driver resets it). */
VirtqElem *virtio_mmio_pop(VirtioMmio *t, unsigned queue);
/* Give e back with len bytes written; raises the used-buffer interrupt unless
 * the driver suppressed it. */
void virtio_mmio_push(VirtioMmio *t, unsigned queue, VirtqElem *e, uint32_t len);
/* The driver broke the device's protocol (e.g. a request without a header):
 * log "name: why; the device needs a reset" once and set DEVICE_NEEDS_RESET
 * (with a configuration-change interrupt once DRIVER_OK is set, 2.1.2). */
void virtio_mmio_error(VirtioMmio *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The config space changed: bump ConfigGeneration, interrupt the driver. */
void virtio_mmio_config_changed(VirtioMmio *t);
uint64_t virtio_mmio_driver_features(const VirtioMmio *t); /* as accepted */
uint32_t virtio_mmio_status(const VirtioMmio *t);

#endif
