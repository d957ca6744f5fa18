/* i8042.h — a minimal PS/2 keyboard controller (ports 0x60 and 0x64): enough
 * for Linux's i8042 and atkbd probes, the A20/reset output port and the 0xfe
 * reset pulse. A keyboard is attached (it answers commands, never types); the
 * auxiliary port has nothing on it. */
#ifndef EMU_HW_I8042_H
#define EMU_HW_I8042_H

#include "hw.h"

typedef struct I8042 I8042;

/* kbd_irq (IRQ 1) and aux_irq (IRQ 12) follow the output buffer when the
 * command byte enables them; reset is called when the guest pulses or clears
 * the CPU reset line (command 0xfe, or output port bit 0 cleared by 0xd1). */
I8042 *i8042_new(HwIrq kbd_irq, HwIrq aux_irq, void (*reset)(void *ctx), void *ctx);
void i8042_free(I8042 *k);
bool i8042_map(I8042 *k, HwBus *bus);

#endif
