/* pc_layout.c — the e820 memory map of emu-pc (docs/system.md), derived from the
 * RAM size alone: the boot loader hands it to Linux in boot_params. */
#include "pc_layout.h"

unsigned pc_e820_map(uint64_t ram_size, PcE820Entry out[PC_E820_MAX]) {
  unsigned n = 0;
  out[n++] = (PcE820Entry){0, PC_EBDA_START, PC_E820_RAM};
  out[n++] = (PcE820Entry){PC_EBDA_START, PC_HIGH_MEMORY - PC_EBDA_START, PC_E820_RESERVED};
  uint64_t low_end = pc_low_ram_end(ram_size);
  if (low_end > PC_HIGH_MEMORY)
    out[n++] = (PcE820Entry){PC_HIGH_MEMORY, low_end - PC_HIGH_MEMORY, PC_E820_RAM};
  if (pc_high_ram_size(ram_size))
    out[n++] = (PcE820Entry){PC_HIGH_RAM_BASE, pc_high_ram_size(ram_size), PC_E820_RAM};
  return n;
}
