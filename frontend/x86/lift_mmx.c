/* lift_mmx.c — MMX, and the MMX forms of SSE, SSE2 and SSSE3. mmN is the
 * mantissa of physical x87 register N (slots X86_SLOT_MM0.., X86Cpu.st[N].mant).
 * Every instruction naming an mm register first takes #MF if an unmasked x87
 * exception is pending, then leaves the x87 in MMX mode: TOP = 0 and every
 * register valid; writing mmN also sets st[N]'s sign and exponent to all ones.
 * emms empties every register (and, as the hardware does, sets TOP = 0).
 * Lane arithmetic runs on the 128-bit IR vector types over the zero-extended
 * 64-bit values: the low half of a lane op is MMX's result. Shapes that mix
 * lanes across the halves (punpckh, pack, phadd, palignr) first put both
 * operands in one 128-bit value. */
#include "x86_fp.h"

/* -- Operands and the x87 state --------------------------------------------- */

static bool is_mm(const X86Lift *l, int i) {
  return l->op[i].type == ZYDIS_OPERAND_TYPE_REGISTER && l->op[i].reg.value >= ZYDIS_REGISTER_MM0 &&
         l->op[i].reg.value <= ZYDIS_REGISTER_MM7;
}

static bool names_mm(const X86Lift *l) {
  for (unsigned i = 0; i < l->in.operand_count_visible; i++)
    if (is_mm(l, i))
      return true;
  return false;
}

/* Whether #MF is already known clear here: an earlier MMX instruction in this
 * IR block (it set TOP) checked, and nothing since could have changed FSW or
 * FCW (the x87 lifter changes them in helper calls). A run of MMX code then
 * checks once, not per instruction. */
static bool mf_known_clear(const X86Lift *l) {
  const IrBlock *b = &l->fn->blocks[l->fn->cur];
  for (uint32_t k = b->n; k-- > 0;) {
    const IrInst *in = ir_inst(l->fn, b->insts[k]);
    if (in->op == IR_OP_call || (in->op == IR_OP_set && (in->imm == X86_SLOT_FSW ||
                                                         in->imm == X86_SLOT_FCW)))
      return false;
    if (in->op == IR_OP_set && in->imm == X86_SLOT_FTOP)
      return true;
  }
  return false;
}

/* #MF (SIGFPE) before anything else if an unmasked exception is pending. */
static void mf_check(X86Lift *l) {
  if (mf_known_clear(l))
    return;
  IrFunc *fn = l->fn;
  IrRef pend = ir_op2(fn, IR_OP_andn, ir_get(fn, X86_SLOT_FSW), ir_get(fn, X86_SLOT_FCW));
  pend = ir_op2(fn, IR_OP_and, pend, ir_const(fn, IR_T_i16, 0x3f));
  x86_fp_raise_if(l, ir_cmp(fn, IR_PRED_ne, pend, ir_const(fn, IR_T_i16, 0)), IR_EXC_divide);
}

/* An MMX form starts: false (nothing emitted) if no operand is an mm register,
 * i.e. the SSE form of a shared mnemonic, which lift_sse_*.c lifts. */
static bool mmx_begin(X86Lift *l) {
  if (!names_mm(l))
    return false;
  mf_check(l);
  return true;
}

/* The x87 state after the instruction: TOP = 0, tags (bit i: empty). */
static void x87_mode(X86Lift *l, uint8_t tags) {
  ir_set(l->fn, X86_SLOT_FTOP, ir_const(l->fn, IR_T_i8, 0));
  ir_set(l->fn, X86_SLOT_FTAG, ir_const(l->fn, IR_T_i8, tags));
}

/* An MMX form ends, after its loads: a faulting load leaves the x87 state as
 * it was (stores differ, see mm_put). */
static bool mmx_end(X86Lift *l) {
  if (names_mm(l))
    x87_mode(l, 0);
  return true;
}

