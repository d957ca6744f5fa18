/* runner.S — the AArch64 case runner's machine-level parts: _start, raw
 * syscalls, setjmp/longjmp, and the trampoline that loads a whole DtaState,
 * runs a case slot and stores the state back.
 *
 * The case gets every register, so the epilogue has none to spare: it parks x0
 * in tpidr_el0 (restored afterwards; a case sees the input's tpidr) and
 * reaches dta_out PC-relatively with adrp. The trampoline branches to the slot
 * through x17; the slot's first four words (movz/movk) then set x17 to its
 * input value. Offsets below are DtaState's (runner.c checks them). */
	.set ST_SP, 248
	.set ST_NZCV, 256
	.set ST_FPCR, 264
	.set ST_FPSR, 272
	.set ST_TPIDR, 280
	.set ST_V, 288
	.set ST_SIZE, 800
	/* dta_host: x19..x30, sp, d8..d15, tpidr, fpcr (runner.c: H_*) */
	.set H_SP, 96
	.set H_D8, 104
	.set H_TPIDR, 168
	.set H_FPCR, 176

	.text
	.global _start
_start:
	mov x29, #0
	mov x30, #0
	mov x0, sp /* argc, argv..., as the kernel left them */
	bl runner_main
	mov x8, #94 /* exit_group */
	svc #0

/* long dta_syscall(long nr, long a0, ..., long a5) */
	.global dta_syscall
dta_syscall:
	mov x8, x0
	mov x0, x1
	mov x1, x2
	mov x2, x3
	mov x3, x4
	mov x4, x5
	mov x5, x6
	svc #0
	ret

/* int dta_setjmp(uint64_t buf[22]); void dta_longjmp(uint64_t buf[22], int v) */
	.global dta_setjmp
