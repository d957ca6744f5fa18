/* a64_fparm.c — Arm's floating-point rules over the IR's (a64_simd.h).
 *
 * The IR's NaN rule is x86 SSE's: a NaN operand gives the first NaN operand,
 * quieted, and an invalid operation the host's default NaN (negative on x86).
 * Arm (FPCR.DN = 0) takes the first signalling NaN before any quiet one, and
 * its default NaN is positive (0x7fc00000 / 0x7ff8000000000000); with FPCR.DN
 * every NaN result is the default NaN. Each op below is the IR op, and only
 * when some lane is NaN a block of its own fixes the NaN lanes (Arm's choice,
 * then DN, read from FPCR at run time).
 *
 * Exception flags: the IR ops raise them in the FP environment, which FPSR
 * reads (lift_sys.c). So nothing here computes a lane the instruction does not:
 * the fixes select between operand bits and constants (quiet compares only,
 * which raise nothing an operand's own op does not), inf * 0 is found by
 * compares, not by multiplying, and helper arithmetic is exact. FPCR.FZ is the
 * host's FTZ|DAZ: ops flush as Arm does; where a result is an operand's bits
 * (min/max) the operand is flushed first (+ -0.0, exact).
 */
#include "a64_simd.h"

/* Bit patterns of a float lane type. */
typedef struct FpK {
  uint64_t sign, qnan, quiet, one, inf, half;
} FpK;

static FpK fpk(IrType t) {
  if (ir_type_lane(t) == IR_T_f32)
    return (FpK){0x80000000u, 0x7fc00000u, 0x00400000u, 0x3f800000u, 0x7f800000u, 0x3f000000u};
  return (FpK){1ull << 63, 0x7ff8000000000000ull, 1ull << 51, 0x3ff0000000000000ull,
               0x7ff0000000000000ull, 0x3fe0000000000000ull};
}

/* A float constant of type t (every lane) from bits. */
static IrRef fconst(A64Lift *l, IrType t, uint64_t bits) {
  return a64_cast(l, a64_lanes(l, a64_itype(t), bits), t);
}

/* A quiet compare (invalid only for a signalling NaN operand) as a mask. */
static IrRef fcmp_mask(A64Lift *l, IrPred p, IrRef a, IrRef b) {
  return a64_mask(l, ir_fcmp(l->fn, p, a, b));
}

static IrRef is_nan(A64Lift *l, IrRef x) { return fcmp_mask(l, IR_PRED_funo, x, x); }

/* x (float) is a NaN with the quiet bit set: by its bits, no flags. */
static IrRef is_qnan(A64Lift *l, IrRef x) {
  IrType t = ir_typeof(l->fn, x), it = a64_itype(t);
  IrRef q = a64_lanes(l, it, fpk(t).qnan);
  return ir_cmp(l->fn, IR_PRED_eq, ir_op2(l->fn, IR_OP_and, a64_cast(l, x, it), q), q);
}

static IrRef is_snan(A64Lift *l, IrRef x) {
  return ir_op2(l->fn, IR_OP_andn, is_nan(l, x), is_qnan(l, x));
}

/* x with its quiet bit set, as the integer type. */
static IrRef quieted(A64Lift *l, IrRef x) {
  IrType t = ir_typeof(l->fn, x), it = a64_itype(t);
  return ir_op2(l->fn, IR_OP_or, a64_cast(l, x, it), a64_lanes(l, it, fpk(t).quiet));
}

static IrRef default_nan(A64Lift *l, IrType t) { return a64_lanes(l, a64_itype(t), fpk(t).qnan); }

/* FPProcessNaNs(3): of the NaN operands (c may be IR_NONE), the first
 * signalling one, else the first quiet one, quieted; as the integer type.
 * Meaningful in lanes where some operand is NaN. */
static IrRef arm_nan(A64Lift *l, IrRef a, IrRef b, IrRef c) {
  IrType it = a64_itype(ir_typeof(l->fn, a));
  IrRef x = c != IR_NONE ? a64_blend(l, is_nan(l, b), a64_cast(l, b, it), a64_cast(l, c, it))
                         : a64_cast(l, b, it);
  x = a64_blend(l, is_nan(l, a), a64_cast(l, a, it), x);
  if (c != IR_NONE)
    x = a64_blend(l, is_snan(l, c), quieted(l, c), x);
  x = a64_blend(l, is_snan(l, b), quieted(l, b), x);
  return a64_blend(l, is_snan(l, a), quieted(l, a), x);
}

