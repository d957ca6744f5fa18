/* lib.S — the runtime every tiny kernel links: the 64-bit entry at offset 0x200
 * (zeroes .bss, takes its own stack, keeps boot_params, loads an IDT whose 256
 * stubs all reach the program's `trap`, calls `main`, powers off), COM1 output
 * and input, and helpers for printing traps. Functions follow the SysV ABI
 * (arguments in rdi, rsi; rbx, rbp, r12-r15 kept). */
#include "tiny.h"

  .section .head, "ax"
  .code64
  /* Offset 0 is the 32-bit entry a loader without 64-bit support would use:
   * these kernels have none. */
  .fill 0x200, 1, 0xf4
  .globl startup_64
startup_64:
  cld
  mov %rsi, %r12                 /* boot_params, kept past the .bss clearing */
  lea __bss_start(%rip), %rdi
  lea __bss_end(%rip), %rcx
  sub %rdi, %rcx
  xor %eax, %eax
  rep stosb
  lea stack_top(%rip), %rsp
  mov %r12, boot_params(%rip)
  call serial_init
  call idt_install
  call main
  call poweroff

  .text
/* -- Power -------------------------------------------------------------------- */

/* ACPI S5: SLP_TYP=5 | SLP_EN to PM1a_CNT ends emu with status 0. */
  .globl poweroff
poweroff:
  mov $PM1A_CNT, %dx
  mov $(SLP_TYP_S5 | SLP_EN), %ax
  out %ax, %dx
  cli
1:hlt
  jmp 1b

/* -- COM1 --------------------------------------------------------------------- */

serial_init:
  mov $COM1 + 1, %dx             /* IER: no interrupts */
  xor %al, %al
  out %al, %dx
  mov $COM1 + 3, %dx             /* LCR: DLAB, divisor 1 (115200 baud) */
  mov $0x80, %al
  out %al, %dx
  mov $COM1, %dx
  mov $1, %al
  out %al, %dx
  mov $COM1 + 1, %dx
  xor %al, %al
  out %al, %dx
  mov $COM1 + 3, %dx             /* LCR: 8N1 */
  mov $0x03, %al
  out %al, %dx
  ret

/* putc(dil): wait for LSR.THRE, then write THR. */
  .globl putc
putc:
  mov $COM1 + 5, %dx
1:in %dx, %al
  test $0x20, %al
  jz 1b
  mov %edi, %eax
  mov $COM1, %dx
  out %al, %dx
  ret

/* getc() -> al: wait for LSR.DR, then read RBR. */
  .globl getc
getc:
  mov $COM1 + 5, %dx
1:in %dx, %al
  test $0x01, %al
  jz 1b
  mov $COM1, %dx
  in %dx, %al
  movzbl %al, %eax
  ret

/* puts(rdi): a NUL-terminated string. */
  .globl puts
puts:
  push %rbx
  mov %rdi, %rbx
1:movzbl (%rbx), %edi
  test %edi, %edi
  jz 2f
  call putc
  inc %rbx
  jmp 1b
2:pop %rbx
  ret

/* puthex(rdi): "0x" and the digits without leading zeros. */
  .globl puthex
puthex:
  push %rbx
  push %r12
  mov %rdi, %rbx
  mov $'0', %edi
  call putc
  mov $'x', %edi
  call putc
  mov $60, %r12d                 /* the first nibble worth printing */
1:test %r12d, %r12d
  jz 2f
  mov %rbx, %rax
  mov %r12d, %ecx
  shr %cl, %rax
  test $0xf, %al
  jnz 2f
  sub $4, %r12d
  jmp 1b
2:mov %rbx, %rax
  mov %r12d, %ecx
  shr %cl, %rax
  and $0xf, %eax
  lea hexdigits(%rip), %rdi
  movzbl (%rdi, %rax), %edi
  call putc
  sub $4, %r12d
  jns 2b
  pop %r12
  pop %rbx
  ret

/* putdec(rdi): unsigned decimal. */
  .globl putdec
putdec:
  push %rbx
  sub $32, %rsp
  mov %rdi, %rax
  lea 31(%rsp), %rbx
  movb $0, (%rbx)
  mov $10, %ecx
1:xor %edx, %edx
  div %rcx
  add $'0', %dl
  dec %rbx
  mov %dl, (%rbx)
  test %rax, %rax
  jnz 1b
  mov %rbx, %rdi
  call puts
  add $32, %rsp
  pop %rbx
  ret

