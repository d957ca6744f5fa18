/* a64_fparm.c — Arm's floating-point rules over the IR's (a64_simd.h).
 *
 * The IR's NaN rule is x86 SSE's: a NaN operand gives the first NaN operand,
 * quieted, and an invalid operation the host's default NaN (negative on x86).
 * Arm (FPCR.DN = 0) takes the first signalling NaN before any quiet one, and
 * its default NaN is positive (0x7fc00000 / 0x7ff8000000000000). Each op below
 * is the IR op followed by branch-free fixes of the NaN cases (compares and
 * blends), scalar or vector alike. FPSR exception flags are not raised, and
 * FPCR.DN/FZ/AHP are not honoured.
 */
#include "a64_simd.h"

/* Bit patterns of a float lane type. */
typedef struct FpK {
  uint64_t sign, qnan, quiet, one, inf;
} FpK;

static FpK fpk(IrType t) {
  if (ir_type_lane(t) == IR_T_f32)
    return (FpK){0x80000000u, 0x7fc00000u, 0x00400000u, 0x3f800000u, 0x7f800000u};
  return (FpK){1ull << 63, 0x7ff8000000000000ull, 1ull << 51, 0x3ff0000000000000ull,
               0x7ff0000000000000ull};
}

static IrRef fcmp_mask(A64Lift *l, IrPred p, IrRef a, IrRef b) {
  return a64_mask(l, ir_fcmp(l->fn, p, a, b));
}

/* x (float) is a NaN with the quiet bit set. */
static IrRef is_qnan(A64Lift *l, IrRef x) {
  IrType t = ir_typeof(l->fn, x), it = a64_itype(t);
  IrRef q = a64_lanes(l, it, fpk(t).qnan);
  return ir_cmp(l->fn, IR_PRED_eq, ir_op2(l->fn, IR_OP_and, a64_cast(l, x, it), q), q);
}

static IrRef is_snan(A64Lift *l, IrRef x) {
  return ir_op2(l->fn, IR_OP_andn, fcmp_mask(l, IR_PRED_funo, x, x), is_qnan(l, x));
}

/* x with its quiet bit set, as the integer type. */
static IrRef quieted(A64Lift *l, IrRef x) {
  IrType t = ir_typeof(l->fn, x), it = a64_itype(t);
  return ir_op2(l->fn, IR_OP_or, a64_cast(l, x, it), a64_lanes(l, it, fpk(t).quiet));
}

static IrRef default_nan(A64Lift *l, IrType t) { return a64_lanes(l, a64_itype(t), fpk(t).qnan); }

/* r = IR op(a, b): where a is a quiet NaN and b a signalling one, Arm answers
 * b quieted; with gen, a NaN made from numbers becomes the default NaN. */
static IrRef nan_fix2(A64Lift *l, IrRef r, IrRef a, IrRef b, bool gen) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, r), it = a64_itype(t);
  IrRef swap = ir_op2(fn, IR_OP_and, is_qnan(l, a), is_snan(l, b));
  IrRef x = a64_blend(l, swap, quieted(l, b), a64_cast(l, r, it));
  if (gen) {
    IrRef g = ir_op2(fn, IR_OP_andn, fcmp_mask(l, IR_PRED_funo, r, r),
                     fcmp_mask(l, IR_PRED_funo, a, b));
    x = a64_blend(l, g, default_nan(l, t), x);
  }
  return a64_cast(l, x, t);
}

/* -- The rare case apart --------------------------------------------------------------
 * Every fix below changes only lanes where a NaN is involved, and costs tens of
 * ops; NaNs are rare. So the op's own result goes to a scratch slot, and only
 * when some lane of the test pair is unordered does a block of its own compute
 * the fixed value into the slot instead; the two paths meet in a new block, in
 * which lifting goes on. */

/* The operands of a fix: the IR op's result r, its operands a b c. */
typedef struct NanCase {
  IrRef r, a, b, c;
  bool max, nm; /* min/max: which, and the nm form */
} NanCase;
typedef IrRef (*NanFix)(A64Lift *l, const NanCase *k);

/* Some lane of x or y is a NaN (i1). */
static IrRef any_unordered(A64Lift *l, IrRef x, IrRef y) {
  IrFunc *fn = l->fn;
  IrRef u = ir_fcmp(fn, IR_PRED_funo, x, y);
  if (!ir_type_is_vec(ir_typeof(fn, x)))
    return u;
  IrRef bits = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, &u, 0, 0);
  return ir_cmp(fn, IR_PRED_ne, bits, a64_i32(l, 0));
}

