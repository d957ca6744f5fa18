/* difftest_main.c — the difftest CLI: generate cases per instruction class (or
 * random sequences), run each natively and through the chosen executors,
 * compare, and print a summary per class plus, for each mismatch, the bytes,
 * disassembly, input state, the differing fields and a reproduction command.
 * Exit status 0 only if nothing but known_mismatches differed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dt.h"
#include "dt_coverage.h"

#define BATCH 256

typedef struct Options {
  uint64_t seed, cases;
  int64_t one_case; /* --case K, or -1 */
  const char *classes, *exec;
  bool seq, coverage, strict, verbose, list;
  unsigned max_print, seq_max;
} Options;

typedef struct Group {
  char name[256]; /* as --class takes it; also the generator's stream name */
  uint16_t *forms;
  size_t n;
} Group;

typedef struct Totals {
  uint64_t cases, mismatches, known, harness, gen_failed;
} Totals;

static void usage(FILE *f) {
  fprintf(f,
          "usage: difftest [--cases N] [--seed S] [--class NAME[,NAME..]] [--exec interp|interp-opt|all]\n"
          "                [--seq] [--seq-max N] [--case K] [--coverage] [--strict] [--verbose]\n"
          "                [--max-print N] [--list]\n"
          "  --class   a class of the table (alu, mov, branch, ...) or a mnemonic (adc)\n"
          "  --seq     random straight-line sequences drawn from the selected classes\n"
          "  --case K  run only case K (as a mismatch report's repro line says), verbosely\n"
          "  --strict  known_mismatches count as failures too\n");
}

static bool parse_args(int argc, char **argv, Options *o) {
  *o = (Options){.seed = 1, .cases = 1000, .one_case = -1, .exec = "all", .max_print = 5,
                 .seq_max = DT_MAX_INSNS};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE() (v ? (i++, v) : (fprintf(stderr, "difftest: %s needs a value\n", a), (char *)0))
    if (!strcmp(a, "--cases")) {
      if (!(v = VALUE())) return false;
      o->cases = strtoull(v, NULL, 0);
    } else if (!strcmp(a, "--seed")) {
      if (!(v = VALUE())) return false;
      o->seed = strtoull(v, NULL, 0);
    } else if (!strcmp(a, "--case")) {
      if (!(v = VALUE())) return false;
      o->one_case = strtoll(v, NULL, 0);
    } else if (!strcmp(a, "--class")) {
      if (!(v = VALUE())) return false;
      o->classes = v;
    } else if (!strcmp(a, "--exec")) {
      if (!(v = VALUE())) return false;
      o->exec = v;
    } else if (!strcmp(a, "--max-print")) {
      if (!(v = VALUE())) return false;
      o->max_print = (unsigned)strtoul(v, NULL, 0);
    } else if (!strcmp(a, "--seq-max")) {
      if (!(v = VALUE())) return false;
      o->seq_max = (unsigned)strtoul(v, NULL, 0);
    } else if (!strcmp(a, "--seq")) {
      o->seq = true;
    } else if (!strcmp(a, "--coverage")) {
      o->coverage = true;
    } else if (!strcmp(a, "--strict")) {
      o->strict = true;
    } else if (!strcmp(a, "--verbose")) {
      o->verbose = true;
    } else if (!strcmp(a, "--list")) {
      o->list = true;
    } else {
      usage(a[0] == '-' && a[1] == 'h' ? stdout : stderr);
      return false;
    }
#undef VALUE
  }
  return true;
}

/* -- Selection ------------------------------------------------------------- */

static bool row_matches(size_t i, const char *name, size_t len) {
  const char *mn = ZydisMnemonicGetString(dt_forms[i].mn);
  return (strlen(dt_forms[i].cls) == len && !strncmp(dt_forms[i].cls, name, len)) ||
         (mn && strlen(mn) == len && !strncasecmp(mn, name, len));
}

static void group_add(Group *g, size_t row) {
  for (size_t i = 0; i < g->n; i++)
    if (g->forms[i] == row)
      return;
  g->forms[g->n++] = (uint16_t)row;
}

/* One group per selected class, or one group of all of them for --seq. */
static size_t make_groups(const Options *o, Group *groups, bool *selected) {
  char names[64][64];
  size_t nnames = 0;
  if (o->classes) {
    for (const char *p = o->classes; *p && nnames < 64;) {
      size_t len = strcspn(p, ",");
      snprintf(names[nnames++], sizeof names[0], "%.*s", (int)len, p);
      p += len + (p[len] == ',');
    }
  } else {
    for (size_t i = 0; i < dt_nforms && nnames < 64; i++) {
      bool seen = false;
      for (size_t k = 0; k < nnames; k++)
        seen |= !strcmp(names[k], dt_forms[i].cls);
      if (!seen)
        snprintf(names[nnames++], sizeof names[0], "%s", dt_forms[i].cls);
    }
  }
  size_t ng = 0;
  for (size_t k = 0; k < nnames; k++) {
    Group *g = o->seq ? &groups[0] : &groups[ng];
    if (!o->seq || k == 0) {
      memset(g, 0, sizeof *g);
      g->forms = calloc(dt_nforms, sizeof *g->forms);
      snprintf(g->name, sizeof g->name, "%s", o->seq ? "seq:" : "");
      ng++;
    }
    size_t before = g->n;
    for (size_t i = 0; i < dt_nforms; i++)
      if (row_matches(i, names[k], strlen(names[k]))) {
        group_add(g, i);
        selected[i] = true;
      }
    if (g->n == before) {
      fprintf(stderr, "difftest: no class or mnemonic named '%s' (see --list)\n", names[k]);
      exit(2);
    }
    size_t len = strlen(g->name);
    if (!o->seq || o->classes) /* all classes in sequence: just "seq" */
      snprintf(g->name + len, sizeof g->name - len, "%s%s", o->seq && k ? "," : "", names[k]);
    else if (k == 0)
      snprintf(g->name, sizeof g->name, "seq");
  }
  return ng;
}

/* -- Running ------------------------------------------------------------------ */

typedef struct Ctx {
  const Options *o;
  const DtExecutor *ex[8];
  size_t nex;
  DtRunner *runner;
  DtCoverage *cov;
  DtCase *cases;
  DtOutcome *nat, *emu;
  uint64_t known_hits[64]; /* per dt_known_mismatches row */
} Ctx;

static void print_repro(const Ctx *x, const Group *g, uint64_t k, const char *exec) {
  char cls[300] = "";
  if (!x->o->seq || x->o->classes)
    snprintf(cls, sizeof cls, " --class %s", g->name + (x->o->seq ? 4 : 0));
  char seq[40] = "";
  if (x->o->seq)
    snprintf(seq, sizeof seq, " --seq --seq-max %u", x->o->seq_max);
  printf("  repro: difftest --seed %llu%s%s --case %llu --exec %s\n",
         (unsigned long long)x->o->seed, cls, seq, (unsigned long long)k, exec);
}

static void check_case(Ctx *x, const Group *g, uint64_t k, const DtCase *c, const DtOutcome *nat,
                       Totals *t, unsigned *printed) {
  const Options *o = x->o;
  bool one = o->one_case >= 0;
  if (nat->signo == DT_SIG_HARNESS) {
    t->harness++;
    printf("HARNESS ERROR (native) %s #%llu: %s: %s\n", g->name, (unsigned long long)k, c->desc,
           nat->note);
    dt_print_case(stdout, c);
    print_repro(x, g, k, "all");
    return;
  }
  for (size_t e = 0; e < x->nex; e++) {
    const DtExecutor *ex = x->ex[e];
    DtEmuInfo info;
    if (!dt_emu_run(ex, c, x->emu, &info)) {
      t->harness++;
      printf("HARNESS ERROR (%s) %s #%llu: %s: %s\n", ex->name, g->name, (unsigned long long)k,
             c->desc, info.error);
      dt_print_case(stdout, c);
      print_repro(x, g, k, ex->name);
      continue;
    }
    if (e == 0)
      dt_cov_add(x->cov, c, &info);
    DtDiffs d;
    unsigned n = dt_compare(c, nat, x->emu, &d);
    const DtKnown *known = n ? dt_known_find(c, ex->name) : NULL;
    if (known && (size_t)(known - dt_known_mismatches) < 64)
      x->known_hits[known - dt_known_mismatches]++;
    if (n && known && !o->strict) {
      t->known++;
      if (one || o->verbose)
        printf("known mismatch [%s] %s: %s\n", ex->name, c->desc, known->reason);
      if (!one)
        continue;
    } else if (n) {
      t->mismatches++;
    }
    if ((n && (*printed)++ < o->max_print) || one || o->verbose) {
      printf("%s [%s] %s #%llu: %s\n", n ? "MISMATCH" : "match", ex->name, g->name,
             (unsigned long long)k, c->desc);
      dt_print_case(stdout, c);
      printf("  outcome: native %s rip=%#llx addr=%#llx | emulated %s rip=%#llx addr=%#llx %s\n",
             dt_signame(nat->signo), (unsigned long long)nat->st.rip,
             (unsigned long long)nat->sigaddr, dt_signame(x->emu->signo),
             (unsigned long long)x->emu->st.rip, (unsigned long long)x->emu->sigaddr,
             x->emu->note);
      if (n)
        dt_print_diffs(stdout, &d);
      print_repro(x, g, k, ex->name);
    }
  }
}

static void run_group(Ctx *x, const Group *g, Totals *all) {
  const Options *o = x->o;
  Totals t = {0};
  unsigned printed = 0;
  uint64_t first = o->one_case >= 0 ? (uint64_t)o->one_case : 0;
  uint64_t last = o->one_case >= 0 ? first + 1 : o->cases;
  uint64_t ids[BATCH];
  for (uint64_t k0 = first; k0 < last; k0 += BATCH) {
    size_t m = 0;
    for (uint64_t k = k0; k < last && k < k0 + BATCH; k++) {
      DtRng rng = dt_rng_for(o->seed, g->name, k);
      DtCase *c = &x->cases[m];
      bool ok;
      size_t row = 0;
      if (o->seq) {
        ok = dt_gen_seq(&rng, g->forms, g->n, o->seq_max, c);
      } else {
        row = g->forms[dt_below(&rng, g->n)];
        ok = dt_gen_single(&rng, &dt_forms[row], c);
      }
      if (!ok) {
        t.gen_failed++;
        if (!o->seq)
          dt_cov_gen_failed(x->cov, row);
        continue;
      }
      ids[m++] = k;
    }
    dt_runner_run(x->runner, x->cases, x->nat, m);
    for (size_t i = 0; i < m; i++)
      check_case(x, g, ids[i], &x->cases[i], &x->nat[i], &t, &printed);
    t.cases += m;
  }
  printf("%-12s %7llu cases  %5llu mismatches  %5llu known  %3llu harness errors  %3llu not generated\n",
         g->name, (unsigned long long)t.cases, (unsigned long long)t.mismatches,
         (unsigned long long)t.known, (unsigned long long)t.harness,
         (unsigned long long)t.gen_failed);
  all->cases += t.cases;
  all->mismatches += t.mismatches;
  all->known += t.known;
  all->harness += t.harness;
  all->gen_failed += t.gen_failed;
}

static void list_classes(void) {
  for (size_t i = 0; i < dt_nforms; i++)
    printf("%-8s %-12s %s\n", dt_forms[i].cls, ZydisMnemonicGetString(dt_forms[i].mn),
           dt_forms[i].ops);
}

int main(int argc, char **argv) {
  Options o;
  if (!parse_args(argc, argv, &o))
    return 2;
  if (o.list) {
    list_classes();
    return 0;
  }
  Ctx x = {.o = &o};
  for (size_t i = 0; i < dt_nexecutors; i++) { /* --exec all, or a comma list */
    size_t n = strlen(dt_executors[i].name);
    for (const char *p = o.exec; *p; p += strcspn(p, ","), p += *p == ',')
      if (!strncmp(p, "all", 3) ? (p[3] == ',' || !p[3])
                                : (!strncmp(p, dt_executors[i].name, n) && (p[n] == ',' || !p[n]))) {
        x.ex[x.nex++] = &dt_executors[i];
        break;
      }
  }
  if (!x.nex) {
    fprintf(stderr, "difftest: no executor '%s'\n", o.exec);
    return 2;
  }
  bool *selected = calloc(dt_nforms, sizeof *selected);
  Group *groups = calloc(64, sizeof *groups);
  size_t ng = make_groups(&o, groups, selected);
  x.runner = dt_runner_new();
  x.cov = dt_cov_new();
  x.cases = malloc(BATCH * sizeof *x.cases);
  x.nat = malloc(BATCH * sizeof *x.nat);
  x.emu = malloc(sizeof *x.emu);
  if (!x.runner || !x.cov || !x.cases || !x.nat || !x.emu) {
    fprintf(stderr, "difftest: out of memory\n");
    return 2;
  }
  Totals all = {0};
  for (size_t i = 0; i < ng; i++)
    run_group(&x, &groups[i], &all);
  unsigned never = 0;
  if (o.coverage)
    never = dt_cov_print(stdout, x.cov, selected);
  if (!o.classes && !o.seq && o.one_case < 0) /* every class ran: stale rows show */
    for (size_t i = 0; dt_known_mismatches[i].pattern && i < 64; i++)
      if (!x.known_hits[i])
        printf("note: known_mismatches row '%s' did not occur: fixed? remove it from dt_known.c\n",
               dt_known_mismatches[i].pattern);
  bool failed = all.mismatches || all.harness || (o.coverage && never);
  printf("difftest: %llu cases, %llu mismatches, %llu known, %llu harness errors, executors:",
         (unsigned long long)all.cases, (unsigned long long)all.mismatches,
         (unsigned long long)all.known, (unsigned long long)all.harness);
  for (size_t i = 0; i < x.nex; i++)
    printf(" %s", x.ex[i]->name);
  uint64_t checks = all.cases * x.nex, bad = all.mismatches + all.harness;
  printf("\n%llu passed, %llu failed\n", (unsigned long long)(checks > bad ? checks - bad : 0),
         (unsigned long long)bad);

  for (size_t i = 0; i < ng; i++)
    free(groups[i].forms);
  free(groups);
  free(selected);
  free(x.cases);
  free(x.nat);
  free(x.emu);
  dt_cov_free(x.cov);
  dt_runner_free(x.runner);
  return failed ? 1 : 0;
}
