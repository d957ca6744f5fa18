/* lift_simd.c — Advanced SIMD moves and permutations: dup (element, general),
 * ins (element, general), umov smov, scalar dup (mov), the modified immediates
 * (movi mvni orr bic fmov), zip uzp trn, ext, tbl tbx. Byte permutations are
 * vtbl with constant indices (a64_perm). */
#include <string.h>

#include "a64_simd.h"

/* imm5's element size (its lowest set bit) and index; false if reserved. */
static bool imm5_lane(unsigned imm5, unsigned *size, unsigned *index) {
  if (!(imm5 & 0xf))
    return false;
  *size = (unsigned)__builtin_ctz(imm5);
  *index = imm5 >> (*size + 1);
  return true;
}

static IrRef lane_of(A64Lift *l, unsigned r, unsigned size, unsigned index) {
  IrRef v = a64_v(l, r, a64_vt(size));
  return ir_emit(l->fn, IR_OP_vextract, ir_type_lane(a64_vt(size)), 1, &v, index, 0);
}

static IrRef splat(A64Lift *l, unsigned size, IrRef s) {
  return ir_emit(l->fn, IR_OP_vsplat, a64_vt(size), 1, &s, 0, 0);
}

/* dup (element): every lane = Vn[index]; scalar (a = 1): mov b/h/s/d, Vn[i]. */
static bool lift_dup_elem(A64Lift *l, const A64Row *r) {
  unsigned size, index;
  if (!imm5_lane(F(imm), &size, &index) || (!r->a && size == 3 && !F(Q)))
    return false;
  IrRef s = lane_of(l, F(rn), size, index);
  if (r->a)
    a64_set_vscalar(l, F(rd), s);
  else
    a64_set_vq(l, F(rd), splat(l, size, s), F(Q));
  return true;
}

static bool lift_dup_gen(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned size, index;
  if (!imm5_lane(F(imm), &size, &index) || (size == 3 && !F(Q)))
    return false;
  IrRef x = a64_x(l, F(rn), size == 3);
  if (size < 2)
    x = ir_cast(l->fn, IR_OP_trunc, ir_type_lane(a64_vt(size)), x);
  a64_set_vq(l, F(rd), splat(l, size, x), F(Q));
  return true;
}

static IrRef insert(A64Lift *l, unsigned rd, unsigned size, unsigned index, IrRef s) {
  IrRef args[2] = {a64_v(l, rd, a64_vt(size)), s};
  return ir_emit(l->fn, IR_OP_vinsert, a64_vt(size), 2, args, index, 0);
}

static bool lift_ins_gen(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned size, index;
  if (!imm5_lane(F(imm), &size, &index))
    return false;
  IrRef x = a64_x(l, F(rn), size == 3);
  if (size < 2)
    x = ir_cast(l->fn, IR_OP_trunc, ir_type_lane(a64_vt(size)), x);
  a64_set_v(l, F(rd), insert(l, F(rd), size, index, x));
  return true;
}

/* ins (element): Vd[index] = Vn[imm4 >> size]. */
static bool lift_ins_elem(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned size, index;
  if (!imm5_lane(F(imm), &size, &index))
    return false;
  IrRef s = lane_of(l, F(rn), size, F(index) >> size);
  a64_set_v(l, F(rd), insert(l, F(rd), size, index, s));
  return true;
}

/* umov (a = 0) / smov (a = 1): Q picks the destination width. */
static bool lift_mov_gen(A64Lift *l, const A64Row *r) {
  unsigned size, index;
  bool sf = F(Q);
  if (!imm5_lane(F(imm), &size, &index))
    return false;
  if (r->a ? size >= 2u + sf : (sf ? size != 3 : size == 3))
    return false;
  IrRef s = lane_of(l, F(rn), size, index);
  IrType t = a64_int_type(sf);
  if (ir_typeof(l->fn, s) != t)
    s = ir_cast(l->fn, r->a ? IR_OP_sext : IR_OP_zext, t, s);
  a64_set_x(l, F(rd), s);
  return true;
}

