/* test_virtio_blk.c — hw/virtio_mmio.c, virtqueue.c and virtio_blk.c driven as
 * Linux's virtio_mmio + virtio_blk drivers drive them: probe the registers,
 * negotiate features, lay a split ring out in guest RAM (a buffer given to the
 * bus), submit requests (one buffer per descriptor, split buffers, header and
 * data in one buffer, indirect tables), and check the image file, the used
 * ring, InterruptStatus and the interrupt line. Then the driver's mistakes:
 * addresses outside RAM, broken chains, out-of-range sectors, and reset.
 * Expected values come from the virtio 1.x spec (register layout 4.2.2, split
 * rings 2.7, block device 5.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "block.h"
#include "hw.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"

#define BASE 0xfeb00000ull
#define RAM_SIZE 0x100000
#define DISK_SECTORS 128
/* Guest-physical layout the test driver uses */
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define HDR 0x10000
#define DATA 0x20000
#define DATA2 0x40000
#define STATUS 0x30000
#define TABLE 0x50000 /* indirect table */
#define QSIZE 16

/* Register offsets (4.2.2) */
enum {
  MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c, DEV_FEAT = 0x010,
  DEV_FEAT_SEL = 0x014, DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024, QUEUE_SEL = 0x030,
  QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
  INT_STATUS = 0x060, INT_ACK = 0x064, DEV_STATUS = 0x070, Q_DESC_LO = 0x080, Q_DESC_HI = 0x084,
  Q_DRIVER_LO = 0x090, Q_DRIVER_HI = 0x094, Q_DEVICE_LO = 0x0a0, Q_DEVICE_HI = 0x0a4,
  CONFIG_GEN = 0x0fc, CONFIG = 0x100,
};
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

typedef struct Fixture {
  HwBus *bus;
  uint8_t *ram;
  char path[64];
  BlockDev *bd;
  VirtioBlk *blk;
  int irq_level, irq_raises;
  uint16_t avail_idx, used_seen;
  struct {
    uint64_t gpa, len;
  } dma[16]; /* the last ranges reported to hw_dma_written */
  unsigned ndma;
} Fixture;

static void irq_set(void *opaque, int pin, int level) {
  Fixture *f = opaque;
  assert_int_equal(pin, 16);
  if (level && !f->irq_level)
    f->irq_raises++;
  f->irq_level = level;
}

static void dma_hook(void *ctx, uint64_t gpa, uint64_t len) {
  Fixture *f = ctx;
  f->dma[f->ndma % 16].gpa = gpa;
  f->dma[f->ndma % 16].len = len;
  f->ndma++;
}

/* Was [gpa, gpa+len) inside one range reported since ndma was cleared? */
static bool dma_reported(Fixture *f, uint64_t gpa, uint64_t len) {
  for (unsigned i = 0; i < f->ndma && i < 16; i++)
    if (f->dma[i].gpa <= gpa && gpa + len <= f->dma[i].gpa + f->dma[i].len)
      return true;
  return false;
}

static uint8_t pattern(uint64_t off) { return (uint8_t)(off * 13 + 5); }

static Fixture *fixture_new(bool readonly) {
  Fixture *f = calloc(1, sizeof *f);
  f->ram = calloc(1, RAM_SIZE);
  f->bus = hw_bus_new();
  hw_bus_set_ram(f->bus, f->ram, RAM_SIZE);
  hw_bus_set_dma_hook(f->bus, dma_hook, f);
  strcpy(f->path, "/tmp/emu_test_vblk_XXXXXX");
  int fd = mkstemp(f->path);
  assert_true(fd >= 0);
  uint8_t img[DISK_SECTORS * 512];
  for (size_t i = 0; i < sizeof img; i++)
    img[i] = pattern(i);
  assert_int_equal(write(fd, img, sizeof img), (ssize_t)sizeof img);
  close(fd);
  char err[256];
  f->bd = block_open(f->path, readonly, err, sizeof err);
  assert_non_null(f->bd);
  HwIrq irq = {irq_set, f, 16};
  f->blk = virtio_blk_new(f->bus, BASE, irq, f->bd, 0);
  assert_non_null(f->blk);
  return f;
}

static void fixture_free(Fixture *f) {
  hw_bus_free(f->bus);
  virtio_blk_free(f->blk);
  block_close(f->bd);
  unlink(f->path);
  free(f->ram);
  free(f);
}