static IrRef low64(X86Lift *l, IrRef v) {
  if (ir_typeof(l->fn, v) == IR_T_i64)
    return v;
  v = x86_sse_cast(l, v, IR_T_v2i64);
  return ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 0, 0);
}

static IrRef high64(X86Lift *l, IrRef v) {
  v = x86_sse_cast(l, v, IR_T_v2i64);
  return ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 1, 0);
}

/* Operand i as 64 bits: mmN, the low qword of an xmm, or a GPR or memory
 * operand of its own size (m32 for movd and punpckl) zero-extended. */
static IrRef mm_get64(X86Lift *l, int i) {
  if (is_mm(l, i))
    return ir_get(l->fn, X86_SLOT_MM0 + (l->op[i].reg.value - ZYDIS_REGISTER_MM0));
  if (x86_sse_is_xmm(l, i))
    return x86_sse_get_low(l, i, IR_T_i64);
  return x86_get_as(l, i, IR_T_i64);
}

/* Operand i zero-extended to 128 bits as the vector type t (i64: itself). */
static IrRef mm_get(X86Lift *l, int i, IrType t) {
  IrRef v = mm_get64(l, i);
  return t == IR_T_i64 ? v : x86_sse_cast(l, x86_sse_zext128(l, v), t);
}

/* Two 64-bit values as one 128-bit vector of type t: lo in lanes 0.., hi above. */
static IrRef pair128(X86Lift *l, IrRef lo, IrRef hi, IrType t) {
  IrRef args[2] = {x86_sse_zext128(l, lo), hi};
  return x86_sse_cast(l, ir_emit(l->fn, IR_OP_vinsert, IR_T_v2i64, 2, args, 1, 0), t);
}

/* Operand i = the low 64 bits of v: an mm register (its exponent field all
 * ones), or a GPR or memory operand, truncated to its size. A store from an
 * mm register sets TOP = 0 before it can fault (the tags only after): the
 * host's fault handler sees that state. */
static void mm_put(X86Lift *l, int i, IrRef v) {
  v = low64(l, v);
  if (is_mm(l, i)) {
    unsigned n = l->op[i].reg.value - ZYDIS_REGISTER_MM0;
    ir_set(l->fn, X86_SLOT_MM0 + n, v);
    ir_set(l->fn, X86_SLOT_FEXP0 + n, ir_const(l->fn, IR_T_i16, 0xffff));
    return;
  }
  if (x86_is_mem(l, i))
    ir_set(l->fn, X86_SLOT_FTOP, ir_const(l->fn, IR_T_i8, 0));
  IrType t = x86_optype(l, i);
  x86_put(l, i, t == IR_T_i64 ? v : ir_cast(l->fn, IR_OP_trunc, t, v));
}

/* -- Lane arithmetic ---------------------------------------------------------- */

/* dst = op(dst, src) in type b (i64 for whole-qword ops); a = IrOp, plus SWAP
 * for pandn (~dst & src = andn(src, dst)). */
#define SWAP 0x10000
static bool lift_bin(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrType t = (IrType)e->b;
  IrRef a = mm_get(l, 0, t), b = mm_get(l, 1, t);
  IrOp op = (IrOp)(e->a & 0xffff);
  mm_put(l, 0, (e->a & SWAP) ? ir_op2(l->fn, op, b, a) : ir_op2(l->fn, op, a, b));
  return mmx_end(l);
}

/* pcmpeq/pcmpgt: a = IrPred, b = type. */
static bool lift_cmp(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrType t = (IrType)e->b;
  mm_put(l, 0, ir_cmp(l->fn, (IrPred)e->a, mm_get(l, 0, t), mm_get(l, 1, t)));
  return mmx_end(l);
}

/* psll/psrl/psra (a = IrOp, b = type) by imm8 or by all 64 bits of mm/m64:
 * counts past the lane width give 0 or the sign, the IR's own shift rule. */
