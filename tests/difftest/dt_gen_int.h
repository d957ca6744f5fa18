/* dt_gen_int.h — what dt_gen.c (one instruction) shares with dt_seq.c
 * (sequences): the generator's register bookkeeping and the per-instruction
 * entry point. */
#ifndef EMU_DT_GEN_INT_H
#define EMU_DT_GEN_INT_H

#include "dt.h"

typedef struct DtGen {
  DtRng *r;
  DtState *st;         /* register values: pinned ones are final */
  uint8_t *mem;        /* the scratch image */
  uint16_t pinned;     /* GPRs (bit = hardware number) whose value is fixed */
  uint16_t addr_regs;  /* sequence mode: the only base/index registers, never written */
  bool seq;            /* sequence mode: no faults, memory via addr_regs/rsp/rip/abs */
  uint64_t pc;         /* address of the instruction being generated */
} DtGen;

/* Encodes one instruction of form f at g->pc into buf (15 bytes), pinning and
 * writing whatever state its operands need. false: try again. */
bool dt_gen_insn(DtGen *g, const DtForm *f, uint8_t *buf, size_t *len);

/* Flags left undefined by one instruction: Zydis's cpu_flags->undefined plus
 * the extra rows of dt_compare.c's table. */
uint32_t dt_undef_flags(const ZydisDecodedInstruction *in);

/* A value for a register: edge cases (0, 1, -1, sign boundaries at every
 * width, with varied upper bits) and random ones. */
uint64_t dt_gen_value(DtRng *r);
/* A stack pointer inside the scratch stack page. */
uint64_t dt_gen_stack_ptr(DtRng *r);

#endif
