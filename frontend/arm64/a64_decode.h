/* a64_decode.h — the A64 decoder, driven by a pattern table.
 *
 * Each lifter file exports rows: a name, a 32-bit pattern, a lifting function
 * and two parameters. A pattern is written most significant bit first as
 * space-separated tokens, which must add up to 32 bits:
 *   "0110"     fixed bits;  "-" / "--" don't-care bits;
 *   "rd:5"     a named field of 5 bits (names: A64_FIELDS below).
 * e.g. ADD (immediate): "sf:1 0 0 100010 sh:1 imm:12 rn:5 rd:5".
 * Rows are tried in table order among those whose fixed bits match (so a
 * specific row goes before a general one); a lifter that returns false passes
 * the instruction on to the next matching row, and to SIGILL after the last.
 * The same table drives the difftest generator (tests/difftest).
 */
#ifndef EMU_A64_DECODE_H
#define EMU_A64_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Field names patterns may use. Add one here when a pattern needs it. */
#define A64_FIELDS(_)                                                                \
  _(sf) _(op) _(op2) _(S) _(sh) _(imm) _(imm2) _(immlo) _(immhi) _(N) _(immr) _(imms) \
  _(rd) _(rn) _(rm) _(ra) _(rt) _(rt2) _(rs) _(cond) _(opc) _(size) _(Q) _(U)         \
  _(o0) _(o1) _(o2) _(o3) _(L) _(shift) _(option) _(hw) _(b5) _(b40) _(nzcv) _(ftype) \
  _(rmode) _(scale) _(crn) _(crm) _(op1) _(sysreg) _(a) _(R) _(A) _(mode) _(len)      \
  _(immh) _(immb) _(abc) _(defgh) _(cmode) _(H) _(M) _(index) _(lane)                \
  _(V)

typedef enum A64Field {
#define A64_FIELD_ENUM(n) A64_F_##n,
  A64_FIELDS(A64_FIELD_ENUM)
#undef A64_FIELD_ENUM
  A64_F__COUNT
} A64Field;

struct A64Lift;
typedef struct A64Row A64Row;
/* Returns false for "not a form I handle" (before emitting anything). */
typedef bool (*A64LiftFn)(struct A64Lift *l, const A64Row *r);
struct A64Row {
  const char *name; /* for -d in_asm, coverage and difftest */
  const char *pattern;
  A64LiftFn fn;
  int a, b; /* per-row parameters, meaning chosen by fn */
};

/* A compiled row: fixed bits and where its fields are. */
#define A64_MAX_ROW_FIELDS 10
typedef struct A64Pattern {
  const A64Row *row;
  uint32_t mask, value;
  uint8_t nfields;
  struct { uint8_t id, lsb, width; } field[A64_MAX_ROW_FIELDS];
} A64Pattern;

/* Build the decoder from every lifter table (a64_translate.c lists them).
 * Aborts on a malformed pattern: the tables are part of the program. */
void a64_decode_init(void);
/* Patterns matching insn's fixed bits, in table order: the first, then each
 * next; NULL when none is left. */
const A64Pattern *a64_decode_first(uint32_t insn);
const A64Pattern *a64_decode_next(uint32_t insn, const A64Pattern *prev);
/* Fill f[A64_F__COUNT] with the pattern's fields of insn (others 0). */
void a64_decode_fields(const A64Pattern *p, uint32_t insn, uint32_t *f);
/* Compile one pattern string; false (with a reason) if malformed. For tests. */
bool a64_pattern_compile(const A64Row *row, A64Pattern *out, char *err, size_t errsize);
/* Every compiled pattern (for coverage and the difftest generator). */
const A64Pattern *a64_patterns(unsigned *count);
const char *a64_field_name(unsigned id);

#endif
