/* x64_asm.h — a small table-driven x86-64 assembler for backend_fast.
 *
 * Emits host code into a caller-owned buffer; knows nothing of the IR. Each
 * instruction group is a table of rows (mnemonic, prefix, opcode map, opcode,
 * /digit, flags) that one encoder core (x64_asm.c) turns into bytes. Running
 * out of space sets `overflow` and writes nothing past `end`: the JIT flushes
 * its code cache and retries. Branches reach labels (chained fixups, patched
 * at bind) or absolute targets, and a jmp/jcc rel32 can be re-pointed at run
 * time with one aligned 4-byte store (block chaining).
 */
#ifndef EMU_X64_ASM_H
#define EMU_X64_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -- Registers, sizes, conditions ----------------------------------------- */

/* Hardware numbering. Byte operations on 4..7 mean SPL/BPL/SIL/DIL (always
 * with a REX); AH..BH are never produced. */
typedef enum X64Reg {
  X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
  X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
  X64_NOREG, /* X64Mem: no base / no index */
  X64_RIP,   /* X64Mem base: RIP-relative */
} X64Reg;

typedef enum X64Xmm {
  X64_XMM0, X64_XMM1, X64_XMM2, X64_XMM3, X64_XMM4, X64_XMM5, X64_XMM6, X64_XMM7,
  X64_XMM8, X64_XMM9, X64_XMM10, X64_XMM11, X64_XMM12, X64_XMM13, X64_XMM14, X64_XMM15,
} X64Xmm;

/* Operand size in bytes: 2 adds the 0x66 prefix, 8 sets REX.W. */
typedef enum X64Size { X64_S8 = 1, X64_S16 = 2, X64_S32 = 4, X64_S64 = 8 } X64Size;

/* Condition codes in Intel order: the low nibble of jcc/setcc/cmovcc; cc^1 negates. */
typedef enum X64Cond {
  X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE, X64_CC_A,
  X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
  X64_CC_C = X64_CC_B, X64_CC_NC = X64_CC_AE, X64_CC_Z = X64_CC_E, X64_CC_NZ = X64_CC_NE,
} X64Cond;

static inline X64Cond x64_cc_not(X64Cond cc) { return (X64Cond)(cc ^ 1); }

/* [base + index*scale + disp]. base may be X64_NOREG (absolute disp32) or
 * X64_RIP (disp relative to the end of the instruction); index may be
 * X64_NOREG but never RSP; scale is 1, 2, 4 or 8. */
typedef struct X64Mem {
  uint8_t base, index, scale;
  int32_t disp;
} X64Mem;

static inline X64Mem x64_mem(X64Reg base, int32_t disp) {
  return (X64Mem){base, X64_NOREG, 1, disp};
}
static inline X64Mem x64_mem_sib(X64Reg base, X64Reg index, unsigned scale, int32_t disp) {
  return (X64Mem){base, index, (uint8_t)scale, disp};
}
static inline X64Mem x64_mem_abs(int32_t addr) { return (X64Mem){X64_NOREG, X64_NOREG, 1, addr}; }
static inline X64Mem x64_mem_rip(int32_t disp) { return (X64Mem){X64_RIP, X64_NOREG, 1, disp}; }

/* -- The emitter ------------------------------------------------------------ */

typedef struct X64Asm {
  uint8_t *p, *start, *end;
  bool overflow;    /* out of space: output incomplete, flush the cache and retry */
  bool error;       /* operands it cannot encode, or a branch out of reach: output wrong */
  int32_t last_rip; /* offset of the last instruction's RIP disp32, or -1 */
  uint8_t last_rip_tail; /* bytes of that instruction after its disp32 (immediate) */
} X64Asm;

void x64_init(X64Asm *a, void *buf, size_t len);
static inline size_t x64_len(const X64Asm *a) { return (size_t)(a->p - a->start); }
static inline bool x64_ok(const X64Asm *a) { return !a->overflow && !a->error; }
void x64_bytes(X64Asm *a, const void *bytes, size_t n); /* raw bytes, all or nothing */
void x64_nop(X64Asm *a, unsigned n);     /* n bytes of padding in as few nops as we can */
void x64_align(X64Asm *a, unsigned pow2); /* nops up to an address multiple of pow2 */
/* LOCK prefix for the next instruction, which must be a read-modify-write with
 * a memory destination (alu/unary/bt/xchg/cmpxchg/xadd/cmpxchg8b/16b). */
