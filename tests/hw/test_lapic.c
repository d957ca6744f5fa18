/* test_lapic.c — hw/lapic.c and hw/lapic_timer.c against the Intel SDM (vol. 3
 * ch. 11): reset values, writable bits, priority arbitration with the TPR,
 * nested EOIs, the spurious vector, ESR, self-IPIs, destinations, the timer's
 * three modes on a manual clock, ExtINT and NMI through LINT0/LINT1, and the
 * APIC disabled by SVR or IA32_APIC_BASE. Registers are reached through a bus,
 * as the CPU reaches them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hw.h"
#include "lapic.h"

enum {
  ID = 0x020, VERSION = 0x030, TPR = 0x080, APR = 0x090, PPR = 0x0a0, EOI = 0x0b0, LDR = 0x0d0,
  DFR = 0x0e0, SVR = 0x0f0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR_LO = 0x300,
  ICR_HI = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330, LVT_PERF = 0x340, LVT_LINT0 = 0x350,
  LVT_LINT1 = 0x360, LVT_ERROR = 0x370, TIMER_INITIAL = 0x380, TIMER_CURRENT = 0x390,
  TIMER_DIVIDE = 0x3e0,
};

#define MASKED 0x10000u
#define PERIODIC (1u << 17)
#define TSC_DEADLINE (2u << 17)

typedef struct Fx {
  HwClock *clock;
  HwBus *bus;
  Lapic *l;
  HwIrq lint0, lint1;
  int eoi_vectors[8], neoi;
  int notified;
} Fx;

static Fx fx;

static uint32_t rd(uint32_t off) {
  return (uint32_t)hw_mmio_read(fx.bus, LAPIC_BASE_ADDR + off, 4);
}
static void wr(uint32_t off, uint32_t v) { hw_mmio_write(fx.bus, LAPIC_BASE_ADDR + off, v, 4); }
static bool irr_has(int v) { return (rd(IRR + 0x10 * (v / 32)) >> (v % 32)) & 1; }
static bool isr_has(int v) { return (rd(ISR + 0x10 * (v / 32)) >> (v % 32)) & 1; }
static bool tmr_has(int v) { return (rd(TMR + 0x10 * (v / 32)) >> (v % 32)) & 1; }

static void on_eoi(void *ctx, int vector) {
  Fx *f = ctx;
  if (f->neoi < 8)
    f->eoi_vectors[f->neoi++] = vector;
}

static void on_notify(void *ctx) { ((Fx *)ctx)->notified++; }

static int setup(void **state) {
  fx = (Fx){0};
  fx.clock = hw_clock_new();
  hw_clock_set_manual(fx.clock, true);
  fx.bus = hw_bus_new();
  fx.l = lapic_new(fx.clock);
  assert_non_null(fx.l);
  assert_true(lapic_map(fx.l, fx.bus));
  lapic_set_eoi_hook(fx.l, on_eoi, &fx);
  lapic_set_notify(fx.l, on_notify, &fx);
  fx.lint0 = lapic_lint(fx.l, 0);
  fx.lint1 = lapic_lint(fx.l, 1);
  return 0;
}

static int teardown(void **state) {
  lapic_free(fx.l);
  hw_bus_free(fx.bus);
  hw_clock_free(fx.clock);
  return 0;
}

/* The APIC as Linux leaves it on one CPU: software-enabled, spurious 0xff. */
static void enable(void) { wr(SVR, 0x1ff); }

static void advance(uint64_t ns) {
  hw_clock_advance(fx.clock, ns);
  hw_clock_run(fx.clock);
}

/* -- Registers ---------------------------------------------------------------- */

