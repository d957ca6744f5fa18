/* bl_jit.c — one ORC LLJIT per BlJit, and bl_compile: lower (bl_lower.c) ->
 * verify -> optimise (new pass manager) -> emit an object file to memory with
 * our own host TargetMachine -> add it to the JIT -> look the function up.
 * Going through an object file on every compile keeps one path for what
 * ahead-of-time translation and a persistent cache need (many functions in one
 * object, loaded later, maybe by another process): code refers to C functions
 * only by name (bl_h_eval, emu_helper_<name>), which the JITDylib defines as
 * absolute symbols; a new helper is defined before the compile that uses it.
 * Objects live in a per-JIT reserved range (bl_codemem.c), W^X. LLVM itself
 * is loaded (bl_llvm.c) and set up the first time a BlJit needs it, so a
 * process that never reaches tier 2 never pays for it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Disassembler.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/OrcEE.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "bl_int.h"

enum {
  CODE_RESERVE = 512u << 20, /* address space for all of one JIT's objects */
  CONTEXT_REUSE = 256,       /* compiles per LLVMContext (its constants accumulate) */
};
enum { BL_NEW, BL_READY, BL_BROKEN };

struct BlJit {
  BlConfig cfg;
  pthread_mutex_t init;  /* setting LLVM up (compiles and loads may race to it) */
  _Atomic int state;     /* BL_NEW, BL_READY or BL_BROKEN (why: in broken) */
  bool loaded;           /* libLLVM is there: LLVM objects may need disposing */
  char broken[320];
  LLVMOrcLLJITRef jit;
  LLVMOrcJITDylibRef jd;
  LLVMTargetMachineRef tm;
  LLVMTargetDataRef dl;
  char *triple, *cpu, *features;
  LLVMPassBuilderOptionsRef pbo;
  LLVMContextRef ctx;
  uint32_t ctx_uses;
  BlCodeMem *mem;
  uint32_t nhelpers; /* helpers 0 .. nhelpers-1 are defined in jd */
  uint64_t seq;      /* for unique function names */
  LLVMDisasmContextRef dis;
  BlStats stats;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An LLVMErrorRef's message into err (consumes it); false for convenience. */
static bool take_error(LLVMErrorRef e, const char *what, char *err, size_t errsize) {
  char *msg = LLVMGetErrorMessage(e);
  snprintf(err, errsize, "%s: %s", what, msg);
  LLVMDisposeErrorMessage(msg);
  return false;
}

static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;
static void llvm_init(void) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  LLVMInitializeX86AsmParser(); /* inline asm (FP, div) */
  LLVMInitializeX86Disassembler();
}

/* -- Symbols ---------------------------------------------------------------------- */

static bool define_abs(BlJit *j, const char *name, const void *addr, char *err, size_t errsize) {
  LLVMOrcCSymbolMapPair pair = {
      .Name = LLVMOrcLLJITMangleAndIntern(j->jit, name),
      .Sym = {.Address = (LLVMOrcExecutorAddress)(uintptr_t)addr,
              .Flags = {.GenericFlags = LLVMJITSymbolGenericFlagsExported |
                                        LLVMJITSymbolGenericFlagsCallable}}};
  LLVMErrorRef e = LLVMOrcJITDylibDefine(j->jd, LLVMOrcAbsoluteSymbols(&pair, 1));
  return e ? take_error(e, name, err, errsize) : true;
}

/* Helpers registered since the last compile get their emu_helper_<name>. */
static bool define_helpers(BlJit *j, char *err, size_t errsize) {
  const IrHelper *h;
  while ((h = ir_helper_get(j->nhelpers))) {
    char name[160];
    snprintf(name, sizeof name, BL_SYM_HELPER_PREFIX "%s", h->name);
    if (!define_abs(j, name, (const void *)h->fn, err, errsize))
      return false;
    j->nhelpers++;
  }
  return true;
}

/* Library functions LLVM's code generator may call on its own (memset for a
 * large zeroing, 128-bit division); found in this process by name. */
static int libcall_filter(void *ctx, LLVMOrcSymbolStringPoolEntryRef sym) {
  static const char *const ok[] = {"memcpy", "memmove", "memset", "__udivti3", "__divti3",
                                   "__umodti3", "__modti3", "fmod", "fmodf"};
  const char *s = LLVMOrcSymbolStringPoolEntryStr(sym);
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    if (strcmp(s, ok[i]) == 0)
      return 1;
  return 0;
}

/* -- The JIT ---------------------------------------------------------------------- */

