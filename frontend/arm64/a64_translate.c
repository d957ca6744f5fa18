/* a64_translate.c — the AArch64 frontend's block translator: fetch 4-byte
 * instructions, match them against the pattern rows (a64_decode.c), lift with
 * the first row that takes them, end the block at a control transfer or after
 * A64_MAX_BLOCK_INSNS. Unallocated or unimplemented encodings become
 * raise.undef at their pc (SIGILL in the guest, logged by -d unimp). */
#include <stdio.h>
#include <string.h>

#include "a64_lift.h"

#define A64_MAX_BLOCK_INSNS 64

/* The lifter tables, in priority order: adding a file means adding a line here. */
const A64Row *const a64_lifter_tables[] = {
    a64_rows_branch, a64_rows_dp_imm, a64_rows_dp_reg, a64_rows_ldst, a64_rows_atomic,
    a64_rows_sys,    a64_rows_fp,     a64_rows_simd,   a64_rows_simd_int,
    a64_rows_simd_shift, a64_rows_simd_long, a64_rows_simd_fp, a64_rows_simd_ldst, NULL,
};

void a64_frontend_init(void) {
  static bool done;
  if (done)
    return;
  done = true;
  a64_decode_init();
  a64_sys_init();
  a64_dp_reg_init();
  a64_fp_init();
  a64_simd_init();
  a64_atomic_init();
}

/* Try each matching row; "not mine" drops whatever it emitted before deciding. */
static bool lift_one(A64Lift *l) {
  for (const A64Pattern *p = a64_decode_first(l->insn); p; p = a64_decode_next(l->insn, p)) {
    uint32_t cur = l->fn->cur, mark = l->fn->blocks[cur].n;
    a64_decode_fields(p, l->insn, l->f);
    if (p->row->fn(l, p->row))
      return true;
    l->fn->cur = cur;
    l->fn->blocks[cur].n = mark;
  }
  return false;
}

static void translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info) {
  a64_frontend_init();
  uint64_t start = pc;
  uint32_t n = 0;
  bool ended = false;
  if (fn->nblocks == 0)
    ir_block_new(fn);
  fn->entry = pc;
  while (!ended && n < A64_MAX_BLOCK_INSNS) {
    uint8_t buf[4];
    if (fetch->fetch(fetch->ctx, pc, buf, 4) < 4) {
      /* Unreadable code: fault there, but only once execution reaches it. */
      if (n > 0)
        break;
      ir_insn(fn, pc, 0);
      ir_raise(fn, IR_EXC_fault, ir_const(fn, IR_T_i64, pc));
      n++;
      ended = true;
      break;
    }
    A64Lift l;
    memset(&l, 0, sizeof l);
    l.fn = fn;
    l.pc = pc;
    memcpy(&l.insn, buf, 4); /* A64 code is little-endian, as is the host */
    ir_insn(fn, pc, 4);
    if (!lift_one(&l)) {
      /* No row takes it. The table covers what emu implements, not all of A64
       * (SVE, SME, MTE... are valid elsewhere), so every such encoding counts
       * as unimplemented for -d unimp; udf itself raises "invalid". */
      ir_raise(fn, IR_EXC_undef, ir_const(fn, IR_T_i64, IR_UNDEF_UNIMPL));
      l.ended = true;
    }
    ended = l.ended;
    pc += 4;
    n++;
  }
  ir_frontend_end(fn, ended, start, pc, n, info);
}

/* -d in_asm: the matching row's name and its fields (no full disassembler). */
static unsigned disas(uint64_t pc, const uint8_t *bytes, size_t len, char *out, size_t size) {
  (void)pc;
  a64_frontend_init();
  if (len < 4) {
    snprintf(out, size, "(bad)");
    return 0;
  }
  uint32_t insn;
  memcpy(&insn, bytes, 4);
  const A64Pattern *p = a64_decode_first(insn);
  size_t o = (size_t)snprintf(out, size, "%08x  %s", insn, p ? p->row->name : "(not decoded)");
  if (p) {
    uint32_t f[A64_F__COUNT];
    a64_decode_fields(p, insn, f);
    for (unsigned i = 0; i < p->nfields && o < size; i++)
      o += (size_t)snprintf(out + o, size - o, " %s=%u", a64_field_name(p->field[i].id),
                            f[p->field[i].id]);
  }
  return 4;
}

const IrFrontend a64_frontend = {
    .name = "aarch64",
    .rf = &a64_regfile,
    .pc_slot = A64_SLOT_PC,
    .max_insn_bytes = 4,
    .translate = translate,
    .disas = disas,
};
