/* bl_lower_vec.c — the vector lane ops as LLVM element and shuffle operations
 * (the x86 backend picks punpck*, pack*, pmovmskb and friends from these
 * patterns); vtbl is pshufb with indices >= 16 forced to select zero. Lane-wise
 * arithmetic is in the integer and float files: the same ops on vector types. */
#include "bl_int.h"

static LLVMValueRef A(BlCtx *c, const IrInst *in, unsigned k) { return bl_v(c, in->args[k]); }
static LLVMValueRef i32c(BlCtx *c, unsigned v) { return LLVMConstInt(c->i32, v, false); }

/* A shuffle mask from lane numbers. */
static LLVMValueRef mask(BlCtx *c, const unsigned *lanes, unsigned n) {
  LLVMValueRef e[32];
  for (unsigned i = 0; i < n; i++)
    e[i] = i32c(c, lanes[i]);
  return LLVMConstVector(e, n);
}

void bl_lower_vsplat(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, bl_splat(c, (IrType)in->type, A(c, in, 0)));
}

void bl_lower_vextract(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildExtractElement(c->b, A(c, in, 0), i32c(c, (unsigned)in->imm), ""));
}

void bl_lower_vinsert(BlCtx *c, IrRef r, const IrInst *in) {
  bl_def(c, r, LLVMBuildInsertElement(c->b, A(c, in, 0), A(c, in, 1), i32c(c, (unsigned)in->imm), ""));
}

/* pshufb takes bit 7 as "zero" and the low four bits as the index; adding
 * 0x70 with unsigned saturation keeps 0..15's low bits and sets bit 7 for
 * every index >= 16. */
void bl_lower_vtbl(BlCtx *c, IrRef r, const IrInst *in) {
  if (!__builtin_cpu_supports("ssse3")) {
    bl_eval(c, r, in);
    return;
  }
  LLVMTypeRef t = c->ty[IR_T_v16i8];
  LLVMValueRef args[2] = {A(c, in, 1), bl_splat(c, IR_T_v16i8, LLVMConstInt(c->i8, 0x70, false))};
  LLVMValueRef idx = bl_intrinsic(c, "llvm.uadd.sat", &t, 1, args, 2);
  LLVMValueRef sh[2] = {A(c, in, 0), idx};
  bl_def(c, r, bl_intrinsic(c, "llvm.x86.ssse3.pshuf.b.128", NULL, 0, sh, 2));
}

/* Bit i = the top bit of lane i: a sign test per lane, the i1 vector as an integer. */
void bl_lower_vmovmsk(BlCtx *c, IrRef r, const IrInst *in) {
  IrType vt = bl_t(c, in->args[0]);
  unsigned n = ir_type_info[vt].lanes, bits = ir_type_bits(ir_type_lane(vt));
  LLVMTypeRef it = LLVMVectorType(LLVMIntTypeInContext(c->ctx, bits), n);
  LLVMValueRef v = LLVMBuildBitCast(c->b, A(c, in, 0), it, "");
  LLVMValueRef neg = LLVMBuildICmp(c->b, LLVMIntSLT, v, LLVMConstNull(it), "");
  LLVMValueRef m = LLVMBuildBitCast(c->b, neg, LLVMIntTypeInContext(c->ctx, n), "");
  bl_def(c, r, bl_zext_to(c, m, bl_lt(c, (IrType)in->type)));
}

/* a0 b0 a1 b1 ... from the low (hi = false) or high halves. */
static void zip(BlCtx *c, IrRef r, const IrInst *in, bool hi) {
  unsigned n = ir_type_info[in->type].lanes, base = hi ? n / 2 : 0, lanes[16];
  for (unsigned i = 0; i < n / 2; i++) {
    lanes[2 * i] = base + i;
    lanes[2 * i + 1] = n + base + i;
  }
  bl_def(c, r, LLVMBuildShuffleVector(c->b, A(c, in, 0), A(c, in, 1), mask(c, lanes, n), ""));
}
void bl_lower_vziplo(BlCtx *c, IrRef r, const IrInst *in) { zip(c, r, in, false); }
void bl_lower_vziphi(BlCtx *c, IrRef r, const IrInst *in) { zip(c, r, in, true); }

/* One operand's wide lanes clamped per IR_NARROW_* and truncated. */
static LLVMValueRef narrow_one(BlCtx *c, LLVMValueRef x, IrType wide, IrType to, unsigned kind) {
  unsigned bits = ir_type_bits(ir_type_lane(to));
  LLVMTypeRef wt = bl_lt(c, wide);
  LLVMValueRef smax = bl_splat(c, wide, LLVMConstInt(LLVMGetElementType(wt), (1ull << (bits - 1)) - 1, false));
  LLVMValueRef smin = bl_splat(c, wide, LLVMConstInt(LLVMGetElementType(wt), -(1ll << (bits - 1)), true));
  LLVMValueRef umax = bl_splat(c, wide, LLVMConstInt(LLVMGetElementType(wt), (1ull << bits) - 1, false));
  LLVMValueRef a2[2];
  switch (kind) {
  case IR_NARROW_SSAT:
    a2[0] = x, a2[1] = smax;
    x = bl_intrinsic(c, "llvm.smin", &wt, 1, a2, 2);
    a2[0] = x, a2[1] = smin;
    x = bl_intrinsic(c, "llvm.smax", &wt, 1, a2, 2);
    break;
  case IR_NARROW_USAT:
    a2[0] = x, a2[1] = umax;
    x = bl_intrinsic(c, "llvm.smin", &wt, 1, a2, 2);
    a2[0] = x, a2[1] = LLVMConstNull(wt);
    x = bl_intrinsic(c, "llvm.smax", &wt, 1, a2, 2);
    break;
  case IR_NARROW_UUSAT:
    a2[0] = x, a2[1] = umax;
    x = bl_intrinsic(c, "llvm.umin", &wt, 1, a2, 2);
    break;
  default: break;
  }
  unsigned n = ir_type_info[wide].lanes;
  return LLVMBuildTrunc(c->b, x, LLVMVectorType(LLVMIntTypeInContext(c->ctx, bits), n), "");
}

void bl_lower_vnarrow(BlCtx *c, IrRef r, const IrInst *in) {
  if (in->imm > IR_NARROW_UUSAT) {
    bl_eval(c, r, in);
    return;
  }
  IrType to = (IrType)in->type, wide = bl_t(c, in->args[0]);
  LLVMValueRef lo = narrow_one(c, A(c, in, 0), wide, to, (unsigned)in->imm);
  LLVMValueRef hi = narrow_one(c, A(c, in, 1), wide, to, (unsigned)in->imm);
  unsigned n = ir_type_info[to].lanes, lanes[16];
  for (unsigned i = 0; i < n; i++)
    lanes[i] = i;
  bl_def(c, r, LLVMBuildShuffleVector(c->b, lo, hi, mask(c, lanes, n), ""));
}

static void widen(BlCtx *c, IrRef r, const IrInst *in, bool hi) {
  if (in->imm > IR_WIDEN_SIGN) {
    bl_eval(c, r, in);
    return;
  }
  IrType to = (IrType)in->type;
  unsigned n = ir_type_info[to].lanes, lanes[16];
  for (unsigned i = 0; i < n; i++)
    lanes[i] = (hi ? n : 0) + i;
  LLVMValueRef a = A(c, in, 0);
  LLVMValueRef half = LLVMBuildShuffleVector(c->b, a, LLVMGetPoison(LLVMTypeOf(a)), mask(c, lanes, n), "");
  bl_def(c, r, in->imm == IR_WIDEN_SIGN ? LLVMBuildSExt(c->b, half, bl_lt(c, to), "")
                                        : LLVMBuildZExt(c->b, half, bl_lt(c, to), ""));
}
void bl_lower_vwidenlo(BlCtx *c, IrRef r, const IrInst *in) { widen(c, r, in, false); }
void bl_lower_vwidenhi(BlCtx *c, IrRef r, const IrInst *in) { widen(c, r, in, true); }