/* r where it is not NaN; where it is: nan (integer) if given and `from` holds,
 * else Arm's default NaN (an invalid operation on numbers). */
static IrRef nan_lanes(A64Lift *l, IrRef r, IrRef from, IrRef nan) {
  IrType t = ir_typeof(l->fn, r), it = a64_itype(t);
  IrRef x = a64_blend(l, is_nan(l, r), default_nan(l, t), a64_cast(l, r, it));
  if (nan != IR_NONE)
    x = a64_blend(l, from, nan, x);
  return a64_cast(l, x, t);
}

/* FPCR.DN (read at run time): every NaN lane becomes the default NaN. */
static IrRef default_nan_mode(A64Lift *l, IrRef x) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, x);
  IrRef dn = ir_cmp(fn, IR_PRED_ne,
                    ir_op2(fn, IR_OP_and, ir_get(fn, A64_SLOT_FPCR), a64_i32(l, A64_FPCR_DN)),
                    a64_i32(l, 0));
  IrRef d = a64_cast(l, a64_blend(l, is_nan(l, x), default_nan(l, t), a64_cast(l, x, a64_itype(t))), t);
  return ir_select(fn, dn, d, x);
}

/* -- The rare case apart --------------------------------------------------------------
 * Every fix below changes only lanes where a NaN is involved, and costs tens of
 * ops; NaNs are rare. So the op's own result goes to a scratch slot, and only
 * when some lane of the test pair is unordered does a block of its own compute
 * the fixed value into the slot instead; the two paths meet in a new block, in
 * which lifting goes on. */

/* The operands of a fix: the IR op's result r, its operands a b c; rz: the
 * op again, rounded toward zero (ops whose rounding can underflow). */
typedef struct NanCase NanCase;
typedef IrRef (*NanFix)(A64Lift *l, const NanCase *k);
struct NanCase {
  IrRef r, a, b, c;
  bool max, nm; /* min/max: which, and the nm form */
  NanFix rz;
};

/* Some lane of x or y is a NaN (i1). */
static IrRef any_unordered(A64Lift *l, IrRef x, IrRef y) {
  IrFunc *fn = l->fn;
  IrRef u = ir_fcmp(fn, IR_PRED_funo, x, y);
  if (!ir_type_is_vec(ir_typeof(fn, x)))
    return u;
  IrRef bits = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, &u, 0, 0);
  return ir_cmp(fn, IR_PRED_ne, bits, a64_i32(l, 0));
}

/* The smallest normal of r's lane type (every lane). */
static IrRef min_normal(A64Lift *l, IrType t) {
  return fconst(l, t, ir_type_lane(t) == IR_T_f32 ? 0x00800000u : 0x0010000000000000ull);
}

/* Some lane of r is NaN or +-the smallest normal: one compare, |r| equal to
 * it or unordered. The smallest normal may be a tiny value rounded up: Arm
 * detects tininess before rounding (underflow, and flushing under FZ), x86
 * after. */
static IrRef any_nan_or_smallest(A64Lift *l, IrRef r) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, r);
  IrRef u = ir_fcmp(fn, IR_PRED_fueq, ir_op1(fn, IR_OP_fabs, r), min_normal(l, t));
  if (!ir_type_is_vec(t))
    return u;
  IrRef bits = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, &u, 0, 0);
  return ir_cmp(fn, IR_PRED_ne, bits, a64_i32(l, 0));
}

/* The rare block's tininess fix for r = k->r: the op again toward zero, which
 * raises underflow exactly when the value was tiny before rounding and
 * inexact (its other flags the op raised already); under FPCR.FZ a lane x86
 * rounded up to the smallest normal whose exact value was tiny is flushed, as
 * Arm does (the toward-zero result is that zero). */
