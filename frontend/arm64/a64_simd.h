/* a64_simd.h — the vocabulary of the FP and Advanced SIMD lifters (lift_fp*.c,
 * lift_simd*.c): vector shapes, lane constants, masks and blends, byte
 * permutations, and Arm's floating-point rules where they differ from the IR's
 * (NaN selection, the default NaN, min/max, ties-away rounding).
 *
 * Masks are i1 for scalars and all-ones/zero lanes of an integer vector type
 * for vectors, so one function serves the scalar and the vector forms.
 */
#ifndef EMU_A64_SIMD_H
#define EMU_A64_SIMD_H

#include "a64_lift.h"

/* -- Shapes and constants ---------------------------------------------------- */

/* The integer vector type of element size `size` (0..3: 8..64 bits). */
IrType a64_vt(unsigned size);
/* The float vector type: sz 0 = v4f32, 1 = v2f64. */
static inline IrType a64_vtf(unsigned sz) { return sz ? IR_T_v2f64 : IR_T_v4f32; }
/* The scalar float type: sz 0 = f32, 1 = f64. */
static inline IrType a64_ft(unsigned sz) { return sz ? IR_T_f64 : IR_T_f32; }
/* The integer type with t's lanes and width (f32 -> i32, v2f64 -> v2i64). */
IrType a64_itype(IrType t);
/* The float type with t's lanes and width (i64 -> f64, v4i32 -> v4f32). */
IrType a64_ftype(IrType t);
/* v as type t (a bitcast unless it already is). */
IrRef a64_cast(A64Lift *l, IrRef v, IrType t);
/* A constant of type t (scalar or vector) with every lane = x. */
IrRef a64_lanes(A64Lift *l, IrType t, uint64_t x);
/* A rounding-mode operand for a fixed IR_RM_* mode. */
IrRef a64_rm(A64Lift *l, unsigned mode);

/* Write a vector result: all 128 bits (q) or the low 64, zeroing the rest. */
void a64_set_vq(A64Lift *l, unsigned r, IrRef v, bool q);
/* Write lane 0 of v (any vector type) as a scalar result, zeroing the rest. */
void a64_set_lane0(A64Lift *l, unsigned r, IrRef v);
/* The high 64 bits of v moved to the low 64 (the high half then repeats). */
IrRef a64_hi64(A64Lift *l, IrRef v);
/* The low 64 bits of lo, then the low 64 bits of hi, as one vector of lo's type. */
IrRef a64_join64(A64Lift *l, IrRef lo, IrRef hi);

/* -- Masks ------------------------------------------------------------------- */

/* cmp.p, with unsigned vector compares as signed ones on values biased by the
 * sign bit (what SSE has instructions for). */
IrRef a64_vcmp(A64Lift *l, IrPred p, IrRef a, IrRef b);
/* A compare's result (fcmp lanes are float typed) as a mask of integers. */
IrRef a64_mask(A64Lift *l, IrRef cmp);
/* Lane-wise m ? x : y; x and y share a type, m is a mask of its width. */
IrRef a64_blend(A64Lift *l, IrRef m, IrRef x, IrRef y);
/* A mask (i1 or lanes) as the all-ones/zero value of integer type t. */
IrRef a64_mask_value(A64Lift *l, IrRef m, IrType t);

/* FPSR.QC (sticky): set if sat differs from exact (same type) in any of the low
 * `bytes` bytes: a saturating op against its wrapping twin. */
void a64_set_qc(A64Lift *l, IrRef sat, IrRef exact, unsigned bytes);
#define A64_FPSR_QC (1u << 27)
/* w's lanes narrowed per IR_NARROW_* into the low 64 bits of type t (the high
 * half is unspecified), setting QC if a saturating kind clamps one of the low
 * `bytes` bytes of w. */
IrRef a64_narrow(A64Lift *l, IrRef w, IrType t, unsigned kind, unsigned bytes);

/* -- Lanes moved across -------------------------------------------------------- */

