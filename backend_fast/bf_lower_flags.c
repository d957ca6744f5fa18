/* bf_lower_flags.c — flag ops (addcf addof subcf subof parity) and compares
 * through the host's own flags: add/adc or sub/sbb then setc/seto, test+setp,
 * cmp/ucomis+setcc (comis for fcmps: the same flags, invalid on a quiet NaN too). A compare whose only use is the next instruction, a br or
 * an integer select, is fused with it: cmp+jcc, cmp+cmov. Vector compares go
 * to bf_lower_vec_cmp (bf_lower_vec.c). */
#include "bf_int.h"

/* -- addcf addof subcf subof: a op b op carry-in, at the operand's size ------- */

static void flag_op(BfCtx *c, IrRef r, const IrInst *in, bool sub, X64Cond cc) {
  if (c->fgroup[r]) {
    bf_lower_flag_member(c, r, in);
    return;
  }
  X64Asm *a = &c->a;
  X64Size s = bf_size(ir_typeof(c->fn, in->args[0]));
  uint64_t cin;
  bool cin_const = bf_is_const(c, in->args[2], &cin);
  int64_t imm;
  bool b_imm = bf_imm32(c, in->args[1], &imm);
  X64Reg b = b_imm ? X64_NOREG : bf_gpr(c, in->args[1]);
  X64Reg ci = cin_const ? X64_NOREG : bf_gpr(c, in->args[2]);
  X64Reg d = bf_def(c, r);
  bf_load_into(c, in->args[0], BF_GPR, d);
  X64AluOp op = sub ? X64_SUB : X64_ADD;
  if (!cin_const) {
    x64_bit_ri(a, X64_BT, X64_S32, ci, 0); /* CF = carry in */
    op = sub ? X64_SBB : X64_ADC;
  } else if (cin & 1) {
    x64_fixed(a, X64_STC);
    op = sub ? X64_SBB : X64_ADC;
  }
  if (b_imm)
    x64_alu_ri(a, op, s, d, imm);
  else
    x64_alu_rr(a, op, s, d, b);
  x64_setcc_r(a, cc, d);
}

void bf_lower_addcf(BfCtx *c, IrRef r, const IrInst *in) { flag_op(c, r, in, false, X64_CC_C); }
void bf_lower_addof(BfCtx *c, IrRef r, const IrInst *in) { flag_op(c, r, in, false, X64_CC_O); }
void bf_lower_subcf(BfCtx *c, IrRef r, const IrInst *in) { flag_op(c, r, in, true, X64_CC_C); }
void bf_lower_subof(BfCtx *c, IrRef r, const IrInst *in) { flag_op(c, r, in, true, X64_CC_O); }

/* parity(a): PF of the low byte (set when its bit count is even). */
void bf_lower_parity(BfCtx *c, IrRef r, const IrInst *in) {
  if (c->fgroup[r]) {
    bf_lower_flag_member(c, r, in);
    return;
  }
  X64Reg x = bf_gpr(c, in->args[0]);
  X64Reg d = bf_def(c, r);
  x64_rmreg_rr(&c->a, X64_TEST, X64_S8, x, x);
  x64_setcc_r(&c->a, X64_CC_P, d);
}

/* -- Compares ---------------------------------------------------------------------- */

static const X64Cond int_cc[IR_PRED_sge + 1] = {
    [IR_PRED_eq] = X64_CC_E,  [IR_PRED_ne] = X64_CC_NE, [IR_PRED_ult] = X64_CC_B,
    [IR_PRED_ule] = X64_CC_BE, [IR_PRED_ugt] = X64_CC_A, [IR_PRED_uge] = X64_CC_AE,
    [IR_PRED_slt] = X64_CC_L, [IR_PRED_sle] = X64_CC_LE, [IR_PRED_sgt] = X64_CC_G,
    [IR_PRED_sge] = X64_CC_GE};

