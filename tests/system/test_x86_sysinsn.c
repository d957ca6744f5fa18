/* test_x86_sysinsn.c — the system instructions (system/x86_sysinsn*.c) and
 * the exit handler, run through the engine's interpreter tier on tiny
 * hand-assembled programs: syscall/sysret, iretq, swapgs, CPUID's CPU model,
 * rdmsr/wrmsr and the TSC, control registers, port I/O, popf at CPL3,
 * segment loads, ltr/str/sgdt, lsl/lar, lretq, invlpg, and the #GP/#UD
 * cases the SDM gives (privilege, canonical addresses, reserved bits); IR
 * exceptions (#UD, #DE, #MF, #PF on writes) and self-modifying code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "x86_vm.h"

/* The error code on the handler's stack (CPL0 faults at CPL0: below rsp). */
static uint64_t stack_err(Vm *vm) { return vm_rd64(vm, vm->c->gpr[X86_RSP]); }

/* -- syscall / sysret ----------------------------------------------------------- */

/* Kernel: STAR = 0x0023001000000000, LSTAR = KTEXT + 0x100, FMASK = IF, then
 * sysretq to UTEXT with IF set. User: mov esp, 0x7ffffff0; mov eax, 42;
 * syscall. LSTAR points at a hlt. */
static const uint8_t k_setup[] = {
    0xb9, 0x81, 0x00, 0x00, 0xc0,                               /* mov ecx, 0xc0000081 */
    0xba, 0x10, 0x00, 0x23, 0x00,                               /* mov edx, 0x230010 */
    0x31, 0xc0,                                                 /* xor eax, eax */
    0x0f, 0x30,                                                 /* wrmsr */
    0xb9, 0x82, 0x00, 0x00, 0xc0,                               /* mov ecx, 0xc0000082 */
    0x48, 0xb8, 0x00, 0x01, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff, /* movabs rax, KTEXT+0x100 */
    0x48, 0x89, 0xc2,                                           /* mov rdx, rax */
    0x48, 0xc1, 0xea, 0x20,                                     /* shr rdx, 32 */
    0x0f, 0x30,                                                 /* wrmsr */
    0xb9, 0x84, 0x00, 0x00, 0xc0,                               /* mov ecx, 0xc0000084 */
    0xb8, 0x00, 0x02, 0x00, 0x00,                               /* mov eax, 0x200 */
    0x31, 0xd2,                                                 /* xor edx, edx */
    0x0f, 0x30,                                                 /* wrmsr */
    0xb9, 0x00, 0x00, 0x40, 0x00,                               /* mov ecx, 0x400000 */
    0x41, 0xbb, 0x02, 0x02, 0x00, 0x00,                         /* mov r11d, 0x202 */
    0x48, 0x0f, 0x07,                                           /* sysretq */
};
static const uint8_t u_syscall[] = {
    0xbc, 0xf0, 0xff, 0xff, 0x7f, /* mov esp, 0x7ffffff0 */
    0xb8, 0x2a, 0x00, 0x00, 0x00, /* mov eax, 42 */
    0x0f, 0x05,                   /* syscall */
};
static const uint8_t hlt[] = {0xf4};

static void test_syscall_sysret(void **state) {
  (void)state;
  Vm *vm = vm_new();
  vm_poke(vm, KTEXT_PA + 0x100, hlt, 1);
  vm_poke(vm, UTEXT_PA, u_syscall, sizeof u_syscall);
  assert_int_equal(vm_run_kernel(vm, k_setup, sizeof k_setup), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 0x101);
  assert_int_equal(vm->s->cpl, 0);
  assert_int_equal(vm->s->seg[X86_CS].sel, KERNEL_CS);
  assert_int_equal(vm->s->seg[X86_SS].sel, KERNEL_DS);
  assert_int_equal(vm->c->gpr[X86_RCX], UTEXT + sizeof u_syscall);
  assert_int_equal(vm->c->gpr[X86_R11], 0x202);
  assert_int_equal(vm->c->gpr[X86_RAX], 42);
  assert_int_equal(vm->c->gpr[X86_RSP], 0x7ffffff0);
  assert_false(vm->c->rflags_rest & X86_FLAG_IF); /* FMASK */
  vm_free(vm);
}

/* sysretq to a non-canonical rcx is #GP(0) at CPL0; at CPL3 #GP too. */
static void test_sysret_checks(void **state) {
  (void)state;
  static const uint8_t sysret[] = {0x48, 0x0f, 0x07};
  Vm *vm = vm_new();
  vm->c->gpr[X86_RCX] = 0x0000800000000000ull;
  assert_int_equal(vm_run_kernel(vm, sysret, sizeof sysret), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(stack_err(vm), 0);
  assert_int_equal(vm_rd64(vm, vm->c->gpr[X86_RSP] + 8), KTEXT);
  assert_int_equal(vm->s->cpl, 0);
  vm_free(vm);
  vm = vm_new();
  vm_poke(vm, UTEXT_PA, sysret, sizeof sysret);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  vm_free(vm);
}

/* -- iretq ---------------------------------------------------------------------- */

static void push_iret_frame(Vm *vm, uint64_t rip, uint64_t cs, uint64_t rflags, uint64_t rsp,
                            uint64_t ss) {
  uint64_t sp = KSTACK - 40;
  uint64_t f[5] = {rip, cs, rflags, rsp, ss};
  vm_poke(vm, sp, f, sizeof f);
  vm->c->gpr[X86_RSP] = sp;
}

/* iretq to CPL3 (IOPL 3: CPL0 may set it), where hlt is #GP back into the
 * kernel on TSS.RSP0. */
static void test_iretq_to_user(void **state) {
  (void)state;
  static const uint8_t iretq[] = {0x48, 0xcf};
  Vm *vm = vm_new();
  vm_poke(vm, UTEXT_PA, hlt, 1);
  push_iret_frame(vm, UTEXT, USER_CS, 0x3202, USTACK + 0x100, USER_DS);
  assert_int_equal(vm_run_kernel(vm, iretq, sizeof iretq), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(vm->c->gpr[X86_RSP], RSP0 - 48);
  assert_int_equal(vm_rd64(vm, RSP0 - 48), 0);          /* error code */
  assert_int_equal(vm_rd64(vm, RSP0 - 40), UTEXT);      /* the hlt */
  assert_int_equal(vm_rd64(vm, RSP0 - 32), USER_CS);
  assert_int_equal(vm_rd64(vm, RSP0 - 24), 0x3202);
  assert_int_equal(vm_rd64(vm, RSP0 - 16), USTACK + 0x100);
  assert_int_equal(vm_rd64(vm, RSP0 - 8), USER_DS);
  vm_free(vm);
}

/* iretq checks: a non-canonical rip, an SS whose RPL is not the new CPL, a
 * null SS for CPL3, and iretq at CPL3 trying to raise IOPL (silently kept). */
static void test_iretq_checks(void **state) {
  (void)state;
  static const uint8_t iretq[] = {0x48, 0xcf};
  static const struct {
    uint64_t rip, cs, ss;
    uint32_t err;
  } bad[] = {
      {0x0000800000000000ull, USER_CS, USER_DS, 0},
      {UTEXT, USER_CS, KERNEL_DS, KERNEL_DS},
      {UTEXT, USER_CS, 0, 0},
      {UTEXT, 0, USER_DS, 0},
      {UTEXT, USER32_CS, USER_DS, USER32_CS & 0xfffc}, /* 32-bit code: not supported */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    Vm *vm = vm_new();
    push_iret_frame(vm, bad[i].rip, bad[i].cs, 0x202, USTACK, bad[i].ss);
    assert_int_equal(vm_run_kernel(vm, iretq, sizeof iretq), X86SYS_HALT);
    if (vm_vector(vm) != X86_EXC_GP || stack_err(vm) != bad[i].err)
      fail_msg("case %zu: vector %d error %#llx", i, vm_vector(vm),
               (unsigned long long)stack_err(vm));
    vm_free(vm);
  }
  /* From CPL3 to CPL3: IOPL and IF as the CPL allows. */
  Vm *vm = vm_new();
  vm_poke(vm, UTEXT_PA, iretq, 2);
  vm_poke(vm, UTEXT_PA + 0x10, hlt, 1);
  uint64_t f[5] = {UTEXT + 0x10, USER_CS, 0x3002, USTACK + 0x200, USER_DS};
  vm_poke(vm, USTACK_PA + 0x100, f, sizeof f);
  vm_enter_user(vm, UTEXT, USTACK + 0x100);
  x86_rflags_set(vm->c, 0x202);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP); /* the user hlt */
  assert_int_equal(vm_rd64(vm, RSP0 - 24), 0x202); /* IOPL 0 and IF kept */
  vm_free(vm);
}

/* -- swapgs, cpuid, MSRs, the TSC --------------------------------------------------- */

static void test_swapgs(void **state) {
  (void)state;
  static const uint8_t swapgs[] = {0x0f, 0x01, 0xf8, 0xf4};
  Vm *vm = vm_new();
  vm->c->gs_base = 0x1111;
  assert_true(x86_msr_write(vm->s, 0xc0000102, 0xffff888000002222ull));
  assert_int_equal(vm_run_kernel(vm, swapgs, sizeof swapgs), X86SYS_HALT);
  assert_int_equal(vm->c->gs_base, 0xffff888000002222ull);
  uint64_t v;
  assert_true(x86_msr_read(vm->s, 0xc0000102, &v));
  assert_int_equal(v, 0x1111);
  assert_true(x86_msr_read(vm->s, 0xc0000101, &v)); /* IA32_GS_BASE is the slot */
  assert_int_equal(v, 0xffff888000002222ull);
  vm_free(vm);
  vm = vm_new(); /* CPL3: #GP */
  vm_poke(vm, UTEXT_PA, swapgs, sizeof swapgs);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  vm_free(vm);
}

static void cpuid(Vm *vm, uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  static const uint8_t code[] = {0x0f, 0xa2, 0xf4}; /* cpuid; hlt */
  vm->c->gpr[X86_RAX] = leaf;
  vm->c->gpr[X86_RCX] = sub;
  assert_int_equal(vm_run_kernel(vm, code, sizeof code), X86SYS_HALT);
  r[0] = (uint32_t)vm->c->gpr[X86_RAX], r[1] = (uint32_t)vm->c->gpr[X86_RBX];
  r[2] = (uint32_t)vm->c->gpr[X86_RCX], r[3] = (uint32_t)vm->c->gpr[X86_RDX];
}

#define BIT(n) (1u << (n))

/* docs/system.md's CPU model. */
static void test_cpuid(void **state) {
  (void)state;
  Vm *vm = vm_new();
  uint32_t r[4];
  cpuid(vm, 0, 0, r);
  assert_int_equal(r[0], 0x16);
  assert_memory_equal(&r[1], "Genu", 4);
  assert_memory_equal(&r[3], "ineI", 4);
  assert_memory_equal(&r[2], "ntel", 4);
  cpuid(vm, 1, 0, r);
  assert_int_equal(r[0] >> 8 & 0xf, 6); /* family 6 */
  uint32_t ecx_on = BIT(0) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | BIT(23) | BIT(24) | BIT(31);
  uint32_t ecx_off = BIT(3) | BIT(5) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30);
  uint32_t edx_on = BIT(0) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(9) | BIT(12) |
                    BIT(13) | BIT(15) | BIT(16) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26);
  uint32_t edx_off = BIT(1) | BIT(2) | BIT(7) | BIT(11) | BIT(14) | BIT(28);
  assert_int_equal(r[2] & ecx_on, ecx_on);   /* sse3 ssse3 cx16 sse4.1/2 popcnt deadline hv */
  assert_int_equal(r[2] & ecx_off, 0);       /* no monitor, vmx, pcid, x2apic, xsave, avx, rdrand */
  assert_int_equal(r[3] & edx_on, edx_on);   /* fpu pse tsc msr pae cx8 apic mtrr pge cmov pat ... */
  assert_int_equal(r[3] & edx_off, 0);       /* no vme, de, mce, sep, mca, htt */
  cpuid(vm, 7, 0, r);
  assert_int_equal(r[0], 2);
  assert_int_equal(r[1], 0); /* no fsgsbase, smep, smap, avx2... */
  assert_int_equal(r[3], BIT(26) | BIT(29)); /* IBRS/IBPB, IA32_ARCH_CAPABILITIES */
  cpuid(vm, 7, 2, r);
  assert_int_equal(r[3], BIT(4)); /* BHI_CTRL */
  cpuid(vm, 0xd, 0, r);
  assert_int_equal(r[0] | r[1] | r[2] | r[3], 0); /* no XSAVE state */
  cpuid(vm, 0x15, 0, r);
  assert_int_equal(r[0], 1);
  assert_int_equal(r[1], 1);
  assert_int_equal(r[2], 1000000000);
  cpuid(vm, 0x16, 0, r);
  assert_int_equal(r[0], 1000); /* MHz */
  cpuid(vm, 0x80000001, 0, r);
  assert_int_equal(r[3] & (BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29)),
                   BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29));
  cpuid(vm, 0x80000007, 0, r);
  assert_int_equal(r[3], BIT(8)); /* invariant TSC */
  cpuid(vm, 0x40000000, 0, r);
  assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
  vm_free(vm);
}