/* -- Modified immediate ------------------------------------------------------------ */

/* AdvSIMDExpandImm for the integer cmodes: the 64-bit pattern. */
static uint64_t expand_imm(unsigned op, unsigned cmode, uint64_t imm8) {
  uint64_t e;
  switch (cmode >> 1) {
  case 0: case 1: case 2: case 3: /* 32-bit lanes, imm8 shifted by 0/8/16/24 */
    e = imm8 << (8 * (cmode >> 1));
    return e | e << 32;
  case 4: case 5: /* 16-bit lanes, shifted by 0/8 */
    e = imm8 << (8 * (cmode >> 1 & 1));
    return e * 0x0001000100010001ull;
  case 6: /* 32-bit lanes, shifted ones */
    e = cmode & 1 ? imm8 << 16 | 0xffff : imm8 << 8 | 0xff;
    return e | e << 32;
  default:
    if (cmode == 14 && !op)
      return imm8 * 0x0101010101010101ull;
    e = 0; /* cmode 1110, op 1: each bit a byte of ones */
    for (unsigned i = 0; i < 8; i++)
      if (imm8 >> i & 1)
        e |= 0xffull << (8 * i);
    return e;
  }
}

/* movi mvni orr bic fmov (vector, immediate). */
static bool lift_mod_imm(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned op = F(op), cmode = F(cmode), imm8 = F(abc) << 5 | F(defgh);
  bool q = F(Q);
  uint64_t imm;
  if (F(o2))
    return false; /* fmov (half precision) */
  if (cmode == 15) {
    if (op && !q)
      return false;
    imm = op ? a64_fp_expand_imm(imm8, 1) : a64_fp_expand_imm(imm8, 0) * 0x100000001ull;
  } else {
    imm = expand_imm(op, cmode, imm8);
  }
  /* cmode 0xx1 / 10x1: orr (op 0) or bic (op 1) into Vd; else movi / mvni. */
  bool logic = cmode < 12 && (cmode & 1);
  bool invert = op && cmode < 14 && !logic;
  IrFunc *fn = l->fn;
  IrRef k = ir_vconst(fn, IR_T_v2i64, invert ? (IrV128){~imm, ~imm} : (IrV128){imm, imm});
  IrRef v = k;
  if (logic)
    v = ir_op2(fn, op ? IR_OP_andn : IR_OP_or, a64_v(l, F(rd), IR_T_v2i64), k);
  a64_set_vq(l, F(rd), v, q);
  return true;
}

/* -- Permutations ------------------------------------------------------------------- */

/* zip1 zip2 uzp1 uzp2 trn1 trn2 by opc (001 uzp1 010 trn1 011 zip1, +4: the 2s). */
static bool lift_permute(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned size = F(size), kind = F(opc) & 3, part = F(opc) >> 2;
  bool q = F(Q);
  if (kind == 0 || (size == 3 && !q))
    return false;
  IrType t = a64_vt(size);
  IrRef n = a64_v(l, F(rn), t), m = a64_v(l, F(rm), t), v;
  unsigned esize = 1u << size;
  if (kind == 1) {
    v = a64_unzip(l, n, m, esize, part, !q);
  } else if (kind == 3) { /* Q = 0: the halves of the 64-bit zip are the low 128's */
    v = ir_op2(l->fn, part && q ? IR_OP_vziphi : IR_OP_vziplo, n, m);
    if (part && !q)
      v = a64_hi64(l, v);
  } else { /* trn: even lanes from n, odd from m, both from lane 2i + part */
    uint8_t idx[16];
    for (unsigned i = 0; i < 16; i++) {
      unsigned lane = i / esize, pair = lane / 2;
      idx[i] = (uint8_t)((lane & 1 ? 16 : 0) + (2 * pair + part) * esize + i % esize);
    }
    IrRef s[2] = {n, m};
    v = a64_perm(l, s, 2, idx);
  }
  a64_set_vq(l, F(rd), v, q);
  return true;
}

