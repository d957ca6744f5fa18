/* ir_eval.c — the op table (how every op executes) and ir_eval, which evaluates a
 * pure op on constant operands. The folder and the interpreter both call ir_eval,
 * so folding and execution cannot disagree. Integer families live here; vector
 * lanes in ir_eval_vec.c, floating point in ir_eval_fp.c. docs/ir-semantics.md is
 * the specification. */
#include <math.h>

#include "ir_exec.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

static int64_t smin_of(unsigned bits) { return (int64_t)(~0ull << (bits - 1)); }
static int64_t smax_of(unsigned bits) { return (int64_t)(ir_mask(bits) >> 1); }

/* Clamp a wide signed result to the signed range of `bits`. */
static uint64_t sat_signed(s128 v, unsigned bits) {
  if (v < smin_of(bits))
    return (uint64_t)smin_of(bits);
  if (v > smax_of(bits))
    return (uint64_t)smax_of(bits);
  return (uint64_t)v;
}

/* -- Lane functions (a, b, c masked to bits; result masked by the family) - */

#define LANE(name) static uint64_t lane_##name(uint64_t a, uint64_t b, uint64_t c, unsigned bits)
#define SX(v) ir_sx(v, bits)

LANE(add) { return a + b; }
LANE(sub) { return a - b; }
LANE(mul) { return a * b; }
LANE(mulhu) { return (uint64_t)(((u128)a * b) >> bits); }
LANE(mulhs) { return (uint64_t)(((s128)SX(a) * SX(b)) >> bits); }
LANE(and) { return a & b; }
LANE(or) { return a | b; }
LANE(xor) { return a ^ b; }
LANE(andn) { return a & ~b; }
LANE(not) { return ~a; }
LANE(neg) { return -a; }
LANE(umin) { return a < b ? a : b; }
LANE(umax) { return a > b ? a : b; }
LANE(smin) { return SX(a) < SX(b) ? a : b; }
LANE(smax) { return SX(a) > SX(b) ? a : b; }
LANE(uaddsat) { return (u128)a + b > ir_mask(bits) ? ir_mask(bits) : a + b; }
LANE(saddsat) { return sat_signed((s128)SX(a) + SX(b), bits); }
LANE(usubsat) { return a > b ? a - b : 0; }
LANE(ssubsat) { return sat_signed((s128)SX(a) - SX(b), bits); }
LANE(clz) { return a ? (uint64_t)(__builtin_clzll(a) - (64 - (int)bits)) : bits; }
LANE(ctz) { return a ? (uint64_t)__builtin_ctzll(a) : bits; }
LANE(popcnt) { return (uint64_t)__builtin_popcountll(a); }
LANE(bswap) { return __builtin_bswap64(a) >> (64 - bits); }
LANE(bitrev) {
  a = (a >> 1 & 0x5555555555555555ull) | (a & 0x5555555555555555ull) << 1;
  a = (a >> 2 & 0x3333333333333333ull) | (a & 0x3333333333333333ull) << 2;
  a = (a >> 4 & 0x0f0f0f0f0f0f0f0full) | (a & 0x0f0f0f0f0f0f0f0full) << 4;
  return __builtin_bswap64(a) >> (64 - bits);
}
/* fneg / fabs touch the sign bit only, so NaN payloads survive. */
LANE(fneg) { return a ^ (1ull << (bits - 1)); }
LANE(fabs) { return a & ~(1ull << (bits - 1)); }

/* Shifts: b is an unsigned count, never masked here (frontends mask). */
LANE(shl) { return b >= bits ? 0 : a << b; }
LANE(lshr) { return b >= bits ? 0 : a >> b; }
LANE(ashr) { return (uint64_t)(SX(a) >> (b >= bits ? bits - 1 : b)); }
LANE(rol) {
  unsigned k = (unsigned)(b % bits);
  return k ? a << k | a >> (bits - k) : a;
}
LANE(ror) {
  unsigned k = (unsigned)(b % bits);
  return k ? a >> k | a << (bits - k) : a;
}

