/* test_bus.c — hw/bus.c: port and MMIO routing (offsets relative to the region,
 * sizes, straddling accesses split into bytes), unmapped space reading all ones
 * and ignoring writes, overlap refusal, and guest RAM for DMA with its hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hw.h"

/* A device that records its last access and reads back (offset, size). */
typedef struct Probe {
  uint64_t last_off, last_val;
  unsigned last_size, writes;
} Probe;

static uint64_t probe_read(void *opaque, uint64_t off, unsigned size) {
  Probe *p = opaque;
  p->last_off = off;
  p->last_size = size;
  return 0xa0 + off + 0x1111111111111100ull; /* high bits must be cut to size */
}

static void probe_write(void *opaque, uint64_t off, uint64_t v, unsigned size) {
  Probe *p = opaque;
  p->last_off = off;
  p->last_val = v;
  p->last_size = size;
  p->writes++;
}

static const HwRegionOps probe_ops = {probe_read, probe_write};
static const HwRegionOps write_only_ops = {NULL, probe_write};

static void test_pio_routing(void **state) {
  HwBus *b = hw_bus_new();
  Probe p = {0};
  assert_true(hw_bus_map_pio(b, 0x3f8, 8, "probe", &probe_ops, &p));
  assert_int_equal(hw_pio_read(b, 0x3fd, 1), 0xa5);
  assert_int_equal(p.last_off, 5);
  assert_int_equal(hw_pio_read(b, 0x3fc, 2), 0x11a4);
  assert_int_equal(p.last_size, 2);
  hw_pio_write(b, 0x3f9, 0x1234, 2);
  assert_int_equal(p.last_off, 1);
  assert_int_equal(p.last_val, 0x1234);
  assert_int_equal(p.last_size, 2);
  /* Overlap at either end is refused; adjacent is fine. */
  assert_false(hw_bus_map_pio(b, 0x3ff, 2, "x", &probe_ops, &p));
  assert_false(hw_bus_map_pio(b, 0x3f0, 9, "x", &probe_ops, &p));
  assert_true(hw_bus_map_pio(b, 0x3f0, 8, "y", &probe_ops, &p));
  assert_false(hw_bus_map_pio(b, 0xffff, 2, "past the end", &probe_ops, &p));
  assert_false(hw_bus_map_pio(b, 0x10, 0, "empty", &probe_ops, &p));
  hw_bus_free(b);
}

static void test_pio_unmapped_all_ones(void **state) {
  HwBus *b = hw_bus_new();
  Probe p = {0};
  assert_int_equal(hw_pio_read(b, 0x80, 1), 0xff);
  assert_int_equal(hw_pio_read(b, 0x80, 2), 0xffff);
  assert_int_equal(hw_pio_read(b, 0x80, 4), 0xffffffffu);
  hw_pio_write(b, 0x80, 0, 1); /* dropped, no crash */
  /* A device without a read handler reads all ones too. */
  assert_true(hw_bus_map_pio(b, 0x10, 1, "wo", &write_only_ops, &p));
  assert_int_equal(hw_pio_read(b, 0x10, 1), 0xff);
  hw_pio_write(b, 0x10, 0x5a, 1);
  assert_int_equal(p.last_val, 0x5a);
  hw_bus_free(b);
}

static void test_pio_straddle(void **state) {
  HwBus *b = hw_bus_new();
  Probe p = {0};
  assert_true(hw_bus_map_pio(b, 0x100, 2, "probe", &probe_ops, &p));
  /* 0x101 is the region's last byte, 0x102-0x103 are unmapped. */
  assert_int_equal(hw_pio_read(b, 0x101, 4), 0xffffffa1u);
  assert_int_equal(hw_pio_read(b, 0xff, 2), 0xa0ff);
  p.writes = 0;
  hw_pio_write(b, 0x101, 0xccbbaa, 4);
  assert_int_equal(p.writes, 1);
  assert_int_equal(p.last_off, 1);
  assert_int_equal(p.last_val, 0xaa);
  assert_int_equal(p.last_size, 1);
  hw_bus_free(b);
}

