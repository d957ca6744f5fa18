/* ir.h — emu's shared intermediate representation.
 *
 * A function (one guest block, or a region of them) is a list of basic blocks;
 * each block a list of SSA instructions ending in one terminator. Values cross
 * blocks only by dominance; state that merges lives in guest register slots,
 * described by the frontend's IrRegFile. The IR knows no guest and no host:
 * ops and their properties come from ir_ops.def, types from IR_TYPEDEF below.
 * See docs/ir.md for the text form and the semantics of each op.
 */
#ifndef EMU_IR_H
#define EMU_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* -- Types --------------------------------------------------------------- */

/* IR_TYPEDEF(name, bytes, lane type, lanes). ORDER IR: scalars, then vectors. */
#define IR_TYPEDEF(_)               \
  _(void, 0, void, 0)               \
  _(i1, 1, i1, 1)                   \
  _(i8, 1, i8, 1)                   \
  _(i16, 2, i16, 1)                 \
  _(i32, 4, i32, 1)                 \
  _(i64, 8, i64, 1)                 \
  _(f32, 4, f32, 1)                 \
  _(f64, 8, f64, 1)                 \
  _(v16i8, 16, i8, 16)              \
  _(v8i16, 16, i16, 8)              \
  _(v4i32, 16, i32, 4)              \
  _(v2i64, 16, i64, 2)              \
  _(v4f32, 16, f32, 4)              \
  _(v2f64, 16, f64, 2)

typedef enum IrType {
#define IR_TYPE_ENUM(name, bytes, lane, lanes) IR_T_##name,
  IR_TYPEDEF(IR_TYPE_ENUM)
#undef IR_TYPE_ENUM
  IR_T__COUNT
} IrType;

/* Type sets, as bit masks over IrType, used by the op table. */
#define IR_TSB(t) (1u << IR_T_##t)
#define IR_TS_INT (IR_TSB(i8) | IR_TSB(i16) | IR_TSB(i32) | IR_TSB(i64))
#define IR_TS_INTB (IR_TS_INT | IR_TSB(i1))
#define IR_TS_FLT (IR_TSB(f32) | IR_TSB(f64))
#define IR_TS_INTVEC (IR_TSB(v16i8) | IR_TSB(v8i16) | IR_TSB(v4i32) | IR_TSB(v2i64))
#define IR_TS_FLTVEC (IR_TSB(v4f32) | IR_TSB(v2f64))
#define IR_TS_VEC (IR_TS_INTVEC | IR_TS_FLTVEC)
#define IR_TS_V8 IR_TSB(v16i8)
#define IR_TS_INTV (IR_TS_INT | IR_TS_INTVEC)
#define IR_TS_FLTV (IR_TS_FLT | IR_TS_FLTVEC)
#define IR_TS_BITS (IR_TS_INTB | IR_TS_INTVEC)
#define IR_TS_SCALAR (IR_TS_INTB | IR_TS_FLT)
#define IR_TS_VALUE (IR_TS_SCALAR | IR_TS_VEC)
#define IR_TS_MEM (IR_TS_INT | IR_TS_FLT | IR_TS_VEC)
#define IR_TS_CALL (IR_TSB(void) | IR_TS_INT)

typedef struct IrTypeInfo {
  const char *name;
  uint8_t bytes;
  uint8_t lane;  /* IrType of one lane (the type itself for scalars) */
  uint8_t lanes; /* 1 for scalars */
} IrTypeInfo;

extern const IrTypeInfo ir_type_info[IR_T__COUNT];

static inline unsigned ir_type_bits(IrType t) {
  return t == IR_T_i1 ? 1 : ir_type_info[t].bytes * 8u;
}
static inline bool ir_type_is_vec(IrType t) { return t >= IR_T_v16i8; }
static inline bool ir_type_is_int(IrType t) { return t >= IR_T_i1 && t <= IR_T_i64; }
static inline bool ir_type_is_flt(IrType t) { return t == IR_T_f32 || t == IR_T_f64; }
static inline IrType ir_type_lane(IrType t) { return (IrType)ir_type_info[t].lane; }
static inline bool ir_type_in(IrType t, uint32_t set) { return (set >> t) & 1u; }
IrType ir_type_int_of_bits(unsigned bits); /* 1,8,16,32,64 -> i*, else IR_T_void */

