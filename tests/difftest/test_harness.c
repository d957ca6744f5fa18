/* test_harness.c — tests of the difftest harness itself: the native runner gives
 * the right state for hand-written bytes (arithmetic, flags, faults with their
 * si_addr, SIGILL, SIGFPE, SIGTRAP, branches into the landing pad, the stack),
 * survives a case that kills its child, the emulated runner agrees on the same
 * cases, the comparison notices a difference, and every class-table row can
 * be generated. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dt_test.h"

static DtOutcome nat, emu;

/* A case with a quiet, known input state: GPRs i*0x1111..., flags clear. */
static void make_case(DtCase *c, const uint8_t *bytes, size_t len) {
  memset(c, 0, sizeof *c);
  memcpy(c->bytes, bytes, len);
  c->len = (uint32_t)len;
  for (int i = 0; i < 16; i++)
    c->in.gpr[i] = 0x1111111111111111ull * (uint64_t)i;
  c->in.gpr[4] = DT_STACK_MID;
  c->in.mxcsr = 0x1f80;
  c->in.fcw = 0x37f;
  c->in.ftag = 0xff;
  for (unsigned i = 0; i < DT_SCRATCH_SIZE; i++)
    c->mem[i] = (uint8_t)(i * 7);
  assert_true(dt_decode_case(c));
}

static void run_native(const DtCase *c) { dt_runner_run(runner, c, &nat, 1); }

#define CF 0x1ull
#define PF 0x4ull
#define AF 0x10ull
#define ZF 0x40ull
#define SF 0x80ull
#define DF 0x400ull
#define OF 0x800ull

static void test_add_rax_rbx(void **state) {
  (void)state;
  static const uint8_t add[] = {0x48, 0x01, 0xd8}; /* add rax, rbx */
  DtCase c;
  make_case(&c, add, sizeof add);
  c.in.gpr[0] = 5;
  c.in.gpr[3] = 7;
  run_native(&c);
  assert_int_equal(nat.signo, DT_SIG_NONE);
  assert_int_equal(nat.st.gpr[0], 12);
  assert_int_equal(nat.st.gpr[3], 7);
  assert_int_equal(nat.st.rip, DT_CASE_PC + 3);
  assert_int_equal(nat.st.rflags & DT_FLAGS_ALL, PF); /* 12 = 0b1100: even parity */
  for (int i = 5; i < 16; i++)
    assert_int_equal(nat.st.gpr[i], c.in.gpr[i]);
  assert_memory_equal(nat.mem, c.mem, DT_SCRATCH_SIZE);

  /* -1 + 1: every flag but SF and OF; DF comes through untouched. */
  c.in.gpr[0] = ~0ull;
  c.in.gpr[3] = 1;
  c.in.rflags = DF | SF | OF;
  run_native(&c);
  assert_int_equal(nat.st.gpr[0], 0);
  assert_int_equal(nat.st.rflags & DT_FLAGS_ALL, CF | PF | AF | ZF | DF);
}

static void test_full_state_round_trip(void **state) {
  (void)state;
  static const uint8_t nop[] = {0x90};
  DtCase c;
  make_case(&c, nop, sizeof nop);
  c.in.rflags = CF | ZF | DF | OF;
  for (int i = 0; i < 16; i++)
    memset(c.in.xmm[i], 0x10 + i, 16);
  c.in.mxcsr = 0x1f80 | 0x6000 | 0x3; /* RC = toward zero, two sticky flags */
  c.in.fcw = 0x77f;
  c.in.fsw = 0x4101;
  c.in.ftop = 5;
  c.in.ftag = 0x0f;
  for (int i = 0; i < 8; i++) {
    c.in.st[i].mant = 0x8000000000000000ull | (uint64_t)i;
    c.in.st[i].sexp = (uint16_t)(0x3fff + i);
  }
  run_native(&c);
  assert_int_equal(nat.signo, DT_SIG_NONE);
  assert_memory_equal(nat.st.gpr, c.in.gpr, sizeof c.in.gpr);
  assert_int_equal(nat.st.rflags & DT_FLAGS_ALL, CF | ZF | DF | OF);
  assert_memory_equal(nat.st.xmm, c.in.xmm, sizeof c.in.xmm);
  assert_int_equal(nat.st.mxcsr, c.in.mxcsr);
  assert_int_equal(nat.st.fcw, c.in.fcw);
  assert_int_equal(nat.st.fsw, c.in.fsw);
  assert_int_equal(nat.st.ftop, c.in.ftop);
  assert_int_equal(nat.st.ftag, c.in.ftag);
  for (int i = 0; i < 8; i++) {
    assert_int_equal(nat.st.st[i].mant, c.in.st[i].mant);
    assert_int_equal(nat.st.st[i].sexp, c.in.st[i].sexp);
  }
}