/* fast, or fix(k) where some lane of x or y is a NaN. */
static IrRef unless_nan(A64Lift *l, IrRef x, IrRef y, IrRef fast, NanFix fix, const NanCase *k) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, fast);
  bool vec = ir_type_is_vec(t);
  uint32_t slot = vec ? A64_SLOT_FTMP_Q : t == IR_T_f32 ? A64_SLOT_FTMP_S : A64_SLOT_FTMP_D;
  IrRef test = any_unordered(l, x, y);
  ir_set(fn, slot, vec ? a64_cast(l, fast, IR_T_v2i64) : fast);
  uint32_t join = ir_block_new(fn), rare = ir_block_new(fn); /* rare laid out after join */
  ir_br(fn, test, rare, join);
  ir_block_set(fn, rare);
  IrRef fixed = fix(l, k);
  ir_set(fn, slot, vec ? a64_cast(l, fixed, IR_T_v2i64) : fixed);
  ir_jmp(fn, join);
  ir_block_set(fn, join);
  IrRef v = ir_get(fn, slot);
  return vec ? a64_cast(l, v, t) : v;
}

static IrRef fix_arith(A64Lift *l, const NanCase *k) { return nan_fix2(l, k->r, k->a, k->b, true); }

IrRef a64_fp_arith(A64Lift *l, IrOp op, IrRef a, IrRef b, IrRef rm) {
  NanCase k = {.r = ir_op3(l->fn, op, a, b, rm), .a = a, .b = b};
  return unless_nan(l, k.r, k.r, k.r, fix_arith, &k);
}

static IrRef fix_sqrt(A64Lift *l, const NanCase *k) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, k->r);
  IrRef g = ir_op2(fn, IR_OP_andn, fcmp_mask(l, IR_PRED_funo, k->r, k->r),
                   fcmp_mask(l, IR_PRED_funo, k->a, k->a));
  return a64_blend(l, g, a64_cast(l, default_nan(l, t), t), k->r);
}

IrRef a64_fp_sqrt(A64Lift *l, IrRef a, IrRef rm) {
  NanCase k = {.r = ir_op2(l->fn, IR_OP_fsqrt, a, rm), .a = a};
  return unless_nan(l, k.r, k.r, k.r, fix_sqrt, &k);
}

/* FPMulAdd: NaN priority is signalling before quiet, then addend, n, m; a
 * quiet-NaN addend with inf * 0 gives the default NaN. The IR's fma(n, m,
 * addend) already picks the first NaN of n, m, addend; the fixes reorder. */
static IrRef fix_fma(A64Lift *l, const NanCase *k) {
  IrFunc *fn = l->fn;
  IrRef r = k->r, n = k->a, m = k->b, addend = k->c;
  IrType t = ir_typeof(fn, n), it = a64_itype(t);
  IrRef x = a64_cast(l, nan_fix2(l, r, n, m, false), it);
  IrRef a_nan = fcmp_mask(l, IR_PRED_funo, addend, addend);
  IrRef nm_snan = ir_op2(fn, IR_OP_or, is_snan(l, n), is_snan(l, m));
  IrRef use_a = ir_op2(fn, IR_OP_or, is_snan(l, addend), ir_op2(fn, IR_OP_andn, a_nan, nm_snan));
  x = a64_blend(l, use_a, quieted(l, addend), x);
  IrRef nm_nan = fcmp_mask(l, IR_PRED_funo, n, m);
  IrRef prod = ir_op3(fn, IR_OP_fmul, n, m, a64_rm(l, IR_RM_NEAREST));
  IrRef infzero = ir_op2(fn, IR_OP_andn, fcmp_mask(l, IR_PRED_funo, prod, prod), nm_nan);
  IrRef dflt = ir_op2(fn, IR_OP_and, infzero, is_qnan(l, addend));
  IrRef gen = ir_op2(fn, IR_OP_andn, fcmp_mask(l, IR_PRED_funo, r, r),
                     ir_op2(fn, IR_OP_or, nm_nan, a_nan));
  x = a64_blend(l, ir_op2(fn, IR_OP_or, dflt, gen), default_nan(l, t), x);
  return a64_cast(l, x, t);
}

/* A NaN operand makes a NaN result, and so does every case the fix changes. */
IrRef a64_fp_fma(A64Lift *l, IrRef addend, IrRef n, IrRef m, IrRef rm) {
  IrRef args[4] = {n, m, addend, rm};
  NanCase k = {.r = ir_emit(l->fn, IR_OP_fma, ir_typeof(l->fn, n), 4, args, 0, 0),
               .a = n, .b = m, .c = addend};
  return unless_nan(l, k.r, k.r, k.r, fix_fma, &k);
}

