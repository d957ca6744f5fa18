/* bf_lower_int.c — integer arithmetic, logic, shifts, rotates, multiply, divide,
 * min/max, saturation and bit counts. Scalars only: vector forms go to
 * bf_lower_vec_arith (bf_lower_vec.c). Values of i8/i16/i32 keep undefined bits
 * above their width, so every op runs at its type's operand size and an op
 * that reads beyond it (counts, division, widening multiply) cleans them first.
 * rcl/rcr, bitrev and the signed wide divisions use the ir_eval helper. */
#include "bf_int.h"

#define EVAL(name) \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) { bf_eval_helper(c, r, in); }

static bool vec(BfCtx *c, IrRef r, const IrInst *in) {
  if (!ir_type_is_vec((IrType)in->type))
    return false;
  bf_lower_vec_arith(c, r, in);
  return true;
}

/* Zero-extend reg (holding a value of type t) to 64 bits in place. */
static void zext_reg(BfCtx *c, X64Reg reg, IrType t) {
  switch (ir_type_info[t].bytes) {
  case 1: x64_widen_rr(&c->a, X64_MOVZX8, X64_S32, reg, reg); break;
  case 2: x64_widen_rr(&c->a, X64_MOVZX16, X64_S32, reg, reg); break;
  case 4: x64_mov_rr(&c->a, X64_S32, reg, reg); break;
  default: break;
  }
  if (t == IR_T_i1)
    x64_alu_ri(&c->a, X64_AND, X64_S32, reg, 1);
}
/* Sign-extend reg (type t) to 64 bits in place. */
static void sext_reg(BfCtx *c, X64Reg reg, IrType t) {
  switch (ir_type_info[t].bytes) {
  case 1: x64_widen_rr(&c->a, X64_MOVSX8, X64_S64, reg, reg); break;
  case 2: x64_widen_rr(&c->a, X64_MOVSX16, X64_S64, reg, reg); break;
  case 4: x64_widen_rr(&c->a, X64_MOVSXD, X64_S64, reg, reg); break;
  default: break;
  }
}
void bf_zext_reg(BfCtx *c, X64Reg reg, IrType t) { zext_reg(c, reg, t); }
void bf_sext_reg(BfCtx *c, X64Reg reg, IrType t) { sext_reg(c, reg, t); }

/* cmov has no byte form; the low bits are what matter. */
static X64Size cmov_size(X64Size s) { return s == X64_S64 ? X64_S64 : X64_S32; }

/* -- Two-operand ALU ---------------------------------------------------------- */

static void alu2(BfCtx *c, IrRef r, const IrInst *in, X64AluOp op) {
  X64Size s = bf_size((IrType)in->type);
  int64_t imm;
  if (bf_imm32(c, in->args[1], &imm)) {
    x64_alu_ri(&c->a, op, s, bf_def_over(c, r, in->args[0]), imm);
  } else {
    X64Reg b = bf_gpr(c, in->args[1]);
    x64_alu_rr(&c->a, op, s, bf_def_over(c, r, in->args[0]), b);
  }
}

#define ALU2(name, op)                                            \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) {    \
    if (!vec(c, r, in))                                           \
      alu2(c, r, in, op);                                         \
  }
ALU2(add, X64_ADD)
ALU2(sub, X64_SUB)
ALU2(and, X64_AND)
ALU2(or, X64_OR)
ALU2(xor, X64_XOR)

void bf_lower_andn(BfCtx *c, IrRef r, const IrInst *in) {
  if (vec(c, r, in))
    return;
  X64Size s = bf_size((IrType)in->type);
  int64_t imm;
  if (bf_imm32(c, in->args[1], &imm)) {
    x64_alu_ri(&c->a, X64_AND, s, bf_def_over(c, r, in->args[0]), ~imm);
    return;
  }
  X64Reg t = bf_tmp(c);
  bf_load_into(c, in->args[1], BF_GPR, t);
  x64_unary_r(&c->a, X64_NOT, s, t);
  x64_alu_rr(&c->a, X64_AND, s, bf_def_over(c, r, in->args[0]), t);
}

void bf_lower_not(BfCtx *c, IrRef r, const IrInst *in) {
  if (vec(c, r, in))
    return;
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (in->type == IR_T_i1)
    x64_alu_ri(&c->a, X64_XOR, X64_S8, d, 1); /* stays 0/1 */
  else
    x64_unary_r(&c->a, X64_NOT, bf_size((IrType)in->type), d);
}

