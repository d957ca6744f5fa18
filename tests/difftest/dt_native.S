/* dt_native.S — the native trampoline: save the host's callee-saved registers and
 * rsp, load the full guest state (fxrstor: x87, XMM, MXCSR; popfq: flags; then all
 * 16 GPRs, rsp last), jump to the case's code; at its end store everything back
 * and return to C with the host's registers, x87/SSE state and flags restored.
 * Guest code may leave rsp anywhere, so the capture stub touches memory only
 * rip-relatively before it switches to a private stack. */
#include "dt_native.h"

        .text
        .globl dt_native_enter
        .type dt_native_enter, @function
dt_native_enter:
        lea dt_nio(%rip), %rax
        mov %rsp, DT_IO_HOST_RSP(%rax)
        mov %rbx, DT_IO_HOST_REGS+0(%rax)
        mov %rbp, DT_IO_HOST_REGS+8(%rax)
        mov %r12, DT_IO_HOST_REGS+16(%rax)
        mov %r13, DT_IO_HOST_REGS+24(%rax)
        mov %r14, DT_IO_HOST_REGS+32(%rax)
        mov %r15, DT_IO_HOST_REGS+40(%rax)
        fxsave DT_IO_HOST_FX(%rax)
        fxrstor DT_IO_IN_FX(%rax)
        lea DT_IO_STACK_TOP(%rax), %rsp
        pushq DT_IO_IN_RFLAGS(%rax)
        popfq
        movq $1, DT_IO_IN_GUEST(%rax)
        /* mov and lea leave the flags alone from here on. */
        mov DT_IO_IN_GPR+8*1(%rax), %rcx
        mov DT_IO_IN_GPR+8*2(%rax), %rdx
        mov DT_IO_IN_GPR+8*3(%rax), %rbx
        mov DT_IO_IN_GPR+8*4(%rax), %rsp
        mov DT_IO_IN_GPR+8*5(%rax), %rbp
        mov DT_IO_IN_GPR+8*6(%rax), %rsi
        mov DT_IO_IN_GPR+8*7(%rax), %rdi
        mov DT_IO_IN_GPR+8*8(%rax), %r8
        mov DT_IO_IN_GPR+8*9(%rax), %r9
        mov DT_IO_IN_GPR+8*10(%rax), %r10
        mov DT_IO_IN_GPR+8*11(%rax), %r11
        mov DT_IO_IN_GPR+8*12(%rax), %r12
        mov DT_IO_IN_GPR+8*13(%rax), %r13
        mov DT_IO_IN_GPR+8*14(%rax), %r14
        mov DT_IO_IN_GPR+8*15(%rax), %r15
        mov DT_IO_IN_GPR+8*0(%rax), %rax
        jmp *dt_nio+DT_IO_CODE(%rip)
        .size dt_native_enter, .-dt_native_enter

        .globl dt_native_capture
        .type dt_native_capture, @function
dt_native_capture:
        mov %rax, dt_nio+DT_IO_OUT_GPR+8*0(%rip)
        mov %rcx, dt_nio+DT_IO_OUT_GPR+8*1(%rip)
        mov %rdx, dt_nio+DT_IO_OUT_GPR+8*2(%rip)
        mov %rbx, dt_nio+DT_IO_OUT_GPR+8*3(%rip)
        mov %rsp, dt_nio+DT_IO_OUT_GPR+8*4(%rip)
        mov %rbp, dt_nio+DT_IO_OUT_GPR+8*5(%rip)
        mov %rsi, dt_nio+DT_IO_OUT_GPR+8*6(%rip)
        mov %rdi, dt_nio+DT_IO_OUT_GPR+8*7(%rip)
        mov %r8, dt_nio+DT_IO_OUT_GPR+8*8(%rip)
        mov %r9, dt_nio+DT_IO_OUT_GPR+8*9(%rip)
        mov %r10, dt_nio+DT_IO_OUT_GPR+8*10(%rip)
        mov %r11, dt_nio+DT_IO_OUT_GPR+8*11(%rip)
        mov %r12, dt_nio+DT_IO_OUT_GPR+8*12(%rip)
        mov %r13, dt_nio+DT_IO_OUT_GPR+8*13(%rip)
        mov %r14, dt_nio+DT_IO_OUT_GPR+8*14(%rip)
        mov %r15, dt_nio+DT_IO_OUT_GPR+8*15(%rip)
        lea dt_nio(%rip), %rax
        lea DT_IO_STACK_TOP(%rax), %rsp
        pushfq
        popq DT_IO_OUT_RFLAGS(%rax)
        fxsave DT_IO_OUT_FX(%rax)
        xor %edx, %edx
        jmp 1f

        .globl dt_native_resume
dt_native_resume:
        mov $1, %edx
1:      lea dt_nio(%rip), %rax
        movq $0, DT_IO_IN_GUEST(%rax)
        lea DT_IO_STACK_TOP(%rax), %rsp
        pushq $0x202 /* IF and the always-one bit: DF, TF, AC clear for C */
        popfq
        fxrstor DT_IO_HOST_FX(%rax)
        mov DT_IO_HOST_RSP(%rax), %rsp
        mov DT_IO_HOST_REGS+0(%rax), %rbx
        mov DT_IO_HOST_REGS+8(%rax), %rbp
        mov DT_IO_HOST_REGS+16(%rax), %r12
        mov DT_IO_HOST_REGS+24(%rax), %r13
        mov DT_IO_HOST_REGS+32(%rax), %r14
        mov DT_IO_HOST_REGS+40(%rax), %r15
        mov %edx, %eax
        ret
        .size dt_native_capture, .-dt_native_capture

        .section .note.GNU-stack,"",@progbits
