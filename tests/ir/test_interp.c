/* test_interp.c — the reference interpreter (ir_interp) and evaluator (ir_eval).
 * Most cases are data: interp_cases.txt holds IR text functions with the guest
 * state and memory before, and the exit, state and memory expected after; each
 * case is one cmocka test. The coverage test fails, naming the op, if an op of
 * ir_ops.def appears in no case. A few API tests are written with the builder. */
#include <fenv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir.h"
#include "ir_exec.h"
#include "test_regfile.h"

/* -- Test memory: one byte array at MEM_BASE; anything else faults -------- */

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x1000u

typedef struct TestMem {
  uint8_t bytes[MEM_SIZE] __attribute__((aligned(16)));
} TestMem;

static uint8_t *mem_at(void *ctx, uint64_t addr, unsigned size) {
  if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE - size)
    return NULL;
  return ((TestMem *)ctx)->bytes + (addr - MEM_BASE);
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
static void *mem_atomic(void *ctx, uint64_t addr, unsigned size) {
  return mem_at(ctx, addr, size);
}

/* -- Helpers the cases call ---------------------------------------------- */

/* Weights tell the operands apart, so an argument in the wrong place shows. */
static uint64_t h_sum3(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return a + 2 * b + 3 * c;
}
static uint64_t h_echo(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) { return a; }
static uint64_t h_wide(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return 0x1122334455667788ull;
}
static uint64_t h_poke(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  ((TestCpu *)cpu)->r[7] = a; /* a helper that writes guest state */
  return 0xdead;
}

static void register_helpers(void) {
  static const IrHelper helpers[] = {
      {"t_sum3", h_sum3, 3, IR_T_i64, 0},
      {"t_echo", h_echo, 1, IR_T_i64, 0},
      {"t_wide", h_wide, 0, IR_T_i32, 0},
      {"t_poke", h_poke, 1, IR_T_void, IR_HELPER_WRITES_STATE},
  };
  for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++)
    if (ir_helper_register(&helpers[i]) < 0)
      abort();
}

/* -- Cases ---------------------------------------------------------------- */

typedef struct Case {
  char name[64];
  unsigned line; /* of its `case` line */
  char *ir;      /* the function's text */
  TestCpu cpu_in, cpu_out;
  TestMem mem_in, mem_out;
  IrExit exit; /* expected */
  bool has_exit;
} Case;

static Case *cases;
static size_t ncases;
static char load_error[256];

/* -- The case file -------------------------------------------------------- */

/* Format (interp_cases.txt opens with a description):
 *   case NAME                 starts a case
 *   in SLOT=VALUE ...         guest state before (everything else zero)
 *   mem ADDR BYTE ...         memory before (hex bytes)
 *   func { ... }              the function, IR text, up to a line holding only '}'
 *   out SLOT=VALUE ...        after func: state expected (every other slot unchanged)
 *   outmem ADDR BYTE ...      after func: memory expected (every other byte unchanged)
 *   => jump PC | syscall PC | exception EXC pc=PC [addr=A] [write]
 */

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
    *--e = '\0';
  return s;
}

static bool parse_u64(const char *s, uint64_t *v) {
  char *end;
  *v = strtoull(s, &end, 0);
  if (*s == '-')
    *v = (uint64_t)strtoll(s, &end, 0);
  return *s && !*end;
}

/* A slot value: integers (hex or decimal), float literals for f32/f64 slots
 * (raw bits in hex otherwise), up to 32 hex digits for vectors. */
static bool parse_slot_value(const char *s, IrType t, uint8_t out[16]) {
  memset(out, 0, 16);
  if (ir_type_is_vec(t)) {
    if (strncmp(s, "0x", 2) != 0 || strlen(s) > 34)
      return false;
    for (const char *p = s + 2; *p; p++) {
      char d[2] = {*p, 0};
      char *end;
      unsigned x = (unsigned)strtoul(d, &end, 16);
      if (*end)
        return false;
      for (int i = 15; i > 0; i--)
        out[i] = (uint8_t)(out[i] << 4 | out[i - 1] >> 4);
      out[0] = (uint8_t)(out[0] << 4 | x);
    }
    return true;
  }
  bool hex = strncmp(s, "0x", 2) == 0 || strncmp(s, "-0x", 3) == 0;
  if (ir_type_is_flt(t) && !hex) {
    char *end;
    if (t == IR_T_f32) {
      float f = strtof(s, &end);
      memcpy(out, &f, 4);
    } else {
      double d = strtod(s, &end);
      memcpy(out, &d, 8);
    }
    return *s && !*end;
  }
  uint64_t v;
  if (!parse_u64(s, &v))
    return false;
  v &= ir_mask(ir_type_bits(t));
  memcpy(out, &v, 8);
  return true;
}

