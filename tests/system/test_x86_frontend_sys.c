/* test_x86_frontend_sys.c — the x86 frontend in system mode (X86_MODE_SYSTEM):
 * the block ends with `raise sys` at each instruction the runner carries out
 * (after running the ones before it), before the first instruction that starts
 * in another 4 KiB page, and carries the MMU index of its CPL. Mode 0 (user
 * mode) lifts the same bytes as before. Runs the IR in the interpreter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "x86_frontend.h"

#define CODE_PC 0xffffffff81000ff0ull /* 16 bytes before a page boundary */

typedef struct Code {
  const uint8_t *bytes;
  size_t n;
} Code;

static size_t fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  const Code *c = ctx;
  if (pc < CODE_PC || pc - CODE_PC >= c->n)
    return 0;
  size_t n = c->n - (pc - CODE_PC);
  n = n < max ? n : max;
  memcpy(buf, c->bytes + (pc - CODE_PC), n);
  return n;
}

static int no_mem(void *ctx, uint64_t a, unsigned s, void *o) { return (void)ctx, (void)a, (void)s, (void)o, 1; }
static int no_store(void *ctx, uint64_t a, unsigned s, const void *i) { return (void)ctx, (void)a, (void)s, (void)i, 1; }

/* Translate the code at CODE_PC in mode and run it once from a zeroed cpu. */
static IrExit run(const uint8_t *bytes, size_t n, uint32_t mode, X86Cpu *cpu, IrBlockInfo *info,
                  uint8_t *mmu_idx) {
  x86_frontend_init();
  Code c = {bytes, n};
  IrCodeFetch f = {.ctx = &c, .fetch = fetch, .mode = mode};
  IrFunc *fn = ir_func_new(&x86_regfile);
  x86_frontend.translate(fn, CODE_PC, &f, info);
  char err[256];
  assert_true(ir_validate(fn, err, sizeof err));
  *mmu_idx = fn->mmu_idx;
  x86_cpu_reset(cpu);
  IrMemOps mem = {.load = no_mem, .store = no_store};
  IrExit x = ir_interp(fn, cpu, &mem);
  ir_func_free(fn);
  return x;
}

/* mov eax, 5; cpuid; nop */
static const uint8_t code_cpuid[] = {0xb8, 5, 0, 0, 0, 0x0f, 0xa2, 0x90};

static void test_sys_insn_raises_sys(void **state) {
  (void)state;
  X86Cpu cpu;
  IrBlockInfo info;
  uint8_t mmu;
  IrExit x = run(code_cpuid, sizeof code_cpuid, X86_MODE_SYSTEM, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_sys);
  assert_int_equal(x.pc, CODE_PC + 5); /* the cpuid, not carried out */
  assert_int_equal(x.addr, 2);         /* its length */
  assert_int_equal(cpu.gpr[X86_RAX], 5); /* the mov before it ran */
  assert_int_equal(cpu.gpr[X86_RBX], 0);
  assert_int_equal(mmu, 0);
  assert_int_equal(info.ninsns, 2);
  run(code_cpuid, sizeof code_cpuid, X86_MODE_SYSTEM | X86_MODE_CPL3, &cpu, &info, &mmu);
  assert_int_equal(mmu, 1);
}

static void test_user_mode_unchanged(void **state) {
  (void)state;
  X86Cpu cpu;
  IrBlockInfo info;
  uint8_t mmu;
  IrExit x = run(code_cpuid, sizeof code_cpuid, 0, &cpu, &info, &mmu);
  /* cpuid ran as the user-mode helper: leaf 5 is not in its table, all zero. */
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, CODE_PC + sizeof code_cpuid);
  assert_int_equal(cpu.gpr[X86_RAX], 0);
  assert_int_equal(info.ninsns, 3);
}

