/* bf_lower_vec.c — 128-bit vector ops: lane-wise integer arithmetic and
 * compares (called from the scalar lowerings when the type is a vector) and
 * the lane ops. What one SSE2..SSE4.2 instruction does, when the host has it,
 * is native (table below); everything else goes through the ir_eval helper
 * on 16-byte frame slots, so it is correct if slow. */
#include "bf_int.h"

enum { L8, L16, L32, L64 }; /* lane size index */
enum { NEED_SSE41 = 1, NEED_SSE42 = 2 };

typedef struct VecRow {
  int16_t op[4]; /* X64SseOp per lane size, -1 if none */
  uint8_t need[4];
} VecRow;
#define NO (-1)

/* Two-operand lane ops: d = d OP b. */
static const VecRow vec_rows[IR_OP__COUNT] = {
    [IR_OP_add] = {{X64_PADDB, X64_PADDW, X64_PADDD, X64_PADDQ}, {0}},
    [IR_OP_sub] = {{X64_PSUBB, X64_PSUBW, X64_PSUBD, X64_PSUBQ}, {0}},
    [IR_OP_and] = {{X64_PAND, X64_PAND, X64_PAND, X64_PAND}, {0}},
    [IR_OP_or] = {{X64_POR, X64_POR, X64_POR, X64_POR}, {0}},
    [IR_OP_xor] = {{X64_PXOR, X64_PXOR, X64_PXOR, X64_PXOR}, {0}},
    [IR_OP_mul] = {{NO, X64_PMULLW, X64_PMULLD, NO}, {0, 0, NEED_SSE41, 0}},
    [IR_OP_mulhu] = {{NO, X64_PMULHUW, NO, NO}, {0}},
    [IR_OP_mulhs] = {{NO, X64_PMULHW, NO, NO}, {0}},
    [IR_OP_uaddsat] = {{X64_PADDUSB, X64_PADDUSW, NO, NO}, {0}},
    [IR_OP_saddsat] = {{X64_PADDSB, X64_PADDSW, NO, NO}, {0}},
    [IR_OP_usubsat] = {{X64_PSUBUSB, X64_PSUBUSW, NO, NO}, {0}},
    [IR_OP_ssubsat] = {{X64_PSUBSB, X64_PSUBSW, NO, NO}, {0}},
    [IR_OP_umin] = {{X64_PMINUB, X64_PMINUW, X64_PMINUD, NO}, {0, NEED_SSE41, NEED_SSE41, 0}},
    [IR_OP_umax] = {{X64_PMAXUB, X64_PMAXUW, X64_PMAXUD, NO}, {0, NEED_SSE41, NEED_SSE41, 0}},
    [IR_OP_smin] = {{X64_PMINSB, X64_PMINSW, X64_PMINSD, NO}, {NEED_SSE41, 0, NEED_SSE41, 0}},
    [IR_OP_smax] = {{X64_PMAXSB, X64_PMAXSW, X64_PMAXSD, NO}, {NEED_SSE41, 0, NEED_SSE41, 0}},
};
/* Shifts by a scalar count in an XMM (a count >= lane bits gives 0 or the sign,
 * as the IR wants). No byte forms. */
static const VecRow shift_rows[IR_OP__COUNT] = {
    [IR_OP_shl] = {{NO, X64_PSLLW, X64_PSLLD, X64_PSLLQ}, {0}},
    [IR_OP_lshr] = {{NO, X64_PSRLW, X64_PSRLD, X64_PSRLQ}, {0}},
    [IR_OP_ashr] = {{NO, X64_PSRAW, X64_PSRAD, NO}, {0}},
};

static unsigned lane_index(IrType t) {
  switch (ir_type_bits(ir_type_lane(t))) {
  case 8: return L8;
  case 16: return L16;
  case 32: return L32;
  default: return L64;
  }
}

static bool have(uint8_t need) {
  return (!(need & NEED_SSE41) || bf_host.sse41) && (!(need & NEED_SSE42) || bf_host.sse42);
}

