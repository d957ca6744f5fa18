/* bl.h — backend_llvm: IR functions (one guest block, or a region of blocks
 * with internal edges and loops) lowered to LLVM IR through the C API and
 * compiled by ORC LLJIT. It knows the IR and the host, no guest and no runner.
 *
 * Contract with the runtime:
 * - A compiled function is `BlRet fn(void *cpu)` (SysV; BlRet comes back in
 *   rax:rdx), cpu being the guest state base the IR's slot offsets use. Runtime
 *   fields sit at the (negative) offsets in BlConfig, as for backend_fast.
 * - Every exit returns: `exit PC`/`exiti` -> {pc, BL_EXIT_JUMP}; `syscall` ->
 *   {next pc, BL_EXIT_SYSCALL}; `raise` and failed isolation/alignment checks ->
 *   exc fields written, {pc of the instruction, BL_EXIT_EXCEPTION}. An IR edge
 *   back to an earlier block (a loop) first checks exit_request and, when set,
 *   returns {pc of the target block's first instruction, BL_EXIT_JUMP}.
 * - Precise state for hardware faults: before every guest memory access the
 *   code has stored every IR `set` before it to the cpu struct, and the pc of
 *   the current guest instruction (its `insn` marker) to the pc slot; LLVM may
 *   keep register values in host registers for reads. So the runtime's fault
 *   handler, seeing a fault at a host pc inside this JIT's code
 *   (bl_owns_code), takes the guest pc from the pc slot and the state as is.
 * - Guest memory: host address = guest_base + addr; with guest_limit != 0 an
 *   access that does not fit below it raises IR_EXC_fault (as backend_fast).
 */
#ifndef EMU_BL_H
#define EMU_BL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/* BlRet.info kinds. Same numbers as backend_fast's BF_EXIT_* (the runtime
 * checks), so a thunk can hand a BlRet straight to the shared epilogue. */
enum { BL_EXIT_JUMP = 1, BL_EXIT_SYSCALL = 2, BL_EXIT_EXCEPTION = 3 };

typedef struct BlRet {
  uint64_t pc;
  uint64_t info;
} BlRet;

typedef BlRet (*BlFn)(void *cpu);

typedef struct BlConfig {
  int32_t off_exit_request; /* int32: nonzero -> leave at the next loop back edge */
  int32_t off_exc_kind;     /* uint32: IrExc of a BL_EXIT_EXCEPTION */
  int32_t off_exc_arg;      /* uint64: fault address, or the raise argument */
  int32_t off_exc_write;    /* uint8: the faulting access was a write */
  uint32_t off_pc;          /* uint64: the guest pc slot (written before accesses) */
  uint64_t guest_base;      /* host address = guest_base + guest address */
  uint64_t guest_limit;     /* guest addresses must be below this (0: no check) */
  int opt_level;            /* LLVM optimisation level, 0..3 (default pipeline O<n>) */
  /* -d llvm-ir / llvm-asm: when set, called with the optimised module's text
   * and with the host disassembly of each compiled function. */
  void (*log)(const char *text);
  bool dump_ir, dump_asm;
  bool verify; /* run LLVM's verifier on every module (debug builds always do) */
} BlConfig;

typedef struct BlJit BlJit;

/* One LLJIT for the engine. libLLVM is loaded (dlopen) and the JIT made on
 * first use, so making a BlJit costs nothing until code is compiled or
 * loaded. NULL (and the reason in err) only if memory cannot be reserved. */
BlJit *bl_jit_new(const BlConfig *cfg, char *err, size_t errsize);
void bl_jit_free(BlJit *j);
/* Load LLVM and make the JIT now if that has not happened (the calls below
 * do it themselves); false and the reason (no libLLVM, LLVM cannot target the
 * host) if it cannot be, now or ever. Thread-safe. */
bool bl_jit_ready(BlJit *j, char *err, size_t errsize);

typedef struct BlCode {
  BlFn fn;
  uintptr_t start, end; /* host code of the function (for -d llvm-asm, crash reports) */
} BlCode;

/* Lower fn (validated; ideally optimised by ir_optimize) and compile it. Calls
 * are serialised by the caller (one compiling thread at a time per BlJit);
 * bl_emit_object and bl_load_object may run at the same time as each other,
 * each serialised with its own kind (bl_compile is both).
 * false and a reason in err if LLVM rejected it (a bug: the caller falls back
 * to backend_fast). */
bool bl_compile(BlJit *j, const IrFunc *fn, BlCode *out, char *err, size_t errsize);
/* The optimisation pipeline's level (0..3) for the compilations that follow
 * (code generation keeps the level the BlJit was made with). */
void bl_jit_set_opt_level(BlJit *j, int level);

/* Ahead-of-time translation and a persistent cache: fns[0..n) lowered into
 * one object file (malloc'd in *obj; the caller frees it), functions named
 * names[i] (unique among everything a JIT loads). The code refers to helpers
 * by their registered names only, but bakes in this JIT's BlConfig (runtime
 * field offsets, guest_base, guest_limit): load it into a JIT with the same
 * config, in this process or another whose helpers are registered under the
 * same names, with bl_load_object (out[i] for names[i]; a function's end is
 * where the next one of the object starts). */
bool bl_emit_object(BlJit *j, const IrFunc *const *fns, const char *const *names, size_t n,
                    void **obj, size_t *size, char *err, size_t errsize);
bool bl_load_object(BlJit *j, const void *obj, size_t size, const char *const *names, size_t n,
                    BlCode *out, char *err, size_t errsize);

/* Does host address pc lie in code this JIT emitted? Lock-free and
 * async-signal-safe: called from the host fault handler. */
bool bl_owns_code(const BlJit *j, uintptr_t pc);

/* Statistics for -d stats. */
typedef struct BlStats {
  uint64_t functions;  /* compiled */
  uint64_t ir_insts;   /* emu IR instructions lowered */
  uint64_t code_bytes; /* host code emitted */
  uint64_t compile_ns; /* lowering + optimisation + code generation */
} BlStats;
void bl_jit_stats(const BlJit *j, BlStats *out);

#endif
