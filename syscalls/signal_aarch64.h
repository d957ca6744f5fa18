/* signal_aarch64.h — what guest_aarch64.c and signal_aarch64.c share. */
#ifndef EMU_SIGNAL_AARCH64_H
#define EMU_SIGNAL_AARCH64_H

#include <stdint.h>

/* AT_MINSIGSTKSZ as arm64 Linux computes it without SVE/SME: the rt_sigframe
 * (4688 bytes), the frame record rounded to 16, and 16 bytes of alignment. */
#define A64_MINSIGSTKSZ 4720

/* x0 as the current syscall found it (the kernel's orig_x0; guest_aarch64.c). */
uint64_t a64_user_orig_x0(void);

#endif
