/* ir.c — IR tables (types, ops, names), helper registry, functions and the builder.
 * Every emission goes through ir_emit, which folds when fn->fold is set. */
#include "ir.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -- Tables generated from the definitions ------------------------------- */

const IrTypeInfo ir_type_info[IR_T__COUNT] = {
#define IR_TYPE_INFO(name, bytes, lane, lanes) [IR_T_##name] = {#name, bytes, IR_T_##lane, lanes},
    IR_TYPEDEF(IR_TYPE_INFO)
#undef IR_TYPE_INFO
};

const IrOpInfo ir_op_info[IR_OP__COUNT] = {
#define IR_OP(name, res, args, types, imm, flags) \
  [IR_OP_##name] = {#name, res, args, types, IR_IMM_##imm, flags},
#include "ir_ops.def"
#undef IR_OP
};

const char *const ir_pred_name[IR_PRED__COUNT] = {
#define IR_PRED_NAME(n) #n,
    IR_PREDDEF(IR_PRED_NAME)
#undef IR_PRED_NAME
};

const char *const ir_rmw_name[IR_RMW__COUNT] = {
#define IR_RMW_NAME(n) #n,
    IR_RMWDEF(IR_RMW_NAME)
#undef IR_RMW_NAME
};

const char *const ir_exc_name[IR_EXC__COUNT] = {
#define IR_EXC_NAME(n) #n,
    IR_EXCDEF(IR_EXC_NAME)
#undef IR_EXC_NAME
};

/* ORDER IR: the type predicates in ir.h rely on this layout. */
_Static_assert(IR_T_i1 == 1 && IR_T_i64 == 5, "integer types are contiguous");
_Static_assert(IR_T_v16i8 == IR_T_f64 + 1, "vectors follow scalars");
_Static_assert(IR_T__COUNT <= 32, "type sets are 32-bit masks");
_Static_assert(IR_OP__COUNT < 65536, "op fits IrInst.op");

IrType ir_type_int_of_bits(unsigned bits) {
  switch (bits) {
  case 1: return IR_T_i1;
  case 8: return IR_T_i8;
  case 16: return IR_T_i16;
  case 32: return IR_T_i32;
  case 64: return IR_T_i64;
  default: return IR_T_void;
  }
}

int ir_regfile_find(const IrRegFile *rf, const char *name, size_t len) {
  for (uint32_t i = 0; i < rf->count; i++)
    if (strlen(rf->regs[i].name) == len && memcmp(rf->regs[i].name, name, len) == 0)
      return (int)i;
  return -1;
}

/* -- Helper registry ----------------------------------------------------- */

/* Helpers are registered at start-up, before threads; the table only grows. */
#define IR_MAX_HELPERS 1024
static IrHelper helpers[IR_MAX_HELPERS];
static uint32_t nhelpers;

int ir_helper_register(const IrHelper *h) {
  int found = ir_helper_find(h->name, strlen(h->name));
  if (found >= 0)
    return found;
  if (nhelpers == IR_MAX_HELPERS || h->nargs > IR_MAX_ARGS)
    return -1;
  helpers[nhelpers] = *h;
  return (int)nhelpers++;
}

const IrHelper *ir_helper_get(uint32_t index) {
  return index < nhelpers ? &helpers[index] : NULL;
}

int ir_helper_find(const char *name, size_t len) {
  for (uint32_t i = 0; i < nhelpers; i++)
    if (strlen(helpers[i].name) == len && memcmp(helpers[i].name, name, len) == 0)
      return (int)i;
  return -1;
}

static _Thread_local const struct IrMemOps *helper_mem;
void ir_helper_set_mem(const struct IrMemOps *mem) { helper_mem = mem; }
const struct IrMemOps *ir_helper_mem(void) { return helper_mem; }

/* -- Functions and blocks ------------------------------------------------ */

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap)
    return p;
  uint32_t n = *cap ? *cap : 16;
  while (n < need)
    n *= 2;
  p = realloc(p, (size_t)n * elem);
  if (!p) {
    fputs("emu: out of memory\n", stderr);
    abort();
  }
  *cap = n;
  return p;
}

