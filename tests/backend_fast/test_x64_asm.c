/* test_x64_asm.c — every general-purpose table row of x64_asm, at every size,
 * with low and high registers and every addressing special case, decoded by
 * Zydis and compared with the Intel text we expect (x64_check.h). Shortest
 * forms (imm8, disp8, accumulator, mov imm32) are checked by length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "x64_check.h"

static const int64_t imms[] = {0,      1,      -1,        0x7f,      -0x80,     0x80,
                               -0x81,  0x1234, -0x8000,   0x7fffffff, INT32_MIN, 0xffffffffll,
                               0x123456789ll};
#define NIMMS (sizeof imms / sizeof imms[0])

/* The value the CPU sees: truncated to the operand size, sign-extended. */
static int64_t norm(unsigned s, int64_t v) {
  return s == 1 ? (int8_t)v : s == 2 ? (int16_t)v : s == 4 ? (int32_t)v : v;
}
static bool fits8(int64_t v) { return v >= -128 && v <= 127; }
static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }
/* Bytes of 0x66 + REX for a register-only instruction of size s on registers r1, r2. */
static unsigned pfx_len(unsigned s, unsigned r1, unsigned r2) {
  bool byte_rex = s == 1 && ((r1 >= 4 && r1 < 8) || (r2 >= 4 && r2 < 8));
  bool rex = s == 8 || r1 >= 8 || r2 >= 8 || byte_rex;
  return (s == 2) + rex;
}
/* A register spread for the memory-operand tests. */
static unsigned pick(unsigned i) { return (i * 5 + 3) % 16; }

static void test_alu(void **state) {
  char w[200], t1[96], t2[32];
  for (unsigned op = 0; op < X64_ALU__COUNT; op++) {
    const char *n = x64_alu_info[op].name;
    for (unsigned si = 0; si < 4; si++) {
      unsigned s = chk_sizes[si];
      for (unsigned d = 0; d < 16; d++)
        for (unsigned r = 0; r < 16; r++) {
          x64_alu_rr(chk_asm(), op, s, d, r);
          snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, d), chk_reg(s, r));
          chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, r) + 2});
        }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        const X64Mem *m = &chk_mems[k];
        x64_alu_rm(chk_asm(), op, s, pick(k), *m);
        snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, pick(k)), chk_mem(t1, s, *m));
        chk_expect_m(w, m);
        x64_alu_mr(chk_asm(), op, s, *m, pick(k + 1));
        snprintf(w, sizeof w, "%s %s, %s", n, chk_mem(t1, s, *m), chk_reg(s, pick(k + 1)));
        chk_expect_m(w, m);
        x64_alu_mi(chk_asm(), op, s, *m, imms[k % NIMMS]);
        int64_t v = norm(s, imms[k % NIMMS]);
        if (s == 8 && !fits32(v)) {
          chk_expect_error("alu mem, imm64");
          continue;
        }
        snprintf(w, sizeof w, "%s %s, %s", n, chk_mem(t1, s, *m), chk_imm(t2, s, v));
        chk_expect_x(w, (ChkExtra){m, s == 1 || fits8(v) ? 8 : s == 2 ? 16 : 32, 0});
      }
      for (unsigned d = 0; d < 16; d++)
        for (unsigned i = 0; i < NIMMS; i++) {
          int64_t v = norm(s, imms[i]);
          x64_alu_ri(chk_asm(), op, s, d, imms[i]);
          if (!fits32(v)) {
            chk_expect_error("alu reg, imm64");
            continue;
          }
          int bits = s == 1 || fits8(v) ? 8 : s == 2 ? 16 : 32;
          bool acc = d == X64_RAX && (s == 1 || !fits8(v)); /* 04/05+: no ModRM */
          snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, d), chk_imm(t2, s, v));
          chk_expect_x(w, (ChkExtra){NULL, bits, pfx_len(s, d, 0) + 2 - acc + bits / 8});
        }
    }
  }
  assert_int_equal(chk.failed, 0);
}

