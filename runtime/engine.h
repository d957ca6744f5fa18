/* engine.h — the runtime's internal state: the engine (code cache, block map,
 * translation scratch) and translation blocks. Runners see only emu.h. */
#ifndef EMU_ENGINE_H
#define EMU_ENGINE_H

#include <pthread.h>

#include "codecache.h"
#include "emu.h"

/* A direct exit of another block that was chained to this block. */
typedef struct TbLink {
  struct Tb *from;
  uint32_t exit;
} TbLink;

typedef struct Tb {
  uint64_t pc;
  uint32_t guest_bytes, ninsns;
  IrFunc *ir;          /* interpreter tier */
  const uint8_t *code; /* rx address (compiled tiers) */
  BfBlock bf;          /* exits and the host->guest pc map */
  struct Tb *hnext;    /* hash chain */
  TbLink *in;          /* chained into this block */
  uint32_t nin, capin;
  bool invalid;
} Tb;

#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1u << TB_HASH_BITS)

struct EmuEngine {
  EmuEngineConfig cfg;
  BfConfig bf;
  CodeCache cc;
  BfTrampolines tramp;
  pthread_mutex_t lock; /* translation, the block map, chaining */
  Tb *hash[TB_HASH_SIZE];
  Tb *unlisted; /* blocks compiled by emu_exec_func, freed at flush */
  Tb **by_code; /* in code-cache order = ascending code address */
  uint32_t ntbs, captbs;
  uint64_t generation; /* bumped by each flush */
  IrFunc *scratch;     /* translation buffer, reused */
  EmuStats stats;
  uint64_t insns_done; /* executed by the interpreter or by blocks since flushed */
  EmuCpu **cpus;
  uint32_t ncpus, capcpus;
};

Tb *tb_lookup(EmuEngine *e, uint64_t pc);
Tb *tb_translate(EmuEngine *e, uint64_t pc); /* caller holds e->lock */
Tb *tb_by_code(EmuEngine *e, uintptr_t rx);  /* block containing host address */
/* Compile fn outside the block map (found by tb_by_code only); caller holds e->lock. */
Tb *tb_compile_func(EmuEngine *e, const IrFunc *fn);
void tb_chain(EmuEngine *e, Tb *from, uint32_t exit, Tb *to);
void tb_flush_all(EmuEngine *e); /* caller holds e->lock */
void tb_invalidate_range(EmuEngine *e, uint64_t start, uint64_t end);

#endif
