/* lift_ldst.c — loads and stores of one register or a pair, general-purpose or
 * SIMD&FP (the V bit): ldr/str with an unsigned scaled offset, an unscaled
 * offset (ldur stur, ldtr sttr), pre- and post-index, a register offset, a
 * pc-relative literal; the sign-extending loads; prfm (a no-op); ldp stp ldpsw
 * ldnp stnp; ldapur stlur (FEAT_LRCPC2). The SIMD structure loads and stores
 * (ld1..ld4) are lift_simd*.c's.
 *
 * Writeback with rn == rt follows qemu's choices for the constrained
 * unpredictable cases: a store stores the register as it was before the
 * writeback; a load writes rt and then rn, so the address wins. */
#include "a64_lift.h"

/* One access: what moves, how wide, and how a loaded value is extended. */
typedef struct Access {
  bool simd, load, prefetch;
  bool sign;          /* sign-extend a loaded value ... */
  bool sign64;        /* ... to 64 bits (else to 32) */
  unsigned scale;     /* log2 of the access size: 0..3, 4 for q */
  uint32_t memflags;  /* IR_MEM_*: ordering and alignment (ldapur stlur) */
} Access;

/* The single-register forms' size, V and opc fields; false if unallocated. */
static bool decode_access(unsigned size, bool v, unsigned opc, Access *a) {
  *a = (Access){.simd = v};
  if (v) {
    a->scale = (opc & 2) << 1 | size;
    a->load = opc & 1;
    return !(opc & 2) || size == 0;
  }
  a->scale = size;
  a->load = opc != 0;
  if (opc == 2 && size == 3)
    a->prefetch = true; /* prfm: the load slot of a 64-bit sign-extension */
  else if (opc >= 2) {
    a->sign = true;
    a->sign64 = opc == 2;
    return opc == 2 ? size < 3 : size < 2;
  }
  return true;
}

static IrType access_type(const Access *a) {
  return a->scale == 4 ? IR_T_v2i64 : ir_type_int_of_bits(8u << a->scale);
}

/* Write a loaded value to register rt, extended as the access says. */
static void write_loaded(A64Lift *l, const Access *a, unsigned rt, IrRef v) {
  if (a->scale == 4)
    a64_set_v(l, rt, v);
  else if (a->simd)
    a64_set_vscalar(l, rt, v);
  else
    a64_set_x(l, rt, a->sign ? ir_cast(l->fn, IR_OP_sext, a64_int_type(a->sign64), v) : v);
}

/* Load or store register rt at addr (a prefetch does nothing). */
static void transfer(A64Lift *l, const Access *a, unsigned rt, IrRef addr) {
  IrFunc *fn = l->fn;
  IrType t = access_type(a);
  if (a->prefetch)
    return;
  if (a->load) {
    write_loaded(l, a, rt, a64_load(l, t, addr, a->memflags));
    return;
  }
  IrRef v;
  if (a->scale == 4)
    v = a64_v(l, rt, IR_T_v2i64);
  else if (a->simd)
    v = a64_vscalar(l, rt, t);
  else {
    v = a64_x(l, rt, a->scale == 3);
    if (a->scale < 2)
      v = ir_cast(fn, IR_OP_trunc, t, v);
  }
  a64_store(l, addr, v, a->memflags);
}

static IrRef add_imm(A64Lift *l, IrRef base, int64_t off) {
  return off ? ir_op2(l->fn, IR_OP_add, base, a64_i64(l, (uint64_t)off)) : base;
}

/* -- One register ---------------------------------------------------------- */

/* [rn, #imm12 << scale] */
static bool lift_ldst_uimm(A64Lift *l, const A64Row *r) {
  (void)r;
  Access a;
  if (!decode_access(F(size), F(V), F(opc), &a))
    return false;
  transfer(l, &a, F(rt), add_imm(l, a64_xsp(l, F(rn), true), (int64_t)F(imm) << a.scale));
  return true;
}

/* The 9-bit signed offset forms, by mode: 0 unscaled [rn, #imm] (ldur, prfum),
 * 1 post-index [rn], #imm, 2 unprivileged (ldtr: at EL0 a plain access), 3
 * pre-index [rn, #imm]!. */
static bool lift_ldst_imm9(A64Lift *l, const A64Row *r) {
  (void)r;
  Access a;
  unsigned mode = F(mode);
  if (!decode_access(F(size), F(V), F(opc), &a) || (a.prefetch && mode != 0) ||
      (mode == 2 && a.simd))
    return false;
  int64_t off = (int64_t)a64_sext(F(imm), 9);
  IrRef base = a64_xsp(l, F(rn), true), addr = mode == 1 ? base : add_imm(l, base, off);
  transfer(l, &a, F(rt), addr);
  if (mode == 1 || mode == 3)
    a64_set_xsp(l, F(rn), mode == 1 ? add_imm(l, base, off) : addr);
  return true;
}