static uint32_t rd(Fixture *f, uint64_t off) {
  return (uint32_t)hw_mmio_read(f->bus, BASE + off, 4);
}
static void wr(Fixture *f, uint64_t off, uint32_t v) { hw_mmio_write(f->bus, BASE + off, v, 4); }

static void put16(Fixture *f, uint64_t gpa, uint16_t v) { memcpy(f->ram + gpa, &v, 2); }
static void put32(Fixture *f, uint64_t gpa, uint32_t v) { memcpy(f->ram + gpa, &v, 4); }
static void put64(Fixture *f, uint64_t gpa, uint64_t v) { memcpy(f->ram + gpa, &v, 8); }
static uint16_t get16(Fixture *f, uint64_t gpa) {
  uint16_t v;
  memcpy(&v, f->ram + gpa, 2);
  return v;
}
static uint32_t get32(Fixture *f, uint64_t gpa) {
  uint32_t v;
  memcpy(&v, f->ram + gpa, 4);
  return v;
}

static void set_desc(Fixture *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next) {
  uint64_t d = table + 16 * i;
  put64(f, d, addr);
  put32(f, d + 8, len);
  put16(f, d + 12, flags);
  put16(f, d + 14, next);
}

/* Linux's order (virtio_mmio probe, virtio_dev_probe, vm_setup_vq): reset,
 * ACKNOWLEDGE, DRIVER, features, FEATURES_OK, the queue, DRIVER_OK. */
static void driver_negotiate(Fixture *f, uint64_t features) {
  wr(f, DEV_STATUS, 0);
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  wr(f, DRV_FEAT_SEL, 1);
  wr(f, DRV_FEAT, (uint32_t)(features >> 32));
  wr(f, DRV_FEAT_SEL, 0);
  wr(f, DRV_FEAT, (uint32_t)features);
  wr(f, DEV_STATUS, rd(f, DEV_STATUS) | VIRTIO_STATUS_FEATURES_OK);
  assert_true(rd(f, DEV_STATUS) & VIRTIO_STATUS_FEATURES_OK);
}

static void driver_setup_queue(Fixture *f) {
  wr(f, QUEUE_SEL, 0);
  assert_int_equal(rd(f, QUEUE_READY), 0);
  assert_int_equal(rd(f, QUEUE_NUM_MAX), 256);
  memset(f->ram + DESC, 0, 16 * QSIZE);
  memset(f->ram + AVAIL, 0, 6 + 2 * QSIZE);
  memset(f->ram + USED, 0, 6 + 8 * QSIZE);
  wr(f, QUEUE_NUM, QSIZE);
  wr(f, Q_DESC_LO, DESC);
  wr(f, Q_DESC_HI, 0);
  wr(f, Q_DRIVER_LO, AVAIL);
  wr(f, Q_DRIVER_HI, 0);
  wr(f, Q_DEVICE_LO, USED);
  wr(f, Q_DEVICE_HI, 0);
  wr(f, QUEUE_READY, 1);
  assert_int_equal(rd(f, QUEUE_READY), 1);
  wr(f, DEV_STATUS, rd(f, DEV_STATUS) | VIRTIO_STATUS_DRIVER_OK);
  f->avail_idx = f->used_seen = 0;
}

static void driver_init(Fixture *f, uint64_t features) {
  driver_negotiate(f, features);
  driver_setup_queue(f);
}

static const uint64_t STD_FEATURES = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC |
                                     1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_SEG_MAX |
                                     1ull << VIRTIO_BLK_F_BLK_SIZE;

/* Publish head in the available ring without notifying. */
static void make_available(Fixture *f, uint16_t head) {
  put16(f, AVAIL + 4 + 2 * (f->avail_idx % QSIZE), head);
  f->avail_idx++;
  put16(f, AVAIL + 2, f->avail_idx);
}

static void submit(Fixture *f, uint16_t head) {
  make_available(f, head);
  wr(f, QUEUE_NOTIFY, 0);
}

/* The next used element is (head, len); the driver acknowledges the interrupt
 * as vm_interrupt does. */
static void expect_used(Fixture *f, uint16_t head, uint32_t len) {
  assert_int_equal(get16(f, USED + 2), (uint16_t)(f->used_seen + 1));
  uint64_t e = USED + 4 + 8 * (f->used_seen % QSIZE);
  assert_int_equal(get32(f, e), head);
  assert_int_equal(get32(f, e + 4), len);
  f->used_seen++;
  assert_int_equal(rd(f, INT_STATUS), VIRTIO_MMIO_INT_VRING);
  assert_int_equal(f->irq_level, 1);
  wr(f, INT_ACK, VIRTIO_MMIO_INT_VRING);
  assert_int_equal(rd(f, INT_STATUS), 0);
  assert_int_equal(f->irq_level, 0);
}

