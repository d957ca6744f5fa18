/* x64_asm_gpr.c — general-purpose instructions: the group tables generated from
 * the X64_*_DEF rows in x64_asm.h, and one small function per operand form that
 * fills an X64Ins from its row. Sizes are 1/2/4/8 bytes; a size the instruction
 * lacks (or a 64-bit immediate where only imm32 exists) sets `error`. */
#include "x64_asm_enc.h"

/* -- Tables ------------------------------------------------------------------ */

#define ROW_ALU(id, name) \
  [X64_##id] = {name, 0, X64_MAP_NONE, X64_##id << 3 | 1, X64_##id, X64F_BYTE, 0},
const X64OpInfo x64_alu_info[X64_ALU__COUNT] = {X64_ALU_DEF(ROW_ALU)};
#define ROW_SHIFT(id, name, ext) [X64_##id] = {name, 0, X64_MAP_NONE, 0xD1, ext, X64F_BYTE, 0},
const X64OpInfo x64_shift_info[X64_SHIFT__COUNT] = {X64_SHIFT_DEF(ROW_SHIFT)};
#define ROW_UNARY(id, name, opc, ext) [X64_##id] = {name, 0, X64_MAP_NONE, opc, ext, X64F_BYTE, 0},
const X64OpInfo x64_unary_info[X64_UNARY__COUNT] = {X64_UNARY_DEF(ROW_UNARY)};
#define ROW_REGRM(id, name, pfx, map, opc) [X64_##id] = {name, pfx, map, opc, -1, 0, 0},
const X64OpInfo x64_regrm_info[X64_REGRM__COUNT] = {X64_REGRM_DEF(ROW_REGRM)};
#define ROW_RMREG(id, name, map, opc) [X64_##id] = {name, 0, map, opc, -1, X64F_BYTE, 0},
const X64OpInfo x64_rmreg_info[X64_RMREG__COUNT] = {X64_RMREG_DEF(ROW_RMREG)};
#define ROW_BIT(id, name, opc, ext) [X64_##id] = {name, 0, X64_MAP_0F, opc, ext, 0, 0},
const X64OpInfo x64_bit_info[X64_BIT__COUNT] = {X64_BIT_DEF(ROW_BIT)};
#define ROW_WIDEN(id, name, map, opc, src) [X64_##id] = {name, 0, map, opc, -1, 0, src},
const X64OpInfo x64_widen_info[X64_WIDEN__COUNT] = {X64_WIDEN_DEF(ROW_WIDEN)};
#define ROW_SHD(id, name, opc) [X64_##id] = {name, 0, X64_MAP_0F, opc, -1, 0, 0},
const X64OpInfo x64_shd_info[X64_SHD__COUNT] = {X64_SHD_DEF(ROW_SHD)};
#define ROW_MEMOP(id, name, pfx, map, opc, ext, flags, msize) \
  [X64_##id] = {name, pfx, map, opc, ext, flags, msize},
const X64OpInfo x64_memop_info[X64_MEMOP__COUNT] = {X64_MEMOP_DEF(ROW_MEMOP)};
#define ROW_FIXED(id, name, bytes) [X64_##id] = {name, bytes, sizeof bytes - 1},
const X64FixedInfo x64_fixed_info[X64_FIXED__COUNT] = {X64_FIXED_DEF(ROW_FIXED)};

/* Opcodes outside the tables. */
enum {
  OPC_ALU_I = 0x81, OPC_ALU_I8 = 0x83, OPC_TEST_I = 0xF7, OPC_TEST_EAX_I = 0xA9,
  OPC_MOV_MR = 0x89, OPC_MOV_RM = 0x8B, OPC_MOV_OI8 = 0xB0, OPC_MOV_OI = 0xB8, OPC_MOV_MI = 0xC7,
  OPC_LEA = 0x8D, OPC_SHIFT_1 = 0xD1, OPC_SHIFT_I = 0xC1, OPC_SHIFT_CL = 0xD3, OPC_IMUL_I = 0x69,
  OPC_IMUL_I8 = 0x6B, OPC_BIT_I = 0xBA, OPC_BSWAP = 0xC8, OPC_SETCC = 0x90, OPC_CMOV = 0x40,
  OPC_PUSH = 0x50, OPC_POP = 0x58, OPC_PUSH_I = 0x68, OPC_PUSH_I8 = 0x6A, OPC_GRP5 = 0xFF,
  OPC_POP_M = 0x8F, OPC_RET_I = 0xC2,
};

/* -- Operand helpers ------------------------------------------------------- */

static bool size_ok(X64Asm *a, X64Size s, bool byte_ok) {
  bool ok = s == X64_S16 || s == X64_S32 || s == X64_S64 || (byte_ok && s == X64_S8);
  if (!ok) a->error = true;
  return ok;
}

/* The immediate as the CPU will see it: truncated to the operand size and
 * sign-extended back (so 0xFFFFFFFF for a 32-bit op is -1, which fits imm8). */
static bool imm_norm(X64Asm *a, X64Size s, int64_t imm, int64_t *out) {
  switch (s) {
  case X64_S8: *out = (int8_t)imm; return true;
  case X64_S16: *out = (int16_t)imm; return true;
  case X64_S32: *out = (int32_t)imm; return true;
  default:
    *out = imm;
    if (x64_fits_i32(imm)) return true;
    a->error = true;
    return false;
  }
}

/* Bytes of a full-size immediate (iz): 64-bit ops take a sign-extended imm32. */
static uint8_t imm_len(X64Size s) { return s == X64_S8 ? 1 : s == X64_S16 ? 2 : 4; }

/* The row's instruction at size s; byte size takes the opcode-1 form. */
static X64Ins sized(const X64OpInfo *op, X64Size s, uint8_t opc) {
  X64Ins in = x64_ins_of(op, s);
  in.opc = s == X64_S8 ? (uint8_t)(opc - 1) : opc;
  return in;
}

/* ModRM.reg = register reg, ModRM.rm = register rm / memory m. */
static void emit_rr(X64Asm *a, X64Ins in, unsigned reg, unsigned rm) {
  in.reg = (uint8_t)reg;
  in.reg8 = in.rm8 = in.size == X64_S8;
  x64_ins_rm_reg(&in, rm);
  x64_emit(a, &in);
}
static void emit_rm(X64Asm *a, X64Ins in, unsigned reg, X64Mem m) {
  in.reg = (uint8_t)reg;
  in.reg8 = in.size == X64_S8;
  x64_ins_rm_mem(&in, m);
  x64_emit(a, &in);
}
/* ModRM.reg holds a /digit (already in `in`). */
static void emit_dr(X64Asm *a, X64Ins in, unsigned rm) {
  in.rm8 = in.size == X64_S8;
  x64_ins_rm_reg(&in, rm);
  x64_emit(a, &in);
}
static void emit_dm(X64Asm *a, X64Ins in, X64Mem m) {
  x64_ins_rm_mem(&in, m);
  x64_emit(a, &in);
}
/* Register in the opcode's low bits; with RAX this is also the ModRM-less
 * accumulator form (the register bits are zero). */
static void emit_o(X64Asm *a, X64Ins in, unsigned r) {
  in.oreg = true;
  in.rm8 = in.size == X64_S8;
  in.rm = (uint8_t)r;
  x64_emit(a, &in);
}
/* An instruction outside the tables. */
static X64Ins plain(uint8_t map, uint8_t opc, X64Size s) {
  return (X64Ins){.map = map, .opc = opc, .size = (uint8_t)s};
}

static X64Ins with_imm(X64Ins in, uint8_t len, int64_t imm) {
  in.imm_len = len;
  in.imm = imm;
  return in;
}

/* -- ALU, test, mov, lea ------------------------------------------------------ */

/* The row's instruction at size s with its own opcode plus delta (ALU r,rm is +2). */
static X64Ins row_ins(const X64OpInfo *row, X64Size s, unsigned delta) {
  return sized(row, s, (uint8_t)(row->opc + delta));
}

void x64_alu_rr(X64Asm *a, X64AluOp op, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, true)) emit_rr(a, row_ins(&x64_alu_info[op], s, 0), src, dst);
}
void x64_alu_rm(X64Asm *a, X64AluOp op, X64Size s, X64Reg dst, X64Mem src) {
  if (size_ok(a, s, true)) emit_rm(a, row_ins(&x64_alu_info[op], s, 2), dst, src);
}
void x64_alu_mr(X64Asm *a, X64AluOp op, X64Size s, X64Mem dst, X64Reg src) {
  if (size_ok(a, s, true)) emit_rm(a, row_ins(&x64_alu_info[op], s, 0), src, dst);
}