/* wrmsr/rdmsr as instructions: ecx = index, edx:eax = value; #GP cases. */
static X86SysEvent msr_op(Vm *vm, bool write, uint32_t index, uint64_t value) {
  static const uint8_t rd[] = {0x0f, 0x32, 0xf4}, wr[] = {0x0f, 0x30, 0xf4};
  vm->c->gpr[X86_RCX] = index;
  vm->c->gpr[X86_RAX] = (uint32_t)value;
  vm->c->gpr[X86_RDX] = value >> 32;
  vm->c->gpr[X86_RSP] = KSTACK;
  return vm_run_kernel(vm, write ? wr : rd, 3);
}

static void test_msrs(void **state) {
  (void)state;
  Vm *vm = vm_new();
  assert_int_equal(msr_op(vm, true, 0xc0000081, 0x0023001000000000ull), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 3);
  assert_int_equal(vm->s->star, 0x0023001000000000ull);
  assert_int_equal(msr_op(vm, false, 0xc0000081, 0), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RDX], 0x00230010);
  assert_int_equal(vm->c->gpr[X86_RAX], 0);
  assert_int_equal(msr_op(vm, false, 0x10a, 0), X86SYS_HALT); /* ARCH_CAPABILITIES */
  assert_int_equal(vm->c->gpr[X86_RAX] & 0x21, 0x21);          /* RDCL_NO, MDS_NO */
  /* #GP: a non-canonical LSTAR, an unknown MSR, a reserved EFER bit, a bad
   * PAT type, ARCH_CAPABILITIES is read-only, the APIC's without a device. */
  static const struct {
    bool write;
    uint32_t index;
    uint64_t value;
  } gp[] = {{true, 0xc0000082, 0x0000800000000000ull}, {false, 0x12345, 0},
            {true, 0xc0000080, 1ull << 20},             {true, 0x277, 0x0007040600070402ull},
            {true, 0x10a, 0},                           {false, 0x1b, 0}};
  for (size_t i = 0; i < sizeof gp / sizeof gp[0]; i++) {
    Vm *v = vm_new();
    assert_int_equal(msr_op(v, gp[i].write, gp[i].index, gp[i].value), X86SYS_HALT);
    if (vm_vector(v) != X86_EXC_GP)
      fail_msg("msr %#x: vector %d", gp[i].index, vm_vector(v));
    vm_free(v);
  }
  vm_free(vm);
}

/* The TSC is the machine clock in ns plus what wrmsr(TSC) set; rdtscp adds
 * TSC_AUX; CR4.TSD makes rdtsc privileged. */
static void test_tsc(void **state) {
  (void)state;
  static const uint8_t rdtsc[] = {0x0f, 0x31, 0xf4}, rdtscp[] = {0x0f, 0x01, 0xf9, 0xf4};
  Vm *vm = vm_new();
  vm->clock = 5000;
  assert_int_equal(vm_run_kernel(vm, rdtsc, sizeof rdtsc), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RAX], 5000);
  assert_int_equal(vm->c->gpr[X86_RDX], 0);
  assert_true(x86_msr_write(vm->s, 0x10, 0x100000000ull));
  assert_true(x86_msr_write(vm->s, 0xc0000103, 7));
  vm->clock = 6000;
  assert_int_equal(vm_run_kernel(vm, rdtscp, sizeof rdtscp), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RDX], 1);
  assert_int_equal(vm->c->gpr[X86_RAX], 1000);
  assert_int_equal(vm->c->gpr[X86_RCX], 7);
  /* At CPL0 both are lifted: one exit (the hlt) for all three. */
  static const uint8_t both[] = {0x0f, 0x31, 0x89, 0xc6, 0x0f, 0x01, 0xf9, 0xf4}; /* mov esi, eax */
  vm_poke(vm, KTEXT_PA, both, sizeof both);
  vm->c->rip = KTEXT;
  vm->clock = 7000;
  assert_int_equal(vm_run(vm, 1), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RSI], 2000);
  assert_int_equal(vm->c->gpr[X86_RAX], 2000);
  assert_int_equal(vm->c->gpr[X86_RDX], 1);
  assert_int_equal(vm->c->gpr[X86_RCX], 7);
  vm->s->cr4 |= X86_CR4_TSD;
  vm_poke(vm, UTEXT_PA, rdtsc, sizeof rdtsc);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  vm_free(vm);
}

