/* dta_proto.h — the AArch64 difftest's wire format and address layout, shared
 * by the guest case runner (runner.c, cross-built) and the host driver.
 *
 * The driver writes a file of DtaCase records; `qemu-aarch64 runner < file`
 * and `emu-aarch64 runner < file` each write one DtaOutcome (followed by its
 * changed scratch words) per case. Both sides are little-endian 64-bit, so the
 * structs are the format. Every address a case can see is fixed (code slots,
 * scratch), so register values that hold pointers agree between emulators.
 */
#ifndef EMU_DTA_PROTO_H
#define EMU_DTA_PROTO_H

#include <stdint.h>

#define DTA_MAGIC_CASE 0x43613634u    /* "46aC" */
#define DTA_MAGIC_OUTCOME 0x4f613634u /* "46aO" */

/* Code: DTA_NSLOTS slots of DTA_SLOT_BYTES; case `id` runs in slot id % DTA_NSLOTS,
 * so successive cases sit at different addresses and a batch wraps around the
 * buffer (rewriting code an emulator has translated: self-modifying code).
 * Within ±128 MiB of the runner's text, so a slot's tail is a plain `b`. */
#define DTA_CODE_ADDR 0x04000000ull
#define DTA_SLOT_BYTES 128u
#define DTA_NSLOTS 512u
#define DTA_CODE_SIZE (DTA_SLOT_BYTES * DTA_NSLOTS)

/* A slot: 4 words setting x17 (the trampoline branches through it), the case's
 * instructions, then tail A (`b` to the epilogue: fell off the end) and tail B
 * (`b` to the epilogue that records exit 1): a branch in the case can target
 * either, so "taken" and "not taken" end differently. */
#define DTA_PRE_WORDS 4u
#define DTA_MAX_INSNS 16u
static inline uint64_t dta_slot_addr(uint64_t id) {
  return DTA_CODE_ADDR + (id % DTA_NSLOTS) * DTA_SLOT_BYTES;
}
/* Address of case instruction i (i = ninsns: tail A, ninsns + 1: tail B). */
static inline uint64_t dta_insn_addr(uint64_t id, unsigned i) {
  return dta_slot_addr(id) + 4u * (DTA_PRE_WORDS + i);
}

/* Scratch memory: DTA_SCRATCH_SIZE bytes, with DTA_GUARD bytes reserved
 * PROT_NONE either side so accesses just outside fault in both emulators.
 * Within ±1 MiB of every slot, so ldr (literal) can reach it. */
#define DTA_SCRATCH_ADDR 0x04080000ull
#define DTA_SCRATCH_SIZE 8192u
#define DTA_SCRATCH_WORDS (DTA_SCRATCH_SIZE / 8u)
#define DTA_GUARD 0x40000ull

/* The architectural state a case sets and gets. tpidr is an input only (the
 * epilogue needs it as a scratch register). */
typedef struct DtaState {
  uint64_t x[31];
  uint64_t sp;
  uint64_t nzcv; /* bits 31..28 */
  uint64_t fpcr, fpsr;
  uint64_t tpidr;
  uint8_t v[32][16];
} DtaState;

typedef struct DtaCase {
  uint32_t magic, ninsns;
  uint64_t id;       /* picks the slot; echoed in the outcome */
  uint64_t mem_seed; /* the scratch image (dta_fill_scratch) */
  uint32_t insn[DTA_MAX_INSNS];
  DtaState in;
} DtaCase;

/* How a case ended. */
enum {
  DTA_EXIT_END = 0,     /* tail A: ran off the end */
  DTA_EXIT_TAIL_B = 1,  /* tail B: a branch to ninsns + 1 */
  DTA_EXIT_SIGNAL = 2,  /* signo/code/addr/pc_off; state from the signal frame */
  DTA_EXIT_TIMEOUT = 3, /* the runner's interval timer fired (a loop) */
};

typedef struct DtaOutcome {
  uint32_t magic;
  uint32_t nmem; /* DtaMemWord records follow: scratch words that changed */
  uint64_t id;
  uint32_t exit;
  int32_t signo, code;
  uint32_t pad;
  uint64_t addr;  /* si_addr */
  int64_t pc_off; /* signal pc - address of case instruction 0 */
  DtaState out;
} DtaOutcome;

typedef struct DtaMemWord {
  uint32_t index; /* word index in scratch */
  uint32_t pad;
  uint64_t val;
} DtaMemWord;

/* The scratch image for a seed: mostly random words, some special ones (zero,
 * all-ones, floating-point 1.0 / NaN / infinity), so loads feed interesting
 * values. Both the runner and the driver (to print inputs) compute it. */
static inline uint64_t dta_mix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static inline void dta_fill_scratch(uint64_t seed, uint64_t *w) {
  static const uint64_t special[8] = {0, ~0ull, 1, 0x3ff0000000000000ull, 0x7ff8000000000000ull,
                                      0x7ff0000000000000ull, 0x3f8000007fc00000ull,
                                      0x8000000080000000ull};
  uint64_t s = seed;
  for (unsigned i = 0; i < DTA_SCRATCH_WORDS; i++) {
    uint64_t r = dta_mix(&s);
    w[i] = (r & 7) == 0 ? special[r >> 3 & 7] : dta_mix(&s);
  }
}

#endif
