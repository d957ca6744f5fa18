/* test_mc146818.c — hw/mc146818.c through ports 0x70/0x71 on a manual clock:
 * the time in BCD and binary, 24 and 12 hours, across a leap day; UIP; Linux's
 * mc146818_set_time sequence; register C's flags, read-to-clear and IRQ 8 for
 * update-ended, periodic and alarm interrupts; register D; CMOS RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw.h"
#include "mc146818.h"

enum { SEC, SEC_ALARM, MIN, MIN_ALARM, HOUR, HOUR_ALARM, WDAY, MDAY, MONTH, YEAR, REG_A, REG_B, REG_C, REG_D };
enum { CENTURY = 0x32 };
#define MS 1000000ull

typedef struct Rig {
  HwBus *bus;
  HwClock *clock;
  Mc146818 *rtc;
  int level, rises;
} Rig;

static void irq_set(void *opaque, int pin, int level) {
  Rig *r = opaque;
  assert_int_equal(pin, 8);
  if (level && !r->level)
    r->rises++;
  r->level = level;
}

static int setup(void **state) {
  Rig *r = calloc(1, sizeof(*r));
  r->bus = hw_bus_new();
  r->clock = hw_clock_new();
  hw_clock_set_manual(r->clock, true);
  r->rtc = mc146818_new(r->clock, (HwIrq){irq_set, r, 8});
  assert_true(mc146818_map(r->rtc, r->bus));
  mc146818_set_time(r->rtc, 1709251198); /* Thu 2024-02-29 23:59:58 UTC */
  *state = r;
  return 0;
}

static int teardown(void **state) {
  Rig *r = *state;
  mc146818_free(r->rtc);
  hw_clock_free(r->clock);
  hw_bus_free(r->bus);
  free(r);
  return 0;
}

static uint8_t rd(Rig *r, uint8_t reg) {
  hw_pio_write(r->bus, 0x70, reg, 1);
  return (uint8_t)hw_pio_read(r->bus, 0x71, 1);
}

static void wr(Rig *r, uint8_t reg, uint8_t v) {
  hw_pio_write(r->bus, 0x70, reg, 1);
  hw_pio_write(r->bus, 0x71, v, 1);
}

static void advance(Rig *r, uint64_t ns) {
  hw_clock_advance(r->clock, ns);
  hw_clock_run(r->clock);
}

static void expect_time(Rig *r, const uint8_t want[8]) {
  static const uint8_t regs[8] = {SEC, MIN, HOUR, WDAY, MDAY, MONTH, YEAR, CENTURY};
  for (int i = 0; i < 8; i++)
    assert_int_equal(rd(r, regs[i]), want[i]);
}

static void test_bcd_time_across_leap_day(void **state) {
  Rig *r = *state;
  assert_int_equal(rd(r, REG_A), 0x26);
  assert_int_equal(rd(r, REG_B), 0x02);
  assert_int_equal(rd(r, REG_D), 0x80);
  expect_time(r, (const uint8_t[]){0x58, 0x59, 0x23, 5, 0x29, 0x02, 0x24, 0x20});
  advance(r, 999 * MS);
  assert_int_equal(rd(r, SEC), 0x58);
  advance(r, 1 * MS);
  assert_int_equal(rd(r, SEC), 0x59);
  advance(r, 1000 * MS);
  expect_time(r, (const uint8_t[]){0x00, 0x00, 0x00, 6, 0x01, 0x03, 0x24, 0x20}); /* Fri 03-01 */
}

static void test_binary_and_12h(void **state) {
  Rig *r = *state;
  wr(r, REG_B, 0x06); /* binary, 24h */
  expect_time(r, (const uint8_t[]){58, 59, 23, 5, 29, 2, 24, 20});
  wr(r, REG_B, 0x04); /* binary, 12h: 11 PM */
  assert_int_equal(rd(r, HOUR), 0x80 | 11);
  wr(r, REG_B, 0x00); /* BCD, 12h */
  assert_int_equal(rd(r, HOUR), 0x91);
  advance(r, 2000 * MS);
  assert_int_equal(rd(r, HOUR), 0x12); /* 12 AM */
  mc146818_set_time(r->rtc, 946643400); /* Fri 1999-12-31 12:30:00: 12 PM */
  assert_int_equal(rd(r, HOUR), 0x92);
  assert_int_equal(rd(r, YEAR), 0x99);
  assert_int_equal(rd(r, CENTURY), 0x19);
  assert_int_equal(rd(r, WDAY), 6);
}

static void test_uip_window(void **state) {
  Rig *r = *state;
  /* set_time put an update cycle at this instant: UIP rises 244 us before the next. */
  advance(r, 999756000ull - 1);
  assert_int_equal(rd(r, REG_A) & 0x80, 0);
  advance(r, 1);
  assert_int_equal(rd(r, REG_A) & 0x80, 0x80);
  assert_int_equal(rd(r, SEC), 0x58); /* the old second until the update */
  advance(r, 244000);
  assert_int_equal(rd(r, REG_A) & 0x80, 0);
  assert_int_equal(rd(r, SEC), 0x59);
}

