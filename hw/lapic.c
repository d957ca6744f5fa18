/* lapic.c — the local APIC's registers, interrupt acceptance and priorities,
 * and the CPU's side (SDM vol. 3 ch. 11, xAPIC mode). Accepted fixed interrupts
 * wait in the IRR; the CPU takes the highest whose priority class is above the
 * PPR's, which moves it to the ISR until the EOI. ExtINT (the i8259 through
 * LINT0) and NMI bypass the IRR. The timer is lapic_timer.c. */
#include "emu.h"
#include "lapic_int.h"

#include <inttypes.h>
#include <stdlib.h>

/* Register offsets in the page (SDM table 11-1). */
enum {
  R_ID = 0x020,
  R_VERSION = 0x030,
  R_TPR = 0x080,
  R_APR = 0x090,
  R_PPR = 0x0a0,
  R_EOI = 0x0b0,
  R_RRD = 0x0c0,
  R_LDR = 0x0d0,
  R_DFR = 0x0e0,
  R_SVR = 0x0f0,
  R_ISR = 0x100, /* 8 registers each, 0x10 apart */
  R_TMR = 0x180,
  R_IRR = 0x200,
  R_ESR = 0x280,
  R_ICR_LO = 0x300,
  R_ICR_HI = 0x310,
  R_LVT = 0x320, /* LVT_COUNT registers, 0x10 apart */
  R_TIMER_INITIAL = 0x380,
  R_TIMER_CURRENT = 0x390,
  R_TIMER_DIVIDE = 0x3e0,
};

/* Version: 0x14 is an integrated xAPIC (Pentium 4 and later; Linux's
 * APIC_XAPIC()); bits 23:16 are the number of LVT entries minus one: six
 * (timer, thermal, performance, LINT0, LINT1, error), no CMCI entry at 0x2f0.
 * Bit 24 clear: no EOI-broadcast suppression, so SVR bit 12 is reserved. */
#define LAPIC_VERSION (0x14u | (uint32_t)(LVT_COUNT - 1) << 16)

/* Writable bits of each LVT entry (SDM figure 11-8); delivery status and remote
 * IRR read 0: the APIC accepts at once, and level LINT inputs are not modelled. */
static const struct {
  const char *name;
  uint32_t wmask;
} lvt_info[LVT_COUNT] = {
    [LVT_TIMER] = {"timer", 0x000700ff}, /* vector, mask, timer mode */
    [LVT_THERMAL] = {"thermal", 0x000107ff}, /* vector, delivery mode, mask */
    [LVT_PERF] = {"perf", 0x000107ff},
    [LVT_LINT0] = {"LINT0", 0x0001a7ff}, /* ... and polarity, trigger mode */
    [LVT_LINT1] = {"LINT1", 0x0001a7ff},
    [LVT_ERROR] = {"error", 0x000100ff}, /* vector, mask */
};

/* ESR bits (SDM figure 11-9). */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER (1u << 7)

#define ICR_LO_WMASK 0x000ccfffu /* vector, mode, dest mode, level, trigger, shorthand */
#define ICR_LOGICAL (1u << 11)
enum { DEST_FIELD, DEST_SELF, DEST_ALL, DEST_OTHERS }; /* ICR shorthand, bits 19:18 */

static const char *const mode_names[8] = {"fixed", "lowest-priority", "SMI", "mode 3",
                                          "NMI", "INIT", "SIPI", "ExtINT"};

static bool hw_enabled(const Lapic *l) { return l->apic_base & LAPIC_BASE_ENABLE; }
static bool sw_enabled(const Lapic *l) { return l->svr & SVR_ENABLE; }

/* -- 256-bit vector sets (IRR, ISR, TMR) ------------------------------------ */

static void vec_set(uint32_t *set, int v) { set[v >> 5] |= 1u << (v & 31); }
static void vec_clear(uint32_t *set, int v) { set[v >> 5] &= ~(1u << (v & 31)); }
static bool vec_test(const uint32_t *set, int v) { return (set[v >> 5] >> (v & 31)) & 1; }

