/* test_i8259.c — hw/i8259.c programmed through its ports as Linux's
 * arch/x86/kernel/i8259.c does (init_8259A, mask_and_ack_8259A, the ISR read of
 * i8259A_irq_real), then requests, priorities, EOIs and the spurious IRQs, with
 * the Intel 8259A datasheet's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw.h"
#include "i8259.h"

enum { M_CMD = 0x20, M_IMR = 0x21, S_CMD = 0xa0, S_IMR = 0xa1, ELCR0 = 0x4d0, ELCR1 = 0x4d1 };

typedef struct Rig {
  HwBus *bus;
  I8259 *pic;
  int intr;
} Rig;

static void intr_set(void *opaque, int pin, int level) { ((Rig *)opaque)->intr = level; }

static uint8_t in(Rig *r, uint16_t port) { return (uint8_t)hw_pio_read(r->bus, port, 1); }
static void out(Rig *r, uint16_t port, uint8_t v) { hw_pio_write(r->bus, port, v, 1); }

/* init_8259A(auto_eoi) with its probe, vectors 0x30 and 0x38. */
static void linux_init(Rig *r, bool auto_eoi) {
  out(r, M_IMR, 0xff);
  out(r, S_IMR, 0xff);
  out(r, M_IMR, 0xfb); /* probe: the IMR reads back */
  assert_int_equal(in(r, M_IMR), 0xfb);
  out(r, M_IMR, 0xff);
  out(r, M_CMD, 0x11);
  out(r, M_IMR, 0x30);
  out(r, M_IMR, 1 << 2);
  out(r, M_IMR, auto_eoi ? 0x03 : 0x01);
  out(r, S_CMD, 0x11);
  out(r, S_IMR, 0x38);
  out(r, S_IMR, 2);
  out(r, S_IMR, auto_eoi ? 0x03 : 0x01);
  out(r, M_IMR, 0xff);
  out(r, S_IMR, 0xff);
}

static int setup(void **state) {
  Rig *r = calloc(1, sizeof(*r));
  r->bus = hw_bus_new();
  r->pic = i8259_new((HwIrq){intr_set, r, 0});
  assert_true(i8259_map(r->pic, r->bus));
  linux_init(r, false);
  *state = r;
  return 0;
}

static int teardown(void **state) {
  Rig *r = *state;
  i8259_free(r->pic);
  hw_bus_free(r->bus);
  free(r);
  return 0;
}

static void raise(Rig *r, int n) { i8259_set_irq(r->pic, n, 1); }
static void lower(Rig *r, int n) { i8259_set_irq(r->pic, n, 0); }
static uint8_t isr(Rig *r, uint16_t cmd) {
  out(r, cmd, 0x0b);
  uint8_t v = in(r, cmd);
  out(r, cmd, 0x0a);
  return v;
}

/* mask_and_ack_8259A: dummy IMR read, IMR write, specific EOI(s). */
static void linux_eoi(Rig *r, int irq, uint8_t master_mask, uint8_t slave_mask) {
  if (irq & 8) {
    in(r, S_IMR);
    out(r, S_IMR, slave_mask);
    out(r, S_CMD, 0x60 + (irq & 7));
    out(r, M_CMD, 0x60 + 2);
  } else {
    in(r, M_IMR);
    out(r, M_IMR, master_mask);
    out(r, M_CMD, 0x60 + irq);
  }
}