/* rcl/rcr rotate the (bits+1)-bit value {cin, a}; returns it rotated. */
static u128 rotate_carry(uint64_t a, uint64_t n, uint64_t cin, unsigned bits, bool left) {
  unsigned w = bits + 1, k = (unsigned)(n % w);
  if (!left)
    k = (w - k) % w;
  u128 x = (u128)(cin & 1) << bits | a;
  if (k)
    x = (x << k | x >> (w - k)) & (((u128)1 << w) - 1);
  return x;
}
LANE(rcl) { return (uint64_t)rotate_carry(a, b, c, bits, true); }
LANE(rcr) { return (uint64_t)rotate_carry(a, b, c, bits, false); }
LANE(rclcf) { return (uint64_t)(rotate_carry(a, b, c, bits, true) >> bits); }
LANE(rcrcf) { return (uint64_t)(rotate_carry(a, b, c, bits, false) >> bits); }

/* Flags: a, b of the operand's width, c the incoming carry / borrow. */
static bool out_of_signed(s128 v, unsigned bits) { return v < smin_of(bits) || v > smax_of(bits); }
LANE(addcf) { return (uint64_t)(((u128)a + b + (c & 1)) >> bits); }
LANE(addof) { return out_of_signed((s128)SX(a) + SX(b) + (s128)(c & 1), bits); }
LANE(subcf) { return (u128)a < (u128)b + (c & 1); }
LANE(subof) { return out_of_signed((s128)SX(a) - SX(b) - (s128)(c & 1), bits); }
LANE(parity) { return !(__builtin_popcountll(a & 0xff) & 1); }

#undef SX
#undef LANE

/* -- Lane families ------------------------------------------------------- */

/* Every operand has the result's shape: apply c->lane lane by lane. */
static bool eval_lanes(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type);
  unsigned bits = ir_type_bits(lt);
  for (unsigned i = 0; i < ir_lanes(c->type); i++) {
    uint64_t x[3] = {0, 0, 0};
    for (unsigned k = 0; k < c->nargs && k < 3; k++)
      x[k] = ir_lane_get(&c->a[k], lt, i);
    ir_lane_set(out, lt, i, c->lane(x[0], x[1], x[2], bits) & ir_mask(bits));
  }
  return true;
}

/* Operand 0 lane-wise; the others (count, carry in) are scalars for every lane. */
static bool eval_shift(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type);
  unsigned bits = ir_type_bits(lt);
  uint64_t n = c->nargs > 1 ? ir_lane_get(&c->a[1], c->at[1], 0) : 0;
  uint64_t cin = c->nargs > 2 ? ir_lane_get(&c->a[2], c->at[2], 0) : 0;
  for (unsigned i = 0; i < ir_lanes(c->type); i++)
    ir_lane_set(out, lt, i, c->lane(ir_lane_get(c->a, lt, i), n, cin, bits) & ir_mask(bits));
  return true;
}

/* An i1 about scalar operands, at operand 0's width. */
static bool eval_flag(const IrEvalCall *c, IrValue *out) {
  uint64_t x[3] = {0, 0, 0};
  for (unsigned k = 0; k < c->nargs && k < 3; k++)
    x[k] = ir_lane_get(&c->a[k], c->at[k], 0);
  out->u64 = c->lane(x[0], x[1], x[2], ir_type_bits(c->at[0])) & 1;
  return true;
}

static bool eval_const(const IrEvalCall *c, IrValue *out) {
  out->u64 = c->imm & ir_mask(ir_type_bits(c->type));
  return true;
}

/* -- Division ------------------------------------------------------------ */

enum { DIV_SIGNED = 1, DIV_REM = 2, DIV_WIDE = 4 };

/* udiv sdiv urem srem: a / b with the IrDivMode's answer for the bad cases. */
static bool div_narrow(uint64_t a, uint64_t b, unsigned bits, bool sgn, uint64_t mode,
                       uint64_t *q, uint64_t *r) {
  if (mode != IR_DIV_TRAP && mode != IR_DIV_ZERO)
    return false;
  if (b == 0) {
    *q = 0, *r = a;
    return mode == IR_DIV_ZERO;
  }
  if (!sgn) {
    *q = a / b, *r = a % b;
    return true;
  }
  int64_t x = ir_sx(a, bits), y = ir_sx(b, bits);
  if (x == smin_of(bits) && y == -1) {
    *q = a, *r = 0;
    return mode == IR_DIV_ZERO;
  }
  *q = (uint64_t)(x / y), *r = (uint64_t)(x % y);
  return true;
}

