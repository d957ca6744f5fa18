/* lapic.h — one xAPIC local APIC (Intel SDM vol. 3 ch. 11) for a single CPU:
 * the MMIO page at 0xfee00000, IA32_APIC_BASE and IA32_TSC_DEADLINE, the
 * timer on the machine's clock, LINT0/LINT1 inputs, messages from the IOAPIC,
 * and the CPU's side (which interrupt to take, and its vector).
 *
 * Not modelled: x2APIC, lowest-priority arbitration between CPUs, IPIs to other
 * CPUs, INIT/SIPI/SMI (logged with -d unimp and ignored: -smp 1), the remote IRR
 * of a level-triggered fixed LINT input (LINT inputs in fixed mode act on 0->1),
 * thermal and performance-counter interrupts (their LVT entries are registers
 * only), relocating the APIC page. */
#ifndef EMU_HW_LAPIC_H
#define EMU_HW_LAPIC_H

#include "hw.h"

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_BASE_ADDR 0xfee00000u
#define LAPIC_MMIO_SIZE 0x1000u

/* IA32_APIC_BASE (MSR 0x1b) bits. */
#define LAPIC_BASE_BSP (1u << 8)
#define LAPIC_BASE_ENABLE (1u << 11)

/* Delivery modes, as encoded in LVT entries, the ICR and IOAPIC messages. */
enum {
  LAPIC_DM_FIXED = 0,
  LAPIC_DM_LOWEST = 1,
  LAPIC_DM_SMI = 2,
  LAPIC_DM_NMI = 4,
  LAPIC_DM_INIT = 5,
  LAPIC_DM_SIPI = 6,
  LAPIC_DM_EXTINT = 7,
};

/* lapic_irq_ack: the interrupt is the i8259's; the machine asks it (i8259_ack)
 * for the vector. */
#define LAPIC_ACK_EXTINT (-1)

typedef struct Lapic Lapic;

/* The APIC of the bootstrap processor, APIC ID 0, after lapic_reset. NULL if out
 * of memory. The clock must outlive it. */
Lapic *lapic_new(HwClock *clock);
void lapic_free(Lapic *l);
/* RESET: the SDM's power-up state (10.4.7.1: IA32_APIC_BASE 0xfee00900, SVR
 * 0xff, DFR all ones, everything else 0 and the LVT entries masked), then what
 * firmware does before it starts an OS, since the machine has none: LINT0 as
 * ExtINT and LINT1 as NMI, unmasked (the MP spec's virtual-wire mode; QEMU and
 * KVM reset the BSP's LINT0 the same way). So the i8259 reaches the CPU until
 * the OS programs the APIC. */
void lapic_reset(Lapic *l);
/* Map the register page at LAPIC_BASE_ADDR; false if that overlaps a region. */
bool lapic_map(Lapic *l, HwBus *bus);

/* -- MSRs ------------------------------------------------------------------- */

uint64_t lapic_get_base(const Lapic *l);
/* false: the CPU raises #GP (reserved bits, x2APIC enable, another base address).
 * Clearing the global enable bit makes the CPU one without an APIC: LINT0 is
 * INTR and LINT1 NMI, the page is not decoded, the timer stops; the APIC comes
 * back software-disabled with its LVT entries masked. The BSP bit is read-only. */
bool lapic_set_base(Lapic *l, uint64_t value);
/* IA32_TSC_DEADLINE (MSR 0x6e0), with the TSC = the clock in ns. Only in the
 * timer's TSC-deadline mode: otherwise it reads 0 and writes are ignored. 0
 * disarms; the MSR reads 0 again once the timer has fired. */
uint64_t lapic_get_tsc_deadline(const Lapic *l);
void lapic_set_tsc_deadline(Lapic *l, uint64_t tsc);

/* -- Inputs ----------------------------------------------------------------- */

/* A message from the IOAPIC (or another APIC-bus source) that was addressed to
 * this APIC: see lapic_match_dest. level: trigger mode (a fixed interrupt's TMR
 * bit, so its EOI is broadcast to the EOI hook). */
void lapic_deliver(Lapic *l, int vector, int mode, bool level);
/* Whether a message's destination (physical APIC ID, or logical in the DFR's
 * flat or cluster model) includes this APIC; 0xff is everyone. */
bool lapic_match_dest(const Lapic *l, uint8_t dest, bool logical);
/* The LINT0 (n = 0) and LINT1 (n = 1) pins. n out of range: a line that does
 * nothing. */
HwIrq lapic_lint(Lapic *l, int n);
/* Called with the vector when an EOI retires a level-triggered interrupt (the
 * IOAPIC then clears its remote IRR). */
void lapic_set_eoi_hook(Lapic *l, void (*fn)(void *ctx, int vector), void *ctx);
/* Called when an interrupt or NMI may have become pending, so the machine can
 * stop running chained guest code and look (NULL: no call). */
void lapic_set_notify(Lapic *l, void (*fn)(void *ctx), void *ctx);

/* -- The CPU's side ------------------------------------------------------------ */

/* An interrupt the CPU takes when RFLAGS.IF = 1: a fixed interrupt above the
 * processor priority, ExtINT (LINT0 or a message), or, with the APIC globally
 * disabled, the i8259's INTR on LINT0. */
bool lapic_irq_pending(const Lapic *l);
/* The CPU takes it (INTA): its vector, LAPIC_ACK_EXTINT, or the spurious
 * vector when nothing is deliverable any more (SDM 11.9: no ISR bit is set). */
int lapic_irq_ack(Lapic *l);
bool lapic_nmi_pending(const Lapic *l);
void lapic_nmi_ack(Lapic *l);

#endif
