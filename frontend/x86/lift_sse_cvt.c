/* lift_sse_cvt.c — SSE/SSE2 conversions between integers, single and double:
 * cvtsi2s{s,d}, cvt(t)s{s,d}2si, cvtss2sd/cvtsd2ss, cvtps2pd/cvtpd2ps,
 * cvtdq2ps/cvt(t)ps2dq, cvtdq2pd/cvt(t)pd2dq. Rounding is MXCSR.RC, or toward
 * zero for the cvtt forms; NaN and out-of-range give x86's "integer indefinite"
 * (MIN of the type), which is IR ftoi without .sat. The MMX forms (cvtpi2ps...)
 * are in lift_mmx.c. */
#include "x86_fp.h"

enum { RC_MXCSR = 0, RC_TRUNC = 1 }; /* cvt vs cvtt */

static IrRef rounding(X86Lift *l, int trunc) {
  return trunc ? ir_const(l->fn, IR_T_i8, IR_RM_ZERO) : x86_fp_rm(l);
}

/* cvtsi2ss / cvtsi2sd xmm, r/m32|64: a = the float type; dest's other lanes kept. */
static bool lift_cvtsi2f(X86Lift *l, const X86Lifter *e) {
  IrRef src = x86_get(l, 1), rm = x86_fp_rm(l);
  IrRef args[2] = {src, rm};
  IrRef f = ir_emit(l->fn, IR_OP_itof, (IrType)e->a, 2, args, IR_CVT_SIGNED, 0);
  x86_fp_put_lane0(l, 0, f);
  return true;
}

/* cvt(t)ss2si / cvt(t)sd2si r32|64, xmm/m: a = the float type, b = RC_*. */
static bool lift_cvtf2si(X86Lift *l, const X86Lifter *e) {
  IrRef src = x86_fp_scalar(l, 1, (IrType)e->a);
  IrRef args[2] = {src, rounding(l, e->b)};
  x86_put(l, 0, ir_emit(l->fn, IR_OP_ftoi, x86_optype(l, 0), 2, args, IR_CVT_SIGNED, 0));
  return true;
}

/* cvtss2sd / cvtsd2ss xmm, xmm/m: a = source float type, b = destination. */
static bool lift_cvtf2f(X86Lift *l, const X86Lifter *e) {
  IrRef src = x86_fp_scalar(l, 1, (IrType)e->a);
  IrRef args[2] = {src, x86_fp_rm(l)};
  x86_fp_put_lane0(l, 0, ir_emit(l->fn, IR_OP_fcvt, (IrType)e->b, 2, args, 0, 0));
  return true;
}

/* cvtps2pd xmm, xmm/m64: lanes 0 and 1, widened (exact). */
static bool lift_cvtps2pd(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef args[2] = {x86_fp_low64(l, 1, IR_T_v4f32), x86_fp_rm(l)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_fcvt, IR_T_v2f64, 2, args, 0, 0));
  return true;
}

/* cvtpd2ps xmm, xmm/m128: two rounded lanes, the upper two zeroed. */
static bool lift_cvtpd2ps(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef args[2] = {x86_sse_get(l, 1, IR_T_v2f64), x86_fp_rm(l)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_fcvt, IR_T_v4f32, 2, args, 0, 0));
  return true;
}

/* cvtdq2ps xmm, xmm/m128. */
static bool lift_cvtdq2ps(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef args[2] = {x86_sse_get(l, 1, IR_T_v4i32), x86_fp_rm(l)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_itof, IR_T_v4f32, 2, args, IR_CVT_SIGNED, 0));
  return true;
}

/* cvt(t)ps2dq xmm, xmm/m128: b = RC_*. */
static bool lift_cvtps2dq(X86Lift *l, const X86Lifter *e) {
  IrRef args[2] = {x86_sse_get(l, 1, IR_T_v4f32), rounding(l, e->b)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_ftoi, IR_T_v4i32, 2, args, IR_CVT_SIGNED, 0));
  return true;
}