/* -- Ops ----------------------------------------------------------------- */

enum {
  IRF_PURE = 1 << 0,
  IRF_FAULT = 1 << 1,
  IRF_LOAD = 1 << 2,
  IRF_STORE = 1 << 3,
  IRF_STATE = 1 << 4,
  IRF_EFFECT = 1 << 5,
  IRF_MARK = 1 << 6,
  IRF_CALL = 1 << 7,
  IRF_TERM = 1 << 8,
  IRF_COMM = 1 << 9,
  /* Uses the floating-point environment (IR_FENV_*): reads its flush controls
   * and raises its flags. Folded only when neither matters; not merged across
   * a fenv_set. */
  IRF_FENV = 1 << 10,
  /* Kept when unused: the flags it raises are observable (fenv_get). */
  IRF_KEEP = 1 << 11,
};

/* How an instruction uses its imm and aux fields. */
typedef enum IrImmKind {
  IR_IMM_NONE,
  IR_IMM_CONST,   /* imm: the value's bits (floats as their IEEE bits) */
  IR_IMM_POOL,    /* imm: index into IrFunc.pool (128-bit constants) */
  IR_IMM_SLOT,    /* imm: guest register slot in the IrRegFile */
  IR_IMM_PC,      /* imm: guest pc; aux: instruction length (insn) */
  IR_IMM_PRED,    /* imm: IrPred */
  IR_IMM_BITS,    /* imm: lsb; aux: width */
  IR_IMM_LANE,    /* imm: lane index */
  IR_IMM_KIND,    /* imm: op-specific enum (IrDivMode, IrMemFlags, ...) */
  IR_IMM_HELPER,  /* imm: helper index (ir_helper_get) */
  IR_IMM_TARGETS, /* imm: first target block; aux: second target block (br) */
} IrImmKind;

typedef enum IrOp {
#define IR_OP(name, res, args, types, imm, flags) IR_OP_##name,
#include "ir_ops.def"
#undef IR_OP
  IR_OP__COUNT
} IrOp;

typedef struct IrOpInfo {
  const char *name;
  char result;      /* 'v', 'T' or 'b' */
  const char *args; /* operand kinds, see ir_ops.def */
  uint32_t types;   /* allowed type set */
  IrImmKind imm;
  uint16_t flags;
} IrOpInfo;

extern const IrOpInfo ir_op_info[IR_OP__COUNT];

/* An op is removable when unused if it computes a value and has no effect. */
static inline bool ir_op_removable(IrOp op) {
  uint16_t f = ir_op_info[op].flags;
  if (f & (IRF_FAULT | IRF_STORE | IRF_EFFECT | IRF_MARK | IRF_CALL | IRF_TERM | IRF_KEEP))
    return false;
  return op != IR_OP_fence;
}

/* -- Op-specific immediates ---------------------------------------------- */

/* Comparison predicates (cmp: integer; fcmp: ordered/unordered float). */
#define IR_PREDDEF(_)                                                          \
  _(eq) _(ne) _(ult) _(ule) _(ugt) _(uge) _(slt) _(sle) _(sgt) _(sge)          \
  _(foeq) _(fone) _(folt) _(fole) _(fogt) _(foge) _(ford)                      \
  _(fueq) _(fune) _(fult) _(fule) _(fugt) _(fuge) _(funo)
typedef enum IrPred {
#define IR_PRED_ENUM(n) IR_PRED_##n,
  IR_PREDDEF(IR_PRED_ENUM)
#undef IR_PRED_ENUM
  IR_PRED__COUNT
} IrPred;
extern const char *const ir_pred_name[IR_PRED__COUNT];

/* Rounding modes, as i8 operand values. Same order as x86 MXCSR.RC. */
enum { IR_RM_NEAREST = 0, IR_RM_DOWN = 1, IR_RM_UP = 2, IR_RM_ZERO = 3 };

/* fround kind bits. */
enum { IR_ROUND_INEXACT = 1 }; /* raise inexact when the result differs (x86 round imm[3]=0, Arm frintx) */

/* The floating-point environment word (fenv_get / fenv_set, docs/ir-semantics.md):
 * sticky exception flags raised by the FP ops, and two flush controls. The bits
 * are the IR's own; a backend maps them to its host (on x86-64 they sit where
 * MXCSR has them). Rounding is not in it: every FP op takes its mode as an operand. */
