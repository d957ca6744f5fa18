/* ioapic.h — an I/O APIC like the 82093AA (its datasheet) with the version-0x20
 * additions (the EOI register at 0x40): 24 input pins at 0xfec00000, each with a
 * redirection entry that turns the pin into an interrupt message for the local
 * APICs. It knows nothing of them: the machine gives it an output function
 * (apic_wire.h wires it to the one LAPIC).
 *
 * Pin levels are logical (1 = asserted, hw.h); the polarity bit is kept for the
 * guest to read but not applied, as in QEMU. */
#ifndef EMU_HW_IOAPIC_H
#define EMU_HW_IOAPIC_H

#include "hw.h"

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_BASE_ADDR 0xfec00000u
#define IOAPIC_MMIO_SIZE 0x1000u
#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x00170020u /* 24 entries (bits 23:16 = 23), version 0x20 */

/* One interrupt message, from a redirection entry. */
typedef struct IoapicMsg {
  uint8_t vector;
  uint8_t mode; /* delivery mode, encoded as in lapic.h's LAPIC_DM_* */
  uint8_t dest; /* APIC ID (physical) or logical destination */
  bool logical;
  bool level; /* level-triggered: the LAPIC sets TMR and its EOI comes back */
} IoapicMsg;

typedef void (*IoapicOutput)(void *ctx, const IoapicMsg *msg);

typedef struct Ioapic Ioapic;

/* id: the IOAPIC ID register's reset value (the MADT's). NULL if out of memory. */
Ioapic *ioapic_new(uint8_t id);
void ioapic_free(Ioapic *io);
/* Every redirection entry masked, its other bits 0; pin levels are kept. */
void ioapic_reset(Ioapic *io);
/* Map the registers at IOAPIC_BASE_ADDR; false if that overlaps a region. */
bool ioapic_map(Ioapic *io, HwBus *bus);
/* Where messages go (NULL: dropped). */
void ioapic_set_output(Ioapic *io, IoapicOutput fn, void *ctx);

/* Pin inputs. A pin out of range: ioapic_irq gives a line that does nothing. */
HwIrq ioapic_irq(Ioapic *io, int pin);
void ioapic_set_irq(Ioapic *io, int pin, int level);

/* An EOI for vector (the LAPIC's broadcast for a level-triggered vector, or a
 * write of the EOI register): level entries with that vector and remote IRR set
 * clear it, and a line still asserted is delivered again. */
void ioapic_eoi(Ioapic *io, int vector);

#endif
