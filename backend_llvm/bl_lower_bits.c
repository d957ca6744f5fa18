/* bl_lower_bits.c — flags, compare, select, casts, bit fields. */
#include "bl_int.h"

#define EVAL(name) \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in) { bl_eval(c, r, in); }

EVAL(addcf)
EVAL(addof)
EVAL(subcf)
EVAL(subof)
EVAL(parity)
EVAL(cmp)
EVAL(select)
EVAL(zext)
EVAL(sext)
EVAL(trunc)
EVAL(bitcast)
EVAL(extract)
EVAL(sextract)
EVAL(deposit)
