/* lift_simd_ldst.c — Advanced SIMD structure loads and stores: ld1..ld4 and
 * st1..st4 (multiple structures, 1-4 registers), single lanes, ld1r..ld4r,
 * each without offset or post-indexed (by the size moved, or by Xm).
 * Interleaved forms (ld2..ld4, st2..st4) move whole 16-byte chunks and
 * (de)interleave them with byte permutations. Registers wrap from v31 to v0. */
#include "a64_simd.h"

/* Xn|SP, and after the access the post-index writeback (op = 1). */
static IrRef base(A64Lift *l) { return a64_xsp(l, F(rn), true); }

static IrRef at(A64Lift *l, IrRef b, unsigned off) {
  return off ? ir_op2(l->fn, IR_OP_add, b, a64_i64(l, off)) : b;
}

static void writeback(A64Lift *l, IrRef b, unsigned bytes) {
  if (!F(op))
    return;
  IrRef inc = F(rm) == 31 ? a64_i64(l, bytes) : a64_x(l, F(rm), true);
  a64_set_xsp(l, F(rn), ir_op2(l->fn, IR_OP_add, b, inc));
}

static unsigned vreg(A64Lift *l, unsigned k) { return (F(rt) + k) % 32; }

/* -- Multiple structures ------------------------------------------------------- */

/* opc: registers repeated (rpt) and elements per structure (selem). */
static bool multi_shape(unsigned opc, unsigned *rpt, unsigned *selem) {
  switch (opc) {
  case 0: *rpt = 1, *selem = 4; return true;
  case 2: *rpt = 4, *selem = 1; return true;
  case 4: *rpt = 1, *selem = 3; return true;
  case 6: *rpt = 3, *selem = 1; return true;
  case 7: *rpt = 1, *selem = 1; return true;
  case 8: *rpt = 1, *selem = 2; return true;
  case 10: *rpt = 2, *selem = 1; return true;
  default: return false;
  }
}

/* Memory as 16-byte chunks: byte g of the block is byte g % 16 of chunk g / 16.
 * The last chunk of a Q = 0 block may be 8 bytes (its top half zero). */
static void load_chunks(A64Lift *l, IrRef b, unsigned bytes, IrRef *chunk) {
  IrFunc *fn = l->fn;
  IrRef zero = ir_vconst(fn, IR_T_v2i64, (IrV128){0, 0});
  for (unsigned c = 0; c * 16 < bytes; c++) {
    if (bytes - c * 16 >= 16) {
      chunk[c] = a64_load(l, IR_T_v2i64, at(l, b, c * 16), 0);
      continue;
    }
    IrRef args[2] = {zero, a64_load(l, IR_T_i64, at(l, b, c * 16), 0)};
    chunk[c] = ir_emit(fn, IR_OP_vinsert, IR_T_v2i64, 2, args, 0, 0);
  }
}

static void store_chunks(A64Lift *l, IrRef b, unsigned bytes, const IrRef *chunk) {
  for (unsigned c = 0; c * 16 < bytes; c++) {
    IrRef v = a64_cast(l, chunk[c], IR_T_v2i64);
    if (bytes - c * 16 < 16)
      v = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 0, 0);
    a64_store(l, at(l, b, c * 16), v, 0);
  }
}

/* Byte i of register s in an interleaved block of selem registers: element
 * i / esize of structure member s. */
static unsigned interleaved(unsigned s, unsigned i, unsigned esize, unsigned selem) {
  return ((i / esize) * selem + s) * esize + i % esize;
}

