/* fp_edges.h — a backend's floating point, bit for bit against the
 * interpreter (whose NaN rule and rounding are x86 SSE's): every FP op, every
 * type it takes (scalars and packed lanes), every rounding mode as a constant
 * and as a run-time value, on operands drawn from edge values: signalling and
 * quiet NaNs with payloads and either sign, infinities, zeros of both signs,
 * denormals, ties, the integer range limits. The first NaN operand must win in
 * operand order (fma's three operands too), an SNaN must come back quieted,
 * invalid operations must give x86's negative default NaN. The FP environment
 * too: every case starts with no flags, half of them with DAZ and FTZ on, and
 * must end with the flags the interpreter raised. Shared by backend_fast's and
 * backend_llvm's FP tests; include after cmocka.h and interp_cases.h. */
#ifndef EMU_FP_EDGES_H
#define EMU_FP_EDGES_H

/* The backend under test: compile fn once, then run it on many states. */
typedef struct FeBackend {
  const char *name;
  void (*compile)(const IrFunc *fn);
  IrExit (*run)(const IrFunc *fn, TestCpu *cpu, TestMem *mem);
} FeBackend;

static const uint64_t fe_edges64[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull, 0x3fdfffffffffffffull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x0010000000000000ull, 0x0000000000000001ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000001ull, 0x7ff0000000000001ull,
    0xfff8000000000002ull, 0xfff0000000000003ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x43dfffffffffffffull, 0x43f0000000000000ull, 0x41e0000000000000ull, 0xc1e0000000100000ull,
    0x41efffffffff0000ull, 0x7e37e43c8800759cull, 0x40dfffc000000000ull, 0xc0e0000000000000ull};
static const uint32_t fe_edges32[] = {
    0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x3fc00000u, 0x40200000u, 0xc0200000u,
    0x3effffffu, 0x7f7fffffu, 0xff7fffffu, 0x00800000u, 0x00000001u, 0x7f800000u, 0xff800000u,
    0x7fc00001u, 0x7f800001u, 0xffc00002u, 0xff800003u, 0x5f000000u, 0xdf000000u, 0x5effffffu,
    0x5f800000u, 0x4f000000u, 0xcf000001u, 0x4f7fffffu, 0x46fffe00u, 0xc7000000u, 0x3f000000u};
enum { FE_NE = sizeof fe_edges64 / sizeof fe_edges64[0] };
_Static_assert(sizeof fe_edges32 / sizeof fe_edges32[0] == FE_NE, "edge lists differ in length");
/* fma's third operand (the addend) goes over these edges: zeros, one, the
 * largest finite, a denormal, infinities, quiet and signalling NaNs. */
static const unsigned fe_cedges[] = {0, 1, 2, 9, 11, 12, 13, 14, 15, 17};
enum { FE_NC = sizeof fe_cedges / sizeof fe_cedges[0] };

/* Guest state with operand A (edge k), B (m) and C (n) in the slots of type t. */
static inline void fe_fill(TestCpu *cpu, IrType t, unsigned k, unsigned m, unsigned n,
                           unsigned rm) {
  memset(cpu, 0, sizeof *cpu);
  cpu->r[1] = rm;
  memcpy(&cpu->d0, &fe_edges64[k], 8);
  memcpy(&cpu->d1, &fe_edges64[m], 8);
  memcpy(&cpu->s0, &fe_edges32[k], 4);
  memcpy(&cpu->s1, &fe_edges32[m], 4);
  cpu->r[2] = t == IR_T_f32 ? fe_edges32[n] : fe_edges64[n];
  for (unsigned i = 0; i < 4; i++) { /* packed: neighbouring edges per lane */
    uint32_t a = fe_edges32[(k + i) % FE_NE], b = fe_edges32[(m + 3 * i) % FE_NE];
    uint32_t c = fe_edges32[(n + 7 * i) % FE_NE];
    if (t == IR_T_v4f32 || t == IR_T_v4i32) {
      memcpy(&cpu->v[1][4 * i], &a, 4);
      memcpy(&cpu->v[0][4 * i], &b, 4);
      memcpy(&cpu->v[2][4 * i], &c, 4);
    }
  }
  for (unsigned i = 0; i < 2; i++) {
    uint64_t a = fe_edges64[(k + i) % FE_NE], b = fe_edges64[(m + 5 * i) % FE_NE];
    uint64_t c = fe_edges64[(n + 7 * i) % FE_NE];
    if (t == IR_T_v2f64 || t == IR_T_v2i64) {
      memcpy(&cpu->v[3][8 * i], &a, 8);
      memcpy(&cpu->v[0][8 * i], &b, 8);
      memcpy(&cpu->v[2][8 * i], &c, 8);
    }
  }
}

