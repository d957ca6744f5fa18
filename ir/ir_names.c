/* ir_names.c — the suffix names of IR_IMM_KIND immediates, one table indexed by
 * op. The printer and the parser both read it, so the text form cannot drift. */
#include "ir_names.h"

static const char *const div_names[] = {[IR_DIV_TRAP] = "trap", [IR_DIV_ZERO] = "zero"};
static const char *const mem_names[] = {"acq", "rel", "align"}; /* bit i */
static const char *const fence_names[] = {
    [IR_FENCE_FULL] = "full", [IR_FENCE_LOAD] = "load", [IR_FENCE_STORE] = "store"};
static const char *const itof_names[] = {[IR_CVT_SIGNED] = "s", [IR_CVT_UNSIGNED] = "u"};
static const char *const ftoi_names[] = {
    [IR_CVT_SIGNED] = "s", [IR_CVT_UNSIGNED] = "u",
    [IR_CVT_SIGNED | IR_CVT_SAT] = "s.sat", [IR_CVT_UNSIGNED | IR_CVT_SAT] = "u.sat"};
static const char *const fround_names[] = {"x"}; /* bit 0: IR_ROUND_INEXACT */
static const char *const narrow_names[] = {
    [IR_NARROW_TRUNC] = "trunc", [IR_NARROW_SSAT] = "ssat", [IR_NARROW_USAT] = "usat",
    [IR_NARROW_UUSAT] = "uusat"};
static const char *const widen_names[] = {[IR_WIDEN_ZERO] = "zero", [IR_WIDEN_SIGN] = "sign"};

_Static_assert(IR_ROUND_INEXACT == 1, "fround_names is indexed by bit");
_Static_assert(IR_MEM_ACQUIRE == 1 << 0 && IR_MEM_RELEASE == 1 << 1 && IR_MEM_ALIGN == 1 << 2,
               "mem_names is indexed by bit");

#define IR_KIND_ENUM(tab) {tab, sizeof tab / sizeof tab[0], false}
#define IR_KIND_FLAGS(tab) {tab, sizeof tab / sizeof tab[0], true}

/* cas takes the load/store ordering and alignment bits. */
static const IrKindNames kind_names[IR_OP__COUNT] = {
    [IR_OP_udiv] = IR_KIND_ENUM(div_names),
    [IR_OP_sdiv] = IR_KIND_ENUM(div_names),
    [IR_OP_urem] = IR_KIND_ENUM(div_names),
    [IR_OP_srem] = IR_KIND_ENUM(div_names),
    [IR_OP_load] = IR_KIND_FLAGS(mem_names),
    [IR_OP_store] = IR_KIND_FLAGS(mem_names),
    [IR_OP_cas] = IR_KIND_FLAGS(mem_names),
    [IR_OP_armw] = {ir_rmw_name, IR_RMW__COUNT, false},
    [IR_OP_fence] = IR_KIND_ENUM(fence_names),
    [IR_OP_fround] = IR_KIND_FLAGS(fround_names),
    [IR_OP_itof] = IR_KIND_ENUM(itof_names),
    [IR_OP_ftoi] = IR_KIND_ENUM(ftoi_names),
    [IR_OP_vnarrow] = IR_KIND_ENUM(narrow_names),
    [IR_OP_vwidenlo] = IR_KIND_ENUM(widen_names),
    [IR_OP_vwidenhi] = IR_KIND_ENUM(widen_names),
    [IR_OP_raise] = {ir_exc_name, IR_EXC__COUNT, false},
};

const IrKindNames *ir_kind_names(IrOp op) {
  if ((unsigned)op >= IR_OP__COUNT || ir_op_info[op].imm != IR_IMM_KIND || !kind_names[op].names)
    return NULL;
  return &kind_names[op];
}
