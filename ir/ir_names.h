/* ir_names.h — names the IR text form gives to immediates that are not plain
 * numbers: the suffixes of IR_IMM_KIND ops (one table, ir_names.c, shared by
 * the printer and the parser), and the per-kind shape rules both follow. */
#ifndef EMU_IR_NAMES_H
#define EMU_IR_NAMES_H

#include "ir.h"

/* The suffixes a KIND op's imm is written with (`udiv.trap`, `load.acq.align`).
 * Either one name per value (imm indexes names; a name may hold dots, as
 * ftoi's "s.sat"), or, when `flags`, one name per bit: zero or more of them. */
typedef struct IrKindNames {
  const char *const *names;
  uint32_t count;
  bool flags;
} IrKindNames;

const IrKindNames *ir_kind_names(IrOp op); /* NULL unless op's imm is IR_IMM_KIND */

/* PC: a marker (insn) also carries its instruction length: `insn 0x1000, 4`. */
static inline bool ir_op_pc_has_len(IrOp op) { return ir_op_info[op].flags & IRF_MARK; }

/* TARGETS: a branch with a condition operand chooses between two blocks. */
static inline unsigned ir_op_ntargets(IrOp op) { return ir_op_info[op].args[0] ? 2 : 1; }

#endif /* EMU_IR_NAMES_H */
