/* x86_lift.h — the x86-64 lifter's internal interface.
 *
 * Zydis decodes; each mnemonic is bound in a table (X86Lifter rows, one table per
 * lift_*.c file, gathered in x86_translate.c) to a lifting function plus two
 * parameters, so families share one function (all eight ALU ops are one row each
 * of the same lift_binop). Operands are fetched and written back generically
 * (x86_operand.c): lifters say "operand 0", never "register or memory".
 */
#ifndef EMU_X86_LIFT_H
#define EMU_X86_LIFT_H

#include <Zydis/Zydis.h>
#include <stdbool.h>

#include "x86_frontend.h"

typedef struct X86Lift {
  IrFunc *fn;
  uint64_t pc;      /* this instruction */
  uint64_t next_pc; /* the one after it */
  ZydisDecodedInstruction in;
  ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
  const uint8_t *bytes;
  IrRef addr[ZYDIS_MAX_OPERAND_COUNT]; /* effective addresses, computed once */
  bool ended; /* the lifter emitted the block's terminator */
  bool end_after_next; /* end the block after the next instruction (sti's shadow) */
  uint32_t mode; /* IrCodeFetch.mode: X86_MODE_* (0: user mode) */
} X86Lift;

typedef struct X86Lifter X86Lifter;
/* Returns false for "not an operand form I handle" (before emitting anything):
 * the instruction then raises SIGILL and -d unimp logs it. */
typedef bool (*X86LiftFn)(X86Lift *l, const X86Lifter *e);
struct X86Lifter {
  ZydisMnemonic mn;
  X86LiftFn fn;
  int a, b; /* per-row parameters, meaning chosen by fn */
};

/* Every lift_*.c exports one table ending in a zero row; x86_translate.c lists them. */
extern const X86Lifter x86_lifters_alu[];
extern const X86Lifter x86_lifters_ctrl[];
extern const X86Lifter x86_lifters_sys[];
extern const X86Lifter x86_lifters_sse_fp[];
extern const X86Lifter x86_lifters_sse_cvt[];
extern const X86Lifter x86_lifters_x87[];
extern const X86Lifter x86_lifters_fence[];
extern const X86Lifter x86_lifters_sse_mov[];  /* lift_sse_mov.c */
extern const X86Lifter x86_lifters_sse_int[];  /* lift_sse_int.c */
extern const X86Lifter x86_lifters_sse_shuf[]; /* lift_sse_shuf.c */
extern const X86Lifter x86_lifters_sse42[];    /* lift_sse42.c */
extern const X86Lifter x86_lifters_muldiv[];
extern const X86Lifter x86_lifters_shift[];
extern const X86Lifter x86_lifters_bits[];
extern const X86Lifter x86_lifters_string[];
extern const X86Lifter x86_lifters_atomic[];
extern const X86Lifter x86_lifters_mmx[];      /* lift_mmx.c */

/* System mode (x86_system.c): the runner carries this instruction out itself
 * in CPU mode `mode` (IrCodeFetch.mode). */
bool x86_is_system_insn(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *op,
                        uint32_t mode);
/* What x86_frontend_set_sys registered (NULL: nothing). */
const X86SysCalls *x86_sys_calls(void);
/* System mode: a register gets a segment selector (mov r, sreg), lifted
 * (lift_sys.c). False: not that instruction, or no CPU model to ask. */
bool x86_is_sreg_read(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *op,
                      uint32_t mode);
bool x86_lift_sreg_read(X86Lift *l);

/* -- Operands (x86_operand.c) --------------------------------------------- */