static void expect_segv(DtCase *c, uint64_t rcx, uint64_t want_addr) {
  c->in.gpr[1] = rcx;
  run_native(c);
  assert_int_equal(nat.signo, SIGSEGV);
  assert_int_equal(nat.sigaddr, want_addr);
  assert_int_equal(nat.st.rip, DT_CASE_PC);
  assert_int_equal(nat.st.gpr[0], c->in.gpr[0]); /* the load did not happen */
}

static void test_faulting_load(void **state) {
  (void)state;
  static const uint8_t load[] = {0x48, 0x8b, 0x01}; /* mov rax, [rcx] */
  DtCase c;
  make_case(&c, load, sizeof load);
  expect_segv(&c, 0x1000, 0x1000);
  expect_segv(&c, DT_SCRATCH_BASE - 8, DT_SCRATCH_BASE - 8);
  expect_segv(&c, DT_SCRATCH_BASE + DT_SCRATCH_SIZE, DT_SCRATCH_BASE + DT_SCRATCH_SIZE);
  expect_segv(&c, 0x8000000000000000ull, 0); /* non-canonical: #GP, no address */
  /* And the good case reads scratch. */
  c.in.gpr[1] = DT_SCRATCH_BASE + 0x40;
  run_native(&c);
  assert_int_equal(nat.signo, DT_SIG_NONE);
  uint64_t v;
  memcpy(&v, c.mem + 0x40, 8);
  assert_int_equal(nat.st.gpr[0], v);
}

static void test_store_and_push(void **state) {
  (void)state;
  static const uint8_t code[] = {0x48, 0x89, 0x01, 0x53}; /* mov [rcx], rax; push rbx */
  DtCase c;
  make_case(&c, code, sizeof code);
  c.in.gpr[1] = DT_SCRATCH_BASE + 0x123;
  run_native(&c);
  assert_int_equal(nat.signo, DT_SIG_NONE);
  uint64_t v;
  memcpy(&v, nat.mem + 0x123, 8);
  assert_int_equal(v, c.in.gpr[0]);
  assert_int_equal(nat.st.gpr[4], DT_STACK_MID - 8);
  memcpy(&v, nat.mem + (DT_STACK_MID - 8 - DT_SCRATCH_BASE), 8);
  assert_int_equal(v, c.in.gpr[3]);
}

static void test_pushfq_sees_input_flags(void **state) {
  (void)state;
  static const uint8_t code[] = {0x9c}; /* pushfq */
  DtCase c;
  make_case(&c, code, sizeof code);
  c.in.rflags = CF | AF | SF | DF;
  run_native(&c);
  uint64_t v;
  memcpy(&v, nat.mem + (DT_STACK_MID - 8 - DT_SCRATCH_BASE), 8);
  assert_int_equal(v, CF | AF | SF | DF | 0x202);
}

static void test_ud2_sigill(void **state) {
  (void)state;
  static const uint8_t code[] = {0x48, 0xff, 0xc0, 0x0f, 0x0b}; /* inc rax; ud2 */
  DtCase c;
  make_case(&c, code, sizeof code);
  run_native(&c);
  assert_int_equal(nat.signo, SIGILL);
  assert_int_equal(nat.st.rip, DT_CASE_PC + 3);
  assert_int_equal(nat.st.gpr[0], c.in.gpr[0] + 1); /* state at the fault is precise */
}

static void test_div_zero_sigfpe(void **state) {
  (void)state;
  static const uint8_t code[] = {0x48, 0xf7, 0xf1}; /* div rcx */
  DtCase c;
  make_case(&c, code, sizeof code);
  c.in.gpr[1] = 0;
  run_native(&c);
  assert_int_equal(nat.signo, SIGFPE);
  assert_int_equal(nat.st.rip, DT_CASE_PC);
  c.in.gpr[1] = 3;
  c.in.gpr[2] = 0;
  c.in.gpr[0] = 10;
  run_native(&c);
  assert_int_equal(nat.signo, DT_SIG_NONE);
  assert_int_equal(nat.st.gpr[0], 3);
  assert_int_equal(nat.st.gpr[2], 1);
}