static void test_reset_values(void **state) {
  assert_int_equal(lapic_get_base(fx.l), 0xfee00900); /* base, BSP, global enable */
  assert_int_equal(rd(ID), 0);
  assert_int_equal(rd(VERSION), 0x00050014); /* xAPIC, 6 LVT entries */
  assert_int_equal(rd(TPR), 0);
  assert_int_equal(rd(APR), 0);
  assert_int_equal(rd(PPR), 0);
  assert_int_equal(rd(LDR), 0);
  assert_int_equal(rd(DFR), 0xffffffff);
  assert_int_equal(rd(SVR), 0xff); /* software-disabled */
  for (int i = 0; i < 8; i++) {
    assert_int_equal(rd(ISR + 0x10 * i), 0);
    assert_int_equal(rd(TMR + 0x10 * i), 0);
    assert_int_equal(rd(IRR + 0x10 * i), 0);
  }
  assert_int_equal(rd(ESR), 0);
  assert_int_equal(rd(ICR_LO), 0);
  assert_int_equal(rd(ICR_HI), 0);
  assert_int_equal(rd(LVT_TIMER), MASKED);
  assert_int_equal(rd(LVT_THERMAL), MASKED);
  assert_int_equal(rd(LVT_PERF), MASKED);
  assert_int_equal(rd(LVT_ERROR), MASKED);
  assert_int_equal(rd(LVT_LINT0), 0x700); /* virtual wire: ExtINT */
  assert_int_equal(rd(LVT_LINT1), 0x400); /* NMI */
  assert_int_equal(rd(TIMER_INITIAL), 0);
  assert_int_equal(rd(TIMER_CURRENT), 0);
  assert_int_equal(rd(TIMER_DIVIDE), 0);
  assert_int_equal(lapic_get_tsc_deadline(fx.l), 0);
  assert_false(lapic_irq_pending(fx.l));
  assert_false(lapic_nmi_pending(fx.l));
}

static void test_writable_bits(void **state) {
  enable();
  static const struct {
    uint32_t off, all_ones, zeros;
  } regs[] = {
      {ID, 0xff000000, 0},          {TPR, 0xff, 0},
      {LDR, 0xff000000, 0},         {DFR, 0xffffffff, 0x0fffffff},
      {SVR, 0x3ff, 0},              {ICR_HI, 0xff000000, 0},
      {LVT_TIMER, 0x700ff, 0},      {LVT_THERMAL, 0x107ff, 0},
      {LVT_PERF, 0x107ff, 0},       {LVT_LINT0, 0x1a7ff, 0},
      {LVT_LINT1, 0x1a7ff, 0},      {LVT_ERROR, 0x100ff, 0},
      {TIMER_DIVIDE, 0xb, 0},
  };
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
    wr(regs[i].off, 0xffffffff);
    assert_int_equal(rd(regs[i].off), regs[i].all_ones);
    wr(regs[i].off, 0);
    assert_int_equal(rd(regs[i].off), regs[i].zeros);
    if (regs[i].off == SVR)
      enable();
  }
  /* Read-only registers ignore writes. */
  wr(VERSION, 0);
  wr(PPR, 0xff);
  wr(ISR, 0xffffffff);
  wr(IRR + 0x70, 0xffffffff);
  wr(TIMER_CURRENT, 5);
  assert_int_equal(rd(VERSION), 0x00050014);
  assert_int_equal(rd(PPR), 0);
  assert_int_equal(rd(ISR), 0);
  assert_int_equal(rd(IRR + 0x70), 0);
  assert_int_equal(rd(TIMER_CURRENT), 0);
  wr(ESR, 0);
  assert_int_equal(rd(ESR), 0); /* and that is no error */
}

static void test_partial_reads(void **state) {
  assert_int_equal(hw_mmio_read(fx.bus, LAPIC_BASE_ADDR + SVR, 1), 0xff);
  assert_int_equal(hw_mmio_read(fx.bus, LAPIC_BASE_ADDR + VERSION + 2, 2), 0x0005);
  assert_int_equal(hw_mmio_read(fx.bus, LAPIC_BASE_ADDR + VERSION, 8), 0x00050014);
  assert_int_equal(hw_mmio_read(fx.bus, LAPIC_BASE_ADDR + DFR + 4, 4), 0); /* slot padding */
  hw_mmio_write(fx.bus, LAPIC_BASE_ADDR + TPR, 0x20, 1); /* not a whole register: ignored */
  assert_int_equal(rd(TPR), 0);
}

/* -- Priorities and EOI ---------------------------------------------------------- */

