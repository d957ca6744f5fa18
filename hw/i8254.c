/* i8254.c — the 8254 PIT (Intel 82C54 datasheet). Counters are not stepped:
 * a counting channel remembers the clock tick it started at, and its count and
 * OUT are computed from the ticks elapsed since, so reads follow the machine
 * clock exactly. Ticks are absolute (tick k happens at ceil(k * 1e9 / HZ) ns),
 * so counting never drifts. A new count takes effect at once (the datasheet's
 * one-clock load delay, and mode 2/3's wait for the period's end, are not
 * modelled). Channel 0 re-evaluates OUT from a timer at each edge. */
#include "i8254.h"

#include <stdlib.h>

#include "isa8.h"

typedef struct PitChannel {
  uint8_t mode;    /* 0-5 */
  uint8_t mode_bits; /* M2-M0 as written (6 and 7 are modes 2 and 3), for status */
  uint8_t rw;      /* 1 lsb, 2 msb, 3 lsb then msb */
  bool bcd;
  uint32_t reload; /* the count N: 1..0x10000, or 1..10000 in BCD */
  bool loaded;     /* a count was written since the control word */
  bool armed;      /* modes 1, 5: loaded and waiting for a gate trigger */
  bool counting;   /* the counting element runs: d is ticks_before + (now - start) */
  bool gate;
  uint64_t start_tick, ticks_before;
  uint16_t held;   /* the count while not counting */
  bool write_hi_next, read_hi_next, null_count;
  uint8_t write_lo;
  uint16_t latch;
  uint8_t latch_bytes; /* 0 none, 1 lsb, 2 msb, 3 lsb then msb */
  bool status_latched;
  uint8_t status;
  uint64_t edges_seen; /* channel 0: OUT's rising edges already signalled */
} PitChannel;

struct I8254 {
  PitChannel ch[3];
  HwClock *clock;
  HwTimer *timer;
  HwIrq irq0;
  int irq_level;
  uint8_t port61; /* bits 0-3 as written: gate 2, speaker, parity/IO check enables */
};

/* -- Time -------------------------------------------------------------------- */

static uint64_t tick_at(uint64_t ns) { return (uint64_t)((unsigned __int128)ns * I8254_HZ / 1000000000u); }

static uint64_t ns_of_tick(uint64_t tick) {
  return (uint64_t)(((unsigned __int128)tick * 1000000000u + I8254_HZ - 1) / I8254_HZ);
}

static uint64_t now_tick(I8254 *p) { return tick_at(hw_clock_ns(p->clock)); }

/* Modes 0 and 4 pause while the gate is low; 2 and 3 stop (and reload on the
 * gate's rise); 1 and 5 count whatever the gate does once triggered. */
static bool gate_pauses(const PitChannel *c) { return c->mode != 1 && c->mode != 5; }

static bool running(const PitChannel *c) { return c->counting && (c->gate || !gate_pauses(c)); }

static uint64_t elapsed(const PitChannel *c, uint64_t now) {
  return c->ticks_before + (running(c) ? now - c->start_tick : 0);
}

/* -- The counting element ----------------------------------------------------- */

static uint16_t count_at(const PitChannel *c, uint64_t d) {
  uint32_t n = c->reload, modulus = c->bcd ? 10000 : 0x10000, v;
  switch (c->mode) {
  case 2:
    v = n - (uint32_t)(d % n);
    break;
  case 3: /* decrements by two, each half period */
    v = n - (uint32_t)((2 * d) % n);
    break;
  default: /* 0, 1, 4, 5 count on past zero */
    v = (uint32_t)((n + modulus - d % modulus) % modulus);
    break;
  }
  return (uint16_t)(v % modulus);
}

static bool out_at(const PitChannel *c, uint64_t d) {
  uint32_t n = c->reload;
  switch (c->mode) {
  case 0:
  case 1:
    return d >= n;
  case 2: /* low for the one clock at count 1 */
    return n == 1 || d % n != n - 1;
  case 3:
    return d % n < (n + 1) / 2;
  default: /* 4, 5: a one-clock low strobe at count 0 */
    return d != n;
  }
}

/* Rising edges of OUT in ticks [1, d] since counting started. */
static uint64_t rising_edges(const PitChannel *c, uint64_t d) {
  uint32_t n = c->reload;
  switch (c->mode) {
  case 0:
  case 1:
    return d >= n;
  case 2:
  case 3:
    return d / n;
  default:
    return d >= (uint64_t)n + 1;
  }
}

/* The next tick after d at which OUT changes; UINT64_MAX if it never does. The
 * one-clock pulses of modes 2, 4, 5 are signalled at their rising edge. */
static uint64_t next_change(const PitChannel *c, uint64_t d) {
  uint64_t n = c->reload, base = d - d % n;
  switch (c->mode) {
  case 0:
  case 1:
    return d < n ? n : UINT64_MAX;
  case 2:
    return base + n;
  case 3: {
    uint64_t high = (n + 1) / 2;
    return d % n < high ? base + high : base + n;
  }
  default:
    return d < n + 1 ? n + 1 : UINT64_MAX;
  }
}

