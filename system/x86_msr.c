/* x86_msr.c — the model-specific registers of the CPU model, one row each:
 * the ones Linux reads or writes on this CPU (SDM vol. 4). An MSR without a
 * row raises #GP as on hardware (Linux probes optional ones with
 * rdmsr_safe) and is logged with -d unimp. */
#include <stddef.h>

#include "x86_sys_int.h"

typedef enum MsrKind {
  MSR_FIELD,   /* a field of X86Sys; writes with a reserved bit set are #GP */
  MSR_CANON,   /* an address field: non-canonical writes are #GP */
  MSR_CONST,   /* reads arg; writes are #GP */
  MSR_IGNORE,  /* reads arg; writes are dropped */
  MSR_TSC,
  MSR_EFER,
  MSR_FSBASE,  /* X86Cpu.fs_base / gs_base */
  MSR_GSBASE,
  MSR_PAT,
  MSR_DEVICE,  /* the machine's (hooks.msr_read/msr_write) */
} MsrKind;

typedef struct MsrRow {
  uint32_t index;
  uint8_t count; /* consecutive MSRs in an array field (0: one) */
  uint8_t kind;
  uint32_t off; /* MSR_FIELD, MSR_CANON: the field in X86Sys (past the 64 KiB TLB) */
  uint64_t arg; /* MSR_FIELD: reserved bits; MSR_CONST, MSR_IGNORE: the value */
  const char *name;
} MsrRow;

#define FIELD(i, f, rsvd, name) {i, 0, MSR_FIELD, offsetof(X86Sys, f), rsvd, name}
#define ARRAY(i, n, f, name) {i, n, MSR_FIELD, offsetof(X86Sys, f), 0, name}
#define CANON(i, f, name) {i, 0, MSR_CANON, offsetof(X86Sys, f), 0, name}
#define VALUE(i, kind, v, name) {i, 0, kind, 0, v, name}

/* IA32_ARCH_CAPABILITIES: not affected by Meltdown, SSB, MDS, TAA, MMIO stale
 * data, GDS, RFDS, BHI, PBRSB, ITS, iTLB multihit; no L1D flush needed on VM
 * entry; enhanced IBRS (with CPUID's IBRS, Linux sets IA32_SPEC_CTRL once
 * instead of sending every indirect call through a retpoline). Each of those
 * mitigations would only cost emulated time: there is no speculation here. */
#define ARCH_CAP_NOT_VULNERABLE                                                          \
  ((1ull << 0) | (1ull << 1) | (1ull << 3) | (1ull << 4) | (1ull << 5) | (1ull << 6) |   \
   (1ull << 8) | (1ull << 13) | (1ull << 14) | (1ull << 15) | (1ull << 20) | (1ull << 24) | \
   (1ull << 26) | (1ull << 27) | (1ull << 62))

static const MsrRow msr_rows[] = {
    VALUE(0x10, MSR_TSC, 0, "IA32_TIME_STAMP_COUNTER"),
    VALUE(0x17, MSR_CONST, 0, "IA32_PLATFORM_ID"),
    VALUE(0x1b, MSR_DEVICE, 0, "IA32_APIC_BASE"),
    VALUE(0x3a, MSR_CONST, 1, "IA32_FEATURE_CONTROL"), /* locked, no VMX/SMX */
    FIELD(0x48, spec_ctrl, ~0x407ull, "IA32_SPEC_CTRL"), /* IBRS STIBP SSBD BHI_DIS_S */
    VALUE(0x49, MSR_IGNORE, 0, "IA32_PRED_CMD"),
    VALUE(0x8b, MSR_IGNORE, 1ull << 32, "IA32_BIOS_SIGN_ID"), /* microcode revision 1 */
    VALUE(0xfe, MSR_CONST, 0x508, "IA32_MTRRCAP"), /* 8 variable, fixed, WC */
    VALUE(0x10a, MSR_CONST, ARCH_CAP_NOT_VULNERABLE, "IA32_ARCH_CAPABILITIES"),
    FIELD(0x174, sysenter_cs, ~0xffffull, "IA32_SYSENTER_CS"),
    CANON(0x175, sysenter_esp, "IA32_SYSENTER_ESP"),
    CANON(0x176, sysenter_eip, "IA32_SYSENTER_EIP"),
    FIELD(0x1a0, misc_enable, 0, "IA32_MISC_ENABLE"),
    FIELD(0x1d9, debugctl, ~3ull, "IA32_DEBUGCTL"), /* LBR, BTF: no effect */
    ARRAY(0x200, 2 * X86_MTRR_VAR, mtrr_var, "IA32_MTRR_PHYSBASE/MASK"),
    ARRAY(0x250, 1, mtrr_fixed[0], "IA32_MTRR_FIX64K"),
    ARRAY(0x258, 2, mtrr_fixed[1], "IA32_MTRR_FIX16K"),
    ARRAY(0x268, 8, mtrr_fixed[3], "IA32_MTRR_FIX4K"),
    VALUE(0x277, MSR_PAT, 0, "IA32_PAT"),
    FIELD(0x2ff, mtrr_deftype, ~0xcffull, "IA32_MTRR_DEF_TYPE"),
    VALUE(0x6e0, MSR_DEVICE, 0, "IA32_TSC_DEADLINE"),
    VALUE(0xc0000080, MSR_EFER, 0, "IA32_EFER"),
    FIELD(0xc0000081, star, 0, "IA32_STAR"),
    CANON(0xc0000082, lstar, "IA32_LSTAR"),
    CANON(0xc0000083, cstar, "IA32_CSTAR"),
    FIELD(0xc0000084, fmask, ~0xffffffffull, "IA32_FMASK"),
    VALUE(0xc0000100, MSR_FSBASE, 0, "IA32_FS_BASE"),
    VALUE(0xc0000101, MSR_GSBASE, 0, "IA32_GS_BASE"),
    CANON(0xc0000102, kernel_gs_base, "IA32_KERNEL_GS_BASE"),
    FIELD(0xc0000103, tsc_aux, ~0xffffffffull, "IA32_TSC_AUX"),
};

