/* test_x64_asm_run.c — small functions emitted with x64_asm and run for real:
 * mmap RW, emit, mprotect RX, call through a function pointer (SysV ABI:
 * args in rdi, rsi, rdx; doubles in xmm0, xmm1; result in rax / xmm0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "x64_asm.h"

enum { JIT_SIZE = 4096 };

static X64Asm *jit_begin(X64Asm *a) {
  void *mem = mmap(NULL, JIT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(mem != MAP_FAILED);
  x64_init(a, mem, JIT_SIZE);
  return a;
}
static void *jit_end(X64Asm *a) {
  assert_true(x64_ok(a));
  assert_int_equal(mprotect(a->start, JIT_SIZE, PROT_READ | PROT_EXEC), 0);
  return a->start;
}
static void jit_free(X64Asm *a) { munmap(a->start, JIT_SIZE); }

typedef long (*Fn2)(long, long);
typedef long (*Fn3)(long, long, long);
typedef long (*Fn1)(long);
typedef double (*FnD)(double, double);

/* a + b*3 */
static void test_run_arith(void **state) {
  X64Asm a;
  jit_begin(&a);
  x64_lea(&a, X64_S64, X64_RAX, x64_mem_sib(X64_RSI, X64_RSI, 2, 0));
  x64_alu_rr(&a, X64_ADD, X64_S64, X64_RAX, X64_RDI);
  x64_ret(&a);
  Fn2 f = (Fn2)jit_end(&a);
  assert_int_equal(f(5, 7), 26);
  assert_int_equal(f(-4, 1000000000000), 2999999999996);
  jit_free(&a);
}

/* sum 1..n with a backward jcc, the n == 0 case skipped by a forward label. */
static void test_run_loop(void **state) {
  X64Asm a;
  X64Label loop = X64_LABEL_INIT, done = X64_LABEL_INIT;
  jit_begin(&a);
  x64_alu_rr(&a, X64_XOR, X64_S32, X64_RAX, X64_RAX);
  x64_mov_rr(&a, X64_S64, X64_R10, X64_RDI);
  x64_rmreg_rr(&a, X64_TEST, X64_S64, X64_R10, X64_R10);
  x64_jcc_label(&a, X64_CC_Z, &done);
  x64_bind(&a, &loop);
  x64_alu_rr(&a, X64_ADD, X64_S64, X64_RAX, X64_R10);
  x64_unary_r(&a, X64_DEC, X64_S64, X64_R10);
  x64_jcc_label(&a, X64_CC_NZ, &loop);
  x64_bind(&a, &done);
  x64_ret(&a);
  Fn1 f = (Fn1)jit_end(&a);
  assert_int_equal(f(0), 0);
  assert_int_equal(f(1), 1);
  assert_int_equal(f(100), 5050);
  assert_int_equal(f(100000), 5000050000);
  jit_free(&a);
}

/* max(a, b) with a short forward branch over one mov, through high registers;
 * plus a signed a < b via setcc + movzx. */
static void test_run_branch_setcc(void **state) {
  X64Asm a;
  X64Label skip = X64_LABEL_INIT;
  jit_begin(&a);
  x64_mov_rr(&a, X64_S64, X64_R8, X64_RDI);
  x64_mov_rr(&a, X64_S64, X64_R9, X64_RSI);
  x64_alu_rr(&a, X64_CMP, X64_S64, X64_R8, X64_R9);
  x64_jcc_label_short(&a, X64_CC_GE, &skip);
  x64_mov_rr(&a, X64_S64, X64_R8, X64_R9);
  x64_bind(&a, &skip);
  x64_mov_rr(&a, X64_S64, X64_RAX, X64_R8);
  x64_ret(&a);
  uint8_t *lt = a.p;
  x64_alu_rr(&a, X64_CMP, X64_S64, X64_RDI, X64_RSI);
  x64_setcc_r(&a, X64_CC_L, X64_RSI); /* SIL: needs the empty REX */
  x64_widen_rr(&a, X64_MOVZX8, X64_S32, X64_RAX, X64_RSI);
  x64_ret(&a);
  uint8_t *base = jit_end(&a);
  Fn2 max = (Fn2)base, less = (Fn2)(void *)lt;
  assert_int_equal(max(3, 9), 9);
  assert_int_equal(max(9, 3), 9);
  assert_int_equal(max(-5, -7), -5);
  assert_int_equal(less(-5, 2), 1);
  assert_int_equal(less(2, -5), 0);
  assert_int_equal(less(0x1234, 0x1234), 0);
  jit_free(&a);
}