static bool lift_shift(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrRef n = x86_is_imm(l, 1) ? x86_i64(l, l->op[1].imm.value.u & 0xff) : mm_get64(l, 1);
  mm_put(l, 0, ir_op2(l->fn, (IrOp)e->a, mm_get(l, 0, (IrType)e->b), n));
  return mmx_end(l);
}

/* pavgb/pavgw: (a + b + 1) >> 1 as (a | b) - ((a ^ b) >> 1), no carry needed. */
static bool lift_pavg(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrFunc *fn = l->fn;
  IrType t = (IrType)e->a;
  IrRef a = mm_get(l, 0, t), b = mm_get(l, 1, t);
  IrRef half = ir_op2(fn, IR_OP_lshr, ir_op2(fn, IR_OP_xor, a, b), x86_i64(l, 1));
  mm_put(l, 0, ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_or, a, b), half));
  return mmx_end(l);
}

/* pabsb/w/d: |src|, MIN staying MIN. */
static bool lift_pabs(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrRef s = mm_get(l, 1, (IrType)e->a);
  mm_put(l, 0, ir_op2(l->fn, IR_OP_smax, s, ir_op1(l->fn, IR_OP_neg, s)));
  return mmx_end(l);
}

/* psignb/w/d: dst negated where src < 0, zeroed where src == 0. */
static bool lift_psign(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrFunc *fn = l->fn;
  IrType t = (IrType)e->a;
  IrRef a = mm_get(l, 0, t), b = mm_get(l, 1, t), zero = x86_sse_splat(l, t, 0);
  IrRef neg = ir_cmp(fn, IR_PRED_slt, b, zero), isz = ir_cmp(fn, IR_PRED_eq, b, zero);
  IrRef r = ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_xor, a, neg), neg); /* -a = (a ^ -1) + 1 */
  mm_put(l, 0, ir_op2(fn, IR_OP_andn, r, isz));
  return mmx_end(l);
}

/* pmuludq: the low dwords, unsigned, into one 64-bit product. */
static bool lift_pmuludq(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  IrRef m = x86_i64(l, 0xffffffffull);
  IrRef a = ir_op2(l->fn, IR_OP_and, mm_get64(l, 0), m);
  IrRef b = ir_op2(l->fn, IR_OP_and, mm_get64(l, 1), m);
  mm_put(l, 0, ir_op2(l->fn, IR_OP_mul, a, b));
  return mmx_end(l);
}

/* The low (even) and high (odd) halves of each lane of v (type t), extended
 * into the whole lane. */
static IrRef even_half(X86Lift *l, IrRef v, IrType t, bool sign) {
  IrRef half = x86_i64(l, ir_type_bits(ir_type_lane(t)) / 2);
  if (!sign)
    return ir_op2(l->fn, IR_OP_lshr, ir_op2(l->fn, IR_OP_shl, v, half), half);
  return ir_op2(l->fn, IR_OP_ashr, ir_op2(l->fn, IR_OP_shl, v, half), half);
}
static IrRef odd_half(X86Lift *l, IrRef v, IrType t, bool sign) {
  IrRef half = x86_i64(l, ir_type_bits(ir_type_lane(t)) / 2);
  return ir_op2(l->fn, sign ? IR_OP_ashr : IR_OP_lshr, v, half);
}

/* pmaddwd (a = v4i32, b = add; signed words) and pmaddubsw (a = v8i16, b =
 * saddsat; unsigned dst bytes times signed src bytes): the products of each
 * adjacent pair of narrow lanes, summed into the wide lane. */
static bool lift_pmadd(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrFunc *fn = l->fn;
  IrType t = (IrType)e->a;
  bool dsign = t == IR_T_v4i32;
  IrRef a = mm_get(l, 0, t), b = mm_get(l, 1, t);
  IrRef ev = ir_op2(fn, IR_OP_mul, even_half(l, a, t, dsign), even_half(l, b, t, true));
  IrRef od = ir_op2(fn, IR_OP_mul, odd_half(l, a, t, dsign), odd_half(l, b, t, true));
  mm_put(l, 0, ir_op2(fn, (IrOp)e->b, ev, od));
  return mmx_end(l);
}

