/* i8259.c — two i8259A PICs (Intel 8259A datasheet) cascaded as on the PC/AT,
 * plus the ELCR. Requests are latched in IRR on a rising edge (edge mode) or
 * follow the line (level mode, ICW1.LTIM or the ELCR bit); an edge request stays
 * latched until acknowledged, so a device may pulse its line. The slave's INT
 * output is the master's IR2. */
#include "i8259.h"

#include <stdlib.h>

#include "isa8.h"

typedef struct Pic {
  uint8_t irr, isr, imr;
  uint8_t lines;        /* input levels, for edge detection */
  uint8_t elcr, elcr_mask;
  uint8_t vector_base;  /* ICW2 */
  uint8_t lowest;       /* the IR with the lowest priority (rotation), 7 after init */
  uint8_t init_step;    /* 0: operating; 2, 3, 4: the ICW expected next */
  bool icw4_needed, single, ltim, auto_eoi, rotate_on_aeoi, sfnm;
  bool read_isr, poll, special_mask;
} Pic;

struct I8259 {
  Pic pic[2]; /* master, slave */
  HwIrq intr_out;
  int intr_level;
};

enum { CASCADE_IR = 2 };

static uint8_t level_mask(const Pic *c) { return c->ltim ? 0xff : c->elcr; }

/* The priority rank (0 = highest) of the best IR in mask; 8 if none. */
static int best_rank(const Pic *c, uint8_t mask) {
  for (int rank = 0; rank < 8; rank++)
    if (mask & (1u << ((c->lowest + 1 + rank) & 7)))
      return rank;
  return 8;
}

static int rank_to_ir(const Pic *c, int rank) { return (c->lowest + 1 + rank) & 7; }

/* The IR this chip would interrupt with now, or -1: the best unmasked request
 * above every in-service level (special mask mode ignores masked in-service
 * levels; special fully nested lets the slave interrupt over its own IR2). */
static int pic_pending(const Pic *c, bool master) {
  int req = best_rank(c, c->irr & ~c->imr);
  if (req == 8)
    return -1;
  uint8_t in_service = c->isr;
  if (c->special_mask)
    in_service &= ~c->imr;
  if (master && c->sfnm)
    in_service &= ~(1u << CASCADE_IR);
  return req < best_rank(c, in_service) ? rank_to_ir(c, req) : -1;
}

static void pic_input(Pic *c, int ir, int level) {
  uint8_t bit = (uint8_t)(1u << ir);
  if (level_mask(c) & bit) {
    c->irr = level ? c->irr | bit : c->irr & ~bit;
  } else if (level && !(c->lines & bit)) {
    c->irr |= bit;
  }
  c->lines = level ? c->lines | bit : c->lines & ~bit;
}

static void update(I8259 *p) {
  pic_input(&p->pic[0], CASCADE_IR, pic_pending(&p->pic[1], false) >= 0);
  int level = pic_pending(&p->pic[0], true) >= 0;
  if (level != p->intr_level) {
    p->intr_level = level;
    hw_irq_set(&p->intr_out, level);
  }
}

/* The chip's half of INTA (or of a poll): the request becomes in service. A
 * level request stays in IRR while its line is high. */
static void pic_intack(Pic *c, int ir) {
  uint8_t bit = (uint8_t)(1u << ir);
  if (!(level_mask(c) & bit))
    c->irr &= ~bit;
  if (!c->auto_eoi)
    c->isr |= bit;
  else if (c->rotate_on_aeoi)
    c->lowest = (uint8_t)ir;
}

void i8259_set_irq(I8259 *p, int n, int level) {
  if (n < 0 || n > 15 || n == CASCADE_IR)
    return;
  pic_input(&p->pic[n >> 3], n & 7, level != 0);
  update(p);
}

static void irq_set(void *opaque, int pin, int level) { i8259_set_irq(opaque, pin, level); }

HwIrq i8259_irq(I8259 *p, int n) { return (HwIrq){irq_set, p, n}; }

bool i8259_has_interrupt(I8259 *p) { return pic_pending(&p->pic[0], true) >= 0; }

int i8259_ack(I8259 *p) {
  Pic *m = &p->pic[0], *s = &p->pic[1];
  int ir = pic_pending(m, true), vector;
  if (ir < 0) {
    vector = m->vector_base + 7; /* spurious: nothing goes in service */
  } else {
    pic_intack(m, ir);
    if (ir == CASCADE_IR && !m->single) {
      int sir = pic_pending(s, false);
      if (sir >= 0)
        pic_intack(s, sir);
      vector = s->vector_base + (sir >= 0 ? sir : 7);
      /* The slave's INT falls during INTA: a request it still has (auto-EOI,
       * special fully nested) raises it again, a new edge on IR2. */
      m->lines &= (uint8_t)~(1u << CASCADE_IR);
    } else {
      vector = m->vector_base + ir;
    }
  }
  update(p);
  return vector;
}

/* -- Register interface ------------------------------------------------------ */

static void icw1(Pic *c, uint8_t v) {
  c->ltim = v & 0x08;
  /* Edge sense reset: an edge input must go low and high again. */
  c->lines &= level_mask(c);
  c->irr &= level_mask(c);
  c->isr = c->imr = 0;
  c->lowest = 7;
  c->read_isr = c->poll = c->special_mask = false;
  c->auto_eoi = c->rotate_on_aeoi = c->sfnm = false;
  c->icw4_needed = v & 0x01;
  c->single = v & 0x02;
  c->init_step = 2;
}