/* udivw...sremw: (hi:lo) / d; faults on d == 0 or a quotient outside T. */
static bool div_wide(uint64_t hi, uint64_t lo, uint64_t d, unsigned bits, bool sgn,
                     uint64_t *q, uint64_t *r) {
  if (d == 0)
    return false;
  u128 n = (u128)hi << bits | lo;
  if (!sgn) {
    u128 uq = n / d;
    *q = (uint64_t)uq, *r = (uint64_t)(n % d);
    return uq <= ir_mask(bits);
  }
  unsigned up = 128 - 2 * bits; /* sign-extend the 2*bits dividend */
  s128 x = (s128)(n << up) >> up, y = ir_sx(d, bits);
  if (y == -1 && x == (s128)((u128)1 << 127))
    return false; /* -MIN does not fit in 128 bits either */
  s128 sq = x / y;
  *q = (uint64_t)sq, *r = (uint64_t)(x % y);
  return sq >= smin_of(bits) && sq <= smax_of(bits);
}

static bool eval_div(const IrEvalCall *c, IrValue *out) {
  unsigned bits = ir_type_bits(c->type);
  uint64_t x[3], q = 0, r = 0;
  for (unsigned k = 0; k < 3; k++)
    x[k] = k < c->nargs ? ir_lane_get(&c->a[k], c->type, 0) : 0;
  bool sgn = c->param & DIV_SIGNED;
  bool ok = c->param & DIV_WIDE ? div_wide(x[0], x[1], x[2], bits, sgn, &q, &r)
                                : div_narrow(x[0], x[1], bits, sgn, c->imm, &q, &r);
  out->u64 = (c->param & DIV_REM ? r : q) & ir_mask(bits);
  return ok;
}

/* -- Compare ------------------------------------------------------------- */

/* Each predicate is the set of outcomes it accepts (fcmp adds "unordered"). */
enum { P_LT = 1, P_EQ = 2, P_GT = 4, P_UNO = 8, P_SIGNED = 16 };
static const uint8_t pred_accepts[IR_PRED__COUNT] = {
    [IR_PRED_eq] = P_EQ,   [IR_PRED_ne] = P_LT | P_GT,
    [IR_PRED_ult] = P_LT,  [IR_PRED_ule] = P_LT | P_EQ,
    [IR_PRED_ugt] = P_GT,  [IR_PRED_uge] = P_GT | P_EQ,
    [IR_PRED_slt] = P_SIGNED | P_LT, [IR_PRED_sle] = P_SIGNED | P_LT | P_EQ,
    [IR_PRED_sgt] = P_SIGNED | P_GT, [IR_PRED_sge] = P_SIGNED | P_GT | P_EQ,
    [IR_PRED_foeq] = P_EQ, [IR_PRED_fone] = P_LT | P_GT,
    [IR_PRED_folt] = P_LT, [IR_PRED_fole] = P_LT | P_EQ,
    [IR_PRED_fogt] = P_GT, [IR_PRED_foge] = P_GT | P_EQ,
    [IR_PRED_ford] = P_LT | P_EQ | P_GT,
    [IR_PRED_fueq] = P_UNO | P_EQ, [IR_PRED_fune] = P_UNO | P_LT | P_GT,
    [IR_PRED_fult] = P_UNO | P_LT, [IR_PRED_fule] = P_UNO | P_LT | P_EQ,
    [IR_PRED_fugt] = P_UNO | P_GT, [IR_PRED_fuge] = P_UNO | P_GT | P_EQ,
    [IR_PRED_funo] = P_UNO,
};

static unsigned outcome_int(uint64_t a, uint64_t b, unsigned bits, bool sgn) {
  if (sgn) {
    int64_t x = ir_sx(a, bits), y = ir_sx(b, bits);
    return x < y ? P_LT : x > y ? P_GT : P_EQ;
  }
  return a < b ? P_LT : a > b ? P_GT : P_EQ;
}