IrFunc *ir_func_new(const IrRegFile *rf) {
  IrFunc *fn = calloc(1, sizeof *fn);
  if (!fn)
    abort();
  fn->rf = rf;
  fn->fold = true;
  ir_func_reset(fn);
  return fn;
}

void ir_func_reset(IrFunc *fn) {
  fn->insts = grow(fn->insts, &fn->cap_insts, 1, sizeof *fn->insts);
  memset(&fn->insts[0], 0, sizeof fn->insts[0]);
  fn->ninsts = 1;
  for (uint32_t i = 0; i < fn->nblocks; i++)
    fn->blocks[i].n = 0;
  fn->nblocks = 0;
  fn->npool = 0;
  fn->cur = 0;
  fn->entry = 0;
  fn->mmu_idx = 0;
}

void ir_func_free(IrFunc *fn) {
  if (!fn)
    return;
  for (uint32_t i = 0; i < fn->cap_blocks; i++)
    free(fn->blocks[i].insts);
  free(fn->blocks);
  free(fn->insts);
  free(fn->pool);
  free(fn);
}

uint32_t ir_block_new(IrFunc *fn) {
  uint32_t old = fn->cap_blocks;
  fn->blocks = grow(fn->blocks, &fn->cap_blocks, fn->nblocks + 1, sizeof *fn->blocks);
  if (fn->cap_blocks > old)
    memset(&fn->blocks[old], 0, (fn->cap_blocks - old) * sizeof *fn->blocks);
  fn->blocks[fn->nblocks].n = 0;
  return fn->nblocks++;
}

void ir_block_set(IrFunc *fn, uint32_t block) {
  assert(block < fn->nblocks);
  fn->cur = block;
}

bool ir_block_terminated(const IrFunc *fn, uint32_t block) {
  const IrBlock *b = &fn->blocks[block];
  return b->n && (ir_op_info[fn->insts[b->insts[b->n - 1]].op].flags & IRF_TERM);
}

/* -- Emission ------------------------------------------------------------ */

IrRef ir_emit_raw(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
                  uint64_t imm, uint32_t aux) {
  assert(nargs <= IR_MAX_ARGS);
  if (fn->nblocks == 0)
    ir_block_new(fn);
  fn->insts = grow(fn->insts, &fn->cap_insts, fn->ninsts + 1, sizeof *fn->insts);
  IrRef r = fn->ninsts++;
  IrInst *in = &fn->insts[r];
  memset(in, 0, sizeof *in);
  in->op = (uint16_t)op;
  in->type = (uint8_t)type;
  in->nargs = (uint8_t)nargs;
  in->imm = imm;
  in->aux = aux;
  for (uint32_t i = 0; i < nargs; i++)
    in->args[i] = args[i];
  IrBlock *b = &fn->blocks[fn->cur];
  b->insts = grow(b->insts, &b->cap, b->n + 1, sizeof *b->insts);
  b->insts[b->n++] = r;
  return r;
}

IrRef ir_emit(IrFunc *fn, IrOp op, IrType type, uint32_t nargs, const IrRef *args,
              uint64_t imm, uint32_t aux) {
  if (fn->fold) {
    IrRef f = ir_fold(fn, op, type, nargs, args, imm, aux);
    if (f != IR_NONE)
      return f;
  }
  return ir_emit_raw(fn, op, type, nargs, args, imm, aux);
}

/* Constants are masked to their width so equal values compare equal. */
IrRef ir_const(IrFunc *fn, IrType type, uint64_t value) {
  unsigned bits = ir_type_bits(type);
  if (bits < 64)
    value &= (1ull << bits) - 1;
  return ir_emit_raw(fn, IR_OP_const, type, 0, NULL, value, 0);
}

