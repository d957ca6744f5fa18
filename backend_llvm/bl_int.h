/* bl_int.h — backend_llvm internals shared by the bl_*.c files: the lowering
 * context (one IrFunc into one LLVM function of a given module), the common
 * builders the per-class lowerings use (bl_lower.c), the code memory
 * (bl_codemem.c) and the C functions generated code calls by name.
 */
#ifndef EMU_BL_INT_H
#define EMU_BL_INT_H

#include <llvm-c/Core.h>

#include "bl.h"

/* -- Lowering context (bl_lower.c) ------------------------------------------ */

/* TBAA type of an access: guest CPU state, guest memory, runtime fields. */
typedef enum BlAlias { BL_TBAA_CPU, BL_TBAA_GUEST, BL_TBAA_RT, BL_TBAA__COUNT } BlAlias;

typedef struct BlCtx {
  LLVMContextRef ctx;
  LLVMModuleRef mod;
  LLVMBuilderRef b;
  const IrFunc *fn;
  const BlConfig *cfg;
  LLVMValueRef func, cpu;          /* the function and its cpu argument */
  LLVMTypeRef ty[IR_T__COUNT];     /* IR type -> LLVM type (void: void) */
  LLVMTypeRef i1, i8, i16, i32, i64, i128, ptr, ret_ty;
  LLVMValueRef *val;               /* per IrRef: its LLVM value */
  LLVMBasicBlockRef *bb;           /* per IR block */
  LLVMValueRef pc_var;             /* alloca i64: the pc in effect across blocks */
  LLVMValueRef eval_buf;           /* alloca [5 x 16 bytes]: bl_h_eval operands, result */
  uint32_t block;                  /* IR block being lowered */
  /* The pc of the current guest instruction: a constant once this IR block
   * saw a marker, else the value pc_var holds on entry (pc_dyn, loaded once). */
  bool pc_known, pc_stored;        /* pc_stored: the pc slot holds it (bl.h) */
  uint64_t pc;
  LLVMValueRef pc_dyn;
  unsigned md_tbaa;
  LLVMValueRef tbaa[BL_TBAA__COUNT];
  unsigned attr_memory;            /* kind id of the `memory` attribute */
  uint32_t nlowered;               /* IR instructions lowered */
  int fp_mode;                     /* bl_lower_fp.c: the constant rounding the FP asm
                                      being built runs in (0: nearest, no switch) */
} BlCtx;

typedef void (*BlLowerFn)(BlCtx *c, IrRef r, const IrInst *in);

/* Lower fn into a new function `name` of mod (whose context is ctx). false
 * and a reason in err if fn holds something this backend cannot lower. */
bool bl_lower_func(LLVMContextRef ctx, LLVMModuleRef mod, const IrFunc *fn, const BlConfig *cfg,
                   const char *name, uint32_t *ninsts, char *err, size_t errsize);

/* -- Builders shared by the lowerings (bl_lower.c) ---------------------------- */

static inline LLVMValueRef bl_v(const BlCtx *c, IrRef r) { return c->val[r]; }
static inline IrType bl_t(const BlCtx *c, IrRef r) { return ir_typeof(c->fn, r); }
static inline LLVMTypeRef bl_lt(const BlCtx *c, IrType t) { return c->ty[t]; }
static inline void bl_def(BlCtx *c, IrRef r, LLVMValueRef v) { c->val[r] = v; }
LLVMValueRef bl_i64c(BlCtx *c, uint64_t v);
LLVMValueRef bl_const(BlCtx *c, IrType t, uint64_t bits);   /* scalar of t with these bits */
LLVMValueRef bl_splat(BlCtx *c, IrType vt, LLVMValueRef s); /* every lane = s */
/* The constant integer value of r (a `const`), or false. */
bool bl_is_const(const BlCtx *c, IrRef r, uint64_t *v);

LLVMValueRef bl_cpu_ptr(BlCtx *c, int64_t off);            /* cpu + off */
LLVMValueRef bl_load(BlCtx *c, LLVMTypeRef t, LLVMValueRef p, BlAlias a, unsigned align);
LLVMValueRef bl_store(BlCtx *c, LLVMValueRef v, LLVMValueRef p, BlAlias a, unsigned align);
LLVMValueRef bl_pc(BlCtx *c);                               /* current insn's pc (i64) */
void bl_store_pc(BlCtx *c);  /* the pc slot := current pc (once per marker) */
void bl_state_barrier(BlCtx *c);