static bool irq_line;
static bool irq_line_pending(void *ctx) {
  (void)ctx;
  return irq_line;
}

/* sti at CPL0 is lifted: IF set with the shadow over the next instruction,
 * and the block ends after that one, returning to the runner if an interrupt
 * is pending, so it is taken there; sti; hlt still halts first. */
static void test_sti(void **state) {
  (void)state;
  /* sti; mov eax, 1; mov ebx, 2; hlt */
  static const uint8_t code[] = {0xfb, 0xb8, 1, 0, 0, 0, 0xbb, 2, 0, 0, 0, 0xf4};
  static const uint8_t sti_hlt[] = {0xfb, 0xf4};
  Vm *vm = vm_new();
  vm->s->hooks.irq_pending = irq_line_pending;
  irq_line = false;
  vm_poke(vm, KTEXT_PA, code, sizeof code);
  vm->c->rflags_rest &= ~X86_FLAG_IF;
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_HALT); /* no exit for sti */
  assert_true(vm->c->rflags_rest & X86_FLAG_IF);
  assert_int_equal(vm->c->gpr[X86_RBX], 2);
  /* An interrupt is pending: the runner gets control after the mov. */
  irq_line = true;
  vm->c->rflags_rest &= ~X86_FLAG_IF;
  vm->c->gpr[X86_RAX] = vm->c->gpr[X86_RBX] = 0;
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_CONTINUE);
  assert_int_equal(vm->c->rip, KTEXT + 6);
  assert_int_equal(vm->c->gpr[X86_RAX], 1);
  assert_int_equal(vm->c->gpr[X86_RBX], 0);
  assert_true(vm->s->shadow);
  assert_int_equal(vm->s->shadow_rip, KTEXT + 1); /* passed: the interrupt can come */
  assert_true(x86sys_irq_ready(vm->cpu));
  /* IF already set: no shadow, nothing to report. */
  vm->s->shadow = false;
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RBX], 2);
  /* sti; hlt: the hlt runs under the shadow, in the same block. */
  vm_poke(vm, KTEXT_PA, sti_hlt, sizeof sti_hlt);
  vm->c->rflags_rest &= ~X86_FLAG_IF;
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 2);
  assert_true(x86sys_halted(vm->cpu));
  vm_free(vm);
}

/* -- Control registers -------------------------------------------------------------- */

static void test_control_registers(void **state) {
  (void)state;
  /* mov rax, cr4; or rax, 0x800 (UMIP: not in this model); mov cr4, rax */
  static const uint8_t cr4_umip[] = {0x0f, 0x20, 0xe0, 0x48, 0x0d, 0x00, 0x08, 0x00, 0x00,
                                     0x0f, 0x22, 0xe0, 0xf4};
  /* mov rax, cr0; and eax, 0x7fffffff; mov cr0, rax: paging off in 64-bit code */
  static const uint8_t cr0_nopg[] = {0x0f, 0x20, 0xc0, 0x25, 0xff, 0xff, 0xff, 0x7f,
                                     0x0f, 0x22, 0xc0};
  /* mov rax, cr3; mov cr3, rax; hlt */
  static const uint8_t cr3_reload[] = {0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8, 0xf4};
  Vm *vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, cr4_umip, sizeof cr4_umip), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(vm_rd64(vm, vm->c->gpr[X86_RSP] + 8), KTEXT + 9);
  vm_free(vm);
  vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, cr0_nopg, sizeof cr0_nopg), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_true(vm->s->cr0 & X86_CR0_PG);
  vm_free(vm);
  /* A CR3 write drops the TLB entries but the global ones (KTEXT is). */
  vm = vm_new();
  uint64_t v, low = 0x123000; /* identity-mapped, not global */
  x86_softmmu_ops.load(vm->c, KTEXT + 0x8000, SOFTMMU_INFO(8, 0, 0), &v);
  x86_softmmu_ops.load(vm->c, low, SOFTMMU_INFO(8, 0, 0), &v);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, KTEXT + 0x8000)->tag_read, KTEXT + 0x8000);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, low)->tag_read, low);
  assert_int_equal(vm_run_kernel(vm, cr3_reload, sizeof cr3_reload), X86SYS_HALT);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, KTEXT + 0x8000)->tag_read, KTEXT + 0x8000);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, low)->tag_read & SOFTMMU_TLB_INVALID);
  assert_int_equal(vm->c->gpr[X86_RAX], PT_PA);
  vm_free(vm);
  /* CPL3: mov from cr is #GP too. */
  vm = vm_new();
  vm_poke(vm, UTEXT_PA, cr3_reload, sizeof cr3_reload);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  vm_free(vm);
}

