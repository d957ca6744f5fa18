/* a64_decode.c — compiles the lifter tables' patterns into mask/value pairs
 * and finds the rows matching an instruction. Rows are bucketed by the major
 * opcode bits [28:25] so a lookup scans only the rows of one encoding group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a64_decode.h"
#include "a64_lift.h"

static const char *const field_names[A64_F__COUNT] = {
#define A64_FIELD_NAME(n) #n,
    A64_FIELDS(A64_FIELD_NAME)
#undef A64_FIELD_NAME
};

const char *a64_field_name(unsigned id) { return id < A64_F__COUNT ? field_names[id] : "?"; }

bool a64_pattern_compile(const A64Row *row, A64Pattern *out, char *err, size_t errsize) {
  memset(out, 0, sizeof *out);
  out->row = row;
  int bit = 32; /* next bit to fill is bit - 1 */
  const char *s = row->pattern;
  while (*s) {
    if (*s == ' ') {
      s++;
      continue;
    }
    size_t len = strcspn(s, " ");
    const char *colon = memchr(s, ':', len);
    if (colon) {
      size_t nlen = (size_t)(colon - s);
      int width = atoi(colon + 1);
      int id = -1;
      for (int i = 0; i < A64_F__COUNT; i++)
        if (strlen(field_names[i]) == nlen && memcmp(field_names[i], s, nlen) == 0)
          id = i;
      if (id < 0 || width <= 0 || width > bit || out->nfields == A64_MAX_ROW_FIELDS) {
        snprintf(err, errsize, "%s: bad field '%.*s'", row->name, (int)len, s);
        return false;
      }
      bit -= width;
      out->field[out->nfields].id = (uint8_t)id;
      out->field[out->nfields].lsb = (uint8_t)bit;
      out->field[out->nfields].width = (uint8_t)width;
      out->nfields++;
    } else {
      for (size_t i = 0; i < len; i++) {
        if (bit == 0 || (s[i] != '0' && s[i] != '1' && s[i] != '-')) {
          snprintf(err, errsize, "%s: bad bits '%.*s'", row->name, (int)len, s);
          return false;
        }
        bit--;
        if (s[i] != '-') {
          out->mask |= 1u << bit;
          out->value |= (uint32_t)(s[i] - '0') << bit;
        }
      }
    }
    s += len;
  }
  if (bit != 0) {
    snprintf(err, errsize, "%s: pattern has %d bits, not 32", row->name, 32 - bit);
    return false;
  }
  return true;
}

static A64Pattern *patterns;
static unsigned npatterns;
/* bucket[k]: indices of patterns that can match an insn with bits[28:25] = k. */
static uint16_t *bucket[16];
static unsigned bucket_n[16];

void a64_decode_init(void) {
  if (patterns)
    return;
  unsigned n = 0;
  for (const A64Row *const *t = a64_lifter_tables; *t; t++)
    for (const A64Row *r = *t; r->fn; r++)
      n++;
  A64Pattern *p = calloc(n ? n : 1, sizeof *p);
  if (!p)
    abort();
  unsigned i = 0;
  for (const A64Row *const *t = a64_lifter_tables; *t; t++)
    for (const A64Row *r = *t; r->fn; r++) {
      char err[160];
      if (!a64_pattern_compile(r, &p[i++], err, sizeof err)) {
        fprintf(stderr, "emu: AArch64 decode table: %s\n", err);
        abort();
      }
    }
  for (unsigned k = 0; k < 16; k++) {
    bucket[k] = calloc(n ? n : 1, sizeof(uint16_t));
    if (!bucket[k])
      abort();
    uint32_t key = k << 25;
    for (unsigned j = 0; j < n; j++)
      if ((key & p[j].mask & (0xfu << 25)) == (p[j].value & (0xfu << 25)))
        bucket[k][bucket_n[k]++] = (uint16_t)j;
  }
  npatterns = n;
  __atomic_store_n(&patterns, p, __ATOMIC_RELEASE);
}

static const A64Pattern *scan(uint32_t insn, unsigned from_pos) {
  unsigned k = insn >> 25 & 0xf;
  for (unsigned j = from_pos; j < bucket_n[k]; j++) {
    const A64Pattern *p = &patterns[bucket[k][j]];
    if ((insn & p->mask) == p->value)
      return p;
  }
  return NULL;
}

const A64Pattern *a64_decode_first(uint32_t insn) { return scan(insn, 0); }

const A64Pattern *a64_decode_next(uint32_t insn, const A64Pattern *prev) {
  unsigned k = insn >> 25 & 0xf, idx = (unsigned)(prev - patterns);
  for (unsigned j = 0; j < bucket_n[k]; j++)
    if (bucket[k][j] == idx)
      return scan(insn, j + 1);
  return NULL;
}

void a64_decode_fields(const A64Pattern *p, uint32_t insn, uint32_t *f) {
  memset(f, 0, A64_F__COUNT * sizeof *f);
  for (unsigned i = 0; i < p->nfields; i++)
    f[p->field[i].id] = insn >> p->field[i].lsb & (uint32_t)((1ull << p->field[i].width) - 1);
}

const A64Pattern *a64_patterns(unsigned *count) {
  a64_decode_init();
  *count = npatterns;
  return patterns;
}