static LLVMOrcObjectLayerRef make_object_layer(void *ctx, LLVMOrcExecutionSessionRef es,
                                               const char *triple) {
  return LLVMOrcCreateRTDyldObjectLinkingLayerWithMCJITMemoryManagerLikeCallbacks(
      es, ctx, bl_mm_create, bl_mm_terminating, bl_mm_code, bl_mm_data, bl_mm_finalize,
      bl_mm_destroy);
}

static LLVMCodeGenOptLevel cg_level(int opt) {
  static const LLVMCodeGenOptLevel lv[4] = {LLVMCodeGenLevelNone, LLVMCodeGenLevelLess,
                                            LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive};
  return lv[opt < 0 ? 0 : opt > 3 ? 3 : opt];
}

static bool make_target(BlJit *j, char *err, size_t errsize) {
  j->triple = LLVMGetDefaultTargetTriple();
  j->cpu = LLVMGetHostCPUName();
  j->features = LLVMGetHostCPUFeatures();
  LLVMTargetRef target;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(j->triple, &target, &msg)) {
    snprintf(err, errsize, "no LLVM target for %s: %s", j->triple, msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return false;
  }
  /* PIC: every reference RIP-relative or through a stub, none absolute 32-bit. */
  j->tm = LLVMCreateTargetMachine(target, j->triple, j->cpu, j->features, cg_level(j->cfg.opt_level),
                                  LLVMRelocPIC, LLVMCodeModelSmall);
  if (!j->tm) {
    snprintf(err, errsize, "cannot create a target machine for %s", j->triple);
    return false;
  }
  j->dl = LLVMCreateTargetDataLayout(j->tm);
  j->pbo = LLVMCreatePassBuilderOptions();
  return true;
}

static bool make_jit(BlJit *j, char *err, size_t errsize) {
  LLVMOrcJITTargetMachineBuilderRef jtmb;
  LLVMErrorRef e = LLVMOrcJITTargetMachineBuilderDetectHost(&jtmb);
  if (e)
    return take_error(e, "detect host", err, errsize);
  LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
  LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(builder, jtmb);
  LLVMOrcLLJITBuilderSetObjectLinkingLayerCreator(builder, make_object_layer, j->mem);
  if ((e = LLVMOrcCreateLLJIT(&j->jit, builder)))
    return take_error(e, "create LLJIT", err, errsize);
  j->jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
  LLVMOrcDefinitionGeneratorRef gen;
  e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
      &gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), libcall_filter, NULL);
  if (e)
    return take_error(e, "process symbols", err, errsize);
  LLVMOrcJITDylibAddGenerator(j->jd, gen);
  return define_abs(j, BL_SYM_EVAL, (const void *)bl_h_eval, err, errsize);
}

BlJit *bl_jit_new(const BlConfig *cfg, char *err, size_t errsize) {
  BlJit *j = calloc(1, sizeof *j);
  if (!j) {
    snprintf(err, errsize, "out of memory");
    return NULL;
  }
  j->cfg = *cfg;
  pthread_mutex_init(&j->init, NULL);
  j->mem = bl_codemem_new(CODE_RESERVE);
  if (!j->mem) {
    snprintf(err, errsize, "cannot reserve %u MiB for code", CODE_RESERVE >> 20);
    free(j);
    return NULL;
  }
  return j;
}

bool bl_jit_ready(BlJit *j, char *err, size_t errsize) {
  int st = atomic_load_explicit(&j->state, memory_order_acquire);
  if (st == BL_NEW) {
    pthread_mutex_lock(&j->init);
    if ((st = atomic_load_explicit(&j->state, memory_order_relaxed)) == BL_NEW) {
      j->loaded = bl_llvm_load(j->broken, sizeof j->broken);
      if (j->loaded)
        pthread_once(&llvm_once, llvm_init);
      st = j->loaded && make_target(j, j->broken, sizeof j->broken) &&
                   make_jit(j, j->broken, sizeof j->broken)
               ? BL_READY
               : BL_BROKEN;
      atomic_store_explicit(&j->state, st, memory_order_release);
    }
    pthread_mutex_unlock(&j->init);
  }
  if (st != BL_READY)
    snprintf(err, errsize, "%s", j->broken);
  return st == BL_READY;
}

