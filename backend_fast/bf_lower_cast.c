/* bf_lower_cast.c — zext sext trunc bitcast extract sextract deposit select.
 * Narrow values carry undefined bits above their width, so widening cleans
 * them, narrowing is free (i1 keeps bit 0), and bit fields are cut with a
 * pair of 64-bit shifts. */
#include "bf_int.h"

void bf_lower_zext(BfCtx *c, IrRef r, const IrInst *in) {
  X64Reg d = bf_def_over(c, r, in->args[0]);
  bf_zext_reg(c, d, ir_typeof(c->fn, in->args[0]));
}

void bf_lower_sext(BfCtx *c, IrRef r, const IrInst *in) {
  IrType from = ir_typeof(c->fn, in->args[0]);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (from == IR_T_i1) { /* 0/1 -> 0/-1 */
    x64_widen_rr(&c->a, X64_MOVZX8, X64_S32, d, d);
    x64_unary_r(&c->a, X64_NEG, X64_S64, d);
  } else {
    bf_sext_reg(c, d, from);
  }
}

void bf_lower_trunc(BfCtx *c, IrRef r, const IrInst *in) {
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (in->type == IR_T_i1)
    x64_alu_ri(&c->a, X64_AND, X64_S32, d, 1);
}

/* Same size, other register class (or just another name). */
void bf_lower_bitcast(BfCtx *c, IrRef r, const IrInst *in) {
  IrType from = ir_typeof(c->fn, in->args[0]), to = (IrType)in->type;
  bool wide = ir_type_info[to].bytes == 8;
  if (bf_cls(from) == bf_cls(to)) {
    if (bf_cls(to) == BF_GPR)
      bf_def_over(c, r, in->args[0]);
    else
      bf_defx_over(c, r, in->args[0]);
  } else if (bf_cls(to) == BF_XMM) {
    X64Reg s = bf_gpr(c, in->args[0]);
    x64_sse_rr(&c->a, wide ? X64_MOVQ_XG : X64_MOVD_XG, bf_defx(c, r), s);
  } else {
    X64Xmm s = bf_xmm(c, in->args[0]);
    x64_sse_rr(&c->a, wide ? X64_MOVQ_GX : X64_MOVD_GX, bf_def(c, r), s);
  }
}

/* Bits [lsb, lsb+width) down to bit 0, zero- or sign-filled. */
static void field(BfCtx *c, IrRef r, const IrInst *in, X64ShiftOp down) {
  unsigned lsb = (unsigned)in->imm, width = in->aux;
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (lsb + width < 64)
    x64_shift_ri(&c->a, X64_SHL, X64_S64, d, (uint8_t)(64 - lsb - width));
  if (width < 64)
    x64_shift_ri(&c->a, down, X64_S64, d, (uint8_t)(64 - width));
}
void bf_lower_extract(BfCtx *c, IrRef r, const IrInst *in) { field(c, r, in, X64_SHR); }
void bf_lower_sextract(BfCtx *c, IrRef r, const IrInst *in) { field(c, r, in, X64_SAR); }

void bf_lower_deposit(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  unsigned lsb = (unsigned)in->imm, width = in->aux;
  uint64_t mask = (width >= 64 ? ~0ull : (1ull << width) - 1) << lsb;
  X64Reg f = bf_tmp(c);
  bf_load_into(c, in->args[1], BF_GPR, f);
  if (width < 64) {
    x64_shift_ri(a, X64_SHL, X64_S64, f, (uint8_t)(64 - width));
    x64_shift_ri(a, X64_SHR, X64_S64, f, (uint8_t)(64 - width - lsb));
  }
  X64Reg d = bf_def_over(c, r, in->args[0]);
  int64_t keep = (int64_t)~mask;
  if (keep >= INT32_MIN && keep <= INT32_MAX) {
    x64_alu_ri(a, X64_AND, X64_S64, d, keep);
  } else {
    X64Reg m = bf_tmp(c);
    x64_mov_ri(a, X64_S64, m, keep);
    x64_alu_rr(a, X64_AND, X64_S64, d, m);
  }
  x64_alu_rr(a, X64_OR, X64_S64, d, f);
}

/* select(c, x, y): cmov for integers, a short branch for XMM values. */
void bf_lower_select(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  uint64_t k;
  if (bf_is_const(c, in->args[0], &k)) {
    IrRef v = in->args[(k & 1) ? 1 : 2];
    if (bf_cls(t) == BF_GPR)
      bf_def_over(c, r, v);
    else
      bf_defx_over(c, r, v);
    return;
  }
  X64Reg cond = bf_gpr(c, in->args[0]);
  if (bf_cls(t) == BF_GPR) {
    X64Reg x = bf_gpr(c, in->args[1]);
    X64Reg d = bf_def_over(c, r, in->args[2]);
    x64_rmreg_rr(a, X64_TEST, X64_S8, cond, cond);
    x64_cmov_rr(a, X64_CC_NE, t == IR_T_i64 ? X64_S64 : X64_S32, d, x);
    return;
  }
  X64Xmm x = bf_xmm(c, in->args[1]);
  X64Xmm d = bf_defx_over(c, r, in->args[2]);
  X64Label skip = X64_LABEL_INIT;
  x64_rmreg_rr(a, X64_TEST, X64_S8, cond, cond);
  x64_jcc_label_short(a, X64_CC_E, &skip);
  x64_sse_rr(a, X64_MOVAPS, d, x);
  x64_bind(a, &skip);
}