static IrRef tiny_fix(A64Lift *l, const NanCase *k, IrRef fixed) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, fixed);
  IrRef z = k->rz(l, k);
  IrRef m = ir_op2(fn, IR_OP_and, fcmp_mask(l, IR_PRED_foeq, z, fconst(l, t, 0)),
                   fcmp_mask(l, IR_PRED_foeq, ir_op1(fn, IR_OP_fabs, k->r), min_normal(l, t)));
  IrRef fz = ir_cmp(fn, IR_PRED_ne,
                    ir_op2(fn, IR_OP_and, ir_get(fn, A64_SLOT_FPCR), a64_i32(l, A64_FPCR_FZ)),
                    a64_i32(l, 0));
  return ir_select(fn, fz, a64_cast(l, a64_blend(l, m, z, fixed), t), fixed);
}

/* fast, or fix(k) (then FPCR.DN, then the tininess fix if k->rz) where some
 * lane of x or y is a NaN, or with k->rz of fast is NaN or the smallest normal. */
static IrRef unless_nan(A64Lift *l, IrRef x, IrRef y, IrRef fast, NanFix fix, const NanCase *k) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, fast);
  bool vec = ir_type_is_vec(t);
  uint32_t slot = vec ? A64_SLOT_FTMP_Q : t == IR_T_f32 ? A64_SLOT_FTMP_S : A64_SLOT_FTMP_D;
  ir_set(fn, slot, vec ? a64_cast(l, fast, IR_T_v2i64) : fast);
  /* the test last: the backend fuses its compare with the branch */
  IrRef test = k && k->rz ? any_nan_or_smallest(l, fast) : any_unordered(l, x, y);
  uint32_t join = ir_block_new(fn), rare = ir_block_new(fn); /* rare laid out after join */
  ir_br(fn, test, rare, join);
  ir_block_set(fn, rare);
  IrRef fixed = default_nan_mode(l, fix ? fix(l, k) : fast);
  if (k && k->rz)
    fixed = tiny_fix(l, k, fixed);
  ir_set(fn, slot, vec ? a64_cast(l, fixed, IR_T_v2i64) : fixed);
  ir_jmp(fn, join);
  ir_block_set(fn, join);
  IrRef v = ir_get(fn, slot);
  return vec ? a64_cast(l, v, t) : v;
}

IrRef a64_fp_dn(A64Lift *l, IrRef r) { return unless_nan(l, r, r, r, NULL, NULL); }

static IrRef rz_fcvt(A64Lift *l, const NanCase *k) {
  IrRef args[2] = {k->a, a64_rm(l, IR_RM_ZERO)};
  return ir_emit(l->fn, IR_OP_fcvt, ir_typeof(l->fn, k->r), 2, args, 0, 0);
}

IrRef a64_fp_narrow(A64Lift *l, IrRef a, IrType t, IrRef rm) {
  IrRef args[2] = {a, rm};
  NanCase k = {.r = ir_emit(l->fn, IR_OP_fcvt, t, 2, args, 0, 0), .a = a, .rz = rz_fcvt};
  return unless_nan(l, k.r, k.r, k.r, NULL, &k);
}

static IrRef fix_arith(A64Lift *l, const NanCase *k) {
  return nan_lanes(l, k->r, fcmp_mask(l, IR_PRED_funo, k->a, k->b), arm_nan(l, k->a, k->b, IR_NONE));
}

static IrRef rz_arith(A64Lift *l, const NanCase *k) {
  IrOp op = (IrOp)ir_inst(l->fn, k->r)->op; /* before emitting: the array may move */
  IrRef rz = a64_rm(l, IR_RM_ZERO);
  return ir_op3(l->fn, op, k->a, k->b, rz);
}

IrRef a64_fp_arith(A64Lift *l, IrOp op, IrRef a, IrRef b, IrRef rm) {
  NanCase k = {.r = ir_op3(l->fn, op, a, b, rm), .a = a, .b = b, .rz = rz_arith};
  return unless_nan(l, k.r, k.r, k.r, fix_arith, &k);
}

static IrRef fix_sqrt(A64Lift *l, const NanCase *k) {
  return nan_lanes(l, k->r, is_nan(l, k->a), quieted(l, k->a));
}

IrRef a64_fp_sqrt(A64Lift *l, IrRef a, IrRef rm) {
  NanCase k = {.r = ir_op2(l->fn, IR_OP_fsqrt, a, rm), .a = a};
  return unless_nan(l, k.r, k.r, k.r, fix_sqrt, &k);
}