static void set_header(Fixture *f, uint64_t gpa, uint32_t type, uint64_t sector) {
  put32(f, gpa, type);
  put32(f, gpa + 4, 0);
  put64(f, gpa + 8, sector);
}

/* The usual Linux layout: header, data, status in descriptors 0, 1, 2. */
static void three_desc_request(Fixture *f, uint32_t type, uint64_t sector, uint32_t len,
                               bool device_writes) {
  set_header(f, HDR, type, sector);
  f->ram[STATUS] = 0xee;
  set_desc(f, DESC, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, DESC, 1, DATA, len, F_NEXT | (device_writes ? F_WRITE : 0), 2);
  set_desc(f, DESC, 2, STATUS, 1, F_WRITE, 0);
  submit(f, 0);
}

static void file_bytes(Fixture *f, uint64_t off, uint8_t *buf, size_t len) {
  FILE *fp = fopen(f->path, "rb");
  assert_non_null(fp);
  fseek(fp, (long)off, SEEK_SET);
  assert_int_equal(fread(buf, 1, len, fp), len);
  fclose(fp);
}

static bool needs_reset(Fixture *f) { return rd(f, DEV_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET; }

/* -- Probe and negotiation --------------------------------------------------- */

static void test_probe(void **state) {
  Fixture *f = fixture_new(false);
  assert_int_equal(rd(f, MAGIC), 0x74726976);
  assert_int_equal(rd(f, VERSION), 2);
  assert_int_equal(rd(f, DEVICE_ID), 2);
  assert_int_equal(rd(f, VENDOR_ID), 0x00554d45);
  wr(f, DEV_FEAT_SEL, 0);
  assert_int_equal(rd(f, DEV_FEAT), 1u << VIRTIO_F_INDIRECT_DESC | 1u << VIRTIO_BLK_F_FLUSH |
                                        1u << VIRTIO_BLK_F_SEG_MAX | 1u << VIRTIO_BLK_F_BLK_SIZE);
  wr(f, DEV_FEAT_SEL, 1);
  assert_int_equal(rd(f, DEV_FEAT), 1); /* VIRTIO_F_VERSION_1, no packed rings */
  wr(f, DEV_FEAT_SEL, 2);
  assert_int_equal(rd(f, DEV_FEAT), 0);
  assert_int_equal(rd(f, DEV_STATUS), 0);
  assert_int_equal(rd(f, INT_STATUS), 0);
  assert_int_equal(rd(f, CONFIG_GEN), 0);
  /* Config space: capacity (le64), seg_max, blk_size, at any access width. */
  assert_int_equal(hw_mmio_read(f->bus, BASE + CONFIG, 8), DISK_SECTORS);
  assert_int_equal(rd(f, CONFIG), DISK_SECTORS);
  assert_int_equal(rd(f, CONFIG + 4), 0);
  assert_int_equal(hw_mmio_read(f->bus, BASE + CONFIG, 1), DISK_SECTORS);
  assert_int_equal(rd(f, CONFIG + 12), 254);
  assert_int_equal(rd(f, CONFIG + 20), 512);
  assert_int_equal(hw_mmio_read(f->bus, BASE + CONFIG + 21, 1), 2);
  assert_int_equal(hw_mmio_read(f->bus, BASE + CONFIG + 34, 2), 0);    /* num_queues (no MQ) */
  assert_int_equal(hw_mmio_read(f->bus, BASE + CONFIG + 36, 4), 0xffffffff); /* past the end */
  /* One queue. */
  wr(f, QUEUE_SEL, 0);
  assert_int_equal(rd(f, QUEUE_NUM_MAX), 256);
  wr(f, QUEUE_SEL, 1);
  assert_int_equal(rd(f, QUEUE_NUM_MAX), 0);
  assert_int_equal(rd(f, QUEUE_READY), 0);
  /* Registers are 32-bit only; write-only ones and holes read all ones. */
  assert_int_equal(hw_mmio_read(f->bus, BASE + MAGIC, 2), 0xffff);
  assert_int_equal(rd(f, QUEUE_NUM), 0xffffffff);
  assert_int_equal(rd(f, 0x028), 0xffffffff); /* legacy GuestPageSize: not in version 2 */
  wr(f, MAGIC, 0);
  wr(f, DEVICE_ID, 5);
  assert_int_equal(rd(f, MAGIC), 0x74726976);
  assert_int_equal(rd(f, DEVICE_ID), 2);
  fixture_free(f);
}

static void test_feature_negotiation(void **state) {
  Fixture *f = fixture_new(false);
  /* No VIRTIO_F_VERSION_1: a legacy driver; FEATURES_OK does not stick. */
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  wr(f, DRV_FEAT_SEL, 0);
  wr(f, DRV_FEAT, 1u << VIRTIO_BLK_F_FLUSH);
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  assert_int_equal(rd(f, DEV_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  /* A bit the device did not offer (EVENT_IDX): refused as well. */
  wr(f, DRV_FEAT, 1u << VIRTIO_F_EVENT_IDX);
  wr(f, DRV_FEAT_SEL, 1);
  wr(f, DRV_FEAT, 1);
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  assert_false(rd(f, DEV_STATUS) & VIRTIO_STATUS_FEATURES_OK);
  /* VERSION_1 plus a subset of the offer: accepted, then frozen. */
  wr(f, DRV_FEAT_SEL, 0);
  wr(f, DRV_FEAT, 1u << VIRTIO_BLK_F_FLUSH);
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  assert_true(rd(f, DEV_STATUS) & VIRTIO_STATUS_FEATURES_OK);
  wr(f, DRV_FEAT, 1u << VIRTIO_F_INDIRECT_DESC); /* too late: ignored */
  driver_setup_queue(f);
  set_desc(f, DESC, 0, TABLE, 32, F_INDIRECT, 0);
  submit(f, 0);
  assert_true(needs_reset(f)); /* indirect was not negotiated */
  fixture_free(f);

  /* Linux's full sequence with everything it takes. */
  f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  assert_int_equal(rd(f, DEV_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
  fixture_free(f);
}

/* -- Requests ---------------------------------------------------------------- */

static void test_write_then_read(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  /* Write sectors 3-4 (1024 bytes), data split over two descriptors. */
  for (int i = 0; i < 1024; i++)
    f->ram[DATA + i] = (uint8_t)(0x5a ^ i);
  set_header(f, HDR, VIRTIO_BLK_T_OUT, 3);
  set_desc(f, DESC, 5, HDR, 16, F_NEXT, 9);
  set_desc(f, DESC, 9, DATA, 300, F_NEXT, 2);
  set_desc(f, DESC, 2, DATA + 300, 724, F_NEXT, 7);
  set_desc(f, DESC, 7, STATUS, 1, F_WRITE, 0);
  f->ram[STATUS] = 0xee;
  submit(f, 5);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 5, 1);
  uint8_t file[1536];
  file_bytes(f, 3 * 512 - 256, file, sizeof file);
  for (int i = 0; i < 256; i++) /* the sector before is untouched */
    assert_int_equal(file[i], pattern(3 * 512 - 256 + i));
  assert_memory_equal(file + 256, f->ram + DATA, 1024);
  file_bytes(f, 5 * 512, file, 1);
  assert_int_equal(file[0], pattern(5 * 512));

  /* Read sectors 2-5 back into another buffer, Linux's layout. */
  memset(f->ram + DATA, 0, 2048);
  f->ndma = 0;
  three_desc_request(f, VIRTIO_BLK_T_IN, 2, 2048, true);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, 2049);
  for (int i = 0; i < 512; i++)
    assert_int_equal(f->ram[DATA + i], pattern(2 * 512 + i));
  for (int i = 0; i < 1024; i++)
    assert_int_equal(f->ram[DATA + 512 + i], (uint8_t)(0x5a ^ i));
  for (int i = 0; i < 512; i++)
    assert_int_equal(f->ram[DATA + 1536 + i], pattern(5 * 512 + i));
  /* What the device wrote was reported (translated code there is stale). */
  assert_true(dma_reported(f, DATA, 2048));
  assert_true(dma_reported(f, STATUS, 1));
  assert_true(dma_reported(f, USED + 4 + 8, 8)); /* the second used element */
  assert_false(dma_reported(f, HDR, 1)); /* what the device only read */

  /* Header and data in one buffer, status alone (framing is free, 2.7.4). */
  set_header(f, HDR, VIRTIO_BLK_T_OUT, DISK_SECTORS - 1);
  memset(f->ram + HDR + 16, 0x77, 512);
  set_desc(f, DESC, 0, HDR, 16 + 512, F_NEXT, 1);
  set_desc(f, DESC, 1, STATUS, 1, F_WRITE, 0);
  submit(f, 0);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, 1);
  file_bytes(f, (DISK_SECTORS - 1) * 512, file, 512);
  for (int i = 0; i < 512; i++)
    assert_int_equal(file[i], 0x77);
  /* Data and status in one writable buffer. */
  set_header(f, HDR, VIRTIO_BLK_T_IN, DISK_SECTORS - 1);
  set_desc(f, DESC, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, DESC, 1, DATA2, 513, F_WRITE, 0);
  submit(f, 0);
  assert_int_equal(f->ram[DATA2 + 512], VIRTIO_BLK_S_OK);
  assert_int_equal(f->ram[DATA2 + 511], 0x77);
  expect_used(f, 0, 513);
  fixture_free(f);
}

static void test_indirect(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  /* One indirect descriptor in the ring naming a table of header, two data
   * buffers and status, as Linux does for any multi-buffer request. */
  set_header(f, HDR, VIRTIO_BLK_T_IN, 10);
  set_desc(f, TABLE, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, TABLE, 1, DATA, 512, F_NEXT | F_WRITE, 2);
  set_desc(f, TABLE, 2, DATA2, 512, F_NEXT | F_WRITE, 3);
  set_desc(f, TABLE, 3, STATUS, 1, F_WRITE, 0);
  set_desc(f, DESC, 4, TABLE, 4 * 16, F_INDIRECT | F_WRITE /* ignored */, 0);
  f->ram[STATUS] = 0xee;
  submit(f, 4);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 4, 1025);
  for (int i = 0; i < 512; i++) {
    assert_int_equal(f->ram[DATA + i], pattern(10 * 512 + i));
    assert_int_equal(f->ram[DATA2 + i], pattern(11 * 512 + i));
  }
  /* A direct chain ending in an indirect descriptor (2.7.5.3.2). */
  set_desc(f, DESC, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, DESC, 1, TABLE, 2 * 16, F_INDIRECT, 0);
  set_header(f, HDR, VIRTIO_BLK_T_IN, 20);
  set_desc(f, TABLE, 0, DATA, 512, F_NEXT | F_WRITE, 1);
  set_desc(f, TABLE, 1, STATUS, 1, F_WRITE, 0);
  f->ram[STATUS] = 0xee;
  submit(f, 0);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, 513);
  assert_int_equal(f->ram[DATA + 100], pattern(20 * 512 + 100));
  /* A full 256-buffer table (seg_max 254 + header + status) is accepted. */
  set_header(f, HDR, VIRTIO_BLK_T_IN, 0);
  set_desc(f, TABLE, 0, HDR, 16, F_NEXT, 1);
  for (int i = 1; i <= 254; i++)
    set_desc(f, TABLE, i, DATA + 512 * (i - 1) % 0x10000, 512, F_NEXT | F_WRITE, i + 1);
  set_desc(f, TABLE, 255, STATUS, 1, F_WRITE, 0);
  set_desc(f, DESC, 3, TABLE, 256 * 16, F_INDIRECT, 0);
  submit(f, 3);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_IOERR); /* 254 sectors > the disk's 128 */
  expect_used(f, 3, 254 * 512 + 1);
  assert_false(needs_reset(f));
  fixture_free(f);
}