static inline void x64_lock(X64Asm *a) { x64_bytes(a, "\xF0", 1); }

/* -- Instruction tables ----------------------------------------------------- */

enum { X64_MAP_NONE, X64_MAP_0F, X64_MAP_0F38, X64_MAP_0F3A };

/* Row flags. GPR groups: BYTE = a byte form exists at opc-1. SSE rows: operands
 * are given in Intel order (dst, src); RM_DST puts dst in ModRM.rm (stores,
 * extracts), GREG/GRM say the ModRM.reg/.rm register is a GPR (else an XMM). */
enum {
  X64F_BYTE = 1 << 0,   /* has an 8-bit form at opcode-1 */
  X64F_W = 1 << 1,      /* REX.W always */
  X64F_IMM8 = 1 << 2,   /* takes an imm8 */
  X64F_RM_DST = 1 << 3, /* first operand goes in ModRM.rm */
  X64F_GREG = 1 << 4,   /* ModRM.reg is a GPR */
  X64F_GRM = 1 << 5,    /* ModRM.rm register is a GPR */
  X64F_NOMEM = 1 << 6,  /* ModRM.rm must be a register */
};

/* One encoding. Not every group uses every field; each group's comment says how. */
typedef struct X64OpInfo {
  const char *name; /* mnemonic as the Intel manual spells it */
  uint8_t pfx;      /* mandatory prefix 0x66/0xF2/0xF3, or 0 */
  uint8_t map;      /* X64_MAP_* */
  uint8_t opc;
  int8_t ext;       /* ModRM.reg /digit, or -1 when it names a register */
  uint8_t flags;    /* X64F_* */
  uint8_t msize;    /* memory operand bytes, when not the operand size */
} X64OpInfo;

/* Classic ALU, in /digit order: rm,r = ext*8+1; r,rm = +3; eax,imm = +5; 80/81/83 /ext. */
#define X64_ALU_DEF(_) \
  _(ADD, "add") _(OR, "or") _(ADC, "adc") _(SBB, "sbb") \
  _(AND, "and") _(SUB, "sub") _(XOR, "xor") _(CMP, "cmp")
/* Shifts and rotates (/digit): D0/D1 by 1, C0/C1 by imm8, D2/D3 by CL. */
#define X64_SHIFT_DEF(_) \
  _(ROL, "rol", 0) _(ROR, "ror", 1) _(RCL, "rcl", 2) _(RCR, "rcr", 3) \
  _(SHL, "shl", 4) _(SHR, "shr", 5) _(SAR, "sar", 7)
/* One r/m operand: opcode (byte form at -1) and /digit. */
#define X64_UNARY_DEF(_) \
  _(NOT, "not", 0xF7, 2) _(NEG, "neg", 0xF7, 3) _(MUL, "mul", 0xF7, 4) \
  _(IMUL1, "imul", 0xF7, 5) _(DIV, "div", 0xF7, 6) _(IDIV, "idiv", 0xF7, 7) \
  _(INC, "inc", 0xFF, 0) _(DEC, "dec", 0xFF, 1)
/* reg <- reg/mem, 16/32/64 only: prefix, map, opcode. */
#define X64_REGRM_DEF(_) \
  _(IMUL, "imul", 0, X64_MAP_0F, 0xAF) _(BSF, "bsf", 0, X64_MAP_0F, 0xBC) \
  _(BSR, "bsr", 0, X64_MAP_0F, 0xBD) _(LZCNT, "lzcnt", 0xF3, X64_MAP_0F, 0xBD) \
  _(TZCNT, "tzcnt", 0xF3, X64_MAP_0F, 0xBC) _(POPCNT, "popcnt", 0xF3, X64_MAP_0F, 0xB8)
/* reg/mem <- reg, with a byte form at opcode-1: map, opcode. */
#define X64_RMREG_DEF(_) \
  _(TEST, "test", X64_MAP_NONE, 0x85) _(XCHG, "xchg", X64_MAP_NONE, 0x87) \
  _(CMPXCHG, "cmpxchg", X64_MAP_0F, 0xB1) _(XADD, "xadd", X64_MAP_0F, 0xC1)
