/* ir_exec.h — private to ir/: how ops execute. ir_eval.c holds the one per-op
 * table (generated from ir_ops.def): a pure op names its evaluator family
 * (ir_eval*.c), any other op its interpreter handler (ir_interp*.c).
 * Values (IrValue): a scalar is zero-extended in u64 (floats as IEEE bits, i1 as
 * 0/1); a vector is 16 little-endian bytes, lane 0 lowest. */
#ifndef EMU_IR_EXEC_H
#define EMU_IR_EXEC_H

#include <string.h>

#include "ir.h"

/* -- Bits and lanes ------------------------------------------------------ */

static inline uint64_t ir_mask(unsigned bits) {
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}
/* v's low `bits` bits as a signed number. */
static inline int64_t ir_sx(uint64_t v, unsigned bits) {
  return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}
static inline unsigned ir_lanes(IrType t) { return ir_type_info[t].lanes; }

/* Lane i of v, lanes of type `lane` (a scalar is lane 0 of its own type). */
static inline uint64_t ir_lane_get(const IrValue *v, IrType lane, unsigned i) {
  unsigned n = ir_type_info[lane].bytes;
  uint64_t x = 0;
  memcpy(&x, v->b + i * n, n);
  return lane == IR_T_i1 ? x & 1 : x;
}
static inline void ir_lane_set(IrValue *v, IrType lane, unsigned i, uint64_t x) {
  unsigned n = ir_type_info[lane].bytes;
  if (lane == IR_T_i1)
    x &= 1;
  memcpy(v->b + i * n, &x, n);
}

/* A float lane's value (f32 widened exactly). */
static inline double ir_lane_fp(uint64_t bits, IrType lane) {
  if (lane == IR_T_f32) {
    uint32_t w = (uint32_t)bits;
    float f;
    memcpy(&f, &w, 4);
    return f;
  }
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

/* -- Evaluator families (pure ops) --------------------------------------- */

/* A lane function: integer lanes masked to `bits`; the family masks the result. */
typedef uint64_t (*IrLaneFn)(uint64_t a, uint64_t b, uint64_t c, unsigned bits);

typedef struct IrEvalCall {
  IrOp op;
  IrType type;        /* result type */
  const IrType *at;   /* operand types */
  const IrValue *a;   /* operand values */
  uint32_t nargs;
  uint64_t imm;
  uint32_t aux;
  IrLaneFn lane;      /* the op's row: lane function ... */
  unsigned param;     /* ... or family parameter */
} IrEvalCall;

/* Writes *out (zeroed by the caller); false if the op would fault or the
 * operands are outside the op's domain (then nothing is folded). */
typedef bool (*IrEvalFn)(const IrEvalCall *c, IrValue *out);

/* ir_eval_fp.c. farith's parameter: */
enum { IR_FA_ADD, IR_FA_SUB, IR_FA_MUL, IR_FA_DIV, IR_FA_SQRT, IR_FA_FMA, IR_FA_ROUND };
bool ir_eval_farith(const IrEvalCall *c, IrValue *out);
bool ir_eval_fcvt(const IrEvalCall *c, IrValue *out);
bool ir_eval_itof(const IrEvalCall *c, IrValue *out);
bool ir_eval_ftoi(const IrEvalCall *c, IrValue *out);

/* ir_eval_vec.c. vzip and vwiden take 0 (low halves) or 1 (high halves). */
bool ir_eval_vsplat(const IrEvalCall *c, IrValue *out);
bool ir_eval_vextract(const IrEvalCall *c, IrValue *out);
bool ir_eval_vinsert(const IrEvalCall *c, IrValue *out);
bool ir_eval_vtbl(const IrEvalCall *c, IrValue *out);
bool ir_eval_vmovmsk(const IrEvalCall *c, IrValue *out);
bool ir_eval_vzip(const IrEvalCall *c, IrValue *out);
bool ir_eval_vnarrow(const IrEvalCall *c, IrValue *out);
bool ir_eval_vwiden(const IrEvalCall *c, IrValue *out);

/* -- Interpreter handlers (ops that are not evaluated) ------------------- */

typedef struct IrRun {
  const IrFunc *fn;
  void *cpu;
  const IrMemOps *mem;
  IrValue *vals;  /* indexed by IrRef */
  uint64_t pc;    /* the most recent insn marker's pc */
  uint32_t block; /* IR_RUN_GOTO: the block to run next */
  IrExit exit;    /* IR_RUN_EXIT: the result */
} IrRun;

typedef enum IrRunStep { IR_RUN_NEXT, IR_RUN_GOTO, IR_RUN_EXIT } IrRunStep;
typedef IrRunStep (*IrRunFn)(IrRun *st, const IrInst *in, IrRef r);

/* Each op of this list has ir_run_<op>; the op table names it. */
#define IR_RUN_OPS(_)                                                          \
  _(vconst) _(get) _(set) _(insn) _(load) _(store) _(cas) _(armw) _(fence)     \
  _(call) _(br) _(jmp) _(exit) _(exiti) _(syscall) _(raise) _(fenv_get) _(fenv_set)
#define IR_RUN_DECL(name) IrRunStep ir_run_##name(IrRun *st, const IrInst *in, IrRef r);
IR_RUN_OPS(IR_RUN_DECL)
#undef IR_RUN_DECL

/* The interpreter's handler for op, or NULL when ir_eval evaluates it. */
IrRunFn ir_exec_run(IrOp op);

/* End the function with guest exception exc at the current instruction. */
static inline IrRunStep ir_run_exception(IrRun *st, IrExc exc, uint64_t addr, bool is_write) {
  st->exit = (IrExit){.kind = IR_EXIT_EXCEPTION, .exc = exc, .pc = st->pc, .addr = addr,
                      .is_write = is_write};
  return IR_RUN_EXIT;
}

#endif /* EMU_IR_EXEC_H */
