/* dt_compare.c — where a native and an emulated outcome differ. Every field of
 * DtState is a row of one table; RFLAGS is compared under a mask that drops the
 * flags the manual leaves undefined (Zydis's cpu_flags->undefined, carried
 * through sequences by the generator), plus the documented extra rows below. */
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "dt_gen_int.h"

/* -- Undefined flags ------------------------------------------------------- */

/* Flags to treat as undefined beyond what Zydis says, each with the manual's
 * reason. Empty today: Zydis's tables match the SDM for every mnemonic the
 * class table generates. A row here must cite the SDM, never a mismatch. */
static const struct {
  ZydisMnemonic mn;
  uint32_t flags;
  const char *reason;
} extra_undef[] = {
    {ZYDIS_MNEMONIC_INVALID, 0, "(end)"},
};

uint32_t dt_undef_flags(const ZydisDecodedInstruction *in) {
  uint32_t u = in->cpu_flags ? in->cpu_flags->undefined : 0;
  for (size_t i = 0; i < sizeof extra_undef / sizeof extra_undef[0]; i++)
    if (extra_undef[i].mn == in->mnemonic)
      u |= extra_undef[i].flags;
  return u & DT_FLAGS_ALL; /* ZYDIS_CPUFLAG_* use the RFLAGS bit positions */
}

uint64_t dt_flag_mask(const DtCase *c, const DtOutcome *nat) {
  uint32_t undef = c->undef_before[c->ninsns];
  if (nat->signo != DT_SIG_NONE)
    for (uint32_t i = 0; i < c->ninsns; i++)
      if (nat->st.rip == DT_CASE_PC + c->insn_off[i])
        undef = c->undef_before[i];
  return DT_FLAGS_ALL & ~(uint64_t)undef;
}

/* -- Fields ---------------------------------------------------------------- */

enum { FK_U64, FK_U32, FK_U16, FK_U8, FK_V128, FK_F80 };

typedef struct Field {
  const char *name;
  uint16_t off;
  uint8_t kind;
} Field;

#define F(name, member, kind) {name, offsetof(DtState, member), kind}
static const Field fields[] = {
    F("rax", gpr[0], FK_U64),   F("rcx", gpr[1], FK_U64),   F("rdx", gpr[2], FK_U64),
    F("rbx", gpr[3], FK_U64),   F("rsp", gpr[4], FK_U64),   F("rbp", gpr[5], FK_U64),
    F("rsi", gpr[6], FK_U64),   F("rdi", gpr[7], FK_U64),   F("r8", gpr[8], FK_U64),
    F("r9", gpr[9], FK_U64),    F("r10", gpr[10], FK_U64),  F("r11", gpr[11], FK_U64),
    F("r12", gpr[12], FK_U64),  F("r13", gpr[13], FK_U64),  F("r14", gpr[14], FK_U64),
    F("r15", gpr[15], FK_U64),  F("rip", rip, FK_U64),
    F("xmm0", xmm[0], FK_V128), F("xmm1", xmm[1], FK_V128), F("xmm2", xmm[2], FK_V128),
    F("xmm3", xmm[3], FK_V128), F("xmm4", xmm[4], FK_V128), F("xmm5", xmm[5], FK_V128),
    F("xmm6", xmm[6], FK_V128), F("xmm7", xmm[7], FK_V128), F("xmm8", xmm[8], FK_V128),
    F("xmm9", xmm[9], FK_V128), F("xmm10", xmm[10], FK_V128), F("xmm11", xmm[11], FK_V128),
    F("xmm12", xmm[12], FK_V128), F("xmm13", xmm[13], FK_V128), F("xmm14", xmm[14], FK_V128),
    F("xmm15", xmm[15], FK_V128), F("mxcsr", mxcsr, FK_U32) /* flags too */,
    F("fcw", fcw, FK_U16),      F("fsw", fsw, FK_U16),      F("ftop", ftop, FK_U8),
    F("ftag", ftag, FK_U8),     F("fpr0", st[0], FK_F80),   F("fpr1", st[1], FK_F80),
    F("fpr2", st[2], FK_F80),   F("fpr3", st[3], FK_F80),   F("fpr4", st[4], FK_F80),
    F("fpr5", st[5], FK_F80),   F("fpr6", st[6], FK_F80),   F("fpr7", st[7], FK_F80),
};
#undef F

static void format_field(const Field *f, const DtState *s, char *out, size_t size) {
  const uint8_t *p = (const uint8_t *)s + f->off;
  uint64_t a = 0, b = 0;
  switch (f->kind) {
  case FK_V128:
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    snprintf(out, size, "%016llx:%016llx", (unsigned long long)b, (unsigned long long)a);
    return;
  case FK_F80: {
    const DtF80 *x = (const DtF80 *)p;
    snprintf(out, size, "%04x:%016llx", x->sexp, (unsigned long long)x->mant);
    return;
  }
  default:
    memcpy(&a, p, f->kind == FK_U64 ? 8 : f->kind == FK_U32 ? 4
                  : f->kind == FK_U16 ? 2 : 1);
    snprintf(out, size, "%#llx", (unsigned long long)a);
  }
}

