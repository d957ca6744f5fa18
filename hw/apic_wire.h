/* apic_wire.h — the machine's interrupt wiring between the IOAPIC and the one
 * local APIC: the IOAPIC's messages reach the LAPIC when their destination
 * includes it, and the LAPIC's EOI of a level-triggered vector goes back to the
 * IOAPIC (the EOI broadcast, SDM 11.8.5). Kept apart so that neither device
 * includes the other. */
#ifndef EMU_HW_APIC_WIRE_H
#define EMU_HW_APIC_WIRE_H

#include "ioapic.h"
#include "lapic.h"

/* Replaces the IOAPIC's output and the LAPIC's EOI hook. */
void apic_wire(Ioapic *io, Lapic *l);

#endif
