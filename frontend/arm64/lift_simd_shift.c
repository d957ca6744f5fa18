/* lift_simd_shift.c — Advanced SIMD shifts by immediate, vector and scalar:
 * sshr ushr ssra usra srshr urshr srsra ursra, shl sli sri, sqshl uqshl
 * sqshlu (in C), shrn rshrn and the saturating narrows (sqshrn sqrshrn
 * sqshrun sqrshrun uqshrn uqrshrn), sshll ushll (sxtl uxtl), and the fixed
 * point conversions scvtf ucvtf fcvtzs fcvtzu. immh's top set bit gives the
 * element size; immh:immb the shift. */
#include "a64_simd.h"

enum { K_SHR, K_SHL, K_SLI, K_SRI, K_QSHL, K_NARROW, K_LONG, K_CVTF, K_FCVTZ };
/* Row flags (b): scalar, signed, rounding, accumulate; narrows keep their
 * IR_NARROW_* kind in bits 8 and up. */
enum { SC = 1, SGN = 2, RND = 4, ACC = 8 };
#define NK(k) ((k) << 8)

/* Shift right by sh (1 <= sh <= lane bits), rounding if asked: the last bit
 * shifted out is added back. */
static IrRef shr(A64Lift *l, IrRef x, unsigned sh, bool sgn, bool round) {
  IrFunc *fn = l->fn;
  IrRef v = a64_vshift(l, sgn ? IR_OP_ashr : IR_OP_lshr, x, sh);
  if (round) {
    IrRef bit = ir_op2(fn, IR_OP_and, a64_vshift(l, IR_OP_lshr, x, sh - 1),
                       a64_lanes(l, ir_typeof(fn, x), 1));
    v = ir_op2(fn, IR_OP_add, v, bit);
  }
  return v;
}

/* Element size checks by kind: same-size ops need 64-bit lanes in scalar form
 * (but the saturating shifts) and Q for 64-bit vectors; narrows and widens
 * cannot start from 64 bits; conversions need 32 or 64. */
static bool shape_ok(A64Lift *l, const A64Row *r, unsigned size) {
  bool sc = r->b & SC, q = sc || F(Q);
  switch (r->a) {
  case K_NARROW: case K_LONG: return size < 3;
  case K_CVTF: case K_FCVTZ: return size >= 2 && (size == 2 || q);
  case K_QSHL: return size < 3 || q;
  default: return sc ? size == 3 : size < 3 || q;
  }
}

static bool lift_shift_imm(A64Lift *l, const A64Row *r) {
  unsigned immh = F(immh);
  if (!immh)
    return false;
  unsigned size = 31 - (unsigned)__builtin_clz(immh), bits = 8u << size;
  unsigned immhb = immh << 3 | F(immb);
  unsigned rsh = 2 * bits - immhb, lsh = immhb - bits;
  if (!shape_ok(l, r, size))
    return false;
  IrFunc *fn = l->fn;
  bool sc = r->b & SC, sgn = r->b & SGN, q = F(Q);
  IrType t = a64_vt(size);
  IrRef x = a64_v(l, F(rn), t), v;
  switch (r->a) {
  case K_SHR:
    v = shr(l, x, rsh, sgn, r->b & RND);
    if (r->b & ACC)
      v = ir_op2(fn, IR_OP_add, a64_v(l, F(rd), t), v);
    break;
  case K_SHL: v = a64_vshift(l, IR_OP_shl, x, lsh); break;
  case K_SLI: { /* keep Vd's bits below the shift */
    uint64_t keep = lsh ? (1ull << lsh) - 1 : 0;
    v = ir_op2(fn, IR_OP_or, a64_vshift(l, IR_OP_shl, x, lsh),
               ir_op2(fn, IR_OP_and, a64_v(l, F(rd), t), a64_lanes(l, t, keep)));
    break;
  }
  case K_SRI: { /* keep Vd's bits above the shifted-in ones */
    uint64_t ones = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint64_t keep = rsh >= bits ? ones : ones & ~(ones >> rsh);
    v = ir_op2(fn, IR_OP_or, a64_vshift(l, IR_OP_lshr, x, rsh),
               ir_op2(fn, IR_OP_and, a64_v(l, F(rd), t), a64_lanes(l, t, keep)));
    break;
  }
  case K_QSHL: /* kind in the flags' bits 8 and up: an A64_VH_* */
    a64_vhelper(l, (unsigned)r->b >> 8, F(rd), F(rn), F(rn), size, q, sc, lsh);
    return true;
  case K_NARROW: {
    IrType wt = a64_vt(size + 1);
    IrRef w = shr(l, a64_v(l, F(rn), wt), rsh, sgn, r->b & RND);
    v = a64_narrow(l, w, t, (unsigned)r->b >> 8, sc ? 2u * bits / 8 : 16);
    if (sc)
      a64_set_lane0(l, F(rd), v);
    else if (q)
      a64_set_v(l, F(rd), a64_join64(l, a64_v(l, F(rd), t), v));
    else
      a64_set_v64(l, F(rd), v);
    return true;
  }
  case K_LONG: {
    IrRef w = ir_emit(fn, q ? IR_OP_vwidenhi : IR_OP_vwidenlo, a64_vt(size + 1), 1, &x,
                      sgn ? IR_WIDEN_SIGN : IR_WIDEN_ZERO, 0);
    a64_set_v(l, F(rd), a64_vshift(l, IR_OP_shl, w, lsh));
    return true;
  }
  /* The lanes the instruction does not compute are made 1 first (FP flags). */
  case K_CVTF: {
    IrType ft = a64_ftype(t);
    IrRef args[2] = {a64_lanes_benign(l, x, sc ? bits / 8 : q ? 16 : 8), a64_frm(l)};
    v = ir_emit(fn, IR_OP_itof, ft, 2, args, sgn ? IR_CVT_SIGNED : IR_CVT_UNSIGNED, 0);
    v = a64_fp_scale(l, v, -(int)rsh);
    break;
  }
  default: { /* K_FCVTZ */
    IrRef f = a64_lanes_fill(l, a64_v(l, F(rn), a64_ftype(t)), sc ? bits / 8 : q ? 16 : 8, false);
    v = a64_fp_toint(l, a64_fp_scale_toint(l, f, rsh), t, !sgn, IR_RM_ZERO, a64_rm(l, IR_RM_ZERO));
    break;
  }
  }
  if (sc)
    a64_set_lane0(l, F(rd), v);
  else
    a64_set_vq(l, F(rd), v, q);
  return true;
}