static void test_mov_lea(void **state) {
  char w[200], t1[96], t2[32];
  for (unsigned si = 0; si < 4; si++) {
    unsigned s = chk_sizes[si];
    for (unsigned d = 0; d < 16; d++)
      for (unsigned r = 0; r < 16; r++) {
        x64_mov_rr(chk_asm(), s, d, r);
        snprintf(w, sizeof w, "mov %s, %s", chk_reg(s, d), chk_reg(s, r));
        chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, r) + 2});
      }
    for (unsigned k = 0; k < CHK_NMEMS; k++) {
      const X64Mem *m = &chk_mems[k];
      x64_mov_rm(chk_asm(), s, pick(k), *m);
      snprintf(w, sizeof w, "mov %s, %s", chk_reg(s, pick(k)), chk_mem(t1, s, *m));
      chk_expect_m(w, m);
      x64_mov_mr(chk_asm(), s, *m, pick(k + 2));
      snprintf(w, sizeof w, "mov %s, %s", chk_mem(t1, s, *m), chk_reg(s, pick(k + 2)));
      chk_expect_m(w, m);
      int64_t v = norm(s, imms[k % NIMMS]);
      x64_mov_mi(chk_asm(), s, *m, imms[k % NIMMS]);
      if (!fits32(v)) {
        chk_expect_error("mov mem, imm64");
      } else {
        snprintf(w, sizeof w, "mov %s, %s", chk_mem(t1, s, *m), chk_imm(t2, s, v));
        chk_expect_x(w, (ChkExtra){m, s == 8 ? 32 : 8 * (int)s, 0});
      }
      if (s > 1) {
        x64_lea(chk_asm(), s, pick(k), *m);
        snprintf(w, sizeof w, "lea %s, %s", chk_reg(s, pick(k)), chk_mem(t1, 0, *m));
        chk_expect_m(w, m);
      }
    }
    for (unsigned d = 0; d < 16; d++)
      for (unsigned i = 0; i < NIMMS; i++) {
        int64_t v = norm(s, imms[i]);
        x64_mov_ri(chk_asm(), s, d, imms[i]);
        if (s < 8) { /* B0+r / B8+r with a full-size immediate */
          snprintf(w, sizeof w, "mov %s, %s", chk_reg(s, d), chk_imm(t2, s, v));
          chk_expect_x(w, (ChkExtra){NULL, 8 * (int)s, pfx_len(s, d, 0) + 1 + s});
        }
      }
  }
  /* 64-bit immediates: the shortest of mov r32 (zero-extends), C7 imm32, movabs. */
  static const int64_t wide[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, -1, INT32_MIN,
                                 0x100000000, 0x123456789abcdef0, INT64_MIN, INT64_MAX};
  for (unsigned d = 0; d < 16; d++)
    for (unsigned i = 0; i < sizeof wide / sizeof wide[0]; i++) {
      int64_t v = wide[i];
      char t[32];
      x64_mov_ri(chk_asm(), 8, d, v);
      if ((uint64_t)v <= UINT32_MAX) {
        snprintf(w, sizeof w, "mov %s, %s", chk_reg(4, d), chk_imm(t, 4, v));
        chk_expect_x(w, (ChkExtra){NULL, 32, (d >= 8) + 5});
      } else if (fits32(v)) {
        snprintf(w, sizeof w, "mov %s, %s", chk_reg(8, d), chk_imm(t, 8, v));
        chk_expect_x(w, (ChkExtra){NULL, 32, 7});
      } else {
        snprintf(w, sizeof w, "mov %s, %s", chk_reg(8, d), chk_imm(t, 8, v));
        chk_expect_x(w, (ChkExtra){NULL, 64, 10});
      }
    }
  x64_lea(chk_asm(), 1, X64_RAX, x64_mem(X64_RAX, 0));
  chk_expect_error("lea byte");
  assert_int_equal(chk.failed, 0);
}