/* SLOT=VALUE words into the CPU struct. */
static bool parse_slots(char *s, TestCpu *cpu) {
  for (char *w = strtok(s, " \t"); w; w = strtok(NULL, " \t")) {
    char *eq = strchr(w, '=');
    if (!eq)
      return false;
    int slot = ir_regfile_find(&test_regfile, w, (size_t)(eq - w));
    if (slot < 0)
      return false;
    const IrReg *reg = &test_regfile.regs[slot];
    uint8_t bytes[16];
    if (!parse_slot_value(eq + 1, (IrType)reg->type, bytes))
      return false;
    memcpy((uint8_t *)cpu + reg->offset, bytes, ir_type_info[reg->type].bytes);
  }
  return true;
}

/* ADDR BYTE... into the memory image. */
static bool parse_mem(char *s, TestMem *mem) {
  char *w = strtok(s, " \t");
  uint64_t addr, byte;
  if (!w || !parse_u64(w, &addr))
    return false;
  for (w = strtok(NULL, " \t"); w; w = strtok(NULL, " \t"), addr++) {
    char hex[8];
    snprintf(hex, sizeof hex, "0x%s", w);
    if (!parse_u64(hex, &byte) || byte > 0xff || addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
      return false;
    mem->bytes[addr - MEM_BASE] = (uint8_t)byte;
  }
  return true;
}

static bool parse_exit(char *s, IrExit *e) {
  char *w = strtok(s, " \t");
  memset(e, 0, sizeof *e);
  if (!w)
    return false;
  if (strcmp(w, "jump") == 0 || strcmp(w, "syscall") == 0) {
    e->kind = w[0] == 'j' ? IR_EXIT_JUMP : IR_EXIT_SYSCALL;
    w = strtok(NULL, " \t");
    return w && parse_u64(w, &e->pc) && !strtok(NULL, " \t");
  }
  if (strcmp(w, "exception") != 0 || !(w = strtok(NULL, " \t")))
    return false;
  e->kind = IR_EXIT_EXCEPTION;
  e->exc = IR_EXC__COUNT;
  for (int i = 0; i < IR_EXC__COUNT; i++)
    if (strcmp(w, ir_exc_name[i]) == 0)
      e->exc = (IrExc)i;
  if (e->exc == IR_EXC__COUNT)
    return false;
  while ((w = strtok(NULL, " \t"))) {
    if (strncmp(w, "pc=", 3) == 0 && parse_u64(w + 3, &e->pc))
      continue;
    if (strncmp(w, "addr=", 5) == 0 && parse_u64(w + 5, &e->addr))
      continue;
    if (strcmp(w, "write") == 0 && (e->is_write = true))
      continue;
    return false;
  }
  return true;
}

static bool starts(const char *s, const char *word) {
  size_t n = strlen(word);
  return strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\t' || s[n] == '\0');
}

/* Reads every case; false (with load_error) on a malformed line. */
static bool load_cases(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(load_error, sizeof load_error, "cannot open %s", path);
    return false;
  }
  char buf[512];
  unsigned line = 0;
  Case *c = NULL;
  bool in_func = false, ok = true;
  size_t irlen = 0;
  while (ok && fgets(buf, sizeof buf, f)) {
    line++;
    char *s = trim(buf);
    if (in_func) { /* copy the function's text verbatim, '}' included */
      size_t n = strlen(s);
      c->ir = realloc(c->ir, irlen + n + 2);
      memcpy(c->ir + irlen, s, n);
      irlen += n;
      c->ir[irlen++] = '\n';
      c->ir[irlen] = '\0';
      in_func = strcmp(s, "}") != 0;
      continue;
    }
    if (!*s || *s == '#')
      continue;
    if (starts(s, "case")) {
      cases = realloc(cases, (ncases + 1) * sizeof *cases);
      c = &cases[ncases++];
      memset(c, 0, sizeof *c);
      snprintf(c->name, sizeof c->name, "%s", trim(s + 4));
      c->line = line;
      irlen = 0;
      continue;
    }
    if (!c) {
      ok = false;
    } else if (starts(s, "func")) {
      ok = !c->ir;
      in_func = true;
      c->cpu_out = c->cpu_in; /* what `out` and `outmem` then change */
      c->mem_out = c->mem_in;
      c->ir = strdup(s);
      irlen = strlen(s);
      c->ir = realloc(c->ir, irlen + 2);
      c->ir[irlen++] = '\n';
      c->ir[irlen] = '\0';
    } else if (starts(s, "in")) {
      ok = !c->ir && parse_slots(s + 2, &c->cpu_in);
    } else if (starts(s, "mem")) {
      ok = !c->ir && parse_mem(s + 3, &c->mem_in);
    } else if (starts(s, "out")) {
      ok = c->ir && parse_slots(s + 3, &c->cpu_out);
    } else if (starts(s, "outmem")) {
      ok = c->ir && parse_mem(s + 6, &c->mem_out);
    } else if (strncmp(s, "=>", 2) == 0) {
      ok = !c->has_exit && parse_exit(s + 2, &c->exit);
      c->has_exit = true;
    } else {
      ok = false;
    }
  }
  fclose(f);
  if (ok && in_func)
    snprintf(load_error, sizeof load_error, "%s:%u: function not closed", path, line), ok = false;
  else if (!ok)
    snprintf(load_error, sizeof load_error, "%s:%u: cannot read this line", path, line);
  return ok;
}