/* pmulhrsw: bits 16..1 of each 32-bit product, rounded: ((a*b >> 14) + 1) >> 1.
 * The four words widen into one v4i32. */
static bool lift_pmulhrsw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  IrFunc *fn = l->fn;
  IrRef a = mm_get(l, 0, IR_T_v8i16), b = mm_get(l, 1, IR_T_v8i16);
  IrRef wa = ir_emit(fn, IR_OP_vwidenlo, IR_T_v4i32, 1, &a, IR_WIDEN_SIGN, 0);
  IrRef wb = ir_emit(fn, IR_OP_vwidenlo, IR_T_v4i32, 1, &b, IR_WIDEN_SIGN, 0);
  IrRef p = ir_op2(fn, IR_OP_ashr, ir_op2(fn, IR_OP_mul, wa, wb), x86_i64(l, 14));
  p = ir_op2(fn, IR_OP_ashr, ir_op2(fn, IR_OP_add, p, x86_sse_splat(l, IR_T_v4i32, 1)),
             x86_i64(l, 1));
  IrRef args[2] = {p, p};
  mm_put(l, 0, ir_emit(fn, IR_OP_vnarrow, IR_T_v8i16, 2, args, IR_NARROW_TRUNC, 0));
  return mmx_end(l);
}

/* psadbw: the sum of the eight |a - b| bytes in the low word, the rest zero.
 * Adjacent lanes sum pairwise: bytes into words, words into dwords, then the
 * two dwords. */
static bool lift_psadbw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  IrFunc *fn = l->fn;
  IrRef a = mm_get(l, 0, IR_T_v16i8), b = mm_get(l, 1, IR_T_v16i8);
  IrRef d = low64(l, ir_op2(fn, IR_OP_sub, ir_op2(fn, IR_OP_umax, a, b), ir_op2(fn, IR_OP_umin, a, b)));
  static const uint64_t masks[3] = {0x00ff00ff00ff00ffull, 0x0000ffff0000ffffull,
                                    0x00000000ffffffffull};
  for (unsigned k = 0; k < 3; k++) {
    IrRef m = x86_i64(l, masks[k]), hi = ir_op2(fn, IR_OP_lshr, d, x86_i64(l, 8u << k));
    d = ir_op2(fn, IR_OP_add, ir_op2(fn, IR_OP_and, d, m), ir_op2(fn, IR_OP_and, hi, m));
  }
  mm_put(l, 0, d);
  return mmx_end(l);
}

/* -- Shuffles, packs, horizontal ops ------------------------------------------ */

/* punpckl (a = 0) / punpckh (a = 1), b = lane type: interleaving the two
 * 64-bit values gives punpckl's result in the low qword, punpckh's in the high. */
static bool lift_punpck(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrType t = (IrType)e->b;
  IrRef z = ir_op2(l->fn, IR_OP_vziplo, mm_get(l, 0, t), mm_get(l, 1, t));
  mm_put(l, 0, e->a ? high64(l, z) : z);
  return mmx_end(l);
}

/* packsswb/packssdw/packuswb: a = the wide type, b = the narrowing kind;
 * dst's lanes narrow into the low dword, src's into the high one. */
static bool lift_pack(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrType wide = (IrType)e->a;
  IrRef v = pair128(l, mm_get64(l, 0), mm_get64(l, 1), wide), args[2] = {v, v};
  mm_put(l, 0, ir_emit(l->fn, IR_OP_vnarrow, (IrType)(wide - 1), 2, args, (uint64_t)e->b, 0));
  return mmx_end(l);
}

/* phadd/phsub w/d/sw: a = IrOp, b = lane type. With dst and src as one
 * 128-bit value, the even lanes op the odd lanes is dst's pairs, then src's. */