/* OR the IR flags `flags` into the FP environment if some lane of mask m
 * (an i1 for scalars) is set. For the rare blocks: a flag Arm raises that the
 * IR op did not. */
static void raise_where(A64Lift *l, IrRef m, uint32_t flags) {
  IrFunc *fn = l->fn;
  IrRef any = m;
  if (ir_type_is_vec(ir_typeof(fn, m))) {
    IrRef bits = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, &m, 0, 0);
    any = ir_cmp(fn, IR_PRED_ne, bits, a64_i32(l, 0));
  }
  IrRef f = ir_select(fn, any, a64_i32(l, flags), a64_i32(l, 0));
  ir_fenv_set(fn, ir_op2(fn, IR_OP_or, ir_fenv_get(fn), f));
}

/* Lanes of x that are zero (FPCR.FZ: or denormal) / infinite: quiet compares. */
static IrRef is_zero(A64Lift *l, IrRef x) {
  return fcmp_mask(l, IR_PRED_foeq, x, fconst(l, ir_typeof(l->fn, x), 0));
}
static IrRef is_inf(A64Lift *l, IrRef x) {
  IrType t = ir_typeof(l->fn, x);
  return fcmp_mask(l, IR_PRED_foeq, ir_op1(l->fn, IR_OP_fabs, x), fconst(l, t, fpk(t).inf));
}

IrRef a64_fp_inf_times_zero(A64Lift *l, IrRef a, IrRef b) {
  IrFunc *fn = l->fn;
  return ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, is_inf(l, a), is_zero(l, b)),
                ir_op2(fn, IR_OP_and, is_zero(l, a), is_inf(l, b)));
}

/* FPMulAdd: NaN priority is signalling before quiet, then addend, n, m; a
 * quiet-NaN addend with inf * 0 gives the default NaN (invalid: the IR's fma
 * raised it). */
static IrRef fix_fma(A64Lift *l, const NanCase *k) {
  IrFunc *fn = l->fn;
  IrRef r = k->r, n = k->a, m = k->b, addend = k->c;
  IrType t = ir_typeof(fn, n), it = a64_itype(t);
  IrRef nan_in = ir_op2(fn, IR_OP_or, fcmp_mask(l, IR_PRED_funo, n, m), is_nan(l, addend));
  IrRef x = a64_cast(l, nan_lanes(l, r, nan_in, arm_nan(l, addend, n, m)), it);
  IrRef dflt = ir_op2(fn, IR_OP_and, a64_fp_inf_times_zero(l, n, m), is_qnan(l, addend));
  /* Arm raises invalid there; x86's fma, seeing a quiet NaN, does not */
  raise_where(l, dflt, IR_FENV_INVALID);
  return a64_cast(l, a64_blend(l, dflt, default_nan(l, t), x), t);
}

static IrRef rz_fma(A64Lift *l, const NanCase *k) {
  IrRef args[4] = {k->a, k->b, k->c, a64_rm(l, IR_RM_ZERO)};
  return ir_emit(l->fn, IR_OP_fma, ir_typeof(l->fn, k->a), 4, args, 0, 0);
}

/* A NaN operand makes a NaN result, and so does every case the fix changes. */
IrRef a64_fp_fma(A64Lift *l, IrRef addend, IrRef n, IrRef m, IrRef rm) {
  IrRef args[4] = {n, m, addend, rm};
  NanCase k = {.r = ir_emit(l->fn, IR_OP_fma, ir_typeof(l->fn, n), 4, args, 0, 0),
               .a = n, .b = m, .c = addend, .rz = rz_fma};
  return unless_nan(l, k.r, k.r, k.r, fix_fma, &k);
}

/* x as FPUnpack sees it: under FPCR.FZ (the host's DAZ) a denormal is zero of
 * its sign. x + -0.0 is x exactly otherwise (+0 stays +0), raising nothing a
 * min/max does not (a signalling NaN, whose lane the fix redoes). */
static IrRef fz_flushed(A64Lift *l, IrRef x) {
  IrType t = ir_typeof(l->fn, x);
  return ir_op3(l->fn, IR_OP_fadd, x, fconst(l, t, fpk(t).sign), a64_rm(l, IR_RM_NEAREST));
}