enum {
  IR_FENV_INVALID = 1 << 0,   /* invalid operation (incl. a signalling NaN operand) */
  IR_FENV_DENORMAL = 1 << 1,  /* an operand was denormal (x86 DE; never with DAZ) */
  IR_FENV_DIVZERO = 1 << 2,   /* division of a finite nonzero number by zero */
  IR_FENV_OVERFLOW = 1 << 3,  /* the rounded result exceeded the largest finite */
  IR_FENV_UNDERFLOW = 1 << 4, /* tiny (after rounding) and inexact, or flushed by FTZ */
  IR_FENV_INEXACT = 1 << 5,   /* the result was rounded */
  IR_FENV_FLAGS = 0x3f,
  IR_FENV_DAZ = 1 << 6,       /* control: denormal operands read as signed zero */
  IR_FENV_FTZ = 1 << 15,      /* control: tiny results become signed zero */
  IR_FENV_CONTROLS = IR_FENV_DAZ | IR_FENV_FTZ,
  IR_FENV_ALL = IR_FENV_FLAGS | IR_FENV_CONTROLS,
};

/* The calling thread's FP environment as an IR fenv word (ir_fenv.c): what
 * generated code and the interpreter run under (the host's rounding mode and
 * exception masks are not part of it and stay as they are: nearest, masked).
 * raise ORs flags in. The runtime loads a guest's word while it runs guest code. */
uint32_t ir_fenv_host_get(void);
void ir_fenv_host_set(uint32_t env);
void ir_fenv_host_raise(uint32_t flags);

/* udiv/sdiv/urem/srem: what happens on a zero divisor or signed overflow. */
typedef enum IrDivMode {
  IR_DIV_TRAP = 0, /* raise IR_EXC_DIVIDE (x86 #DE) */
  IR_DIV_ZERO = 1, /* x / 0 = 0, x % 0 = x, MIN / -1 = MIN, MIN % -1 = 0 (AArch64) */
} IrDivMode;
/* udivw..sremw (dividend hi:lo, twice the width) always trap on zero or on a
 * quotient that does not fit the type, as x86 div/idiv do. */

/* load/store kind bits. */
enum {
  IR_MEM_ACQUIRE = 1 << 0, /* load-acquire / store-release ordering */
  IR_MEM_RELEASE = 1 << 1,
  IR_MEM_ALIGN = 1 << 2, /* fault if not naturally aligned */
};

/* armw kinds: atomically mem = op(mem, val); result is the old value. */
#define IR_RMWDEF(_) _(xchg) _(add) _(and) _(or) _(xor) _(smin) _(smax) _(umin) _(umax)
typedef enum IrRmw {
#define IR_RMW_ENUM(n) IR_RMW_##n,
  IR_RMWDEF(IR_RMW_ENUM)
#undef IR_RMW_ENUM
  IR_RMW__COUNT
} IrRmw;
extern const char *const ir_rmw_name[IR_RMW__COUNT];

/* fence kinds. */
enum { IR_FENCE_FULL = 0, IR_FENCE_LOAD = 1, IR_FENCE_STORE = 2 };

/* itof/ftoi kinds. */
enum {
  IR_CVT_SIGNED = 0,
  IR_CVT_UNSIGNED = 1,
  /* ftoi: NaN/out of range give the "integer indefinite" (MIN of the type, x86)
   * unless IR_CVT_SAT, which saturates and maps NaN to 0 (AArch64). */
  IR_CVT_SAT = 2,
};

/* vnarrow kinds: each wide lane of a (low half) and b (high half) to a narrow lane. */
enum {
  IR_NARROW_TRUNC = 0, /* keep the low bits */
  IR_NARROW_SSAT = 1,  /* signed -> signed, saturating */
  IR_NARROW_USAT = 2,  /* signed -> unsigned, saturating */
  IR_NARROW_UUSAT = 3, /* unsigned -> unsigned, saturating */
};
/* vwidenlo/vwidenhi kinds. */
enum { IR_WIDEN_ZERO = 0, IR_WIDEN_SIGN = 1 };

