/* ir_parse.c — reads the IR text form (what ir_print.c writes) into an IrFunc.
 * Driven by the op table: the op's IrImmKind says which immediates surround its
 * operands. It checks syntax and names only (types are ir_validate's job), emits
 * with ir_emit_raw so text round-trips exactly, and fails with "line N: reason"
 * on any input, never crashing.
 *
 * Grammar (line oriented; '#' starts a comment to the end of the line; blank
 * lines and extra blanks are ignored):
 *
 *   function := 'func' ['entry' '=' number] '{'  block*  '}'
 *   block    := 'b' N ':'  inst*             labels b0, b1, ... in order
 *   inst     := [value ':' type '='] op ('.' suffix)* operands
 *   value    := '%' [A-Za-z0-9_]+            defined once, before its uses
 *   type     := i1 i8 i16 i32 i64 f32 f64 v16i8 v8i16 v4i32 v2i64 v4f32 v2f64
 *   suffix   := PRED: the predicate (cmp.ult, fcmp.folt);
 *               KIND: the op's names from ir_names.c (udiv.trap, load.acq.align)
 *   operands, by the op's IrImmKind; "refs" are exactly as many values as the
 *   op's operand kinds in ir_ops.def, comma separated:
 *     NONE PRED KIND  refs                     add %1, %2    cmp.ult %1, %2
 *     CONST    number | float                  const 0x10    const -1    const 1.5
 *     POOL     '0x' 1..32 hex digits, '_' ok    vconst 0x00000001_00000002
 *     SLOT     register [',' refs]             get r0        set r0, %3
 *     PC       number [',' length]  (insn only)  insn 0x1000, 4    exit 0x1004
 *     BITS     refs ',' lsb ',' width          extract %1, 8, 8
 *     LANE     refs ',' lane                   vinsert %1, %2, 0
 *     HELPER   name '(' [value (',' value)*] ')'  (0..4)   call h(%1, %2)
 *     TARGETS  [refs ','] block [',' block]  (second for br)  br %1, b1, b2   jmp b3
 *   number   := ['-'] ('0x' hex | decimal)   ('-' in const only; masked to its width)
 *   float    := a C literal with '.', 'e' or 'p', or inf / nan (f32, f64 consts only)
 *
 * A value-producing instruction has the `%name:type =` prefix; without one the
 * instruction's type is void. The printer names values %<inst index>. Values may
 * be used in later blocks, and branches may name labels defined further down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "ir_names.h"

typedef struct Tok {
  const char *s;
  size_t len;
} Tok;

/* A %name: a span of the input text and the value it was bound to. */
typedef struct IrName {
  Tok name;
  IrRef ref;
} IrName;

typedef struct Parser {
  const char *p, *eol; /* cursor in the current line; its end (before any comment) */
  const char *next;    /* the next line */
  unsigned line;
  IrFunc *fn;
  IrName *names; /* open-addressed hash table, cap a power of two */
  uint32_t nnames, capnames;
  uint32_t max_target; /* the highest block a branch names, and where */
  unsigned max_target_line;
  char *err;
  size_t errsize;
  jmp_buf fail; /* errors unwind to ir_parse, which frees what was built */
} Parser;