void bf_lower_neg(BfCtx *c, IrRef r, const IrInst *in) {
  if (!vec(c, r, in))
    x64_unary_r(&c->a, X64_NEG, bf_size((IrType)in->type), bf_def_over(c, r, in->args[0]));
}

/* -- Multiply -------------------------------------------------------------------- */

void bf_lower_mul(BfCtx *c, IrRef r, const IrInst *in) {
  if (vec(c, r, in))
    return;
  X64Size s = bf_size((IrType)in->type);
  if (s == X64_S8)
    s = X64_S32; /* no two-operand imul r8: the low byte is the same */
  int64_t imm;
  if (bf_imm32(c, in->args[1], &imm) && s != X64_S16) {
    X64Reg a = bf_gpr(c, in->args[0]);
    x64_imul_rri(&c->a, s, bf_def(c, r), a, (int32_t)imm);
    return;
  }
  X64Reg b = bf_gpr(c, in->args[1]);
  x64_regrm_rr(&c->a, X64_IMUL, s, bf_def_over(c, r, in->args[0]), b);
}

/* High half: i64 through rdx:rax; narrower types multiply widened operands. */
static void mulh(BfCtx *c, IrRef r, const IrInst *in, bool sgn) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  unsigned bits = ir_type_bits(t);
  if (bits == 64) {
    bf_reserve(c, X64_RAX);
    bf_reserve(c, X64_RDX);
    X64Reg b = bf_gpr(c, in->args[1]);
    bf_load_into(c, in->args[0], BF_GPR, X64_RAX);
    x64_unary_r(a, sgn ? X64_IMUL1 : X64_MUL, X64_S64, b);
    bf_def_in(c, r, X64_RDX);
    return;
  }
  X64Reg b = bf_tmp(c);
  bf_load_into(c, in->args[1], BF_GPR, b);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (sgn) {
    sext_reg(c, d, t), sext_reg(c, b, t);
  } else {
    zext_reg(c, d, t), zext_reg(c, b, t);
  }
  x64_regrm_rr(a, X64_IMUL, X64_S64, d, b); /* exact: the product fits 64 bits */
  x64_shift_ri(a, X64_SHR, X64_S64, d, (uint8_t)bits);
}
void bf_lower_mulhu(BfCtx *c, IrRef r, const IrInst *in) {
  if (!vec(c, r, in))
    mulh(c, r, in, false);
}
void bf_lower_mulhs(BfCtx *c, IrRef r, const IrInst *in) {
  if (!vec(c, r, in))
    mulh(c, r, in, true);
}

/* -- Shifts and rotates ------------------------------------------------------------- */

/* The count (any integer type) zero-extended into rcx. */
static void count_in_rcx(BfCtx *c, IrRef n) {
  bf_reserve(c, X64_RCX);
  bf_load_into(c, n, BF_GPR, X64_RCX);
  zext_reg(c, X64_RCX, ir_typeof(c->fn, n));
}

static void shift(BfCtx *c, IrRef r, const IrInst *in, X64ShiftOp op) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Size s = bf_size(t);
  unsigned bits = ir_type_bits(t);
  uint64_t n;
  if (bf_is_const(c, in->args[1], &n)) {
    X64Reg d = bf_def_over(c, r, in->args[0]);
    if (n < bits)
      x64_shift_ri(a, op, s, d, (uint8_t)n);
    else if (op == X64_SAR)
      x64_shift_ri(a, op, s, d, (uint8_t)(bits - 1));
    else
      x64_mov_ri(a, X64_S32, d, 0);
    return;
  }
  /* No implicit masking: a count >= bits gives 0, or the sign for ashr. */
  count_in_rcx(c, in->args[1]);
  X64Reg t2 = bf_tmp(c);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (op == X64_SAR) {
    x64_mov_ri(a, X64_S32, t2, bits - 1);
    x64_alu_ri(a, X64_CMP, X64_S64, X64_RCX, bits);
    x64_cmov_rr(a, X64_CC_AE, X64_S32, X64_RCX, t2);
    x64_shift_rc(a, op, s, d);
  } else {
    x64_mov_ri(a, X64_S32, t2, 0);
    x64_shift_rc(a, op, s, d);
    x64_alu_ri(a, X64_CMP, X64_S64, X64_RCX, bits);
    x64_cmov_rr(a, X64_CC_AE, cmov_size(s), d, t2);
  }
}