static void test_priority_with_tpr(void **state) {
  enable();
  lapic_deliver(fx.l, 0x31, LAPIC_DM_FIXED, false);
  lapic_deliver(fx.l, 0x45, LAPIC_DM_FIXED, false);
  lapic_deliver(fx.l, 0x52, LAPIC_DM_FIXED, false);
  assert_true(irr_has(0x31) && irr_has(0x45) && irr_has(0x52));
  wr(TPR, 0x50); /* class 5 blocks vector 0x52 (class 5): only higher classes pass */
  assert_int_equal(rd(PPR), 0x50);
  assert_false(lapic_irq_pending(fx.l));
  wr(TPR, 0x4f);
  assert_int_equal(rd(PPR), 0x4f);
  assert_true(lapic_irq_pending(fx.l));
  assert_int_equal(lapic_irq_ack(fx.l), 0x52);
  assert_false(irr_has(0x52));
  assert_true(isr_has(0x52));
  assert_int_equal(rd(PPR), 0x50); /* the in-service class is above the TPR's: low nibble 0 */
  assert_false(lapic_irq_pending(fx.l)); /* 0x45: class 4 */
  wr(EOI, 0);
  assert_false(isr_has(0x52));
  assert_int_equal(rd(PPR), 0x4f);
  assert_false(lapic_irq_pending(fx.l)); /* class 4 is not above TPR class 4 */
  wr(TPR, 0x3f);
  assert_int_equal(lapic_irq_ack(fx.l), 0x45);
  assert_int_equal(rd(PPR), 0x40);
  wr(TPR, 0x4f); /* same class as in service: the TPR, low nibble and all */
  assert_int_equal(rd(PPR), 0x4f);
  wr(EOI, 0);
  wr(TPR, 0);
  assert_int_equal(lapic_irq_ack(fx.l), 0x31);
  wr(EOI, 0);
  assert_false(lapic_irq_pending(fx.l));
  assert_int_equal(fx.neoi, 0); /* all edge-triggered */
}

static void test_nested_eoi(void **state) {
  enable();
  lapic_deliver(fx.l, 0x40, LAPIC_DM_FIXED, false);
  assert_int_equal(lapic_irq_ack(fx.l), 0x40);
  lapic_deliver(fx.l, 0x41, LAPIC_DM_FIXED, false); /* same class as in service: waits */
  assert_false(lapic_irq_pending(fx.l));
  lapic_deliver(fx.l, 0x80, LAPIC_DM_FIXED, false); /* higher class: nests */
  assert_true(lapic_irq_pending(fx.l));
  assert_int_equal(lapic_irq_ack(fx.l), 0x80);
  assert_int_equal(rd(ISR + 0x20), 1u << 0); /* 0x40 */
  assert_int_equal(rd(ISR + 0x40), 1u << 0); /* 0x80 */
  assert_int_equal(rd(PPR), 0x80);
  wr(EOI, 0); /* retires the highest: 0x80 */
  assert_false(isr_has(0x80));
  assert_true(isr_has(0x40));
  assert_int_equal(rd(PPR), 0x40);
  assert_false(lapic_irq_pending(fx.l));
  wr(EOI, 0);
  assert_int_equal(rd(PPR), 0);
  assert_int_equal(lapic_irq_ack(fx.l), 0x41);
  wr(EOI, 0);
  wr(EOI, 0); /* nothing in service: no effect */
  assert_int_equal(rd(ISR + 0x20), 0);
}

static void test_level_eoi_hook(void **state) {
  enable();
  lapic_deliver(fx.l, 0x61, LAPIC_DM_FIXED, true);
  lapic_deliver(fx.l, 0x70, LAPIC_DM_FIXED, false);
  assert_true(tmr_has(0x61));
  assert_false(tmr_has(0x70));
  assert_int_equal(lapic_irq_ack(fx.l), 0x70);
  wr(EOI, 0);
  assert_int_equal(fx.neoi, 0); /* edge: no broadcast */
  assert_int_equal(lapic_irq_ack(fx.l), 0x61);
  wr(EOI, 0);
  assert_int_equal(fx.neoi, 1);
  assert_int_equal(fx.eoi_vectors[0], 0x61);
  lapic_deliver(fx.l, 0x61, LAPIC_DM_FIXED, false); /* the TMR follows the last acceptance */
  assert_false(tmr_has(0x61));
}

static void test_spurious(void **state) {
  wr(SVR, 0x1ef);
  assert_int_equal(lapic_irq_ack(fx.l), 0xef); /* nothing pending */
  lapic_deliver(fx.l, 0x50, LAPIC_DM_FIXED, false);
  assert_true(lapic_irq_pending(fx.l));
  wr(TPR, 0x60); /* masked between the request and INTA */
  assert_int_equal(lapic_irq_ack(fx.l), 0xef);
  assert_false(isr_has(0xef)); /* no ISR bit for the spurious vector */
  assert_false(isr_has(0x50));
  assert_true(irr_has(0x50));
}

