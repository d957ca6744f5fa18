/* lift_dp_reg.c — data processing (register): add/sub (shifted and extended
 * register), adc/sbc, logical (shifted register), conditional compare and
 * select, data processing with one, two and three sources (rbit rev clz cls,
 * udiv sdiv shifts crc32, madd msub and the long and high multiplies), and
 * FEAT_FlagM's rmif setf8 setf16. */
#include "a64_lift.h"

/* -- Operands -------------------------------------------------------------- */

/* Rm shifted by a constant (lsl lsr asr ror, by type), at sf's width. */
static IrRef shifted_reg(A64Lift *l, unsigned rm, unsigned type, unsigned amount, bool sf) {
  static const IrOp ops[4] = {IR_OP_shl, IR_OP_lshr, IR_OP_ashr, IR_OP_ror};
  IrRef v = a64_x(l, rm, sf);
  return amount ? ir_op2(l->fn, ops[type], v, a64_const(l, sf, amount)) : v;
}

IrRef a64_extend_reg(A64Lift *l, unsigned rm, unsigned option, unsigned shift, bool sf) {
  IrFunc *fn = l->fn;
  unsigned width = 8u << (option & 3);
  IrRef v = a64_x(l, rm, true);
  if (width < 64)
    v = ir_extract(fn, v, 0, width, option & 4);
  if (!sf)
    v = ir_cast(fn, IR_OP_trunc, IR_T_i32, v);
  return shift ? ir_op2(fn, IR_OP_shl, v, a64_const(l, sf, shift)) : v;
}

/* -- Add, subtract, logical ------------------------------------------------ */

/* a op b by the row's op and S fields; S writes flags and makes rd ZR, else rd
 * is SP when sp_dest (the extended-register form). */
static void addsub(A64Lift *l, IrRef a, IrRef b, bool sp_dest) {
  IrRef res = F(op) ? a64_sub_flags(l, a, b, IR_NONE, F(S)) : a64_add_flags(l, a, b, IR_NONE, F(S));
  if (sp_dest && !F(S))
    a64_set_xsp(l, F(rd), res);
  else
    a64_set_x(l, F(rd), res);
}

/* add adds sub subs (shifted register): ror (shift 3) is reserved. */
static bool lift_addsub_shift(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  if (F(shift) == 3 || (!sf && F(imm) >= 32))
    return false;
  addsub(l, a64_x(l, F(rn), sf), shifted_reg(l, F(rm), F(shift), F(imm), sf), false);
  return true;
}

/* add adds sub subs (extended register): rn is SP, so is rd without S. */
static bool lift_addsub_ext(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  if (F(imm) > 4)
    return false;
  addsub(l, a64_xsp(l, F(rn), sf), a64_extend_reg(l, F(rm), F(option), F(imm), sf), true);
  return true;
}

/* adc adcs sbc sbcs: the carry flag is the carry in. */
static bool lift_adc(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  IrRef a = a64_x(l, F(rn), sf), b = a64_x(l, F(rm), sf), c = ir_get(l->fn, A64_SLOT_C);
  a64_set_x(l, F(rd), F(op) ? a64_sub_flags(l, a, b, c, F(S)) : a64_add_flags(l, a, b, c, F(S)));
  return true;
}

/* and bic orr orn eor eon ands bics (shifted register), by opc and N (invert Rm). */
static bool lift_logic_shift(A64Lift *l, const A64Row *r) {
  (void)r;
  static const IrOp ops[4] = {IR_OP_and, IR_OP_or, IR_OP_xor, IR_OP_and};
  bool sf = F(sf);
  if (!sf && F(imm) >= 32)
    return false;
  IrFunc *fn = l->fn;
  IrRef b = shifted_reg(l, F(rm), F(shift), F(imm), sf);
  if (F(N))
    b = ir_op1(fn, IR_OP_not, b);
  IrRef res = ir_op2(fn, ops[F(opc)], a64_x(l, F(rn), sf), b);
  if (F(opc) == 3) {
    IrRef zero = ir_const(fn, IR_T_i1, 0);
    a64_set_flags_nz(l, res, zero, zero);
  }
  a64_set_x(l, F(rd), res);
  return true;
}