IrType x86_type_of_bits(unsigned bits);        /* 8..64 -> i8..i64, 128 -> v2i64 */
IrType x86_optype(const X86Lift *l, int i);    /* operand i's type from its size */
bool x86_is_reg(const X86Lift *l, int i);
bool x86_is_mem(const X86Lift *l, int i);
bool x86_is_imm(const X86Lift *l, int i);
IrRef x86_get(X86Lift *l, int i);              /* operand i as its own type */
IrRef x86_get_as(X86Lift *l, int i, IrType t); /* imm at t; reg/mem zero-extended or truncated */
IrRef x86_get_sx(X86Lift *l, int i, IrType t); /* sign-extended to t */
void x86_put(X86Lift *l, int i, IrRef v);       /* write back with x86's partial-register rules */
/* Register operand i = v only if cond (i1); else the register is untouched, not
 * even zero-extended (cmpxchg, bsf). False if operand i is not a GPR. */
bool x86_put_if(X86Lift *l, int i, IrRef cond, IrRef v);
IrRef x86_addr(X86Lift *l, int i);             /* effective address of memory operand i */
IrRef x86_mem_addr(X86Lift *l, const ZydisDecodedOperandMem *m); /* uncached */
/* An offset (i64) wrapped to the address size, plus segment seg's base (FS/GS). */
IrRef x86_seg_addr(X86Lift *l, ZydisRegister seg, IrRef offset);

/* GPRs by hardware number; width 8/16/32/64; high: AH..BH. */
IrRef x86_gpr_get(X86Lift *l, unsigned reg, unsigned width, bool high);
void x86_gpr_put(X86Lift *l, unsigned reg, unsigned width, bool high, IrRef v);
void x86_gpr_put_if(X86Lift *l, unsigned reg, unsigned width, bool high, IrRef cond, IrRef v);
IrRef x86_rsp(X86Lift *l);

/* Guest memory at the flat address addr (segment already applied). */
IrRef x86_load(X86Lift *l, IrType t, IrRef addr);
void x86_store(X86Lift *l, IrRef addr, IrRef v);

/* Stack. */
void x86_push(X86Lift *l, IrRef v); /* v: i64 (or i16 with 0x66) */
IrRef x86_pop(X86Lift *l, IrType t);

/* Constants of the operand's type. */
static inline IrRef x86_const(X86Lift *l, IrType t, uint64_t v) { return ir_const(l->fn, t, v); }
static inline IrRef x86_i64(X86Lift *l, uint64_t v) { return ir_const(l->fn, IR_T_i64, v); }

/* -- Flags (x86_flags.c) -------------------------------------------------- */

void x86_set_flag(X86Lift *l, unsigned slot, IrRef v);
IrRef x86_get_flag(X86Lift *l, unsigned slot);
void x86_flags_szp(X86Lift *l, IrRef r);                          /* SF ZF PF from r */
void x86_flags_add(X86Lift *l, IrRef a, IrRef b, IrRef cin, IrRef r); /* all six */
void x86_flags_sub(X86Lift *l, IrRef a, IrRef b, IrRef bin, IrRef r); /* all six */
void x86_flags_logic(X86Lift *l, IrRef r); /* CF=OF=0, SZP, AF=0 (architecturally undefined) */
IrRef x86_cond(X86Lift *l, unsigned cc);   /* cc in Intel order: O NO B AE E NE BE A S NS P NP L GE LE G */

/* -- Shared with other lifters (lift_atomic.c) ----------------------------- */

bool x86_lift_lock_carry(X86Lift *l, bool sub); /* lock adc/sbb [mem], src */
/* Atomic read-modify-write by a cas loop (lift_atomic.c): returns the old value,
 * *stored the new one. update emits the new value from the old. */
typedef IrRef (*X86Update)(X86Lift *l, IrRef old, const void *ctx);
IrRef x86_cas_loop(X86Lift *l, IrType t, IrRef addr, X86Update update, const void *ctx,
                   IrRef *stored);
void x86_atomic_init(void);                      /* registers its helper */

/* -- Control -------------------------------------------------------------- */

void x86_end_jump(X86Lift *l, uint64_t target);   /* exit to a constant pc */
void x86_end_jump_ind(X86Lift *l, IrRef target);  /* exit to a computed pc */
void x86_end_raise(X86Lift *l, IrExc exc, uint64_t arg);

#endif