/* fcmp after ucomis (fcmps: comis): `swap` compares (b, a). foeq and fune need two flags. */
typedef struct FpCc {
  bool swap;
  X64Cond cc;
} FpCc;
static const FpCc fp_cc[IR_PRED__COUNT] = {
    [IR_PRED_fone] = {false, X64_CC_NE}, [IR_PRED_folt] = {true, X64_CC_A},
    [IR_PRED_fole] = {true, X64_CC_AE},  [IR_PRED_fogt] = {false, X64_CC_A},
    [IR_PRED_foge] = {false, X64_CC_AE}, [IR_PRED_ford] = {false, X64_CC_NP},
    [IR_PRED_fueq] = {false, X64_CC_E},  [IR_PRED_fult] = {false, X64_CC_B},
    [IR_PRED_fule] = {false, X64_CC_BE}, [IR_PRED_fugt] = {true, X64_CC_B},
    [IR_PRED_fuge] = {true, X64_CC_BE},  [IR_PRED_funo] = {false, X64_CC_P}};

/* Operand registers for a compare, fetched before anything sets flags. */
typedef struct CmpOps {
  unsigned a, b; /* registers; b is BF_NOREG with an immediate */
  int64_t imm;
} CmpOps;

static bool is_fcmp(const IrInst *in) { return in->op == IR_OP_fcmp || in->op == IR_OP_fcmps; }

/* ucomis / comis for the scalar operand type t. */
static X64SseOp fcmp_op(const IrInst *in, IrType t) {
  bool sig = in->op == IR_OP_fcmps;
  return t == IR_T_f32 ? (sig ? X64_COMISS : X64_UCOMISS) : (sig ? X64_COMISD : X64_UCOMISD);
}

static CmpOps cmp_fetch(BfCtx *c, const IrInst *in) {
  CmpOps o = {0, BF_NOREG, 0};
  if (is_fcmp(in)) {
    o.a = bf_xmm(c, in->args[0]);
    o.b = bf_xmm(c, in->args[1]);
  } else {
    if (!bf_imm32(c, in->args[1], &o.imm))
      o.b = bf_gpr(c, in->args[1]);
    o.a = bf_gpr(c, in->args[0]);
  }
  return o;
}

/* Emits the compare; returns the condition that means "true". */
static X64Cond cmp_emit(BfCtx *c, const IrInst *in, CmpOps o) {
  IrType t = ir_typeof(c->fn, in->args[0]);
  if (is_fcmp(in)) {
    const FpCc *f = &fp_cc[in->imm];
    x64_sse_rr(&c->a, fcmp_op(in, t), f->swap ? o.b : o.a, f->swap ? o.a : o.b);
    return f->cc;
  }
  if (o.b == BF_NOREG)
    x64_alu_ri(&c->a, X64_CMP, bf_size(t), (X64Reg)o.a, o.imm);
  else
    x64_alu_rr(&c->a, X64_CMP, bf_size(t), (X64Reg)o.a, (X64Reg)o.b);
  return int_cc[in->imm];
}

void bf_lower_cmp(BfCtx *c, IrRef r, const IrInst *in) {
  if (ir_type_is_vec(ir_typeof(c->fn, in->args[0]))) {
    bf_lower_vec_cmp(c, r, in);
    return;
  }
  if (c->fgroup[r]) {
    bf_lower_flag_member(c, r, in);
    return;
  }
  CmpOps o = cmp_fetch(c, in);
  X64Reg d = bf_def(c, r);
  x64_setcc_r(&c->a, cmp_emit(c, in, o), d);
}

void bf_lower_fcmp(BfCtx *c, IrRef r, const IrInst *in) {
  if (ir_type_is_vec(ir_typeof(c->fn, in->args[0]))) {
    bf_lower_vec_cmp(c, r, in);
    return;
  }
  CmpOps o = cmp_fetch(c, in);
  X64Reg d = bf_def(c, r);
  if (in->imm == IR_PRED_foeq || in->imm == IR_PRED_fune) {
    bool eq = in->imm == IR_PRED_foeq;
    X64Reg t = bf_tmp(c);
    x64_sse_rr(&c->a, fcmp_op(in, ir_typeof(c->fn, in->args[0])), o.a, o.b);
    x64_setcc_r(&c->a, eq ? X64_CC_NP : X64_CC_P, t);
    x64_setcc_r(&c->a, eq ? X64_CC_E : X64_CC_NE, d);
    x64_alu_rr(&c->a, eq ? X64_AND : X64_OR, X64_S8, d, t);
    return;
  }
  x64_setcc_r(&c->a, cmp_emit(c, in, o), d);
}

