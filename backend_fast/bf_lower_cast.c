/* bf_lower_cast.c — zext sext trunc bitcast extract sextract deposit select. */
#include "bf_int.h"

#define EVAL(name) \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) { bf_eval_helper(c, r, in); }

EVAL(zext)
EVAL(sext)
EVAL(trunc)
EVAL(bitcast)
EVAL(extract)
EVAL(sextract)
EVAL(deposit)
EVAL(select)