/* FPMax/FPMin of ordered (flushed) lanes, as integers: -0 < +0. */
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
  IrType t = ir_typeof(fn, a);
  FpK K = fpk(t);
  if (k->nm) {
    IrRef qa = is_qnan(l, a), qb = is_qnan(l, b);
    IrRef inf = fconst(l, t, K.inf | (k->max ? K.sign : 0));
    IrRef a2 = a64_blend(l, ir_op2(fn, IR_OP_andn, qa, qb), inf, a);
    b = a64_blend(l, ir_op2(fn, IR_OP_andn, qb, qa), inf, b);
    a = a2;
  }
  IrRef pick = minmax_ordered(l, fz_flushed(l, a), fz_flushed(l, b), k->max);
  IrRef r = a64_blend(l, fcmp_mask(l, IR_PRED_funo, a, b), arm_nan(l, a, b, IR_NONE), pick);
  return a64_cast(l, r, t);
}

IrRef a64_fp_minmax(A64Lift *l, IrRef a, IrRef b, bool max, bool nm) {
  NanCase k = {.a = a, .b = b, .max = max, .nm = nm};
  IrType t = ir_typeof(l->fn, a);
  IrRef fast = a64_cast(l, minmax_ordered(l, fz_flushed(l, a), fz_flushed(l, b), max), t);
  return unless_nan(l, a, b, fast, fix_minmax, &k);
}

/* Ties away from zero: truncate (raising inexact if asked, as fcvta does;
 * frinta does not), then step away from zero when the dropped fraction (exact)
 * is at least one half. Infinities keep out of the arithmetic (inf - inf would
 * be invalid), and the step is a signed zero unless taken (a huge value plus
 * one would be inexact). */
static IrRef round_tieaway(A64Lift *l, IrRef a, bool inexact) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a), it = a64_itype(t);
  FpK k = fpk(t);
  IrRef near = a64_rm(l, IR_RM_NEAREST);
  IrRef targs[2] = {a, a64_rm(l, IR_RM_ZERO)};
  IrRef tr = ir_emit(fn, IR_OP_fround, t, 2, targs, inexact ? IR_ROUND_INEXACT : 0, 0);
  IrRef inf = is_inf(l, a), zero = fconst(l, t, 0);
  IrRef frac = ir_op1(fn, IR_OP_fabs, ir_op3(fn, IR_OP_fsub, a64_blend(l, inf, zero, a),
                                              a64_blend(l, inf, zero, tr), near));
  IrRef sign = ir_op2(fn, IR_OP_and, a64_cast(l, a, it), a64_lanes(l, it, k.sign));
  IrRef one = ir_op2(fn, IR_OP_or, sign, a64_lanes(l, it, k.one));
  IrRef step = a64_blend(l, fcmp_mask(l, IR_PRED_foge, frac, fconst(l, t, k.half)), one, sign);
  return ir_op3(fn, IR_OP_fadd, tr, a64_cast(l, step, t), near);
}

IrRef a64_fp_round(A64Lift *l, IrRef a, unsigned mode, IrRef rm, bool exact) {
  IrFunc *fn = l->fn;
  unsigned kind = exact ? IR_ROUND_INEXACT : 0;
  IrRef r;
  if (mode == A64_RM_TIEAWAY) {
    r = round_tieaway(l, a, exact);
  } else if (ir_is_const(fn, rm)) {
    r = ir_emit(fn, IR_OP_fround, ir_typeof(fn, a), 2, (IrRef[]){a, rm}, kind, 0);
  } else {
    /* FPCR's mode (frintx, frinti): each mode's rounding, selected. SSE's round
     * takes its mode as an immediate, so this is four instructions where one
     * fround with a run-time mode would be a call into ir_eval. The same flags
     * four times: they are sticky. */
    IrRef m = ir_op2(fn, IR_OP_and, rm, ir_const(fn, IR_T_i8, 3));
    IrType t = ir_typeof(fn, a);
    r = ir_emit(fn, IR_OP_fround, t, 2, (IrRef[]){a, a64_rm(l, IR_RM_NEAREST)}, kind, 0);
    for (unsigned k = IR_RM_DOWN; k <= IR_RM_ZERO; k++)
      r = ir_select(fn, ir_cmp(fn, IR_PRED_eq, m, ir_const(fn, IR_T_i8, k)),
                    ir_emit(fn, IR_OP_fround, t, 2, (IrRef[]){a, a64_rm(l, k)}, kind, 0), r);
  }
  return a64_fp_dn(l, r);
}

