/* ir_randgen.h — small random valid IR functions over the test register file,
 * for differential tests of the backends against the interpreter. Every op of
 * ir_ops.def can appear, with random operands: earlier values of the right
 * type (from the current block or one that dominates it), fresh gets and
 * constants (boundary values favoured), addresses mostly inside the test memory
 * window [MEM_BASE, MEM_BASE + MEM_SIZE). Functions are one block or a diamond
 * (b0 -> b1 | b2 -> b3) with a random exit at the end. Also random guest states.
 * Header only (static functions); needs test_regfile.h's TestCpu. */
#ifndef EMU_TEST_IR_RANDGEN_H
#define EMU_TEST_IR_RANDGEN_H

#include <string.h>

#include "ir.h"
#include "ir_names.h"
#include "test_regfile.h"

#ifndef MEM_BASE
#define MEM_BASE 0x10000u
#define MEM_SIZE 0x1000u
#endif

typedef struct IrRand {
  uint64_t s;
  IrFunc *fn;
  uint32_t lo; /* values usable here: defined in blocks dominating the current one */
  IrRef vals[4][512]; /* per block: the values it defines */
  uint32_t nvals[4];
  uint32_t avail[4];  /* blocks whose values block b may use, as a bit mask */
  uint32_t block;
  const uint32_t *helpers; /* registered helper indices the generator may call */
  uint32_t nhelpers;
  uint64_t pc;
} IrRand;

static inline uint64_t irr_next(IrRand *g) { /* splitmix64 */
  uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static inline uint32_t irr_below(IrRand *g, uint32_t n) { return (uint32_t)(irr_next(g) % n); }

/* A random 64-bit pattern, biased to the values that break things. */
static inline uint64_t irr_bits(IrRand *g) {
  static const uint64_t special[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                     0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                     0x8000000000000000ull, ~0ull, ~1ull, 63, 64, 65, 31, 32};
  switch (irr_below(g, 4)) {
  case 0: return special[irr_below(g, sizeof special / sizeof special[0])];
  case 1: return irr_below(g, 16);
  case 2: return -(uint64_t)irr_below(g, 16);
  default: return irr_next(g);
  }
}

/* Float bits: ordinary numbers, zeros, infinities, one NaN per width. */
static inline uint64_t irr_fbits(IrRand *g, IrType lane) {
  static const double d[] = {0.0, -0.0, 1.0, -1.5, 2.5, 3.5, 1e300, -1e-300, 0.1, 1e10,
                             4294967296.0, -2147483648.5, 9.3e18, 127.5, 65535.75};
  bool f32 = lane == IR_T_f32;
  unsigned k = irr_below(g, 20);
  if (k < 15) {
    double x = d[k];
    if (f32) {
      float f = (float)x;
      uint32_t w;
      memcpy(&w, &f, 4);
      return w;
    }
    uint64_t w;
    memcpy(&w, &x, 8);
    return w;
  }
  if (k == 15)
    return f32 ? 0x7fc00000u : 0x7ff8000000000000ull; /* NaN */
  if (k == 16)
    return f32 ? 0x7f800000u : 0x7ff0000000000000ull; /* inf */
  uint64_t r = irr_next(g);
  return f32 ? (uint32_t)r : r;
}

static inline uint64_t irr_mask(IrType t) {
  unsigned b = ir_type_bits(t);
  return b >= 64 ? ~0ull : (1ull << b) - 1;
}

/* A random state: every slot, memory untouched. */
static inline void irr_state(IrRand *g, TestCpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
  for (uint32_t i = 0; i < test_regfile.count; i++) {
    const IrReg *reg = &test_regfile.regs[i];
    uint8_t *p = (uint8_t *)cpu + reg->offset;
    IrType t = (IrType)reg->type;
    if (t == IR_T_i1) {
      *p = (uint8_t)irr_below(g, 2);
    } else if (ir_type_is_vec(t)) {
      for (int k = 0; k < 2; k++) {
        uint64_t w = ir_type_lane(t) == IR_T_f64 ? irr_fbits(g, IR_T_f64) : irr_bits(g);
        memcpy(p + 8 * k, &w, 8);
      }
    } else {
      uint64_t w = ir_type_is_flt(t) ? irr_fbits(g, t) : irr_bits(g);
      memcpy(p, &w, ir_type_info[t].bytes);
    }
  }
}

static inline IrRef irr_emit(IrRand *g, IrOp op, IrType t, unsigned n, const IrRef *args,
                             uint64_t imm, uint32_t aux) {
  IrRef r = ir_emit_raw(g->fn, op, t, n, args, imm, aux);
  if (t != IR_T_void && g->nvals[g->block] < 512)
    g->vals[g->block][g->nvals[g->block]++] = r;
  return r;
}

static inline IrRef irr_const(IrRand *g, IrType t) {
  if (ir_type_is_vec(t)) {
    IrV128 v = {irr_bits(g), irr_bits(g)};
    IrRef r = ir_vconst(g->fn, t, v);
    if (g->nvals[g->block] < 512)
      g->vals[g->block][g->nvals[g->block]++] = r;
    return r;
  }
  uint64_t k = ir_type_is_flt(t) ? irr_fbits(g, t) : irr_bits(g);
  return irr_emit(g, IR_OP_const, t, 0, NULL, k & irr_mask(t), 0);
}

/* A value of type t: an earlier one, a get of a slot of that type, or a constant. */
static inline IrRef irr_value(IrRand *g, IrType t) {
  for (int tries = 0; tries < 12 && irr_below(g, 4) != 0; tries++) {
    uint32_t b = irr_below(g, 4);
    if (!(g->avail[g->block] >> b & 1) || g->nvals[b] == 0)
      continue;
    IrRef v = g->vals[b][irr_below(g, g->nvals[b])];
    if (ir_typeof(g->fn, v) == t)
      return v;
  }
  if (irr_below(g, 2)) {
    uint32_t start = irr_below(g, test_regfile.count);
    for (uint32_t i = 0; i < test_regfile.count; i++) {
      uint32_t s = (start + i) % test_regfile.count;
      if (test_regfile.regs[s].type == t)
        return irr_emit(g, IR_OP_get, t, 0, NULL, s, 0);
    }
  }
  return irr_const(g, t);
}

static inline IrType irr_type_in(IrRand *g, uint32_t set) {
  IrType pick[IR_T__COUNT];
  unsigned n = 0;
  for (unsigned t = 1; t < IR_T__COUNT; t++)
    if (set >> t & 1)
      pick[n++] = (IrType)t;
  return n ? pick[irr_below(g, n)] : IR_T_void;
}

static inline IrRef irr_addr(IrRand *g, unsigned size) {
  uint64_t a;
  switch (irr_below(g, 8)) {
  case 0: a = MEM_BASE + MEM_SIZE - irr_below(g, 2 * size + 1); break; /* across the top */
  case 1: a = irr_below(g, MEM_BASE); break;                          /* below: unmapped */
  case 2: return irr_value(g, IR_T_i64);
  default: a = MEM_BASE + irr_below(g, MEM_SIZE - 16); break;
  }
  return irr_emit(g, IR_OP_const, IR_T_i64, 0, NULL, a, 0);
}

/* The rounding operand: mostly a constant mode. */
static inline IrRef irr_rm(IrRand *g) {
  if (irr_below(g, 8) == 0)
    return irr_value(g, IR_T_i8);
  return irr_emit(g, IR_OP_const, IR_T_i8, 0, NULL, irr_below(g, 4), 0);
}

static inline uint64_t irr_kind(IrRand *g, IrOp op) {
  const IrKindNames *k = ir_kind_names(op);
  uint64_t limit = !k ? 1 : k->flags ? 1ull << k->count : k->count;
  return irr_below(g, (uint32_t)limit);
}

static const uint32_t irr_fcvt_from[] = {IR_T_f64, IR_T_f32, IR_T_v2f64, IR_T_v4f32};

/* One instruction of op, or nothing if the op cannot be made here. */
static inline void irr_inst(IrRand *g, IrOp op) {
  const IrOpInfo *info = &ir_op_info[op];
  IrRef args[IR_MAX_ARGS];
  uint64_t imm = 0;
  uint32_t aux = 0;
  IrType t = IR_T_void, from = IR_T_void;
  switch (op) { /* the ops whose shape the op table alone does not give */
  case IR_OP_set: {
    uint32_t s = irr_below(g, test_regfile.count);
    args[0] = irr_value(g, (IrType)test_regfile.regs[s].type);
    irr_emit(g, op, IR_T_void, 1, args, s, 0);
    return;
  }
  case IR_OP_zext: case IR_OP_sext: case IR_OP_trunc: {
    IrType a = irr_type_in(g, IR_TS_INTB), b = irr_type_in(g, IR_TS_INTB);
    if (ir_type_bits(a) == ir_type_bits(b))
      return;
    bool widen = op != IR_OP_trunc;
    t = (ir_type_bits(a) > ir_type_bits(b)) == widen ? a : b;
    from = t == a ? b : a;
    args[0] = irr_value(g, from);
    irr_emit(g, op, t, 1, args, 0, 0);
    return;
  }
  case IR_OP_bitcast: {
    t = irr_type_in(g, IR_TS_VALUE & ~IR_TSB(i1));
    uint32_t same = 0;
    for (unsigned k = IR_T_i8; k < IR_T__COUNT; k++)
      if (ir_type_info[k].bytes == ir_type_info[t].bytes)
        same |= 1u << k;
    args[0] = irr_value(g, irr_type_in(g, same));
    irr_emit(g, op, t, 1, args, 0, 0);
    return;
  }
  case IR_OP_vextract: {
    from = irr_type_in(g, IR_TS_VEC);
    args[0] = irr_value(g, from);
    irr_emit(g, op, ir_type_lane(from), 1, args, irr_below(g, ir_type_info[from].lanes), 0);
    return;
  }
  case IR_OP_vmovmsk:
    args[0] = irr_value(g, irr_type_in(g, IR_TS_VEC));
    irr_emit(g, op, irr_type_in(g, IR_TS_INT), 1, args, 0, 0);
    return;
  case IR_OP_vnarrow: {
    t = irr_type_in(g, IR_TSB(v16i8) | IR_TSB(v8i16) | IR_TSB(v4i32));
    from = (IrType)(t + 1);
    args[0] = irr_value(g, from);
    args[1] = irr_value(g, from);
    irr_emit(g, op, t, 2, args, irr_kind(g, op), 0);
    return;
  }
  case IR_OP_vwidenlo: case IR_OP_vwidenhi:
    t = irr_type_in(g, IR_TSB(v8i16) | IR_TSB(v4i32) | IR_TSB(v2i64));
    args[0] = irr_value(g, (IrType)(t - 1));
    irr_emit(g, op, t, 1, args, irr_kind(g, op), 0);
    return;
  case IR_OP_fcvt:
    from = (IrType)irr_fcvt_from[irr_below(g, 4)];
    t = from == IR_T_f64 ? IR_T_f32 : from == IR_T_f32 ? IR_T_f64 : from == IR_T_v2f64 ? IR_T_v4f32 : IR_T_v2f64;
    args[0] = irr_value(g, from);
    args[1] = irr_rm(g);
    irr_emit(g, op, t, 2, args, 0, 0);
    return;
  case IR_OP_itof: case IR_OP_ftoi: {
    bool vec = irr_below(g, 4) == 0, itof = op == IR_OP_itof;
    IrType ft = vec ? irr_type_in(g, IR_TS_FLTVEC) : irr_type_in(g, IR_TS_FLT);
    IrType it = vec ? (ft == IR_T_v4f32 ? IR_T_v4i32 : IR_T_v2i64) : irr_type_in(g, IR_TS_INT);
    t = itof ? ft : it;
    args[0] = irr_value(g, itof ? it : ft);
    args[1] = irr_rm(g);
    irr_emit(g, op, t, 2, args, irr_kind(g, op), 0);
    return;
  }
  case IR_OP_load:
    t = irr_type_in(g, IR_TS_MEM);
    args[0] = irr_addr(g, ir_type_info[t].bytes);
    irr_emit(g, op, t, 1, args, irr_kind(g, op), 0);
    return;
  case IR_OP_store:
    from = irr_type_in(g, IR_TS_MEM);
    args[0] = irr_addr(g, ir_type_info[from].bytes);
    args[1] = irr_value(g, from);
    irr_emit(g, op, IR_T_void, 2, args, irr_kind(g, op), 0);
    return;
  case IR_OP_cas: case IR_OP_armw: {
    t = irr_type_in(g, IR_TS_INT);
    unsigned n = op == IR_OP_cas ? 3 : 2;
    args[0] = irr_addr(g, ir_type_info[t].bytes);
    for (unsigned k = 1; k < n; k++)
      args[k] = irr_value(g, t);
    irr_emit(g, op, t, n, args, irr_kind(g, op), 0);
    return;
  }
  case IR_OP_call: {
    if (!g->nhelpers)
      return;
    uint32_t hi = g->helpers[irr_below(g, g->nhelpers)];
    const IrHelper *h = ir_helper_get(hi);
    for (unsigned k = 0; k < h->nargs; k++)
      args[k] = irr_value(g, irr_type_in(g, IR_TS_SCALAR));
    irr_emit(g, op, (IrType)h->result, h->nargs, args, hi, 0);
    return;
  }
  case IR_OP_const: case IR_OP_vconst:
    irr_const(g, irr_type_in(g, info->types));
    return;
  case IR_OP_get: {
    uint32_t s = irr_below(g, test_regfile.count);
    irr_emit(g, op, (IrType)test_regfile.regs[s].type, 0, NULL, s, 0);
    return;
  }
  case IR_OP_insn:
    irr_emit(g, op, IR_T_void, 0, NULL, g->pc += 4, 4);
    return;
  case IR_OP_fence:
    irr_emit(g, op, IR_T_void, 0, NULL, irr_kind(g, op), 0);
    return;
  case IR_OP_fenv_set: /* flags and the flush controls (the rest is ignored) */
    args[0] = irr_value(g, IR_T_i32);
    irr_emit(g, op, IR_T_void, 1, args, 0, 0);
    return;
  default: break;
  }
  if (info->flags & IRF_TERM)
    return;
  /* Generic: result type from the table, operands by kind letter. */
  if (info->result == 'b') {
    from = irr_type_in(g, info->types);
    t = ir_type_is_vec(from) ? from : IR_T_i1;
  } else {
    t = irr_type_in(g, info->types);
    from = t;
  }
  unsigned n = (unsigned)strlen(info->args);
  for (unsigned k = 0; k < n; k++) {
    IrType at;
    switch (info->args[k]) {
    case 'T': at = t; break;
    case 'U': at = from; break;
    case 'b': at = IR_T_i1; break;
    case 'a': at = IR_T_i64; break;
    case 'r': args[k] = irr_rm(g); continue;
    case 's': at = ir_type_lane(t); break;
    case 'n': /* counts: small constants mostly */
      if (irr_below(g, 2)) {
        at = irr_type_in(g, IR_TS_INT);
        args[k] = irr_emit(g, IR_OP_const, at, 0, NULL, irr_below(g, 2 * ir_type_bits(ir_type_lane(t)) + 2) & irr_mask(at), 0);
        continue;
      }
      at = irr_type_in(g, IR_TS_INTB);
      break;
    default: at = irr_type_in(g, IR_TS_INT); break; /* deposit's field */
    }
    args[k] = irr_value(g, at);
  }
  switch (info->imm) {
  case IR_IMM_PRED:
    imm = op == IR_OP_cmp ? irr_below(g, IR_PRED_sge + 1)
                          : IR_PRED_foeq + irr_below(g, IR_PRED__COUNT - IR_PRED_foeq);
    break;
  case IR_IMM_BITS: {
    unsigned bits = ir_type_bits(t);
    aux = 1 + irr_below(g, bits);
    imm = irr_below(g, bits - aux + 1);
    break;
  }
  case IR_IMM_LANE: imm = irr_below(g, ir_type_info[t].lanes); break;
  case IR_IMM_KIND: imm = irr_kind(g, op); break;
  default: break;
  }
  irr_emit(g, op, t, n, args, imm, aux);
}

/* A random op of the table (terminators and markers too; they are skipped or
 * placed by irr_inst). */
static inline void irr_some(IrRand *g) { irr_inst(g, (IrOp)irr_below(g, IR_OP__COUNT)); }

static inline void irr_terminate(IrRand *g) {
  switch (irr_below(g, 5)) {
  case 0: ir_exit(g->fn, 0x5000 + 4 * irr_below(g, 64)); break;
  case 1: ir_exiti(g->fn, irr_value(g, IR_T_i64)); break;
  case 2: ir_syscall(g->fn, 0x6000 + 4 * irr_below(g, 64)); break;
  case 3: ir_raise(g->fn, (IrExc)irr_below(g, IR_EXC__COUNT), irr_value(g, IR_T_i64)); break;
  default: ir_exit(g->fn, 0x7000); break;
  }
}

/* Make r visible in the guest state: set it to the slot of its type (vectors
 * without a slot of their type go through v0 as bytes). */
static inline void irr_observe(IrRand *g, IrRef r) {
  IrType t = ir_typeof(g->fn, r);
  for (uint32_t s = 0; s < test_regfile.count; s++)
    if (test_regfile.regs[s].type == t) {
      ir_emit_raw(g->fn, IR_OP_set, IR_T_void, 1, &r, s, 0);
      return;
    }
  if (ir_type_is_vec(t)) {
    IrRef b = ir_emit_raw(g->fn, IR_OP_bitcast, IR_T_v16i8, 1, &r, 0, 0);
    ir_emit_raw(g->fn, IR_OP_set, IR_T_void, 1, &b, T_V0, 0);
  }
}

/* One instance of op with random operands, its result written to the state. */
static inline IrFunc *irr_op_func(uint64_t *seed, IrOp op, const uint32_t *helpers,
                                  uint32_t nhelpers) {
  static IrRand g;
  memset(&g, 0, sizeof g);
  g.s = *seed;
  g.helpers = helpers, g.nhelpers = nhelpers;
  g.pc = 0x1000;
  g.fn = ir_func_new(&test_regfile);
  g.fn->fold = false;
  ir_block_new(g.fn);
  g.avail[0] = 1;
  irr_inst(&g, IR_OP_insn);
  uint32_t before = g.fn->ninsts;
  irr_inst(&g, op);
  IrRef r = g.fn->ninsts - 1;
  if (g.fn->ninsts > before && g.fn->insts[r].op == op && g.fn->insts[r].type != IR_T_void)
    irr_observe(&g, r);
  ir_exit(g.fn, 0x2000);
  *seed = g.s;
  return g.fn;
}

/* A function of about n instructions per block (seeded by *seed, advanced). */
static inline IrFunc *irr_func(uint64_t *seed, unsigned n, const uint32_t *helpers,
                               uint32_t nhelpers) {
  static IrRand g; /* large: not on the stack */
  memset(&g, 0, sizeof g);
  g.s = *seed;
  g.helpers = helpers, g.nhelpers = nhelpers;
  g.pc = 0x1000;
  g.fn = ir_func_new(&test_regfile);
  g.fn->fold = false;
  bool diamond = irr_below(&g, 2);
  uint32_t nb = diamond ? 4 : 1;
  for (uint32_t b = 0; b < nb; b++)
    ir_block_new(g.fn);
  g.avail[0] = 1, g.avail[1] = 3, g.avail[2] = 5, g.avail[3] = 9;
  for (uint32_t b = 0; b < nb; b++) {
    g.block = b;
    ir_block_set(g.fn, b);
    irr_inst(&g, IR_OP_insn); /* every block starts at a known guest pc */
    for (unsigned i = 0; i < n; i++)
      irr_some(&g);
    if (b == 0 && diamond)
      ir_br(g.fn, irr_value(&g, IR_T_i1), 1, 2);
    else if (diamond && b < 3)
      ir_jmp(g.fn, 3);
    else
      irr_terminate(&g);
  }
  *seed = g.s;
  return g.fn;
}

#endif
