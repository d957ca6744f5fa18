/* bf_trampoline.c — the way into and out of generated code, and the two small
 * runtime services of the contract (bf.h): patching a chained exit, and mapping
 * a host code offset back to the guest pc.
 *
 * enter(cpu, code): saves the callee-saved registers, sets r15 = cpu, reserves
 * the spill frame (BF_FRAME_BYTES; rsp ends 16-byte aligned) and jumps to code.
 * The epilogue is reached by a jmp with rax = guest pc, rdx = info, which are
 * the BfRet that enter returns. r14 (guest_base) is set by blocks that need it.
 */
#include "bf_int.h"

static const X64Reg saved[] = {X64_RBX, X64_RBP, X64_R12, X64_R13, X64_R14, X64_R15};
enum { NSAVED = sizeof saved / sizeof saved[0] };
/* After the return address and NSAVED pushes rsp is 8 mod 16: 8 more aligns it. */
#define TRAMP_FRAME (BF_FRAME_BYTES + 8)

bool bf_emit_trampolines(uint8_t *rw, uint8_t *rx, size_t cap, BfTrampolines *out) {
  X64Asm a;
  x64_init(&a, rw, cap);
  for (int i = 0; i < NSAVED; i++)
    x64_push_r(&a, saved[i]);
  x64_mov_rr(&a, X64_S64, X64_R15, X64_RDI);
  x64_alu_ri(&a, X64_SUB, X64_S64, X64_RSP, TRAMP_FRAME);
  x64_jmp_r(&a, X64_RSI);
  x64_align(&a, 16);
  size_t epi = x64_len(&a);
  x64_alu_ri(&a, X64_ADD, X64_S64, X64_RSP, TRAMP_FRAME);
  for (int i = NSAVED; i-- > 0;)
    x64_pop_r(&a, saved[i]);
  x64_ret(&a);
  if (!x64_ok(&a))
    return false;
  out->enter = (BfEnterFn)(void *)rx;
  out->epilogue = rx + epi;
  out->size = x64_len(&a);
  bf_host_probe();
  return true;
}

void bf_patch_jump(uint8_t *rw_site, const uint8_t *rx_site, const uint8_t *rx_target) {
  int64_t rel = (int64_t)((uintptr_t)rx_target - ((uintptr_t)rx_site + 4));
  /* One aligned 4-byte store: a thread running the jmp sees old or new. */
  __atomic_store_n((uint32_t *)(void *)rw_site, (uint32_t)(int32_t)rel, __ATOMIC_RELEASE);
}

uint64_t bf_pc_at(const BfBlock *b, uint32_t off) {
  uint32_t lo = 0, hi = b->npc; /* first entry with host_off > off */
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (b->pcmap[mid].host_off <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo ? b->pcmap[lo - 1].guest_pc : 0;
}

/* Generated atomics are `lock` + cmpxchg/xadd, or xchg with memory (implicitly
 * locked); prefixes come in the order the assembler emits them. */
bool bf_fault_is_write(const uint8_t *host_pc, bool hw_write) {
  const uint8_t *p = host_pc;
  bool locked = false;
  for (int i = 0; i < 4; i++, p++) {
    if (*p == 0xF0)
      locked = true;
    else if (*p != 0x66 && (*p & 0xF0) != 0x40)
      break;
  }
  return hw_write || locked || *p == 0x86 || *p == 0x87;
}