/* The highest vector in the set, or -1. */
static int vec_highest(const uint32_t *set) {
  for (int i = 7; i >= 0; i--)
    if (set[i])
      return i * 32 + 31 - __builtin_clz(set[i]);
  return -1;
}

/* -- Priorities (SDM 11.8.3) -------------------------------------------------- */

/* PPR: the TPR, or the class of the highest in-service vector if that is above
 * the TPR's class (then the low nibble is 0). */
static uint32_t ppr(const Lapic *l) {
  int isrv = vec_highest(l->isr);
  uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
  return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

/* The IRR's highest vector if its class is above the PPR's, or -1. */
static int deliverable_fixed(const Lapic *l) {
  int v = vec_highest(l->irr);
  return v >= 0 && ((uint32_t)v & 0xf0) > (ppr(l) & 0xf0) ? v : -1;
}

/* An ExtINT the CPU should take: a message, or a LINT pin programmed as ExtINT
 * (always level-sensitive: pending while the pin is asserted). */
static bool extint_pending(const Lapic *l) {
  if (l->extint_pending)
    return true;
  for (int n = 0; n < 2; n++) {
    uint32_t e = l->lvt[LVT_LINT0 + n];
    if (l->lint_level[n] && !(e & LVT_MASKED) && ((e >> 8) & 7) == LAPIC_DM_EXTINT)
      return true;
  }
  return false;
}

void lapic_notify(Lapic *l) {
  if (l->notify && (l->nmi_pending || lapic_irq_pending(l)))
    l->notify(l->notify_ctx);
}

/* -- Acceptance --------------------------------------------------------------- */

static void lapic_error(Lapic *l, uint32_t bits);

/* A fixed interrupt into the IRR; its TMR bit says how it was triggered (SDM
 * 11.8.4). Vectors 0-15 are illegal and only set an ESR bit. */
static void accept_fixed(Lapic *l, int vector, bool level) {
  if (vector < 16) {
    lapic_error(l, ESR_RECV_ILLEGAL_VECTOR);
    return;
  }
  vec_set(l->irr, vector);
  if (level)
    vec_set(l->tmr, vector);
  else
    vec_clear(l->tmr, vector);
}

static void log_ignored(const char *what, int mode) {
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("lapic: %s %s ignored (one CPU)\n", mode_names[mode & 7], what);
}

void lapic_lvt_fire(Lapic *l, int lvt) {
  uint32_t e = l->lvt[lvt];
  if (e & LVT_MASKED)
    return;
  /* The timer and error entries have no delivery mode field: fixed. */
  int mode = lvt == LVT_TIMER || lvt == LVT_ERROR ? LAPIC_DM_FIXED : (int)(e >> 8) & 7;
  switch (mode) {
  case LAPIC_DM_FIXED:
    accept_fixed(l, (int)(e & 0xff), (lvt == LVT_LINT0 || lvt == LVT_LINT1) && (e & LVT_LEVEL));
    break;
  case LAPIC_DM_NMI:
    l->nmi_pending = true;
    break;
  case LAPIC_DM_EXTINT:
    break; /* pending while the pin is asserted: extint_pending */
  default:
    log_ignored(lvt_info[lvt].name, mode);
  }
}

/* Errors accumulate until the next ESR write; the first one after it raises the
 * error interrupt (SDM 11.5.3: the write re-arms it). */
static void lapic_error(Lapic *l, uint32_t bits) {
  bool armed = l->esr_pending == 0;
  l->esr_pending |= bits;
  if (armed)
    lapic_lvt_fire(l, LVT_ERROR);
}

void lapic_deliver(Lapic *l, int vector, int mode, bool level) {
  if (!hw_enabled(l))
    return;
  switch (mode) {
  case LAPIC_DM_FIXED:
  case LAPIC_DM_LOWEST: /* one CPU: it is the lowest-priority one */
    /* Software-disabled, the APIC accepts only NMI, SMI, INIT and SIPI (SDM
     * 11.4.7.2). */
    if (sw_enabled(l))
      accept_fixed(l, vector & 0xff, level);
    break;
  case LAPIC_DM_NMI:
    l->nmi_pending = true;
    break;
  case LAPIC_DM_EXTINT:
    if (sw_enabled(l))
      l->extint_pending = true;
    break;
  default:
    log_ignored("message", mode);
  }
  lapic_notify(l);
}

bool lapic_match_dest(const Lapic *l, uint8_t dest, bool logical) {
  if (dest == 0xff)
    return true;
  if (!logical)
    return dest == l->id >> 24;
  uint8_t ldr = (uint8_t)(l->ldr >> 24);
  if ((l->dfr >> 28) == 0xf) /* flat: one bit per APIC */
    return (dest & ldr) != 0;
  /* cluster: high nibble the cluster (15 = all), low nibble a bit per APIC */
  return ((dest >> 4) == 0xf || (dest >> 4) == (ldr >> 4)) && (dest & ldr & 0xf) != 0;
}

static void lint_set(void *opaque, int n, int level) {
  Lapic *l = opaque;
  bool rise = level && !l->lint_level[n];
  l->lint_level[n] = level != 0;
  if (!hw_enabled(l)) {
    /* No APIC: LINT0 is the CPU's INTR, LINT1 its NMI (SDM 11.4.3). */
    if (n == 1 && rise)
      l->nmi_pending = true;
  } else if (rise) {
    lapic_lvt_fire(l, LVT_LINT0 + n);
  }
  lapic_notify(l);
}

HwIrq lapic_lint(Lapic *l, int n) {
  if (n < 0 || n > 1)
    return (HwIrq){0};
  return (HwIrq){.set = lint_set, .opaque = l, .pin = n};
}

/* -- The CPU's side ------------------------------------------------------------ */

bool lapic_irq_pending(const Lapic *l) {
  if (!hw_enabled(l))
    return l->lint_level[0];
  return extint_pending(l) || deliverable_fixed(l) >= 0;
}

int lapic_irq_ack(Lapic *l) {
  if (!hw_enabled(l))
    return LAPIC_ACK_EXTINT;
  /* ExtINT is not subject to the APIC's priorities: it goes first. */
  if (extint_pending(l)) {
    l->extint_pending = false;
    return LAPIC_ACK_EXTINT;
  }
  int v = deliverable_fixed(l);
  if (v < 0)
    return (int)(l->svr & 0xff); /* spurious: no ISR bit, no EOI (SDM 11.9) */
  vec_clear(l->irr, v);
  vec_set(l->isr, v);
  return v;
}

bool lapic_nmi_pending(const Lapic *l) { return l->nmi_pending; }
void lapic_nmi_ack(Lapic *l) { l->nmi_pending = false; }

/* -- Registers ---------------------------------------------------------------- */

/* The highest in-service interrupt is done; a level-triggered one's EOI goes to
 * the IOAPIC (SDM 11.8.5). */
static void eoi(Lapic *l) {
  int v = vec_highest(l->isr);
  if (v < 0)
    return;
  vec_clear(l->isr, v);
  if (vec_test(l->tmr, v) && l->eoi_hook)
    l->eoi_hook(l->eoi_ctx, v);
}

/* The ICR's IPI. Only this CPU exists: fixed and NMI IPIs that include it are
 * delivered to it; the rest are logged. */
static void send_ipi(Lapic *l) {
  int vector = (int)(l->icr_lo & 0xff), mode = (int)(l->icr_lo >> 8) & 7;
  int shorthand = (int)(l->icr_lo >> 18) & 3;
  bool self = shorthand == DEST_SELF || shorthand == DEST_ALL ||
              (shorthand == DEST_FIELD &&
               lapic_match_dest(l, (uint8_t)(l->icr_hi >> 24), l->icr_lo & ICR_LOGICAL));
  if (mode != LAPIC_DM_FIXED && mode != LAPIC_DM_LOWEST && mode != LAPIC_DM_NMI) {
    log_ignored("IPI", mode);
    return;
  }
  if (mode != LAPIC_DM_NMI && vector < 16) {
    lapic_error(l, ESR_SEND_ILLEGAL_VECTOR);
    return;
  }
  if (self)
    lapic_deliver(l, vector, mode, false);
  else if (emu_log_on(EMU_LOG_unimp))
    emu_log("lapic: IPI 0x%08" PRIx32 ":%08" PRIx32 " to other CPUs ignored (one CPU)\n",
            l->icr_hi, l->icr_lo);
}

static void write_svr(Lapic *l, uint32_t value) {
  l->svr = value & 0x3ff; /* vector, software enable, focus checking */
  if (!sw_enabled(l)) /* software disable masks every LVT entry (SDM 11.4.7.2) */
    for (int i = 0; i < LVT_COUNT; i++)
      l->lvt[i] |= LVT_MASKED;
}

static void write_lvt(Lapic *l, int i, uint32_t value) {
  value &= lvt_info[i].wmask;
  if (!sw_enabled(l)) /* the mask bits cannot be cleared while software-disabled */
    value |= LVT_MASKED;
  if (i == LVT_TIMER)
    lapic_timer_set_lvt(l, value);
  else
    l->lvt[i] = value;
}

static void illegal_register(Lapic *l, uint64_t off, const char *what) {
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("lapic: %s of reserved register 0x%03" PRIx64 "\n", what, off);
  lapic_error(l, ESR_ILLEGAL_REGISTER);
}

/* off: a register's offset (16-byte aligned). */
static uint32_t reg_read(Lapic *l, uint64_t off) {
  switch (off) {
  case R_ID: return l->id;
  case R_VERSION: return LAPIC_VERSION;
  case R_TPR: return l->tpr;
  case R_APR: /* arbitration and remote read: not on Pentium 4 and later */
  case R_RRD: return 0;
  case R_PPR: return ppr(l);
  case R_EOI: return 0; /* write-only */
  case R_LDR: return l->ldr;
  case R_DFR: return l->dfr;
  case R_SVR: return l->svr;
  case R_ESR: return l->esr;
  case R_ICR_LO: return l->icr_lo; /* delivery status 0: always sent */
  case R_ICR_HI: return l->icr_hi;
  case R_TIMER_INITIAL: return l->timer_initial;
  case R_TIMER_CURRENT: return lapic_timer_current(l);
  case R_TIMER_DIVIDE: return l->timer_dcr;
  }
  if (off >= R_ISR && off < R_ISR + 0x80)
    return l->isr[(off - R_ISR) >> 4];
  if (off >= R_TMR && off < R_TMR + 0x80)
    return l->tmr[(off - R_TMR) >> 4];
  if (off >= R_IRR && off < R_IRR + 0x80)
    return l->irr[(off - R_IRR) >> 4];
  if (off >= R_LVT && off < R_LVT + 0x10 * LVT_COUNT)
    return l->lvt[(off - R_LVT) >> 4];
  illegal_register(l, off, "read");
  return 0;
}

static void reg_write(Lapic *l, uint64_t off, uint32_t v) {
  switch (off) {
  case R_ID: l->id = v & 0xff000000; return;
  case R_TPR: l->tpr = v & 0xff; return;
  case R_EOI: eoi(l); return;
  case R_LDR: l->ldr = v & 0xff000000; return;
  case R_DFR: l->dfr = v | 0x0fffffff; return; /* only the model, bits 31:28 */
  case R_SVR: write_svr(l, v); return;
  case R_ESR: /* latch what accumulated, start over (SDM 11.5.3) */
    l->esr = l->esr_pending;
    l->esr_pending = 0;
    return;
  case R_ICR_LO:
    l->icr_lo = v & ICR_LO_WMASK;
    send_ipi(l);
    return;
  case R_ICR_HI: l->icr_hi = v & 0xff000000; return;
  case R_TIMER_INITIAL: lapic_timer_set_initial(l, v); return;
  case R_TIMER_DIVIDE: lapic_timer_set_divide(l, v); return;
  case R_VERSION: /* read-only: writes are ignored */
  case R_APR:
  case R_PPR:
  case R_RRD:
  case R_TIMER_CURRENT: return;
  }
  if (off >= R_ISR && off < R_IRR + 0x80)
    return; /* ISR, TMR, IRR: read-only */
  if (off >= R_LVT && off < R_LVT + 0x10 * LVT_COUNT) {
    write_lvt(l, (int)(off - R_LVT) >> 4, v);
    return;
  }
  illegal_register(l, off, "write");
}

/* Registers are 32 bits at 16-byte steps; the other 12 bytes read 0. A read of
 * part of a register gets those bytes; writes must be whole (SDM 11.4.1). With
 * the APIC globally disabled the page is not decoded. */
static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size) {
  Lapic *l = opaque;
  (void)size;
  if (!hw_enabled(l))
    return UINT64_MAX;
  unsigned byte = off & 0xf;
  return byte < 4 ? reg_read(l, off & ~0xfull) >> (8 * byte) : 0;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size) {
  Lapic *l = opaque;
  if (!hw_enabled(l))
    return;
  if ((off & 0xf) || size < 4) {
    if (emu_log_on(EMU_LOG_unimp))
      emu_log("lapic: %u-byte write at 0x%03" PRIx64 " ignored (registers are 32-bit)\n", size,
              off);
    return;
  }
  reg_write(l, off, (uint32_t)value);
  lapic_notify(l);
}