static bool lift_phop(X86Lift *l, const X86Lifter *e) {
  if (!mmx_begin(l))
    return false;
  IrType t = (IrType)e->b;
  unsigned bytes = ir_type_bits(ir_type_lane(t)) / 8, n = 16 / bytes;
  IrRef v = pair128(l, mm_get64(l, 0), mm_get64(l, 1), t);
  uint8_t ev[8], od[8];
  for (unsigned i = 0; i < n; i++) {
    ev[i] = i < n / 2 ? (uint8_t)(2 * i) : X86_SSE_ZERO;
    od[i] = i < n / 2 ? (uint8_t)(2 * i + 1) : X86_SSE_ZERO;
  }
  IrRef a = x86_sse_cast(l, x86_sse_permute(l, v, IR_NONE, bytes, ev), t);
  IrRef b = x86_sse_cast(l, x86_sse_permute(l, v, IR_NONE, bytes, od), t);
  mm_put(l, 0, ir_op2(l->fn, (IrOp)e->a, a, b));
  return mmx_end(l);
}

/* pshufw mm, mm/m64, imm8: word i = src word imm[2i+1:2i]. */
static bool lift_pshufw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  unsigned imm = (unsigned)l->op[2].imm.value.u;
  uint8_t sel[8];
  for (unsigned i = 0; i < 8; i++)
    sel[i] = i < 4 ? (uint8_t)(imm >> (2 * i) & 3) : X86_SSE_ZERO;
  mm_put(l, 0, x86_sse_permute(l, mm_get(l, 1, IR_T_v8i16), IR_NONE, 2, sel));
  return mmx_end(l);
}

/* pshufb mm: byte i = 0 if idx bit 7, else dst byte idx & 7. Indices 0x80..0x87
 * are >= 16, which vtbl turns into 0. */
static bool lift_pshufb(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  IrRef idx = ir_op2(l->fn, IR_OP_and, mm_get(l, 1, IR_T_v16i8), x86_sse_splat(l, IR_T_v16i8, 0x87));
  mm_put(l, 0, ir_op2(l->fn, IR_OP_vtbl, mm_get(l, 0, IR_T_v16i8), idx));
  return mmx_end(l);
}

/* palignr mm, mm/m64, imm8: the 128-bit dst:src shifted right by imm bytes. */
static bool lift_palignr(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  unsigned imm = (unsigned)(l->op[2].imm.value.u & 0xff);
  uint8_t sel[16];
  for (unsigned i = 0; i < 16; i++)
    sel[i] = i < 8 && imm + i < 16 ? (uint8_t)(imm + i) : X86_SSE_ZERO;
  IrRef v = pair128(l, mm_get64(l, 1), mm_get64(l, 0), IR_T_v16i8);
  mm_put(l, 0, x86_sse_permute(l, v, IR_NONE, 1, sel));
  return mmx_end(l);
}

/* pinsrw mm, r32/m16, imm8: word imm & 3 = the low 16 bits of the source. */
static bool lift_pinsrw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  unsigned k = (unsigned)(l->op[2].imm.value.u & 3);
  IrRef w = x86_get_as(l, 1, IR_T_i16);
  mm_put(l, 0, ir_deposit(l->fn, mm_get64(l, 0), w, 16 * k, 16));
  return mmx_end(l);
}

/* pextrw r32/64, mm, imm8: word imm & 3, zero-extended. */
static bool lift_pextrw(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  unsigned k = (unsigned)(l->op[2].imm.value.u & 3);
  mm_put(l, 0, ir_extract(l->fn, mm_get64(l, 1), 16 * k, 16, false));
  return mmx_end(l);
}

/* pmovmskb r32/64, mm: the top bit of each byte. */
static bool lift_pmovmskb(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  IrRef v = mm_get(l, 1, IR_T_v16i8);
  mm_put(l, 0, ir_emit(l->fn, IR_OP_vmovmsk, IR_T_i64, 1, &v, 0, 0));
  return mmx_end(l);
}

/* -- Moves ------------------------------------------------------------------- */

