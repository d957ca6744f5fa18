/* lapic_int.h — the local APIC's state, shared by its two halves: lapic.c
 * (registers, priorities, delivery, the CPU's side) and lapic_timer.c (the
 * timer in its three modes). Nothing outside those files includes it. */
#ifndef EMU_HW_LAPIC_INT_H
#define EMU_HW_LAPIC_INT_H

#include "lapic.h"

/* The six LVT entries, in register order from 0x320 (SDM figure 11-8). */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

#define LVT_MASKED (1u << 16)
#define LVT_LEVEL (1u << 15) /* LINT0/1 trigger mode */
#define LVT_TIMER_MODE_SHIFT 17
enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

#define SVR_ENABLE (1u << 8)

struct Lapic {
  HwClock *clock;
  HwTimer *timer;
  uint64_t apic_base; /* IA32_APIC_BASE */
  uint32_t id, tpr, ldr, dfr, svr;
  uint32_t irr[8], isr[8], tmr[8]; /* 256 bits each, vector v at [v / 32] bit v % 32 */
  uint32_t esr;         /* what ESR reads: the errors latched by the last ESR write */
  uint32_t esr_pending; /* errors since then; 0 = the error interrupt is armed */
  uint32_t icr_lo, icr_hi;
  uint32_t lvt[LVT_COUNT];
  bool lint_level[2];
  bool extint_pending; /* an ExtINT message, until the CPU takes it */
  bool nmi_pending;

  /* Timer. One-shot/periodic: ticks of the divided 1 GHz clock counted since
   * timer_base_ns, plus timer_base_ticks counted before it (the base moves when
   * the divider or mode changes, so the count stays continuous). */
  uint32_t timer_initial, timer_dcr;
  bool timer_counting;
  uint64_t timer_base_ns, timer_base_ticks;
  uint64_t tsc_deadline; /* TSC-deadline mode: armed deadline, 0 = disarmed */

  void (*eoi_hook)(void *ctx, int vector);
  void *eoi_ctx;
  void (*notify)(void *ctx);
  void *notify_ctx;
};

/* lapic.c, for the timer: raise an LVT entry's interrupt (nothing if masked),
 * and tell the machine when something may have become pending. */
void lapic_lvt_fire(Lapic *l, int lvt);
void lapic_notify(Lapic *l);

/* lapic_timer.c, for the register file. */
void lapic_timer_expired(void *opaque); /* the HwTimer's callback */
void lapic_timer_stop(Lapic *l);         /* counting stops, count and deadline 0 */
void lapic_timer_set_lvt(Lapic *l, uint32_t value);
void lapic_timer_set_initial(Lapic *l, uint32_t count);
void lapic_timer_set_divide(Lapic *l, uint32_t dcr);
uint32_t lapic_timer_current(const Lapic *l);

#endif
