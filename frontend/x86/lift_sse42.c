/* lift_sse42.c — SSE4.2's string compares (pcmpestri/pcmpestrm/pcmpistri/
 * pcmpistrm) and crc32. The string compares are one C helper that follows the
 * manual's pseudo-code step by step (lengths, the element-pair matrix with its
 * forced results for invalid elements, aggregation, polarity, output selection,
 * flags); the lifter turns its packed answer into ECX or XMM0 and the flags.
 * glibc's strchr/strlen/strcmp family run through here when SSE4.2 is advertised. */
#include <stdlib.h>
#include <string.h>

#include "lift_sse.h"

/* -- The string-compare helper ------------------------------------------------ */

/* ctl bits: imm8, the xmm1 register number, explicit lengths (e), 64-bit lengths (W). */
#define STR_REG_SHIFT 8
#define STR_EXPLICIT (1u << 12)
#define STR_LEN64 (1u << 13)
/* The helper's answer: IntRes2, the index, and the flags. */
#define STR_INDEX_SHIFT 16
#define STR_CF (1u << 24)
#define STR_ZF (1u << 25)
#define STR_SF (1u << 26)
#define STR_OF (1u << 27)

enum { AGG_EQUAL_ANY, AGG_RANGES, AGG_EQUAL_EACH, AGG_EQUAL_ORDERED };

/* Element i of a 16-byte operand, per imm[1:0]: ub, uw, sb, sw. */
static int64_t str_elem(const uint8_t *v, unsigned i, unsigned fmt) {
  if (fmt & 1) {
    uint16_t w = (uint16_t)(v[2 * i] | v[2 * i + 1] << 8);
    return (fmt & 2) ? (int16_t)w : w;
  }
  return (fmt & 2) ? (int8_t)v[i] : v[i];
}

/* Implicit length: the index of the first zero element, or n. */
static unsigned str_implicit_len(const uint8_t *v, unsigned n, unsigned fmt) {
  unsigned i = 0;
  while (i < n && str_elem(v, i, fmt) != 0)
    i++;
  return i;
}

/* Explicit length: |reg| saturated to n (a 32-bit register unless REX.W). */
static unsigned str_explicit_len(uint64_t reg, bool len64, unsigned n) {
  int64_t s = len64 ? (int64_t)reg : (int64_t)(int32_t)reg;
  uint64_t m = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
  return m < n ? (unsigned)m : n;
}

/* BoolRes for one pair: a[i] (xmm1) against b[j] (xmm2/m128), with the manual's
 * forced values when either element lies past its string's length. */
static bool str_pair(const uint8_t *a, const uint8_t *b, unsigned i, unsigned j, unsigned la,
                     unsigned lb, unsigned fmt, unsigned agg) {
  bool va = i < la, vb = j < lb;
  if (!va || !vb) {
    if (agg == AGG_EQUAL_EACH)
      return !va && !vb;
    if (agg == AGG_EQUAL_ORDERED)
      return !va;
    return false;
  }
  int64_t x = str_elem(a, i, fmt), y = str_elem(b, j, fmt);
  if (agg == AGG_RANGES)
    return (i & 1) ? y <= x : y >= x;
  return x == y;
}

static unsigned str_intres1(const uint8_t *a, const uint8_t *b, unsigned la, unsigned lb,
                            unsigned n, unsigned fmt, unsigned agg) {
  unsigned r = 0;
  for (unsigned j = 0; j < n; j++) {
    bool bit;
    switch (agg) {
    case AGG_EQUAL_ANY:
      bit = false;
      for (unsigned i = 0; i < n; i++)
        bit |= str_pair(a, b, i, j, la, lb, fmt, agg);
      break;
    case AGG_RANGES:
      bit = false;
      for (unsigned i = 0; i + 1 < n; i += 2)
        bit |= str_pair(a, b, i, j, la, lb, fmt, agg) && str_pair(a, b, i + 1, j, la, lb, fmt, agg);
      break;
    case AGG_EQUAL_EACH:
      bit = str_pair(a, b, j, j, la, lb, fmt, agg);
      break;
    default: /* equal ordered: the needle a starts at b[j] (a match may run off the end) */
      bit = true;
      for (unsigned k = 0; k + j < n; k++)
        bit &= str_pair(a, b, k, j + k, la, lb, fmt, agg);
      break;
    }
    r |= (unsigned)bit << j;
  }
  return r;
}

