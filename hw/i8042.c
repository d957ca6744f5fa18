/* i8042.c — the 8042 keyboard controller as a PC chipset has it, with an
 * AT keyboard that only answers commands. Bytes for the CPU queue in the
 * output buffer, each marked as from the keyboard or the aux port; the IRQ of
 * the byte at the head is asserted while it waits, if the command byte (CTR)
 * enables it. Everything answers at once: the input buffer is never full. */
#include "i8042.h"

#include <stdlib.h>

#include "emu.h"
#include "isa8.h"

enum { /* status register */
  ST_OBF = 0x01, ST_SYS = 0x04, ST_CMD = 0x08, ST_UNLOCKED = 0x10, ST_AUXOBF = 0x20,
  ST_TIMEOUT = 0x40,
};
enum { /* command byte */
  CTR_KBDINT = 0x01, CTR_AUXINT = 0x02, CTR_SYS = 0x04, CTR_KBDDIS = 0x10, CTR_AUXDIS = 0x20,
  CTR_XLATE = 0x40,
};
enum { OUTPORT_RESET = 0x01, OUTPORT_A20 = 0x02 };

#define QUEUE 16

typedef struct OutByte {
  uint8_t value;
  bool aux, timeout;
} OutByte;

struct I8042 {
  HwIrq kbd_irq, aux_irq;
  int kbd_level, aux_level;
  void (*reset)(void *ctx);
  void *ctx;
  uint8_t ctr, outport, last;
  bool last_was_cmd;
  uint8_t pending;     /* a controller command waiting for its data byte, 0: none */
  uint8_t kbd_pending; /* a keyboard command waiting for its argument, 0: none */
  OutByte q[QUEUE];
  unsigned head, count;
};

static void set_line(const HwIrq *irq, int *level, int v) {
  if (v != *level) {
    *level = v;
    hw_irq_set(irq, v);
  }
}

static void update_irqs(I8042 *k) {
  const OutByte *h = k->count ? &k->q[k->head] : NULL;
  set_line(&k->kbd_irq, &k->kbd_level, h && !h->aux && (k->ctr & CTR_KBDINT));
  set_line(&k->aux_irq, &k->aux_level, h && h->aux && (k->ctr & CTR_AUXINT));
}

static void push(I8042 *k, uint8_t v, bool aux, bool timeout) {
  if (k->count == QUEUE)
    return; /* the guest stopped reading: later bytes are lost */
  k->q[(k->head + k->count++) % QUEUE] = (OutByte){v, aux, timeout};
}

static void push_kbd(I8042 *k, uint8_t v) { push(k, v, false, false); }

/* -- The keyboard ------------------------------------------------------------ */

enum { KBD_ACK = 0xfa, KBD_RESEND = 0xfe, KBD_BAT_OK = 0xaa };

static void keyboard_write(I8042 *k, uint8_t v) {
  uint8_t arg_of = k->kbd_pending;
  k->kbd_pending = 0;
  if (arg_of) { /* the argument of set LEDs, typematic rate or scancode set */
    push_kbd(k, KBD_ACK);
    if (arg_of == 0xf0 && v == 0)
      push_kbd(k, 0x02); /* "get scancode set": set 2 */
    return;
  }
  switch (v) {
  case 0xff: /* reset and self-test (BAT) */
    push_kbd(k, KBD_ACK);
    push_kbd(k, KBD_BAT_OK);
    break;
  case 0xf2: /* identify: an MF2 keyboard */
    push_kbd(k, KBD_ACK);
    push_kbd(k, 0xab);
    push_kbd(k, 0x83);
    break;
  case 0xee: /* echo */
    push_kbd(k, 0xee);
    break;
  case 0xed: /* set LEDs */
  case 0xf3: /* typematic rate */
  case 0xf0: /* scancode set */
    k->kbd_pending = v;
    push_kbd(k, KBD_ACK);
    break;
  default:
    if (v >= 0xf4) /* enable, disable, defaults, the set-3 key modes */
      push_kbd(k, KBD_ACK);
    else
      push_kbd(k, KBD_RESEND);
    break;
  }
}

/* -- The controller ---------------------------------------------------------- */

static void set_outport(I8042 *k, uint8_t v) {
  k->outport = v;
  if (!(v & OUTPORT_RESET) && k->reset)
    k->reset(k->ctx);
}