/* Guest exceptions a block can raise (raise kind, and interpreter results). */
#define IR_EXCDEF(_)                                                           \
  _(undef)   /* unknown or invalid instruction: SIGILL */                      \
  _(divide)  /* divide error: SIGFPE */                                        \
  _(breakpt) /* int3 / brk: SIGTRAP */                                         \
  _(trap)    /* software interrupt or other trap; arg carries the vector */    \
  _(priv)    /* privileged or protection fault: SIGSEGV (si_addr 0) */         \
  _(halt)    /* hlt / wfi */                                                   \
  _(fault)   /* memory fault at arg (interpreter/backends, not frontends) */   \
  _(sys)     /* system mode: an instruction the runner carries out itself */
typedef enum IrExc {
#define IR_EXC_ENUM(n) IR_EXC_##n,
  IR_EXCDEF(IR_EXC_ENUM)
#undef IR_EXC_ENUM
  IR_EXC__COUNT
} IrExc;
extern const char *const ir_exc_name[IR_EXC__COUNT];

/* -- Guest register files ------------------------------------------------ */

typedef enum IrRegClass {
  IR_RC_GPR,  /* general purpose */
  IR_RC_FLAG, /* one i1 flag, stored as a byte 0/1 */
  IR_RC_VEC,  /* vector register */
  IR_RC_FP,   /* floating point / fp control */
  IR_RC_SYS,  /* system or segment state */
  IR_RC_PC,   /* the guest program counter */
} IrRegClass;

typedef struct IrReg {
  const char *name;
  uint32_t offset; /* byte offset in the guest CPU struct */
  uint8_t type;    /* IrType */
  uint8_t cls;     /* IrRegClass */
} IrReg;

/* Declared once per guest by its frontend, as data. */
typedef struct IrRegFile {
  const char *name;
  const IrReg *regs;
  uint32_t count;
  uint32_t state_size; /* bytes of guest CPU state the slots live in */
} IrRegFile;

int ir_regfile_find(const IrRegFile *rf, const char *name, size_t len); /* -1 if none */

/* -- Helpers ------------------------------------------------------------- */

/* A helper is a C function: result fn(cpu, a0, a1, a2, a3). Its flags say what
 * the IR must assume about it. */
typedef uint64_t (*IrHelperFn)(void *cpu, uint64_t a0, uint64_t a1, uint64_t a2,
                               uint64_t a3);
enum {
  IR_HELPER_READS_STATE = 1 << 0,  /* reads guest registers from cpu */
  IR_HELPER_WRITES_STATE = 1 << 1, /* writes guest registers in cpu */
  IR_HELPER_MEMORY = 1 << 2,       /* touches guest memory (may fault) */
};
typedef struct IrHelper {
  const char *name;
  IrHelperFn fn;
  uint8_t nargs;  /* 0..4 */
  uint8_t result; /* IrType: void or an integer type */
  uint8_t flags;  /* IR_HELPER_* */
} IrHelper;

/* Helpers are registered once (by frontends or runners) and named in IR text. */
int ir_helper_register(const IrHelper *h); /* returns its index, or the existing one */
const IrHelper *ir_helper_get(uint32_t index);
int ir_helper_find(const char *name, size_t len); /* -1 if none */
/* Guest memory for IR_HELPER_MEMORY helpers that reach it themselves (x86
 * cmpxchg16b): the runner's IrMemOps, per thread. ir_interp sets it while it
 * runs a function; a compiled tier sets it for the thread running guest code.
 * A helper that finds none, or no atomic_ptr, treats the access as a fault. */
struct IrMemOps;
void ir_helper_set_mem(const struct IrMemOps *mem);
const struct IrMemOps *ir_helper_mem(void);
/* Atomically: if the 16 bytes at host pointer p equal hi:lo, store nhi:nlo;
 * either way hi:lo get the old contents. For helpers of 128-bit atomics. */
bool ir_cas128(void *p, uint64_t *lo, uint64_t *hi, uint64_t nlo, uint64_t nhi);

/* -- Instructions, blocks, functions ------------------------------------- */

typedef uint32_t IrRef; /* index into IrFunc.insts; 0 is "no value" */
#define IR_NONE 0u
#define IR_MAX_ARGS 4

typedef struct IrInst {
  uint16_t op;   /* IrOp */
  uint8_t type;  /* IrType of the result (void for none) */
  uint8_t nargs;
  uint32_t aux;
  IrRef args[IR_MAX_ARGS];
  uint64_t imm;
} IrInst;