static void test_flush_get_id_unsupported(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  set_header(f, HDR, VIRTIO_BLK_T_FLUSH, 0);
  set_desc(f, DESC, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, DESC, 1, STATUS, 1, F_WRITE, 0);
  f->ram[STATUS] = 0xee;
  submit(f, 0);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, 1);

  memset(f->ram + DATA, 0xcc, 32);
  three_desc_request(f, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, VIRTIO_BLK_ID_BYTES + 1);
  assert_memory_equal(f->ram + DATA, "emu-disk-0\0\0\0\0\0\0\0\0\0\0", VIRTIO_BLK_ID_BYTES);
  assert_int_equal(f->ram[DATA + VIRTIO_BLK_ID_BYTES], 0xcc);

  /* DISCARD (11, not offered), GET_LIFETIME (10), an unknown type. */
  const uint32_t types[] = {11, 10, 0x12345};
  for (int i = 0; i < 3; i++) {
    three_desc_request(f, types[i], 0, 16, false);
    assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_UNSUPP);
    expect_used(f, 0, 1);
  }
  assert_false(needs_reset(f));
  fixture_free(f);
}

static void test_out_of_range(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  memset(f->ram + DATA, 0x99, 1024);
  const struct {
    uint32_t type;
    uint64_t sector;
    uint32_t len;
  } bad[] = {
      {VIRTIO_BLK_T_OUT, DISK_SECTORS, 512},     /* just past the end */
      {VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 1024}, /* straddles the end */
      {VIRTIO_BLK_T_IN, DISK_SECTORS, 512},
      {VIRTIO_BLK_T_IN, UINT64_MAX, 512},         /* sector * 512 would wrap */
      {VIRTIO_BLK_T_OUT, 0, 100},                 /* not whole sectors */
      {VIRTIO_BLK_T_IN, 0, 513},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    three_desc_request(f, bad[i].type, bad[i].sector, bad[i].len, bad[i].type == VIRTIO_BLK_T_IN);
    assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_IOERR);
    expect_used(f, 0, bad[i].type == VIRTIO_BLK_T_IN ? bad[i].len + 1 : 1);
  }
  uint8_t file[DISK_SECTORS * 512];
  file_bytes(f, 0, file, sizeof file);
  for (size_t i = 0; i < sizeof file; i++)
    assert_int_equal(file[i], pattern(i));
  assert_false(needs_reset(f)); /* a bad sector is the request's error, not the ring's */
  fixture_free(f);
}