/* cmdline() -> rax: the kernel command line (boot_params.cmd_line_ptr). */
  .globl cmdline
cmdline:
  mov boot_params(%rip), %rax
  mov BP_CMD_LINE_PTR(%rax), %eax
  ret

/* streq(rdi, rsi) -> eax: 1 if the two strings are equal. */
  .globl streq
streq:
  movzbl (%rdi), %eax
  cmpb (%rsi), %al
  jne 1f
  test %al, %al
  jz 2f
  inc %rdi
  inc %rsi
  jmp streq
1:xor %eax, %eax
  ret
2:mov $1, %eax
  ret

/* -- The IDT ------------------------------------------------------------------ */

/* One 16-byte stub per vector: a 0 where the CPU pushes no error code, the
 * vector, then trap_common. */
  .balign 16
stubs:
  vector = 0
  .rept 256
  .balign 16
  .if !HAS_ERR(vector)
  pushq $0
  .endif
  pushq $vector
  jmp trap_common
  vector = vector + 1
  .endr

/* Every vector: a 64-bit interrupt gate (type 0xe, DPL 0, present) to its
 * stub through the boot code segment. */
  .globl idt_install
idt_install:
  lea idt(%rip), %rdi
  lea stubs(%rip), %rsi
  mov %cs, %r8d
  xor %ecx, %ecx
1:mov %rsi, %rax
  movw %ax, (%rdi)               /* offset 15:0 */
  movw %r8w, 2(%rdi)             /* selector */
  movw $0x8e00, 4(%rdi)          /* IST 0, type 0xe, DPL 0, P */
  shr $16, %rax
  movw %ax, 6(%rdi)              /* offset 31:16 */
  shr $16, %rax
  movl %eax, 8(%rdi)             /* offset 63:32 */
  movl $0, 12(%rdi)
  add $16, %rdi
  add $16, %rsi
  inc %ecx
  cmp $256, %ecx
  jb 1b
  lidt idtr(%rip)
  ret

/* The frame of tiny.h, trap(frame), and back where F_RIP says. */
trap_common:
  push %rax
  push %rbx
  push %rcx
  push %rdx
  push %rsi
  push %rdi
  push %rbp
  push %r8
  push %r9
  push %r10
  push %r11
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, %rdi
  call trap
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %r11
  pop %r10
  pop %r9
  pop %r8
  pop %rbp
  pop %rdi
  pop %rsi
  pop %rdx
  pop %rcx
  pop %rbx
  pop %rax
  add $16, %rsp                  /* vector, error code */
  iretq

/* trap_print(frame): "vec=V[ err=E] rip=at+D[ cr2=A]\n": the error code only
 * for vectors that push one, CR2 for #PF, the saved RIP relative to STEP's
 * `at`. */
  .globl trap_print
trap_print:
  push %rbx
  mov %rdi, %rbx
  PRINT("vec=")
  mov F_VEC(%rbx), %rdi
  call putdec
  mov F_VEC(%rbx), %rax
  cmp $32, %rax
  jae 2f
  lea has_err(%rip), %rcx
  cmpb $0, (%rcx, %rax)
  je 2f
  PRINT(" err=")
  mov F_ERR(%rbx), %rdi
  call puthex
2:PRINT(" rip=at+")
  mov F_RIP(%rbx), %rdi
  sub step_at(%rip), %rdi
  call puthex
  cmpq $14, F_VEC(%rbx)
  jne 3f
  PRINT(" cr2=")
  mov %cr2, %rdi
  call puthex
3:PRINT("\n")
  pop %rbx
  ret

/* trap_next(frame): resume at STEP's `resume`. */
  .globl trap_next
trap_next:
  mov step_resume(%rip), %rax
  mov %rax, F_RIP(%rdi)
  ret

  .section .rodata
hexdigits:
  .ascii "0123456789abcdef"
has_err:                         /* per exception vector: pushes an error code */
  vector = 0
  .rept 32
  .byte HAS_ERR(vector) != 0
  vector = vector + 1
  .endr
  .balign 8
idtr:
  .word 256 * 16 - 1
  .quad idt

  .bss
  .balign 4096
  .globl idt
idt:
  .skip 256 * 16
  .globl boot_params, step_at, step_resume
boot_params:
  .skip 8
step_at:
  .skip 8
step_resume:
  .skip 8
  .balign 16
  .skip 16384
stack_top:
