/* test_a64_lift.c — the AArch64 decoder and the integer, load/store, atomic and
 * system lifters, without a runner: every pattern compiles; known encodings
 * (from aarch64-linux-gnu-as) decode to the right row and fields; random
 * instances of every row lift to IR that validates and runs in the
 * interpreter (before and after optimisation) without disagreeing; and the
 * exclusive monitor, 128-bit compare-and-swap and fpcr's rounding slot behave
 * as the architecture says. The instruction semantics proper are compared
 * with qemu-aarch64 by tests/arm64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "a64_lift.h"

/* -- A flat guest memory and a code buffer ---------------------------------- */

#define MEM_BASE 0x10000ull
#define MEM_SIZE 4096u
#define CODE_PC 0x400000ull

typedef struct Mem {
  uint8_t bytes[MEM_SIZE] __attribute__((aligned(16)));
} Mem;

static uint8_t *mem_at(void *ctx, uint64_t addr, unsigned size) {
  if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE - size)
    return NULL;
  return ((Mem *)ctx)->bytes + (addr - MEM_BASE);
}
static int mem_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  uint8_t *p = mem_at(ctx, addr, size);
  if (p)
    memcpy(out, p, size);
  return !p;
}
static int mem_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  uint8_t *p = mem_at(ctx, addr, size);
  if (p)
    memcpy(p, in, size);
  return !p;
}
static void *mem_atomic(void *ctx, uint64_t addr, unsigned size) { return mem_at(ctx, addr, size); }

typedef struct Code {
  const uint32_t *insns;
  size_t n;
} Code;

static size_t fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  const Code *c = ctx;
  if (pc < CODE_PC || (pc - CODE_PC) / 4 >= c->n)
    return 0;
  size_t avail = (c->n - (pc - CODE_PC) / 4) * 4;
  size_t n = avail < max ? avail : max;
  memcpy(buf, (const uint8_t *)c->insns + (pc - CODE_PC), n);
  return n;
}

static IrFunc *lift(const uint32_t *insns, size_t n) {
  IrFunc *fn = ir_func_new(&a64_regfile);
  Code c = {insns, n};
  IrCodeFetch f = {&c, fetch, 0};
  a64_frontend.translate(fn, CODE_PC, &f, NULL);
  char err[256];
  if (!ir_validate(fn, err, sizeof err)) {
    char *text = ir_print(fn);
    fail_msg("%08x...: invalid IR: %s\n%s", insns[0], err, text);
  }
  return fn;
}

static IrExit run(const uint32_t *insns, size_t n, A64Cpu *cpu, Mem *mem) {
  IrFunc *fn = lift(insns, n);
  IrMemOps ops = {mem, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, cpu, &ops);
  ir_func_free(fn);
  return e;
}

static void test_patterns_compile(void **state) {
  (void)state;
  unsigned n;
  const A64Pattern *p = a64_patterns(&n);
  assert_true(n > 0);
  for (unsigned i = 0; i < n; i++) {
    A64Pattern again;
    char err[160];
    assert_true(a64_pattern_compile(p[i].row, &again, err, sizeof err));
  }
}

/* -- Known encodings ---------------------------------------------------------- */

typedef struct Known {
  uint32_t insn;
  const char *asm_text, *row, *fields; /* fields: "name=value ..." that must match */
} Known;

