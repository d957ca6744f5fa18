/* lift_simd_helper.c — the Advanced SIMD operations done lane by lane in C:
 * those with per-lane shift counts (sshl ushl srshl urshl sqshl uqshl sqrshl
 * uqrshl), saturating left shifts by an immediate, sqdmulh sqrdmulh, pmul,
 * cls clz, suqadd usqadd (saturation sets FPSR.QC), fcvtl/fcvtn between
 * half and single precision lanes, pmull (bytes), the reciprocal estimates
 * (a64_fpest.c) and frecpx. They are rare in compiled code and would take many
 * IR instructions per lane. One helper reads Vn/Vm and writes Vd in the guest
 * state directly (the IR sees it read and write state). */
#include <string.h>

#include "a64_simd.h"

typedef struct VArgs {
  unsigned kind, rd, rn, rm, size, imm;
  bool q, scalar;
  A64FpCtx *fp; /* FPCR, and the FP flags the lanes raise */
} VArgs;

static uint64_t pack(const VArgs *a) {
  return a->rd | a->rn << 5 | a->rm << 10 | a->size << 15 | (unsigned)a->q << 17 |
         (unsigned)a->scalar << 18 | (uint64_t)a->imm << 19;
}

static uint64_t lane_get(const uint8_t *v, unsigned size, unsigned i) {
  uint64_t x = 0;
  memcpy(&x, v + (i << size), 1u << size);
  return x;
}

static void lane_set(uint8_t *v, unsigned size, unsigned i, uint64_t x) {
  memcpy(v + (i << size), &x, 1u << size);
}

static int64_t sx(uint64_t x, unsigned bits) {
  return bits == 64 ? (int64_t)x : (int64_t)(x << (64 - bits)) >> (64 - bits);
}

/* Saturate an exact value to the lane's signed or unsigned range; clamping
 * sets FPSR.QC (*qc). */
static uint64_t sat_qc(__int128 v, unsigned bits, bool is_signed, bool *qc) {
  __int128 lo = is_signed ? -((__int128)1 << (bits - 1)) : 0;
  __int128 hi = is_signed ? ((__int128)1 << (bits - 1)) - 1 : ((__int128)1 << bits) - 1;
  if (v < lo || v > hi)
    *qc = true;
  return (uint64_t)(v < lo ? lo : v > hi ? hi : v);
}
#define sat(v, bits, is_signed) sat_qc(v, bits, is_signed, qc)

/* x shifted by sh (left if positive) exactly, rounding right shifts if asked.
 * A left shift that moves every bit out is a huge value: it saturates, and
 * truncates to 0 (2^100 has no bits below 64). */
static __int128 shift_exact(__int128 x, int sh, bool round, unsigned bits) {
  const __int128 huge = (__int128)1 << 100;
  if (sh >= 0) {
    if (x == 0)
      return 0;
    if (sh < (int)bits)
      return x * ((__int128)1 << sh); /* |x| < 2^64, sh < 64: fits */
    return x > 0 ? huge : -huge;
  }
  unsigned r = (unsigned)-sh;
  if (r > 100)
    r = 100;
  if (round)
    x += (__int128)1 << (r - 1);
  return x >> r;
}

static uint64_t clz_bits(uint64_t x, unsigned bits) {
  unsigned n = 0;
  for (int b = (int)bits - 1; b >= 0 && !(x >> b & 1); b--)
    n++;
  return n;
}

static uint64_t pmul8(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 8; i++)
    if (b >> i & 1)
      r ^= a << i;
  return r & 0xff;
}

static uint64_t lane_op(const VArgs *a, uint64_t n, uint64_t m, uint64_t d, bool *qc) {
  unsigned bits = 8u << a->size;
  __int128 sn = sx(n, bits), sm = sx(m, bits), sd = sx(d, bits);
  int sh = (int8_t)(m & 0xff);
  uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
  switch (a->kind) {
  case A64_VH_SSHL: return (uint64_t)shift_exact(sn, sh, false, bits);
  case A64_VH_USHL: return (uint64_t)shift_exact(n, sh, false, bits);
  case A64_VH_SRSHL: return (uint64_t)shift_exact(sn, sh, true, bits);
  case A64_VH_URSHL: return (uint64_t)shift_exact(n, sh, true, bits);
  case A64_VH_SQSHL: return sat(shift_exact(sn, sh, false, bits), bits, true);
  case A64_VH_UQSHL: return sat(shift_exact(n, sh, false, bits), bits, false);
  case A64_VH_SQRSHL: return sat(shift_exact(sn, sh, true, bits), bits, true);
  case A64_VH_UQRSHL: return sat(shift_exact(n, sh, true, bits), bits, false);
  case A64_VH_SQSHL_IMM: return sat(shift_exact(sn, (int)a->imm, false, bits), bits, true);
  case A64_VH_UQSHL_IMM: return sat(shift_exact(n, (int)a->imm, false, bits), bits, false);
  case A64_VH_SQSHLU_IMM: return sat(shift_exact(sn, (int)a->imm, false, bits), bits, false);
  case A64_VH_SQDMULH: return sat((2 * sn * sm) >> bits, bits, true);
  case A64_VH_SQRDMULH: return sat((2 * sn * sm + ((__int128)1 << (bits - 1))) >> bits, bits, true);
  case A64_VH_PMUL: return pmul8(n, m);
  case A64_VH_CLZ: return clz_bits(n & mask, bits);
  case A64_VH_CLS: return clz_bits((n ^ (n >> 1)) & (mask >> 1), bits - 1);
  case A64_VH_FRECPE: return a64_recpe(n, bits == 64, a->fp);
  case A64_VH_FRSQRTE: return a64_rsqrte(n, bits == 64, a->fp);
  case A64_VH_FRECPX: return a64_frecpx(n, bits == 64, a->fp);
  case A64_VH_URECPE: return a64_urecpe(n);
  case A64_VH_URSQRTE: return a64_ursqrte(n);
  case A64_VH_SUQADD: return sat(sd + (__int128)n, bits, true);
  case A64_VH_USQADD: return sat((__int128)d + sn, bits, false);
  default: return 0;
  }
}

