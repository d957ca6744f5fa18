/* dta_tally.c — per-row counts and the verdict. Rows emu does not lift yet
 * (emu raises SIGILL where qemu runs the instruction) are coverage gaps, not
 * mismatches; they are allowed only for rows named in the allow-list file
 * (tests/difftest_a64/unlifted.txt), which must shrink to empty: a listed row
 * that lifted every case is reported as stale and fails too. */
#include <stdlib.h>
#include <string.h>

#include "dta_tally.h"

/* A listed row is stale once this many of its cases (allocated ones) lifted:
 * fewer prove little for a row whose gaps are a few forms among many. */
#define DTA_STALE_MIN 40

bool dta_allow_load(const char *path, DtaAllow *a) {
  memset(a, 0, sizeof *a);
  if (!path)
    return true;
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return false;
  }
  char line[256];
  while (fgets(line, sizeof line, f)) {
    char *s = line + strspn(line, " \t");
    s[strcspn(s, " \t\r\n#")] = 0;
    if (!*s)
      continue;
    if (a->n == sizeof a->names / sizeof a->names[0]) {
      fprintf(stderr, "%s: too many names\n", path);
      fclose(f);
      return false;
    }
    a->names[a->n++] = strdup(s);
  }
  fclose(f);
  a->path = path;
  return true;
}

static void example(uint32_t *ex, unsigned *n, uint32_t insn) {
  for (unsigned i = 0; i < *n; i++)
    if (ex[i] == insn)
      return;
  if (*n < 3)
    ex[(*n)++] = insn;
}

void dta_tally_gap(DtaTally *t, uint32_t insn) {
  if (dta_in_emu_isa(insn)) {
    t->gap++;
    example(t->gap_insn, &t->ngap_insn, insn);
  } else {
    t->ext++;
    example(t->ext_insn, &t->next_insn, insn);
  }
}

static void print_examples(const uint32_t *ex, unsigned n) {
  printf(" e.g.");
  for (unsigned k = 0; k < n; k++) {
    char text[128];
    dta_disas(ex[k], 0, text, sizeof text);
    printf("%s %s", k ? ";" : "", text);
  }
  printf("\n");
}

static int allow_find(const DtaAllow *a, const char *name) {
  for (unsigned i = 0; i < a->n; i++)
    if (!strcmp(a->names[i], name))
      return (int)i;
  return -1;
}

bool dta_allow_has(const DtaAllow *a, const char *name) { return allow_find(a, name) >= 0; }

static void print_tally(const char *name, const DtaTally *r) {
  printf("%-22s %8llu %8llu %8llu %8llu %8llu %8llu %6llu\n", name, (unsigned long long)r->cases,
         (unsigned long long)r->ok, (unsigned long long)r->unalloc, (unsigned long long)r->gap,
         (unsigned long long)r->ext, (unsigned long long)r->mismatch, (unsigned long long)r->died);
}

/* Prints the table and the lists; returns the number of failures. */
unsigned dta_verdict(const DtaRow *rows, unsigned nrows, const DtaTally *t, const DtaAllow *a,
                     bool verbose, bool seq) {
  unsigned fails = 0, ngap = 0, nunalloc = 0;
  printf("\n%-22s %8s %8s %8s %8s %8s %8s %6s\n", "row", "cases", "ok", "unalloc", "gap", "ext",
         "mismatch", "died");
  DtaTally sum = {0};
  for (unsigned i = 0; i < nrows; i++) {
    const DtaTally *r = &t[i];
    sum.cases += r->cases, sum.ok += r->ok, sum.unalloc += r->unalloc, sum.gap += r->gap;
    sum.ext += r->ext;
    sum.mismatch += r->mismatch, sum.died += r->died;
    if (!r->cases)
      continue;
    if (verbose || r->gap || r->mismatch || r->died)
      print_tally(rows[i].p->row->name, r);
  }
  print_tally(seq ? "total (insns)" : "total", &sum);

  /* Coverage: rows not lifted yet, and whether the allow-list says so. */
  for (unsigned i = 0; i < nrows; i++) {
    if (!t[i].gap)
      continue;
    bool allowed = allow_find(a, rows[i].p->row->name) >= 0;
    if (!ngap++)
      printf("\nnot lifted (emu SIGILL, qemu ran it): row, cases, allow-listed\n");
    printf("  %-22s %6llu/%-6llu %-16s", rows[i].p->row->name, (unsigned long long)t[i].gap,
           (unsigned long long)t[i].cases, allowed ? "listed" : "NOT LISTED: FAIL");
    print_examples(t[i].gap_insn, t[i].ngap_insn);
    fails += !allowed;
  }
  unsigned next = 0;
  for (unsigned i = 0; i < nrows; i++)
    if (t[i].ext) {
      if (!next++)
        printf("\noutside emu's ISA: an extension emu does not advertise, or unallocated for LLVM\n"
               "(emu SIGILL, qemu's max CPU ran it; fine):\n");
      printf("  %-22s %6llu/%-6llu", rows[i].p->row->name, (unsigned long long)t[i].ext,
             (unsigned long long)t[i].cases);
      print_examples(t[i].ext_insn, t[i].next_insn);
    }
  for (unsigned k = 0; k < a->n; k++) {
    int row = -1;
    for (unsigned i = 0; i < nrows; i++)
      if (!strcmp(rows[i].p->row->name, a->names[k]))
        row = (int)i;
    if (row < 0) {
      printf("%s: '%s' names no row: FAIL\n", a->path, a->names[k]);
      fails++;
    } else if (!seq && t[row].cases >= t[row].unalloc + DTA_STALE_MIN && !t[row].gap) {
      printf("%s: '%s' lifted all %llu cases now: remove it from the list (stale: FAIL)\n",
             a->path, a->names[k], (unsigned long long)t[row].cases);
      fails++;
    }
  }
  /* Rows whose every case was unallocated test nothing: a pattern or
   * generator problem worth a look (not a failure). */
  for (unsigned i = 0; i < nrows && !seq; i++)
    if (t[i].cases && t[i].unalloc == t[i].cases) {
      if (!nunalloc++)
        printf("\nrows whose every case was unallocated in qemu too (generator or pattern?):\n ");
      printf(" %s", rows[i].p->row->name);
    }
  if (nunalloc)
    printf("\n");
  if (verbose)
    for (unsigned i = 0; i < nrows; i++)
      if (rows[i].kind == DTA_EXCLUDED)
        printf("not generated: %s (%s)\n", rows[i].p->row->name, rows[i].why);
  return fails;
}