/* Operand A / B of type t (floats; integer vectors as bit patterns). */
static inline IrRef fe_opnd(IrFunc *fn, IrType t, bool second) {
  switch (t) {
  case IR_T_f64: return ir_get(fn, second ? T_D1 : T_D0);
  case IR_T_f32: return ir_get(fn, second ? T_S1 : T_S0);
  case IR_T_v2f64: return second ? ir_cast(fn, IR_OP_bitcast, t, ir_get(fn, T_V0)) : ir_get(fn, T_V3);
  default: return ir_cast(fn, IR_OP_bitcast, t, ir_get(fn, second ? T_V0 : T_V1));
  }
}

/* Operand C of type t: r2's bits (scalars), v2's (vectors). */
static inline IrRef fe_opnd_c(IrFunc *fn, IrType t) {
  if (ir_type_is_vec(t))
    return ir_cast(fn, IR_OP_bitcast, t, ir_get(fn, T_V2));
  IrRef bits = ir_get(fn, T_R2);
  if (t == IR_T_f32)
    bits = ir_cast(fn, IR_OP_trunc, IR_T_i32, bits);
  return ir_cast(fn, IR_OP_bitcast, t, bits);
}

/* Store v where the state shows it. */
static inline void fe_observe(IrFunc *fn, IrRef v) {
  IrType t = ir_typeof(fn, v);
  switch (t) {
  case IR_T_i1: ir_set(fn, T_CF, v); break;
  case IR_T_i8: ir_set(fn, T_B0, v); break;
  case IR_T_i16: ir_set(fn, T_H0, v); break;
  case IR_T_i32: ir_set(fn, T_W0, v); break;
  case IR_T_i64: ir_set(fn, T_R0, v); break;
  case IR_T_f64: ir_set(fn, T_D0, v); break;
  case IR_T_f32: ir_set(fn, T_S0, v); break;
  default: ir_set(fn, T_V0, ir_cast(fn, IR_OP_bitcast, IR_T_v16i8, v)); break;
  }
}

/* rm: 0..3 a constant mode, 4: the run-time value in r1 (low byte). */
static inline IrRef fe_rounding(IrFunc *fn, unsigned rm) {
  if (rm < 4)
    return ir_const(fn, IR_T_i8, rm);
  return ir_cast(fn, IR_OP_trunc, IR_T_i8, ir_get(fn, T_R1));
}

typedef IrRef (*FeBuild)(IrFunc *fn, IrType t, IrRef rm, unsigned variant);

/* Compile the function build makes and compare it with ir_interp on every
 * edge pair (and nc addends) and run-time rounding value. Returns the
 * mismatches. */
static inline unsigned fe_check(const FeBackend *be, const char *what, FeBuild build, IrType t,
                                IrType opt, unsigned variant, unsigned rm, unsigned nc) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  ir_block_new(fn);
  ir_insn(fn, 0x1000, 4);
  fe_observe(fn, build(fn, t, fe_rounding(fn, rm), variant));
  ir_exit(fn, 0x1004);
  char err[256];
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("%s: invalid IR: %s", what, err);
  be->compile(fn);
  unsigned bad = 0;
  static TestMem mem;
  /* the low two bits of dyn * 0x41 cycle through the modes; the rest is noise */
  unsigned ndyn = rm != 4 ? 1u : nc > 1 ? 4u : 8u;
  for (unsigned dyn = 0; dyn < ndyn; dyn++)
    for (unsigned k = 0; k < FE_NE; k++)
      for (unsigned m = 0; m < FE_NE; m++)
        for (unsigned c = 0; c < nc; c++) {
          TestCpu a, b;
          fe_fill(&a, opt, k, m, fe_cedges[c], dyn * 0x41u);
          b = a;
          IrMemOps ops = {&mem, mem_load, mem_store, mem_atomic};
          uint32_t env = (k + m + c + dyn) & 1 ? IR_FENV_CONTROLS : 0, saved = ir_fenv_host_get();
          ir_fenv_host_set(env);
          IrExit xa = ir_interp(fn, &a, &ops);
          uint32_t env_a = ir_fenv_host_get();
          ir_fenv_host_set(env);
          IrExit xb = be->run(fn, &b, &mem);
          uint32_t env_b = ir_fenv_host_get();
          ir_fenv_host_set(saved);
          if (xa.kind == xb.kind && memcmp(&a, &b, sizeof a) == 0 && env_a == env_b)
            continue;
          if (bad++ >= 4)
            continue;
          char sa[40], sb[40];
          hex_bytes(sa, sizeof sa, (uint8_t *)&a.v[0], 16);
          hex_bytes(sb, sizeof sb, (uint8_t *)&b.v[0], 16);
          uint64_t da, db;
          memcpy(&da, &a.d0, 8), memcpy(&db, &b.d0, 8);
          uint32_t fa, fb;
          memcpy(&fa, &a.s0, 4), memcpy(&fb, &b.s0, 4);
          print_error("%s %s v%u rm %u/%u edges %u,%u,%u (interp/%s): d0 %016llx/%016llx "
                      "s0 %08x/%08x r0 %llx/%llx w0 %x/%x v0 %s/%s fenv %#x: %#x/%#x\n",
                      what, ir_type_info[t].name, variant, rm, dyn, k, m, fe_cedges[c], be->name,
                      (unsigned long long)da, (unsigned long long)db, fa, fb,
                      (unsigned long long)a.r[0], (unsigned long long)b.r[0], a.w0, b.w0, sa, sb,
                      env, env_a, env_b);
        }
  ir_func_free(fn);
  return bad;
}

