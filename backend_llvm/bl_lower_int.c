/* bl_lower_int.c — integer arithmetic, logic, shifts, rotates, division, min /
 * max, saturation and bit counts, on scalars and (where the op allows) integer
 * vectors, as plain LLVM instructions and intrinsics. The IR's own edge rules
 * are made explicit: shift counts are not masked (>= bits gives 0 or sign
 * bits), division by zero or MIN / -1 raises or answers per IrDivMode, clz /
 * ctz of 0 is the width; 128/64-bit division is x86 div after the checks
 * that keep it from trapping. */
#include "bl_int.h"

static LLVMValueRef A(BlCtx *c, const IrInst *in, unsigned k) { return bl_v(c, in->args[k]); }
static IrType T(const IrInst *in) { return (IrType)in->type; }
static unsigned lane_bits(IrType t) { return ir_type_bits(ir_type_lane(t)); }

/* -- Plain binary and unary ops ----------------------------------------------------- */

#define BIN(name, build)                                                       \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in) {                  \
    bl_def(c, r, build(c->b, A(c, in, 0), A(c, in, 1), ""));                   \
  }
BIN(add, LLVMBuildAdd)
BIN(sub, LLVMBuildSub)
BIN(mul, LLVMBuildMul)
BIN(and, LLVMBuildAnd)
BIN(or, LLVMBuildOr)
BIN(xor, LLVMBuildXor)

void bl_lower_andn(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildAnd(c->b, A(c, in, 0), LLVMBuildNot(c->b, A(c, in, 1), ""), ""));
}
void bl_lower_not(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildNot(c->b, A(c, in, 0), ""));
}
void bl_lower_neg(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildNeg(c->b, A(c, in, 0), ""));
}

/* The type with lanes twice as wide (scalar or vector). */
static LLVMTypeRef wide_of(BlCtx *c, IrType t) {
  LLVMTypeRef w = LLVMIntTypeInContext(c->ctx, 2 * lane_bits(t));
  return ir_type_is_vec(t) ? LLVMVectorType(w, ir_type_info[t].lanes) : w;
}

/* Same-shape constant: a scalar, or every lane. */
static LLVMValueRef lanes_const(BlCtx *c, LLVMTypeRef t, uint64_t v) {
  if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
    return LLVMConstInt(t, v, false);
  unsigned n = LLVMGetVectorSize(t);
  LLVMValueRef k = LLVMConstInt(LLVMGetElementType(t), v, false), e[16];
  for (unsigned i = 0; i < n; i++)
    e[i] = k;
  return LLVMConstVector(e, n);
}

static void mulh(BlCtx *c, IrRef r, const IrInst *in, bool sgn) {
  IrType t = T(in);
  LLVMTypeRef w = wide_of(c, t);
  LLVMValueRef x = sgn ? LLVMBuildSExt(c->b, A(c, in, 0), w, "") : LLVMBuildZExt(c->b, A(c, in, 0), w, "");
  LLVMValueRef y = sgn ? LLVMBuildSExt(c->b, A(c, in, 1), w, "") : LLVMBuildZExt(c->b, A(c, in, 1), w, "");
  LLVMValueRef p = LLVMBuildMul(c->b, x, y, "");
  p = LLVMBuildLShr(c->b, p, lanes_const(c, w, lane_bits(t)), "");
  bl_def(c, r, LLVMBuildTrunc(c->b, p, bl_lt(c, t), ""));
}
void bl_lower_mulhu(BlCtx *c, IrRef r, const IrInst *in) { mulh(c, r, in, false); }
void bl_lower_mulhs(BlCtx *c, IrRef r, const IrInst *in) { mulh(c, r, in, true); }

/* -- Shifts and rotates ------------------------------------------------------------- */

/* Count operand k as the lane type, masked to the lane width (the caller
 * handles counts >= bits itself), and whether it is >= bits. */
static LLVMValueRef count(BlCtx *c, const IrInst *in, unsigned k, LLVMValueRef *big) {
  IrType t = T(in), nt = bl_t(c, in->args[k]);
  unsigned bits = lane_bits(t);
  LLVMValueRef n = A(c, in, k);
  LLVMTypeRef lane = LLVMIntTypeInContext(c->ctx, bits);
  if (big) {
    unsigned nb = ir_type_bits(nt);
    *big = nb < 64 && (1ull << nb) <= bits
               ? LLVMConstInt(c->i1, 0, false)
               : LLVMBuildICmp(c->b, LLVMIntUGE, n, LLVMConstInt(bl_lt(c, nt), bits, false), "");
  }
  LLVMValueRef m = bl_zext_to(c, n, lane);
  return LLVMBuildAnd(c->b, m, LLVMConstInt(lane, bits - 1, false), "");
}