/* fcvtl{2} 4S <- 4H from the low (high) half; fcvtn{2} 4H <- 4S into the low
 * (high, keeping the low) half, rounded by FPCR (a64_fparm.c: FPConvert). */
static void half_convert(A64Cpu *c, const VArgs *a, const uint8_t *n, uint8_t *d) {
  uint8_t out[16] = {0};
  for (unsigned i = 0; i < 4; i++) {
    if (a->kind == A64_VH_FCVTL16)
      lane_set(out, 2, i, a64_f16_to_bits(lane_get(n, 1, i + 4 * a->q), false, a->fp));
    else
      lane_set(out, 1, i + 4 * a->q, a64_f16_from_bits(lane_get(n, 2, i), false, a->fp));
  }
  if (a->kind == A64_VH_FCVTN16 && a->q)
    memcpy(out, d, 8);
  memcpy(c->vreg[a->rd], out, 16);
}

/* pmull{2}: the eight bytes of the low (high) halves multiplied as
 * polynomials into 16-bit lanes. */
static void pmull8(A64Cpu *c, const VArgs *a, const uint8_t *n, const uint8_t *m) {
  uint8_t out[16];
  for (unsigned i = 0; i < 8; i++) {
    uint64_t x = n[i + 8 * a->q], y = m[i + 8 * a->q], r = 0;
    for (unsigned b = 0; b < 8; b++)
      if (y >> b & 1)
        r ^= x << b;
    lane_set(out, 1, i, r);
  }
  memcpy(c->vreg[a->rd], out, 16);
}

static uint64_t h_vop(void *cpu, uint64_t packed, uint64_t kind, uint64_t a2, uint64_t a3) {
  (void)a2, (void)a3;
  A64Cpu *c = cpu;
  A64FpCtx fp = a64_fp_ctx(c);
  VArgs a = {(unsigned)kind, packed & 31, packed >> 5 & 31, packed >> 10 & 31,
             packed >> 15 & 3, (unsigned)(packed >> 19), packed >> 17 & 1, packed >> 18 & 1, &fp};
  uint8_t n[16], m[16], d[16], out[16] = {0};
  memcpy(n, c->vreg[a.rn], 16);
  memcpy(m, c->vreg[a.rm], 16);
  memcpy(d, c->vreg[a.rd], 16);
  if (a.kind == A64_VH_FCVTL16 || a.kind == A64_VH_FCVTN16) {
    half_convert(c, &a, n, d);
    a64_fp_ctx_done(c, &fp);
    return 0;
  }
  if (a.kind == A64_VH_PMULL8) {
    pmull8(c, &a, n, m);
    return 0;
  }
  if ((a.kind == A64_VH_SQDMULH || a.kind == A64_VH_SQRDMULH) && (a.imm & 16)) {
    uint64_t e = lane_get(m, a.size, a.imm & 15); /* by element: every lane */
    for (unsigned i = 0; i < 16u >> a.size; i++)
      lane_set(m, a.size, i, e);
  }
  unsigned lanes = a.scalar ? 1 : (a.q ? 16u : 8u) >> a.size;
  bool qc = false;
  for (unsigned i = 0; i < lanes; i++)
    lane_set(out, a.size, i,
             lane_op(&a, lane_get(n, a.size, i), lane_get(m, a.size, i), lane_get(d, a.size, i), &qc));
  memcpy(c->vreg[a.rd], out, 16);
  if (qc)
    c->fpsr |= A64_FPSR_QC;
  a64_fp_ctx_done(c, &fp);
  return 0;
}

static const IrHelper vop_def = {"a64_simd_lanes", h_vop, 2, IR_T_void,
                                 IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE};
static uint32_t vop_helper;

void a64_simd_helper_init(void) { vop_helper = (uint32_t)ir_helper_register(&vop_def); }

void a64_vhelper(A64Lift *l, unsigned kind, unsigned rd, unsigned rn, unsigned rm, unsigned size,
                 bool q, bool scalar, unsigned imm) {
  VArgs a = {kind, rd, rn, rm, size, imm, q, scalar, NULL};
  IrRef args[2] = {a64_i64(l, pack(&a)), a64_i64(l, kind)};
  ir_call(l->fn, vop_helper, 2, args);
}