__attribute__((format(printf, 2, 3))) static _Noreturn void fail(Parser *P, const char *fmt,
                                                                  ...) {
  if (P->err && P->errsize) {
    int n = snprintf(P->err, P->errsize, "line %u: ", P->line ? P->line : 1);
    if (n >= 0 && (size_t)n < P->errsize) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(P->err + n, P->errsize - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  longjmp(P->fail, 1);
}

/* Tokens appear in messages cut to a readable length. */
#define TOKF "%.*s"
#define TOKA(t) (int)((t).len < 40 ? (t).len : 40), (t).s

/* -- Lines and tokens ----------------------------------------------------- */

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void skip_blanks(Parser *P) {
  while (P->p < P->eol && is_blank(*P->p))
    P->p++;
}

static bool at_eol(Parser *P) {
  skip_blanks(P);
  return P->p == P->eol;
}

/* Moves to the next line that holds anything but blanks and comments. */
static bool next_line(Parser *P) {
  while (*P->next) {
    const char *s = P->next;
    const char *nl = strchr(s, '\n');
    const char *end = nl ? nl : s + strlen(s);
    const char *hash = memchr(s, '#', (size_t)(end - s));
    P->next = nl ? nl + 1 : end;
    P->line++;
    P->p = s;
    P->eol = hash ? hash : end;
    if (!at_eol(P))
      return true;
  }
  return false;
}

static Tok rest_of_line(Parser *P) {
  skip_blanks(P);
  return (Tok){P->p, (size_t)(P->eol - P->p)};
}

static void end_line(Parser *P) {
  if (!at_eol(P)) {
    Tok t = rest_of_line(P);
    fail(P, "unexpected '" TOKF "'", TOKA(t));
  }
}

static Tok ident(Parser *P) {
  skip_blanks(P);
  Tok t = {P->p, 0};
  while (P->p < P->eol && is_ident(*P->p))
    P->p++;
  t.len = (size_t)(P->p - t.s);
  return t;
}

static bool accept(Parser *P, char c) {
  skip_blanks(P);
  if (P->p < P->eol && *P->p == c) {
    P->p++;
    return true;
  }
  return false;
}

static void expect(Parser *P, char c) {
  if (accept(P, c))
    return;
  if (at_eol(P))
    fail(P, "expected '%c' at end of line", c);
  Tok t = rest_of_line(P);
  fail(P, "expected '%c' before '" TOKF "'", c, TOKA(t));
}

static bool tok_is(Tok t, const char *s) { return strlen(s) == t.len && memcmp(t.s, s, t.len) == 0; }

/* Operand lists: every item after the first is preceded by a comma. */
static void item(Parser *P, bool *first) {
  if (!*first && !at_eol(P))
    expect(P, ',');
  *first = false;
  if (at_eol(P))
    fail(P, "missing operand");
}

/* -- Numbers -------------------------------------------------------------- */

/* A number's text: sign, letters, digits, '_' and '.', and an exponent's sign. */
static Tok number_tok(Parser *P) {
  skip_blanks(P);
  const char *s = P->p;
  if (P->p < P->eol && (*P->p == '-' || *P->p == '+'))
    P->p++;
  while (P->p < P->eol) {
    char c = *P->p, prev = P->p > s ? P->p[-1] : 0;
    bool exp_sign = (c == '-' || c == '+') && (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P');
    if (!is_ident(c) && c != '.' && !exp_sign)
      break;
    P->p++;
  }
  Tok t = {s, (size_t)(P->p - s)};
  if (!t.len)
    fail(P, "missing number");
  return t;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static bool is_hex_prefix(Tok t) { return t.len > 2 && t.s[0] == '0' && (t.s[1] | 0x20) == 'x'; }

/* Hex digits after 0x (ignoring '_') into 128 bits; at most max_digits of them. */
static IrV128 parse_hex(Parser *P, Tok t, unsigned max_digits) {
  IrV128 v = {0, 0};
  unsigned digits = 0;
  if (!is_hex_prefix(t))
    fail(P, "bad number '" TOKF "'", TOKA(t));
  for (size_t i = 2; i < t.len; i++) {
    if (t.s[i] == '_')
      continue;
    int d = hex_digit(t.s[i]);
    if (d < 0)
      fail(P, "bad number '" TOKF "'", TOKA(t));
    if (++digits > max_digits)
      fail(P, "number too large '" TOKF "'", TOKA(t));
    v.hi = v.hi << 4 | v.lo >> 60;
    v.lo = v.lo << 4 | (uint64_t)d;
  }
  if (!digits)
    fail(P, "bad number '" TOKF "'", TOKA(t));
  return v;
}

/* Decimal digits into 64 bits. */
static uint64_t parse_dec(Parser *P, Tok t) {
  uint64_t v = 0;
  if (!t.len)
    fail(P, "bad number '" TOKF "'", TOKA(t));
  for (size_t i = 0; i < t.len; i++) {
    if (t.s[i] < '0' || t.s[i] > '9')
      fail(P, "bad number '" TOKF "'", TOKA(t));
    unsigned digit = (unsigned)(t.s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10)
      fail(P, "number too large '" TOKF "'", TOKA(t));
    v = v * 10 + digit;
  }
  return v;
}

/* 0x hex or decimal; a '-' (when allowed) negates modulo 2^64. */
static uint64_t parse_u64(Parser *P, Tok t, bool allow_neg) {
  bool neg = allow_neg && t.len && t.s[0] == '-';
  Tok d = neg ? (Tok){t.s + 1, t.len - 1} : t;
  uint64_t v = is_hex_prefix(d) ? parse_hex(P, d, 16).lo : parse_dec(P, d);
  return neg ? 0 - v : v;
}

static uint32_t parse_u32(Parser *P) {
  Tok t = number_tok(P);
  uint64_t v = parse_u64(P, t, false);
  if (v > UINT32_MAX)
    fail(P, "number too large '" TOKF "'", TOKA(t));
  return (uint32_t)v;
}

/* Float literals are told from raw bits by '.', an exponent, inf or nan. */
static bool is_float_literal(Tok t) {
  size_t i = t.len && (t.s[0] == '-' || t.s[0] == '+');
  Tok d = {t.s + i, t.len - i};
  bool hex = is_hex_prefix(d);
  for (size_t k = 0; k < d.len; k++) {
    char c = (char)(d.s[k] | 0x20);
    if (d.s[k] == '.' || (hex ? c == 'p' : c == 'e'))
      return true;
  }
  return !hex && d.len >= 3 && ((d.s[0] | 0x20) == 'i' || (d.s[0] | 0x20) == 'n');
}

static uint64_t parse_float(Parser *P, Tok t, IrType type) {
  char buf[80];
  if (type != IR_T_f32 && type != IR_T_f64)
    fail(P, "float literal '" TOKF "' for a %s", TOKA(t), ir_type_info[type].name);
  if (t.len >= sizeof buf)
    fail(P, "bad number '" TOKF "'", TOKA(t));
  memcpy(buf, t.s, t.len);
  buf[t.len] = '\0';
  char *end;
  uint64_t bits = 0;
  if (type == IR_T_f32) {
    float f = strtof(buf, &end);
    uint32_t b32;
    memcpy(&b32, &f, sizeof b32);
    bits = b32;
  } else {
    double d = strtod(buf, &end);
    memcpy(&bits, &d, sizeof bits);
  }
  if (*end)
    fail(P, "bad number '" TOKF "'", TOKA(t));
  return bits;
}

static uint64_t parse_const(Parser *P, IrType type) {
  Tok t = number_tok(P);
  uint64_t v = is_float_literal(t) ? parse_float(P, t, type) : parse_u64(P, t, true);
  unsigned bits = ir_type_bits(type);
  return bits && bits < 64 ? v & ((1ull << bits) - 1) : v;
}

static uint64_t parse_pool(Parser *P) {
  IrV128 v = parse_hex(P, number_tok(P), 32);
  IrFunc *fn = P->fn;
  if (fn->npool == fn->cap_pool) {
    uint32_t cap = fn->cap_pool ? fn->cap_pool * 2 : 8;
    IrV128 *pool = realloc(fn->pool, cap * sizeof *pool);
    if (!pool) {
      fputs("emu: out of memory\n", stderr);
      abort();
    }
    fn->pool = pool;
    fn->cap_pool = cap;
  }
  fn->pool[fn->npool] = v;
  return fn->npool++;
}

/* -- Names: %values, types, registers, helpers, blocks -------------------- */

static uint32_t name_hash(Tok t) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < t.len; i++)
    h = (h ^ (unsigned char)t.s[i]) * 16777619u;
  return h;
}

static IrName *name_slot(IrName *tab, uint32_t cap, Tok t) {
  for (uint32_t i = name_hash(t) & (cap - 1);; i = (i + 1) & (cap - 1))
    if (!tab[i].name.s || (tab[i].name.len == t.len && memcmp(tab[i].name.s, t.s, t.len) == 0))
      return &tab[i];
}

static IrRef name_find(Parser *P, Tok t) {
  return P->capnames ? name_slot(P->names, P->capnames, t)->ref : IR_NONE;
}

static void name_add(Parser *P, Tok t, IrRef r) {
  if (2 * (P->nnames + 1) > P->capnames) {
    uint32_t cap = P->capnames ? P->capnames * 2 : 64;
    IrName *tab = calloc(cap, sizeof *tab);
    if (!tab) {
      fputs("emu: out of memory\n", stderr);
      abort();
    }
    for (uint32_t i = 0; i < P->capnames; i++)
      if (P->names[i].name.s)
        *name_slot(tab, cap, P->names[i].name) = P->names[i];
    free(P->names);
    P->names = tab;
    P->capnames = cap;
  }
  *name_slot(P->names, P->capnames, t) = (IrName){t, r};
  P->nnames++;
}

static Tok value_name(Parser *P) {
  if (!accept(P, '%')) {
    Tok t = rest_of_line(P);
    fail(P, "expected a %%value, got '" TOKF "'", TOKA(t));
  }
  Tok t = ident(P);
  if (!t.len)
    fail(P, "bad value name");
  return t;
}

static IrRef value_ref(Parser *P) {
  Tok t = value_name(P);
  IrRef r = name_find(P, t);
  if (r == IR_NONE)
    fail(P, "undefined value %%" TOKF, TOKA(t));
  return r;
}

static IrType parse_type(Parser *P) {
  Tok t = ident(P);
  for (unsigned i = IR_T_void + 1; i < IR_T__COUNT; i++)
    if (tok_is(t, ir_type_info[i].name))
      return (IrType)i;
  fail(P, "bad type '" TOKF "'", TOKA(t.len ? t : rest_of_line(P)));
}

static uint64_t parse_slot(Parser *P) {
  Tok t = ident(P);
  int slot = P->fn->rf ? ir_regfile_find(P->fn->rf, t.s, t.len) : -1;
  if (slot < 0)
    fail(P, "unknown register '" TOKF "'", TOKA(t.len ? t : rest_of_line(P)));
  return (uint64_t)slot;
}

/* "bN" -> N, or UINT32_MAX + 1 when it is not a block label. */
static uint64_t block_number(Tok t) {
  if (t.len < 2 || t.len > 11 || t.s[0] != 'b')
    return 1ull << 32;
  uint64_t n = 0;
  for (size_t i = 1; i < t.len; i++) {
    if (t.s[i] < '0' || t.s[i] > '9')
      return 1ull << 32;
    n = n * 10 + (uint64_t)(t.s[i] - '0');
  }
  return n;
}

static uint32_t parse_target(Parser *P) {
  Tok t = ident(P);
  uint64_t n = block_number(t);
  if (n > UINT32_MAX)
    fail(P, "bad block '" TOKF "'", TOKA(t.len ? t : rest_of_line(P)));
  if (!P->max_target_line || n > P->max_target) {
    P->max_target = (uint32_t)n;
    P->max_target_line = P->line;
  }
  return (uint32_t)n;
}

static uint64_t parse_helper(Parser *P) {
  Tok t = ident(P);
  int h = ir_helper_find(t.s, t.len);
  if (h < 0)
    fail(P, "unknown helper '" TOKF "'", TOKA(t.len ? t : rest_of_line(P)));
  return (uint64_t)h;
}

/* -- Suffixes ------------------------------------------------------------- */

static uint64_t parse_pred(Parser *P, IrOp op, Tok sfx) {
  for (unsigned i = 0; i < IR_PRED__COUNT; i++)
    if (tok_is(sfx, ir_pred_name[i]))
      return i;
  if (!sfx.len)
    fail(P, "missing suffix for %s", ir_op_info[op].name);
  fail(P, "bad suffix '." TOKF "' for %s", TOKA(sfx), ir_op_info[op].name);
}

static uint64_t parse_kind(Parser *P, IrOp op, Tok sfx) {
  const IrKindNames *kn = ir_kind_names(op);
  if (!kn)
    fail(P, "%s has no suffix names", ir_op_info[op].name);
  if (!kn->flags) {
    for (uint32_t i = 0; i < kn->count; i++)
      if (kn->names[i] && tok_is(sfx, kn->names[i]))
        return i;
    if (!sfx.len)
      fail(P, "missing suffix for %s", ir_op_info[op].name);
    fail(P, "bad suffix '." TOKF "' for %s", TOKA(sfx), ir_op_info[op].name);
  }
  uint64_t v = 0;
  for (const char *s = sfx.s, *end = sfx.s + sfx.len; sfx.len;) {
    const char *dot = memchr(s, '.', (size_t)(end - s));
    Tok part = {s, (size_t)((dot ? dot : end) - s)};
    uint32_t i = 0;
    while (i < kn->count && !tok_is(part, kn->names[i]))
      i++;
    if (i == kn->count || (v >> i & 1))
      fail(P, "bad suffix '." TOKF "' for %s", TOKA(part), ir_op_info[op].name);
    v |= 1ull << i;
    if (!dot)
      break;
    s = dot + 1;
  }
  return v;
}

/* -- Instructions, blocks, the function ----------------------------------- */

static void parse_inst(Parser *P) {
  Tok name = {NULL, 0};
  IrType type = IR_T_void;
  skip_blanks(P);
  if (P->p < P->eol && *P->p == '%') {
    name = value_name(P);
    if (name_find(P, name) != IR_NONE)
      fail(P, "%%" TOKF " redefined", TOKA(name));
    expect(P, ':');
    type = parse_type(P);
    expect(P, '=');
  }

  Tok opname = ident(P);
  unsigned op = 0;
  while (op < IR_OP__COUNT && !tok_is(opname, ir_op_info[op].name))
    op++;
  if (op == IR_OP__COUNT) {
    if (!opname.len)
      fail(P, "expected an instruction, got '" TOKF "'", TOKA(rest_of_line(P)));
    fail(P, "unknown op '" TOKF "'", TOKA(opname));
  }
  const IrOpInfo *oi = &ir_op_info[op];

  /* The suffix: everything after the op name's first '.' up to a blank. */
  Tok sfx = {P->p, 0};
  bool has_sfx = P->p < P->eol && *P->p == '.';
  if (has_sfx) {
    sfx.s = ++P->p;
    while (P->p < P->eol && (is_ident(*P->p) || *P->p == '.'))
      P->p++;
    sfx.len = (size_t)(P->p - sfx.s);
  }
  uint64_t imm = 0;
  uint32_t aux = 0;
  if (oi->imm == IR_IMM_PRED)
    imm = parse_pred(P, op, sfx);
  else if (oi->imm == IR_IMM_KIND)
    imm = parse_kind(P, op, sfx);
  else if (has_sfx)
    fail(P, "bad suffix '." TOKF "' for %s", TOKA(sfx), oi->name);

  /* Operands: a slot first; a helper's in parentheses; else the op's count. */
  bool first = true;
  IrRef args[IR_MAX_ARGS];
  uint32_t nargs = 0;
  if (oi->imm == IR_IMM_SLOT) {
    item(P, &first);
    imm = parse_slot(P);
  }
  if (oi->imm == IR_IMM_HELPER) {
    item(P, &first);
    imm = parse_helper(P);
    expect(P, '(');
    bool in_first = true;
    while (!accept(P, ')')) {
      if (at_eol(P))
        fail(P, "missing ')'");
      if (nargs == IR_MAX_ARGS)
        fail(P, "too many operands (at most %d)", IR_MAX_ARGS);
      item(P, &in_first);
      args[nargs++] = value_ref(P);
    }
  } else {
    size_t want = strlen(oi->args);
    for (; nargs < want; nargs++) {
      item(P, &first);
      args[nargs] = value_ref(P);
    }
  }

  switch (oi->imm) {
  case IR_IMM_NONE:
  case IR_IMM_SLOT:
  case IR_IMM_PRED:
  case IR_IMM_KIND:
  case IR_IMM_HELPER:
    break;
  case IR_IMM_CONST:
    item(P, &first);
    imm = parse_const(P, type);
    break;
  case IR_IMM_POOL:
    item(P, &first);
    imm = parse_pool(P);
    break;
  case IR_IMM_PC:
    item(P, &first);
    imm = parse_u64(P, number_tok(P), false);
    if (ir_op_pc_has_len(op)) {
      item(P, &first);
      aux = parse_u32(P);
    }
    break;
  case IR_IMM_BITS:
    item(P, &first);
    imm = parse_u32(P);
    item(P, &first);
    aux = parse_u32(P);
    break;
  case IR_IMM_LANE:
    item(P, &first);
    imm = parse_u32(P);
    break;
  case IR_IMM_TARGETS:
    item(P, &first);
    imm = parse_target(P);
    if (ir_op_ntargets(op) == 2) {
      item(P, &first);
      aux = parse_target(P);
    }
    break;
  }
  end_line(P);

  IrRef r = ir_emit_raw(P->fn, op, type, nargs, args, imm, aux);
  if (name.len)
    name_add(P, name, r);
}

/* A label line is an identifier followed by ':'; anything else is left alone. */
static bool parse_label(Parser *P) {
  const char *save = P->p;
  Tok t = ident(P);
  if (!t.len || !accept(P, ':')) {
    P->p = save;
    return false;
  }
  uint64_t n = block_number(t);
  if (n != P->fn->nblocks)
    fail(P, "expected label b%u, got '" TOKF ":'", P->fn->nblocks, TOKA(t));
  end_line(P);
  ir_block_set(P->fn, ir_block_new(P->fn));
  return true;
}

static void parse_header(Parser *P) {
  if (!next_line(P))
    fail(P, "expected 'func'");
  if (!tok_is(ident(P), "func"))
    fail(P, "expected 'func'");
  const char *save = P->p;
  if (tok_is(ident(P), "entry")) {
    expect(P, '=');
    P->fn->entry = parse_u64(P, number_tok(P), false);
  } else {
    P->p = save;
  }
  expect(P, '{');
  end_line(P);
}

static void parse_function(Parser *P) {
  parse_header(P);
  for (;;) {
    if (!next_line(P))
      fail(P, "missing '}'");
    if (accept(P, '}'))
      break;
    if (parse_label(P))
      continue;
    if (P->fn->nblocks == 0)
      fail(P, "instruction before the first label b0:");
    parse_inst(P);
  }
  end_line(P);
  if (next_line(P))
    fail(P, "text after '}'");
  if (P->max_target_line && P->max_target >= P->fn->nblocks) {
    P->line = P->max_target_line;
    fail(P, "undefined block b%u", P->max_target);
  }
}

/* setjmp lives here so that nothing it could clobber is a local of its caller. */
static bool parse_guarded(Parser *P) {
  if (setjmp(P->fail))
    return false;
  parse_function(P);
  return true;
}

IrFunc *ir_parse(const char *text, const IrRegFile *rf, char *err, size_t errsize) {
  Parser P = {.next = text ? text : "", .err = err, .errsize = errsize};
  if (err && errsize)
    err[0] = '\0';
  P.fn = ir_func_new(rf);
  bool ok = parse_guarded(&P);
  free(P.names);
  if (!ok) {
    ir_func_free(P.fn);
    return NULL;
  }
  return P.fn;
}