/* IntRes2 by the host's own instruction (mask form, imm[6] = 0) when it has
 * SSE4.2: the generic pair matrix above costs ~1 us per call, this ~10 ns.
 * la and lb are already saturated, so pcmpestrm sees them as in range. Bits
 * 16 and 17 of the result are ZF (b shorter than n) and SF (a shorter). */
#define PCMP_CASES(X) \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) \
  X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) \
  X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) \
  X(44) X(45) X(46) X(47) X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) \
  X(58) X(59) X(60) X(61) X(62) X(63)

typedef long long str_v2di __attribute__((vector_size(16), aligned(1)));

__attribute__((target("sse4.2"))) static unsigned str_native(const uint8_t *a, const uint8_t *b,
                                                             unsigned imm, bool expl,
                                                             unsigned la, unsigned lb) {
  str_v2di va, vb, m;
  uint8_t zf, sf;
  memcpy(&va, a, 16);
  memcpy(&vb, b, 16);
  if (expl) {
    switch (imm & 0x3f) {
#define PCMP_E(k)                                                                        \
  case k:                                                                                \
    __asm__("pcmpestrm %[i], %[b], %[a]\n\tsetz %[z]\n\tsets %[s]"                        \
            : "=Yz"(m), [z] "=q"(zf), [s] "=q"(sf)                                       \
            : [a] "x"(va), [b] "x"(vb), [i] "i"(k), "a"(la), "d"(lb) : "cc");            \
    break;
      PCMP_CASES(PCMP_E)
#undef PCMP_E
    }
  } else {
    switch (imm & 0x3f) {
#define PCMP_I(k)                                                                        \
  case k:                                                                                \
    __asm__("pcmpistrm %[i], %[b], %[a]\n\tsetz %[z]\n\tsets %[s]"                        \
            : "=Yz"(m), [z] "=q"(zf), [s] "=q"(sf)                                       \
            : [a] "x"(va), [b] "x"(vb), [i] "i"(k) : "cc");                              \
    break;
      PCMP_CASES(PCMP_I)
#undef PCMP_I
    }
  }
  return ((unsigned)(uint64_t)m[0] & 0xffff) | (unsigned)zf << 16 | (unsigned)sf << 17;
}

