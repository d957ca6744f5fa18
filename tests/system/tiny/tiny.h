/* tiny.h — what the tiny kernels (tests/system/tiny/*.S) share: emu-pc's
 * addresses (docs/system.md), the trap frame lib.S builds, and macros. Each
 * program defines `main` (called on the boot stack, the IDT loaded) and
 * `trap` (called with the frame in %rdi); lib.S powers off when main returns. */
#ifndef TINY_H
#define TINY_H

#define LOAD_ADDR 0x1000000 /* pref_address: the loader puts the image here */

#define COM1 0x3f8
#define PM1A_CNT 0x604
#define SLP_TYP_S5 (5 << 10) /* the DSDT's _S5 */
#define SLP_EN (1 << 13)
#define RESET_REG 0xcf9
#define KBD_CMD 0x64
#define LAPIC 0xfee00000
#define IOAPIC 0xfec00000

/* boot_params (zero page) */
#define BP_CMD_LINE_PTR 0x228

/* The frame lib.S's trap stubs build: 15 saved registers (r15 lowest), the
 * vector, the error code (0 when the vector has none), then what the CPU
 * pushed. trap may change F_RIP (and the rest) before lib.S's iretq. */
#define F_RAX 112
#define F_VEC 120
#define F_ERR 128
#define F_RIP 136
#define F_CS 144
#define F_RFLAGS 152
#define F_RSP 160
#define F_SS 168

/* Vectors whose exceptions push an error code (SDM table 6-1). */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

/* PRINT("text"): the string on COM1 (clobbers the caller-saved registers). */
#define PRINT(s) \
  .pushsection .rodata; 9: .asciz s; .popsection; \
  lea 9b(%rip), %rdi; call puts

/* STEP(at, resume): the next trap's saved RIP is printed relative to `at`, and
 * trap_next resumes at `resume`. */
#define STEP(at, resume) \
  lea at(%rip), %rax; mov %rax, step_at(%rip); \
  lea resume(%rip), %rax; mov %rax, step_resume(%rip)

#endif
