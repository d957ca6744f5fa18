/* x86_sysinsn_cr.c — control and debug registers (mov cr/dr, clts, lmsw,
 * smsw), the descriptor-table registers (lgdt, lidt, lldt, ltr and their
 * stores) and the descriptor probes (lar, lsl, verr, verw), with the checks
 * of SDM vol. 2 for 64-bit mode. */
#include <string.h>

#include "x86_sysinsn.h"

#define PHYS_BITS 39 /* CPUID 0x80000008 */

/* CR4 bits this model implements; the others are reserved (#GP). */
#define CR4_VALID                                                                        \
  (X86_CR4_TSD | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PCE | X86_CR4_OSFXSR | \
   X86_CR4_OSXMMEXCPT)

static X86Exc write_cr0(X86Sys *s, uint64_t v) {
  v |= X86_CR0_ET;
  if (v >> 32)
    return x86_gp0();
  if (((v & X86_CR0_PG) && !(v & X86_CR0_PE)) || ((v & X86_CR0_NW) && !(v & X86_CR0_CD)))
    return x86_gp0();
  if (!(v & X86_CR0_PG) && (s->efer & X86_EFER_LMA))
    return x86_gp0(); /* 64-bit code cannot turn paging off */
  if ((v & X86_CR0_PG) && !(s->cr0 & X86_CR0_PG) && (s->efer & X86_EFER_LME) &&
      !(s->cr4 & X86_CR4_PAE))
    return x86_gp0();
  uint64_t old = s->cr0;
  s->cr0 = v;
  if ((v & X86_CR0_PG) && (s->efer & X86_EFER_LME))
    s->efer |= X86_EFER_LMA;
  if ((old ^ v) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
    x86sys_tlb_flush(s->cpu);
  return X86_OK;
}

X86Exc x86_write_cr(X86Sys *s, int n, uint64_t v) {
  switch (n) {
  case 0: return write_cr0(s, v);
  case 2: s->cr2 = v; return X86_OK;
  case 3:
    if (v >> PHYS_BITS) /* bit 63 too: no PCIDs */
      return x86_gp0();
    s->cr3 = v;
    x86sys_tlb_flush_nonglobal(s->cpu);
    return X86_OK;
  case 4:
    if ((v & ~CR4_VALID) || (!(v & X86_CR4_PAE) && (s->efer & X86_EFER_LMA)))
      return x86_gp0();
    if ((v ^ s->cr4) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE))
      x86sys_tlb_flush(s->cpu);
    s->cr4 = v;
    return X86_OK;
  case 8:
    if (v & ~0xfull)
      return x86_gp0();
    s->cr8 = v;
    return X86_OK;
  default: return x86_ud();
  }
}

static bool cr_read(X86Sys *s, int n, uint64_t *v) {
  switch (n) {
  case 0: *v = s->cr0; return true;
  case 2: *v = s->cr2; return true;
  case 3: *v = s->cr3; return true;
  case 4: *v = s->cr4; return true;
  case 8: *v = s->cr8; return true;
  default: return false;
  }
}

/* mov cr, r64 / mov r64, cr: CPL0; cr1, cr5-7, cr9-15 are #UD. */
X86Exc x86_si_mov_cr(SysInsn *i) {
  if (i->s->cpl != 0)
    return x86_gp0();
  bool to_cr = ZydisRegisterGetClass(i->op[0].reg.value) == ZYDIS_REGCLASS_CONTROL;
  int n = ZydisRegisterGetId(i->op[to_cr ? 0 : 1].reg.value);
  if (to_cr)
    return x86_write_cr(i->s, n, x86_si_gpr(i, i->op[1].reg.value));
  uint64_t v;
  if (!cr_read(i->s, n, &v))
    return x86_ud();
  x86_si_set_gpr(i, i->op[0].reg.value, v);
  return X86_OK;
}

/* mov dr: CPL0. DR4/DR5 alias DR6/DR7 (CR4.DE is never set here); dr8-15
 * are #UD. Breakpoints are registers only: nothing triggers them. */
X86Exc x86_si_mov_dr(SysInsn *i) {
  X86Sys *s = i->s;
  if (s->cpl != 0)
    return x86_gp0();
  bool to_dr = ZydisRegisterGetClass(i->op[0].reg.value) == ZYDIS_REGCLASS_DEBUG;
  int n = ZydisRegisterGetId(i->op[to_dr ? 0 : 1].reg.value);
  if (n > 7)
    return x86_ud();
  if (n == 4 || n == 5)
    n += 2;
  if (!to_dr) {
    x86_si_set_gpr(i, i->op[0].reg.value, s->dr[n]);
    return X86_OK;
  }
  uint64_t v = x86_si_gpr(i, i->op[1].reg.value);
  if (n >= 6 && (v >> 32))
    return x86_gp0();
  if (n == 7 && (v & 0xff) && emu_log_on(EMU_LOG_unimp))
    emu_log("x86: dr7 %#llx enables breakpoints, which are not implemented\n",
            (unsigned long long)v);
  s->dr[n] = n == 6 ? v | 0xffff0ff0 : n == 7 ? v | 0x400 : v;
  return X86_OK;
}

