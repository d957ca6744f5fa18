/* undef.c N — execute the Nth encoding below, which must be undefined: the
 * program dies of SIGILL (run.sh compares exit statuses with qemu-aarch64).
 * Encodings qemu's "max" CPU implements but emu's CPU model leaves out (PAuth
 * loads, mrs of ID registers without HWCAP_CPUID, dc zva) are not here. */
#include "a64test.h"

#define INSNS(_)                                                                           \
  _(0xd53be020) /* mrs x0, cntpct_el0 */                                                   \
  _(0xd50342df) /* msr daifset, #2 (EL0: SCTLR_EL1.UMA is 0) */                            \
  _(0x8bc20c20) /* add x0, x1, x2 with shift 3 (reserved) */                               \
  _(0xd538f000) /* mrs x0, s3_0_c15_c0_0 */                                                \
  _(0xd508871f) /* tlbi vmalle1 */                                                         \
  _(0xd5381000) /* mrs x0, sctlr_el1 */                                                    \
  _(0x00000000) /* udf #0 */                                                               \
  _(0x9a820820) /* csel with op2 = 2 */                                                    \
  _(0xdac01841) /* data processing (1 source), opcode 6 */                                 \
  _(0xdc000000) /* ldr (literal) SIMD&FP with opc 3 */                                     \
  _(0xd51bd060) /* msr tpidrro_el0, x0 */                                                  \
  _(0xd5087500) /* ic iallu (EL1) */                                                       \
  _(0x1ac00420) /* data processing (2 source), opcode 1 */                                 \
  _(0x3cc00441 | 1u << 30) /* ldr q-sized with size 1 */                                   \
  _(0xd5087620) /* dc ivac, x0 (EL1) */                                                    \
  _(0xb8200c20) /* ldraa-space, bit 21 with bits 11:10 = 11 */                             \
  _(0xd5000000 | 5 << 5 | 31) /* msr (immediate) op1 0 op2 5 (spsel) */                    \
  _(0xd53b4220) /* mrs x0, daif */                                                         \
  _(0xd50b7c20) /* dc cvap, x0 (no HWCAP_DCPOP) */

#define CASE(insn) case __COUNTER__ - BASE: __asm__ volatile(".inst %0" : : "i"(insn)); break;

static int test_main(void) {
  if (a64_argc < 2)
    return 2;
  unsigned n = 0;
  for (const char *s = a64_argv[1]; *s; s++)
    n = n * 10 + (unsigned)(*s - '0');
  out_s("executing ");
  out_u(n);
  out_nl();
  out_flush();
  enum { BASE = __COUNTER__ + 1 };
  switch (n) {
    INSNS(CASE)
  default:
    out_s("no such case\n");
    return 3;
  }
  out_s("survived\n");
  return 0;
}