/* [rn, rm, extend #shift]: option must be uxtw, lsl (uxtx), sxtw or sxtx; S
 * scales the index by the access size. */
static bool lift_ldst_reg(A64Lift *l, const A64Row *r) {
  (void)r;
  Access a;
  if (!decode_access(F(size), F(V), F(opc), &a) || !(F(option) & 2))
    return false;
  IrRef index = a64_extend_reg(l, F(rm), F(option), F(S) ? a.scale : 0, true);
  transfer(l, &a, F(rt), ir_op2(l->fn, IR_OP_add, a64_xsp(l, F(rn), true), index));
  return true;
}

/* ldr (literal) by opc: GPR w, x, ldrsw, prfm; SIMD&FP s, d, q. */
static bool lift_ldr_lit(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned opc = F(opc);
  Access a = {.simd = F(V), .load = true};
  if (a.simd) {
    if (opc == 3)
      return false;
    a.scale = 2 + opc;
  } else {
    a.scale = opc == 1 ? 3 : 2;
    a.sign = a.sign64 = opc == 2;
    a.prefetch = opc == 3;
  }
  transfer(l, &a, F(rt), a64_i64(l, l->pc + (a64_sext(F(imm), 19) << 2)));
  return true;
}

/* ldapur* stlur (FEAT_LRCPC2): [rn, #imm9] with acquire / release ordering;
 * aligned, as qemu requires. */
static bool lift_ldapur(A64Lift *l, const A64Row *r) {
  (void)r;
  Access a;
  if (!decode_access(F(size), false, F(opc), &a) || a.prefetch)
    return false;
  a.memflags = (a.load ? IR_MEM_ACQUIRE : IR_MEM_RELEASE) | IR_MEM_ALIGN;
  transfer(l, &a, F(rt), add_imm(l, a64_xsp(l, F(rn), true), (int64_t)a64_sext(F(imm), 9)));
  return true;
}

/* -- Pairs ------------------------------------------------------------------ */

/* ldp stp ldpsw ldnp stnp, GPR and SIMD&FP, by mode: 0 non-temporal offset,
 * 1 post-index, 2 offset, 3 pre-index. Both loads happen before either
 * register is written (a fault leaves both as they were). Loading the same
 * register twice is constrained unpredictable; as qemu does, a GPR pair
 * writes rt2 then rt, a SIMD&FP pair rt then rt2. */
static bool lift_ldst_pair(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned opc = F(opc), mode = F(mode);
  bool load = F(L);
  Access a = {.simd = F(V), .load = load};
  if (opc == 3 || (!a.simd && opc == 1 && (!load || mode == 0)))
    return false; /* opc 1 without V: ldpsw only (stgp is MTE's) */
  a.scale = a.simd ? 2 + opc : 2 + (opc >> 1);
  a.sign = a.sign64 = !a.simd && opc == 1;
  int64_t off = (int64_t)a64_sext(F(imm), 7) * (1 << a.scale);
  IrRef base = a64_xsp(l, F(rn), true), addr = mode == 1 ? base : add_imm(l, base, off);
  IrRef addr2 = add_imm(l, addr, 1 << a.scale);
  if (!load) {
    transfer(l, &a, F(rt), addr);
    transfer(l, &a, F(rt2), addr2);
  } else {
    IrType t = access_type(&a);
    IrRef v[2] = {a64_load(l, t, addr, 0), a64_load(l, t, addr2, 0)};
    unsigned reg[2] = {F(rt), F(rt2)};
    for (unsigned i = 0; i < 2; i++) {
      unsigned k = a.simd ? i : 1 - i; /* the order qemu writes them in */
      write_loaded(l, &a, reg[k], v[k]);
    }
  }
  if (mode == 1 || mode == 3)
    a64_set_xsp(l, F(rn), mode == 1 ? add_imm(l, base, off) : addr);
  return true;
}

const A64Row a64_rows_ldst[] = {
    {"ldst_uimm", "size:2 111 V:1 01 opc:2 imm:12 rn:5 rt:5", lift_ldst_uimm, 0, 0},
    {"ldst_imm9", "size:2 111 V:1 00 opc:2 0 imm:9 mode:2 rn:5 rt:5", lift_ldst_imm9, 0, 0},
    {"ldst_reg", "size:2 111 V:1 00 opc:2 1 rm:5 option:3 S:1 10 rn:5 rt:5", lift_ldst_reg, 0, 0},
    {"ldapur", "size:2 011001 opc:2 0 imm:9 00 rn:5 rt:5", lift_ldapur, 0, 0},
    {"ldr_lit", "opc:2 011 V:1 00 imm:19 rt:5", lift_ldr_lit, 0, 0},
    {"ldst_pair", "opc:2 101 V:1 0 mode:2 L:1 imm:7 rt2:5 rn:5 rt:5", lift_ldst_pair, 0, 0},
    {0},
};