/* FPMax/FPMin of ordered lanes, as integers: -0 < +0. */
static IrRef minmax_ordered(A64Lift *l, IrRef a, IrRef b, bool max) {
  IrFunc *fn = l->fn;
  IrType it = a64_itype(ir_typeof(fn, a));
  IrRef ai = a64_cast(l, a, it), bi = a64_cast(l, b, it);
  IrRef pick = a64_blend(l, fcmp_mask(l, max ? IR_PRED_fogt : IR_PRED_folt, a, b), ai, bi);
  IrRef zeros = ir_op2(fn, max ? IR_OP_and : IR_OP_or, ai, bi); /* equal: only zeros' signs differ */
  return a64_blend(l, fcmp_mask(l, IR_PRED_foeq, a, b), zeros, pick);
}

/* FPMax/FPMin: NaNs as arithmetic does; the nm forms first turn a quiet NaN
 * facing a non-quiet-NaN into the infinity that loses. */
static IrRef fix_minmax(A64Lift *l, const NanCase *k) {
  IrFunc *fn = l->fn;
  IrRef a = k->a, b = k->b;
  IrType t = ir_typeof(fn, a), it = a64_itype(t);
  FpK K = fpk(t);
  if (k->nm) {
    IrRef qa = is_qnan(l, a), qb = is_qnan(l, b);
    IrRef inf = a64_cast(l, a64_lanes(l, it, K.inf | (k->max ? K.sign : 0)), t);
    IrRef a2 = a64_blend(l, ir_op2(fn, IR_OP_andn, qa, qb), inf, a);
    b = a64_blend(l, ir_op2(fn, IR_OP_andn, qb, qa), inf, b);
    a = a2;
  }
  IrRef pick = minmax_ordered(l, a, b, k->max);
  IrRef nan = nan_fix2(l, ir_op3(fn, IR_OP_fadd, a, b, a64_rm(l, IR_RM_NEAREST)), a, b, false);
  IrRef r = a64_blend(l, fcmp_mask(l, IR_PRED_funo, a, b), a64_cast(l, nan, it), pick);
  return a64_cast(l, r, t);
}

IrRef a64_fp_minmax(A64Lift *l, IrRef a, IrRef b, bool max, bool nm) {
  NanCase k = {.a = a, .b = b, .max = max, .nm = nm};
  IrRef fast = a64_cast(l, minmax_ordered(l, a, b, max), ir_typeof(l->fn, a));
  return unless_nan(l, a, b, fast, fix_minmax, &k);
}

/* Ties away from zero: truncate, then step away from zero when the dropped
 * fraction (exact) is at least one half. */
static IrRef round_tieaway(A64Lift *l, IrRef a) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a), it = a64_itype(t);
  FpK k = fpk(t);
  IrRef near = a64_rm(l, IR_RM_NEAREST);
  IrRef tr = ir_op2(fn, IR_OP_fround, a, a64_rm(l, IR_RM_ZERO));
  IrRef frac = ir_op1(fn, IR_OP_fabs, ir_op3(fn, IR_OP_fsub, a, tr, near));
  IrRef half = a64_cast(l, a64_lanes(l, it, t == IR_T_f32 || t == IR_T_v4f32 ? 0x3f000000u
                                                                            : 0x3fe0000000000000ull),
                        t);
  IrRef one = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, a64_cast(l, a, it), a64_lanes(l, it, k.sign)),
                     a64_lanes(l, it, k.one));
  IrRef away = ir_op3(fn, IR_OP_fadd, tr, a64_cast(l, one, t), near);
  return a64_blend(l, fcmp_mask(l, IR_PRED_foge, frac, half), away, tr);
}

IrRef a64_fp_round(A64Lift *l, IrRef a, unsigned mode, IrRef rm) {
  IrFunc *fn = l->fn;
  if (mode == A64_RM_TIEAWAY)
    return round_tieaway(l, a);
  if (ir_is_const(fn, rm))
    return ir_op2(fn, IR_OP_fround, a, rm);
  /* FPCR's mode (frintx, frinti): each mode's rounding, selected. SSE's round
   * takes its mode as an immediate, so this is four instructions where one
   * fround with a run-time mode would be a call into ir_eval. */
  IrRef m = ir_op2(fn, IR_OP_and, rm, ir_const(fn, IR_T_i8, 3));
  IrRef r = ir_op2(fn, IR_OP_fround, a, a64_rm(l, IR_RM_NEAREST));
  for (unsigned k = IR_RM_DOWN; k <= IR_RM_ZERO; k++)
    r = ir_select(fn, ir_cmp(fn, IR_PRED_eq, m, ir_const(fn, IR_T_i8, k)),
                  ir_op2(fn, IR_OP_fround, a, a64_rm(l, k)), r);
  return r;
}

