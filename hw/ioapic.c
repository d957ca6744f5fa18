/* ioapic.c — the I/O APIC (ioapic.h). Registers are reached indirectly: the
 * guest writes a register index to IOREGSEL (0x00) and reads or writes it
 * through IOWIN (0x10). Edge-triggered pins send a message on 0 -> 1;
 * level-triggered ones send while asserted and the remote IRR is clear, and the
 * remote IRR stays set from delivery until the EOI for the vector. */
#include "emu.h"
#include "ioapic.h"

#include <inttypes.h>
#include <stdlib.h>

/* Register indexes (82093AA datasheet 3.1). */
enum {
  REG_ID = 0x00,
  REG_VERSION = 0x01,
  REG_ARB = 0x02,
  REG_REDIR = 0x10, /* entry n: low dword at 0x10 + 2n, high at 0x11 + 2n */
};

/* Memory-mapped registers. */
enum { MMIO_REGSEL = 0x00, MMIO_WINDOW = 0x10, MMIO_EOI = 0x40 };

/* Redirection entry bits (82093AA 3.2.4). */
#define RTE_LOGICAL (1u << 11)
#define RTE_REMOTE_IRR (1u << 14)
#define RTE_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)
/* vector, delivery mode, dest mode, polarity, trigger mode, mask; delivery
 * status (bit 12) reads 0, messages are sent at once */
#define RTE_LO_WMASK 0x0001afffu
#define RTE_HI_WMASK 0xff000000u /* destination, bits 63:56 */

enum { DM_FIXED = 0, DM_LOWEST = 1 };

struct Ioapic {
  uint8_t id, reset_id;
  uint8_t regsel;
  uint64_t redir[IOAPIC_PINS];
  uint32_t level; /* bit n: pin n asserted */
  IoapicOutput out;
  void *out_ctx;
};

static void send(Ioapic *io, int pin) {
  uint64_t e = io->redir[pin];
  IoapicMsg m = {
      .vector = (uint8_t)e,
      .mode = (uint8_t)(e >> 8) & 7,
      .dest = (uint8_t)(e >> 56),
      .logical = e & RTE_LOGICAL,
      .level = e & RTE_LEVEL,
  };
  /* The remote IRR is defined for fixed and lowest-priority level interrupts. */
  if (m.level && (m.mode == DM_FIXED || m.mode == DM_LOWEST))
    io->redir[pin] |= RTE_REMOTE_IRR;
  if (io->out)
    io->out(io->out_ctx, &m);
}

/* A level-triggered pin sends while asserted, unmasked and not awaiting its
 * EOI. Masked, it is ignored (82093AA 3.2.4); unmasking it looks again. */
static void service_level(Ioapic *io, int pin) {
  uint64_t e = io->redir[pin];
  if ((e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) && ((io->level >> pin) & 1))
    send(io, pin);
}

void ioapic_set_irq(Ioapic *io, int pin, int level) {
  if (pin < 0 || pin >= IOAPIC_PINS)
    return;
  uint32_t bit = 1u << pin;
  bool rise = level && !(io->level & bit);
  io->level = level ? io->level | bit : io->level & ~bit;
  uint64_t e = io->redir[pin];
  if (e & RTE_LEVEL)
    service_level(io, pin);
  else if (rise && !(e & RTE_MASKED)) /* an edge on a masked pin is lost */
    send(io, pin);
}

static void irq_set(void *opaque, int pin, int level) { ioapic_set_irq(opaque, pin, level); }

HwIrq ioapic_irq(Ioapic *io, int pin) {
  if (pin < 0 || pin >= IOAPIC_PINS)
    return (HwIrq){0};
  return (HwIrq){.set = irq_set, .opaque = io, .pin = pin};
}

void ioapic_eoi(Ioapic *io, int vector) {
  for (int pin = 0; pin < IOAPIC_PINS; pin++) {
    uint64_t e = io->redir[pin];
    if ((e & RTE_REMOTE_IRR) && (int)(e & 0xff) == vector) {
      io->redir[pin] = e & ~(uint64_t)RTE_REMOTE_IRR;
      service_level(io, pin);
    }
  }
}

