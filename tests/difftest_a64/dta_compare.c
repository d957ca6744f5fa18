/* dta_compare.c — the fields in which an executor's outcome differs from the
 * oracle's: how the case ended (signal number, code, address, pc), every
 * general register, SP, NZCV, FPCR, FPSR (under a mask), V0-V31 and the
 * scratch words either side changed. */
#include <string.h>

#include "dta.h"

typedef struct Diffs {
  DtaDiff *d;
  unsigned n, max;
} Diffs;

static void add(Diffs *ds, const char *field, const char *want, const char *got) {
  if (ds->n < ds->max) {
    DtaDiff *d = &ds->d[ds->n];
    snprintf(d->field, sizeof d->field, "%s", field);
    snprintf(d->want, sizeof d->want, "%s", want);
    snprintf(d->got, sizeof d->got, "%s", got);
  }
  ds->n++;
}

static void add_u64(Diffs *ds, const char *field, uint64_t want, uint64_t got) {
  if (want == got)
    return;
  char a[24], b[24];
  snprintf(a, sizeof a, "%016llx", (unsigned long long)want);
  snprintf(b, sizeof b, "%016llx", (unsigned long long)got);
  add(ds, field, a, b);
}

static const char *exit_name(uint32_t e) {
  static const char *const names[] = {"end", "tail B", "signal", "timeout"};
  return e < 4 ? names[e] : "?";
}

/* SIGILL's si_code is not compared: Linux reports an undefined instruction
 * as ILL_ILLOPC (arch/arm64 do_undefinstr), qemu-user as ILL_ILLOPN. */
static void describe_end(const DtaResult *r, char *out, size_t size) {
  if (r->died)
    snprintf(out, size, "process died");
  else if (r->o.exit == DTA_EXIT_SIGNAL && r->o.signo == 4 /* SIGILL */)
    snprintf(out, size, "SIGILL at insn %+lld", (long long)r->o.pc_off / 4);
  else if (r->o.exit == DTA_EXIT_SIGNAL)
    snprintf(out, size, "%s code %d at insn %+lld", dta_signame(r->o.signo), r->o.code,
             (long long)r->o.pc_off / 4);
  else
    snprintf(out, size, "%s", exit_name(r->o.exit));
}

static void compare_memory(Diffs *ds, const DtaResult *w, const DtaResult *g) {
  uint32_t i = 0, j = 0;
  while (i < w->nmem || j < g->nmem) {
    uint32_t wi = i < w->nmem ? w->mem[i].index : UINT32_MAX;
    uint32_t gi = j < g->nmem ? g->mem[j].index : UINT32_MAX;
    uint32_t idx = wi < gi ? wi : gi;
    char field[24], a[24] = "(unchanged)", b[24] = "(unchanged)";
    bool differ = wi != gi || w->mem[i].val != g->mem[j].val;
    if (wi == idx)
      snprintf(a, sizeof a, "%016llx", (unsigned long long)w->mem[i++].val);
    if (gi == idx)
      snprintf(b, sizeof b, "%016llx", (unsigned long long)g->mem[j++].val);
    if (differ) {
      snprintf(field, sizeof field, "mem+%#x", idx * 8);
      add(ds, field, a, b);
    }
  }
}

/* Under FPCR.FZ two FPSR flags differ by design (docs/difftest.md): IDC (an
 * input denormal flushed) is not modelled for the lifted FP ops — the host's
 * DAZ flushes without a trace — and an output flushed to zero raises IXC with
 * UFC (x86 FTZ sets both; Arm UFC only). So with FZ set before or after the
 * case, IDC is not compared, nor IXC where qemu's FPSR has UFC. */
#define FPCR_FZ (1u << 24)
#define FPSR_IDC (1u << 7)
#define FPSR_UFC (1u << 3)
#define FPSR_IXC (1u << 4)

unsigned dta_compare(const DtaCmpOpts *o, uint64_t in_fpcr, const DtaResult *want,
                     const DtaResult *got, DtaDiff *d, unsigned max) {
  Diffs ds = {d, 0, max};
  char a[80], b[80];
  describe_end(want, a, sizeof a);
  describe_end(got, b, sizeof b);
  if (want->died || got->died) {
    add(&ds, "process", want->died ? want->note : a, got->died ? got->note : b);
    return ds.n;
  }
  if (strcmp(a, b))
    add(&ds, "end", a, b);
  if (want->o.exit == DTA_EXIT_TIMEOUT || got->o.exit == DTA_EXIT_TIMEOUT)
    return ds.n; /* where a loop was interrupted says nothing */
  if (want->o.exit == DTA_EXIT_SIGNAL && got->o.exit == DTA_EXIT_SIGNAL)
    add_u64(&ds, "si_addr", want->o.addr, got->o.addr);
  const DtaState *w = &want->o.out, *g = &got->o.out;
  char name[24];
  for (int i = 0; i < 31; i++) {
    snprintf(name, sizeof name, "x%d", i);
    add_u64(&ds, name, w->x[i], g->x[i]);
  }
  add_u64(&ds, "sp", w->sp, g->sp);
  add_u64(&ds, "nzcv", w->nzcv, g->nzcv);
  add_u64(&ds, "fpcr", w->fpcr, g->fpcr);
  uint64_t fpsr_mask = o->fpsr_mask;
  if ((in_fpcr | w->fpcr | g->fpcr) & FPCR_FZ)
    fpsr_mask &= ~(uint64_t)(FPSR_IDC | (w->fpsr & FPSR_UFC ? FPSR_IXC : 0));
  add_u64(&ds, "fpsr", w->fpsr & fpsr_mask, g->fpsr & fpsr_mask);
  for (int i = 0; i < 32; i++) {
    if (!memcmp(w->v[i], g->v[i], 16))
      continue;
    uint64_t wl, wh, gl, gh;
    memcpy(&wl, w->v[i], 8);
    memcpy(&wh, w->v[i] + 8, 8);
    memcpy(&gl, g->v[i], 8);
    memcpy(&gh, g->v[i] + 8, 8);
    snprintf(name, sizeof name, "v%d", i);
    snprintf(a, sizeof a, "%016llx:%016llx", (unsigned long long)wh, (unsigned long long)wl);
    snprintf(b, sizeof b, "%016llx:%016llx", (unsigned long long)gh, (unsigned long long)gl);
    add(&ds, name, a, b);
  }
  compare_memory(&ds, want, got);
  return ds.n;
}