static void test_test_imm(void **state) {
  char w[200], t1[96], t2[32];
  for (unsigned si = 0; si < 4; si++) {
    unsigned s = chk_sizes[si], ibits = s == 1 ? 8 : s == 2 ? 16 : 32;
    for (unsigned d = 0; d < 16; d++)
      for (unsigned i = 0; i < NIMMS; i++) {
        int64_t v = norm(s, imms[i]);
        x64_test_ri(chk_asm(), s, d, imms[i]);
        if (!fits32(v)) {
          chk_expect_error("test reg, imm64");
          continue;
        }
        snprintf(w, sizeof w, "test %s, %s", chk_reg(s, d), chk_imm(t2, s, v));
        chk_expect_x(w, (ChkExtra){NULL, ibits, pfx_len(s, d, 0) + 2 - (d == X64_RAX) + ibits / 8});
      }
    for (unsigned k = 0; k < CHK_NMEMS; k++) {
      x64_test_mi(chk_asm(), s, chk_mems[k], 0x5a);
      snprintf(w, sizeof w, "test %s, 0x5a", chk_mem(t1, s, chk_mems[k]));
      chk_expect_x(w, (ChkExtra){&chk_mems[k], ibits, 0});
    }
  }
  assert_int_equal(chk.failed, 0);
}

/* Two-register tables: rm,reg rows (with LOCK on memory) and reg,rm rows. */
static void test_rmreg_regrm(void **state) {
  char w[200], t1[96];
  for (unsigned op = 0; op < X64_RMREG__COUNT; op++)
    for (unsigned si = 0; si < 4; si++) {
      unsigned s = chk_sizes[si];
      const char *n = x64_rmreg_info[op].name;
      for (unsigned d = 0; d < 16; d++)
        for (unsigned r = 0; r < 16; r++) {
          x64_rmreg_rr(chk_asm(), op, s, d, r);
          snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, d), chk_reg(s, r));
          chk_expect_x(w, (ChkExtra){NULL, 0,
                                      pfx_len(s, d, r) + 2 + (x64_rmreg_info[op].map != 0)});
        }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        const X64Mem *m = &chk_mems[k];
        bool lock = op != X64_TEST && (k & 1);
        X64Asm *a = chk_asm();
        if (lock) x64_lock(a);
        x64_rmreg_mr(a, op, s, *m, pick(k));
        snprintf(w, sizeof w, "%s%s %s, %s", lock ? "lock " : "", n, chk_mem(t1, s, *m),
                 chk_reg(s, pick(k)));
        chk_expect_m(w, m);
      }
    }
  for (unsigned op = 0; op < X64_REGRM__COUNT; op++)
    for (unsigned si = 1; si < 4; si++) {
      unsigned s = chk_sizes[si];
      const char *n = x64_regrm_info[op].name;
      for (unsigned d = 0; d < 16; d++)
        for (unsigned r = 0; r < 16; r++) {
          x64_regrm_rr(chk_asm(), op, s, d, r);
          snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, d), chk_reg(s, r));
          unsigned len = pfx_len(s, d, r) + 3 + (x64_regrm_info[op].pfx != 0);
          chk_expect_x(w, (ChkExtra){NULL, 0, len});
        }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        x64_regrm_rm(chk_asm(), op, s, pick(k), chk_mems[k]);
        snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, pick(k)), chk_mem(t1, s, chk_mems[k]));
        chk_expect_m(w, &chk_mems[k]);
      }
      x64_regrm_rr(chk_asm(), op, 1, X64_RAX, X64_RCX);
      chk_expect_error("reg,rm op on bytes");
    }
  assert_int_equal(chk.failed, 0);
}