/* The host's quiet compares (ucomis): invalid only for a signalling NaN,
 * denormal for a denormal operand; a signalling compare (comis) is invalid for
 * any NaN. */
#define FP_OUTCOME(x, y) \
  (isunordered(x, y) ? P_UNO : isless(x, y) ? P_LT : isgreater(x, y) ? P_GT : P_EQ)

static unsigned outcome_fp(uint64_t a, uint64_t b, IrType lane, bool signalling) {
  unsigned o;
  if (lane == IR_T_f32) { /* compared as floats: widening would flag on its own */
    uint32_t wa = (uint32_t)a, wb = (uint32_t)b;
    float x, y;
    memcpy(&x, &wa, 4);
    memcpy(&y, &wb, 4);
    o = FP_OUTCOME(x, y);
  } else {
    double x = ir_lane_fp(a, lane), y = ir_lane_fp(b, lane);
    o = FP_OUTCOME(x, y);
  }
  if (o == P_UNO && signalling)
    ir_fenv_host_raise(IR_FENV_INVALID);
  return o;
}
#undef FP_OUTCOME

enum { CMP_INT, CMP_QUIET, CMP_SIGNALLING };

/* cmp, fcmp and fcmps (param CMP_*): i1 for scalars, lane masks for vectors. */
static bool eval_cmp(const IrEvalCall *c, IrValue *out) {
  bool fp = c->param != CMP_INT;
  if (c->imm >= IR_PRED__COUNT || (c->imm >= IR_PRED_foeq) != fp)
    return false;
  unsigned accepts = pred_accepts[c->imm];
  IrType lt = ir_type_lane(c->at[0]);
  unsigned bits = ir_type_bits(lt);
  for (unsigned i = 0; i < ir_lanes(c->at[0]); i++) {
    uint64_t x = ir_lane_get(&c->a[0], lt, i), y = ir_lane_get(&c->a[1], lt, i);
    unsigned got = fp ? outcome_fp(x, y, lt, c->param == CMP_SIGNALLING)
                      : outcome_int(x, y, bits, accepts & P_SIGNED);
    bool t = (accepts & got) != 0;
    if (ir_type_is_vec(c->at[0]))
      ir_lane_set(out, lt, i, t ? ir_mask(bits) : 0);
    else
      out->u64 = t;
  }
  return true;
}

/* -- Select, casts, bit fields ------------------------------------------- */

static bool eval_select(const IrEvalCall *c, IrValue *out) {
  *out = c->a[(c->a[0].u64 & 1) ? 1 : 2];
  return true;
}

enum { CAST_ZEXT, CAST_SEXT, CAST_TRUNC, CAST_BITCAST };

static bool eval_cast(const IrEvalCall *c, IrValue *out) {
  if (c->param == CAST_BITCAST) {
    if (ir_type_info[c->type].bytes != ir_type_info[c->at[0]].bytes || c->type == IR_T_i1)
      return false;
    *out = c->a[0];
    return true;
  }
  uint64_t x = ir_lane_get(c->a, c->at[0], 0);
  if (c->param == CAST_SEXT)
    x = (uint64_t)ir_sx(x, ir_type_bits(c->at[0]));
  out->u64 = x & ir_mask(ir_type_bits(c->type));
  return true;
}

enum { FIELD_EXTRACT, FIELD_SEXTRACT, FIELD_DEPOSIT };

/* imm = lsb, aux = width. */
static bool eval_field(const IrEvalCall *c, IrValue *out) {
  unsigned bits = ir_type_bits(c->type), width = c->aux;
  if (width < 1 || c->imm > bits || width > bits - c->imm)
    return false;
  unsigned lsb = (unsigned)c->imm;
  uint64_t a = ir_lane_get(c->a, c->type, 0), m = ir_mask(width) << lsb, r;
  if (c->param == FIELD_DEPOSIT)
    r = (a & ~m) | (ir_lane_get(&c->a[1], c->at[1], 0) << lsb & m);
  else if (c->param == FIELD_SEXTRACT)
    r = (uint64_t)ir_sx(a >> lsb, width);
  else
    r = (a & m) >> lsb;
  out->u64 = r & ir_mask(bits);
  return true;
}

