/* ir_eval_fp.c — evaluator families of the floating-point ops (rows of the op
 * table in ir_eval.c). The rounding mode is an operand (the last one): the host
 * runs in that mode (fesetround) around the operation and is restored after.
 * Results are the host's, NaN payloads included, and so are the exception
 * flags and flushing (IR_FENV_*): each operation runs on the host under the
 * thread's FP environment, which the caller set (the runtime: the guest's; the
 * folder: a clean one). ftoi works its flags out itself. fneg/fabs are
 * sign-bit lane ops in ir_eval.c; fcmp is the compare family there. */
#include <fenv.h>
#include <math.h>

#include "ir_exec.h"

/* GCC assumes the default rounding mode (no -frounding-math here) and may move
 * arithmetic across fesetround. Every operation below therefore reads its
 * operands from and writes its result to volatile locals, which pins it between
 * the mode switches. */

static const int fe_mode[4] = {
    [IR_RM_NEAREST] = FE_TONEAREST, [IR_RM_DOWN] = FE_DOWNWARD,
    [IR_RM_UP] = FE_UPWARD, [IR_RM_ZERO] = FE_TOWARDZERO};

static float f32_of(uint64_t bits) {
  uint32_t w = (uint32_t)bits;
  float f;
  memcpy(&f, &w, 4);
  return f;
}
static double f64_of(uint64_t bits) { return ir_lane_fp(bits, IR_T_f64); }
static uint64_t bits_f32(float f) {
  uint32_t w;
  memcpy(&w, &f, 4);
  return w;
}
static uint64_t bits_f64(double d) {
  uint64_t w;
  memcpy(&w, &d, 8);
  return w;
}
static bool is_fp(IrType lane) { return lane == IR_T_f32 || lane == IR_T_f64; }

/* A NaN, by its bits: isnan() is a host compare, which raises flags itself
 * (denormal for a denormal operand). */
static bool nan_bits(uint64_t x, IrType lane) {
  if (lane == IR_T_f32)
    return (x & 0x7fffffffu) > 0x7f800000u;
  return (x & ~(1ull << 63)) > 0x7ff0000000000000ull;
}

/* The host mode for the rounding operand (the last one): its low two bits. */
static bool rounding_mode(const IrEvalCall *c, int *mode) {
  if (c->nargs == 0)
    return false;
  *mode = fe_mode[ir_lane_get(&c->a[c->nargs - 1], c->at[c->nargs - 1], 0) & 3];
  return true;
}

/* Switch the host to mode; returns the mode to restore. fesetround (x87 and
 * MXCSR) costs far more than the operation: skipped when the host is already
 * in the mode, as it nearly always is (nearest). */
static int mode_enter(int mode) {
  int saved = fegetround();
  if (saved != mode)
    fesetround(mode);
  return saved;
}
static void mode_leave(int saved, int mode) {
  if (saved != mode)
    fesetround(saved);
}

/* -- Arithmetic: fadd fsub fmul fdiv fsqrt fma fround --------------------- */

/* The square root instruction itself: libm's sqrt checks a NaN result for
 * errno with a compare of the operand, which raises "denormal" for a negative
 * denormal where the instruction raises only "invalid". */
static double sqrt_f64(double x) {
#if defined(__x86_64__)
  __asm__("sqrtsd %1, %0" : "=x"(x) : "x"(x));
  return x;
#else
  return sqrt(x);
#endif
}
static float sqrt_f32(float x) {
#if defined(__x86_64__)
  __asm__("sqrtss %1, %0" : "=x"(x) : "x"(x));
  return x;
#else
  return sqrtf(x);
#endif
}

/* GCC expands rint inline as if rounding were always to nearest (no
 * -frounding-math): called through pointers, glibc's rint honours the mode. */
static double (*volatile rint_f64)(double) = rint;
static float (*volatile rint_f32)(float) = rintf;

