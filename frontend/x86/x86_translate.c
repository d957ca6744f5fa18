/* x86_translate.c — the x86-64 frontend's block translator: decode with Zydis,
 * dispatch each mnemonic through the lifter tables, end the block at a control
 * transfer or after X86_MAX_BLOCK_INSNS. Unknown or unsupported instructions
 * become raise.undef at their pc (SIGILL in the guest, logged by -d unimp). */
#include <stdio.h>
#include <string.h>

#include "x86_lift.h"

#define X86_MAX_BLOCK_INSNS 64
#define X86_MAX_INSN_BYTES 15
#define X86_PAGE_BITS 12 /* system mode: blocks stay within one guest page */

/* The lifter tables, one per lift_*.c: adding a file means adding a line here. */
static const X86Lifter *const lifter_tables[] = {
    x86_lifters_mmx, /* first: its rows pass SSE forms of shared mnemonics on */
    x86_lifters_alu,
    x86_lifters_ctrl,
    x86_lifters_sys,
    x86_lifters_sse_mov,
    x86_lifters_sse_int,
    x86_lifters_sse_shuf,
    x86_lifters_sse42,
    x86_lifters_muldiv,
    x86_lifters_shift,
    x86_lifters_bits,
    x86_lifters_string,
    x86_lifters_atomic,
    x86_lifters_sse_fp,
    x86_lifters_sse_cvt,
    x86_lifters_x87,
    x86_lifters_fence,
};

