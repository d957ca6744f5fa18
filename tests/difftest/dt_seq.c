/* dt_seq.c — random straight-line sequences of 2..20 instructions, so flag
 * liveness and the passes are exercised across instructions. Memory operands go
 * through two "address registers" the sequence never writes (checked on the
 * decoded instruction, hidden operands included), rsp, rip or an absolute
 * address, so every access lands in scratch whatever the others compute. An
 * instruction that would read a flag an earlier one left undefined is not
 * drawn, and neither is a form listed in known_mismatches, nor string rows
 * (rsi/rdi would need the same care; bit-string forms are drawn with a
 * register destination only). */
#include <string.h>

#include "dt_gen_int.h"

enum { RSP = 4 };

bool dt_gen_seq(DtRng *r, const uint16_t *forms, size_t n, unsigned max, DtCase *c) {
  uint16_t elig[n ? n : 1]; /* every selected row: all classes are several hundred */
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!(dt_forms[forms[i]].flags & (DT_F_NOSEQ | DT_F_STRING)))
      elig[m++] = forms[i];
  if (m == 0 || max < 2)
    return false;
  if (max > DT_MAX_INSNS)
    max = DT_MAX_INSNS;
  memset(c, 0, sizeof *c);
  dt_gen_state(r, &c->in, c->mem);
  for (size_t i = 0; i < m; i++)
    if (dt_forms[elig[i]].flags & DT_F_FP) { /* float values if any row wants them */
      dt_gen_fp_state(r, &c->in, c->mem);
      break;
    }
  DtGen g = {.r = r, .st = &c->in, .mem = c->mem, .pinned = 1u << RSP, .seq = true};
  int a = (int)dt_below(r, 15), b = (int)dt_below(r, 14);
  a += a >= RSP;
  b += b >= (a < RSP ? a : RSP); /* two distinct registers, neither rsp */
  b += b >= (a > RSP ? a : RSP);
  c->in.gpr[a] = DT_SCRATCH_BASE + dt_below(r, DT_SCRATCH_SIZE);
  c->in.gpr[b] = dt_below(r, 64);
  g.addr_regs = (uint16_t)(1u << a | 1u << b);
  g.pinned |= g.addr_regs;

  unsigned count = 2 + (unsigned)dt_below(r, max - 1);
  uint32_t poison = 0, off = 0, k = 0;
  for (; k < count; k++) {
    bool placed = false;
    for (int attempt = 0; attempt < 64 && !placed; attempt++) {
      uint16_t fi = elig[dt_below(r, m)];
      DtState saved = *g.st;
      uint16_t saved_pins = g.pinned;
      uint8_t buf[16];
      size_t len;
      g.pc = DT_CASE_PC + off;
      ZydisDecodedInstruction in;
      ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
      char desc[96];
      if (!dt_gen_insn(&g, &dt_forms[fi], buf, &len) || off + len > DT_MAX_BYTES ||
          !ZYAN_SUCCESS(ZydisDecoderDecodeFull(dt_decoder(), buf, len, &in, ops))) {
        *g.st = saved, g.pinned = saved_pins;
        continue;
      }
      dt_describe(&in, ops, desc, sizeof desc);
      uint32_t tested = in.cpu_flags ? in.cpu_flags->tested : 0;
      if ((tested & poison) || dt_known_form(desc)) {
        *g.st = saved, g.pinned = saved_pins;
        continue;
      }
      memcpy(c->bytes + off, buf, len);
      c->undef_before[k] = poison;
      c->form[k] = fi;
      uint32_t undef = dt_undef_flags(&in);
      uint32_t defined = in.cpu_flags ? in.cpu_flags->modified | in.cpu_flags->set_0 |
                                            in.cpu_flags->set_1
                                      : 0;
      poison = ((poison & ~defined) | undef) & DT_FLAGS_ALL;
      off += (uint32_t)len;
      placed = true;
    }
    if (!placed)
      break;
  }
  if (k < 2)
    return false;
  c->len = off;
  if (!dt_decode_case(c) || c->ninsns != k)
    return false;
  c->undef_before[k] = poison;
  return true;
}