/* addsd, through xmm9 and back; and int -> double -> int conversion. */
static void test_run_sse(void **state) {
  X64Asm a;
  jit_begin(&a);
  x64_sse_rr(&a, X64_MOVAPD, X64_XMM9, X64_XMM0);
  x64_sse_rr(&a, X64_ADDSD, X64_XMM9, X64_XMM1);
  x64_sse_rr(&a, X64_MOVAPD, X64_XMM0, X64_XMM9);
  x64_ret(&a);
  uint8_t *conv = a.p; /* (long)((double)a * 2.5) via a RIP-relative constant */
  X64Label k = X64_LABEL_INIT;
  x64_sse_rr(&a, X64_CVTSI2SD64, X64_XMM2, X64_RDI);
  x64_sse_rm(&a, X64_MULSD, X64_XMM2, x64_mem_rip(0));
  x64_rip_label(&a, &k);
  x64_sse_rr(&a, X64_CVTTSD2SI64, X64_R11, X64_XMM2);
  x64_mov_rr(&a, X64_S64, X64_RAX, X64_R11);
  x64_ret(&a);
  x64_align(&a, 8);
  x64_bind(&a, &k);
  double two_and_half = 2.5;
  x64_bytes(&a, &two_and_half, 8);
  uint8_t *vec = a.p; /* out[i] = a[i] + b[i], four u32 lanes, unaligned memory */
  x64_sse_rm(&a, X64_MOVDQU, X64_XMM3, x64_mem(X64_RSI, 0));
  x64_sse_rm(&a, X64_MOVDQU, X64_XMM12, x64_mem_sib(X64_RDX, X64_NOREG, 1, 0));
  x64_sse_rr(&a, X64_PADDD, X64_XMM3, X64_XMM12);
  x64_sse_mr(&a, X64_MOVDQU_ST, x64_mem(X64_RDI, 0), X64_XMM3);
  x64_ret(&a);
  uint8_t *base = jit_end(&a);
  FnD add = (FnD)base;
  Fn1 cv = (Fn1)(void *)conv;
  Fn3 vadd = (Fn3)(void *)vec;
  assert_true(add(1.25, 2.5) == 3.75);
  assert_true(add(-1e300, 1e300) == 0.0);
  assert_int_equal(cv(4), 10);
  assert_int_equal(cv(-3), -7);
  uint32_t x[5] = {1, 2, 3, 0xffffffff, 0}, y[5] = {10, 20, 30, 2, 0}, out[5] = {0};
  vadd((long)(uintptr_t)(out + 1), (long)(uintptr_t)(x + 1), (long)(uintptr_t)(y + 1));
  assert_int_equal(out[0], 0);
  assert_int_equal(out[1], 22);
  assert_int_equal(out[2], 33);
  assert_int_equal(out[3], 1);
  assert_int_equal(out[4], 0);
  jit_free(&a);
}

/* lock cmpxchg [rdi], rdx with rax = expected: returns the old value. */
static void test_run_cmpxchg(void **state) {
  X64Asm a;
  jit_begin(&a);
  x64_mov_rr(&a, X64_S64, X64_RAX, X64_RSI);
  x64_lock(&a);
  x64_rmreg_mr(&a, X64_CMPXCHG, X64_S64, x64_mem(X64_RDI, 0), X64_RDX);
  x64_ret(&a);
  uint8_t *xadd = a.p; /* lock xadd [rdi+8], esi: returns the old 32-bit value */
  x64_lock(&a);
  x64_rmreg_mr(&a, X64_XADD, X64_S32, x64_mem(X64_RDI, 8), X64_RSI);
  x64_widen_rr(&a, X64_MOVSXD, X64_S64, X64_RAX, X64_RSI);
  x64_ret(&a);
  uint8_t *base = jit_end(&a);
  Fn3 cas = (Fn3)base;
  Fn2 fadd = (Fn2)(void *)xadd;
  long cell[2] = {42, 0};
  assert_int_equal(cas((long)(uintptr_t)cell, 42, 7), 42);
  assert_int_equal(cell[0], 7);
  assert_int_equal(cas((long)(uintptr_t)cell, 42, 99), 7);
  assert_int_equal(cell[0], 7);
  int32_t *c32 = (int32_t *)(void *)&cell[1];
  *c32 = 100;
  assert_int_equal(fadd((long)(uintptr_t)cell, 5), 100);
  assert_int_equal(fadd((long)(uintptr_t)cell, -200), 105);
  assert_int_equal(*c32, -95);
  jit_free(&a);
}

static long helper_twice_plus_one(long x) { return 2 * x + 1; }