/* invlpg [rbx] drops that page's entry. */
static void test_invlpg(void **state) {
  (void)state;
  static const uint8_t invlpg[] = {0x0f, 0x01, 0x3b, 0xf4};
  Vm *vm = vm_new();
  uint64_t v;
  x86_softmmu_ops.load(vm->c, KTEXT + 0x8000, SOFTMMU_INFO(8, 0, 0), &v);
  x86_softmmu_ops.load(vm->c, KTEXT + 0x9000, SOFTMMU_INFO(8, 0, 0), &v);
  vm->c->gpr[X86_RBX] = KTEXT + 0x8123;
  assert_int_equal(vm_run_kernel(vm, invlpg, sizeof invlpg), X86SYS_HALT);
  assert_true(softmmu_tlb_entry(&vm->s->tlb, 0, KTEXT + 0x8000)->tag_read & SOFTMMU_TLB_INVALID);
  assert_int_equal(softmmu_tlb_entry(&vm->s->tlb, 0, KTEXT + 0x9000)->tag_read, KTEXT + 0x9000);
  vm_free(vm);
}

/* Code reached through a page that invlpg then remaps runs from the new
 * page, also through the runtime's indirect-branch cache (call rax). */
static void test_invlpg_code(void **state) {
  (void)state;
  static const uint8_t call[] = {0xff, 0xd0, 0xf4};                    /* call rax; hlt */
  static const uint8_t inv_call[] = {0x0f, 0x01, 0x3a, 0xff, 0xd0, 0xf4}; /* invlpg [rdx]; ... */
  uint8_t fn[] = {0xbb, 0x01, 0x00, 0x00, 0x00, 0xc3};                 /* mov ebx, 1; ret */
  Vm *vm = vm_new();
  uint64_t va = 0xc000000ull;
  vm_poke(vm, 0x500000, fn, sizeof fn);
  fn[1] = 2;
  vm_poke(vm, 0x501000, fn, sizeof fn);
  vm_map(vm, va, 0x500000, 0, 0);
  vm->c->gpr[X86_RAX] = va;
  for (int i = 0; i < 3; i++) { /* warm: translated, chained, cached */
    assert_int_equal(vm_run_kernel(vm, call, sizeof call), X86SYS_HALT);
    assert_int_equal(vm->c->gpr[X86_RBX], 1);
  }
  vm_wr64(vm, vm_pte_addr(vm, va, 0), 0x501000 | P_P);
  vm->c->gpr[X86_RDX] = va;
  assert_int_equal(vm_run_kernel(vm, inv_call, sizeof inv_call), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RBX], 2);
  vm_free(vm);
}

/* -- Port I/O, flags ------------------------------------------------------------------- */

static void test_port_io(void **state) {
  (void)state;
  /* mov al, 0x41; out 0x80, al; mov dx, 0x81; in eax, dx; hlt */
  static const uint8_t io[] = {0xb0, 0x41, 0xe6, 0x80, 0x66, 0xba, 0x81, 0x00, 0xed, 0xf4};
  /* mov dx, 0x80; mov rsi, rbx; mov ecx, 3; rep outsb; hlt */
  static const uint8_t outs[] = {0x66, 0xba, 0x80, 0x00, 0x48, 0x89, 0xde, 0xb9,
                                 0x03, 0x00, 0x00, 0x00, 0xf3, 0x6e, 0xf4};
  Vm *vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, io, sizeof io), X86SYS_HALT);
  assert_int_equal(vm->dev.last_port, 0);
  assert_int_equal(vm->dev.last_value, 0x41);
  assert_int_equal(vm->dev.last_size, 1);
  assert_int_equal(vm->c->gpr[X86_RAX], 0x11223344u + 1 + 4);
  vm_poke(vm, 0x200000, "xyz", 3);
  vm->c->gpr[X86_RBX] = 0x200000;
  vm->dev.writes = 0;
  assert_int_equal(vm_run_kernel(vm, outs, sizeof outs), X86SYS_HALT);
  assert_int_equal(vm->dev.writes, 3);
  assert_int_equal(vm->dev.last_value, 'z');
  assert_int_equal(vm->c->gpr[X86_RSI], 0x200003);
  assert_int_equal(vm->c->gpr[X86_RCX], 0);
  vm_free(vm);
  /* CPL3 with IOPL 0 and no I/O bitmap: #GP; with IOPL 3 allowed. */
  vm = vm_new();
  vm_poke(vm, UTEXT_PA, io, sizeof io);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(vm_rd64(vm, RSP0 - 40), UTEXT + 2);
  vm_free(vm);
  vm = vm_new();
  vm_poke(vm, UTEXT_PA, io, sizeof io);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  x86_rflags_set(vm->c, 0x3002);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP); /* the final hlt */
  assert_int_equal(vm_rd64(vm, RSP0 - 40), UTEXT + 9);
  assert_int_equal(vm->dev.last_value, 0x41);
  vm_free(vm);
}

/* push 0x3202; popfq; hlt: CPL0 sets IOPL and IF, CPL3 can set neither. */
static void test_popf(void **state) {
  (void)state;
  static const uint8_t popf[] = {0x68, 0x02, 0x32, 0x00, 0x00, 0x9d, 0xf4};
  Vm *vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, popf, sizeof popf), X86SYS_HALT);
  assert_int_equal(x86_rflags_get(vm->c), 0x3202);
  assert_int_equal(vm->c->gpr[X86_RSP], KSTACK);
  vm_free(vm);
  vm = vm_new();
  vm_poke(vm, UTEXT_PA, popf, sizeof popf);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP); /* the hlt */
  assert_int_equal(vm_rd64(vm, RSP0 - 24), 0x2);
  vm_free(vm);
}

/* -- Segments and descriptor tables ------------------------------------------------------- */

