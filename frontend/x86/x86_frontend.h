/* x86_frontend.h — the x86-64 guest frontend: decode (Zydis) and lift to IR. */
#ifndef EMU_X86_FRONTEND_H
#define EMU_X86_FRONTEND_H

#include "ir_frontend.h"
#include "x86_cpu.h"

/* IR slots of the x86-64 register file, in x86_regs.c's table order. */
enum {
  X86_SLOT_GPR0 = 0, /* rax .. r15: X86_SLOT_GPR0 + X86_RAX.. */
  X86_SLOT_RIP = 16,
  X86_SLOT_CF, X86_SLOT_PF, X86_SLOT_AF, X86_SLOT_ZF, X86_SLOT_SF, X86_SLOT_OF, X86_SLOT_DF,
  X86_SLOT_FS_BASE, X86_SLOT_GS_BASE,
  X86_SLOT_XMM0, /* xmm0 .. xmm15 */
  X86_SLOT_MXCSR = X86_SLOT_XMM0 + 16,
  /* x87 state as MMX sees it (lift_mmx.c); the x87 helpers use X86Cpu directly. */
  X86_SLOT_MM0,                      /* mm0 .. mm7: st[i].mant, i64 */
  X86_SLOT_FEXP0 = X86_SLOT_MM0 + 8, /* st[i].sexp, i16 */
  X86_SLOT_FCW = X86_SLOT_FEXP0 + 8, X86_SLOT_FSW, X86_SLOT_FTOP, X86_SLOT_FTAG,
  X86_SLOT__COUNT
};

/* IrCodeFetch.mode bits (0: user mode). System mode keys blocks by them. Only
 * 64-bit code so far: bits 2-3 are kept for CS.L/CS.D when 16/32-bit code is. */
#define X86_MODE_SYSTEM 1u /* system mode: softmmu accesses, system insns raise sys */
#define X86_MODE_CPL3 2u   /* code runs at CPL3 (mmu_idx 1); clear: CPL0 (mmu_idx 0) */
/* In system mode a block ends with `raise sys` (IR_EXC_sys, argument: the
 * instruction's length) at each instruction the runner carries out itself
 * (x86_is_system_insn; cli at CPL0 is lifted: it only clears IF; so are sti
 * rdtsc/rdtscp and iretq at CPL0 and mov r, sreg once x86_frontend_set_sys
 * was called), and before
 * the first instruction that starts in another 4 KiB page than the block's
 * first byte. */

extern const IrRegFile x86_regfile;
extern const IrFrontend x86_frontend;

/* AT_HWCAP: leaf 1 edx of the cpuid the guest sees. */
uint32_t x86_cpuid_hwcap(void);
/* cpuid as user mode answers it (eax, ebx, ecx, edx): what the lifters
 * implement. System mode's CPU model (system/x86_cpuid.c) starts from it. */
void x86_cpuid_user(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* Each mnemonic (a ZydisMnemonic value) some lifter table names, for coverage
 * reports; a mnemonic may be named more than once. */
void x86_lifted_each(void (*fn)(void *ctx, int mnemonic), void *ctx);

/* System mode's CPU model, for the instructions lifted at CPL0 instead of
 * raising sys (x86_frontend_set_sys; until then they raise sys). Each gets
 * the guest state (X86Cpu). */
typedef struct X86SysCalls {
  uint64_t (*tsc)(void *guest);     /* rdtsc/rdtscp: the TSC */
  uint64_t (*tsc_aux)(void *guest); /* rdtscp: IA32_TSC_AUX */
  /* sti: IF = 1; if it was 0, no interrupt before next_pc's instruction
   * (the frontend ends the block after that one, so the runner checks). */
  void (*sti)(void *guest, uint64_t next_pc);
  /* mov r, sreg (any CPL): the selector of segment register seg (ES..GS = 0..5) */
  uint64_t (*sreg)(void *guest, uint64_t seg);
  /* iretq at CPL0: done if it returns to CPL0 (the new rip), else
   * X86_IRET_DECLINED with nothing changed (the block raises sys). */
  uint64_t (*iret)(void *guest);
} X86SysCalls;
#define X86_IRET_DECLINED (1ull << 63) /* not canonical: never a rip iretq loads */
void x86_frontend_set_sys(const X86SysCalls *calls);

/* Registers the frontend's helpers; call once before translating. */
void x86_frontend_init(void);

#endif
