/* lift_string.c — x86 string instructions: movs stos lods cmps scas at every
 * size, with rep / repe / repne, DF, and 32-bit addressing (0x67: esi, edi,
 * ecx). A repeated instruction is an in-function loop: the entry skips it when
 * rCX is 0; each turn of the body does its memory accesses first and only then
 * steps rSI/rDI and counts rCX down, so a fault leaves the registers at the
 * faulting iteration (precise, as hardware). Every 4096 iterations the loop
 * exits to the instruction itself, so a long rep still lets the runner in
 * (signals, exit requests); the instruction then resumes where it left off. */
#include "x86_lift.h"

/* What one iteration does (row a): the first value comes from [rSI] (else
 * from rAX); it is stored to [rDI], or compared with [rDI], or loaded into rAX. */
enum {
  STR_SRC = 1 << 0,    /* reads [rSI] */
  STR_LOADDI = 1 << 1, /* reads [rDI] */
  STR_STORE = 1 << 2,  /* writes [rDI] */
  STR_TOACC = 1 << 3,  /* writes rAX */
  STR_CMP = 1 << 4,    /* flags of first - [rDI] */
};
enum { STR_MOVS = STR_SRC | STR_STORE, STR_STOS = STR_STORE, STR_LODS = STR_SRC | STR_TOACC,
       STR_CMPS = STR_SRC | STR_LOADDI | STR_CMP, STR_SCAS = STR_LOADDI | STR_CMP };

#define STR_YIELD_MASK 0xfffu /* exit to the runner when rCX reaches a multiple of 4096 */

typedef struct StrOp {
  unsigned kind, bits, aw; /* STR_* bits, operand size, address size */
  IrType t;
  IrRef step;              /* i64: +size or -size by DF */
  ZydisRegister seg;       /* rSI's segment (rDI always uses ES, base 0) */
} StrOp;

/* rSI or rDI as a flat address. */
static IrRef str_addr(X86Lift *l, const StrOp *s, unsigned reg) {
  IrRef a = x86_gpr_get(l, reg, 64, false);
  return x86_seg_addr(l, reg == X86_RSI ? s->seg : ZYDIS_REGISTER_NONE, a);
}

static void str_advance(X86Lift *l, const StrOp *s, unsigned reg) {
  IrRef v = x86_gpr_get(l, reg, s->aw, false);
  IrRef step = s->aw == 64 ? s->step : ir_cast(l->fn, IR_OP_trunc, IR_T_i32, s->step);
  x86_gpr_put(l, reg, s->aw, false, ir_op2(l->fn, IR_OP_add, v, step));
}

static void zext32(X86Lift *l, unsigned reg) {
  x86_gpr_put(l, reg, 32, false, x86_gpr_get(l, reg, 32, false));
}

/* One iteration: the accesses, then the pointer steps. For cmps/scas it
 * returns the compared values in *x and *y; the caller sets the flags. */
static void str_once(X86Lift *l, const StrOp *s, IrRef *x, IrRef *y) {
  *x = s->kind & STR_SRC ? x86_load(l, s->t, str_addr(l, s, X86_RSI))
                         : x86_gpr_get(l, X86_RAX, s->bits, false);
  *y = s->kind & STR_LOADDI ? x86_load(l, s->t, str_addr(l, s, X86_RDI)) : IR_NONE;
  if (s->kind & STR_STORE)
    x86_store(l, str_addr(l, s, X86_RDI), *x);
  if (s->kind & STR_TOACC)
    x86_gpr_put(l, X86_RAX, s->bits, false, *x);
  if (s->kind & STR_SRC)
    str_advance(l, s, X86_RSI);
  if (s->kind & (STR_LOADDI | STR_STORE))
    str_advance(l, s, X86_RDI);
}

static void str_flags(X86Lift *l, IrRef x, IrRef y) {
  x86_flags_sub(l, x, y, IR_NONE, ir_op2(l->fn, IR_OP_sub, x, y));
}

