/* lapic_timer.c — the local APIC timer (SDM 11.5.4): one-shot, periodic and
 * TSC-deadline modes on the machine's clock. The timer counts the 1 GHz crystal
 * (CPUID leaf 0x15, docs/system.md) divided by the divide configuration, so a
 * tick is 1 << shift ns; the TSC is the clock in ns. The count is not stepped:
 * it is computed from the time since a base, and one HwTimer is armed for the
 * next expiry. */
#include "emu.h"
#include "lapic_int.h"

static int timer_mode(const Lapic *l) { return (l->lvt[LVT_TIMER] >> LVT_TIMER_MODE_SHIFT) & 3; }

/* Divide configuration bits 3,1:0 (SDM figure 11-10): 0b111 is 1, n is 2^(n+1). */
static unsigned dcr_shift(uint32_t dcr) {
  unsigned n = ((dcr >> 1) & 4) | (dcr & 3);
  return n == 7 ? 0 : n + 1;
}

static uint64_t ticks_at(const Lapic *l, uint64_t now) {
  return l->timer_base_ticks + ((now - l->timer_base_ns) >> dcr_shift(l->timer_dcr));
}

uint32_t lapic_timer_current(const Lapic *l) {
  if (!l->timer_counting)
    return 0;
  uint64_t t = ticks_at(l, hw_clock_ns(l->clock));
  if (timer_mode(l) == TIMER_PERIODIC)
    return l->timer_initial - (uint32_t)(t % l->timer_initial);
  return t >= l->timer_initial ? 0 : l->timer_initial - (uint32_t)t;
}

/* Move the base to the last whole tick before now (the phase is kept), with the
 * count so far reduced to the current period in periodic mode. Done before the
 * divider or the mode changes, so the new setting applies from now on. */
static void timer_rebase(Lapic *l) {
  if (!l->timer_counting)
    return;
  unsigned shift = dcr_shift(l->timer_dcr);
  uint64_t n = (hw_clock_ns(l->clock) - l->timer_base_ns) >> shift;
  l->timer_base_ns += n << shift;
  l->timer_base_ticks += n;
  if (timer_mode(l) == TIMER_PERIODIC)
    l->timer_base_ticks %= l->timer_initial;
}

/* Arm the HwTimer for the count's next zero: the end of this period, or the
 * one-shot's only one (at once if it has passed and not fired yet). */
static void timer_arm(Lapic *l) {
  if (!l->timer_counting) {
    hw_timer_del(l->timer);
    return;
  }
  unsigned shift = dcr_shift(l->timer_dcr);
  uint64_t target = l->timer_initial;
  if (timer_mode(l) == TIMER_PERIODIC)
    target = (ticks_at(l, hw_clock_ns(l->clock)) / l->timer_initial + 1) * l->timer_initial;
  uint64_t deadline = l->timer_base_ns;
  if (target > l->timer_base_ticks)
    deadline += (target - l->timer_base_ticks) << shift;
  hw_timer_mod(l->timer, deadline);
}

void lapic_timer_stop(Lapic *l) {
  l->timer_counting = false;
  l->timer_initial = 0;
  l->tsc_deadline = 0;
  hw_timer_del(l->timer);
}

void lapic_timer_expired(void *opaque) {
  Lapic *l = opaque;
  if (timer_mode(l) == TIMER_TSC_DEADLINE) {
    /* It fires once, then disarms itself and the MSR reads 0 (SDM 11.5.4.1). */
    if (!l->tsc_deadline || hw_clock_ns(l->clock) < l->tsc_deadline)
      return;
    l->tsc_deadline = 0;
  } else if (!l->timer_counting) {
    return;
  } else if (timer_mode(l) == TIMER_PERIODIC) {
    timer_arm(l); /* the next period; ones the machine was too late for merge */
  } else {
    l->timer_counting = false; /* one-shot: the count stays 0 */
  }
  lapic_lvt_fire(l, LVT_TIMER);
  lapic_notify(l);
}

void lapic_timer_set_lvt(Lapic *l, uint32_t value) {
  int from = timer_mode(l), to = (value >> LVT_TIMER_MODE_SHIFT) & 3;
  if (to == 3 && from != 3 && emu_log_on(EMU_LOG_unimp))
    emu_log("lapic: reserved timer mode 3 (counts as one-shot)\n");
  if ((from == TIMER_TSC_DEADLINE) != (to == TIMER_TSC_DEADLINE)) {
    /* Entering or leaving TSC-deadline mode disarms the timer (SDM 11.5.4.1). */
    lapic_timer_stop(l);
    l->lvt[LVT_TIMER] = value;
    return;
  }
  if (from == to) {
    l->lvt[LVT_TIMER] = value;
    return;
  }
  timer_rebase(l); /* one-shot <-> periodic: the count goes on in the new mode */
  l->lvt[LVT_TIMER] = value;
  timer_arm(l);
}

/* A write starts the count from the new value; 0 stops it. Ignored in
 * TSC-deadline mode (SDM 11.5.4.1). */
void lapic_timer_set_initial(Lapic *l, uint32_t count) {
  if (timer_mode(l) == TIMER_TSC_DEADLINE)
    return;
  l->timer_initial = count;
  l->timer_counting = count != 0;
  l->timer_base_ns = hw_clock_ns(l->clock);
  l->timer_base_ticks = 0;
  timer_arm(l);
}

void lapic_timer_set_divide(Lapic *l, uint32_t dcr) {
  timer_rebase(l);
  l->timer_dcr = dcr & 0xb;
  timer_arm(l);
}

uint64_t lapic_get_tsc_deadline(const Lapic *l) {
  return timer_mode(l) == TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void lapic_set_tsc_deadline(Lapic *l, uint64_t tsc) {
  if (timer_mode(l) != TIMER_TSC_DEADLINE || !(l->apic_base & LAPIC_BASE_ENABLE))
    return;
  l->tsc_deadline = tsc;
  if (tsc)
    hw_timer_mod(l->timer, tsc); /* one in the past fires at the next hw_clock_run */
  else
    hw_timer_del(l->timer);
}