/* Bit tests: 0F opcode of the reg form, /digit of the 0F BA imm8 form. */
#define X64_BIT_DEF(_) \
  _(BT, "bt", 0xA3, 4) _(BTS, "bts", 0xAB, 5) _(BTR, "btr", 0xB3, 6) _(BTC, "btc", 0xBB, 7)
/* Widening moves reg <- reg/mem of a smaller size: map, opcode, source bytes. */
#define X64_WIDEN_DEF(_) \
  _(MOVZX8, "movzx", X64_MAP_0F, 0xB6, 1) _(MOVZX16, "movzx", X64_MAP_0F, 0xB7, 2) \
  _(MOVSX8, "movsx", X64_MAP_0F, 0xBE, 1) _(MOVSX16, "movsx", X64_MAP_0F, 0xBF, 2) \
  _(MOVSXD, "movsxd", X64_MAP_NONE, 0x63, 4)
/* Double shifts: 0F opcode of the imm8 form; the CL form is opcode+1. */
#define X64_SHD_DEF(_) _(SHLD, "shld", 0xA4) _(SHRD, "shrd", 0xAC)
/* Memory-only operand: prefix, map, opcode, /digit, flags, memory bytes. */
#define X64_MEMOP_DEF(_) \
  _(CMPXCHG8B, "cmpxchg8b", 0, X64_MAP_0F, 0xC7, 1, 0, 8) \
  _(CMPXCHG16B, "cmpxchg16b", 0, X64_MAP_0F, 0xC7, 1, X64F_W, 16) \
  _(LDMXCSR, "ldmxcsr", 0, X64_MAP_0F, 0xAE, 2, 0, 4) \
  _(STMXCSR, "stmxcsr", 0, X64_MAP_0F, 0xAE, 3, 0, 4)
/* No operands: the bytes themselves. */
#define X64_FIXED_DEF(_) \
  _(RET, "ret", "\xC3") _(INT3, "int3", "\xCC") _(UD2, "ud2", "\x0F\x0B") \
  _(MFENCE, "mfence", "\x0F\xAE\xF0") _(LFENCE, "lfence", "\x0F\xAE\xE8") \
  _(SFENCE, "sfence", "\x0F\xAE\xF8") _(PUSHFQ, "pushfq", "\x9C") _(POPFQ, "popfq", "\x9D") \
  _(LAHF, "lahf", "\x9F") _(SAHF, "sahf", "\x9E") _(CQO, "cqo", "\x48\x99") \
  _(CDQ, "cdq", "\x99") _(CWD, "cwd", "\x66\x99") _(CDQE, "cdqe", "\x48\x98") \
  _(CWDE, "cwde", "\x98") _(CLC, "clc", "\xF8") _(STC, "stc", "\xF9") _(CMC, "cmc", "\xF5") \
  _(PAUSE, "pause", "\xF3\x90") _(LEAVE, "leave", "\xC9")

#define X64_ENUM_ID(id, ...) X64_##id,
typedef enum X64AluOp { X64_ALU_DEF(X64_ENUM_ID) X64_ALU__COUNT } X64AluOp;
typedef enum X64ShiftOp { X64_SHIFT_DEF(X64_ENUM_ID) X64_SHIFT__COUNT } X64ShiftOp;
typedef enum X64UnaryOp { X64_UNARY_DEF(X64_ENUM_ID) X64_UNARY__COUNT } X64UnaryOp;
typedef enum X64RegRmOp { X64_REGRM_DEF(X64_ENUM_ID) X64_REGRM__COUNT } X64RegRmOp;
typedef enum X64RmRegOp { X64_RMREG_DEF(X64_ENUM_ID) X64_RMREG__COUNT } X64RmRegOp;
typedef enum X64BitOp { X64_BIT_DEF(X64_ENUM_ID) X64_BIT__COUNT } X64BitOp;
typedef enum X64WidenOp { X64_WIDEN_DEF(X64_ENUM_ID) X64_WIDEN__COUNT } X64WidenOp;
typedef enum X64ShdOp { X64_SHD_DEF(X64_ENUM_ID) X64_SHD__COUNT } X64ShdOp;
typedef enum X64MemOp { X64_MEMOP_DEF(X64_ENUM_ID) X64_MEMOP__COUNT } X64MemOp;
typedef enum X64FixedOp { X64_FIXED_DEF(X64_ENUM_ID) X64_FIXED__COUNT } X64FixedOp;
/* SSE..SSE4.1: rows in x64_asm_sse.def. */
typedef enum X64SseOp {
#define X64_SSE(id, ...) X64_##id,
#include "x64_asm_sse.def"
#undef X64_SSE
  X64_SSE__COUNT
} X64SseOp;
/* VEX three-operand forms: rows in x64_asm_vex.def. */
typedef enum X64VexOp {
#define X64_VEX(id, ...) X64_##id,
#include "x64_asm_vex.def"
#undef X64_VEX
  X64_VEX__COUNT
} X64VexOp;
#undef X64_ENUM_ID

