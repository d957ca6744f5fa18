/* lift_sse_operand.c — the SSE lifters' operand helpers (lift_sse.h): XMM
 * registers and m128 operands as typed 128-bit values, scalars from the low lanes,
 * constant vectors, and constant permutations lowered to vtbl. */
#include "lift_sse.h"

#include <string.h>

bool x86_sse_is_xmm(const X86Lift *l, int i) {
  return l->op[i].type == ZYDIS_OPERAND_TYPE_REGISTER && l->op[i].reg.value >= ZYDIS_REGISTER_XMM0 &&
         l->op[i].reg.value <= ZYDIS_REGISTER_XMM15;
}

IrRef x86_sse_cast(X86Lift *l, IrRef v, IrType t) {
  return ir_typeof(l->fn, v) == t ? v : ir_cast(l->fn, IR_OP_bitcast, t, v);
}

IrRef x86_sse_xmm(X86Lift *l, unsigned n, IrType t) {
  return x86_sse_cast(l, ir_get(l->fn, X86_SLOT_XMM0 + n), t);
}

void x86_sse_xmm_put(X86Lift *l, unsigned n, IrRef v) {
  ir_set(l->fn, X86_SLOT_XMM0 + n, x86_sse_cast(l, v, IR_T_v2i64));
}

/* Legacy SSE instructions whose m128 operand may be misaligned; every other one
 * raises #GP (SIGSEGV) on an address that is not a multiple of 16. */
static const ZydisMnemonic unaligned_m128[] = {
    ZYDIS_MNEMONIC_MOVUPS,    ZYDIS_MNEMONIC_MOVUPD,    ZYDIS_MNEMONIC_MOVDQU,
    ZYDIS_MNEMONIC_LDDQU,     ZYDIS_MNEMONIC_PCMPESTRI, ZYDIS_MNEMONIC_PCMPESTRM,
    ZYDIS_MNEMONIC_PCMPISTRI, ZYDIS_MNEMONIC_PCMPISTRM,
};

static uint32_t m128_flags(const X86Lift *l) {
  for (size_t k = 0; k < sizeof unaligned_m128 / sizeof unaligned_m128[0]; k++)
    if (l->in.mnemonic == unaligned_m128[k])
      return 0;
  return IR_MEM_ALIGN;
}

IrRef x86_sse_get(X86Lift *l, int i, IrType t) {
  if (x86_is_mem(l, i))
    return x86_sse_cast(l, ir_load(l->fn, IR_T_v2i64, x86_addr(l, i), m128_flags(l)), t);
  return x86_sse_xmm(l, l->op[i].reg.value - ZYDIS_REGISTER_XMM0, t);
}

void x86_sse_put(X86Lift *l, int i, IrRef v) {
  if (x86_is_mem(l, i))
    ir_store(l->fn, x86_addr(l, i), x86_sse_cast(l, v, IR_T_v2i64), m128_flags(l));
  else
    x86_sse_xmm_put(l, l->op[i].reg.value - ZYDIS_REGISTER_XMM0, v);
}

IrRef x86_sse_get_low(X86Lift *l, int i, IrType t) {
  if (!x86_sse_is_xmm(l, i))
    return x86_get_as(l, i, t);
  IrRef v = x86_sse_get(l, i, IR_T_v2i64);
  IrRef lo = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v, 0, 0);
  return t == IR_T_i64 ? lo : ir_cast(l->fn, IR_OP_trunc, t, lo);
}

IrRef x86_sse_zext128(X86Lift *l, IrRef s) {
  if (ir_typeof(l->fn, s) != IR_T_i64)
    s = ir_cast(l->fn, IR_OP_zext, IR_T_i64, s);
  IrRef args[2] = {x86_sse_const(l, IR_T_v2i64, 0, 0), s};
  return ir_emit(l->fn, IR_OP_vinsert, IR_T_v2i64, 2, args, 0, 0);
}

IrRef x86_sse_const(X86Lift *l, IrType t, uint64_t lo, uint64_t hi) {
  return ir_vconst(l->fn, t, (IrV128){lo, hi});
}

IrRef x86_sse_splat(X86Lift *l, IrType t, uint64_t lane) {
  unsigned bits = ir_type_bits(ir_type_lane(t));
  uint64_t v = lane & (bits == 64 ? ~0ull : (1ull << bits) - 1);
  for (unsigned b = bits; b < 64; b *= 2)
    v |= v << b;
  return x86_sse_const(l, t, v, v);
}

static IrRef const_bytes(X86Lift *l, const uint8_t b[16]) {
  IrV128 v;
  memcpy(&v.lo, b, 8);
  memcpy(&v.hi, b + 8, 8);
  return ir_vconst(l->fn, IR_T_v16i8, v);
}

/* Bytes select from a (index < 16 into a) or b; vtbl turns index >= 16 into 0,
 * so each source gets its own index vector and the two results are or-ed. */
IrRef x86_sse_permute(X86Lift *l, IrRef a, IrRef b, unsigned lane_bytes, const uint8_t *sel) {
  unsigned n = 16 / lane_bytes;
  uint8_t ia[16], ib[16];
  bool use_a = false, use_b = false;
  for (unsigned i = 0; i < n; i++)
    for (unsigned k = 0; k < lane_bytes; k++) {
      unsigned s = sel[i], at = i * lane_bytes + k;
      ia[at] = s < n ? (uint8_t)(s * lane_bytes + k) : X86_SSE_ZERO;
      ib[at] = s >= n && s < 2 * n ? (uint8_t)((s - n) * lane_bytes + k) : X86_SSE_ZERO;
      use_a |= s < n;
      use_b |= s >= n && s < 2 * n;
    }
  IrRef r = IR_NONE;
  if (use_a)
    r = ir_op2(l->fn, IR_OP_vtbl, x86_sse_cast(l, a, IR_T_v16i8), const_bytes(l, ia));
  if (use_b) {
    IrRef rb = ir_op2(l->fn, IR_OP_vtbl, x86_sse_cast(l, b, IR_T_v16i8), const_bytes(l, ib));
    r = r ? ir_op2(l->fn, IR_OP_or, r, rb) : rb;
  }
  return r ? r : x86_sse_const(l, IR_T_v16i8, 0, 0);
}

/* Store byte i of data (v16i8) at base + i for each of the first n bytes whose
 * bit i of mask (i32) is set: each its own conditional store, so bytes not
 * selected are never written back (another thread may own them). maskmovq and
 * maskmovdqu. */
void x86_store_bytes_masked(X86Lift *l, IrRef data, IrRef mask, IrRef base, unsigned n) {
  IrFunc *fn = l->fn;
  for (unsigned i = 0; i < n; i++) {
    IrRef bit = ir_op2(fn, IR_OP_and, mask, ir_const(fn, IR_T_i32, 1u << i));
    uint32_t store = ir_block_new(fn), next = ir_block_new(fn);
    ir_br(fn, ir_cmp(fn, IR_PRED_ne, bit, ir_const(fn, IR_T_i32, 0)), store, next);
    ir_block_set(fn, store);
    IrRef byte = ir_emit(fn, IR_OP_vextract, IR_T_i8, 1, &data, i, 0);
    x86_store(l, ir_op2(fn, IR_OP_add, base, x86_i64(l, i)), byte);
    ir_jmp(fn, next);
    ir_block_set(fn, next);
  }
}
