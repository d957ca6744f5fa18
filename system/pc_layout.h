/* pc_layout.h — the physical layout of emu's PC ("emu-pc", docs/system.md): where
 * RAM, the ACPI tables, the platform ports and the devices sit, and the e820 map
 * the RAM size implies. One place for the numbers the boot loader, the ACPI
 * tables and the machine must agree on. */
#ifndef EMU_PC_LAYOUT_H
#define EMU_PC_LAYOUT_H

#include <stdint.h>

/* -- RAM ---------------------------------------------------------------------- */

/* RAM is [0, min(-m, 3 GiB)); the rest of -m sits from 4 GiB, above the MMIO hole. */
#define PC_LOW_RAM_MAX (3ull << 30)
#define PC_HIGH_RAM_BASE (4ull << 30)
#define PC_EBDA_START 0x9fc00ull   /* [EBDA, 1 MiB) is reserved (BIOS area, ACPI) */
#define PC_HIGH_MEMORY 0x100000ull /* 1 MiB */

static inline uint64_t pc_low_ram_end(uint64_t ram_size) {
  return ram_size < PC_LOW_RAM_MAX ? ram_size : PC_LOW_RAM_MAX;
}
static inline uint64_t pc_high_ram_size(uint64_t ram_size) {
  return ram_size - pc_low_ram_end(ram_size);
}

/* -- Firmware area ------------------------------------------------------------ */

#define PC_ACPI_START 0xe0000ull /* ACPI tables: [start, end), RSDP first */
#define PC_ACPI_END 0x100000ull

/* -- Platform I/O ports ------------------------------------------------------- */

#define PC_ACPI_PM1A_EVT 0x600 /* PM1_STS, PM1_EN: 4 bytes */
#define PC_ACPI_PM1A_CNT 0x604 /* PM1_CNT: 2 bytes */
#define PC_ACPI_PM_TMR 0x608   /* 32-bit 3.579545 MHz counter */
#define PC_ACPI_SCI_GSI 9      /* level, active high (MADT override) */
#define PC_RESET_PORT 0xcf9    /* FADT reset register */
#define PC_RESET_VALUE 0x06
#define PC_RTC_CENTURY 0x32 /* CMOS index of the century byte (FADT CENTURY) */

/* -- MMIO --------------------------------------------------------------------- */

#define PC_IOAPIC_BASE 0xfec00000u
#define PC_IOAPIC_PINS 24
#define PC_LAPIC_BASE 0xfee00000u
/* virtio-mmio device n: [BASE + n * SIZE, +SIZE), IOAPIC GSI FIRST_GSI + n,
 * level-triggered, active high. The IOAPIC's 24 pins leave room for 8. */
#define PC_VIRTIO_MMIO_BASE 0xfeb00000u
#define PC_VIRTIO_MMIO_SIZE 0x200u
#define PC_VIRTIO_MMIO_FIRST_GSI 16u
#define PC_VIRTIO_MMIO_MAX (PC_IOAPIC_PINS - PC_VIRTIO_MMIO_FIRST_GSI)

/* -- e820 --------------------------------------------------------------------- */

enum { PC_E820_RAM = 1, PC_E820_RESERVED = 2 };
#define PC_E820_MAX 4

typedef struct PcE820Entry {
  uint64_t addr, size;
  uint32_t type;
} PcE820Entry;

/* The map for ram_size bytes of RAM (ram_size >= 1 MiB): RAM [0, EBDA),
 * reserved [EBDA, 1 MiB), RAM [1 MiB, low end), RAM from 4 GiB if any.
 * Returns the number of entries written to out. */
unsigned pc_e820_map(uint64_t ram_size, PcE820Entry out[PC_E820_MAX]);

#endif