extern const X64OpInfo x64_alu_info[X64_ALU__COUNT];
extern const X64OpInfo x64_shift_info[X64_SHIFT__COUNT];
extern const X64OpInfo x64_unary_info[X64_UNARY__COUNT];
extern const X64OpInfo x64_regrm_info[X64_REGRM__COUNT];
extern const X64OpInfo x64_rmreg_info[X64_RMREG__COUNT];
extern const X64OpInfo x64_bit_info[X64_BIT__COUNT];
extern const X64OpInfo x64_widen_info[X64_WIDEN__COUNT];
extern const X64OpInfo x64_shd_info[X64_SHD__COUNT];
extern const X64OpInfo x64_memop_info[X64_MEMOP__COUNT];
extern const X64OpInfo x64_sse_info[X64_SSE__COUNT];
extern const X64OpInfo x64_vex_info[X64_VEX__COUNT];
typedef struct X64FixedInfo {
  const char *name;
  const char *bytes;
  uint8_t len;
} X64FixedInfo;
extern const X64FixedInfo x64_fixed_info[X64_FIXED__COUNT];

/* -- General-purpose instructions (x64_asm_gpr.c) ---------------------------
 * Suffixes name the operands in order: r register, m memory, i immediate,
 * c the CL register. Immediates are taken modulo the operand size; a 64-bit
 * operation's imm32 is sign-extended, so it must fit int32. */

void x64_alu_rr(X64Asm *a, X64AluOp op, X64Size s, X64Reg dst, X64Reg src);
void x64_alu_rm(X64Asm *a, X64AluOp op, X64Size s, X64Reg dst, X64Mem src);
void x64_alu_mr(X64Asm *a, X64AluOp op, X64Size s, X64Mem dst, X64Reg src);
void x64_alu_ri(X64Asm *a, X64AluOp op, X64Size s, X64Reg dst, int64_t imm);
void x64_alu_mi(X64Asm *a, X64AluOp op, X64Size s, X64Mem dst, int64_t imm);

void x64_mov_rr(X64Asm *a, X64Size s, X64Reg dst, X64Reg src);
void x64_mov_rm(X64Asm *a, X64Size s, X64Reg dst, X64Mem src);
void x64_mov_mr(X64Asm *a, X64Size s, X64Mem dst, X64Reg src);
/* Shortest form: for 64-bit, mov r32 (zero-extends), then sign-extended imm32, then movabs. */
void x64_mov_ri(X64Asm *a, X64Size s, X64Reg dst, int64_t imm);
void x64_mov_mi(X64Asm *a, X64Size s, X64Mem dst, int64_t imm);
void x64_lea(X64Asm *a, X64Size s, X64Reg dst, X64Mem src);

void x64_test_ri(X64Asm *a, X64Size s, X64Reg dst, int64_t imm);
void x64_test_mi(X64Asm *a, X64Size s, X64Mem dst, int64_t imm);
void x64_rmreg_rr(X64Asm *a, X64RmRegOp op, X64Size s, X64Reg dst, X64Reg src);
void x64_rmreg_mr(X64Asm *a, X64RmRegOp op, X64Size s, X64Mem dst, X64Reg src);
void x64_regrm_rr(X64Asm *a, X64RegRmOp op, X64Size s, X64Reg dst, X64Reg src);
void x64_regrm_rm(X64Asm *a, X64RegRmOp op, X64Size s, X64Reg dst, X64Mem src);
void x64_imul_rri(X64Asm *a, X64Size s, X64Reg dst, X64Reg src, int32_t imm);
void x64_imul_rmi(X64Asm *a, X64Size s, X64Reg dst, X64Mem src, int32_t imm);
/* dst size s (16/32/64; MOVSXD: 64) from the row's source size. */
void x64_widen_rr(X64Asm *a, X64WidenOp op, X64Size s, X64Reg dst, X64Reg src);
void x64_widen_rm(X64Asm *a, X64WidenOp op, X64Size s, X64Reg dst, X64Mem src);

