/* x86_fp.h — shared by the SSE floating-point lifters (lift_sse_fp.c,
 * lift_sse_cvt.c) and the x87 lifter (lift_x87.c, x87_helpers.c): scalar XMM
 * operands, the MXCSR rounding mode as an IR operand, and the x87
 * helpers' interface. Whole XMM operands come from lift_sse.h. */
#ifndef EMU_X86_FP_H
#define EMU_X86_FP_H

#include "lift_sse.h"

/* MXCSR bits. The exception flags (bits 0..5) are the IR's FP environment's
 * (x86_cpu.h: x86_mxcsr_read/write); the slot keeps the controls. */
#define X86_MXCSR_RC_SHIFT 13
#define X86_MXCSR_MASK 0xffffu /* writable bits (DAZ included), as fxsave reports */

/* -- XMM operands (lift_sse_fp.c) ------------------------------------------ */

/* The rounding mode MXCSR.RC selects, as the i8 'r' operand of IR float ops. */
IrRef x86_fp_rm(X86Lift *l);
/* Operand i's low lane as the scalar type t: register lane 0 or memory of t's size. */
IrRef x86_fp_scalar(X86Lift *l, int i, IrType t);
/* Operand i's low 64 bits as a vector of type t (upper half zero): the m64 source
 * of cvtps2pd / cvtdq2pd, or lanes 0..1 of a register. */
IrRef x86_fp_low64(X86Lift *l, int i, IrType t);
/* Replace lane 0 of XMM register operand i with the scalar s (f32/f64/i32/i64). */
void x86_fp_put_lane0(X86Lift *l, int i, IrRef s);
/* MXCSR as the guest reads it (the slot's controls, the environment's flags),
 * and written: the slot and the FP environment (flags, DAZ, FTZ). */
IrRef x86_fp_mxcsr_get(X86Lift *l);
void x86_fp_mxcsr_set(X86Lift *l, IrRef v);
/* Split the current block on cond: if it holds, raise exc (as the instruction);
 * emission continues in the fall-through block. */
void x86_fp_raise_if(X86Lift *l, IrRef cond, IrExc exc);

/* -- x87 helpers (x87_helpers.c) ------------------------------------------- */

/* The x87 helpers run the guest's x87 instruction itself on the host FPU, loaded
 * with the guest's x87 state (x87_helpers.c says why). An instruction is named
 * by its escape byte (d8..df) and ModRM: X87_OP gives the helpers' op argument,
 * memory forms as if their operand were [rdi] (mod 0, rm 7). Mode bits: */
#define X87_OP(esc, mod, reg, rm)                                                         \
  (((esc) - 0xd8u) * 72u + ((mod) == 3 ? 8u + ((reg) << 3 | (rm)) : (reg)))
enum {
  X87_NOWAIT = 1u << 15, /* fn* control instruction: no #MF check first */
  X87_HIGH = 1u << 16,   /* x87_peek: return stored bytes 8..15 instead of 0..7 */
};
/* x87_exec's result on a committing run. */
#define X87_RES_FLAGS_SHIFT 16 /* bits 16..23: the lahf image after the op (fcomi) */
#define X87_RES_MF (1ull << 32) /* #MF pending: nothing was done */
/* x87_check's result. */
enum {
  X87_CHECK_MF = 1,    /* an unmasked exception is pending: #MF before op */
  X87_CHECK_STORE = 2, /* op writes its memory operand (an unmasked exception it
                          raises itself may suppress the store) */
};

/* Helper indices, filled by x87_helpers_register. */
enum {
  X87_H_EXEC,    /* (op, mem0, mem1, ah) -> ax | flags | MF; reads and writes x87 state.
                    mem0..1: the operand bytes it reads; ah: sahf image (fcmov) */
  X87_H_PEEK,    /* (op, mem0, mem1, ah) -> the bytes it stores; a dry run, no commit */
  X87_H_CHECK,   /* (op, bytes stored) -> X87_CHECK_*: before a memory form (fwait: 0, 0) */
  X87_H_FXGET,   /* (k) -> bytes 8k..8k+7 of the fxsave image (k < 20; not 3: MXCSR) */
  X87_H_FXSET,   /* (k, v0, v1): fxrstor; k = 0: bytes 0..7 (first: it sets TOP),
                    k = 1..8: ST(k-1) = mantissa v0, sign/exponent v1 */
  X87_H__COUNT
};
extern uint32_t x87_helper[X87_H__COUNT];
void x87_helpers_register(void);

/* Registers the SSE and x87 helpers (x86_frontend_init calls it). */
void x86_fp_helpers_register(void);

#endif