static void test_request_ack_eoi(void **state) {
  Rig *r = *state;
  out(r, M_IMR, 0xe8); /* IRQ 0 1 2 4 */
  assert_int_equal(r->intr, 0);
  raise(r, 4);
  assert_int_equal(r->intr, 1);
  assert_true(i8259_has_interrupt(r->pic));
  assert_int_equal(in(r, M_CMD), 0x10); /* IRR */
  assert_int_equal(i8259_ack(r->pic), 0x34);
  assert_int_equal(r->intr, 0);
  assert_int_equal(isr(r, M_CMD), 0x10);
  assert_int_equal(in(r, M_CMD), 0x00);
  /* A higher priority IRQ nests; a lower one waits for the EOI. */
  raise(r, 0);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x30);
  assert_int_equal(isr(r, M_CMD), 0x11);
  out(r, M_IMR, 0xc8); /* and IRQ 5 */
  raise(r, 5);
  assert_int_equal(r->intr, 0);
  linux_eoi(r, 0, 0xc8, 0xff);
  assert_int_equal(r->intr, 0); /* IRQ 4 still in service */
  linux_eoi(r, 4, 0xc8, 0xff);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x35);
  /* Non-specific EOI clears the highest in-service level. */
  out(r, M_CMD, 0x20);
  assert_int_equal(isr(r, M_CMD), 0);
  /* An edge input held high interrupts once; it must fall and rise again. */
  raise(r, 4); /* still high since the first request: no edge */
  assert_false(i8259_has_interrupt(r->pic));
  lower(r, 4);
  raise(r, 4);
  raise(r, 4);
  assert_int_equal(i8259_ack(r->pic), 0x34);
  out(r, M_CMD, 0x20);
  raise(r, 4);
  assert_false(i8259_has_interrupt(r->pic));
  lower(r, 4);
  raise(r, 4);
  assert_true(i8259_has_interrupt(r->pic));
}

static void test_fixed_priority(void **state) {
  Rig *r = *state;
  out(r, M_IMR, 0x00);
  raise(r, 6);
  raise(r, 1);
  raise(r, 3);
  assert_int_equal(i8259_ack(r->pic), 0x31);
  out(r, M_CMD, 0x20);
  assert_int_equal(i8259_ack(r->pic), 0x33);
  out(r, M_CMD, 0x20);
  assert_int_equal(i8259_ack(r->pic), 0x36);
  out(r, M_CMD, 0x20);
  assert_false(i8259_has_interrupt(r->pic));
}

static void test_slave_cascade(void **state) {
  Rig *r = *state;
  out(r, M_IMR, 0xfb);
  out(r, S_IMR, 0xbf); /* IRQ 14 */
  raise(r, 14);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x3e);
  assert_int_equal(isr(r, M_CMD), 0x04);
  assert_int_equal(isr(r, S_CMD), 0x40);
  assert_int_equal(r->intr, 0);
  /* Slave requests wait behind the master's in-service IR2 until both EOIs. */
  out(r, S_IMR, 0xbe);
  raise(r, 8);
  assert_int_equal(r->intr, 0);
  linux_eoi(r, 14, 0xfb, 0xbe);
  assert_int_equal(isr(r, S_CMD), 0);
  assert_int_equal(isr(r, M_CMD), 0);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x38);
  /* A master IRQ above IR2 nests over a slave interrupt. */
  out(r, M_IMR, 0xfa);
  raise(r, 0);
  assert_int_equal(i8259_ack(r->pic), 0x30);
  assert_int_equal(isr(r, M_CMD), 0x05);
}

static void test_spurious(void **state) {
  Rig *r = *state;
  /* A level request that goes away before INTA: IRQ 7, nothing in service. */
  out(r, ELCR0, 0x20);
  out(r, M_IMR, 0xdb);
  raise(r, 5);
  assert_int_equal(r->intr, 1);
  lower(r, 5);
  assert_int_equal(r->intr, 0);
  assert_int_equal(i8259_ack(r->pic), 0x37);
  assert_int_equal(isr(r, M_CMD), 0);
  /* An edge request masked before INTA: IRQ 7 too. */
  out(r, M_IMR, 0xf3);
  raise(r, 3);
  out(r, M_IMR, 0xfb);
  assert_int_equal(i8259_ack(r->pic), 0x37);
  /* Through the slave (SCI on IRQ 9, level by ELCR): the master latched IR2's
   * edge, so the CPU still takes it; the slave answers IRQ 15, and IR2 is in
   * service on the master (Linux sends it an EOI). */
  out(r, ELCR1, 0x02);
  out(r, S_IMR, 0xfd);
  raise(r, 9);
  lower(r, 9);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x3f);
  assert_int_equal(isr(r, S_CMD), 0);
  assert_int_equal(isr(r, M_CMD), 0x04);
  /* A level request still there is delivered again after the EOI. */
  out(r, M_CMD, 0x62);
  raise(r, 9);
  assert_int_equal(i8259_ack(r->pic), 0x39);
  out(r, S_CMD, 0x61);
  out(r, M_CMD, 0x62);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x39);
}