void bl_jit_free(BlJit *j) {
  if (!j)
    return;
  pthread_mutex_destroy(&j->init);
  if (!j->loaded) { /* LLVM never came: nothing of it to dispose */
    bl_codemem_free(j->mem);
    free(j);
    return;
  }
  if (j->jit) {
    LLVMErrorRef e = LLVMOrcDisposeLLJIT(j->jit);
    if (e)
      LLVMConsumeError(e);
  }
  if (j->dis)
    LLVMDisasmDispose(j->dis);
  if (j->pbo)
    LLVMDisposePassBuilderOptions(j->pbo);
  if (j->dl)
    LLVMDisposeTargetData(j->dl);
  if (j->tm)
    LLVMDisposeTargetMachine(j->tm);
  if (j->ctx)
    LLVMContextDispose(j->ctx);
  LLVMDisposeMessage(j->triple);
  LLVMDisposeMessage(j->cpu);
  LLVMDisposeMessage(j->features);
  bl_codemem_free(j->mem);
  free(j);
}

bool bl_owns_code(const BlJit *j, uintptr_t pc) { return j && bl_codemem_owns(j->mem, pc); }

void bl_jit_stats(const BlJit *j, BlStats *out) {
  *out = j->stats;
  out->code_bytes = bl_codemem_code_bytes(j->mem);
}

/* -- Compiling ---------------------------------------------------------------------- */

static LLVMContextRef context(BlJit *j) {
  if (j->ctx && j->ctx_uses >= CONTEXT_REUSE) {
    LLVMContextDispose(j->ctx);
    j->ctx = NULL;
  }
  if (!j->ctx) {
    j->ctx = LLVMContextCreate();
    j->ctx_uses = 0;
  }
  j->ctx_uses++;
  return j->ctx;
}

static LLVMModuleRef new_module(BlJit *j, const char *name) {
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext(name, context(j));
  LLVMSetTarget(m, j->triple);
  LLVMSetModuleDataLayout(m, j->dl);
  return m;
}

/* Verify (debug builds, or cfg.verify) and optimise the module in place. */
static bool optimise(BlJit *j, LLVMModuleRef m, char *err, size_t errsize) {
#ifdef NDEBUG
  bool verify = j->cfg.verify;
#else
  bool verify = true;
#endif
  char *msg = NULL;
  if (verify && LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) {
    snprintf(err, errsize, "invalid LLVM IR: %s", msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return false;
  }
  LLVMDisposeMessage(msg);
  char passes[32];
  int opt = j->cfg.opt_level < 0 ? 0 : j->cfg.opt_level > 3 ? 3 : j->cfg.opt_level;
  snprintf(passes, sizeof passes, "default<O%d>", opt);
  LLVMErrorRef e = LLVMRunPasses(m, passes, j->tm, j->pbo);
  if (e)
    return take_error(e, "optimise", err, errsize);
  if (j->cfg.dump_ir && j->cfg.log) {
    char *text = LLVMPrintModuleToString(m);
    j->cfg.log(text);
    LLVMDisposeMessage(text);
  }
  return true;
}

/* The module as an object file in memory (consumes nothing). */
static LLVMMemoryBufferRef emit_object(BlJit *j, LLVMModuleRef m, char *err, size_t errsize) {
  LLVMMemoryBufferRef buf = NULL;
  char *msg = NULL;
  if (LLVMTargetMachineEmitToMemoryBuffer(j->tm, m, LLVMObjectFile, &msg, &buf)) {
    snprintf(err, errsize, "code generation: %s", msg ? msg : "?");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  return buf;
}

/* name's code: from its address to the end of its code section, or to the
 * next function of the same object (starts: the others', 0 for none). */
static bool lookup(BlJit *j, const char *name, BlCode *out, char *err, size_t errsize) {
  LLVMOrcExecutorAddress addr = 0;
  LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, name);
  if (e)
    return take_error(e, name, err, errsize);
  uintptr_t start = (uintptr_t)addr, end = start;
  uintptr_t s0, e0;
  if (bl_codemem_section(j->mem, start, &s0, &e0))
    end = e0;
  out->fn = (BlFn)addr;
  out->start = start;
  out->end = end;
  return true;
}

static void clip_ends(BlCode *codes, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < n; k++)
      if (codes[k].start > codes[i].start && codes[k].start < codes[i].end)
        codes[i].end = codes[k].start;
}

