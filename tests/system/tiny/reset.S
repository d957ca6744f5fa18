/* reset.S — the three ways emu-pc resets, chosen by the command line: triple
 * (an IDT with limit 0, then ud2: #UD, #GP and #DF cannot be delivered),
 * kbd (i8042 command 0xfe) or cf9 (6 to the reset control register). Each boot
 * prints a banner and waits for a byte on COM1: 'r' resets, 'q' powers off.
 * A reset rebuilds the machine (RAM, CMOS and all), so the test's input is
 * what tells the second boot from the first. */
#include "tiny.h"

  .text
  .globl main, trap
main:
  push %rbx
  PRINT("reset: boot\n")
1:call getc
  cmp $'q', %al
  je 2f
  cmp $'r', %al
  jne 1b
  call cmdline
  mov %rax, %rbx
  mov %rbx, %rdi
  lea s_triple(%rip), %rsi
  call streq
  test %eax, %eax
  jnz triple
  mov %rbx, %rdi
  lea s_kbd(%rip), %rsi
  call streq
  test %eax, %eax
  jnz kbd
  mov %rbx, %rdi
  lea s_cf9(%rip), %rsi
  call streq
  test %eax, %eax
  jnz cf9
  PRINT("reset: unknown method (triple, kbd or cf9)\n")
2:pop %rbx
  ret

triple:
  lidt idtr_empty(%rip)
  ud2

kbd:
  in $KBD_CMD, %al               /* the controller takes a command once its input buffer is empty */
  test $2, %al
  jnz kbd
  mov $0xfe, %al                 /* pulse the reset line */
  out %al, $KBD_CMD
  jmp stop

cf9:
  mov $RESET_REG, %dx
  mov $6, %al                    /* SYS_RST | RST_CPU: a hard reset */
  out %al, %dx
stop:
  cli
  hlt
  jmp stop

trap:                            /* only "triple" raises, and it has no IDT */
  call trap_print
  call poweroff

  .section .rodata
s_triple: .asciz "triple"
s_kbd: .asciz "kbd"
s_cf9: .asciz "cf9"
idtr_empty:
  .word 0
  .quad 0
