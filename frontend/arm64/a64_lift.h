/* a64_lift.h — the AArch64 lifter's internal interface.
 *
 * a64_decode.c matches an instruction against the pattern rows of every
 * lift_*.c table and hands its fields to the row's lifting function. Helpers
 * here read and write registers with A64's rules (register 31 is SP or ZR by
 * instruction; W writes zero the upper half), compute NZCV and conditions, and
 * end blocks.
 */
#ifndef EMU_A64_LIFT_H
#define EMU_A64_LIFT_H

#include <stdbool.h>

#include "a64_decode.h"
#include "a64_frontend.h"
#include "ir.h"

typedef struct A64Lift {
  IrFunc *fn;
  uint64_t pc;  /* this instruction */
  uint32_t insn;
  uint32_t f[A64_F__COUNT]; /* the matched pattern's fields */
  bool ended;   /* the lifter emitted the block's terminator */
} A64Lift;

#define F(name) (l->f[A64_F_##name])

/* Every lift_*.c exports one table ending in a zero row; a64_translate.c lists
 * them in a64_lifter_tables (NULL-terminated), in priority order. */
extern const A64Row a64_rows_branch[]; /* lift_branch.c */
extern const A64Row a64_rows_dp_imm[]; /* lift_dp_imm.c */
extern const A64Row a64_rows_dp_reg[]; /* lift_dp_reg.c */
extern const A64Row a64_rows_ldst[];   /* lift_ldst.c */
extern const A64Row a64_rows_atomic[]; /* lift_atomic.c */
extern const A64Row a64_rows_sys[];    /* lift_sys.c */
extern const A64Row a64_rows_fp[];     /* lift_fp.c */
extern const A64Row a64_rows_simd[];   /* lift_simd.c: moves, permutations */
extern const A64Row a64_rows_simd_int[];   /* lift_simd_int.c */
extern const A64Row a64_rows_simd_shift[]; /* lift_simd_shift.c */
extern const A64Row a64_rows_simd_long[];  /* lift_simd_long.c */
extern const A64Row a64_rows_simd_fp[];    /* lift_simd_fp.c */
extern const A64Row a64_rows_simd_ldst[];  /* lift_simd_ldst.c */
extern const A64Row *const a64_lifter_tables[];

/* -- Constants and registers --------------------------------------------- */

static inline IrRef a64_i64(A64Lift *l, uint64_t v) { return ir_const(l->fn, IR_T_i64, v); }
static inline IrRef a64_i32(A64Lift *l, uint32_t v) { return ir_const(l->fn, IR_T_i32, v); }
static inline IrType a64_int_type(bool sf) { return sf ? IR_T_i64 : IR_T_i32; }
static inline IrRef a64_const(A64Lift *l, bool sf, uint64_t v) {
  return ir_const(l->fn, a64_int_type(sf), sf ? v : (uint32_t)v);
}
/* Bit `bit` of the integer v, as an i1. */
static inline IrRef a64_bit(A64Lift *l, IrRef v, unsigned bit) {
  return ir_cast(l->fn, IR_OP_trunc, IR_T_i1, ir_extract(l->fn, v, bit, 1, false));
}
/* v's low `bits` bits, sign-extended (immediate fields). */
static inline uint64_t a64_sext(uint64_t v, unsigned bits) {
  return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* Xn / Wn (sf) with register 31 = XZR. */
IrRef a64_x(A64Lift *l, unsigned r, bool sf);
/* Xn / Wn with register 31 = SP. */
IrRef a64_xsp(A64Lift *l, unsigned r, bool sf);
/* Write Xd / Wd (W zero-extends); register 31 = XZR (the write is dropped). */
void a64_set_x(A64Lift *l, unsigned r, IrRef v);
/* Write Xd / Wd; register 31 = SP. */
void a64_set_xsp(A64Lift *l, unsigned r, IrRef v);
/* Xm / Wm extended by option (uxtb uxth uxtw uxtx sxtb sxth sxtw sxtx) and
 * shifted left: the extended-register operand (lift_dp_reg.c; loads and
 * stores with a register offset use it too). */
IrRef a64_extend_reg(A64Lift *l, unsigned rm, unsigned option, unsigned shift, bool sf);

/* -- Flags and conditions ------------------------------------------------- */

void a64_set_nzcv(A64Lift *l, IrRef n, IrRef z, IrRef c, IrRef v);
/* N and Z of res, C and V as given. */
void a64_set_flags_nz(A64Lift *l, IrRef res, IrRef c, IrRef v);
/* res = a + b + cin (i1; IR_NONE: 0), setting NZCV as adds/adcs do. */
IrRef a64_add_flags(A64Lift *l, IrRef a, IrRef b, IrRef cin, bool set_flags);
/* res = a - b - !cin (cin IR_NONE: carry 1), setting NZCV as subs/sbcs do. */
IrRef a64_sub_flags(A64Lift *l, IrRef a, IrRef b, IrRef cin, bool set_flags);
/* The i1 value of condition code cond (EQ..NV) from NZCV. */
IrRef a64_cond(A64Lift *l, unsigned cond);

/* -- Memory ---------------------------------------------------------------- */

/* Linux runs EL0 with top-byte-ignore (TCR_EL1.TBI0): bits 63:56 of a data
 * address are a tag the MMU ignores. a64_load and a64_store clear them; other
 * accesses (cas, armw, helpers) go through this first. */
IrRef a64_data_addr(A64Lift *l, IrRef addr);
IrRef a64_load(A64Lift *l, IrType t, IrRef addr, uint32_t memflags);
void a64_store(A64Lift *l, IrRef addr, IrRef v, uint32_t memflags);

/* -- SIMD&FP registers ----------------------------------------------------- */

/* Vn as vector type t (the whole 128 bits). */
IrRef a64_v(A64Lift *l, unsigned r, IrType t);
/* Write Vd = v (any 128-bit type). */
void a64_set_v(A64Lift *l, unsigned r, IrRef v);
/* The low scalar of Vn as t (i8..i64, f32, f64). */
IrRef a64_vscalar(A64Lift *l, unsigned r, IrType t);
/* Write a scalar to Vd's low bits, zeroing the rest of the register (A64's
 * rule for scalar and 64-bit vector results). */
void a64_set_vscalar(A64Lift *l, unsigned r, IrRef s);
/* Write a 64-bit vector result (Q = 0): the low half v, the high half zero. */
void a64_set_v64(A64Lift *l, unsigned r, IrRef v);
/* FPCR.RMode as an IR rounding operand. */
IrRef a64_frm(A64Lift *l);

/* -- Ending the block ------------------------------------------------------ */

void a64_end_jump(A64Lift *l, uint64_t target);
void a64_end_jump_ind(A64Lift *l, IrRef target);
/* Branch on cond to target, else fall through to pc + 4 (both exits direct). */
void a64_end_branch(A64Lift *l, IrRef cond, uint64_t target);
void a64_end_raise(A64Lift *l, IrExc exc, uint64_t arg);

/* Helpers registered at init (a64_translate.c calls each file's init). */
void a64_sys_init(void);
void a64_dp_reg_init(void);
void a64_fp_init(void);
void a64_simd_init(void);
void a64_atomic_init(void);

#endif