/* The row's instruction for type t, or -1. */
static int row_op(const VecRow *row, IrType t) {
  if (!(row->op[0] | row->op[1] | row->op[2] | row->op[3]))
    return NO; /* the op has no row */
  unsigned l = lane_index(t);
  return row->op[l] != NO && have(row->need[l]) ? row->op[l] : NO;
}

static void binop(BfCtx *c, IrRef r, IrRef x, IrRef y, X64SseOp op) {
  X64Xmm b = bf_xmm(c, y);
  x64_sse_rr(&c->a, op, bf_defx_over(c, r, x), b);
}

void bf_lower_vec_arith(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  int op = row_op(&vec_rows[in->op], t);
  if (op != NO) {
    binop(c, r, in->args[0], in->args[1], (X64SseOp)op);
    return;
  }
  switch (in->op) {
  case IR_OP_andn: /* pandn: d = ~d & src, so d starts as b */
    binop(c, r, in->args[1], in->args[0], X64_PANDN);
    return;
  case IR_OP_not: {
    X64Xmm ones = bf_tmpx(c);
    X64Xmm d = bf_defx_over(c, r, in->args[0]);
    x64_sse_rr(a, X64_PCMPEQD, ones, ones);
    x64_sse_rr(a, X64_PXOR, d, ones);
    return;
  }
  case IR_OP_neg: {
    static const X64SseOp sub[] = {X64_PSUBB, X64_PSUBW, X64_PSUBD, X64_PSUBQ};
    X64Xmm x = bf_xmm(c, in->args[0]);
    X64Xmm d = bf_defx(c, r);
    x64_sse_rr(a, X64_PXOR, d, d);
    x64_sse_rr(a, sub[lane_index(t)], d, x);
    return;
  }
  default: break;
  }
  op = row_op(&shift_rows[in->op], t);
  if (op != NO) {
    X64Reg n = bf_tmp(c);
    bf_load_into(c, in->args[1], BF_GPR, n);
    bf_zext_reg(c, n, ir_typeof(c->fn, in->args[1]));
    X64Xmm cnt = bf_tmpx(c);
    x64_sse_rr(a, X64_MOVQ_XG, cnt, n);
    x64_sse_rr(a, (X64SseOp)op, bf_defx_over(c, r, in->args[0]), cnt);
    return;
  }
  bf_eval_helper(c, r, in);
}

/* -- Compares: lane masks ----------------------------------------------------------- */

static const VecRow eq_row = {{X64_PCMPEQB, X64_PCMPEQW, X64_PCMPEQD, X64_PCMPEQQ}, {0, 0, 0, NEED_SSE41}};
static const VecRow gt_row = {{X64_PCMPGTB, X64_PCMPGTW, X64_PCMPGTD, X64_PCMPGTQ}, {0, 0, 0, NEED_SSE42}};

/* Float lane compares. AVX's vcmpps/vcmppd have every predicate, quiet (_Q: invalid
 * only for a signalling NaN) and signalling (_S: for any NaN): [signalling][pred]. */
static const uint8_t avx_pred[2][IR_PRED__COUNT] = {
    {[IR_PRED_foeq] = 0x00, [IR_PRED_fone] = 0x0C, [IR_PRED_folt] = 0x11, [IR_PRED_fole] = 0x12,
     [IR_PRED_fogt] = 0x1E, [IR_PRED_foge] = 0x1D, [IR_PRED_ford] = 0x07, [IR_PRED_fueq] = 0x08,
     [IR_PRED_fune] = 0x04, [IR_PRED_fult] = 0x19, [IR_PRED_fule] = 0x1A, [IR_PRED_fugt] = 0x16,
     [IR_PRED_fuge] = 0x15, [IR_PRED_funo] = 0x03},
    {[IR_PRED_foeq] = 0x10, [IR_PRED_fone] = 0x1C, [IR_PRED_folt] = 0x01, [IR_PRED_fole] = 0x02,
     [IR_PRED_fogt] = 0x0E, [IR_PRED_foge] = 0x0D, [IR_PRED_ford] = 0x17, [IR_PRED_fueq] = 0x18,
     [IR_PRED_fune] = 0x14, [IR_PRED_fult] = 0x09, [IR_PRED_fule] = 0x0A, [IR_PRED_fugt] = 0x06,
     [IR_PRED_fuge] = 0x05, [IR_PRED_funo] = 0x13},
};

