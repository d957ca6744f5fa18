/* dt_classes.c — the instruction class table: what the generator produces, as
 * data. A row is a class name (what --class selects), a mnemonic and one operand
 * shape in the Intel manual's operand codes, the sizes its 'v' operands take,
 * and flags (dt.h DT_F_*). Adding instructions is adding rows.
 *
 * Operand codes: E r/m, G/R register, M memory, A accumulator (al/ax/eax/rax),
 * I immediate, J relative branch target, V xmm register, W xmm/m, a decimal
 * number for a fixed immediate ("Ev,1"), and lowercase literal registers (cl,
 * dx, ...). String instructions have no visible operands ("" with DT_F_STRING,
 * DT_F_REP or DT_F_REPCC: rsi/rdi point into scratch, rcx is small under rep).
 * Sizes: b w d q x
 * (8..128 bits), v the row's size, z the row's size capped at 32 (Iz), none:
 * the row's size (for M: an unsized address, as lea takes). Here 'v' also
 * covers the byte forms (Intel's Eb/Gb rows) when DT_S8 is listed.
 *
 * Not here on purpose: cpuid, rdtsc(p), syscall (their results depend on the
 * host, not on the instruction), and near branches with a 66 prefix (Intel
 * ignores it, AMD truncates rip).
 */
#include "dt.h"

#define MN(x) ZYDIS_MNEMONIC_##x
#define ROW(cls, mn, ops, sizes, flags) {cls, MN(mn), ops, sizes, flags}

/* The eight classic ALU ops: every shape, lockable when writing memory. */
#define ALU(mn, lock)                                                                   \
  ROW("alu", mn, "Ev,Gv", DT_SALL, lock), ROW("alu", mn, "Gv,Ev", DT_SALL, 0),           \
  ROW("alu", mn, "Ev,Iz", DT_SALL, lock), ROW("alu", mn, "Av,Iz", DT_SALL, 0)