static const Known known[] = {
    {0x8b020c20, "add x0, x1, x2, lsl #3", "addsub_shift", "sf=1 op=0 S=0 shift=0 rm=2 imm=3 rd=0"},
    {0x6b857c83, "subs w3, w4, w5, asr #31", "addsub_shift", "sf=0 op=1 S=1 shift=2 rm=5 imm=31"},
    {0x8b22c83f, "add sp, x1, w2, sxtw #2", "addsub_ext", "option=6 imm=2 rd=31 rn=1 rm=2"},
    {0xba030041, "adcs x1, x2, x3", "adc", "op=0 S=1 rm=3 rn=2 rd=1"},
    {0xeaebfd49, "bics x9, x10, x11, ror #63", "logic_shift", "opc=3 N=1 shift=3 imm=63"},
    {0xfa451822, "ccmp x1, #5, #2, ne", "ccmp_imm", "op=1 imm=5 cond=1 nzcv=2 rn=1"},
    {0x3a42b02f, "ccmn w1, w2, #15, lt", "ccmp_reg", "sf=0 op=0 rm=2 cond=11 nzcv=15"},
    {0xda838441, "csneg x1, x2, x3, hi", "csel", "op=1 op2=1 cond=8 rm=3 rn=2 rd=1"},
    {0xdac01441, "cls x1, x2", "dp1", "opc=5"},
    {0xdac00841, "rev32 x1, x2", "dp1", "sf=1 opc=2"},
    {0x5ac00841, "rev w1, w2", "dp1", "sf=0 opc=2"},
    {0x9ac30c41, "sdiv x1, x2, x3", "div", "opc=1 rm=3"},
    {0x1ac32c41, "ror w1, w2, w3", "shiftv", "sf=0 opc=3"},
    {0x9ac35c41, "crc32cx w1, w2, x3", "crc32", "o0=1 size=3"},
    {0x9ba39041, "umsubl x1, w2, w3, x4", "umaddl", "o0=1 ra=4 rm=3 rn=2 rd=1"},
    {0x9b437c41, "smulh x1, x2, x3", "smulh", "rm=3 rn=2 rd=1"},
    {0xba018425, "rmif x1, #3, #5", "rmif", "imm=3 nzcv=5 rn=1"},
    {0x3a00486d, "setf16 w3", "setf", "size=1 rn=3"},
    {0xf9400441, "ldr x1, [x2, #8]", "ldst_uimm", "size=3 V=0 opc=1 imm=1 rn=2 rt=1"},
    {0x38dffc41, "ldrsb w1, [x2, #-1]!", "ldst_imm9", "size=0 opc=3 imm=511 mode=3"},
    {0xb88047e1, "ldrsw x1, [sp], #4", "ldst_imm9", "size=2 opc=2 imm=4 mode=1 rn=31"},
    {0x3ce37841, "ldr q1, [x2, x3, lsl #4]", "ldst_reg", "size=0 V=1 opc=3 option=3 S=1 rm=3"},
    {0x5c000002, "ldr d2, .", "ldr_lit", "opc=1 V=1 imm=0 rt=2"},
    {0xf9800020, "prfm pldl1keep, [x1]", "ldst_uimm", "size=3 opc=2"},
    {0xa9ff0be1, "ldp x1, x2, [sp, #-16]!", "ldst_pair", "opc=2 mode=3 L=1 imm=126 rt2=2 rn=31"},
    {0x69400861, "ldpsw x1, x2, [x3]", "ldst_pair", "opc=1 mode=2 L=1 imm=0"},
    {0xac010861, "stnp q1, q2, [x3, #32]", "ldst_pair", "opc=2 V=1 mode=0 L=0 imm=2"},
    {0x595fd041, "ldapurh w1, [x2, #-3]", "ldapur", "size=1 opc=1 imm=509"},
    {0x885ffc41, "ldaxr w1, [x2]", "ldxr", "size=2 o0=1 rn=2 rt=1"},
    {0xc8218c82, "stlxp w1, x2, x3, [x4]", "stxp", "size=1 rs=1 o0=1 rt2=3 rn=4 rt=2"},
    {0x48227cc4, "casp x2, x3, x4, x5, [x6]", "casp", "size=1 L=0 o0=0 rs=2 rt=4 rn=6"},
    {0x88e1fc62, "casal w1, w2, [x3]", "cas", "size=2 L=1 o0=1 rs=1 rt=2"},
    {0xc8dffc41, "ldar x1, [x2]", "ldar", "size=3"},
    {0x089ffc41, "stlrb w1, [x2]", "stlr", "size=0"},
    {0xb8bfc041, "ldapr w1, [x2]", "ldapr", "size=2"},
    {0xf8e11062, "ldclral x1, x2, [x3]", "ldop", "size=3 A=1 R=1 opc=1 rs=1 rt=2"},
    {0x38218062, "swpb w1, w2, [x3]", "swp", "size=0 A=0 R=0 rs=1 rt=2"},
    {0xd50339bf, "dmb ishld", "dmb", "crm=9"},
    {0xd5033fdf, "isb", "isb", ""},
    {0xd5033f5f, "clrex", "clrex", ""},
    {0xd503203f, "yield", "hint", "crm=0 op2=1"},
    {0xd503233f, "paciasp", "hint", "crm=3 op2=1"},
    {0xd500401f, "cfinv", "cfinv", ""},
    {0xd500405f, "axflag", "axflag", ""},
    {0xd53bd041, "mrs x1, tpidr_el0", "mrs_msr", "L=1 rt=1"},
    {0xd51b4401, "msr fpcr, x1", "mrs_msr", "L=0 rt=1"},
    {0xd50b7e21, "dc civac, x1", "sys", "op1=3 crn=7 crm=14 op2=1"},
    {0xd50b7522, "ic ivau, x2", "sys", "op1=3 crn=7 crm=5 op2=1"},
    {0xd53be041, "mrs x1, cntvct_el0", "mrs_msr", "L=1"},
};