/* Scalar to signed i32/i64, or unsigned i32 through i64, as the plain signed
 * conversion (one SSE instruction; out of range or NaN give MIN) with the
 * saturation done around it: a positive value giving MIN overflowed (MAX),
 * NaN gives 0, and u32 clamps the i64. */
static IrRef toint_scalar(A64Lift *l, IrRef a, IrType t, bool is_unsigned, IrRef rm) {
  IrFunc *fn = l->fn;
  IrType st = is_unsigned ? IR_T_i64 : t;
  unsigned bits = ir_type_bits(st);
  IrRef args[2] = {a, rm};
  IrRef v = ir_emit(fn, IR_OP_ftoi, st, 2, args, IR_CVT_SIGNED, 0);
  IrRef min = ir_const(fn, st, 1ull << (bits - 1)), zero = ir_const(fn, st, 0);
  IrRef pos = ir_fcmp(fn, IR_PRED_fogt, a, ir_const(fn, ir_typeof(fn, a), 0));
  IrRef ovf = ir_op2(fn, IR_OP_and, ir_cmp(fn, IR_PRED_eq, v, min), pos);
  v = ir_select(fn, ovf, ir_const(fn, st, (1ull << (bits - 1)) - 1), v);
  v = ir_select(fn, ir_fcmp(fn, IR_PRED_funo, a, a), zero, v);
  if (!is_unsigned)
    return v;
  IrRef umax = ir_const(fn, st, 0xffffffffu);
  v = ir_select(fn, ir_cmp(fn, IR_PRED_slt, v, zero), zero, v);
  v = ir_select(fn, ir_cmp(fn, IR_PRED_sgt, v, umax), umax, v);
  return ir_cast(fn, IR_OP_trunc, IR_T_i32, v);
}

IrRef a64_fp_toint(A64Lift *l, IrRef a, IrType t, bool is_unsigned, unsigned mode, IrRef rm) {
  if (mode == A64_RM_TIEAWAY) {
    a = round_tieaway(l, a);
    rm = a64_rm(l, IR_RM_ZERO);
  }
  if (!ir_type_is_vec(t) && (!is_unsigned || t == IR_T_i32))
    return toint_scalar(l, a, t, is_unsigned, rm);
  IrRef args[2] = {a, rm};
  return ir_emit(l->fn, IR_OP_ftoi, t, 2, args, IR_CVT_SAT | (is_unsigned ? IR_CVT_UNSIGNED : 0), 0);
}

IrRef a64_fp_scale(A64Lift *l, IrRef a, int e) {
  IrType t = ir_typeof(l->fn, a);
  bool f32 = ir_type_lane(t) == IR_T_f32;
  uint64_t bits = f32 ? (uint64_t)(127 + e) << 23 : (uint64_t)(1023 + e) << 52;
  IrRef s = a64_cast(l, a64_lanes(l, a64_itype(t), bits), t);
  return ir_op3(l->fn, IR_OP_fmul, a, s, a64_rm(l, IR_RM_NEAREST));
}

/* -- Half precision ----------------------------------------------------------------- */

/* f16 -> f64 is exact; a NaN keeps its payload, quieted (FPConvert). */
uint64_t a64_f16_to_f64_bits(uint64_t h) {
  uint64_t sign = (h >> 15 & 1) << 63, mant = h & 0x3ff;
  unsigned exp = h >> 10 & 0x1f;
  if (exp == 0x1f)
    return sign | 0x7ff0000000000000ull | (mant ? 1ull << 51 | mant << 42 : 0);
  if (exp == 0) {
    if (mant == 0)
      return sign;
    unsigned p = 63 - (unsigned)__builtin_clzll(mant); /* value = mant * 2^-24 */
    return sign | (uint64_t)(p - 24 + 1023) << 52 | ((mant << (52 - p)) & ((1ull << 52) - 1));
  }
  return sign | (uint64_t)(exp - 15 + 1023) << 52 | mant << 42;
}