typedef struct IrBlock {
  IrRef *insts; /* in order; the last one is the terminator */
  uint32_t n, cap;
} IrBlock;

typedef struct IrV128 {
  uint64_t lo, hi;
} IrV128;

typedef struct IrFunc {
  const IrRegFile *rf;
  IrInst *insts; /* insts[0] is unused so that IR_NONE is 0 */
  uint32_t ninsts, cap_insts;
  IrBlock *blocks;
  uint32_t nblocks, cap_blocks;
  IrV128 *pool;
  uint32_t npool, cap_pool;
  uint32_t cur;   /* block the builder appends to */
  bool fold;      /* builder folds constants and identities as it emits */
  uint64_t entry; /* guest pc of the entry (informational) */
  uint8_t mmu_idx; /* system mode: the softmmu TLB its guest accesses use */
} IrFunc;

IrFunc *ir_func_new(const IrRegFile *rf);
void ir_func_free(IrFunc *fn);
void ir_func_reset(IrFunc *fn); /* empty, keeping allocations */
/* Append src's blocks and instructions to dst (a region of guest blocks):
 * returns the index src's block 0 got in dst; refs, targets and pool indices
 * are renumbered. Control still leaves through src's terminators. */
uint32_t ir_func_append(IrFunc *dst, const IrFunc *src);

static inline IrInst *ir_inst(const IrFunc *fn, IrRef r) { return &fn->insts[r]; }
static inline IrType ir_typeof(const IrFunc *fn, IrRef r) {
  return (IrType)fn->insts[r].type;
}
static inline bool ir_is_const(const IrFunc *fn, IrRef r) {
  return fn->insts[r].op == IR_OP_const;
}

/* -- Builder ------------------------------------------------------------- */

uint32_t ir_block_new(IrFunc *fn);               /* returns the block index */
void ir_block_set(IrFunc *fn, uint32_t block);   /* append to this block next */
bool ir_block_terminated(const IrFunc *fn, uint32_t block);

/* The general emitter: every typed helper below goes through it. With
 * fn->fold set it returns an existing or constant value when it can
 * (ir_fold.c), so frontends may emit naively. */
IrRef ir_emit(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
              uint64_t imm, uint32_t aux);
/* The raw emitter: no folding (the parser and passes use it). */
IrRef ir_emit_raw(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
                  uint64_t imm, uint32_t aux);

IrRef ir_const(IrFunc *fn, IrType type, uint64_t value);
IrRef ir_vconst(IrFunc *fn, IrType type, IrV128 value);
IrRef ir_get(IrFunc *fn, uint32_t slot);
void ir_set(IrFunc *fn, uint32_t slot, IrRef v);
void ir_insn(IrFunc *fn, uint64_t pc, uint32_t len);

IrRef ir_op1(IrFunc *fn, IrOp op, IrRef a);                     /* type of a */
IrRef ir_op2(IrFunc *fn, IrOp op, IrRef a, IrRef b);            /* type of a */
IrRef ir_op3(IrFunc *fn, IrOp op, IrRef a, IrRef b, IrRef c);   /* type of a */
IrRef ir_flag(IrFunc *fn, IrOp op, IrRef a, IrRef b, IrRef cin); /* addcf..subof: i1 */
IrRef ir_cmp(IrFunc *fn, IrPred p, IrRef a, IrRef b);
IrRef ir_fcmp(IrFunc *fn, IrPred p, IrRef a, IrRef b);  /* quiet: invalid on a signalling NaN */
IrRef ir_fcmps(IrFunc *fn, IrPred p, IrRef a, IrRef b); /* signalling: invalid on any NaN */
IrRef ir_fenv_get(IrFunc *fn);                          /* i32: the IR_FENV_* word */
void ir_fenv_set(IrFunc *fn, IrRef env);
IrRef ir_select(IrFunc *fn, IrRef c, IrRef a, IrRef b);
IrRef ir_cast(IrFunc *fn, IrOp op, IrType to, IrRef a); /* zext sext trunc bitcast */
IrRef ir_extract(IrFunc *fn, IrRef a, unsigned lsb, unsigned width, bool sign);
IrRef ir_deposit(IrFunc *fn, IrRef base, IrRef field, unsigned lsb, unsigned width);
IrRef ir_div(IrFunc *fn, IrOp op, IrRef a, IrRef b, IrDivMode mode);
IrRef ir_load(IrFunc *fn, IrType type, IrRef addr, uint32_t memflags);
void ir_store(IrFunc *fn, IrRef addr, IrRef v, uint32_t memflags);
IrRef ir_call(IrFunc *fn, uint32_t helper, uint32_t nargs, const IrRef *args);