static void test_readonly(void **state) {
  Fixture *f = fixture_new(true);
  wr(f, DEV_FEAT_SEL, 0);
  assert_true(rd(f, DEV_FEAT) & 1u << VIRTIO_BLK_F_RO);
  driver_init(f, STD_FEATURES | 1ull << VIRTIO_BLK_F_RO);
  memset(f->ram + DATA, 0x42, 512);
  three_desc_request(f, VIRTIO_BLK_T_OUT, 1, 512, false);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_IOERR);
  expect_used(f, 0, 1);
  uint8_t file[512];
  file_bytes(f, 512, file, 512);
  assert_int_equal(file[0], pattern(512));
  three_desc_request(f, VIRTIO_BLK_T_IN, 1, 512, true);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  assert_int_equal(f->ram[DATA + 7], pattern(512 + 7));
  expect_used(f, 0, 513);
  fixture_free(f);
}

/* -- Ring mechanics ---------------------------------------------------------- */

static void test_batch_wrap_and_suppression(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  /* 40 reads of one sector each, in batches of three chains per notify, so
   * both 16-bit ring indexes wrap the 16-entry ring several times. */
  for (int round = 0; round < 40 / 3 + 1; round++) {
    for (int k = 0; k < 3; k++) {
      unsigned d = 3 * k;
      uint64_t hdr = HDR + 32 * k, status = STATUS + k;
      set_header(f, hdr, VIRTIO_BLK_T_IN, (uint64_t)(round * 3 + k) % DISK_SECTORS);
      set_desc(f, DESC, d, hdr, 16, F_NEXT, d + 1);
      set_desc(f, DESC, d + 1, DATA + 512 * k, 512, F_NEXT | F_WRITE, d + 2);
      set_desc(f, DESC, d + 2, status, 1, F_WRITE, 0);
      make_available(f, (uint16_t)d);
    }
    wr(f, QUEUE_NOTIFY, 0);
    for (int k = 0; k < 3; k++) {
      uint64_t e = USED + 4 + 8 * ((f->used_seen + k) % QSIZE);
      assert_int_equal(get32(f, e), 3 * k);
      assert_int_equal(f->ram[STATUS + k], VIRTIO_BLK_S_OK);
      uint64_t sector = (uint64_t)(round * 3 + k) % DISK_SECTORS;
      assert_int_equal(f->ram[DATA + 512 * k + 1], pattern(sector * 512 + 1));
    }
    f->used_seen += 3;
    assert_int_equal(get16(f, USED + 2), f->used_seen);
    wr(f, INT_ACK, rd(f, INT_STATUS));
  }
  /* VIRTQ_AVAIL_F_NO_INTERRUPT: the buffer is used but nobody is interrupted. */
  put16(f, AVAIL, 1);
  int raises = f->irq_raises;
  three_desc_request(f, VIRTIO_BLK_T_IN, 0, 512, true);
  assert_int_equal(get16(f, USED + 2), (uint16_t)(f->used_seen + 1));
  assert_int_equal(rd(f, INT_STATUS), 0);
  assert_int_equal(f->irq_level, 0);
  assert_int_equal(f->irq_raises, raises);
  fixture_free(f);
}

