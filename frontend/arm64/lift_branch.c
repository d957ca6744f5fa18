/* lift_branch.c — branches, exception generation: b bl b.cond cbz cbnz tbz
 * tbnz br blr ret svc brk udf. Direct targets end the block with `exit pc`
 * (chainable); register targets with `exiti`; conditional branches go to two
 * direct exits. */
#include "a64_lift.h"

/* b, bl (a = 1: link). */
static bool lift_b(A64Lift *l, const A64Row *r) {
  if (r->a)
    a64_set_x(l, 30, a64_i64(l, l->pc + 4));
  a64_end_jump(l, l->pc + (a64_sext(F(imm), 26) << 2));
  return true;
}

static bool lift_bcond(A64Lift *l, const A64Row *r) {
  (void)r;
  uint64_t target = l->pc + (a64_sext(F(imm), 19) << 2);
  if (F(cond) >= 14)
    a64_end_jump(l, target);
  else
    a64_end_branch(l, a64_cond(l, F(cond)), target);
  return true;
}

static bool lift_cbz(A64Lift *l, const A64Row *r) {
  (void)r;
  IrRef v = a64_x(l, F(rt), F(sf));
  IrRef c = ir_cmp(l->fn, F(op) ? IR_PRED_ne : IR_PRED_eq, v, a64_const(l, F(sf), 0));
  a64_end_branch(l, c, l->pc + (a64_sext(F(imm), 19) << 2));
  return true;
}

static bool lift_tbz(A64Lift *l, const A64Row *r) {
  (void)r;
  unsigned bit = F(b5) << 5 | F(b40);
  IrRef v = a64_x(l, F(rt), true);
  IrRef b = ir_extract(l->fn, v, bit, 1, false);
  IrRef c = ir_cmp(l->fn, F(op) ? IR_PRED_ne : IR_PRED_eq, b, a64_i64(l, 0));
  a64_end_branch(l, c, l->pc + (a64_sext(F(imm), 14) << 2));
  return true;
}

/* br, blr (a = 1: link), ret. */
static bool lift_br(A64Lift *l, const A64Row *r) {
  IrRef target = a64_x(l, F(rn), true);
  if (r->a)
    a64_set_x(l, 30, a64_i64(l, l->pc + 4));
  a64_end_jump_ind(l, target);
  return true;
}

static bool lift_svc(A64Lift *l, const A64Row *r) {
  (void)r;
  ir_syscall(l->fn, l->pc + 4);
  l->ended = true;
  return true;
}

static bool lift_brk(A64Lift *l, const A64Row *r) {
  (void)r;
  a64_end_raise(l, IR_EXC_breakpt, F(imm));
  return true;
}

static bool lift_udf(A64Lift *l, const A64Row *r) {
  (void)r;
  a64_end_raise(l, IR_EXC_undef, IR_UNDEF_INVALID);
  return true;
}

const A64Row a64_rows_branch[] = {
    {"b", "0 00101 imm:26", lift_b, 0, 0},
    {"bl", "1 00101 imm:26", lift_b, 1, 0},
    {"b.cond", "0101010 0 imm:19 0 cond:4", lift_bcond, 0, 0},
    {"cbz", "sf:1 011010 op:1 imm:19 rt:5", lift_cbz, 0, 0},
    {"tbz", "b5:1 011011 op:1 b40:5 imm:14 rt:5", lift_tbz, 0, 0},
    {"br", "1101011 0000 11111 000000 rn:5 00000", lift_br, 0, 0},
    {"blr", "1101011 0001 11111 000000 rn:5 00000", lift_br, 1, 0},
    {"ret", "1101011 0010 11111 000000 rn:5 00000", lift_br, 0, 0},
    {"svc", "11010100 000 imm:16 000 01", lift_svc, 0, 0},
    {"brk", "11010100 001 imm:16 000 00", lift_brk, 0, 0},
    {"udf", "0000000000000000 imm:16", lift_udf, 0, 0},
    {0},
};