static LLVMValueRef per_lane(BlCtx *c, IrType t, LLVMValueRef s) {
  return ir_type_is_vec(t) ? bl_splat(c, t, s) : s;
}

typedef enum { SH_SHL, SH_LSHR, SH_ASHR } ShKind;

static void shift(BlCtx *c, IrRef r, const IrInst *in, ShKind k) {
  IrType t = T(in);
  LLVMValueRef big, a = A(c, in, 0);
  LLVMValueRef n = per_lane(c, t, count(c, in, 1, &big));
  LLVMValueRef v, over;
  if (k == SH_ASHR) {
    LLVMValueRef top = per_lane(c, t, LLVMConstInt(c->ty[ir_type_lane(t)], lane_bits(t) - 1, false));
    v = LLVMBuildAShr(c->b, a, n, "");
    over = LLVMBuildAShr(c->b, a, top, "");
  } else {
    v = k == SH_SHL ? LLVMBuildShl(c->b, a, n, "") : LLVMBuildLShr(c->b, a, n, "");
    over = LLVMConstNull(bl_lt(c, t));
  }
  bl_def(c, r, LLVMBuildSelect(c->b, big, over, v, ""));
}
void bl_lower_shl(BlCtx *c, IrRef r, const IrInst *in) { shift(c, r, in, SH_SHL); }
void bl_lower_lshr(BlCtx *c, IrRef r, const IrInst *in) { shift(c, r, in, SH_LSHR); }
void bl_lower_ashr(BlCtx *c, IrRef r, const IrInst *in) { shift(c, r, in, SH_ASHR); }

/* rol/ror: funnel shifts of a with itself, count mod bits (bits is a power of
 * two, so the count's low bits are enough). */
static void rotate(BlCtx *c, IrRef r, const IrInst *in, const char *fsh) {
  LLVMTypeRef t = bl_lt(c, T(in));
  LLVMValueRef n = count(c, in, 1, NULL), a = A(c, in, 0);
  LLVMValueRef args[3] = {a, a, n};
  bl_def(c, r, bl_intrinsic(c, fsh, &t, 1, args, 3));
}
void bl_lower_rol(BlCtx *c, IrRef r, const IrInst *in) { rotate(c, r, in, "llvm.fshl"); }
void bl_lower_ror(BlCtx *c, IrRef r, const IrInst *in) { rotate(c, r, in, "llvm.fshr"); }

/* rcl/rcr rotate the (bits+1)-bit value {cin, a} by n mod (bits+1), in an
 * i128; the op's result is the low bits, its carry (rclcf/rcrcf) bit `bits`. */
static LLVMValueRef rotate_carry(BlCtx *c, const IrInst *in, bool left) {
  unsigned bits = ir_type_bits(bl_t(c, in->args[0])), w = bits + 1;
  LLVMValueRef a = LLVMBuildZExt(c->b, A(c, in, 0), c->i128, "");
  LLVMValueRef cin = LLVMBuildZExt(c->b, A(c, in, 2), c->i128, "");
  LLVMValueRef x = LLVMBuildOr(c->b, LLVMBuildShl(c->b, cin, LLVMConstInt(c->i128, bits, false), ""), a, "");
  LLVMValueRef k = LLVMBuildURem(c->b, bl_zext_to(c, A(c, in, 1), c->i64), bl_i64c(c, w), "");
  if (!left) /* right by k is left by (w - k) mod w */
    k = LLVMBuildURem(c->b, LLVMBuildSub(c->b, bl_i64c(c, w), k, ""), bl_i64c(c, w), "");
  k = LLVMBuildZExt(c->b, k, c->i128, "");
  LLVMValueRef back = LLVMBuildSub(c->b, LLVMConstInt(c->i128, w, false), k, "");
  LLVMValueRef rot = LLVMBuildOr(c->b, LLVMBuildShl(c->b, x, k, ""), LLVMBuildLShr(c->b, x, back, ""), "");
  return rot; /* bits above w are not read */
}
void bl_lower_rcl(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildTrunc(c->b, rotate_carry(c, in, true), bl_lt(c, T(in)), ""));
}
void bl_lower_rcr(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildTrunc(c->b, rotate_carry(c, in, false), bl_lt(c, T(in)), ""));
}
static void carry_of(BlCtx *c, IrRef r, const IrInst *in, bool left) {
  unsigned bits = ir_type_bits(bl_t(c, in->args[0]));
  LLVMValueRef v = LLVMBuildLShr(c->b, rotate_carry(c, in, left), LLVMConstInt(c->i128, bits, false), "");
  bl_def(c, r, LLVMBuildTrunc(c->b, v, c->i1, ""));
}
void bl_lower_rclcf(BlCtx *c, IrRef r, const IrInst *in) { carry_of(c, r, in, true); }
void bl_lower_rcrcf(BlCtx *c, IrRef r, const IrInst *in) { carry_of(c, r, in, false); }