/* Scalar to signed i32/i64 as the plain signed conversion (one SSE
 * instruction; out of range or NaN give MIN and raise invalid, as FPToFixed
 * does) with the saturation done around it: a positive value giving MIN
 * overflowed (MAX), NaN gives 0. */
static IrRef toint_signed(A64Lift *l, IrRef a, IrType t, IrRef rm) {
  IrFunc *fn = l->fn;
  unsigned bits = ir_type_bits(t);
  IrRef args[2] = {a, rm};
  IrRef v = ir_emit(fn, IR_OP_ftoi, t, 2, args, IR_CVT_SIGNED, 0);
  IrRef min = ir_const(fn, t, 1ull << (bits - 1));
  IrRef pos = ir_fcmp(fn, IR_PRED_fogt, a, ir_const(fn, ir_typeof(fn, a), 0));
  IrRef ovf = ir_op2(fn, IR_OP_and, ir_cmp(fn, IR_PRED_eq, v, min), pos);
  v = ir_select(fn, ovf, ir_const(fn, t, (1ull << (bits - 1)) - 1), v);
  return ir_select(fn, ir_fcmp(fn, IR_PRED_funo, a, a), ir_const(fn, t, 0), v);
}

/* Scalar to u32 through the signed i64 conversion of a value known to be in
 * range, so that it raises what FPToFixed does: inexact when in range,
 * invalid (a NaN converted instead) when the rounded value is out of range or
 * NaN — and not inexact then. The result saturates (NaN: 0). */
static IrRef toint_u32(A64Lift *l, IrRef a, IrRef rm) {
  IrFunc *fn = l->fn;
  IrType ft = ir_typeof(fn, a);
  bool f32 = ft == IR_T_f32;
  IrRef r = ir_op2(fn, IR_OP_fround, a, rm);
  IrRef umax = ir_const(fn, ft, f32 ? 0x4f800000u : 0x41efffffffe00000ull); /* 2^32, 2^32 - 1 */
  IrRef in = ir_op2(fn, IR_OP_and, ir_fcmp(fn, IR_PRED_foge, r, ir_const(fn, ft, 0)),
                    ir_fcmp(fn, f32 ? IR_PRED_folt : IR_PRED_fole, r, umax));
  IrRef args[2] = {ir_select(fn, in, a, ir_const(fn, ft, fpk(ft).qnan)), rm};
  IrRef v = ir_cast(fn, IR_OP_trunc, IR_T_i32, ir_emit(fn, IR_OP_ftoi, IR_T_i64, 2, args, IR_CVT_SIGNED, 0));
  IrRef sat = ir_select(fn, ir_fcmp(fn, IR_PRED_fogt, r, ir_const(fn, ft, 0)),
                        ir_const(fn, IR_T_i32, 0xffffffffu), ir_const(fn, IR_T_i32, 0));
  return ir_select(fn, in, v, sat);
}

/* The inexact flag of a conversion of a, rounded to r, to the integer type t:
 * a truncating conversion of a where r is in t's range (else of 0), whose
 * value is not used. (Out of range, FPToFixed raises invalid only.) */
static void inexact_probe(A64Lift *l, IrRef a, IrRef r, IrType t, bool is_unsigned) {
  IrFunc *fn = l->fn;
  IrType ft = ir_typeof(fn, a);
  unsigned bits = ir_type_bits(ir_type_lane(t));
  bool f32 = ir_type_lane(ft) == IR_T_f32;
  int lo_e = (int)bits - 1, hi_e = (int)bits - (is_unsigned ? 0 : 1); /* 2^lo_e, 2^hi_e */
  uint64_t lo = is_unsigned ? 0
                : f32   ? 0x80000000u | (uint64_t)(127 + lo_e) << 23
                        : 1ull << 63 | (uint64_t)(1023 + lo_e) << 52;
  uint64_t hi = f32 ? (uint64_t)(127 + hi_e) << 23 : (uint64_t)(1023 + hi_e) << 52;
  IrRef in = ir_op2(fn, IR_OP_and, fcmp_mask(l, IR_PRED_foge, r, fconst(l, ft, lo)),
                    fcmp_mask(l, IR_PRED_folt, r, fconst(l, ft, hi)));
  IrRef args[2] = {a64_cast(l, a64_blend(l, in, a, fconst(l, ft, 0)), ft), a64_rm(l, IR_RM_ZERO)};
  ir_emit(fn, IR_OP_ftoi, t, 2, args, IR_CVT_SAT | (is_unsigned ? IR_CVT_UNSIGNED : 0), 0);
}

