/* x86_sysinsn.h — the system instructions' shared parts: the decoded
 * instruction with its operands, operand access in C, and the handler rows of
 * each x86_sysinsn*.c file (x86_sysinsn.c dispatches by mnemonic). */
#ifndef EMU_SYS_X86_SYSINSN_H
#define EMU_SYS_X86_SYSINSN_H

#include <Zydis/Zydis.h>

#include "x86_sys_int.h"

typedef struct SysInsn {
  X86Sys *s;
  X86Cpu *c;
  uint64_t pc, next; /* this instruction, the one after it */
  ZydisDecodedInstruction in;
  ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
  bool jumped;       /* the handler set rip (else it becomes next) */
  bool stale;        /* not a system instruction: the code changed (x86_si_not_system) */
  X86SysEvent event; /* what the machine does next (hlt, a delivery's triple fault) */
} SysInsn;

/* A handler returns the exception the instruction raises (as a fault: rip
 * stays on it) or X86_OK. */
typedef X86Exc (*SysInsnFn)(SysInsn *i);
#define SI_CPL0 1u /* #GP(0) unless CPL = 0 */
typedef struct SysInsnRow {
  ZydisMnemonic mn;
  SysInsnFn fn;
  unsigned flags;
} SysInsnRow;

/* Each file's rows, ending in a zero row. */
extern const SysInsnRow x86_sysinsn_misc[]; /* x86_sysinsn.c */
extern const SysInsnRow x86_sysinsn_cr[];   /* x86_sysinsn_cr.c */
extern const SysInsnRow x86_sysinsn_far[];  /* x86_sysinsn_far.c */
extern const SysInsnRow x86_sysinsn_io[];   /* x86_sysinsn_io.c */

/* The bytes at pc are not the system instruction the frontend saw: code
 * changed under a block that was already running. The handler returns this. */
X86Exc x86_si_not_system(SysInsn *i);

/* mov forms with a control, debug or segment register (x86_sysinsn.c's mov
 * row hands them over). */
X86Exc x86_si_mov_cr(SysInsn *i);
X86Exc x86_si_mov_dr(SysInsn *i);
X86Exc x86_si_mov_sreg(SysInsn *i);
X86Exc x86_si_push_sreg(SysInsn *i);
X86Exc x86_si_pop_sreg(SysInsn *i);

/* -- Operands (x86_sysinsn.c) -------------------------------------------------- */

uint64_t x86_si_gpr(SysInsn *i, ZydisRegister r); /* at r's width */
void x86_si_set_gpr(SysInsn *i, ZydisRegister r, uint64_t v); /* x86's partial-register rules */
uint64_t x86_si_ea(SysInsn *i, int n);  /* effective address of memory operand n */
X86Exc x86_si_read(SysInsn *i, int n, uint64_t *v); /* register, memory or immediate */
X86Exc x86_si_write(SysInsn *i, int n, uint64_t v);
/* The operand size in bytes (2, 4 or 8). */
static inline unsigned x86_si_width(SysInsn *i) { return i->in.operand_width / 8; }
/* The stack: n bytes at rsp + off (pops commit rsp themselves). */
X86Exc x86_si_stack_read(SysInsn *i, uint64_t off, unsigned n, uint64_t *v);
X86Exc x86_si_push(SysInsn *i, uint64_t v, unsigned n);

/* The RFLAGS bits popf and iret may change at the current CPL. */
uint64_t x86_si_flags_mask(X86Sys *s);

#endif
