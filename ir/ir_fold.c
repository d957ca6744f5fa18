/* ir_fold.c — folding one instruction as it is emitted (fn->fold) or re-folded by
 * ir_pass_fold: constant operands are evaluated through ir_eval (so folding and
 * execution cannot disagree), then the algebraic identities of fold_rules apply.
 *
 * Every rule keeps these invariants:
 *  - The replacement has the instruction's type and, for every operand value,
 *    its value (docs/ir-semantics.md).
 *  - The replacement is an operand of the instruction, or a new instruction emitted
 *    now into the current block, so it dominates every use the original had.
 *  - A fault is never folded away: an IRF_FAULT op folds only when ir_eval proves
 *    it does not fault, and no identity row names a FAULT op.
 *  - Identities test `const` operands only, which are scalars, so a vector never
 *    matches a constant pattern by accident; rows that hold for scalar results only
 *    are marked scalar_only.
 */
#include "ir.h"

#include <string.h>

/* -- The rules --------------------------------------------------------------- */

typedef enum FoldMatch {
  FM_B_ZERO,      /* operand 1 is const 0 */
  FM_B_ONE,       /* operand 1 is const 1 */
  FM_B_ONES,      /* operand 1 is const with every bit of its type set */
  FM_SAME,        /* operand 0 == operand 1 */
  FM_A_CONST,     /* operand 0 is a const */
  FM_BC_SAME,     /* operand 1 == operand 2 */
  FM_BC_ZERO,     /* operands 1 and 2 are const 0 */
  FM_A_EXT_OF_T,  /* operand 0 is a zext/sext whose own operand has the result type */
  FM_WHOLE_FIELD, /* imm (lsb) 0 and aux (width) all of the result's bits */
} FoldMatch;

typedef enum FoldAction {
  FA_A,        /* operand 0 */
  FA_B,        /* operand 1 (the constant that matched) */
  FA_ZERO,     /* a new constant 0 of the result type */
  FA_ARM,      /* select: the arm its constant condition picks */
  FA_INNER,    /* operand 0's own operand 0 */
  FA_CMP_SELF, /* x PRED x: a constant, true for the reflexive predicates */
  FA_FIELD,    /* deposit's field, zero-extended or truncated to the result type */
} FoldAction;

typedef struct FoldRule {
  uint16_t op;
  uint8_t match, action;
  bool scalar_only;
} FoldRule;

#define R(op, m, a) {IR_OP_##op, FM_##m, FA_##a, false}
#define R_SCALAR(op, m, a) {IR_OP_##op, FM_##m, FA_##a, true}
static const FoldRule fold_rules[] = {
    R(add, B_ZERO, A),           /* x + 0 == x */
    R(sub, B_ZERO, A),           /* x - 0 == x */
    R(or, B_ZERO, A),            /* x | 0 == x */
    R(xor, B_ZERO, A),           /* x ^ 0 == x */
    R(andn, B_ZERO, A),          /* x & ~0 == x */
    R(and, B_ONES, A),           /* x & -1 == x */
    R(and, B_ZERO, B),           /* x & 0 == 0 */
    R(or, B_ONES, B),            /* x | -1 == -1 */
    R(mul, B_ONE, A),            /* x * 1 == x */
    R(mul, B_ZERO, B),           /* x * 0 == 0 */
    R(sub, SAME, ZERO),          /* x - x == 0 (lane-wise too) */
    R(xor, SAME, ZERO),          /* x ^ x == 0 */
    R(andn, SAME, ZERO),         /* x & ~x == 0 */
    R(and, SAME, A),             /* x & x == x */
    R(or, SAME, A),              /* x | x == x */
    R(umin, SAME, A),            /* min/max(x, x) == x */
    R(umax, SAME, A),
    R(smin, SAME, A),
    R(smax, SAME, A),
    R(shl, B_ZERO, A),           /* shift or rotate by 0 == x (the count is a scalar */
    R(lshr, B_ZERO, A),          /*  even for vectors, and 0 leaves every lane) */
    R(ashr, B_ZERO, A),
    R(rol, B_ZERO, A),
    R(ror, B_ZERO, A),
    R(select, A_CONST, ARM),     /* select(1, a, b) == a; select(0, a, b) == b */
    R(select, BC_SAME, B),       /* select(c, a, a) == a */
    R(trunc, A_EXT_OF_T, INNER), /* trunc(zext/sext(x: T)) to T == x */
    R(addcf, BC_ZERO, ZERO),     /* x + 0 + 0 never carries */
    R(addof, BC_ZERO, ZERO),     /*  nor overflows */
    R(subcf, BC_ZERO, ZERO),     /* x - 0 - 0 never borrows */
    R(subof, BC_ZERO, ZERO),     /*  nor overflows */
    R_SCALAR(cmp, SAME, CMP_SELF), /* x PRED x is known (vectors would need a mask) */
    R(deposit, WHOLE_FIELD, FIELD), /* replacing every bit of base gives the field */
    R(extract, WHOLE_FIELD, A),  /* all the bits of x, from bit 0 == x */
    R(sextract, WHOLE_FIELD, A), /*  (the sign bit is already the top bit) */
};
#undef R
#undef R_SCALAR

