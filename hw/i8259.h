/* i8259.h — the PC's master/slave i8259A interrupt controller pair (slave on
 * the master's IR2), with the PIIX edge/level control registers (ELCR). */
#ifndef EMU_HW_I8259_H
#define EMU_HW_I8259_H

#include "hw.h"

typedef struct I8259 I8259;

/* intr_out is the master's INT pin to the CPU (a level). */
I8259 *i8259_new(HwIrq intr_out);
void i8259_free(I8259 *p);
/* Ports 0x20-0x21 (master), 0xa0-0xa1 (slave), 0x4d0-0x4d1 (ELCR). */
bool i8259_map(I8259 *p, HwBus *bus);

/* ISA IRQ inputs 0-15 (8-15 on the slave; 2 is the cascade and not an input). */
void i8259_set_irq(I8259 *p, int n, int level);
HwIrq i8259_irq(I8259 *p, int n); /* a line whose set calls i8259_set_irq */

/* The CPU's side: is INT asserted, and the INTA cycle (returns the vector,
 * moves the request from IRR to ISR; a request that went away gives the
 * spurious IRQ 7, or 15 through the cascade). */
bool i8259_has_interrupt(I8259 *p);
int i8259_ack(I8259 *p);

#endif
