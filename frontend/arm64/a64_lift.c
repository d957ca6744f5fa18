/* a64_lift.c — register access with A64's rules, NZCV, conditions, memory and
 * block ends: the vocabulary every lift_*.c is written in. */
#include "a64_lift.h"

IrRef a64_x(A64Lift *l, unsigned r, bool sf) {
  if (r == 31)
    return a64_const(l, sf, 0);
  IrRef v = ir_get(l->fn, A64_SLOT_X0 + r);
  return sf ? v : ir_cast(l->fn, IR_OP_trunc, IR_T_i32, v);
}

IrRef a64_xsp(A64Lift *l, unsigned r, bool sf) {
  IrRef v = ir_get(l->fn, r == 31 ? A64_SLOT_SP : A64_SLOT_X0 + r);
  return sf ? v : ir_cast(l->fn, IR_OP_trunc, IR_T_i32, v);
}

static IrRef widen(A64Lift *l, IrRef v) {
  return ir_typeof(l->fn, v) == IR_T_i64 ? v : ir_cast(l->fn, IR_OP_zext, IR_T_i64, v);
}

void a64_set_x(A64Lift *l, unsigned r, IrRef v) {
  if (r != 31)
    ir_set(l->fn, A64_SLOT_X0 + r, widen(l, v));
}

void a64_set_xsp(A64Lift *l, unsigned r, IrRef v) {
  ir_set(l->fn, r == 31 ? A64_SLOT_SP : A64_SLOT_X0 + r, widen(l, v));
}

/* -- Flags ----------------------------------------------------------------- */

void a64_set_nzcv(A64Lift *l, IrRef n, IrRef z, IrRef c, IrRef v) {
  ir_set(l->fn, A64_SLOT_N, n);
  ir_set(l->fn, A64_SLOT_Z, z);
  ir_set(l->fn, A64_SLOT_C, c);
  ir_set(l->fn, A64_SLOT_V, v);
}

void a64_set_flags_nz(A64Lift *l, IrRef res, IrRef c, IrRef v) {
  IrRef zero = ir_const(l->fn, ir_typeof(l->fn, res), 0);
  a64_set_nzcv(l, ir_cmp(l->fn, IR_PRED_slt, res, zero), ir_cmp(l->fn, IR_PRED_eq, res, zero), c,
               v);
}

IrRef a64_add_flags(A64Lift *l, IrRef a, IrRef b, IrRef cin, bool set_flags) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a);
  IrRef res = ir_op2(fn, IR_OP_add, a, b);
  if (cin != IR_NONE)
    res = ir_op2(fn, IR_OP_add, res, ir_cast(fn, IR_OP_zext, t, cin));
  if (set_flags) {
    IrRef ci = cin != IR_NONE ? cin : ir_const(fn, IR_T_i1, 0);
    a64_set_flags_nz(l, res, ir_flag(fn, IR_OP_addcf, a, b, ci), ir_flag(fn, IR_OP_addof, a, b, ci));
  }
  return res;
}

IrRef a64_sub_flags(A64Lift *l, IrRef a, IrRef b, IrRef cin, bool set_flags) {
  IrFunc *fn = l->fn;
  IrType t = ir_typeof(fn, a);
  IrRef one = ir_const(fn, IR_T_i1, 1);
  IrRef bin = cin != IR_NONE ? ir_op2(fn, IR_OP_xor, cin, one) : ir_const(fn, IR_T_i1, 0);
  IrRef res = ir_op2(fn, IR_OP_sub, a, b);
  if (cin != IR_NONE)
    res = ir_op2(fn, IR_OP_sub, res, ir_cast(fn, IR_OP_zext, t, bin));
  if (set_flags) {
    IrRef borrow = ir_flag(fn, IR_OP_subcf, a, b, bin);
    a64_set_flags_nz(l, res, ir_op2(fn, IR_OP_xor, borrow, one), ir_flag(fn, IR_OP_subof, a, b, bin));
  }
  return res;
}

/* N == V (cmp takes no i1 operands). */
static IrRef n_eq_v(IrFunc *fn) {
  return ir_op1(fn, IR_OP_not, ir_op2(fn, IR_OP_xor, ir_get(fn, A64_SLOT_N), ir_get(fn, A64_SLOT_V)));
}