/* cmp x, x: the predicates that hold when both sides are equal. */
static const uint32_t cmp_reflexive = 1u << IR_PRED_eq | 1u << IR_PRED_ule | 1u << IR_PRED_uge |
                                      1u << IR_PRED_sle | 1u << IR_PRED_sge;

/* -- Matching ---------------------------------------------------------------- */

static bool is_const_val(const IrFunc *fn, IrRef r, uint64_t v) {
  return ir_is_const(fn, r) && fn->insts[r].imm == v;
}

static uint64_t all_ones(IrType t) {
  unsigned bits = ir_type_bits(t);
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static bool rule_matches(const IrFunc *fn, const FoldRule *rule, IrType type, uint32_t nargs,
                         const IrRef *a, uint64_t imm, uint32_t aux) {
  if (rule->scalar_only && ir_type_is_vec(type))
    return false;
  switch ((FoldMatch)rule->match) {
  case FM_B_ZERO: return nargs >= 2 && is_const_val(fn, a[1], 0);
  case FM_B_ONE: return nargs >= 2 && is_const_val(fn, a[1], 1);
  case FM_B_ONES:
    return nargs >= 2 && is_const_val(fn, a[1], all_ones(ir_typeof(fn, a[1])));
  case FM_SAME: return nargs >= 2 && a[0] == a[1];
  case FM_A_CONST: return nargs >= 1 && ir_is_const(fn, a[0]);
  case FM_BC_SAME: return nargs >= 3 && a[1] == a[2];
  case FM_BC_ZERO: return nargs >= 3 && is_const_val(fn, a[1], 0) && is_const_val(fn, a[2], 0);
  case FM_A_EXT_OF_T: {
    const IrInst *in = &fn->insts[a[0]];
    return nargs >= 1 && (in->op == IR_OP_zext || in->op == IR_OP_sext) && in->nargs == 1 &&
           ir_typeof(fn, in->args[0]) == type;
  }
  case FM_WHOLE_FIELD: return imm == 0 && aux == ir_type_bits(type);
  }
  return false;
}

/* -- Building replacements ---------------------------------------------------- */

static IrRef fold_zero(IrFunc *fn, IrType type) {
  if (ir_type_is_vec(type))
    return ir_vconst(fn, type, (IrV128){0, 0});
  return ir_const(fn, type, 0);
}

/* Emit a helper instruction, itself folded when it can be. */
static IrRef fold_emit(IrFunc *fn, IrOp op, IrType type, IrRef a) {
  IrRef r = ir_fold(fn, op, type, 1, &a, 0, 0);
  return r != IR_NONE ? r : ir_emit_raw(fn, op, type, 1, &a, 0, 0);
}

static IrRef rule_apply(IrFunc *fn, const FoldRule *rule, IrType type, const IrRef *a,
                        uint64_t imm) {
  switch ((FoldAction)rule->action) {
  case FA_A: return a[0];
  case FA_B: return a[1];
  case FA_ZERO: return fold_zero(fn, type);
  case FA_ARM: return fn->insts[a[0]].imm ? a[1] : a[2];
  case FA_INNER: return fn->insts[a[0]].args[0];
  case FA_CMP_SELF: return ir_const(fn, IR_T_i1, imm < 32 && ((cmp_reflexive >> imm) & 1));
  case FA_FIELD: {
    IrType ft = ir_typeof(fn, a[1]);
    if (ft == type)
      return a[1];
    return fold_emit(fn, ir_type_bits(ft) < ir_type_bits(type) ? IR_OP_zext : IR_OP_trunc,
                     type, a[1]);
  }
  }
  return IR_NONE;
}

/* -- Constant evaluation -------------------------------------------------------- */

/* Some float lane of v (type t) is denormal. */
static bool has_denormal(IrType t, const IrValue *v) {
  IrType lt = ir_type_lane(t);
  if (!ir_type_is_flt(lt))
    return false;
  bool f32 = lt == IR_T_f32;
  uint64_t exp = f32 ? 0x7f800000u : 0x7ff0000000000000ull, mant = f32 ? 0x7fffffu : (1ull << 52) - 1;
  for (unsigned i = 0; i < ir_type_info[t].lanes; i++) {
    uint64_t x = 0;
    memcpy(&x, v->b + i * ir_type_info[lt].bytes, ir_type_info[lt].bytes);
    if ((x & exp) == 0 && (x & mant) != 0)
      return true;
  }
  return false;
}

/* An FP op's value, when it is the same whatever the environment it runs in:
 * evaluated with no flags and no flushing, it raises no flag (which the guest
 * could see) and has no denormal operand or result (which DAZ/FTZ change). */
static bool eval_env_free(IrOp op, IrType type, const IrType *types, const IrValue *vals,
                          uint32_t nargs, uint64_t imm, uint32_t aux, IrValue *out) {
  for (uint32_t k = 0; k < nargs; k++)
    if (has_denormal(types[k], &vals[k]))
      return false;
  uint32_t saved = ir_fenv_host_get();
  ir_fenv_host_set(0);
  bool ok = ir_eval(op, type, types, vals, nargs, imm, aux, out);
  uint32_t raised = ir_fenv_host_get() & IR_FENV_FLAGS;
  ir_fenv_host_set(saved);
  return ok && !raised && !has_denormal(type, out);
}

static IrRef fold_eval(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *a,
                       uint64_t imm, uint32_t aux) {
  IrValue vals[IR_MAX_ARGS], out;
  IrType types[IR_MAX_ARGS];
  memset(vals, 0, sizeof vals);
  memset(&out, 0, sizeof out);
  for (uint32_t k = 0; k < nargs; k++) {
    const IrInst *in = &fn->insts[a[k]];
    types[k] = (IrType)in->type;
    if (in->op == IR_OP_const)
      vals[k].u64 = in->imm;
    else if (in->op == IR_OP_vconst && in->imm < fn->npool)
      vals[k].v = fn->pool[in->imm];
    else
      return IR_NONE;
  }
  /* ir_eval refuses what would fault, which keeps IRF_FAULT ops in place. */
  if ((ir_op_info[op].flags & IRF_FENV) ? !eval_env_free(op, type, types, vals, nargs, imm, aux, &out)
                                        : !ir_eval(op, type, types, vals, nargs, imm, aux, &out))
    return IR_NONE;
  if (ir_type_is_vec(type))
    return ir_vconst(fn, type, out.v);
  return ir_const(fn, type, out.u64);
}

/* -- Flags of a subtraction as compares ------------------------------------------
 * Frontends keep flags as the ops that define them: Z = cmp.eq(a - b, 0), borrow =
 * subcf(a, b, 0), N = cmp.slt(a - b, 0), V = subof(a, b, 0), and conditions combine
 * those (x86's jbe = CF | ZF, Arm's gt = !Z & N == V). Rewritten as one compare
 * of a and b, a condition becomes a cmp that the backends fuse with its branch. */

static const uint8_t pred_not[IR_PRED_sge + 1] = {
    [IR_PRED_eq] = IR_PRED_ne,   [IR_PRED_ne] = IR_PRED_eq,   [IR_PRED_ult] = IR_PRED_uge,
    [IR_PRED_uge] = IR_PRED_ult, [IR_PRED_ule] = IR_PRED_ugt, [IR_PRED_ugt] = IR_PRED_ule,
    [IR_PRED_slt] = IR_PRED_sge, [IR_PRED_sge] = IR_PRED_slt, [IR_PRED_sle] = IR_PRED_sgt,
    [IR_PRED_sgt] = IR_PRED_sle};

/* v can be a cmp operand: a scalar integer wider than i1. */
static bool cmp_operand(const IrFunc *fn, IrRef v) {
  IrType t = ir_typeof(fn, v);
  return ir_type_is_int(t) && !ir_type_is_vec(t) && t != IR_T_i1;
}

/* r's instruction if it is op on scalar integers, else NULL. */
static const IrInst *scalar_op(const IrFunc *fn, IrRef r, IrOp op) {
  const IrInst *in = &fn->insts[r];
  if (in->op != op || in->nargs < 2 || !cmp_operand(fn, in->args[0]))
    return NULL;
  return in;
}

/* A compare (pred p) of the same operands as c. */
static bool cmp_is(const IrInst *c, IrPred p, const IrInst *like) {
  return c && c->imm == p && c->args[0] == like->args[0] && c->args[1] == like->args[1];
}

static IrRef fold_cmp_emit(IrFunc *fn, IrPred p, IrRef a, IrRef b) {
  IrRef args[2] = {a, b};
  IrRef r = ir_fold(fn, IR_OP_cmp, IR_T_i1, 2, args, p, 0);
  return r != IR_NONE ? r : ir_emit_raw(fn, IR_OP_cmp, IR_T_i1, 2, args, p, 0);
}

/* x is N of a - b (cmp.slt(sub(a, b), 0)) and y its V (subof(a, b, 0)). */
static bool is_n_and_v(const IrFunc *fn, IrRef x, IrRef y) {
  const IrInst *n = scalar_op(fn, x, IR_OP_cmp), *v = scalar_op(fn, y, IR_OP_subof);
  if (!n || !v || n->imm != IR_PRED_slt || !is_const_val(fn, n->args[1], 0) ||
      !is_const_val(fn, v->args[2], 0))
    return false;
  const IrInst *d = scalar_op(fn, n->args[0], IR_OP_sub);
  return d && d->args[0] == v->args[0] && d->args[1] == v->args[1];
}

static IrRef fold_flags(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *a,
                        uint64_t imm) {
  if (nargs < 1 || (type != IR_T_i1 && op != IR_OP_cmp))
    return IR_NONE;
  const IrInst *x = scalar_op(fn, a[0], IR_OP_cmp);
  const IrInst *y = nargs >= 2 ? scalar_op(fn, a[1], IR_OP_cmp) : NULL;
  switch (op) {
  case IR_OP_cmp: { /* (a - b) == 0  ->  a == b; also != */
    const IrInst *d = nargs == 2 ? scalar_op(fn, a[0], IR_OP_sub) : NULL;
    if (d && (imm == IR_PRED_eq || imm == IR_PRED_ne) && is_const_val(fn, a[1], 0))
      return fold_cmp_emit(fn, (IrPred)imm, d->args[0], d->args[1]);
    return IR_NONE;
  }
  case IR_OP_subcf: /* borrow of a - b  ->  a <u b */
    return nargs == 3 && cmp_operand(fn, a[0]) && is_const_val(fn, a[2], 0)
               ? fold_cmp_emit(fn, IR_PRED_ult, a[0], a[1])
               : IR_NONE;
  case IR_OP_not: /* !cmp  ->  the opposite cmp */
    return x && x->imm <= IR_PRED_sge ? fold_cmp_emit(fn, pred_not[x->imm], x->args[0], x->args[1])
                                      : IR_NONE;
  case IR_OP_xor:
    if (nargs == 2 && x && x->imm <= IR_PRED_sge && is_const_val(fn, a[1], 1))
      return fold_cmp_emit(fn, pred_not[x->imm], x->args[0], x->args[1]);
    if (nargs == 2 && (is_n_and_v(fn, a[0], a[1]) || is_n_and_v(fn, a[1], a[0]))) {
      const IrInst *n = &fn->insts[is_n_and_v(fn, a[0], a[1]) ? a[0] : a[1]];
      const IrInst *d = &fn->insts[n->args[0]];
      return fold_cmp_emit(fn, IR_PRED_slt, d->args[0], d->args[1]); /* N != V: a <s b */
    }
    return IR_NONE;
  case IR_OP_andn: /* a >= b && !(a == b)  ->  a > b */
    if (x && (x->imm == IR_PRED_uge || x->imm == IR_PRED_sge) && cmp_is(y, IR_PRED_eq, x))
      return fold_cmp_emit(fn, x->imm == IR_PRED_uge ? IR_PRED_ugt : IR_PRED_sgt, x->args[0],
                           x->args[1]);
    return IR_NONE;
  case IR_OP_or: /* a < b || a == b  ->  a <= b */
    if (x && y && y->imm == IR_PRED_eq && (x->imm == IR_PRED_ult || x->imm == IR_PRED_slt) &&
        cmp_is(y, IR_PRED_eq, x))
      return fold_cmp_emit(fn, x->imm == IR_PRED_ult ? IR_PRED_ule : IR_PRED_sle, x->args[0],
                           x->args[1]);
    if (x && y && x->imm == IR_PRED_eq && (y->imm == IR_PRED_ult || y->imm == IR_PRED_slt) &&
        cmp_is(x, IR_PRED_eq, y))
      return fold_cmp_emit(fn, y->imm == IR_PRED_ult ? IR_PRED_ule : IR_PRED_sle, y->args[0],
                           y->args[1]);
    return IR_NONE;
  default: return IR_NONE;
  }
}

/* -- Entry point ----------------------------------------------------------------- */

IrRef ir_fold(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
              uint64_t imm, uint32_t aux) {
  if (op >= IR_OP__COUNT || nargs == 0 || nargs > IR_MAX_ARGS ||
      !(ir_op_info[op].flags & IRF_PURE))
    return IR_NONE;
  /* Copy: emitting reallocates fn->insts, which args may point into. */
  IrRef a[IR_MAX_ARGS] = {0};
  for (uint32_t k = 0; k < nargs; k++) {
    if (args[k] == IR_NONE || args[k] >= fn->ninsts)
      return IR_NONE;
    a[k] = args[k];
  }
  IrRef r = fold_eval(fn, op, type, nargs, a, imm, aux);
  if (r != IR_NONE)
    return r;
  /* Commutative ops: look for the constant on the right only. */
  if ((ir_op_info[op].flags & IRF_COMM) && nargs == 2 && ir_is_const(fn, a[0]) &&
      !ir_is_const(fn, a[1])) {
    IrRef t = a[0];
    a[0] = a[1];
    a[1] = t;
  }
  for (size_t i = 0; i < sizeof fold_rules / sizeof fold_rules[0]; i++) {
    const FoldRule *rule = &fold_rules[i];
    if (rule->op == op && rule_matches(fn, rule, type, nargs, a, imm, aux))
      return rule_apply(fn, rule, type, a, imm);
  }
  return fold_flags(fn, op, type, nargs, a, imm);
}
