/* user.S — CPL3 and back: a GDT with Linux's selectors and a TSS, page tables
 * with user pages (and one supervisor-only 2 MiB page), iretq to CPL3, syscall
 * to the kernel (STAR/LSTAR/FMASK) and sysretq back, int 0x80 through a DPL 0
 * gate and hlt at CPL3 (#GP each, resumed at CPL3 by the handler's iretq), and
 * a #PF from CPL3 whose error code has U and whose frame is on TSS.RSP0's
 * stack. The kernel side prints what it sees; user code cannot touch COM1
 * (IOPL 0). */
#include "tiny.h"

#define KERNEL_CS 0x10
#define KERNEL_DS 0x18
#define USER32_CS 0x23           /* STAR[63:48]: sysret's CS is +16, SS +8 */
#define USER_DS 0x2b
#define USER_CS 0x33
#define TSS_SEL 0x38
#define SUPER_PAGE 0x2000000     /* 2 MiB without U */
#define PT_P 1
#define PT_RW 2
#define PT_U 4
#define PT_PS 0x80
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE 1
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define SUPER_PDE ((SUPER_PAGE >> 21) * 8)

  .text
  .globl main, trap
main:
  push %rbx
  /* Page tables: the first GiB identity-mapped with 2 MiB user pages, but
   * SUPER_PAGE supervisor-only. COM1 and these tables are all it needs. */
  lea pd(%rip), %rdi
  mov $PT_P | PT_RW | PT_U | PT_PS, %rax
  xor %ecx, %ecx
1:mov %rax, (%rdi, %rcx, 8)
  add $0x200000, %rax
  inc %ecx
  cmp $512, %ecx
  jb 1b
  andq $~PT_U, pd + SUPER_PDE(%rip)
  lea pd(%rip), %rax
  or $PT_P | PT_RW | PT_U, %rax
  mov %rax, pdpt(%rip)
  lea pdpt(%rip), %rax
  or $PT_P | PT_RW | PT_U, %rax
  mov %rax, pml4(%rip)
  lea pml4(%rip), %rax
  mov %rax, %cr3

  /* GDT: the TSS descriptor (16 bytes, type 9: available 64-bit TSS). */
  lea tss(%rip), %rax
  lea gdt + TSS_SEL(%rip), %rdi
  movw $tss_end - tss - 1, (%rdi) /* limit 15:0 */
  mov %ax, 2(%rdi)               /* base 15:0 */
  shr $16, %rax
  mov %al, 4(%rdi)               /* base 23:16 */
  movb $0x89, 5(%rdi)            /* P, DPL 0, type 9 */
  movb $0, 6(%rdi)
  mov %ah, 7(%rdi)               /* base 31:24 */
  shr $16, %rax
  mov %eax, 8(%rdi)              /* base 63:32 */
  movl $0, 12(%rdi)
  lgdt gdtr(%rip)
  mov $KERNEL_DS, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  pushq $KERNEL_CS
  lea 1f(%rip), %rax
  push %rax
  lretq
1:lea rsp0_top(%rip), %rax
  mov %rax, tss + 4(%rip)        /* TSS.RSP0 */
  mov $TSS_SEL, %ax
  ltr %ax

  /* syscall/sysret: EFER.SCE, the selectors, the entry, and IF|DF masked. */
  mov $MSR_EFER, %ecx
  rdmsr
  or $EFER_SCE, %eax
  wrmsr
  mov $MSR_STAR, %ecx
  xor %eax, %eax
  mov $(USER32_CS << 16) | KERNEL_CS, %edx
  wrmsr
  mov $MSR_LSTAR, %ecx
  lea syscall_entry(%rip), %rax
  mov %rax, %rdx
  shr $32, %rdx
  wrmsr
  mov $MSR_FMASK, %ecx
  mov $RFLAGS_IF | RFLAGS_DF, %eax
  xor %edx, %edx
  wrmsr

  PRINT("kernel: to CPL3\n")
  pushq $USER_DS                 /* SS */
  lea user_stack_top(%rip), %rax
  push %rax                      /* RSP */
  pushq $RFLAGS_IF | 2           /* RFLAGS */
  pushq $USER_CS                 /* CS */
  lea user(%rip), %rax
  push %rax                      /* RIP */
  iretq                          /* the #PF handler powers off: no return */

/* -- CPL3 ------------------------------------------------------------------- */