static void ocw2(Pic *c, uint8_t v) {
  int ir = v & 7;
  switch (v >> 5) {
  case 0: /* rotate in automatic EOI mode: clear */
  case 4: /* ... set */
    c->rotate_on_aeoi = v >> 7;
    return;
  case 1: /* non-specific EOI */
  case 5: { /* rotate on non-specific EOI */
    int rank = best_rank(c, c->isr);
    if (rank == 8)
      return;
    ir = rank_to_ir(c, rank);
    c->isr &= ~(1u << ir);
    if (v >> 7)
      c->lowest = (uint8_t)ir;
    return;
  }
  case 3: /* specific EOI */
  case 7: /* rotate on specific EOI */
    c->isr &= ~(1u << ir);
    if (v >> 7)
      c->lowest = (uint8_t)ir;
    return;
  case 6: /* set priority: ir becomes the lowest */
    c->lowest = (uint8_t)ir;
    return;
  default: /* 2: no operation */
    return;
  }
}

static void ocw3(Pic *c, uint8_t v) {
  if (v & 0x04)
    c->poll = true;
  if (v & 0x02)
    c->read_isr = v & 0x01;
  if (v & 0x40)
    c->special_mask = v & 0x20;
}

static void data_write(Pic *c, uint8_t v) {
  switch (c->init_step) {
  case 0: /* OCW1 */
    c->imr = v;
    return;
  case 2:
    c->vector_base = v & 0xf8;
    c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
    return;
  case 3: /* ICW3: the PC wires the slave to IR2 whatever is written */
    c->init_step = c->icw4_needed ? 4 : 0;
    return;
  case 4:
    c->auto_eoi = v & 0x02;
    c->sfnm = v & 0x10;
    c->init_step = 0;
    return;
  }
}

/* A poll read is an INTA without the vector: bit 7 set and the IR number. */
static uint8_t poll_read(I8259 *p, int chip) {
  Pic *c = &p->pic[chip];
  c->poll = false;
  int ir = pic_pending(c, chip == 0);
  if (ir < 0)
    return 0;
  pic_intack(c, ir);
  return (uint8_t)(0x80 | ir);
}

static uint8_t pic_read8(I8259 *p, int chip, unsigned off) {
  Pic *c = &p->pic[chip];
  uint8_t v;
  if (c->poll)
    v = poll_read(p, chip);
  else if (off == 1)
    v = c->imr;
  else
    v = c->read_isr ? c->isr : c->irr;
  update(p);
  return v;
}

static void pic_write8(I8259 *p, int chip, unsigned off, uint8_t v) {
  Pic *c = &p->pic[chip];
  if (off == 1)
    data_write(c, v);
  else if (v & 0x10)
    icw1(c, v);
  else if (v & 0x08)
    ocw3(c, v);
  else
    ocw2(c, v);
  update(p);
}

static uint8_t master_read8(void *opaque, unsigned off) { return pic_read8(opaque, 0, off); }
static uint8_t slave_read8(void *opaque, unsigned off) { return pic_read8(opaque, 1, off); }
static void master_write8(void *opaque, unsigned off, uint8_t v) { pic_write8(opaque, 0, off, v); }
static void slave_write8(void *opaque, unsigned off, uint8_t v) { pic_write8(opaque, 1, off, v); }

static uint8_t elcr_read8(void *opaque, unsigned off) {
  I8259 *p = opaque;
  return p->pic[off].elcr;
}

static void elcr_write8(void *opaque, unsigned off, uint8_t v) {
  I8259 *p = opaque;
  Pic *c = &p->pic[off];
  c->elcr = v & c->elcr_mask;
  uint8_t level = level_mask(c); /* level requests follow their lines */
  c->irr = (uint8_t)((c->irr & ~level) | (c->lines & level));
  update(p);
}

static uint64_t master_read(void *o, uint64_t off, unsigned size) {
  return hw_isa8_read(master_read8, o, off, size);
}
static uint64_t slave_read(void *o, uint64_t off, unsigned size) {
  return hw_isa8_read(slave_read8, o, off, size);
}
static uint64_t elcr_read(void *o, uint64_t off, unsigned size) {
  return hw_isa8_read(elcr_read8, o, off, size);
}
static void master_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(master_write8, o, off, v, size);
}
static void slave_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(slave_write8, o, off, v, size);
}
static void elcr_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(elcr_write8, o, off, v, size);
}

static const HwRegionOps master_ops = {master_read, master_write};
static const HwRegionOps slave_ops = {slave_read, slave_write};
static const HwRegionOps elcr_ops = {elcr_read, elcr_write};

I8259 *i8259_new(HwIrq intr_out) {
  I8259 *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->intr_out = intr_out;
  /* PIIX: IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
  p->pic[0].elcr_mask = 0xf8;
  p->pic[1].elcr_mask = 0xde;
  for (int i = 0; i < 2; i++)
    p->pic[i].lowest = 7;
  return p;
}

void i8259_free(I8259 *p) { free(p); }

bool i8259_map(I8259 *p, HwBus *bus) {
  return hw_bus_map_pio(bus, 0x20, 2, "i8259-master", &master_ops, p) &&
         hw_bus_map_pio(bus, 0xa0, 2, "i8259-slave", &slave_ops, p) &&
         hw_bus_map_pio(bus, 0x4d0, 2, "elcr", &elcr_ops, p);
}
