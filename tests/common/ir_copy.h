/* ir_copy.h — tests whose fake frontend parses IR text must hand the runtime
 * the translation in the function it passed in (its reused scratch): copy the
 * parsed function's blocks into it, renumbering values. No vconst pools. */
#ifndef EMU_TEST_IR_COPY_H
#define EMU_TEST_IR_COPY_H

#include <stdlib.h>

#include "ir.h"

static inline void test_ir_copy_into(IrFunc *fn, const IrFunc *parsed) {
  ir_func_reset(fn);
  for (uint32_t b = 0; b < parsed->nblocks; b++)
    ir_block_new(fn);
  IrRef *map = calloc(parsed->ninsts, sizeof *map);
  if (!map)
    abort();
  for (uint32_t b = 0; b < parsed->nblocks; b++) {
    ir_block_set(fn, b);
    for (uint32_t i = 0; i < parsed->blocks[b].n; i++) {
      const IrInst *in = &parsed->insts[parsed->blocks[b].insts[i]];
      IrRef args[IR_MAX_ARGS];
      for (unsigned k = 0; k < in->nargs; k++)
        args[k] = map[in->args[k]];
      map[parsed->blocks[b].insts[i]] =
          ir_emit_raw(fn, (IrOp)in->op, (IrType)in->type, in->nargs, args, in->imm, in->aux);
    }
  }
  free(map);
}

#endif