static X86Exc si_clts(SysInsn *i) {
  i->s->cr0 &= ~X86_CR0_TS;
  return X86_OK;
}

/* lmsw: PE, MP, EM, TS from the operand; PE can be set, not cleared. */
static X86Exc si_lmsw(SysInsn *i) {
  uint64_t v;
  X86Exc x = x86_si_read(i, 0, &v);
  if (x86_failed(x))
    return x;
  uint64_t cr0 = (i->s->cr0 & ~0xeull) | (v & 0xf);
  return write_cr0(i->s, cr0);
}

static X86Exc si_smsw(SysInsn *i) { return x86_si_write(i, 0, i->s->cr0); }

/* -- Descriptor-table registers -------------------------------------------------- */

static X86Dtr *dtr_of(SysInsn *i) {
  ZydisMnemonic m = i->in.mnemonic;
  return m == ZYDIS_MNEMONIC_LGDT || m == ZYDIS_MNEMONIC_SGDT ? &i->s->gdtr : &i->s->idtr;
}

static X86Exc si_lgdt_lidt(SysInsn *i) {
  uint8_t m[10];
  X86Exc x = x86_vread(i->s, x86_si_ea(i, 0), m, sizeof m, i->s->cpl);
  if (x86_failed(x))
    return x;
  uint16_t limit;
  uint64_t base;
  memcpy(&limit, m, 2);
  memcpy(&base, m + 2, 8);
  if (!x86_canonical(base))
    return x86_gp0();
  *dtr_of(i) = (X86Dtr){base, limit};
  return X86_OK;
}

static X86Exc si_sgdt_sidt(SysInsn *i) {
  const X86Dtr *d = dtr_of(i);
  uint8_t m[10];
  memcpy(m, &d->limit, 2);
  memcpy(m + 2, &d->base, 8);
  return x86_vwrite(i->s, x86_si_ea(i, 0), m, sizeof m, i->s->cpl);
}

/* A 16-byte system descriptor from the GDT (LDT, TSS in 64-bit mode). */
static X86Exc system_desc(X86Sys *s, uint16_t sel, unsigned type, uint64_t d[2]) {
  X86Exc gp = x86_exc(X86_EXC_GP, sel & 0xfffc);
  if (sel & 4)
    return gp;
  if ((uint32_t)(sel & ~7u) + 15 > s->gdtr.limit)
    return gp;
  X86Exc x = x86_vread(s, s->gdtr.base + (sel & ~7u), d, 16, 0);
  if (x86_failed(x))
    return x;
  uint16_t a = x86_desc_attr(d[0]);
  if ((a & X86_ATTR_S) || (a & X86_ATTR_TYPE) != type)
    return gp;
  if (!(a & X86_ATTR_P))
    return x86_exc(X86_EXC_NP, sel & 0xfffc);
  if (!x86_canonical(x86_desc_base(d[0]) | d[1] << 32))
    return gp;
  return X86_OK;
}

static void load_system_seg(X86Seg *seg, uint16_t sel, const uint64_t d[2]) {
  seg->sel = sel;
  seg->base = x86_desc_base(d[0]) | d[1] << 32;
  seg->limit = x86_desc_limit(d[0]);
  seg->attr = x86_desc_attr(d[0]);
}

static X86Exc si_lldt(SysInsn *i) {
  uint64_t v, d[2];
  X86Exc x = x86_si_read(i, 0, &v);
  if (x86_failed(x))
    return x;
  uint16_t sel = (uint16_t)v;
  if ((sel & ~3u) == 0) { /* a null LDT: any use of it is #GP */
    i->s->ldtr = (X86Seg){.sel = sel};
    return X86_OK;
  }
  x = system_desc(i->s, sel, 2, d);
  if (x86_failed(x))
    return x;
  load_system_seg(&i->s->ldtr, sel, d);
  return X86_OK;
}

/* ltr: an available 64-bit TSS, marked busy in the GDT. */
static X86Exc si_ltr(SysInsn *i) {
  uint64_t v, d[2];
  X86Exc x = x86_si_read(i, 0, &v);
  if (x86_failed(x))
    return x;
  uint16_t sel = (uint16_t)v;
  if ((sel & ~3u) == 0)
    return x86_gp0();
  x = system_desc(i->s, sel, 9, d);
  if (x86_failed(x))
    return x;
  uint8_t busy = (uint8_t)(d[0] >> 40) | 2;
  x = x86_vwrite(i->s, i->s->gdtr.base + (sel & ~7u) + 5, &busy, 1, 0);
  if (x86_failed(x))
    return x;
  d[0] |= 2ull << 40;
  load_system_seg(&i->s->tr, sel, d);
  return X86_OK;
}

