/* lift_x87.c — the x87 FPU and fxsave/fxrstor. Every x87 instruction becomes
 * one call of the x87_exec helper, which runs it on the host FPU against the
 * guest's x87 state (x87_helpers.c). What the lifter decides is in the two
 * tables below, in the Intel opcode map's shape (escape byte d8..df by
 * ModRM.reg, memory and register forms apart): which forms exist, the bytes
 * a memory form reads or writes, and the extra inputs and outputs (EFLAGS for
 * fcmov/fcomi, ax for fnstsw). The IR does the guest memory access: operands
 * read are passed in; bytes written come from a dry run (x87_peek) and are
 * stored before the instruction commits, so a faulting store changes nothing
 * (and are not stored when an unmasked exception suppresses the store).
 * An unmasked pending exception (#MF) raises SIGFPE, as on hardware.
 * Not implemented: fnsave/frstor (94/108-byte images), the 16-bit env
 * formats, and FOP/FIP/FDP (fnstenv and fxsave store them as 0). */
#include "x86_fp.h"

enum {
  F_OK = 1,       /* the form exists (and is implemented) */
  F_NOWAIT = 2,   /* fn* control instruction: never takes #MF */
  F_ENV = 4,      /* fldenv/fnstenv: the 28-byte environment */
  F_EFL_IN = 8,   /* reads CF PF ZF (fcmovcc) */
  F_EFL_OUT = 16, /* writes ZF PF CF, clears OF SF AF (fcomi) */
  F_AX_OUT = 32,  /* writes ax (fnstsw ax) */
};

/* Memory forms: bytes read, bytes written, flags. */
typedef struct X87MemForm {
  uint8_t rd, wr, flags;
} X87MemForm;
#define R(n) {n, 0, F_OK}
#define W(n) {0, n, F_OK}
#define NO {0, 0, 0}
static const X87MemForm mem_forms[8][8] = {
    /* d8: fadd fmul fcom fcomp fsub fsubr fdiv fdivr m32fp */
    {R(4), R(4), R(4), R(4), R(4), R(4), R(4), R(4)},
    /* d9: fld m32fp, -, fst m32fp, fstp m32fp, fldenv, fldcw, fnstenv, fnstcw */
    {R(4), NO, W(4), W(4), {28, 0, F_OK | F_ENV}, R(2), {0, 28, F_OK | F_ENV | F_NOWAIT},
     {0, 2, F_OK | F_NOWAIT}},
    /* da: fiadd fimul ficom ficomp fisub fisubr fidiv fidivr m32int */
    {R(4), R(4), R(4), R(4), R(4), R(4), R(4), R(4)},
    /* db: fild m32int, fisttp m32int, fist m32int, fistp m32int, -, fld m80, -, fstp m80 */
    {R(4), W(4), W(4), W(4), NO, R(10), NO, W(10)},
    /* dc: fadd fmul fcom fcomp fsub fsubr fdiv fdivr m64fp */
    {R(8), R(8), R(8), R(8), R(8), R(8), R(8), R(8)},
    /* dd: fld m64fp, fisttp m64int, fst m64fp, fstp m64fp, frstor, -, fnsave, fnstsw m16 */
    {R(8), W(8), W(8), W(8), NO, NO, NO, {0, 2, F_OK | F_NOWAIT}},
    /* de: fiadd fimul ficom ficomp fisub fisubr fidiv fidivr m16int */
    {R(2), R(2), R(2), R(2), R(2), R(2), R(2), R(2)},
    /* df: fild m16int, fisttp m16int, fist m16int, fistp m16int, fbld m80bcd,
     *     fild m64int, fbstp m80bcd, fistp m64int */
    {R(2), W(2), W(2), W(2), R(10), R(8), W(10), W(8)},
};
#undef R
#undef W
#undef NO

