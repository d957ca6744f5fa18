/* ir_passes.c — the one place that lists the optimisation pipeline. In debug
 * builds (!NDEBUG) the function is validated before and after every pass, and an
 * invalid result aborts naming the pass that produced it.
 */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct IrPass {
  const char *name;
  void (*run)(IrFunc *fn, const IrPassOptions *opt);
} IrPass;

static void run_fold(IrFunc *fn, const IrPassOptions *opt) { ir_pass_fold(fn); }
static void run_forward(IrFunc *fn, const IrPassOptions *opt) { ir_pass_forward(fn); }
static void run_dce(IrFunc *fn, const IrPassOptions *opt) { ir_pass_dce(fn); }
static void run_cse(IrFunc *fn, const IrPassOptions *opt) { ir_pass_cse(fn); }

/* Order matters: folding exposes constants, forwarding turns slot round trips into
 * values, cse merges what the frontend computed twice so the second fold sees
 * `xor x, x`, which leaves the slot writes dead for dse, whose removal leaves the
 * computations feeding them unused for dce. */
static const IrPass ir_pipeline[] = {
    {"fold", run_fold},
    {"forward", run_forward},
    {"cse", run_cse},
    {"fold", run_fold},
    {"dse", ir_pass_dse},
    {"dce", run_dce},
};

#ifndef NDEBUG
static void check(const IrFunc *fn, const char *when, const char *pass) {
  char err[512];
  if (ir_validate(fn, err, sizeof err))
    return;
  fprintf(stderr, "ir_optimize: invalid IR %s %s: %s\n", when, pass, err);
  abort();
}
#endif

/* opt NULL: every class precise (the safe default). */
void ir_optimize(IrFunc *fn, const IrPassOptions *opt) {
  static const IrPassOptions precise_all = {IR_PRECISE_ALL};
  if (!opt)
    opt = &precise_all;
#ifndef NDEBUG
  check(fn, "before", ir_pipeline[0].name);
#endif
  for (size_t i = 0; i < sizeof ir_pipeline / sizeof ir_pipeline[0]; i++) {
    ir_pipeline[i].run(fn, opt);
#ifndef NDEBUG
    check(fn, "after", ir_pipeline[i].name);
#endif
  }
}
