/* lift_sse_mov.c — SSE..SSE4.1 data movement: whole-register moves (aligned,
 * unaligned, non-temporal), movd/movq, the move forms of movss/movsd, 64-bit half
 * moves (movlps...movlhps), SSE3 duplicates, sign masks, pinsr/pextr/insertps/
 * extractps, pmovzx/pmovsx, maskmovdqu. Arithmetic lives in lift_sse_int.c,
 * shuffles in lift_sse_shuf.c. */
#include "lift_sse.h"

/* movdqa movdqu movaps movups movapd movupd lddqu movntdqa movntdq movntps
 * movntpd: a 128-bit copy; x86_sse_get/put apply the alignment rule, and a
 * non-temporal hint is only a hint. */
static bool lift_mov128(X86Lift *l, const X86Lifter *e) {
  (void)e;
  x86_sse_put(l, 0, x86_sse_get(l, 1, IR_T_v2i64));
  return true;
}

/* movnti m32/m64, r: a plain store. */
static bool lift_movnti(X86Lift *l, const X86Lifter *e) {
  (void)e;
  x86_put(l, 0, x86_get(l, 1));
  return true;
}

/* movd/movq: into an xmm the value is zero-extended to 128 bits (movq xmm, xmm
 * too); out of an xmm it is the low 32 or 64 bits. */
static bool lift_movdq(X86Lift *l, const X86Lifter *e) {
  IrType t = x86_type_of_bits((unsigned)e->a);
  if (x86_sse_is_xmm(l, 0)) {
    x86_sse_put(l, 0, x86_sse_zext128(l, x86_sse_get_low(l, 1, t)));
    return true;
  }
  if (!x86_sse_is_xmm(l, 1))
    return false;
  x86_put(l, 0, x86_sse_get_low(l, 1, t));
  return true;
}

/* movss/movsd, move forms (a = lane bits): a load zero-extends, a register copy
 * replaces the low lane only, a store writes the low lane. The string movsd has
 * no xmm operand and is not ours. */
static bool lift_movscalar(X86Lift *l, const X86Lifter *e) {
  IrType lt = x86_type_of_bits((unsigned)e->a);
  IrType vt = lt == IR_T_i32 ? IR_T_v4i32 : IR_T_v2i64;
  if (!x86_sse_is_xmm(l, 0) && !x86_sse_is_xmm(l, 1))
    return false;
  IrRef s = x86_sse_get_low(l, 1, lt);
  if (!x86_sse_is_xmm(l, 0)) {
    x86_put(l, 0, s);
  } else if (x86_is_mem(l, 1)) {
    x86_sse_put(l, 0, x86_sse_zext128(l, s));
  } else {
    IrRef args[2] = {x86_sse_get(l, 0, vt), s};
    x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_vinsert, vt, 2, args, 0, 0));
  }
  return true;
}

/* 64-bit halves: lane a of operand 0 = lane b of operand 1, where a memory
 * operand is just the 64-bit value. movlps/movlpd (0,0), movhps/movhpd (1,1),
 * movhlps (0,1), movlhps (1,0). */
static bool lift_movhalf(X86Lift *l, const X86Lifter *e) {
  IrRef s;
  if (x86_sse_is_xmm(l, 1)) {
    IrRef v = x86_sse_get(l, 1, IR_T_v2i64);
    s = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, (uint64_t)e->b, 0);
  } else {
    s = x86_get_as(l, 1, IR_T_i64);
  }
  if (!x86_sse_is_xmm(l, 0)) {
    x86_put(l, 0, s);
    return true;
  }
  IrRef args[2] = {x86_sse_get(l, 0, IR_T_v2i64), s};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_vinsert, IR_T_v2i64, 2, args, (uint64_t)e->a, 0));
  return true;
}

/* movddup: both qwords = the low qword of the source (m64 or xmm). */
static bool lift_movddup(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef s = x86_sse_get_low(l, 1, IR_T_i64);
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_vsplat, IR_T_v2i64, 1, &s, 0, 0));
  return true;
}

/* movsldup (a = 0) / movshdup (a = 1): dwords a, a, a+2, a+2. */
static bool lift_movsdup(X86Lift *l, const X86Lifter *e) {
  uint8_t sel[4] = {(uint8_t)e->a, (uint8_t)e->a, (uint8_t)(e->a + 2), (uint8_t)(e->a + 2)};
  x86_sse_put(l, 0, x86_sse_permute(l, x86_sse_get(l, 1, IR_T_v4i32), IR_NONE, 4, sel));
  return true;
}