static uint64_t helper_pcmpstr(void *opaque, uint64_t b_lo, uint64_t b_hi, uint64_t ctl,
                               uint64_t a3) {
  (void)a3;
  const X86Cpu *cpu = opaque;
  unsigned imm = ctl & 0xff, fmt = imm & 3, agg = imm >> 2 & 3, pol = imm >> 4 & 3;
  unsigned n = (fmt & 1) ? 8 : 16, all = (1u << n) - 1;
  const uint8_t *a = cpu->xmm[ctl >> STR_REG_SHIFT & 15];
  uint8_t b[16];
  for (int k = 0; k < 8; k++)
    b[k] = (uint8_t)(b_lo >> 8 * k), b[8 + k] = (uint8_t)(b_hi >> 8 * k);
  static int native = -1;
  if (native < 0)
    native = __builtin_cpu_supports("sse4.2") && !getenv("EMU_GENERIC_PCMPSTR");
  unsigned la = n, lb = n, r;
  bool zf, sf;
  if (ctl & STR_EXPLICIT) {
    la = str_explicit_len(cpu->gpr[X86_RAX], ctl & STR_LEN64, n);
    lb = str_explicit_len(cpu->gpr[X86_RDX], ctl & STR_LEN64, n);
  } else if (!native) {
    la = str_implicit_len(a, n, fmt);
    lb = str_implicit_len(b, n, fmt);
  }
  if (native) {
    unsigned x = str_native(a, b, imm, ctl & STR_EXPLICIT, la, lb);
    r = x & 0xffff, zf = x >> 16 & 1, sf = x >> 17 & 1;
  } else {
    r = str_intres1(a, b, la, lb, n, fmt, agg);
    if (pol == 1)
      r ^= all; /* negative */
    else if (pol == 3)
      r ^= (1u << lb) - 1; /* masked negative: only b's valid elements */
    zf = lb < n, sf = la < n;
  }
  unsigned index = r == 0 ? n : (imm & 0x40) ? 31u - (unsigned)__builtin_clz(r) : (unsigned)__builtin_ctz(r);
  uint64_t out = r | (uint64_t)index << STR_INDEX_SHIFT;
  out |= r ? STR_CF : 0;
  out |= zf ? STR_ZF : 0;
  out |= sf ? STR_SF : 0;
  out |= (r & 1) ? STR_OF : 0;
  return out;
}

/* -- crc32: CRC-32C (Castagnoli), bit-reflected, as the instruction computes it -- */

static uint64_t helper_crc32c(void *cpu, uint64_t crc, uint64_t data, uint64_t bytes,
                              uint64_t a3) {
  (void)cpu, (void)a3;
  uint32_t c = (uint32_t)crc;
  for (unsigned k = 0; k < 8 * bytes; k++) {
    c ^= (uint32_t)(data >> k) & 1;
    c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
  }
  return c;
}

enum { H_PCMPSTR, H_CRC32C, H__COUNT };
static const IrHelper helper_defs[H__COUNT] = {
    [H_PCMPSTR] = {"x86_pcmpstr", helper_pcmpstr, 3, IR_T_i64, IR_HELPER_READS_STATE},
    [H_CRC32C] = {"x86_crc32c", helper_crc32c, 3, IR_T_i32, 0},
};
static uint32_t helper_index[H__COUNT];

void x86_sse42_helpers_register(void) {
  for (int i = 0; i < H__COUNT; i++)
    helper_index[i] = (uint32_t)ir_helper_register(&helper_defs[i]);
}

/* -- Lifters ------------------------------------------------------------------ */

static IrRef bit_of(X86Lift *l, IrRef v, uint32_t mask) {
  IrRef m = ir_op2(l->fn, IR_OP_and, v, x86_i64(l, mask));
  return ir_cmp(l->fn, IR_PRED_ne, m, x86_i64(l, 0));
}

/* IntRes2 (i64, n bits) as XMM0 per imm[6]: zero-extended bits, or each bit
 * expanded to a whole byte/word lane (bit i tested in lane i by a constant). */