/* The 80/81/83 /digit form: imm8 sign-extended when it fits (not for bytes). */
static X64Ins alu_imm(X64AluOp op, X64Size s, int64_t v) {
  if (s != X64_S8 && x64_fits_i8(v)) return with_imm(sized(&x64_alu_info[op], s, OPC_ALU_I8), 1, v);
  return with_imm(sized(&x64_alu_info[op], s, OPC_ALU_I), imm_len(s), v);
}

void x64_alu_ri(X64Asm *a, X64AluOp op, X64Size s, X64Reg dst, int64_t imm) {
  int64_t v;
  if (!size_ok(a, s, true) || !imm_norm(a, s, imm, &v)) return;
  X64Ins in = alu_imm(op, s, v);
  if (dst == X64_RAX && in.imm_len == imm_len(s)) /* AL/AX/EAX/RAX short form: no ModRM */
    emit_o(a, with_imm(row_ins(&x64_alu_info[op], s, 4), imm_len(s), v), X64_RAX);
  else
    emit_dr(a, in, dst);
}
void x64_alu_mi(X64Asm *a, X64AluOp op, X64Size s, X64Mem dst, int64_t imm) {
  int64_t v;
  if (size_ok(a, s, true) && imm_norm(a, s, imm, &v)) emit_dm(a, alu_imm(op, s, v), dst);
}

