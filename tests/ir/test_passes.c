/* test_passes.c — the fold, forward, dse and dce passes and the ir_optimize
 * pipeline: what each removes and what it must keep (x86-style flag writes, precise
 * guest state across faulting instructions, effects), plus an equivalence check:
 * programs run through the reference interpreter before and after ir_optimize, on
 * the same random states, must leave identical CPU state and exits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "test_regfile.h"

/* -- Helpers the programs call ----------------------------------------------- */

static uint64_t h_pure(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return a * 3 + 1;
}
static uint64_t h_read_zf(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return ((TestCpu *)cpu)->zf + a;
}
static uint64_t h_write_r5(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  ((TestCpu *)cpu)->r[5] = a ^ 0x5555;
  ((TestCpu *)cpu)->cf = 1;
  return 0;
}
static uint64_t h_memory(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) { return 0; }

static void register_helpers(void) {
  static const IrHelper hs[] = {
      {"pure", h_pure, 1, IR_T_i64, 0},
      {"read_zf", h_read_zf, 1, IR_T_i64, IR_HELPER_READS_STATE},
      {"write_r5", h_write_r5, 1, IR_T_void, IR_HELPER_WRITES_STATE},
      {"memory", h_memory, 0, IR_T_void, IR_HELPER_MEMORY},
  };
  for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
    assert_true(ir_helper_register(&hs[i]) >= 0);
}

/* -- Building and inspecting functions ------------------------------------------ */

static IrFunc *parse(const char *text) {
  char err[256] = "";
  register_helpers();
  IrFunc *fn = ir_parse(text, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("parse failed: %s", err);
  if (!ir_validate(fn, err, sizeof err))
    fail_msg("test program invalid: %s", err);
  return fn;
}

static void expect_valid(const IrFunc *fn) {
  char err[512];
  if (!ir_validate(fn, err, sizeof err)) {
    char *text = ir_print(fn);
    fail_msg("invalid after pass: %s\n%s", err, text);
    free(text);
  }
}

static unsigned count_op(const IrFunc *fn, IrOp op) {
  unsigned n = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++)
      n += fn->insts[fn->blocks[b].insts[i]].op == op;
  return n;
}

/* How many `set slot` instructions are listed. */
static unsigned count_set(const IrFunc *fn, uint32_t slot) {
  unsigned n = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      n += in->op == IR_OP_set && in->imm == slot;
    }
  return n;
}

/* The value stored by the last `set slot` in block b. */
static const IrInst *last_set_value(const IrFunc *fn, uint32_t b, uint32_t slot) {
  const IrInst *found = NULL;
  for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
    const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
    if (in->op == IR_OP_set && in->imm == slot)
      found = &fn->insts[in->args[0]];
  }
  assert_non_null(found);
  return found;
}

static const IrInst *terminator(const IrFunc *fn, uint32_t b) {
  return &fn->insts[fn->blocks[b].insts[fn->blocks[b].n - 1]];
}

/* -- Interpreting: a small guest memory at 0x10000 --------------------------------- */

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x1000u
typedef struct TestMem {
  uint8_t bytes[MEM_SIZE];
} TestMem;

