/* i8254.h — the PC's programmable interval timer: three 16-bit counters on a
 * 1.193182 MHz clock derived from the machine clock, channel 0's OUT on IRQ 0,
 * channel 2's gate and OUT on port 0x61 (with the refresh toggle). */
#ifndef EMU_HW_I8254_H
#define EMU_HW_I8254_H

#include "hw.h"

#define I8254_HZ 1193182u

typedef struct I8254 I8254;

/* irq0 follows channel 0's OUT (a rising edge is the timer interrupt; a
 * periodic edge the guest was too slow to see is folded into the next). */
I8254 *i8254_new(HwClock *clock, HwIrq irq0);
void i8254_free(I8254 *p);
/* Ports 0x40-0x43 and 0x61; false if they overlap a mapped region. */
bool i8254_map(I8254 *p, HwBus *bus);

/* Gate inputs (channels 0 and 1 are tied high on a PC; port 0x61 bit 0 drives
 * channel 2's) and the OUT pins, for the machine and tests. */
void i8254_set_gate(I8254 *p, int channel, bool level);
bool i8254_out(I8254 *p, int channel);

#endif
