/* test_x64_asm_vex.c — every row of x64_asm_vex.def with every register
 * triple (XMM0-15 in each of dst, vvvv, rm) and every addressing case, decoded
 * by Zydis and compared with the Intel text; the length pins the VEX form (no
 * needless 3-byte prefix). Also a few encodings as GNU as writes them, byte
 * for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "x64_check.h"

/* X64F_IMM8 rows (vcmpps: 32 predicates) take these immediates. */
static const uint8_t vex_imms[] = {0, 0x11, 0x1f};

static void check_row(const X64OpInfo *row, X64VexOp op) {
  char w[200], t1[96];
  /* C5 (2 bytes) only for map 0F without W, X, B; then opcode and ModRM */
  bool short_ok = row->map == X64_MAP_0F && !(row->flags & X64F_W);
  bool imm = row->flags & X64F_IMM8;
  for (unsigned d = 0; d < 16; d++)
    for (unsigned v = 0; v < 16; v++)
      for (unsigned s = 0; s < 16; s++) {
        char it[16] = "";
        uint8_t k = vex_imms[(d + v + s) % sizeof vex_imms];
        if (imm) {
          x64_vex_rrri(chk_asm(), op, d, v, s, k);
          snprintf(it, sizeof it, ", 0x%x", k);
        } else {
          x64_vex_rrr(chk_asm(), op, d, v, s);
        }
        snprintf(w, sizeof w, "%s %s, %s, %s%s", row->name, chk_xmm(d), chk_xmm(v), chk_xmm(s), it);
        chk_expect_x(w, (ChkExtra){NULL, imm ? 8 : 0, (short_ok && s < 8 ? 2 : 3) + 2 + imm});
      }
  for (unsigned k = 0; k < CHK_NMEMS; k++) {
    const X64Mem *m = &chk_mems[k];
    unsigned d = (k * 7) % 16, v = (k * 5 + 3) % 16;
    char it[16] = "";
    if (imm) {
      x64_vex_rrmi(chk_asm(), op, d, v, *m, vex_imms[k % sizeof vex_imms]);
      snprintf(it, sizeof it, ", 0x%x", vex_imms[k % sizeof vex_imms]);
    } else {
      x64_vex_rrm(chk_asm(), op, d, v, *m);
    }
    snprintf(w, sizeof w, "%s %s, %s, %s%s", row->name, chk_xmm(d), chk_xmm(v),
             chk_mem(t1, row->msize, *m), it);
    chk_expect_m(w, m);
  }
}

static void test_vex_rows(void **state) {
  for (unsigned op = 0; op < X64_VEX__COUNT; op++) {
    unsigned before = chk.failed;
    check_row(&x64_vex_info[op], op);
    if (chk.failed != before) fprintf(stderr, "  ^ row %u (%s)\n", op, x64_vex_info[op].name);
  }
  assert_int_equal(chk.failed, 0);
}

/* GNU as 2.40 (objdump -d) for the same instructions. */
static void test_known_bytes(void **state) {
  static const struct {
    X64VexOp op;
    unsigned d, v, s;
    bool mem;
    X64Mem m;
    const char *bytes;
    unsigned len;
  } known[] = {
      {X64_VFMADD213SD, 0, 1, 2, false, {0}, "\xc4\xe2\xf1\xa9\xc2", 5},
      {X64_VFMADD213SS, 15, 8, 9, false, {0}, "\xc4\x42\x39\xa9\xf9", 5},
      {X64_VFMADD213PD, 3, 12, 7, false, {0}, "\xc4\xe2\x99\xa8\xdf", 5},
      {X64_VFMADD213PS, 8, 0, 15, false, {0}, "\xc4\x42\x79\xa8\xc7", 5},
      {X64_VFMADD231SD, 1, 2, 0, true, {X64_R13, X64_NOREG, 1, 8}, "\xc4\xc2\xe9\xb9\x4d\x08", 6},
      {X64_VFMADD132PS, 9, 10, 0, true, {X64_RIP, X64_NOREG, 1, 0x10},
       "\xc4\x62\x29\x98\x0d\x10\x00\x00\x00", 9},
      {X64_VFMADD132PD, 2, 3, 0, true, {X64_RSP, X64_R12, 8, 0}, "\xc4\xa2\xe1\x98\x14\xe4", 6},
      {X64_VCMPPS, 1, 2, 3, false, {0}, "\xc5\xe8\xc2\xcb\x11", 5}, /* vcmplt_oqps */
      {X64_VCMPPD, 9, 0, 12, false, {0}, "\xc4\x41\x79\xc2\xcc\x1e", 6}, /* vcmpgt_oqpd */
  };
  unsigned bad = 0;
  for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++) {
    X64Asm *a = chk_asm();
    bool imm = x64_vex_info[known[i].op].flags & X64F_IMM8;
    uint8_t k = (uint8_t)known[i].bytes[known[i].len - 1]; /* the imm8 rows end in it */
    if (known[i].mem)
      x64_vex_rrm(a, known[i].op, known[i].d, known[i].v, known[i].m);
    else if (imm)
      x64_vex_rrri(a, known[i].op, known[i].d, known[i].v, known[i].s, k);
    else
      x64_vex_rrr(a, known[i].op, known[i].d, known[i].v, known[i].s);
    if (x64_len(a) != known[i].len || memcmp(a->start, known[i].bytes, known[i].len) != 0) {
      chk_fail(x64_vex_info[known[i].op].name, "bytes differ from GNU as (case %u)", i);
      bad++;
    }
  }
  assert_int_equal(bad, 0);
}

/* Operands out of range are refused, nothing emitted. */
static void test_vex_errors(void **state) {
  x64_vex_rrr(chk_asm(), X64_VFMADD213SD, 16, 0, 0);
  chk_expect_error("dst xmm16");
  x64_vex_rrr(chk_asm(), X64_VFMADD213SD, 0, 16, 0);
  chk_expect_error("vvvv xmm16");
  x64_vex_rrr(chk_asm(), (X64VexOp)X64_VEX__COUNT, 0, 0, 0);
  chk_expect_error("no such row");
  x64_vex_rrr(chk_asm(), X64_VCMPPS, 0, 1, 2);
  chk_expect_error("imm8 row without an immediate");
  x64_vex_rrri(chk_asm(), X64_VFMADD213SD, 0, 1, 2, 0);
  chk_expect_error("immediate for a row without one");
  assert_int_equal(chk.failed, 0);
}

int main(void) {
  chk_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_vex_rows, chk_reset),
      cmocka_unit_test_setup(test_known_bytes, chk_reset),
      cmocka_unit_test_setup(test_vex_errors, chk_reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
