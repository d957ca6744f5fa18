/* dta_tally.h — per-row counts, the allow-list of rows not lifted yet, and
 * the final verdict (dta_tally.c). */
#ifndef EMU_DTA_TALLY_H
#define EMU_DTA_TALLY_H

#include "dta.h"

typedef struct DtaTally {
  uint64_t cases;    /* generated (in --seq: instructions drawn from the row) */
  uint64_t ok;       /* every executor agreed with qemu */
  uint64_t unalloc;  /* SIGILL in qemu and emu alike: an unallocated encoding */
  uint64_t gap;      /* emu SIGILL where qemu ran it: not lifted yet */
  uint64_t ext;      /* the same, in an extension emu does not advertise: fine */
  uint64_t mismatch; /* a real difference in some executor */
  uint64_t died;     /* an emu process died or hung on it */
  uint32_t gap_insn[3], ext_insn[3]; /* examples (distinct encodings), for the report */
  unsigned ngap_insn, next_insn;
} DtaTally;

/* Count a gap at instruction word insn (keeps a few examples): in emu's
 * advertised ISA (dta_in_emu_isa) a gap, else an ext. */
void dta_tally_gap(DtaTally *t, uint32_t insn);

typedef struct DtaAllow {
  const char *path;
  char *names[1024];
  unsigned n;
} DtaAllow;

bool dta_allow_load(const char *path, DtaAllow *a); /* path NULL: empty list */
bool dta_allow_has(const DtaAllow *a, const char *name);

/* Prints the per-row table, the coverage gaps (and whether each is listed),
 * stale or unknown list entries, and rows that never made a valid case.
 * Returns the number of failures among those (gaps not listed, stale entries).
 * seq: tallies count instructions; stale entries are not judged. */
unsigned dta_verdict(const DtaRow *rows, unsigned nrows, const DtaTally *t, const DtaAllow *a,
                     bool verbose, bool seq);

#endif
