/* test_ioapic.c — hw/ioapic.c against the 82093AA datasheet (and the version
 * 0x20 EOI register): reset values, writable bits, IOREGSEL/IOWIN, edge pins
 * (0 -> 1 only, lost while masked), level pins with the remote IRR (set on
 * delivery, cleared by EOI, re-delivery of a line still asserted), the message
 * fields. Messages are recorded by the output function. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hw.h"
#include "ioapic.h"

#define MASKED 0x10000u
#define LEVEL 0x8000u
#define REMOTE_IRR 0x4000u
#define LOGICAL 0x800u

typedef struct Fx {
  HwBus *bus;
  Ioapic *io;
  IoapicMsg msgs[16];
  int nmsgs;
} Fx;

static Fx fx;

static void on_msg(void *ctx, const IoapicMsg *m) {
  Fx *f = ctx;
  if (f->nmsgs < 16)
    f->msgs[f->nmsgs] = *m;
  f->nmsgs++;
}

static int setup(void **state) {
  fx = (Fx){0};
  fx.bus = hw_bus_new();
  fx.io = ioapic_new(2);
  assert_non_null(fx.io);
  assert_true(ioapic_map(fx.io, fx.bus));
  ioapic_set_output(fx.io, on_msg, &fx);
  return 0;
}

static int teardown(void **state) {
  ioapic_free(fx.io);
  hw_bus_free(fx.bus);
  return 0;
}

static uint32_t rd(unsigned reg) {
  hw_mmio_write(fx.bus, IOAPIC_BASE_ADDR, reg, 1);
  return (uint32_t)hw_mmio_read(fx.bus, IOAPIC_BASE_ADDR + 0x10, 4);
}

static void wr(unsigned reg, uint32_t v) {
  hw_mmio_write(fx.bus, IOAPIC_BASE_ADDR, reg, 4);
  hw_mmio_write(fx.bus, IOAPIC_BASE_ADDR + 0x10, v, 4);
}

static unsigned lo(int pin) { return 0x10 + 2 * (unsigned)pin; }
static unsigned hi(int pin) { return 0x11 + 2 * (unsigned)pin; }

static void test_reset_values(void **state) {
  assert_int_equal(rd(0x00), 2u << 24); /* ID from ioapic_new */
  assert_int_equal(rd(0x01), 0x00170020); /* 24 entries, version 0x20 */
  assert_int_equal(rd(0x02), 2u << 24);  /* arbitration ID */
  for (int pin = 0; pin < IOAPIC_PINS; pin++) {
    assert_int_equal(rd(lo(pin)), MASKED);
    assert_int_equal(rd(hi(pin)), 0);
  }
}

static void test_registers(void **state) {
  hw_mmio_write(fx.bus, IOAPIC_BASE_ADDR, 0x13, 1);
  assert_int_equal(hw_mmio_read(fx.bus, IOAPIC_BASE_ADDR, 4), 0x13); /* IOREGSEL reads back */
  wr(0x00, 0xffffffff);
  assert_int_equal(rd(0x00), 0x0f000000); /* 4-bit ID */
  assert_int_equal(rd(0x02), 0x0f000000);
  wr(0x01, 0);
  assert_int_equal(rd(0x01), 0x00170020); /* read-only */
  wr(lo(5), 0xffffffff);
  assert_int_equal(rd(lo(5)), 0x0001afff); /* delivery status, remote IRR: read-only */
  wr(hi(5), 0xffffffff);
  assert_int_equal(rd(hi(5)), 0xff000000);
  assert_int_equal(rd(lo(4)), MASKED); /* neighbours untouched */
  assert_int_equal(rd(hi(6)), 0);
  /* A byte of IOWIN reads that byte. */
  hw_mmio_write(fx.bus, IOAPIC_BASE_ADDR, 0x01, 1);
  assert_int_equal(hw_mmio_read(fx.bus, IOAPIC_BASE_ADDR + 0x12, 1), 0x17);
  ioapic_reset(fx.io);
  assert_int_equal(rd(lo(5)), MASKED);
  assert_int_equal(rd(0x00), 2u << 24);
}

static void test_edge(void **state) {
  wr(hi(4), 0x03000000);
  wr(lo(4), 0x34 | LOGICAL | (1u << 8)); /* lowest priority, logical dest 3 */
  assert_int_equal(fx.nmsgs, 0);
  ioapic_set_irq(fx.io, 4, 1);
  assert_int_equal(fx.nmsgs, 1);
  assert_int_equal(fx.msgs[0].vector, 0x34);
  assert_int_equal(fx.msgs[0].mode, 1);
  assert_int_equal(fx.msgs[0].dest, 3);
  assert_true(fx.msgs[0].logical);
  assert_false(fx.msgs[0].level);
  assert_int_equal(rd(lo(4)) & REMOTE_IRR, 0); /* edge: no remote IRR */
  ioapic_set_irq(fx.io, 4, 1); /* no edge */
  assert_int_equal(fx.nmsgs, 1);
  ioapic_set_irq(fx.io, 4, 0);
  ioapic_set_irq(fx.io, 4, 1);
  assert_int_equal(fx.nmsgs, 2);
  HwIrq line = ioapic_irq(fx.io, 4);
  hw_irq_set(&line, 0);
  hw_irq_pulse(&line);
  assert_int_equal(fx.nmsgs, 3);
  /* Masked: the edge is lost, and unmasking does not bring it back. */
  wr(lo(4), 0x34 | MASKED);
  hw_irq_pulse(&line);
  wr(lo(4), 0x34);
  assert_int_equal(fx.nmsgs, 3);
  wr(lo(4), 0x34 | MASKED);
  hw_irq_set(&line, 1); /* raised while masked, still high when unmasked: no edge */
  wr(lo(4), 0x34);
  assert_int_equal(fx.nmsgs, 3);
}

