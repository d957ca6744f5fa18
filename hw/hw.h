/* hw.h — the one small interface every device model sits behind: port I/O and
 * MMIO regions on a bus, interrupt lines, timers on the machine's virtual clock,
 * and guest RAM for DMA. system/ builds a machine from these; a device knows
 * nothing of the CPU, the softmmu or the other devices it is wired to.
 *
 * Threading: one machine lock. Everything here is called with it held (system
 * mode runs the vCPU and the device callbacks on one thread for -smp 1); no
 * device keeps global state, so several machines or vCPUs can exist later. */
#ifndef EMU_HW_H
#define EMU_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -- Regions: a device's registers in port or memory space ------------------ */

/* offset is relative to the region's start; size is 1, 2, 4 or 8 bytes. An
 * access the device does not implement reads as all ones and is ignored on
 * write, as on real buses; the bus logs it with -d unimp. */
typedef struct HwRegionOps {
  uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
  void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
} HwRegionOps;

typedef struct HwBus HwBus;

HwBus *hw_bus_new(void);
void hw_bus_free(HwBus *b); /* regions only: devices are freed by their owner */

/* Map [start, start+len) of port or memory space to a device. false: overlaps
 * a mapped region (a machine-building bug, reported by the caller). name is
 * used by -d unimp and the monitor, and must outlive the bus. */
bool hw_bus_map_pio(HwBus *b, uint16_t start, uint32_t len, const char *name,
                    const HwRegionOps *ops, void *opaque);
bool hw_bus_map_mmio(HwBus *b, uint64_t start, uint64_t len, const char *name,
                     const HwRegionOps *ops, void *opaque);

/* Accesses from the CPU. Unmapped ports/addresses read all ones (0xff.. of size
 * bytes), writes are dropped; both are logged with -d unimp. */
uint64_t hw_pio_read(HwBus *b, uint16_t port, unsigned size);
void hw_pio_write(HwBus *b, uint16_t port, uint64_t value, unsigned size);
/* MMIO: hw_mmio_claims says whether an address belongs to a device (the
 * softmmu maps such pages as I/O so every access comes here). */
bool hw_mmio_claims(HwBus *b, uint64_t addr);
uint64_t hw_mmio_read(HwBus *b, uint64_t addr, unsigned size);
void hw_mmio_write(HwBus *b, uint64_t addr, uint64_t value, unsigned size);

/* -- Guest RAM, for devices that do DMA -------------------------------------- */

/* RAM is guest-physical [0, size) at host `host` (system/ allocates it; holes
 * such as the PCI/MMIO window are not RAM even if below size). */
void hw_bus_set_ram(HwBus *b, uint8_t *host, uint64_t size);
/* A host pointer to guest-physical [gpa, gpa+len), or NULL if any byte is not
 * RAM. A device writing through it calls hw_dma_written afterwards. */
void *hw_dma_ptr(HwBus *b, uint64_t gpa, uint64_t len);
bool hw_dma_read(HwBus *b, uint64_t gpa, void *buf, uint64_t len);
bool hw_dma_write(HwBus *b, uint64_t gpa, const void *buf, uint64_t len);
/* Guest RAM changed behind the CPU's back: translated code there is dropped
 * (the machine registers the hook; NULL: nothing to do). */
void hw_dma_written(HwBus *b, uint64_t gpa, uint64_t len);
void hw_bus_set_dma_hook(HwBus *b, void (*written)(void *ctx, uint64_t gpa, uint64_t len),
                         void *ctx);

/* -- Interrupt lines --------------------------------------------------------- */

/* A wire from a device to an interrupt controller input. level 1 = asserted;
 * edge-triggered inputs act on 0 -> 1. A line nobody connected does nothing. */
typedef struct HwIrq {
  void (*set)(void *opaque, int pin, int level);
  void *opaque;
  int pin;
} HwIrq;

static inline void hw_irq_set(const HwIrq *irq, int level) {
  if (irq && irq->set)
    irq->set(irq->opaque, irq->pin, level);
}
static inline void hw_irq_pulse(const HwIrq *irq) {
  hw_irq_set(irq, 1);
  hw_irq_set(irq, 0);
}

/* -- Virtual clock and timers ------------------------------------------------ */

/* The machine's clock: nanoseconds since the machine started, from the host's
 * CLOCK_MONOTONIC (a guest sees real time pass, as under QEMU TCG). Tests may
 * drive it by hand (hw_clock_set_manual). */
typedef struct HwClock HwClock;
typedef struct HwTimer HwTimer;

HwClock *hw_clock_new(void);
void hw_clock_free(HwClock *c);
uint64_t hw_clock_ns(HwClock *c);
void hw_clock_set_manual(HwClock *c, bool manual); /* tests: time moves only by hw_clock_advance */
void hw_clock_advance(HwClock *c, uint64_t ns);      /* manual mode */

/* A one-shot timer: cb runs (from hw_clock_run) once the clock reaches the
 * deadline. Re-arm from the callback for periodic behaviour. */
HwTimer *hw_timer_new(HwClock *c, void (*cb)(void *opaque), void *opaque);
void hw_timer_free(HwTimer *t);
void hw_timer_mod(HwTimer *t, uint64_t deadline_ns);
void hw_timer_del(HwTimer *t);
bool hw_timer_pending(const HwTimer *t);
/* Run every expired timer; returns the next deadline (UINT64_MAX: none). The
 * machine loop calls it between guest blocks and sleeps until it when halted. */
uint64_t hw_clock_run(HwClock *c);

#endif