/* -- Conditional ----------------------------------------------------------- */

/* ccmn ccmp (register, or immediate when r->a): the flags of rn + / - operand if
 * cond holds, else the nzcv immediate. */
static bool lift_ccmp(A64Lift *l, const A64Row *r) {
  IrFunc *fn = l->fn;
  bool sf = F(sf);
  IrRef cond = a64_cond(l, F(cond));
  IrRef a = a64_x(l, F(rn), sf), b = r->a ? a64_const(l, sf, F(imm)) : a64_x(l, F(rm), sf);
  if (F(op))
    a64_sub_flags(l, a, b, IR_NONE, true);
  else
    a64_add_flags(l, a, b, IR_NONE, true);
  for (unsigned i = 0; i < 4; i++) { /* N Z C V are nzcv bits 3..0 */
    unsigned slot = A64_SLOT_N + i;
    IrRef imm = ir_const(fn, IR_T_i1, F(nzcv) >> (3 - i) & 1);
    ir_set(fn, slot, ir_select(fn, cond, ir_get(fn, slot), imm));
  }
  return true;
}

/* csel csinc csinv csneg, by op and op2. */
static bool lift_csel(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  bool sf = F(sf);
  if (F(op2) >= 2)
    return false;
  IrRef b = a64_x(l, F(rm), sf);
  if (F(op))
    b = ir_op1(fn, F(op2) ? IR_OP_neg : IR_OP_not, b);
  else if (F(op2))
    b = ir_op2(fn, IR_OP_add, b, a64_const(l, sf, 1));
  a64_set_x(l, F(rd), ir_select(fn, a64_cond(l, F(cond)), a64_x(l, F(rn), sf), b));
  return true;
}

/* -- One source ------------------------------------------------------------ */

/* Swap the bytes of each 16-bit unit: the bytes under mask move up 8. */
static IrRef rev16(A64Lift *l, IrRef v, bool sf) {
  IrFunc *fn = l->fn;
  IrRef m = a64_const(l, sf, 0x00ff00ff00ff00ffull), eight = a64_const(l, sf, 8);
  return ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_shl, ir_op2(fn, IR_OP_and, v, m), eight),
                ir_op2(fn, IR_OP_and, ir_op2(fn, IR_OP_lshr, v, eight), m));
}

/* rbit rev16 rev32 rev clz cls, by opc (rev32 and rev share opc 2 at 32 bits). */
static bool lift_dp1(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  bool sf = F(sf);
  IrRef v = a64_x(l, F(rn), sf), res;
  switch (F(opc)) {
  case 0: res = ir_op1(fn, IR_OP_bitrev, v); break;
  case 1: res = rev16(l, v, sf); break;
  case 2: /* rev32 (X: each word reversed), rev (W) */
    res = ir_op1(fn, IR_OP_bswap, v);
    if (sf)
      res = ir_op2(fn, IR_OP_ror, res, a64_i64(l, 32));
    break;
  case 3:
    if (!sf)
      return false;
    res = ir_op1(fn, IR_OP_bswap, v);
    break;
  case 4: res = ir_op1(fn, IR_OP_clz, v); break;
  case 5: /* cls: leading bits equal to the sign, after it */
    res = ir_op2(fn, IR_OP_xor, v, ir_op2(fn, IR_OP_ashr, v, a64_const(l, sf, 1)));
    res = ir_op1(fn, IR_OP_clz, res);
    res = ir_op2(fn, IR_OP_sub, res, a64_const(l, sf, 1));
    break;
  default: return false;
  }
  a64_set_x(l, F(rd), res);
  return true;
}

/* -- Two sources ----------------------------------------------------------- */

/* udiv sdiv (opc 2, 3): x / 0 = 0, MIN / -1 = MIN. */
static bool lift_div(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  IrOp op = F(opc) & 1 ? IR_OP_sdiv : IR_OP_udiv;
  IrRef q = ir_div(l->fn, op, a64_x(l, F(rn), sf), a64_x(l, F(rm), sf), IR_DIV_ZERO);
  a64_set_x(l, F(rd), q);
  return true;
}

