/* a64_features.c — the CPU model userspace sees: AT_HWCAP/AT_HWCAP2 name
 * exactly what the lifters implement (glibc picks its string and memory
 * routines by them), and the few system registers EL0 may read. */
#include "a64_frontend.h"

/* Bits of Linux's arch/arm64/include/uapi/asm/hwcap.h. */
#define A64_HWCAP_FP (1u << 0)
#define A64_HWCAP_ASIMD (1u << 1)
#define A64_HWCAP_CRC32 (1u << 7)   /* crc32* crc32c* (lift_dp_reg.c) */
#define A64_HWCAP_ATOMICS (1u << 8) /* LSE: ld<op> swp cas casp (lift_atomic.c) */
#define A64_HWCAP_LRCPC (1u << 15)  /* ldapr (lift_atomic.c) */
#define A64_HWCAP_ILRCPC (1u << 26) /* ldapur* stlur* (lift_ldst.c) */
#define A64_HWCAP_FLAGM (1u << 27)  /* cfinv rmif setf8 setf16 (lift_sys.c, lift_dp_reg.c) */
#define A64_HWCAP_SB (1u << 29)     /* sb (lift_atomic.c) */
#define A64_HWCAP2_FLAGM2 (1u << 7) /* axflag xaflag (lift_sys.c) */

uint64_t a64_hwcap(void) {
  return A64_HWCAP_FP | A64_HWCAP_ASIMD | A64_HWCAP_CRC32 | A64_HWCAP_ATOMICS | A64_HWCAP_LRCPC |
         A64_HWCAP_ILRCPC | A64_HWCAP_FLAGM | A64_HWCAP_SB;
}

uint64_t a64_hwcap2(void) { return A64_HWCAP2_FLAGM2; }

/* CTR_EL0 of a typical Cortex-A core: IminLine = DminLine = 4 (64-byte lines),
 * L1Ip PIPT, CWG/ERG 4: JITs read the line sizes to flush new code. */
uint64_t a64_ctr_el0(void) { return 0x8444c004; }

/* MIDR_EL1: Arm Cortex-A72 r0p3. */
uint64_t a64_midr_el1(void) { return 0x410fd083; }