/* -- Division ------------------------------------------------------------------------ */

static LLVMValueRef eq_k(BlCtx *c, LLVMValueRef v, uint64_t k) {
  return LLVMBuildICmp(c->b, LLVMIntEQ, v, LLVMConstInt(LLVMTypeOf(v), k, false), "");
}

/* udiv sdiv urem srem with IrDivMode imm: TRAP raises divide on b == 0 (and
 * signed MIN / -1); ZERO answers x/0 = 0, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0. */
static void divide(BlCtx *c, IrRef r, const IrInst *in, bool sgn, bool rem) {
  if (in->imm != IR_DIV_TRAP && in->imm != IR_DIV_ZERO) {
    bl_eval(c, r, in);
    return;
  }
  IrType t = T(in);
  unsigned bits = ir_type_bits(t);
  LLVMValueRef a = A(c, in, 0), b = A(c, in, 1);
  LLVMValueRef zero = eq_k(c, b, 0);
  LLVMValueRef ovf = sgn ? LLVMBuildAnd(c->b, eq_k(c, a, 1ull << (bits - 1)), eq_k(c, b, ~0ull), "")
                         : LLVMConstInt(c->i1, 0, false);
  LLVMValueRef bad = LLVMBuildOr(c->b, zero, ovf, "");
  if (in->imm == IR_DIV_TRAP) {
    bl_raise_if(c, bad, IR_EXC_divide, bl_i64c(c, 0), false);
  } else { /* divide by 1 instead: a/1 = a is MIN/-1's answer, a%1 = 0 too */
    b = LLVMBuildSelect(c->b, bad, LLVMConstInt(bl_lt(c, t), 1, false), b, "");
  }
  LLVMValueRef v = rem ? (sgn ? LLVMBuildSRem(c->b, a, b, "") : LLVMBuildURem(c->b, a, b, ""))
                       : (sgn ? LLVMBuildSDiv(c->b, a, b, "") : LLVMBuildUDiv(c->b, a, b, ""));
  if (in->imm == IR_DIV_ZERO)
    v = LLVMBuildSelect(c->b, zero, rem ? a : LLVMConstNull(bl_lt(c, t)), v, "");
  bl_def(c, r, v);
}
void bl_lower_udiv(BlCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, false, false); }
void bl_lower_sdiv(BlCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, true, false); }
void bl_lower_urem(BlCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, false, true); }
void bl_lower_srem(BlCtx *c, IrRef r, const IrInst *in) { divide(c, r, in, true, true); }

/* 64-bit unsigned (hi:lo) / d: x86 div itself, after the checks that make it
 * safe (d != 0, hi < d: the quotient fits). */
static void divw64(BlCtx *c, IrRef r, const IrInst *in, bool rem) {
  LLVMValueRef hi = A(c, in, 0), lo = A(c, in, 1), d = A(c, in, 2);
  bl_raise_if(c, LLVMBuildICmp(c->b, LLVMIntUGE, hi, d, ""), IR_EXC_divide, bl_i64c(c, 0), false);
  LLVMTypeRef two[2] = {c->i64, c->i64};
  LLVMValueRef args[3] = {lo, hi, d};
  LLVMValueRef qr = bl_asm(c, LLVMStructTypeInContext(c->ctx, two, 2, false), "divq $4",
                           "={rax},={rdx},0,1,r,~{flags}", args, 3, false);
  bl_def(c, r, LLVMBuildExtractValue(c->b, qr, rem, ""));
}