/* -- The op table -------------------------------------------------------- */

typedef struct ExecRow {
  IrEvalFn eval;   /* pure ops: the evaluator family ... */
  IrLaneFn lane;   /* ... with its lane function */
  unsigned param;  /* ... or its parameter */
  IrRunFn run;     /* other ops: the interpreter's handler (ir_interp*.c) */
} ExecRow;

#define LANES(f) {eval_lanes, lane_##f, 0, NULL}
#define SHIFT(f) {eval_shift, lane_##f, 0, NULL}
#define FLAG(f) {eval_flag, lane_##f, 0, NULL}
#define FAM(fn, p) {fn, NULL, p, NULL}
#define RUN(name) {NULL, NULL, 0, ir_run_##name}

/* One row per op of ir_ops.def; an op without a row fails to build. */
#define ROW_const FAM(eval_const, 0)
#define ROW_vconst RUN(vconst) /* pure, but its value is in the function's pool */
#define ROW_get RUN(get)
#define ROW_set RUN(set)
#define ROW_insn RUN(insn)
#define ROW_add LANES(add)
#define ROW_sub LANES(sub)
#define ROW_mul LANES(mul)
#define ROW_mulhu LANES(mulhu)
#define ROW_mulhs LANES(mulhs)
#define ROW_and LANES(and)
#define ROW_or LANES(or)
#define ROW_xor LANES(xor)
#define ROW_andn LANES(andn)
#define ROW_not LANES(not)
#define ROW_neg LANES(neg)
#define ROW_shl SHIFT(shl)
#define ROW_lshr SHIFT(lshr)
#define ROW_ashr SHIFT(ashr)
#define ROW_rol SHIFT(rol)
#define ROW_ror SHIFT(ror)
#define ROW_rcl SHIFT(rcl)
#define ROW_rcr SHIFT(rcr)
#define ROW_rclcf FLAG(rclcf)
#define ROW_rcrcf FLAG(rcrcf)
#define ROW_udiv FAM(eval_div, 0)
#define ROW_sdiv FAM(eval_div, DIV_SIGNED)
#define ROW_urem FAM(eval_div, DIV_REM)
#define ROW_srem FAM(eval_div, DIV_SIGNED | DIV_REM)
#define ROW_udivw FAM(eval_div, DIV_WIDE)
#define ROW_sdivw FAM(eval_div, DIV_WIDE | DIV_SIGNED)
#define ROW_uremw FAM(eval_div, DIV_WIDE | DIV_REM)
#define ROW_sremw FAM(eval_div, DIV_WIDE | DIV_SIGNED | DIV_REM)
#define ROW_umin LANES(umin)
#define ROW_umax LANES(umax)
#define ROW_smin LANES(smin)
#define ROW_smax LANES(smax)
#define ROW_uaddsat LANES(uaddsat)
#define ROW_saddsat LANES(saddsat)
#define ROW_usubsat LANES(usubsat)
#define ROW_ssubsat LANES(ssubsat)
#define ROW_clz LANES(clz)
#define ROW_ctz LANES(ctz)
#define ROW_popcnt LANES(popcnt)
#define ROW_bswap LANES(bswap)
#define ROW_bitrev LANES(bitrev)
#define ROW_addcf FLAG(addcf)
#define ROW_addof FLAG(addof)
#define ROW_subcf FLAG(subcf)
#define ROW_subof FLAG(subof)
#define ROW_parity FLAG(parity)
#define ROW_cmp FAM(eval_cmp, CMP_INT)
#define ROW_select FAM(eval_select, 0)
#define ROW_zext FAM(eval_cast, CAST_ZEXT)
#define ROW_sext FAM(eval_cast, CAST_SEXT)
#define ROW_trunc FAM(eval_cast, CAST_TRUNC)
#define ROW_bitcast FAM(eval_cast, CAST_BITCAST)
#define ROW_extract FAM(eval_field, FIELD_EXTRACT)
#define ROW_sextract FAM(eval_field, FIELD_SEXTRACT)
#define ROW_deposit FAM(eval_field, FIELD_DEPOSIT)
#define ROW_vsplat FAM(ir_eval_vsplat, 0)
#define ROW_vextract FAM(ir_eval_vextract, 0)
#define ROW_vinsert FAM(ir_eval_vinsert, 0)
#define ROW_vtbl FAM(ir_eval_vtbl, 0)
#define ROW_vmovmsk FAM(ir_eval_vmovmsk, 0)
#define ROW_vziplo FAM(ir_eval_vzip, 0)
#define ROW_vziphi FAM(ir_eval_vzip, 1)
#define ROW_vnarrow FAM(ir_eval_vnarrow, 0)
#define ROW_vwidenlo FAM(ir_eval_vwiden, 0)
#define ROW_vwidenhi FAM(ir_eval_vwiden, 1)
#define ROW_fadd FAM(ir_eval_farith, IR_FA_ADD)
#define ROW_fsub FAM(ir_eval_farith, IR_FA_SUB)
#define ROW_fmul FAM(ir_eval_farith, IR_FA_MUL)
#define ROW_fdiv FAM(ir_eval_farith, IR_FA_DIV)
#define ROW_fsqrt FAM(ir_eval_farith, IR_FA_SQRT)
#define ROW_fma FAM(ir_eval_farith, IR_FA_FMA)
#define ROW_fneg LANES(fneg)
#define ROW_fabs LANES(fabs)
#define ROW_fround FAM(ir_eval_farith, IR_FA_ROUND)
#define ROW_fcmp FAM(eval_cmp, CMP_QUIET)
#define ROW_fcmps FAM(eval_cmp, CMP_SIGNALLING)
#define ROW_fcvt FAM(ir_eval_fcvt, 0)
#define ROW_itof FAM(ir_eval_itof, 0)
#define ROW_ftoi FAM(ir_eval_ftoi, 0)
#define ROW_fenv_get RUN(fenv_get)
#define ROW_fenv_set RUN(fenv_set)
#define ROW_load RUN(load)
#define ROW_store RUN(store)
#define ROW_cas RUN(cas)
#define ROW_armw RUN(armw)
#define ROW_fence RUN(fence)
#define ROW_call RUN(call)
#define ROW_br RUN(br)
#define ROW_jmp RUN(jmp)
#define ROW_exit RUN(exit)
#define ROW_exiti RUN(exiti)
#define ROW_syscall RUN(syscall)
#define ROW_raise RUN(raise)

