/* dta.h — the AArch64 differential tester's host side (difftest_a64).
 *
 * Cases are generated from the frontend's own pattern rows (dta_gen.c), run by
 * the guest case runner under qemu-aarch64 (the oracle) and under emu-aarch64
 * in each tier (dta_exec.c), and the outcomes compared whole (dta_compare.c).
 * dta_proto.h is the wire format the runner shares.
 */
#ifndef EMU_DTA_H
#define EMU_DTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "a64_decode.h"
#include "dta_proto.h"

/* -- Generation (dta_gen.c) ------------------------------------------------ */

/* What the generator does with a row. */
typedef enum DtaKind {
  DTA_PLAIN,   /* random fields, random registers */
  DTA_MEM,     /* a memory access: base register into scratch, small index */
  DTA_BR_IMM,  /* direct branch: imm chosen so the target is inside the case */
  DTA_LIT,     /* pc-relative load: imm19 aimed at scratch */
  DTA_BR_REG,  /* register branch: the register holds a target inside the case */
  DTA_EXCLUDED /* never generated (see dta_gen.c's table for why) */
} DtaKind;

typedef struct DtaRow {
  const A64Pattern *p;
  DtaKind kind;
  const char *why; /* DTA_EXCLUDED: the reason */
} DtaRow;

/* Every pattern row, classified. */
const DtaRow *dta_rows(unsigned *count);

typedef struct DtaGenOpts {
  bool fpcr_all; /* also FZ, DN, AHP, FZ16 in the input FPCR and in msr fpcr */
  bool no_tbi;   /* base pointers without a top-byte tag */
  bool no_fpsr_read; /* no mrs of FPSR (when some FPSR bits are not compared) */
} DtaGenOpts;

/* A generated case: the runner's record plus which row made each instruction. */
typedef struct DtaGenCase {
  DtaCase c;
  const DtaRow *rows[DTA_MAX_INSNS];
} DtaGenCase;

/* The case is a pure function of (seed, stream, index): --case K reproduces it. */
void dta_gen_single(const DtaGenOpts *o, const DtaRow *row, uint64_t seed, uint64_t index,
                    DtaGenCase *out);
void dta_gen_seq(const DtaGenOpts *o, const DtaRow *const *rows, unsigned nrows, unsigned max_len,
                 uint64_t seed, uint64_t index, DtaGenCase *out);
uint64_t dta_hash(uint64_t seed, const char *stream, uint64_t index);

/* -- Running (dta_exec.c) ---------------------------------------------------- */

/* One outcome as read back: the record and its changed scratch words. A crash
 * or hang of the emulator process on this case is an outcome of its own. */
typedef struct DtaResult {
  DtaOutcome o;
  uint32_t nmem;
  DtaMemWord *mem;
  bool died;          /* the process died (or hung) on this case */
  char note[256];     /* died: how, and the tail of its stderr */
} DtaResult;

typedef struct DtaExecutor {
  char name[32];  /* qemu, fast, interp, llvm */
  char *argv[16]; /* the command; the runner and its arguments are appended */
  unsigned argc;
  double timeout; /* seconds per batch before the process is killed */
} DtaExecutor;

/* Run n cases (already written to case_file) through ex; res[i] for each.
 * runner_argv: the runner's path and options (NULL-terminated); --skip is added.
 * False if the executor could not run at all (every result then says why). */
bool dta_exec_batch(const DtaExecutor *ex, char *const *runner_argv, const char *case_file,
                    const char *tmpdir, size_t n, DtaResult *res);
void dta_result_free(DtaResult *r, size_t n);

/* -- Comparison and printing (dta_compare.c, dta_print.c) ------------------- */

typedef struct DtaCmpOpts {
  uint32_t fpsr_mask; /* FPSR bits compared */
} DtaCmpOpts;

typedef struct DtaDiff {
  char field[24];
  char want[80], got[80];
} DtaDiff;

/* Differences between the oracle's result and an executor's (up to max);
 * in_fpcr: the case's input FPCR. */
unsigned dta_compare(const DtaCmpOpts *o, uint64_t in_fpcr, const DtaResult *want,
                     const DtaResult *got, DtaDiff *d, unsigned max);

void dta_disas(uint32_t insn, uint64_t pc, char *out, size_t size);
/* Whether LLVM decodes insn with the extensions emu advertises (AT_HWCAP,
 * AT_HWCAP2). False for an extension only qemu's max CPU has, and for an
 * encoding LLVM calls unallocated (which qemu 7.2 sometimes runs anyway, e.g.
 * movi/fmov (vector) with o2 = 1): emu's SIGILL there is no coverage gap. */
bool dta_in_emu_isa(uint32_t insn);
void dta_print_case(FILE *f, const DtaGenCase *g);
void dta_print_result(FILE *f, const char *who, const DtaResult *r);
const char *dta_signame(int signo);

#endif
