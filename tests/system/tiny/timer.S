/* timer.S — interrupts that wake hlt. Default: the LAPIC timer, periodic at
 * 1 ms, then the i8254 PIT (IRQ 0) through IOAPIC pin 2 at 100 Hz, each
 * counted to N in its handler (which masks its source at N, so the count is
 * exact) while main sleeps in `sti; hlt`; the TSC (ns) shows N periods passed.
 * With the command line "idle": one TSC-deadline interrupt 2 s ahead and
 * nothing else, so the test can see what an idle guest costs the host. */
#include "tiny.h"

#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1 << 16)
#define LVT_PERIODIC (1 << 17)
#define LVT_TSC_DEADLINE (2 << 17)
#define DIV_1 0xb
#define IOAPIC_WIN 0x10
#define IOREDTBL(pin) (0x10 + 2 * (pin))
#define MSR_TSC_DEADLINE 0x6e0
#define PIT_HZ 1193182
#define VEC_LAPIC 0x40
#define VEC_PIT 0x41
#define LAPIC_TICKS 10
#define LAPIC_PERIOD 1000000     /* ns: the timer counts the 1 GHz crystal, divided by 1 */
#define PIT_TICKS 5
#define PIT_RELOAD 11932         /* 10 ms */
#define PIT_PERIOD 10000000
#define IDLE_NS 2000000000

  .text
  .globl main, trap
main:
  push %rbx
  push %r12
  movabs $LAPIC, %rbx
  movl $0x1ff, LAPIC_SVR(%rbx)   /* software-enabled, spurious vector 0xff */
  /* Mask the i8259 pair, as an OS that uses the IOAPIC does: IRQ 0 reaches
   * it too, and LINT0 is ExtINT as a BIOS leaves it (the PIC was never
   * initialised: its vectors would be 0-7). */
  mov $0xff, %al
  out %al, $0x21
  out %al, $0xa1
  call cmdline
  mov %rax, %rdi
  lea s_idle(%rip), %rsi
  call streq
  test %eax, %eax
  jnz idle

  /* LAPIC timer, periodic. */
  rdtsc
  shl $32, %rdx
  or %rax, %rdx
  mov %rdx, %r12
  movl $DIV_1, LAPIC_TIMER_DIV(%rbx)
  movl $VEC_LAPIC | LVT_PERIODIC, LAPIC_LVT_TIMER(%rbx)
  movl $LAPIC_PERIOD, LAPIC_TIMER_INIT(%rbx)
  lea lapic_ticks(%rip), %rdi
  mov $LAPIC_TICKS, %esi
  call sleep_until
  PRINT("lapic timer: ")
  mov lapic_ticks(%rip), %edi
  call putdec
  PRINT(" interrupts")
  mov $LAPIC_TICKS * LAPIC_PERIOD, %esi
  mov %r12, %rdi
  call print_elapsed

  /* PIT channel 0, mode 2 (rate generator), to IOAPIC pin 2 (the MADT's
   * override of IRQ 0): fixed delivery, edge, to APIC 0. */
  rdtsc
  shl $32, %rdx
  or %rax, %rdx
  mov %rdx, %r12
  mov $0x34, %al                 /* channel 0, lobyte/hibyte, mode 2, binary */
  out %al, $0x43
  mov $PIT_RELOAD & 0xff, %al
  out %al, $0x40
  mov $PIT_RELOAD >> 8, %al
  out %al, $0x40
  /* Unmasked only now: the control word set OUT high (mode 2's initial
   * state), an edge that may or may not be one depending on the state left
   * before it; a masked pin ignores edges (82093AA datasheet). */
  movabs $IOAPIC, %rcx
  movl $IOREDTBL(2) + 1, (%rcx)
  movl $0, IOAPIC_WIN(%rcx)
  movl $IOREDTBL(2), (%rcx)
  movl $VEC_PIT, IOAPIC_WIN(%rcx)
  lea pit_ticks(%rip), %rdi
  mov $PIT_TICKS, %esi
  call sleep_until
  PRINT("pit: ")
  mov pit_ticks(%rip), %edi
  call putdec
  PRINT(" interrupts")
  mov $PIT_TICKS * PIT_PERIOD, %esi
  mov %r12, %rdi
  call print_elapsed
  pop %r12
  pop %rbx
  ret

/* One TSC-deadline interrupt IDLE_NS ahead (the TSC counts ns). */
idle:
  movl $VEC_LAPIC | LVT_TSC_DEADLINE, LAPIC_LVT_TIMER(%rbx)
  rdtsc
  shl $32, %rdx
  or %rax, %rdx
  mov %rdx, %r12
  mov $IDLE_NS, %eax
  add %r12, %rax
  mov %rax, %rdx
  shr $32, %rdx
  mov $MSR_TSC_DEADLINE, %ecx
  wrmsr
  lea lapic_ticks(%rip), %rdi
  mov $1, %esi
  call sleep_until
  PRINT("idle: woke")
  mov $IDLE_NS, %esi
  mov %r12, %rdi
  call print_elapsed
  pop %r12
  pop %rbx
  ret

/* sleep_until(rdi = counter, esi = n): set the handler's limit, then sleep
 * until the counter reaches it. IF is set only around hlt (sti's shadow
 * covers hlt, so no interrupt is lost between the check and the sleep). */
sleep_until:
  mov %esi, limit(%rip)
1:sti
  hlt
  cli
  cmp (%rdi), %esi
  ja 1b
  ret

/* print_elapsed(rdi = TSC before, esi = ns): " after >= ns ns\n" when at
 * least that much guest time passed (no timer fired early). */
print_elapsed:
  push %rbx
  mov %rsi, %rbx
  rdtsc
  shl $32, %rdx
  or %rdx, %rax
  sub %rdi, %rax
  cmp %rbx, %rax
  jb 1f
  PRINT(" after >= ")
  jmp 2f
1:PRINT(" after < ")
2:mov %rbx, %rdi
  call putdec
  PRINT(" ns\n")
  pop %rbx
  ret

/* The LAPIC timer's or the PIT's interrupt: count it; at the limit mask the
 * source. Then EOI. Anything else: print it and power off. */
trap:
  push %rbx
  mov %rdi, %rbx
  movabs $LAPIC, %rcx
  mov F_VEC(%rbx), %rax
  cmp $VEC_LAPIC, %rax
  je 1f
  cmp $VEC_PIT, %rax
  je 2f
  PRINT("unexpected ")
  mov %rbx, %rdi
  call trap_print
  call poweroff
1:lea lapic_ticks(%rip), %rdx
  incl (%rdx)
  mov (%rdx), %eax
  cmp limit(%rip), %eax
  jb 3f
  orl $LVT_MASKED, LAPIC_LVT_TIMER(%rcx)
  jmp 3f
2:lea pit_ticks(%rip), %rdx
  incl (%rdx)
  mov (%rdx), %eax
  cmp limit(%rip), %eax
  jb 3f
  movabs $IOAPIC, %rdx
  movl $IOREDTBL(2), (%rdx)
  orl $LVT_MASKED, IOAPIC_WIN(%rdx) /* the redirection entry's mask is bit 16 too */
3:movl $0, LAPIC_EOI(%rcx)
  pop %rbx
  ret

  .section .rodata
s_idle: .asciz "idle"

  .bss
  .balign 8
lapic_ticks: .skip 4
pit_ticks: .skip 4
limit: .skip 4