/* rol/ror: n mod bits, which the hardware's count masking already gives. */
static void rotate(BfCtx *c, IrRef r, const IrInst *in, X64ShiftOp op) {
  IrType t = (IrType)in->type;
  uint64_t n;
  if (bf_is_const(c, in->args[1], &n)) {
    unsigned k = (unsigned)(n % ir_type_bits(t));
    X64Reg d = bf_def_over(c, r, in->args[0]);
    if (k)
      x64_shift_ri(&c->a, op, bf_size(t), d, (uint8_t)k);
    return;
  }
  count_in_rcx(c, in->args[1]);
  x64_shift_rc(&c->a, op, bf_size(t), bf_def_over(c, r, in->args[0]));
}

#define SHIFT(name, op, fn)                                       \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in) {    \
    if (!vec(c, r, in))                                           \
      fn(c, r, in, op);                                           \
  }
SHIFT(shl, X64_SHL, shift)
SHIFT(lshr, X64_SHR, shift)
SHIFT(ashr, X64_SAR, shift)
SHIFT(rol, X64_ROL, rotate)
SHIFT(ror, X64_ROR, rotate)
EVAL(rcl)
EVAL(rcr)
EVAL(rclcf)
EVAL(rcrcf)

/* -- Division: every bad case is checked, the host never faults ---------------------- */

/* udiv sdiv urem srem, imm = IrDivMode. 8/16-bit operands divide as 32-bit. */
static void divide(BfCtx *c, IrRef r, const IrInst *in, bool sgn, bool rem) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Size s = bf_size(t), ds = s == X64_S64 ? X64_S64 : X64_S32;
  bool trap = in->imm == IR_DIV_TRAP;
  bf_reserve(c, X64_RAX);
  bf_reserve(c, X64_RDX);
  X64Reg x = bf_gpr(c, in->args[0]);
  X64Reg y = bf_tmp(c);
  bf_load_into(c, in->args[1], BF_GPR, y);
  X64Reg d = bf_def(c, r);
  X64Label special = X64_LABEL_INIT, minus1 = X64_LABEL_INIT, done = X64_LABEL_INIT;
  x64_rmreg_rr(a, X64_TEST, s, y, y);
  if (trap)
    x64_jcc_label(a, X64_CC_E, bf_stub_exc(c, IR_EXC_divide, BF_NOREG, false));
  else
    x64_jcc_label(a, X64_CC_E, &special);
  if (sgn) {
    x64_alu_ri(a, X64_CMP, s, y, -1);
    x64_jcc_label(a, X64_CC_E, &minus1);
  }
  x64_mov_rr(a, X64_S64, X64_RAX, x);
  if (sgn) {
    sext_reg(c, X64_RAX, t), sext_reg(c, y, t);
    x64_fixed(a, ds == X64_S64 ? X64_CQO : X64_CDQ);
  } else {
    zext_reg(c, X64_RAX, t), zext_reg(c, y, t);
    x64_alu_rr(a, X64_XOR, X64_S32, X64_RDX, X64_RDX);
  }
  x64_unary_r(a, sgn ? X64_IDIV : X64_DIV, ds, y);
  x64_mov_rr(a, X64_S64, d, rem ? X64_RDX : X64_RAX);
  x64_jmp_label(a, &done);
  if (sgn) { /* x / -1 = -x (MIN stays MIN), x % -1 = 0; TRAP faults on MIN */
    x64_bind(a, &minus1);
    x64_mov_rr(a, X64_S64, d, x);
    if (trap) {
      x64_unary_r(a, X64_NEG, s, d); /* OF: it was MIN */
      x64_jcc_label(a, X64_CC_O, bf_stub_exc(c, IR_EXC_divide, BF_NOREG, false));
    }
    if (rem)
      x64_mov_ri(a, X64_S32, d, 0);
    else if (!trap)
      x64_unary_r(a, X64_NEG, s, d);
    x64_jmp_label(a, &done);
  }
  if (!trap) { /* x / 0 = 0, x % 0 = x */
    x64_bind(a, &special);
    if (rem)
      x64_mov_rr(a, X64_S64, d, x);
    else
      x64_mov_ri(a, X64_S32, d, 0);
  }
  x64_bind(a, &done);
}

