/* lift_sys.c — x86 instructions that leave the block or need the CPU model:
 * syscall, ud2, int3, int n, hlt, cpuid, rdtsc/rdtscp, pushf/popf, lahf/sahf.
 * cpuid answers from one table of what emu implements, and nothing more: glibc
 * picks its string routines from these bits. */
#include <string.h>
#include <x86intrin.h>

#include "x86_lift.h"

/* -- cpuid ----------------------------------------------------------------- */

typedef struct CpuidLeaf {
  uint32_t leaf, subleaf; /* subleaf ~0: any */
  uint32_t eax, ebx, ecx, edx;
} CpuidLeaf;

/* Leaf 1 feature bits (edx / ecx) that emu implements. */
#define CPUID1_EDX ((1u << 0) /* fpu */ | (1u << 4) /* tsc */ | (1u << 8) /* cx8 */ |     \
                    (1u << 15) /* cmov */ | (1u << 19) /* clfsh */ | (1u << 23) /* mmx */ |   \
                    (1u << 24) /* fxsr */ | (1u << 25) /* sse */ | (1u << 26) /* sse2 */)
/* mmx: lift_mmx.c (with the SSE/SSE2/SSSE3 mm forms), difftested (classes mmx*).
 * glibc's ld.so refuses to load any library marked x86-64-baseline without it. */
/* Leaf 1 ecx. SSE3 and SSE4.1 are split: floating point in lift_sse_fp.c (addsub,
 * hadd/hsub, round, dpps/dppd) and lift_x87.c (fisttp), integer and data movement
 * in lift_sse_*.c; SSSE3 and SSE4.2 are lift_sse_*.c and lift_sse42.c. All
 * difftested (classes sse_*, x87_st). monitor/mwait are bit 3, not SSE3. */
#define CPUID1_ECX ((1u << 0) /* sse3 */ | (1u << 9) /* ssse3 */ | (1u << 13) /* cx16 */ | \
                    (1u << 19) /* sse4_1 */ | (1u << 20) /* sse4_2 */ | (1u << 23) /* popcnt */)
#define CPUID81_ECX ((1u << 0) /* lahf_lm */ | (1u << 5) /* abm: lzcnt */)
#define CPUID81_EDX ((1u << 11) /* syscall */ | (1u << 20) /* nx */ | (1u << 29) /* lm */)

/* Intel deterministic cache parameters (leaf 4): type, level, ways, sets; 64-byte lines. */
#define CACHE4(sub, type, level, ways, sets)                                              \
  {4, sub, (type) | ((level) << 5) | (1u << 8), ((ways) - 1u) << 22 | 63u, (sets) - 1u, 0}

static const CpuidLeaf cpuid_table[] = {
    {0, ~0u, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69}, /* "GenuineIntel" */
    {1, ~0u, 0x000906ea, 0x00010800, CPUID1_ECX, CPUID1_EDX},
    {2, ~0u, 0x0000ff01, 0, 0, 0}, /* descriptor 0xff: use leaf 4 */
    CACHE4(0, 1, 1, 8, 64),        /* L1d 32 KiB */
    CACHE4(1, 2, 1, 8, 64),        /* L1i 32 KiB */
    CACHE4(2, 3, 2, 16, 1024),     /* L2 1 MiB */
    CACHE4(3, 3, 3, 16, 8192),     /* L3 8 MiB */
    {0x80000000, ~0u, 0x80000008, 0, 0, 0},
    {0x80000001, ~0u, 0, 0, CPUID81_ECX, CPUID81_EDX},
    {0x80000002, ~0u, 0x20756d65, 0x74726976, 0x206c6175, 0x20555043}, /* "emu virtual CPU " */
    {0x80000003, ~0u, 0x20202020, 0x20202020, 0x20202020, 0x20202020},
    {0x80000004, ~0u, 0x20202020, 0x20202020, 0x20202020, 0x00202020},
    {0x80000006, ~0u, 0, 0, 0x04008040, 0}, /* L2: 1 MiB, 64-byte lines */
    {0x80000008, ~0u, 0x00003027, 0, 0, 0}, /* 39 physical, 48 virtual address bits */
};

/* AT_HWCAP for x86-64 Linux: cpuid(1).edx, so it says what this table says. */
uint32_t x86_cpuid_hwcap(void) { return CPUID1_EDX; }