IrRef a64_fp_toint(A64Lift *l, IrRef a, IrType t, bool is_unsigned, unsigned mode, IrRef rm) {
  if (mode == A64_RM_TIEAWAY) {
    IrRef r = round_tieaway(l, a, false);
    inexact_probe(l, a, r, t, is_unsigned);
    a = r; /* integral: its conversion raises invalid only */
    rm = a64_rm(l, IR_RM_ZERO);
  }
  if (!ir_type_is_vec(t) && !is_unsigned)
    return toint_signed(l, a, t, rm);
  if (t == IR_T_i32)
    return toint_u32(l, a, rm);
  IrRef args[2] = {a, rm};
  return ir_emit(l->fn, IR_OP_ftoi, t, 2, args, IR_CVT_SAT | (is_unsigned ? IR_CVT_UNSIGNED : 0), 0);
}

IrRef a64_fp_scale(A64Lift *l, IrRef a, int e) {
  IrType t = ir_typeof(l->fn, a);
  bool f32 = ir_type_lane(t) == IR_T_f32;
  uint64_t bits = f32 ? (uint64_t)(127 + e) << 23 : (uint64_t)(1023 + e) << 52;
  return ir_op3(l->fn, IR_OP_fmul, a, fconst(l, t, bits), a64_rm(l, IR_RM_NEAREST));
}

/* a * 2^fbits for a conversion to a 64-bit-or-narrower integer: a value that
 * large would overflow the float (overflow, inexact: flags FPToFixed never
 * raises), so |a| >= 2^(64 - fbits) is first made 2^(64 - fbits) of its sign,
 * which still converts out of range (invalid, the same saturated result). */
IrRef a64_fp_scale_toint(A64Lift *l, IrRef a, unsigned fbits) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a), it = a64_itype(t);
  bool f32 = ir_type_lane(t) == IR_T_f32;
  int e = 64 - (int)fbits;
  uint64_t lim = f32 ? (uint64_t)(127 + e) << 23 : (uint64_t)(1023 + e) << 52;
  IrRef big = fcmp_mask(l, IR_PRED_foge, ir_op1(fn, IR_OP_fabs, a), fconst(l, t, lim));
  IrRef sign = ir_op2(fn, IR_OP_and, a64_cast(l, a, it), a64_lanes(l, it, fpk(t).sign));
  IrRef clamped = a64_cast(l, ir_op2(fn, IR_OP_or, sign, a64_lanes(l, it, lim)), t);
  return a64_fp_scale(l, a64_blend(l, big, clamped, a), (int)fbits);
}

/* v with every byte from `bytes` on a lane of 1 (1.0 for float lanes; 0 if
 * !one): the lanes an instruction does not compute, made harmless for the ops
 * that do compute them (1 op 1 raises no flag; 0 for a scaled conversion). */
IrRef a64_lanes_fill(A64Lift *l, IrRef v, unsigned bytes, bool one) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, v), lt = ir_type_lane(t);
  if (bytes >= 16)
    return v;
  uint64_t fill = !one ? 0 : lt == IR_T_f32 ? 0x3f800000u : lt == IR_T_f64 ? 0x3ff0000000000000ull : 1;
  IrRef ones = a64_lanes(l, a64_itype(t), fill);
  uint64_t lo = bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1, hi = 0;
  IrRef keep = ir_vconst(fn, IR_T_v2i64, (IrV128){lo, hi});
  IrRef x = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_and, a64_cast(l, v, IR_T_v2i64), keep),
                   ir_op2(fn, IR_OP_andn, a64_cast(l, ones, IR_T_v2i64), keep));
  return a64_cast(l, x, t);
}