void bf_lower_udiv(BfCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, false, false); }
void bf_lower_sdiv(BfCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, true, false); }
void bf_lower_urem(BfCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, false, true); }
void bf_lower_srem(BfCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, true, true); }

/* udivw/uremw (hi, lo, d): divide error unless d != 0 and hi < d (the quotient
 * then fits T). 8..32-bit types build the double-width dividend in one register. */
static void divide_wide(BfCtx *c, IrRef r, const IrInst *in, bool rem) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Size s = bf_size(t);
  unsigned bits = ir_type_bits(t);
  bf_reserve(c, X64_RAX);
  bf_reserve(c, X64_RDX);
  X64Reg y = bf_tmp(c);
  bf_load_into(c, in->args[2], BF_GPR, y);
  bf_load_into(c, in->args[0], BF_GPR, X64_RDX);
  bf_load_into(c, in->args[1], BF_GPR, X64_RAX);
  x64_rmreg_rr(a, X64_TEST, s, y, y);
  x64_jcc_label(a, X64_CC_E, bf_stub_exc(c, IR_EXC_divide, BF_NOREG, false));
  x64_alu_rr(a, X64_CMP, s, X64_RDX, y);
  x64_jcc_label(a, X64_CC_AE, bf_stub_exc(c, IR_EXC_divide, BF_NOREG, false));
  if (bits < 64) {
    zext_reg(c, X64_RAX, t), zext_reg(c, X64_RDX, t), zext_reg(c, y, t);
    x64_shift_ri(a, X64_SHL, X64_S64, X64_RDX, (uint8_t)bits);
    x64_alu_rr(a, X64_OR, X64_S64, X64_RAX, X64_RDX);
    x64_alu_rr(a, X64_XOR, X64_S32, X64_RDX, X64_RDX);
  }
  x64_unary_r(a, X64_DIV, X64_S64, y);
  bf_def_in(c, r, rem ? X64_RDX : X64_RAX);
}
void bf_lower_udivw(BfCtx *c, IrRef r, const IrInst *in) { divide_wide(c, r, in, false); }
void bf_lower_uremw(BfCtx *c, IrRef r, const IrInst *in) { divide_wide(c, r, in, true); }
EVAL(sdivw)
EVAL(sremw)

/* -- Min, max, saturation ------------------------------------------------------------- */

/* d = a; replace by b when a compares `cc` to b. */
static void minmax(BfCtx *c, IrRef r, const IrInst *in, X64Cond cc) {
  if (vec(c, r, in))
    return;
  X64Size s = bf_size((IrType)in->type);
  X64Reg b = bf_gpr(c, in->args[1]);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  x64_alu_rr(&c->a, X64_CMP, s, d, b);
  x64_cmov_rr(&c->a, cc, cmov_size(s), d, b);
}
void bf_lower_umin(BfCtx *c, IrRef r, const IrInst *in) { minmax(c, r, in, X64_CC_A); }
void bf_lower_umax(BfCtx *c, IrRef r, const IrInst *in) { minmax(c, r, in, X64_CC_B); }
void bf_lower_smin(BfCtx *c, IrRef r, const IrInst *in) { minmax(c, r, in, X64_CC_G); }
void bf_lower_smax(BfCtx *c, IrRef r, const IrInst *in) { minmax(c, r, in, X64_CC_L); }