/* Register forms: the ModRM.rm values that exist (bit i: rm = i), flags. */
typedef struct X87RegForm {
  uint8_t rms, flags;
} X87RegForm;
#define ALL {0xff, F_OK}
#define NO {0, 0}
#define CMOV {0xff, F_OK | F_EFL_IN}
#define COMI {0xff, F_OK | F_EFL_OUT}
static const X87RegForm reg_forms[8][8] = {
    /* d8: fadd fmul fcom fcomp fsub fsubr fdiv fdivr st(0), st(i) */
    {ALL, ALL, ALL, ALL, ALL, ALL, ALL, ALL},
    /* d9: fld st(i), fxch st(i), fnop, -, fchs fabs - - ftst fxam,
     *     fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz, f2xm1 fyl2x fptan fpatan fxtract
     *     fprem1 fdecstp fincstp, fprem fyl2xp1 fsqrt fsincos frndint fscale fsin fcos */
    {ALL, ALL, {0x01, F_OK}, NO, {0x33, F_OK}, {0x7f, F_OK}, ALL, ALL},
    /* da: fcmovb fcmove fcmovbe fcmovu st(0), st(i); -; fucompp (e9) */
    {CMOV, CMOV, CMOV, CMOV, NO, {0x02, F_OK}, NO, NO},
    /* db: fcmovnb fcmovne fcmovnbe fcmovnu; fnclex (e2) fninit (e3); fucomi; fcomi */
    {CMOV, CMOV, CMOV, CMOV, {0x0c, F_OK | F_NOWAIT}, COMI, COMI, NO},
    /* dc: fadd fmul st(i), st(0); -; -; fsubr fsub fdivr fdiv st(i), st(0) */
    {ALL, ALL, NO, NO, ALL, ALL, ALL, ALL},
    /* dd: ffree, -, fst st(i), fstp st(i), fucom, fucomp */
    {ALL, NO, ALL, ALL, ALL, ALL, NO, NO},
    /* de: faddp fmulp; -; fcompp (d9); fsubrp fsubp fdivrp fdivp st(i), st(0) */
    {ALL, ALL, NO, {0x02, F_OK}, ALL, ALL, ALL, ALL},
    /* df: ffreep; -; -; -; fnstsw ax (e0); fucomip; fcomip */
    {ALL, NO, NO, NO, {0x01, F_OK | F_NOWAIT | F_AX_OUT}, COMI, COMI, NO},
};
#undef ALL
#undef NO
#undef CMOV
#undef COMI

/* -- Helper calls ------------------------------------------------------------ */

static IrRef call4(X86Lift *l, int h, uint32_t op, IrRef m0, IrRef m1, IrRef ah) {
  IrRef args[4] = {x86_i64(l, op), m0 ? m0 : x86_i64(l, 0), m1 ? m1 : x86_i64(l, 0),
                   ah ? ah : x86_i64(l, 0)};
  return ir_call(l->fn, x87_helper[h], 4, args);
}

static IrRef bit(X86Lift *l, IrRef v, unsigned b) {
  return ir_cast(l->fn, IR_OP_trunc, IR_T_i1, ir_extract(l->fn, v, b, 1, false));
}

/* x87_exec's result says #MF was pending: raise it instead of going on. */
static void mf_check(X86Lift *l, IrRef res) {
  x86_fp_raise_if(l, bit(l, res, 32), IR_EXC_divide);
}

static IrRef zext64(X86Lift *l, IrRef v) {
  return ir_typeof(l->fn, v) == IR_T_i64 ? v : ir_cast(l->fn, IR_OP_zext, IR_T_i64, v);
}

static IrRef at(X86Lift *l, IrRef addr, unsigned off) {
  return off ? ir_op2(l->fn, IR_OP_add, addr, x86_i64(l, off)) : addr;
}

/* The sahf image of CF PF ZF (fcmovcc tests nothing else). */
static IrRef eflags_ah(X86Lift *l) {
  static const uint8_t slots[3][2] = {{X86_SLOT_CF, 0}, {X86_SLOT_PF, 2}, {X86_SLOT_ZF, 6}};
  IrRef ah = x86_i64(l, 2);
  for (unsigned i = 0; i < 3; i++) {
    IrRef f = zext64(l, x86_get_flag(l, slots[i][0]));
    ah = ir_op2(l->fn, IR_OP_or, ah, ir_op2(l->fn, IR_OP_shl, f, x86_i64(l, slots[i][1])));
  }
  return ah;
}

/* -- Forms --------------------------------------------------------------------- */