static const X64OpInfo x64_row_test_i = {"test", 0, X64_MAP_NONE, OPC_TEST_I, 0, X64F_BYTE, 0};

void x64_test_ri(X64Asm *a, X64Size s, X64Reg dst, int64_t imm) {
  int64_t v;
  if (!size_ok(a, s, true) || !imm_norm(a, s, imm, &v)) return;
  if (dst == X64_RAX)
    emit_o(a, with_imm(sized(&x64_row_test_i, s, OPC_TEST_EAX_I), imm_len(s), v), X64_RAX);
  else
    emit_dr(a, with_imm(sized(&x64_row_test_i, s, OPC_TEST_I), imm_len(s), v), dst);
}
void x64_test_mi(X64Asm *a, X64Size s, X64Mem dst, int64_t imm) {
  int64_t v;
  if (size_ok(a, s, true) && imm_norm(a, s, imm, &v))
    emit_dm(a, with_imm(sized(&x64_row_test_i, s, OPC_TEST_I), imm_len(s), v), dst);
}

static const X64OpInfo x64_row_mov = {"mov", 0, X64_MAP_NONE, OPC_MOV_MR, 0, X64F_BYTE, 0};

void x64_mov_rr(X64Asm *a, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, true)) emit_rr(a, sized(&x64_row_mov, s, OPC_MOV_MR), src, dst);
}
void x64_mov_rm(X64Asm *a, X64Size s, X64Reg dst, X64Mem src) {
  if (size_ok(a, s, true)) emit_rm(a, sized(&x64_row_mov, s, OPC_MOV_RM), dst, src);
}
void x64_mov_mr(X64Asm *a, X64Size s, X64Mem dst, X64Reg src) {
  if (size_ok(a, s, true)) emit_rm(a, sized(&x64_row_mov, s, OPC_MOV_MR), src, dst);
}