static bool channel_out(const PitChannel *c, uint64_t now) {
  if (!c->counting) /* OUT after a control word: low in mode 0, else high */
    return c->mode != 0;
  if (!c->gate && (c->mode == 2 || c->mode == 3))
    return true;
  return out_at(c, elapsed(c, now));
}

static uint16_t channel_count(const PitChannel *c, uint64_t now) {
  return c->counting ? count_at(c, elapsed(c, now)) : c->held;
}

static void start(PitChannel *c, uint64_t now) {
  c->counting = true;
  c->start_tick = now;
  c->ticks_before = 0;
  c->edges_seen = 0;
}

static void stop(PitChannel *c, uint64_t now) {
  if (c->counting)
    c->held = count_at(c, elapsed(c, now));
  c->counting = false;
  c->ticks_before = 0;
  c->edges_seen = 0;
}

/* -- Channel 0's interrupt -------------------------------------------------- */

static void irq_set(I8254 *p, int level) {
  if (level != p->irq_level) {
    p->irq_level = level;
    hw_irq_set(&p->irq0, level);
  }
}

static void update_irq0(I8254 *p) {
  PitChannel *c = &p->ch[0];
  uint64_t now = now_tick(p);
  bool out = channel_out(c, now);
  if (running(c)) {
    uint64_t d = elapsed(c, now), edges = rising_edges(c, d);
    if (edges != c->edges_seen) { /* OUT rose since the last look: one interrupt */
      c->edges_seen = edges;
      irq_set(p, 0);
      irq_set(p, 1);
    }
    uint64_t next = next_change(c, d);
    if (next != UINT64_MAX)
      hw_timer_mod(p->timer, ns_of_tick(c->start_tick + next - c->ticks_before));
    else
      hw_timer_del(p->timer);
  } else {
    hw_timer_del(p->timer);
  }
  irq_set(p, out);
}

static void timer_cb(void *opaque) { update_irq0(opaque); }

static void channel_changed(I8254 *p, int i) {
  if (i == 0)
    update_irq0(p);
}

/* -- Gates -------------------------------------------------------------------- */

void i8254_set_gate(I8254 *p, int i, bool level) {
  if (i < 0 || i > 2)
    return;
  PitChannel *c = &p->ch[i];
  uint64_t now = now_tick(p);
  bool rise = level && !c->gate;
  if (c->gate != level && c->counting && gate_pauses(c)) {
    if (!level) { /* modes 0, 4 pause (keep their ticks); 2, 3 stop */
      c->ticks_before = elapsed(c, now);
      c->held = count_at(c, c->ticks_before);
    } else {
      c->start_tick = now;
    }
  }
  c->gate = level;
  if (rise && c->loaded && (c->mode == 1 || c->mode == 5 || c->mode == 2 || c->mode == 3)) {
    c->armed = false;
    start(c, now); /* a trigger: (re)load the count */
  }
  channel_changed(p, i);
}

bool i8254_out(I8254 *p, int i) {
  if (i < 0 || i > 2)
    return false;
  return channel_out(&p->ch[i], now_tick(p));
}

/* -- Register interface ------------------------------------------------------ */

