/* test_i8042.c — hw/i8042.c driven as Linux's i8042 driver (self-test, CTR
 * read/write, interface tests, the AUX loopback) and atkbd (reset, get ID,
 * LEDs, scancode set) drive it, and the reset paths (0xfe, the output port). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw.h"
#include "i8042.h"

enum { DATA = 0x60, CMD = 0x64 };

typedef struct Rig {
  HwBus *bus;
  I8042 *kbc;
  int kbd_level, kbd_rises, aux_level, resets;
} Rig;

static void irq_set(void *opaque, int pin, int level) {
  Rig *r = opaque;
  if (pin == 1) {
    r->kbd_rises += level && !r->kbd_level;
    r->kbd_level = level;
  } else {
    assert_int_equal(pin, 12);
    r->aux_level = level;
  }
}

static void reset_cb(void *ctx) { ((Rig *)ctx)->resets++; }

static int setup(void **state) {
  Rig *r = calloc(1, sizeof(*r));
  r->bus = hw_bus_new();
  r->kbc = i8042_new((HwIrq){irq_set, r, 1}, (HwIrq){irq_set, r, 12}, reset_cb, r);
  assert_true(i8042_map(r->kbc, r->bus));
  *state = r;
  return 0;
}

static int teardown(void **state) {
  Rig *r = *state;
  i8042_free(r->kbc);
  hw_bus_free(r->bus);
  free(r);
  return 0;
}

static uint8_t in(Rig *r, uint16_t port) { return (uint8_t)hw_pio_read(r->bus, port, 1); }
static void out(Rig *r, uint16_t port, uint8_t v) { hw_pio_write(r->bus, port, v, 1); }

/* i8042_command: write the command (and its parameter), read each answer
 * after OBF. */
static uint8_t answer(Rig *r) {
  assert_int_equal(in(r, CMD) & 0x01, 0x01);
  return in(r, DATA);
}

static void test_controller_probe(void **state) {
  Rig *r = *state;
  assert_int_equal(in(r, CMD), 0x14); /* unlocked, system flag, buffers empty */
  out(r, CMD, 0xaa);
  assert_int_equal(in(r, CMD), 0x1d); /* OBF, and the last write was a command */
  assert_int_equal(in(r, DATA), 0x55);
  assert_int_equal(in(r, CMD) & 0x01, 0);
  out(r, CMD, 0x20);
  uint8_t ctr = answer(r);
  assert_int_equal(ctr, 0x45);
  /* i8042_controller_init: interrupts off, both ports disabled. */
  out(r, CMD, 0x60);
  out(r, DATA, (ctr & ~0x03) | 0x30);
  out(r, CMD, 0x20);
  assert_int_equal(answer(r), 0x74);
  out(r, CMD, 0xab);
  assert_int_equal(answer(r), 0x00);
  out(r, CMD, 0xa9);
  assert_int_equal(answer(r), 0x00);
  /* i8042_check_aux: the loopback returns the byte as AUX data. */
  out(r, CMD, 0xd3);
  out(r, DATA, 0x5a);
  assert_int_equal(in(r, CMD) & 0x21, 0x21);
  assert_int_equal(in(r, DATA), 0x5a);
  /* Port enables are CTR bits 4 (keyboard) and 5 (aux). */
  out(r, CMD, 0xa8);
  out(r, CMD, 0xae);
  out(r, CMD, 0x20);
  assert_int_equal(answer(r), 0x44);
  out(r, CMD, 0xa7);
  out(r, CMD, 0xad);
  out(r, CMD, 0x20);
  assert_int_equal(answer(r), 0x74);
  /* Nothing on the aux port: a write to it times out. */
  out(r, CMD, 0xd4);
  out(r, DATA, 0xf2);
  assert_int_equal(in(r, CMD) & 0x61, 0x61);
  assert_int_equal(in(r, DATA), 0xfe);
  assert_int_equal(in(r, DATA), 0xfe); /* an empty buffer reads the last byte */
}

static void test_keyboard_commands(void **state) {
  Rig *r = *state;
  out(r, DATA, 0xff); /* reset: ACK, then BAT passed */
  assert_int_equal(answer(r), 0xfa);
  assert_int_equal(answer(r), 0xaa);
  out(r, DATA, 0xf2); /* get ID */
  assert_int_equal(answer(r), 0xfa);
  assert_int_equal(answer(r), 0xab);
  assert_int_equal(answer(r), 0x83);
  out(r, DATA, 0xed); /* LEDs and their argument: ACK each */
  assert_int_equal(answer(r), 0xfa);
  out(r, DATA, 0x07);
  assert_int_equal(answer(r), 0xfa);
  out(r, DATA, 0xf0); /* get scancode set */
  out(r, DATA, 0x00);
  assert_int_equal(answer(r), 0xfa);
  assert_int_equal(answer(r), 0xfa);
  assert_int_equal(answer(r), 0x02);
  out(r, DATA, 0xf4);
  assert_int_equal(answer(r), 0xfa);
  out(r, DATA, 0xee);
  assert_int_equal(answer(r), 0xee);
  out(r, DATA, 0x12); /* not a command */
  assert_int_equal(answer(r), 0xfe);
  assert_int_equal(in(r, CMD) & 0x01, 0);
}

static void test_keyboard_irq(void **state) {
  Rig *r = *state;
  assert_int_equal(r->kbd_level, 0);
  out(r, DATA, 0xff);
  assert_int_equal(r->kbd_level, 1); /* CTR bit 0 is set */
  assert_int_equal(r->kbd_rises, 1);
  in(r, DATA);
  assert_int_equal(r->kbd_rises, 2); /* the second byte is a new edge */
  in(r, DATA);
  assert_int_equal(r->kbd_level, 0);
  /* The aux loopback byte goes to IRQ 12, when CTR bit 1 enables it. */
  out(r, CMD, 0xd3);
  out(r, DATA, 0x11);
  assert_int_equal(r->aux_level, 0);
  in(r, DATA);
  out(r, CMD, 0x60);
  out(r, DATA, 0x47);
  out(r, CMD, 0xd3);
  out(r, DATA, 0x11);
  assert_int_equal(r->aux_level, 1);
  assert_int_equal(r->kbd_level, 0);
  in(r, DATA);
  assert_int_equal(r->aux_level, 0);
}

static void test_reset(void **state) {
  Rig *r = *state;
  out(r, CMD, 0xd0);
  assert_int_equal(answer(r), 0x03); /* not in reset, A20 on */
  out(r, CMD, 0xd1);
  out(r, DATA, 0x03);
  assert_int_equal(r->resets, 0);
  out(r, CMD, 0xff); /* pulse nothing */
  assert_int_equal(r->resets, 0);
  out(r, CMD, 0xfe);
  assert_int_equal(r->resets, 1);
  out(r, CMD, 0xd1);
  out(r, DATA, 0x02); /* bit 0 clear: reset */
  assert_int_equal(r->resets, 2);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_controller_probe), T(test_keyboard_commands), T(test_keyboard_irq), T(test_reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