IrRef a64_cond(A64Lift *l, unsigned cond) {
  IrFunc *fn = l->fn;
  IrRef r;
  switch (cond >> 1) {
  case 0: r = ir_get(fn, A64_SLOT_Z); break;                               /* EQ */
  case 1: r = ir_get(fn, A64_SLOT_C); break;                               /* CS */
  case 2: r = ir_get(fn, A64_SLOT_N); break;                               /* MI */
  case 3: r = ir_get(fn, A64_SLOT_V); break;                               /* VS */
  case 4: /* HI: C && !Z */
    r = ir_op2(fn, IR_OP_andn, ir_get(fn, A64_SLOT_C), ir_get(fn, A64_SLOT_Z));
    break;
  case 5: r = n_eq_v(fn); break;                                                  /* GE */
  case 6: r = ir_op2(fn, IR_OP_andn, n_eq_v(fn), ir_get(fn, A64_SLOT_Z)); break; /* GT */
  default: /* AL, NV: always */
    return ir_const(fn, IR_T_i1, 1);
  }
  if (cond & 1)
    r = ir_op2(fn, IR_OP_xor, r, ir_const(fn, IR_T_i1, 1));
  return r;
}

/* -- Memory ----------------------------------------------------------------- */

IrRef a64_data_addr(A64Lift *l, IrRef addr) {
  return ir_op2(l->fn, IR_OP_and, addr, a64_i64(l, 0x00ffffffffffffffull));
}

IrRef a64_load(A64Lift *l, IrType t, IrRef addr, uint32_t memflags) {
  return ir_load(l->fn, t, a64_data_addr(l, addr), memflags);
}

void a64_store(A64Lift *l, IrRef addr, IrRef v, uint32_t memflags) {
  ir_store(l->fn, a64_data_addr(l, addr), v, memflags);
}

/* -- SIMD&FP registers ------------------------------------------------------ */

IrRef a64_v(A64Lift *l, unsigned r, IrType t) {
  IrRef v = ir_get(l->fn, A64_SLOT_V0 + r);
  return t == IR_T_v2i64 ? v : ir_cast(l->fn, IR_OP_bitcast, t, v);
}

void a64_set_v(A64Lift *l, unsigned r, IrRef v) {
  if (ir_typeof(l->fn, v) != IR_T_v2i64)
    v = ir_cast(l->fn, IR_OP_bitcast, IR_T_v2i64, v);
  ir_set(l->fn, A64_SLOT_V0 + r, v);
}

static IrType vec_of(IrType s) {
  switch (s) {
  case IR_T_i8: return IR_T_v16i8;
  case IR_T_i16: return IR_T_v8i16;
  case IR_T_i32: return IR_T_v4i32;
  case IR_T_f32: return IR_T_v4f32;
  case IR_T_f64: return IR_T_v2f64;
  default: return IR_T_v2i64;
  }
}

IrRef a64_vscalar(A64Lift *l, unsigned r, IrType t) {
  IrRef v = a64_v(l, r, vec_of(t));
  return ir_emit(l->fn, IR_OP_vextract, t, 1, &v, 0, 0);
}

void a64_set_vscalar(A64Lift *l, unsigned r, IrRef s) {
  IrType t = ir_typeof(l->fn, s), vt = vec_of(t);
  IrRef args[2] = {ir_vconst(l->fn, vt, (IrV128){0, 0}), s};
  a64_set_v(l, r, ir_emit(l->fn, IR_OP_vinsert, vt, 2, args, 0, 0));
}

void a64_set_v64(A64Lift *l, unsigned r, IrRef v) {
  IrRef v64 = ir_cast(l->fn, IR_OP_bitcast, IR_T_v2i64, v);
  IrRef lo = ir_emit(l->fn, IR_OP_vextract, IR_T_i64, 1, &v64, 0, 0);
  a64_set_vscalar(l, r, lo);
}

IrRef a64_frm(A64Lift *l) { return ir_get(l->fn, A64_SLOT_FRM); }

/* -- Block ends -------------------------------------------------------------- */

void a64_end_jump(A64Lift *l, uint64_t target) {
  ir_exit(l->fn, target);
  l->ended = true;
}

void a64_end_jump_ind(A64Lift *l, IrRef target) {
  ir_exiti(l->fn, target);
  l->ended = true;
}

void a64_end_branch(A64Lift *l, IrRef cond, uint64_t target) {
  IrFunc *fn = l->fn;
  uint32_t taken = ir_block_new(fn), fall = ir_block_new(fn);
  ir_br(fn, cond, taken, fall);
  ir_block_set(fn, taken);
  ir_exit(fn, target);
  ir_block_set(fn, fall);
  ir_exit(fn, l->pc + 4);
  l->ended = true;
}

void a64_end_raise(A64Lift *l, IrExc exc, uint64_t arg) {
  ir_raise(l->fn, exc, a64_i64(l, arg));
  l->ended = true;
}