static bool field_equal(const Field *f, const DtState *x, const DtState *y) {
  if (f->kind == FK_F80) {
    const DtF80 *a = (const DtF80 *)((const uint8_t *)x + f->off);
    const DtF80 *b = (const DtF80 *)((const uint8_t *)y + f->off);
    return a->mant == b->mant && a->sexp == b->sexp;
  }
  static const uint8_t bytes[] = {[FK_U64] = 8, [FK_U32] = 4, [FK_U16] = 2, [FK_U8] = 1,
                                  [FK_V128] = 16};
  return memcmp((const uint8_t *)x + f->off, (const uint8_t *)y + f->off, bytes[f->kind]) == 0;
}

static DtDiff *add(DtDiffs *d, const char *field) {
  if (d->n == DT_MAX_DIFFS)
    return NULL;
  DtDiff *x = &d->d[d->n++];
  memset(x, 0, sizeof *x);
  snprintf(x->field, sizeof x->field, "%s", field);
  return x;
}

static void flags_text(uint64_t f, uint64_t mask, char *out, size_t size) {
  static const struct { uint64_t bit; const char *name; } names[] = {
      {0x1, "CF"}, {0x4, "PF"}, {0x10, "AF"}, {0x40, "ZF"}, {0x80, "SF"}, {0x400, "DF"},
      {0x800, "OF"}};
  size_t n = 0;
  out[0] = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && n < size; i++)
    if (mask & names[i].bit)
      n += (size_t)snprintf(out + n, size - n, "%s%s=%d", n ? " " : "", names[i].name,
                            (f & names[i].bit) != 0);
}

static void compare_signal(const DtOutcome *nat, const DtOutcome *emu, DtDiffs *d) {
  if (nat->signo != emu->signo) {
    DtDiff *x = add(d, "signal");
    if (x) {
      snprintf(x->native, sizeof x->native, "%s %s", dt_signame(nat->signo), nat->note);
      snprintf(x->emu, sizeof x->emu, "%s %s", dt_signame(emu->signo), emu->note);
    }
    return;
  }
  if ((nat->signo == SIGSEGV || nat->signo == SIGBUS) && nat->sigaddr != emu->sigaddr) {
    DtDiff *x = add(d, "si_addr");
    if (x) {
      snprintf(x->native, sizeof x->native, "%#llx", (unsigned long long)nat->sigaddr);
      snprintf(x->emu, sizeof x->emu, "%#llx %s", (unsigned long long)emu->sigaddr, emu->note);
    }
  }
}

/* Differing scratch bytes, as runs of up to 16 bytes. */
static void compare_mem(const DtOutcome *nat, const DtOutcome *emu, DtDiffs *d) {
  for (unsigned i = 0; i < DT_SCRATCH_SIZE;) {
    if (nat->mem[i] == emu->mem[i]) {
      i++;
      continue;
    }
    unsigned start = i, end = i;
    while (end < DT_SCRATCH_SIZE && end - start < 16 &&
           (nat->mem[end] != emu->mem[end] || (end + 1 < DT_SCRATCH_SIZE &&
                                                nat->mem[end + 1] != emu->mem[end + 1])))
      end++;
    char name[16];
    snprintf(name, sizeof name, "mem+%#x", start);
    DtDiff *x = add(d, name);
    if (!x)
      return;
    for (unsigned k = start; k < end; k++) {
      size_t nl = strlen(x->native), el = strlen(x->emu);
      snprintf(x->native + nl, sizeof x->native - nl, "%02x", nat->mem[k]);
      snprintf(x->emu + el, sizeof x->emu - el, "%02x", emu->mem[k]);
    }
    i = end;
  }
}

unsigned dt_compare(const DtCase *c, const DtOutcome *nat, const DtOutcome *emu, DtDiffs *d) {
  memset(d, 0, sizeof *d);
  if (nat->signo == DT_SIG_HARNESS || emu->signo == DT_SIG_HARNESS) {
    DtDiff *x = add(d, "harness");
    snprintf(x->native, sizeof x->native, "%s", nat->signo == DT_SIG_HARNESS ? nat->note : "ok");
    snprintf(x->emu, sizeof x->emu, "%s", emu->signo == DT_SIG_HARNESS ? emu->note : "ok");
    return d->n;
  }
  compare_signal(nat, emu, d);
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const Field *f = &fields[i];
    if (field_equal(f, &nat->st, &emu->st))
      continue;
    DtDiff *x = add(d, f->name);
    if (!x)
      break;
    format_field(f, &nat->st, x->native, sizeof x->native);
    format_field(f, &emu->st, x->emu, sizeof x->emu);
  }
  uint64_t mask = dt_flag_mask(c, nat);
  uint64_t delta = (nat->st.rflags ^ emu->st.rflags) & mask;
  if (delta) {
    DtDiff *x = add(d, "rflags");
    if (x) {
      flags_text(nat->st.rflags, delta, x->native, sizeof x->native);
      flags_text(emu->st.rflags, delta, x->emu, sizeof x->emu);
    }
  }
  compare_mem(nat, emu, d);
  return d->n;
}
