/* test_x86_excp.c — exception and interrupt delivery (system/x86_excp.c) in
 * IA-32e mode, through the engine's interpreter tier: the stack frame (SS,
 * RSP, RFLAGS, CS, RIP, error code) on TSS.RSP0 when the CPL changes, on the
 * current stack aligned to 16 bytes when it does not, on an IST stack;
 * interrupt vs trap gates (IF); int n against the gate's DPL; external
 * interrupts push no error code; #DF when delivering #PF faults; a triple
 * fault resets; NMIs are blocked until iret; sti's interrupt shadow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "x86_vm.h"

/* The frame at rsp (a physical = virtual address below 4 MiB). */
typedef struct Frame {
  uint64_t err, rip, cs, rflags, rsp, ss;
} Frame;

static Frame frame_at(Vm *vm, uint64_t rsp, bool has_err) {
  Frame f = {0};
  uint64_t *slots[] = {&f.rip, &f.cs, &f.rflags, &f.rsp, &f.ss};
  if (has_err)
    f.err = vm_rd64(vm, rsp), rsp += 8;
  for (int i = 0; i < 5; i++)
    *slots[i] = vm_rd64(vm, rsp + 8 * (uint64_t)i);
  return f;
}

/* mov rax, [0x1234000]  (unmapped) */
static const uint8_t load_unmapped[] = {0x48, 0x8b, 0x04, 0x25, 0x00, 0x40, 0x23, 0x01};

static void test_pf_from_user(void **state) {
  (void)state;
  Vm *vm = vm_new();
  vm_poke(vm, UTEXT_PA, load_unmapped, sizeof load_unmapped);
  vm_enter_user(vm, UTEXT, USTACK + 0xff8);
  x86_rflags_set(vm->c, 0x202); /* IF */
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_PF);
  assert_int_equal(vm->s->cpl, 0);
  assert_int_equal(vm->s->seg[X86_CS].sel, KERNEL_CS);
  assert_int_equal(vm->s->seg[X86_SS].sel, 0); /* null SS, RPL 0 */
  assert_int_equal(vm->s->cr2, 0x1234000);
  assert_int_equal(vm->c->gpr[X86_RSP], RSP0 - 48);
  Frame f = frame_at(vm, RSP0 - 48, true);
  assert_int_equal(f.err, X86_PF_U); /* not present, read, user */
  assert_int_equal(f.rip, UTEXT);
  assert_int_equal(f.cs, USER_CS);
  assert_int_equal(f.rflags, 0x202);
  assert_int_equal(f.rsp, USTACK + 0xff8);
  assert_int_equal(f.ss, USER_DS);
  assert_false(vm->c->rflags_rest & X86_FLAG_IF); /* interrupt gate */
  vm_free(vm);
}

/* ud2 at CPL0: no stack switch, the frame starts at rsp rounded down to 16. */
static void test_same_cpl_alignment(void **state) {
  (void)state;
  Vm *vm = vm_new();
  static const uint8_t ud2[] = {0x0f, 0x0b};
  vm->c->gpr[X86_RSP] = KSTACK - 8;
  x86_rflags_set(vm->c, 0x246);
  assert_int_equal(vm_run_kernel(vm, ud2, sizeof ud2), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_UD);
  uint64_t sp = KSTACK - 16 - 40;
  assert_int_equal(vm->c->gpr[X86_RSP], sp);
  Frame f = frame_at(vm, sp, false);
  assert_int_equal(f.rip, KTEXT);
  assert_int_equal(f.cs, KERNEL_CS);
  assert_int_equal(f.rflags, 0x246);
  assert_int_equal(f.rsp, KSTACK - 8);
  assert_int_equal(f.ss, KERNEL_DS);
  vm_free(vm);
}

/* int 0x80 through a DPL3 trap gate: IF stays, the next rip is pushed. int
 * 0x81's gate is DPL0: #GP with the IDT error code, on the int itself. */
