/* virtio_mmio.c — the virtio-mmio transport, version 2 (virtio_mmio.h). The
 * registers are a table (offset, name, direction); the driver must use aligned
 * 32-bit accesses for them (4.2.2.2), anything else is logged with -d unimp and
 * reads as all ones. The device's config space follows at 0x100 and takes 1, 2,
 * 4 or 8-byte accesses. Everything runs on the machine thread: a notify serves
 * the queue to completion before the guest's write returns. */
#include "virtio_mmio.h"

#include "emu.h"

#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_MMIO_CONFIG 0x100

enum { R = 1, W = 2 };

/* name, offset, direction (4.2.2, MMIO Device Register Layout). */
#define VIRTIO_MMIO_REGS(_)            \
  _(MagicValue, 0x000, R)              \
  _(Version, 0x004, R)                 \
  _(DeviceID, 0x008, R)                \
  _(VendorID, 0x00c, R)                \
  _(DeviceFeatures, 0x010, R)          \
  _(DeviceFeaturesSel, 0x014, W)       \
  _(DriverFeatures, 0x020, W)          \
  _(DriverFeaturesSel, 0x024, W)       \
  _(QueueSel, 0x030, W)                \
  _(QueueNumMax, 0x034, R)             \
  _(QueueNum, 0x038, W)                \
  _(QueueReady, 0x044, R | W)          \
  _(QueueNotify, 0x050, W)             \
  _(InterruptStatus, 0x060, R)         \
  _(InterruptACK, 0x064, W)            \
  _(Status, 0x070, R | W)              \
  _(QueueDescLow, 0x080, W)            \
  _(QueueDescHigh, 0x084, W)           \
  _(QueueDriverLow, 0x090, W)          \
  _(QueueDriverHigh, 0x094, W)         \
  _(QueueDeviceLow, 0x0a0, W)          \
  _(QueueDeviceHigh, 0x0a4, W)         \
  _(SHMSel, 0x0ac, W)                  \
  _(SHMLenLow, 0x0b0, R)               \
  _(SHMLenHigh, 0x0b4, R)              \
  _(SHMBaseLow, 0x0b8, R)              \
  _(SHMBaseHigh, 0x0bc, R)             \
  _(ConfigGeneration, 0x0fc, R)

enum {
#define REG_ENUM(name, off, dir) REG_##name = off,
  VIRTIO_MMIO_REGS(REG_ENUM)
#undef REG_ENUM
};

typedef struct RegInfo {
  const char *name;
  uint8_t dir;
} RegInfo;

static const RegInfo regs[VIRTIO_MMIO_CONFIG / 4] = {
#define REG_ROW(name, off, dir) [off / 4] = {#name, dir},
    VIRTIO_MMIO_REGS(REG_ROW)
#undef REG_ROW
};

struct VirtioMmio {
  HwBus *bus;
  VirtioDeviceDesc d;
  HwIrq irq;
  uint64_t base;
  uint64_t offered;         /* device features | transport features */
  uint64_t driver_features; /* DriverFeatures as written */
  uint32_t device_features_sel, driver_features_sel, queue_sel;
  uint32_t status;
  uint32_t isr; /* InterruptStatus */
  uint32_t config_generation;
  int irq_level;
  VirtQueue *vq; /* d.num_queues */
};

