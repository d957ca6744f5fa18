/* interp_cases.h — the data-driven IR cases (tests/ir/interp_cases.txt): the
 * case-file reader, the test memory and helpers the cases use, and the checks of
 * a run's exit, state and memory against a case. Shared by the interpreter's
 * test (tests/ir/test_interp.c) and the backends' (tests/backend_fast/test_bf.c),
 * which run every case through their own tier. Include after <cmocka.h>. */
#ifndef EMU_TEST_INTERP_CASES_H
#define EMU_TEST_INTERP_CASES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "test_regfile.h"

/* -- Test memory: one byte array at MEM_BASE; anything else faults -------- */

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x1000u

typedef struct TestMem {
  uint8_t bytes[MEM_SIZE] __attribute__((aligned(16)));
} TestMem;

static inline uint8_t *mem_at(void *ctx, uint64_t addr, unsigned size) {
  if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE - size)
    return NULL;
  return ((TestMem *)ctx)->bytes + (addr - MEM_BASE);
}
static inline int mem_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  uint8_t *p = mem_at(ctx, addr, size);
  if (p)
    memcpy(out, p, size);
  return !p;
}
static inline int mem_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  uint8_t *p = mem_at(ctx, addr, size);
  if (p)
    memcpy(p, in, size);
  return !p;
}
static inline void *mem_atomic(void *ctx, uint64_t addr, unsigned size) {
  return mem_at(ctx, addr, size);
}

/* -- Helpers the cases call ---------------------------------------------- */

/* Weights tell the operands apart, so an argument in the wrong place shows. */
static inline uint64_t h_sum3(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return a + 2 * b + 3 * c;
}
static inline uint64_t h_echo(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) { return a; }
static inline uint64_t h_wide(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return 0x1122334455667788ull;
}
static inline uint64_t h_poke(void *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  ((TestCpu *)cpu)->r[7] = a; /* a helper that writes guest state */
  return 0xdead;
}

static inline void register_helpers(void) {
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

static inline char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
    *--e = '\0';
  return s;
}

static inline bool parse_u64(const char *s, uint64_t *v) {
  char *end;
  *v = strtoull(s, &end, 0);
  if (*s == '-')
    *v = (uint64_t)strtoll(s, &end, 0);
  return *s && !*end;
}

/* A slot value: integers (hex or decimal), float literals for f32/f64 slots
 * (raw bits in hex otherwise), up to 32 hex digits for vectors. */
static inline bool parse_slot_value(const char *s, IrType t, uint8_t out[16]) {
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
  if (ir_type_bits(t) < 64)
    v &= (1ull << ir_type_bits(t)) - 1;
  memcpy(out, &v, 8);
  return true;
}

/* SLOT=VALUE words into the CPU struct. */
static inline bool parse_slots(char *s, TestCpu *cpu) {
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
static inline bool parse_mem(char *s, TestMem *mem) {
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

static inline bool parse_exit(char *s, IrExit *e) {
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

static inline bool starts(const char *s, const char *word) {
  size_t n = strlen(word);
  return strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\t' || s[n] == '\0');
}

/* Reads every case; false (with load_error) on a malformed line. */
static inline bool load_cases(const char *path) {
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

static inline void hex_bytes(char *buf, size_t size, const uint8_t *b, unsigned n) {
  size_t k = (size_t)snprintf(buf, size, "0x");
  for (unsigned i = n; i-- > 0 && k + 3 < size;)
    k += (size_t)snprintf(buf + k, size - k, "%02x", b[i]);
}

static inline bool check_exit(const Case *c, IrExit got) {
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

static inline bool check_state(const Case *c, const TestCpu *got) {
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

static inline bool check_memory(const Case *c, const TestMem *got) {
  for (unsigned i = 0; i < MEM_SIZE; i++)
    if (got->bytes[i] != c->mem_out.bytes[i]) {
      print_error("%s: memory %#x = %02x, expected %02x\n", c->name, MEM_BASE + i, got->bytes[i],
                  c->mem_out.bytes[i]);
      return false;
    }
  return true;
}

static inline IrFunc *parse_case(const Case *c) {
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

/* Run case c through a backend under test (run) and check its expected exit,
 * state and memory; a cmocka failure names the backend. Needs cmocka.h. */
static inline void case_run_on(const Case *c,
                               IrExit (*run)(const IrFunc *fn, TestCpu *cpu, TestMem *mem),
                               const char *backend) {
  if (!c->has_exit)
    fail_msg("%s (interp_cases.txt:%u): no '=>' line", c->name, c->line);
  IrFunc *fn = parse_case(c);
  TestCpu cpu = c->cpu_in;
  TestMem *mem = malloc(sizeof *mem);
  assert_non_null(mem);
  *mem = c->mem_in;
  IrExit got = run(fn, &cpu, mem);
  bool ok = check_exit(c, got);
  ok = check_state(c, &cpu) && ok;
  ok = check_memory(c, mem) && ok;
  free(mem);
  ir_func_free(fn);
  if (!ok)
    fail_msg("%s (interp_cases.txt:%u) failed under %s", c->name, c->line, backend);
}

#endif