/* pmovmskb movmskps movmskpd (a = lane type): the lanes' top bits into a GPR. */
static bool lift_movmsk(X86Lift *l, const X86Lifter *e) {
  IrRef v = x86_sse_get(l, 1, (IrType)e->a);
  x86_put(l, 0, ir_emit(l->fn, IR_OP_vmovmsk, x86_optype(l, 0), 1, &v, 0, 0));
  return true;
}

/* pinsrb/w/d/q (a = vector type): lane imm (modulo the lane count) = the low
 * bits of a GPR or a memory value. */
static bool lift_pinsr(X86Lift *l, const X86Lifter *e) {
  IrType vt = (IrType)e->a;
  unsigned lane = (unsigned)l->op[2].imm.value.u & (ir_type_info[vt].lanes - 1u);
  IrRef args[2] = {x86_sse_get(l, 0, vt), x86_get_as(l, 1, ir_type_lane(vt))};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_vinsert, vt, 2, args, lane, 0));
  return true;
}

/* pextrb/w/d/q, extractps (a = vector type): lane imm into a GPR (zero-extended)
 * or memory. */
static bool lift_pextr(X86Lift *l, const X86Lifter *e) {
  IrType vt = (IrType)e->a;
  unsigned lane = (unsigned)l->op[2].imm.value.u & (ir_type_info[vt].lanes - 1u);
  IrRef v = x86_sse_get(l, 1, vt);
  IrRef s = ir_emit(l->fn, IR_OP_vextract, ir_type_lane(vt), 1, &v, lane, 0);
  IrType dt = x86_optype(l, 0);
  if (ir_type_bits(dt) > ir_type_bits(ir_type_lane(vt)))
    s = ir_cast(l->fn, IR_OP_zext, dt, s);
  x86_put(l, 0, s);
  return true;
}

/* insertps: dword imm[7:6] of the source register (or m32) into lane imm[5:4],
 * then the lanes set in imm[3:0] are zeroed. */
static bool lift_insertps(X86Lift *l, const X86Lifter *e) {
  (void)e;
  unsigned imm = (unsigned)l->op[2].imm.value.u & 0xff;
  IrRef s;
  if (x86_sse_is_xmm(l, 1)) {
    IrRef v = x86_sse_get(l, 1, IR_T_v4i32);
    s = ir_emit(l->fn, IR_OP_vextract, IR_T_i32, 1, &v, imm >> 6, 0);
  } else {
    s = x86_get_as(l, 1, IR_T_i32);
  }
  IrRef args[2] = {x86_sse_get(l, 0, IR_T_v4i32), s};
  IrRef r = ir_emit(l->fn, IR_OP_vinsert, IR_T_v4i32, 2, args, (imm >> 4) & 3, 0);
  if (imm & 15) {
    uint64_t keep[2] = {0, 0};
    for (unsigned i = 0; i < 4; i++)
      if (!(imm >> i & 1))
        keep[i / 2] |= 0xffffffffull << (32 * (i % 2));
    r = ir_op2(l->fn, IR_OP_and, r, x86_sse_const(l, IR_T_v4i32, keep[0], keep[1]));
  }
  x86_sse_put(l, 0, r);
  return true;
}

/* pmovzx/pmovsx: a = source lane type's vector, b = result vector type, plus 0x100
 * for sign extension. The source is the low lanes of an xmm or a smaller memory
 * operand; each vwidenlo doubles the lane width. */
static bool lift_pmovx(X86Lift *l, const X86Lifter *e) {
  IrType t = (IrType)e->a, want = (IrType)(e->b & 0xff);
  uint64_t kind = (e->b & 0x100) ? IR_WIDEN_SIGN : IR_WIDEN_ZERO;
  IrRef v = x86_sse_is_xmm(l, 1) ? x86_sse_get(l, 1, t)
                                 : x86_sse_cast(l, x86_sse_zext128(l, x86_get(l, 1)), t);
  while (t != want) {
    t = (IrType)(t + 1); /* v16i8 -> v8i16 -> v4i32 -> v2i64 */
    v = ir_emit(l->fn, IR_OP_vwidenlo, t, 1, &v, kind, 0);
  }
  x86_sse_put(l, 0, v);
  return true;
}