static const MsrRow *find(uint32_t index, uint64_t **field, X86Sys *s) {
  for (size_t i = 0; i < sizeof msr_rows / sizeof msr_rows[0]; i++) {
    const MsrRow *r = &msr_rows[i];
    uint32_t n = r->count ? r->count : 1;
    if (index - r->index < n) {
      *field = (uint64_t *)((char *)s + r->off) + (index - r->index);
      return r;
    }
  }
  return NULL;
}

static bool unknown(uint32_t index, bool write, uint64_t value) {
  if (emu_log_on(EMU_LOG_unimp)) {
    if (write)
      emu_log("x86: wrmsr %#x <- %#llx: unknown MSR, #GP\n", index, (unsigned long long)value);
    else
      emu_log("x86: rdmsr %#x: unknown MSR, #GP\n", index);
  }
  return false;
}

uint64_t x86_tsc(X86Sys *s) {
  uint64_t ns = s->hooks.clock_ns ? s->hooks.clock_ns(s->hooks.ctx) : 0;
  return ns + s->tsc_offset;
}

bool x86_efer_write(X86Sys *s, uint64_t v) {
  const uint64_t writable = X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE;
  if (v & ~(writable | X86_EFER_LMA))
    return false;
  if ((s->cr0 & X86_CR0_PG) && ((v ^ s->efer) & X86_EFER_LME))
    return false; /* LME changes only with paging off */
  uint64_t old = s->efer;
  s->efer = (v & writable) | (old & X86_EFER_LMA);
  if ((old ^ s->efer) & X86_EFER_NXE)
    x86sys_tlb_flush(s->cpu);
  return true;
}

/* Each PAT entry is a memory type: UC, WC, WT, WP, WB or UC- (0, 1, 4-7). */
static bool pat_valid(uint64_t v) {
  for (int i = 0; i < 8; i++) {
    unsigned t = (v >> (8 * i)) & 0xff;
    if (t == 2 || t == 3 || t > 7)
      return false;
  }
  return true;
}

bool x86_msr_read(X86Sys *s, uint32_t index, uint64_t *value) {
  uint64_t *f;
  const MsrRow *r = find(index, &f, s);
  if (!r)
    return unknown(index, false, 0);
  switch ((MsrKind)r->kind) {
  case MSR_FIELD:
  case MSR_CANON: *value = *f; return true;
  case MSR_CONST:
  case MSR_IGNORE: *value = r->arg; return true;
  case MSR_TSC: *value = x86_tsc(s); return true;
  case MSR_EFER: *value = s->efer; return true;
  case MSR_FSBASE: *value = x86_guest(s)->fs_base; return true;
  case MSR_GSBASE: *value = x86_guest(s)->gs_base; return true;
  case MSR_PAT: *value = s->pat; return true;
  case MSR_DEVICE:
    return s->hooks.msr_read && s->hooks.msr_read(s->hooks.ctx, index, value);
  }
  return false;
}

bool x86_msr_write(X86Sys *s, uint32_t index, uint64_t v) {
  uint64_t *f;
  const MsrRow *r = find(index, &f, s);
  if (!r)
    return unknown(index, true, v);
  switch ((MsrKind)r->kind) {
  case MSR_FIELD:
    if (v & r->arg)
      return false;
    *f = v;
    return true;
  case MSR_CANON:
    if (!x86_canonical(v))
      return false;
    *f = v;
    return true;
  case MSR_CONST: return false;
  case MSR_IGNORE: return true;
  case MSR_TSC:
    s->tsc_offset = v - x86_tsc(s) + s->tsc_offset;
    return true;
  case MSR_EFER: return x86_efer_write(s, v);
  case MSR_FSBASE:
  case MSR_GSBASE:
    if (!x86_canonical(v))
      return false;
    if (r->kind == MSR_FSBASE)
      x86_guest(s)->fs_base = s->seg[X86_FS].base = v;
    else
      x86_guest(s)->gs_base = s->seg[X86_GS].base = v;
    return true;
  case MSR_PAT:
    if (!pat_valid(v))
      return false;
    s->pat = v;
    return true;
  case MSR_DEVICE:
    return s->hooks.msr_write && s->hooks.msr_write(s->hooks.ctx, index, v);
  }
  return false;
}