static bool lift_reg_form(X86Lift *l, unsigned esc, unsigned reg, unsigned rm) {
  X87RegForm f = reg_forms[esc - 0xd8][reg];
  if (!(f.rms >> rm & 1))
    return false;
  uint32_t op = X87_OP(esc, 3, reg, rm) | ((f.flags & F_NOWAIT) ? X87_NOWAIT : 0);
  IrRef res = call4(l, X87_H_EXEC, op, 0, 0, (f.flags & F_EFL_IN) ? eflags_ah(l) : 0);
  if (!(f.flags & F_NOWAIT))
    mf_check(l, res);
  if (f.flags & F_EFL_OUT) {
    IrRef zero = ir_const(l->fn, IR_T_i1, 0);
    x86_set_flag(l, X86_SLOT_CF, bit(l, res, X87_RES_FLAGS_SHIFT + 0));
    x86_set_flag(l, X86_SLOT_PF, bit(l, res, X87_RES_FLAGS_SHIFT + 2));
    x86_set_flag(l, X86_SLOT_ZF, bit(l, res, X87_RES_FLAGS_SHIFT + 6));
    x86_set_flag(l, X86_SLOT_OF, zero);
    x86_set_flag(l, X86_SLOT_SF, zero);
    x86_set_flag(l, X86_SLOT_AF, zero);
  }
  if (f.flags & F_AX_OUT)
    x86_gpr_put(l, X86_RAX, 16, false, ir_cast(l->fn, IR_OP_trunc, IR_T_i16, res));
  return true;
}

/* The operand bytes a memory form reads, as x87_exec's mem0 and mem1. Every
 * byte is loaded, so faults are the hardware's; fldenv's bytes past 16 (FIP's
 * selector, FOP, FDP, FDS) are not state emu keeps. */
static void load_operand(X86Lift *l, IrRef addr, unsigned size, IrRef *m0, IrRef *m1) {
  static const IrType small[9] = {[2] = IR_T_i16, [4] = IR_T_i32, [8] = IR_T_i64};
  if (size <= 8) {
    *m0 = zext64(l, x86_load(l, small[size], addr));
    return;
  }
  *m0 = x86_load(l, IR_T_i64, addr);
  if (size == 10) {
    *m1 = zext64(l, x86_load(l, IR_T_i16, at(l, addr, 8)));
    return;
  }
  *m1 = x86_load(l, IR_T_i64, at(l, addr, 8));
  x86_load(l, IR_T_i64, at(l, addr, 16));
  x86_load(l, IR_T_i32, at(l, addr, 24));
}

/* Stores the bytes a dry run of op writes. fnstenv: FCW FSW FTW as the host
 * writes them, FIP FOP FDP zero, FDS 0 with the reserved half all ones. */
static void store_result(X86Lift *l, IrRef addr, unsigned size, uint32_t op) {
  static const IrType small[9] = {[2] = IR_T_i16, [4] = IR_T_i32, [8] = IR_T_i64};
  IrFunc *fn = l->fn;
  IrRef lo = call4(l, X87_H_PEEK, op, 0, 0, 0);
  if (size <= 8) {
    x86_store(l, addr, size == 8 ? lo : ir_cast(fn, IR_OP_trunc, small[size], lo));
    return;
  }
  IrRef hi = call4(l, X87_H_PEEK, op | X87_HIGH, 0, 0, 0);
  x86_store(l, addr, lo);
  if (size == 10) {
    x86_store(l, at(l, addr, 8), ir_cast(fn, IR_OP_trunc, IR_T_i16, hi));
    return;
  }
  x86_store(l, at(l, addr, 8), ir_cast(fn, IR_OP_trunc, IR_T_i32, hi));
  x86_store(l, at(l, addr, 12), ir_const(fn, IR_T_i32, 0));
  x86_store(l, at(l, addr, 16), x86_i64(l, 0));
  x86_store(l, at(l, addr, 24), ir_const(fn, IR_T_i32, 0xffff0000u));
}

static bool lift_mem_form(X86Lift *l, unsigned esc, unsigned reg) {
  X87MemForm f = mem_forms[esc - 0xd8][reg];
  if (!(f.flags & F_OK))
    return false;
  if ((f.flags & F_ENV) && (l->in.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE))
    return false; /* the 14-byte 16-bit environment */
  int m = 0;
  while (m < (int)l->in.operand_count_visible && !x86_is_mem(l, m))
    m++;
  if (m == (int)l->in.operand_count_visible)
    return false;
  uint32_t op = X87_OP(esc, 0, reg, 7) | ((f.flags & F_NOWAIT) ? X87_NOWAIT : 0);
  IrFunc *fn = l->fn;
  IrRef addr = x86_addr(l, m), m0 = IR_NONE, m1 = IR_NONE;
  /* #MF comes before the operand's page fault; and a store may be suppressed. */
  IrRef args[2] = {x86_i64(l, op), x86_i64(l, f.wr)};
  IrRef chk = ir_call(fn, x87_helper[X87_H_CHECK], 2, args);
  if (!(f.flags & F_NOWAIT))
    x86_fp_raise_if(l, bit(l, chk, 0), IR_EXC_divide);
  if (f.rd)
    load_operand(l, addr, f.rd, &m0, &m1);
  if (f.wr) {
    uint32_t st = ir_block_new(fn), join = ir_block_new(fn);
    ir_br(fn, bit(l, chk, 1), st, join);
    ir_block_set(fn, st);
    store_result(l, addr, f.wr, op);
    ir_jmp(fn, join);
    ir_block_set(fn, join);
  }
  call4(l, X87_H_EXEC, op, m0, m1, 0); /* #MF is known not pending here */
  return true;
}