static bool mem_range(uint64_t addr, unsigned size) {
  return addr >= MEM_BASE && addr - MEM_BASE <= MEM_SIZE - size;
}
static int mem_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  if (!mem_range(addr, size))
    return 1;
  memcpy(out, ((TestMem *)ctx)->bytes + (addr - MEM_BASE), size);
  return 0;
}
static int mem_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  if (!mem_range(addr, size))
    return 1;
  memcpy(((TestMem *)ctx)->bytes + (addr - MEM_BASE), in, size);
  return 0;
}
static void *mem_atomic(void *ctx, uint64_t addr, unsigned size) {
  return mem_range(addr, size) ? ((TestMem *)ctx)->bytes + (addr - MEM_BASE) : NULL;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* A random guest state; registers lean towards small values, valid addresses and 0. */
static void random_cpu(TestCpu *cpu) {
  uint8_t *p = (uint8_t *)cpu;
  for (size_t i = 0; i < sizeof *cpu; i++)
    p[i] = (uint8_t)rnd();
  for (int i = 0; i < 8; i++) {
    uint64_t pick = rnd() % 4;
    cpu->r[i] = pick == 0 ? rnd() % 4 : pick == 1 ? MEM_BASE + rnd() % (MEM_SIZE + 64) : rnd();
  }
}

typedef struct Run {
  TestCpu cpu;
  TestMem mem;
  IrExit exit;
} Run;

static void run(const IrFunc *fn, const TestCpu *start, const TestMem *mem, Run *out) {
  out->cpu = *start;
  out->mem = *mem;
  IrMemOps ops = {&out->mem, mem_load, mem_store, mem_atomic};
  out->exit = ir_interp(fn, &out->cpu, &ops);
}

static void expect_same_exit(const IrExit *a, const IrExit *b) {
  assert_int_equal(a->kind, b->kind);
  assert_int_equal(a->pc, b->pc);
  if (a->kind == IR_EXIT_EXCEPTION) {
    assert_int_equal(a->exc, b->exc);
    assert_int_equal(a->addr, b->addr);
    assert_int_equal(a->is_write, b->is_write);
  }
}

/* ir_optimize(text) behaves like text on `rounds` random states: same exit, same
 * memory, and the same CPU state (all of it with IR_PRECISE_ALL; the GPRs with a
 * narrower set, whose other classes may be stale at a fault). */
static void expect_equivalent(const char *text, const IrPassOptions *opt, int rounds) {
  IrFunc *before = parse(text), *after = parse(text);
  ir_optimize(after, opt);
  expect_valid(after);
  static Run a, b; /* large: keep them off the stack */
  int completed = 0;
  for (int i = 0; i < rounds; i++) {
    TestCpu cpu;
    TestMem mem;
    random_cpu(&cpu);
    for (size_t k = 0; k < sizeof mem.bytes; k++)
      mem.bytes[k] = (uint8_t)rnd();
    run(before, &cpu, &mem, &a);
    run(after, &cpu, &mem, &b);
    expect_same_exit(&a.exit, &b.exit);
    completed += a.exit.kind == IR_EXIT_JUMP;
    assert_memory_equal(a.mem.bytes, b.mem.bytes, sizeof a.mem.bytes);
    if (opt->precise_classes == IR_PRECISE_ALL || a.exit.kind != IR_EXIT_EXCEPTION)
      assert_memory_equal(&a.cpu, &b.cpu, sizeof a.cpu);
    else
      assert_memory_equal(a.cpu.r, b.cpu.r, sizeof a.cpu.r);
  }
  assert_true(completed > 0); /* the random states reach the end, not only faults */
  ir_func_free(before);
  ir_func_free(after);
}

/* -- x86-style flags -------------------------------------------------------------- */

/* add r0, r1 ; cmp r0, r2 ; jz — the add's six flag writes are dead: cmp rewrites
 * them all before the jz (a br, where every slot is live) reads zf. */
static const char *const x86_add_cmp_jz =
    "func {\n"
    "b0:\n"
    "  insn 0x1000, 3\n"
    "  %a:i64 = get r0\n"
    "  %b:i64 = get r1\n"
    "  %s:i64 = add %a, %b\n"
    "  set r0, %s\n"
    "  %no:i1 = const 0\n"
    "  %zero:i64 = const 0\n"
    "  %cf1:i1 = addcf %a, %b, %no\n"
    "  set cf, %cf1\n"
    "  %zf1:i1 = cmp.eq %s, %zero\n"
    "  set zf, %zf1\n"
    "  %sf1:i1 = cmp.slt %s, %zero\n"
    "  set sf, %sf1\n"
    "  %of1:i1 = addof %a, %b, %no\n"
    "  set of, %of1\n"
    "  %pf1:i1 = parity %s\n"
    "  set pf, %pf1\n"
    "  %x1:i64 = xor %a, %b\n"
    "  %x2:i64 = xor %x1, %s\n"
    "  %x3:i64 = extract %x2, 4, 1\n"
    "  %af1:i1 = trunc %x3\n"
    "  set af, %af1\n"
    "  insn 0x1003, 3\n"
    "  %c:i64 = get r0\n"
    "  %d:i64 = get r2\n"
    "  %t:i64 = sub %c, %d\n"
    "  %cf2:i1 = subcf %c, %d, %no\n"
    "  set cf, %cf2\n"
    "  %zf2:i1 = cmp.eq %t, %zero\n"
    "  set zf, %zf2\n"
    "  %sf2:i1 = cmp.slt %t, %zero\n"
    "  set sf, %sf2\n"
    "  %of2:i1 = subof %c, %d, %no\n"
    "  set of, %of2\n"
    "  %pf2:i1 = parity %t\n"
    "  set pf, %pf2\n"
    "  %y1:i64 = xor %c, %d\n"
    "  %y2:i64 = xor %y1, %t\n"
    "  %y3:i64 = extract %y2, 4, 1\n"
    "  %af2:i1 = trunc %y3\n"
    "  set af, %af2\n"
    "  insn 0x1006, 2\n"
    "  %z:i1 = get zf\n"
    "  br %z, b1, b2\n"
    "b1:\n"
    "  exit 0x2000\n"
    "b2:\n"
    "  exit 0x1008\n"
    "}\n";

static const uint32_t flag_slots[] = {T_CF, T_ZF, T_SF, T_OF, T_PF, T_AF};

static void test_x86_dead_flags(void **state) {
  IrFunc *fn = parse(x86_add_cmp_jz);
  ir_optimize(fn, &(IrPassOptions){IR_PRECISE_ALL});
  expect_valid(fn);
  /* Only the cmp's flag writes are left, one per flag. */
  for (size_t i = 0; i < 6; i++)
    assert_int_equal(count_set(fn, flag_slots[i]), 1);
  /* CF of the cmp folded to the compare it is (c <u d) */
  assert_int_equal(last_set_value(fn, 0, T_CF)->op, IR_OP_cmp);
  assert_int_equal(last_set_value(fn, 0, T_CF)->imm, IR_PRED_ult);
  assert_int_equal(last_set_value(fn, 0, T_OF)->op, IR_OP_subof);
  /* ... and the add's flag computations went with them. */
  assert_int_equal(count_op(fn, IR_OP_addcf), 0);
  assert_int_equal(count_op(fn, IR_OP_addof), 0);
  assert_int_equal(count_op(fn, IR_OP_parity), 1);
  assert_int_equal(count_op(fn, IR_OP_xor), 2);
  /* get r0 after set r0 and get zf after set zf were forwarded. */
  assert_int_equal(count_op(fn, IR_OP_get), 3); /* r0 r1 r2 */
  const IrInst *br = terminator(fn, 0);
  assert_int_equal(br->op, IR_OP_br);
  assert_int_equal(fn->insts[br->args[0]].op, IR_OP_cmp);
  assert_int_equal(count_set(fn, T_R0), 1);
  assert_int_equal(count_op(fn, IR_OP_insn), 3);
  ir_func_free(fn);
  expect_equivalent(x86_add_cmp_jz, &(IrPassOptions){IR_PRECISE_ALL}, 200);
}

/* add (flags) ; set r3 ; load (may fault) ; sub (flags) ; set r3 ; jz */
static const char *const x86_flags_across_load =
    "func {\n"
    "b0:\n"
    "  insn 0x1000, 3\n"
    "  %a:i64 = get r0\n"
    "  %b:i64 = get r1\n"
    "  %s:i64 = add %a, %b\n"
    "  %no:i1 = const 0\n"
    "  %zero:i64 = const 0\n"
    "  %cf1:i1 = addcf %a, %b, %no\n"
    "  set cf, %cf1\n"
    "  %zf1:i1 = cmp.eq %s, %zero\n"
    "  set zf, %zf1\n"
    "  set r3, %s\n"
    "  insn 0x1003, 4\n"
    "  %v:i64 = load %b\n"
    "  set r4, %v\n"
    "  insn 0x1007, 3\n"
    "  %t:i64 = sub %s, %v\n"
    "  set r3, %t\n"
    "  %cf2:i1 = subcf %s, %v, %no\n"
    "  set cf, %cf2\n"
    "  %zf2:i1 = cmp.eq %t, %zero\n"
    "  set zf, %zf2\n"
    "  %z:i1 = get zf\n"
    "  br %z, b1, b2\n"
    "b1:\n"
    "  exit 0x2000\n"
    "b2:\n"
    "  exit 0x100a\n"
    "}\n";

static void test_precise_across_load(void **state) {
  static const struct {
    uint32_t classes;
    unsigned flag_sets, r3_sets;
  } cases[] = {
      {IR_PRECISE_ALL, 2, 2},     /* the load sees the add's flags and r3 */
      {1u << IR_RC_GPR, 1, 2},    /* only r3 must be exact at the load */
      {1u << IR_RC_FLAG, 2, 1},   /* only the flags */
      {0, 1, 1},                  /* nothing: a fault may see stale state */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    IrFunc *fn = parse(x86_flags_across_load);
    IrPassOptions opt = {cases[i].classes};
    ir_optimize(fn, &opt);
    expect_valid(fn);
    assert_int_equal(count_set(fn, T_CF), cases[i].flag_sets);
    assert_int_equal(count_set(fn, T_ZF), cases[i].flag_sets);
    assert_int_equal(count_set(fn, T_R3), cases[i].r3_sets);
    assert_int_equal(count_op(fn, IR_OP_load), 1);
    ir_func_free(fn);
  }
  expect_equivalent(x86_flags_across_load, &(IrPassOptions){IR_PRECISE_ALL}, 300);
  expect_equivalent(x86_flags_across_load, &(IrPassOptions){1u << IR_RC_GPR}, 300);
}

/* With only GPRs precise, a fault at the load sees stale flags: the difference the
 * option buys is real, and it is only in the flags. */
static void test_precise_gpr_fault_state(void **state) {
  IrFunc *before = parse(x86_flags_across_load), *after = parse(x86_flags_across_load);
  ir_optimize(after, &(IrPassOptions){1u << IR_RC_GPR});
  static Run a, b;
  TestCpu cpu;
  TestMem mem = {{0}};
  memset(&cpu, 0, sizeof cpu);
  cpu.r[0] = 5;
  cpu.r[1] = 0x10; /* not mapped: the load faults */
  cpu.cf = 1;
  cpu.zf = 1; /* the add gives cf = 0, zf = 0 */
  run(before, &cpu, &mem, &a);
  run(after, &cpu, &mem, &b);
  expect_same_exit(&a.exit, &b.exit);
  assert_int_equal(a.exit.kind, IR_EXIT_EXCEPTION);
  assert_int_equal(a.exit.exc, IR_EXC_fault);
  assert_int_equal(a.exit.pc, 0x1003);
  assert_memory_equal(a.cpu.r, b.cpu.r, sizeof a.cpu.r);
  assert_int_equal(a.cpu.r[3], 0x15);
  assert_int_equal(a.cpu.cf, 0);
  assert_int_equal(b.cpu.cf, 1); /* stale, as allowed */
  ir_func_free(before);
  ir_func_free(after);
}

/* -- Forwarding -------------------------------------------------------------------- */

static void test_forward(void **state) {
  IrFunc *fn = parse("func {\n"
                     "b0:\n"
                     "  %a:i64 = get r0\n"
                     "  %b:i64 = get r0\n"       /* -> %a */
                     "  %s:i64 = add %a, %b\n"
                     "  set r1, %s\n"
                     "  insn 0x1004, 4\n"
                     "  %c:i64 = get r1\n"       /* -> %s, across the marker */
                     "  %p:i64 = call pure(%c)\n" /* no state effects */
                     "  %d:i64 = get r1\n"       /* -> %s */
                     "  call write_r5(%d)\n"     /* forgets everything */
                     "  %e:i64 = get r1\n"       /* stays */
                     "  %f:i64 = add %e, %p\n"
                     "  set r2, %f\n"
                     "  store %e, %f\n"
                     "  %g:i64 = get r2\n"       /* -> %f: stores are not slots */
                     "  jmp b1\n"
                     "b1:\n"
                     "  %h:i64 = get r2\n"       /* another block: stays */
                     "  exiti %h\n"
                     "}\n");
  ir_pass_forward(fn);
  expect_valid(fn);
  assert_int_equal(count_op(fn, IR_OP_get), 3); /* %a, %e, %h */
  const IrInst *add = &fn->insts[fn->blocks[0].insts[1]];
  assert_int_equal(add->op, IR_OP_add);
  assert_int_equal(add->args[0], add->args[1]);
  IrRef gets[3];
  unsigned n = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++)
      if (fn->insts[fn->blocks[b].insts[i]].op == IR_OP_get)
        gets[n++] = fn->blocks[b].insts[i];
  assert_int_equal(fn->insts[gets[1]].imm, T_R1);
  assert_int_equal(fn->insts[gets[2]].imm, T_R2);
  ir_func_free(fn);
}