static const X86Lifter *lifter_by_mnemonic[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static ZydisDecoder decoder;
static ZydisFormatter formatter;

void x86_helpers_register(void);    /* lift_sys.c and friends */
void x86_fp_helpers_register(void); /* lift_sse_fp.c: SSE and x87 helpers */
void x86_sse42_helpers_register(void); /* lift_sse42.c */

void x86_frontend_init(void) {
  static bool done;
  if (done)
    return;
  done = true;
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatterInit(&formatter, ZYDIS_FORMATTER_STYLE_INTEL);
  for (size_t t = 0; t < sizeof lifter_tables / sizeof lifter_tables[0]; t++)
    for (const X86Lifter *e = lifter_tables[t]; e->fn; e++)
      if (!lifter_by_mnemonic[e->mn])
        lifter_by_mnemonic[e->mn] = e;
  x86_helpers_register();
  x86_atomic_init();
  x86_sse42_helpers_register();
  x86_fp_helpers_register();
}

/* Registers the lifters handle: GPRs, XMM, x87 stack, MMX (lift_mmx.c only).
 * Anything else (segment, control, YMM, mask) is an unimplemented form. */
static bool operands_supported(const X86Lift *l) {
  if (l->in.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
      l->in.encoding != ZYDIS_INSTRUCTION_ENCODING_3DNOW)
    return false; /* VEX/EVEX/XOP: AVX is not implemented, nor advertised */
  for (unsigned i = 0; i < l->in.operand_count_visible; i++) {
    if (l->op[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
      continue;
    ZydisRegisterClass c = ZydisRegisterGetClass(l->op[i].reg.value);
    if (c != ZYDIS_REGCLASS_GPR8 && c != ZYDIS_REGCLASS_GPR16 && c != ZYDIS_REGCLASS_GPR32 &&
        c != ZYDIS_REGCLASS_GPR64 && c != ZYDIS_REGCLASS_XMM && c != ZYDIS_REGCLASS_X87 &&
        c != ZYDIS_REGCLASS_MMX)
      return false;
  }
  return true;
}

/* Try one row; "not mine" drops whatever it emitted before deciding. */
static bool try_row(X86Lift *l, const X86Lifter *e) {
  uint32_t cur = l->fn->cur, mark = l->fn->blocks[cur].n;
  if (e->fn(l, e))
    return true;
  l->fn->cur = cur;
  l->fn->blocks[cur].n = mark;
  return false;
}

void x86_lifted_each(void (*fn)(void *ctx, int mnemonic), void *ctx) {
  for (size_t t = 0; t < sizeof lifter_tables / sizeof lifter_tables[0]; t++)
    for (const X86Lifter *e = lifter_tables[t]; e->fn; e++)
      fn(ctx, (int)e->mn);
}

/* Lift one decoded instruction; false if no lifter takes it. Lifters that add
 * blocks must not return false after doing so. A mnemonic may have rows in
 * several tables (Zydis names the string op and the SSE op both movsd and
 * cmpsd): the others are tried, in table order, when the first says no. */
static bool lift_one(X86Lift *l) {
  if (x86_lift_sreg_read(l)) /* a segment register: not an operand the rows take */
    return true;
  const X86Lifter *first = lifter_by_mnemonic[l->in.mnemonic];
  if (!first || !operands_supported(l))
    return false;
  if (try_row(l, first))
    return true;
  for (size_t t = 0; t < sizeof lifter_tables / sizeof lifter_tables[0]; t++)
    for (const X86Lifter *e = lifter_tables[t]; e->fn; e++)
      if (e != first && e->mn == l->in.mnemonic && try_row(l, e))
        return true;
  return false;
}

static void translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info) {
  x86_frontend_init();
  uint64_t start = pc;
  uint32_t n = 0;
  bool ended = false, end_now = false;
  bool sys = fetch->mode & X86_MODE_SYSTEM;
  if (fn->nblocks == 0)
    ir_block_new(fn);
  fn->entry = pc;
  if (sys)
    fn->mmu_idx = fetch->mode & X86_MODE_CPL3 ? 1 : 0;
  while (!ended && n < X86_MAX_BLOCK_INSNS) {
    /* System mode: a block stays in its first page (plus one instruction
     * running into the next), so a mapping change cannot make it wrong. */
    if (sys && n > 0 && (pc ^ start) >> X86_PAGE_BITS)
      break;
    X86Lift l;
    memset(&l, 0, sizeof l);
    uint8_t buf[X86_MAX_INSN_BYTES];
    size_t avail = fetch->fetch(fetch->ctx, pc, buf, sizeof buf);
    l.fn = fn;
    l.pc = pc;
    l.bytes = buf;
    l.mode = fetch->mode;
    ZyanStatus st = avail ? ZydisDecoderDecodeFull(&decoder, buf, avail, &l.in, l.op)
                          : ZYDIS_STATUS_NO_MORE_DATA;
    if (st == ZYDIS_STATUS_NO_MORE_DATA && avail < sizeof buf) {
      /* The instruction runs into unreadable memory: fault there, but only once
       * execution reaches it (end the block before it otherwise). */
      if (n > 0)
        break;
      ir_insn(fn, pc, 0);
      ir_raise(fn, IR_EXC_fault, ir_const(fn, IR_T_i64, pc + avail));
      ended = true;
      n++;
      break;
    }
    if (!ZYAN_SUCCESS(st)) {
      ir_insn(fn, pc, 1);
      ir_raise(fn, IR_EXC_undef, ir_const(fn, IR_T_i64, IR_UNDEF_INVALID));
      ended = true;
      n++;
      break;
    }
    l.next_pc = pc + l.in.length;
    ir_insn(fn, pc, l.in.length);
    if (sys && x86_is_system_insn(&l.in, l.op, fetch->mode)) {
      x86_end_raise(&l, IR_EXC_sys, l.in.length);
    } else if (!lift_one(&l)) {
      ir_raise(fn, IR_EXC_undef, ir_const(fn, IR_T_i64, IR_UNDEF_UNIMPL));
      l.ended = true;
    }
    ended = l.ended;
    pc = l.next_pc;
    n++;
    if (end_now)
      break;
    end_now = l.end_after_next;
  }
  ir_frontend_end(fn, ended, start, pc, n, info);
}

static unsigned disas(uint64_t pc, const uint8_t *bytes, size_t len, char *out, size_t size) {
  x86_frontend_init();
  ZydisDecodedInstruction in;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes, len, &in, ops))) {
    snprintf(out, size, "(bad)");
    return 0;
  }
  ZydisFormatterFormatInstruction(&formatter, &in, ops, in.operand_count_visible, out, size, pc,
                                  NULL);
  return in.length;
}

const IrFrontend x86_frontend = {
    .name = "x86_64",
    .rf = &x86_regfile,
    .pc_slot = X86_SLOT_RIP,
    .max_insn_bytes = X86_MAX_INSN_BYTES,
    .translate = translate,
    .disas = disas,
};