/* -- Running a case -------------------------------------------------------- */

static void hex_bytes(char *buf, size_t size, const uint8_t *b, unsigned n) {
  size_t k = (size_t)snprintf(buf, size, "0x");
  for (unsigned i = n; i-- > 0 && k + 3 < size;)
    k += (size_t)snprintf(buf + k, size - k, "%02x", b[i]);
}

static bool check_exit(const Case *c, IrExit got) {
  const IrExit *want = &c->exit;
  bool same = got.kind == want->kind && got.pc == want->pc;
  if (want->kind == IR_EXIT_EXCEPTION)
    same = same && got.exc == want->exc && got.addr == want->addr && got.is_write == want->is_write;
  if (!same) {
    static const char *const kinds[] = {"jump", "syscall", "exception"};
    print_error("%s: exit %s %s pc=%#llx addr=%#llx%s, expected %s %s pc=%#llx addr=%#llx%s\n",
                c->name, kinds[got.kind], got.kind == IR_EXIT_EXCEPTION ? ir_exc_name[got.exc] : "",
                (unsigned long long)got.pc, (unsigned long long)got.addr,
                got.is_write ? " write" : "", kinds[want->kind],
                want->kind == IR_EXIT_EXCEPTION ? ir_exc_name[want->exc] : "",
                (unsigned long long)want->pc, (unsigned long long)want->addr,
                want->is_write ? " write" : "");
  }
  return same;
}

static bool check_state(const Case *c, const TestCpu *got) {
  bool same = true;
  for (uint32_t i = 0; i < test_regfile.count; i++) {
    const IrReg *reg = &test_regfile.regs[i];
    const uint8_t *g = (const uint8_t *)got + reg->offset;
    const uint8_t *w = (const uint8_t *)&c->cpu_out + reg->offset;
    unsigned n = ir_type_info[reg->type].bytes;
    if (memcmp(g, w, n) != 0) {
      char gs[40], ws[40];
      hex_bytes(gs, sizeof gs, g, n);
      hex_bytes(ws, sizeof ws, w, n);
      print_error("%s: %s = %s, expected %s\n", c->name, reg->name, gs, ws);
      same = false;
    }
  }
  if (same && memcmp(got, &c->cpu_out, sizeof *got) != 0) {
    print_error("%s: bytes outside every slot changed\n", c->name);
    same = false;
  }
  return same;
}