static const HwRegionOps lapic_ops = {mmio_read, mmio_write};

bool lapic_map(Lapic *l, HwBus *bus) {
  return hw_bus_map_mmio(bus, LAPIC_BASE_ADDR, LAPIC_MMIO_SIZE, "lapic", &lapic_ops, l);
}

/* -- MSRs, life cycle ------------------------------------------------------ */

uint64_t lapic_get_base(const Lapic *l) { return l->apic_base; }

bool lapic_set_base(Lapic *l, uint64_t value) {
  if (value & 0xfff & ~(uint64_t)(LAPIC_BASE_BSP | LAPIC_BASE_ENABLE))
    return false; /* reserved bits, x2APIC enable (bit 10) */
  if ((value & ~0xfffull) != LAPIC_BASE_ADDR) {
    if (emu_log_on(EMU_LOG_unimp))
      emu_log("lapic: moving the APIC to 0x%" PRIx64 " is not supported\n",
              (uint64_t)(value & ~0xfffull));
    return false;
  }
  bool was = hw_enabled(l);
  l->apic_base = (l->apic_base & LAPIC_BASE_BSP) | (value & ~(uint64_t)LAPIC_BASE_BSP);
  if (was && !hw_enabled(l)) {
    lapic_timer_stop(l);
    write_svr(l, l->svr & ~SVR_ENABLE);
    l->extint_pending = false;
  }
  lapic_notify(l);
  return true;
}

