/* isa8.h — 8-bit ISA devices (UART, PIC, PIT, RTC, i8042) see a 16- or 32-bit
 * port access as consecutive byte cycles, as the PC's bus splits it. Each such
 * device implements byte handlers and wraps them with these. */
#ifndef EMU_HW_ISA8_H
#define EMU_HW_ISA8_H

#include <stdint.h>

typedef uint8_t (*HwIsa8Read)(void *dev, unsigned offset);
typedef void (*HwIsa8Write)(void *dev, unsigned offset, uint8_t value);

static inline uint64_t hw_isa8_read(HwIsa8Read read, void *dev, uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++)
    v |= (uint64_t)read(dev, (unsigned)offset + i) << (8 * i);
  return v;
}

static inline void hw_isa8_write(HwIsa8Write write, void *dev, uint64_t offset, uint64_t value,
                                 unsigned size) {
  for (unsigned i = 0; i < size; i++)
    write(dev, (unsigned)offset + i, (uint8_t)(value >> (8 * i)));
}

#endif