static void test_esr(void **state) {
  enable();
  wr(LVT_ERROR, 0xfe);
  lapic_deliver(fx.l, 5, LAPIC_DM_FIXED, false); /* vectors 0-15 are illegal */
  assert_false(irr_has(5));
  assert_true(irr_has(0xfe)); /* the error interrupt */
  assert_int_equal(rd(ESR), 0); /* nothing latched before a write */
  assert_int_equal(lapic_irq_ack(fx.l), 0xfe);
  wr(EOI, 0);
  rd(0x2f0); /* reserved (no CMCI entry): illegal register address */
  assert_false(irr_has(0xfe)); /* errors since the last ESR write raise one interrupt */
  wr(ESR, 0);
  assert_int_equal(rd(ESR), 0xc0); /* received illegal vector, illegal register */
  wr(ESR, 0);
  assert_int_equal(rd(ESR), 0);
  wr(ICR_LO, 0x40003); /* fixed self-IPI with vector 3 */
  assert_true(irr_has(0xfe)); /* re-armed by the write */
  wr(ESR, 0);
  assert_int_equal(rd(ESR), 0x20); /* send illegal vector */
}

/* -- IPIs and destinations ------------------------------------------------------ */

static void test_self_ipi(void **state) {
  enable();
  wr(ICR_LO, 0x40060); /* fixed, shorthand self */
  assert_true(irr_has(0x60));
  assert_int_equal(rd(ICR_LO), 0x40060); /* delivery status idle */
  wr(ICR_LO, 0x80061); /* all including self */
  assert_true(irr_has(0x61));
  wr(ICR_LO, 0xc0062); /* all excluding self: nobody */
  assert_false(irr_has(0x62));
  wr(ICR_HI, 0);
  wr(ICR_LO, 0x00063); /* physical destination 0 = this APIC */
  assert_true(irr_has(0x63));
  wr(ICR_HI, 0x01000000);
  wr(ICR_LO, 0x00064); /* APIC 1: does not exist */
  assert_false(irr_has(0x64));
  wr(ICR_LO, 0x44500); /* INIT to self: ignored */
  wr(ICR_LO, 0x44600); /* SIPI */
  assert_false(lapic_nmi_pending(fx.l));
  wr(ICR_LO, 0x40400); /* NMI to self */
  assert_true(lapic_nmi_pending(fx.l));
  wr(ESR, 0);
  assert_int_equal(rd(ESR), 0);
}

static void test_destinations(void **state) {
  assert_true(lapic_match_dest(fx.l, 0, false));
  assert_false(lapic_match_dest(fx.l, 1, false));
  assert_true(lapic_match_dest(fx.l, 0xff, false));
  wr(ID, 0x05000000);
  assert_true(lapic_match_dest(fx.l, 5, false));
  assert_false(lapic_match_dest(fx.l, 0, false));
  wr(LDR, 0x01000000); /* flat model (DFR all ones): bit 0 */
  assert_true(lapic_match_dest(fx.l, 0x01, true));
  assert_true(lapic_match_dest(fx.l, 0x03, true));
  assert_false(lapic_match_dest(fx.l, 0x02, true));
  assert_true(lapic_match_dest(fx.l, 0xff, true));
  wr(DFR, 0x0fffffff); /* cluster model: cluster 2, member bit 0 */
  wr(LDR, 0x21000000);
  assert_true(lapic_match_dest(fx.l, 0x21, true));
  assert_true(lapic_match_dest(fx.l, 0x23, true));
  assert_false(lapic_match_dest(fx.l, 0x31, true));
  assert_false(lapic_match_dest(fx.l, 0x22, true));
  assert_true(lapic_match_dest(fx.l, 0xf1, true)); /* broadcast cluster */
}

/* -- Timer ------------------------------------------------------------------------ */

static void test_timer_oneshot(void **state) {
  enable();
  wr(TIMER_DIVIDE, 0x3); /* divide by 16: one tick per 16 ns */
  wr(LVT_TIMER, 0x40);
  wr(TIMER_INITIAL, 1000);
  assert_int_equal(rd(TIMER_CURRENT), 1000);
  advance(160);
  assert_int_equal(rd(TIMER_CURRENT), 990);
  advance(16000 - 160 - 1);
  assert_int_equal(rd(TIMER_CURRENT), 1);
  assert_false(irr_has(0x40));
  advance(1);
  assert_true(irr_has(0x40));
  assert_int_equal(rd(TIMER_CURRENT), 0);
  assert_int_equal(rd(TIMER_INITIAL), 1000);
  assert_int_equal(lapic_irq_ack(fx.l), 0x40);
  wr(EOI, 0);
  advance(100000);
  assert_false(irr_has(0x40)); /* once */
  assert_int_equal(rd(TIMER_CURRENT), 0);
}

