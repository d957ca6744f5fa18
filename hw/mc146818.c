/* mc146818.c — the MC146818A real-time clock and its CMOS RAM (Motorola
 * datasheet). The time registers are not ticked: the clock is a count of
 * seconds anchored to a machine-clock phase (the instant of an update cycle),
 * encoded into the registers when read. The interrupt flags (periodic, alarm,
 * update-ended) are brought up to date lazily at each access, and by a timer
 * only while an enabled interrupt is due and the line is low. */
#include "mc146818.h"

#include <stdlib.h>
#include <time.h>

#include "isa8.h"

enum {
  RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02, RTC_MIN_ALARM = 0x03,
  RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05, RTC_WDAY = 0x06, RTC_MDAY = 0x07,
  RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a, RTC_REG_B = 0x0b,
  RTC_REG_C = 0x0c, RTC_REG_D = 0x0d, RTC_CENTURY = 0x32, /* the PC's (and the FADT's) */
};
enum { A_UIP = 0x80, A_DV_SHIFT = 4, A_DV_NORMAL = 2 };
enum { B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_DM_BINARY = 0x04, B_24H = 0x02 };
enum { C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10 };
enum { D_VRT = 0x80 };

#define NS_PER_S 1000000000ll
#define UIP_NS 244000 /* UIP rises this long before each update (datasheet: 244 us) */

struct Mc146818 {
  HwClock *clock;
  HwIrq irq;
  HwTimer *timer;
  uint8_t cmos[128];
  uint8_t index;
  int64_t epoch;    /* the time at the update cycle at phase */
  int64_t phase;    /* machine ns of an update cycle: updates happen every second from it */
  int64_t frozen;   /* the time while the divider is held in reset */
  int64_t checked;  /* machine ns up to which the flags in register C are current */
  int irq_level;
};

/* -- Calendar (proleptic Gregorian, days since 1970-01-01) -------------------- */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

typedef struct Civil {
  int64_t year;
  int month, mday, wday, hour, min, sec; /* wday 0 = Sunday */
} Civil;

static Civil civil_from_secs(int64_t t) {
  Civil c;
  int64_t days = floor_div(t, 86400), rem = t - days * 86400;
  c.hour = (int)(rem / 3600);
  c.min = (int)(rem / 60 % 60);
  c.sec = (int)(rem % 60);
  c.wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
  int64_t z = days + 719468, era = floor_div(z, 146097), doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  c.mday = (int)(doy - (153 * mp + 2) / 5 + 1);
  c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  return c;
}

/* -- Register formats (register B: BCD or binary, 12 or 24 hours) ------------ */

static uint8_t enc(const Mc146818 *r, int v) {
  return (r->cmos[RTC_REG_B] & B_DM_BINARY) ? (uint8_t)v : (uint8_t)(v / 10 << 4 | v % 10);
}

