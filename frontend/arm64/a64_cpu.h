/* a64_cpu.h — the AArch64 guest CPU state (EL0), as the IR slots (a64_regs.c)
 * and the helpers see it. NZCV live unpacked, one byte each, like x86's flags,
 * so the IR computes and kills them one by one. */
#ifndef EMU_A64_CPU_H
#define EMU_A64_CPU_H

#include <stdint.h>

typedef struct A64Cpu {
  uint64_t x[31]; /* x0..x30 (x30 = lr) */
  uint64_t sp;
  uint64_t pc;
  uint8_t n, z, c, v; /* PSTATE.NZCV, 0/1 each */
  uint8_t frm;        /* FPCR.RMode as an IR_RM_* value (kept in step with fpcr) */
  uint8_t pad0[3];
  uint32_t fpcr, fpsr;
  uint64_t tpidr; /* tpidr_el0 */
  /* The exclusive monitor (ldxr/stxr as compare-and-swap): the address and the
   * value(s) the load-exclusive saw; excl_addr = -1 when clear. */
  uint64_t excl_addr, excl_val, excl_val2;
  uint8_t vreg[32][16] __attribute__((aligned(16))); /* v0..v31 */
  /* Scratch slots (A64_SLOT_FTMP_*): no guest state, meaningless between
   * instructions. */
  float ftmp_s;
  double ftmp_d;
  uint8_t ftmp_q[16] __attribute__((aligned(16)));
} A64Cpu;

/* FPCR bits emu honours: RMode (rounding). AHP, DN, FZ are kept but ignored. */
#define A64_FPCR_RMODE_SHIFT 22
void a64_cpu_reset(A64Cpu *cpu);
void a64_set_fpcr(A64Cpu *cpu, uint32_t fpcr); /* also updates frm */
uint32_t a64_nzcv_get(const A64Cpu *cpu);       /* NZCV in bits 31..28 */
void a64_nzcv_set(A64Cpu *cpu, uint32_t nzcv);

#endif