static void test_timer_periodic(void **state) {
  enable();
  wr(TIMER_DIVIDE, 0xb); /* divide by 1 */
  wr(LVT_TIMER, PERIODIC | 0x41);
  wr(TIMER_INITIAL, 100);
  for (int i = 0; i < 3; i++) {
    advance(50);
    assert_int_equal(rd(TIMER_CURRENT), 50);
    assert_false(irr_has(0x41));
    advance(50);
    assert_int_equal(rd(TIMER_CURRENT), 100); /* reloaded */
    assert_int_equal(lapic_irq_ack(fx.l), 0x41);
    wr(EOI, 0);
  }
  advance(1030); /* ten periods late: one interrupt, the phase kept */
  assert_int_equal(lapic_irq_ack(fx.l), 0x41);
  wr(EOI, 0);
  assert_int_equal(rd(TIMER_CURRENT), 70);
  advance(70);
  assert_true(irr_has(0x41));
  wr(TIMER_INITIAL, 0); /* stops it */
  assert_int_equal(rd(TIMER_CURRENT), 0);
  assert_int_equal(hw_clock_run(fx.clock), UINT64_MAX);
}

static void test_timer_masked_counts(void **state) {
  enable();
  wr(TIMER_DIVIDE, 0xb);
  wr(LVT_TIMER, MASKED | PERIODIC | 0x42);
  wr(TIMER_INITIAL, 100);
  advance(250);
  assert_false(irr_has(0x42));
  assert_int_equal(rd(TIMER_CURRENT), 50);
  wr(LVT_TIMER, PERIODIC | 0x42); /* unmasking raises nothing by itself */
  assert_false(irr_has(0x42));
  advance(50);
  assert_true(irr_has(0x42));
}

static void test_timer_divide_and_mode_change(void **state) {
  enable();
  wr(TIMER_DIVIDE, 0xb);
  wr(LVT_TIMER, 0x43);
  wr(TIMER_INITIAL, 1000);
  advance(400);
  assert_int_equal(rd(TIMER_CURRENT), 600);
  wr(TIMER_DIVIDE, 0x0); /* divide by 2 from now on */
  advance(200);
  assert_int_equal(rd(TIMER_CURRENT), 500);
  wr(LVT_TIMER, PERIODIC | 0x43); /* one-shot -> periodic: the count goes on */
  assert_int_equal(rd(TIMER_CURRENT), 500);
  advance(1000);
  assert_true(irr_has(0x43));
  assert_int_equal(rd(TIMER_CURRENT), 1000);
  advance(2000 + 2 * 300);
  assert_int_equal(rd(TIMER_CURRENT), 700);
  wr(LVT_TIMER, 0x43); /* periodic -> one-shot: this period is the last */
  assert_int_equal(rd(TIMER_CURRENT), 700);
  lapic_irq_ack(fx.l);
  wr(EOI, 0);
  advance(1399);
  assert_false(irr_has(0x43));
  assert_int_equal(rd(TIMER_CURRENT), 1);
  advance(1);
  assert_true(irr_has(0x43));
  assert_int_equal(rd(TIMER_CURRENT), 0);
}

static void test_timer_tsc_deadline(void **state) {
  enable();
  uint64_t now = hw_clock_ns(fx.clock);
  lapic_set_tsc_deadline(fx.l, now + 500); /* one-shot mode: ignored */
  assert_int_equal(lapic_get_tsc_deadline(fx.l), 0);
  wr(LVT_TIMER, TSC_DEADLINE | 0x44);
  lapic_set_tsc_deadline(fx.l, now + 500);
  assert_int_equal(lapic_get_tsc_deadline(fx.l), now + 500);
  wr(TIMER_INITIAL, 1000); /* ignored in TSC-deadline mode */
  assert_int_equal(rd(TIMER_CURRENT), 0);
  advance(499);
  assert_false(irr_has(0x44));
  advance(1);
  assert_true(irr_has(0x44));
  assert_int_equal(lapic_get_tsc_deadline(fx.l), 0); /* disarmed by firing */
  lapic_irq_ack(fx.l);
  wr(EOI, 0);
  lapic_set_tsc_deadline(fx.l, now + 100); /* already passed: fires at once */
  hw_clock_run(fx.clock);
  assert_true(irr_has(0x44));
  lapic_irq_ack(fx.l);
  wr(EOI, 0);
  lapic_set_tsc_deadline(fx.l, now + 1000);
  lapic_set_tsc_deadline(fx.l, 0); /* disarms */
  advance(1000);
  assert_false(irr_has(0x44));
  lapic_set_tsc_deadline(fx.l, now + 2000);
  wr(LVT_TIMER, 0x44); /* leaving TSC-deadline mode disarms */
  wr(LVT_TIMER, TSC_DEADLINE | 0x44);
  assert_int_equal(lapic_get_tsc_deadline(fx.l), 0);
  advance(2000);
  assert_false(irr_has(0x44));
}

