/* acpi_tables.h — the ACPI 6.x tables of emu-pc, built into guest RAM at
 * [0xe0000, 0x100000) (pc_layout.h): RSDP (revision 2), XSDT, FADT (revision 6,
 * full ACPI hardware, not hardware-reduced: PM1a event/control blocks, PM timer,
 * SCI on GSI 9, reset register 0xcf9 <- 6), FACS, MADT (one local APIC, the
 * IOAPIC, IRQ0 -> GSI 2 and SCI overrides, LINT1 NMI) and a DSDT with _S5 and
 * one LNRO0005 (virtio-mmio) device per disk. docs/system.md says why. */
#ifndef EMU_ACPI_TABLES_H
#define EMU_ACPI_TABLES_H

#include <stdint.h>

typedef struct AcpiConfig {
  unsigned virtio_mmio_count; /* devices 0..n-1 at pc_layout.h's addresses, at most PC_VIRTIO_MMIO_MAX */
} AcpiConfig;

/* Build the tables into ram (guest-physical 0 = ram[0], ram_size >= 1 MiB).
 * Returns the RSDP's address (16-byte aligned in [0xe0000, 0x100000), where
 * Linux's legacy scan also finds it), or 0 if the configuration cannot be
 * described (too many devices, too little RAM). */
uint64_t acpi_build(uint8_t *ram, uint64_t ram_size, const AcpiConfig *c);

/* Table layout constants the tests and the devices share. */
#define ACPI_FADT_REVISION 6
#define ACPI_FADT_LEN 276 /* ACPI 6.0+ */
#define ACPI_FACS_LEN 64
#define ACPI_HEADER_LEN 36
#define ACPI_RSDP_LEN 36

#endif