/* Block chaining: an entry jmp re-pointed at run time between two stubs; and a
 * call to C code anywhere in the address space. */
static void test_run_chain_and_call(void **state) {
  X64Asm a;
  jit_begin(&a);
  uint8_t *one = a.p;
  x64_mov_ri(&a, X64_S64, X64_RAX, 1);
  x64_ret(&a);
  uint8_t *two = a.p;
  x64_mov_ri(&a, X64_S64, X64_RAX, -2);
  x64_ret(&a);
  x64_nop(&a, 1); /* make the entry need padding */
  uint8_t *entry = a.p;
  uint8_t *j = x64_jmp_patchable(&a, one);
  uint8_t *caller = a.p; /* f(x) = helper(x) + 10; keeps the stack 16-aligned */
  x64_alu_ri(&a, X64_SUB, X64_S64, X64_RSP, 8);
  x64_call_far(&a, (const void *)helper_twice_plus_one, X64_R11);
  x64_alu_ri(&a, X64_ADD, X64_S64, X64_RSP, 8);
  x64_alu_ri(&a, X64_ADD, X64_S64, X64_RAX, 10);
  x64_ret(&a);
  jit_end(&a);
  Fn1 run = (Fn1)(void *)entry, call = (Fn1)(void *)caller;
  assert_int_equal(run(0), 1);
  assert_int_equal(mprotect(a.start, JIT_SIZE, PROT_READ | PROT_WRITE), 0);
  assert_true(x64_patch_branch_atomic(j, two));
  assert_int_equal(mprotect(a.start, JIT_SIZE, PROT_READ | PROT_EXEC), 0);
  assert_int_equal(run(0), -2);
  assert_int_equal(call(20), 51);
  jit_free(&a);
}

/* Shifts, rotates, bit ops and division on real data. */
static void test_run_bits(void **state) {
  X64Asm a;
  jit_begin(&a);
  uint8_t *f_shift = a.p; /* ((a << 3) >> 1 arith) rotl 4 by CL = b */
  x64_mov_rr(&a, X64_S64, X64_RAX, X64_RDI);
  x64_shift_ri(&a, X64_SHL, X64_S64, X64_RAX, 3);
  x64_shift_ri(&a, X64_SAR, X64_S64, X64_RAX, 1);
  x64_mov_rr(&a, X64_S8, X64_RCX, X64_RSI);
  x64_shift_rc(&a, X64_ROL, X64_S64, X64_RAX);
  x64_ret(&a);
  uint8_t *f_div = a.p; /* a / b (signed) */
  x64_mov_rr(&a, X64_S64, X64_RAX, X64_RDI);
  x64_fixed(&a, X64_CQO);
  x64_unary_r(&a, X64_IDIV, X64_S64, X64_RSI);
  x64_ret(&a);
  uint8_t *f_bts = a.p; /* a with bit b set, then bswap32 of the low half */
  x64_mov_rr(&a, X64_S64, X64_RAX, X64_RDI);
  x64_bit_rr(&a, X64_BTS, X64_S64, X64_RAX, X64_RSI);
  x64_bswap(&a, X64_S32, X64_RAX);
  x64_ret(&a);
  uint8_t *f_bsr = a.p; /* index of the top set bit of a (a != 0) */
  x64_regrm_rr(&a, X64_BSR, X64_S64, X64_RAX, X64_RDI);
  x64_ret(&a);
  jit_end(&a);
  Fn2 shift = (Fn2)(void *)f_shift, divi = (Fn2)(void *)f_div, bts = (Fn2)(void *)f_bts;
  Fn1 bsr = (Fn1)(void *)f_bsr;
  assert_int_equal(shift(-1, 0), -4);
  assert_int_equal(shift(1, 4), 64);
  assert_int_equal(shift(1, 62), 1); /* 4 rotl 62 = 1 */
  assert_int_equal(divi(-100, 7), -14);
  assert_int_equal(divi(1000000000000, -3), -333333333333);
  assert_int_equal(bts(0, 8), 0x00010000);
  assert_int_equal(bts(0x11223344, 0), 0x45332211);
  assert_int_equal(bsr(1), 0);
  assert_int_equal(bsr(0x8000000000000000ull), 63);
  jit_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_run_arith),   cmocka_unit_test(test_run_loop),
      cmocka_unit_test(test_run_branch_setcc), cmocka_unit_test(test_run_sse),
      cmocka_unit_test(test_run_cmpxchg), cmocka_unit_test(test_run_chain_and_call),
      cmocka_unit_test(test_run_bits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