/* Each of these is carried out by the runner in system mode. */
static void test_sys_forms(void **state) {
  (void)state;
  static const struct {
    const char *name;
    uint8_t bytes[8];
    size_t n;
  } forms[] = {
      {"mov cr3, rax", {0x0f, 0x22, 0xd8}, 3},
      {"mov rax, cr0", {0x0f, 0x20, 0xc0}, 3},
      {"mov ds, ax", {0x8e, 0xd8}, 2},
      {"mov eax, fs", {0x8c, 0xe0}, 2},
      {"push fs", {0x0f, 0xa0}, 2},
      {"pop gs", {0x0f, 0xa9}, 2},
      {"lgdt [rax]", {0x0f, 0x01, 0x10}, 3},
      {"wrmsr", {0x0f, 0x30}, 2},
      {"out dx, al", {0xee}, 1},
      {"in al, 0x60", {0xe4, 0x60}, 2},
      {"rep outsb", {0xf3, 0x6e}, 2},
      {"sti", {0xfb}, 1},
      {"popfq", {0x9d}, 1},
      {"hlt", {0xf4}, 1},
      {"iretq", {0x48, 0xcf}, 2},
      {"sysretq", {0x48, 0x0f, 0x07}, 3},
      {"swapgs", {0x0f, 0x01, 0xf8}, 3},
      {"invlpg [rax]", {0x0f, 0x01, 0x38}, 3},
      {"rdtsc", {0x0f, 0x31}, 2},
      {"int 0x80", {0xcd, 0x80}, 2},
      {"int3", {0xcc}, 1},
      {"lretq", {0x48, 0xcb}, 2},
      {"jmp far [rax]", {0xff, 0x28}, 2},
      {"ltr ax", {0x0f, 0x00, 0xd8}, 3},
      {"lsl eax, ecx", {0x0f, 0x03, 0xc1}, 3},
  };
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    X86Cpu cpu;
    IrBlockInfo info;
    uint8_t mmu;
    IrExit x = run(forms[i].bytes, forms[i].n, X86_MODE_SYSTEM, &cpu, &info, &mmu);
    if (x.kind != IR_EXIT_EXCEPTION || x.exc != IR_EXC_sys || x.pc != CODE_PC ||
        x.addr != forms[i].n)
      fail_msg("%s: kind %d exc %d pc %#llx", forms[i].name, x.kind, x.exc,
               (unsigned long long)x.pc);
  }
}

/* cli: IR at CPL0 (IF cleared, no exit), the runner's at CPL3 (IOPL), and
 * undefined in user mode as before. */
static void test_cli(void **state) {
  (void)state;
  static const uint8_t cli[] = {0xfa};
  X86Cpu cpu;
  IrBlockInfo info;
  uint8_t mmu;
  IrExit x = run(cli, sizeof cli, X86_MODE_SYSTEM, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, CODE_PC + 1);
  assert_false(cpu.rflags_rest & 0x200);
  x = run(cli, sizeof cli, X86_MODE_SYSTEM | X86_MODE_CPL3, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_sys);
  assert_true(cpu.rflags_rest & 0x200);
  x = run(cli, sizeof cli, 0, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_undef);
  assert_int_equal(x.addr, IR_UNDEF_UNIMPL);
}

/* syscall stays a syscall exit; pushfq stays in IR. */
static void test_syscall_and_pushf_stay(void **state) {
  (void)state;
  X86Cpu cpu;
  IrBlockInfo info;
  uint8_t mmu;
  static const uint8_t sc[] = {0x0f, 0x05};
  IrExit x = run(sc, sizeof sc, X86_MODE_SYSTEM, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_SYSCALL);
  assert_int_equal(x.pc, CODE_PC + 2);
  static const uint8_t pf[] = {0x9c}; /* pushfq: stores, and our memory faults */
  x = run(pf, sizeof pf, X86_MODE_SYSTEM, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(x.exc, IR_EXC_fault);
}

/* 14 one-byte nops, then a 4-byte instruction crossing the page boundary at
 * CODE_PC + 16, then nops in the next page: the block takes the crossing
 * instruction and stops at the first one starting in the next page. */
static void test_page_end(void **state) {
  (void)state;
  uint8_t code[32];
  memset(code, 0x90, sizeof code);
  static const uint8_t add[] = {0x48, 0x83, 0xc0, 0x07}; /* add rax, 7 */
  memcpy(code + 14, add, sizeof add);
  X86Cpu cpu;
  IrBlockInfo info;
  uint8_t mmu;
  IrExit x = run(code, sizeof code, X86_MODE_SYSTEM, &cpu, &info, &mmu);
  assert_int_equal(x.kind, IR_EXIT_JUMP);
  assert_int_equal(x.pc, CODE_PC + 18);
  assert_int_equal(cpu.gpr[X86_RAX], 7);
  assert_int_equal(info.ninsns, 15);
  assert_int_equal(info.guest_bytes, 18);
  /* User mode is not cut at pages. */
  x = run(code, sizeof code, 0, &cpu, &info, &mmu);
  assert_int_equal(x.pc, CODE_PC + sizeof code);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sys_insn_raises_sys),
      cmocka_unit_test(test_user_mode_unchanged),
      cmocka_unit_test(test_sys_forms),
      cmocka_unit_test(test_cli),
      cmocka_unit_test(test_syscall_and_pushf_stay),
      cmocka_unit_test(test_page_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