static IrRef str_mask(X86Lift *l, IrRef r, unsigned imm) {
  IrFunc *fn = l->fn;
  IrRef bits = ir_op2(fn, IR_OP_and, r, x86_i64(l, 0xffff));
  if (!(imm & 0x40))
    return x86_sse_zext128(l, bits);
  IrType t = (imm & 1) ? IR_T_v8i16 : IR_T_v16i8;
  IrRef v;
  uint64_t lanebit;
  if (t == IR_T_v8i16) {
    IrRef w = ir_cast(fn, IR_OP_trunc, IR_T_i16, bits);
    v = ir_emit(fn, IR_OP_vsplat, t, 1, &w, 0, 0);
    lanebit = 0x0008000400020001ull;
  } else {
    static const uint8_t spread[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    v = x86_sse_permute(l, x86_sse_zext128(l, bits), IR_NONE, 1, spread);
    lanebit = 0x8040201008040201ull;
  }
  IrRef k = t == IR_T_v8i16 ? x86_sse_const(l, t, lanebit, lanebit << 4)
                            : x86_sse_const(l, t, lanebit, lanebit);
  return ir_cmp(fn, IR_PRED_eq, ir_op2(fn, IR_OP_and, v, k), k);
}

/* pcmpestri/pcmpestrm (a = 1) and pcmpistri/pcmpistrm (a = 0); b = 1 for the mask
 * forms. xmm2/m128 goes to the helper by value (no alignment needed); xmm1, rax
 * and rdx it reads from the CPU state. */
static bool lift_pcmpstr(X86Lift *l, const X86Lifter *e) {
  IrFunc *fn = l->fn;
  unsigned imm = (unsigned)l->op[2].imm.value.u & 0xff;
  IrRef b = x86_sse_get(l, 1, IR_T_v2i64);
  uint64_t ctl = imm | (uint64_t)(l->op[0].reg.value - ZYDIS_REGISTER_XMM0) << STR_REG_SHIFT;
  if (e->a)
    ctl |= STR_EXPLICIT | (l->in.operand_width == 64 ? STR_LEN64 : 0);
  IrRef args[3] = {ir_emit(fn, IR_OP_vextract, IR_T_i64, 1, &b, 0, 0),
                   ir_emit(fn, IR_OP_vextract, IR_T_i64, 1, &b, 1, 0), x86_i64(l, ctl)};
  IrRef r = ir_call(fn, helper_index[H_PCMPSTR], 3, args);
  if (e->b) {
    x86_sse_xmm_put(l, 0, str_mask(l, r, imm));
  } else {
    IrRef idx = ir_op2(fn, IR_OP_lshr, r, x86_i64(l, STR_INDEX_SHIFT));
    idx = ir_op2(fn, IR_OP_and, idx, x86_i64(l, 31));
    x86_gpr_put(l, X86_RCX, 32, false, ir_cast(fn, IR_OP_trunc, IR_T_i32, idx));
  }
  IrRef no = ir_const(fn, IR_T_i1, 0);
  x86_set_flag(l, X86_SLOT_CF, bit_of(l, r, STR_CF));
  x86_set_flag(l, X86_SLOT_ZF, bit_of(l, r, STR_ZF));
  x86_set_flag(l, X86_SLOT_SF, bit_of(l, r, STR_SF));
  x86_set_flag(l, X86_SLOT_OF, bit_of(l, r, STR_OF));
  x86_set_flag(l, X86_SLOT_AF, no);
  x86_set_flag(l, X86_SLOT_PF, no);
  return true;
}

/* crc32 r32/r64, r/m8..64: the 32-bit CRC-32C of the source bytes continued from
 * the destination's low 32 bits; the result is zero-extended. */
static bool lift_crc32(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef crc = x86_get_as(l, 0, IR_T_i32);
  IrRef args[3] = {crc, x86_get_as(l, 1, IR_T_i64), x86_i64(l, l->op[1].size / 8)};
  IrRef r = ir_call(fn, helper_index[H_CRC32C], 3, args);
  x86_put(l, 0, x86_optype(l, 0) == IR_T_i64 ? ir_cast(fn, IR_OP_zext, IR_T_i64, r) : r);
  return true;
}

const X86Lifter x86_lifters_sse42[] = {
    {ZYDIS_MNEMONIC_PCMPESTRI, lift_pcmpstr, 1, 0},
    {ZYDIS_MNEMONIC_PCMPESTRM, lift_pcmpstr, 1, 1},
    {ZYDIS_MNEMONIC_PCMPISTRI, lift_pcmpstr, 0, 0},
    {ZYDIS_MNEMONIC_PCMPISTRM, lift_pcmpstr, 0, 1},
    {ZYDIS_MNEMONIC_CRC32, lift_crc32, 0, 0},
    {0, NULL, 0, 0},
};
