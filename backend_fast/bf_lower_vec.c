/* bf_lower_vec.c — 128-bit vector lane ops. */
#include "bf_int.h"

#define EVAL(name) \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) { bf_eval_helper(c, r, in); }

EVAL(vsplat)
EVAL(vextract)
EVAL(vinsert)
EVAL(vtbl)
EVAL(vmovmsk)
EVAL(vziplo)
EVAL(vziphi)
EVAL(vnarrow)
EVAL(vwidenlo)
EVAL(vwidenhi)