/* movd/movq/movntq and movdq2q: every form with an mm operand is a copy of
 * the source's low bits, zero-extended into an mm register. */
static bool lift_mov(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  mm_put(l, 0, mm_get64(l, 1));
  return mmx_end(l);
}

/* movq2dq xmm, mm: the whole xmm, zero-extended. */
static bool lift_movq2dq(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  x86_sse_put(l, 0, x86_sse_zext128(l, mm_get64(l, 1)));
  return mmx_end(l);
}

/* maskmovq mm1, mm2: the bytes of mm1 whose mm2 byte has its top bit set are
 * stored at [rdi] (edi with 0x67). As for maskmovdqu (lift_sse_mov.c), the
 * host checks all eight bytes first, whatever the mask: a load stands in for
 * that, then each selected byte is its own conditional store. The host has
 * switched to MMX mode when that check faults. */
static bool lift_maskmovq(X86Lift *l, const X86Lifter *e) {
  (void)e;
  if (!mmx_begin(l))
    return false;
  x87_mode(l, 0);
  IrFunc *fn = l->fn;
  IrRef data = mm_get(l, 0, IR_T_v16i8), sel = mm_get(l, 1, IR_T_v16i8);
  IrRef mask = ir_emit(fn, IR_OP_vmovmsk, IR_T_i32, 1, &sel, 0, 0), base = x86_addr(l, 2);
  x86_load(l, IR_T_i64, base);
  x86_store_bytes_masked(l, data, mask, base, 8);
  return true;
}

/* emms: every x87 register empty, TOP = 0. */
static bool lift_emms(X86Lift *l, const X86Lifter *e) {
  (void)e;
  mf_check(l);
  x87_mode(l, 0xff);
  return true;
}

/* -- Conversions (SSE/SSE2 with an mm or m64 integer side) -------------------- */

/* The MMX state changes only when an operand is an mm register: cvtpi2ps and
 * cvtpi2pd from memory are plain SSE. */
static void cvt_begin(X86Lift *l) {
  if (names_mm(l))
    mf_check(l);
}

static IrRef cvt_rounding(X86Lift *l, bool trunc) {
  return trunc ? ir_const(l->fn, IR_T_i8, IR_RM_ZERO) : x86_fp_rm(l);
}

/* cvtpi2ps xmm, mm/m64: two int32 to floats in lanes 0..1; lanes 2..3 kept. */
static bool lift_cvtpi2ps(X86Lift *l, const X86Lifter *e) {
  (void)e;
  cvt_begin(l);
  IrRef args[2] = {mm_get(l, 1, IR_T_v4i32), x86_fp_rm(l)};
  IrRef f = ir_emit(l->fn, IR_OP_itof, IR_T_v4f32, 2, args, IR_CVT_SIGNED, 0);
  IrRef ins[2] = {x86_sse_get(l, 0, IR_T_v2i64), low64(l, f)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_vinsert, IR_T_v2i64, 2, ins, 0, 0));
  return mmx_end(l);
}

/* cvtpi2pd xmm, mm/m64: two int32 to doubles (exact). */
static bool lift_cvtpi2pd(X86Lift *l, const X86Lifter *e) {
  (void)e;
  cvt_begin(l);
  IrRef v = mm_get(l, 1, IR_T_v4i32);
  IrRef args[2] = {ir_emit(l->fn, IR_OP_vwidenlo, IR_T_v2i64, 1, &v, IR_WIDEN_SIGN, 0),
                   x86_fp_rm(l)};
  x86_sse_put(l, 0, ir_emit(l->fn, IR_OP_itof, IR_T_v2f64, 2, args, IR_CVT_SIGNED, 0));
  return mmx_end(l);
}

/* cvt(t)ps2pi mm, xmm/m64: two floats to int32 (a = truncate), indefinite
 * (0x80000000) for NaN and out of range. */
