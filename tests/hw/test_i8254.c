/* test_i8254.c — hw/i8254.c on a manual clock, programmed as Linux does:
 * the i8253 clockevent (mode 2 periodic 0x34, mode 4 one-shot 0x38), the TSC
 * calibration through channel 2 and port 0x61 (mode 0, 0xb0), plus latches,
 * read-back, BCD, the access modes, gates and modes 1 and 3. Time is counted
 * in PIT ticks: tick k happens at ceil(k * 1e9 / 1193182) ns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hw.h"
#include "i8254.h"

typedef struct Rig {
  HwBus *bus;
  HwClock *clock;
  I8254 *pit;
  int level, rises;
} Rig;

static void irq_set(void *opaque, int pin, int level) {
  Rig *r = opaque;
  if (level && !r->level)
    r->rises++;
  r->level = level;
}

static uint64_t ns_of_tick(uint64_t k) {
  return (uint64_t)(((unsigned __int128)k * 1000000000u + I8254_HZ - 1) / I8254_HZ);
}

static uint64_t cur_tick(Rig *r) {
  return (uint64_t)((unsigned __int128)hw_clock_ns(r->clock) * I8254_HZ / 1000000000u);
}

/* Move the clock to tick k exactly and run the timers. */
static void to_tick(Rig *r, uint64_t k) {
  hw_clock_advance(r->clock, ns_of_tick(k) - hw_clock_ns(r->clock));
  assert_int_equal(cur_tick(r), k);
  hw_clock_run(r->clock);
}

static int setup(void **state) {
  Rig *r = calloc(1, sizeof(*r));
  r->bus = hw_bus_new();
  r->clock = hw_clock_new();
  hw_clock_set_manual(r->clock, true);
  r->pit = i8254_new(r->clock, (HwIrq){irq_set, r, 0});
  assert_true(i8254_map(r->pit, r->bus));
  to_tick(r, cur_tick(r) + 1); /* start on a tick boundary */
  *state = r;
  return 0;
}

static int teardown(void **state) {
  Rig *r = *state;
  i8254_free(r->pit);
  hw_clock_free(r->clock);
  hw_bus_free(r->bus);
  free(r);
  return 0;
}

static uint8_t in(Rig *r, uint16_t port) { return (uint8_t)hw_pio_read(r->bus, port, 1); }
static void out(Rig *r, uint16_t port, uint8_t v) { hw_pio_write(r->bus, port, v, 1); }

static void load16(Rig *r, uint16_t port, uint16_t n) {
  out(r, port, n & 0xff);
  out(r, port, n >> 8);
}

static uint16_t read16(Rig *r, uint16_t port) {
  uint8_t lo = in(r, port);
  return (uint16_t)(lo | in(r, port) << 8);
}

/* Counter latch command, then LSB and MSB. */
static uint16_t latched(Rig *r, int ch) {
  out(r, 0x43, (uint8_t)(ch << 6));
  return read16(r, (uint16_t)(0x40 + ch));
}

/* pit_set_periodic with HZ=250: LATCH = (1193182 + 125) / 250. */
static void test_mode2_periodic_irq(void **state) {
  Rig *r = *state;
  const uint16_t latch = 4773;
  out(r, 0x43, 0x34);
  uint64_t t0 = cur_tick(r);
  load16(r, 0x40, latch);
  assert_int_equal(r->level, 1); /* OUT high in mode 2 */
  int rises = r->rises;
  assert_int_equal(hw_clock_run(r->clock), ns_of_tick(t0 + latch));
  assert_int_equal(latched(r, 0), latch);
  to_tick(r, t0 + 1);
  assert_int_equal(latched(r, 0), latch - 1);
  to_tick(r, t0 + latch - 1); /* count 1: OUT low for one clock */
  assert_int_equal(latched(r, 0), 1);
  assert_false(i8254_out(r->pit, 0));
  assert_int_equal(r->rises, rises);
  to_tick(r, t0 + latch); /* reload: OUT rises, the interrupt */
  assert_int_equal(r->rises, rises + 1);
  assert_int_equal(r->level, 1);
  assert_int_equal(latched(r, 0), latch);
  to_tick(r, t0 + 2 * latch);
  assert_int_equal(r->rises, rises + 2);
  /* Ten periods the machine did not look at fold into one interrupt. */
  to_tick(r, t0 + 12 * latch + 7);
  assert_int_equal(r->rises, rises + 3);
  assert_int_equal(latched(r, 0), latch - 7);
  assert_int_equal(hw_clock_run(r->clock), ns_of_tick(t0 + 13 * latch));
  /* clockevent shutdown: mode 0 with count 0 (65536). */
  out(r, 0x43, 0x30);
  assert_int_equal(r->level, 0);
  load16(r, 0x40, 0);
  assert_int_equal(latched(r, 0), 0);
  to_tick(r, cur_tick(r) + 1);
  assert_int_equal(latched(r, 0), 0xffff);
}