void bf_lower_fcmps(BfCtx *c, IrRef r, const IrInst *in) { bf_lower_fcmp(c, r, in); }

/* -- Flag groups: one host op, a setcc per flag (bf_flag_groups.c) ------------------ */

static bool flag_int(const IrFunc *fn, IrRef v) {
  IrType t = ir_typeof(fn, v);
  return t > IR_T_i1 && t <= IR_T_i64;
}

static void key_operand(const IrFunc *fn, IrRef v, uint8_t *isconst, uint64_t *val) {
  const IrInst *in = &fn->insts[v];
  *isconst = in->op == IR_OP_const;
  *val = *isconst ? in->imm : v;
}

/* The key of `a op b` (b IR_NONE: the constant 0) at a's size. */
static BfFlagKey flag_key(const IrFunc *fn, bool add, IrRef a, IrRef b) {
  BfFlagKey k = {.add = add, .size = (uint8_t)bf_size(ir_typeof(fn, a)), .bconst = 1};
  key_operand(fn, a, &k.aconst, &k.a);
  if (b != IR_NONE)
    key_operand(fn, b, &k.bconst, &k.b);
  return k;
}

/* x's own sub or add, whose host op gives x's ZF SF PF too. */
static BfFlagKey result_key(const IrFunc *fn, IrRef x) {
  const IrInst *d = &fn->insts[x];
  if ((d->op == IR_OP_sub || d->op == IR_OP_add) && d->nargs == 2)
    return flag_key(fn, d->op == IR_OP_add, d->args[0], d->args[1]);
  return flag_key(fn, false, x, IR_NONE); /* cmp x, 0 */
}

static bool is_zero(const IrFunc *fn, IrRef v) {
  const IrInst *in = &fn->insts[v];
  return in->op == IR_OP_const && in->imm == 0;
}

/* Groupable flag ops: addcf/addof/subcf/subof without carry in (the flag of the
 * host add or sub); an integer cmp (the flags of cmp a, b), or of x against 0
 * for eq/ne/slt/sge, and parity (x's ZF SF PF, from x's own add or sub if any). */
bool bf_flag_use(const IrFunc *fn, IrRef r, BfFlagUse *u) {
  const IrInst *in = &fn->insts[r];
  if (in->nargs == 0 || !flag_int(fn, in->args[0]))
    return false;
  IrRef a = in->args[0];
  switch (in->op) {
  case IR_OP_addcf:
  case IR_OP_addof:
  case IR_OP_subcf:
  case IR_OP_subof: {
    if (!is_zero(fn, in->args[2]))
      return false;
    bool add = in->op == IR_OP_addcf || in->op == IR_OP_addof;
    bool cf = in->op == IR_OP_addcf || in->op == IR_OP_subcf;
    *u = (BfFlagUse){flag_key(fn, add, a, in->args[1]), true, cf ? X64_CC_C : X64_CC_O};
    return true;
  }
  case IR_OP_cmp: {
    IrPred p = (IrPred)in->imm;
    if (p > IR_PRED_sge)
      return false;
    static const X64Cond zero_cc[IR_PRED_sge + 1] = {
        [IR_PRED_eq] = X64_CC_E, [IR_PRED_ne] = X64_CC_NE, [IR_PRED_slt] = X64_CC_S,
        [IR_PRED_sge] = X64_CC_NS};
    bool by_result = (p == IR_PRED_eq || p == IR_PRED_ne || p == IR_PRED_slt ||
                      p == IR_PRED_sge) && is_zero(fn, in->args[1]);
    if (by_result)
      *u = (BfFlagUse){result_key(fn, a), false, zero_cc[p]};
    else
      *u = (BfFlagUse){flag_key(fn, false, a, in->args[1]), true, int_cc[p]};
    return true;
  }
  case IR_OP_parity:
    *u = (BfFlagUse){result_key(fn, a), false, X64_CC_P};
    return true;
  default:
    return false;
  }
}