static void test_mmio(void **state) {
  HwBus *b = hw_bus_new();
  Probe p1 = {0}, p2 = {0};
  assert_true(hw_bus_map_mmio(b, 0xfeb00200, 0x200, "virtio1", &probe_ops, &p2));
  assert_true(hw_bus_map_mmio(b, 0xfeb00000, 0x200, "virtio0", &probe_ops, &p1));
  assert_false(hw_bus_map_mmio(b, 0xfeb001ff, 2, "overlap", &probe_ops, &p1));
  assert_false(hw_bus_map_mmio(b, 0xfeaff000, 0x1001, "overlap", &probe_ops, &p1));
  assert_true(hw_mmio_claims(b, 0xfeb00000));
  assert_true(hw_mmio_claims(b, 0xfeb003ff));
  assert_false(hw_mmio_claims(b, 0xfeb00400));
  assert_false(hw_mmio_claims(b, 0xfeafffff));
  assert_int_equal(hw_mmio_read(b, 0xfeb00208, 4), 0x111111a8);
  assert_int_equal(p2.last_off, 8);
  assert_int_equal(p2.last_size, 4);
  hw_mmio_write(b, 0xfeb00070, 0xdeadbeefcafef00dull, 8);
  assert_int_equal(p1.last_off, 0x70);
  assert_int_equal(p1.last_val, 0xdeadbeefcafef00dull);
  assert_int_equal(hw_mmio_read(b, 0x1000, 8), UINT64_MAX);
  assert_int_equal(hw_mmio_read(b, 0x1000, 2), 0xffff);
  hw_bus_free(b);
}

static uint64_t hook_gpa, hook_len;
static void dma_hook(void *ctx, uint64_t gpa, uint64_t len) {
  *(int *)ctx += 1;
  hook_gpa = gpa;
  hook_len = len;
}

static void test_dma(void **state) {
  HwBus *b = hw_bus_new();
  static uint8_t ram[0x10000];
  Probe p = {0};
  assert_null(hw_dma_ptr(b, 0, 1)); /* no RAM yet */
  hw_bus_set_ram(b, ram, sizeof ram);
  assert_ptr_equal(hw_dma_ptr(b, 0x100, 0x10), ram + 0x100);
  assert_ptr_equal(hw_dma_ptr(b, 0xfff0, 0x10), ram + 0xfff0);
  assert_null(hw_dma_ptr(b, 0xfff0, 0x11));
  assert_null(hw_dma_ptr(b, UINT64_MAX - 4, 8));
  /* A device window inside RAM's range is a hole. */
  assert_true(hw_bus_map_mmio(b, 0x8000, 0x1000, "hole", &probe_ops, &p));
  assert_null(hw_dma_ptr(b, 0x7ff0, 0x11));
  assert_ptr_equal(hw_dma_ptr(b, 0x7ff0, 0x10), ram + 0x7ff0);
  assert_null(hw_dma_ptr(b, 0x8800, 1));

  int calls = 0;
  hw_bus_set_dma_hook(b, dma_hook, &calls);
  const uint8_t data[4] = {1, 2, 3, 4};
  assert_true(hw_dma_write(b, 0x200, data, 4));
  assert_int_equal(calls, 1);
  assert_int_equal(hook_gpa, 0x200);
  assert_int_equal(hook_len, 4);
  uint8_t back[4];
  assert_true(hw_dma_read(b, 0x200, back, 4));
  assert_memory_equal(back, data, 4);
  assert_false(hw_dma_write(b, 0x8000, data, 4));
  assert_false(hw_dma_read(b, 0xfffe, back, 4));
  assert_int_equal(calls, 1);
  hw_bus_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pio_routing), cmocka_unit_test(test_pio_unmapped_all_ones),
      cmocka_unit_test(test_pio_straddle), cmocka_unit_test(test_mmio), cmocka_unit_test(test_dma),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