dta_setjmp:
	stp x19, x20, [x0, #0]
	stp x21, x22, [x0, #16]
	stp x23, x24, [x0, #32]
	stp x25, x26, [x0, #48]
	stp x27, x28, [x0, #64]
	stp x29, x30, [x0, #80]
	mov x1, sp
	str x1, [x0, #96]
	stp d8, d9, [x0, #104]
	stp d10, d11, [x0, #120]
	stp d12, d13, [x0, #136]
	stp d14, d15, [x0, #152]
	mov w0, #0
	ret

	.global dta_longjmp
dta_longjmp:
	ldp x19, x20, [x0, #0]
	ldp x21, x22, [x0, #16]
	ldp x23, x24, [x0, #32]
	ldp x25, x26, [x0, #48]
	ldp x27, x28, [x0, #64]
	ldp x29, x30, [x0, #80]
	ldr x2, [x0, #96]
	mov sp, x2
	ldp d8, d9, [x0, #104]
	ldp d10, d11, [x0, #120]
	ldp d12, d13, [x0, #136]
	ldp d14, d15, [x0, #152]
	mov w0, w1
	ret

/* void dta_enter(void): run dta_in (x[17] = the slot) to dta_out. */
	.global dta_enter
dta_enter:
	adrp x9, dta_host
	add x9, x9, :lo12:dta_host
	stp x19, x20, [x9, #0]
	stp x21, x22, [x9, #16]
	stp x23, x24, [x9, #32]
	stp x25, x26, [x9, #48]
	stp x27, x28, [x9, #64]
	stp x29, x30, [x9, #80]
	mov x10, sp
	str x10, [x9, #H_SP]
	stp d8, d9, [x9, #H_D8]
	stp d10, d11, [x9, #H_D8 + 16]
	stp d12, d13, [x9, #H_D8 + 32]
	stp d14, d15, [x9, #H_D8 + 48]
	mrs x10, tpidr_el0
	str x10, [x9, #H_TPIDR]
	mrs x10, fpcr
	str x10, [x9, #H_FPCR]
	/* A fresh exclusive monitor per case (if the emulator knows clrex). */
	adrp x10, dta_use_clrex
	ldrb w10, [x10, :lo12:dta_use_clrex]
	cbz w10, 1f
	clrex
1:
	adrp x17, dta_in
	add x17, x17, :lo12:dta_in
	ldr x0, [x17, #ST_NZCV]
	msr nzcv, x0
	ldr x0, [x17, #ST_FPCR]
	msr fpcr, x0
	ldr x0, [x17, #ST_FPSR]
	msr fpsr, x0
	ldr x0, [x17, #ST_TPIDR]
	msr tpidr_el0, x0
	ldr x0, [x17, #ST_SP]
	mov sp, x0
	add x0, x17, #ST_V
	ldp q0, q1, [x0, #0]
	ldp q2, q3, [x0, #32]
	ldp q4, q5, [x0, #64]
	ldp q6, q7, [x0, #96]
	ldp q8, q9, [x0, #128]
	ldp q10, q11, [x0, #160]
	ldp q12, q13, [x0, #192]
	ldp q14, q15, [x0, #224]
	ldp q16, q17, [x0, #256]
	ldp q18, q19, [x0, #288]
	ldp q20, q21, [x0, #320]
	ldp q22, q23, [x0, #352]
	ldp q24, q25, [x0, #384]
	ldp q26, q27, [x0, #416]
	ldp q28, q29, [x0, #448]
	ldp q30, q31, [x0, #480]
	ldp x0, x1, [x17, #0]
	ldp x2, x3, [x17, #16]
	ldp x4, x5, [x17, #32]
	ldp x6, x7, [x17, #48]
	ldp x8, x9, [x17, #64]
	ldp x10, x11, [x17, #80]
	ldp x12, x13, [x17, #96]
	ldp x14, x15, [x17, #112]
	ldr x16, [x17, #128]
	ldp x18, x19, [x17, #144]
	ldp x20, x21, [x17, #160]
	ldp x22, x23, [x17, #176]
	ldp x24, x25, [x17, #192]
	ldp x26, x27, [x17, #208]
	ldp x28, x29, [x17, #224]
	ldr x30, [x17, #240]
	ldr x17, [x17, #136]
	br x17

/* Tail B: a branch in the case went to its second tail; tail A: fell off the end.
 * dta_out is a DtaState then the exit word (0: A, nonzero: B). */
	.global dta_epilogue_b
dta_epilogue_b:
	msr tpidr_el0, x0
	adrp x0, dta_out
	add x0, x0, :lo12:dta_out
	str x0, [x0, #ST_SIZE]
	b 2f
	.global dta_epilogue_a
dta_epilogue_a:
	msr tpidr_el0, x0
	adrp x0, dta_out
	add x0, x0, :lo12:dta_out
	str xzr, [x0, #ST_SIZE]
2:
	stp x1, x2, [x0, #8]
	stp x3, x4, [x0, #24]
	stp x5, x6, [x0, #40]
	stp x7, x8, [x0, #56]
	stp x9, x10, [x0, #72]
	stp x11, x12, [x0, #88]
	stp x13, x14, [x0, #104]
	stp x15, x16, [x0, #120]
	stp x17, x18, [x0, #136]
	stp x19, x20, [x0, #152]
	stp x21, x22, [x0, #168]
	stp x23, x24, [x0, #184]
	stp x25, x26, [x0, #200]
	stp x27, x28, [x0, #216]
	stp x29, x30, [x0, #232]
	mrs x1, tpidr_el0
	str x1, [x0, #0]
	mov x1, sp
	str x1, [x0, #ST_SP]
	mrs x1, nzcv
	str x1, [x0, #ST_NZCV]
	mrs x1, fpcr
	str x1, [x0, #ST_FPCR]
	mrs x1, fpsr
	str x1, [x0, #ST_FPSR]
	add x1, x0, #ST_V
	stp q0, q1, [x1, #0]
	stp q2, q3, [x1, #32]
	stp q4, q5, [x1, #64]
	stp q6, q7, [x1, #96]
	stp q8, q9, [x1, #128]
	stp q10, q11, [x1, #160]
	stp q12, q13, [x1, #192]
	stp q14, q15, [x1, #224]
	stp q16, q17, [x1, #256]
	stp q18, q19, [x1, #288]
	stp q20, q21, [x1, #320]
	stp q22, q23, [x1, #352]
	stp q24, q25, [x1, #384]
	stp q26, q27, [x1, #416]
	stp q28, q29, [x1, #448]
	stp q30, q31, [x1, #480]
	adrp x9, dta_host
	add x9, x9, :lo12:dta_host
	ldr x10, [x9, #H_TPIDR]
	msr tpidr_el0, x10
	ldr x10, [x9, #H_FPCR]
	msr fpcr, x10
	ldr x10, [x9, #H_SP]
	mov sp, x10
	ldp x19, x20, [x9, #0]
	ldp x21, x22, [x9, #16]
	ldp x23, x24, [x9, #32]
	ldp x25, x26, [x9, #48]
	ldp x27, x28, [x9, #64]
	ldp x29, x30, [x9, #80]
	ldp d8, d9, [x9, #H_D8]
	ldp d10, d11, [x9, #H_D8 + 16]
	ldp d12, d13, [x9, #H_D8 + 32]
	ldp d14, d15, [x9, #H_D8 + 48]
	ret

	.section .note.GNU-stack, "", %progbits
