/* ir_validate.c — checks a function against docs/ir-semantics.md. Generic rules
 * come from ir_op_info (result kind, operand kinds, type set, imm kind); operands
 * of kind 'x' and op-specific limits are checked by the small rule table below.
 * Structure first (blocks, terminators, targets), then each instruction, so that
 * operand and dominance checks may rely on the CFG.
 */
#include "ir_names.h"
#include "ir_pass_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct VCtx {
  const IrFunc *fn;
  char *err;
  size_t size;
  uint32_t block; /* where the instruction being checked sits */
  IrRef ref;
  uint32_t *def_block; /* per ref: its block, or NOT_LISTED */
  uint32_t *def_pos;   /* per ref: index within its block */
  IrCfg cfg;
} VCtx;

#define NOT_LISTED UINT32_MAX

/* Writes "bB: %R op: <message>" (or "bB: <message>" with no instruction). */
static bool fail(VCtx *c, const char *fmt, ...) {
  if (c->size == 0)
    return false;
  int n = 0;
  if (c->ref != IR_NONE)
    n = snprintf(c->err, c->size, "b%u: %%%u %s: ", c->block, c->ref,
                 ir_op_info[c->fn->insts[c->ref].op].name);
  else
    n = snprintf(c->err, c->size, "b%u: ", c->block);
  if (n < 0 || (size_t)n >= c->size)
    return false;
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(c->err + n, c->size - (size_t)n, fmt, ap);
  va_end(ap);
  /* Then the instruction as text, so the reader sees what was checked. */
  size_t used = (size_t)n + (m > 0 ? (size_t)m : 0);
  if (c->ref != IR_NONE && used + 8 < c->size) {
    char text[160];
    ir_print_inst(c->fn, c->ref, text, sizeof text);
    snprintf(c->err + used, c->size - used, " (in `%s`)", text);
  }
  return false;
}

static const char *tname(IrType t) { return t < IR_T__COUNT ? ir_type_info[t].name : "?"; }
static IrType arg_type(const VCtx *c, const IrInst *in, unsigned k) {
  return ir_typeof(c->fn, in->args[k]);
}
static unsigned lane_bits(IrType t) { return ir_type_bits(ir_type_lane(t)); }

/* -- Per-op rules: 'x' operands and op-specific limits --------------------- */

static bool rule_get(VCtx *c, const IrInst *in) {
  IrType st = (IrType)c->fn->rf->regs[in->imm].type;
  if (in->type != st)
    return fail(c, "type %s differs from slot %s's type %s", tname(in->type),
                c->fn->rf->regs[in->imm].name, tname(st));
  return true;
}

static bool rule_set(VCtx *c, const IrInst *in) {
  IrType st = (IrType)c->fn->rf->regs[in->imm].type, vt = arg_type(c, in, 0);
  if (vt != st)
    return fail(c, "value type %s differs from slot %s's type %s", tname(vt),
                c->fn->rf->regs[in->imm].name, tname(st));
  return true;
}

static bool rule_widen(VCtx *c, const IrInst *in) {
  IrType from = arg_type(c, in, 0);
  if (!ir_type_is_int(from) || ir_type_bits(from) >= ir_type_bits(in->type))
    return fail(c, "%s -> %s does not strictly widen an integer", tname(from),
                tname(in->type));
  return true;
}

static bool rule_trunc(VCtx *c, const IrInst *in) {
  IrType from = arg_type(c, in, 0);
  if (!ir_type_is_int(from) || ir_type_bits(from) <= ir_type_bits(in->type))
    return fail(c, "%s -> %s does not strictly narrow an integer", tname(from),
                tname(in->type));
  return true;
}

static bool rule_bitcast(VCtx *c, const IrInst *in) {
  IrType from = arg_type(c, in, 0);
  if (from == IR_T_i1 || in->type == IR_T_i1 || !ir_type_in(from, IR_TS_VALUE) ||
      ir_type_info[from].bytes != ir_type_info[in->type].bytes)
    return fail(c, "bitcast %s -> %s needs two non-i1 types of one size", tname(from),
                tname(in->type));
  return true;
}

static bool rule_deposit(VCtx *c, const IrInst *in) {
  if (!ir_type_is_int(arg_type(c, in, 1)))
    return fail(c, "field type %s is not an integer", tname(arg_type(c, in, 1)));
  return true;
}

static bool rule_vextract(VCtx *c, const IrInst *in) {
  IrType v = arg_type(c, in, 0);
  if (!ir_type_is_vec(v) || ir_type_lane(v) != in->type)
    return fail(c, "result %s is not the lane type of %s", tname(in->type), tname(v));
  if (in->imm >= ir_type_info[v].lanes)
    return fail(c, "lane %llu out of range for %s", (unsigned long long)in->imm, tname(v));
  return true;
}