/* -- LINT0/LINT1, disabling ------------------------------------------------------- */

static void test_extint_virtual_wire(void **state) {
  /* Reset state: software-disabled, LINT0 ExtINT: the i8259 gets through. */
  hw_irq_set(&fx.lint0, 1);
  assert_true(lapic_irq_pending(fx.l));
  assert_true(fx.notified > 0);
  assert_int_equal(lapic_irq_ack(fx.l), LAPIC_ACK_EXTINT);
  hw_irq_set(&fx.lint0, 0); /* the PIC drops INTR when it has nothing more */
  assert_false(lapic_irq_pending(fx.l));
  /* Linux's setup: enabled, LINT0 masked ExtINT: the i8259 is cut off. */
  enable();
  wr(LVT_LINT0, MASKED | 0x700);
  hw_irq_set(&fx.lint0, 1);
  assert_false(lapic_irq_pending(fx.l));
  wr(LVT_LINT0, 0x700);
  assert_true(lapic_irq_pending(fx.l));
  /* ExtINT goes before fixed interrupts, and the TPR does not hold it back. */
  lapic_deliver(fx.l, 0x30, LAPIC_DM_FIXED, false);
  assert_int_equal(lapic_irq_ack(fx.l), LAPIC_ACK_EXTINT);
  wr(TPR, 0xff);
  assert_true(lapic_irq_pending(fx.l));
  assert_int_equal(lapic_irq_ack(fx.l), LAPIC_ACK_EXTINT);
  hw_irq_set(&fx.lint0, 0);
  /* An ExtINT message is latched until taken. */
  lapic_deliver(fx.l, 0, LAPIC_DM_EXTINT, false);
  assert_true(lapic_irq_pending(fx.l));
  assert_int_equal(lapic_irq_ack(fx.l), LAPIC_ACK_EXTINT);
  assert_false(lapic_irq_pending(fx.l));
}

static void test_lint_fixed_and_nmi(void **state) {
  enable();
  hw_irq_set(&fx.lint1, 1); /* LINT1 as NMI: on the rising edge */
  assert_true(lapic_nmi_pending(fx.l));
  assert_false(lapic_irq_pending(fx.l));
  lapic_nmi_ack(fx.l);
  hw_irq_set(&fx.lint1, 1);
  assert_false(lapic_nmi_pending(fx.l));
  hw_irq_pulse(&fx.lint1);
  assert_false(lapic_nmi_pending(fx.l)); /* still high: no edge */
  hw_irq_set(&fx.lint1, 0);
  wr(LVT_LINT1, MASKED | 0x400);
  hw_irq_set(&fx.lint1, 1);
  assert_false(lapic_nmi_pending(fx.l));
  wr(LVT_LINT0, 0x55); /* fixed, vector 0x55 */
  hw_irq_set(&fx.lint0, 1);
  assert_true(irr_has(0x55));
  assert_false(tmr_has(0x55));
  lapic_deliver(fx.l, 0, LAPIC_DM_NMI, false); /* NMI message */
  assert_true(lapic_nmi_pending(fx.l));
  HwIrq none = lapic_lint(fx.l, 2);
  assert_null(none.set);
  hw_irq_set(&none, 1); /* does nothing */
}