static void test_segment_loads(void **state) {
  (void)state;
  /* mov eax, 0x18; mov ds, eax; mov ebx, ds; push fs; pop gs; hlt */
  static const uint8_t segs[] = {0xb8, 0x18, 0x00, 0x00, 0x00, 0x8e, 0xd8, 0x8c,
                                 0xdb, 0x0f, 0xa0, 0x0f, 0xa9, 0xf4};
  /* mov eax, 0x2b; mov ss, eax (RPL 3 at CPL0) */
  static const uint8_t movss[] = {0xb8, 0x2b, 0x00, 0x00, 0x00, 0x8e, 0xd0};
  Vm *vm = vm_new();
  vm->c->gs_base = 0x5555;
  vm->s->seg[X86_DS].sel = 0;
  vm->c->gpr[X86_RBX] = ~0ull;
  assert_int_equal(vm_run_kernel(vm, segs, sizeof segs), X86SYS_HALT);
  assert_int_equal(vm->s->seg[X86_DS].sel, KERNEL_DS);
  assert_int_equal(vm->s->seg[X86_DS].attr & 0xff, 0x93);
  assert_int_equal(vm->c->gpr[X86_RBX], KERNEL_DS); /* zero-extended */
  assert_int_equal(vm->s->seg[X86_GS].sel, 0);
  assert_int_equal(vm->c->gs_base, 0); /* Intel: a null selector clears the base */
  assert_int_equal(vm->c->gpr[X86_RSP], KSTACK);
  vm_free(vm);
  vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, movss, sizeof movss), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(stack_err(vm), USER_DS & 0xfffc);
  vm_free(vm);
}

/* mov r, sreg is lifted (no exit) at either CPL: the selector zero-extended,
 * a 16-bit register's upper bits kept. */
static void test_sreg_reads(void **state) {
  (void)state;
  /* mov eax, ss; mov rbx, cs; mov cx, ds; hlt */
  static const uint8_t code[] = {0x8c, 0xd0, 0x48, 0x8c, 0xcb, 0x66, 0x8c, 0xd9, 0xf4};
  Vm *vm = vm_new();
  vm->c->gpr[X86_RAX] = vm->c->gpr[X86_RBX] = vm->c->gpr[X86_RCX] = ~0ull;
  vm_poke(vm, KTEXT_PA, code, sizeof code);
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RAX], KERNEL_DS);
  assert_int_equal(vm->c->gpr[X86_RBX], KERNEL_CS);
  assert_int_equal(vm->c->gpr[X86_RCX], 0xffffffffffff0000ull | KERNEL_DS);
  /* CPL3: the user selectors; the hlt is then #GP. */
  vm_poke(vm, UTEXT_PA, code, sizeof code);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 2), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(vm->c->gpr[X86_RAX], USER_DS);
  assert_int_equal(vm->c->gpr[X86_RBX], USER_CS);
  vm_free(vm);
}

/* iretq at CPL0 back to CPL0 is lifted: Linux's sync_core (iret to self)
 * runs without an exit, IF comes from the frame, and an interrupt the iretq
 * lets in makes the block return to the runner. */
static void test_iretq_same_cpl(void **state) {
  (void)state;
  /* mov eax, ss; push rax; push rsp; add qword [rsp], 8; pushfq; mov eax, cs;
   * push rax; push KTEXT + 20; iretq; hlt */
  static const uint8_t code[] = {0x8c, 0xd0, 0x50, 0x54, 0x48, 0x83, 0x04, 0x24, 0x08, 0x9c, 0x8c,
                                 0xc8, 0x50, 0x68, 0x14, 0x00, 0x00, 0x80, 0x48, 0xcf, 0xf4};
  Vm *vm = vm_new();
  vm->s->hooks.irq_pending = irq_line_pending;
  irq_line = true; /* IF stays 0: no kick */
  vm->c->rflags_rest &= ~X86_FLAG_IF;
  vm_poke(vm, KTEXT_PA, code, sizeof code);
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 21);
  assert_int_equal(vm->c->gpr[X86_RSP], KSTACK);
  assert_int_equal(vm->s->seg[X86_CS].sel, KERNEL_CS);
  assert_int_equal(vm->s->seg[X86_SS].sel, KERNEL_DS);
  assert_false(vm->c->rflags_rest & X86_FLAG_IF);
  /* The frame sets IF with an interrupt pending: back to the runner at 1f. */
  vm_wr64(vm, KTEXT_PA + 0x100, 0); /* unused: keeps the frame apart */
  static const uint8_t with_if[] = {0x8c, 0xd0, 0x50, 0x54, 0x48, 0x83, 0x04, 0x24, 0x08,
                                    0x68, 0x02, 0x02, 0x00, 0x00, /* push 0x202 */
                                    0x8c, 0xc8, 0x50, 0x68, 0x18, 0x00, 0x00, 0x80, 0x48, 0xcf,
                                    0xf4};
  vm_poke(vm, KTEXT_PA, with_if, sizeof with_if);
  vm->c->rip = KTEXT;
  assert_int_equal(vm_run(vm, 1), X86SYS_CONTINUE);
  assert_int_equal(vm->c->rip, KTEXT + 24);
  assert_true(vm->c->rflags_rest & X86_FLAG_IF);
  assert_true(x86sys_irq_ready(vm->cpu));
  assert_int_equal(vm->c->gpr[X86_RSP], KSTACK);
  vm_free(vm);
}

