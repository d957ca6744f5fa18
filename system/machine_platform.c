/* machine_platform.c — the PC platform's small devices: the RTC/CMOS (with
 * the memory-size bytes a BIOS would leave), the i8042 (whose reset line
 * reboots), the ACPI PM block (S5 powers off, 0xcf9 resets) and port 0x80,
 * where Linux's I/O delay writes (a real board shows it on a POST display). */
#include <stdlib.h>
#include <time.h>

#include "acpi_pm.h"
#include "i8042.h"
#include "machine_int.h"
#include "mc146818.h"

typedef struct MachinePlatform {
  Mc146818 *rtc;
  I8042 *kbd;
  AcpiPm *pm;
} MachinePlatform;

static uint64_t sink_read(void *opaque, uint64_t offset, unsigned size) {
  (void)opaque, (void)offset, (void)size;
  return ~0ull;
}
static void sink_write(void *opaque, uint64_t offset, uint64_t value, unsigned size) {
  (void)opaque, (void)offset, (void)value, (void)size;
}
static const HwRegionOps sink_ops = {sink_read, sink_write};

static void kbd_reset(void *ctx) { machine_request_reset(ctx, "keyboard controller reset"); }
static void pm_reset(void *ctx) { machine_request_reset(ctx, "reset register 0xcf9"); }
static void pm_sleep(void *ctx, int slp_typ) {
  if (slp_typ == 5) /* the DSDT's _S5 */
    machine_request_poweroff(ctx);
}

/* CMOS memory sizes as a BIOS fills them (some guests still read them):
 * 0x17/0x18 and 0x30/0x31 KiB above 1 MiB (max 0xffff), 0x34/0x35 64 KiB units
 * above 16 MiB (max 0xffff). */
static void cmos_memory(Mc146818 *rtc, uint64_t ram) {
  uint64_t ext = ram > (1u << 20) ? (ram - (1u << 20)) >> 10 : 0;
  if (ext > 0xffff)
    ext = 0xffff;
  uint64_t above16 = ram > (16u << 20) ? (ram - (16u << 20)) >> 16 : 0;
  if (above16 > 0xffff)
    above16 = 0xffff;
  static const unsigned ext_at[] = {0x17, 0x30};
  for (unsigned i = 0; i < 2; i++) {
    mc146818_set_cmos(rtc, ext_at[i], (uint8_t)ext);
    mc146818_set_cmos(rtc, ext_at[i] + 1, (uint8_t)(ext >> 8));
  }
  mc146818_set_cmos(rtc, 0x15, 0x80); /* 640 KiB base memory */
  mc146818_set_cmos(rtc, 0x16, 0x02);
  mc146818_set_cmos(rtc, 0x34, (uint8_t)above16);
  mc146818_set_cmos(rtc, 0x35, (uint8_t)(above16 >> 8));
}

bool machine_map_platform(Machine *m) {
  MachinePlatform *p = calloc(1, sizeof *p);
  if (!p)
    return false;
  m->platform = p;
  p->rtc = mc146818_new(m->clock, machine_isa_irq(m, 8));
  p->kbd = i8042_new(machine_isa_irq(m, 1), machine_isa_irq(m, 12), kbd_reset, m);
  p->pm = acpi_pm_new(m->clock, machine_isa_irq(m, PC_ACPI_SCI_GSI), pm_sleep, pm_reset, m);
  if (!p->rtc || !p->kbd || !p->pm)
    return false;
  mc146818_set_time(p->rtc, (int64_t)time(NULL));
  cmos_memory(p->rtc, m->ram_size);
  return mc146818_map(p->rtc, m->bus) && i8042_map(p->kbd, m->bus) && acpi_pm_map(p->pm, m->bus) &&
         hw_bus_map_pio(m->bus, 0x80, 1, "post", &sink_ops, NULL);
}

void machine_unmap_platform(Machine *m) {
  MachinePlatform *p = m->platform;
  if (!p)
    return;
  mc146818_free(p->rtc);
  i8042_free(p->kbd);
  acpi_pm_free(p->pm);
  free(p);
  m->platform = NULL;
}