/* lslv lsrv asrv rorv, by the low two bits of opc: the count is Rm mod width. */
static bool lift_shiftv(A64Lift *l, const A64Row *r) {
  (void)r;
  static const IrOp ops[4] = {IR_OP_shl, IR_OP_lshr, IR_OP_ashr, IR_OP_ror};
  bool sf = F(sf);
  IrRef n = ir_op2(l->fn, IR_OP_and, a64_x(l, F(rm), sf), a64_const(l, sf, sf ? 63 : 31));
  a64_set_x(l, F(rd), ir_op2(l->fn, ops[F(opc) & 3], a64_x(l, F(rn), sf), n));
  return true;
}

/* crc32 (reflected polynomials: 0xedb88320 for crc32*, 0x82f63b78 for crc32c*):
 * (cpu, acc, value, bytes, c) -> the new accumulator. */
static uint64_t helper_crc32(void *cpu, uint64_t acc, uint64_t val, uint64_t bytes, uint64_t c) {
  (void)cpu;
  uint32_t crc = (uint32_t)acc, poly = c ? 0x82f63b78u : 0xedb88320u;
  for (unsigned i = 0; i < bytes * 8; i++) {
    crc ^= (uint32_t)(val >> i) & 1;
    crc = crc >> 1 ^ (crc & 1 ? poly : 0);
  }
  return crc;
}

static const IrHelper crc32_helper = {"a64_crc32", helper_crc32, 4, IR_T_i32, 0};
static uint32_t crc32_index;

void a64_dp_reg_init(void) { crc32_index = (uint32_t)ir_helper_register(&crc32_helper); }

/* crc32b/h/w/x, crc32cb/h/w/x: size gives the bytes of Rm, o0 the polynomial;
 * only the x forms are 64-bit (sf). */
static bool lift_crc32(A64Lift *l, const A64Row *r) {
  (void)r;
  if (F(sf) != (F(size) == 3))
    return false;
  IrRef args[4] = {a64_x(l, F(rn), false), a64_x(l, F(rm), true), a64_i64(l, 1u << F(size)),
                   a64_i64(l, F(o0))};
  a64_set_x(l, F(rd), ir_call(l->fn, crc32_index, 4, args));
  return true;
}

/* -- Three sources --------------------------------------------------------- */

/* madd msub (a = 0); smaddl smsubl (1), umaddl umsubl (2): from W sources,
 * sign- or zero-extended. rd = ra +/- rn * rm; o0 subtracts. */
static bool lift_madd(A64Lift *l, const A64Row *r) {
  IrFunc *fn = l->fn;
  bool sf = r->a || F(sf);
  IrRef a, b;
  if (r->a == 0) {
    a = a64_x(l, F(rn), sf);
    b = a64_x(l, F(rm), sf);
  } else {
    IrOp ext = r->a == 1 ? IR_OP_sext : IR_OP_zext;
    a = ir_cast(fn, ext, IR_T_i64, a64_x(l, F(rn), false));
    b = ir_cast(fn, ext, IR_T_i64, a64_x(l, F(rm), false));
  }
  IrRef prod = ir_op2(fn, IR_OP_mul, a, b);
  a64_set_x(l, F(rd), ir_op2(fn, F(o0) ? IR_OP_sub : IR_OP_add, a64_x(l, F(ra), sf), prod));
  return true;
}

/* smulh umulh (r->a: the op): the high 64 bits of the 128-bit product. Ra
 * should be 31; like qemu, any value is accepted and ignored. */
static bool lift_mulh(A64Lift *l, const A64Row *r) {
  IrRef res = ir_op2(l->fn, (IrOp)r->a, a64_x(l, F(rn), true), a64_x(l, F(rm), true));
  a64_set_x(l, F(rd), res);
  return true;
}