/* The 16 condition codes of a family, one row each. */
#define CC16(cls, p, ops, sizes, flags)                                                 \
  ROW(cls, p##O, ops, sizes, flags), ROW(cls, p##NO, ops, sizes, flags),                \
  ROW(cls, p##B, ops, sizes, flags), ROW(cls, p##NB, ops, sizes, flags),                \
  ROW(cls, p##Z, ops, sizes, flags), ROW(cls, p##NZ, ops, sizes, flags),                \
  ROW(cls, p##BE, ops, sizes, flags), ROW(cls, p##NBE, ops, sizes, flags),              \
  ROW(cls, p##S, ops, sizes, flags), ROW(cls, p##NS, ops, sizes, flags),                \
  ROW(cls, p##P, ops, sizes, flags), ROW(cls, p##NP, ops, sizes, flags),                \
  ROW(cls, p##L, ops, sizes, flags), ROW(cls, p##NL, ops, sizes, flags),                \
  ROW(cls, p##LE, ops, sizes, flags), ROW(cls, p##NLE, ops, sizes, flags)

#define S16_64 (DT_S16 | DT_S64)
#define S16UP (DT_S16 | DT_S32 | DT_S64)
#define S32UP (DT_S32 | DT_S64)
#define BR (DT_F_NOSEQ)

const DtForm dt_forms[] = {
    ALU(ADD, DT_F_LOCK), ALU(ADC, DT_F_LOCK), ALU(SUB, DT_F_LOCK), ALU(SBB, DT_F_LOCK),
    ALU(AND, DT_F_LOCK), ALU(OR, DT_F_LOCK), ALU(XOR, DT_F_LOCK), ALU(CMP, 0),
    ROW("alu", TEST, "Ev,Gv", DT_SALL, 0),
    ROW("alu", TEST, "Ev,Iz", DT_SALL, 0),
    ROW("alu", TEST, "Av,Iz", DT_SALL, 0),

    ROW("unary", INC, "Ev", DT_SALL, DT_F_LOCK),
    ROW("unary", DEC, "Ev", DT_SALL, DT_F_LOCK),
    ROW("unary", NEG, "Ev", DT_SALL, DT_F_LOCK),
    ROW("unary", NOT, "Ev", DT_SALL, DT_F_LOCK),

    ROW("mov", MOV, "Ev,Gv", DT_SALL, 0),
    ROW("mov", MOV, "Gv,Ev", DT_SALL, 0),
    ROW("mov", MOV, "Ev,Iz", DT_SALL, 0),
    ROW("mov", MOV, "Rv,Iv", DT_SALL, 0), /* B8+r: imm64 for 64-bit */
    ROW("mov", MOVZX, "Gv,Eb", S16UP, 0),
    ROW("mov", MOVZX, "Gv,Ew", S16UP, 0),
    ROW("mov", MOVSX, "Gv,Eb", S16UP, 0),
    ROW("mov", MOVSX, "Gv,Ew", S16UP, 0),
    ROW("mov", MOVSXD, "Gv,Ed", S32UP, 0),
    ROW("mov", LEA, "Gv,M", S16UP, DT_F_NOACCESS),
    ROW("mov", XCHG, "Ev,Gv", DT_SALL, DT_F_ATOMIC), /* with memory: always locked */
    ROW("mov", XCHG, "Av,Gv", S16UP, 0),
    ROW("mov", BSWAP, "Rv", S32UP, 0), /* bswap r16 is undefined */

    ROW("acc", CBW, "", 0, 0), ROW("acc", CWDE, "", 0, 0), ROW("acc", CDQE, "", 0, 0),
    ROW("acc", CWD, "", 0, 0), ROW("acc", CDQ, "", 0, 0), ROW("acc", CQO, "", 0, 0),

    CC16("setcc", SET, "Eb", 0, 0),
    CC16("cmovcc", CMOV, "Gv,Ev", S16UP, 0),

    ROW("flags", CLC, "", 0, 0), ROW("flags", STC, "", 0, 0), ROW("flags", CMC, "", 0, 0),
    ROW("flags", CLD, "", 0, 0), ROW("flags", STD, "", 0, 0),
    ROW("flags", LAHF, "", 0, 0), ROW("flags", SAHF, "", 0, 0),

    ROW("stack", PUSH, "Ev", S16_64, 0),
    ROW("stack", PUSH, "Iz", S16_64, 0),
    ROW("stack", POP, "Ev", S16_64, 0),
    ROW("stack", PUSHFQ, "", 0, 0),
    ROW("stack", POPFQ, "", 0, DT_F_POPF | BR),
    ROW("stack", LEAVE, "", 0, DT_F_RBP | BR),
    ROW("stack", ENTER, "Iw,0", 0, BR),

    CC16("branch", J, "Jb", 0, BR),
    CC16("branch", J, "Jz", 0, BR),
    ROW("branch", JMP, "Jb", 0, BR),
    ROW("branch", JMP, "Jz", 0, BR),
    ROW("branch", JMP, "Eq", 0, DT_F_TARGET | BR),
    ROW("branch", CALL, "Jz", 0, BR),
    ROW("branch", CALL, "Eq", 0, DT_F_TARGET | BR),
    ROW("branch", RET, "", 0, DT_F_RET | BR),
    ROW("branch", RET, "Iw", 0, DT_F_RET | BR),
    ROW("branch", LOOP, "Jb", 0, BR),
    ROW("branch", LOOPE, "Jb", 0, BR),
    ROW("branch", LOOPNE, "Jb", 0, BR),
    ROW("branch", JRCXZ, "Jb", 0, BR),
    ROW("branch", JECXZ, "Jb", 0, DT_F_A32 | BR),

    ROW("trap", UD2, "", 0, BR),
    ROW("trap", INT3, "", 0, BR),
    ROW("trap", INT, "Ib", 0, DT_F_NOT80 | BR),
    ROW("trap", HLT, "", 0, BR),

    ROW("nop", NOP, "", 0, 0),
    ROW("nop", NOP, "Ev", DT_S16 | DT_S32, DT_F_NOACCESS),
    ROW("nop", PAUSE, "", 0, 0),
    ROW("nop", ENDBR64, "", 0, 0),
    ROW("nop", PREFETCHT0, "Mb", 0, DT_F_NOACCESS),
    ROW("nop", PREFETCHT1, "Mb", 0, DT_F_NOACCESS),
    ROW("nop", PREFETCHT2, "Mb", 0, DT_F_NOACCESS),
    ROW("nop", PREFETCHNTA, "Mb", 0, DT_F_NOACCESS),
    ROW("nop", PREFETCHW, "Mb", 0, DT_F_NOACCESS),

#include "dt_classes_sse.def" /* sse_mov sse_int sse_shuf sse42 */
#include "dt_classes_int.def" /* muldiv shift bits string atomic */
#include "dt_classes_fp.def"  /* sse_fp sse_cvt sse_mxcsr x87_* fxsave */
#include "dt_classes_mmx.def" /* mmx mmx_sse mmx_ssse3 mmx_cvt */
};
const size_t dt_nforms = sizeof dt_forms / sizeof dt_forms[0];