/* The segment of the operand addressed by rSI, if the instruction has one. */
static ZydisRegister si_segment(const X86Lift *l) {
  for (unsigned i = 0; i < l->in.operand_count; i++)
    if (l->op[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
        (l->op[i].mem.base == ZYDIS_REGISTER_RSI || l->op[i].mem.base == ZYDIS_REGISTER_ESI))
      return l->op[i].mem.segment;
  return ZYDIS_REGISTER_NONE;
}

/* a = STR_* kind, b = operand size in bits. */
static bool lift_string(X86Lift *l, const X86Lifter *e) {
  if (l->in.operand_count_visible != 0)
    return false; /* movsd/cmpsd with operands: the SSE instruction */
  IrFunc *fn = l->fn;
  StrOp s = {(unsigned)e->a, (unsigned)e->b, l->in.address_width, x86_type_of_bits((unsigned)e->b),
             IR_NONE, si_segment(l)};
  if (s.aw != 64 && s.aw != 32)
    return false;
  IrRef size = x86_i64(l, (unsigned)e->b / 8);
  s.step = ir_select(fn, x86_get_flag(l, X86_SLOT_DF), ir_op1(fn, IR_OP_neg, size), size);
  const uint64_t reps = ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE;
  IrRef x, y;
  if (!(l->in.attributes & reps)) {
    str_once(l, &s, &x, &y);
    if (s.kind & STR_CMP)
      str_flags(l, x, y);
    return true;
  }
  if (s.aw == 32) { /* Intel writes ecx, and movs/stos their esi/edi, even for a 0 count */
    zext32(l, X86_RCX);
    if (s.kind & STR_STORE) {
      zext32(l, X86_RDI);
      if (s.kind & STR_SRC)
        zext32(l, X86_RSI);
    }
  }
  IrType ct = x86_type_of_bits(s.aw);
  uint32_t body = ir_block_new(fn), more = ir_block_new(fn), yield = ir_block_new(fn),
           done = ir_block_new(fn);
  IrRef zero = ir_const(fn, ct, 0);
  ir_br(fn, ir_cmp(fn, IR_PRED_eq, x86_gpr_get(l, X86_RCX, s.aw, false), zero), done, body);

  ir_block_set(fn, body);
  str_once(l, &s, &x, &y);
  IrRef rcx = ir_op2(fn, IR_OP_sub, x86_gpr_get(l, X86_RCX, s.aw, false), ir_const(fn, ct, 1));
  x86_gpr_put(l, X86_RCX, s.aw, false, rcx);
  IrRef go = ir_cmp(fn, IR_PRED_ne, rcx, zero);
  uint32_t last = done;
  if (s.kind & STR_CMP) {
    /* repe goes on while equal, repne while different. The flags are written
     * once, by the last iteration: a fault (or a yield) in between leaves
     * those from before the instruction, as on hardware. */
    IrRef eq = ir_cmp(fn, IR_PRED_eq, x, y);
    go = ir_op2(fn, IR_OP_and, go,
                (l->in.attributes & ZYDIS_ATTRIB_HAS_REPNE) ? ir_op1(fn, IR_OP_not, eq) : eq);
    last = ir_block_new(fn);
  }
  ir_br(fn, go, more, last);
  if (last != done) {
    ir_block_set(fn, last);
    str_flags(l, x, y);
    ir_jmp(fn, done);
  }

  ir_block_set(fn, more);
  IrRef lowbits = ir_op2(fn, IR_OP_and, rcx, ir_const(fn, ct, STR_YIELD_MASK));
  ir_br(fn, ir_cmp(fn, IR_PRED_eq, lowbits, zero), yield, body);

  ir_block_set(fn, yield);
  ir_exit(fn, l->pc);

  ir_block_set(fn, done);
  return true;
}

#define STR(mn, kind, bits) {ZYDIS_MNEMONIC_##mn, lift_string, kind, bits}
const X86Lifter x86_lifters_string[] = {
    STR(MOVSB, STR_MOVS, 8),  STR(MOVSW, STR_MOVS, 16), STR(MOVSD, STR_MOVS, 32),
    STR(MOVSQ, STR_MOVS, 64), STR(STOSB, STR_STOS, 8),  STR(STOSW, STR_STOS, 16),
    STR(STOSD, STR_STOS, 32), STR(STOSQ, STR_STOS, 64), STR(LODSB, STR_LODS, 8),
    STR(LODSW, STR_LODS, 16), STR(LODSD, STR_LODS, 32), STR(LODSQ, STR_LODS, 64),
    STR(CMPSB, STR_CMPS, 8),  STR(CMPSW, STR_CMPS, 16), STR(CMPSD, STR_CMPS, 32),
    STR(CMPSQ, STR_CMPS, 64), STR(SCASB, STR_SCAS, 8),  STR(SCASW, STR_SCAS, 16),
    STR(SCASD, STR_SCAS, 32), STR(SCASQ, STR_SCAS, 64),
    {0, NULL, 0, 0},
};
