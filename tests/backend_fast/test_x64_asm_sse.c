/* test_x64_asm_sse.c — every row of x64_asm_sse.def, in every form it has
 * (register pairs over XMM0-15 / all GPRs, every addressing case, imm8),
 * decoded by Zydis and compared with the Intel text the row implies. The
 * expected length also pins the prefix/REX/escape bytes: no needless REX. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "x64_check.h"

static const uint8_t sse_imms[] = {0, 5, 0xff};

/* An operand of row `row` as text: a GPR (32/64 by REX.W) or an XMM. */
static const char *opnd(const X64OpInfo *row, bool gpr, unsigned r) {
  return gpr ? chk_reg(row->flags & X64F_W ? 8 : 4, r) : chk_xmm(r);
}

static unsigned map_len(const X64OpInfo *row) {
  return row->map == X64_MAP_NONE ? 0 : row->map == X64_MAP_0F ? 1 : 2;
}

/* "/digit" rows: one XMM in ModRM.rm and an imm8. */
static void check_digit_row(const X64OpInfo *row, X64SseOp op) {
  char w[200];
  for (unsigned x = 0; x < 16; x++)
    for (unsigned i = 0; i < sizeof sse_imms; i++) {
      x64_sse_ri(chk_asm(), op, x, sse_imms[i]);
      snprintf(w, sizeof w, "%s %s, 0x%x", row->name, chk_xmm(x), sse_imms[i]);
      chk_expect_x(w, (ChkExtra){NULL, 8, (row->pfx != 0) + (x >= 8) + map_len(row) + 3});
    }
}

static void check_row(const X64OpInfo *row, X64SseOp op) {
  bool rm_dst = row->flags & X64F_RM_DST, imm = row->flags & X64F_IMM8;
  bool reg_gpr = row->flags & X64F_GREG, rm_gpr = row->flags & X64F_GRM;
  bool dst_gpr = rm_dst ? rm_gpr : reg_gpr, src_gpr = rm_dst ? reg_gpr : rm_gpr;
  unsigned nimm = imm ? sizeof sse_imms : 1;
  char w[200], t1[96];
  for (unsigned d = 0; d < 16; d++)
    for (unsigned s = 0; s < 16; s++)
      for (unsigned i = 0; i < nimm; i++) {
        char it[16] = "";
        if (imm) {
          x64_sse_rri(chk_asm(), op, d, s, sse_imms[i]);
          snprintf(it, sizeof it, ", 0x%x", sse_imms[i]);
        } else {
          x64_sse_rr(chk_asm(), op, d, s);
        }
        snprintf(w, sizeof w, "%s %s, %s%s", row->name, opnd(row, dst_gpr, d),
                 opnd(row, src_gpr, s), it);
        bool rex = (row->flags & X64F_W) || d >= 8 || s >= 8;
        chk_expect_x(w, (ChkExtra){NULL, imm ? 8 : 0,
                                    (row->pfx != 0) + rex + map_len(row) + 2 + imm});
      }
  if (row->flags & X64F_NOMEM) return;
  for (unsigned k = 0; k < CHK_NMEMS; k++)
    for (unsigned i = 0; i < nimm; i++) {
      const X64Mem *m = &chk_mems[k];
      unsigned r = (k * 7 + i) % 16;
      char it[16] = "";
      if (imm) snprintf(it, sizeof it, ", 0x%x", sse_imms[i]);
      if (rm_dst) {
        if (imm)
          x64_sse_mri(chk_asm(), op, *m, r, sse_imms[i]);
        else
          x64_sse_mr(chk_asm(), op, *m, r);
        snprintf(w, sizeof w, "%s %s, %s%s", row->name, chk_mem(t1, row->msize, *m),
                 opnd(row, src_gpr, r), it);
      } else {
        if (imm)
          x64_sse_rmi(chk_asm(), op, r, *m, sse_imms[i]);
        else
          x64_sse_rm(chk_asm(), op, r, *m);
        snprintf(w, sizeof w, "%s %s, %s%s", row->name, opnd(row, dst_gpr, r),
                 chk_mem(t1, row->msize, *m), it);
      }
      chk_expect_x(w, (ChkExtra){m, imm ? 8 : 0, 0});
    }
}

static void test_sse_rows(void **state) {
  for (unsigned op = 0; op < X64_SSE__COUNT; op++) {
    const X64OpInfo *row = &x64_sse_info[op];
    unsigned before = chk.failed;
    if (row->ext >= 0)
      check_digit_row(row, op);
    else
      check_row(row, op);
    if (chk.failed != before) fprintf(stderr, "  ^ row %u (%s)\n", op, row->name);
  }
  assert_int_equal(chk.failed, 0);
}

/* ldmxcsr/stmxcsr live in the memory-only table; check them here too, by name. */
static void test_mxcsr(void **state) {
  char w[200], t1[96];
  for (unsigned k = 0; k < CHK_NMEMS; k++) {
    x64_memop(chk_asm(), X64_LDMXCSR, chk_mems[k]);
    snprintf(w, sizeof w, "ldmxcsr %s", chk_mem(t1, 4, chk_mems[k]));
    chk_expect_m(w, &chk_mems[k]);
    x64_memop(chk_asm(), X64_STMXCSR, chk_mems[k]);
    snprintf(w, sizeof w, "stmxcsr %s", chk_mem(t1, 4, chk_mems[k]));
    chk_expect_m(w, &chk_mems[k]);
  }
  assert_int_equal(chk.failed, 0);
}

int main(void) {
  chk_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_sse_rows, chk_reset),
      cmocka_unit_test_setup(test_mxcsr, chk_reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