static void test_notify_before_driver_ok(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  /* Not a reset: a step back no real driver takes, to hold requests back. */
  wr(f, DEV_STATUS, rd(f, DEV_STATUS) & ~VIRTIO_STATUS_DRIVER_OK);
  three_desc_request(f, VIRTIO_BLK_T_IN, 0, 512, true);
  assert_int_equal(get16(f, USED + 2), 0);
  assert_int_equal(f->ram[STATUS], 0xee);
  wr(f, DEV_STATUS, rd(f, DEV_STATUS) | VIRTIO_STATUS_DRIVER_OK);
  wr(f, QUEUE_NOTIFY, 0); /* what was left waiting is served now */
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, 513);
  wr(f, QUEUE_NOTIFY, 7); /* a queue that does not exist: ignored */
  assert_int_equal(get16(f, USED + 2), 1);
  fixture_free(f);
}

static void test_reset(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  three_desc_request(f, VIRTIO_BLK_T_IN, 0, 512, true);
  assert_int_equal(f->irq_level, 1); /* left unacknowledged */
  wr(f, DEV_STATUS, 0);
  assert_int_equal(rd(f, DEV_STATUS), 0);
  assert_int_equal(rd(f, INT_STATUS), 0);
  assert_int_equal(f->irq_level, 0);
  assert_int_equal(rd(f, QUEUE_READY), 0);
  /* A notify after reset touches nothing. */
  put16(f, USED + 2, 0);
  submit(f, 0);
  assert_int_equal(get16(f, USED + 2), 0);
  /* Set up again from scratch: the ring starts at index 0. */
  driver_init(f, STD_FEATURES);
  three_desc_request(f, VIRTIO_BLK_T_IN, 1, 512, true);
  assert_int_equal(f->ram[DATA], pattern(512));
  expect_used(f, 0, 513);
  /* A queue torn down (QueueReady <- 0, Linux's del_vq) reads 0. */
  wr(f, QUEUE_READY, 0);
  assert_int_equal(rd(f, QUEUE_READY), 0);
  fixture_free(f);
}

