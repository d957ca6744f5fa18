/* bf_int.h — backend_fast internals shared by the bf_*.c files: the compile
 * context, the register allocator's small API (bf_regalloc.c), out-of-line
 * stubs and literals (bf_compile.c), and the per-class lowering entry points.
 *
 * Frame: the trampoline reserves BF_FRAME_BYTES below its saved registers; rsp
 * stays 16-byte aligned in block code and spill slot i lives at [rsp + 16*i].
 * A function needing more slots grows the frame at entry and shrinks it on
 * every way out (BfCtx.extra).
 */
#ifndef EMU_BF_INT_H
#define EMU_BF_INT_H

#include "bf.h"
#include "x64_asm.h"

enum { BF_FRAME_SLOTS = 128, BF_SLOT_BYTES = 16 };
#define BF_FRAME_BYTES (BF_FRAME_SLOTS * BF_SLOT_BYTES)
#define BF_NOREG 0xff

typedef enum BfClass { BF_GPR, BF_XMM } BfClass;
static inline BfClass bf_cls(IrType t) { return ir_type_is_int(t) ? BF_GPR : BF_XMM; }

/* Host features (cpuid), probed once. */
typedef struct BfHost {
  bool popcnt, lzcnt, bmi1, ssse3, sse41, sse42;
  bool fma; /* FMA3 and the OS saves YMM state: VEX instructions run */
  bool avx; /* AVX and the OS saves YMM state (vcmpps's 32 predicates) */
} BfHost;
extern BfHost bf_host;
void bf_host_probe(void);

/* An out-of-line stub: code that leaves the block after the main path. */
typedef enum BfStubKind {
  BF_STUB_EXC,    /* exception exc at pc; arg from `reg` (fault address) or 0 */
  BF_STUB_EXIT,   /* chainable exit's own stub: pc, info = rel32 field at `site` */
  BF_STUB_MMU,    /* softmmu slow path of the access at `reg`: see bf_lower_mem.c */
} BfStubKind;
typedef struct BfStub {
  X64Label label;
  uint8_t kind, exc, reg, write; /* reg: BF_NOREG for arg 0 */
  uint32_t site;                 /* BF_STUB_EXIT: offset of the rel32 field */
  uint64_t pc;
  /* BF_STUB_MMU: the loaded/stored value's register and type (vreg BF_NOREG:
   * an atomic, which retries the lookup), the slow path's info word, and where
   * the main path resumes. */
  uint8_t vreg, vtype;
  uint32_t info;
  X64Label resume;
} BfStub;

/* A literal in the data area after the code, reached RIP-relative. */
typedef struct BfLit {
  X64Label label;
  uint32_t off, size; /* in BfCtx.litdata */
} BfLit;

typedef struct BfRa {
  /* Per IrRef. */
  uint8_t *loc;    /* register (of the value's class) or BF_NOREG */
  int32_t *slot;   /* spill slot or -1 */
  uint8_t *stored; /* the slot holds the value */
  uint8_t *cross;  /* used outside its block: homed in its slot at definition */
  uint32_t *pos;   /* linear position of an instruction */
  uint32_t *ucur, *uend; /* remaining uses: uses[ucur .. uend) */
  uint32_t *uses;  /* positions of every use, grouped by value, ascending */
  uint32_t nslots, block_end;
  /* Per host register. */
  IrRef occ[2][16];
  uint32_t pinned[2]; /* busy for the current instruction: operands, temps, defs */
  uint32_t reserved[2]; /* fixed registers claimed by the current instruction */
  IrRef cur[2]; /* the instruction(s) being lowered (a fused pair) */
  IrRef def_extra; /* second defined value (fused pair: none) */
} BfRa;

