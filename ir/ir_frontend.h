/* ir_frontend.h — the contract between a guest frontend and the runtime.
 * A frontend turns guest code at a pc into IR; it names no host and no runner.
 * The runtime calls it through this table, so it never includes a frontend. */
#ifndef EMU_IR_FRONTEND_H
#define EMU_IR_FRONTEND_H

#include "ir.h"

/* Guest code bytes as the runner sees them: copies up to max bytes at pc into buf
 * and returns how many are readable (fewer at the end of mapped code). */
typedef struct IrCodeFetch {
  void *ctx;
  size_t (*fetch)(void *ctx, uint64_t pc, uint8_t *buf, size_t max);
  /* The CPU mode the block is translated for (frontend-defined bits; 0 is
   * user mode). System mode keys blocks by it, so a frontend may rely on it. */
  uint32_t mode;
} IrCodeFetch;

typedef struct IrBlockInfo {
  uint64_t pc;          /* first guest instruction */
  uint32_t guest_bytes; /* bytes of guest code covered: [pc, pc + guest_bytes) */
  uint32_t ninsns;      /* guest instructions translated */
} IrBlockInfo;

/* raise.undef's argument: why the instruction is undefined. */
enum {
  IR_UNDEF_INVALID = 0, /* architecturally undefined (ud2, bad encoding) */
  IR_UNDEF_UNIMPL = 1,  /* valid, but emu does not implement it (-d unimp logs it) */
};

/* The end of a frontend's translate loop: a block that stopped without a
 * terminator (instruction limit, unreadable code ahead) continues at pc;
 * info (if any) gets the block's extent. */
static inline void ir_frontend_end(IrFunc *fn, bool ended, uint64_t start, uint64_t pc,
                                   uint32_t ninsns, IrBlockInfo *info) {
  if (!ended)
    ir_exit(fn, pc);
  if (info) {
    info->pc = start;
    info->guest_bytes = (uint32_t)(pc - start);
    info->ninsns = ninsns;
  }
}

typedef struct IrFrontend {
  const char *name;     /* "x86_64", "aarch64" */
  const IrRegFile *rf;
  uint32_t pc_slot;     /* the slot the runtime writes the guest pc to */
  uint32_t max_insn_bytes;
  /* Translate one guest block at pc into fn (which the caller reset). Always
   * produces a valid function: undecodable code becomes a raise. */
  void (*translate)(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info);
  /* Disassemble one instruction for -d in_asm; returns its length (0 if invalid). */
  unsigned (*disas)(uint64_t pc, const uint8_t *bytes, size_t len, char *out, size_t outsize);
} IrFrontend;

#endif