static void test_level(void **state) {
  wr(lo(16), 0x50 | LEVEL);
  ioapic_set_irq(fx.io, 16, 1);
  assert_int_equal(fx.nmsgs, 1);
  assert_int_equal(fx.msgs[0].vector, 0x50);
  assert_true(fx.msgs[0].level);
  assert_int_equal(fx.msgs[0].dest, 0);
  assert_false(fx.msgs[0].logical);
  assert_true(rd(lo(16)) & REMOTE_IRR);
  ioapic_set_irq(fx.io, 16, 0);
  ioapic_set_irq(fx.io, 16, 1); /* awaiting the EOI: nothing */
  assert_int_equal(fx.nmsgs, 1);
  ioapic_eoi(fx.io, 0x51); /* another vector */
  assert_true(rd(lo(16)) & REMOTE_IRR);
  ioapic_eoi(fx.io, 0x50); /* still asserted: delivered again */
  assert_int_equal(fx.nmsgs, 2);
  assert_true(rd(lo(16)) & REMOTE_IRR);
  ioapic_set_irq(fx.io, 16, 0);
  ioapic_eoi(fx.io, 0x50);
  assert_int_equal(fx.nmsgs, 2);
  assert_int_equal(rd(lo(16)) & REMOTE_IRR, 0);
  /* The EOI register at 0x40 does the same. */
  ioapic_set_irq(fx.io, 16, 1);
  assert_int_equal(fx.nmsgs, 3);
  ioapic_set_irq(fx.io, 16, 0);
  hw_mmio_write(fx.bus, IOAPIC_BASE_ADDR + 0x40, 0x50, 4);
  assert_int_equal(rd(lo(16)) & REMOTE_IRR, 0);
  /* Without the EOI register, Linux flips the entry to edge and back. */
  ioapic_set_irq(fx.io, 16, 1);
  assert_int_equal(fx.nmsgs, 4);
  ioapic_set_irq(fx.io, 16, 0);
  wr(lo(16), 0x50);
  wr(lo(16), 0x50 | LEVEL);
  assert_int_equal(rd(lo(16)) & REMOTE_IRR, 0);
  assert_int_equal(fx.nmsgs, 4);
}

static void test_level_masked(void **state) {
  wr(lo(17), 0x51 | LEVEL | MASKED);
  ioapic_set_irq(fx.io, 17, 1);
  assert_int_equal(fx.nmsgs, 0);
  assert_int_equal(rd(lo(17)) & REMOTE_IRR, 0);
  wr(lo(17), 0x51 | LEVEL); /* unmasked while asserted */
  assert_int_equal(fx.nmsgs, 1);
  wr(lo(17), 0x51 | LEVEL | MASKED); /* masking after delivery: the remote IRR stays */
  assert_true(rd(lo(17)) & REMOTE_IRR);
  ioapic_eoi(fx.io, 0x51);
  assert_int_equal(fx.nmsgs, 1);
  ioapic_set_irq(fx.io, 17, 0);
  wr(lo(17), 0x51 | LEVEL); /* deasserted while masked: nothing */
  assert_int_equal(fx.nmsgs, 1);
  /* Two pins on one vector: one EOI serves both. */
  wr(lo(18), 0x51 | LEVEL);
  ioapic_set_irq(fx.io, 17, 1);
  ioapic_set_irq(fx.io, 18, 1);
  assert_int_equal(fx.nmsgs, 3);
  ioapic_set_irq(fx.io, 17, 0);
  ioapic_eoi(fx.io, 0x51);
  assert_int_equal(fx.nmsgs, 4); /* only pin 18 is still asserted */
  assert_int_equal(fx.msgs[3].vector, 0x51);
}

static void test_bad_input(void **state) {
  HwIrq none = ioapic_irq(fx.io, IOAPIC_PINS);
  assert_null(none.set);
  hw_irq_set(&none, 1);
  ioapic_set_irq(fx.io, -1, 1);
  ioapic_set_irq(fx.io, 99, 1);
  rd(0x03); /* unimplemented register: reads 0 */
  assert_int_equal(rd(0x03), 0);
  wr(0x10 + 2 * IOAPIC_PINS, 0xffffffff); /* past the last entry */
  assert_int_equal(rd(0x10 + 2 * IOAPIC_PINS), 0);
  assert_int_equal(hw_mmio_read(fx.bus, IOAPIC_BASE_ADDR + 0x20, 4), 0xffffffff);
  ioapic_set_output(fx.io, NULL, NULL); /* messages dropped */
  wr(lo(1), 0x31);
  ioapic_set_irq(fx.io, 1, 1);
  assert_int_equal(fx.nmsgs, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(test_reset_values), T(test_registers),    T(test_edge),
      T(test_level),        T(test_level_masked), T(test_bad_input),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