void x64_mov_ri(X64Asm *a, X64Size s, X64Reg dst, int64_t imm) {
  if (!size_ok(a, s, true)) return;
  if (s == X64_S64 && (uint64_t)imm <= UINT32_MAX) /* a 32-bit write zero-extends */
    s = X64_S32;
  if (s == X64_S64 && x64_fits_i32(imm)) /* C7 /0: sign-extended imm32 */
    emit_dr(a, with_imm(sized(&x64_row_mov, s, OPC_MOV_MI), 4, imm), dst);
  else /* B0+r / B8+r with a full-size immediate (movabs for 64-bit) */
    emit_o(a, with_imm(plain(X64_MAP_NONE, s == X64_S8 ? OPC_MOV_OI8 : OPC_MOV_OI, s),
                       s == X64_S64 ? 8 : imm_len(s), imm), dst);
}
void x64_mov_mi(X64Asm *a, X64Size s, X64Mem dst, int64_t imm) {
  int64_t v;
  if (size_ok(a, s, true) && imm_norm(a, s, imm, &v))
    emit_dm(a, with_imm(sized(&x64_row_mov, s, OPC_MOV_MI), imm_len(s), v), dst);
}

void x64_lea(X64Asm *a, X64Size s, X64Reg dst, X64Mem src) {
  static const X64OpInfo row = {"lea", 0, X64_MAP_NONE, OPC_LEA, -1, 0, 0};
  if (size_ok(a, s, false)) emit_rm(a, sized(&row, s, OPC_LEA), dst, src);
}

/* -- Two-operand table groups -------------------------------------------------- */

void x64_rmreg_rr(X64Asm *a, X64RmRegOp op, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, true)) emit_rr(a, row_ins(&x64_rmreg_info[op], s, 0), src, dst);
}
void x64_rmreg_mr(X64Asm *a, X64RmRegOp op, X64Size s, X64Mem dst, X64Reg src) {
  if (size_ok(a, s, true)) emit_rm(a, row_ins(&x64_rmreg_info[op], s, 0), src, dst);
}
void x64_regrm_rr(X64Asm *a, X64RegRmOp op, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, false)) emit_rr(a, x64_ins_of(&x64_regrm_info[op], s), dst, src);
}
void x64_regrm_rm(X64Asm *a, X64RegRmOp op, X64Size s, X64Reg dst, X64Mem src) {
  if (size_ok(a, s, false)) emit_rm(a, x64_ins_of(&x64_regrm_info[op], s), dst, src);
}

static bool imul_imm(X64Asm *a, X64Size s, int32_t imm, X64Ins *in) {
  static const X64OpInfo row = {"imul", 0, X64_MAP_NONE, OPC_IMUL_I, -1, 0, 0};
  int64_t v;
  if (!size_ok(a, s, false) || !imm_norm(a, s, imm, &v)) return false;
  if (x64_fits_i8(v))
    *in = with_imm(sized(&row, s, OPC_IMUL_I8), 1, v);
  else
    *in = with_imm(sized(&row, s, OPC_IMUL_I), imm_len(s), v);
  return true;
}
void x64_imul_rri(X64Asm *a, X64Size s, X64Reg dst, X64Reg src, int32_t imm) {
  X64Ins in;
  if (imul_imm(a, s, imm, &in)) emit_rr(a, in, dst, src);
}
void x64_imul_rmi(X64Asm *a, X64Size s, X64Reg dst, X64Mem src, int32_t imm) {
  X64Ins in;
  if (imul_imm(a, s, imm, &in)) emit_rm(a, in, dst, src);
}

static bool widen_ok(X64Asm *a, X64WidenOp op, X64Size s) {
  bool ok = size_ok(a, s, false) && x64_widen_info[op].msize < s &&
            (op != X64_MOVSXD || s == X64_S64);
  if (!ok) a->error = true;
  return ok;
}
void x64_widen_rr(X64Asm *a, X64WidenOp op, X64Size s, X64Reg dst, X64Reg src) {
  if (!widen_ok(a, op, s)) return;
  X64Ins in = x64_ins_of(&x64_widen_info[op], s);
  in.reg = (uint8_t)dst;
  in.rm8 = x64_widen_info[op].msize == 1;
  x64_ins_rm_reg(&in, src);
  x64_emit(a, &in);
}
void x64_widen_rm(X64Asm *a, X64WidenOp op, X64Size s, X64Reg dst, X64Mem src) {
  if (widen_ok(a, op, s)) emit_rm(a, x64_ins_of(&x64_widen_info[op], s), dst, src);
}