user:
  STEP(1f, 1f)                   /* the kernel prints RCX relative to step_at */
  mov %cs, %edi
  mov %ss, %esi
  mov $1, %eax                   /* syscall 1: show the user selectors */
  std                            /* FMASK clears DF in the kernel; sysret restores it */
  syscall
1:cld
  pushf
  pop %rdi                       /* the flags sysret restored */
  mov $2, %eax                   /* syscall 2: show them */
  syscall
  STEP(user_int, 1f)
user_int:
  int $0x80                      /* the gate's DPL 0 < CPL 3: #GP(0x80 * 8 + IDT) */
1:STEP(user_hlt, 1f)
user_hlt:
  hlt                            /* CPL0 only: #GP(0) */
1:STEP(2f, 2f)
  mov %cs, %edi
  mov %ss, %esi
  mov $1, %eax                   /* still at CPL3 after the #GP handler's iretq */
  syscall
2:
  STEP(user_pf, 1f)
user_pf:
  mov SUPER_PAGE, %rax           /* supervisor page: #PF, P | U */
1:hlt

/* -- Kernel side ---------------------------------------------------------- */

/* syscall: CS/SS from STAR, RCX = the next RIP, R11 = RFLAGS, RFLAGS &= ~FMASK;
 * still on the user stack. */
syscall_entry:
  pushf                          /* the kernel's RFLAGS, before any arithmetic */
  push %rcx
  push %r11
  push %rbx
  push %r12
  mov %rdi, %rbx
  mov %rsi, %r12
  cmp $2, %eax
  je 2f
  PRINT("syscall: cs=")
  mov %cs, %edi
  call puthex
  PRINT(" ss=")
  mov %ss, %edi
  call puthex
  PRINT(" rflags=")
  mov 32(%rsp), %rdi
  call puthex
  PRINT(" r11=")
  mov 16(%rsp), %rdi
  call puthex
  PRINT(" user cs=")
  mov %rbx, %rdi
  call puthex
  PRINT(" ss=")
  mov %r12, %rdi
  call puthex
  PRINT("\nsyscall: rcx=at+")
  mov 24(%rsp), %rdi
  sub step_at(%rip), %rdi
  call puthex
  PRINT("\n")
  jmp 3f
2:PRINT("syscall: user rflags after sysret=")
  mov %rbx, %rdi
  call puthex
  PRINT("\n")
3:pop %r12
  pop %rbx
  pop %r11
  pop %rcx
  add $8, %rsp
  sysretq

/* #GP (int 0x80, hlt): print, resume after it (at CPL3). #PF: print the frame and the
 * stack it is on, then power off. Anything else: say so and power off. */
trap:
  push %rbx
  mov %rdi, %rbx
  call trap_print
  PRINT("  cs=")
  mov F_CS(%rbx), %rdi
  call puthex
  PRINT(" ss=")
  mov F_SS(%rbx), %rdi
  call puthex
  PRINT(" rsp=user_stack_top-")
  lea user_stack_top(%rip), %rdi
  sub F_RSP(%rbx), %rdi
  call puthex
  PRINT(" frame=rsp0_top-")     /* 0x30 when the CPU pushed it from TSS.RSP0 */
  lea rsp0_top(%rip), %rdi
  lea F_ERR(%rbx), %rax
  sub %rax, %rdi
  call puthex
  PRINT("\n")
  cmpq $13, F_VEC(%rbx)
  jne 1f
  mov %rbx, %rdi
  call trap_next
  pop %rbx
  ret
1:call poweroff

  .data                          /* ltr marks the TSS descriptor busy */
  .balign 16
gdt:
  .quad 0
  .quad 0
  .quad 0x00af9b000000ffff       /* 0x10 kernel code, 64-bit */
  .quad 0x00cf93000000ffff       /* 0x18 kernel data */
  .quad 0x00cffb000000ffff       /* 0x20 user code, 32-bit (DPL 3) */
  .quad 0x00cff3000000ffff       /* 0x28 user data (DPL 3) */
  .quad 0x00affb000000ffff       /* 0x30 user code, 64-bit (DPL 3) */
gdt_tss:
  .quad 0, 0                     /* 0x38 TSS: filled in by main */
gdt_end:
gdtr:
  .word gdt_end - gdt - 1
  .quad gdt

  .bss
  .balign 4096
pml4:
  .skip 4096
pdpt:
  .skip 4096
pd:
  .skip 4096
  .balign 16
tss:
  .skip 104
tss_end:
  .balign 16
  .skip 4096
rsp0_top:
  .skip 4096
user_stack_top:
