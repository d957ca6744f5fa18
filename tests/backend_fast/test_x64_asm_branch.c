/* test_x64_asm_branch.c — branches, labels, RIP-relative fixups, run-time
 * patching and buffer overflow of x64_asm, checked by decoding with Zydis at
 * the code's real address (so targets print as absolute addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "x64_check.h"

static uint8_t code[4096] __attribute__((aligned(64)));

/* The instruction at p must read `want` and be len bytes (0: any). */
static void expect_at(const uint8_t *p, unsigned len, const char *fmt, ...) {
  char want[160], text[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(want, sizeof want, fmt, ap);
  va_end(ap);
  ZydisDecodedInstruction ins;
  chk.checked++;
  if (!chk_decode(p, 16, &ins, text, sizeof text) || strcmp(text, want) != 0 ||
      (len && ins.length != len)) {
    chk.failed++;
    fprintf(stderr, "FAIL at +%td: want \"%s\" (%u bytes), got \"%s\" (%u bytes)\n", p - code, want,
            len, text, ins.length);
  }
}

static unsigned long long addr(const void *p) { return (unsigned long long)(uintptr_t)p; }

static void test_branch_to_address(void **state) {
  static const int64_t offs[] = {-200, -126, -1, 0, 2, 100, 129, 130, 131, 0x10000, -0x10000,
                                 0x7fff0000, -0x7fff0000};
  X64Asm a;
  for (unsigned cc = 0; cc < 16; cc++)
    for (unsigned i = 0; i < sizeof offs / sizeof offs[0]; i++) {
      x64_init(&a, code + 2048, 64);
      const void *t = (const void *)((uintptr_t)a.p + offs[i]);
      bool near = offs[i] - 2 >= -128 && offs[i] - 2 <= 127;
      uint8_t *p = x64_jcc(&a, cc, t);
      assert_ptr_equal(p, code + 2048);
      expect_at(p, near ? 2 : 6, "j%s 0x%llx", chk_cc[cc], addr(t));
      p = x64_jcc32(&a, cc, t);
      expect_at(p, 6, "j%s 0x%llx", chk_cc[cc], addr(t));
      if (cc == 0) {
        x64_init(&a, code + 2048, 64);
        t = (const void *)((uintptr_t)a.p + offs[i]);
        expect_at(x64_jmp(&a, t), near ? 2 : 5, "jmp 0x%llx", addr(t));
        expect_at(x64_jmp32(&a, t), 5, "jmp 0x%llx", addr(t));
        expect_at(x64_call(&a, t), 5, "call 0x%llx", addr(t));
        assert_true(x64_ok(&a));
      }
    }
  /* Out of rel32 reach: flagged, never silently wrong. */
  x64_init(&a, code, 64);
  x64_jmp(&a, (const void *)((uintptr_t)code + (1ull << 33)));
  assert_true(a.error);
  /* ...but call_far/jmp_far go anywhere through the scratch register. */
  const void *far = (const void *)((uintptr_t)code + (1ull << 40));
  x64_init(&a, code, 64);
  x64_call_far(&a, far, X64_R11);
  x64_jmp_far(&a, far, X64_RAX);
  x64_call_far(&a, code + 100, X64_R11);
  assert_true(x64_ok(&a));
  expect_at(code, 10, "mov r11, 0x%llx", addr(far));
  expect_at(code + 10, 3, "call r11");
  expect_at(code + 13, 10, "mov rax, 0x%llx", addr(far));
  expect_at(code + 23, 2, "jmp rax");
  expect_at(code + 25, 5, "call 0x%llx", addr(code + 100));
  assert_int_equal(chk.failed, 0);
}

static void test_labels(void **state) {
  X64Asm a;
  X64Label back = X64_LABEL_INIT, fwd = X64_LABEL_INIT, near = X64_LABEL_INIT,
           pool = X64_LABEL_INIT;
  x64_init(&a, code, sizeof code);
  x64_bind(&a, &back);
  x64_nop(&a, 3);
  uint8_t *p_back8 = a.p;
  x64_jcc_label(&a, X64_CC_NE, &back); /* backward, reaches: rel8 */
  uint8_t *p_fwd[3] = {a.p};
  x64_jmp_label(&a, &fwd); /* forward: rel32, chained */
  p_fwd[1] = a.p;
  x64_jcc_label(&a, X64_CC_E, &fwd);
  p_fwd[2] = a.p;
  x64_call_label(&a, &fwd);
  uint8_t *p_near[2] = {a.p};
  x64_jmp_label_short(&a, &near); /* forward rel8, chained */
  p_near[1] = a.p;
  x64_jcc_label_short(&a, X64_CC_B, &near);
  uint8_t *p_rip[2] = {a.p};
  x64_sse_rm(&a, X64_MOVSD, X64_XMM9, x64_mem_rip(0));
  x64_rip_label(&a, &pool);
  p_rip[1] = a.p;
  x64_alu_mi(&a, X64_CMP, X64_S32, x64_mem_rip(0), 0x12345); /* imm32 after the disp */
  x64_rip_label(&a, &pool);
  x64_nop(&a, 10);
  x64_bind(&a, &near);
  uint8_t *p_back_far = a.p + 200;
  x64_nop(&a, 200);
  x64_jcc_label(&a, X64_CC_A, &back); /* backward, out of rel8 reach: rel32 */
  x64_bind(&a, &fwd);
  uint8_t *p_fwd_bound = a.p;
  x64_jmp_label(&a, &fwd); /* jmp to itself: bound label, rel8 */
  uint8_t *p_lea = a.p;
  x64_lea(&a, X64_S64, X64_R12, x64_mem_rip(0));
  x64_rip_label(&a, &fwd); /* RIP operand to a bound label */
  x64_align(&a, 8);
  x64_bind(&a, &pool);
  x64_bytes(&a, "\0\0\0\0\0\0\xF8\x3F", 8);
  assert_true(x64_ok(&a));

  uint8_t *t_back = x64_label_addr(&a, &back), *t_fwd = x64_label_addr(&a, &fwd);
  uint8_t *t_near = x64_label_addr(&a, &near), *t_pool = x64_label_addr(&a, &pool);
  assert_ptr_equal(t_back, code);
  expect_at(p_back8, 2, "jnz 0x%llx", addr(t_back));
  expect_at(p_fwd[0], 5, "jmp 0x%llx", addr(t_fwd));
  expect_at(p_fwd[1], 6, "jz 0x%llx", addr(t_fwd));
  expect_at(p_fwd[2], 5, "call 0x%llx", addr(t_fwd));
  expect_at(p_near[0], 2, "jmp 0x%llx", addr(t_near));
  expect_at(p_near[1], 2, "jb 0x%llx", addr(t_near));
  expect_at(p_back_far, 6, "jnbe 0x%llx", addr(t_back));
  expect_at(p_fwd_bound, 2, "jmp 0x%llx", addr(t_fwd));
  char m[96];
  expect_at(p_rip[0], 9, "movsd xmm9, %s",
            chk_mem(m, 8, x64_mem_rip((int32_t)(t_pool - (p_rip[0] + 9)))));
  expect_at(p_rip[1], 10, "cmp %s, 0x12345",
            chk_mem(m, 4, x64_mem_rip((int32_t)(t_pool - (p_rip[1] + 10)))));
  expect_at(p_lea, 7, "lea r12, %s", chk_mem(m, 0, x64_mem_rip((int32_t)(t_fwd - (p_lea + 7)))));

  /* An absolute RIP target. */
  x64_init(&a, code, 64);
  x64_mov_rm(&a, X64_S64, X64_RAX, x64_mem_rip(0));
  x64_rip_target(&a, code + 0x1000);
  expect_at(code, 7, "mov rax, %s", chk_mem(m, 8, x64_mem_rip(0x1000 - 7)));
  assert_true(x64_ok(&a));
  assert_int_equal(chk.failed, 0);
}

static void test_label_errors(void **state) {
  X64Asm a;
  X64Label l = X64_LABEL_INIT;
  x64_init(&a, code, sizeof code);
  x64_jmp_label_short(&a, &l);
  x64_nop(&a, 128); /* rel8 reaches 127 bytes past its end */
  x64_bind(&a, &l);
  assert_true(a.error);

  x64_init(&a, code, sizeof code);
  x64_label_init(&l);
  x64_jmp_label_short(&a, &l);
  x64_nop(&a, 127);
  x64_bind(&a, &l);
  assert_true(x64_ok(&a));
  expect_at(code, 2, "jmp 0x%llx", addr(code + 129));
  x64_bind(&a, &l);
  assert_true(a.error); /* bound twice */

  x64_init(&a, code, sizeof code);
  x64_label_init(&l);
  x64_ret(&a);
  x64_rip_label(&a, &l); /* ret has no RIP operand */
  assert_true(a.error);

  x64_init(&a, code, sizeof code);
  x64_label_init(&l);
  x64_bind(&a, &l);
  x64_nop(&a, 200);
  x64_jmp_label_short(&a, &l); /* bound, out of reach */
  assert_true(a.error);
  assert_int_equal(chk.failed, 0);
}

/* jmp/jcc/call padded so the rel32 is aligned, then re-pointed atomically. */
static void test_patch(void **state) {
  X64Asm a;
  for (unsigned skew = 0; skew < 8; skew++) {
    x64_init(&a, code, sizeof code);
    x64_nop(&a, skew);
    uint8_t *j = x64_jmp_patchable(&a, code + 1000);
    uint8_t *c = x64_jcc_patchable(&a, X64_CC_LE, code + 1100);
    x64_align_for_patch(&a, 1);
    uint8_t *k = x64_call(&a, code + 1200);
    assert_true(x64_ok(&a));
    assert_int_equal((uintptr_t)(j + 1) & 3, 0);
    assert_int_equal((uintptr_t)(c + 2) & 3, 0);
    assert_int_equal((uintptr_t)(k + 1) & 3, 0);
    assert_true(j - code - skew < 4); /* at most 3 bytes of padding, all nops */
    for (uint8_t *p = code; p < j;) {
      ZydisDecodedInstruction ins;
      char text[160];
      assert_true(chk_decode(p, (size_t)(j - p), &ins, text, sizeof text));
      assert_int_equal(ins.mnemonic, ZYDIS_MNEMONIC_NOP);
      p += ins.length;
    }
    expect_at(j, 5, "jmp 0x%llx", addr(code + 1000));
    expect_at(c, 6, "jle 0x%llx", addr(code + 1100));
    expect_at(k, 5, "call 0x%llx", addr(code + 1200));
    assert_ptr_equal(x64_branch_rel32_field(j), j + 1);
    assert_ptr_equal(x64_branch_rel32_field(c), c + 2);
    assert_true(x64_patch_branch_atomic(j, code + 3000));
    assert_true(x64_patch_branch_atomic(c, code + 8));
    assert_true(x64_patch_branch_atomic(k, code + 2));
    expect_at(j, 5, "jmp 0x%llx", addr(code + 3000));
    expect_at(c, 6, "jle 0x%llx", addr(code + 8));
    expect_at(k, 5, "call 0x%llx", addr(code + 2));
    /* Out of reach: refused, nothing written. */
    assert_false(x64_patch_branch_atomic(j, (const void *)((uintptr_t)code + (1ull << 32))));
    expect_at(j, 5, "jmp 0x%llx", addr(code + 3000));
  }
  /* A misaligned rel32 or a non-branch is refused. */
  x64_init(&a, code, sizeof code);
  x64_align(&a, 4);
  x64_nop(&a, 1);
  uint8_t *j = x64_jmp32(&a, code + 500), *r = a.p;
  x64_ret(&a);
  assert_false(x64_patch_branch_atomic(j, code + 600));
  expect_at(j, 5, "jmp 0x%llx", addr(code + 500));
  assert_null(x64_branch_rel32_field(r));
  assert_false(x64_patch_branch_atomic(r, code + 600));
  /* The plain patchers. */
  assert_true(x64_patch_rel32(j + 1, code + 700));
  expect_at(j, 5, "jmp 0x%llx", addr(code + 700));
  x64_init(&a, code, sizeof code);
  uint8_t *s = x64_jmp(&a, code + 10);
  assert_true(x64_patch_rel8(s + 1, code + 100));
  expect_at(s, 2, "jmp 0x%llx", addr(code + 100));
  assert_false(x64_patch_rel8(s + 1, code + 200));
  assert_int_equal(chk.failed, 0);
}

/* Out of space: `overflow`, never a byte past `end`, never half an instruction. */
static void test_overflow(void **state) {
  static uint8_t buf[96];
  for (unsigned len = 0; len <= 40; len++) {
    memset(buf, 0xAB, sizeof buf);
    X64Asm a;
    X64Label l = X64_LABEL_INIT;
    x64_init(&a, buf, len);
    size_t whole = 0;
    for (unsigned i = 0; i < 8 && !a.overflow; i++) {
      size_t before = x64_len(&a);
      switch (i) {
      case 0: x64_mov_ri(&a, X64_S64, X64_R9, 0x123456789abcdefll); break;
      case 1: x64_jmp_label(&a, &l); break;
      case 2: x64_sse_rmi(&a, X64_PINSRQ, X64_XMM12, x64_mem_sib(X64_R13, X64_R9, 8, 64), 1); break;
      case 3: x64_alu_mi(&a, X64_ADD, X64_S64, x64_mem(X64_RSP, 0x100), 0x12345678); break;
      case 4: x64_nop(&a, 7); break;
      case 5: x64_jcc_label_short(&a, X64_CC_E, &l); break;
      case 6: x64_fixed(&a, X64_MFENCE); break;
      default: x64_ret(&a); break;
      }
      if (!a.overflow) whole = x64_len(&a);
      else assert_int_equal(x64_len(&a), before);
    }
    x64_bind(&a, &l); /* must only touch fixups that were written */
    assert_true(a.overflow); /* the eight need 49 bytes */
    assert_true(a.p <= a.end);
    assert_int_equal(x64_len(&a), whole);
    for (size_t i = len; i < sizeof buf; i++) assert_int_equal(buf[i], 0xAB);
  }
}

int main(void) {
  chk_init();
#define T(f) cmocka_unit_test_setup(f, chk_reset)
  const struct CMUnitTest tests[] = {
      T(test_branch_to_address), T(test_labels), T(test_label_errors), T(test_patch),
      T(test_overflow),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
