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

/* FPCR bits emu honours: RMode (rounding), FZ (flush to zero: the host's
 * FTZ and DAZ), DN (default NaN), AHP (alternative half precision). FZ16 is
 * kept: it governs only FP16 arithmetic, which emu does not offer. */
#define A64_FPCR_RMODE_SHIFT 22
#define A64_FPCR_FZ (1u << 24)
#define A64_FPCR_DN (1u << 25)
#define A64_FPCR_AHP (1u << 26)
/* FPSR's cumulative exception flags: IOC DZC OFC UFC IXC (bits 0..4) live in
 * the IR's FP environment (IR_FENV_*) while guest code runs and in
 * EmuCpuRt.fenv between emu_exec calls; the fpsr slot keeps the rest (IDC,
 * QC, the AArch32 NZCV). */
#define A64_FPSR_EXC 0x1fu
#define A64_FPSR_IDC (1u << 7)
void a64_cpu_reset(A64Cpu *cpu);
void a64_set_fpcr(A64Cpu *cpu, uint32_t fpcr); /* also updates frm */
/* The environment word's flag bits as FPSR's IOC..IXC, and back. */
static inline uint32_t a64_fpsr_of_fenv(uint32_t fenv) { return (fenv & 1) | (fenv >> 1 & 0x1e); }
static inline uint32_t a64_fenv_of_fpsr(uint32_t fpsr) { return (fpsr & 1) | (fpsr & 0x1e) << 1; }
/* FPSR as the guest reads it (the slot with the environment's flags). */
uint32_t a64_fpsr_read(const A64Cpu *cpu, uint32_t fenv);
/* Write FPSR and FPCR (the slots, frm) and return the environment word they
 * make: FPSR's flags, FPCR.FZ as flush-to-zero and denormals-are-zero. */
uint32_t a64_fp_write(A64Cpu *cpu, uint32_t fpsr, uint32_t fpcr);
uint32_t a64_nzcv_get(const A64Cpu *cpu);       /* NZCV in bits 31..28 */
void a64_nzcv_set(A64Cpu *cpu, uint32_t nzcv);

#endif