/* -- The driver's mistakes: logged, DEVICE_NEEDS_RESET, never a crash ------- */

/* After a broken request: NEEDS_RESET, a config interrupt (2.1.2), nothing
 * used; further notifies are ignored; a reset brings the device back. */
static void expect_broken(Fixture *f) {
  assert_true(needs_reset(f));
  assert_int_equal(rd(f, INT_STATUS), VIRTIO_MMIO_INT_CONFIG);
  assert_int_equal(f->irq_level, 1);
  assert_int_equal(get16(f, USED + 2), f->used_seen);
  wr(f, INT_ACK, VIRTIO_MMIO_INT_CONFIG);
  assert_int_equal(f->irq_level, 0);
  /* The driver writing status back keeps the device's bit. */
  wr(f, DEV_STATUS, rd(f, DEV_STATUS));
  assert_true(needs_reset(f));
  three_desc_request(f, VIRTIO_BLK_T_IN, 0, 512, true);
  assert_int_equal(get16(f, USED + 2), f->used_seen);
  assert_int_equal(f->irq_level, 0);
  driver_init(f, STD_FEATURES);
  assert_false(needs_reset(f));
  three_desc_request(f, VIRTIO_BLK_T_IN, 0, 512, true);
  assert_int_equal(f->ram[STATUS], VIRTIO_BLK_S_OK);
  expect_used(f, 0, 513);
}

static void test_bad_guest_addresses(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  /* Data buffer past the end of RAM. */
  set_header(f, HDR, VIRTIO_BLK_T_IN, 0);
  set_desc(f, DESC, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, DESC, 1, RAM_SIZE - 256, 512, F_NEXT | F_WRITE, 2);
  set_desc(f, DESC, 2, STATUS, 1, F_WRITE, 0);
  submit(f, 0);
  expect_broken(f);
  /* A buffer on the device's own registers. */
  set_desc(f, DESC, 1, BASE, 512, F_NEXT | F_WRITE, 2);
  submit(f, 0);
  expect_broken(f);
  /* A buffer at an absurd address whose end wraps around. */
  set_desc(f, DESC, 1, UINT64_MAX - 100, 512, F_NEXT | F_WRITE, 2);
  submit(f, 0);
  expect_broken(f);
  /* Indirect table outside RAM. */
  set_desc(f, DESC, 0, 0x7000000000ull, 64, F_INDIRECT, 0);
  submit(f, 0);
  expect_broken(f);
  /* The available ring itself outside RAM. */
  wr(f, DEV_STATUS, 0);
  driver_init(f, STD_FEATURES);
  wr(f, QUEUE_READY, 0);
  wr(f, Q_DRIVER_HI, 1); /* 0x1_0000_2000 */
  wr(f, QUEUE_NUM, QSIZE);
  wr(f, Q_DESC_LO, DESC);
  wr(f, Q_DEVICE_LO, USED);
  wr(f, Q_DRIVER_LO, AVAIL);
  wr(f, QUEUE_READY, 1);
  wr(f, QUEUE_NOTIFY, 0);
  expect_broken(f);
  fixture_free(f);
}

