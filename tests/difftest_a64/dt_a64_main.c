/* dt_a64_main.c — difftest_a64: random differential testing of the AArch64
 * frontend. Cases come from the frontend's pattern rows (dta_gen.c); each batch
 * runs in the guest case runner under qemu-aarch64 (the oracle) and under
 * emu-aarch64 in each requested tier; outcomes are compared whole. Prints each
 * mismatch (instruction, row and fields, inputs, differing fields, a one-line
 * reproduction), then per-row counts and the coverage gaps (rows emu does not
 * lift yet). Exit status 0 only if nothing differed, no emu process died, and
 * every gap is on the allow-list (which holds no stale names). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dta.h"
#include "dta_tally.h"

#ifndef DTA_RUNNER_PATH
#define DTA_RUNNER_PATH "runner"
#endif
#ifndef DTA_EMU_PATH
#define DTA_EMU_PATH "emu-aarch64"
#endif

typedef struct Options {
  uint64_t seed, cases;
  int64_t one_case; /* --case K, or -1 */
  const char *rows, *skip_rows, *exec, *qemu, *qemu_cpu, *emu, *runner, *allow;
  bool seq, verbose, list, wx;
  unsigned max_print, seq_max, batch;
  DtaGenOpts gen;
  DtaCmpOpts cmp;
} Options;

static void usage(FILE *f) {
  fprintf(f,
          "usage: difftest_a64 [--cases N] [--seed S] [--row NAME[,NAME..]] [--skip-row NAME[,..]]\n"
          "                    [--exec LIST]\n"
          "                    [--seq] [--seq-max N] [--case K] [--allow FILE] [--max-print N]\n"
          "                    [--qemu PATH] [--qemu-cpu CPU] [--emu PATH] [--runner PATH]\n"
          "                    [--batch N] [--fpsr-mask M] [--fpcr-all] [--no-tbi] [--wx]\n"
          "                    [--verbose] [--list]\n"
          "  --cases N    cases per row (with --seq: sequences in all)\n"
          "  --row NAME   rows whose name contains NAME (=NAME: exactly NAME)\n"
          "  --skip-row NAME  leave out rows matched so (to see past known mismatches)\n"
          "  --exec LIST  emu tiers to test against qemu: fast,interp,llvm,auto (or qemu itself)\n"
          "  --seq        random straight-line sequences of 2..seq-max instructions\n"
          "  --case K     only case K of each selected row (as a repro line says), verbosely\n"
          "  --allow FILE rows that may be unlifted (coverage gaps); stale names fail\n"
          "  --fpsr-mask  FPSR bits compared (default all)\n"
          "  --fpcr-all   random FZ/DN/AHP/FZ16 in the input FPCR and msr fpcr too\n"
          "  --no-tbi     no top-byte tags on base pointers\n"
          "  --wx         the runner writes code through RW->RX mprotect, not RWX\n");
}

static bool parse_args(int argc, char **argv, Options *o) {
  *o = (Options){.seed = 1, .cases = 100, .one_case = -1, .exec = "fast,interp",
                 .qemu = "/usr/bin/qemu-aarch64", .qemu_cpu = "max,pauth=off,sve=off,sme=off",
                 .emu = DTA_EMU_PATH, .runner = DTA_RUNNER_PATH, .max_print = 3, .seq_max = 10,
                 .batch = 2000, .cmp = {.fpsr_mask = ~0u}};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    bool has_value = true;
    if (!strcmp(a, "--cases") && v) o->cases = strtoull(v, NULL, 0);
    else if (!strcmp(a, "--seed") && v) o->seed = strtoull(v, NULL, 0);
    else if (!strcmp(a, "--case") && v) o->one_case = strtoll(v, NULL, 0);
    else if (!strcmp(a, "--row") && v) o->rows = v;
    else if (!strcmp(a, "--skip-row") && v) o->skip_rows = v;
    else if (!strcmp(a, "--exec") && v) o->exec = v;
    else if (!strcmp(a, "--qemu") && v) o->qemu = v;
    else if (!strcmp(a, "--qemu-cpu") && v) o->qemu_cpu = v;
    else if (!strcmp(a, "--emu") && v) o->emu = v;
    else if (!strcmp(a, "--runner") && v) o->runner = v;
    else if (!strcmp(a, "--allow") && v) o->allow = v;
    else if (!strcmp(a, "--max-print") && v) o->max_print = (unsigned)strtoul(v, NULL, 0);
    else if (!strcmp(a, "--seq-max") && v) o->seq_max = (unsigned)strtoul(v, NULL, 0);
    else if (!strcmp(a, "--batch") && v) o->batch = (unsigned)strtoul(v, NULL, 0);
    else if (!strcmp(a, "--fpsr-mask") && v) o->cmp.fpsr_mask = (uint32_t)strtoul(v, NULL, 0);
    else {
      has_value = false;
      if (!strcmp(a, "--seq")) o->seq = true;
      else if (!strcmp(a, "--verbose")) o->verbose = true;
      else if (!strcmp(a, "--list")) o->list = true;
      else if (!strcmp(a, "--wx")) o->wx = true;
      else if (!strcmp(a, "--fpcr-all")) o->gen.fpcr_all = true;
      else if (!strcmp(a, "--no-tbi")) o->gen.no_tbi = true;
      else {
        usage(!strcmp(a, "-h") || !strcmp(a, "--help") ? stdout : stderr);
        return false;
      }
    }
    i += has_value;
  }
  if (o->batch == 0 || o->seq_max < 2 || o->seq_max > DTA_MAX_INSNS) {
    fprintf(stderr, "difftest_a64: --batch must be > 0, --seq-max in 2..%u\n", DTA_MAX_INSNS);
    return false;
  }
  return true;
}

static bool row_matches(const char *filter, const char *name) {
  for (const char *p = filter; *p;) {
    size_t len = strcspn(p, ",");
    char tok[128];
    snprintf(tok, sizeof tok, "%.*s", (int)len, p);
    if (tok[0] == '=' ? !strcmp(tok + 1, name) : strstr(name, tok) != NULL)
      return true;
    p += len + (p[len] == ',');
  }
  return false;
}

static bool row_selected(const Options *o, const char *name) {
  return (!o->rows || row_matches(o->rows, name)) &&
         !(o->skip_rows && row_matches(o->skip_rows, name));
}

/* -- Executors --------------------------------------------------------------- */

static unsigned make_executors(const Options *o, DtaExecutor *ex, unsigned max) {
  unsigned n = 0;
  for (const char *p = o->exec; *p && n < max;) {
    size_t len = strcspn(p, ",");
    DtaExecutor *e = &ex[n++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%.*s", (int)len, p);
    if (!strcmp(e->name, "qemu")) { /* qemu against itself: the harness's own determinism */
      e->argv[e->argc++] = (char *)o->qemu;
      e->argv[e->argc++] = "-cpu";
      e->argv[e->argc++] = (char *)o->qemu_cpu;
      e->timeout = 0.01;
    } else {
      static char tiers[8][48]; /* "--tier=" and a name of up to 31 */
      snprintf(tiers[n], sizeof tiers[n], "--tier=%s", e->name);
      e->argv[e->argc++] = (char *)o->emu;
      e->argv[e->argc++] = tiers[n];
      e->timeout = !strcmp(e->name, "llvm") ? 0.5 : !strcmp(e->name, "interp") ? 0.05 : 0.02;
    }
    p += len + (p[len] == ',');
  }
  return n;
}

/* -- Running and judging -------------------------------------------------------- */

#define DTA_MAX_DIFFS 24 /* differing fields printed per case */

typedef struct Item {
  const DtaRow *row; /* NULL in --seq */
  uint64_t index;
} Item;

typedef struct Ctx {
  const Options *o;
  const DtaRow *rows;
  unsigned nrows;
  const DtaRow **pool; /* --seq: the rows sequences draw from */
  unsigned npool;
  DtaExecutor ex[8];
  unsigned nex;
  DtaTally *t;     /* per row */
  DtaTally seq;    /* --seq: per sequence */
  unsigned *printed;
  uint64_t harness;
  double secs[9];  /* qemu, then each executor */
  char tmpdir[64];
  char *runner_argv[4];
} Ctx;

static unsigned row_index(const Ctx *x, const DtaRow *r) { return (unsigned)(r - x->rows); }

/* Everything that shapes the case (and its comparison) is on the line. */
static void print_repro(const Ctx *x, const DtaGenCase *g, uint64_t index, const char *exec) {
  const Options *o = x->o;
  printf("  repro: difftest_a64 --seed %llu", (unsigned long long)o->seed);
  if (o->seq) {
    printf(" --seq --seq-max %u", o->seq_max);
    if (o->rows)
      printf(" --row %s", o->rows);
    if (o->skip_rows)
      printf(" --skip-row %s", o->skip_rows);
    if (o->allow) /* listed rows are left out of sequences */
      printf(" --allow %s", o->allow);
  } else {
    printf(" --row =%s", g->rows[0]->p->row->name);
  }
  if (o->gen.no_tbi)
    printf(" --no-tbi");
  if (o->gen.fpcr_all)
    printf(" --fpcr-all");
  if (o->cmp.fpsr_mask != ~0u)
    printf(" --fpsr-mask %#x", o->cmp.fpsr_mask);
  printf(" --case %llu --exec %s\n", (unsigned long long)index, exec);
}

/* The instruction a SIGILL outcome stopped at, or -1. */
static int sigill_at(const DtaResult *r, unsigned ninsns) {
  if (r->died || r->o.exit != DTA_EXIT_SIGNAL || r->o.signo != 4 /* SIGILL */ ||
      r->o.pc_off < 0 || r->o.pc_off >= 4 * (int64_t)ninsns || r->o.pc_off % 4)
    return -1;
  return (int)(r->o.pc_off / 4);
}

/* Did the oracle get to instruction k: not stopped by a signal at an earlier
 * instruction of the case? (A signal outside the case, after a branch out,
 * does not say; it counts as reached.) */
static bool reached(const DtaResult *want, int k) {
  return want->o.exit != DTA_EXIT_SIGNAL || want->o.pc_off < 0 ||
         want->o.pc_off >= 4 * (int64_t)k;
}

/* One executor's result for a case, whole: the case, the differing fields (or
 * with --case both outcomes) and the reproduction line. */
static void print_report(const Ctx *x, const DtaGenCase *g, uint64_t index, unsigned e,
                         const DtaResult *want, const DtaResult *r, const DtaDiff *d,
                         unsigned nd) {
  const Options *o = x->o;
  unsigned n = g->c.ninsns;
  if (nd)
    printf("\n%s %s: %s #%llu (%u insn%s)\n", r->died ? "DIED" : "MISMATCH", x->ex[e].name,
           o->seq ? "seq" : g->rows[0]->p->row->name, (unsigned long long)index, n,
           n == 1 ? "" : "s");
  else
    printf("\nagree %s: #%llu\n", x->ex[e].name, (unsigned long long)index);
  dta_print_case(stdout, g);
  if (o->one_case >= 0) {
    dta_print_result(stdout, "qemu", want);
    dta_print_result(stdout, x->ex[e].name, r);
  }
  if (nd) {
    printf("  %-10s %-36s %s\n", "field", "qemu", x->ex[e].name);
    for (unsigned i = 0; i < nd && i < DTA_MAX_DIFFS; i++)
      printf("  %-10s %-36s %s\n", d[i].field, d[i].want, d[i].got);
    if (nd > DTA_MAX_DIFFS)
      printf("  ... %u more\n", nd - DTA_MAX_DIFFS);
  }
  print_repro(x, g, index, x->ex[e].name);
}

static void judge(Ctx *x, const DtaGenCase *g, uint64_t index, const DtaResult *want,
                  DtaResult *const *got) {
  const Options *o = x->o;
  unsigned n = g->c.ninsns;
  unsigned key = o->seq ? 0 : row_index(x, g->rows[0]);
  bool print_one = o->one_case >= 0;
  for (unsigned i = 0; i < n; i++)
    x->t[row_index(x, g->rows[i])].cases++;
  DtaTally *agg = o->seq ? &x->seq : &x->t[key];
  if (o->seq)
    agg->cases++;
  if (want->died) {
    x->harness++;
    printf("HARNESS ERROR (qemu) #%llu: %s\n", (unsigned long long)index, want->note);
    dta_print_case(stdout, g);
    print_repro(x, g, index, "qemu");
    return;
  }
  bool mismatch = false, died = false;
  int gap = -1;
  for (unsigned e = 0; e < x->nex; e++) {
    const DtaResult *r = got[e];
    int k = sigill_at(r, n);
    if (k >= 0 && sigill_at(want, n) != k && reached(want, k)) {
      gap = k; /* emu does not lift instruction k (yet) */
      continue;
    }
    DtaDiff d[DTA_MAX_DIFFS];
    unsigned nd = dta_compare(&o->cmp, g->c.in.fpcr, want, r, d, DTA_MAX_DIFFS);
    died |= r->died;
    mismatch |= nd > 0;
    unsigned *printed = &x->printed[o->seq ? x->nrows : key];
    if (print_one || (nd && (*printed)++ < o->max_print))
      print_report(x, g, index, e, want, r, d, nd);
  }
  if (gap >= 0)
    dta_tally_gap(&x->t[row_index(x, g->rows[gap])], g->c.insn[gap]);
  if (died)
    agg->died++;
  else if (mismatch)
    agg->mismatch++;
  else if (gap >= 0) {
    if (o->seq && dta_in_emu_isa(g->c.insn[gap]))
      agg->gap++;
    else if (o->seq)
      agg->ext++;
  } else if (sigill_at(want, n) >= 0 && !o->seq)
    agg->unalloc++;
  else
    agg->ok++;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static bool run_batch(Ctx *x, const Item *items, size_t m) {
  const Options *o = x->o;
  DtaGenCase *g = calloc(m, sizeof *g);
  DtaResult *res = calloc(m * (x->nex + 1), sizeof *res);
  if (!g || !res)
    abort();
  char path[128];
  snprintf(path, sizeof path, "%s/cases", x->tmpdir);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  for (size_t i = 0; i < m; i++) {
    if (o->seq)
      dta_gen_seq(&o->gen, x->pool, x->npool, o->seq_max, o->seed, items[i].index, &g[i]);
    else
      dta_gen_single(&o->gen, items[i].row, o->seed, items[i].index, &g[i]);
    fwrite(&g[i].c, sizeof g[i].c, 1, f);
  }
  if (fclose(f)) {
    perror(path);
    exit(2);
  }
  DtaExecutor qemu = {.name = "qemu", .argv = {(char *)o->qemu, "-cpu", (char *)o->qemu_cpu},
                      .argc = 3, .timeout = 0.01};
  bool ok = true;
  for (unsigned e = 0; e <= x->nex; e++) {
    double t0 = now();
    if (!dta_exec_batch(e ? &x->ex[e - 1] : &qemu, x->runner_argv, path, x->tmpdir, m,
                        res + e * m)) {
      fprintf(stderr, "difftest_a64: %s cannot run the runner: %s\n", e ? x->ex[e - 1].name : "qemu",
              res[e * m + m - 1].note);
      x->harness++;
      ok = false;
    }
    x->secs[e] += now() - t0;
  }
  for (size_t i = 0; i < m && ok; i++) {
    DtaResult *got[8];
    for (unsigned e = 0; e < x->nex; e++)
      got[e] = &res[(e + 1) * m + i];
    judge(x, &g[i], items[i].index, &res[i], got);
  }
  dta_result_free(res, m * (x->nex + 1));
  free(res);
  free(g);
  return ok;
}

static void cleanup(Ctx *x) {
  static const char *const files[] = {"cases", "out-", "err-"};
  char path[160];
  for (unsigned k = 0; k < 3; k++)
    for (unsigned e = 0; e <= x->nex; e++) {
      snprintf(path, sizeof path, "%s/%s%s", x->tmpdir, files[k],
               k == 0 ? "" : e ? x->ex[e - 1].name : "qemu");
      unlink(path);
    }
  rmdir(x->tmpdir);
}

static void list_rows(const Ctx *x) {
  static const char *const kinds[] = {"plain",      "memory",    "branch-imm",
                                      "literal",    "branch-reg", "excluded"};
  for (unsigned i = 0; i < x->nrows; i++)
    printf("%-22s %-10s %s%s\n", x->rows[i].p->row->name, kinds[x->rows[i].kind],
           x->rows[i].p->row->pattern, x->rows[i].why ? "  (not generated)" : "");
}

static void add_item(Item **items, size_t *n, size_t *cap, Item it) {
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 1024;
    *items = realloc(*items, *cap * sizeof **items);
    if (!*items)
      abort();
  }
  (*items)[(*n)++] = it;
}

/* The cases to run: per selected row its indices, or (--seq) sequence indices
 * over a pool of the selected rows not on the allow-list. */
static Item *make_items(Ctx *x, const DtaAllow *allow, size_t *nitems) {
  const Options *o = x->o;
  Item *items = NULL;
  size_t cap = 0;
  uint64_t first = o->one_case >= 0 ? (uint64_t)o->one_case : 0;
  uint64_t count = o->one_case >= 0 ? 1 : o->cases;
  *nitems = 0;
  for (unsigned i = 0; i < x->nrows; i++) {
    const DtaRow *r = &x->rows[i];
    if (r->kind == DTA_EXCLUDED || !row_selected(o, r->p->row->name))
      continue;
    if (o->seq && !dta_allow_has(allow, r->p->row->name))
      x->pool[x->npool++] = r;
    for (uint64_t k = first; k < first + count && !o->seq; k++)
      add_item(&items, nitems, &cap, (Item){r, k});
  }
  for (uint64_t k = first; k < first + count && o->seq && x->npool; k++)
    add_item(&items, nitems, &cap, (Item){NULL, k});
  return items;
}

/* The last lines; true if everything passed. */
static bool summary(const Ctx *x, bool ran, size_t nitems, unsigned list_fails) {
  const Options *o = x->o;
  if (o->seq)
    printf("sequences: %llu, ok %llu, gap %llu, ext %llu, mismatch %llu, died %llu\n",
           (unsigned long long)x->seq.cases, (unsigned long long)x->seq.ok,
           (unsigned long long)x->seq.gap, (unsigned long long)x->seq.ext,
           (unsigned long long)x->seq.mismatch, (unsigned long long)x->seq.died);
  uint64_t bad = x->seq.mismatch + x->seq.died + x->seq.gap; /* sequences draw lifted rows */
  for (unsigned i = 0; i < x->nrows; i++)
    bad += x->t[i].mismatch + x->t[i].died;
  printf("time: qemu %.1fs", x->secs[0]);
  for (unsigned e = 0; e < x->nex; e++)
    printf(", %s %.1fs", x->ex[e].name, x->secs[e + 1]);
  bool pass = ran && !bad && !x->harness && !list_fails;
  printf("\n%s: %zu cases, %llu mismatching or dying, %llu harness errors, %u list failures\n",
         pass ? "PASS" : "FAIL", nitems, (unsigned long long)bad,
         (unsigned long long)x->harness, list_fails);
  return pass;
}

int main(int argc, char **argv) {
  Options o;
  if (!parse_args(argc, argv, &o))
    return 2;
  Ctx x = {.o = &o};
  x.rows = dta_rows(&x.nrows);
  if (o.list) {
    list_rows(&x);
    return 0;
  }
  DtaAllow allow;
  if (!dta_allow_load(o.allow, &allow))
    return 2;
  x.nex = make_executors(&o, x.ex, 8);
  /* FPSR bits not compared must not reach a register through mrs either: a
   * mask, or FZ (which --fpcr-all sets), under which IDC and some IXC are not
   * compared (dta_compare.c). */
  o.gen.no_fpsr_read = o.cmp.fpsr_mask != ~0u || o.gen.fpcr_all;
  x.t = calloc(x.nrows, sizeof *x.t);
  x.printed = calloc(x.nrows + 1, sizeof *x.printed);
  x.pool = calloc(x.nrows, sizeof *x.pool);
  if (!x.t || !x.printed || !x.pool)
    abort();
  size_t nitems;
  Item *items = make_items(&x, &allow, &nitems);
  if (!nitems) {
    fprintf(stderr, "difftest_a64: no row to test%s%s (see --list)\n",
            o.rows ? " matches " : "", o.rows ? o.rows : "");
    return 2;
  }
  snprintf(x.tmpdir, sizeof x.tmpdir, "/tmp/difftest_a64.XXXXXX");
  if (!mkdtemp(x.tmpdir)) {
    perror("mkdtemp");
    return 2;
  }
  x.runner_argv[0] = (char *)o.runner;
  x.runner_argv[1] = o.wx ? "--wx" : NULL;
  bool ran = true;
  for (size_t s = 0; s < nitems && ran; s += o.batch)
    ran = run_batch(&x, items + s, nitems - s < o.batch ? nitems - s : o.batch);
  cleanup(&x);
  free(items);
  unsigned list_fails = dta_verdict(x.rows, x.nrows, x.t, &allow, o.verbose, o.seq);
  bool ok = summary(&x, ran, nitems, list_fails);
  free(x.t);
  free(x.printed);
  free(x.pool);
  return ok ? 0 : 1;
}
