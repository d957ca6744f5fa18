/* bf.h — backend_fast: IR to x86-64 host code, one translation block at a time.
 *
 * Contract with the runtime (which owns the code cache, block map and dispatcher):
 * - Generated code runs with r15 = the guest state base (the `cpu` pointer the IR's
 *   slot offsets and helpers use) and r14 = cfg->guest_base. Runtime fields the code
 *   touches sit at the offsets in BfConfig (negative offsets from r15 are fine).
 * - The runtime enters code through the trampoline bf_emit_trampolines made:
 *   `BfRet enter(void *cpu, const void *code)`. Code leaves by jumping to the shared
 *   epilogue with rax = guest pc and rdx = BfRet.info, which `enter` returns (SysV
 *   returns a two-word struct in rax:rdx).
 * - Direct exits (`exit PC`) are chainable: each is a `jmp rel32` whose rel32 field
 *   is 4-byte aligned, first aimed at its own stub that returns to the dispatcher
 *   with info = the exec address of that rel32 field (BF_EXIT_CHAIN). The runtime
 *   may then patch it to jump straight to the next block (bf_patch_jump) and undo
 *   that later (bf_patch_jump back to the stub: BfExitSite.stub_off).
 * - Code is written through a RW view `rw` and executed at `rx` (W^X: one memfd
 *   mapped twice); all displacements are computed for `rx`.
 */
#ifndef EMU_BF_H
#define EMU_BF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/* BfRet.info: low 3 bits give the kind; BF_EXIT_CHAIN carries the site address. */
enum {
  BF_EXIT_CHAIN = 0,     /* direct exit to pc; info = rx address of the rel32 to patch */
  BF_EXIT_JUMP = 1,      /* computed exit to pc (jump-cache miss) */
  BF_EXIT_SYSCALL = 2,   /* guest syscall; continue at pc afterwards */
  BF_EXIT_EXCEPTION = 3, /* exception at guest pc; details in the cpu's exc fields */
  BF_EXIT_REQUEST = 4,   /* exit_request was set at block entry; pc = that block */
};
#define BF_EXIT_KIND(info) ((unsigned)((info) & 7))

typedef struct BfRet {
  uint64_t pc;
  uint64_t info;
} BfRet;

typedef BfRet (*BfEnterFn)(void *cpu, const void *code);

/* Indirect branch cache: entries looked up inline by exiti. */
#define BF_JCACHE_BITS 12
#define BF_JCACHE_SIZE (1u << BF_JCACHE_BITS)
typedef struct BfJcacheEntry {
  uint64_t pc;       /* guest pc, or ~0 for empty */
  const void *code;  /* exec address of the block */
} BfJcacheEntry;
static inline uint32_t bf_jcache_hash(uint64_t pc) {
  return (uint32_t)((pc ^ (pc >> BF_JCACHE_BITS)) & (BF_JCACHE_SIZE - 1));
}

/* The softmmu TLB as generated code reads it (runtime/softmmu.h, which
 * static-asserts the same layout). */
enum {
  BF_TLB_BITS = 10, BF_TLB_ENTRY = 32, BF_TLB_TAG_READ = 0, BF_TLB_TAG_WRITE = 8,
  BF_TLB_ADDEND = 16, BF_TLB_PAGE_BITS = 12,
};
#define BF_MMU_INFO_ATOMIC (1u << 13) /* slow path: make the entry pass for a write, or fault */

typedef struct BfConfig {
  int32_t off_exit_request; /* int32: nonzero -> leave at the next block entry */
  int32_t off_exc_kind;     /* uint32: IrExc of a BF_EXIT_EXCEPTION */
  int32_t off_exc_arg;      /* uint64: fault address, or the raise argument */
  int32_t off_exc_write;    /* uint8: the faulting access was a write */
  int32_t off_jcache;       /* BfJcacheEntry *: this thread's indirect branch cache */
  uint64_t guest_base;      /* host address = guest_base + guest address */
  uint64_t guest_limit;     /* guest addresses must be below this (0: no check) */
  const uint8_t *epilogue;  /* rx address of the shared epilogue (bf_emit_trampolines) */
  /* Block execution counters stop at this value (0: exact counts). A counter
   * that is only compared against a threshold need not be written for ever:
   * threads running one block would fight over its cache line. */
  uint64_t counter_cap;
  /* Nonzero: no counter code at all, nothing reads the counts (the fast and
   * llvm tiers without -d stats); three instructions per block entry saved.
   * 64 bits: no tail padding in a struct the code cache hashes whole. */
  uint64_t no_counter;
  /* System mode (softmmu): off_tlb != 0 makes guest addresses virtual. Each
   * access looks its page up in the TLB at [cpu + off_tlb] (the runtime's
   * softmmu.h layout: 32-byte entries, tag_read/tag_write/addend, 1024 per MMU
   * index) and calls mmu_load/mmu_store (SoftmmuOps) on a miss, with the value
   * passed through the 16 bytes at [cpu + off_mmu_scratch]. */
  int32_t off_tlb;
  int32_t off_mmu_scratch;
  int32_t off_mmu_pc;   /* uint64: the guest pc of the access in a slow path */
  int32_t off_mmu_addr; /* uint64: its address, for the thunk */
  int32_t off_mmu_info; /* uint32: its SOFTMMU_INFO word, for the thunk */
  int32_t pad0;
  const void *mmu_load;  /* void (*)(void *guest, uint64_t va, uint32_t info, void *out) */
  const void *mmu_store; /* void (*)(void *guest, uint64_t va, uint32_t info, const void *in) */
  /* rx addresses of the shared slow-path thunks (bf_emit_mmu_thunks): they
   * save every caller-saved register around mmu_load/mmu_store, so a block's
   * stub is a few stores and a call. */
  const uint8_t *mmu_thunk_load, *mmu_thunk_store;
} BfConfig;