/* Legacy cmpps/cmppd (imm 0..7) has the quiet eq unord neq ord and the
 * signalling lt le nlt nle; `swap` compares (b, a); ok = 0: not there. */
typedef struct FpVec {
  bool ok, swap;
  uint8_t imm;
} FpVec;
static const FpVec sse_pred[2][IR_PRED__COUNT] = {
    {[IR_PRED_foeq] = {1, 0, 0}, [IR_PRED_funo] = {1, 0, 3}, [IR_PRED_fune] = {1, 0, 4},
     [IR_PRED_ford] = {1, 0, 7}},
    {[IR_PRED_folt] = {1, 0, 1}, [IR_PRED_fole] = {1, 0, 2}, [IR_PRED_fuge] = {1, 0, 5},
     [IR_PRED_fugt] = {1, 0, 6}, [IR_PRED_fogt] = {1, 1, 1}, [IR_PRED_foge] = {1, 1, 2},
     [IR_PRED_fult] = {1, 1, 6}, [IR_PRED_fule] = {1, 1, 5}},
};

static void vec_fcmp(BfCtx *c, IrRef r, const IrInst *in) {
  IrType t = ir_typeof(c->fn, in->args[0]);
  IrRef x = in->args[0], y = in->args[1];
  bool sig = in->op == IR_OP_fcmps;
  if (bf_host.avx) {
    X64Xmm a = bf_xmm(c, x), b = bf_xmm(c, y);
    x64_vex_rrri(&c->a, t == IR_T_v4f32 ? X64_VCMPPS : X64_VCMPPD, bf_defx(c, r), a, b,
                 avx_pred[sig][in->imm]);
    return;
  }
  const FpVec *f = &sse_pred[sig][in->imm];
  if (!f->ok) {
    bf_eval_helper(c, r, in);
    return;
  }
  X64Xmm b = bf_xmm(c, f->swap ? x : y);
  x64_sse_rri(&c->a, t == IR_T_v4f32 ? X64_CMPPS : X64_CMPPD, bf_defx_over(c, r, f->swap ? y : x), b,
              f->imm);
}

void bf_lower_vec_cmp(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = ir_typeof(c->fn, in->args[0]);
  IrRef x = in->args[0], y = in->args[1];
  if (in->op != IR_OP_cmp) {
    vec_fcmp(c, r, in);
    return;
  }
  int eq = row_op(&eq_row, t), gt = row_op(&gt_row, t);
  bool invert = false;
  switch (in->imm) {
  case IR_PRED_eq: case IR_PRED_ne:
    if (eq == NO)
      break;
    binop(c, r, x, y, (X64SseOp)eq);
    invert = in->imm == IR_PRED_ne;
    goto done;
  case IR_PRED_sgt: case IR_PRED_sle: case IR_PRED_slt: case IR_PRED_sge: {
    if (gt == NO)
      break;
    bool swap = in->imm == IR_PRED_slt || in->imm == IR_PRED_sge;
    binop(c, r, swap ? y : x, swap ? x : y, (X64SseOp)gt);
    invert = in->imm == IR_PRED_sle || in->imm == IR_PRED_sge;
    goto done;
  }
  default: break;
  }
  bf_eval_helper(c, r, in);
  return;
done:
  if (invert) {
    X64Xmm ones = bf_tmpx(c);
    x64_sse_rr(a, X64_PCMPEQD, ones, ones);
    x64_sse_rr(a, X64_PXOR, (X64Xmm)c->ra.loc[r], ones);
  }
}

/* -- Lane ops -------------------------------------------------------------------------- */

