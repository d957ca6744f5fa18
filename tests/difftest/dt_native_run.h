/* dt_native_run.h — running one case on the host CPU, inside the runner's child
 * (dt_native.c); dt_runner.c owns the child process around it. */
#ifndef EMU_DT_NATIVE_RUN_H
#define EMU_DT_NATIVE_RUN_H

#include "dt.h"

/* Maps the code and scratch regions and installs the signal handlers; false
 * (with errno) if a fixed address is taken. Call once per child. */
bool dt_native_setup(void);
/* Runs c on the CPU; always fills *out. */
void dt_native_run(const DtCase *c, DtOutcome *out);

/* fxsave images <-> DtState (x87, MXCSR, XMM). */
void dt_fx_from_state(const DtState *s, uint8_t fx[512]);
void dt_fx_to_state(const uint8_t fx[512], DtState *s);

#endif