static X86Exc si_sldt_str(SysInsn *i) {
  const X86Seg *seg = i->in.mnemonic == ZYDIS_MNEMONIC_SLDT ? &i->s->ldtr : &i->s->tr;
  return x86_si_write(i, 0, seg->sel);
}

/* -- lar, lsl, verr, verw: ZF says whether the descriptor is visible -------------- */

/* The descriptor sel names, if the CPL and RPL may see it: conforming code
 * always, anything else with DPL >= CPL and DPL >= RPL; system descriptors
 * of the types in ok_types (a bit per type). */
static X86Exc probe(SysInsn *i, uint16_t sel, uint32_t ok_types, uint64_t *d, bool *visible) {
  *visible = false;
  if ((sel & ~3u) == 0)
    return X86_OK;
  X86Exc x = x86_desc_read(i->s, sel, d);
  if (x86_failed(x))
    return x.vec == X86_EXC_GP ? X86_OK : x; /* beyond the table: ZF = 0 */
  uint16_t a = x86_desc_attr(*d);
  unsigned type = a & X86_ATTR_TYPE, dpl = X86_ATTR_DPL(a);
  if (!(a & X86_ATTR_S) && !((ok_types >> type) & 1))
    return X86_OK;
  bool conforming = (a & X86_ATTR_S) && (type & 0xc) == 0xc;
  *visible = conforming || (dpl >= i->s->cpl && dpl >= (sel & 3u));
  return X86_OK;
}

static X86Exc si_lar_lsl(SysInsn *i) {
  bool lar = i->in.mnemonic == ZYDIS_MNEMONIC_LAR;
  uint64_t v, d = 0;
  X86Exc x = x86_si_read(i, 1, &v);
  if (x86_failed(x))
    return x;
  bool ok;
  /* LDT 2, available and busy TSS 9 and 11, and for lar call gates 12. */
  x = probe(i, (uint16_t)v, lar ? 0x1a04 : 0x0a04, &d, &ok);
  if (x86_failed(x))
    return x;
  i->c->zf = ok;
  if (ok)
    x86_si_set_gpr(i, i->op[0].reg.value, lar ? (d >> 32) & 0x00ffff00 : x86_desc_limit(d));
  return X86_OK;
}

static X86Exc si_verr_verw(SysInsn *i) {
  uint64_t v, d = 0;
  X86Exc x = x86_si_read(i, 0, &v);
  if (x86_failed(x))
    return x;
  bool ok;
  x = probe(i, (uint16_t)v, 0, &d, &ok);
  if (x86_failed(x))
    return x;
  uint16_t a = x86_desc_attr(d);
  bool code = a & 8, rw = a & 2;
  if (i->in.mnemonic == ZYDIS_MNEMONIC_VERR)
    ok = ok && (a & X86_ATTR_S) && (!code || rw);
  else
    ok = ok && (a & X86_ATTR_S) && !code && rw;
  i->c->zf = ok;
  return X86_OK;
}

const SysInsnRow x86_sysinsn_cr[] = {
    {ZYDIS_MNEMONIC_CLTS, si_clts, SI_CPL0},
    {ZYDIS_MNEMONIC_LMSW, si_lmsw, SI_CPL0},
    {ZYDIS_MNEMONIC_SMSW, si_smsw, 0},
    {ZYDIS_MNEMONIC_LGDT, si_lgdt_lidt, SI_CPL0},
    {ZYDIS_MNEMONIC_LIDT, si_lgdt_lidt, SI_CPL0},
    {ZYDIS_MNEMONIC_SGDT, si_sgdt_sidt, 0},
    {ZYDIS_MNEMONIC_SIDT, si_sgdt_sidt, 0},
    {ZYDIS_MNEMONIC_LLDT, si_lldt, SI_CPL0},
    {ZYDIS_MNEMONIC_LTR, si_ltr, SI_CPL0},
    {ZYDIS_MNEMONIC_SLDT, si_sldt_str, 0},
    {ZYDIS_MNEMONIC_STR, si_sldt_str, 0},
    {ZYDIS_MNEMONIC_LAR, si_lar_lsl, 0},
    {ZYDIS_MNEMONIC_LSL, si_lar_lsl, 0},
    {ZYDIS_MNEMONIC_VERR, si_verr_verw, 0},
    {ZYDIS_MNEMONIC_VERW, si_verr_verw, 0},
    {0, NULL, 0},
};