/* cvtdq2pd xmm, xmm/m64: lanes 0 and 1, sign-extended to 64 bits (every int32
 * is exact as a double, so converting from i64 is the same). */
static bool lift_cvtdq2pd(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef v = x86_fp_low64(l, 1, IR_T_v4i32);
  IrRef wide = ir_emit(l->fn, IR_OP_vwidenlo, IR_T_v2i64, 1, &v, IR_WIDEN_SIGN, 0);
  IrRef args[2] = {wide, x86_fp_rm(l)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_itof, IR_T_v2f64, 2, args, IR_CVT_SIGNED, 0));
  return true;
}

/* cvt(t)pd2dq xmm, xmm/m128: two lanes to int32 (indefinite out of the int32
 * range, so lane by lane at i32), the upper two zeroed. b = RC_*. */
static bool lift_cvtpd2dq(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  IrRef v = x86_sse_get(l, 1, IR_T_v2f64), rm = rounding(l, e->b);
  IrRef r = ir_vconst(fn, IR_T_v4i32, (IrV128){0, 0});
  for (unsigned i = 0; i < 2; i++) {
    IrRef x = ir_emit(fn, IR_OP_vextract, IR_T_f64, 1, &v, i, 0);
    IrRef cargs[2] = {x, rm};
    IrRef n = ir_emit(fn, IR_OP_ftoi, IR_T_i32, 2, cargs, IR_CVT_SIGNED, 0);
    IrRef iargs[2] = {r, n};
    r = ir_emit(fn, IR_OP_vinsert, IR_T_v4i32, 2, iargs, i, 0);
  }
  x86_sse_put(l, 0, r);
  return true;
}

const X86Lifter x86_lifters_sse_cvt[] = {
    {ZYDIS_MNEMONIC_CVTSI2SS, lift_cvtsi2f, IR_T_f32, 0},
    {ZYDIS_MNEMONIC_CVTSI2SD, lift_cvtsi2f, IR_T_f64, 0},
    {ZYDIS_MNEMONIC_CVTSS2SI, lift_cvtf2si, IR_T_f32, RC_MXCSR},
    {ZYDIS_MNEMONIC_CVTTSS2SI, lift_cvtf2si, IR_T_f32, RC_TRUNC},
    {ZYDIS_MNEMONIC_CVTSD2SI, lift_cvtf2si, IR_T_f64, RC_MXCSR},
    {ZYDIS_MNEMONIC_CVTTSD2SI, lift_cvtf2si, IR_T_f64, RC_TRUNC},
    {ZYDIS_MNEMONIC_CVTSS2SD, lift_cvtf2f, IR_T_f32, IR_T_f64},
    {ZYDIS_MNEMONIC_CVTSD2SS, lift_cvtf2f, IR_T_f64, IR_T_f32},
    {ZYDIS_MNEMONIC_CVTPS2PD, lift_cvtps2pd, 0, 0},
    {ZYDIS_MNEMONIC_CVTPD2PS, lift_cvtpd2ps, 0, 0},
    {ZYDIS_MNEMONIC_CVTDQ2PS, lift_cvtdq2ps, 0, 0},
    {ZYDIS_MNEMONIC_CVTPS2DQ, lift_cvtps2dq, 0, RC_MXCSR},
    {ZYDIS_MNEMONIC_CVTTPS2DQ, lift_cvtps2dq, 0, RC_TRUNC},
    {ZYDIS_MNEMONIC_CVTDQ2PD, lift_cvtdq2pd, 0, 0},
    {ZYDIS_MNEMONIC_CVTPD2DQ, lift_cvtpd2dq, 0, RC_MXCSR},
    {ZYDIS_MNEMONIC_CVTTPD2DQ, lift_cvtpd2dq, 0, RC_TRUNC},
    {0, NULL, 0, 0},
};
