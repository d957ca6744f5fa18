/* bl_helpers.c — C code that generated code calls by name (bl_jit.c defines
 * the names in the JITDylib). bl_h_eval runs any pure op through the reference
 * evaluator (ir_eval): the slow, always-correct twin of every native lowering.
 * Its descriptor is one immediate, so the code holds no host pointer. */
#include <string.h>

#include "bl_int.h"

/* desc: bits 0-7 op, 8-11 type, 12-14 nargs, 16-31 operand types (4 bits
 * each), 32-63 aux. */
_Static_assert(IR_OP__COUNT <= 256 && IR_T__COUNT <= 16, "bl_eval_desc fields too narrow");

uint64_t bl_eval_desc(const IrInst *in, const IrType *at) {
  uint64_t d = (uint64_t)in->op | (uint64_t)in->type << 8 | (uint64_t)in->nargs << 12;
  for (unsigned k = 0; k < in->nargs && k < IR_MAX_ARGS; k++)
    d |= (uint64_t)at[k] << (16 + 4 * k);
  return d | (uint64_t)in->aux << 32;
}

uint64_t bl_h_eval(uint64_t desc, uint64_t imm, const IrValue *args, IrValue *out) {
  IrType at[IR_MAX_ARGS];
  IrValue a[IR_MAX_ARGS];
  unsigned nargs = (desc >> 12) & 7;
  if (nargs > IR_MAX_ARGS)
    return 1;
  for (unsigned k = 0; k < nargs; k++) {
    at[k] = (IrType)((desc >> (16 + 4 * k)) & 15);
    memcpy(&a[k], &args[k], sizeof a[k]);
  }
  IrValue v;
  if (!ir_eval((IrOp)(desc & 0xff), (IrType)((desc >> 8) & 15), at, a, nargs, imm,
               (uint32_t)(desc >> 32), &v))
    return 1;
  memcpy(out, &v, sizeof v);
  return 0;
}