static const ExecRow exec_rows[IR_OP__COUNT] = {
#define IR_OP(name, res, args, types, imm, flags) [IR_OP_##name] = ROW_##name,
#include "ir_ops.def"
#undef IR_OP
};

IrRunFn ir_exec_run(IrOp op) {
  return (unsigned)op < IR_OP__COUNT ? exec_rows[op].run : NULL;
}

bool ir_eval(IrOp op, IrType type, const IrType *argtypes, const IrValue *args,
             uint32_t nargs, uint64_t imm, uint32_t aux, IrValue *out) {
  if ((unsigned)op >= IR_OP__COUNT || !exec_rows[op].eval || type >= IR_T__COUNT ||
      nargs > IR_MAX_ARGS)
    return false;
  /* Padded to IR_MAX_ARGS (void, zero) so no family reads past a short list. */
  IrType at[IR_MAX_ARGS] = {IR_T_void}; /* IR_T_void is 0: all void */
  IrValue a[IR_MAX_ARGS];
  memset(a, 0, sizeof a);
  for (uint32_t k = 0; k < nargs; k++) {
    if (argtypes[k] >= IR_T__COUNT)
      return false;
    at[k] = argtypes[k];
    a[k] = args[k];
  }
  const ExecRow *row = &exec_rows[op];
  IrEvalCall c = {op, type, at, a, nargs, imm, aux, row->lane, row->param};
  IrValue v;
  memset(&v, 0, sizeof v);
  if (!row->eval(&c, &v))
    return false;
  *out = v;
  return true;
}