static bool rule_vinsert(VCtx *c, const IrInst *in) {
  if (in->imm >= ir_type_info[in->type].lanes)
    return fail(c, "lane %llu out of range for %s", (unsigned long long)in->imm,
                tname(in->type));
  return true;
}

static bool rule_vmovmsk(VCtx *c, const IrInst *in) {
  if (!ir_type_is_vec(arg_type(c, in, 0)))
    return fail(c, "operand type %s is not a vector", tname(arg_type(c, in, 0)));
  return true;
}

static bool rule_vnarrow(VCtx *c, const IrInst *in) {
  IrType a = arg_type(c, in, 0), b = arg_type(c, in, 1);
  if (a != b || !ir_type_in(a, IR_TS_INTVEC) || lane_bits(a) != 2 * lane_bits(in->type))
    return fail(c, "operands %s, %s must share an integer vector type with lanes twice %s's",
                tname(a), tname(b), tname(in->type));
  return true;
}

static bool rule_vwiden(VCtx *c, const IrInst *in) {
  IrType a = arg_type(c, in, 0);
  if (!ir_type_in(a, IR_TS_INTVEC) || 2 * lane_bits(a) != lane_bits(in->type))
    return fail(c, "operand %s must be an integer vector with lanes half %s's", tname(a),
                tname(in->type));
  return true;
}

/* Conversions: the allowed (operand, result) pairs, per docs/ir-semantics.md. */
typedef struct CvtPair {
  uint32_t from, to; /* type sets */
} CvtPair;
static const CvtPair fcvt_pairs[] = {
    {IR_TSB(f32), IR_TSB(f64)},     {IR_TSB(f64), IR_TSB(f32)},
    {IR_TSB(v4f32), IR_TSB(v2f64)}, {IR_TSB(v2f64), IR_TSB(v4f32)},
};
static const CvtPair itof_pairs[] = {
    {IR_TS_INT, IR_TS_FLT}, {IR_TSB(v4i32), IR_TSB(v4f32)}, {IR_TSB(v2i64), IR_TSB(v2f64)}};
static const CvtPair ftoi_pairs[] = {
    {IR_TS_FLT, IR_TS_INT}, {IR_TSB(v4f32), IR_TSB(v4i32)}, {IR_TSB(v2f64), IR_TSB(v2i64)}};

static bool cvt_ok(VCtx *c, const IrInst *in, const CvtPair *pairs, size_t n) {
  IrType from = arg_type(c, in, 0);
  for (size_t i = 0; i < n; i++)
    if (ir_type_in(from, pairs[i].from) && ir_type_in(in->type, pairs[i].to))
      return true;
  return fail(c, "no conversion from %s to %s", tname(from), tname(in->type));
}
#define CVT_RULE(name)                                                                   \
  static bool rule_##name(VCtx *c, const IrInst *in) {                                  \
    return cvt_ok(c, in, name##_pairs, sizeof name##_pairs / sizeof name##_pairs[0]);    \
  }
CVT_RULE(fcvt)
CVT_RULE(itof)
CVT_RULE(ftoi)
#undef CVT_RULE

static bool rule_cmp(VCtx *c, const IrInst *in) {
  if (in->imm > IR_PRED_sge)
    return fail(c, "predicate %llu is not an integer predicate", (unsigned long long)in->imm);
  return true;
}

static bool rule_fcmp(VCtx *c, const IrInst *in) {
  if (in->imm < IR_PRED_foeq || in->imm >= IR_PRED__COUNT)
    return fail(c, "predicate %llu is not a float predicate", (unsigned long long)in->imm);
  return true;
}

static bool rule_call(VCtx *c, const IrInst *in) {
  const IrHelper *h = in->imm <= UINT32_MAX ? ir_helper_get((uint32_t)in->imm) : NULL;
  if (!h)
    return fail(c, "helper %llu is not registered", (unsigned long long)in->imm);
  if (in->nargs != h->nargs)
    return fail(c, "%u arguments, helper %s takes %u", in->nargs, h->name, h->nargs);
  if (in->type != h->result)
    return fail(c, "type %s differs from helper %s's result %s", tname(in->type), h->name,
                tname(h->result));
  for (unsigned k = 0; k < in->nargs; k++)
    if (!ir_type_in(arg_type(c, in, k), IR_TS_SCALAR))
      return fail(c, "argument %u type %s is not a scalar", k, tname(arg_type(c, in, k)));
  return true;
}