/* maskmovdqu xmm1, xmm2: the bytes of xmm1 whose xmm2 byte has its top bit set
 * are stored at [rdi] (edi with 0x67). The host checks all 16 bytes before it
 * writes any, whatever the mask: the high qword first, then the low one. Two
 * loads stand in for that check (they catch unmapped memory, not read-only
 * pages), then each selected byte is its own conditional store, so unselected
 * bytes are never written back (another thread may own them). */
static bool lift_maskmovdqu(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef data = x86_sse_get(l, 0, IR_T_v16i8), sel = x86_sse_get(l, 1, IR_T_v16i8);
  IrRef mask = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, &sel, 0, 0), base = x86_addr(l, 2);
  x86_load(l, IR_T_i64, ir_op2(fn, IR_OP_add, base, x86_i64(l, 8)));
  x86_load(l, IR_T_i64, base);
  x86_store_bytes_masked(l, data, mask, base, 16);
  return true;
}

#define ROW(mn, fn, a, b) {ZYDIS_MNEMONIC_##mn, fn, a, b}
#define PMOVX(sfx, from, to)                                                             \
  ROW(PMOVZX##sfx, lift_pmovx, IR_T_##from, IR_T_##to),                                  \
  ROW(PMOVSX##sfx, lift_pmovx, IR_T_##from, IR_T_##to | 0x100)

const X86Lifter x86_lifters_sse_mov[] = {
    ROW(MOVDQA, lift_mov128, 0, 0),   ROW(MOVDQU, lift_mov128, 0, 0),
    ROW(MOVAPS, lift_mov128, 0, 0),   ROW(MOVUPS, lift_mov128, 0, 0),
    ROW(MOVAPD, lift_mov128, 0, 0),   ROW(MOVUPD, lift_mov128, 0, 0),
    ROW(LDDQU, lift_mov128, 0, 0),    ROW(MOVNTDQA, lift_mov128, 0, 0),
    ROW(MOVNTDQ, lift_mov128, 0, 0),  ROW(MOVNTPS, lift_mov128, 0, 0),
    ROW(MOVNTPD, lift_mov128, 0, 0),  ROW(MOVNTI, lift_movnti, 0, 0),
    ROW(MOVD, lift_movdq, 32, 0),     ROW(MOVQ, lift_movdq, 64, 0),
    ROW(MOVSS, lift_movscalar, 32, 0), ROW(MOVSD, lift_movscalar, 64, 0),
    ROW(MOVLPS, lift_movhalf, 0, 0),  ROW(MOVLPD, lift_movhalf, 0, 0),
    ROW(MOVHPS, lift_movhalf, 1, 1),  ROW(MOVHPD, lift_movhalf, 1, 1),
    ROW(MOVHLPS, lift_movhalf, 0, 1), ROW(MOVLHPS, lift_movhalf, 1, 0),
    ROW(MOVDDUP, lift_movddup, 0, 0), ROW(MOVSLDUP, lift_movsdup, 0, 0),
    ROW(MOVSHDUP, lift_movsdup, 1, 0),
    ROW(PMOVMSKB, lift_movmsk, IR_T_v16i8, 0),
    ROW(MOVMSKPS, lift_movmsk, IR_T_v4i32, 0),
    ROW(MOVMSKPD, lift_movmsk, IR_T_v2i64, 0),
    ROW(PINSRB, lift_pinsr, IR_T_v16i8, 0), ROW(PINSRW, lift_pinsr, IR_T_v8i16, 0),
    ROW(PINSRD, lift_pinsr, IR_T_v4i32, 0), ROW(PINSRQ, lift_pinsr, IR_T_v2i64, 0),
    ROW(PEXTRB, lift_pextr, IR_T_v16i8, 0), ROW(PEXTRW, lift_pextr, IR_T_v8i16, 0),
    ROW(PEXTRD, lift_pextr, IR_T_v4i32, 0), ROW(PEXTRQ, lift_pextr, IR_T_v2i64, 0),
    ROW(EXTRACTPS, lift_pextr, IR_T_v4i32, 0),
    ROW(INSERTPS, lift_insertps, 0, 0),
    ROW(MASKMOVDQU, lift_maskmovdqu, 0, 0),
    PMOVX(BW, v16i8, v8i16), PMOVX(BD, v16i8, v4i32), PMOVX(BQ, v16i8, v2i64),
    PMOVX(WD, v8i16, v4i32), PMOVX(WQ, v8i16, v2i64), PMOVX(DQ, v4i32, v2i64),
    {0, NULL, 0, 0},
};