static bool lift_cvtps2pi(X86Lift *l, const X86Lifter *e) {
  cvt_begin(l);
  IrRef args[2] = {mm_get(l, 1, IR_T_v4f32), cvt_rounding(l, e->a)};
  mm_put(l, 0, ir_emit(l->fn, IR_OP_ftoi, IR_T_v4i32, 2, args, IR_CVT_SIGNED, 0));
  return mmx_end(l);
}

/* cvt(t)pd2pi mm, xmm/m128: two doubles to int32 (a = truncate), lane by lane
 * at i32 so that out-of-range doubles give the int32 indefinite. */
static bool lift_cvtpd2pi(X86Lift *l, const X86Lifter *e) {
  cvt_begin(l);
  IrFunc *fn = l->fn;
  IrRef v = x86_sse_get(l, 1, IR_T_v2f64), rm = cvt_rounding(l, e->a), r = x86_i64(l, 0);
  for (unsigned i = 0; i < 2; i++) {
    IrRef x = ir_emit(fn, IR_OP_vextract, IR_T_f64, 1, &v, i, 0);
    IrRef args[2] = {x, rm};
    IrRef n = ir_emit(fn, IR_OP_ftoi, IR_T_i32, 2, args, IR_CVT_SIGNED, 0);
    r = ir_deposit(fn, r, n, 32 * i, 32);
  }
  mm_put(l, 0, r);
  return mmx_end(l);
}

#define ROW(mn, fn, a, b) {ZYDIS_MNEMONIC_##mn, fn, a, b}
#define BIN(mn, op, t) ROW(mn, lift_bin, IR_OP_##op, IR_T_##t)
#define CMP(mn, pred, t) ROW(mn, lift_cmp, IR_PRED_##pred, IR_T_##t)
#define SHIFT(mn, op, t) ROW(mn, lift_shift, IR_OP_##op, IR_T_##t)
#define PUNPCK(mn, hi, t) ROW(mn, lift_punpck, hi, IR_T_##t)
#define PHOP(mn, op, t) ROW(mn, lift_phop, IR_OP_##op, IR_T_##t)

/* x86_translate.c tries this table before the SSE ones: a row says no to a
 * shared mnemonic's SSE form, which then goes to its SSE row. */