void lapic_set_eoi_hook(Lapic *l, void (*fn)(void *ctx, int vector), void *ctx) {
  l->eoi_hook = fn;
  l->eoi_ctx = ctx;
}

void lapic_set_notify(Lapic *l, void (*fn)(void *ctx), void *ctx) {
  l->notify = fn;
  l->notify_ctx = ctx;
}

void lapic_reset(Lapic *l) {
  lapic_timer_stop(l);
  l->apic_base = LAPIC_BASE_ADDR | LAPIC_BASE_BSP | LAPIC_BASE_ENABLE;
  l->id = l->tpr = l->ldr = 0;
  l->dfr = 0xffffffff;
  l->svr = 0xff;
  for (int i = 0; i < 8; i++)
    l->irr[i] = l->isr[i] = l->tmr[i] = 0;
  l->esr = l->esr_pending = 0;
  l->icr_lo = l->icr_hi = 0;
  for (int i = 0; i < LVT_COUNT; i++)
    l->lvt[i] = LVT_MASKED;
  l->timer_dcr = 0;
  l->extint_pending = l->nmi_pending = false;
  /* What firmware leaves: virtual-wire mode (lapic.h). */
  l->lvt[LVT_LINT0] = LAPIC_DM_EXTINT << 8;
  l->lvt[LVT_LINT1] = LAPIC_DM_NMI << 8;
}

Lapic *lapic_new(HwClock *clock) {
  Lapic *l = calloc(1, sizeof(*l));
  if (!l)
    return NULL;
  l->clock = clock;
  l->timer = hw_timer_new(clock, lapic_timer_expired, l);
  if (!l->timer) {
    free(l);
    return NULL;
  }
  lapic_reset(l);
  return l;
}

void lapic_free(Lapic *l) {
  if (!l)
    return;
  hw_timer_free(l->timer);
  free(l);
}
