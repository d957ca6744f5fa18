/* machine.h — emu-pc: guest RAM, the bus and the devices of docs/system.md's
 * table wired together, the boot images loaded, and the loop that runs the
 * vCPU and the devices on one thread. */
#ifndef EMU_SYS_MACHINE_H
#define EMU_SYS_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

typedef struct Machine Machine;

/* Build the machine and load the kernel: NULL with a one-line reason (missing
 * or corrupt kernel, initrd or disk image, no memory). */
Machine *machine_new(const SysOptions *o, char *err, size_t errsize);
/* Run until the guest powers off (0), the user quits with Ctrl-A x (0), a
 * reset under -no-reboot (0), or an emulator failure (1). A reset otherwise
 * returns MACHINE_REBOOT: the caller builds the machine anew (a power cycle:
 * fresh RAM and devices, the same images) and runs it again. */
#define MACHINE_REBOOT (-1)
int machine_run(Machine *m);
void machine_free(Machine *m);

#endif