static uint16_t to_bcd(uint16_t v) {
  return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static uint16_t from_bcd(uint16_t v) {
  return (uint16_t)((v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 + (v >> 4 & 15) * 10 + (v & 15));
}

static void latch_count(PitChannel *c, uint64_t now) {
  if (c->latch_bytes)
    return; /* a second latch before the first is read is ignored */
  uint16_t v = channel_count(c, now);
  c->latch = c->bcd ? to_bcd(v) : v;
  c->latch_bytes = c->rw;
}

static void latch_status(PitChannel *c, uint64_t now) {
  if (c->status_latched)
    return;
  if (c->counting && elapsed(c, now) > 0)
    c->null_count = false; /* the count reached the counting element */
  c->status = (uint8_t)(channel_out(c, now) << 7 | c->null_count << 6 | c->rw << 4 |
                        c->mode_bits << 1 | c->bcd);
  c->status_latched = true;
}

static void control_word(I8254 *p, uint8_t v) {
  uint64_t now = now_tick(p);
  int sc = v >> 6, rw = (v >> 4) & 3;
  if (sc == 3) { /* read-back: bit 5 clear latches counts, bit 4 clear latches status */
    for (int i = 0; i < 3; i++) {
      if (!(v & (2 << i)))
        continue;
      if (!(v & 0x20))
        latch_count(&p->ch[i], now);
      if (!(v & 0x10))
        latch_status(&p->ch[i], now);
    }
    return;
  }
  PitChannel *c = &p->ch[sc];
  if (rw == 0) {
    latch_count(c, now);
    return;
  }
  stop(c, now);
  c->rw = (uint8_t)rw;
  c->mode_bits = (v >> 1) & 7;
  c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
  c->bcd = v & 1;
  c->loaded = c->armed = false;
  c->write_hi_next = c->read_hi_next = false;
  c->latch_bytes = 0;
  c->status_latched = false;
  c->null_count = true;
  channel_changed(p, sc);
}

static void load_count(I8254 *p, int i, uint16_t raw) {
  PitChannel *c = &p->ch[i];
  uint64_t now = now_tick(p);
  uint32_t n = c->bcd ? from_bcd(raw) : raw;
  c->reload = n ? n : (c->bcd ? 10000 : 0x10000);
  c->loaded = true;
  c->null_count = true;
  stop(c, now);
  if (c->mode == 1 || c->mode == 5)
    c->armed = true; /* counting starts at the gate's next rising edge */
  else
    start(c, now);
  channel_changed(p, i);
}

static void data_write(I8254 *p, int i, uint8_t v) {
  PitChannel *c = &p->ch[i];
  switch (c->rw) {
  case 1:
    load_count(p, i, v);
    break;
  case 2:
    load_count(p, i, (uint16_t)(v << 8));
    break;
  case 3:
    if (!c->write_hi_next) {
      c->write_lo = v;
      c->write_hi_next = true;
      if (c->mode == 0) { /* the first byte stops a mode 0 count, OUT low at once */
        stop(c, now_tick(p));
        c->loaded = false;
        channel_changed(p, i);
      }
    } else {
      c->write_hi_next = false;
      load_count(p, i, (uint16_t)(c->write_lo | v << 8));
    }
    break;
  default: /* no control word yet */
    break;
  }
}

static uint8_t data_read(I8254 *p, int i) {
  PitChannel *c = &p->ch[i];
  if (c->status_latched) {
    c->status_latched = false;
    return c->status;
  }
  if (c->latch_bytes) {
    uint8_t v;
    if (c->latch_bytes == 2) {
      v = (uint8_t)(c->latch >> 8);
      c->latch_bytes = 0;
    } else {
      v = (uint8_t)c->latch;
      c->latch_bytes = c->latch_bytes == 3 ? 2 : 0;
    }
    return v;
  }
  uint16_t count = channel_count(c, now_tick(p));
  if (c->bcd)
    count = to_bcd(count);
  bool hi = c->rw == 2 || (c->rw == 3 && c->read_hi_next);
  if (c->rw == 3)
    c->read_hi_next = !c->read_hi_next;
  return (uint8_t)(hi ? count >> 8 : count);
}

static uint8_t pit_read8(void *opaque, unsigned off) {
  return off < 3 ? data_read(opaque, (int)off) : 0xff; /* the control word is write-only */
}

static void pit_write8(void *opaque, unsigned off, uint8_t v) {
  if (off < 3)
    data_write(opaque, (int)off, v);
  else
    control_word(opaque, v);
}

/* Port 0x61 (system control port B): bit 4 toggles with each DRAM refresh
 * request (every 15.09 us), bit 5 is channel 2's OUT. */
static uint8_t port61_read8(void *opaque, unsigned off) {
  I8254 *p = opaque;
  uint64_t refresh = hw_clock_ns(p->clock) / 15085 & 1;
  return (uint8_t)(p->port61 | refresh << 4 | i8254_out(p, 2) << 5);
}

static void port61_write8(void *opaque, unsigned off, uint8_t v) {
  I8254 *p = opaque;
  p->port61 = v & 0x0f;
  i8254_set_gate(p, 2, v & 1);
}

static uint64_t pit_read(void *o, uint64_t off, unsigned size) { return hw_isa8_read(pit_read8, o, off, size); }
static void pit_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(pit_write8, o, off, v, size);
}
static uint64_t port61_read(void *o, uint64_t off, unsigned size) {
  return hw_isa8_read(port61_read8, o, off, size);
}
static void port61_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(port61_write8, o, off, v, size);
}

static const HwRegionOps pit_ops = {pit_read, pit_write};
static const HwRegionOps port61_ops = {port61_read, port61_write};

I8254 *i8254_new(HwClock *clock, HwIrq irq0) {
  I8254 *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->clock = clock;
  p->irq0 = irq0;
  p->timer = hw_timer_new(clock, timer_cb, p);
  if (!p->timer) {
    free(p);
    return NULL;
  }
  for (int i = 0; i < 3; i++) {
    p->ch[i].gate = i != 2; /* channel 2's gate is port 0x61 bit 0, low at reset */
    p->ch[i].reload = 0x10000;
  }
  return p;
}

void i8254_free(I8254 *p) {
  if (!p)
    return;
  hw_timer_free(p->timer);
  free(p);
}

bool i8254_map(I8254 *p, HwBus *bus) {
  return hw_bus_map_pio(bus, 0x40, 4, "i8254", &pit_ops, p) &&
         hw_bus_map_pio(bus, 0x61, 1, "port61", &port61_ops, p);
}