static int field_id(const char *name, size_t len) {
  for (unsigned i = 0; i < A64_F__COUNT; i++)
    if (strlen(a64_field_name(i)) == len && memcmp(a64_field_name(i), name, len) == 0)
      return (int)i;
  return -1;
}

static void test_known_encodings(void **state) {
  (void)state;
  a64_frontend_init();
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    const Known *k = &known[i];
    const A64Pattern *p = a64_decode_first(k->insn);
    if (!p || strcmp(p->row->name, k->row) != 0)
      fail_msg("%s (%08x): decoded as %s, want %s", k->asm_text, k->insn,
               p ? p->row->name : "nothing", k->row);
    uint32_t f[A64_F__COUNT];
    a64_decode_fields(p, k->insn, f);
    for (const char *s = k->fields; *s;) {
      const char *eq = strchr(s, '=');
      assert_non_null(eq);
      int id = field_id(s, (size_t)(eq - s));
      assert_true(id >= 0);
      char *end;
      unsigned long want = strtoul(eq + 1, &end, 10);
      if (f[id] != want)
        fail_msg("%s: field %s = %u, want %lu", k->asm_text, a64_field_name((unsigned)id), f[id],
                 want);
      s = end + strspn(end, " ");
    }
    /* It lifts, to something other than an undefined-instruction raise. */
    IrFunc *fn = lift(&k->insn, 1);
    const IrBlock *b = &fn->blocks[0];
    const IrInst *last = &fn->insts[b->insts[b->n - 1]];
    if (last->op == IR_OP_raise && last->imm == IR_EXC_undef)
      fail_msg("%s: lifted to raise.undef", k->asm_text);
    ir_func_free(fn);
  }
}

/* Encodings that must be undefined (SIGILL). */
static void test_undefined(void **state) {
  (void)state;
  static const struct {
    uint32_t insn;
    bool undef;
    const char *what;
  } cases[] = {
      {0x8bc20c20, true, "add (shifted register) with shift 3"},
      {0x0b028020, true, "add w0, w1, w2, lsl #32"},
      {0x8b225420, true, "add (extended register) with imm3 5"},
      {0xd5380001, true, "mrs x1, midr_el1 (no HWCAP_CPUID)"},
      {0xd50b7421, true, "dc zva, x1 (dczid_el0.DZP)"},
      {0xd53be021, true, "mrs x1, cntpct_el0"},
      {0xf8200420, true, "ldraa x0, [x1] (no PAuth)"},
      {0x7cc00441, true, "ldr (SIMD&FP) size 1 opc 3"},
      {0x69000861, true, "stgp x1, x2, [x3] (no MTE)"},
      {0x9ac00841, false, "udiv x1, x2, x0"},
      {0x3cc00441, false, "ldr q1, [x2], #0"},
      {0x7c400441, false, "ldr h1, [x2], #0"},
  };
  a64_frontend_init();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    IrFunc *fn = lift(&cases[i].insn, 1);
    const IrBlock *b = &fn->blocks[0];
    const IrInst *last = &fn->insts[b->insts[b->n - 1]];
    bool is_undef = last->op == IR_OP_raise && last->imm == IR_EXC_undef;
    if (is_undef != cases[i].undef)
      fail_msg("%s (%08x): undefined %d, want %d", cases[i].what, cases[i].insn, is_undef,
               cases[i].undef);
    ir_func_free(fn);
  }
}

/* -- Every row, randomly ------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static bool row_in(const A64Row *row, const A64Row *table) {
  for (const A64Row *r = table; r->fn; r++)
    if (r == row)
      return true;
  return false;
}

static void random_state(A64Cpu *cpu, Mem *mem) {
  a64_cpu_reset(cpu);
  /* Registers point into memory (8-aligned, mostly) or hold small values. */
  for (unsigned i = 0; i < 31; i++)
    cpu->x[i] = rnd() & 1 ? MEM_BASE + 256 + (rnd() % (MEM_SIZE - 512) & ~7ull) : rnd() % 64;
  cpu->sp = MEM_BASE + MEM_SIZE / 2;
  a64_nzcv_set(cpu, (uint32_t)rnd());
  for (unsigned i = 0; i < MEM_SIZE; i++)
    mem->bytes[i] = (uint8_t)rnd();
  for (unsigned i = 0; i < 32; i++)
    for (unsigned j = 0; j < 16; j++)
      cpu->vreg[i][j] = (uint8_t)rnd();
}