static int dec(const Mc146818 *r, uint8_t v) {
  return (r->cmos[RTC_REG_B] & B_DM_BINARY) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t enc_hour(const Mc146818 *r, int h) {
  if (r->cmos[RTC_REG_B] & B_24H)
    return enc(r, h);
  return (uint8_t)(enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static int dec_hour(const Mc146818 *r, uint8_t v) {
  if (r->cmos[RTC_REG_B] & B_24H)
    return dec(r, v);
  return dec(r, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

/* -- The clock --------------------------------------------------------------- */

static int64_t now_ns(Mc146818 *r) { return (int64_t)hw_clock_ns(r->clock); }
static bool running(const Mc146818 *r) { return (r->cmos[RTC_REG_A] >> A_DV_SHIFT & 7) == A_DV_NORMAL; }
static bool updating(const Mc146818 *r) { return running(r) && !(r->cmos[RTC_REG_B] & B_SET); }

/* Update cycles since phase, up to and including the one at ns. */
static int64_t updates_at(const Mc146818 *r, int64_t ns) { return floor_div(ns - r->phase, NS_PER_S); }

static int64_t time_at(const Mc146818 *r, int64_t ns) {
  return running(r) ? r->epoch + updates_at(r, ns) : r->frozen;
}

static void set_time_at(Mc146818 *r, int64_t secs, int64_t ns) {
  if (running(r))
    r->epoch = secs - updates_at(r, ns);
  else
    r->frozen = secs;
}

/* Encode the time into the registers (they hold the guest's own values while
 * SET inhibits updates). */
static void refresh_time(Mc146818 *r) {
  if (!updating(r))
    return;
  Civil c = civil_from_secs(time_at(r, now_ns(r)));
  r->cmos[RTC_SEC] = enc(r, c.sec);
  r->cmos[RTC_MIN] = enc(r, c.min);
  r->cmos[RTC_HOUR] = enc_hour(r, c.hour);
  r->cmos[RTC_WDAY] = enc(r, c.wday + 1);
  r->cmos[RTC_MDAY] = enc(r, c.mday);
  r->cmos[RTC_MONTH] = enc(r, c.month);
  r->cmos[RTC_YEAR] = enc(r, (int)(c.year % 100));
  r->cmos[RTC_CENTURY] = enc(r, (int)(c.year / 100 % 100));
}

static int64_t registers_time(const Mc146818 *r) {
  const uint8_t *m = r->cmos;
  int64_t year = dec(r, m[RTC_CENTURY]) * 100 + dec(r, m[RTC_YEAR]);
  int64_t days = days_from_civil(year, dec(r, m[RTC_MONTH]), dec(r, m[RTC_MDAY]));
  return days * 86400 + dec_hour(r, m[RTC_HOUR]) * 3600 + dec(r, m[RTC_MIN]) * 60 + dec(r, m[RTC_SEC]);
}

/* -- Interrupt flags ---------------------------------------------------------- */

/* The periodic rate in 32.768 kHz clocks (register A RS; 0: off). */
static int64_t periodic_clocks(const Mc146818 *r) {
  int rs = r->cmos[RTC_REG_A] & 15;
  return rs == 0 ? 0 : rs <= 2 ? 1ll << (rs + 6) : 1ll << (rs - 1);
}

/* 32.768 kHz divider clocks since phase (floored). */
static int64_t clocks_at(const Mc146818 *r, int64_t ns) {
  __int128 x = (__int128)(ns - r->phase) * 32768, q = x / NS_PER_S;
  return (int64_t)(q - (x % NS_PER_S != 0 && x < 0));
}

static bool alarm_matches(const Mc146818 *r, int64_t t) {
  Civil c = civil_from_secs(t);
  const uint8_t *m = r->cmos;
  uint8_t now[3] = {enc(r, c.sec), enc(r, c.min), enc_hour(r, c.hour)};
  uint8_t alarm[3] = {m[RTC_SEC_ALARM], m[RTC_MIN_ALARM], m[RTC_HOUR_ALARM]};
  for (int i = 0; i < 3; i++)
    if ((alarm[i] & 0xc0) != 0xc0 && alarm[i] != now[i]) /* 11xxxxxx: don't care */
      return false;
  return true;
}

/* Set the flags for what happened in (checked, now]. Alarm patterns repeat
 * daily, so at most a day of update cycles is looked at. */
static void catch_up(Mc146818 *r, int64_t now) {
  if (now <= r->checked)
    return;
  uint8_t *c = &r->cmos[RTC_REG_C];
  if (running(r)) {
    int64_t period = periodic_clocks(r);
    if (period && floor_div(clocks_at(r, now), period) > floor_div(clocks_at(r, r->checked), period))
      *c |= C_PF;
    int64_t first = updates_at(r, r->checked) + 1, last = updates_at(r, now);
    if (updating(r) && last >= first) {
      *c |= C_UF;
      for (int64_t u = last > first + 86400 ? last - 86400 : first; u <= last && !(*c & C_AF); u++)
        if (alarm_matches(r, r->epoch + u))
          *c |= C_AF;
    }
  }
  r->checked = now;
}

static int64_t next_event(const Mc146818 *r, int64_t now) {
  int64_t next = INT64_MAX;
  uint8_t b = r->cmos[RTC_REG_B];
  if (!running(r))
    return next;
  int64_t period = periodic_clocks(r);
  if ((b & B_PIE) && period) {
    int64_t k = floor_div(clocks_at(r, now), period) + 1;
    next = r->phase + (int64_t)(((__int128)k * period * NS_PER_S + 32767) / 32768);
  }
  if ((b & (B_UIE | B_AIE)) && updating(r)) {
    int64_t u = r->phase + (updates_at(r, now) + 1) * NS_PER_S;
    next = u < next ? u : next;
  }
  return next;
}

/* IRQF and the line follow the flags and their enables; the timer runs only
 * while the line is low and something enabled is due. */
static void update_irq(Mc146818 *r) {
  uint8_t b = r->cmos[RTC_REG_B], *c = &r->cmos[RTC_REG_C];
  bool irqf = (*c & b & (C_PF | C_AF | C_UF)) != 0; /* PF/PIE, AF/AIE, UF/UIE share bits */
  *c = (uint8_t)((*c & ~C_IRQF) | (irqf ? C_IRQF : 0));
  if (irqf != r->irq_level) {
    r->irq_level = irqf;
    hw_irq_set(&r->irq, irqf);
  }
  int64_t next = irqf ? INT64_MAX : next_event(r, now_ns(r));
  if (next == INT64_MAX)
    hw_timer_del(r->timer);
  else
    hw_timer_mod(r->timer, (uint64_t)(next < 0 ? 0 : next));
}

static void timer_cb(void *opaque) {
  Mc146818 *r = opaque;
  catch_up(r, now_ns(r));
  update_irq(r);
}

/* -- Register interface ------------------------------------------------------ */

static bool is_time_reg(unsigned i) {
  return i == RTC_SEC || i == RTC_MIN || i == RTC_HOUR || (i >= RTC_WDAY && i <= RTC_YEAR) ||
         i == RTC_CENTURY;
}

static uint8_t reg_read(Mc146818 *r, unsigned i) {
  int64_t now = now_ns(r);
  catch_up(r, now);
  if (is_time_reg(i))
    refresh_time(r);
  uint8_t v = r->cmos[i];
  switch (i) {
  case RTC_REG_A:
    if (updating(r) && now - (r->phase + updates_at(r, now) * NS_PER_S) >= NS_PER_S - UIP_NS)
      v |= A_UIP;
    break;
  case RTC_REG_C: /* read to clear */
    r->cmos[RTC_REG_C] = 0;
    update_irq(r);
    break;
  case RTC_REG_D:
    v = D_VRT; /* the battery is fine */
    break;
  }
  return v;
}

static void write_reg_a(Mc146818 *r, uint8_t v, int64_t now) {
  bool was_running = running(r);
  int64_t t = time_at(r, now);
  r->cmos[RTC_REG_A] = v & 0x7f; /* UIP is computed when read */
  if (was_running && !running(r)) {
    r->frozen = t;
  } else if (!was_running && running(r)) {
    /* Leaving divider reset: the first update comes half a second later. */
    r->phase = now - NS_PER_S / 2;
    r->checked = now;
    set_time_at(r, t, now);
  }
}

static void write_reg_b(Mc146818 *r, uint8_t v, int64_t now) {
  uint8_t old = r->cmos[RTC_REG_B];
  if (v & B_SET)
    v &= (uint8_t)~B_UIE; /* setting SET clears UIE */
  if (!(old & B_SET) && (v & B_SET))
    refresh_time(r); /* freeze the registers at the current time */
  r->cmos[RTC_REG_B] = v;
  if ((old & B_SET) && !(v & B_SET))
    set_time_at(r, registers_time(r), now); /* the guest's time, counting from now */
}

static void reg_write(Mc146818 *r, unsigned i, uint8_t v) {
  int64_t now = now_ns(r);
  catch_up(r, now);
  switch (i) {
  case RTC_REG_A:
    write_reg_a(r, v, now);
    break;
  case RTC_REG_B:
    write_reg_b(r, v, now);
    break;
  case RTC_REG_C:
  case RTC_REG_D:
    break; /* read-only */
  default:
    if (is_time_reg(i) && updating(r)) { /* a write without SET sets the clock */
      refresh_time(r);
      r->cmos[i] = v;
      set_time_at(r, registers_time(r), now);
    } else {
      r->cmos[i] = v;
    }
    break;
  }
  update_irq(r);
}

static uint8_t rtc_read8(void *opaque, unsigned off) {
  Mc146818 *r = opaque;
  return off == 0 ? 0xff : reg_read(r, r->index); /* the index port is write-only */
}

static void rtc_write8(void *opaque, unsigned off, uint8_t v) {
  Mc146818 *r = opaque;
  if (off == 0)
    r->index = v & 0x7f; /* bit 7 masks NMI, which this machine never raises */
  else
    reg_write(r, r->index, v);
}

static uint64_t rtc_read(void *o, uint64_t off, unsigned size) { return hw_isa8_read(rtc_read8, o, off, size); }
static void rtc_write(void *o, uint64_t off, uint64_t v, unsigned size) {
  hw_isa8_write(rtc_write8, o, off, v, size);
}

static const HwRegionOps rtc_ops = {rtc_read, rtc_write};

/* -- Public interface --------------------------------------------------------- */

void mc146818_set_time(Mc146818 *r, int64_t secs) {
  int64_t now = now_ns(r);
  catch_up(r, now);
  if (running(r)) {
    r->phase = now;
    r->checked = now;
  }
  set_time_at(r, secs, now);
  update_irq(r);
}

Mc146818 *mc146818_new(HwClock *clock, HwIrq irq8) {
  Mc146818 *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->clock = clock;
  r->irq = irq8;
  r->timer = hw_timer_new(clock, timer_cb, r);
  if (!r->timer) {
    free(r);
    return NULL;
  }
  r->cmos[RTC_REG_A] = A_DV_NORMAL << A_DV_SHIFT | 6; /* 32.768 kHz, 1024 Hz periodic */
  r->cmos[RTC_REG_B] = B_24H;                         /* BCD, 24 hours */
  /* Host UTC, with updates on the host's second boundaries. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t now = now_ns(r);
  r->phase = now - ts.tv_nsec;
  r->checked = now;
  r->epoch = (int64_t)ts.tv_sec - updates_at(r, now);
  return r;
}

void mc146818_free(Mc146818 *r) {
  if (!r)
    return;
  hw_timer_free(r->timer);
  free(r);
}

bool mc146818_map(Mc146818 *r, HwBus *bus) { return hw_bus_map_pio(bus, 0x70, 2, "mc146818", &rtc_ops, r); }

bool mc146818_set_cmos(Mc146818 *r, unsigned index, uint8_t value) {
  if (index < 0x0e || index > 0x7f || index == RTC_CENTURY)
    return false;
  r->cmos[index] = value;
  return true;
}

uint8_t mc146818_cmos(Mc146818 *r, unsigned index) {
  if (index > 0x7f)
    return 0xff;
  if (is_time_reg(index))
    refresh_time(r);
  return r->cmos[index];
}