static void test_imul_imm(void **state) {
  static const int32_t iv[] = {3, -3, 0x7f, -0x80, 0x80, 0x1234, -0x12345, INT32_MAX};
  char w[200], t1[96], t2[32];
  for (unsigned si = 1; si < 4; si++) {
    unsigned s = chk_sizes[si];
    for (unsigned i = 0; i < sizeof iv / sizeof iv[0]; i++) {
      int64_t v = norm(s, iv[i]);
      int bits = fits8(v) ? 8 : s == 2 ? 16 : 32;
      for (unsigned d = 0; d < 16; d++)
        for (unsigned r = 0; r < 16; r += 3) {
          x64_imul_rri(chk_asm(), s, d, r, iv[i]);
          snprintf(w, sizeof w, "imul %s, %s, %s", chk_reg(s, d), chk_reg(s, r), chk_imm(t2, s, v));
          chk_expect_x(w, (ChkExtra){NULL, bits, pfx_len(s, d, r) + 2 + bits / 8});
        }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        x64_imul_rmi(chk_asm(), s, pick(k), chk_mems[k], iv[i]);
        snprintf(w, sizeof w, "imul %s, %s, %s", chk_reg(s, pick(k)), chk_mem(t1, s, chk_mems[k]),
                 chk_imm(t2, s, v));
        chk_expect_x(w, (ChkExtra){&chk_mems[k], bits, 0});
      }
    }
  }
  assert_int_equal(chk.failed, 0);
}

static void test_widen(void **state) {
  char w[200], t1[96];
  for (unsigned op = 0; op < X64_WIDEN__COUNT; op++) {
    const X64OpInfo *row = &x64_widen_info[op];
    for (unsigned si = 0; si < 4; si++) {
      unsigned s = chk_sizes[si];
      if (s <= row->msize || (op == X64_MOVSXD && s != 8)) {
        x64_widen_rr(chk_asm(), op, s, X64_RAX, X64_RCX);
        chk_expect_error("widen to a size not wider");
        continue;
      }
      for (unsigned d = 0; d < 16; d++)
        for (unsigned r = 0; r < 16; r++) {
          x64_widen_rr(chk_asm(), op, s, d, r);
          snprintf(w, sizeof w, "%s %s, %s", row->name, chk_reg(s, d), chk_reg(row->msize, r));
          bool rex = s == 8 || d >= 8 || r >= 8 || (row->msize == 1 && r >= 4);
          chk_expect_x(w, (ChkExtra){NULL, 0, (s == 2) + rex + 2 + (row->map != 0)});
        }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        x64_widen_rm(chk_asm(), op, s, pick(k), chk_mems[k]);
        snprintf(w, sizeof w, "%s %s, %s", row->name, chk_reg(s, pick(k)),
                 chk_mem(t1, row->msize, chk_mems[k]));
        chk_expect_m(w, &chk_mems[k]);
      }
    }
  }
  assert_int_equal(chk.failed, 0);
}

static void test_unary_shift(void **state) {
  static const uint8_t counts[] = {1, 4, 0x1f};
  char w[200], t1[96];
  for (unsigned si = 0; si < 4; si++) {
    unsigned s = chk_sizes[si];
    for (unsigned op = 0; op < X64_UNARY__COUNT; op++) {
      const char *n = x64_unary_info[op].name;
      for (unsigned d = 0; d < 16; d++) {
        x64_unary_r(chk_asm(), op, s, d);
        snprintf(w, sizeof w, "%s %s", n, chk_reg(s, d));
        chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, 0) + 2});
      }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        x64_unary_m(chk_asm(), op, s, chk_mems[k]);
        snprintf(w, sizeof w, "%s %s", n, chk_mem(t1, s, chk_mems[k]));
        chk_expect_m(w, &chk_mems[k]);
      }
    }
    for (unsigned op = 0; op < X64_SHIFT__COUNT; op++) {
      const char *n = x64_shift_info[op].name;
      for (unsigned d = 0; d < 16; d++) {
        for (unsigned c = 0; c < sizeof counts; c++) {
          x64_shift_ri(chk_asm(), op, s, d, counts[c]);
          snprintf(w, sizeof w, "%s %s, 0x%x", n, chk_reg(s, d), counts[c]);
          chk_expect_x(w, (ChkExtra){NULL, counts[c] == 1 ? 0 : 8,
                                      pfx_len(s, d, 0) + 2 + (counts[c] != 1)});
        }
        x64_shift_rc(chk_asm(), op, s, d);
        snprintf(w, sizeof w, "%s %s, cl", n, chk_reg(s, d));
        chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, 0) + 2});
      }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        const X64Mem *m = &chk_mems[k];
        x64_shift_mi(chk_asm(), op, s, *m, counts[k % 3]);
        snprintf(w, sizeof w, "%s %s, 0x%x", n, chk_mem(t1, s, *m), counts[k % 3]);
        chk_expect_x(w, (ChkExtra){m, counts[k % 3] == 1 ? 0 : 8, 0});
        x64_shift_mc(chk_asm(), op, s, *m);
        snprintf(w, sizeof w, "%s %s, cl", n, chk_mem(t1, s, *m));
        chk_expect_m(w, m);
      }
    }
  }
  assert_int_equal(chk.failed, 0);
}