typedef struct BfCtx {
  X64Asm a;
  const IrFunc *fn;
  const BfConfig *cfg;
  uint8_t *rw, *rx;
  BfBlock *out;
  uint64_t cur_pc;   /* the most recent insn marker */
  uint32_t block;    /* IR block being lowered */
  uint32_t extra;    /* bytes of frame beyond BF_FRAME_BYTES */
  bool use_r14;      /* guest_base does not fit a disp32: r14 holds it */
  X64Label *blabel;  /* per IR block */
  uint64_t *bpc;     /* per IR block: insn pc in effect at its start */
  uint8_t *bpc_set;
  X64Label entry, request;
  bool counter_abs;     /* the counter is bumped through an absolute address */
  uint32_t counter_fix; /* where the counter's address goes (disp32 or imm64) */
  BfStub *stubs;
  uint32_t nstubs, capstubs;
  BfLit *lits;
  uint32_t nlits, caplits;
  uint8_t *litdata;
  uint32_t litsize, litcap;
  BfRa ra;
  const uint32_t *fgroup; /* per IrRef: its flag group (bf_flag_groups.c), 0 for none */
  uint32_t hflags;        /* the group whose flags the host EFLAGS hold, 0 for none */
} BfCtx;

/* A pure op evaluated by ir_eval at run time (bf_h_eval): the slow, always
 * correct twin of every native lowering. Lives in the block's literals. */
typedef struct BfEvalDesc {
  uint16_t op;
  uint8_t type, nargs;
  uint8_t at[IR_MAX_ARGS];
  uint32_t aux;
  uint64_t imm;
  int32_t off[IR_MAX_ARGS]; /* operand's frame offset, or -1: cval holds it */
  int32_t out;              /* result's frame offset */
  IrValue cval[IR_MAX_ARGS];
} BfEvalDesc;
uint64_t bf_h_eval(const BfEvalDesc *d, uint8_t *frame); /* 0, or 1: it would fault */

typedef void (*BfLowerFn)(BfCtx *c, IrRef r, const IrInst *in);

/* -- bf_regalloc.c ---------------------------------------------------------- */

/* p grown to hold n elements of size bytes (capacity doubles from 64; aborts
 * when out of memory); *cap is updated. */
void *bf_grow(void *p, size_t n, size_t size, uint32_t *cap);
bool bf_ra_prepare(BfCtx *c); /* uses, cross-block homes; false on no memory */
void bf_ra_thread_free(void);   /* this thread's scratch (thread exit) */
void bf_ra_block_begin(BfCtx *c, uint32_t block);
void bf_ra_inst_begin(BfCtx *c, IrRef r, IrRef r2); /* r2: fused next inst or IR_NONE */
void bf_ra_inst_end(BfCtx *c);
X64Reg bf_gpr(BfCtx *c, IrRef v);            /* operand in some GPR */
X64Xmm bf_xmm(BfCtx *c, IrRef v);            /* operand in some XMM */
X64Reg bf_tmp(BfCtx *c);                     /* scratch GPR for this instruction */
X64Xmm bf_tmpx(BfCtx *c);
void bf_reserve(BfCtx *c, X64Reg r);         /* free r (moving its value) and claim it */
void bf_load_into(BfCtx *c, IrRef v, BfClass k, unsigned reg); /* copy, untracked */
X64Reg bf_def(BfCtx *c, IrRef r);            /* fresh result GPR */
X64Xmm bf_defx(BfCtx *c, IrRef r);
void bf_def_in(BfCtx *c, IrRef r, unsigned reg); /* result in a claimed register */
X64Reg bf_def_over(BfCtx *c, IrRef r, IrRef a);  /* result GPR holding a copy of a */
X64Xmm bf_defx_over(BfCtx *c, IrRef r, IrRef a);
void bf_def_slot(BfCtx *c, IrRef r);         /* result is in its slot (helpers) */
int32_t bf_slot_off(BfCtx *c, IrRef v);      /* the value's slot, stored; rsp offset */
int32_t bf_slot_of(BfCtx *c, IrRef r);       /* r's slot (allocated), rsp offset */
void bf_clobber_call(BfCtx *c);              /* save and drop caller-saved registers */
bool bf_is_const(const BfCtx *c, IrRef v, uint64_t *val); /* const (not vconst) */
bool bf_imm32(const BfCtx *c, IrRef v, int64_t *imm); /* const usable as imm32 */

/* -- bf_compile.c: stubs, literals, common sequences ----------------------- */

