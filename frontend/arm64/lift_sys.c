/* lift_sys.c — system instructions EL0 may execute: the hint space (nop yield
 * wfe wfi sev sevl, and pointer authentication's and bti's hints, all no-ops
 * here), mrs/msr of the registers Linux exposes to EL0 (nzcv fpcr fpsr
 * tpidr_el0 tpidrro_el0 ctr_el0 dczid_el0 cntfrq_el0 cntvct_el0), cfinv
 * xaflag axflag, and the cache maintenance EL0 may issue (dc cvau cvac civac,
 * ic ivau: no-ops, since self-modifying code is caught by the runner).
 * Everything else — ID registers (emu does not advertise HWCAP_CPUID), dc zva
 * (dczid_el0 says prohibited), dc cvap/cvadp (no HWCAP_DCPOP; qemu-user has
 * them undefined too), other sysregs — is undefined, SIGILL, as under Linux. */
#include <time.h>

#include "a64_lift.h"

/* A system register as op0:op1:CRn:CRm:op2, as the mrs/msr sysreg field holds
 * it (op0's top bit is fixed: only op0 2 and 3 reach these rows). */
#define SYSREG(op0, op1, crn, crm, op2) \
  (((op0)&1) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
enum {
  SR_NZCV = SYSREG(3, 3, 4, 2, 0),
  SR_FPCR = SYSREG(3, 3, 4, 4, 0),
  SR_FPSR = SYSREG(3, 3, 4, 4, 1),
  SR_TPIDR = SYSREG(3, 3, 13, 0, 2),
  SR_TPIDRRO = SYSREG(3, 3, 13, 0, 3),
  SR_CTR = SYSREG(3, 3, 0, 0, 1),
  SR_DCZID = SYSREG(3, 3, 0, 0, 7),
  SR_CNTFRQ = SYSREG(3, 3, 14, 0, 0),
  SR_CNTVCT = SYSREG(3, 3, 14, 0, 2),
};

/* The writable bits, as qemu (the reference) keeps them: FPCR's AHP DN FZ
 * RMode Stride FZ16 Len (trap enables read as zero); FPSR's NZCV QC and
 * cumulative exception flags. */
#define FPCR_MASK 0x07ff0000u
#define FPSR_MASK 0xf800009fu
/* DCZID_EL0.DZP: dc zva prohibited, so glibc's memset does not use it. */
#define DCZID_VALUE 0x14u
/* The generic timer's frequency: qemu's 62.5 MHz. */
#define CNTFRQ_HZ 62500000u

/* cntvct_el0: the host's monotonic clock at CNTFRQ_HZ. */
static uint64_t helper_cntvct(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)cpu, (void)a0, (void)a1, (void)a2, (void)a3;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  unsigned __int128 ns = (unsigned __int128)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return (uint64_t)(ns * CNTFRQ_HZ / 1000000000u);
}

static const IrHelper cntvct_helper = {"a64_cntvct", helper_cntvct, 0, IR_T_i64, 0};
static uint32_t cntvct_index;

void a64_sys_init(void) { cntvct_index = (uint32_t)ir_helper_register(&cntvct_helper); }

/* nop, and every other hint: the space is reserved for instructions that
 * must be harmless where not implemented. */
static bool lift_nop(A64Lift *l, const A64Row *r) {
  (void)l, (void)r;
  return true;
}

/* Flag slot as an i64 with its bit at `bit`. */
static IrRef flag_bit(A64Lift *l, unsigned slot, unsigned bit) {
  IrFunc *fn = l->fn;
  IrRef v = ir_cast(fn, IR_OP_zext, IR_T_i64, ir_get(fn, slot));
  return ir_op2(fn, IR_OP_shl, v, a64_i64(l, bit));
}

/* FPSR: the slot (IDC QC NZCV) with IOC..IXC from the FP environment
 * (a64_cpu.h): IR flag bits 0, 2..5 are FPSR bits 0..4. */
static IrRef fpsr_read(A64Lift *l) {
  IrFunc *fn = l->fn;
  IrRef env = ir_fenv_get(fn);
  IrRef flags = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, env, a64_i32(l, 1)),
                       ir_op2(fn, IR_OP_and, ir_op2(fn, IR_OP_lshr, env, a64_i32(l, 1)), a64_i32(l, 0x1e)));
  return ir_op2(fn, IR_OP_or, ir_get(fn, A64_SLOT_FPSR), flags);
}

/* The FP environment with its flags (flags = true) or its controls replaced by v's. */
static void fenv_replace(A64Lift *l, IrRef v, bool flags) {
  IrFunc *fn = l->fn;
  uint32_t keep = flags ? IR_FENV_CONTROLS : IR_FENV_FLAGS;
  ir_fenv_set(fn, ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, ir_fenv_get(fn), a64_i32(l, keep)), v));
}

static IrRef read_sysreg(A64Lift *l, unsigned sr) {
  IrFunc *fn = l->fn;
  switch (sr) {
  case SR_NZCV: {
    IrRef v = flag_bit(l, A64_SLOT_N, 31);
    for (unsigned i = 1; i < 4; i++)
      v = ir_op2(fn, IR_OP_or, v, flag_bit(l, A64_SLOT_N + i, 31 - i));
    return v;
  }
  case SR_FPCR: return ir_cast(fn, IR_OP_zext, IR_T_i64, ir_get(fn, A64_SLOT_FPCR));
  case SR_FPSR: return ir_cast(fn, IR_OP_zext, IR_T_i64, fpsr_read(l));
  case SR_TPIDR: return ir_get(fn, A64_SLOT_TPIDR);
  case SR_TPIDRRO: return a64_i64(l, 0); /* Linux keeps it 0 for native tasks */
  case SR_CTR: return a64_i64(l, a64_ctr_el0());
  case SR_DCZID: return a64_i64(l, DCZID_VALUE);
  case SR_CNTFRQ: return a64_i64(l, CNTFRQ_HZ);
  case SR_CNTVCT: return ir_call(fn, cntvct_index, 0, NULL);
  default: return IR_NONE;
  }
}