static void test_shd_bit(void **state) {
  char w[200], t1[96];
  for (unsigned si = 1; si < 4; si++) {
    unsigned s = chk_sizes[si];
    for (unsigned op = 0; op < X64_SHD__COUNT; op++) {
      const char *n = x64_shd_info[op].name;
      for (unsigned d = 0; d < 16; d++)
        for (unsigned r = 0; r < 16; r++) {
          x64_shd_rri(chk_asm(), op, s, d, r, 3);
          snprintf(w, sizeof w, "%s %s, %s, 0x3", n, chk_reg(s, d), chk_reg(s, r));
          chk_expect_x(w, (ChkExtra){NULL, 8, pfx_len(s, d, r) + 4});
          x64_shd_rrc(chk_asm(), op, s, d, r);
          snprintf(w, sizeof w, "%s %s, %s, cl", n, chk_reg(s, d), chk_reg(s, r));
          chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, r) + 3});
        }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        const X64Mem *m = &chk_mems[k];
        x64_shd_mri(chk_asm(), op, s, *m, pick(k), 0x11);
        snprintf(w, sizeof w, "%s %s, %s, 0x11", n, chk_mem(t1, s, *m), chk_reg(s, pick(k)));
        chk_expect_x(w, (ChkExtra){m, 8, 0});
        x64_shd_mrc(chk_asm(), op, s, *m, pick(k));
        snprintf(w, sizeof w, "%s %s, %s, cl", n, chk_mem(t1, s, *m), chk_reg(s, pick(k)));
        chk_expect_m(w, m);
      }
    }
    for (unsigned op = 0; op < X64_BIT__COUNT; op++) {
      const char *n = x64_bit_info[op].name;
      for (unsigned d = 0; d < 16; d++) {
        for (unsigned r = 0; r < 16; r++) {
          x64_bit_rr(chk_asm(), op, s, d, r);
          snprintf(w, sizeof w, "%s %s, %s", n, chk_reg(s, d), chk_reg(s, r));
          chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, r) + 3});
        }
        x64_bit_ri(chk_asm(), op, s, d, 13);
        snprintf(w, sizeof w, "%s %s, 0xd", n, chk_reg(s, d));
        chk_expect_x(w, (ChkExtra){NULL, 8, pfx_len(s, d, 0) + 4});
      }
      for (unsigned k = 0; k < CHK_NMEMS; k++) {
        const X64Mem *m = &chk_mems[k];
        X64Asm *a = chk_asm();
        if (op != X64_BT && (k & 1)) x64_lock(a);
        x64_bit_mr(a, op, s, *m, pick(k));
        snprintf(w, sizeof w, "%s%s %s, %s", op != X64_BT && (k & 1) ? "lock " : "", n,
                 chk_mem(t1, s, *m), chk_reg(s, pick(k)));
        chk_expect_m(w, m);
        x64_bit_mi(chk_asm(), op, s, *m, 0x3f);
        snprintf(w, sizeof w, "%s %s, 0x3f", n, chk_mem(t1, s, *m));
        chk_expect_x(w, (ChkExtra){m, 8, 0});
      }
    }
  }
  x64_bit_rr(chk_asm(), X64_BT, 1, X64_RAX, X64_RCX);
  chk_expect_error("bt on bytes");
  x64_shd_rri(chk_asm(), X64_SHLD, 1, X64_RAX, X64_RCX, 1);
  chk_expect_error("shld on bytes");
  assert_int_equal(chk.failed, 0);
}

