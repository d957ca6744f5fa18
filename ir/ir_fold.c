/* ir_fold.c — PLACEHOLDER until the folding work lands (owned by the passes helper). */
#include "ir.h"
IrRef ir_fold(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
              uint64_t imm, uint32_t aux) {
  (void)fn; (void)op; (void)type; (void)nargs; (void)args; (void)imm; (void)aux;
  return IR_NONE;
}
