/* acpi_pm.c — ACPI fixed hardware (ACPI spec 4.8): PM1 status/enable with
 * write-one-to-clear status bits, PM1 control (SCI_EN is always 1: there is
 * no SMI mode to leave; SLP_EN puts the machine to sleep), the 3.579545 MHz
 * 32-bit PM timer with TMR_STS on each toggle of bit 31, and the PIIX-style
 * reset control register at 0xcf9. SCI is the level of enabled status bits. */
#include "acpi_pm.h"

#include <stdlib.h>

enum { /* PM1 status / enable bits */
  PM1_TMR = 1u << 0, PM1_BM = 1u << 4, PM1_GBL = 1u << 5, PM1_PWRBTN = 1u << 8,
  PM1_SLPBTN = 1u << 9, PM1_RTC = 1u << 10, PM1_WAK = 1u << 15,
  PM1_EN_BITS = PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_SLPBTN | PM1_RTC,
};
enum { /* PM1 control */
  CNT_SCI_EN = 1u << 0, CNT_KEPT = 0x1c06 /* BM_RLD, SLP_TYP */, CNT_SLP_EN = 1u << 13,
};
enum { RST_SYS = 0x02, RST_CPU = 0x04, RST_FULL = 0x08 };

struct AcpiPm {
  HwClock *clock;
  HwIrq sci;
  int sci_level;
  HwTimer *timer;
  void (*sleep)(void *ctx, int slp_typ);
  void (*reset)(void *ctx);
  void *ctx;
  uint16_t sts, en, cnt;
  uint8_t rst;
  uint64_t tmr_checked; /* PM timer ticks when TMR_STS was last brought up to date */
};

static uint64_t tmr_ticks(AcpiPm *pm) {
  return (uint64_t)((unsigned __int128)hw_clock_ns(pm->clock) * ACPI_PM_TMR_HZ / 1000000000u);
}

/* TMR_STS: bit 31 of the counter toggled since the last look. */
static void tmr_catch_up(AcpiPm *pm) {
  uint64_t now = tmr_ticks(pm);
  if (now >> 31 != pm->tmr_checked >> 31)
    pm->sts |= PM1_TMR;
  pm->tmr_checked = now;
}

static void update_sci(AcpiPm *pm) {
  int level = (pm->sts & pm->en & PM1_EN_BITS) != 0;
  if (level != pm->sci_level) {
    pm->sci_level = level;
    hw_irq_set(&pm->sci, level);
  }
  if ((pm->en & PM1_TMR) && !(pm->sts & PM1_TMR)) {
    uint64_t next = ((pm->tmr_checked >> 31) + 1) << 31;
    hw_timer_mod(pm->timer, (uint64_t)(((unsigned __int128)next * 1000000000u + ACPI_PM_TMR_HZ - 1) /
                                       ACPI_PM_TMR_HZ));
  } else {
    hw_timer_del(pm->timer);
  }
}

static void timer_cb(void *opaque) {
  AcpiPm *pm = opaque;
  tmr_catch_up(pm);
  update_sci(pm);
}

/* The block as bytes 0x600-0x60b, read at once so a wide read of the timer
 * does not tear; 0x606-0x607 are not implemented. */
static uint64_t pm_read(void *opaque, uint64_t off, unsigned size) {
  AcpiPm *pm = opaque;
  tmr_catch_up(pm);
  uint32_t tmr = (uint32_t)pm->tmr_checked;
  uint16_t cnt = (uint16_t)(pm->cnt | CNT_SCI_EN);
  uint8_t b[12] = {
      (uint8_t)pm->sts, (uint8_t)(pm->sts >> 8), (uint8_t)pm->en, (uint8_t)(pm->en >> 8),
      (uint8_t)cnt, (uint8_t)(cnt >> 8), 0xff, 0xff,
      (uint8_t)tmr, (uint8_t)(tmr >> 8), (uint8_t)(tmr >> 16), (uint8_t)(tmr >> 24),
  };
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++)
    v |= (uint64_t)b[off + i] << (8 * i);
  update_sci(pm);
  return v;
}

static void cnt_write(AcpiPm *pm, uint16_t v) {
  pm->cnt = v & CNT_KEPT;
  if ((v & CNT_SLP_EN) && pm->sleep)
    pm->sleep(pm->ctx, (v >> 10) & 7);
}

/* A write of any width is gathered per 16-bit register (status, enable,
 * control) and applied once: bytes not written keep their value, and SLP_EN
 * acts with the SLP_TYP written beside it. The timer is read-only. */
static void pm_write(void *opaque, uint64_t off, uint64_t value, unsigned size) {
  AcpiPm *pm = opaque;
  uint16_t w[3] = {0}, m[3] = {0};
  for (unsigned i = 0; i < size; i++) {
    unsigned at = (unsigned)off + i, shift = 8 * (at & 1);
    if (at >= 6)
      continue;
    w[at >> 1] |= (uint16_t)(((value >> (8 * i)) & 0xff) << shift);
    m[at >> 1] |= (uint16_t)(0xff << shift);
  }
  tmr_catch_up(pm);
  pm->sts &= (uint16_t)~w[0]; /* write one to clear */
  pm->en = (uint16_t)((pm->en & ~m[1]) | (w[1] & PM1_EN_BITS));
  if (m[2])
    cnt_write(pm, (uint16_t)((pm->cnt & ~m[2]) | w[2]));
  update_sci(pm);
}

static uint64_t rst_read(void *opaque, uint64_t off, unsigned size) {
  return ((AcpiPm *)opaque)->rst;
}

static void rst_write(void *opaque, uint64_t off, uint64_t value, unsigned size) {
  AcpiPm *pm = opaque;
  pm->rst = value & (RST_SYS | RST_FULL); /* RST_CPU does its work and reads 0 */
  if ((value & RST_CPU) && pm->reset)
    pm->reset(pm->ctx);
}

static const HwRegionOps pm_ops = {pm_read, pm_write};
static const HwRegionOps rst_ops = {rst_read, rst_write};

AcpiPm *acpi_pm_new(HwClock *clock, HwIrq sci, void (*sleep)(void *ctx, int slp_typ),
                    void (*reset)(void *ctx), void *ctx) {
  AcpiPm *pm = calloc(1, sizeof(*pm));
  if (!pm)
    return NULL;
  pm->clock = clock;
  pm->sci = sci;
  pm->sleep = sleep;
  pm->reset = reset;
  pm->ctx = ctx;
  pm->timer = hw_timer_new(clock, timer_cb, pm);
  if (!pm->timer) {
    free(pm);
    return NULL;
  }
  pm->tmr_checked = tmr_ticks(pm);
  return pm;
}

void acpi_pm_free(AcpiPm *pm) {
  if (!pm)
    return;
  hw_timer_free(pm->timer);
  free(pm);
}

bool acpi_pm_map(AcpiPm *pm, HwBus *bus) {
  return hw_bus_map_pio(bus, ACPI_PM1A_EVT, 12, "acpi-pm", &pm_ops, pm) &&
         hw_bus_map_pio(bus, ACPI_RESET_PORT, 1, "acpi-reset", &rst_ops, pm);
}

void acpi_pm_power_button(AcpiPm *pm) {
  pm->sts |= PM1_PWRBTN;
  update_sci(pm);
}
