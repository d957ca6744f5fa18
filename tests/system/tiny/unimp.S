/* unimp.S — what emu does not implement behaves as the hardware would, and
 * -d unimp logs it: an AVX instruction (CPUID has no AVX, CR4.OSXSAVE is
 * clear: #UD) and reads from an MMIO address and an I/O port no device
 * claims (all ones; writes there are dropped). The program prints the
 * instruction's address so the test can find it in the log. */
#include "tiny.h"

#define NO_DEVICE 0xfed00000     /* where a PC's HPET would be: emu-pc has none */
#define NO_PORT 0x2f8            /* COM2: emu-pc has only COM1 */

  .text
  .globl main, trap
main:
  push %rbx
  PRINT("avx at ")
  lea avx(%rip), %rdi
  call puthex
  PRINT("\n")
  STEP(avx, 1f)
avx:
  vaddps %ymm0, %ymm1, %ymm2
1:
  movabs $NO_DEVICE, %rbx
  PRINT("mmio 32-bit: ")
  mov (%rbx), %edi
  call puthex
  PRINT("\nmmio 64-bit: ")
  mov (%rbx), %rdi
  call puthex
  PRINT("\nmmio after a write: ")
  movl $0x12345678, (%rbx)
  mov (%rbx), %edi
  call puthex
  PRINT("\nport 8-bit: ")
  mov $NO_PORT, %dx
  in %dx, %al
  movzbl %al, %edi
  call puthex
  PRINT("\nport 16-bit: ")
  mov $NO_PORT, %dx
  in %dx, %ax
  movzwl %ax, %edi
  call puthex
  PRINT("\n")
  pop %rbx
  ret

trap:
  push %rbx
  mov %rdi, %rbx
  call trap_print
  mov %rbx, %rdi
  call trap_next
  pop %rbx
  ret