typedef struct BfTrampolines {
  BfEnterFn enter;
  const uint8_t *epilogue;
  size_t size; /* bytes used at the start of the buffer */
} BfTrampolines;

/* Emit the entry trampoline and the shared epilogue at rw/rx. */
bool bf_emit_trampolines(uint8_t *rw, uint8_t *rx, size_t cap, BfTrampolines *out);
/* System mode: the slow-path thunks for cfg (its mmu_* fields but the thunks)
 * at rw/rx; fills cfg->mmu_thunk_*. Returns the bytes used, 0 if cap is short. */
size_t bf_emit_mmu_thunks(uint8_t *rw, uint8_t *rx, size_t cap, BfConfig *cfg);

#define BF_MAX_EXITS 8
typedef struct BfExitSite {
  uint32_t patch_off; /* offset in the block of the jmp's rel32 field (4-aligned) */
  uint32_t stub_off;  /* offset of the exit's own stub (its unchained target) */
  uint64_t target;    /* guest pc it goes to */
} BfExitSite;

typedef struct BfPcEntry {
  uint32_t host_off; /* first byte of code for the guest instruction */
  uint64_t guest_pc;
} BfPcEntry;

/* Where a block's code depends on this process's layout (for a persistent
 * translation cache: copy the code elsewhere, then bf_reloc_apply). A field
 * is a rel32 (target - end of instruction, `tail` bytes after the field) or
 * an absolute 64-bit address. Everything else in a block is position
 * independent or fixed by BfConfig (guest_base, offsets). */
enum { BF_RELOC_REL32, BF_RELOC_ABS64 };
enum {
  BF_RELOC_ANCHOR,   /* value = target - bf_reloc_anchor() (code in this binary) */
  BF_RELOC_EPILOGUE, /* cfg->epilogue */
  BF_RELOC_COUNTER,  /* the block's counter, through the rw view */
};
typedef struct BfReloc {
  uint32_t off;               /* offset of the field in the block */
  uint8_t form, what, tail, pad;
  int64_t value;              /* BF_RELOC_ANCHOR's distance */
} BfReloc;

typedef struct BfBlock {
  uint32_t size; /* bytes of code */
  uint32_t nexits;
  BfExitSite exits[BF_MAX_EXITS];
  BfPcEntry *pcmap; /* caller's array of pcmap_cap entries, ascending host_off */
  uint32_t npc, pcmap_cap;
  /* Offset of the block's uint64_t execution counter (bumped at every entry;
   * for -d stats and tier-up). It sits in the data area after the code, on a
   * cache line of its own: a store next to running code costs a pipeline flush. */
  uint32_t counter_off;
  /* Optional, like pcmap: the caller's array of reloc_cap entries (NULL: do
   * not record). nrelocs counts them all; above reloc_cap some were dropped. */
  BfReloc *relocs;
  uint32_t nrelocs, reloc_cap;
} BfBlock;

/* A fixed function of the emu binary: distances to it do not change with ASLR. */
uintptr_t bf_reloc_anchor(void);
/* Fix up code copied (through rw, to run at rx) from a block compiled
 * elsewhere: b's relocs, this process's cfg. False if a rel32 cannot reach. */
bool bf_reloc_apply(const BfBlock *b, const BfConfig *cfg, uint8_t *rw, const uint8_t *rx);

/* Compile fn (validated; ideally optimised) at rw/rx. Returns false if the code
 * did not fit in cap bytes (the runtime flushes its cache and retries). */
bool bf_compile(const IrFunc *fn, const BfConfig *cfg, uint8_t *rw, uint8_t *rx, size_t cap,
                BfBlock *out);

/* A block-shaped entry (counter, exit_request check) that calls code compiled
 * elsewhere, `BfRet fn(void *cpu)` (SysV), and continues from its result: a
 * BF_EXIT_JUMP through the jump cache, any other kind to the dispatcher. The
 * callee must not return BF_EXIT_CHAIN (it has no patchable site). */
bool bf_compile_thunk(const BfConfig *cfg, uint64_t pc, const void *fn, uint8_t *rw,
                      uint8_t *rx, size_t cap, BfBlock *out);

/* Point the chained jmp whose rel32 is at rx_site (written through rw_site) to
 * rx_target. One aligned 4-byte store: safe while other threads run the code. */
void bf_patch_jump(uint8_t *rw_site, const uint8_t *rx_site, const uint8_t *rx_target);

/* pcmap entries bf_compile may record for fn: one per insn marker, plus one at
 * the start of each later IR block (its pc is the one in effect on entry).
 * With a smaller pcmap_cap, entries past the cap are dropped. */
uint32_t bf_pcmap_need(const IrFunc *fn);

/* The guest pc of the instruction whose code contains host offset off. */
uint64_t bf_pc_at(const BfBlock *b, uint32_t off);

/* Whether a host fault at host_pc (inside generated code) was a guest write:
 * the page-fault error code says "read" for a locked read-modify-write (cas,
 * armw) that faults on an unmapped page, which the IR counts as a write. */
bool bf_fault_is_write(const uint8_t *host_pc, bool hw_write);

#endif
