/* bf_helpers.c — C code that generated code calls, and the host feature probe.
 * bf_h_eval runs any pure op through the reference evaluator (ir_eval), on
 * operands the block stored in its frame: lowerings fall back to it for what
 * they do not do natively, so every op is always correct. */
#include <cpuid.h>
#include <string.h>

#include "bf_int.h"

BfHost bf_host;

void bf_host_probe(void) {
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    bf_host.ssse3 = c >> 9 & 1;
    bf_host.sse41 = c >> 19 & 1;
    bf_host.sse42 = c >> 20 & 1;
    bf_host.popcnt = c >> 23 & 1;
    /* VEX needs OSXSAVE and XCR0's SSE and AVX state bits, or it is #UD */
    if ((c >> 27 & 1) && (c >> 28 & 1)) {
      unsigned lo, hi;
      __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      bf_host.avx = (lo & 6) == 6;
      bf_host.fma = bf_host.avx && (c >> 12 & 1);
    }
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
    bf_host.bmi1 = b >> 3 & 1;
  if (__get_cpuid(0x80000001, &a, &b, &c, &d))
    bf_host.lzcnt = c >> 5 & 1; /* ABM */
}

uint64_t bf_h_eval(const BfEvalDesc *d, uint8_t *frame) {
  IrValue args[IR_MAX_ARGS], out;
  IrType at[IR_MAX_ARGS];
  for (unsigned k = 0; k < d->nargs; k++) {
    at[k] = (IrType)d->at[k];
    if (d->off[k] < 0)
      args[k] = d->cval[k];
    else
      memcpy(&args[k], frame + d->off[k], sizeof args[k]);
  }
  if (!ir_eval((IrOp)d->op, (IrType)d->type, at, args, d->nargs, d->imm, d->aux, &out))
    return 1;
  memcpy(frame + d->out, &out, sizeof out);
  return 0;
}
