/* dt_coverage.h — which forms the generator produced and which of them the
 * frontend lifted (translated to something other than raise.undef(unimpl)). */
#ifndef EMU_DT_COVERAGE_H
#define EMU_DT_COVERAGE_H

#include "dt.h"

typedef struct DtCoverage DtCoverage;
DtCoverage *dt_cov_new(void);
void dt_cov_free(DtCoverage *cv);
/* Records a generated case (info may be NULL: generation only). */
void dt_cov_add(DtCoverage *cv, const DtCase *c, const DtEmuInfo *info);
/* Counts a row the generator could not encode. */
void dt_cov_gen_failed(DtCoverage *cv, size_t form);
/* Report over the selected rows (selected[i] for dt_forms[i]). Returns the
 * number of selected rows never generated. */
unsigned dt_cov_print(FILE *f, const DtCoverage *cv, const bool *selected);

#endif
