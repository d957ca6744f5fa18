/* dt.h — the differential instruction-testing harness for the x86-64 guest.
 *
 * A case is instruction bytes plus a full architectural input state and a scratch
 * memory image. It runs natively on the host CPU (the oracle, in a forked child:
 * dt_native.c, dt_runner.c) and through the frontend + an IR executor
 * (dt_emu.c); dt_compare.c says where the two outcomes differ. Cases come from
 * the instruction class table (dt_classes.c) via the Zydis encoder (dt_gen.c,
 * dt_seq.c). Both worlds see the same addresses: code at DT_CASE_PC, scratch
 * memory at DT_SCRATCH_BASE.
 */
#ifndef EMU_DT_H
#define EMU_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <Zydis/Zydis.h>

#include "ir.h"

/* -- Address layout (identical natively and emulated) --------------------- */

/* Code region: an int3 landing pad page, the case page, another pad page. The
 * case's bytes start at DT_CASE_PC and are followed by a 14-byte jump to the
 * native capture stub; every other byte is int3, so a branch into the pad stops
 * at its target with a SIGTRAP the native runner reads as "ended at target". */
#define DT_CODE_BASE 0x01000000ull
#define DT_CODE_SIZE 0x3000ull
#define DT_CASE_PC (DT_CODE_BASE + 0x1000ull)
#define DT_STUB_LEN 14u /* jmp qword [rip+0]; dq capture */

/* Scratch memory: a data page memory operands point into, then a stack page. */
#define DT_SCRATCH_BASE 0x10000000ull
#define DT_SCRATCH_SIZE 0x2000u
#define DT_DATA_SIZE 0x1000u
#define DT_STACK_MID (DT_SCRATCH_BASE + 0x1800ull) /* initial rsp, +- a little */
/* PROT_NONE reservations either side of scratch: accesses there fault for sure. */
#define DT_GUARD_SIZE 0x10000ull

#define DT_MAX_BYTES 320 /* a sequence of up to 20 instructions of 15 bytes */
#define DT_MAX_INSNS 20

/* RFLAGS bits the harness sets and compares: CF PF AF ZF SF OF and DF. */
#define DT_FLAGS_ARITH 0x8d5ull
#define DT_FLAG_DF 0x400ull
#define DT_FLAGS_ALL (DT_FLAGS_ARITH | DT_FLAG_DF)

/* -- State ---------------------------------------------------------------- */

typedef struct DtF80 {
  uint64_t mant;
  uint16_t sexp;
} DtF80;

/* The architectural state the harness sets and compares. */
typedef struct DtState {
  uint64_t gpr[16]; /* hardware order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
  uint64_t rip;     /* output: the next pc, or the pc of the excepting instruction */
  uint64_t rflags;
  uint8_t xmm[16][16];
  uint32_t mxcsr;
  uint16_t fcw, fsw; /* fsw without TOP */
  uint8_t ftop;
  uint8_t ftag; /* bit i set: physical x87 register i is empty (as X86Cpu) */
  DtF80 st[8];  /* physical x87 registers */
} DtState;

/* Signals as outcomes; 0 means the code ran to its end (or a branch target). */
enum { DT_SIG_NONE = 0, DT_SIG_HARNESS = -1 /* runner trouble, see DtOutcome.note */ };

typedef struct DtOutcome {
  int signo;
  uint64_t sigaddr; /* si_addr, compared for SIGSEGV/SIGBUS only */
  DtState st;       /* at the end, or at the signal (st.rip: the excepting insn) */
  uint8_t mem[DT_SCRATCH_SIZE];
  char note[96]; /* harness trouble or extra detail (not compared) */
} DtOutcome;

typedef struct DtCase {
  uint8_t bytes[DT_MAX_BYTES];
  uint32_t len;
  uint32_t ninsns;
  uint16_t insn_off[DT_MAX_INSNS + 1]; /* instruction starts; [ninsns] = len */
  /* Flags whose value is undefined (Zydis's cpu_flags->undefined, carried
   * through a sequence) before instruction i, and after the last one. */
  uint32_t undef_before[DT_MAX_INSNS + 1];
  DtState in;
  uint8_t mem[DT_SCRATCH_SIZE];
  /* Which generator row each instruction came from (index into dt_forms). */
  uint16_t form[DT_MAX_INSNS];
  char desc[400]; /* canonical form text, e.g. "lock adc m32,r32" ("; " between insns) */
} DtCase;

