/* x86_regs.c — the x86-64 register file as data (IR slots), and RFLAGS packing. */
#include <stddef.h>
#include <string.h>

#include "x86_frontend.h"

#define GPR(n, i) {n, offsetof(X86Cpu, gpr) + 8 * (i), IR_T_i64, IR_RC_GPR}
#define FLAG(n, f) {n, offsetof(X86Cpu, f), IR_T_i1, IR_RC_FLAG}
#define XMM(n, i) {n, offsetof(X86Cpu, xmm) + 16 * (i), IR_T_v2i64, IR_RC_VEC}
#define MM(n, i) {n, offsetof(X86Cpu, st) + sizeof(X86Float80) * (i), IR_T_i64, IR_RC_FP}
#define FEXP(n, i)                                                                        \
  {n, offsetof(X86Cpu, st) + sizeof(X86Float80) * (i) + offsetof(X86Float80, sexp), IR_T_i16, \
   IR_RC_FP}
#define FP(n, f, t) {n, offsetof(X86Cpu, f), IR_T_##t, IR_RC_FP}
static const IrReg x86_regs[X86_SLOT__COUNT] = {
    GPR("rax", 0),  GPR("rcx", 1),  GPR("rdx", 2),   GPR("rbx", 3),   GPR("rsp", 4),
    GPR("rbp", 5),  GPR("rsi", 6),  GPR("rdi", 7),   GPR("r8", 8),    GPR("r9", 9),
    GPR("r10", 10), GPR("r11", 11), GPR("r12", 12),  GPR("r13", 13),  GPR("r14", 14),
    GPR("r15", 15),
    [X86_SLOT_RIP] = {"rip", offsetof(X86Cpu, rip), IR_T_i64, IR_RC_PC},
    [X86_SLOT_CF] = FLAG("cf", cf), FLAG("pf", pf), FLAG("af", af), FLAG("zf", zf),
    FLAG("sf", sf), FLAG("of", of), FLAG("df", df),
    [X86_SLOT_FS_BASE] = {"fs_base", offsetof(X86Cpu, fs_base), IR_T_i64, IR_RC_SYS},
    [X86_SLOT_GS_BASE] = {"gs_base", offsetof(X86Cpu, gs_base), IR_T_i64, IR_RC_SYS},
    [X86_SLOT_XMM0] = XMM("xmm0", 0), XMM("xmm1", 1), XMM("xmm2", 2), XMM("xmm3", 3),
    XMM("xmm4", 4), XMM("xmm5", 5), XMM("xmm6", 6), XMM("xmm7", 7), XMM("xmm8", 8),
    XMM("xmm9", 9), XMM("xmm10", 10), XMM("xmm11", 11), XMM("xmm12", 12),
    XMM("xmm13", 13), XMM("xmm14", 14), XMM("xmm15", 15),
    [X86_SLOT_MXCSR] = {"mxcsr", offsetof(X86Cpu, mxcsr), IR_T_i32, IR_RC_FP},
    [X86_SLOT_MM0] = MM("mm0", 0), MM("mm1", 1), MM("mm2", 2), MM("mm3", 3), MM("mm4", 4),
    MM("mm5", 5), MM("mm6", 6), MM("mm7", 7),
    [X86_SLOT_FEXP0] = FEXP("fexp0", 0), FEXP("fexp1", 1), FEXP("fexp2", 2), FEXP("fexp3", 3),
    FEXP("fexp4", 4), FEXP("fexp5", 5), FEXP("fexp6", 6), FEXP("fexp7", 7),
    [X86_SLOT_FCW] = FP("fcw", fcw, i16), FP("fsw", fsw, i16), FP("ftop", ftop, i8),
    FP("ftag", ftag, i8),
};
#undef GPR
#undef FLAG
#undef XMM
#undef MM
#undef FEXP
#undef FP

const IrRegFile x86_regfile = {"x86_64", x86_regs, X86_SLOT__COUNT, sizeof(X86Cpu)};

/* RFLAGS bit positions of the unpacked flags. */
static const struct { uint8_t bit; size_t off; } x86_flag_bits[] = {
    {0, offsetof(X86Cpu, cf)}, {2, offsetof(X86Cpu, pf)},  {4, offsetof(X86Cpu, af)},
    {6, offsetof(X86Cpu, zf)}, {7, offsetof(X86Cpu, sf)},  {10, offsetof(X86Cpu, df)},
    {11, offsetof(X86Cpu, of)},
};
#define X86_FLAGS_UNPACKED 0xcd5ull /* CF PF AF ZF SF DF OF */

uint64_t x86_rflags_get(const X86Cpu *cpu) {
  uint64_t f = (cpu->rflags_rest & ~X86_FLAGS_UNPACKED) | 2; /* bit 1 always set */
  for (size_t i = 0; i < sizeof x86_flag_bits / sizeof x86_flag_bits[0]; i++)
    if (((const uint8_t *)cpu)[x86_flag_bits[i].off])
      f |= 1ull << x86_flag_bits[i].bit;
  return f;
}

void x86_rflags_set(X86Cpu *cpu, uint64_t rflags) {
  for (size_t i = 0; i < sizeof x86_flag_bits / sizeof x86_flag_bits[0]; i++)
    ((uint8_t *)cpu)[x86_flag_bits[i].off] = (rflags >> x86_flag_bits[i].bit) & 1;
  cpu->rflags_rest = rflags & ~X86_FLAGS_UNPACKED & ~2ull;
}

/* The IR's FP environment word has MXCSR's layout for the bits they share. */
_Static_assert(IR_FENV_INVALID == 1 << 0 && IR_FENV_DENORMAL == 1 << 1 && IR_FENV_DIVZERO == 1 << 2 &&
                   IR_FENV_OVERFLOW == 1 << 3 && IR_FENV_UNDERFLOW == 1 << 4 &&
                   IR_FENV_INEXACT == 1 << 5 && IR_FENV_DAZ == 1 << 6 && IR_FENV_FTZ == 1 << 15 &&
                   IR_FENV_ALL == X86_MXCSR_FENV_BITS,
               "MXCSR <-> IR_FENV_* is a mask");

uint32_t x86_mxcsr_read(const X86Cpu *cpu, uint32_t fenv) {
  return (cpu->mxcsr & ~X86_MXCSR_FLAGS) | (fenv & X86_MXCSR_FLAGS);
}

uint32_t x86_mxcsr_write(X86Cpu *cpu, uint32_t mxcsr) {
  cpu->mxcsr = mxcsr & ~X86_MXCSR_FLAGS;
  return mxcsr & X86_MXCSR_FENV_BITS;
}

void x86_cpu_reset(X86Cpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
  cpu->mxcsr = 0x1f80;
  cpu->fcw = 0x37f;
  cpu->ftag = 0xff;
  cpu->rflags_rest = 0x200; /* IF */
}
