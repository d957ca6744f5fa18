/* x64_asm_vex.c — VEX-encoded instructions: the table generated from
 * x64_asm_vex.def and its two operand forms. The VEX prefix itself (which
 * replaces the mandatory prefix, REX and the escape bytes) is laid out by the
 * encoder core, x64_emit. */
#include "x64_asm_enc.h"

const X64OpInfo x64_vex_info[X64_VEX__COUNT] = {
#define X64_VEX(id, name, pfx, map, opc, flags, msize) [X64_##id] = {name, pfx, map, opc, -1, flags, msize},
#include "x64_asm_vex.def"
#undef X64_VEX
};

/* dst in ModRM.reg, src1 in VEX.vvvv; the caller places src2 in ModRM.rm.
 * has_imm must match the row's X64F_IMM8. */
static bool vex_ins(X64Asm *a, X64VexOp op, unsigned dst, unsigned src1, bool has_imm, uint8_t imm,
                    X64Ins *in) {
  if ((unsigned)op >= X64_VEX__COUNT || src1 > 15 ||
      ((x64_vex_info[op].flags & X64F_IMM8) != 0) != has_imm) {
    a->error = true;
    return false;
  }
  *in = x64_ins_of(&x64_vex_info[op], 0);
  in->vex = true;
  in->vvvv = (uint8_t)src1;
  in->reg = (uint8_t)dst;
  in->imm_len = has_imm;
  in->imm = imm;
  return true;
}

void x64_vex_rrr(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Xmm src2) {
  X64Ins in;
  if (!vex_ins(a, op, dst, src1, false, 0, &in)) return;
  x64_ins_rm_reg(&in, src2);
  x64_emit(a, &in);
}

void x64_vex_rrm(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Mem src2) {
  X64Ins in;
  if (!vex_ins(a, op, dst, src1, false, 0, &in)) return;
  x64_ins_rm_mem(&in, src2);
  x64_emit(a, &in);
}

void x64_vex_rrri(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Xmm src2, uint8_t imm) {
  X64Ins in;
  if (!vex_ins(a, op, dst, src1, true, imm, &in)) return;
  x64_ins_rm_reg(&in, src2);
  x64_emit(a, &in);
}

void x64_vex_rrmi(X64Asm *a, X64VexOp op, X64Xmm dst, X64Xmm src1, X64Mem src2, uint8_t imm) {
  X64Ins in;
  if (!vex_ins(a, op, dst, src1, true, imm, &in)) return;
  x64_ins_rm_mem(&in, src2);
  x64_emit(a, &in);
}