/* The ops whose 'x' operands or immediates need more than ir_op_info says. */
typedef bool (*VOpRule)(VCtx *c, const IrInst *in);
static const VOpRule op_rules[IR_OP__COUNT] = {
    [IR_OP_get] = rule_get,
    [IR_OP_set] = rule_set,
    [IR_OP_cmp] = rule_cmp,
    [IR_OP_zext] = rule_widen,
    [IR_OP_sext] = rule_widen,
    [IR_OP_trunc] = rule_trunc,
    [IR_OP_bitcast] = rule_bitcast,
    [IR_OP_deposit] = rule_deposit,
    [IR_OP_vextract] = rule_vextract,
    [IR_OP_vinsert] = rule_vinsert,
    [IR_OP_vmovmsk] = rule_vmovmsk,
    [IR_OP_vnarrow] = rule_vnarrow,
    [IR_OP_vwidenlo] = rule_vwiden,
    [IR_OP_vwidenhi] = rule_vwiden,
    [IR_OP_fcmp] = rule_fcmp,
    [IR_OP_fcmps] = rule_fcmp,
    [IR_OP_fcvt] = rule_fcvt,
    [IR_OP_itof] = rule_itof,
    [IR_OP_ftoi] = rule_ftoi,
    [IR_OP_call] = rule_call,
};

/* -- Generic rules from ir_op_info ----------------------------------------- */

static bool check_operand(VCtx *c, const IrInst *in, unsigned k, uint32_t pos) {
  IrRef a = in->args[k];
  if (a == IR_NONE || a >= c->fn->ninsts)
    return fail(c, "operand %u is not a value (%%%u)", k, a);
  if (c->def_block[a] == NOT_LISTED)
    return fail(c, "operand %u (%%%u) is not defined in any block", k, a);
  if (c->fn->insts[a].type == IR_T_void)
    return fail(c, "operand %u (%%%u %s) has no value", k, a,
                ir_op_info[c->fn->insts[a].op].name);
  uint32_t db = c->def_block[a];
  if (db == c->block && c->def_pos[a] >= pos)
    return fail(c, "operand %u (%%%u) is used before its definition", k, a);
  if (db != c->block && !ir_cfg_dominates(&c->cfg, db, c->block))
    return fail(c, "operand %u (%%%u) is defined in b%u, which does not dominate b%u", k, a,
                db, c->block);
  return true;
}

/* One operand kind letter of ir_ops.def. */
static bool check_kind(VCtx *c, const IrInst *in, unsigned k, char kind) {
  IrType t = arg_type(c, in, k);
  IrType want = IR_T_void;
  switch (kind) {
  case 'T': want = (IrType)in->type; break;
  case 'U': want = arg_type(c, in, 0); break;
  case 'b': want = IR_T_i1; break;
  case 'a': want = IR_T_i64; break;
  case 'r': want = IR_T_i8; break;
  case 's': want = ir_type_lane((IrType)in->type); break;
  case 'n':
    if (!ir_type_is_int(t))
      return fail(c, "operand %u (%%%u) type %s is not an integer scalar", k, in->args[k],
                  tname(t));
    return true;
  default: return true; /* 'x' and '*': the op's rule */
  }
  if (t != want)
    return fail(c, "operand %u (%%%u) type %s, expected %s ('%c')", k, in->args[k], tname(t),
                tname(want), kind);
  return true;
}

static bool check_result(VCtx *c, const IrInst *in, const IrOpInfo *info) {
  IrType t = (IrType)in->type;
  switch (info->result) {
  case 'v': {
    if (t != IR_T_void)
      return fail(c, "has type %s but produces no value", tname(t));
    const char *x = info->types ? strchr(info->args, 'x') : NULL;
    if (x && !ir_type_in(arg_type(c, in, (unsigned)(x - info->args)), info->types))
      return fail(c, "operand type %s not allowed",
                  tname(arg_type(c, in, (unsigned)(x - info->args))));
    return true;
  }
  case 'b': {
    IrType a = arg_type(c, in, 0);
    if (!ir_type_in(a, info->types))
      return fail(c, "operand type %s not allowed", tname(a));
    IrType want = ir_type_is_vec(a) ? a : IR_T_i1;
    if (t != want)
      return fail(c, "result type %s, expected %s for %s operands", tname(t), tname(want),
                  tname(a));
    return true;
  }
  default:
    if (!ir_type_in(t, info->types))
      return fail(c, "type %s not allowed", tname(t));
    return true;
  }
}