/* -- One-operand groups, shifts, bit tests ------------------------------------- */

void x64_unary_r(X64Asm *a, X64UnaryOp op, X64Size s, X64Reg dst) {
  if (size_ok(a, s, true)) emit_dr(a, row_ins(&x64_unary_info[op], s, 0), dst);
}
void x64_unary_m(X64Asm *a, X64UnaryOp op, X64Size s, X64Mem dst) {
  if (size_ok(a, s, true)) emit_dm(a, row_ins(&x64_unary_info[op], s, 0), dst);
}

static X64Ins shift_imm(X64ShiftOp op, X64Size s, uint8_t imm) {
  if (imm == 1) return sized(&x64_shift_info[op], s, OPC_SHIFT_1);
  return with_imm(sized(&x64_shift_info[op], s, OPC_SHIFT_I), 1, imm);
}
void x64_shift_ri(X64Asm *a, X64ShiftOp op, X64Size s, X64Reg dst, uint8_t imm) {
  if (size_ok(a, s, true)) emit_dr(a, shift_imm(op, s, imm), dst);
}
void x64_shift_mi(X64Asm *a, X64ShiftOp op, X64Size s, X64Mem dst, uint8_t imm) {
  if (size_ok(a, s, true)) emit_dm(a, shift_imm(op, s, imm), dst);
}
void x64_shift_rc(X64Asm *a, X64ShiftOp op, X64Size s, X64Reg dst) {
  if (size_ok(a, s, true)) emit_dr(a, sized(&x64_shift_info[op], s, OPC_SHIFT_CL), dst);
}
void x64_shift_mc(X64Asm *a, X64ShiftOp op, X64Size s, X64Mem dst) {
  if (size_ok(a, s, true)) emit_dm(a, sized(&x64_shift_info[op], s, OPC_SHIFT_CL), dst);
}

static X64Ins shd_ins(X64ShdOp op, X64Size s, bool by_cl, uint8_t imm) {
  X64Ins in = x64_ins_of(&x64_shd_info[op], s);
  if (by_cl) in.opc++;
  return by_cl ? in : with_imm(in, 1, imm);
}
void x64_shd_rri(X64Asm *a, X64ShdOp op, X64Size s, X64Reg dst, X64Reg src, uint8_t imm) {
  if (size_ok(a, s, false)) emit_rr(a, shd_ins(op, s, false, imm), src, dst);
}
void x64_shd_mri(X64Asm *a, X64ShdOp op, X64Size s, X64Mem dst, X64Reg src, uint8_t imm) {
  if (size_ok(a, s, false)) emit_rm(a, shd_ins(op, s, false, imm), src, dst);
}
void x64_shd_rrc(X64Asm *a, X64ShdOp op, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, false)) emit_rr(a, shd_ins(op, s, true, 0), src, dst);
}
void x64_shd_mrc(X64Asm *a, X64ShdOp op, X64Size s, X64Mem dst, X64Reg src) {
  if (size_ok(a, s, false)) emit_rm(a, shd_ins(op, s, true, 0), src, dst);
}