static void test_cond_ops(void **state) {
  char w[200], t1[96];
  for (unsigned cc = 0; cc < 16; cc++) {
    for (unsigned d = 0; d < 16; d++) {
      x64_setcc_r(chk_asm(), cc, d);
      snprintf(w, sizeof w, "set%s %s", chk_cc[cc], chk_reg(1, d));
      chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(1, d, 0) + 3});
      for (unsigned si = 1; si < 4; si++) {
        unsigned s = chk_sizes[si], r = (d + cc) % 16;
        x64_cmov_rr(chk_asm(), cc, s, d, r);
        snprintf(w, sizeof w, "cmov%s %s, %s", chk_cc[cc], chk_reg(s, d), chk_reg(s, r));
        chk_expect_x(w, (ChkExtra){NULL, 0, pfx_len(s, d, r) + 3});
      }
    }
    for (unsigned k = 0; k < CHK_NMEMS; k++) {
      x64_setcc_m(chk_asm(), cc, chk_mems[k]);
      snprintf(w, sizeof w, "set%s %s", chk_cc[cc], chk_mem(t1, 1, chk_mems[k]));
      chk_expect_m(w, &chk_mems[k]);
      unsigned s = chk_sizes[1 + k % 3];
      x64_cmov_rm(chk_asm(), cc, s, pick(k), chk_mems[k]);
      snprintf(w, sizeof w, "cmov%s %s, %s", chk_cc[cc], chk_reg(s, pick(k)),
               chk_mem(t1, s, chk_mems[k]));
      chk_expect_m(w, &chk_mems[k]);
    }
  }
  for (unsigned d = 0; d < 16; d++)
    for (unsigned s = 4; s <= 8; s += 4) {
      x64_bswap(chk_asm(), s, d);
      snprintf(w, sizeof w, "bswap %s", chk_reg(s, d));
      chk_expect_x(w, (ChkExtra){NULL, 0, (s == 8 || d >= 8) + 2});
    }
  x64_bswap(chk_asm(), 2, X64_RAX);
  chk_expect_error("bswap 16");
  assert_int_equal(chk.failed, 0);
}

