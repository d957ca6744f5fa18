/* uart16550.c — the 16550A UART (PC16550D datasheet), as Linux's 8250 driver
 * sees it. Interrupt sources by priority: line status, received data (or the
 * FIFO timeout, which fires at once: there is no bit time to wait for), THR
 * empty, modem status. The IRQ pin reaches the PIC only through MCR.OUT2. */
#include "uart16550.h"

#include <stdlib.h>

#include "isa8.h"

enum { /* register offsets (DLAB = LCR bit 7 turns 0/1 into the divisor latch) */
  UART_RBR_THR = 0, UART_IER = 1, UART_IIR_FCR = 2, UART_LCR = 3,
  UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};
enum { IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08 };
enum { /* IIR identification (bits 3:1 and the no-interrupt bit 0) */
  IIR_NONE = 0x01, IIR_MSR = 0x00, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_RLS = 0x06,
  IIR_TIMEOUT = 0x0c, IIR_FIFO_ON = 0xc0,
};
enum { FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_KEPT = 0xc9 /* enable, DMA mode, trigger */ };
enum { LCR_DLAB = 0x80 };
enum { MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10 };
enum {
  LSR_DR = 0x01, LSR_OE = 0x02, LSR_ERRORS = 0x1e /* OE PE FE BI */, LSR_THRE = 0x20,
  LSR_TEMT = 0x40,
};
enum { MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80, MSR_TERI = 0x04 };

#define UART_FIFO 16

struct Uart16550 {
  HwIrq irq;
  void (*tx)(void *ctx, uint8_t byte);
  void *ctx;
  uint8_t ier, lcr, mcr, lsr_errors, msr, scr, fcr, dll, dlm;
  uint8_t rx[UART_FIFO];
  unsigned rx_head, rx_count;
  uint8_t rbr; /* the last byte read: an empty RBR reads it again */
  bool thr_ipending;
  int irq_level;
};

/* The modem lines a terminal on the other end drives: clear to send, data set
 * ready, carrier detect (QEMU's default too). */
static const uint8_t msr_external = MSR_CTS | MSR_DSR | MSR_DCD;
static const uint8_t rx_trigger[4] = {1, 4, 8, 14}; /* FCR bits 7:6 */

static bool fifo_on(const Uart16550 *u) { return u->fcr & FCR_ENABLE; }
static unsigned rx_capacity(const Uart16550 *u) { return fifo_on(u) ? UART_FIFO : 1; }
static uint8_t word_mask(const Uart16550 *u) { return (uint8_t)(0xff >> (3 - (u->lcr & 3))); }

static uint8_t iir_id(const Uart16550 *u) {
  if ((u->ier & IER_ELSI) && u->lsr_errors)
    return IIR_RLS;
  if ((u->ier & IER_ERBFI) && u->rx_count) {
    if (fifo_on(u) && u->rx_count < rx_trigger[u->fcr >> 6])
      return IIR_TIMEOUT;
    return IIR_RDA;
  }
  if ((u->ier & IER_ETBEI) && u->thr_ipending)
    return IIR_THRE;
  if ((u->ier & IER_EDSSI) && (u->msr & 0x0f))
    return IIR_MSR;
  return IIR_NONE;
}