static void command(I8042 *k, uint8_t cmd) {
  switch (cmd) {
  case 0x20: /* read the command byte */
    push_kbd(k, k->ctr);
    break;
  case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4: /* take the next data byte */
    k->pending = cmd;
    break;
  case 0xa7:
    k->ctr |= CTR_AUXDIS;
    break;
  case 0xa8:
    k->ctr &= (uint8_t)~CTR_AUXDIS;
    break;
  case 0xa9: /* aux interface test: no error */
  case 0xab: /* keyboard interface test: no error */
    push_kbd(k, 0x00);
    break;
  case 0xaa: /* controller self-test: passed */
    push_kbd(k, 0x55);
    break;
  case 0xad:
    k->ctr |= CTR_KBDDIS;
    break;
  case 0xae:
    k->ctr &= (uint8_t)~CTR_KBDDIS;
    break;
  case 0xd0: /* read the output port (with the buffer-full lines, bits 4-5) */
    push_kbd(k, (uint8_t)(k->outport | (k->count ? 0x10 : 0)));
    break;
  default:
    if (cmd >= 0xf0) { /* pulse output port bits 0-3 low where cmd's bits are 0 */
      if (!(cmd & OUTPORT_RESET) && k->reset)
        k->reset(k->ctx);
    } else if (emu_log_on(EMU_LOG_unimp)) {
      emu_log("i8042: unimplemented command 0x%02x\n", cmd);
    }
    break;
  }
}

static void data_write(I8042 *k, uint8_t v) {
  uint8_t cmd = k->pending;
  k->pending = 0;
  switch (cmd) {
  case 0x60:
    k->ctr = v;
    break;
  case 0xd1:
    set_outport(k, v);
    break;
  case 0xd2: /* as if the keyboard sent it */
    push_kbd(k, v);
    break;
  case 0xd3: /* as if the aux device sent it (Linux's AUX loopback test) */
    push(k, v, true, false);
    break;
  case 0xd4: /* to the aux device: there is none, the transfer times out */
    push(k, 0xfe, true, true);
    break;
  default:
    keyboard_write(k, v);
    break;
  }
}

static uint8_t status(const I8042 *k) {
  uint8_t s = ST_UNLOCKED | (k->ctr & CTR_SYS ? ST_SYS : 0) | (k->last_was_cmd ? ST_CMD : 0);
  if (k->count) {
    const OutByte *h = &k->q[k->head];
    s |= ST_OBF | (h->aux ? ST_AUXOBF : 0) | (h->timeout ? ST_TIMEOUT : 0);
  }
  return s;
}

static uint8_t kbc_read8(void *opaque, unsigned off) {
  I8042 *k = opaque;
  if (off == 4)
    return status(k);
  if (k->count) { /* an empty buffer reads its last byte again */
    k->last = k->q[k->head].value;
    k->head = (k->head + 1) % QUEUE;
    k->count--;
    /* The buffer empties before the next byte moves in: the IRQ falls, and a
     * next byte raises it again (a new edge for the PIC). */
    set_line(&k->kbd_irq, &k->kbd_level, 0);
    set_line(&k->aux_irq, &k->aux_level, 0);
    update_irqs(k);
  }
  return k->last;
}

static void kbc_write8(void *opaque, unsigned off, uint8_t v) {
  I8042 *k = opaque;
  k->last_was_cmd = off == 4;
  if (off == 4) {
    k->pending = 0;
    command(k, v);
  } else {
    data_write(k, v);
  }
  update_irqs(k);
}

/* Port 0x61 between the two is the PIT's, so each port is a region of its
 * own; the byte handlers see offsets 0 (data) and 4 (status/command). */
static uint64_t data_read(void *o, uint64_t off, unsigned size) {
  return hw_isa8_read(kbc_read8, o, off, size);
}
static void data_write_op(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(kbc_write8, o, off, v, size);
}
static uint64_t cmd_read(void *o, uint64_t off, unsigned size) {
  return hw_isa8_read(kbc_read8, o, off + 4, size);
}
static void cmd_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(kbc_write8, o, off + 4, v, size);
}

static const HwRegionOps data_ops = {data_read, data_write_op};
static const HwRegionOps cmd_ops = {cmd_read, cmd_write};

I8042 *i8042_new(HwIrq kbd_irq, HwIrq aux_irq, void (*reset)(void *ctx), void *ctx) {
  I8042 *k = calloc(1, sizeof(*k));
  if (!k)
    return NULL;
  k->kbd_irq = kbd_irq;
  k->aux_irq = aux_irq;
  k->reset = reset;
  k->ctx = ctx;
  k->ctr = CTR_XLATE | CTR_SYS | CTR_KBDINT; /* what a BIOS leaves after POST */
  k->outport = OUTPORT_RESET | OUTPORT_A20;
  return k;
}

void i8042_free(I8042 *k) { free(k); }

bool i8042_map(I8042 *k, HwBus *bus) {
  return hw_bus_map_pio(bus, 0x60, 1, "i8042-data", &data_ops, k) &&
         hw_bus_map_pio(bus, 0x64, 1, "i8042-cmd", &cmd_ops, k);
}
