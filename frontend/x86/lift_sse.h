/* lift_sse.h — operand helpers shared by the SSE lifters (lift_sse_mov.c,
 * lift_sse_int.c, lift_sse_shuf.c, lift_sse42.c): XMM operands as whole 128-bit
 * values in the lane type an instruction works on, legacy SSE's 16-byte alignment
 * rule for m128 operands, constant vectors and constant lane permutations. */
#ifndef EMU_LIFT_SSE_H
#define EMU_LIFT_SSE_H

#include "x86_lift.h"

bool x86_sse_is_xmm(const X86Lift *l, int i);
IrRef x86_sse_cast(X86Lift *l, IrRef v, IrType t); /* bitcast to t (free) */

/* xmmN, and operand i (xmm or m128) as type t. Legacy SSE faults on an m128
 * that is not 16-byte aligned, except for the few "unaligned" instructions. */
IrRef x86_sse_xmm(X86Lift *l, unsigned n, IrType t);
void x86_sse_xmm_put(X86Lift *l, unsigned n, IrRef v);
IrRef x86_sse_get(X86Lift *l, int i, IrType t);
void x86_sse_put(X86Lift *l, int i, IrRef v); /* whole xmm, or an m128 store */

/* A scalar t (i8..i64) from operand i: the low bits of an xmm, a GPR or memory. */
IrRef x86_sse_get_low(X86Lift *l, int i, IrType t);
/* A scalar (i8..i64) zero-extended into a whole v2i64 (movd, movq, movss loads). */
IrRef x86_sse_zext128(X86Lift *l, IrRef s);

/* Constant vectors. */
IrRef x86_sse_const(X86Lift *l, IrType t, uint64_t lo, uint64_t hi);
IrRef x86_sse_splat(X86Lift *l, IrType t, uint64_t lane); /* every lane = lane */

/* Constant permutations. sel has one entry per lane of lane_bytes bytes: lanes
 * 0..n-1 of a, n..2n-1 of b (n = 16 / lane_bytes), X86_SSE_ZERO for zero. The
 * result is v16i8. With b == IR_NONE only a is used. */
#define X86_SSE_ZERO 0xffu
IrRef x86_sse_permute(X86Lift *l, IrRef a, IrRef b, unsigned lane_bytes, const uint8_t *sel);
/* maskmov*: store the first n bytes of data (v16i8) whose mask (i32) bit is set. */
void x86_store_bytes_masked(X86Lift *l, IrRef data, IrRef mask, IrRef base, unsigned n);

#endif
