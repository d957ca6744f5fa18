/* x86_system.c — system mode in the frontend: which instructions the runner
 * carries out itself (docs/system.md, "System instructions"). In system mode a
 * block ends with `raise sys` at such an instruction and system/x86_sysinsn.c
 * decodes and executes it in C; everything privileged or mode-dependent lives
 * there, so the lifters stay the user-mode ones. */
#include "x86_lift.h"

/* By mnemonic; operand forms (mov cr/dr/sreg, push/pop sreg) and far branches
 * are recognised from the decoded instruction instead. */
static const ZydisMnemonic sys_mnemonics[] = {
    ZYDIS_MNEMONIC_LGDT,   ZYDIS_MNEMONIC_LIDT,   ZYDIS_MNEMONIC_LLDT,   ZYDIS_MNEMONIC_LTR,
    ZYDIS_MNEMONIC_SGDT,   ZYDIS_MNEMONIC_SIDT,   ZYDIS_MNEMONIC_SLDT,   ZYDIS_MNEMONIC_STR,
    ZYDIS_MNEMONIC_RDMSR,  ZYDIS_MNEMONIC_WRMSR,  ZYDIS_MNEMONIC_IN,     ZYDIS_MNEMONIC_OUT,
    ZYDIS_MNEMONIC_INSB,   ZYDIS_MNEMONIC_INSW,   ZYDIS_MNEMONIC_INSD,   ZYDIS_MNEMONIC_OUTSB,
    ZYDIS_MNEMONIC_OUTSW,  ZYDIS_MNEMONIC_OUTSD,  ZYDIS_MNEMONIC_CLI,    ZYDIS_MNEMONIC_STI,
    ZYDIS_MNEMONIC_POPF,   ZYDIS_MNEMONIC_POPFD,  ZYDIS_MNEMONIC_POPFQ,  ZYDIS_MNEMONIC_HLT,
    ZYDIS_MNEMONIC_IRET,   ZYDIS_MNEMONIC_IRETD,  ZYDIS_MNEMONIC_IRETQ,  ZYDIS_MNEMONIC_SYSRET,
    ZYDIS_MNEMONIC_SWAPGS, ZYDIS_MNEMONIC_INVLPG, ZYDIS_MNEMONIC_WBINVD, ZYDIS_MNEMONIC_INVD,
    ZYDIS_MNEMONIC_CLTS,   ZYDIS_MNEMONIC_LMSW,   ZYDIS_MNEMONIC_SMSW,   ZYDIS_MNEMONIC_CPUID,
    ZYDIS_MNEMONIC_RDTSC,  ZYDIS_MNEMONIC_RDTSCP, ZYDIS_MNEMONIC_RDPID,  ZYDIS_MNEMONIC_LFS,
    ZYDIS_MNEMONIC_LGS,    ZYDIS_MNEMONIC_LSS,    ZYDIS_MNEMONIC_INT,    ZYDIS_MNEMONIC_INT1,
    ZYDIS_MNEMONIC_INT3,   ZYDIS_MNEMONIC_INTO,   ZYDIS_MNEMONIC_LAR,    ZYDIS_MNEMONIC_LSL,
    ZYDIS_MNEMONIC_VERR,   ZYDIS_MNEMONIC_VERW,   ZYDIS_MNEMONIC_SYSENTER, ZYDIS_MNEMONIC_SYSEXIT,
};

static const X86SysCalls *sys_calls;

void x86_frontend_set_sys(const X86SysCalls *calls) { sys_calls = calls; }
const X86SysCalls *x86_sys_calls(void) { return sys_calls; }

bool x86_is_sreg_read(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *op,
                      uint32_t mode) {
  if (!sys_calls || !(mode & X86_MODE_SYSTEM) || in->mnemonic != ZYDIS_MNEMONIC_MOV ||
      op[0].type != ZYDIS_OPERAND_TYPE_REGISTER || op[1].type != ZYDIS_OPERAND_TYPE_REGISTER)
    return false;
  ZydisRegisterClass to = ZydisRegisterGetClass(op[0].reg.value);
  return ZydisRegisterGetClass(op[1].reg.value) == ZYDIS_REGCLASS_SEGMENT &&
         (to == ZYDIS_REGCLASS_GPR16 || to == ZYDIS_REGCLASS_GPR32 || to == ZYDIS_REGCLASS_GPR64);
}

bool x86_is_system_insn(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *op,
                        uint32_t mode) {
  if (in->mnemonic == ZYDIS_MNEMONIC_CLI && !(mode & X86_MODE_CPL3))
    return false; /* always allowed at CPL0: lift_sys.c clears IF (the kernel's most frequent) */
  /* Also always allowed at CPL0 (no IOPL or CR4.TSD check), and frequent:
   * lift_sys.c calls the CPU model (sti: ~150k, rdtsc(p): ~50k to a shell). */
  bool cpl0_lifted = in->mnemonic == ZYDIS_MNEMONIC_STI || in->mnemonic == ZYDIS_MNEMONIC_RDTSC ||
                     in->mnemonic == ZYDIS_MNEMONIC_RDTSCP || in->mnemonic == ZYDIS_MNEMONIC_IRETQ;
  if (cpl0_lifted && sys_calls && !(mode & X86_MODE_CPL3))
    return false;
  if (x86_is_sreg_read(in, op, mode))
    return false; /* unprivileged; Linux's sync_core does two per iretq (~240k to a shell) */
  for (size_t i = 0; i < sizeof sys_mnemonics / sizeof sys_mnemonics[0]; i++)
    if (in->mnemonic == sys_mnemonics[i])
      return true;
  if (in->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR && in->mnemonic != ZYDIS_MNEMONIC_SYSCALL)
    return true; /* jmp/call far, lret: a CS load */
  for (unsigned i = 0; i < in->operand_count_visible; i++) {
    if (op[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
      continue;
    ZydisRegisterClass c = ZydisRegisterGetClass(op[i].reg.value);
    if (c == ZYDIS_REGCLASS_SEGMENT || c == ZYDIS_REGCLASS_CONTROL || c == ZYDIS_REGCLASS_DEBUG)
      return true; /* selectors live in the system state; cr/dr are privileged */
  }
  return false;
}