static bool check_imm(VCtx *c, const IrInst *in, const IrOpInfo *info) {
  const IrFunc *fn = c->fn;
  unsigned bits = ir_type_bits((IrType)in->type);
  switch (info->imm) {
  case IR_IMM_CONST:
    if (bits < 64 && (in->imm >> bits) != 0)
      return fail(c, "constant 0x%llx does not fit %s", (unsigned long long)in->imm,
                  tname(in->type));
    return true;
  case IR_IMM_POOL:
    if (in->imm >= fn->npool)
      return fail(c, "pool index %llu out of range (%u entries)", (unsigned long long)in->imm,
                  fn->npool);
    return true;
  case IR_IMM_SLOT:
    if (!fn->rf || in->imm >= fn->rf->count)
      return fail(c, "slot %llu out of range", (unsigned long long)in->imm);
    return true;
  case IR_IMM_BITS:
    if (in->aux < 1 || in->imm > bits || in->aux > bits - in->imm)
      return fail(c, "field lsb %llu width %u outside %u bits", (unsigned long long)in->imm,
                  in->aux, bits);
    return true;
  case IR_IMM_KIND: {
    /* The valid kinds are the ones the text form can name (ir_names.c). */
    const IrKindNames *k = ir_kind_names((IrOp)in->op);
    uint64_t limit = !k ? UINT64_MAX : k->flags ? 1ull << k->count : k->count;
    if (in->imm >= limit)
      return fail(c, "kind %llu out of range", (unsigned long long)in->imm);
    return true;
  }
  default: return true;
  }
}

static bool check_inst(VCtx *c, IrRef r, uint32_t pos) {
  const IrInst *in = &c->fn->insts[r];
  const IrOpInfo *info = &ir_op_info[in->op];
  if (in->type >= IR_T__COUNT)
    return fail(c, "bad type %u", in->type);
  bool variadic = info->args[0] == '*';
  size_t want = strlen(info->args);
  if (variadic ? in->nargs > IR_MAX_ARGS : in->nargs != want)
    return fail(c, "%u operands, expected %zu", in->nargs, want);
  for (unsigned k = 0; k < in->nargs; k++)
    if (!check_operand(c, in, k, pos))
      return false;
  for (unsigned k = 0; !variadic && k < in->nargs; k++)
    if (!check_kind(c, in, k, info->args[k]))
      return false;
  if (!check_result(c, in, info) || !check_imm(c, in, info))
    return false;
  return op_rules[in->op] ? op_rules[in->op](c, in) : true;
}

/* -- Structure ------------------------------------------------------------- */

static bool check_block(VCtx *c, uint32_t b) {
  const IrFunc *fn = c->fn;
  const IrBlock *blk = &fn->blocks[b];
  c->block = b;
  c->ref = IR_NONE;
  if (blk->n == 0)
    return fail(c, "empty block");
  for (uint32_t i = 0; i < blk->n; i++) {
    IrRef r = blk->insts[i];
    c->ref = IR_NONE;
    if (r == IR_NONE || r >= fn->ninsts)
      return fail(c, "entry %u is %%%u, not an instruction", i, r);
    if (fn->insts[r].op >= IR_OP__COUNT)
      return fail(c, "%%%u has bad op %u", r, fn->insts[r].op);
    if (c->def_block[r] != NOT_LISTED)
      return fail(c, "%%%u is listed twice (also in b%u)", r, c->def_block[r]);
    c->def_block[r] = b;
    c->def_pos[r] = i;
    c->ref = r;
    const IrInst *in = &fn->insts[r];
    bool term = ir_op_info[in->op].flags & IRF_TERM;
    if (term && i + 1 < blk->n)
      return fail(c, "terminator before the end of the block");
    if (!term && i + 1 == blk->n)
      return fail(c, "block does not end with a terminator");
    if ((in->op == IR_OP_br || in->op == IR_OP_jmp) && in->imm >= fn->nblocks)
      return fail(c, "target b%llu does not exist", (unsigned long long)in->imm);
    if (in->op == IR_OP_br && in->aux >= fn->nblocks)
      return fail(c, "target b%u does not exist", in->aux);
  }
  return true;
}

bool ir_validate(const IrFunc *fn, char *err, size_t errsize) {
  VCtx c = {.fn = fn, .err = err, .size = errsize};
  if (errsize)
    err[0] = '\0';
  if (fn->nblocks == 0) {
    if (errsize)
      snprintf(err, errsize, "function has no blocks");
    return false;
  }
  c.def_block = malloc(fn->ninsts * sizeof *c.def_block);
  c.def_pos = calloc(fn->ninsts, sizeof *c.def_pos);
  if (!c.def_block || !c.def_pos)
    abort();
  for (IrRef r = 0; r < fn->ninsts; r++)
    c.def_block[r] = NOT_LISTED;
  bool ok = true;
  for (uint32_t b = 0; ok && b < fn->nblocks; b++)
    ok = check_block(&c, b);
  if (ok) {
    ir_cfg_build(&c.cfg, fn);
    for (uint32_t b = 0; ok && b < fn->nblocks; b++) {
      c.block = b;
      for (uint32_t i = 0; ok && i < fn->blocks[b].n; i++) {
        c.ref = fn->blocks[b].insts[i];
        ok = check_inst(&c, c.ref, i);
      }
    }
    ir_cfg_free(&c.cfg);
  }
  free(c.def_block);
  free(c.def_pos);
  return ok;
}
