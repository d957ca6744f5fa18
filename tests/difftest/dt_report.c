/* dt_report.c — printing cases and differences for humans: the bytes, their
 * disassembly (Zydis formatter), the input state, and field-by-field diffs. */
#include <signal.h>
#include <string.h>

#include "dt.h"

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                          "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                          "r12", "r13", "r14", "r15"};

const char *dt_signame(int signo) {
  switch (signo) {
  case DT_SIG_NONE: return "none";
  case DT_SIG_HARNESS: return "HARNESS";
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGTRAP: return "SIGTRAP";
  default: return "signal?";
  }
}

static const ZydisFormatter *formatter(void) {
  static ZydisFormatter f;
  static bool inited;
  if (!inited) {
    ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
    inited = true;
  }
  return &f;
}

/* Prints each instruction; collects the XMM registers they name. */
static uint32_t print_disasm(FILE *f, const DtCase *c) {
  uint32_t xmm_used = 0;
  for (uint32_t i = 0; i < c->ninsns; i++) {
    uint32_t off = c->insn_off[i], len = c->insn_off[i + 1] - off;
    ZydisDecodedInstruction in;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    char text[96] = "(bad)", hex[48] = "";
    if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(dt_decoder(), c->bytes + off, c->len - off, &in, ops))) {
      ZydisFormatterFormatInstruction(formatter(), &in, ops, in.operand_count_visible, text,
                                      sizeof text, DT_CASE_PC + off, NULL);
      for (unsigned k = 0; k < in.operand_count; k++)
        if (ops[k].type == ZYDIS_OPERAND_TYPE_REGISTER &&
            ZydisRegisterGetClass(ops[k].reg.value) == ZYDIS_REGCLASS_XMM)
          xmm_used |= 1u << (ops[k].reg.value - ZYDIS_REGISTER_XMM0);
    }
    for (uint32_t k = 0; k < len && k < 15; k++)
      snprintf(hex + 3 * k, sizeof hex - 3 * k, "%02x ", c->bytes[off + k]);
    fprintf(f, "    %#llx  %-45s %s\n", (unsigned long long)(DT_CASE_PC + off), hex, text);
  }
  return xmm_used;
}

void dt_print_case(FILE *f, const DtCase *c) {
  fprintf(f, "  bytes:");
  for (uint32_t i = 0; i < c->len; i++)
    fprintf(f, " %02x", c->bytes[i]);
  fprintf(f, "\n");
  uint32_t xmm_used = print_disasm(f, c);
  fprintf(f, "  input:\n");
  for (int i = 0; i < 16; i++)
    fprintf(f, "%s%-3s=%016llx%s", i % 4 ? "  " : "    ", gpr_names[i],
            (unsigned long long)c->in.gpr[i], i % 4 == 3 ? "\n" : "");
  const uint64_t fl = c->in.rflags;
  fprintf(f, "    CF=%d PF=%d AF=%d ZF=%d SF=%d OF=%d DF=%d  mxcsr=%#x fcw=%#x fsw=%#x top=%u tag=%#x\n",
          !!(fl & 1), !!(fl & 4), !!(fl & 0x10), !!(fl & 0x40), !!(fl & 0x80), !!(fl & 0x800),
          !!(fl & 0x400), c->in.mxcsr, c->in.fcw, c->in.fsw, c->in.ftop, c->in.ftag);
  for (int i = 0; i < 16; i++)
    if (xmm_used >> i & 1) {
      uint64_t lo, hi;
      memcpy(&lo, c->in.xmm[i], 8);
      memcpy(&hi, c->in.xmm[i] + 8, 8);
      fprintf(f, "    xmm%d=%016llx:%016llx\n", i, (unsigned long long)hi, (unsigned long long)lo);
    }
  uint64_t sp = c->in.gpr[4];
  if (sp >= DT_SCRATCH_BASE && sp - DT_SCRATCH_BASE <= DT_SCRATCH_SIZE - 16) {
    const uint8_t *m = c->mem + (sp - DT_SCRATCH_BASE);
    uint64_t a, b;
    memcpy(&a, m, 8);
    memcpy(&b, m + 8, 8);
    fprintf(f, "    [rsp]=%016llx [rsp+8]=%016llx\n", (unsigned long long)a, (unsigned long long)b);
  }
}

void dt_print_diffs(FILE *f, const DtDiffs *d) {
  fprintf(f, "  %-10s %-40s %s\n", "field", "native", "emulated");
  for (unsigned i = 0; i < d->n; i++)
    fprintf(f, "  %-10s %-40s %s\n", d->d[i].field, d->d[i].native, d->d[i].emu);
}