static void test_elcr(void **state) {
  Rig *r = *state;
  out(r, ELCR0, 0xff);
  out(r, ELCR1, 0xff);
  assert_int_equal(in(r, ELCR0), 0xf8); /* IRQ 0 1 2 8 13 are always edge */
  assert_int_equal(in(r, ELCR1), 0xde);
  assert_int_equal(hw_pio_read(r->bus, ELCR0, 2), 0xdef8);
}

static void test_auto_eoi(void **state) {
  Rig *r = *state;
  linux_init(r, true);
  out(r, M_IMR, 0xfa);
  out(r, S_IMR, 0xbe);
  raise(r, 0);
  assert_int_equal(i8259_ack(r->pic), 0x30);
  assert_int_equal(isr(r, M_CMD), 0);
  /* Two slave requests: the slave's INT falls during INTA and rises again. */
  raise(r, 8);
  raise(r, 14);
  assert_int_equal(i8259_ack(r->pic), 0x38);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x3e);
  assert_int_equal(r->intr, 0);
  assert_int_equal(isr(r, S_CMD), 0);
}

static void test_rotation(void **state) {
  Rig *r = *state;
  out(r, M_IMR, 0x00);
  out(r, M_CMD, 0xc3); /* set priority: IR3 lowest, IR4 highest */
  raise(r, 1);
  raise(r, 4);
  assert_int_equal(i8259_ack(r->pic), 0x34);
  out(r, M_CMD, 0xa0); /* rotate on non-specific EOI: IR4 becomes lowest */
  raise(r, 5);
  assert_int_equal(i8259_ack(r->pic), 0x35);
  out(r, M_CMD, 0xe5); /* rotate on specific EOI 5: IR6 highest */
  raise(r, 6);
  assert_int_equal(i8259_ack(r->pic), 0x36);
  out(r, M_CMD, 0x66);
  assert_int_equal(i8259_ack(r->pic), 0x31);
}

static void test_poll_and_special_mask(void **state) {
  Rig *r = *state;
  out(r, M_IMR, 0x00);
  raise(r, 4);
  out(r, M_CMD, 0x0c); /* poll */
  assert_int_equal(in(r, M_CMD), 0x84);
  assert_int_equal(isr(r, M_CMD), 0x10);
  out(r, M_CMD, 0x0c);
  assert_int_equal(in(r, M_CMD), 0x00); /* nothing requesting */
  /* Special mask mode: masking IR4 in service lets lower IR5 through. */
  raise(r, 5);
  assert_int_equal(r->intr, 0);
  out(r, M_IMR, 0x10);
  out(r, M_CMD, 0x68);
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x35);
  out(r, M_CMD, 0x48); /* special mask off */
  out(r, M_CMD, 0x65);
  out(r, M_CMD, 0x64);
  assert_int_equal(isr(r, M_CMD), 0);
}

static void test_irq_line(void **state) {
  Rig *r = *state;
  out(r, M_IMR, 0xef);
  HwIrq line = i8259_irq(r->pic, 4);
  hw_irq_pulse(&line); /* an edge request survives the line's fall */
  assert_int_equal(r->intr, 1);
  assert_int_equal(i8259_ack(r->pic), 0x34);
  i8259_set_irq(r->pic, 16, 1); /* out of range: ignored */
  i8259_set_irq(r->pic, 2, 1);
  assert_false(i8259_has_interrupt(r->pic));
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_request_ack_eoi), T(test_fixed_priority), T(test_slave_cascade),
      T(test_spurious),        T(test_elcr),           T(test_auto_eoi),
      T(test_rotation),        T(test_poll_and_special_mask), T(test_irq_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