static void test_int_n_and_dpl(void **state) {
  (void)state;
  static const uint8_t int80[] = {0xcd, 0x80}, int81[] = {0xcd, 0x81};
  Vm *vm = vm_new();
  vm_poke(vm, UTEXT_PA, int80, 2);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  x86_rflags_set(vm->c, 0x202);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), 0x80);
  assert_true(vm->c->rflags_rest & X86_FLAG_IF);
  Frame f = frame_at(vm, RSP0 - 40, false);
  assert_int_equal(f.rip, UTEXT + 2);
  assert_int_equal(f.cs, USER_CS);
  vm_free(vm);

  vm = vm_new();
  vm_poke(vm, UTEXT_PA, int81, 2);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  f = frame_at(vm, RSP0 - 48, true);
  assert_int_equal(f.err, 0x81 * 8 + 2);
  assert_int_equal(f.rip, UTEXT);
  vm_free(vm);
}

/* An external interrupt with vector 14 pushes no error code, at CPL3 it
 * switches stacks, and it wakes a halted CPU. */
static void test_external_interrupt(void **state) {
  (void)state;
  Vm *vm = vm_new();
  vm_enter_user(vm, UTEXT + 0x10, USTACK + 0x800);
  x86_rflags_set(vm->c, 0x202);
  vm->s->halted = true;
  assert_true(x86sys_irq_ready(vm->cpu));
  x86sys_interrupt(vm->cpu, 14);
  assert_false(x86sys_halted(vm->cpu));
  assert_int_equal(vm->c->rip, KSTUB + 14);
  assert_int_equal(vm->c->gpr[X86_RSP], RSP0 - 40);
  Frame f = frame_at(vm, RSP0 - 40, false);
  assert_int_equal(f.rip, UTEXT + 0x10);
  assert_int_equal(f.ss, USER_DS);
  assert_false(x86sys_irq_ready(vm->cpu)); /* IF cleared by the gate */
  vm_free(vm);
}

/* An instruction running into an unmapped page: #PF for the fetch (I set,
 * CR2 the first byte of that page), on the instruction; a block ending
 * before it runs first. */
static void test_fetch_fault_crossing(void **state) {
  (void)state;
  Vm *vm = vm_new();
  uint64_t at = KTEXT + 0x20000 - 4; /* the last mapped kernel text page */
  static const uint8_t code[] = {0x90, 0x48, 0x8b, 0x04}; /* nop; 3 of mov rax, [...]'s 8 */
  vm_poke(vm, KTEXT_PA + 0x20000 - 4, code, sizeof code);
  vm->c->rip = at;
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_PF);
  assert_int_equal(vm->s->cr2, KTEXT + 0x20000);
  Frame f = frame_at(vm, vm->c->gpr[X86_RSP], true);
  assert_int_equal(f.err, X86_PF_I);
  assert_int_equal(f.rip, at + 1);
  /* The handler maps the page and returns: the whole instruction runs. */
  static const uint8_t rest[] = {0x25, 0x00, 0x00, 0x20, 0x00, 0xf4}; /* ..[0x200000]; hlt */
  vm_poke(vm, 0x500000, rest, sizeof rest);
  vm_map(vm, KTEXT + 0x20000, 0x500000, 0, 0);
  vm_wr64(vm, 0x200000, 0x1122);
  vm->c->rip = at + 1;
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 0x20000 + 6);
  assert_int_equal(vm->c->gpr[X86_RAX], 0x1122);
  vm_free(vm);
}

/* NMI on IST1; a second one waits until iretq. */
static void test_nmi_ist_and_blocking(void **state) {
  (void)state;
  Vm *vm = vm_new();
  static const uint8_t iretq[] = {0x48, 0xcf}, hlt = 0xf4;
  vm_poke(vm, KTEXT_PA + 0x100, iretq, 2);
  vm_poke(vm, KTEXT_PA + 0x40, &hlt, 1);
  vm->c->rip = KTEXT + 0x40;
  vm->c->gpr[X86_RSP] = KSTACK;
  x86sys_nmi(vm->cpu);
  assert_int_equal(vm->c->rip, KSTUB + 2);
  assert_int_equal(vm->c->gpr[X86_RSP], IST1 - 40);
  assert_true(vm->s->nmi_blocked);
  x86sys_nmi(vm->cpu); /* blocked: nothing happens */
  assert_int_equal(vm->c->rip, KSTUB + 2);
  vm->c->rip = KTEXT + 0x100; /* the handler returns (iretq to CPL0 is lifted) */
  EmuExit x = emu_exec(vm->cpu);
  assert_int_equal(x86sys_handle_exit(vm->cpu, &x), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 0x41); /* past the hlt it returned to */
  assert_int_equal(vm->c->gpr[X86_RSP], KSTACK);
  assert_false(vm->s->nmi_blocked);
  vm_free(vm);
}

