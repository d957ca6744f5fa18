/* a64_regs.c — the AArch64 register file as data (IR slots), NZCV packing. */
#include <stddef.h>
#include <string.h>

#include "a64_frontend.h"

#define X(n, i) {n, offsetof(A64Cpu, x) + 8 * (i), IR_T_i64, IR_RC_GPR}
#define FLAG(n, f) {n, offsetof(A64Cpu, f), IR_T_i1, IR_RC_FLAG}
#define V(n, i) {n, offsetof(A64Cpu, vreg) + 16 * (i), IR_T_v2i64, IR_RC_VEC}
#define REG(n, f, t, c) {n, offsetof(A64Cpu, f), IR_T_##t, IR_RC_##c}
static const IrReg a64_regs[A64_SLOT__COUNT] = {
    X("x0", 0),   X("x1", 1),   X("x2", 2),   X("x3", 3),   X("x4", 4),   X("x5", 5),
    X("x6", 6),   X("x7", 7),   X("x8", 8),   X("x9", 9),   X("x10", 10), X("x11", 11),
    X("x12", 12), X("x13", 13), X("x14", 14), X("x15", 15), X("x16", 16), X("x17", 17),
    X("x18", 18), X("x19", 19), X("x20", 20), X("x21", 21), X("x22", 22), X("x23", 23),
    X("x24", 24), X("x25", 25), X("x26", 26), X("x27", 27), X("x28", 28), X("x29", 29),
    X("x30", 30),
    [A64_SLOT_SP] = REG("sp", sp, i64, GPR),
    [A64_SLOT_PC] = REG("pc", pc, i64, PC),
    [A64_SLOT_N] = FLAG("n", n), FLAG("z", z), FLAG("c", c), FLAG("v", v),
    [A64_SLOT_FRM] = REG("frm", frm, i8, FP),
    [A64_SLOT_FPCR] = REG("fpcr", fpcr, i32, FP),
    [A64_SLOT_FPSR] = REG("fpsr", fpsr, i32, FP),
    [A64_SLOT_TPIDR] = REG("tpidr_el0", tpidr, i64, SYS),
    [A64_SLOT_EXCL_ADDR] = REG("excl_addr", excl_addr, i64, SYS),
    [A64_SLOT_EXCL_VAL] = REG("excl_val", excl_val, i64, SYS),
    [A64_SLOT_EXCL_VAL2] = REG("excl_val2", excl_val2, i64, SYS),
    [A64_SLOT_V0] = V("v0", 0), V("v1", 1),   V("v2", 2),   V("v3", 3),   V("v4", 4),
    V("v5", 5),   V("v6", 6),   V("v7", 7),   V("v8", 8),   V("v9", 9),   V("v10", 10),
    V("v11", 11), V("v12", 12), V("v13", 13), V("v14", 14), V("v15", 15), V("v16", 16),
    V("v17", 17), V("v18", 18), V("v19", 19), V("v20", 20), V("v21", 21), V("v22", 22),
    V("v23", 23), V("v24", 24), V("v25", 25), V("v26", 26), V("v27", 27), V("v28", 28),
    V("v29", 29), V("v30", 30), V("v31", 31),
    [A64_SLOT_FTMP_S] = REG("ftmp_s", ftmp_s, f32, FP),
    [A64_SLOT_FTMP_D] = REG("ftmp_d", ftmp_d, f64, FP),
    [A64_SLOT_FTMP_Q] = REG("ftmp_q", ftmp_q, v2i64, VEC),
};
#undef X
#undef FLAG
#undef V
#undef REG

const IrRegFile a64_regfile = {"aarch64", a64_regs, A64_SLOT__COUNT, sizeof(A64Cpu)};

void a64_cpu_reset(A64Cpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
  cpu->excl_addr = ~0ull;
  a64_set_fpcr(cpu, 0);
}

/* FPCR.RMode (0 RN, 1 RP, 2 RM, 3 RZ) to IR_RM_* (0 nearest, 1 down, 2 up, 3 zero). */
void a64_set_fpcr(A64Cpu *cpu, uint32_t fpcr) {
  static const uint8_t to_ir[4] = {IR_RM_NEAREST, IR_RM_UP, IR_RM_DOWN, IR_RM_ZERO};
  cpu->fpcr = fpcr;
  cpu->frm = to_ir[(fpcr >> A64_FPCR_RMODE_SHIFT) & 3];
}

uint32_t a64_fpsr_read(const A64Cpu *cpu, uint32_t fenv) {
  return (cpu->fpsr & ~A64_FPSR_EXC) | a64_fpsr_of_fenv(fenv);
}

uint32_t a64_fp_write(A64Cpu *cpu, uint32_t fpsr, uint32_t fpcr) {
  cpu->fpsr = fpsr & ~A64_FPSR_EXC;
  a64_set_fpcr(cpu, fpcr);
  return a64_fenv_of_fpsr(fpsr) | (fpcr & A64_FPCR_FZ ? IR_FENV_CONTROLS : 0);
}

uint32_t a64_nzcv_get(const A64Cpu *cpu) {
  return (uint32_t)cpu->n << 31 | (uint32_t)cpu->z << 30 | (uint32_t)cpu->c << 29 |
         (uint32_t)cpu->v << 28;
}

void a64_nzcv_set(A64Cpu *cpu, uint32_t nzcv) {
  cpu->n = nzcv >> 31 & 1;
  cpu->z = nzcv >> 30 & 1;
  cpu->c = nzcv >> 29 & 1;
  cpu->v = nzcv >> 28 & 1;
}