/* A member of a flag group: unless the host flags already hold its group's,
 * its own operands' host op sets them (the group's first member is direct when
 * any is, so a sub or add then sets every flag the others read; else a test
 * of the value gives ZF SF PF). The setcc writes slot `m` when there is one. */
static void flag_member(BfCtx *c, IrRef r, const IrInst *in, const X64Mem *m) {
  BfFlagUse u;
  bf_flag_use(c->fn, r, &u);
  X64Size s = bf_size(ir_typeof(c->fn, in->args[0]));
  if (c->hflags != c->fgroup[r]) {
    if (!u.direct) {
      X64Reg x = bf_gpr(c, in->args[0]);
      x64_rmreg_rr(&c->a, X64_TEST, s, x, x);
    } else {
      int64_t imm;
      bool b_imm = bf_imm32(c, in->args[1], &imm);
      X64Reg b = b_imm ? X64_NOREG : bf_gpr(c, in->args[1]);
      X64Reg a = bf_gpr(c, in->args[0]);
      if (u.key.add) { /* add writes its operand: into a scratch copy */
        X64Reg t = bf_tmp(c);
        x64_mov_rr(&c->a, X64_S64, t, a);
        a = t;
      }
      X64AluOp op = u.key.add ? X64_ADD : X64_CMP;
      if (b_imm)
        x64_alu_ri(&c->a, op, s, a, imm);
      else
        x64_alu_rr(&c->a, op, s, a, b);
    }
    c->hflags = c->fgroup[r];
  }
  if (m) {
    x64_setcc_m(&c->a, u.cc, *m);
    return;
  }
  X64Reg d = bf_def(c, r); /* spills and moves leave the flags alone */
  x64_setcc_r(&c->a, u.cc, d);
}

void bf_lower_flag_member(BfCtx *c, IrRef r, const IrInst *in) { flag_member(c, r, in, NULL); }

/* -- Fusion -------------------------------------------------------------------------- */

bool bf_fusable(const BfCtx *c, const IrInst *cmp, const IrInst *next, IrRef r) {
  const BfRa *ra = &c->ra;
  bool only_use = ra->uend[r] - ra->ucur[r] == 1 && next->nargs > 0 && next->args[0] == r;
  if (c->fgroup[r] && next->op == IR_OP_set) /* a flag into its i1 slot */
    return only_use && c->fn->rf->regs[next->imm].type == IR_T_i1;
  if (cmp->op != IR_OP_cmp && !is_fcmp(cmp))
    return false;
  if (ir_type_is_vec(ir_typeof(c->fn, cmp->args[0])))
    return false;
  if (is_fcmp(cmp) && (cmp->imm == IR_PRED_foeq || cmp->imm == IR_PRED_fune))
    return false;
  if (!only_use)
    return false;
  if (next->op == IR_OP_br)
    return true;
  return next->op == IR_OP_select && next->args[1] != r && next->args[2] != r &&
         bf_cls((IrType)next->type) == BF_GPR;
}

void bf_lower_fused(BfCtx *c, IrRef cr, IrRef nr) {
  const IrInst *cmp = &c->fn->insts[cr], *next = &c->fn->insts[nr];
  if (next->op == IR_OP_set) {
    X64Mem m = bf_cpu((int32_t)c->fn->rf->regs[next->imm].offset);
    flag_member(c, cr, cmp, &m);
    return;
  }
  c->hflags = 0; /* the compare below sets the host flags for itself */
  if (next->op == IR_OP_br) {
    X64Cond cc = cmp_emit(c, cmp, cmp_fetch(c, cmp));
    bf_branch_cc(c, cc, (uint32_t)next->imm, next->aux);
    return;
  }
  /* select(cmp, x, y): d = y; cmp; cmovcc d, x */
  X64Reg x = bf_gpr(c, next->args[1]);
  CmpOps o = cmp_fetch(c, cmp);
  X64Reg d = bf_def_over(c, nr, next->args[2]);
  X64Cond cc = cmp_emit(c, cmp, o);
  IrType t = (IrType)next->type;
  x64_cmov_rr(&c->a, cc, t == IR_T_i64 ? X64_S64 : X64_S32, d, x);
}
