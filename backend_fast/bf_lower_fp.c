/* bf_lower_fp.c — scalar and packed floating point. */
#include "bf_int.h"

#define EVAL(name) \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) { bf_eval_helper(c, r, in); }

EVAL(fadd)
EVAL(fsub)
EVAL(fmul)
EVAL(fdiv)
EVAL(fsqrt)
EVAL(fma)
EVAL(fneg)
EVAL(fabs)
EVAL(fround)
EVAL(fcvt)
EVAL(itof)
EVAL(ftoi)