/* pit_set_oneshot + pit_next_event: mode 4, a strobe N+1 clocks later. */
static void test_mode4_oneshot(void **state) {
  Rig *r = *state;
  out(r, 0x43, 0x38);
  uint64_t t0 = cur_tick(r);
  load16(r, 0x40, 100);
  int rises = r->rises;
  to_tick(r, t0 + 99);
  assert_true(i8254_out(r->pit, 0));
  to_tick(r, t0 + 100); /* count 0: the strobe */
  assert_false(i8254_out(r->pit, 0));
  assert_int_equal(latched(r, 0), 0);
  to_tick(r, t0 + 101);
  assert_int_equal(r->rises, rises + 1);
  assert_true(i8254_out(r->pit, 0));
  assert_int_equal(latched(r, 0), 0xffff); /* counting on, no more strobes */
  to_tick(r, t0 + 70000);
  assert_int_equal(r->rises, rises + 1);
  assert_int_equal(hw_clock_run(r->clock), UINT64_MAX);
}

/* pit_calibrate_tsc: channel 2, gate on through port 0x61, mode 0, poll OUT2. */
static void test_mode0_channel2_port61(void **state) {
  Rig *r = *state;
  assert_int_equal(in(r, 0x61) & 0x21, 0x00); /* gate low, OUT2 low (not programmed: mode 0) */
  out(r, 0x61, (in(r, 0x61) & ~0x02) | 0x01);
  assert_int_equal(in(r, 0x61) & 0x0f, 0x01);
  out(r, 0x43, 0xb0);
  const uint16_t latch = 1193182 / 20; /* 50 ms */
  uint64_t t0 = cur_tick(r);
  load16(r, 0x42, latch);
  assert_int_equal(in(r, 0x61) & 0x20, 0);
  to_tick(r, t0 + latch - 1);
  assert_int_equal(in(r, 0x61) & 0x20, 0);
  assert_int_equal(latched(r, 2), 1);
  to_tick(r, t0 + latch);
  assert_int_equal(in(r, 0x61) & 0x20, 0x20);
  assert_int_equal(latched(r, 2), 0);
  to_tick(r, t0 + latch + 5);
  assert_int_equal(latched(r, 2), 0xfffb); /* mode 0 counts on through zero */
  assert_int_equal(in(r, 0x61) & 0x20, 0x20);
  assert_int_equal(r->rises, 0); /* channel 2 is not wired to IRQ 0 */

  /* The gate pauses mode 0; writing the LSB of a new count drops OUT. */
  out(r, 0x43, 0xb0);
  uint64_t t1 = cur_tick(r);
  load16(r, 0x42, 1000);
  to_tick(r, t1 + 100);
  out(r, 0x61, 0x00);
  to_tick(r, t1 + 500);
  assert_int_equal(latched(r, 2), 900);
  out(r, 0x61, 0x01);
  to_tick(r, t1 + 600);
  assert_int_equal(latched(r, 2), 800);
  to_tick(r, t1 + 1400);
  assert_int_equal(in(r, 0x61) & 0x20, 0x20);
  out(r, 0x42, 0x10);
  assert_int_equal(in(r, 0x61) & 0x20, 0);
}

/* quick_pit_calibrate: mode 0 from 0xffff, the MSB read (LSB read first and
 * dropped) steps down once every 256 clocks. */
static void test_quick_calibrate_msb(void **state) {
  Rig *r = *state;
  out(r, 0x61, (in(r, 0x61) & ~0x02) | 0x01);
  out(r, 0x43, 0xb0);
  uint64_t t0 = cur_tick(r);
  out(r, 0x42, 0xff);
  out(r, 0x42, 0xff);
  for (int i = 0; i < 4; i++) {
    to_tick(r, t0 + 256u * i + 1);
    in(r, 0x42);
    assert_int_equal(in(r, 0x42), 0xff - i);
    to_tick(r, t0 + 256u * i + 255); /* count 0x..00 */
    in(r, 0x42);
    assert_int_equal(in(r, 0x42), 0xff - i);
    to_tick(r, t0 + 256u * i + 256);
    in(r, 0x42);
    assert_int_equal(in(r, 0x42), 0xfe - i);
  }
}