static void test_broken_chains(void **state) {
  Fixture *f = fixture_new(false);
  driver_init(f, STD_FEATURES);
  /* A head index past the table. */
  submit(f, QSIZE);
  expect_broken(f);
  /* A loop: 0 -> 1 -> 0. */
  set_desc(f, DESC, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, DESC, 1, DATA, 512, F_NEXT, 0);
  submit(f, 0);
  expect_broken(f);
  /* A readable buffer after a writable one. */
  set_desc(f, DESC, 0, STATUS, 1, F_NEXT | F_WRITE, 1);
  set_desc(f, DESC, 1, HDR, 16, 0, 0);
  submit(f, 0);
  expect_broken(f);
  /* Indirect: length not a multiple of 16; nested; with NEXT; a loop inside. */
  set_desc(f, DESC, 0, TABLE, 40, F_INDIRECT, 0);
  submit(f, 0);
  expect_broken(f);
  set_desc(f, TABLE, 0, TABLE, 16, F_INDIRECT, 0);
  set_desc(f, DESC, 0, TABLE, 16, F_INDIRECT, 0);
  submit(f, 0);
  expect_broken(f);
  set_desc(f, DESC, 0, TABLE, 16, F_INDIRECT | F_NEXT, 1);
  submit(f, 0);
  expect_broken(f);
  set_desc(f, TABLE, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, TABLE, 1, DATA, 16, F_NEXT, 0);
  set_desc(f, DESC, 0, TABLE, 32, F_INDIRECT, 0);
  submit(f, 0);
  expect_broken(f);
  /* Indirect descriptors when the driver did not negotiate them. */
  driver_init(f, STD_FEATURES & ~(1ull << VIRTIO_F_INDIRECT_DESC));
  set_desc(f, TABLE, 0, HDR, 16, F_NEXT, 1);
  set_desc(f, TABLE, 1, STATUS, 1, F_WRITE, 0);
  set_desc(f, DESC, 0, TABLE, 32, F_INDIRECT, 0);
  submit(f, 0);
  expect_broken(f);
  /* The available index jumping by more than the ring holds. */
  put16(f, AVAIL + 2, (uint16_t)(f->avail_idx + QSIZE + 1));
  wr(f, QUEUE_NOTIFY, 0);
  expect_broken(f);
  /* A request too short for the header, and one without a writable byte. */
  set_desc(f, DESC, 0, HDR, 8, F_NEXT, 1);
  set_desc(f, DESC, 1, STATUS, 1, F_WRITE, 0);
  submit(f, 0);
  expect_broken(f);
  set_header(f, HDR, VIRTIO_BLK_T_FLUSH, 0);
  set_desc(f, DESC, 0, HDR, 16, 0, 0);
  submit(f, 0);
  expect_broken(f);
  /* A queue size that is not a power of 2. */
  wr(f, DEV_STATUS, 0);
  wr(f, DEV_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  wr(f, QUEUE_NUM, 12);
  wr(f, QUEUE_READY, 1);
  assert_int_equal(rd(f, QUEUE_READY), 0);
  assert_true(needs_reset(f));
  fixture_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_probe),
      cmocka_unit_test(test_feature_negotiation),
      cmocka_unit_test(test_write_then_read),
      cmocka_unit_test(test_indirect),
      cmocka_unit_test(test_flush_get_id_unsupported),
      cmocka_unit_test(test_out_of_range),
      cmocka_unit_test(test_readonly),
      cmocka_unit_test(test_batch_wrap_and_suppression),
      cmocka_unit_test(test_notify_before_driver_ok),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_bad_guest_addresses),
      cmocka_unit_test(test_broken_chains),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