/* -- Native runner (dt_native.c, dt_runner.c) ----------------------------- */

typedef struct DtRunner DtRunner;
DtRunner *dt_runner_new(void);
void dt_runner_free(DtRunner *r);
/* Runs n cases natively; each gets an outcome. A case that kills or hangs the
 * child gets DT_SIG_HARNESS and the child is restarted for the rest. */
void dt_runner_run(DtRunner *r, const DtCase *cases, DtOutcome *outs, size_t n);
/* The host's MXCSR_MASK (which MXCSR bits may be set). */
uint32_t dt_mxcsr_mask(void);

/* -- Emulated execution (dt_emu.c) ---------------------------------------- */

/* An executor runs a translated (and maybe optimized) function. */
typedef struct DtExecutor {
  const char *name;
  bool optimize; /* run ir_optimize(IR_PRECISE_ALL) first */
  IrExit (*exec)(const IrFunc *fn, void *cpu, const IrMemOps *mem);
  /* The fixed-case unit tests run it on every sample-th case only (0: all):
   * LLVM compiles a case in milliseconds. difftest itself runs every case. */
  unsigned sample;
} DtExecutor;
static inline bool dt_executor_samples(const DtExecutor *ex, size_t i) {
  return ex->sample <= 1 || i % ex->sample == 0;
}
extern const DtExecutor dt_executors[];
IrExit dt_fast_exec(const IrFunc *fn, void *cpu, const IrMemOps *mem); /* dt_fast.c */
IrExit dt_llvm_exec(const IrFunc *fn, void *cpu, const IrMemOps *mem); /* dt_fast.c */
extern const size_t dt_nexecutors;
const DtExecutor *dt_executor_find(const char *name);

/* What translation said about each instruction, for coverage. */
typedef struct DtEmuInfo {
  bool unimpl[DT_MAX_INSNS]; /* translated to raise.undef(unimplemented) */
  char error[256];           /* harness error (validation), empty if none */
} DtEmuInfo;

/* Returns false on a harness error (an invalid IrFunc): info->error says why. */
bool dt_emu_run(const DtExecutor *ex, const DtCase *c, DtOutcome *out, DtEmuInfo *info);

/* -- Comparison (dt_compare.c) -------------------------------------------- */

enum { DT_MAX_DIFFS = 48 };
typedef struct DtDiff {
  char field[16];
  char native[160], emu[160];
} DtDiff;
typedef struct DtDiffs {
  unsigned n;
  DtDiff d[DT_MAX_DIFFS];
} DtDiffs;
/* Fills *d with the fields that differ; returns d->n. */
unsigned dt_compare(const DtCase *c, const DtOutcome *nat, const DtOutcome *emu, DtDiffs *d);
/* RFLAGS bits compared for this case and outcome (undefined ones masked). */
uint64_t dt_flag_mask(const DtCase *c, const DtOutcome *nat);

/* -- Instruction classes and generation (dt_classes.c, dt_gen.c, dt_seq.c) -- */

/* Row flags. */
enum {
  DT_F_NOSEQ = 1 << 0,    /* never in random sequences (control flow, traps, rsp) */
  DT_F_LOCK = 1 << 1,     /* may take a lock prefix when operand 0 is memory */
  DT_F_ATOMIC = 1 << 2,   /* memory access is atomic: keep it inside a cache line */
  DT_F_TARGET = 1 << 3,   /* the E operand holds a branch target (a pad address) */
  DT_F_RET = 1 << 4,      /* [rsp] holds a branch target */
  DT_F_NOACCESS = 1 << 5, /* the memory operand is not accessed (lea, prefetch, nop) */
  DT_F_POPF = 1 << 6,     /* [rsp] holds a safe RFLAGS image (no TF, AC) */
  DT_F_RBP = 1 << 7,      /* rbp points into the stack (leave) */
  DT_F_A32 = 1 << 8,      /* 32-bit address size (67 prefix) */
  DT_F_NOT80 = 1 << 9,    /* the immediate is never 0x80 (int 0x80: a 32-bit syscall) */
  DT_F_ALIGN = 1 << 10,   /* memory operands aligned to their size (1 in 8 not: #GP) */
  DT_F_STRING = 1 << 11,  /* rsi/rdi point into scratch; never in sequences */
  DT_F_REP = 1 << 12,     /* may take rep (with a small rcx) */
  DT_F_REPCC = 1 << 13,   /* may take repe or repne (with a small rcx) */
  DT_F_FP = 1 << 15,      /* float inputs: XMM, x87 and memory hold edge values (dt_gen_fp.c) */
};