/* -- The ops ----------------------------------------------------------------------- */

static inline IrRef fe_b_arith(IrFunc *fn, IrType t, IrRef rm, unsigned op) {
  IrRef args[3] = {fe_opnd(fn, t, false), fe_opnd(fn, t, true), rm};
  return ir_emit_raw(fn, (IrOp)op, t, 3, args, 0, 0);
}
/* op | FE_INEXACT: fround.x (inexact raised). */
enum { FE_INEXACT = 0x10000 };
static inline IrRef fe_b_unary(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  IrRef args[2] = {fe_opnd(fn, t, false), rm};
  IrOp op = (IrOp)(variant & 0xffff);
  bool has_rm = op == IR_OP_fsqrt || op == IR_OP_fround;
  return ir_emit_raw(fn, op, t, has_rm ? 2 : 1, args, variant & FE_INEXACT ? IR_ROUND_INEXACT : 0, 0);
}
/* fma variants: 0 (a, b, c); the same value twice (register aliasing in the
 * backend): 1 (a, b, a), 2 (a, a, c), 3 (a, b, b). */
static inline IrRef fe_b_fma(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  IrRef a = fe_opnd(fn, t, false), b = fe_opnd(fn, t, true), c = fe_opnd_c(fn, t);
  IrRef args[4][4] = {{a, b, c, rm}, {a, b, a, rm}, {a, a, c, rm}, {a, b, b, rm}};
  return ir_emit_raw(fn, IR_OP_fma, t, 4, args[variant], 0, 0);
}
/* variant: the predicate, | FE_SIGNALLING for fcmps. */
enum { FE_SIGNALLING = 0x100 };
static inline IrRef fe_b_fcmp(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  (void)rm;
  IrRef args[2] = {fe_opnd(fn, t, false), fe_opnd(fn, t, true)};
  IrOp op = variant & FE_SIGNALLING ? IR_OP_fcmps : IR_OP_fcmp;
  return ir_emit_raw(fn, op, ir_type_is_vec(t) ? t : IR_T_i1, 2, args, variant & 0xff, 0);
}
static inline IrType fe_cvt_from(IrType t) {
  return t == IR_T_f32 ? IR_T_f64 : t == IR_T_f64 ? IR_T_f32 : t == IR_T_v4f32 ? IR_T_v2f64 : IR_T_v4f32;
}
static inline IrRef fe_b_fcvt(IrFunc *fn, IrType t, IrRef rm, unsigned unused) {
  (void)unused;
  IrRef args[2] = {fe_opnd(fn, fe_cvt_from(t), false), rm};
  return ir_emit_raw(fn, IR_OP_fcvt, t, 2, args, 0, 0);
}

/* ftoi / itof: variant = kind | (integer type << 4); t is the float type. */
static inline IrType fe_int_for(IrType ft, unsigned variant) {
  if (ir_type_is_vec(ft))
    return ft == IR_T_v4f32 ? IR_T_v4i32 : IR_T_v2i64;
  return (IrType)(variant >> 4);
}
static inline IrRef fe_b_ftoi(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  IrRef args[2] = {fe_opnd(fn, t, false), rm};
  return ir_emit_raw(fn, IR_OP_ftoi, fe_int_for(t, variant), 2, args, variant & 15, 0);
}
/* The integer operand: the float operand's bits (every lane or the low bits). */
static inline IrRef fe_b_itof(IrFunc *fn, IrType t, IrRef rm, unsigned variant) {
  IrType it = fe_int_for(t, variant);
  IrRef bits;
  if (ir_type_is_vec(t)) {
    bits = fe_opnd(fn, it, false);
  } else {
    bits = ir_cast(fn, IR_OP_bitcast, IR_T_i64, ir_get(fn, T_D0));
    if (it != IR_T_i64)
      bits = ir_cast(fn, IR_OP_trunc, it, bits);
  }
  IrRef args[2] = {bits, rm};
  return ir_emit_raw(fn, IR_OP_itof, t, 2, args, variant & 15, 0);
}