/* ext: bytes imm4.. of Vn:Vm (Vm above); Q = 0 uses the low 8 bytes of each. */
static bool lift_ext(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned pos = F(imm);
  bool q = F(Q);
  if (!q && pos >= 8)
    return false;
  uint8_t idx[16];
  for (unsigned i = 0; i < 16; i++) {
    unsigned b = pos + i;
    idx[i] = (uint8_t)(q ? b : i >= 8 ? 0xff : b < 8 ? b : b + 8);
  }
  IrRef s[2] = {a64_v(l, F(rn), IR_T_v16i8), a64_v(l, F(rm), IR_T_v16i8)};
  a64_set_vq(l, F(rd), a64_perm(l, s, 2, idx), q);
  return true;
}

/* tbl / tbx (op): the table is Vn..Vn+len (wrapping at 32); an index past it
 * gives 0 (tbl) or leaves Vd's byte (tbx). */
static bool lift_tbl(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  unsigned nregs = F(len) + 1;
  IrRef idx = a64_v(l, F(rm), IR_T_v16i8), acc = IR_NONE;
  for (unsigned k = 0; k < nregs; k++) {
    IrRef local = k ? ir_op2(fn, IR_OP_sub, idx, a64_lanes(l, IR_T_v16i8, 16 * k)) : idx;
    IrRef part = ir_op2(fn, IR_OP_vtbl, a64_v(l, (F(rn) + k) % 32, IR_T_v16i8), local);
    acc = k ? ir_op2(fn, IR_OP_or, acc, part) : part;
  }
  if (F(op)) { /* in range: min(idx, last) == idx (unsigned byte min is cheap) */
    IrRef last = a64_lanes(l, IR_T_v16i8, 16 * nregs - 1);
    IrRef in = ir_cmp(fn, IR_PRED_eq, ir_op2(fn, IR_OP_umin, idx, last), idx);
    acc = a64_blend(l, in, acc, a64_v(l, F(rd), IR_T_v16i8));
  }
  a64_set_vq(l, F(rd), acc, F(Q));
  return true;
}

#define COPY(op, imm4) "0 Q:1 " op " 01110000 imm:5 0 " imm4 " 1 rn:5 rd:5"
const A64Row a64_rows_simd[] = {
    {"dup_elem", COPY("0", "0000"), lift_dup_elem, 0, 0},
    {"dup_gen", COPY("0", "0001"), lift_dup_gen, 0, 0},
    {"ins_gen", "0 1 0 01110000 imm:5 0 0011 1 rn:5 rd:5", lift_ins_gen, 0, 0},
    {"smov", COPY("0", "0101"), lift_mov_gen, 1, 0},
    {"umov", COPY("0", "0111"), lift_mov_gen, 0, 0},
    {"ins_elem", "0 1 1 01110000 imm:5 0 index:4 1 rn:5 rd:5", lift_ins_elem, 0, 0},
    {"dup_scalar", "01 0 11110000 imm:5 0 0000 1 rn:5 rd:5", lift_dup_elem, 1, 0},
    {"mod_imm", "0 Q:1 op:1 0111100000 abc:3 cmode:4 o2:1 1 defgh:5 rd:5", lift_mod_imm, 0, 0},
    {"permute", "0 Q:1 001110 size:2 0 rm:5 0 opc:3 10 rn:5 rd:5", lift_permute, 0, 0},
    {"ext", "0 Q:1 101110 00 0 rm:5 0 imm:4 0 rn:5 rd:5", lift_ext, 0, 0},
    {"tbl", "0 Q:1 001110 00 0 rm:5 0 len:2 op:1 00 rn:5 rd:5", lift_tbl, 0, 0},
    {0},
};
#undef COPY

void a64_simd_init(void) { a64_simd_helper_init(); }