/* -- Registers ---------------------------------------------------------------- */

static bool is_redir(unsigned reg) { return reg >= REG_REDIR && reg < REG_REDIR + 2 * IOAPIC_PINS; }

static void log_reg(const char *what, unsigned reg) {
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("ioapic: %s of unimplemented register 0x%02x\n", what, reg);
}

static uint32_t reg_read(Ioapic *io) {
  unsigned reg = io->regsel;
  switch (reg) {
  case REG_ID: return (uint32_t)io->id << 24;
  case REG_VERSION: return IOAPIC_VERSION;
  case REG_ARB: return (uint32_t)io->id << 24; /* loaded from the ID */
  }
  if (is_redir(reg)) {
    uint64_t e = io->redir[(reg - REG_REDIR) / 2];
    return (uint32_t)(reg & 1 ? e >> 32 : e);
  }
  log_reg("read", reg);
  return 0;
}

static void reg_write(Ioapic *io, uint32_t v) {
  unsigned reg = io->regsel;
  if (reg == REG_ID) {
    io->id = (v >> 24) & 0xf; /* 4-bit ID, bits 27:24 */
    return;
  }
  if (reg == REG_VERSION || reg == REG_ARB)
    return; /* read-only */
  if (!is_redir(reg)) {
    log_reg("write", reg);
    return;
  }
  int pin = (int)(reg - REG_REDIR) / 2;
  uint64_t e = io->redir[pin];
  if (reg & 1)
    e = (uint32_t)e | (uint64_t)(v & RTE_HI_WMASK) << 32;
  else
    e = (e & ~(uint64_t)RTE_LO_WMASK) | (v & RTE_LO_WMASK);
  /* An edge entry has no remote IRR: IOAPICs without the EOI register are
   * acknowledged by switching the entry to edge and back (Linux does). */
  if (!(e & RTE_LEVEL))
    e &= ~(uint64_t)RTE_REMOTE_IRR;
  io->redir[pin] = e;
  service_level(io, pin);
}

/* IOREGSEL is 8 bits (any access size), IOWIN and EOI are 32-bit registers:
 * reads of part of them get those bytes, writes must be whole. */
static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size) {
  Ioapic *io = opaque;
  unsigned byte = off & 3;
  switch (off & ~3ull) {
  case MMIO_REGSEL: return byte ? 0 : io->regsel;
  case MMIO_WINDOW: return reg_read(io) >> (8 * byte);
  case MMIO_EOI: return 0; /* write-only */
  }
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("ioapic: %u-byte read at 0x%03" PRIx64 "\n", size, off);
  return UINT64_MAX;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size) {
  Ioapic *io = opaque;
  if (off == MMIO_REGSEL) {
    io->regsel = (uint8_t)value;
    return;
  }
  if ((off == MMIO_WINDOW || off == MMIO_EOI) && size >= 4) {
    if (off == MMIO_WINDOW)
      reg_write(io, (uint32_t)value);
    else
      ioapic_eoi(io, (int)(value & 0xff));
    return;
  }
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("ioapic: %u-byte write at 0x%03" PRIx64 " ignored\n", size, off);
}

static const HwRegionOps ioapic_ops = {mmio_read, mmio_write};

bool ioapic_map(Ioapic *io, HwBus *bus) {
  return hw_bus_map_mmio(bus, IOAPIC_BASE_ADDR, IOAPIC_MMIO_SIZE, "ioapic", &ioapic_ops, io);
}

/* -- Life cycle ---------------------------------------------------------------- */

void ioapic_set_output(Ioapic *io, IoapicOutput fn, void *ctx) {
  io->out = fn;
  io->out_ctx = ctx;
}

void ioapic_reset(Ioapic *io) {
  io->id = io->reset_id;
  io->regsel = 0;
  for (int i = 0; i < IOAPIC_PINS; i++)
    io->redir[i] = RTE_MASKED;
}

Ioapic *ioapic_new(uint8_t id) {
  Ioapic *io = calloc(1, sizeof(*io));
  if (!io)
    return NULL;
  io->reset_id = id & 0xf;
  ioapic_reset(io);
  return io;
}

void ioapic_free(Ioapic *io) { free(io); }
