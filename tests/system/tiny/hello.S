/* hello.S — a line and the kernel command line on COM1, then ACPI power-off
 * (lib.S's poweroff when main returns): emu exits 0 with exactly that output. */
#include "tiny.h"

  .text
  .globl main, trap
main:
  PRINT("hello from a tiny kernel\n")
  PRINT("cmdline: ")
  call cmdline
  mov %rax, %rdi
  call puts
  PRINT("\n")
  ret

trap:                            /* no trap is expected: say which one came */
  push %rbx
  mov %rdi, %rbx
  PRINT("unexpected ")
  mov %rbx, %rdi
  call trap_print
  call poweroff