static const IrType fe_ftypes[] = {IR_T_f32, IR_T_f64, IR_T_v4f32, IR_T_v2f64};

/* -- The checks: each returns the mismatches ---------------------------------------- */

static inline unsigned fe_arith(const FeBackend *be) {
  static const IrOp ops[] = {IR_OP_fadd, IR_OP_fsub, IR_OP_fmul, IR_OP_fdiv};
  unsigned bad = 0;
  for (unsigned o = 0; o < 4; o++)
    for (unsigned i = 0; i < 4; i++)
      for (unsigned rm = 0; rm <= 4; rm++)
        bad += fe_check(be, ir_op_info[ops[o]].name, fe_b_arith, fe_ftypes[i], fe_ftypes[i],
                        ops[o], rm, 1);
  return bad;
}

static inline unsigned fe_unary(const FeBackend *be) {
  static const unsigned ops[] = {IR_OP_fsqrt, IR_OP_fround, IR_OP_fneg, IR_OP_fabs,
                                 IR_OP_fround | FE_INEXACT};
  unsigned bad = 0;
  for (unsigned o = 0; o < 5; o++)
    for (unsigned i = 0; i < 4; i++)
      for (unsigned rm = 0; rm <= 4; rm++)
        bad += fe_check(be, ir_op_info[ops[o] & 0xffff].name, fe_b_unary, fe_ftypes[i], fe_ftypes[i],
                        ops[o], rm, 1);
  return bad;
}

/* Every rounding mode for three distinct operands; the aliased variants in
 * nearest and the run-time mode. */
static inline unsigned fe_fma(const FeBackend *be) {
  unsigned bad = 0;
  for (unsigned i = 0; i < 4; i++)
    for (unsigned v = 0; v < 4; v++)
      for (unsigned rm = 0; rm <= 4; rm++)
        if (v == 0 || rm == 0 || rm == 4)
          bad += fe_check(be, "fma", fe_b_fma, fe_ftypes[i], fe_ftypes[i], v, rm,
                          v == 1 || v == 3 ? 1 : FE_NC);
  return bad;
}

static inline unsigned fe_compare(const FeBackend *be) {
  unsigned bad = 0;
  for (unsigned p = IR_PRED_foeq; p < IR_PRED__COUNT; p++)
    for (unsigned i = 0; i < 4; i++)
      for (unsigned sig = 0; sig <= FE_SIGNALLING; sig += FE_SIGNALLING)
        bad += fe_check(be, ir_pred_name[p], fe_b_fcmp, fe_ftypes[i], fe_ftypes[i], p | sig, 0, 1);
  return bad;
}

static inline unsigned fe_convert(const FeBackend *be) {
  unsigned bad = 0;
  for (unsigned i = 0; i < 4; i++)
    for (unsigned rm = 0; rm <= 4; rm++)
      bad += fe_check(be, "fcvt", fe_b_fcvt, fe_ftypes[i], fe_cvt_from(fe_ftypes[i]), 0, rm, 1);
  static const IrType itypes[] = {IR_T_i8, IR_T_i16, IR_T_i32, IR_T_i64};
  for (unsigned i = 0; i < 4; i++)
    for (unsigned rm = 0; rm <= 4; rm++)
      for (unsigned kind = 0; kind < 4; kind++) {
        unsigned nint = ir_type_is_vec(fe_ftypes[i]) ? 1 : 4;
        for (unsigned k = 0; k < nint; k++) {
          unsigned variant = kind | (unsigned)itypes[k] << 4;
          bad += fe_check(be, "ftoi", fe_b_ftoi, fe_ftypes[i], fe_ftypes[i], variant, rm, 1);
          if (kind <= IR_CVT_UNSIGNED)
            bad += fe_check(be, "itof", fe_b_itof, fe_ftypes[i], fe_int_for(fe_ftypes[i], variant),
                            variant, rm, 1);
        }
      }
  return bad;
}

#endif
