/* a64_features.c — the CPU model userspace sees: AT_HWCAP/AT_HWCAP2 name
 * exactly what the lifters implement (glibc picks its string and memory
 * routines by them), and the few system registers EL0 may read. */
#include "a64_frontend.h"

#define A64_HWCAP_FP (1u << 0)
#define A64_HWCAP_ASIMD (1u << 1)

uint64_t a64_hwcap(void) { return A64_HWCAP_FP | A64_HWCAP_ASIMD; }

uint64_t a64_hwcap2(void) { return 0; }

/* CTR_EL0 of a typical Cortex-A core: IminLine = DminLine = 4 (64-byte lines),
 * L1Ip PIPT, CWG/ERG 4: JITs read the line sizes to flush new code. */
uint64_t a64_ctr_el0(void) { return 0x8444c004; }

/* MIDR_EL1: Arm Cortex-A72 r0p3. */
uint64_t a64_midr_el1(void) { return 0x410fd083; }