static void test_stack_misc(void **state) {
  char w[200], t1[96], t2[32];
  for (unsigned r = 0; r < 16; r++) {
    x64_push_r(chk_asm(), r);
    snprintf(w, sizeof w, "push %s", chk_reg(8, r));
    chk_expect_x(w, (ChkExtra){NULL, 0, 1 + (r >= 8)});
    x64_pop_r(chk_asm(), r);
    snprintf(w, sizeof w, "pop %s", chk_reg(8, r));
    chk_expect_x(w, (ChkExtra){NULL, 0, 1 + (r >= 8)});
    x64_jmp_r(chk_asm(), r);
    snprintf(w, sizeof w, "jmp %s", chk_reg(8, r));
    chk_expect_x(w, (ChkExtra){NULL, 0, 2 + (r >= 8)});
    x64_call_r(chk_asm(), r);
    snprintf(w, sizeof w, "call %s", chk_reg(8, r));
    chk_expect_x(w, (ChkExtra){NULL, 0, 2 + (r >= 8)});
  }
  for (unsigned i = 0; i < NIMMS; i++) {
    if (!fits32(imms[i])) continue;
    x64_push_i(chk_asm(), (int32_t)imms[i]);
    snprintf(w, sizeof w, "push %s", chk_imm(t2, 8, imms[i]));
    chk_expect_x(w, (ChkExtra){NULL, fits8(imms[i]) ? 8 : 32, fits8(imms[i]) ? 2 : 5});
  }
  for (unsigned k = 0; k < CHK_NMEMS; k++) {
    const X64Mem *m = &chk_mems[k];
    static const struct {
      void (*emit)(X64Asm *, X64Mem);
      const char *name;
    } mf[] = {{x64_push_m, "push"}, {x64_pop_m, "pop"}, {x64_jmp_m, "jmp"}, {x64_call_m, "call"}};
    for (unsigned f = 0; f < 4; f++) {
      mf[f].emit(chk_asm(), *m);
      snprintf(w, sizeof w, "%s %s", mf[f].name, chk_mem(t1, 8, *m));
      chk_expect_m(w, m);
    }
    for (unsigned op = 0; op < X64_MEMOP__COUNT; op++) {
      const X64OpInfo *row = &x64_memop_info[op];
      bool lock = strncmp(row->name, "cmpxchg", 7) == 0 && (k & 1);
      X64Asm *a = chk_asm();
      if (lock) x64_lock(a);
      x64_memop(a, op, *m);
      snprintf(w, sizeof w, "%s%s %s", lock ? "lock " : "", row->name, chk_mem(t1, row->msize, *m));
      chk_expect_m(w, m);
    }
  }
  for (unsigned op = 0; op < X64_FIXED__COUNT; op++) {
    x64_fixed(chk_asm(), op);
    chk_expect_x(x64_fixed_info[op].name, (ChkExtra){NULL, 0, x64_fixed_info[op].len});
  }
  x64_ret_i(chk_asm(), 0x18);
  chk_expect_x("ret 0x18", (ChkExtra){NULL, 16, 3});
  x64_ret(chk_asm());
  chk_expect_x("ret", (ChkExtra){NULL, 0, 1});
  assert_int_equal(chk.failed, 0);
}

/* Every n from 0 to 40 pads with exactly n bytes of nops, at most 9 bytes each. */
static void test_nop(void **state) {
  uint8_t buf[64];
  for (unsigned n = 0; n <= 40; n++) {
    X64Asm a;
    x64_init(&a, buf, sizeof buf);
    x64_nop(&a, n);
    assert_int_equal(x64_len(&a), n);
    unsigned pos = 0, count = 0;
    while (pos < n) {
      ZydisDecodedInstruction ins;
      char text[160];
      assert_true(chk_decode(buf + pos, n - pos, &ins, text, sizeof text));
      assert_int_equal(ins.mnemonic, ZYDIS_MNEMONIC_NOP);
      pos += ins.length, count++;
    }
    assert_int_equal(pos, n);
    assert_int_equal(count, (n + 8) / 9);
  }
}

/* Bad operands are refused whole: nothing emitted, `error` set. */
static void test_bad_operands(void **state) {
  x64_mov_rm(chk_asm(), 8, X64_RAX, x64_mem_sib(X64_RAX, X64_RSP, 1, 0));
  chk_expect_error("index rsp");
  x64_mov_rm(chk_asm(), 8, X64_RAX, x64_mem_sib(X64_RAX, X64_RCX, 3, 0));
  chk_expect_error("scale 3");
  x64_mov_rm(chk_asm(), 8, X64_RAX, x64_mem_sib(X64_RIP, X64_RCX, 1, 0));
  chk_expect_error("rip + index");
  x64_mov_rr(chk_asm(), 3, X64_RAX, X64_RCX);
  chk_expect_error("size 3");
  x64_mov_rr(chk_asm(), 8, 16, X64_RCX);
  chk_expect_error("register 16");
  x64_sse_rm(chk_asm(), X64_MOVDQU_ST, X64_XMM0, x64_mem(X64_RAX, 0));
  chk_expect_error("store row as a load");
  x64_sse_mr(chk_asm(), X64_MOVDQU, x64_mem(X64_RAX, 0), X64_XMM0);
  chk_expect_error("load row as a store");
  x64_sse_rm(chk_asm(), X64_PMOVMSKB, X64_RAX, x64_mem(X64_RAX, 0));
  chk_expect_error("register-only row with memory");
  x64_sse_rr(chk_asm(), X64_PSHUFD, X64_XMM0, X64_XMM1);
  chk_expect_error("imm8 row without imm");
  x64_sse_rri(chk_asm(), X64_PADDB, X64_XMM0, X64_XMM1, 1);
  chk_expect_error("imm8 on a row without");
  x64_sse_rr(chk_asm(), X64_PSRLW_I, X64_XMM0, X64_XMM1);
  chk_expect_error("/digit row as two-register");
  x64_sse_ri(chk_asm(), X64_PSRLW, X64_XMM0, 1);
  chk_expect_error("two-register row as /digit");
  assert_int_equal(chk.failed, 0);
}