IrRef ir_vconst(IrFunc *fn, IrType type, IrV128 value) {
  fn->pool = grow(fn->pool, &fn->cap_pool, fn->npool + 1, sizeof *fn->pool);
  fn->pool[fn->npool] = value;
  return ir_emit_raw(fn, IR_OP_vconst, type, 0, NULL, fn->npool++, 0);
}

IrRef ir_get(IrFunc *fn, uint32_t slot) {
  assert(slot < fn->rf->count);
  return ir_emit(fn, IR_OP_get, (IrType)fn->rf->regs[slot].type, 0, NULL, slot, 0);
}

void ir_set(IrFunc *fn, uint32_t slot, IrRef v) {
  ir_emit(fn, IR_OP_set, IR_T_void, 1, &v, slot, 0);
}

void ir_insn(IrFunc *fn, uint64_t pc, uint32_t len) {
  ir_emit_raw(fn, IR_OP_insn, IR_T_void, 0, NULL, pc, len);
}

IrRef ir_op1(IrFunc *fn, IrOp op, IrRef a) {
  return ir_emit(fn, op, ir_typeof(fn, a), 1, &a, 0, 0);
}

IrRef ir_op2(IrFunc *fn, IrOp op, IrRef a, IrRef b) {
  IrRef args[2] = {a, b};
  return ir_emit(fn, op, ir_typeof(fn, a), 2, args, 0, 0);
}

IrRef ir_op3(IrFunc *fn, IrOp op, IrRef a, IrRef b, IrRef c) {
  IrRef args[3] = {a, b, c};
  return ir_emit(fn, op, ir_typeof(fn, a), 3, args, 0, 0);
}

IrRef ir_flag(IrFunc *fn, IrOp op, IrRef a, IrRef b, IrRef cin) {
  if (cin == IR_NONE)
    cin = ir_const(fn, IR_T_i1, 0);
  IrRef args[3] = {a, b, cin};
  return ir_emit(fn, op, IR_T_i1, 3, args, 0, 0);
}

static IrRef emit_cmp(IrFunc *fn, IrOp op, IrPred p, IrRef a, IrRef b) {
  IrRef args[2] = {a, b};
  IrType t = ir_typeof(fn, a);
  return ir_emit(fn, op, ir_type_is_vec(t) ? t : IR_T_i1, 2, args, p, 0);
}

IrRef ir_cmp(IrFunc *fn, IrPred p, IrRef a, IrRef b) { return emit_cmp(fn, IR_OP_cmp, p, a, b); }
IrRef ir_fcmp(IrFunc *fn, IrPred p, IrRef a, IrRef b) { return emit_cmp(fn, IR_OP_fcmp, p, a, b); }
IrRef ir_fcmps(IrFunc *fn, IrPred p, IrRef a, IrRef b) { return emit_cmp(fn, IR_OP_fcmps, p, a, b); }

IrRef ir_fenv_get(IrFunc *fn) { return ir_emit(fn, IR_OP_fenv_get, IR_T_i32, 0, NULL, 0, 0); }
void ir_fenv_set(IrFunc *fn, IrRef env) { ir_emit(fn, IR_OP_fenv_set, IR_T_void, 1, &env, 0, 0); }

IrRef ir_select(IrFunc *fn, IrRef c, IrRef a, IrRef b) {
  IrRef args[3] = {c, a, b};
  return ir_emit(fn, IR_OP_select, ir_typeof(fn, a), 3, args, 0, 0);
}

IrRef ir_cast(IrFunc *fn, IrOp op, IrType to, IrRef a) {
  return ir_emit(fn, op, to, 1, &a, 0, 0);
}

IrRef ir_extract(IrFunc *fn, IrRef a, unsigned lsb, unsigned width, bool sign) {
  return ir_emit(fn, sign ? IR_OP_sextract : IR_OP_extract, ir_typeof(fn, a), 1, &a, lsb,
                 width);
}

IrRef ir_deposit(IrFunc *fn, IrRef base, IrRef field, unsigned lsb, unsigned width) {
  IrRef args[2] = {base, field};
  return ir_emit(fn, IR_OP_deposit, ir_typeof(fn, base), 2, args, lsb, width);
}