/* vsplat: the scalar into lane 0, then copied to every lane. */
void bf_lower_vsplat(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType lane = ir_type_lane((IrType)in->type);
  X64Xmm d;
  if (bf_cls(lane) == BF_XMM) {
    d = bf_defx_over(c, r, in->args[0]);
    if (lane == IR_T_f32)
      x64_sse_rri(a, X64_SHUFPS, d, d, 0);
    else
      x64_sse_rr(a, X64_UNPCKLPD, d, d);
    return;
  }
  X64Reg s = bf_gpr(c, in->args[0]);
  d = bf_defx(c, r);
  x64_sse_rr(a, lane == IR_T_i64 ? X64_MOVQ_XG : X64_MOVD_XG, d, s);
  switch (lane) {
  case IR_T_i8:
    x64_sse_rr(a, X64_PUNPCKLBW, d, d); /* now a 16-bit lane of the byte twice */
    __attribute__((fallthrough));
  case IR_T_i16:
    x64_sse_rri(a, X64_PSHUFLW, d, d, 0);
    x64_sse_rr(a, X64_PUNPCKLQDQ, d, d);
    break;
  case IR_T_i32: x64_sse_rri(a, X64_PSHUFD, d, d, 0); break;
  default: x64_sse_rr(a, X64_PUNPCKLQDQ, d, d); break;
  }
}

/* vinsert: pinsr* (SSE4.1 for bytes, dwords, qwords), insertps, movsd/unpcklpd. */
void bf_lower_vinsert(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType lane = ir_type_lane((IrType)in->type);
  uint8_t k = (uint8_t)in->imm;
  if (lane == IR_T_f64) {
    X64Xmm s = bf_xmm(c, in->args[1]);
    X64Xmm d = bf_defx_over(c, r, in->args[0]);
    x64_sse_rr(a, k ? X64_UNPCKLPD : X64_MOVSD, d, s);
    return;
  }
  if (lane != IR_T_i16 && !bf_host.sse41) {
    bf_eval_helper(c, r, in);
    return;
  }
  if (lane == IR_T_f32) {
    X64Xmm s = bf_xmm(c, in->args[1]);
    x64_sse_rri(a, X64_INSERTPS, bf_defx_over(c, r, in->args[0]), s, (uint8_t)(k << 4));
    return;
  }
  static const X64SseOp ins[] = {X64_PINSRB, X64_PINSRW, X64_PINSRD, X64_PINSRQ};
  X64Reg s = bf_gpr(c, in->args[1]);
  x64_sse_rri(a, ins[lane_index((IrType)in->type)], bf_defx_over(c, r, in->args[0]), s, k);
}

/* vtbl: pshufb with indices >= 16 pushed to >= 0x80 (zero) by a saturating add. */
void bf_lower_vtbl(BfCtx *c, IrRef r, const IrInst *in) {
  if (!bf_host.ssse3) {
    bf_eval_helper(c, r, in);
    return;
  }
  static const uint8_t bias[16] = {0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70,
                                   0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70, 0x70};
  X64Xmm idx = bf_tmpx(c);
  bf_load_into(c, in->args[1], BF_XMM, idx);
  x64_sse_rm(&c->a, X64_PADDUSB, idx, x64_mem_rip(0));
  bf_rip_lit(c, bias, 16);
  x64_sse_rr(&c->a, X64_PSHUFB, bf_defx_over(c, r, in->args[0]), idx);
}

/* vmovmsk: pmovmskb / movmskps / movmskpd; 16-bit lanes packed to bytes first
 * (signed saturation keeps each lane's sign). */
void bf_lower_vmovmsk(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType vt = ir_typeof(c->fn, in->args[0]);
  X64Xmm v = bf_xmm(c, in->args[0]);
  switch (lane_index(vt)) {
  case L8: x64_sse_rr(a, X64_PMOVMSKB, bf_def(c, r), v); break;
  case L32: x64_sse_rr(a, X64_MOVMSKPS, bf_def(c, r), v); break;
  case L64: x64_sse_rr(a, X64_MOVMSKPD, bf_def(c, r), v); break;
  default: {
    X64Xmm t = bf_tmpx(c);
    x64_sse_rr(a, X64_MOVAPS, t, v);
    x64_sse_rr(a, X64_PACKSSWB, t, t);
    X64Reg d = bf_def(c, r);
    x64_sse_rr(a, X64_PMOVMSKB, d, t);
    x64_alu_ri(a, X64_AND, X64_S32, d, 0xff);
    break;
  }
  }
}

