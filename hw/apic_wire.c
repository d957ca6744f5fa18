/* apic_wire.c — IOAPIC -> LAPIC messages and LAPIC -> IOAPIC EOIs (apic_wire.h). */
#include "apic_wire.h"

static void to_lapic(void *ctx, const IoapicMsg *m) {
  Lapic *l = ctx;
  if (lapic_match_dest(l, m->dest, m->logical))
    lapic_deliver(l, m->vector, m->mode, m->level);
}

static void to_ioapic(void *ctx, int vector) { ioapic_eoi(ctx, vector); }

void apic_wire(Ioapic *io, Lapic *l) {
  ioapic_set_output(io, to_lapic, l);
  lapic_set_eoi_hook(l, to_ioapic, io);
}