void x86_cpuid_user(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  r[0] = r[1] = r[2] = r[3] = 0;
  for (size_t i = 0; i < sizeof cpuid_table / sizeof cpuid_table[0]; i++) {
    const CpuidLeaf *c = &cpuid_table[i];
    if (c->leaf == leaf && (c->subleaf == ~0u || c->subleaf == sub)) {
      r[0] = c->eax, r[1] = c->ebx, r[2] = c->ecx, r[3] = c->edx;
      return;
    }
  }
}

static uint64_t helper_cpuid(void *opaque, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a0, (void)a1, (void)a2, (void)a3;
  X86Cpu *cpu = opaque;
  uint32_t r[4];
  x86_cpuid_user((uint32_t)cpu->gpr[X86_RAX], (uint32_t)cpu->gpr[X86_RCX], r);
  cpu->gpr[X86_RAX] = r[0];
  cpu->gpr[X86_RBX] = r[1];
  cpu->gpr[X86_RCX] = r[2];
  cpu->gpr[X86_RDX] = r[3];
  return 0;
}

static uint64_t helper_rdtsc(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)cpu, (void)a0, (void)a1, (void)a2, (void)a3;
  return __rdtsc();
}

static uint64_t helper_rflags_get(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a0, (void)a1, (void)a2, (void)a3;
  return x86_rflags_get(cpu);
}

/* popf from user mode: only the arithmetic flags, DF, TF, AC, ID change. */
static uint64_t helper_rflags_set(void *cpu, uint64_t v, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a1, (void)a2, (void)a3;
  const uint64_t user = 0x2000000ull | 0x40000 | 0x100 | 0xcd5; /* ID AC TF + flags/DF */
  uint64_t old = x86_rflags_get(cpu);
  x86_rflags_set(cpu, (old & ~user) | (v & user));
  return 0;
}

/* cli in system mode at CPL0 (x86_system.c leaves it to IR there). */
static uint64_t helper_cli(void *opaque, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a0, (void)a1, (void)a2, (void)a3;
  X86Cpu *cpu = opaque;
  cpu->rflags_rest &= ~0x200ull; /* IF */
  return 0;
}

/* System mode at CPL0: the CPU model's (x86_frontend_set_sys). */
static uint64_t helper_sys_tsc(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a0, (void)a1, (void)a2, (void)a3;
  return x86_sys_calls()->tsc(cpu);
}

static uint64_t helper_sys_tsc_aux(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a0, (void)a1, (void)a2, (void)a3;
  return x86_sys_calls()->tsc_aux(cpu);
}

static uint64_t helper_sys_sti(void *cpu, uint64_t next_pc, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a1, (void)a2, (void)a3;
  x86_sys_calls()->sti(cpu, next_pc);
  return 0;
}

static uint64_t helper_sys_sreg(void *cpu, uint64_t seg, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a1, (void)a2, (void)a3;
  return x86_sys_calls()->sreg(cpu, seg);
}

static uint64_t helper_sys_iret(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a0, (void)a1, (void)a2, (void)a3;
  return x86_sys_calls()->iret(cpu);
}