static void test_readback_and_latch(void **state) {
  Rig *r = *state;
  out(r, 0x43, 0x34);
  /* Status right after the control word: OUT high, null count, lsb/msb, mode 2. */
  out(r, 0x43, 0xe2); /* read-back status only (bit 5 set), channel 0 */
  assert_int_equal(in(r, 0x40), 0xc0 | 0x34);
  uint64_t t0 = cur_tick(r);
  load16(r, 0x40, 1000);
  to_tick(r, t0 + 10);
  out(r, 0x43, 0xc2); /* count and status */
  to_tick(r, t0 + 20);
  assert_int_equal(in(r, 0x40), 0x80 | 0x34); /* status first: count loaded */
  assert_int_equal(in(r, 0x40), (1000 - 10) & 0xff);
  assert_int_equal(in(r, 0x40), (1000 - 10) >> 8);
  /* Counter latch: the value holds while time runs; a second latch before the
   * read is ignored. */
  out(r, 0x43, 0x00);
  to_tick(r, t0 + 30);
  out(r, 0x43, 0x00);
  assert_int_equal(in(r, 0x40), (1000 - 20) & 0xff);
  assert_int_equal(in(r, 0x40), (1000 - 20) >> 8);
  /* Unlatched lsb/msb reads alternate. */
  assert_int_equal(in(r, 0x40), (1000 - 30) & 0xff);
  assert_int_equal(in(r, 0x40), (1000 - 30) >> 8);
  /* Read-back of two channels: 0xda latches the counts of channels 0 and 2. */
  out(r, 0x43, 0xb0);
  load16(r, 0x42, 0x1234);
  out(r, 0x43, 0xd8 | 0x02);
  to_tick(r, t0 + 40);
  assert_int_equal(read16(r, 0x42), 0x1234);
  assert_int_equal(read16(r, 0x40), 1000 - 30);
  /* Mode 0 status after its control word: OUT low, null count. */
  out(r, 0x43, 0x30);
  out(r, 0x43, 0xe2);
  assert_int_equal(in(r, 0x40), 0x70);
  assert_int_equal(in(r, 0x43), 0xff); /* the control register is write-only */
}

static void test_access_modes_and_bcd(void **state) {
  Rig *r = *state;
  uint64_t t0 = cur_tick(r);
  out(r, 0x43, 0x10); /* LSB only, mode 0 */
  out(r, 0x40, 0x20);
  to_tick(r, t0 + 1);
  assert_int_equal(in(r, 0x40), 0x1f);
  assert_int_equal(in(r, 0x40), 0x1f);
  out(r, 0x43, 0x24); /* MSB only, mode 2 */
  out(r, 0x40, 0x01);  /* N = 0x100 */
  to_tick(r, t0 + 2);
  assert_int_equal(in(r, 0x40), 0x00); /* 0x100 - 1 = 0xff: MSB 0 */
  out(r, 0x43, 0x31); /* BCD, mode 0 */
  load16(r, 0x40, 0x1000); /* 1000 decimal */
  to_tick(r, t0 + 3);
  assert_int_equal(latched(r, 0), 0x0999);
  load16(r, 0x40, 0x0000); /* 0 is 10000 in BCD */
  to_tick(r, t0 + 5);
  assert_int_equal(latched(r, 0), 0x9998);
}

static void test_mode3_square_wave(void **state) {
  Rig *r = *state;
  out(r, 0x43, 0x36);
  uint64_t t0 = cur_tick(r);
  load16(r, 0x40, 10);
  int rises = r->rises;
  static const uint8_t counts[10] = {10, 8, 6, 4, 2, 10, 8, 6, 4, 2};
  for (int d = 0; d < 10; d++) {
    to_tick(r, t0 + d);
    assert_int_equal(latched(r, 0), counts[d]);
    assert_int_equal(r->level, d < 5);
  }
  to_tick(r, t0 + 10);
  assert_int_equal(r->level, 1);
  assert_int_equal(r->rises, rises + 1);
  to_tick(r, t0 + 15);
  assert_int_equal(r->level, 0);
}

/* Mode 1 waits for a rising gate edge; OUT is low while the one-shot runs. */
static void test_mode1_gate_trigger(void **state) {
  Rig *r = *state;
  out(r, 0x43, 0xb2);
  load16(r, 0x42, 50);
  uint64_t t0 = cur_tick(r);
  to_tick(r, t0 + 10);
  assert_int_equal(in(r, 0x61) & 0x20, 0x20);
  out(r, 0x61, 0x01); /* trigger */
  assert_int_equal(in(r, 0x61) & 0x20, 0);
  to_tick(r, t0 + 59);
  assert_int_equal(in(r, 0x61) & 0x20, 0);
  assert_int_equal(latched(r, 2), 1);
  to_tick(r, t0 + 60);
  assert_int_equal(in(r, 0x61) & 0x20, 0x20);
  out(r, 0x61, 0x00);
  out(r, 0x61, 0x01); /* retrigger */
  assert_int_equal(in(r, 0x61) & 0x20, 0);
  assert_int_equal(latched(r, 2), 50);
}

static void test_refresh_toggle(void **state) {
  Rig *r = *state;
  uint8_t a = in(r, 0x61) & 0x10;
  hw_clock_advance(r->clock, 15085);
  uint8_t b = in(r, 0x61) & 0x10;
  assert_int_not_equal(a, b);
  out(r, 0x61, 0xf2); /* only bits 0-3 are kept: speaker data */
  assert_int_equal(in(r, 0x61) & 0xcf, 0x02);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_mode2_periodic_irq),    T(test_mode4_oneshot),
      T(test_mode0_channel2_port61), T(test_quick_calibrate_msb),
      T(test_readback_and_latch),    T(test_access_modes_and_bcd),
      T(test_mode3_square_wave),     T(test_mode1_gate_trigger),
      T(test_refresh_toggle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