static bool lift_ldst_multi(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned rpt, selem, esize = 1u << F(size), regbytes = F(Q) ? 16 : 8;
  if ((!F(op) && F(rm)) || !multi_shape(F(opc), &rpt, &selem) || (F(size) == 3 && !F(Q) && selem > 1))
    return false;
  IrRef b = base(l);
  unsigned bytes = rpt * selem * regbytes;
  if (selem == 1) { /* ld1/st1 of 1-4 registers: plain consecutive registers */
    for (unsigned k = 0; k < rpt; k++) {
      IrRef addr = at(l, b, k * regbytes);
      if (F(L)) {
        IrRef v = a64_load(l, F(Q) ? IR_T_v2i64 : IR_T_i64, addr, 0);
        if (F(Q))
          a64_set_v(l, vreg(l, k), v);
        else
          a64_set_vscalar(l, vreg(l, k), v);
      } else {
        a64_store(l, addr, F(Q) ? a64_v(l, vreg(l, k), IR_T_v2i64) : a64_vscalar(l, vreg(l, k), IR_T_i64), 0);
      }
    }
    writeback(l, b, bytes);
    return true;
  }
  IrRef chunk[4], reg[4];
  uint8_t idx[16];
  if (F(L)) {
    load_chunks(l, b, bytes, chunk);
    for (unsigned s = 0; s < selem; s++) {
      for (unsigned i = 0; i < 16; i++)
        idx[i] = (uint8_t)(i < regbytes ? interleaved(s, i, esize, selem) : 0xff);
      reg[s] = a64_perm(l, chunk, (bytes + 15) / 16, idx);
    }
    for (unsigned s = 0; s < selem; s++)
      a64_set_v(l, vreg(l, s), reg[s]);
  } else {
    for (unsigned s = 0; s < selem; s++)
      reg[s] = a64_v(l, vreg(l, s), IR_T_v16i8);
    for (unsigned c = 0; c * 16 < bytes; c++) {
      for (unsigned i = 0; i < 16; i++) { /* memory byte g is member s of element e */
        unsigned g = c * 16 + i, e = g / (esize * selem), s = g / esize % selem;
        idx[i] = (uint8_t)(g < bytes ? s * 16 + e * esize + g % esize : 0xff);
      }
      chunk[c] = a64_perm(l, reg, selem, idx);
    }
    store_chunks(l, b, bytes, chunk);
  }
  writeback(l, b, bytes);
  return true;
}

/* -- Single structures -------------------------------------------------------------- */

/* ld1..ld4 / st1..st4 of one lane, and ld1r..ld4r (opc 11x: replicate). */
static bool lift_ldst_single(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned opc = F(opc), scale = opc >> 1, selem = ((opc & 1) << 1 | F(R)) + 1, size = F(size);
  unsigned index = F(Q) << 3 | F(S) << 2 | size;
  bool rep = scale == 3;
  if (!F(op) && F(rm))
    return false;
  switch (scale) {
  case 0: break;
  case 1:
    if (size & 1)
      return false;
    index >>= 1;
    break;
  case 2:
    if (size >= 2 || (size == 1 && F(S)))
      return false;
    scale = 2 + size;
    index >>= 2 + size;
    break;
  default:
    if (!F(L) || F(S))
      return false;
    scale = size;
    break;
  }
  IrFunc *fn = l->fn;
  IrType vt = a64_vt(scale), et = ir_type_lane(vt);
  unsigned esize = 1u << scale;
  IrRef b = base(l);
  IrRef val[4];
  if (F(L)) {
    for (unsigned s = 0; s < selem; s++)
      val[s] = a64_load(l, et, at(l, b, s * esize), 0);
    for (unsigned s = 0; s < selem; s++) {
      if (rep) {
        a64_set_vq(l, vreg(l, s), ir_emit(fn, IR_OP_vsplat, vt, 1, &val[s], 0, 0), F(Q));
      } else {
        IrRef args[2] = {a64_v(l, vreg(l, s), vt), val[s]};
        a64_set_v(l, vreg(l, s), ir_emit(fn, IR_OP_vinsert, vt, 2, args, index, 0));
      }
    }
  } else {
    for (unsigned s = 0; s < selem; s++) {
      IrRef v = a64_v(l, vreg(l, s), vt);
      a64_store(l, at(l, b, s * esize), ir_emit(fn, IR_OP_vextract, et, 1, &v, index, 0), 0);
    }
  }
  writeback(l, b, selem * esize);
  return true;
}

const A64Row a64_rows_simd_ldst[] = {
    {"ldst_multi", "0 Q:1 0011 00 op:1 L:1 0 rm:5 opc:4 size:2 rn:5 rt:5", lift_ldst_multi, 0, 0},
    {"ldst_single", "0 Q:1 0011 01 op:1 L:1 R:1 rm:5 opc:3 S:1 size:2 rn:5 rt:5", lift_ldst_single, 0, 0},
    {0},
};
