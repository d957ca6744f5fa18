/* mc146818.h — the PC's RTC and CMOS RAM (ports 0x70-0x71, IRQ 8). The clock
 * starts at the host's UTC time and runs with the machine clock. */
#ifndef EMU_HW_MC146818_H
#define EMU_HW_MC146818_H

#include "hw.h"

typedef struct Mc146818 Mc146818;

Mc146818 *mc146818_new(HwClock *clock, HwIrq irq8);
void mc146818_free(Mc146818 *r);
/* Ports 0x70 (index, bit 7 = NMI disable) and 0x71 (data). */
bool mc146818_map(Mc146818 *r, HwBus *bus);

/* CMOS RAM bytes 0x0e-0x7f (system/ fills the memory sizes: 0x15-0x18,
 * 0x30-0x31, 0x34-0x35, 0x5b-0x5d); false for a clock register or index > 0x7f. */
bool mc146818_set_cmos(Mc146818 *r, unsigned index, uint8_t value);
uint8_t mc146818_cmos(Mc146818 *r, unsigned index);

/* Set the clock to unix time secs (UTC), the current instant being the start
 * of that second: the next update is one second later. */
void mc146818_set_time(Mc146818 *r, int64_t secs);

#endif