static void test_int3_and_landing_pad(void **state) {
  (void)state;
  static const uint8_t brk[] = {0x90, 0xcc}; /* nop; int3 */
  DtCase c;
  make_case(&c, brk, sizeof brk);
  run_native(&c);
  assert_int_equal(nat.signo, SIGTRAP);
  assert_int_equal(nat.st.rip, DT_CASE_PC + 1); /* the int3 itself, as the emulator says */

  static const uint8_t jmp[] = {0xeb, 0x80}; /* jmp back into the pad */
  make_case(&c, jmp, sizeof jmp);
  run_native(&c);
  assert_int_equal(nat.signo, DT_SIG_NONE);
  assert_int_equal(nat.st.rip, DT_CASE_PC + 2 - 0x80);
}

static void test_child_death_is_contained(void **state) {
  (void)state;
  /* mov eax, 60; xor edi, edi; syscall: exit(0) kills the child mid-batch. */
  static const uint8_t die[] = {0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05};
  static const uint8_t add[] = {0x48, 0x01, 0xd8};
  DtCase *cs = calloc(3, sizeof *cs);
  DtOutcome *outs = calloc(3, sizeof *outs);
  make_case(&cs[0], add, sizeof add);
  make_case(&cs[1], die, sizeof die);
  make_case(&cs[2], add, sizeof add);
  dt_runner_run(runner, cs, outs, 3);
  assert_int_equal(outs[0].signo, DT_SIG_NONE);
  assert_int_equal(outs[1].signo, DT_SIG_HARNESS);
  assert_int_equal(outs[2].signo, DT_SIG_NONE);
  assert_int_equal(outs[2].st.gpr[0], cs[2].in.gpr[0] + cs[2].in.gpr[3]);
  free(cs);
  free(outs);
}

/* The emulator agrees with the CPU on the hand-written cases above, with both
 * interpreters; and a changed outcome is reported as a difference. */
static void test_emulated_agrees(void **state) {
  (void)state;
  static const struct {
    uint8_t bytes[8];
    uint8_t len;
  } cases[] = {
      {{0x48, 0x01, 0xd8}, 3},             /* add rax, rbx */
      {{0x48, 0x8b, 0x01}, 3},             /* mov rax, [rcx] (faults: rcx = 0x1111...) */
      {{0x48, 0x89, 0x01, 0x53}, 4},       /* mov [rcx], rax; push rbx (faults) */
      {{0x9c}, 1},                         /* pushfq */
      {{0x48, 0xff, 0xc0, 0x0f, 0x0b}, 5}, /* inc rax; ud2 */
      {{0x90, 0xcc}, 2},                   /* nop; int3 */
      {{0xeb, 0x80}, 2},                   /* jmp into the pad */
  };
  DtCase c;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    make_case(&c, cases[i].bytes, cases[i].len);
    c.in.rflags = CF | PF;
    run_native(&c);
    for (size_t e = 0; e < dt_nexecutors; e++) {
      DtEmuInfo info;
      assert_true(dt_emu_run(&dt_executors[e], &c, &emu, &info));
      DtDiffs d;
      if (dt_compare(&c, &nat, &emu, &d)) {
        print_message("case %zu [%s] %s\n", i, dt_executors[e].name, c.desc);
        dt_print_diffs(stderr, &d);
        fail();
      }
    }
  }
  /* The comparison sees a register, a flag, memory and the signal. */
  make_case(&c, cases[0].bytes, cases[0].len);
  run_native(&c);
  DtOutcome *other = malloc(sizeof *other);
  *other = nat;
  other->st.gpr[9] ^= 1;
  other->st.rflags ^= ZF;
  other->mem[7] ^= 0x80;
  other->signo = SIGSEGV;
  DtDiffs d;
  assert_int_equal(dt_compare(&c, &nat, other, &d), 4);
  assert_string_equal(d.d[0].field, "signal");
  assert_string_equal(d.d[1].field, "r9");
  assert_string_equal(d.d[2].field, "rflags");
  assert_string_equal(d.d[3].field, "mem+0x7");
  free(other);
}

