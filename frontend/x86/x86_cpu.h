/* x86_cpu.h — the x86-64 guest CPU state, as the IR slots (x86_regs.c) and the
 * helpers see it. Flags live unpacked, one byte each, so the IR can compute and
 * kill them one by one; x86_rflags_get/set pack them for pushf, signals, gdb. */
#ifndef EMU_X86_CPU_H
#define EMU_X86_CPU_H

#include <stdint.h>

/* GPR order is the hardware encoding order. */
enum { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
       X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15 };

typedef struct X86Float80 {
  uint64_t mant;
  uint16_t sexp; /* sign and 15-bit exponent */
  uint16_t pad[3];
} X86Float80;

typedef struct X86Cpu {
  uint64_t gpr[16];
  uint64_t rip;
  uint8_t cf, pf, af, zf, sf, of, df; /* arithmetic flags and DF, 0/1 each */
  uint8_t pad0;
  uint64_t rflags_rest; /* the other RFLAGS bits (IF, ID, AC, TF...) */
  uint64_t fs_base, gs_base;
  uint8_t xmm[16][16] __attribute__((aligned(16)));
  uint32_t mxcsr;
  /* x87: physical registers st[i], top of stack, control and status words, tags. */
  uint16_t fcw, fsw; /* fsw excludes TOP, kept in ftop */
  uint8_t ftop;
  uint8_t ftag;      /* bit i set: physical register i is empty */
  uint8_t pad1[6];
  X86Float80 st[8];
} X86Cpu;

/* MXCSR as the guest sees it. The mxcsr slot holds the control bits (RC, the
 * masks, DAZ, FTZ); the exception flags (bits 0..5) are raised by the FP ops in
 * the IR's FP environment word (IR_FENV_*, whose flag and flush bits sit where
 * MXCSR has them), which is EmuCpuRt.fenv between emu_exec calls. read composes
 * the two; write keeps the control bits and returns the environment word the
 * value sets (flags, DAZ, FTZ). */
uint32_t x86_mxcsr_read(const X86Cpu *cpu, uint32_t fenv);
uint32_t x86_mxcsr_write(X86Cpu *cpu, uint32_t mxcsr);
#define X86_MXCSR_FLAGS 0x3fu
#define X86_MXCSR_FENV_BITS 0x807fu /* the flags, DAZ (6) and FTZ (15) */

uint64_t x86_rflags_get(const X86Cpu *cpu);
void x86_rflags_set(X86Cpu *cpu, uint64_t rflags);
void x86_cpu_reset(X86Cpu *cpu); /* power-on values: mxcsr 0x1f80, fcw 0x37f, empty x87 */

#endif
