/* dt_known.c — known_mismatches: differences found between the host CPU and the
 * emulator that are bugs in the frontend or the IR, not in the harness. Each
 * row is a glob over one instruction's form text (dt_describe), the executor it
 * concerns (NULL: all) and the reason with a reproduction. CI passes while a
 * mismatch is listed here; the lead empties this table as the bugs are fixed
 * (difftest --strict fails on these too). Sequences never draw a listed form. */
#include <fnmatch.h>
#include <string.h>

#include "dt.h"

const DtKnown dt_known_mismatches[] = {
    {NULL, NULL, NULL},
};

static const DtKnown *match(const char *desc, const char *executor) {
  for (const DtKnown *k = dt_known_mismatches; k->pattern; k++)
    if ((!executor || !k->executor || strcmp(k->executor, executor) == 0) &&
        fnmatch(k->pattern, desc, 0) == 0)
      return k;
  return NULL;
}

bool dt_known_form(const char *desc) { return match(desc, NULL) != NULL; }

const DtKnown *dt_known_find(const DtCase *c, const char *executor) {
  for (uint32_t i = 0; i < c->ninsns; i++) {
    ZydisDecodedInstruction in;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dt_decoder(), c->bytes + c->insn_off[i],
                                             c->len - c->insn_off[i], &in, ops)))
      continue;
    char desc[96];
    dt_describe(&in, ops, desc, sizeof desc);
    const DtKnown *k = match(desc, executor);
    if (k)
      return k;
  }
  return NULL;
}