/* Operand sizes a row's 'v' operands take. */
enum { DT_S8 = 1, DT_S16 = 2, DT_S32 = 4, DT_S64 = 8, DT_SALL = 15 };

/* One row of the class table: a mnemonic with one operand shape. ops uses the
 * Intel manual's operand codes (see dt_classes.c): "Ev,Gv", "Gv,Eb", "Jb". */
typedef struct DtForm {
  const char *cls;
  ZydisMnemonic mn;
  const char *ops;
  uint8_t sizes;
  uint16_t flags;
} DtForm;
extern const DtForm dt_forms[];
extern const size_t dt_nforms;

/* Deterministic generator state (splitmix64). */
typedef struct DtRng {
  uint64_t s;
} DtRng;
static inline uint64_t dt_rand(DtRng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static inline uint64_t dt_below(DtRng *r, uint64_t n) { return n ? dt_rand(r) % n : 0; }
/* The generator for case k of a run: the same (seed, stream, k) is the same case. */
DtRng dt_rng_for(uint64_t seed, const char *stream, uint64_t k);

/* Random input state: edge-case and random GPR values, random flags, XMM, x87. */
void dt_gen_state(DtRng *r, DtState *s, uint8_t *mem);
/* DT_F_FP rows: float edge values in XMM, x87 and scratch (FTZ/DAZ clear), and
 * after encoding, what a memory operand at addr must hold (a valid MXCSR). */
void dt_gen_fp_state(DtRng *r, DtState *s, uint8_t *mem);
void dt_gen_fp_mem(DtRng *r, const DtForm *f, uint8_t *mem, uint64_t addr, bool seq);
/* One instruction of form f at DT_CASE_PC. Returns false if no valid encoding
 * was found (after retries). */
bool dt_gen_single(DtRng *r, const DtForm *f, DtCase *c);
/* A straight-line sequence of 2..max instructions drawn from forms[0..n)
 * (indices into dt_forms), excluding DT_F_NOSEQ rows. */
bool dt_gen_seq(DtRng *r, const uint16_t *forms, size_t n, unsigned max, DtCase *c);

/* Decodes the case's bytes (fills insn_off, ninsns, desc). */
bool dt_decode_case(DtCase *c);
/* The canonical form text of one decoded instruction: "lock adc m32,r32". */
void dt_describe(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops, char *out,
                 size_t size);
/* A shared 64-bit decoder. */
const ZydisDecoder *dt_decoder(void);

/* -- Known mismatches (dt_known.c) ---------------------------------------- */

typedef struct DtKnown {
  const char *pattern;  /* fnmatch(3) glob over DtCase.desc (per instruction) */
  const char *executor; /* NULL: every executor */
  const char *reason;
} DtKnown;
extern const DtKnown dt_known_mismatches[];
/* The known row a case's mismatch is explained by, or NULL. */
const DtKnown *dt_known_find(const DtCase *c, const char *executor);
/* Whether one instruction's form text matches a known row (sequences avoid them). */
bool dt_known_form(const char *desc);

/* -- Reports (dt_report.c) ------------------------------------------------- */

void dt_print_case(FILE *f, const DtCase *c);  /* bytes, disassembly, input state */
void dt_print_diffs(FILE *f, const DtDiffs *d); /* field: native vs emulated */
const char *dt_signame(int signo);

#endif /* EMU_DT_H */