void ir_br(IrFunc *fn, IrRef cond, uint32_t if_true, uint32_t if_false);
void ir_jmp(IrFunc *fn, uint32_t target);
void ir_exit(IrFunc *fn, uint64_t pc);
void ir_exiti(IrFunc *fn, IrRef pc);
void ir_syscall(IrFunc *fn, uint64_t next_pc);
void ir_raise(IrFunc *fn, IrExc exc, IrRef arg);

/* -- Printer, parser, validator, passes ---------------------------------- */

/* Text form (docs/ir.md). The printer writes what the parser reads. */
char *ir_print(const IrFunc *fn);                 /* malloc'd */
void ir_print_inst(const IrFunc *fn, IrRef r, char *buf, size_t size);
/* Parse one function. On error returns NULL and writes "line N: reason". */
IrFunc *ir_parse(const char *text, const IrRegFile *rf, char *err, size_t errsize);

/* Returns true if valid; else writes the first problem to err. */
bool ir_validate(const IrFunc *fn, char *err, size_t errsize);

/* Fold one instruction: the value it can be replaced by, or IR_NONE. */
IrRef ir_fold(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
              uint64_t imm, uint32_t aux);

/* Passes (ir_pass_*.c), listed in ir_passes.c. */
typedef struct IrPassOptions {
  /* Register classes (1 << IrRegClass) a may-fault instruction must see
   * up to date: writes to them are not removed across one. */
  uint32_t precise_classes;
} IrPassOptions;
#define IR_PRECISE_ALL 0xffffffffu

void ir_pass_fold(IrFunc *fn);                           /* constant folding */
void ir_pass_forward(IrFunc *fn);                        /* slot get/set forwarding */
void ir_pass_cse(IrFunc *fn);                            /* local common subexpressions */
void ir_pass_dse(IrFunc *fn, const IrPassOptions *opt);  /* dead slot writes (flags) */
void ir_pass_dce(IrFunc *fn);                            /* unused pure values */
void ir_optimize(IrFunc *fn, const IrPassOptions *opt);  /* the standard pipeline */

/* -- Reference interpreter ----------------------------------------------- */

/* Guest memory as the runner sees it. Each returns 0, or nonzero to fault at
 * addr. atomic_ptr gives a host pointer for an atomic access or NULL to fault. */
typedef struct IrMemOps {
  void *ctx;
  int (*load)(void *ctx, uint64_t addr, unsigned size, void *out);
  int (*store)(void *ctx, uint64_t addr, unsigned size, const void *in);
  void *(*atomic_ptr)(void *ctx, uint64_t addr, unsigned size);
} IrMemOps;

typedef enum IrExitKind {
  IR_EXIT_JUMP,      /* continue at pc */
  IR_EXIT_SYSCALL,   /* perform the guest syscall, then continue at pc */
  IR_EXIT_EXCEPTION, /* exc raised by the instruction at pc; addr for faults */
} IrExitKind;

typedef struct IrExit {
  IrExitKind kind;
  IrExc exc;
  uint64_t pc;   /* next pc, or the pc of the excepting instruction */
  uint64_t addr; /* fault address (IR_EXC_fault) or raise argument */
  bool is_write; /* IR_EXC_fault: the access was a write */
} IrExit;

/* Execute fn against the guest CPU struct `cpu` (laid out per fn->rf). */
IrExit ir_interp(const IrFunc *fn, void *cpu, const IrMemOps *mem);

/* Evaluate one pure op on constant operands (used by the folder, so that
 * folding and execution can never disagree). Returns false if it would fault. */
typedef union IrValue {
  uint64_t u64;
  IrV128 v;
  uint8_t b[16];
} IrValue;
bool ir_eval(IrOp op, IrType type, const IrType *argtypes, const IrValue *args,
             uint32_t nargs, uint64_t imm, uint32_t aux, IrValue *out);

#endif /* EMU_IR_H */