/* fround: IR_ROUND_INEXACT rounds with rint (inexact raised), else nearbyint. */
static double arith_f64(unsigned op, double a, double b, double c, bool inexact) {
  volatile double x = a, y = b, z = c;
  double r;
  switch (op) {
  case IR_FA_ADD: r = x + y; break;
  case IR_FA_SUB: r = x - y; break;
  case IR_FA_MUL: r = x * y; break;
  case IR_FA_DIV: r = x / y; break;
  case IR_FA_SQRT: r = sqrt_f64(x); break;
  case IR_FA_FMA: r = fma(x, y, z); break;
  default: r = inexact ? rint_f64(x) : nearbyint(x); break;
  }
  volatile double v = r;
  return v;
}

static float arith_f32(unsigned op, float a, float b, float c, bool inexact) {
  volatile float x = a, y = b, z = c;
  float r;
  switch (op) {
  case IR_FA_ADD: r = x + y; break;
  case IR_FA_SUB: r = x - y; break;
  case IR_FA_MUL: r = x * y; break;
  case IR_FA_DIV: r = x / y; break;
  case IR_FA_SQRT: r = sqrt_f32(x); break;
  case IR_FA_FMA: r = fmaf(x, y, z); break;
  default: r = inexact ? rint_f32(x) : nearbyintf(x); break;
  }
  volatile float v = r;
  return v;
}

/* Operands: the value operands (T), then the rounding mode. */
bool ir_eval_farith(const IrEvalCall *c, IrValue *out) {
  IrType lt = ir_type_lane(c->type);
  int mode;
  if (!is_fp(lt) || !rounding_mode(c, &mode) || c->nargs > 4)
    return false;
  int saved = mode_enter(mode);
  unsigned nvals = c->nargs - 1;
  uint64_t quiet = lt == IR_T_f32 ? 0x400000u : 0x8000000000000ull;
  bool inexact = c->param == IR_FA_ROUND && (c->imm & IR_ROUND_INEXACT);
  for (unsigned i = 0; i < ir_lanes(c->type); i++) {
    uint64_t x[3] = {0, 0, 0};
    for (unsigned k = 0; k < nvals; k++)
      x[k] = ir_lane_get(&c->a[k], lt, i);
    /* Run on NaNs too: the host raises the flags (invalid for a signalling one). */
    uint64_t r = lt == IR_T_f32
                     ? bits_f32(arith_f32(c->param, f32_of(x[0]), f32_of(x[1]), f32_of(x[2]), inexact))
                     : bits_f64(arith_f64(c->param, f64_of(x[0]), f64_of(x[1]), f64_of(x[2]), inexact));
    /* NaN in: the first NaN operand's payload, quieted (docs/ir-semantics.md);
     * fixed here rather than left to the C compiler's operand order. */
    for (unsigned k = 0; k < nvals; k++)
      if (nan_bits(x[k], lt)) {
        r = x[k] | quiet;
        break;
      }
    ir_lane_set(out, lt, i, r);
  }
  mode_leave(saved, mode);
  return true;
}

/* -- Conversions --------------------------------------------------------- */

static unsigned min_lanes(const IrEvalCall *c) {
  unsigned a = ir_lanes(c->type), b = ir_lanes(c->at[0]);
  return a < b ? a : b;
}

/* The float v (exact as a double) as a dt lane, rounded in the current mode. */
static uint64_t to_fp_lane(double v, IrType dt) {
  volatile double x = v;
  if (dt == IR_T_f32) {
    volatile float f = (float)x;
    return bits_f32(f);
  }
  return bits_f64(x);
}

/* fcvt: f32 <-> f64; vectors convert the lanes both types have (0, 1). */
bool ir_eval_fcvt(const IrEvalCall *c, IrValue *out) {
  IrType st = ir_type_lane(c->at[0]), dt = ir_type_lane(c->type);
  int mode;
  if (!is_fp(st) || !is_fp(dt) || !rounding_mode(c, &mode))
    return false;
  int saved = mode_enter(mode);
  for (unsigned i = 0; i < min_lanes(c); i++)
    ir_lane_set(out, dt, i, to_fp_lane(ir_lane_fp(ir_lane_get(c->a, st, i), st), dt));
  mode_leave(saved, mode);
  return true;
}

static uint64_t itof_lane(uint64_t x, unsigned bits, bool sgn, IrType dt) {
  volatile int64_t s = ir_sx(x, bits);
  volatile uint64_t u = x;
  if (dt == IR_T_f32) {
    volatile float f = sgn ? (float)s : (float)u;
    return bits_f32(f);
  }
  volatile double d = sgn ? (double)s : (double)u;
  return bits_f64(d);
}