/* mov ax, 0x40; ltr ax; str bx; sgdt [rsp-16]; hlt */
static void test_ltr_str_sgdt(void **state) {
  (void)state;
  static const uint8_t code[] = {0x66, 0xb8, 0x40, 0x00, 0x0f, 0x00, 0xd8, 0x66, 0x0f,
                                 0x00, 0xcb, 0x0f, 0x01, 0x44, 0x24, 0xf0, 0xf4};
  Vm *vm = vm_new();
  vm->s->tr = (X86Seg){0};
  assert_int_equal(vm_run_kernel(vm, code, sizeof code), X86SYS_HALT);
  assert_int_equal(vm->s->tr.sel, TSS_SEL);
  assert_int_equal(vm->s->tr.base, TSS_PA);
  assert_int_equal(vm->s->tr.limit, 0x67);
  assert_int_equal(vm->ram[GDT_PA + TSS_SEL + 5], 0x8b); /* busy */
  assert_int_equal(vm->c->gpr[X86_RBX] & 0xffff, TSS_SEL);
  uint16_t limit;
  memcpy(&limit, vm->ram + KSTACK - 16, 2);
  assert_int_equal(limit, 0x4f);
  assert_int_equal(vm_rd64(vm, KSTACK - 14), GDT_PA);
  /* ltr of a busy TSS is #GP(selector). */
  assert_int_equal(vm_run_kernel(vm, code, sizeof code), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(stack_err(vm), TSS_SEL);
  vm_free(vm);
}

/* lsl/lar set ZF for visible descriptors only. */
static void test_lsl_lar(void **state) {
  (void)state;
  /* mov ecx, sel; lsl eax, ecx (or lar); hlt */
  uint8_t code[] = {0xb9, 0, 0, 0, 0, 0x0f, 0x03, 0xc1, 0xf4};
  Vm *vm = vm_new();
  code[1] = USER_DS;
  vm_poke(vm, UTEXT_PA, code, sizeof code);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT); /* the hlt faults */
  assert_true(vm->c->zf);
  assert_int_equal(vm->c->gpr[X86_RAX], 0xffffffff);
  vm_free(vm);
  vm = vm_new();
  code[1] = KERNEL_DS; /* DPL0: invisible from CPL3 */
  vm_poke(vm, UTEXT_PA, code, sizeof code);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  vm->c->gpr[X86_RAX] = 77;
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_false(vm->c->zf);
  assert_int_equal(vm->c->gpr[X86_RAX], 77);
  vm_free(vm);
  vm = vm_new();
  code[1] = TSS_SEL, code[6] = 0x02; /* lar of the TSS at CPL0 */
  assert_int_equal(vm_run_kernel(vm, code, sizeof code), X86SYS_HALT);
  assert_true(vm->c->zf);
  assert_int_equal(vm->c->gpr[X86_RAX], 0x8900);
  code[1] = 0x50; /* beyond the GDT's limit */
  assert_int_equal(vm_run_kernel(vm, code, sizeof code), X86SYS_HALT);
  assert_false(vm->c->zf);
  vm_free(vm);
}

/* lretq at the same level reloads CS; to 32-bit code it is #GP. */
static void test_lretq(void **state) {
  (void)state;
  /* push 0x10; push KTEXT + 0x20 (sign-extended); lretq */
  static const uint8_t same[] = {0x6a, 0x10, 0x68, 0x20, 0x00, 0x00, 0x80, 0x48, 0xcb};
  /* push 0x23; push 0x1000; lretq */
  static const uint8_t to32[] = {0x6a, 0x23, 0x68, 0x00, 0x10, 0x00, 0x00, 0x48, 0xcb};
  Vm *vm = vm_new();
  vm_poke(vm, KTEXT_PA + 0x20, hlt, 1);
  vm->s->seg[X86_CS].attr = 0;
  assert_int_equal(vm_run_kernel(vm, same, sizeof same), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 0x21);
  assert_int_equal(vm->s->seg[X86_CS].sel, KERNEL_CS);
  assert_true(vm->s->seg[X86_CS].attr & X86_ATTR_L);
  assert_int_equal(vm->c->gpr[X86_RSP], KSTACK);
  vm_free(vm);
  vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, to32, sizeof to32), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  assert_int_equal(stack_err(vm), USER32_CS & 0xfffc);
  vm_free(vm);
}

/* -- IR exceptions and code changes ------------------------------------------------------ */

static void test_ir_exceptions(void **state) {
  (void)state;
  static const uint8_t ud2[] = {0x0f, 0x0b};
  static const uint8_t div0[] = {0x31, 0xc9, 0xf7, 0xf1}; /* xor ecx, ecx; div ecx */
  static const uint8_t fwait[] = {0x9b};
  /* mov dword [0x400000], eax: user text is read-only */
  static const uint8_t ustore[] = {0x89, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00};
  Vm *vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, ud2, sizeof ud2), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_UD);
  vm_free(vm);
  vm = vm_new();
  assert_int_equal(vm_run_kernel(vm, div0, sizeof div0), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_DE);
  assert_int_equal(vm_rd64(vm, vm->c->gpr[X86_RSP]), KTEXT + 2);
  vm_free(vm);
  vm = vm_new(); /* an unmasked x87 exception pending at fwait: #MF */
  vm->c->fcw = 0x37b;       /* ZE unmasked */
  vm->c->fsw = 0x0084;      /* ZE, ES */
  assert_int_equal(vm_run_kernel(vm, fwait, sizeof fwait), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_MF);
  vm_free(vm);
  vm = vm_new();
  vm_poke(vm, UTEXT_PA, ustore, sizeof ustore);
  vm_enter_user(vm, UTEXT, USTACK + 0x800);
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_PF);
  assert_int_equal(vm_rd64(vm, RSP0 - 48), X86_PF_P | X86_PF_W | X86_PF_U);
  assert_int_equal(vm->s->cr2, UTEXT);
  vm_free(vm);
}