/* The interpreter on the lifted IR and on its optimised form must agree: the
 * optimiser only sees what the lifter said, so a disagreement is an IR that
 * says something it did not mean (a wrong type, a flag read before it is
 * written). */
static void test_rows_random(void **state) {
  (void)state;
  static const A64Row *const mine[] = {a64_rows_dp_reg, a64_rows_ldst, a64_rows_atomic,
                                       a64_rows_sys};
  unsigned n;
  const A64Pattern *pats = a64_patterns(&n);
  Mem *mem = malloc(sizeof *mem), *mem2 = malloc(sizeof *mem2);
  assert_non_null(mem);
  assert_non_null(mem2);
  unsigned tried = 0;
  for (unsigned i = 0; i < n; i++) {
    const A64Pattern *p = &pats[i];
    bool is_mine = false;
    for (size_t t = 0; t < sizeof mine / sizeof mine[0]; t++)
      is_mine |= row_in(p->row, mine[t]);
    if (!is_mine)
      continue;
    for (unsigned k = 0; k < 300; k++) {
      uint32_t insn = p->value | ((uint32_t)rnd() & ~p->mask);
      if (strcmp(p->row->name, "mrs_msr") == 0 && (insn >> 5 & 0x7fff) == 0x5f02)
        continue; /* cntvct: the clock moves between the two runs */
      IrFunc *fn = lift(&insn, 1);
      IrFunc *opt = lift(&insn, 1);
      IrPassOptions o = {.precise_classes = IR_PRECISE_ALL};
      ir_optimize(opt, &o);
      char err[256];
      if (!ir_validate(opt, err, sizeof err))
        fail_msg("%s %08x: optimised IR invalid: %s", p->row->name, insn, err);
      A64Cpu c1, c2;
      random_state(&c1, mem);
      c2 = c1;
      *mem2 = *mem;
      IrMemOps ops1 = {mem, mem_load, mem_store, mem_atomic};
      IrMemOps ops2 = {mem2, mem_load, mem_store, mem_atomic};
      IrExit e1 = ir_interp(fn, &c1, &ops1), e2 = ir_interp(opt, &c2, &ops2);
      if (e1.kind != e2.kind || e1.pc != e2.pc || memcmp(&c1, &c2, sizeof c1) != 0 ||
          memcmp(mem, mem2, sizeof *mem) != 0) {
        char *text = ir_print(fn);
        fail_msg("%s %08x: optimised and unoptimised runs differ\n%s", p->row->name, insn, text);
      }
      ir_func_free(fn);
      ir_func_free(opt);
      tried++;
    }
  }
  assert_true(tried > 1000);
  free(mem);
  free(mem2);
}

/* -- Semantics the qemu comparison cannot see ---------------------------------- */

/* ldxr; stxr succeeds (w2 = 0, memory updated, monitor cleared); a second stxr
 * fails (w2 = 1, memory unchanged). */
static void test_exclusive_monitor(void **state) {
  (void)state;
  static const uint32_t code[] = {
      0xc85f7c01, /* ldxr x1, [x0] */
      0xc8027c03, /* stxr w2, x3, [x0] */
      0xc8047c05, /* stxr w4, x5, [x0] */
  };
  Mem *mem = calloc(1, sizeof *mem);
  A64Cpu cpu;
  a64_cpu_reset(&cpu);
  cpu.x[0] = MEM_BASE + 64;
  cpu.x[3] = 0x1111;
  cpu.x[5] = 0x2222;
  cpu.x[2] = cpu.x[4] = 77;
  uint64_t init = 0xabcdef;
  memcpy(mem->bytes + 64, &init, 8);
  IrExit e = run(code, 3, &cpu, mem);
  assert_int_equal(e.kind, IR_EXIT_JUMP);
  assert_int_equal(e.pc, CODE_PC + 12);
  uint64_t now;
  memcpy(&now, mem->bytes + 64, 8);
  assert_int_equal(cpu.x[1], init);
  assert_int_equal(cpu.x[2], 0);
  assert_int_equal(cpu.x[4], 1);
  assert_int_equal(now, 0x1111);
  assert_int_equal(cpu.excl_addr, ~0ull);
  /* A value changed in between makes the store fail. */
  static const uint32_t ldx[] = {0xc85f7c01}, stx[] = {0xc8027c03};
  run(ldx, 1, &cpu, mem);
  uint64_t other = 5;
  memcpy(mem->bytes + 64, &other, 8);
  run(stx, 1, &cpu, mem);
  memcpy(&now, mem->bytes + 64, 8);
  assert_int_equal(cpu.x[2], 1);
  assert_int_equal(now, 5);
  free(mem);
}

