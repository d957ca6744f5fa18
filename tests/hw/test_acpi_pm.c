/* test_acpi_pm.c — hw/acpi_pm.c through its ports as ACPICA drives them:
 * the mode check (SCI_EN), the S5 sequence of acpi_hw_legacy_sleep, the power
 * button event with its SCI, the PM timer's rate and TMR_STS on a manual clock,
 * and the reset register. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "acpi_pm.h"
#include "hw.h"

typedef struct Rig {
  HwBus *bus;
  HwClock *clock;
  AcpiPm *pm;
  int sci, sleeps, slp_typ, resets;
} Rig;

static void sci_set(void *opaque, int pin, int level) {
  assert_int_equal(pin, ACPI_SCI_IRQ);
  ((Rig *)opaque)->sci = level;
}
static void sleep_cb(void *ctx, int typ) {
  Rig *r = ctx;
  r->sleeps++;
  r->slp_typ = typ;
}
static void reset_cb(void *ctx) { ((Rig *)ctx)->resets++; }

static int setup(void **state) {
  Rig *r = calloc(1, sizeof(*r));
  r->bus = hw_bus_new();
  r->clock = hw_clock_new();
  hw_clock_set_manual(r->clock, true);
  r->pm = acpi_pm_new(r->clock, (HwIrq){sci_set, r, ACPI_SCI_IRQ}, sleep_cb, reset_cb, r);
  assert_true(acpi_pm_map(r->pm, r->bus));
  *state = r;
  return 0;
}

static int teardown(void **state) {
  Rig *r = *state;
  acpi_pm_free(r->pm);
  hw_clock_free(r->clock);
  hw_bus_free(r->bus);
  free(r);
  return 0;
}

static uint64_t in(Rig *r, uint16_t port, unsigned size) { return hw_pio_read(r->bus, port, size); }
static void out(Rig *r, uint16_t port, uint64_t v, unsigned size) { hw_pio_write(r->bus, port, v, size); }

enum { STS = ACPI_PM1A_EVT, EN = ACPI_PM1A_EVT + 2, CNT = ACPI_PM1A_CNT, TMR = ACPI_PM_TMR };

static void test_acpi_mode_and_s5(void **state) {
  Rig *r = *state;
  assert_int_equal(in(r, CNT, 2) & 1, 1); /* SCI_EN: already in ACPI mode */
  out(r, CNT, 0, 2);
  assert_int_equal(in(r, CNT, 2), 0x0001); /* SCI_EN cannot be cleared */
  /* acpi_hw_legacy_sleep(S5), _S5 = {5, 5}: clear WAK_STS and all status,
   * write SLP_TYP, then SLP_TYP | SLP_EN. */
  out(r, STS, 0x8000, 2);
  out(r, STS, 0xffff, 2);
  uint16_t cnt = (uint16_t)in(r, CNT, 2);
  cnt &= (uint16_t)~(0x1c00 | 0x2000);
  cnt |= 5 << 10;
  out(r, CNT, cnt, 2);
  assert_int_equal(r->sleeps, 0);
  out(r, CNT, cnt | 0x2000, 2);
  assert_int_equal(r->sleeps, 1);
  assert_int_equal(r->slp_typ, 5);
  assert_int_equal(in(r, CNT, 2), 0x1401); /* SLP_TYP kept, SLP_EN reads 0 */
  /* A byte write of the high half carries SLP_TYP and SLP_EN together. */
  out(r, CNT + 1, (5 << 2) | 0x20, 1);
  assert_int_equal(r->sleeps, 2);
  assert_int_equal(r->slp_typ, 5);
  out(r, CNT, 0x0001, 1); /* the low byte alone: no sleep */
  assert_int_equal(r->sleeps, 2);
}