static bool check_memory(const Case *c, const TestMem *got) {
  for (unsigned i = 0; i < MEM_SIZE; i++)
    if (got->bytes[i] != c->mem_out.bytes[i]) {
      print_error("%s: memory %#x = %02x, expected %02x\n", c->name, MEM_BASE + i, got->bytes[i],
                  c->mem_out.bytes[i]);
      return false;
    }
  return true;
}

static IrFunc *parse_case(const Case *c) {
  char err[256] = "";
  IrFunc *fn = ir_parse(c->ir, &test_regfile, err, sizeof err);
  if (!fn)
    fail_msg("%s (interp_cases.txt:%u): parse error, %s", c->name, c->line, err);
  if (!ir_validate(fn, err, sizeof err)) {
    ir_func_free(fn);
    fail_msg("%s (interp_cases.txt:%u): invalid IR, %s", c->name, c->line, err);
  }
  return fn;
}

/* Runs fn from the case's state; checks exit, state and memory. */
static bool check_run(const Case *c, const IrFunc *fn) {
  TestCpu cpu = c->cpu_in;
  TestMem *mem = malloc(sizeof *mem);
  assert_non_null(mem);
  *mem = c->mem_in;
  IrMemOps ops = {mem, mem_load, mem_store, mem_atomic};
  IrExit got = ir_interp(fn, &cpu, &ops);
  bool ok = check_exit(c, got);
  ok = check_state(c, &cpu) && ok;
  ok = check_memory(c, mem) && ok;
  free(mem);
  return ok;
}

static void run_case(void **state) {
  const Case *c = *state;
  if (!c->has_exit)
    fail_msg("%s (interp_cases.txt:%u): no '=>' line", c->name, c->line);
  IrFunc *fn = parse_case(c);
  bool ok = check_run(c, fn);
  ir_func_free(fn);
  if (!ok)
    fail_msg("%s (interp_cases.txt:%u) failed", c->name, c->line);
}

/* The optimizer folds through ir_eval: with every register class precise, each
 * case must end exactly as it does unoptimized. */
static void test_optimized_cases_agree(void **state) {
  IrPassOptions opt = {.precise_classes = IR_PRECISE_ALL};
  unsigned failed = 0;
  for (size_t i = 0; i < ncases; i++) {
    IrFunc *fn = ir_parse(cases[i].ir, &test_regfile, NULL, 0);
    if (!fn)
      continue; /* that case's own test reports it */
    ir_optimize(fn, &opt);
    char err[256];
    if (!ir_validate(fn, err, sizeof err)) {
      print_error("%s: invalid after ir_optimize: %s\n", cases[i].name, err);
      failed++;
    } else if (!check_run(&cases[i], fn)) {
      print_error("%s: differs after ir_optimize\n", cases[i].name);
      failed++;
    }
    ir_func_free(fn);
  }
  assert_int_equal(failed, 0);
}

/* -- Coverage and the op table -------------------------------------------- */

/* Every op of ir_ops.def must appear in some case. */
static void test_every_op_has_a_case(void **state) {
  bool seen[IR_OP__COUNT] = {false};
  for (size_t i = 0; i < ncases; i++) {
    IrFunc *fn = ir_parse(cases[i].ir, &test_regfile, NULL, 0);
    if (!fn)
      continue; /* that case's own test reports it */
    for (IrRef r = 1; r < fn->ninsts; r++)
      seen[fn->insts[r].op] = true;
    ir_func_free(fn);
  }
  const char *missing = NULL;
  for (int op = 0; op < IR_OP__COUNT; op++)
    if (!seen[op]) {
      print_error("op '%s' has no interpreter case in interp_cases.txt\n", ir_op_info[op].name);
      missing = ir_op_info[op].name;
    }
  if (missing)
    fail_msg("ops without an interpreter case (last: %s)", missing);
}