static bool lift_x87(X86Lift *l, const X86Lifter *e) {
  (void)e;
  unsigned esc = l->in.opcode;
  if (esc < 0xd8 || esc > 0xdf)
    return false;
  if (l->in.raw.modrm.mod == 3)
    return lift_reg_form(l, esc, l->in.raw.modrm.reg, l->in.raw.modrm.rm);
  return lift_mem_form(l, esc, l->in.raw.modrm.reg);
}

/* fwait: only the #MF check. */
static bool lift_fwait(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrRef args[2] = {x86_i64(l, 0), x86_i64(l, 0)};
  x86_fp_raise_if(l, bit(l, ir_call(l->fn, x87_helper[X87_H_CHECK], 2, args), 0), IR_EXC_divide);
  return true;
}

/* -- fxsave / fxrstor (and their REX.W forms: FIP/FDP are 0 either way) ------ */

#define FX_XMM 160 /* XMM0..15 at 160 + 16 i */
#define FX_ST 32   /* ST(i) at 32 + 16 i */

/* The 512-byte image's checks, in the CPU's order (found by difftest): a
 * non-canonical address faults first (#GP, or #SS off rsp/rbp: an access there,
 * which the runtime classifies), then misalignment (#GP), then a page fault
 * anywhere in the image, reported at its last byte (a probe load). */
static IrRef fx_addr(X86Lift *l) {
  IrFunc *fn = l->fn;
  IrRef a = x86_addr(l, 0);
  IrRef top = ir_op2(fn, IR_OP_ashr, a, x86_i64(l, 47)); /* 0 or -1 when canonical */
  IrRef noncanon = ir_cmp(fn, IR_PRED_ugt, ir_op2(fn, IR_OP_add, top, x86_i64(l, 1)), x86_i64(l, 1));
  uint32_t bad = ir_block_new(fn), ok = ir_block_new(fn);
  ir_br(fn, noncanon, bad, ok);
  ir_block_set(fn, bad);
  x86_load(l, IR_T_i8, a); /* faults */
  ir_raise(fn, IR_EXC_priv, x86_i64(l, 0));
  ir_block_set(fn, ok);
  IrRef low = ir_op2(fn, IR_OP_and, a, x86_i64(l, 15));
  x86_fp_raise_if(l, ir_cmp(fn, IR_PRED_ne, low, x86_i64(l, 0)), IR_EXC_priv);
  x86_load(l, IR_T_i8, at(l, a, 511));
  return a;
}

/* Bytes 0..159 and the XMM registers; bytes 416..511 are not written. */
static bool lift_fxsave(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = fx_addr(l);
  for (unsigned k = 0; k < 20; k++) {
    if (k == 3) {
      x86_store(l, at(l, a, 24), x86_fp_mxcsr_get(l));
      x86_store(l, at(l, a, 28), ir_const(fn, IR_T_i32, X86_MXCSR_MASK));
      continue;
    }
    IrRef kv = x86_i64(l, k);
    IrRef v = (k == 1 || k == 2) ? x86_i64(l, 0) : ir_call(fn, x87_helper[X87_H_FXGET], 1, &kv);
    x86_store(l, at(l, a, 8 * k), v);
  }
  for (unsigned i = 0; i < 16; i++)
    x86_store(l, at(l, a, FX_XMM + 16 * i), ir_get(fn, X86_SLOT_XMM0 + i));
  return true;
}

/* Everything is loaded first, then MXCSR's reserved bits checked (#GP), then
 * the state written. */