/* The enum identifier of every row spells its mnemonic, so a row cannot sit
 * under the wrong name in any table (the text checks then cover the encoding). */
static void test_row_names(void **state) {
#define ID_STR(id, ...) #id,
  static const char *const alu[] = {X64_ALU_DEF(ID_STR)}, *const shift[] = {X64_SHIFT_DEF(ID_STR)},
                           *const unary[] = {X64_UNARY_DEF(ID_STR)},
                           *const regrm[] = {X64_REGRM_DEF(ID_STR)},
                           *const rmreg[] = {X64_RMREG_DEF(ID_STR)},
                           *const bit[] = {X64_BIT_DEF(ID_STR)},
                           *const widen[] = {X64_WIDEN_DEF(ID_STR)},
                           *const shd[] = {X64_SHD_DEF(ID_STR)},
                           *const memop[] = {X64_MEMOP_DEF(ID_STR)},
                           *const fixed[] = {X64_FIXED_DEF(ID_STR)};
#define X64_SSE(id, ...) #id,
  static const char *const sse[] = {
#include "x64_asm_sse.def"
  };
#undef X64_SSE
#undef ID_STR
  static const struct {
    const char *const *ids;
    const X64OpInfo *rows;
    unsigned n;
  } t[] = {{alu, x64_alu_info, X64_ALU__COUNT},       {shift, x64_shift_info, X64_SHIFT__COUNT},
           {unary, x64_unary_info, X64_UNARY__COUNT}, {regrm, x64_regrm_info, X64_REGRM__COUNT},
           {rmreg, x64_rmreg_info, X64_RMREG__COUNT}, {bit, x64_bit_info, X64_BIT__COUNT},
           {widen, x64_widen_info, X64_WIDEN__COUNT}, {shd, x64_shd_info, X64_SHD__COUNT},
           {memop, x64_memop_info, X64_MEMOP__COUNT}, {sse, x64_sse_info, X64_SSE__COUNT}};
  for (unsigned g = 0; g < sizeof t / sizeof t[0]; g++)
    for (unsigned i = 0; i < t[g].n; i++) {
      if (!chk_name_matches(t[g].ids[i], t[g].rows[i].name))
        fprintf(stderr, "row %s is named %s\n", t[g].ids[i], t[g].rows[i].name);
      assert_true(chk_name_matches(t[g].ids[i], t[g].rows[i].name));
    }
  for (unsigned i = 0; i < X64_FIXED__COUNT; i++)
    assert_true(chk_name_matches(fixed[i], x64_fixed_info[i].name));
}

int main(void) {
  chk_init();
#define T(f) cmocka_unit_test_setup(f, chk_reset)
  const struct CMUnitTest tests[] = {
      T(test_row_names),   T(test_alu),      T(test_mov_lea),     T(test_test_imm),
      T(test_rmreg_regrm), T(test_imul_imm), T(test_widen),       T(test_unary_shift),
      T(test_shd_bit),     T(test_cond_ops), T(test_stack_misc),  T(test_nop),
      T(test_bad_operands),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