/* out byte i = byte idx[i] of the concatenation src[0] src[1] ... (16 bytes each),
 * or 0 for idx[i] >= 16 * n. The result has src[0]'s type. */
IrRef a64_perm(A64Lift *l, const IrRef *src, unsigned n, const uint8_t idx[16]);
/* mul of integer lanes (byte lanes too, which SSE lacks). */
IrRef a64_vmul(A64Lift *l, IrRef a, IrRef b);
/* shl / lshr / ashr of every lane by the constant n (byte lanes included). */
IrRef a64_vshift(A64Lift *l, IrOp op, IrRef v, unsigned n);
/* The even (odd = false) or odd lanes of the concatenation a:b, lanes of esize
 * bytes; with half, only the low 64 bits of a and b are used (a 64-bit result). */
IrRef a64_unzip(A64Lift *l, IrRef a, IrRef b, unsigned esize, bool odd, bool half);

/* -- Lanes done in C (lift_simd_helper.c) -------------------------------------- */

enum {
  A64_VH_SSHL, A64_VH_USHL, A64_VH_SRSHL, A64_VH_URSHL, A64_VH_SQSHL, A64_VH_UQSHL,
  A64_VH_SQRSHL, A64_VH_UQRSHL, A64_VH_SQSHL_IMM, A64_VH_UQSHL_IMM, A64_VH_SQSHLU_IMM,
  A64_VH_SQDMULH, A64_VH_SQRDMULH, A64_VH_PMUL, A64_VH_CLZ, A64_VH_CLS, A64_VH_SUQADD,
  A64_VH_USQADD, A64_VH_FCVTL16, A64_VH_FCVTN16, A64_VH_FRECPE, A64_VH_FRSQRTE, A64_VH_FRECPX,
  A64_VH_URECPE, A64_VH_URSQRTE, A64_VH_PMULL8,
};
/* imm for sqdmulh/sqrdmulh: Vm's element `index` instead of its lanes. */
#define A64_VH_ELEM(index) (16u | (index))
/* Vd = kind(Vn, Vm, Vd) lane by lane: lanes of `size`, 128 bits (q) or 64, or
 * only lane 0 (scalar); the rest of Vd zeroed. imm: the immediate shift. */
void a64_vhelper(A64Lift *l, unsigned kind, unsigned rd, unsigned rn, unsigned rm, unsigned size,
                 bool q, bool scalar, unsigned imm);
void a64_simd_helper_init(void);

/* -- Arm floating point --------------------------------------------------------- */

/* op(a, b) for fadd fsub fmul fdiv (scalar or vector), with Arm's NaN result. */
IrRef a64_fp_arith(A64Lift *l, IrOp op, IrRef a, IrRef b, IrRef rm);
/* fsqrt with Arm's NaN result. */
IrRef a64_fp_sqrt(A64Lift *l, IrRef a, IrRef rm);
/* addend + n * m rounded once, with Arm's NaN rules (FPMulAdd). */
IrRef a64_fp_fma(A64Lift *l, IrRef addend, IrRef n, IrRef m, IrRef rm);
/* FMAX / FMIN (nm = false) and FMAXNM / FMINNM (nm). */
IrRef a64_fp_minmax(A64Lift *l, IrRef a, IrRef b, bool max, bool nm);
/* Round to integral: mode is IR_RM_* or A64_RM_TIEAWAY; rm is the operand for
 * the IR modes (ignored for ties-away); exact: raise inexact (frintx). */
#define A64_RM_TIEAWAY 4
IrRef a64_fp_round(A64Lift *l, IrRef a, unsigned mode, IrRef rm, bool exact);
/* Float to integer (scalar, or lane-wise of the same width), saturating, NaN ->
 * 0, rounded by mode as in a64_fp_round; t is the integer result type. */
