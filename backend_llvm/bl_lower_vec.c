/* bl_lower_vec.c — vector lane ops. */
#include "bl_int.h"

#define EVAL(name) \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in) { bl_eval(c, r, in); }

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