const X86Lifter x86_lifters_mmx[] = {
    BIN(PADDB, add, v16i8),        BIN(PADDW, add, v8i16),        BIN(PADDD, add, v4i32),
    BIN(PADDQ, add, i64),          BIN(PSUBB, sub, v16i8),        BIN(PSUBW, sub, v8i16),
    BIN(PSUBD, sub, v4i32),        BIN(PSUBQ, sub, i64),
    BIN(PADDSB, saddsat, v16i8),   BIN(PADDSW, saddsat, v8i16),
    BIN(PADDUSB, uaddsat, v16i8),  BIN(PADDUSW, uaddsat, v8i16),
    BIN(PSUBSB, ssubsat, v16i8),   BIN(PSUBSW, ssubsat, v8i16),
    BIN(PSUBUSB, usubsat, v16i8),  BIN(PSUBUSW, usubsat, v8i16),
    BIN(PMULLW, mul, v8i16),       BIN(PMULHW, mulhs, v8i16),     BIN(PMULHUW, mulhu, v8i16),
    BIN(PMINUB, umin, v16i8),      BIN(PMAXUB, umax, v16i8),
    BIN(PMINSW, smin, v8i16),      BIN(PMAXSW, smax, v8i16),
    BIN(PAND, and, i64),           BIN(POR, or, i64),             BIN(PXOR, xor, i64),
    ROW(PANDN, lift_bin, IR_OP_andn | SWAP, IR_T_i64),
    CMP(PCMPEQB, eq, v16i8),       CMP(PCMPEQW, eq, v8i16),       CMP(PCMPEQD, eq, v4i32),
    CMP(PCMPGTB, sgt, v16i8),      CMP(PCMPGTW, sgt, v8i16),      CMP(PCMPGTD, sgt, v4i32),
    SHIFT(PSLLW, shl, v8i16),      SHIFT(PSLLD, shl, v4i32),      SHIFT(PSLLQ, shl, i64),
    SHIFT(PSRLW, lshr, v8i16),     SHIFT(PSRLD, lshr, v4i32),     SHIFT(PSRLQ, lshr, i64),
    SHIFT(PSRAW, ashr, v8i16),     SHIFT(PSRAD, ashr, v4i32),
    ROW(PAVGB, lift_pavg, IR_T_v16i8, 0), ROW(PAVGW, lift_pavg, IR_T_v8i16, 0),
    ROW(PABSB, lift_pabs, IR_T_v16i8, 0), ROW(PABSW, lift_pabs, IR_T_v8i16, 0),
    ROW(PABSD, lift_pabs, IR_T_v4i32, 0),
    ROW(PSIGNB, lift_psign, IR_T_v16i8, 0), ROW(PSIGNW, lift_psign, IR_T_v8i16, 0),
    ROW(PSIGND, lift_psign, IR_T_v4i32, 0),
    ROW(PMULUDQ, lift_pmuludq, 0, 0),
    ROW(PMADDWD, lift_pmadd, IR_T_v4i32, IR_OP_add),
    ROW(PMADDUBSW, lift_pmadd, IR_T_v8i16, IR_OP_saddsat),
    ROW(PMULHRSW, lift_pmulhrsw, 0, 0), ROW(PSADBW, lift_psadbw, 0, 0),
    PUNPCK(PUNPCKLBW, 0, v16i8),   PUNPCK(PUNPCKLWD, 0, v8i16),   PUNPCK(PUNPCKLDQ, 0, v4i32),
    PUNPCK(PUNPCKHBW, 1, v16i8),   PUNPCK(PUNPCKHWD, 1, v8i16),   PUNPCK(PUNPCKHDQ, 1, v4i32),
    ROW(PACKSSWB, lift_pack, IR_T_v8i16, IR_NARROW_SSAT),
    ROW(PACKSSDW, lift_pack, IR_T_v4i32, IR_NARROW_SSAT),
    ROW(PACKUSWB, lift_pack, IR_T_v8i16, IR_NARROW_USAT),
    PHOP(PHADDW, add, v8i16),      PHOP(PHADDD, add, v4i32),      PHOP(PHADDSW, saddsat, v8i16),
    PHOP(PHSUBW, sub, v8i16),      PHOP(PHSUBD, sub, v4i32),      PHOP(PHSUBSW, ssubsat, v8i16),
    ROW(PSHUFW, lift_pshufw, 0, 0), ROW(PSHUFB, lift_pshufb, 0, 0),
    ROW(PALIGNR, lift_palignr, 0, 0),
    ROW(PINSRW, lift_pinsrw, 0, 0), ROW(PEXTRW, lift_pextrw, 0, 0),
    ROW(PMOVMSKB, lift_pmovmskb, 0, 0),
    ROW(MOVD, lift_mov, 0, 0),     ROW(MOVQ, lift_mov, 0, 0),     ROW(MOVNTQ, lift_mov, 0, 0),
    ROW(MOVDQ2Q, lift_mov, 0, 0),  ROW(MOVQ2DQ, lift_movq2dq, 0, 0),
    ROW(MASKMOVQ, lift_maskmovq, 0, 0),
    ROW(EMMS, lift_emms, 0, 0),
    ROW(CVTPI2PS, lift_cvtpi2ps, 0, 0), ROW(CVTPI2PD, lift_cvtpi2pd, 0, 0),
    ROW(CVTPS2PI, lift_cvtps2pi, 0, 0), ROW(CVTTPS2PI, lift_cvtps2pi, 1, 0),
    ROW(CVTPD2PI, lift_cvtpd2pi, 0, 0), ROW(CVTTPD2PI, lift_cvtpd2pi, 1, 0),
    {0, NULL, 0, 0},
};