static void dump_asm(BlJit *j, const BlCode *code, const char *name) {
  if (!j->dis) {
    j->dis = LLVMCreateDisasmCPUFeatures(j->triple, j->cpu, j->features, NULL, 0, NULL, NULL);
    if (!j->dis)
      return;
    LLVMSetDisasmOptions(j->dis, LLVMDisassembler_Option_PrintImmHex);
  }
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  if (!text)
    return;
  len += (size_t)snprintf(text, cap, "%s:\n", name);
  for (uintptr_t pc = code->start; pc < code->end;) {
    char line[128];
    size_t n = LLVMDisasmInstruction(j->dis, (uint8_t *)pc, code->end - pc, pc, line, sizeof line);
    if (n == 0) {
      snprintf(line, sizeof line, "\t.byte 0x%02x", *(uint8_t *)pc);
      n = 1;
    }
    if (len + 160 > cap) {
      char *t = realloc(text, cap *= 2);
      if (!t)
        break;
      text = t;
    }
    len += (size_t)snprintf(text + len, cap - len, "  %#lx:%s\n", (unsigned long)pc, line);
    pc += n;
  }
  j->cfg.log(text);
  free(text);
}

/* Lower fns[0..n) as names[0..n) into one module, optimise, emit an object. */
static LLVMMemoryBufferRef compile_object(BlJit *j, const IrFunc *const *fns, const char *const *names,
                                          size_t n, uint32_t *ninsts, char *err, size_t errsize) {
  LLVMModuleRef m = new_module(j, names[0]);
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    uint32_t k = 0;
    ok = bl_lower_func(LLVMGetModuleContext(m), m, fns[i], &j->cfg, names[i], &k, err, errsize);
    *ninsts += k;
  }
  ok = ok && optimise(j, m, err, errsize);
  LLVMMemoryBufferRef obj = ok ? emit_object(j, m, err, errsize) : NULL;
  LLVMDisposeModule(m);
  return obj;
}

/* Add an object (owned by the JIT from here) and look its functions up. */
static bool load(BlJit *j, LLVMMemoryBufferRef obj, const char *const *names, size_t n,
                 BlCode *out, char *err, size_t errsize) {
  if (!define_helpers(j, err, errsize)) {
    LLVMDisposeMemoryBuffer(obj);
    return false;
  }
  LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(j->jit, j->jd, obj);
  if (e)
    return take_error(e, "add object", err, errsize);
  for (size_t i = 0; i < n; i++)
    if (!lookup(j, names[i], &out[i], err, errsize))
      return false;
  clip_ends(out, n);
  for (size_t i = 0; i < n && j->cfg.dump_asm && j->cfg.log; i++)
    dump_asm(j, &out[i], names[i]);
  return true;
}

void bl_jit_set_opt_level(BlJit *j, int level) { j->cfg.opt_level = level; }

bool bl_compile(BlJit *j, const IrFunc *fn, BlCode *out, char *err, size_t errsize) {
  if (!bl_jit_ready(j, err, errsize))
    return false;
  uint64_t t0 = now_ns();
  char name[32];
  snprintf(name, sizeof name, "bl_f%llu", (unsigned long long)j->seq++);
  const char *names[1] = {name};
  uint32_t ninsts = 0;
  LLVMMemoryBufferRef obj = compile_object(j, &fn, names, 1, &ninsts, err, errsize);
  if (!obj || !load(j, obj, names, 1, out, err, errsize))
    return false;
  j->stats.functions++;
  j->stats.ir_insts += ninsts;
  j->stats.compile_ns += now_ns() - t0;
  return true;
}

bool bl_emit_object(BlJit *j, const IrFunc *const *fns, const char *const *names, size_t n,
                    void **obj, size_t *size, char *err, size_t errsize) {
  if (n == 0) {
    snprintf(err, errsize, "no functions");
    return false;
  }
  if (!bl_jit_ready(j, err, errsize))
    return false;
  uint64_t t0 = now_ns();
  uint32_t ninsts = 0;
  LLVMMemoryBufferRef buf = compile_object(j, fns, names, n, &ninsts, err, errsize);
  if (!buf)
    return false;
  *size = LLVMGetBufferSize(buf);
  *obj = malloc(*size ? *size : 1);
  if (*obj)
    memcpy(*obj, LLVMGetBufferStart(buf), *size);
  LLVMDisposeMemoryBuffer(buf);
  if (!*obj) {
    snprintf(err, errsize, "out of memory");
    return false;
  }
  j->stats.ir_insts += ninsts;
  j->stats.compile_ns += now_ns() - t0;
  return true;
}

bool bl_load_object(BlJit *j, const void *obj, size_t size, const char *const *names, size_t n,
                    BlCode *out, char *err, size_t errsize) {
  if (!bl_jit_ready(j, err, errsize))
    return false;
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, size, names[0]);
  if (!load(j, buf, names, n, out, err, errsize))
    return false;
  j->stats.functions += n;
  return true;
}