/* Slots sharing bytes: a write to one part invalidates what is known of the other. */
typedef struct AliasCpu {
  uint64_t rax;
  uint64_t rbx;
} AliasCpu;
static const IrReg alias_regs[] = {
    {"rax", offsetof(AliasCpu, rax), IR_T_i64, IR_RC_GPR},
    {"eax", offsetof(AliasCpu, rax), IR_T_i32, IR_RC_GPR},
    {"rbx", offsetof(AliasCpu, rbx), IR_T_i64, IR_RC_GPR},
};
static const IrRegFile alias_rf = {"alias", alias_regs, 3, sizeof(AliasCpu)};

static void test_forward_and_dse_aliasing(void **state) {
  char err[256];
  const char *text = "func {\n"
                     "b0:\n"
                     "  %a:i64 = get rax\n"
                     "  %w:i32 = const 7\n"
                     "  set eax, %w\n"
                     "  %b:i64 = get rax\n" /* must read the new low half */
                     "  set rbx, %b\n"
                     "  %one:i64 = const 1\n"
                     "  set rax, %one\n"
                     "  %c:i32 = get eax\n" /* reads rax's write... */
                     "  %d:i64 = zext %c\n"
                     "  set rbx, %d\n"
                     "  set rax, %a\n"      /* ...so that write stays */
                     "  exit 0\n"
                     "}\n";
  IrFunc *fn = ir_parse(text, &alias_rf, err, sizeof err);
  assert_non_null(fn);
  IrFunc *ref = ir_parse(text, &alias_rf, err, sizeof err);
  ir_optimize(fn, NULL);
  expect_valid(fn);
  /* get rax after set eax, and get eax after set rax, stay gets; the first
   * set rbx is dead, and with it the get feeding it. */
  assert_int_equal(count_op(fn, IR_OP_get), 2);
  assert_int_equal(last_set_value(fn, 0, 2)->op, IR_OP_zext);
  assert_int_equal(fn->insts[last_set_value(fn, 0, 2)->args[0]].op, IR_OP_get);
  assert_int_equal(count_set(fn, 0), 2); /* rax: both writes are read */
  assert_int_equal(count_set(fn, 1), 1);
  assert_int_equal(count_set(fn, 2), 1); /* rbx: the first write is dead */
  AliasCpu c1 = {0x1122334455667788ull, 0}, c2 = c1;
  IrMemOps none = {0};
  ir_interp(ref, &c1, &none);
  ir_interp(fn, &c2, &none);
  assert_int_equal(c1.rax, c2.rax);
  assert_int_equal(c1.rbx, c2.rbx);
  assert_int_equal(c2.rbx, 1);
  ir_func_free(fn);
  ir_func_free(ref);
}