/* 64-bit signed (hi:lo) / d: the magnitudes through x86 div (|hi:lo|'s high
 * half below |d| makes it fit), then the signs; raises divide where idiv
 * would: d == 0, or a quotient outside the signed range. The remainder takes
 * the dividend's sign. */
static void sdivw64(BlCtx *c, IrRef r, const IrInst *in, bool rem) {
  LLVMValueRef hi = A(c, in, 0), lo = A(c, in, 1), d = A(c, in, 2), zero = bl_i64c(c, 0);
  LLVMValueRef nneg = LLVMBuildICmp(c->b, LLVMIntSLT, hi, zero, "");
  LLVMValueRef dneg = LLVMBuildICmp(c->b, LLVMIntSLT, d, zero, "");
  LLVMValueRef borrow = LLVMBuildZExt(c->b, eq_k(c, lo, 0), c->i64, "");
  LLVMValueRef alo = LLVMBuildSelect(c->b, nneg, LLVMBuildNeg(c->b, lo, ""), lo, "");
  LLVMValueRef ahi = LLVMBuildSelect(c->b, nneg, LLVMBuildAdd(c->b, LLVMBuildNot(c->b, hi, ""), borrow, ""), hi, "");
  LLVMValueRef ad = LLVMBuildSelect(c->b, dneg, LLVMBuildNeg(c->b, d, ""), d, "");
  bl_raise_if(c, LLVMBuildICmp(c->b, LLVMIntUGE, ahi, ad, ""), IR_EXC_divide, zero, false);
  LLVMTypeRef two[2] = {c->i64, c->i64};
  LLVMValueRef args[3] = {alo, ahi, ad};
  LLVMValueRef qr = bl_asm(c, LLVMStructTypeInContext(c->ctx, two, 2, false), "divq $4",
                           "={rax},={rdx},0,1,r,~{flags}", args, 3, false);
  LLVMValueRef uq = LLVMBuildExtractValue(c->b, qr, 0, ""), ur = LLVMBuildExtractValue(c->b, qr, 1, "");
  LLVMValueRef qneg = LLVMBuildXor(c->b, nneg, dneg, "");
  LLVMValueRef limit = LLVMBuildSelect(c->b, qneg, bl_i64c(c, 1ull << 63), bl_i64c(c, (1ull << 63) - 1), "");
  bl_raise_if(c, LLVMBuildICmp(c->b, LLVMIntUGT, uq, limit, ""), IR_EXC_divide, zero, false);
  LLVMValueRef v = rem ? LLVMBuildSelect(c->b, nneg, LLVMBuildNeg(c->b, ur, ""), ur, "")
                       : LLVMBuildSelect(c->b, qneg, LLVMBuildNeg(c->b, uq, ""), uq, "");
  bl_def(c, r, v);
}