/* itof.KIND(a, r): KIND is IR_CVT_SIGNED or IR_CVT_UNSIGNED. */
bool ir_eval_itof(const IrEvalCall *c, IrValue *out) {
  IrType st = ir_type_lane(c->at[0]), dt = ir_type_lane(c->type);
  int mode;
  if (!ir_type_is_int(st) || !is_fp(dt) || c->imm > IR_CVT_UNSIGNED || !rounding_mode(c, &mode))
    return false;
  int saved = mode_enter(mode);
  for (unsigned i = 0; i < min_lanes(c); i++)
    ir_lane_set(out, dt, i,
                itof_lane(ir_lane_get(c->a, st, i), ir_type_bits(st), c->imm == IR_CVT_SIGNED, dt));
  mode_leave(saved, mode);
  return true;
}

static double round_integral(double v) {
  volatile double x = v;
  double r = nearbyint(x);
  volatile double o = r;
  return o;
}

/* v is already integral (or NaN / infinite). Out of range or NaN: the integer
 * indefinite, or with IR_CVT_SAT the nearest bound (NaN -> 0). */
static uint64_t ftoi_lane(double v, unsigned bits, unsigned kind) {
  bool sgn = !(kind & IR_CVT_UNSIGNED), sat = kind & IR_CVT_SAT;
  double lo = sgn ? -ldexp(1, (int)bits - 1) : 0, hi = ldexp(1, (int)bits - (sgn ? 1 : 0));
  uint64_t min = sgn ? 1ull << (bits - 1) : 0, max = sgn ? ir_mask(bits - 1) : ir_mask(bits);
  uint64_t indefinite = sgn ? min : ir_mask(bits);
  if (isnan(v))
    return sat ? 0 : indefinite;
  if (v < lo)
    return sat ? min : indefinite;
  if (v >= hi)
    return sat ? max : indefinite;
  return sgn ? (uint64_t)(int64_t)v & ir_mask(bits) : (uint64_t)v;
}

/* The flags of converting v (rounded: r) to an integer of `bits`: invalid for
 * NaN or out of range (saturating or not), else inexact if rounding changed it
 * (x86 cvt*2si and Arm FPToFixed agree). */
static uint32_t ftoi_flags(double v, double r, unsigned bits, unsigned kind) {
  bool sgn = !(kind & IR_CVT_UNSIGNED);
  double lo = sgn ? -ldexp(1, (int)bits - 1) : 0, hi = ldexp(1, (int)bits - (sgn ? 1 : 0));
  if (isnan(r) || isless(r, lo) || isgreaterequal(r, hi))
    return IR_FENV_INVALID;
  return islessgreater(r, v) ? IR_FENV_INEXACT : 0;
}

/* ftoi.KIND(a, r): KIND is IR_CVT_SIGNED or IR_CVT_UNSIGNED, maybe | IR_CVT_SAT.
 * The flags are computed, not the host's: widening an f32 operand would raise
 * "denormal", which no conversion to integer does. DAZ still applies (the
 * widening flushes a denormal operand to zero then). */
bool ir_eval_ftoi(const IrEvalCall *c, IrValue *out) {
  IrType st = ir_type_lane(c->at[0]), dt = ir_type_lane(c->type);
  int mode;
  if (!is_fp(st) || !ir_type_is_int(dt) || dt == IR_T_i1 || c->imm > (IR_CVT_UNSIGNED | IR_CVT_SAT) ||
      !rounding_mode(c, &mode))
    return false;
  uint32_t env = ir_fenv_host_get(), raised = 0;
  int saved = mode_enter(mode);
  for (unsigned i = 0; i < min_lanes(c); i++) {
    double v = ir_lane_fp(ir_lane_get(c->a, st, i), st);
    double r = round_integral(v);
    raised |= ftoi_flags(v, r, ir_type_bits(dt), (unsigned)c->imm);
    ir_lane_set(out, dt, i, ftoi_lane(r, ir_type_bits(dt), (unsigned)c->imm));
  }
  mode_leave(saved, mode);
  ir_fenv_host_set(env | raised);
  return true;
}