/* -- Dead slot writes --------------------------------------------------------------- */

static void test_dse(void **state) {
  IrFunc *fn = parse("func {\n"
                     "b0:\n"
                     "  %a:i64 = get r0\n"
                     "  %c:i1 = get cf\n"
                     "  set r2, %a\n"             /* read by the get */
                     "  %g:i64 = get r2\n"
                     "  set r2, %g\n"
                     "  set r3, %a\n"             /* read by the state-reading call */
                     "  %z:i64 = call read_zf(%a)\n"
                     "  set r3, %z\n"
                     "  set r4, %a\n"             /* dead: a pure call reads nothing */
                     "  %p:i64 = call pure(%a)\n"
                     "  set r4, %p\n"
                     "  set r5, %a\n"             /* a memory helper may fault: live */
                     "  call memory()\n"
                     "  set r5, %p\n"
                     "  set r1, %a\n"             /* dead: rewritten below, never read */
                     "  set r6, %a\n"             /* dead: writing state is not reading it */
                     "  call write_r5(%a)\n"
                     "  set r6, %z\n"
                     "  set r1, %g\n"
                     "  set r7, %a\n"             /* live at the branch */
                     "  br %c, b1, b2\n"
                     "b1:\n"
                     "  set r7, %a\n"             /* dead */
                     "  set r7, %g\n"
                     "  exit 0\n"
                     "b2:\n"
                     "  exit 4\n"
                     "}\n");
  ir_pass_dse(fn, &(IrPassOptions){IR_PRECISE_ALL});
  expect_valid(fn);
  static const unsigned want[] = {[T_R1] = 1, [T_R2] = 2, [T_R3] = 2, [T_R4] = 1,
                                  [T_R5] = 2, [T_R6] = 1, [T_R7] = 2};
  for (uint32_t s = T_R1; s <= T_R7; s++)
    if (count_set(fn, s) != want[s])
      fail_msg("r%u: %u sets, want %u", s, count_set(fn, s), want[s]);
  assert_int_equal(fn->blocks[1].n, 2); /* set r7, %g ; exit */
  assert_int_equal(count_op(fn, IR_OP_call), 4);
  ir_func_free(fn);
}

