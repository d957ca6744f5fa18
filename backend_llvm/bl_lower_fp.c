/* bl_lower_fp.c — floating point. */
#include "bl_int.h"

#define EVAL(name) \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in) { bl_eval(c, r, in); }

EVAL(fadd)
EVAL(fsub)
EVAL(fmul)
EVAL(fdiv)
EVAL(fsqrt)
EVAL(fma)
EVAL(fneg)
EVAL(fabs)
EVAL(fround)
EVAL(fcmp)
EVAL(fcvt)
EVAL(itof)
EVAL(ftoi)