static bool lift_fxrstor(X86Lift *l, const X86Lifter *e) {
  (void)e;
  IrFunc *fn = l->fn;
  IrRef a = fx_addr(l), mant[8], sexp[8], xmm[16];
  IrRef ctl = x86_load(l, IR_T_i64, a);
  IrRef mx = x86_load(l, IR_T_i32, at(l, a, 24));
  for (unsigned j = 0; j < 8; j++) {
    mant[j] = x86_load(l, IR_T_i64, at(l, a, FX_ST + 16 * j));
    sexp[j] = zext64(l, x86_load(l, IR_T_i16, at(l, a, FX_ST + 16 * j + 8)));
  }
  for (unsigned i = 0; i < 16; i++)
    xmm[i] = x86_load(l, IR_T_v2i64, at(l, a, FX_XMM + 16 * i));
  IrRef bad = ir_op2(fn, IR_OP_and, mx, ir_const(fn, IR_T_i32, ~X86_MXCSR_MASK));
  x86_fp_raise_if(l, ir_cmp(fn, IR_PRED_ne, bad, ir_const(fn, IR_T_i32, 0)), IR_EXC_priv);
  IrRef args[3] = {x86_i64(l, 0), ctl, x86_i64(l, 0)};
  ir_call(fn, x87_helper[X87_H_FXSET], 3, args);
  for (unsigned j = 0; j < 8; j++) {
    IrRef sargs[3] = {x86_i64(l, j + 1), mant[j], sexp[j]};
    ir_call(fn, x87_helper[X87_H_FXSET], 3, sargs);
  }
  x86_fp_mxcsr_set(l, mx);
  for (unsigned i = 0; i < 16; i++)
    ir_set(fn, X86_SLOT_XMM0 + i, xmm[i]);
  return true;
}

/* -- Table --------------------------------------------------------------------- */

#define X87(MN) {ZYDIS_MNEMONIC_##MN, lift_x87, 0, 0}
const X86Lifter x86_lifters_x87[] = {
    X87(F2XM1),   X87(FABS),    X87(FADD),    X87(FADDP),   X87(FBLD),     X87(FBSTP),
    X87(FCHS),    X87(FCMOVB),  X87(FCMOVBE), X87(FCMOVE),  X87(FCMOVNB),  X87(FCMOVNBE),
    X87(FCMOVNE), X87(FCMOVNU), X87(FCMOVU),  X87(FCOM),    X87(FCOMI),    X87(FCOMIP),
    X87(FCOMP),   X87(FCOMPP),  X87(FCOS),    X87(FDECSTP), X87(FDIV),     X87(FDIVP),
    X87(FDIVR),   X87(FDIVRP),  X87(FFREE),   X87(FFREEP),  X87(FIADD),    X87(FICOM),
    X87(FICOMP),  X87(FIDIV),   X87(FIDIVR),  X87(FILD),    X87(FIMUL),    X87(FINCSTP),
    X87(FIST),    X87(FISTP),   X87(FISTTP),  X87(FISUB),   X87(FISUBR),   X87(FLD),
    X87(FLD1),    X87(FLDCW),   X87(FLDENV),  X87(FLDL2E),  X87(FLDL2T),   X87(FLDLG2),
    X87(FLDLN2),  X87(FLDPI),   X87(FLDZ),    X87(FMUL),    X87(FMULP),    X87(FNCLEX),
    X87(FNINIT),  X87(FNOP),    X87(FNSTCW),  X87(FNSTENV), X87(FNSTSW),   X87(FPATAN),
    X87(FPREM),   X87(FPREM1),  X87(FPTAN),   X87(FRNDINT), X87(FSCALE),   X87(FSIN),
    X87(FSINCOS), X87(FSQRT),   X87(FST),     X87(FSTP),    X87(FSUB),     X87(FSUBP),
    X87(FSUBR),   X87(FSUBRP),  X87(FTST),    X87(FUCOM),   X87(FUCOMI),   X87(FUCOMIP),
    X87(FUCOMP),  X87(FUCOMPP), X87(FXAM),    X87(FXCH),    X87(FXTRACT),  X87(FYL2X),
    X87(FYL2XP1),
    {ZYDIS_MNEMONIC_FWAIT, lift_fwait, 0, 0},
    {ZYDIS_MNEMONIC_FXSAVE, lift_fxsave, 0, 0},
    {ZYDIS_MNEMONIC_FXSAVE64, lift_fxsave, 0, 0},
    {ZYDIS_MNEMONIC_FXRSTOR, lift_fxrstor, 0, 0},
    {ZYDIS_MNEMONIC_FXRSTOR64, lift_fxrstor, 0, 0},
    {0, NULL, 0, 0},
};
#undef X87