/* udivw..sremw up to 32 bits: the 2*bits dividend fits an i64. */
static void divide_wide(BlCtx *c, IrRef r, const IrInst *in, bool sgn, bool rem) {
  IrType t = T(in);
  unsigned bits = ir_type_bits(t);
  if (bits == 64) {
    if (sgn)
      sdivw64(c, r, in, rem);
    else
      divw64(c, r, in, rem);
    return;
  }
  LLVMValueRef hi = LLVMBuildZExt(c->b, A(c, in, 0), c->i64, "");
  LLVMValueRef lo = LLVMBuildZExt(c->b, A(c, in, 1), c->i64, "");
  LLVMValueRef n = LLVMBuildOr(c->b, LLVMBuildShl(c->b, hi, bl_i64c(c, bits), ""), lo, "");
  LLVMValueRef d = sgn ? LLVMBuildSExt(c->b, A(c, in, 2), c->i64, "") : LLVMBuildZExt(c->b, A(c, in, 2), c->i64, "");
  bl_raise_if(c, eq_k(c, d, 0), IR_EXC_divide, bl_i64c(c, 0), false);
  LLVMValueRef q, rm, fits;
  if (sgn) {
    unsigned up = 64 - 2 * bits;
    if (up)
      n = LLVMBuildAShr(c->b, LLVMBuildShl(c->b, n, bl_i64c(c, up), ""), bl_i64c(c, up), "");
    /* d == -1: the quotient is -n (INT64_MIN / -1 would be undefined). */
    LLVMValueRef m1 = eq_k(c, d, ~0ull);
    LLVMValueRef dd = LLVMBuildSelect(c->b, m1, bl_i64c(c, 1), d, "");
    q = LLVMBuildSelect(c->b, m1, LLVMBuildNeg(c->b, n, ""), LLVMBuildSDiv(c->b, n, dd, ""), "");
    rm = LLVMBuildSRem(c->b, n, dd, "");
    LLVMValueRef lo_ok = LLVMBuildICmp(c->b, LLVMIntSGE, q, bl_i64c(c, (uint64_t)-(1ll << (bits - 1))), "");
    LLVMValueRef hi_ok = LLVMBuildICmp(c->b, LLVMIntSLE, q, bl_i64c(c, (1ull << (bits - 1)) - 1), "");
    fits = LLVMBuildAnd(c->b, lo_ok, hi_ok, "");
  } else {
    q = LLVMBuildUDiv(c->b, n, d, "");
    rm = LLVMBuildURem(c->b, n, d, "");
    fits = LLVMBuildICmp(c->b, LLVMIntULE, q, bl_i64c(c, (1ull << bits) - 1), "");
  }
  bl_raise_if(c, LLVMBuildNot(c->b, fits, ""), IR_EXC_divide, bl_i64c(c, 0), false);
  bl_def(c, r, LLVMBuildTrunc(c->b, rem ? rm : q, bl_lt(c, t), ""));
}
void bl_lower_udivw(BlCtx *c, IrRef r, const IrInst *in) { divide_wide(c, r, in, false, false); }
void bl_lower_sdivw(BlCtx *c, IrRef r, const IrInst *in) { divide_wide(c, r, in, true, false); }
void bl_lower_uremw(BlCtx *c, IrRef r, const IrInst *in) { divide_wide(c, r, in, false, true); }
void bl_lower_sremw(BlCtx *c, IrRef r, const IrInst *in) { divide_wide(c, r, in, true, true); }

/* -- Intrinsic families ---------------------------------------------------------------- */

static void intr2(BlCtx *c, IrRef r, const IrInst *in, const char *name) {
  LLVMTypeRef t = bl_lt(c, T(in));
  LLVMValueRef args[2] = {A(c, in, 0), A(c, in, 1)};
  bl_def(c, r, bl_intrinsic(c, name, &t, 1, args, 2));
}
#define INTR2(op, name) \
  void bl_lower_##op(BlCtx *c, IrRef r, const IrInst *in) { intr2(c, r, in, name); }
INTR2(umin, "llvm.umin")
INTR2(umax, "llvm.umax")
INTR2(smin, "llvm.smin")
INTR2(smax, "llvm.smax")
INTR2(uaddsat, "llvm.uadd.sat")
INTR2(saddsat, "llvm.sadd.sat")
INTR2(usubsat, "llvm.usub.sat")
INTR2(ssubsat, "llvm.ssub.sat")

/* ctlz / cttz with "zero is poison" false: 0 counts the width, as the IR says. */
static void count_zeros(BlCtx *c, IrRef r, const IrInst *in, const char *name) {
  LLVMTypeRef t = bl_lt(c, T(in));
  LLVMValueRef args[2] = {A(c, in, 0), LLVMConstInt(c->i1, 0, false)};
  bl_def(c, r, bl_intrinsic(c, name, &t, 1, args, 2));
}
void bl_lower_clz(BlCtx *c, IrRef r, const IrInst *in) { count_zeros(c, r, in, "llvm.ctlz"); }
void bl_lower_ctz(BlCtx *c, IrRef r, const IrInst *in) { count_zeros(c, r, in, "llvm.cttz"); }

static void intr1(BlCtx *c, IrRef r, const IrInst *in, const char *name) {
  LLVMTypeRef t = bl_lt(c, T(in));
  LLVMValueRef a = A(c, in, 0);
  bl_def(c, r, bl_intrinsic(c, name, &t, 1, &a, 1));
}
void bl_lower_popcnt(BlCtx *c, IrRef r, const IrInst *in) { intr1(c, r, in, "llvm.ctpop"); }
void bl_lower_bitrev(BlCtx *c, IrRef r, const IrInst *in) { intr1(c, r, in, "llvm.bitreverse"); }
void bl_lower_bswap(BlCtx *c, IrRef r, const IrInst *in) {
  if (T(in) == IR_T_i8)
    bl_def(c, r, A(c, in, 0)); /* one byte: identity */
  else
    intr1(c, r, in, "llvm.bswap");
}
