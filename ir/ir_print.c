/* ir_print.c — writes an IrFunc in the IR text form that ir_parse.c reads (the
 * grammar is at the top of that file). Driven by the op table: the op's IrImmKind
 * says which immediates follow its operands. Never trusts the function: malformed
 * fields print as `?N` so validator messages can show any instruction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "ir_names.h"

/* -- Output buffer: growable (ir_print) or the caller's, truncating ------- */

typedef struct IrSb {
  char *buf;
  size_t len, cap;
  bool grow;
} IrSb;

__attribute__((format(printf, 2, 3))) static void sb_printf(IrSb *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if (sb->len + (size_t)n >= sb->cap && sb->grow) {
    size_t cap = sb->cap * 2;
    while (cap <= sb->len + (size_t)n)
      cap *= 2;
    char *p = realloc(sb->buf, cap);
    if (!p) {
      fputs("emu: out of memory\n", stderr);
      abort();
    }
    sb->buf = p;
    sb->cap = cap;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
  }
  sb->len += (size_t)n;
  if (sb->len >= sb->cap) /* truncated into a fixed buffer: stays full */
    sb->len = sb->cap - 1;
}

/* -- Names of fields, "?N" when out of range ------------------------------ */

static void print_type(IrSb *sb, unsigned t) {
  if (t < IR_T__COUNT)
    sb_printf(sb, "%s", ir_type_info[t].name);
  else
    sb_printf(sb, "?%u", t);
}

static void print_slot(IrSb *sb, const IrFunc *fn, uint64_t slot) {
  if (fn->rf && slot < fn->rf->count)
    sb_printf(sb, "%s", fn->rf->regs[slot].name);
  else
    sb_printf(sb, "?%llu", (unsigned long long)slot);
}

static void print_helper(IrSb *sb, uint64_t index) {
  const IrHelper *h = index <= UINT32_MAX ? ir_helper_get((uint32_t)index) : NULL;
  if (h)
    sb_printf(sb, "%s", h->name);
  else
    sb_printf(sb, "?%llu", (unsigned long long)index);
}

static void print_pool(IrSb *sb, const IrFunc *fn, uint64_t index) {
  if (index < fn->npool)
    sb_printf(sb, "0x%016llx%016llx", (unsigned long long)fn->pool[index].hi,
              (unsigned long long)fn->pool[index].lo);
  else
    sb_printf(sb, "?%llu", (unsigned long long)index);
}

/* `.name` for a one-value kind; `.a.b` for a flag set, in bit order. */
static void print_kind(IrSb *sb, IrOp op, uint64_t imm) {
  const IrKindNames *kn = ir_kind_names(op);
  if (kn && !kn->flags) {
    if (imm < kn->count && kn->names[imm])
      sb_printf(sb, ".%s", kn->names[imm]);
    else
      sb_printf(sb, ".?%llu", (unsigned long long)imm);
    return;
  }
  uint64_t left = imm;
  for (uint32_t i = 0; kn && i < kn->count && i < 64; i++) {
    if (imm >> i & 1) {
      sb_printf(sb, ".%s", kn->names[i]);
      left &= ~(1ull << i);
    }
  }
  if (left)
    sb_printf(sb, ".?%llu", (unsigned long long)left);
}

/* -- Instructions --------------------------------------------------------- */

static void print_inst(IrSb *sb, const IrFunc *fn, IrRef r) {
  if (r == IR_NONE || r >= fn->ninsts) {
    sb_printf(sb, "?inst %u", r);
    return;
  }
  const IrInst *in = &fn->insts[r];
  if (in->op >= IR_OP__COUNT) {
    sb_printf(sb, "?op %u", in->op);
    return;
  }
  IrOp op = (IrOp)in->op;
  const IrOpInfo *oi = &ir_op_info[op];

  if (in->type != IR_T_void) {
    sb_printf(sb, "%%%u:", r);
    print_type(sb, in->type);
    sb_printf(sb, " = ");
  }
  sb_printf(sb, "%s", oi->name);
  if (oi->imm == IR_IMM_PRED) {
    if (in->imm < IR_PRED__COUNT)
      sb_printf(sb, ".%s", ir_pred_name[in->imm]);
    else
      sb_printf(sb, ".?%llu", (unsigned long long)in->imm);
  } else if (oi->imm == IR_IMM_KIND) {
    print_kind(sb, op, in->imm);
  }

  /* Operands: the slot comes first, a helper wraps them, immediates follow. */
  const char *sep = " ";
  if (oi->imm == IR_IMM_SLOT) {
    sb_printf(sb, "%s", sep);
    print_slot(sb, fn, in->imm);
    sep = ", ";
  }
  if (oi->imm == IR_IMM_HELPER) {
    sb_printf(sb, " ");
    print_helper(sb, in->imm);
    sb_printf(sb, "(");
    sep = "";
  }
  unsigned nargs = in->nargs <= IR_MAX_ARGS ? in->nargs : IR_MAX_ARGS;
  for (unsigned i = 0; i < nargs; i++) {
    sb_printf(sb, "%s%%%u", sep, in->args[i]);
    sep = ", ";
  }

  switch (oi->imm) {
  case IR_IMM_NONE:
  case IR_IMM_SLOT:
  case IR_IMM_PRED:
  case IR_IMM_KIND:
    break;
  case IR_IMM_HELPER:
    sb_printf(sb, ")");
    break;
  case IR_IMM_CONST:
    sb_printf(sb, "%s0x%llx", sep, (unsigned long long)in->imm);
    break;
  case IR_IMM_POOL:
    sb_printf(sb, "%s", sep);
    print_pool(sb, fn, in->imm);
    break;
  case IR_IMM_PC:
    sb_printf(sb, "%s0x%llx", sep, (unsigned long long)in->imm);
    if (ir_op_pc_has_len(op))
      sb_printf(sb, ", %u", in->aux);
    break;
  case IR_IMM_BITS:
    sb_printf(sb, "%s%llu, %u", sep, (unsigned long long)in->imm, in->aux);
    break;
  case IR_IMM_LANE:
    sb_printf(sb, "%s%llu", sep, (unsigned long long)in->imm);
    break;
  case IR_IMM_TARGETS:
    sb_printf(sb, "%sb%llu", sep, (unsigned long long)in->imm);
    if (ir_op_ntargets(op) == 2)
      sb_printf(sb, ", b%u", in->aux);
    break;
  }
}

void ir_print_inst(const IrFunc *fn, IrRef r, char *buf, size_t size) {
  if (!buf || size == 0)
    return;
  IrSb sb = {buf, 0, size, false};
  buf[0] = '\0';
  print_inst(&sb, fn, r);
}

char *ir_print(const IrFunc *fn) {
  IrSb sb = {malloc(256), 0, 256, true};
  if (!sb.buf) {
    fputs("emu: out of memory\n", stderr);
    abort();
  }
  sb.buf[0] = '\0';
  if (fn->entry)
    sb_printf(&sb, "func entry=0x%llx {\n", (unsigned long long)fn->entry);
  else
    sb_printf(&sb, "func {\n");
  for (uint32_t b = 0; b < fn->nblocks; b++) {
    sb_printf(&sb, "b%u:\n", b);
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      sb_printf(&sb, "  ");
      print_inst(&sb, fn, fn->blocks[b].insts[i]);
      sb_printf(&sb, "\n");
    }
  }
  sb_printf(&sb, "}\n");
  return sb.buf;
}