/* mc146818_set_time: SET, divider reset, the registers, then restore B and A. */
static void test_linux_set_time(void **state) {
  Rig *r = *state;
  uint8_t save_control = rd(r, REG_B);
  wr(r, REG_B, save_control | 0x80);
  uint8_t save_freq = rd(r, REG_A);
  wr(r, REG_A, save_freq | 0x70);
  advance(r, 5000 * MS); /* time stands still under SET and the divider reset */
  assert_int_equal(rd(r, SEC), 0x58);
  assert_int_equal(rd(r, REG_A) & 0x80, 0);
  wr(r, YEAR, 0x23);
  wr(r, MONTH, 0x07);
  wr(r, MDAY, 0x04);
  wr(r, HOUR, 0x01);
  wr(r, MIN, 0x02);
  wr(r, SEC, 0x03);
  wr(r, REG_B, save_control);
  wr(r, REG_A, save_freq);
  expect_time(r, (const uint8_t[]){0x03, 0x02, 0x01, 3, 0x04, 0x07, 0x23, 0x20}); /* Tue */
  advance(r, 499 * MS); /* the first update comes 500 ms after the divider restarts */
  assert_int_equal(rd(r, SEC), 0x03);
  advance(r, 1 * MS);
  assert_int_equal(rd(r, SEC), 0x04);
  /* A time register written without SET sets the clock too. */
  wr(r, MIN, 0x30);
  advance(r, 1000 * MS);
  assert_int_equal(rd(r, MIN), 0x30);
  assert_int_equal(rd(r, SEC), 0x05);
  /* SET clears UIE. */
  wr(r, REG_B, 0x92);
  assert_int_equal(rd(r, REG_B), 0x82);
}

static void test_update_interrupt(void **state) {
  Rig *r = *state;
  wr(r, REG_A, 0x20); /* no periodic flag: UF alone */
  assert_int_equal(rd(r, REG_C), 0x00);
  wr(r, REG_B, 0x12); /* UIE */
  advance(r, 999 * MS);
  assert_int_equal(r->level, 0);
  advance(r, 1 * MS);
  assert_int_equal(r->level, 1);
  assert_int_equal(r->rises, 1);
  assert_int_equal(rd(r, REG_C), 0x90);
  assert_int_equal(r->level, 0);
  assert_int_equal(rd(r, REG_C), 0x00);
  /* Flags are set whatever the enables; IRQF only with them. */
  wr(r, REG_B, 0x02);
  wr(r, REG_A, 0x26);
  advance(r, 1000 * MS);
  assert_int_equal(r->level, 0);
  /* UF, PF (1024 Hz) and AF: the alarm registers are 00:00:00, and this
   * update was midnight. */
  assert_int_equal(rd(r, REG_C), 0x70);
  /* An enable set while its flag is up raises IRQF at once. */
  advance(r, 1000 * MS);
  wr(r, REG_B, 0x12);
  assert_int_equal(r->level, 1);
  assert_int_equal(rd(r, REG_C) & 0x90, 0x90);
}

static void test_periodic_interrupt(void **state) {
  Rig *r = *state;
  wr(r, REG_A, 0x2f); /* 2 Hz: 16384 clocks */
  rd(r, REG_C);
  wr(r, REG_B, 0x42); /* PIE */
  advance(r, 499 * MS);
  assert_int_equal(r->level, 0);
  advance(r, 1 * MS);
  assert_int_equal(r->level, 1);
  assert_int_equal(rd(r, REG_C), 0xc0);
  advance(r, 500 * MS);
  assert_int_equal(rd(r, REG_C), 0xd0); /* with the update at the second */
  assert_int_equal(r->rises, 2);
  /* 1024 Hz: 32 clocks = 976562.5 ns. */
  wr(r, REG_A, 0x26);
  rd(r, REG_C);
  advance(r, 976562);
  assert_int_equal(r->level, 0);
  advance(r, 1);
  assert_int_equal(r->level, 1);
  wr(r, REG_A, 0x20); /* RS 0: no periodic flag */
  rd(r, REG_C);
  advance(r, 10 * MS);
  assert_int_equal(rd(r, REG_C), 0x00);
}

static void test_alarm_interrupt(void **state) {
  Rig *r = *state;
  wr(r, REG_A, 0x20);
  wr(r, SEC_ALARM, 0x01);
  wr(r, MIN_ALARM, 0x00);
  wr(r, HOUR_ALARM, 0x00);
  wr(r, REG_B, 0x22); /* AIE */
  rd(r, REG_C);
  advance(r, 2000 * MS); /* 00:00:00 */
  assert_int_equal(r->level, 0);
  advance(r, 1000 * MS); /* 00:00:01 */
  assert_int_equal(r->level, 1);
  assert_int_equal(rd(r, REG_C), 0xb0);
  /* Don't-care bytes (11xxxxxx): every update matches. */
  wr(r, SEC_ALARM, 0xc0);
  wr(r, MIN_ALARM, 0xff);
  wr(r, HOUR_ALARM, 0xc0);
  advance(r, 1000 * MS);
  assert_int_equal(rd(r, REG_C), 0xb0);
}

static void test_cmos_ram(void **state) {
  Rig *r = *state;
  assert_true(mc146818_set_cmos(r->rtc, 0x34, 0x12));
  assert_true(mc146818_set_cmos(r->rtc, 0x35, 0x34));
  assert_false(mc146818_set_cmos(r->rtc, REG_B, 0));
  assert_false(mc146818_set_cmos(r->rtc, 0x80, 0));
  assert_int_equal(rd(r, 0x34), 0x12);
  assert_int_equal(rd(r, 0x35), 0x34);
  wr(r, 0x7f, 0x5a);
  assert_int_equal(mc146818_cmos(r->rtc, 0x7f), 0x5a);
  assert_int_equal(hw_pio_read(r->bus, 0x70, 1), 0xff); /* the index port is write-only */
  wr(r, 0x80 | 0x34, 0x77); /* bit 7 is the NMI mask, not the index */
  assert_int_equal(rd(r, 0x34), 0x77);
  wr(r, REG_D, 0x00);
  assert_int_equal(rd(r, REG_D), 0x80);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_bcd_time_across_leap_day), T(test_binary_and_12h), T(test_uip_window),
      T(test_linux_set_time),           T(test_update_interrupt), T(test_periodic_interrupt),
      T(test_alarm_interrupt),          T(test_cmos_ram),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
