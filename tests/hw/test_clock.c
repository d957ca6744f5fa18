/* test_clock.c — hw/clock.c: manual time, timers firing in deadline order
 * (ties in arming order), re-arming from a callback, deletion, and the next
 * deadline hw_clock_run returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hw.h"

static char order[16];
static int norder;

typedef struct Tick {
  char name;
  HwTimer *t;
  int fired;
} Tick;

static void tick_cb(void *opaque) {
  Tick *k = opaque;
  k->fired++;
  if (norder < (int)sizeof order - 1)
    order[norder++] = k->name;
}

static void test_manual_time(void **state) {
  HwClock *c = hw_clock_new();
  hw_clock_set_manual(c, true);
  uint64_t t0 = hw_clock_ns(c);
  assert_int_equal(hw_clock_ns(c), t0);
  hw_clock_advance(c, 1234);
  assert_int_equal(hw_clock_ns(c), t0 + 1234);
  hw_clock_set_manual(c, false);
  assert_true(hw_clock_ns(c) >= t0 + 1234); /* continuous, monotonic */
  hw_clock_free(c);
}

static void test_timer_order(void **state) {
  HwClock *c = hw_clock_new();
  hw_clock_set_manual(c, true);
  uint64_t base = hw_clock_ns(c);
  Tick a = {.name = 'a'}, b = {.name = 'b'}, d = {.name = 'd'};
  a.t = hw_timer_new(c, tick_cb, &a);
  b.t = hw_timer_new(c, tick_cb, &b);
  d.t = hw_timer_new(c, tick_cb, &d);
  norder = 0;
  assert_int_equal(hw_clock_run(c), UINT64_MAX);
  hw_timer_mod(a.t, base + 300);
  hw_timer_mod(b.t, base + 100);
  hw_timer_mod(d.t, base + 300); /* same deadline as a, armed later: fires after a */
  assert_true(hw_timer_pending(a.t));
  assert_int_equal(hw_clock_run(c), base + 100);
  assert_int_equal(norder, 0);
  hw_clock_advance(c, 100);
  assert_int_equal(hw_clock_run(c), base + 300);
  hw_clock_advance(c, 1000);
  assert_int_equal(hw_clock_run(c), UINT64_MAX);
  order[norder] = 0;
  assert_string_equal(order, "bad");
  assert_false(hw_timer_pending(a.t));
  /* Re-arming moves a pending timer; deleting drops it. */
  hw_timer_mod(a.t, base + 5000);
  hw_timer_mod(a.t, base + 2000);
  hw_timer_mod(b.t, base + 3000);
  assert_int_equal(hw_clock_run(c), base + 2000);
  hw_timer_del(a.t);
  assert_false(hw_timer_pending(a.t));
  assert_int_equal(hw_clock_run(c), base + 3000);
  hw_timer_free(a.t);
  hw_timer_free(b.t);
  hw_clock_free(c);
  hw_timer_free(d.t); /* after the clock: allowed, it is not pending */
}

typedef struct Periodic {
  HwTimer *t;
  uint64_t next, period;
  int fired;
} Periodic;

static void periodic_cb(void *opaque) {
  Periodic *p = opaque;
  p->fired++;
  p->next += p->period;
  hw_timer_mod(p->t, p->next);
}

static void test_periodic_rearm(void **state) {
  HwClock *c = hw_clock_new();
  hw_clock_set_manual(c, true);
  Periodic p = {0};
  p.t = hw_timer_new(c, periodic_cb, &p);
  p.period = 10;
  p.next = hw_clock_ns(c) + 10;
  hw_timer_mod(p.t, p.next);
  hw_clock_advance(c, 35); /* deadlines 10, 20, 30 passed: all three fire in one run */
  uint64_t next = hw_clock_run(c);
  assert_int_equal(p.fired, 3);
  assert_int_equal(next, p.next);
  hw_timer_free(p.t);
  hw_clock_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_manual_time),
      cmocka_unit_test(test_timer_order),
      cmocka_unit_test(test_periodic_rearm),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