/* f64 -> f16 rounded in IR mode rm: the significand is rounded at the f16
 * quantum of the value's binade (2^-24 below the normal range). */
uint64_t a64_f64_to_f16_bits(uint64_t x, unsigned rm) {
  uint64_t sign = x >> 63 ? 0x8000 : 0, mant = x & ((1ull << 52) - 1);
  int exp = (int)(x >> 52 & 0x7ff);
  if (exp == 0x7ff)
    return sign | 0x7c00 | (mant ? 0x200 | mant >> 42 : 0);
  if (exp == 0 && mant == 0)
    return sign;
  uint64_t m = exp ? mant | 1ull << 52 : mant;
  int e2 = exp ? exp - 1075 : -1074;  /* value = m * 2^e2 */
  int top = 63 - __builtin_clzll(m) + e2; /* floor(log2(value)) */
  int q = top >= -14 ? top - 10 : -24; /* log2 of the result's quantum */
  int shift = q - e2;
  uint64_t r;
  if (shift <= 0) {
    r = m << -shift;
  } else {
    if (shift > 60)
      shift = 60; /* m < 2^53: all of it is below one half of a quantum */
    uint64_t rem = m & ((1ull << shift) - 1), halfq = 1ull << (shift - 1);
    r = m >> shift;
    bool up;
    switch (rm & 3) {
    case IR_RM_NEAREST: up = rem > halfq || (rem == halfq && (r & 1)); break;
    case IR_RM_UP: up = rem && !sign; break;
    case IR_RM_DOWN: up = rem && sign; break;
    default: up = false; break;
    }
    r += up;
  }
  if (r == 0)
    return sign;
  if (r >= 1u << 11) { /* rounding carried into a new binade */
    r >>= 1;
    q++;
  }
  if (r < 1u << 10)
    return sign | r; /* subnormal */
  int biased = q + 10 + 15;
  if (biased >= 31) {
    bool inf = (rm & 3) == IR_RM_NEAREST || ((rm & 3) == IR_RM_UP && !sign) ||
               ((rm & 3) == IR_RM_DOWN && sign);
    return sign | (inf ? 0x7c00 : 0x7bff);
  }
  return sign | (uint64_t)biased << 10 | (r & 0x3ff);
}

static uint64_t h_f16_to_f64(void *cpu, uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)cpu, (void)a1, (void)a2, (void)a3;
  return a64_f16_to_f64_bits(h);
}

static uint64_t h_f64_to_f16(void *cpu, uint64_t x, uint64_t rm, uint64_t a2, uint64_t a3) {
  (void)cpu, (void)a2, (void)a3;
  return a64_f64_to_f16_bits(x, (unsigned)rm);
}

static const IrHelper f16_to_def = {"a64_f16_to_f64", h_f16_to_f64, 1, IR_T_i64, 0};
static const IrHelper f16_from_def = {"a64_f64_to_f16", h_f64_to_f16, 2, IR_T_i64, 0};
static uint32_t f16_to_helper, f16_from_helper;

void a64_fparm_init(void) {
  f16_to_helper = (uint32_t)ir_helper_register(&f16_to_def);
  f16_from_helper = (uint32_t)ir_helper_register(&f16_from_def);
}

IrRef a64_f16_to(A64Lift *l, IrRef h, IrType t) {
  IrFunc *fn = l->fn;
  IrRef arg = ir_cast(fn, IR_OP_zext, IR_T_i64, h);
  IrRef d = a64_cast(l, ir_call(fn, f16_to_helper, 1, &arg), IR_T_f64);
  if (t == IR_T_f64)
    return d;
  IrRef args[2] = {d, a64_rm(l, IR_RM_NEAREST)}; /* exact: an f16 fits an f32 */
  return ir_emit(fn, IR_OP_fcvt, t, 2, args, 0, 0);
}

IrRef a64_f16_from(A64Lift *l, IrRef f, IrRef rm) {
  IrFunc *fn = l->fn;
  if (ir_typeof(fn, f) == IR_T_f32) {
    IrRef args[2] = {f, a64_rm(l, IR_RM_NEAREST)}; /* exact */
    f = ir_emit(fn, IR_OP_fcvt, IR_T_f64, 2, args, 0, 0);
  }
  IrRef args[2] = {a64_cast(l, f, IR_T_i64), ir_cast(fn, IR_OP_zext, IR_T_i64, rm)};
  return ir_cast(fn, IR_OP_trunc, IR_T_i16, ir_call(fn, f16_from_helper, 2, args));
}