/* Exactly the pure ops are ir_eval's; every other op has an interpreter handler. */
static void test_table_follows_flags(void **state) {
  for (int op = 0; op < IR_OP__COUNT; op++) {
    bool pure = ir_op_info[op].flags & IRF_PURE;
    bool handler = ir_exec_run((IrOp)op) != NULL;
    if (op == IR_OP_vconst)
      continue; /* pure, but it reads the function's pool */
    if (pure == handler)
      fail_msg("op '%s': %s", ir_op_info[op].name,
               pure ? "pure but has an interpreter handler" : "has no interpreter handler");
  }
}

/* -- ir_eval directly ---------------------------------------------------- */

static bool eval2(IrOp op, IrType t, uint64_t a, uint64_t b, uint64_t imm, uint32_t aux,
                  uint64_t *out) {
  IrType ts[2] = {t, t};
  IrValue v[2];
  memset(v, 0, sizeof v);
  v[0].u64 = a, v[1].u64 = b;
  IrValue r;
  bool ok = ir_eval(op, t, ts, v, 2, imm, aux, &r);
  *out = r.u64;
  return ok;
}

static void test_eval_refuses_faults(void **state) {
  uint64_t r = 0;
  assert_false(eval2(IR_OP_udiv, IR_T_i32, 7, 0, IR_DIV_TRAP, 0, &r));
  assert_true(eval2(IR_OP_udiv, IR_T_i32, 7, 0, IR_DIV_ZERO, 0, &r));
  assert_int_equal(r, 0);
  assert_false(eval2(IR_OP_srem, IR_T_i8, 0x80, 0xff, IR_DIV_TRAP, 0, &r));
  assert_true(eval2(IR_OP_srem, IR_T_i8, 0x80, 0xff, IR_DIV_ZERO, 0, &r));
  assert_int_equal(r, 0);
  assert_true(eval2(IR_OP_sdiv, IR_T_i8, 0xf9, 0x02, IR_DIV_TRAP, 0, &r)); /* -7 / 2 */
  assert_int_equal(r, 0xfd);
  /* Not pure, or outside the op's domain: nothing to fold. */
  assert_false(eval2(IR_OP_load, IR_T_i64, MEM_BASE, 0, 0, 0, &r));
  assert_false(eval2(IR_OP_extract, IR_T_i32, 1, 0, 30, 4, &r)); /* bits 30..33 of an i32 */
  assert_false(eval2(IR_OP_extract, IR_T_i32, 1, 0, 0, 0, &r));  /* width 0 */
  assert_false(eval2(IR_OP_cmp, IR_T_i32, 1, 2, IR_PRED_folt, 0, &r));
}

static void test_eval_rounding_operand(void **state) {
  IrType ts[3] = {IR_T_f64, IR_T_f64, IR_T_i8};
  IrValue v[3], r;
  double one = 1.0, three = 3.0;
  memset(v, 0, sizeof v);
  memcpy(&v[0].u64, &one, 8);
  memcpy(&v[1].u64, &three, 8);
  v[2].u64 = IR_RM_UP;
  assert_true(ir_eval(IR_OP_fdiv, IR_T_f64, ts, v, 3, 0, 0, &r));
  assert_int_equal(r.u64, 0x3fd5555555555556ull);
  v[2].u64 = 4; /* no such mode */
  assert_false(ir_eval(IR_OP_fdiv, IR_T_f64, ts, v, 3, 0, 0, &r));
  assert_int_equal(fegetround(), FE_TONEAREST); /* the host mode is restored */
}

/* -- Built with the builder API -------------------------------------------- */