/* In loopback the OUT2 pin is forced inactive, which gates the PC's IRQ. */
static void update_irq(Uart16550 *u) {
  int level = iir_id(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
  if (level != u->irq_level) {
    u->irq_level = level;
    hw_irq_set(&u->irq, level);
  }
}

/* The MSR's line bits: in loopback they are the MCR's outputs, wired back. */
static uint8_t msr_lines(const Uart16550 *u) {
  if (!(u->mcr & MCR_LOOP))
    return msr_external;
  uint8_t m = u->mcr;
  return (uint8_t)((m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
                   (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0));
}

/* Lines changed: set the delta bits (RI only on its trailing edge). */
static void msr_update(Uart16550 *u) {
  uint8_t now = msr_lines(u), old = u->msr & 0xf0, changed = now ^ old;
  uint8_t delta = (changed >> 4) & (uint8_t)~MSR_TERI;
  if ((changed & MSR_RI) && !(now & MSR_RI))
    delta |= MSR_TERI;
  u->msr = (uint8_t)(now | (u->msr & 0x0f) | delta);
}

static void rx_clear(Uart16550 *u) { u->rx_head = u->rx_count = 0; }

static void rx_push(Uart16550 *u, uint8_t byte) {
  byte &= word_mask(u);
  if (u->rx_count == rx_capacity(u)) {
    u->lsr_errors |= LSR_OE;
    if (!fifo_on(u)) /* the holding register is overwritten; a full FIFO keeps its bytes */
      u->rx[u->rx_head] = byte;
    return;
  }
  u->rx[(u->rx_head + u->rx_count++) % UART_FIFO] = byte;
}

static uint8_t rx_pop(Uart16550 *u) {
  if (u->rx_count) {
    u->rbr = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_FIFO;
    u->rx_count--;
  }
  return u->rbr;
}

static void thr_write(Uart16550 *u, uint8_t byte) {
  u->thr_ipending = false;
  update_irq(u); /* the line drops, so the THRE of this byte is a new edge */
  if (u->mcr & MCR_LOOP)
    rx_push(u, byte);
  else if (u->tx)
    u->tx(u->ctx, byte & word_mask(u));
  u->thr_ipending = (u->ier & IER_ETBEI) != 0; /* sent at once: THR is empty again */
}

static void fcr_write(Uart16550 *u, uint8_t v) {
  if ((v ^ u->fcr) & FCR_ENABLE)
    rx_clear(u); /* switching the FIFOs on or off empties them */
  if (!(v & FCR_ENABLE)) { /* the other bits are only taken with the enable bit */
    u->fcr = 0;
    return;
  }
  if (v & FCR_CLEAR_RX)
    rx_clear(u);
  u->fcr = v & FCR_KEPT;
}

static uint8_t uart_read8(void *opaque, unsigned off) {
  Uart16550 *u = opaque;
  bool dlab = u->lcr & LCR_DLAB;
  uint8_t v = 0;
  switch (off) {
  case UART_RBR_THR:
    v = dlab ? u->dll : rx_pop(u);
    break;
  case UART_IER:
    v = dlab ? u->dlm : u->ier;
    break;
  case UART_IIR_FCR:
    v = iir_id(u);
    if (v == IIR_THRE) /* reading IIR acknowledges a THRE interrupt */
      u->thr_ipending = false;
    v |= fifo_on(u) ? IIR_FIFO_ON : 0;
    break;
  case UART_LCR:
    v = u->lcr;
    break;
  case UART_MCR:
    v = u->mcr;
    break;
  case UART_LSR:
    v = u->lsr_errors | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
    u->lsr_errors = 0;
    break;
  case UART_MSR:
    v = u->msr;
    u->msr &= 0xf0;
    break;
  case UART_SCR:
    v = u->scr;
    break;
  }
  update_irq(u);
  return v;
}

static void uart_write8(void *opaque, unsigned off, uint8_t v) {
  Uart16550 *u = opaque;
  bool dlab = u->lcr & LCR_DLAB;
  switch (off) {
  case UART_RBR_THR:
    if (dlab)
      u->dll = v;
    else
      thr_write(u, v);
    break;
  case UART_IER:
    if (dlab) {
      u->dlm = v;
      break;
    }
    /* THR is always empty here, so enabling its interrupt raises it at once. */
    if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
      u->thr_ipending = true;
    if (!(v & IER_ETBEI))
      u->thr_ipending = false;
    u->ier = v & 0x0f;
    break;
  case UART_IIR_FCR:
    fcr_write(u, v);
    break;
  case UART_LCR:
    u->lcr = v;
    break;
  case UART_MCR:
    u->mcr = v & 0x1f;
    msr_update(u);
    break;
  case UART_SCR:
    u->scr = v;
    break;
  default: /* LSR and MSR are read-only (their factory-test writes are not modelled) */
    break;
  }
  update_irq(u);
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size) {
  return hw_isa8_read(uart_read8, opaque, off, size);
}

static void uart_write(void *opaque, uint64_t off, uint64_t value, unsigned size) {
  hw_isa8_write(uart_write8, opaque, off, value, size);
}

static const HwRegionOps uart_ops = {uart_read, uart_write};

Uart16550 *uart16550_new(HwIrq irq, void (*tx)(void *ctx, uint8_t byte), void *ctx) {
  Uart16550 *u = calloc(1, sizeof(*u));
  if (!u)
    return NULL;
  u->irq = irq;
  u->tx = tx;
  u->ctx = ctx;
  u->msr = msr_external;
  return u;
}

void uart16550_free(Uart16550 *u) { free(u); }

bool uart16550_map(Uart16550 *u, HwBus *bus, uint16_t base) {
  return hw_bus_map_pio(bus, base, 8, "uart16550", &uart_ops, u);
}

bool uart16550_can_receive(Uart16550 *u) {
  return !(u->mcr & MCR_LOOP) && u->rx_count < rx_capacity(u);
}

void uart16550_receive(Uart16550 *u, const uint8_t *buf, size_t n) {
  if (u->mcr & MCR_LOOP)
    return;
  for (size_t i = 0; i < n; i++)
    rx_push(u, buf[i]);
  update_irq(u);
}
