/* x64_asm_sse.c — SSE..SSE4.1 instructions: the table generated from
 * x64_asm_sse.def and the few operand forms that place its rows' operands in
 * ModRM. A form the row does not have (memory for a register-only row, a store
 * of a load row, a missing or extra imm8) sets `error` and emits nothing. */
#include "x64_asm_enc.h"

const X64OpInfo x64_sse_info[X64_SSE__COUNT] = {
#define X64_SSE(id, name, pfx, map, opc, ext, flags, msize) \
  [X64_##id] = {name, pfx, map, opc, ext, flags, msize},
#include "x64_asm_sse.def"
#undef X64_SSE
};

typedef enum SseForm { SSE_RR, SSE_RM, SSE_MR, SSE_RI } SseForm;

static bool sse_form_ok(X64Asm *a, X64SseOp op, SseForm form, bool has_imm) {
  bool ok = (unsigned)op < X64_SSE__COUNT;
  if (ok) {
    const X64OpInfo *row = &x64_sse_info[op];
    bool rm_dst = row->flags & X64F_RM_DST, nomem = row->flags & X64F_NOMEM;
    ok = (row->ext >= 0) == (form == SSE_RI) && ((row->flags & X64F_IMM8) != 0) == has_imm &&
         (form != SSE_RM || (!nomem && !rm_dst)) && (form != SSE_MR || (!nomem && rm_dst));
  }
  if (!ok) a->error = true;
  return ok;
}

/* dst, src in Intel order; m (if any) stands for whichever sits in ModRM.rm. */
static void sse_emit(X64Asm *a, X64SseOp op, unsigned dst, unsigned src, const X64Mem *m,
                     bool has_imm, uint8_t imm) {
  const X64OpInfo *row = &x64_sse_info[op];
  bool rm_dst = row->flags & X64F_RM_DST;
  X64Ins in = x64_ins_of(row, 0);
  in.reg = (uint8_t)(rm_dst ? src : dst);
  if (m)
    x64_ins_rm_mem(&in, *m);
  else
    x64_ins_rm_reg(&in, rm_dst ? dst : src);
  in.imm_len = has_imm;
  in.imm = imm;
  x64_emit(a, &in);
}

void x64_sse_rr(X64Asm *a, X64SseOp op, unsigned dst, unsigned src) {
  if (sse_form_ok(a, op, SSE_RR, false)) sse_emit(a, op, dst, src, NULL, false, 0);
}
void x64_sse_rm(X64Asm *a, X64SseOp op, unsigned dst, X64Mem src) {
  if (sse_form_ok(a, op, SSE_RM, false)) sse_emit(a, op, dst, 0, &src, false, 0);
}
void x64_sse_mr(X64Asm *a, X64SseOp op, X64Mem dst, unsigned src) {
  if (sse_form_ok(a, op, SSE_MR, false)) sse_emit(a, op, 0, src, &dst, false, 0);
}
void x64_sse_rri(X64Asm *a, X64SseOp op, unsigned dst, unsigned src, uint8_t imm) {
  if (sse_form_ok(a, op, SSE_RR, true)) sse_emit(a, op, dst, src, NULL, true, imm);
}
void x64_sse_rmi(X64Asm *a, X64SseOp op, unsigned dst, X64Mem src, uint8_t imm) {
  if (sse_form_ok(a, op, SSE_RM, true)) sse_emit(a, op, dst, 0, &src, true, imm);
}
void x64_sse_mri(X64Asm *a, X64SseOp op, X64Mem dst, unsigned src, uint8_t imm) {
  if (sse_form_ok(a, op, SSE_MR, true)) sse_emit(a, op, 0, src, &dst, true, imm);
}
void x64_sse_ri(X64Asm *a, X64SseOp op, X64Xmm dst, uint8_t imm) {
  if (!sse_form_ok(a, op, SSE_RI, true)) return;
  X64Ins in = x64_ins_of(&x64_sse_info[op], 0); /* ModRM.reg is the row's /digit */
  x64_ins_rm_reg(&in, dst);
  in.imm_len = 1;
  in.imm = imm;
  x64_emit(a, &in);
}
