/* x64_asm_branch.c — jumps and calls (absolute targets, labels, indirect),
 * label binding, and patching of emitted code. A label's pending fixups are
 * chained through their own displacement fields: a rel32 field holds the
 * previous fixup's code (offset << 3 | bytes after the field), a rel8 field
 * the distance back to the previous rel8 fixup; x64_bind walks both chains. */
#include "x64_asm_enc.h"

#include <string.h>

enum { OPC_JCC8 = 0x70, OPC_JCC32 = 0x80, OPC_JMP8 = 0xEB, OPC_JMP32 = 0xE9, OPC_CALL = 0xE8,
       OPC_GRP5 = 0xFF, GRP5_CALL = 2, GRP5_JMP = 4 };

static int64_t x64_rel(const void *target, uintptr_t from) {
  return (int64_t)((uintptr_t)target - from);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Opcode bytes then a rel8/rel32 field holding `field`; the instruction's first
 * byte if it was written, else NULL. */
static uint8_t *put_branch(X64Asm *a, const uint8_t *opc, unsigned opc_len, unsigned rel_len,
                           uint32_t field) {
  uint8_t b[8], *insn = a->p;
  memcpy(b, opc, opc_len);
  put_le(b + opc_len, field, rel_len);
  x64_bytes(a, b, opc_len + rel_len);
  return a->p == insn + opc_len + rel_len ? insn : NULL;
}

/* A branch to an absolute target; `error` (and rel 0) if it is out of reach. */
static uint8_t *branch_to(X64Asm *a, const uint8_t *opc, unsigned opc_len, unsigned rel_len,
                          const void *target) {
  int64_t rel = x64_rel(target, (uintptr_t)a->p + opc_len + rel_len);
  if (rel_len == 1 ? !x64_fits_i8(rel) : !x64_fits_i32(rel)) {
    a->error = true;
    rel = 0;
  }
  return put_branch(a, opc, opc_len, rel_len, (uint32_t)rel);
}

static bool short_reaches(const X64Asm *a, const void *target) {
  return x64_fits_i8(x64_rel(target, (uintptr_t)a->p + 2));
}

uint8_t *x64_jcc(X64Asm *a, X64Cond cc, const void *target) {
  if (short_reaches(a, target))
    return branch_to(a, (uint8_t[]){OPC_JCC8 | (cc & 15)}, 1, 1, target);
  return x64_jcc32(a, cc, target);
}
uint8_t *x64_jmp(X64Asm *a, const void *target) {
  if (short_reaches(a, target)) return branch_to(a, (uint8_t[]){OPC_JMP8}, 1, 1, target);
  return x64_jmp32(a, target);
}
uint8_t *x64_jcc32(X64Asm *a, X64Cond cc, const void *target) {
  return branch_to(a, (uint8_t[]){0x0F, OPC_JCC32 | (cc & 15)}, 2, 4, target);
}
uint8_t *x64_jmp32(X64Asm *a, const void *target) {
  return branch_to(a, (uint8_t[]){OPC_JMP32}, 1, 4, target);
}
uint8_t *x64_call(X64Asm *a, const void *target) {
  return branch_to(a, (uint8_t[]){OPC_CALL}, 1, 4, target);
}

/* FF /2 and FF /4 default to 64-bit operands: no REX.W. */
static void grp5(X64Asm *a, unsigned digit, bool is_mem, X64Reg r, X64Mem m) {
  X64Ins in = {.opc = OPC_GRP5, .reg = (uint8_t)digit};
  if (is_mem)
    x64_ins_rm_mem(&in, m);
  else
    x64_ins_rm_reg(&in, r);
  x64_emit(a, &in);
}
void x64_jmp_r(X64Asm *a, X64Reg r) { grp5(a, GRP5_JMP, false, r, (X64Mem){0}); }
void x64_jmp_m(X64Asm *a, X64Mem m) { grp5(a, GRP5_JMP, true, X64_RAX, m); }
void x64_call_r(X64Asm *a, X64Reg r) { grp5(a, GRP5_CALL, false, r, (X64Mem){0}); }
void x64_call_m(X64Asm *a, X64Mem m) { grp5(a, GRP5_CALL, true, X64_RAX, m); }

static bool rel32_reaches(const X64Asm *a, const void *target) {
  return x64_fits_i32(x64_rel(target, (uintptr_t)a->p + 5));
}
void x64_call_far(X64Asm *a, const void *target, X64Reg scratch) {
  if (rel32_reaches(a, target)) {
    x64_call(a, target);
  } else {
    x64_mov_ri(a, X64_S64, scratch, (int64_t)(uintptr_t)target);
    x64_call_r(a, scratch);
  }
}
void x64_jmp_far(X64Asm *a, const void *target, X64Reg scratch) {
  if (rel32_reaches(a, target)) {
    x64_jmp32(a, target);
  } else {
    x64_mov_ri(a, X64_S64, scratch, (int64_t)(uintptr_t)target);
    x64_jmp_r(a, scratch);
  }
}

/* -- Labels ------------------------------------------------------------------ */

uint8_t *x64_label_addr(const X64Asm *a, const X64Label *l) {
  return l->pos < 0 ? NULL : a->start + l->pos;
}

void x64_bind(X64Asm *a, X64Label *l) {
  if (l->pos >= 0) {
    a->error = true; /* bound twice */
    return;
  }
  l->pos = (int32_t)x64_len(a);
  for (uint32_t code = l->fix32; code != 0;) {
    uint32_t off = code >> 3, end = off + 4 + (code & 7);
    uint8_t *field = a->start + off;
    code = get_le32(field);
    put_le(field, (uint32_t)(l->pos - (int32_t)end), 4);
  }
  for (uint32_t off = l->fix8; off != 0;) {
    uint8_t *field = a->start + off, back = *field;
    int32_t rel = l->pos - (int32_t)(off + 1);
    if (!x64_fits_i8(rel)) a->error = true;
    *field = (uint8_t)rel;
    off = back ? off - back : 0;
  }
  l->fix32 = l->fix8 = 0;
}

static void label_rel32(X64Asm *a, X64Label *l, const uint8_t *opc, unsigned opc_len) {
  if (l->pos >= 0) {
    branch_to(a, opc, opc_len, 4, a->start + l->pos);
    return;
  }
  uint32_t off = (uint32_t)x64_len(a) + opc_len;
  if (put_branch(a, opc, opc_len, 4, l->fix32)) l->fix32 = off << 3;
}

static void label_rel8(X64Asm *a, X64Label *l, const uint8_t *opc, unsigned opc_len) {
  if (l->pos >= 0) {
    branch_to(a, opc, opc_len, 1, a->start + l->pos);
    return;
  }
  uint32_t off = (uint32_t)x64_len(a) + opc_len, back = l->fix8 ? off - l->fix8 : 0;
  if (back > 255) { /* the previous short fixup cannot reach past this one anyway */
    a->error = true;
    back = 0;
  }
  if (put_branch(a, opc, opc_len, 1, back)) l->fix8 = off;
}

void x64_jcc_label(X64Asm *a, X64Cond cc, X64Label *l) {
  if (l->pos >= 0 && short_reaches(a, a->start + l->pos))
    label_rel8(a, l, (uint8_t[]){OPC_JCC8 | (cc & 15)}, 1);
  else
    label_rel32(a, l, (uint8_t[]){0x0F, OPC_JCC32 | (cc & 15)}, 2);
}
void x64_jmp_label(X64Asm *a, X64Label *l) {
  if (l->pos >= 0 && short_reaches(a, a->start + l->pos))
    label_rel8(a, l, (uint8_t[]){OPC_JMP8}, 1);
  else
    label_rel32(a, l, (uint8_t[]){OPC_JMP32}, 1);
}
void x64_call_label(X64Asm *a, X64Label *l) { label_rel32(a, l, (uint8_t[]){OPC_CALL}, 1); }
void x64_jcc_label_short(X64Asm *a, X64Cond cc, X64Label *l) {
  label_rel8(a, l, (uint8_t[]){OPC_JCC8 | (cc & 15)}, 1);
}
void x64_jmp_label_short(X64Asm *a, X64Label *l) { label_rel8(a, l, (uint8_t[]){OPC_JMP8}, 1); }

void x64_rip_label(X64Asm *a, X64Label *l) {
  if (a->last_rip < 0) {
    if (!a->overflow) a->error = true; /* the last instruction has no RIP operand */
    return;
  }
  uint32_t off = (uint32_t)a->last_rip;
  a->last_rip = -1; /* one fixup per field: a second would loop the chain */
  if (l->pos >= 0) {
    put_le(a->start + off, (uint32_t)(l->pos - (int32_t)(off + 4 + a->last_rip_tail)), 4);
  } else {
    put_le(a->start + off, l->fix32, 4);
    l->fix32 = off << 3 | a->last_rip_tail;
  }
}

void x64_rip_target(X64Asm *a, const void *target) {
  if (a->last_rip < 0) {
    if (!a->overflow) a->error = true;
    return;
  }
  uint8_t *field = a->start + a->last_rip;
  int64_t rel = x64_rel(target, (uintptr_t)field + 4 + a->last_rip_tail);
  a->last_rip = -1;
  if (x64_fits_i32(rel))
    put_le(field, (uint32_t)rel, 4);
  else
    a->error = true;
}

/* -- Patching ---------------------------------------------------------------- */

bool x64_patch_rel32(uint8_t *field, const void *target) {
  int64_t rel = x64_rel(target, (uintptr_t)field + 4);
  if (!x64_fits_i32(rel)) return false;
  put_le(field, (uint32_t)rel, 4);
  return true;
}

bool x64_patch_rel8(uint8_t *field, const void *target) {
  int64_t rel = x64_rel(target, (uintptr_t)field + 1);
  if (!x64_fits_i8(rel)) return false;
  *field = (uint8_t)rel;
  return true;
}

uint8_t *x64_branch_rel32_field(uint8_t *insn) {
  if (insn[0] == OPC_JMP32 || insn[0] == OPC_CALL) return insn + 1;
  if (insn[0] == 0x0F && (insn[1] & 0xF0) == OPC_JCC32) return insn + 2;
  return NULL;
}

bool x64_patch_branch_atomic(uint8_t *insn, const void *target) {
  uint8_t *field = x64_branch_rel32_field(insn);
  if (!field || ((uintptr_t)field & 3)) return false;
  int64_t rel = x64_rel(target, (uintptr_t)field + 4);
  if (!x64_fits_i32(rel)) return false;
  /* An aligned 4-byte store is never torn, so a CPU running this code sees
   * either the old or the new target (QEMU chains TBs the same way). */
  __atomic_store_n((uint32_t *)(void *)field, (uint32_t)rel, __ATOMIC_RELEASE);
  return true;
}

void x64_align_for_patch(X64Asm *a, unsigned opcode_len) {
  x64_nop(a, (unsigned)(-((uintptr_t)a->p + opcode_len) & 3));
}

uint8_t *x64_jmp_patchable(X64Asm *a, const void *target) {
  x64_align_for_patch(a, 1);
  return x64_jmp32(a, target);
}

uint8_t *x64_jcc_patchable(X64Asm *a, X64Cond cc, const void *target) {
  x64_align_for_patch(a, 2);
  return x64_jcc32(a, cc, target);
}