/* vziplo / vziphi: the unpacks, by lane size (float lanes are the same bits). */
static void zip(BfCtx *c, IrRef r, const IrInst *in, bool hi) {
  static const X64SseOp lo_ops[] = {X64_PUNPCKLBW, X64_PUNPCKLWD, X64_PUNPCKLDQ, X64_PUNPCKLQDQ};
  static const X64SseOp hi_ops[] = {X64_PUNPCKHBW, X64_PUNPCKHWD, X64_PUNPCKHDQ, X64_PUNPCKHQDQ};
  unsigned l = lane_index((IrType)in->type);
  binop(c, r, in->args[0], in->args[1], hi ? hi_ops[l] : lo_ops[l]);
}
void bf_lower_vziplo(BfCtx *c, IrRef r, const IrInst *in) { zip(c, r, in, false); }
void bf_lower_vziphi(BfCtx *c, IrRef r, const IrInst *in) { zip(c, r, in, true); }

/* vnarrow: the pack instructions for the saturating kinds x86 has. */
void bf_lower_vnarrow(BfCtx *c, IrRef r, const IrInst *in) {
  int op = NO;
  IrType t = (IrType)in->type;
  if (in->imm == IR_NARROW_SSAT)
    op = t == IR_T_v16i8 ? X64_PACKSSWB : t == IR_T_v8i16 ? X64_PACKSSDW : NO;
  else if (in->imm == IR_NARROW_USAT)
    op = t == IR_T_v16i8 ? X64_PACKUSWB : t == IR_T_v8i16 && bf_host.sse41 ? X64_PACKUSDW : NO;
  if (op == NO)
    bf_eval_helper(c, r, in);
  else
    binop(c, r, in->args[0], in->args[1], (X64SseOp)op);
}

/* vwidenlo / vwidenhi: SSE4.1 pmovzx / pmovsx (of the high half moved down). */
static void widen(BfCtx *c, IrRef r, const IrInst *in, bool hi) {
  static const X64SseOp zx[] = {X64_PMOVZXBW, X64_PMOVZXWD, X64_PMOVZXDQ};
  static const X64SseOp sx[] = {X64_PMOVSXBW, X64_PMOVSXWD, X64_PMOVSXDQ};
  if (!bf_host.sse41) {
    bf_eval_helper(c, r, in);
    return;
  }
  unsigned l = lane_index(ir_typeof(c->fn, in->args[0]));
  X64Xmm s = bf_xmm(c, in->args[0]);
  X64Xmm d = bf_defx(c, r);
  if (hi) {
    x64_sse_rr(&c->a, X64_MOVAPS, d, s);
    x64_sse_ri(&c->a, X64_PSRLDQ, d, 8);
    s = d;
  }
  x64_sse_rr(&c->a, in->imm == IR_WIDEN_SIGN ? sx[l] : zx[l], d, s);
}
void bf_lower_vwidenlo(BfCtx *c, IrRef r, const IrInst *in) { widen(c, r, in, false); }
void bf_lower_vwidenhi(BfCtx *c, IrRef r, const IrInst *in) { widen(c, r, in, true); }

/* vextract: the lane moved to a GPR (integers) or to lane 0 of an XMM (floats). */
void bf_lower_vextract(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  unsigned lane = (unsigned)in->imm, bytes = ir_type_info[t].bytes;
  X64Xmm v = bf_xmm(c, in->args[0]);
  X64Xmm sh = bf_tmpx(c);
  x64_sse_rr(a, X64_MOVAPS, sh, v);
  if (lane)
    x64_sse_ri(a, X64_PSRLDQ, sh, (uint8_t)(lane * bytes));
  if (bf_cls(t) == BF_XMM)
    x64_sse_rr(a, X64_MOVAPS, bf_defx(c, r), sh);
  else
    x64_sse_rr(a, bytes == 8 ? X64_MOVQ_GX : X64_MOVD_GX, bf_def(c, r), sh);
}