static X64Ins bit_imm(X64BitOp op, X64Size s, uint8_t imm) {
  X64Ins in = with_imm(x64_ins_of(&x64_bit_info[op], s), 1, imm); /* 0F BA /digit ib */
  in.opc = OPC_BIT_I;
  return in;
}
/* The reg form: emit_rr replaces the row's /digit with the bit-index register. */
static X64Ins bit_reg(X64BitOp op, X64Size s) { return x64_ins_of(&x64_bit_info[op], s); }
void x64_bit_rr(X64Asm *a, X64BitOp op, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, false)) emit_rr(a, bit_reg(op, s), src, dst);
}
void x64_bit_mr(X64Asm *a, X64BitOp op, X64Size s, X64Mem dst, X64Reg src) {
  if (size_ok(a, s, false)) emit_rm(a, bit_reg(op, s), src, dst);
}
void x64_bit_ri(X64Asm *a, X64BitOp op, X64Size s, X64Reg dst, uint8_t imm) {
  if (size_ok(a, s, false)) emit_dr(a, bit_imm(op, s, imm), dst);
}
void x64_bit_mi(X64Asm *a, X64BitOp op, X64Size s, X64Mem dst, uint8_t imm) {
  if (size_ok(a, s, false)) emit_dm(a, bit_imm(op, s, imm), dst);
}

/* -- Conditions, stack, the rest ---------------------------------------------- */

void x64_bswap(X64Asm *a, X64Size s, X64Reg r) {
  if (s != X64_S32 && s != X64_S64) {
    a->error = true;
    return;
  }
  emit_o(a, plain(X64_MAP_0F, OPC_BSWAP, s), r);
}
void x64_setcc_r(X64Asm *a, X64Cond cc, X64Reg dst) {
  emit_dr(a, plain(X64_MAP_0F, (uint8_t)(OPC_SETCC | (cc & 15)), X64_S8), dst);
}
void x64_setcc_m(X64Asm *a, X64Cond cc, X64Mem dst) {
  emit_dm(a, plain(X64_MAP_0F, (uint8_t)(OPC_SETCC | (cc & 15)), X64_S8), dst);
}
static X64Ins cmov(X64Cond cc, X64Size s) {
  return plain(X64_MAP_0F, (uint8_t)(OPC_CMOV | (cc & 15)), s);
}
void x64_cmov_rr(X64Asm *a, X64Cond cc, X64Size s, X64Reg dst, X64Reg src) {
  if (size_ok(a, s, false)) emit_rr(a, cmov(cc, s), dst, src);
}
void x64_cmov_rm(X64Asm *a, X64Cond cc, X64Size s, X64Reg dst, X64Mem src) {
  if (size_ok(a, s, false)) emit_rm(a, cmov(cc, s), dst, src);
}

/* push/pop default to 64-bit operands: no REX.W, and no 32-bit form exists. */
void x64_push_r(X64Asm *a, X64Reg r) { emit_o(a, plain(X64_MAP_NONE, OPC_PUSH, 0), r); }
void x64_pop_r(X64Asm *a, X64Reg r) { emit_o(a, plain(X64_MAP_NONE, OPC_POP, 0), r); }
void x64_push_i(X64Asm *a, int32_t imm) {
  if (x64_fits_i8(imm))
    emit_o(a, with_imm(plain(X64_MAP_NONE, OPC_PUSH_I8, 0), 1, imm), X64_RAX);
  else
    emit_o(a, with_imm(plain(X64_MAP_NONE, OPC_PUSH_I, 0), 4, imm), X64_RAX);
}
void x64_push_m(X64Asm *a, X64Mem m) {
  X64Ins in = plain(X64_MAP_NONE, OPC_GRP5, 0);
  in.reg = 6;
  emit_dm(a, in, m);
}
void x64_pop_m(X64Asm *a, X64Mem m) { emit_dm(a, plain(X64_MAP_NONE, OPC_POP_M, 0), m); }

void x64_memop(X64Asm *a, X64MemOp op, X64Mem m) {
  emit_dm(a, x64_ins_of(&x64_memop_info[op], 0), m);
}

void x64_fixed(X64Asm *a, X64FixedOp op) {
  x64_bytes(a, x64_fixed_info[op].bytes, x64_fixed_info[op].len);
}
void x64_ret_i(X64Asm *a, uint16_t pop_bytes) {
  emit_o(a, with_imm(plain(X64_MAP_NONE, OPC_RET_I, 0), 2, pop_bytes), X64_RAX);
}