IrRef ir_div(IrFunc *fn, IrOp op, IrRef a, IrRef b, IrDivMode mode) {
  IrRef args[2] = {a, b};
  return ir_emit(fn, op, ir_typeof(fn, a), 2, args, mode, 0);
}

IrRef ir_load(IrFunc *fn, IrType type, IrRef addr, uint32_t memflags) {
  return ir_emit(fn, IR_OP_load, type, 1, &addr, memflags, 0);
}

void ir_store(IrFunc *fn, IrRef addr, IrRef v, uint32_t memflags) {
  IrRef args[2] = {addr, v};
  ir_emit(fn, IR_OP_store, IR_T_void, 2, args, memflags, 0);
}

IrRef ir_call(IrFunc *fn, uint32_t helper, uint32_t nargs, const IrRef *args) {
  const IrHelper *h = ir_helper_get(helper);
  assert(h && h->nargs == nargs);
  return ir_emit(fn, IR_OP_call, (IrType)h->result, nargs, args, helper, 0);
}

void ir_br(IrFunc *fn, IrRef cond, uint32_t if_true, uint32_t if_false) {
  ir_emit_raw(fn, IR_OP_br, IR_T_void, 1, &cond, if_true, if_false);
}

void ir_jmp(IrFunc *fn, uint32_t target) {
  ir_emit_raw(fn, IR_OP_jmp, IR_T_void, 0, NULL, target, 0);
}

void ir_exit(IrFunc *fn, uint64_t pc) { ir_emit_raw(fn, IR_OP_exit, IR_T_void, 0, NULL, pc, 0); }

void ir_exiti(IrFunc *fn, IrRef pc) { ir_emit_raw(fn, IR_OP_exiti, IR_T_void, 1, &pc, 0, 0); }

void ir_syscall(IrFunc *fn, uint64_t next_pc) {
  ir_emit_raw(fn, IR_OP_syscall, IR_T_void, 0, NULL, next_pc, 0);
}

void ir_raise(IrFunc *fn, IrExc exc, IrRef arg) {
  if (arg == IR_NONE)
    arg = ir_const(fn, IR_T_i64, 0);
  ir_emit_raw(fn, IR_OP_raise, IR_T_void, 1, &arg, exc, 0);
}

/* -- Combining functions (regions) ---------------------------------------- */

uint32_t ir_func_append(IrFunc *dst, const IrFunc *src) {
  uint32_t base = dst->ninsts - 1, bbase = dst->nblocks, pbase = dst->npool;
  dst->insts = grow(dst->insts, &dst->cap_insts, dst->ninsts + src->ninsts - 1, sizeof *dst->insts);
  for (IrRef r = 1; r < src->ninsts; r++) {
    IrInst in = src->insts[r];
    for (uint32_t k = 0; k < in.nargs; k++)
      if (in.args[k] != IR_NONE)
        in.args[k] += base;
    if (ir_op_info[in.op].imm == IR_IMM_TARGETS) {
      in.imm += bbase;
      if (in.op == IR_OP_br)
        in.aux += bbase;
    } else if (ir_op_info[in.op].imm == IR_IMM_POOL) {
      in.imm += pbase;
    }
    dst->insts[base + r] = in;
  }
  dst->ninsts += src->ninsts - 1;
  dst->pool = grow(dst->pool, &dst->cap_pool, dst->npool + src->npool, sizeof *dst->pool);
  if (src->npool)
    memcpy(dst->pool + pbase, src->pool, src->npool * sizeof *src->pool);
  dst->npool += src->npool;
  for (uint32_t b = 0; b < src->nblocks; b++) {
    uint32_t nb = ir_block_new(dst);
    IrBlock *d = &dst->blocks[nb];
    const IrBlock *s = &src->blocks[b];
    d->insts = grow(d->insts, &d->cap, s->n, sizeof *d->insts);
    for (uint32_t i = 0; i < s->n; i++)
      d->insts[i] = s->insts[i] + base;
    d->n = s->n;
  }
  return bbase;
}