/* A slot written in one block and read in the next: the write stays. */
static void test_dse_across_blocks(void **state) {
  IrFunc *fn = parse("func {\n"
                     "b0:\n"
                     "  %a:i64 = get r0\n"
                     "  set r1, %a\n"
                     "  jmp b1\n"
                     "b1:\n"
                     "  %b:i64 = get r1\n"
                     "  exiti %b\n"
                     "}\n");
  ir_optimize(fn, NULL);
  expect_valid(fn);
  assert_int_equal(count_set(fn, T_R1), 1);
  assert_int_equal(count_op(fn, IR_OP_get), 2);
  ir_func_free(fn);
}

/* -- Dead code ----------------------------------------------------------------------- */

static void test_dce(void **state) {
  register_helpers();
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef x = ir_get(fn, T_R0), y = ir_get(fn, T_R1);
  ir_get(fn, T_R5);                                       /* unused get: removed */
  IrRef t1 = ir_op2(fn, IR_OP_mul, x, y);                 /* dead pure chain */
  IrRef t2 = ir_op2(fn, IR_OP_add, t1, x);
  ir_op2(fn, IR_OP_xor, t2, y);
  ir_const(fn, IR_T_i64, 99);                             /* unused constant */
  ir_load(fn, IR_T_i64, x, 0);                            /* may fault: kept */
  ir_div(fn, IR_OP_udiv, x, y, IR_DIV_TRAP);              /* may fault: kept */
  ir_div(fn, IR_OP_sdiv, x, y, IR_DIV_ZERO);              /* a division: kept */
  IrRef k = ir_op2(fn, IR_OP_sub, x, ir_const(fn, IR_T_i64, 1)); /* used by the store */
  ir_store(fn, x, k, 0);
  ir_set(fn, T_R2, x);
  ir_call(fn, (uint32_t)ir_helper_find("pure", 4), 1, &x); /* unused result: kept */
  IrRef c = ir_get(fn, T_CF);
  ir_br(fn, c, 1, 1);
  ir_block_set(fn, ir_block_new(fn));
  IrRef far = ir_op2(fn, IR_OP_or, x, y);                 /* used only by dead code */
  ir_op2(fn, IR_OP_shl, far, y);
  ir_exit(fn, 0);
  expect_valid(fn);

  ir_pass_dce(fn);
  expect_valid(fn);
  assert_int_equal(count_op(fn, IR_OP_mul), 0);
  assert_int_equal(count_op(fn, IR_OP_add), 0);
  assert_int_equal(count_op(fn, IR_OP_xor), 0);
  assert_int_equal(count_op(fn, IR_OP_or), 0);
  assert_int_equal(count_op(fn, IR_OP_shl), 0);
  assert_int_equal(count_op(fn, IR_OP_const), 1); /* the 1 of the store's sub */
  assert_int_equal(count_op(fn, IR_OP_sub), 1);
  assert_int_equal(count_op(fn, IR_OP_get), 3);   /* r0 r1 cf */
  assert_int_equal(count_op(fn, IR_OP_load), 1);
  assert_int_equal(count_op(fn, IR_OP_udiv), 1);
  assert_int_equal(count_op(fn, IR_OP_sdiv), 1);
  assert_int_equal(count_op(fn, IR_OP_store), 1);
  assert_int_equal(count_op(fn, IR_OP_set), 1);
  assert_int_equal(count_op(fn, IR_OP_call), 1);
  assert_int_equal(fn->blocks[1].n, 1);
  ir_func_free(fn);
}