#define VS(u, opc) "0 Q:1 " u " 011110 immh:4 immb:3 " opc " 1 rn:5 rd:5"
#define SS(u, opc) "01 " u " 111110 immh:4 immb:3 " opc " 1 rn:5 rd:5"
/* Each shift has a vector row and a scalar row (flag SC). */
#define BOTH(name, u, opc, k, b)                                 \
  {name, VS(u, opc), lift_shift_imm, k, b},                      \
  {name "_s", SS(u, opc), lift_shift_imm, k, (b) | SC}
const A64Row a64_rows_simd_shift[] = {
    BOTH("sshr", "0", "00000", K_SHR, SGN),
    BOTH("ushr", "1", "00000", K_SHR, 0),
    BOTH("ssra", "0", "00010", K_SHR, SGN | ACC),
    BOTH("usra", "1", "00010", K_SHR, ACC),
    BOTH("srshr", "0", "00100", K_SHR, SGN | RND),
    BOTH("urshr", "1", "00100", K_SHR, RND),
    BOTH("srsra", "0", "00110", K_SHR, SGN | RND | ACC),
    BOTH("ursra", "1", "00110", K_SHR, RND | ACC),
    BOTH("sri", "1", "01000", K_SRI, 0),
    BOTH("shl", "0", "01010", K_SHL, 0),
    BOTH("sli", "1", "01010", K_SLI, 0),
    BOTH("sqshlu", "1", "01100", K_QSHL, A64_VH_SQSHLU_IMM << 8),
    BOTH("sqshl", "0", "01110", K_QSHL, A64_VH_SQSHL_IMM << 8),
    BOTH("uqshl", "1", "01110", K_QSHL, A64_VH_UQSHL_IMM << 8),
    {"shrn", VS("0", "10000"), lift_shift_imm, K_NARROW, NK(IR_NARROW_TRUNC)},
    {"rshrn", VS("0", "10001"), lift_shift_imm, K_NARROW, RND | NK(IR_NARROW_TRUNC)},
    BOTH("sqshrn", "0", "10010", K_NARROW, SGN | NK(IR_NARROW_SSAT)),
    BOTH("sqrshrn", "0", "10011", K_NARROW, SGN | RND | NK(IR_NARROW_SSAT)),
    BOTH("sqshrun", "1", "10000", K_NARROW, SGN | NK(IR_NARROW_USAT)),
    BOTH("sqrshrun", "1", "10001", K_NARROW, SGN | RND | NK(IR_NARROW_USAT)),
    BOTH("uqshrn", "1", "10010", K_NARROW, NK(IR_NARROW_UUSAT)),
    BOTH("uqrshrn", "1", "10011", K_NARROW, RND | NK(IR_NARROW_UUSAT)),
    {"sshll", VS("0", "10100"), lift_shift_imm, K_LONG, SGN},
    {"ushll", VS("1", "10100"), lift_shift_imm, K_LONG, 0},
    BOTH("scvtf_fixed", "0", "11100", K_CVTF, SGN),
    BOTH("ucvtf_fixed", "1", "11100", K_CVTF, 0),
    BOTH("fcvtzs_fixed", "0", "11111", K_FCVTZ, SGN),
    BOTH("fcvtzu_fixed", "1", "11111", K_FCVTZ, 0),
    {0},
};
#undef VS
#undef SS
#undef BOTH
#undef NK