/* for (i = 0; i != 10; i++) sum += i + 1, as three blocks with a back edge. */
static void test_builder_counting_loop(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  uint32_t entry = ir_block_new(fn), loop = ir_block_new(fn), done = ir_block_new(fn);
  ir_block_set(fn, entry);
  ir_set(fn, T_R0, ir_const(fn, IR_T_i64, 0));
  ir_set(fn, T_R1, ir_const(fn, IR_T_i64, 0));
  ir_jmp(fn, loop);
  ir_block_set(fn, loop);
  IrRef i = ir_op2(fn, IR_OP_add, ir_get(fn, T_R0), ir_const(fn, IR_T_i64, 1));
  ir_set(fn, T_R0, i);
  ir_set(fn, T_R1, ir_op2(fn, IR_OP_add, ir_get(fn, T_R1), i));
  ir_br(fn, ir_cmp(fn, IR_PRED_ult, i, ir_const(fn, IR_T_i64, 10)), loop, done);
  ir_block_set(fn, done);
  ir_exit(fn, 0x4000);
  char err[256];
  assert_true(ir_validate(fn, err, sizeof err));
  TestCpu cpu;
  memset(&cpu, 0, sizeof cpu);
  IrMemOps ops = {NULL, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, &cpu, &ops);
  assert_int_equal(e.kind, IR_EXIT_JUMP);
  assert_int_equal(e.pc, 0x4000);
  assert_int_equal(cpu.r[0], 10);
  assert_int_equal(cpu.r[1], 55);
  ir_func_free(fn);
}

/* More values than the interpreter keeps on its stack. */
static void test_builder_many_values(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  IrRef acc = ir_get(fn, T_R0), step = ir_get(fn, T_R1);
  for (int k = 0; k < 1000; k++)
    acc = ir_op2(fn, IR_OP_add, acc, step);
  ir_set(fn, T_R2, acc);
  ir_syscall(fn, 0x1234);
  TestCpu cpu;
  memset(&cpu, 0, sizeof cpu);
  cpu.r[0] = 5, cpu.r[1] = 3;
  IrMemOps ops = {NULL, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, &cpu, &ops);
  assert_int_equal(e.kind, IR_EXIT_SYSCALL);
  assert_int_equal(e.pc, 0x1234);
  assert_int_equal(cpu.r[2], 5 + 3 * 1000);
  ir_func_free(fn);
}

/* An i1 slot is one byte: any nonzero byte reads as 1; a write stores 0 or 1 and
 * touches no neighbour. (The case file cannot write a raw 2 into a flag.) */
static void test_i1_slots_are_bytes(void **state) {
  IrFunc *fn = ir_func_new(&test_regfile);
  fn->fold = false;
  ir_set(fn, T_R0, ir_cast(fn, IR_OP_zext, IR_T_i64, ir_get(fn, T_CF)));
  ir_set(fn, T_SF, ir_const(fn, IR_T_i1, 1));
  ir_exit(fn, 0x10);
  TestCpu cpu;
  memset(&cpu, 0xee, sizeof cpu);
  cpu.cf = 2;
  IrMemOps ops = {NULL, mem_load, mem_store, mem_atomic};
  IrExit e = ir_interp(fn, &cpu, &ops);
  assert_int_equal(e.kind, IR_EXIT_JUMP);
  assert_int_equal(cpu.r[0], 1);
  assert_int_equal(cpu.sf, 1);
  assert_int_equal(cpu.zf, 0xee);
  assert_int_equal(cpu.of, 0xee);
  ir_func_free(fn);
}

int main(void) {
  register_helpers();
  if (!load_cases(EMU_TEST_DATA "/interp_cases.txt")) {
    fprintf(stderr, "%s\n", load_error);
    return 1;
  }
  static const struct CMUnitTest fixed[] = {
      cmocka_unit_test(test_every_op_has_a_case),
      cmocka_unit_test(test_table_follows_flags),
      cmocka_unit_test(test_optimized_cases_agree),
      cmocka_unit_test(test_eval_refuses_faults),
      cmocka_unit_test(test_eval_rounding_operand),
      cmocka_unit_test(test_builder_counting_loop),
      cmocka_unit_test(test_builder_many_values),
      cmocka_unit_test(test_i1_slots_are_bytes),
  };
  size_t nfixed = sizeof fixed / sizeof fixed[0], n = nfixed + ncases;
  struct CMUnitTest *tests = calloc(n, sizeof *tests);
  assert_non_null(tests);
  memcpy(tests, fixed, sizeof fixed);
  for (size_t i = 0; i < ncases; i++)
    tests[nfixed + i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, &cases[i]};
  int failed = _cmocka_run_group_tests("ir_interp", tests, n, NULL, NULL);
  for (size_t i = 0; i < ncases; i++)
    free(cases[i].ir);
  free(cases);
  free(tests);
  return failed;
}