IrRef a64_fp_toint(A64Lift *l, IrRef a, IrType t, bool is_unsigned, unsigned mode, IrRef rm);
/* a * 2^e for a float a and |e| <= 64, exact unless it over/underflows. */
IrRef a64_fp_scale(A64Lift *l, IrRef a, int e);
/* a * 2^fbits before a conversion to an integer of at most 64 bits: values too
 * large to matter are clamped first, so the product cannot overflow. */
IrRef a64_fp_scale_toint(A64Lift *l, IrRef a, unsigned fbits);
/* r, or where a lane is NaN and FPCR.DN is set, the default NaN (results that
 * do not go through the NaN fixes: frint*, fcvt). */
IrRef a64_fp_dn(A64Lift *l, IrRef r);
/* fcvt of a (double, or v2f64) to single t rounded by rm: FPCR.DN, and Arm's
 * tininess (underflow, flushing) as a64_fp_arith. */
IrRef a64_fp_narrow(A64Lift *l, IrRef a, IrType t, IrRef rm);
/* Lanes (mask) where a * b is infinity times zero (FPCR.FZ: or a denormal). */
IrRef a64_fp_inf_times_zero(A64Lift *l, IrRef a, IrRef b);
/* v with every byte from `bytes` on a lane of 1 (1.0 for float lanes; 0 if
 * !one): lanes an instruction does not compute (the upper half of a 64-bit
 * vector, all but lane 0 of a scalar form), harmless for the ops that run on
 * them anyway (0: for a conversion scaled by 2^fbits first). */
IrRef a64_lanes_fill(A64Lift *l, IrRef v, unsigned bytes, bool one);
static inline IrRef a64_lanes_benign(A64Lift *l, IrRef v, unsigned bytes) {
  return a64_lanes_fill(l, v, bytes, true);
}

/* VFPExpandImm: the float an 8-bit immediate stands for, as bits (sz 0: f32, 1: f64). */
uint64_t a64_fp_expand_imm(unsigned imm8, unsigned sz);

/* Half precision (no IR type): f16 bits <-> f32/f64, through helpers that
 * honour FPCR (AHP, DN, FZ of the single/double side, RMode) and raise Arm's
 * flags. */
IrRef a64_f16_to(A64Lift *l, IrRef h, IrType t); /* h: i16 bits */
IrRef a64_f16_from(A64Lift *l, IrRef f);         /* f32/f64 -> i16 bits */
void a64_fparm_init(void);

/* -- The C side of Arm floating point (helpers of rare ops) ---------------------------
 * FPCR as the helper reads it and what it raises: flags (IR_FENV_*) go into
 * the FP environment, IDC (an input denormal flushed under FZ) into FPSR. */
typedef struct A64FpCtx {
  uint32_t fpcr;
  unsigned rm;    /* FPCR.RMode as IR_RM_* */
  uint32_t flags; /* IR_FENV_* raised */
  bool idc;
} A64FpCtx;
A64FpCtx a64_fp_ctx(const A64Cpu *c);
void a64_fp_ctx_done(A64Cpu *c, const A64FpCtx *x);
/* FPUnpack's flush: a denormal single (dbl false) or double becomes zero of
 * its sign under FPCR.FZ (IDC); returns whether it did. */
bool a64_fz_flush(uint64_t *bits, bool dbl, A64FpCtx *x);
/* FPConvert between half and single (dbl false) / double bits. */
uint64_t a64_f16_to_bits(uint64_t h, bool dbl, A64FpCtx *x);
uint64_t a64_f16_from_bits(uint64_t bits, bool dbl, A64FpCtx *x);

/* a64_fpest.c: the estimates, on bits (dbl: f64, else f32). */
uint64_t a64_recpe(uint64_t x, bool dbl, A64FpCtx *c);
uint64_t a64_rsqrte(uint64_t x, bool dbl, A64FpCtx *c);
uint64_t a64_frecpx(uint64_t x, bool dbl, A64FpCtx *c);
uint64_t a64_urecpe(uint64_t x);
uint64_t a64_ursqrte(uint64_t x);

#endif