enum {
  H_CPUID, H_RDTSC, H_RFLAGS_GET, H_RFLAGS_SET, H_CLI,
  H_SYS_TSC, H_SYS_TSC_AUX, H_SYS_STI, H_SYS_SREG, H_SYS_IRET, H__COUNT
};
static const IrHelper helper_defs[H__COUNT] = {
    [H_CPUID] = {"x86_cpuid", helper_cpuid, 0, IR_T_void,
                 IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    [H_RDTSC] = {"x86_rdtsc", helper_rdtsc, 0, IR_T_i64, 0},
    [H_RFLAGS_GET] = {"x86_rflags_get", helper_rflags_get, 0, IR_T_i64, IR_HELPER_READS_STATE},
    [H_RFLAGS_SET] = {"x86_rflags_set", helper_rflags_set, 1, IR_T_void,
                      IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    [H_CLI] = {"x86_cli", helper_cli, 0, IR_T_void,
               IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    /* The clock and MSRs are state outside the registers: never merged or moved. */
    [H_SYS_TSC] = {"x86_sys_tsc", helper_sys_tsc, 0, IR_T_i64,
                   IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    [H_SYS_TSC_AUX] = {"x86_sys_tsc_aux", helper_sys_tsc_aux, 0, IR_T_i64,
                       IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    [H_SYS_STI] = {"x86_sys_sti", helper_sys_sti, 1, IR_T_void,
                   IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    [H_SYS_SREG] = {"x86_sys_sreg", helper_sys_sreg, 1, IR_T_i64,
                    IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE},
    [H_SYS_IRET] = {"x86_sys_iret", helper_sys_iret, 0, IR_T_i64,
                    IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE | IR_HELPER_MEMORY},
};
static uint32_t helper_index[H__COUNT];

void x86_helpers_register(void) {
  for (int i = 0; i < H__COUNT; i++)
    helper_index[i] = (uint32_t)ir_helper_register(&helper_defs[i]);
}

static IrRef call0(X86Lift *l, int h) { return ir_call(l->fn, helper_index[h], 0, NULL); }

/* -- Lifters --------------------------------------------------------------- */

static bool lift_syscall(X86Lift *l, const X86Lifter *e) {
  (void)e;
  ir_syscall(l->fn, l->next_pc);
  l->ended = true;
  return true;
}

/* raise with a = IrExc, b = argument. */
static bool lift_raise(X86Lift *l, const X86Lifter *e) {
  x86_end_raise(l, (IrExc)e->a, (uint64_t)e->b);
  return true;
}

static bool lift_int(X86Lift *l, const X86Lifter *e) {
  (void)e;
  x86_end_raise(l, IR_EXC_trap, l->op[0].imm.value.u & 0xff);
  return true;
}

static bool lift_cpuid(X86Lift *l, const X86Lifter *e) {
  (void)e;
  call0(l, H_CPUID);
  return true;
}

/* rdtsc: edx:eax; rdtscp also ecx = TSC_AUX (user mode: cpu 0). In system
 * mode this is reached only at CPL0 (x86_system.c): the CPU model's TSC. */
static bool lift_rdtsc(X86Lift *l, const X86Lifter *e) {
  bool sys = l->mode & X86_MODE_SYSTEM;
  IrRef t = call0(l, sys ? H_SYS_TSC : H_RDTSC);
  x86_gpr_put(l, X86_RAX, 32, false, ir_cast(l->fn, IR_OP_trunc, IR_T_i32, t));
  x86_gpr_put(l, X86_RDX, 32, false,
              ir_cast(l->fn, IR_OP_trunc, IR_T_i32, ir_op2(l->fn, IR_OP_lshr, t, x86_i64(l, 32))));
  if (e->a)
    x86_gpr_put(l, X86_RCX, 32, false,
                sys ? ir_cast(l->fn, IR_OP_trunc, IR_T_i32, call0(l, H_SYS_TSC_AUX))
                    : ir_const(l->fn, IR_T_i32, 0));
  return true;
}

/* mov r, sreg: the selector, zero-extended (x86_put keeps ax's upper bits).
 * ES..GS are consecutive in Zydis and in the encoding. */
bool x86_lift_sreg_read(X86Lift *l) {
  if (!x86_is_sreg_read(&l->in, l->op, l->mode))
    return false;
  IrRef seg = x86_i64(l, (uint64_t)(l->op[1].reg.value - ZYDIS_REGISTER_ES));
  IrRef v = ir_call(l->fn, helper_index[H_SYS_SREG], 1, &seg);
  IrType t = x86_optype(l, 0);
  x86_put(l, 0, t == IR_T_i64 ? v : ir_cast(l->fn, IR_OP_trunc, t, v));
  return true;
}

/* iretq reaches a lifter only in system mode at CPL0 with the CPU model's
 * calls registered: a return to CPL0 (Linux's sync_core, interrupts taken in
 * the kernel) jumps from the block; anything else raises sys with nothing
 * done, and the runner carries it out. */
static bool lift_iretq(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!(l->mode & X86_MODE_SYSTEM) || (l->mode & X86_MODE_CPL3) || !x86_sys_calls())
    return false;
  IrFunc *fn = l->fn;
  IrRef rip = call0(l, H_SYS_IRET);
  uint32_t runner = ir_block_new(fn), done = ir_block_new(fn);
  ir_br(fn, ir_cmp(fn, IR_PRED_eq, rip, x86_i64(l, X86_IRET_DECLINED)), runner, done);
  ir_block_set(fn, runner);
  x86_end_raise(l, IR_EXC_sys, l->in.length);
  ir_block_set(fn, done);
  x86_end_jump_ind(l, rip);
  return true;
}

/* sti reaches a lifter only in system mode at CPL0 with the CPU model's calls
 * registered. The interrupt shadow covers the next instruction; the block
 * ends after it, so the runner sees an interrupt the sti let in. */
static bool lift_sti(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!(l->mode & X86_MODE_SYSTEM) || (l->mode & X86_MODE_CPL3) || !x86_sys_calls())
    return false;
  IrRef next = x86_i64(l, l->next_pc);
  ir_call(l->fn, helper_index[H_SYS_STI], 1, &next);
  l->end_after_next = true;
  return true;
}

/* cli reaches a lifter only in system mode at CPL0; user mode keeps it
 * undefined, as before. */
static bool lift_cli(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!(l->mode & X86_MODE_SYSTEM) || (l->mode & X86_MODE_CPL3))
    return false;
  call0(l, H_CLI);
  return true;
}

static bool lift_pushf(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (l->in.operand_width != 64)
    return false;
  x86_push(l, call0(l, H_RFLAGS_GET));
  return true;
}

static bool lift_popf(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (l->in.operand_width != 64)
    return false;
  IrRef v = x86_pop(l, IR_T_i64);
  ir_call(l->fn, helper_index[H_RFLAGS_SET], 1, &v);
  return true;
}

/* The flags lahf/sahf move, with their bit in AH: SF ZF 0 AF 0 PF 1 CF. */
static const uint8_t slot_bit[5][2] = {{X86_SLOT_CF, 0}, {X86_SLOT_PF, 2}, {X86_SLOT_AF, 4},
                                       {X86_SLOT_ZF, 6}, {X86_SLOT_SF, 7}};


static bool lift_lahf(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef ah = ir_const(l->fn, IR_T_i8, 2);
  for (size_t i = 0; i < 5; i++) {
    IrRef bit = ir_cast(l->fn, IR_OP_zext, IR_T_i8, x86_get_flag(l, slot_bit[i][0]));
    ah = ir_op2(l->fn, IR_OP_or, ah, ir_op2(l->fn, IR_OP_shl, bit, ir_const(l->fn, IR_T_i8, slot_bit[i][1])));
  }
  x86_gpr_put(l, X86_RAX, 8, true, ah);
  return true;
}

static bool lift_sahf(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef ah = x86_gpr_get(l, X86_RAX, 8, true);
  for (size_t i = 0; i < 5; i++)
    x86_set_flag(l, slot_bit[i][0],
                 ir_cast(l->fn, IR_OP_trunc, IR_T_i1, ir_extract(l->fn, ah, slot_bit[i][1], 1, false)));
  return true;
}

const X86Lifter x86_lifters_sys[] = {
    {ZYDIS_MNEMONIC_SYSCALL, lift_syscall, 0, 0},
    {ZYDIS_MNEMONIC_UD2, lift_raise, IR_EXC_undef, IR_UNDEF_INVALID},
    {ZYDIS_MNEMONIC_UD0, lift_raise, IR_EXC_undef, IR_UNDEF_INVALID},
    {ZYDIS_MNEMONIC_UD1, lift_raise, IR_EXC_undef, IR_UNDEF_INVALID},
    {ZYDIS_MNEMONIC_INT3, lift_raise, IR_EXC_breakpt, 0},
    {ZYDIS_MNEMONIC_INT, lift_int, 0, 0},
    {ZYDIS_MNEMONIC_HLT, lift_raise, IR_EXC_priv, 0},
    {ZYDIS_MNEMONIC_CPUID, lift_cpuid, 0, 0},
    {ZYDIS_MNEMONIC_RDTSC, lift_rdtsc, 0, 0},
    {ZYDIS_MNEMONIC_RDTSCP, lift_rdtsc, 1, 0},
    {ZYDIS_MNEMONIC_CLI, lift_cli, 0, 0},
    {ZYDIS_MNEMONIC_STI, lift_sti, 0, 0},
    {ZYDIS_MNEMONIC_IRETQ, lift_iretq, 0, 0},
    {ZYDIS_MNEMONIC_PUSHFQ, lift_pushf, 0, 0},
    {ZYDIS_MNEMONIC_POPFQ, lift_popf, 0, 0},
    {ZYDIS_MNEMONIC_LAHF, lift_lahf, 0, 0},
    {ZYDIS_MNEMONIC_SAHF, lift_sahf, 0, 0},
    {0, NULL, 0, 0},
};