/* -- FEAT_FlagM ------------------------------------------------------------ */

/* rmif: Xn rotated right by imm; its low four bits replace the flags nzcv
 * (the mask) selects. */
static bool lift_rmif(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  IrRef v = ir_op2(fn, IR_OP_ror, a64_x(l, F(rn), true), a64_i64(l, F(imm)));
  for (unsigned i = 0; i < 4; i++)
    if (F(nzcv) >> (3 - i) & 1)
      ir_set(fn, A64_SLOT_N + i, a64_bit(l, v, 3 - i));
  return true;
}

/* setf8, setf16 (size 0, 1): N and Z of the low byte / halfword, V = the bit
 * above it xor its top bit; C is kept. */
static bool lift_setf(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  unsigned top = F(size) ? 15 : 7;
  IrRef v = a64_x(l, F(rn), false);
  IrRef n = a64_bit(l, v, top);
  IrRef z = ir_cmp(fn, IR_PRED_eq, ir_extract(fn, v, 0, top + 1, false), a64_i32(l, 0));
  a64_set_nzcv(l, n, z, ir_get(fn, A64_SLOT_C), ir_op2(fn, IR_OP_xor, a64_bit(l, v, top + 1), n));
  return true;
}

const A64Row a64_rows_dp_reg[] = {
    {"logic_shift", "sf:1 opc:2 01010 shift:2 N:1 rm:5 imm:6 rn:5 rd:5", lift_logic_shift, 0, 0},
    {"addsub_shift", "sf:1 op:1 S:1 01011 shift:2 0 rm:5 imm:6 rn:5 rd:5", lift_addsub_shift, 0, 0},
    {"addsub_ext", "sf:1 op:1 S:1 01011 00 1 rm:5 option:3 imm:3 rn:5 rd:5", lift_addsub_ext, 0, 0},
    {"adc", "sf:1 op:1 S:1 11010000 rm:5 000000 rn:5 rd:5", lift_adc, 0, 0},
    {"rmif", "1 0 1 11010000 imm:6 00001 rn:5 0 nzcv:4", lift_rmif, 0, 0},
    {"setf", "0 0 1 11010000 000000 size:1 0010 rn:5 0 1101", lift_setf, 0, 0},
    {"ccmp_reg", "sf:1 op:1 1 11010010 rm:5 cond:4 0 0 rn:5 0 nzcv:4", lift_ccmp, 0, 0},
    {"ccmp_imm", "sf:1 op:1 1 11010010 imm:5 cond:4 1 0 rn:5 0 nzcv:4", lift_ccmp, 1, 0},
    {"csel", "sf:1 op:1 0 11010100 rm:5 cond:4 op2:2 rn:5 rd:5", lift_csel, 0, 0},
    {"dp1", "sf:1 1 0 11010110 00000 000 opc:3 rn:5 rd:5", lift_dp1, 0, 0},
    {"div", "sf:1 0 0 11010110 rm:5 00001 opc:1 rn:5 rd:5", lift_div, 0, 0},
    {"shiftv", "sf:1 0 0 11010110 rm:5 0010 opc:2 rn:5 rd:5", lift_shiftv, 0, 0},
    {"crc32", "sf:1 0 0 11010110 rm:5 010 o0:1 size:2 rn:5 rd:5", lift_crc32, 0, 0},
    {"madd", "sf:1 00 11011 000 rm:5 o0:1 ra:5 rn:5 rd:5", lift_madd, 0, 0},
    {"smaddl", "1 00 11011 001 rm:5 o0:1 ra:5 rn:5 rd:5", lift_madd, 1, 0},
    {"umaddl", "1 00 11011 101 rm:5 o0:1 ra:5 rn:5 rd:5", lift_madd, 2, 0},
    {"smulh", "1 00 11011 010 rm:5 0 ra:5 rn:5 rd:5", lift_mulh, IR_OP_mulhs, 0},
    {"umulh", "1 00 11011 110 rm:5 0 ra:5 rn:5 rd:5", lift_mulh, IR_OP_mulhu, 0},
    {0},
};
