/* machine_cpu.h — the vCPU as the machine loop sees it: run it until it needs
 * the machine, and hand it interrupts (machine_cpu.c glues the engine and the
 * x86 system CPU to the devices). */
#ifndef EMU_SYS_MACHINE_CPU_H
#define EMU_SYS_MACHINE_CPU_H

#include <stdbool.h>

#include "machine_int.h"

typedef enum MachineCpuEvent {
  MACHINE_CPU_CONTINUE, /* run it again (after the loop's turn) */
  MACHINE_CPU_HALT,     /* hlt: sleep until an interrupt is pending (machine_cpu_halted) */
  MACHINE_CPU_FAIL,     /* an emulator failure, already reported */
} MachineCpuEvent;

/* Run guest code until the CPU needs the machine. Resets and power-off are
 * requested through machine_request_reset/poweroff. */
MachineCpuEvent machine_cpu_run(Machine *m);
/* Deliver a pending NMI or external interrupt if the CPU takes one now:
 * true if one was delivered (a halted CPU then runs again). */
bool machine_cpu_take_interrupt(Machine *m);
bool machine_cpu_halted(Machine *m); /* hlt: waiting for an interrupt */

#endif
