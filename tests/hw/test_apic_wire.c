/* test_apic_wire.c — the IOAPIC and the LAPIC wired as the machine wires them
 * (hw/apic_wire.c), programmed as Linux programs them on one CPU: flat logical
 * destinations, a level-triggered device line whose EOI broadcast re-delivers it
 * while still asserted, an edge line whose EOI goes nowhere, destinations that
 * miss, masked pins, ExtINT and NMI entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apic_wire.h"
#include "hw.h"

#define LEVEL 0x8000u
#define MASKED 0x10000u
#define LOGICAL 0x800u
#define REMOTE_IRR 0x4000u

static HwClock *clock_;
static HwBus *bus;
static Lapic *l;
static Ioapic *io;

static uint32_t lapic_rd(uint32_t off) {
  return (uint32_t)hw_mmio_read(bus, LAPIC_BASE_ADDR + off, 4);
}
static void lapic_wr(uint32_t off, uint32_t v) { hw_mmio_write(bus, LAPIC_BASE_ADDR + off, v, 4); }
static bool tmr_has(int v) { return (lapic_rd(0x180 + 0x10 * (v / 32)) >> (v % 32)) & 1; }

static uint32_t io_rd(unsigned reg) {
  hw_mmio_write(bus, IOAPIC_BASE_ADDR, reg, 4);
  return (uint32_t)hw_mmio_read(bus, IOAPIC_BASE_ADDR + 0x10, 4);
}
static void io_wr(unsigned reg, uint32_t v) {
  hw_mmio_write(bus, IOAPIC_BASE_ADDR, reg, 4);
  hw_mmio_write(bus, IOAPIC_BASE_ADDR + 0x10, v, 4);
}
static void route(int pin, uint32_t low, uint8_t dest) {
  io_wr(0x11 + 2 * (unsigned)pin, (uint32_t)dest << 24);
  io_wr(0x10 + 2 * (unsigned)pin, low);
}

static int setup(void **state) {
  clock_ = hw_clock_new();
  hw_clock_set_manual(clock_, true);
  bus = hw_bus_new();
  l = lapic_new(clock_);
  io = ioapic_new(0);
  assert_true(lapic_map(l, bus));
  assert_true(ioapic_map(io, bus));
  apic_wire(io, l);
  /* Linux on one CPU: flat logical mode, CPU 0 is bit 0, enabled, TPR 0. */
  lapic_wr(0x0e0, 0xffffffff);
  lapic_wr(0x0d0, 0x01000000);
  lapic_wr(0x0f0, 0x1ff);
  lapic_wr(0x350, MASKED | 0x700); /* LINT0: the i8259 is not used */
  return 0;
}

static int teardown(void **state) {
  ioapic_free(io);
  lapic_free(l);
  hw_bus_free(bus);
  hw_clock_free(clock_);
  return 0;
}

static void test_level_redelivery(void **state) {
  HwIrq disk = ioapic_irq(io, 16);
  route(16, 0x61 | LEVEL | LOGICAL, 0x01);
  hw_irq_set(&disk, 1);
  assert_true(lapic_irq_pending(l));
  assert_int_equal(lapic_irq_ack(l), 0x61);
  assert_true(tmr_has(0x61));
  assert_true(io_rd(0x30) & REMOTE_IRR);
  assert_false(lapic_irq_pending(l)); /* remote IRR holds the line back */
  lapic_wr(0x0b0, 0); /* EOI: broadcast, the line is still asserted: again */
  assert_true(lapic_irq_pending(l));
  assert_true(io_rd(0x30) & REMOTE_IRR);
  assert_int_equal(lapic_irq_ack(l), 0x61);
  hw_irq_set(&disk, 0); /* the handler quiets the device */
  lapic_wr(0x0b0, 0);
  assert_false(lapic_irq_pending(l));
  assert_int_equal(io_rd(0x30) & REMOTE_IRR, 0);
}

static void test_edge_and_nesting(void **state) {
  HwIrq pit = ioapic_irq(io, 2), disk = ioapic_irq(io, 16);
  route(2, 0x30 | LOGICAL, 0x01);
  route(16, 0x61 | LEVEL | LOGICAL, 0x01);
  hw_irq_set(&disk, 1);
  assert_int_equal(lapic_irq_ack(l), 0x61);
  hw_irq_pulse(&pit); /* class 3 below the class 6 in service: waits */
  assert_false(lapic_irq_pending(l));
  lapic_wr(0x0b0, 0); /* EOI 0x61: re-delivered, still asserted */
  assert_int_equal(lapic_irq_ack(l), 0x61);
  hw_irq_set(&disk, 0);
  lapic_wr(0x0b0, 0);
  assert_int_equal(lapic_irq_ack(l), 0x30);
  assert_false(tmr_has(0x30));
  lapic_wr(0x0b0, 0); /* edge: the IOAPIC hears nothing */
  assert_false(lapic_irq_pending(l));
  assert_int_equal(io_rd(0x30) & REMOTE_IRR, 0);
}

static void test_destination_and_mask(void **state) {
  HwIrq a = ioapic_irq(io, 5), b = ioapic_irq(io, 6), c = ioapic_irq(io, 7);
  route(5, 0x35 | LOGICAL, 0x02); /* logical CPU 1: nobody */
  route(6, 0x36, 0x01);           /* physical APIC 1: nobody */
  route(7, 0x37 | MASKED, 0x00);  /* physical APIC 0, masked */
  hw_irq_pulse(&a);
  hw_irq_pulse(&b);
  hw_irq_pulse(&c);
  assert_false(lapic_irq_pending(l));
  route(7, 0x37, 0x00);
  hw_irq_pulse(&c);
  assert_int_equal(lapic_irq_ack(l), 0x37);
}

static void test_extint_and_nmi(void **state) {
  HwIrq pic = ioapic_irq(io, 0), nmi = ioapic_irq(io, 3);
  route(0, 0x700 | LOGICAL, 0xff); /* ExtINT: the i8259 through the IOAPIC */
  route(3, 0x400, 0x00);           /* NMI */
  hw_irq_pulse(&pic);
  assert_true(lapic_irq_pending(l));
  assert_int_equal(lapic_irq_ack(l), LAPIC_ACK_EXTINT);
  assert_false(lapic_irq_pending(l));
  hw_irq_pulse(&nmi);
  assert_true(lapic_nmi_pending(l));
  assert_false(lapic_irq_pending(l));
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(test_level_redelivery),
      T(test_edge_and_nesting),
      T(test_destination_and_mask),
      T(test_extint_and_nmi),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