/* DtF80's padding carries no meaning (generators may leave it unset). */
static void zero_padding(DtCase *c) {
  for (int i = 0; i < 8; i++) {
    DtF80 v = c->in.st[i];
    memset(&c->in.st[i], 0, sizeof c->in.st[i]);
    c->in.st[i].mant = v.mant;
    c->in.st[i].sexp = v.sexp;
  }
}

/* Every row of the class table encodes, and the same (seed, stream, k) gives
 * the same case. */
static void test_every_row_generates(void **state) {
  (void)state;
  DtCase *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  for (size_t i = 0; i < dt_nforms; i++) {
    DtRng r = dt_rng_for(7, dt_forms[i].cls, i);
    if (!dt_gen_single(&r, &dt_forms[i], a))
      fail_msg("row %zu (%s %s) does not generate", i, dt_forms[i].cls, dt_forms[i].ops);
    assert_true(a->ninsns == 1 && a->len > 0);
    r = dt_rng_for(7, dt_forms[i].cls, i);
    assert_true(dt_gen_single(&r, &dt_forms[i], b));
    zero_padding(a);
    zero_padding(b);
    assert_memory_equal(a, b, sizeof *a);
  }
  free(a);
  free(b);
}

/* Generator support for the classes others will add as rows: every form
 * generates, runs natively without harness trouble, and faults only rarely
 * (the planned 1-in-24 bad address, 1-in-8 misalignment). */
static void test_generator_features(void **state) {
  (void)state;
  static const DtForm forms[] = {
      {"t", ZYDIS_MNEMONIC_MOVSQ, "", 0, DT_F_STRING | DT_F_REP},
      {"t", ZYDIS_MNEMONIC_SCASB, "", 0, DT_F_STRING | DT_F_REPCC},
      {"t", ZYDIS_MNEMONIC_STOSD, "", 0, DT_F_STRING | DT_F_REP},
      {"t", ZYDIS_MNEMONIC_BTS, "Ev,Gv", DT_S16 | DT_S32 | DT_S64, DT_F_LOCK},
      {"t", ZYDIS_MNEMONIC_MOVAPS, "Vx,Wx", 0, DT_F_ALIGN},
      {"t", ZYDIS_MNEMONIC_SHL, "Ev,1", DT_SALL, 0},
      {"t", ZYDIS_MNEMONIC_ROR, "Ev,cl", DT_SALL, 0},
  };
  enum { N = 200 };
  DtCase *cs = calloc(N, sizeof *cs);
  DtOutcome *outs = calloc(N, sizeof *outs);
  for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
    unsigned rep = 0, misaligned = 0, faults = 0;
    for (unsigned k = 0; k < N; k++) {
      DtRng r = dt_rng_for(3, "features", f * N + k);
      assert_true(dt_gen_single(&r, &forms[f], &cs[k]));
      rep += cs[k].bytes[0] == 0xf3 || cs[k].bytes[0] == 0xf2 || cs[k].bytes[1] == 0xf3 ||
             cs[k].bytes[1] == 0xf2;
    }
    dt_runner_run(runner, cs, outs, N);
    for (unsigned k = 0; k < N; k++) {
      assert_int_not_equal(outs[k].signo, DT_SIG_HARNESS);
      faults += outs[k].signo != DT_SIG_NONE;
      misaligned += outs[k].signo == SIGSEGV && outs[k].sigaddr == 0;
    }
    if (forms[f].flags & (DT_F_REP | DT_F_REPCC))
      assert_true(rep > N / 4);
    if (forms[f].flags & DT_F_ALIGN)
      assert_true(misaligned > 0);
    assert_true(faults < N / 4);
  }
  free(cs);
  free(outs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_rax_rbx),
      cmocka_unit_test(test_full_state_round_trip),
      cmocka_unit_test(test_faulting_load),
      cmocka_unit_test(test_store_and_push),
      cmocka_unit_test(test_pushfq_sees_input_flags),
      cmocka_unit_test(test_ud2_sigill),
      cmocka_unit_test(test_div_zero_sigfpe),
      cmocka_unit_test(test_int3_and_landing_pad),
      cmocka_unit_test(test_child_death_is_contained),
      cmocka_unit_test(test_emulated_agrees),
      cmocka_unit_test(test_every_row_generates),
      cmocka_unit_test(test_generator_features),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