/* ldxp/stxp and casp on X pairs go through the 128-bit helper. */
static void test_cas128(void **state) {
  (void)state;
  static const uint32_t pair[] = {
      0xc87f0801, /* ldxp x1, x2, [x0] */
      0xc8251003, /* stxp w5, x3, x4, [x0] */
  };
  Mem *mem = calloc(1, sizeof *mem);
  A64Cpu cpu;
  a64_cpu_reset(&cpu);
  cpu.x[0] = MEM_BASE + 128;
  cpu.x[3] = 0x33;
  cpu.x[4] = 0x44;
  cpu.x[5] = 77;
  uint64_t init[2] = {7, 8};
  memcpy(mem->bytes + 128, init, 16);
  assert_int_equal(run(pair, 2, &cpu, mem).kind, IR_EXIT_JUMP);
  uint64_t now[2];
  memcpy(now, mem->bytes + 128, 16);
  assert_int_equal(cpu.x[1], 7);
  assert_int_equal(cpu.x[2], 8);
  assert_int_equal(cpu.x[5], 0);
  assert_int_equal(now[0], 0x33);
  assert_int_equal(now[1], 0x44);

  static const uint32_t casp[] = {0x48227cc4}; /* casp x2, x3, x4, x5, [x6] */
  cpu.x[6] = MEM_BASE + 128;
  cpu.x[2] = 0x33, cpu.x[3] = 0x44, cpu.x[4] = 0x55, cpu.x[5] = 0x66;
  run(casp, 1, &cpu, mem);
  memcpy(now, mem->bytes + 128, 16);
  assert_int_equal(now[0], 0x55);
  assert_int_equal(now[1], 0x66);
  assert_int_equal(cpu.x[2], 0x33);
  assert_int_equal(cpu.x[3], 0x44);
  cpu.x[2] = 1, cpu.x[3] = 2, cpu.x[4] = 9, cpu.x[5] = 9; /* fails: Xs:Xs+1 get memory */
  run(casp, 1, &cpu, mem);
  memcpy(now, mem->bytes + 128, 16);
  assert_int_equal(now[0], 0x55);
  assert_int_equal(cpu.x[2], 0x55);
  assert_int_equal(cpu.x[3], 0x66);
  /* Misaligned: a fault at the address. */
  cpu.x[6] = MEM_BASE + 136;
  IrExit e = run(casp, 1, &cpu, mem);
  assert_int_equal(e.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(e.exc, IR_EXC_fault);
  assert_int_equal(e.addr, MEM_BASE + 136);
  free(mem);
}

/* msr fpcr keeps the rounding slot in step: RMode RN RP RM RZ -> nearest up
 * down zero. */
static void test_fpcr_rounding(void **state) {
  (void)state;
  static const uint32_t msr[] = {0xd51b4401}; /* msr fpcr, x1 */
  static const uint8_t want[4] = {IR_RM_NEAREST, IR_RM_UP, IR_RM_DOWN, IR_RM_ZERO};
  Mem *mem = calloc(1, sizeof *mem);
  for (unsigned rmode = 0; rmode < 4; rmode++) {
    A64Cpu cpu;
    a64_cpu_reset(&cpu);
    cpu.x[1] = (uint64_t)rmode << 22 | 0xffffffff00000000ull | 1u << 25 | 0x9f00;
    run(msr, 1, &cpu, mem);
    assert_int_equal(cpu.frm, want[rmode]);
    assert_int_equal(cpu.fpcr, (uint32_t)(rmode << 22 | 1u << 25));
  }
  free(mem);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_patterns_compile),  cmocka_unit_test(test_known_encodings),
      cmocka_unit_test(test_undefined),         cmocka_unit_test(test_rows_random),
      cmocka_unit_test(test_exclusive_monitor), cmocka_unit_test(test_cas128),
      cmocka_unit_test(test_fpcr_rounding),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
