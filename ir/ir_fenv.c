/* ir_fenv.c — the host thread's floating-point environment as the IR's fenv
 * word (IR_FENV_*). The interpreter's fenv_get/fenv_set and the runtime (which
 * loads a guest's word around guest code) go through here; the backends emit
 * the same mapping inline. On x86-64 the word's bits sit where MXCSR has them,
 * so the mapping is a mask: flags 0..5, DAZ 6, FTZ 15. Rounding and the
 * exception masks are left alone: every thread starts at nearest with
 * exceptions masked, and generated code and ir_eval keep it so. */
#include "ir.h"

#if defined(__x86_64__)
#include <xmmintrin.h>

uint32_t ir_fenv_host_get(void) { return _mm_getcsr() & IR_FENV_ALL; }

void ir_fenv_host_set(uint32_t env) { _mm_setcsr((_mm_getcsr() & ~IR_FENV_ALL) | (env & IR_FENV_ALL)); }

void ir_fenv_host_raise(uint32_t flags) { _mm_setcsr(_mm_getcsr() | (flags & IR_FENV_FLAGS)); }

#else
#error "ir_fenv.c: only x86-64 hosts are supported"
#endif
