/* uart16550.h — a 16550A UART (COM1 on the PC) as Linux's 8250 driver probes
 * and drives it. Transmission is instantaneous: each byte written to THR goes to
 * tx at once, so THR and the shift register are always empty afterwards. */
#ifndef EMU_HW_UART16550_H
#define EMU_HW_UART16550_H

#include "hw.h"

typedef struct Uart16550 Uart16550;

/* irq is the line to the interrupt controller; it is driven only while MCR.OUT2
 * is set (and the UART is not in loopback), as on a PC. tx gets every byte sent. */
Uart16550 *uart16550_new(HwIrq irq, void (*tx)(void *ctx, uint8_t byte), void *ctx);
void uart16550_free(Uart16550 *u);
/* Eight ports at base; false if they overlap a mapped region. */
bool uart16550_map(Uart16550 *u, HwBus *bus, uint16_t base);

/* Input from the outside: can_receive says whether the receive FIFO (or, with the
 * FIFO off, the holding register) has room; bytes beyond the room are lost and
 * set LSR.OE, as on the wire. In loopback mode the serial input is disconnected. */
bool uart16550_can_receive(Uart16550 *u);
void uart16550_receive(Uart16550 *u, const uint8_t *buf, size_t n);

#endif
