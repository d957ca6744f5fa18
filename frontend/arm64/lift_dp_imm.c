/* lift_dp_imm.c — data processing (immediate): adr adrp, add/sub (immediate),
 * logical (immediate), move wide, bitfield (sbfm bfm ubfm and their aliases),
 * extr. */
#include "a64_lift.h"

static bool lift_adr(A64Lift *l, const A64Row *r) {
  uint64_t imm = a64_sext((uint64_t)F(immhi) << 2 | F(immlo), 21);
  uint64_t v = r->a ? (l->pc & ~0xfffull) + (imm << 12) : l->pc + imm;
  a64_set_x(l, F(rd), a64_i64(l, v));
  return true;
}

/* add/sub (immediate): op 1 = sub, S = set flags (then rd is ZR, else SP). */
static bool lift_addsub_imm(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  IrRef a = a64_xsp(l, F(rn), sf), b = a64_const(l, sf, (uint64_t)F(imm) << (F(sh) ? 12 : 0));
  IrRef res = F(op) ? a64_sub_flags(l, a, b, IR_NONE, F(S)) : a64_add_flags(l, a, b, IR_NONE, F(S));
  if (F(S))
    a64_set_x(l, F(rd), res);
  else
    a64_set_xsp(l, F(rd), res);
  return true;
}

/* DecodeBitMasks (Arm ARM): the logical-immediate mask, or false if reserved. */
bool a64_decode_bitmask(unsigned n, unsigned imms, unsigned immr, bool sf, uint64_t *out) {
  unsigned combined = n << 6 | (~imms & 0x3f);
  if (combined == 0)
    return false;
  int len = 31 - __builtin_clz(combined);
  if (len < 1 || (!sf && n))
    return false;
  unsigned levels = (1u << len) - 1, s = imms & levels, rot = immr & levels, esize = 1u << len;
  if (s == levels)
    return false;
  uint64_t welem = (s + 1 == 64) ? ~0ull : (1ull << (s + 1)) - 1;
  uint64_t emask = esize == 64 ? ~0ull : (1ull << esize) - 1;
  if (rot)
    welem = ((welem >> rot) | (welem << (esize - rot))) & emask;
  uint64_t m = 0;
  for (unsigned i = 0; i < 64; i += esize)
    m |= welem << i;
  *out = sf ? m : (uint32_t)m;
  return true;
}

/* and orr eor ands (immediate), by opc. */
static bool lift_logic_imm(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  uint64_t mask;
  if (!a64_decode_bitmask(F(N), F(imms), F(immr), sf, &mask))
    return false;
  IrRef a = a64_x(l, F(rn), sf), b = a64_const(l, sf, mask), res;
  static const IrOp ops[4] = {IR_OP_and, IR_OP_or, IR_OP_xor, IR_OP_and};
  res = ir_op2(l->fn, ops[F(opc)], a, b);
  if (F(opc) == 3) {
    IrRef zero = ir_const(l->fn, IR_T_i1, 0);
    a64_set_flags_nz(l, res, zero, zero);
    a64_set_x(l, F(rd), res);
  } else {
    a64_set_xsp(l, F(rd), res);
  }
  return true;
}

/* movn movz movk, by opc (01 is unallocated). */
static bool lift_movw(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  unsigned shift = F(hw) * 16;
  if (F(opc) == 1 || (!sf && F(hw) >= 2))
    return false;
  uint64_t imm = (uint64_t)F(imm) << shift;
  if (F(opc) == 0)
    a64_set_x(l, F(rd), a64_const(l, sf, ~imm));
  else if (F(opc) == 2)
    a64_set_x(l, F(rd), a64_const(l, sf, imm));
  else
    a64_set_x(l, F(rd), ir_deposit(l->fn, a64_x(l, F(rd), sf), a64_const(l, sf, F(imm)), shift, 16));
  return true;
}

/* sbfm bfm ubfm, by opc (11 is unallocated). */
static bool lift_bitfield(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  unsigned ds = sf ? 64 : 32, immr = F(immr), imms = F(imms);
  if (F(opc) == 3 || F(N) != sf || immr >= ds || imms >= ds)
    return false;
  IrFunc *fn = l->fn;
  IrRef src = a64_x(l, F(rn), sf), res;
  if (F(opc) == 1) { /* bfm: insert into the destination's bits */
    IrRef dst = a64_x(l, F(rd), sf);
    if (imms >= immr)
      res = ir_deposit(fn, dst, ir_extract(fn, src, immr, imms - immr + 1, false), 0, imms - immr + 1);
    else
      res = ir_deposit(fn, dst, src, ds - immr, imms + 1);
  } else {
    bool sign = F(opc) == 0;
    if (imms >= immr) { /* sbfx / ubfx, asr / lsr */
      res = ir_extract(fn, src, immr, imms - immr + 1, sign);
    } else { /* sbfiz / ubfiz, lsl */
      res = ir_extract(fn, src, 0, imms + 1, sign);
      res = ir_op2(fn, IR_OP_shl, res, a64_const(l, sf, ds - immr));
    }
  }
  a64_set_x(l, F(rd), res);
  return true;
}

static bool lift_extr(A64Lift *l, const A64Row *r) {
  (void)r;
  bool sf = F(sf);
  unsigned ds = sf ? 64 : 32, lsb = F(imms);
  if (F(N) != sf || lsb >= ds)
    return false;
  IrFunc *fn = l->fn;
  IrRef hi = a64_x(l, F(rn), sf), lo = a64_x(l, F(rm), sf), res;
  if (lsb == 0)
    res = lo;
  else
    res = ir_op2(fn, IR_OP_or, ir_op2(fn, IR_OP_lshr, lo, a64_const(l, sf, lsb)),
                 ir_op2(fn, IR_OP_shl, hi, a64_const(l, sf, ds - lsb)));
  a64_set_x(l, F(rd), res);
  return true;
}

const A64Row a64_rows_dp_imm[] = {
    {"adr", "0 immlo:2 10000 immhi:19 rd:5", lift_adr, 0, 0},
    {"adrp", "1 immlo:2 10000 immhi:19 rd:5", lift_adr, 1, 0},
    {"addsub_imm", "sf:1 op:1 S:1 100010 sh:1 imm:12 rn:5 rd:5", lift_addsub_imm, 0, 0},
    {"logic_imm", "sf:1 opc:2 100100 N:1 immr:6 imms:6 rn:5 rd:5", lift_logic_imm, 0, 0},
    {"movw", "sf:1 opc:2 100101 hw:2 imm:16 rd:5", lift_movw, 0, 0},
    {"bitfield", "sf:1 opc:2 100110 N:1 immr:6 imms:6 rn:5 rd:5", lift_bitfield, 0, 0},
    {"extr", "sf:1 00 100111 N:1 0 rm:5 imms:6 rn:5 rd:5", lift_extr, 0, 0},
    {0},
};