/* Unsigned: on carry (borrow) the result is all ones (zero). */
static void usat(BfCtx *c, IrRef r, const IrInst *in, X64AluOp op) {
  if (vec(c, r, in))
    return;
  X64Size s = bf_size((IrType)in->type);
  X64Reg b = bf_gpr(c, in->args[1]);
  X64Reg t = bf_tmp(c);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  x64_mov_ri(&c->a, X64_S64, t, op == X64_ADD ? -1 : 0);
  x64_alu_rr(&c->a, op, s, d, b);
  x64_cmov_rr(&c->a, X64_CC_C, cmov_size(s), d, t);
}
/* Signed: on overflow the result saturates toward a's sign: MAX ^ (a >> (bits-1)). */
static void ssat(BfCtx *c, IrRef r, const IrInst *in, X64AluOp op) {
  if (vec(c, r, in))
    return;
  X64Asm *a = &c->a;
  IrType ty = (IrType)in->type;
  X64Size s = bf_size(ty);
  unsigned bits = ir_type_bits(ty);
  X64Reg b = bf_gpr(c, in->args[1]);
  X64Reg t = bf_tmp(c);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  x64_mov_rr(a, X64_S64, t, d);
  x64_shift_ri(a, X64_SAR, s, t, (uint8_t)(bits - 1));
  if (bits == 64) {
    x64_unary_r(a, X64_NOT, s, t);
    x64_bit_ri(a, X64_BTC, s, t, 63);
  } else {
    x64_alu_ri(a, X64_XOR, s, t, (int64_t)((1ull << (bits - 1)) - 1));
  }
  x64_alu_rr(a, op, s, d, b);
  x64_cmov_rr(a, X64_CC_O, cmov_size(s), d, t);
}
void bf_lower_uaddsat(BfCtx *c, IrRef r, const IrInst *in) { usat(c, r, in, X64_ADD); }
void bf_lower_usubsat(BfCtx *c, IrRef r, const IrInst *in) { usat(c, r, in, X64_SUB); }
void bf_lower_saddsat(BfCtx *c, IrRef r, const IrInst *in) { ssat(c, r, in, X64_ADD); }
void bf_lower_ssubsat(BfCtx *c, IrRef r, const IrInst *in) { ssat(c, r, in, X64_SUB); }

/* -- Bit counts, byte swaps ------------------------------------------------------------- */

/* clz: lzcnt where the host has it; else bsr (bits-1 - index, -1 for zero). */
void bf_lower_clz(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  unsigned bits = ir_type_bits(t);
  X64Size s = bits == 64 ? X64_S64 : X64_S32;
  X64Reg d = bf_def_over(c, r, in->args[0]);
  zext_reg(c, d, t);
  if (bf_host.lzcnt) {
    x64_regrm_rr(a, X64_LZCNT, s, d, d);
    if (bits < 32)
      x64_alu_ri(a, X64_SUB, X64_S32, d, 32 - bits);
    return;
  }
  X64Reg m = bf_tmp(c);
  x64_mov_ri(a, X64_S64, m, -1);
  x64_regrm_rr(a, X64_BSR, s, d, d);
  x64_cmov_rr(a, X64_CC_E, s, d, m);
  x64_unary_r(a, X64_NEG, s, d);
  x64_alu_ri(a, X64_ADD, s, d, bits - 1);
}

/* ctz: a stop bit at position `bits` makes zero count as bits; i64 uses tzcnt or
 * bsf with a cmov. */
void bf_lower_ctz(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  unsigned bits = ir_type_bits(t);
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (bits < 64) {
    x64_bit_ri(a, X64_BTS, X64_S64, d, (uint8_t)bits);
    x64_regrm_rr(a, X64_BSF, X64_S64, d, d);
  } else if (bf_host.bmi1) {
    x64_regrm_rr(a, X64_TZCNT, X64_S64, d, d);
  } else {
    X64Reg m = bf_tmp(c);
    x64_mov_ri(a, X64_S32, m, 64);
    x64_regrm_rr(a, X64_BSF, X64_S64, d, d);
    x64_cmov_rr(a, X64_CC_E, X64_S64, d, m);
  }
}

void bf_lower_popcnt(BfCtx *c, IrRef r, const IrInst *in) {
  if (!bf_host.popcnt) {
    bf_eval_helper(c, r, in);
    return;
  }
  IrType t = (IrType)in->type;
  X64Reg d = bf_def_over(c, r, in->args[0]);
  zext_reg(c, d, t);
  x64_regrm_rr(&c->a, X64_POPCNT, t == IR_T_i64 ? X64_S64 : X64_S32, d, d);
}

void bf_lower_bswap(BfCtx *c, IrRef r, const IrInst *in) {
  IrType t = (IrType)in->type;
  X64Reg d = bf_def_over(c, r, in->args[0]);
  if (t == IR_T_i16)
    x64_shift_ri(&c->a, X64_ROL, X64_S16, d, 8);
  else if (t != IR_T_i8)
    x64_bswap(&c->a, bf_size(t), d);
}

EVAL(bitrev)