X64Label *bf_stub_exc(BfCtx *c, IrExc exc, unsigned reg, bool write);
uint32_t bf_stub_new(BfCtx *c, BfStubKind kind); /* index in c->stubs (which may move) */
void bf_emit_mmu_stub(BfCtx *c, BfStub *s);       /* bf_lower_mem.c */
X64Label *bf_lit(BfCtx *c, const void *data, uint32_t size);
void bf_rip_lit(BfCtx *c, const void *data, uint32_t size); /* after a RIP operand */
void bf_leave_frame(BfCtx *c);          /* undo the extra frame before leaving */
void bf_leave(BfCtx *c, uint64_t pc, unsigned kind); /* rax = pc, rdx = kind, epilogue */
void bf_emit_exit(BfCtx *c, uint64_t pc);            /* chainable exit PC */
void bf_goto(BfCtx *c, uint32_t target);             /* jump to an IR block */
void bf_jcc_block(BfCtx *c, X64Cond cc, uint32_t target);
void bf_jmp_abs(BfCtx *c, const void *rx_target);
void bf_call_abs(BfCtx *c, const void *fn);
void bf_emit_jcache_jump(BfCtx *c); /* rax = guest pc; clobbers rcx, rdx */
X64Mem bf_guest_mem(BfCtx *c, X64Reg addr); /* [r14 + addr] or [addr] */
void bf_eval_helper(BfCtx *c, IrRef r, const IrInst *in); /* any pure op via ir_eval */
void bf_store_value(BfCtx *c, X64Mem m, IrRef v, IrType t);  /* (bf_lower_ctrl.c) */
void bf_branch_cc(BfCtx *c, X64Cond cc, uint32_t t, uint32_t f); /* to t if cc, else f */
static inline X64Size bf_size(IrType t) {
  unsigned b = ir_type_info[t].bytes;
  return b == 8 ? X64_S64 : b == 4 ? X64_S32 : b == 2 ? X64_S16 : X64_S8;
}
static inline X64Mem bf_rsp(int32_t off) { return x64_mem(X64_RSP, off); }
static inline X64Mem bf_cpu(int32_t off) { return x64_mem(X64_R15, off); }

/* -- Lowerings: one function per op, grouped by class (bf_lower_*.c) ------- */

#define IR_OP(name, res, args, types, imm, flags) \
  void bf_lower_##name(BfCtx *c, IrRef r, const IrInst *in);
#include "ir_ops.def"
#undef IR_OP

/* Shared between the class files. */
void bf_lower_vec_arith(BfCtx *c, IrRef r, const IrInst *in); /* vector forms of int ops */
void bf_lower_vec_cmp(BfCtx *c, IrRef r, const IrInst *in);   /* vector cmp / fcmp */
void bf_zext_reg(BfCtx *c, X64Reg reg, IrType t);             /* to 64 bits, in place */
void bf_sext_reg(BfCtx *c, X64Reg reg, IrType t);

/* Flag groups (bf_flag_groups.c, bf_lower_flags.c): flag ops answered by one
 * host sub (cmp) or add of the same operands at the same size. */
typedef struct BfFlagKey {
  uint8_t add, size;      /* add or sub; X64Size */
  uint8_t aconst, bconst; /* a or b is a constant's value rather than an IrRef */
  uint64_t a, b;
} BfFlagKey;
typedef struct BfFlagUse {
  BfFlagKey key;
  bool direct; /* the op's own operands are the key's (else: a test of its operand gives its flag) */
  X64Cond cc;  /* its value after the host op */
} BfFlagUse;
bool bf_flag_use(const IrFunc *fn, IrRef r, BfFlagUse *u); /* r is a groupable flag op */
/* Schedules each block's groups as runs and sets c->fgroup; returns fn, or a
 * shadow of it whose blocks list the new order. */
const IrFunc *bf_flag_groups(BfCtx *c, const IrFunc *fn);
void bf_flag_groups_free(void); /* this thread's scratch (thread exit) */
void bf_lower_flag_member(BfCtx *c, IrRef r, const IrInst *in);

/* Fused compare + consumer (bf_lower_flags.c): cmp/fcmp r whose only use is
 * the next instruction (br or select), or a flag group's member whose only use
 * is the next instruction, the set of an i1 slot. */
bool bf_fusable(const BfCtx *c, const IrInst *cmp, const IrInst *next, IrRef r);
void bf_lower_fused(BfCtx *c, IrRef cmp, IrRef next);

#endif