void x64_unary_r(X64Asm *a, X64UnaryOp op, X64Size s, X64Reg dst);
void x64_unary_m(X64Asm *a, X64UnaryOp op, X64Size s, X64Mem dst);
void x64_shift_ri(X64Asm *a, X64ShiftOp op, X64Size s, X64Reg dst, uint8_t imm); /* 1: short form */
void x64_shift_mi(X64Asm *a, X64ShiftOp op, X64Size s, X64Mem dst, uint8_t imm);
void x64_shift_rc(X64Asm *a, X64ShiftOp op, X64Size s, X64Reg dst);
void x64_shift_mc(X64Asm *a, X64ShiftOp op, X64Size s, X64Mem dst);
void x64_shd_rri(X64Asm *a, X64ShdOp op, X64Size s, X64Reg dst, X64Reg src, uint8_t imm);
void x64_shd_mri(X64Asm *a, X64ShdOp op, X64Size s, X64Mem dst, X64Reg src, uint8_t imm);
void x64_shd_rrc(X64Asm *a, X64ShdOp op, X64Size s, X64Reg dst, X64Reg src);
void x64_shd_mrc(X64Asm *a, X64ShdOp op, X64Size s, X64Mem dst, X64Reg src);
void x64_bit_rr(X64Asm *a, X64BitOp op, X64Size s, X64Reg dst, X64Reg src);
void x64_bit_mr(X64Asm *a, X64BitOp op, X64Size s, X64Mem dst, X64Reg src);
void x64_bit_ri(X64Asm *a, X64BitOp op, X64Size s, X64Reg dst, uint8_t imm);
void x64_bit_mi(X64Asm *a, X64BitOp op, X64Size s, X64Mem dst, uint8_t imm);

void x64_bswap(X64Asm *a, X64Size s, X64Reg r);
void x64_setcc_r(X64Asm *a, X64Cond cc, X64Reg dst);
void x64_setcc_m(X64Asm *a, X64Cond cc, X64Mem dst);
void x64_cmov_rr(X64Asm *a, X64Cond cc, X64Size s, X64Reg dst, X64Reg src);
void x64_cmov_rm(X64Asm *a, X64Cond cc, X64Size s, X64Reg dst, X64Mem src);
void x64_push_r(X64Asm *a, X64Reg r);
void x64_pop_r(X64Asm *a, X64Reg r);
void x64_push_i(X64Asm *a, int32_t imm);
void x64_push_m(X64Asm *a, X64Mem m);
void x64_pop_m(X64Asm *a, X64Mem m);
void x64_memop(X64Asm *a, X64MemOp op, X64Mem m);
void x64_fixed(X64Asm *a, X64FixedOp op);
static inline void x64_ret(X64Asm *a) { x64_fixed(a, X64_RET); }
void x64_ret_i(X64Asm *a, uint16_t pop_bytes);

/* -- SSE (x64_asm_sse.c) ----------------------------------------------------
 * Operands in Intel order; each is an XMM or a GPR as the row's flags say.
 * _mr takes a RM_DST row (store), _rm any other; _ri the shift-by-imm rows. */
void x64_sse_rr(X64Asm *a, X64SseOp op, unsigned dst, unsigned src);
void x64_sse_rm(X64Asm *a, X64SseOp op, unsigned dst, X64Mem src);
void x64_sse_mr(X64Asm *a, X64SseOp op, X64Mem dst, unsigned src);
void x64_sse_rri(X64Asm *a, X64SseOp op, unsigned dst, unsigned src, uint8_t imm);
void x64_sse_rmi(X64Asm *a, X64SseOp op, unsigned dst, X64Mem src, uint8_t imm);
void x64_sse_mri(X64Asm *a, X64SseOp op, X64Mem dst, unsigned src, uint8_t imm);
void x64_sse_ri(X64Asm *a, X64SseOp op, X64Xmm dst, uint8_t imm);