/* FP ops raise flags: unused arithmetic stays; of unused compares on the same
 * operands only the first stays (per block, not across a fenv_set), and a quiet
 * compare does not cover a signalling one. */
static void test_dce_fp_flags(void **state) {
  IrFunc *fn = parse("func {\n"
                     "b0:\n"
                     "  %rm:i8 = const 0\n"
                     "  %a:f64 = get d0\n"
                     "  %b:f64 = get d1\n"
                     "  %q:f64 = fdiv %a, %b, %rm\n"
                     "  %n:f64 = fneg %a\n"
                     "  %c0:i1 = fcmp.folt %a, %b\n"
                     "  %c1:i1 = fcmp.foeq %b, %a\n"
                     "  %c2:i1 = fcmps.fogt %a, %b\n"
                     "  %c3:i1 = fcmps.foge %a, %b\n"
                     "  %z:i32 = const 0\n"
                     "  fenv_set %z\n"
                     "  %c4:i1 = fcmp.funo %a, %b\n"
                     "  %c5:i1 = fcmp.fult %a, %a\n"
                     "  exit 0x10\n"
                     "}\n");
  ir_pass_dce(fn);
  expect_valid(fn);
  assert_int_equal(count_op(fn, IR_OP_fdiv), 1); /* keep: its flags */
  assert_int_equal(count_op(fn, IR_OP_fneg), 0); /* raises nothing */
  /* c0 (first), c2 (no signalling one before), c4 (after fenv_set), c5 (other operands) */
  assert_int_equal(count_op(fn, IR_OP_fcmp), 3);
  assert_int_equal(count_op(fn, IR_OP_fcmps), 1);
  ir_func_free(fn);
}

/* -- Re-folding an existing function ------------------------------------------------- */

