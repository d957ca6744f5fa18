/* clock.c — the machine's virtual clock and one-shot timers (hw.h).
 * Time is the host's CLOCK_MONOTONIC since the clock was made, or, in manual
 * mode (tests), a counter moved only by hw_clock_advance. Pending timers sit
 * in a list sorted by deadline: a machine has about ten of them, and the loop
 * asks for the next deadline far more often than timers are armed. */
#include "hw.h"

#include <stdlib.h>
#include <time.h>

struct HwTimer {
  HwClock *clock;
  void (*cb)(void *opaque);
  void *opaque;
  uint64_t deadline;
  bool pending;
  HwTimer *next; /* in clock->pending, while pending */
};

struct HwClock {
  uint64_t host_start; /* host time at ns 0 (automatic mode) */
  bool manual;
  uint64_t manual_ns;
  HwTimer *pending; /* sorted by deadline; equal deadlines in arming order */
};

static uint64_t host_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

HwClock *hw_clock_new(void) {
  HwClock *c = calloc(1, sizeof(*c));
  if (c)
    c->host_start = host_ns();
  return c;
}

/* Timers outlive their clock only to be freed: they are just unlinked here. */
void hw_clock_free(HwClock *c) {
  if (!c)
    return;
  for (HwTimer *t = c->pending; t; t = t->next)
    t->pending = false;
  free(c);
}

uint64_t hw_clock_ns(HwClock *c) { return c->manual ? c->manual_ns : host_ns() - c->host_start; }

/* Switching keeps the clock continuous: manual time starts where real time was,
 * and real time resumes from the manual value. */
void hw_clock_set_manual(HwClock *c, bool manual) {
  if (manual == c->manual)
    return;
  if (manual)
    c->manual_ns = hw_clock_ns(c);
  else
    c->host_start = host_ns() - c->manual_ns;
  c->manual = manual;
}

void hw_clock_advance(HwClock *c, uint64_t ns) {
  if (c->manual)
    c->manual_ns += ns;
}

HwTimer *hw_timer_new(HwClock *c, void (*cb)(void *opaque), void *opaque) {
  HwTimer *t = calloc(1, sizeof(*t));
  if (t) {
    t->clock = c;
    t->cb = cb;
    t->opaque = opaque;
  }
  return t;
}

void hw_timer_free(HwTimer *t) {
  if (!t)
    return;
  hw_timer_del(t);
  free(t);
}

void hw_timer_del(HwTimer *t) {
  if (!t->pending)
    return;
  HwTimer **p = &t->clock->pending;
  while (*p != t)
    p = &(*p)->next;
  *p = t->next;
  t->pending = false;
}

void hw_timer_mod(HwTimer *t, uint64_t deadline_ns) {
  hw_timer_del(t);
  HwTimer **p = &t->clock->pending;
  while (*p && (*p)->deadline <= deadline_ns)
    p = &(*p)->next;
  t->deadline = deadline_ns;
  t->next = *p;
  *p = t;
  t->pending = true;
}

bool hw_timer_pending(const HwTimer *t) { return t->pending; }

/* "now" is read once, so a callback that re-arms in the past cannot spin here
 * forever unless it keeps arming at or before that instant. */
uint64_t hw_clock_run(HwClock *c) {
  uint64_t now = hw_clock_ns(c);
  while (c->pending && c->pending->deadline <= now) {
    HwTimer *t = c->pending;
    c->pending = t->next;
    t->pending = false;
    t->cb(t->opaque);
  }
  return c->pending ? c->pending->deadline : UINT64_MAX;
}