/* Code that rewrites code the engine has translated runs the new bytes. */
static void test_self_modifying_code(void **state) {
  (void)state;
  static const uint8_t mov1[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4}; /* mov eax, 1; hlt */
  /* mov byte [KTEXT + 0x1001], 2; jmp KTEXT + 0x1000 */
  static const uint8_t patch[] = {0xc6, 0x04, 0x25, 0x01, 0x10, 0x00, 0x80, 0x02,
                                  0xe9, 0xf3, 0x0f, 0x00, 0x00};
  Vm *vm = vm_new();
  vm_poke(vm, KTEXT_PA + 0x1000, mov1, sizeof mov1);
  vm->c->rip = KTEXT + 0x1000;
  assert_int_equal(vm_run(vm, 10), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RAX], 1);
  assert_true(x86_code_page(vm->s, KTEXT_PA + 0x1000));
  assert_int_equal(vm_run_kernel(vm, patch, sizeof patch), X86SYS_HALT);
  assert_int_equal(vm->c->gpr[X86_RAX], 2);
  vm_free(vm);
}

/* A block patches the cpuid it is about to reach into two nops: the running
 * block still ends with raise sys there, and the runner, finding no system
 * instruction, translates the new bytes instead of raising #UD. */
static void test_patched_system_insn(void **state) {
  (void)state;
  uint8_t code[0x13];
  memset(code, 0x90, sizeof code);
  static const uint8_t patch[] = {0x66, 0xc7, 0x04, 0x25, 0x10, 0x00, 0x00, 0x80, 0x90, 0x90};
  memcpy(code, patch, sizeof patch); /* mov word [KTEXT + 0x10], 0x9090 */
  code[0x10] = 0x0f, code[0x11] = 0xa2; /* cpuid */
  code[0x12] = 0xf4;                    /* hlt */
  Vm *vm = vm_new();
  vm->c->gpr[X86_RAX] = 0x1234;
  assert_int_equal(vm_run_kernel(vm, code, sizeof code), X86SYS_HALT);
  assert_int_equal(vm->c->rip, KTEXT + 0x13);
  assert_int_equal(vm->c->gpr[X86_RAX], 0x1234);
  assert_int_equal(vm->ram[KTEXT_PA + 0x10], 0x90);
  vm_free(vm);
}

/* lock xadd [rbx], eax: on a clean page (the dirty bit gets set), on a page
 * holding translated code (its blocks are dropped), on MMIO (#GP). */
static void test_atomics(void **state) {
  (void)state;
  static const uint8_t xadd[] = {0xf0, 0x0f, 0xc1, 0x03, 0xf4};
  Vm *vm = vm_new();
  uint64_t va = 0xb000000ull;
  vm_map(vm, va, 0x500000, P_W, 0);
  vm_wr64(vm, 0x500010, 40);
  vm->c->gpr[X86_RBX] = va + 0x10;
  vm->c->gpr[X86_RAX] = 2;
  assert_int_equal(vm_run_kernel(vm, xadd, sizeof xadd), X86SYS_HALT);
  assert_int_equal(vm_rd64(vm, 0x500010), 42);
  assert_int_equal(vm->c->gpr[X86_RAX], 40);
  assert_true(vm_rd64(vm, vm_pte_addr(vm, va, 0)) & P_D);
  /* The code page (the xadd's own): its write tag is IO until the atomic's
   * slow path drops the blocks; without that the retry would never pass. */
  vm->c->gpr[X86_RBX] = KTEXT + 0x40;
  vm->c->gpr[X86_RAX] = 1;
  assert_int_equal(vm_run_kernel(vm, xadd, sizeof xadd), X86SYS_HALT);
  assert_int_equal(vm->ram[KTEXT_PA + 0x40], 1);
  vm_free(vm);
  vm = vm_new();
  vm_map(vm, va, 0xfeb00000ull, P_W | P_D, 0);
  vm->c->gpr[X86_RBX] = va;
  assert_int_equal(vm_run_kernel(vm, xadd, sizeof xadd), X86SYS_HALT);
  assert_int_equal(vm_vector(vm), X86_EXC_GP);
  vm_free(vm);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syscall_sysret),
      cmocka_unit_test(test_sysret_checks),
      cmocka_unit_test(test_iretq_to_user),
      cmocka_unit_test(test_iretq_checks),
      cmocka_unit_test(test_swapgs),
      cmocka_unit_test(test_cpuid),
      cmocka_unit_test(test_msrs),
      cmocka_unit_test(test_tsc),
      cmocka_unit_test(test_sti),
      cmocka_unit_test(test_sreg_reads),
      cmocka_unit_test(test_iretq_same_cpl),
      cmocka_unit_test(test_control_registers),
      cmocka_unit_test(test_invlpg),
      cmocka_unit_test(test_invlpg_code),
      cmocka_unit_test(test_port_io),
      cmocka_unit_test(test_popf),
      cmocka_unit_test(test_segment_loads),
      cmocka_unit_test(test_ltr_str_sgdt),
      cmocka_unit_test(test_lsl_lar),
      cmocka_unit_test(test_lretq),
      cmocka_unit_test(test_ir_exceptions),
      cmocka_unit_test(test_self_modifying_code),
      cmocka_unit_test(test_patched_system_insn),
      cmocka_unit_test(test_atomics),
  };
  /* The interpreter tier (IrMemOps), then backend_fast (the inline TLB and
   * the softmmu slow paths). */
  int failed = cmocka_run_group_tests_name("interp", tests, NULL, NULL);
  vm_tier = EMU_TIER_FAST;
  return failed + cmocka_run_group_tests_name("fast", tests, NULL, NULL);
}
