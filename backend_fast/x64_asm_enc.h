/* x64_asm_enc.h — the encoder core shared by the x64_asm_*.c group files (not
 * public). A group function fills an X64Ins from its table row and operands;
 * x64_emit lays out prefixes, REX, opcode, ModRM/SIB/displacement, immediate. */
#ifndef EMU_X64_ASM_ENC_H
#define EMU_X64_ASM_ENC_H

#include "x64_asm.h"

typedef struct X64Ins {
  uint8_t pfx;      /* mandatory prefix (0x66/0xF2/0xF3), or 0 */
  uint8_t map;      /* X64_MAP_* */
  uint8_t opc;
  uint8_t size;     /* GPR operand size: 2 emits 0x66, 8 sets REX.W, others neither */
  bool w;           /* REX.W whatever the size */
  bool oreg;        /* register in the opcode's low 3 bits (REX.B), no ModRM */
  bool reg8, rm8;   /* ModRM.reg / a register ModRM.rm is a byte GPR */
  uint8_t reg;      /* ModRM.reg: a register or a /digit */
  bool is_mem;      /* ModRM.rm is `mem` rather than register `rm` */
  uint8_t rm;
  X64Mem mem;
  uint8_t imm_len;  /* 0, 1, 2, 4 or 8 bytes, little-endian */
  int64_t imm;
  bool vex;         /* VEX prefix (pfx, map, w and REX bits go into it), L = 0 */
  uint8_t vvvv;     /* VEX: the extra source register */
} X64Ins;

void x64_emit(X64Asm *a, const X64Ins *in);

/* An X64Ins from a table row, with /digit (if any) in ModRM.reg. */
static inline X64Ins x64_ins_of(const X64OpInfo *op, unsigned size) {
  return (X64Ins){.pfx = op->pfx, .map = op->map, .opc = op->opc, .size = (uint8_t)size,
                  .w = (op->flags & X64F_W) != 0, .reg = op->ext < 0 ? 0 : (uint8_t)op->ext};
}
static inline void x64_ins_rm_reg(X64Ins *in, unsigned r) {
  in->is_mem = false, in->rm = (uint8_t)r;
}
static inline void x64_ins_rm_mem(X64Ins *in, X64Mem m) {
  in->is_mem = true, in->mem = m;
}

static inline bool x64_fits_i8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x64_fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

#endif
