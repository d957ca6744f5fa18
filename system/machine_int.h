/* machine_int.h — the machine's parts, shared by machine.c (building and
 * wiring), machine_platform.c (the PC platform devices), machine_cpu.c (the
 * vCPU and its engine) and machine_loop.c (running it). */
#ifndef EMU_SYS_MACHINE_INT_H
#define EMU_SYS_MACHINE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "block.h"
#include "boot_linux.h"
#include "emu.h"
#include "hw.h"
#include "apic_wire.h"
#include "i8254.h"
#include "i8259.h"
#include "ioapic.h"
#include "lapic.h"
#include "machine.h"
#include "terminal.h"
#include "uart16550.h"
#include "virtio_blk.h"

struct Machine {
  SysOptions opt;
  uint8_t *ram;
  uint64_t ram_size;
  HwBus *bus;
  HwClock *clock;
  I8259 *pic;
  I8254 *pit;
  Uart16550 *uart;
  Lapic *lapic;
  Ioapic *ioapic;
  struct MachinePlatform *platform; /* machine_platform.c */
  BlockDev *disk[SYS_MAX_DRIVES];
  VirtioBlk *blk[SYS_MAX_DRIVES];
  unsigned ndisks;
  BootCpuState boot;
  EmuEngine *engine;
  EmuCpu *cpu;
  Terminal term;
  int serial_fd; /* -serial file:PATH (0: none) */
  /* Requests from devices, seen by the loop at its next turn. */
  const char *reset_why; /* reset: why (triple fault, keyboard controller, ...) */
  bool poweroff;         /* ACPI S5 */
  /* The kicker thread (machine_loop.c). */
  pthread_t kicker;
  bool kicker_on;
  int wake_fd;                     /* eventfd: the next deadline moved earlier */
  _Atomic uint64_t next_deadline;  /* machine clock ns of the next timer */
  _Atomic bool stop;
  _Atomic bool input_seen; /* the terminal has input the loop has not read */
  /* Typed bytes waiting for room in the UART's receive FIFO (a real serial
   * line would be flow-controlled; dropping them overran the FIFO). */
  uint8_t inq[4096];
  size_t inq_head, inq_len;
};

HwIrq machine_isa_irq(Machine *m, int irq);
void machine_request_reset(Machine *m, const char *why);
void machine_request_poweroff(Machine *m);

/* machine_platform.c: RTC/CMOS, i8042, ACPI PM and the port-0x80 delay sink. */
bool machine_map_platform(Machine *m);
void machine_unmap_platform(Machine *m);

/* machine_cpu.c: the engine and the vCPU in the boot state. */
bool machine_cpu_new(Machine *m, char *err, size_t errsize);
void machine_cpu_free(Machine *m);

#endif