static void test_power_button(void **state) {
  Rig *r = *state;
  acpi_pm_power_button(r->pm);
  assert_int_equal(in(r, STS, 2), 0x0100);
  assert_int_equal(r->sci, 0); /* not enabled */
  out(r, EN, 0x0100, 2);
  assert_int_equal(in(r, EN, 2), 0x0100);
  assert_int_equal(r->sci, 1);
  out(r, STS, 0x0001, 2); /* a one elsewhere clears nothing of it */
  assert_int_equal(r->sci, 1);
  out(r, STS + 1, 0x01, 1); /* write one to clear, by byte */
  assert_int_equal(in(r, STS, 2), 0x0000);
  assert_int_equal(r->sci, 0);
  acpi_pm_power_button(r->pm);
  assert_int_equal(r->sci, 1);
  out(r, EN, 0x0000, 2); /* disabling the event drops SCI, the status stays */
  assert_int_equal(r->sci, 0);
  assert_int_equal(in(r, STS, 2), 0x0100);
  out(r, EN, 0xffff, 2); /* only the defined enables stick */
  assert_int_equal(in(r, EN, 2), 0x0721);
}

static uint32_t expected_tmr(Rig *r) {
  return (uint32_t)((unsigned __int128)hw_clock_ns(r->clock) * ACPI_PM_TMR_HZ / 1000000000u);
}

static void test_pm_timer(void **state) {
  Rig *r = *state;
  uint32_t t0 = (uint32_t)in(r, TMR, 4);
  assert_int_equal(t0, expected_tmr(r));
  hw_clock_advance(r->clock, 1000000000u);
  assert_int_equal((uint32_t)in(r, TMR, 4) - t0, ACPI_PM_TMR_HZ); /* 3.579545 MHz */
  hw_clock_advance(r->clock, 1234567);
  assert_int_equal((uint32_t)in(r, TMR, 4), expected_tmr(r));
  /* A 16-bit read of the high half is the same counter. */
  assert_int_equal(in(r, TMR + 2, 2), expected_tmr(r) >> 16);
  assert_int_equal(in(r, 0x606, 2), 0xffff);
  out(r, TMR, 0, 4); /* read-only */
  assert_int_equal((uint32_t)in(r, TMR, 4), expected_tmr(r));
}

static void test_timer_status(void **state) {
  Rig *r = *state;
  out(r, STS, 0xffff, 2);
  out(r, EN, 0x0001, 2); /* TMR_EN */
  uint64_t deadline = hw_clock_run(r->clock);
  uint64_t tick = ((uint64_t)expected_tmr(r) >> 31) + 1;
  uint64_t toggle = (uint64_t)(((unsigned __int128)(tick << 31) * 1000000000u + ACPI_PM_TMR_HZ - 1) /
                               ACPI_PM_TMR_HZ);
  /* The clock started at (about) machine time 0, so bit 31 first toggles
   * after 2^31 ticks, some 600 s. */
  assert_int_equal(deadline, toggle);
  hw_clock_advance(r->clock, deadline - hw_clock_ns(r->clock) - 1);
  hw_clock_run(r->clock);
  assert_int_equal(r->sci, 0);
  hw_clock_advance(r->clock, 1);
  hw_clock_run(r->clock);
  assert_int_equal(r->sci, 1);
  assert_int_equal(in(r, STS, 2) & 1, 1);
  assert_int_equal(in(r, TMR, 4) >> 31, tick & 1);
  out(r, STS, 0x0001, 2);
  assert_int_equal(r->sci, 0);
}

static void test_reset_register(void **state) {
  Rig *r = *state;
  out(r, ACPI_RESET_PORT, 0x02, 1);
  assert_int_equal(r->resets, 0);
  assert_int_equal(in(r, ACPI_RESET_PORT, 1), 0x02);
  out(r, ACPI_RESET_PORT, 0x06, 1);
  assert_int_equal(r->resets, 1);
  out(r, ACPI_RESET_PORT, 0x0e, 1);
  assert_int_equal(r->resets, 2);
  assert_int_equal(in(r, ACPI_RESET_PORT, 1), 0x0a); /* RST_CPU reads 0 */
  /* Linux's PCI type 1 probe writes a dword at 0xcf8: 0xcf9 gets 0, no reset,
   * and the dword does not read back (no PCI). */
  out(r, 0xcf8, 0x80000000u, 4);
  assert_int_equal(r->resets, 2);
  assert_int_not_equal(in(r, 0xcf8, 4), 0x80000000u);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_acpi_mode_and_s5), T(test_power_button), T(test_pm_timer),
      T(test_timer_status),     T(test_reset_register),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