/* -- VEX (x64_asm_vex.c) ----------------------------------------------------
 * Intel order: dst (ModRM.reg), src1 (VEX.vvvv), src2 (ModRM.rm). The host
 * must have the row's extension (the caller checks cpuid). */
void x64_vex_rrr(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Xmm src2);
void x64_vex_rrm(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Mem src2);
/* The X64F_IMM8 rows (vcmpps ...): the same with an immediate byte last. */
void x64_vex_rrri(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Xmm src2, uint8_t imm);
void x64_vex_rrmi(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Mem src2, uint8_t imm);

/* -- Branches, labels, patching (x64_asm_branch.c) ---------------------------
 * Functions that emit a branch return its first byte (NULL on overflow). A
 * target out of rel32 range sets `error`. */

uint8_t *x64_jcc(X64Asm *a, X64Cond cc, const void *target); /* rel8 when it reaches */
uint8_t *x64_jmp(X64Asm *a, const void *target);             /* rel8 when it reaches */
uint8_t *x64_jcc32(X64Asm *a, X64Cond cc, const void *target);
uint8_t *x64_jmp32(X64Asm *a, const void *target);
uint8_t *x64_call(X64Asm *a, const void *target);
void x64_jmp_r(X64Asm *a, X64Reg r);
void x64_jmp_m(X64Asm *a, X64Mem m);
void x64_call_r(X64Asm *a, X64Reg r);
void x64_call_m(X64Asm *a, X64Mem m);
/* call/jmp anywhere: rel32 when it reaches, else movabs scratch + indirect. */
void x64_call_far(X64Asm *a, const void *target, X64Reg scratch);
void x64_jmp_far(X64Asm *a, const void *target, X64Reg scratch);

/* Labels: positions in this buffer. Unbound-label fixups are chained through
 * the displacement fields themselves, so labels need no allocation. */
typedef struct X64Label {
  int32_t pos;     /* offset once bound, else -1 */
  uint32_t fix32;  /* last pending rel32 fixup: (offset << 3 | tail bytes), 0 = none */
  uint32_t fix8;   /* offset of the last pending rel8 fixup, 0 = none */
} X64Label;
#define X64_LABEL_INIT {-1, 0, 0}
static inline void x64_label_init(X64Label *l) { *l = (X64Label)X64_LABEL_INIT; }
void x64_bind(X64Asm *a, X64Label *l);
uint8_t *x64_label_addr(const X64Asm *a, const X64Label *l); /* NULL while unbound */
/* Backward: rel8 when it reaches. Forward: rel32, so it always reaches. */
void x64_jcc_label(X64Asm *a, X64Cond cc, X64Label *l);
void x64_jmp_label(X64Asm *a, X64Label *l);
void x64_call_label(X64Asm *a, X64Label *l);
/* Always rel8, forward too: `error` at bind if the label is out of reach. */
void x64_jcc_label_short(X64Asm *a, X64Cond cc, X64Label *l);
void x64_jmp_label_short(X64Asm *a, X64Label *l);
/* Re-point the RIP-relative operand of the instruction just emitted. */
void x64_rip_label(X64Asm *a, X64Label *l);
void x64_rip_target(X64Asm *a, const void *target);

/* Patching emitted code (the address must be where the code executes). */
bool x64_patch_rel32(uint8_t *field, const void *target); /* rel to field+4 */
bool x64_patch_rel8(uint8_t *field, const void *target);  /* rel to field+1 */
/* The rel32 field of the jmp/call/jcc rel32 at insn, or NULL if it is none. */
uint8_t *x64_branch_rel32_field(uint8_t *insn);
/* Re-point a jmp/call/jcc rel32 with one aligned 4-byte store, safe while other
 * threads run the code. False (nothing written) if the field is unaligned or the
 * target out of reach. */
bool x64_patch_branch_atomic(uint8_t *insn, const void *target);
/* Nops so that an instruction of opcode_len bytes emitted next has its rel32 at a
 * 4-byte aligned address (1 for jmp/call, 2 for jcc). */
void x64_align_for_patch(X64Asm *a, unsigned opcode_len);
uint8_t *x64_jmp_patchable(X64Asm *a, const void *target);
uint8_t *x64_jcc_patchable(X64Asm *a, X64Cond cc, const void *target);

#endif
