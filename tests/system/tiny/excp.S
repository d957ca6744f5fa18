/* excp.S — exceptions and software interrupts through the IDT lib.S loads.
 * Each STEP triggers one; the handler prints the vector, the error code (for
 * the vectors that push one), the saved RIP relative to the instruction and,
 * for #PF, CR2, then resumes after it. Faults save the faulting instruction's
 * RIP (at+0), traps the next one (int3 at+1, int 0x80 at+2). The page faults
 * cover the loader's identity map ending at 4 GiB, a PTE cleared under invlpg,
 * CR0.WP, a reserved bit, instruction fetches with and without EFER.NXE, and
 * the A and D bits the walk sets; then a gate that is not present (#NP) and a
 * #PF that cannot be delivered (#DF). */
#include "tiny.h"

#define PAGE_RO 0x1401000        /* a page of the 2 MiB region re-mapped with 4 KiB PTEs */
#define REGION 0x1400000
#define PTE_P 1
#define PTE_RW 2
#define PTE_FLAGS 0xfff
#define ADDR_MASK 0x000ffffffffff000
#define CR0_WP (1 << 16)
#define MSR_EFER 0xc0000080
#define EFER_NXE (1 << 11)
#define IDT_P 0x80               /* in a gate's type byte (offset 5) */

  .text
  .globl main, trap
main:
  push %rbx
  push %r12

  STEP(ud, 1f)
ud: ud2
1:
  STEP(de, 1f)
  mov $1, %eax
  xor %edx, %edx
  xor %ecx, %ecx
de: div %ecx
1:
  STEP(bp, 1f)
bp: int3
1:
  STEP(sw, 1f)
sw: int $0x80
1:
  STEP(gp, 1f)
  movabs $0x8000000000000000, %rax /* not canonical */
gp: mov (%rax), %rbx
1:
  /* Above the loader's 0-4 GiB identity map: no PDPT entry. */
  STEP(pf_read, 1f)
  movabs $0x100000000, %rax
pf_read:
  mov (%rax), %rbx
1:
  STEP(pf_write, 1f)
  movabs $0x100000008, %rax
pf_write:
  movq $1, (%rax)
1:
  /* The 2 MiB page at REGION becomes a table of 4 KiB pages (pt). */
  mov %cr3, %rax
  mov $ADDR_MASK, %rcx
  and %rcx, %rax
  mov (%rax), %rax               /* PML4[0] -> PDPT */
  and %rcx, %rax
  mov (%rax), %rax               /* PDPT[0] -> the first GiB's PD */
  and %rcx, %rax
  lea (REGION >> 21) * 8(%rax), %r12 /* the PDE */
  lea pt(%rip), %rdi
  mov $REGION | PTE_P | PTE_RW, %rax
  xor %ecx, %ecx
2:mov %rax, (%rdi, %rcx, 8)
  add $4096, %rax
  inc %ecx
  cmp $512, %ecx
  jb 2b
  lea pt(%rip), %rax
  or $PTE_P | PTE_RW, %rax
  mov %rax, (%r12)
  mov %cr3, %rax
  mov %rax, %cr3

  /* The walk sets A on a read, D on a write. */
  mov PAGE_RO, %rax
  PRINT("pte after a read: ")
  call print_pte
  movq $0x1234, PAGE_RO
  PRINT("pte after a write: ")
  call print_pte

  /* Not present, and invlpg drops the TLB's entry. */
  movq $0, pt + 8(%rip)
  invlpg PAGE_RO
  STEP(pf_cleared, 1f)
pf_cleared:
  mov PAGE_RO, %rax
1:
  /* Read-only: supervisor writes go through while CR0.WP is clear (the
   * loader's CR0), and fault once it is set. */
  movq $PAGE_RO | PTE_P, pt + 8(%rip)
  invlpg PAGE_RO
  movq $0x5678, PAGE_RO + 8
  PRINT("write with CR0.WP clear: ")
  mov PAGE_RO + 8, %rdi
  call puthex
  PRINT("\n")
  mov %cr0, %rax
  or $CR0_WP, %rax
  mov %rax, %cr0
  STEP(pf_wp, 1f)
pf_wp:
  movq $1, PAGE_RO + 8
1:
  /* Bit 63 is reserved while EFER.NXE is clear: P | RSVD. */
  mov $PAGE_RO | PTE_P, %rax
  bts $63, %rax
  mov %rax, pt + 8(%rip)
  invlpg PAGE_RO
  STEP(pf_rsvd, 1f)
pf_rsvd:
  mov PAGE_RO + 16, %rax
1:
  /* A fetch from an unmapped page: I/D is only reported with EFER.NXE. */
  movabs $0x100000000, %rax
  mov %rax, step_at(%rip)
  lea 1f(%rip), %rcx
  mov %rcx, step_resume(%rip)
  jmp *%rax
1:
  mov $MSR_EFER, %ecx
  rdmsr
  or $EFER_NXE, %eax
  wrmsr
  movabs $0x100000000, %rax
  mov %rax, step_at(%rip)
  lea 1f(%rip), %rcx
  mov %rcx, step_resume(%rip)
  jmp *%rax
1:
  /* Now bit 63 is XD: a fetch from the present page faults with P | I. */
  mov $PAGE_RO, %rax
  mov %rax, step_at(%rip)
  lea 1f(%rip), %rcx
  mov %rcx, step_resume(%rip)
  jmp *%rax
1:
  /* A gate that is not present: #NP, error code = vector * 8 + IDT (2). */
  andb $~IDT_P, idt + 0x81 * 16 + 5(%rip)
  STEP(np, 1f)
np: int $0x81
1:
  /* #PF whose gate is not present: the #NP that follows is contributory,
   * so the CPU delivers #DF (error code 0; its saved RIP is undefined). */
  andb $~IDT_P, idt + 14 * 16 + 5(%rip)
  STEP(df, 1f)
  movabs $0x100000000, %rax
df: mov (%rax), %rbx
1:
  orb $IDT_P, idt + 14 * 16 + 5(%rip)
  PRINT("done\n")
  pop %r12
  pop %rbx
  ret

/* The low 12 bits of PAGE_RO's PTE. */
print_pte:
  mov pt + 8(%rip), %rdi
  and $PTE_FLAGS, %rdi
  call puthex
  PRINT("\n")
  ret

trap:
  push %rbx
  mov %rdi, %rbx
  cmpq $8, F_VEC(%rbx)
  je 1f
  call trap_print
  jmp 2f
1:PRINT("vec=8 err=")            /* an abort: no RIP to check */
  mov F_ERR(%rbx), %rdi
  call puthex
  PRINT("\n")
2:mov %rbx, %rdi
  call trap_next
  pop %rbx
  ret

  .bss
  .balign 4096
pt:
  .skip 4096
