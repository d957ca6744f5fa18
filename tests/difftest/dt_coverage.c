/* dt_coverage.c — coverage: per class-table row, how many instructions it
 * produced; per form text ("adc m32,r32"), how many and whether the frontend
 * lifted it; and the rows that never produced anything. */
#include <stdlib.h>
#include <string.h>

#include "dt_coverage.h"
#include "x86_frontend.h"

static void mark_lifted(void *ctx, int mnemonic) { ((bool *)ctx)[mnemonic] = true; }

typedef struct FormCount {
  char desc[64];
  uint16_t row;
  uint32_t count, unimpl;
} FormCount;

struct DtCoverage {
  uint32_t *row_count, *row_failed;
  FormCount *forms;
  size_t nforms, cap;
};

DtCoverage *dt_cov_new(void) {
  DtCoverage *cv = calloc(1, sizeof *cv);
  cv->row_count = calloc(dt_nforms, sizeof *cv->row_count);
  cv->row_failed = calloc(dt_nforms, sizeof *cv->row_failed);
  return cv;
}

void dt_cov_free(DtCoverage *cv) {
  if (!cv)
    return;
  free(cv->row_count);
  free(cv->row_failed);
  free(cv->forms);
  free(cv);
}

static FormCount *form_slot(DtCoverage *cv, const char *desc, uint16_t row) {
  for (size_t i = 0; i < cv->nforms; i++)
    if (cv->forms[i].row == row && strcmp(cv->forms[i].desc, desc) == 0)
      return &cv->forms[i];
  if (cv->nforms == cv->cap) {
    cv->cap = cv->cap ? 2 * cv->cap : 256;
    cv->forms = realloc(cv->forms, cv->cap * sizeof *cv->forms);
  }
  FormCount *f = &cv->forms[cv->nforms++];
  memset(f, 0, sizeof *f);
  snprintf(f->desc, sizeof f->desc, "%s", desc);
  f->row = row;
  return f;
}

void dt_cov_add(DtCoverage *cv, const DtCase *c, const DtEmuInfo *info) {
  for (uint32_t i = 0; i < c->ninsns; i++) {
    ZydisDecodedInstruction in;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dt_decoder(), c->bytes + c->insn_off[i],
                                             c->len - c->insn_off[i], &in, ops)))
      continue;
    char desc[64];
    dt_describe(&in, ops, desc, sizeof desc);
    FormCount *f = form_slot(cv, desc, c->form[i]);
    f->count++;
    f->unimpl += info && info->unimpl[i];
    cv->row_count[c->form[i]]++;
  }
}

void dt_cov_gen_failed(DtCoverage *cv, size_t form) { cv->row_failed[form]++; }

static int by_row_then_desc(const void *a, const void *b) {
  const FormCount *x = a, *y = b;
  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return strcmp(x->desc, y->desc);
}

unsigned dt_cov_print(FILE *f, const DtCoverage *cv, const bool *selected) {
  qsort(cv->forms, cv->nforms, sizeof *cv->forms, by_row_then_desc);
  fprintf(f, "coverage: forms generated (count, and whether the frontend lifted them)\n");
  const char *cls = NULL;
  for (size_t i = 0; i < cv->nforms; i++) {
    const FormCount *x = &cv->forms[i];
    if (!cls || strcmp(cls, dt_forms[x->row].cls) != 0) {
      cls = dt_forms[x->row].cls;
      fprintf(f, "  [%s]\n", cls);
    }
    fprintf(f, "    %-32s %7u  %s\n", x->desc, x->count,
            x->unimpl == 0 ? "lifted" : x->unimpl == x->count ? "NOT LIFTED" : "partly lifted");
  }
  /* Mnemonics the frontend lifts that no class row generates: untested lifts. */
  static bool lifted[ZYDIS_MNEMONIC_MAX_VALUE + 1];
  x86_lifted_each(mark_lifted, lifted);
  for (size_t i = 0; i < dt_nforms; i++)
    lifted[dt_forms[i].mn] = false;
  unsigned untested = 0;
  for (int m = 1; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++)
    if (lifted[m])
      fprintf(f, "%s%s", untested++ ? " " : "coverage: lifted but in no class row:\n    ",
              ZydisMnemonicGetString((ZydisMnemonic)m));
  if (untested)
    fprintf(f, "\n");
  unsigned never = 0;
  for (size_t i = 0; i < dt_nforms; i++) {
    if (!selected[i] || cv->row_count[i])
      continue;
    if (!never++)
      fprintf(f, "coverage: class-table rows never generated\n");
    fprintf(f, "    %-8s %-12s %-10s (%u encoding failures)\n", dt_forms[i].cls,
            ZydisMnemonicGetString(dt_forms[i].mn), dt_forms[i].ops[0] ? dt_forms[i].ops : "-",
            cv->row_failed[i]);
  }
  return never;
}