static bool write_sysreg(A64Lift *l, unsigned sr, IrRef v) {
  IrFunc *fn = l->fn;
  switch (sr) {
  case SR_NZCV:
    a64_set_nzcv(l, a64_bit(l, v, 31), a64_bit(l, v, 30), a64_bit(l, v, 29), a64_bit(l, v, 28));
    return true;
  case SR_FPCR: { /* and the rounding slot: RMode 0 1 2 3 (RN RP RM RZ) -> IR_RM_* */
    IrRef w = ir_op2(fn, IR_OP_and, ir_cast(fn, IR_OP_trunc, IR_T_i32, v), a64_i32(l, FPCR_MASK));
    ir_set(fn, A64_SLOT_FPCR, w);
    IrRef rm = ir_cast(fn, IR_OP_trunc, IR_T_i8, ir_extract(fn, w, A64_FPCR_RMODE_SHIFT, 2, false));
    IrRef one = ir_const(fn, IR_T_i8, 1);
    rm = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_lshr, rm, one), /* swap RP and RM */
                ir_op2(fn, IR_OP_shl, ir_op2(fn, IR_OP_and, rm, one), one));
    ir_set(fn, A64_SLOT_FRM, rm);
    /* FZ: the host's FTZ and DAZ (IR_FENV_CONTROLS) */
    IrRef fz = ir_cmp(fn, IR_PRED_ne, ir_op2(fn, IR_OP_and, w, a64_i32(l, A64_FPCR_FZ)), a64_i32(l, 0));
    fenv_replace(l, ir_select(fn, fz, a64_i32(l, IR_FENV_CONTROLS), a64_i32(l, 0)), false);
    return true;
  }
  case SR_FPSR: {
    IrRef w = ir_op2(fn, IR_OP_and, ir_cast(fn, IR_OP_trunc, IR_T_i32, v), a64_i32(l, FPSR_MASK));
    ir_set(fn, A64_SLOT_FPSR, ir_op2(fn, IR_OP_and, w, a64_i32(l, ~A64_FPSR_EXC)));
    /* IOC..IXC (FPSR bits 0..4) to the environment's flags (bits 0, 2..5) */
    IrRef f = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, w, a64_i32(l, 1)),
                     ir_op2(fn, IR_OP_shl, ir_op2(fn, IR_OP_and, w, a64_i32(l, 0x1e)), a64_i32(l, 1)));
    fenv_replace(l, f, true);
    return true;
  }
  case SR_TPIDR: ir_set(fn, A64_SLOT_TPIDR, v); return true;
  default: return false;
  }
}

/* mrs (L = 1), msr (register). */
static bool lift_mrs_msr(A64Lift *l, const A64Row *r) {
  (void)r;
  if (!F(L))
    return write_sysreg(l, F(sysreg), a64_x(l, F(rt), true));
  IrRef v = read_sysreg(l, F(sysreg));
  if (v == IR_NONE)
    return false;
  a64_set_x(l, F(rt), v);
  return true;
}

/* cfinv (r->a = 0): C = !C. xaflag (1) and axflag (2) (FEAT_FlagM2) convert
 * between the Arm and an "external" encoding of floating-point comparison
 * flags. */
static bool lift_flagm(A64Lift *l, const A64Row *r) {
  IrFunc *fn = l->fn;
  IrRef n = ir_get(fn, A64_SLOT_N), z = ir_get(fn, A64_SLOT_Z), c = ir_get(fn, A64_SLOT_C),
        v = ir_get(fn, A64_SLOT_V), zero = ir_const(fn, IR_T_i1, 0);
  switch (r->a) {
  case 0: a64_set_nzcv(l, n, z, ir_op1(fn, IR_OP_not, c), v); break;
  case 1: /* xaflag */
    a64_set_nzcv(l, ir_op1(fn, IR_OP_not, ir_op2(fn, IR_OP_or, c, z)), ir_op2(fn, IR_OP_and, z, c),
                 ir_op2(fn, IR_OP_or, c, z), ir_op2(fn, IR_OP_andn, z, c));
    break;
  default: /* axflag */
    a64_set_nzcv(l, zero, ir_op2(fn, IR_OP_or, z, v), ir_op2(fn, IR_OP_andn, c, v), zero);
    break;
  }
  return true;
}

/* sys: the cache maintenance EL0 may issue (op1 3, CRn 7, op2 1), by CRm:
 * ic ivau 5, dc cvac 10, cvau 11, civac 14. */
static bool lift_sys(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned crm = F(crm);
  return F(op1) == 3 && F(crn) == 7 && F(op2) == 1 &&
         (crm == 5 || crm == 10 || crm == 11 || crm == 14);
}

const A64Row a64_rows_sys[] = {
    {"hint", "11010101000000110010 crm:4 op2:3 11111", lift_nop, 0, 0},
    {"cfinv", "11010101000000000100 0000 000 11111", lift_flagm, 0, 0},
    {"xaflag", "11010101000000000100 0000 001 11111", lift_flagm, 1, 0},
    {"axflag", "11010101000000000100 0000 010 11111", lift_flagm, 2, 0},
    {"sys", "1101010100 0 01 op1:3 crn:4 crm:4 op2:3 rt:5", lift_sys, 0, 0},
    {"mrs_msr", "1101010100 L:1 1 sysreg:15 rt:5", lift_mrs_msr, 0, 0},
    {0},
};