static void test_svr_disable(void **state) {
  enable();
  wr(LVT_TIMER, 0x40);
  wr(LVT_LINT0, 0x700);
  wr(LVT_ERROR, 0xfe);
  lapic_deliver(fx.l, 0x50, LAPIC_DM_FIXED, false);
  wr(SVR, 0xff); /* software disable: every LVT entry masked */
  assert_int_equal(rd(LVT_TIMER), MASKED | 0x40);
  assert_int_equal(rd(LVT_LINT0), MASKED | 0x700);
  assert_int_equal(rd(LVT_LINT1), MASKED | 0x400);
  assert_int_equal(rd(LVT_ERROR), MASKED | 0xfe);
  wr(LVT_LINT0, 0x700); /* the mask cannot be cleared while disabled */
  assert_int_equal(rd(LVT_LINT0), MASKED | 0x700);
  hw_irq_set(&fx.lint0, 1);
  lapic_deliver(fx.l, 0x60, LAPIC_DM_FIXED, false); /* not accepted */
  assert_false(irr_has(0x60));
  assert_true(irr_has(0x50)); /* held */
  assert_int_equal(lapic_irq_ack(fx.l), 0x50);
  lapic_deliver(fx.l, 0, LAPIC_DM_NMI, false); /* NMI still accepted */
  assert_true(lapic_nmi_pending(fx.l));
  wr(TIMER_INITIAL, 10); /* the timer counts; its interrupt is masked */
  advance(100);
  assert_false(irr_has(0x40));
  enable();
  assert_int_equal(rd(LVT_LINT0), MASKED | 0x700); /* stays masked until written */
  wr(LVT_LINT0, 0x700);
  assert_int_equal(lapic_irq_ack(fx.l), LAPIC_ACK_EXTINT);
}

static void test_apic_base(void **state) {
  assert_false(lapic_set_base(fx.l, 0xfee00d00)); /* x2APIC enable: not offered */
  assert_false(lapic_set_base(fx.l, 0xfee00901)); /* reserved bit */
  assert_false(lapic_set_base(fx.l, 0xfed00900)); /* moving it */
  assert_int_equal(lapic_get_base(fx.l), 0xfee00900);
  assert_true(lapic_set_base(fx.l, 0xfee00800)); /* the BSP bit is read-only */
  assert_int_equal(lapic_get_base(fx.l), 0xfee00900);

  enable();
  wr(LVT_TIMER, 0x40);
  wr(TIMER_INITIAL, 100);
  wr(LVT_LINT0, MASKED | 0x700);
  assert_true(lapic_set_base(fx.l, 0xfee00100)); /* globally disabled */
  assert_int_equal(lapic_get_base(fx.l), 0xfee00100);
  assert_int_equal(rd(SVR), 0xffffffff); /* the page is not decoded */
  wr(TPR, 0x10);
  advance(1000); /* the timer stopped */
  /* No APIC: LINT0 is INTR whatever its LVT entry says, LINT1 is NMI. */
  hw_irq_set(&fx.lint0, 1);
  assert_true(lapic_irq_pending(fx.l));
  assert_int_equal(lapic_irq_ack(fx.l), LAPIC_ACK_EXTINT);
  hw_irq_set(&fx.lint0, 0);
  assert_false(lapic_irq_pending(fx.l));
  wr(LVT_LINT1, MASKED);
  hw_irq_set(&fx.lint1, 1);
  assert_true(lapic_nmi_pending(fx.l));
  lapic_deliver(fx.l, 0x70, LAPIC_DM_FIXED, false); /* no messages */
  assert_false(lapic_irq_pending(fx.l));

  assert_true(lapic_set_base(fx.l, 0xfee00900));
  assert_int_equal(rd(TPR), 0);
  assert_int_equal(rd(SVR), 0xff); /* back software-disabled */
  assert_int_equal(rd(LVT_TIMER), MASKED | 0x40);
  assert_int_equal(rd(TIMER_INITIAL), 0);
  assert_false(irr_has(0x40));
  assert_false(irr_has(0x70));
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
      T(test_reset_values),
      T(test_writable_bits),
      T(test_partial_reads),
      T(test_priority_with_tpr),
      T(test_nested_eoi),
      T(test_level_eoi_hook),
      T(test_spurious),
      T(test_esr),
      T(test_self_ipi),
      T(test_destinations),
      T(test_timer_oneshot),
      T(test_timer_periodic),
      T(test_timer_masked_counts),
      T(test_timer_divide_and_mode_change),
      T(test_timer_tsc_deadline),
      T(test_extint_virtual_wire),
      T(test_lint_fixed_and_nmi),
      T(test_svr_disable),
      T(test_apic_base),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