/* #PF while #PF's gate is not present (#NP): #DF, on IST1, error code 0. */
static void test_double_fault(void **state) {
  (void)state;
  Vm *vm = vm_new();
  vm->ram[IDT_PA + 16 * 14 + 5] &= 0x7f; /* P = 0 */
  assert_int_equal(vm_run_kernel(vm, load_unmapped, sizeof load_unmapped), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_DF);
  Frame f = frame_at(vm, IST1 - 48, true);
  assert_int_equal(f.err, 0);
  assert_int_equal(f.rip, KTEXT);
  assert_int_equal(vm->s->cr2, 0x1234000);
  vm_free(vm);
}

/* No usable IDT: #UD -> #GP -> #DF -> triple fault: the machine resets. */
static void test_triple_fault(void **state) {
  (void)state;
  Vm *vm = vm_new();
  vm->s->idtr.limit = 0;
  static const uint8_t ud2[] = {0x0f, 0x0b};
  assert_int_equal(vm_run_kernel(vm, ud2, sizeof ud2), X86SYS_RESET);
  assert_string_equal(vm->reset_why, "triple fault");
  assert_false(x86sys_irq_ready(vm->cpu));
  vm_free(vm);
}

/* sti; hlt with IF = 0: no interrupt between them, one at the hlt's end. At
 * CPL0 sti is lifted: it leaves the shadow to the hlt's exit. */
static void test_sti_shadow(void **state) {
  (void)state;
  Vm *vm = vm_new();
  static const uint8_t sti_hlt[] = {0xfb, 0xf4};
  vm_poke(vm, KTEXT_PA, sti_hlt, 2);
  vm->c->rip = KTEXT;
  assert_false(x86sys_irq_ready(vm->cpu));
  EmuExit x = emu_exec(vm->cpu);
  assert_int_equal(vm->c->rip, KTEXT + 1); /* the hlt's exit */
  assert_true(vm->c->rflags_rest & X86_FLAG_IF);
  assert_false(x86sys_irq_ready(vm->cpu)); /* the shadow covers the hlt */
  assert_int_equal(x86sys_handle_exit(vm->cpu, &x), X86SYS_HALT);
  assert_true(x86sys_halted(vm->cpu));
  assert_true(x86sys_irq_ready(vm->cpu));
  vm_free(vm);
}

/* x86sys_poll_irq asks the hooks and acknowledges what it delivers. */
static bool pending;
static int acked;
static bool irq_pending(void *ctx) { return (void)ctx, pending; }
static int irq_ack(void *ctx) {
  (void)ctx;
  acked++;
  pending = false;
  return 0x31;
}

static void test_poll_irq(void **state) {
  (void)state;
  pending = true, acked = 0;
  Vm *vm = vm_new();
  vm->s->hooks.irq_pending = irq_pending;
  vm->s->hooks.irq_ack = irq_ack;
  vm->c->rip = KTEXT;
  assert_false(x86sys_poll_irq(vm->cpu)); /* IF = 0 */
  assert_int_equal(acked, 0);
  x86_rflags_set(vm->c, 0x202);
  assert_true(x86sys_poll_irq(vm->cpu));
  assert_int_equal(acked, 1);
  assert_int_equal(vm->c->rip, KSTUB + 0x31);
  assert_false(x86sys_poll_irq(vm->cpu));
  vm_free(vm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pf_from_user),
      cmocka_unit_test(test_same_cpl_alignment),
      cmocka_unit_test(test_int_n_and_dpl),
      cmocka_unit_test(test_external_interrupt),
      cmocka_unit_test(test_fetch_fault_crossing),
      cmocka_unit_test(test_nmi_ist_and_blocking),
      cmocka_unit_test(test_double_fault),
      cmocka_unit_test(test_triple_fault),
      cmocka_unit_test(test_sti_shadow),
      cmocka_unit_test(test_poll_irq),
  };
  /* The interpreter tier (IrMemOps), then backend_fast (the inline TLB and
   * the softmmu slow paths). */
  int failed = cmocka_run_group_tests_name("interp", tests, NULL, NULL);
  vm_tier = EMU_TIER_FAST;
  return failed + cmocka_run_group_tests_name("fast", tests, NULL, NULL);
}