static const char *const consts_and_branches =
    "func {\n"
    "b0:\n"
    "  insn 0x1000, 4\n"
    "  %two:i64 = const 2\n"
    "  %three:i64 = const 3\n"
    "  %five:i64 = add %two, %three\n"
    "  %x:i64 = get r0\n"
    "  %zero:i64 = const 0\n"
    "  %y:i64 = add %x, %zero\n"
    "  %t:i1 = cmp.ult %five, %three\n"
    "  br %t, b1, b2\n"
    "b1:\n"
    "  set r1, %y\n"
    "  exit 0x10\n"
    "b2:\n"
    "  %u:i64 = mul %y, %five\n"
    "  %d:i64 = deposit %u, %x, 0, 64\n"
    "  %e:i64 = extract %d, 0, 64\n"
    "  %s:i64 = select %t, %e, %u\n"
    "  set r1, %s\n"
    "  %w:i32 = trunc %x\n"
    "  %wz:i64 = zext %w\n"
    "  %w2:i32 = trunc %wz\n"
    "  set w0, %w2\n"
    "  exit 0x20\n"
    "}\n";

static void test_pass_fold(void **state) {
  IrFunc *fn = parse(consts_and_branches);
  ir_pass_fold(fn);
  expect_valid(fn);
  /* br on a constant became a jmp, and the block it no longer reaches is gone. */
  assert_int_equal(fn->nblocks, 2);
  const IrInst *j = terminator(fn, 0);
  assert_int_equal(j->op, IR_OP_jmp);
  assert_int_equal(j->imm, 1);
  assert_int_equal(terminator(fn, 1)->imm, 0x20);
  /* b1 (was b2): set r1, mul %x, 5 — every identity resolved to the get. */
  const IrInst *mul = last_set_value(fn, 1, T_R1);
  assert_int_equal(mul->op, IR_OP_mul);
  assert_int_equal(fn->insts[mul->args[0]].op, IR_OP_get);
  assert_true(ir_is_const(fn, mul->args[1]));
  assert_int_equal(fn->insts[mul->args[1]].imm, 5);
  assert_int_equal(last_set_value(fn, 1, T_W0)->op, IR_OP_trunc);
  assert_int_equal(count_op(fn, IR_OP_add), 0);
  assert_int_equal(count_op(fn, IR_OP_select), 0);
  assert_int_equal(count_op(fn, IR_OP_deposit), 0);
  assert_int_equal(count_op(fn, IR_OP_extract), 0);
  assert_int_equal(count_op(fn, IR_OP_trunc), 1);
  ir_func_free(fn);
  expect_equivalent(consts_and_branches, &(IrPassOptions){IR_PRECISE_ALL}, 50);
}

/* Values used in a block that comes before their (dominating) block in index order. */
static void test_pass_fold_out_of_order(void **state) {
  const char *text = "func {\n"
                     "b0:\n"
                     "  jmp b2\n"
                     "b1:\n"
                     "  exit 0\n"
                     "b2:\n"
                     "  %a:i64 = get r0\n"
                     "  %z:i64 = const 0\n"
                     "  %b:i64 = or %a, %z\n"
                     "  %c:i1 = get cf\n"
                     "  br %c, b3, b1\n"
                     "b3:\n"
                     "  set r1, %b\n"
                     "  exit 4\n"
                     "}\n";
  IrFunc *fn = parse(text);
  ir_pass_fold(fn);
  expect_valid(fn);
  assert_int_equal(count_op(fn, IR_OP_or), 0);
  assert_int_equal(last_set_value(fn, 3, T_R1)->op, IR_OP_get);
  ir_func_free(fn);
}

/* -- Equivalence of whole programs ------------------------------------------------------ */

static const char *const loop_program =
    "func {\n"
    "b0:\n"
    "  insn 0x1000, 4\n"
    "  %n:i64 = get r2\n"
    "  %mask:i64 = const 7\n"
    "  %m:i64 = and %n, %mask\n"
    "  set r2, %m\n"
    "  %zero:i64 = const 0\n"
    "  set r3, %zero\n"
    "  jmp b1\n"
    "b1:\n"
    "  insn 0x1004, 4\n"
    "  %i:i64 = get r2\n"
    "  %z:i1 = cmp.eq %i, %zero\n"
    "  set zf, %z\n"
    "  %zz:i1 = get zf\n"
    "  br %zz, b3, b2\n"
    "b2:\n"
    "  insn 0x1008, 4\n"
    "  %acc:i64 = get r3\n"
    "  %x:i64 = get r1\n"
    "  %p:i64 = mul %x, %i\n"
    "  %acc2:i64 = add %acc, %p\n"
    "  set r3, %acc2\n"
    "  %no:i1 = const 0\n"
    "  %cf:i1 = addcf %acc, %p, %no\n"
    "  set cf, %cf\n"
    "  %one:i64 = const 1\n"
    "  %i2:i64 = sub %i, %one\n"
    "  set r2, %i2\n"
    "  %cf2:i1 = subcf %i, %one, %no\n"
    "  set cf, %cf2\n"
    "  jmp b1\n"
    "b3:\n"
    "  exit 0x1010\n"
    "}\n";