/* Leave the function: {pc, kind}. */
void bl_ret(BlCtx *c, LLVMValueRef pc, unsigned kind);
/* Write exc fields and leave with {current pc, BL_EXIT_EXCEPTION}. */
void bl_raise(BlCtx *c, IrExc exc, LLVMValueRef arg, bool write);
void bl_br_rare(BlCtx *c, LLVMValueRef cond, LLVMBasicBlockRef rare, LLVMBasicBlockRef usual);
/* If cond (i1) holds, raise exc with arg; code continues in a new block. */
void bl_raise_if(BlCtx *c, LLVMValueRef cond, IrExc exc, LLVMValueRef arg, bool write);

/* Calls: an intrinsic overloaded on `types`; inline asm (pure unless side). */
LLVMValueRef bl_intrinsic(BlCtx *c, const char *name, LLVMTypeRef *types, unsigned ntypes,
                          LLVMValueRef *args, unsigned nargs);
LLVMValueRef bl_asm(BlCtx *c, LLVMTypeRef ret, const char *text, const char *constraints,
                    LLVMValueRef *args, unsigned nargs, bool side);
/* Declare (once) an external function of the module. */
LLVMValueRef bl_extern(BlCtx *c, const char *name, LLVMTypeRef fnty);
/* Add the memory(...) attribute (LLVM's MemoryEffects encoding) to a call. */
void bl_call_memory(BlCtx *c, LLVMValueRef call, unsigned effects);
enum { BL_ME_REF = 1, BL_ME_MOD = 2 };
#define BL_ME_ARG(x) ((unsigned)(x) << 0)
#define BL_ME_INACC(x) ((unsigned)(x) << 2)
#define BL_ME_OTHER(x) ((unsigned)(x) << 4)

/* The generic fallback: r = ir_eval(op ...) through bl_h_eval. */
void bl_eval(BlCtx *c, IrRef r, const IrInst *in);

/* An in-function jump to IR block target (back edges check exit_request). */
void bl_goto(BlCtx *c, uint32_t target);
void bl_branch(BlCtx *c, LLVMValueRef cond, uint32_t t, uint32_t f);
/* Before a terminator: hand the pc in effect to the successors. */
void bl_block_leave(BlCtx *c);

/* Integer helpers. */
LLVMValueRef bl_zext_to(BlCtx *c, LLVMValueRef v, LLVMTypeRef t); /* zext or trunc */
LLVMValueRef bl_as_int(BlCtx *c, LLVMValueRef v, IrType t);       /* same-size integer */

/* -- Lowerings: one function per op, grouped by class (bl_lower_*.c) --------- */

#define IR_OP(name, res, args, types, imm, flags) \
  void bl_lower_##name(BlCtx *c, IrRef r, const IrInst *in);
#include "ir_ops.def"
#undef IR_OP

/* -- The C side generated code calls (bl_helpers.c) ------------------------ */

/* desc packs op, type, nargs, operand types and aux (bl_eval_desc). Operands
 * and result are IrValues at args[0..3] and out. 0, or 1: it would fault. */
uint64_t bl_h_eval(uint64_t desc, uint64_t imm, const IrValue *args, IrValue *out);
uint64_t bl_eval_desc(const IrInst *in, const IrType *at);
#define BL_SYM_EVAL "bl_h_eval"
#define BL_SYM_HELPER_PREFIX "emu_helper_"

/* -- libLLVM on demand (bl_llvm.c) --------------------------------------------- */

/* dlopen libLLVM and point every LLVM function backend_llvm calls at it (once
 * per process); false and the reason if it cannot. */
bool bl_llvm_load(char *err, size_t errsize);

/* -- Code memory (bl_codemem.c) ------------------------------------------------ */

/* One reserved address range per JIT: every object's sections come from it
 * (so RIP-relative references between them reach), page runs per object and
 * kind, W^X (RW until finalised, then RX / R). Code sections are recorded in
 * an append-only table readable from a signal handler. */
typedef struct BlCodeMem BlCodeMem;
BlCodeMem *bl_codemem_new(size_t reserve);
void bl_codemem_free(BlCodeMem *m);
bool bl_codemem_owns(const BlCodeMem *m, uintptr_t pc);
/* The code section containing pc: its [start, end). */
bool bl_codemem_section(const BlCodeMem *m, uintptr_t pc, uintptr_t *start, uintptr_t *end);
uint64_t bl_codemem_code_bytes(const BlCodeMem *m);

/* The object linking layer's memory manager callbacks (CreateContextCtx = m). */
void *bl_mm_create(void *m);
void bl_mm_terminating(void *m);
uint8_t *bl_mm_code(void *obj, uintptr_t size, unsigned align, unsigned id, const char *name);
uint8_t *bl_mm_data(void *obj, uintptr_t size, unsigned align, unsigned id, const char *name,
                    LLVMBool ro);
LLVMBool bl_mm_finalize(void *obj, char **err);
void bl_mm_destroy(void *obj);

#endif
