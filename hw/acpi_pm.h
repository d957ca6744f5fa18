/* acpi_pm.h — the ACPI fixed hardware of the emu-pc machine (docs/system.md):
 * PM1a event and control blocks, the PM timer and the reset register. system/
 * points the FADT at these ports (with TMR_VAL_EXT: the timer is 32 bits). */
#ifndef EMU_HW_ACPI_PM_H
#define EMU_HW_ACPI_PM_H

#include "hw.h"

#define ACPI_PM1A_EVT 0x600   /* status 0x600-0x601, enable 0x602-0x603 */
#define ACPI_PM1A_CNT 0x604   /* 0x604-0x605 */
#define ACPI_PM_TMR 0x608     /* 0x608-0x60b */
#define ACPI_RESET_PORT 0xcf9 /* the FADT's RESET_REG; RESET_VALUE 6 */
#define ACPI_PM_TMR_HZ 3579545u
#define ACPI_SCI_IRQ 9

typedef struct AcpiPm AcpiPm;

/* sci is level-triggered (IRQ 9). sleep gets SLP_TYP when the guest sets
 * SLP_EN (5 = S5, soft off, per the DSDT's _S5); reset is called for a write
 * of 0x06 or 0x0e (RST_CPU) to the reset register. */
AcpiPm *acpi_pm_new(HwClock *clock, HwIrq sci, void (*sleep)(void *ctx, int slp_typ),
                    void (*reset)(void *ctx), void *ctx);
void acpi_pm_free(AcpiPm *pm);
/* The PM1a blocks and timer at 0x600-0x60b, the reset register at 0xcf9. */
bool acpi_pm_map(AcpiPm *pm, HwBus *bus);

/* The power button was pressed: PWRBTN_STS, and SCI if PWRBTN_EN. */
void acpi_pm_power_button(AcpiPm *pm);

#endif