static uint64_t all_ones(unsigned size) {
  return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

/* -- Interrupt and errors ---------------------------------------------------- */

static void update_irq(VirtioMmio *t) {
  int level = t->isr != 0;
  if (level != t->irq_level) {
    t->irq_level = level;
    hw_irq_set(&t->irq, level);
  }
}

static void raise_isr(VirtioMmio *t, uint32_t bits) {
  t->isr |= bits;
  update_irq(t);
}

void virtio_mmio_error(VirtioMmio *t, const char *fmt, ...) {
  if (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
    return; /* said once; nothing moves until the reset */
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  emu_log("%s at %#llx: %s; the device needs a reset\n", t->d.name, (unsigned long long)t->base,
          msg);
  t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
  if (t->status & VIRTIO_STATUS_DRIVER_OK)
    raise_isr(t, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_config_changed(VirtioMmio *t) {
  t->config_generation++;
  if (t->status & VIRTIO_STATUS_DRIVER_OK)
    raise_isr(t, VIRTIO_MMIO_INT_CONFIG);
}

static void log_bad_access(VirtioMmio *t, const char *what, uint64_t off, unsigned size) {
  if (!emu_log_on(EMU_LOG_unimp))
    return;
  const char *name = off < VIRTIO_MMIO_CONFIG && regs[off / 4].name ? regs[off / 4].name : "?";
  emu_log("%s: %s of %u bytes at +%#llx (%s) ignored\n", t->d.name, what, size,
          (unsigned long long)off, name);
}

/* -- Device status and reset ------------------------------------------------- */

static void device_reset(VirtioMmio *t) {
  t->status = 0;
  t->driver_features = 0;
  t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
  t->isr = 0;
  update_irq(t);
  for (unsigned q = 0; q < t->d.num_queues; q++)
    virtq_reset(&t->vq[q]);
  if (t->d.ops->reset)
    t->d.ops->reset(t->d.opaque);
}

static void status_write(VirtioMmio *t, uint32_t v) {
  if (v == 0) {
    device_reset(t);
    return;
  }
  /* DEVICE_NEEDS_RESET is the device's to set; drivers write back what they read. */
  uint32_t next = (v & 0xff & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) |
                  (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
  if ((next & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
    uint64_t extra = t->driver_features & ~t->offered;
    bool v1 = (t->driver_features >> VIRTIO_F_VERSION_1) & 1;
    if (extra || !v1) {
      /* Left clear: the driver reads Status back and gives up (3.1.1). */
      next &= ~VIRTIO_STATUS_FEATURES_OK;
      emu_log("%s: features %#llx refused (%s)\n", t->d.name,
              (unsigned long long)t->driver_features,
              v1 ? "bits the device did not offer"
                 : "no VIRTIO_F_VERSION_1: legacy drivers are not supported");
    }
  }
  t->status = next;
}

/* -- Queues ------------------------------------------------------------------ */

static VirtQueue *selected_queue(VirtioMmio *t) {
  return t->queue_sel < t->d.num_queues ? &t->vq[t->queue_sel] : NULL;
}

static void queue_ready_write(VirtioMmio *t, VirtQueue *vq, bool ready) {
  if (!ready) {
    virtq_reset(vq); /* the driver tears the queue down (Linux's del_vq) */
    return;
  }
  if (vq->ready)
    return;
  if (vq->num == 0 || vq->num > VIRTQ_NUM_MAX || (vq->num & (vq->num - 1))) {
    virtio_mmio_error(t, "queue %u: size %u is not a power of 2 up to %d", t->queue_sel, vq->num,
                      VIRTQ_NUM_MAX);
    return;
  }
  vq->ready = true;
  vq->last_avail = vq->used_idx = 0;
}

/* QueueDesc/Driver/Device Low/High: only while the queue is not ready. */
static void queue_addr_write(VirtQueue *vq, uint64_t *addr, bool high, uint32_t v) {
  if (vq->ready)
    return;
  *addr = high ? (*addr & 0xffffffffull) | ((uint64_t)v << 32) : (*addr & ~0xffffffffull) | v;
}

static void queue_notify(VirtioMmio *t, uint32_t q) {
  if (q >= t->d.num_queues) {
    log_bad_access(t, "notify of a missing queue", REG_QueueNotify, 4);
    return;
  }
  /* Nothing is served before DRIVER_OK (3.1.1) or while a reset is due. */
  if ((t->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_DEVICE_NEEDS_RESET)) !=
          VIRTIO_STATUS_DRIVER_OK ||
      !t->vq[q].ready)
    return;
  t->d.ops->queue_notify(t->d.opaque, t, q);
}

VirtqElem *virtio_mmio_pop(VirtioMmio *t, unsigned queue) {
  if (queue >= t->d.num_queues || !t->vq[queue].ready ||
      (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
    return NULL;
  char err[200];
  VirtqElem *e = NULL;
  bool indirect = (t->driver_features >> VIRTIO_F_INDIRECT_DESC) & 1;
  int r = virtq_pop(&t->vq[queue], t->bus, indirect, &e, err, sizeof err);
  if (r < 0)
    virtio_mmio_error(t, "queue %u: %s", queue, err);
  return r > 0 ? e : NULL;
}

void virtio_mmio_push(VirtioMmio *t, unsigned queue, VirtqElem *e, uint32_t len) {
  VirtQueue *vq = &t->vq[queue];
  if (!virtq_push(vq, t->bus, e, len)) {
    virtio_mmio_error(t, "queue %u: used ring at %#llx is not RAM", queue,
                      (unsigned long long)vq->used);
    return;
  }
  if (!virtq_no_interrupt(vq, t->bus))
    raise_isr(t, VIRTIO_MMIO_INT_VRING);
}

/* -- Registers --------------------------------------------------------------- */

static uint64_t config_read(VirtioMmio *t, uint64_t off, unsigned size) {
  if (off > t->d.config_size || size > t->d.config_size - off) {
    log_bad_access(t, "config read past the end", VIRTIO_MMIO_CONFIG + off, size);
    return all_ones(size);
  }
  uint64_t v = 0;
  memcpy(&v, (const uint8_t *)t->d.config + off, size);
  return le64toh(v);
}

static void config_write(VirtioMmio *t, uint64_t off, uint64_t v, unsigned size) {
  if (!t->d.ops->config_write || off > t->d.config_size || size > t->d.config_size - off) {
    log_bad_access(t, "config write", VIRTIO_MMIO_CONFIG + off, size);
    return;
  }
  t->d.ops->config_write(t->d.opaque, off, v, size);
}

/* A register access the table allows (aligned, 32-bit, right direction)? */
static bool reg_ok(VirtioMmio *t, uint64_t off, unsigned size, uint8_t dir) {
  if (size == 4 && off % 4 == 0 && (regs[off / 4].dir & dir))
    return true;
  log_bad_access(t, dir == R ? "read" : "write", off, size);
  return false;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size) {
  VirtioMmio *t = opaque;
  if (off >= VIRTIO_MMIO_CONFIG)
    return config_read(t, off - VIRTIO_MMIO_CONFIG, size);
  if (!reg_ok(t, off, size, R))
    return all_ones(size);
  VirtQueue *vq = selected_queue(t);
  switch (off) {
  case REG_MagicValue:
    return VIRTIO_MMIO_MAGIC;
  case REG_Version:
    return 2;
  case REG_DeviceID:
    return t->d.device_id;
  case REG_VendorID:
    return VIRTIO_MMIO_VENDOR;
  case REG_DeviceFeatures:
    return t->device_features_sel < 2 ? (uint32_t)(t->offered >> (32 * t->device_features_sel)) : 0;
  case REG_QueueNumMax:
    return vq ? VIRTQ_NUM_MAX : 0; /* 0: no such queue */
  case REG_QueueReady:
    return vq && vq->ready;
  case REG_InterruptStatus:
    return t->isr;
  case REG_Status:
    return t->status;
  case REG_ConfigGeneration:
    return t->config_generation;
  default:
    return all_ones(size); /* SHMLen/SHMBase: all ones, no shared memory regions */
  }
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size) {
  VirtioMmio *t = opaque;
  if (off >= VIRTIO_MMIO_CONFIG) {
    config_write(t, off - VIRTIO_MMIO_CONFIG, value, size);
    return;
  }
  if (!reg_ok(t, off, size, W))
    return;
  uint32_t v = (uint32_t)value;
  VirtQueue *vq = selected_queue(t);
  switch (off) {
  case REG_DeviceFeaturesSel:
    t->device_features_sel = v;
    break;
  case REG_DriverFeatures:
    /* Fixed once FEATURES_OK is set (3.1.1); only two 32-bit words exist. */
    if (!(t->status & VIRTIO_STATUS_FEATURES_OK) && t->driver_features_sel < 2) {
      unsigned shift = 32 * t->driver_features_sel;
      uint64_t keep = t->driver_features & ~(0xffffffffull << shift);
      t->driver_features = keep | (uint64_t)v << shift;
    }
    break;
  case REG_DriverFeaturesSel:
    t->driver_features_sel = v;
    break;
  case REG_QueueSel:
    t->queue_sel = v;
    break;
  case REG_QueueNum:
    if (vq && !vq->ready)
      vq->num = v;
    break;
  case REG_QueueReady:
    if (vq)
      queue_ready_write(t, vq, v & 1);
    break;
  case REG_QueueNotify:
    queue_notify(t, v);
    break;
  case REG_InterruptACK:
    t->isr &= ~v;
    update_irq(t);
    break;
  case REG_Status:
    status_write(t, v);
    break;
  case REG_QueueDescLow:
  case REG_QueueDescHigh:
    if (vq)
      queue_addr_write(vq, &vq->desc, off == REG_QueueDescHigh, v);
    break;
  case REG_QueueDriverLow:
  case REG_QueueDriverHigh:
    if (vq)
      queue_addr_write(vq, &vq->avail, off == REG_QueueDriverHigh, v);
    break;
  case REG_QueueDeviceLow:
  case REG_QueueDeviceHigh:
    if (vq)
      queue_addr_write(vq, &vq->used, off == REG_QueueDeviceHigh, v);
    break;
  default:
    break; /* SHMSel: there are no regions to select */
  }
}

static const HwRegionOps virtio_mmio_ops = {mmio_read, mmio_write};

/* -- Life cycle -------------------------------------------------------------- */

VirtioMmio *virtio_mmio_new(HwBus *bus, const VirtioDeviceDesc *d, HwIrq irq) {
  if (d->num_queues == 0)
    return NULL;
  VirtioMmio *t = calloc(1, sizeof *t);
  VirtQueue *vq = calloc(d->num_queues, sizeof *vq);
  if (!t || !vq) {
    free(t);
    free(vq);
    return NULL;
  }
  *t = (VirtioMmio){.bus = bus, .d = *d, .irq = irq, .vq = vq};
  t->offered = d->features | 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC;
  for (unsigned q = 0; q < d->num_queues; q++)
    virtq_reset(&vq[q]);
  return t;
}

bool virtio_mmio_map(VirtioMmio *t, uint64_t base) {
  if (!hw_bus_map_mmio(t->bus, base, VIRTIO_MMIO_SIZE, t->d.name, &virtio_mmio_ops, t))
    return false;
  t->base = base;
  return true;
}

void virtio_mmio_free(VirtioMmio *t) {
  if (!t)
    return;
  free(t->vq);
  free(t);
}

uint64_t virtio_mmio_driver_features(const VirtioMmio *t) { return t->driver_features; }
uint32_t virtio_mmio_status(const VirtioMmio *t) { return t->status; }
