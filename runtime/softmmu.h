/* softmmu.h — system mode's guest memory, as the generated code sees it.
 *
 * In system mode IR loads and stores carry guest *virtual* addresses. Each
 * block is translated for one MMU index (IrFunc.mmu_idx: x86 uses 0 for CPL0,
 * 1 for CPL3). The code looks the page up in a direct-mapped TLB that sits in
 * the cpu (EmuEngineConfig.softmmu.tlb_offset) and, on a hit, accesses host
 * memory at address + addend. Everything else (a miss, MMIO, a write to a page
 * holding translated code, an access that crosses a page) calls the runner's
 * slow path, which walks the guest page tables, refills the entry, performs the
 * access, or raises the guest's page fault through emu_helper_fault.
 *
 * The runner (system/) owns the entries: it fills them in its slow path and
 * flushes them (CR3 writes, invlpg, mode changes) with softmmu_tlb_flush*. */
#ifndef EMU_SOFTMMU_H
#define EMU_SOFTMMU_H

#include <stdint.h>
#include <string.h>

#define SOFTMMU_PAGE_BITS 12
#define SOFTMMU_PAGE_SIZE (1ull << SOFTMMU_PAGE_BITS)
#define SOFTMMU_PAGE_MASK (~(SOFTMMU_PAGE_SIZE - 1))
#define SOFTMMU_TLB_BITS 10
#define SOFTMMU_TLB_SIZE (1u << SOFTMMU_TLB_BITS)
#define SOFTMMU_MMU_MAX 2 /* MMU indexes */

/* Bits in a tag's page-offset part. The inline check compares the tag with
 * (address of the access's last byte) & SOFTMMU_PAGE_MASK, so any of these
 * bits (or a page-crossing access) fails it and takes the slow path. */
#define SOFTMMU_TLB_INVALID 1ull /* no translation for this access kind */
#define SOFTMMU_TLB_IO 2ull      /* MMIO, or RAM writes must see (code pages) */

/* One entry: 32 bytes, so an index is (addr >> 12 & mask) << 5. 1024 entries
 * per MMU index: with 256, streams whose pages are 1 MiB apart (a decompressor
 * reading its input while writing its output) evicted each other on every
 * access; 64 KiB of TLB still flushes in a few microseconds. */
typedef struct SoftTlbEntry {
  uint64_t tag_read;  /* virtual page | flags; SOFTMMU_TLB_INVALID: no reads */
  uint64_t tag_write; /* virtual page | flags; SOFTMMU_TLB_INVALID: no writes */
  uint64_t addend;    /* host address = guest virtual address + addend */
  uint64_t phys;      /* guest-physical page (the runner's, for its slow path) */
} SoftTlbEntry;

typedef struct SoftTlb {
  SoftTlbEntry e[SOFTMMU_MMU_MAX][SOFTMMU_TLB_SIZE];
} SoftTlb;

static inline uint32_t softmmu_tlb_index(uint64_t vaddr) {
  return (uint32_t)(vaddr >> SOFTMMU_PAGE_BITS) & (SOFTMMU_TLB_SIZE - 1);
}
static inline SoftTlbEntry *softmmu_tlb_entry(SoftTlb *t, unsigned mmu, uint64_t vaddr) {
  return &t->e[mmu][softmmu_tlb_index(vaddr)];
}
static inline void softmmu_tlb_flush(SoftTlb *t) { memset(t, 0xff, sizeof *t); }
static inline void softmmu_tlb_flush_page(SoftTlb *t, uint64_t vaddr) {
  for (unsigned m = 0; m < SOFTMMU_MMU_MAX; m++)
    memset(softmmu_tlb_entry(t, m, vaddr), 0xff, sizeof(SoftTlbEntry));
}

/* What a slow path is told about the access: size in bytes (1..16), the MMU
 * index, and whether it writes. */
#define SOFTMMU_INFO(size, mmu, write) ((uint32_t)(size) | (uint32_t)(mmu) << 8 | (uint32_t)(write) << 12)
static inline unsigned softmmu_info_size(uint32_t i) { return i & 0xff; }
static inline unsigned softmmu_info_mmu(uint32_t i) { return (i >> 8) & 0xf; }
static inline int softmmu_info_write(uint32_t i) { return (i >> 12) & 1; }
/* An atomic (cas, read-modify-write) missed: the slow path only has to leave
 * the entry so that the inline check passes for a write of this size (RAM; a
 * code page's blocks dropped first), or fault. The access then retries. */
#define SOFTMMU_INFO_ATOMIC (1u << 13)
static inline int softmmu_info_atomic(uint32_t i) { return (i >> 13) & 1; }

/* The runner's slow path, called from generated code with the cpu's guest
 * state pointer. load: the value is written to out (size bytes). store: size
 * bytes from in. A guest fault does not return: the slow path calls
 * emu_helper_fault (runtime/emu.h), which unwinds to emu_exec. */
typedef struct SoftmmuOps {
  void (*load)(void *guest, uint64_t vaddr, uint32_t info, void *out);
  void (*store)(void *guest, uint64_t vaddr, uint32_t info, const void *in);
  int32_t tlb_offset; /* SoftTlb's offset from the guest state (may be past it) */
} SoftmmuOps;

#endif