static const char *const memory_program =
    "func {\n"
    "b0:\n"
    "  insn 0x2000, 4\n"
    "  %a:i64 = get r0\n"
    "  %b:i64 = get r3\n"
    "  %q:i64 = udiv.trap %a, %b\n"
    "  set r4, %q\n"
    "  %no:i1 = const 0\n"
    "  %cfq:i1 = subcf %a, %b, %no\n"
    "  set cf, %cfq\n"
    "  %k:i64 = const 0xff8\n"
    "  %off:i64 = and %a, %k\n"
    "  %base:i64 = const 0x10000\n"
    "  %addr:i64 = add %off, %base\n"
    "  insn 0x2004, 4\n"
    "  %v:i32 = load %addr\n"
    "  %w:i64 = zext %v\n"
    "  %r1:i64 = get r1\n"
    "  %sum:i64 = add %w, %r1\n"
    "  %cfs:i1 = addcf %w, %r1, %no\n"
    "  set cf, %cfs\n"
    "  set r0, %sum\n"
    "  insn 0x2008, 4\n"
    "  store.align %r1, %sum\n"
    "  %old:i64 = armw.add %addr, %a\n"
    "  set r2, %old\n"
    "  insn 0x200c, 4\n"
    "  %z:i64 = call read_zf(%sum)\n"
    "  set r5, %z\n"
    "  call write_r5(%z)\n"
    "  %r5:i64 = get r5\n"
    "  set r6, %r5\n"
    "  %c:i1 = get cf\n"
    "  %sel:i64 = select %c, %a, %b\n"
    "  set r7, %sel\n"
    "  exit 0x2010\n"
    "}\n";

static const char *const vector_program =
    "func {\n"
    "b0:\n"
    "  %v:v4i32 = get v1\n"
    "  %z:v4i32 = vconst 0x0\n"
    "  %s:v4i32 = add %v, %z\n"
    "  %d:v4i32 = sub %s, %s\n"
    "  %m:v4i32 = cmp.eq %v, %v\n"
    "  %n:v4i32 = or %m, %d\n"
    "  set v1, %n\n"
    "  %e:i32 = vextract %v, 2\n"
    "  %zero:i32 = const 0\n"
    "  %e2:i32 = xor %e, %zero\n"
    "  set w0, %e2\n"
    "  %w:v4i32 = get v1\n"
    "  %x:i32 = vextract %w, 1\n"
    "  %x64:i64 = zext %x\n"
    "  exiti %x64\n"
    "}\n";

static void test_equivalence(void **state) {
  static const char *const programs[] = {x86_add_cmp_jz, x86_flags_across_load, loop_program,
                                         memory_program, consts_and_branches, vector_program};
  static const IrPassOptions opts[] = {{IR_PRECISE_ALL}, {1u << IR_RC_GPR}};
  for (size_t p = 0; p < sizeof programs / sizeof programs[0]; p++)
    for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++)
      expect_equivalent(programs[p], &opts[o], 300);
}

/* The pipeline shrinks the programs it is meant for, and is idempotent. */
static void test_optimize_idempotent(void **state) {
  static const char *const programs[] = {x86_add_cmp_jz, loop_program, consts_and_branches,
                                         vector_program};
  for (size_t p = 0; p < sizeof programs / sizeof programs[0]; p++) {
    IrFunc *fn = parse(programs[p]);
    uint32_t before = 0, once = 0, twice = 0;
    for (uint32_t b = 0; b < fn->nblocks; b++)
      before += fn->blocks[b].n;
    ir_optimize(fn, NULL);
    for (uint32_t b = 0; b < fn->nblocks; b++)
      once += fn->blocks[b].n;
    char *text1 = ir_print(fn);
    ir_optimize(fn, NULL);
    for (uint32_t b = 0; b < fn->nblocks; b++)
      twice += fn->blocks[b].n;
    assert_true(once < before);
    assert_int_equal(twice, once);
    free(text1);
    ir_func_free(fn);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_x86_dead_flags),
      cmocka_unit_test(test_precise_across_load),
      cmocka_unit_test(test_precise_gpr_fault_state),
      cmocka_unit_test(test_forward),
      cmocka_unit_test(test_forward_and_dse_aliasing),
      cmocka_unit_test(test_dse),
      cmocka_unit_test(test_dse_across_blocks),
      cmocka_unit_test(test_dce),
      cmocka_unit_test(test_dce_fp_flags),
      cmocka_unit_test(test_pass_fold),
      cmocka_unit_test(test_pass_fold_out_of_order),
      cmocka_unit_test(test_equivalence),
      cmocka_unit_test(test_optimize_idempotent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
