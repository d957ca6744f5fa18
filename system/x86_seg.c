/* x86_seg.c — segment descriptors and segment-register loads in 64-bit mode
 * (SDM vol. 3 3.4-3.5, 5.5-5.8): bases and limits are ignored there except
 * for FS and GS, but selectors, descriptor checks and the CPL still matter. */
#include "x86_sys_int.h"

uint16_t x86_desc_attr(uint64_t d) {
  return (uint16_t)(((d >> 40) & 0xff) | ((d >> 52) & 0xf) << 12);
}

uint32_t x86_desc_limit(uint64_t d) {
  uint32_t l = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
  return d & (1ull << 55) ? l << 12 | 0xfff : l;
}

uint64_t x86_desc_base(uint64_t d) {
  return ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
}

X86Exc x86_desc_read(X86Sys *s, uint16_t sel, uint64_t *desc) {
  uint32_t index = sel & ~7u;
  const X86Seg *ldt = &s->ldtr;
  uint64_t base = sel & 4 ? ldt->base : s->gdtr.base;
  uint32_t limit = sel & 4 ? ldt->limit : s->gdtr.limit;
  if ((sel & 4) && !(ldt->attr & X86_ATTR_P))
    return x86_exc(X86_EXC_GP, sel & 0xfffc);
  if (index + 7 > limit)
    return x86_exc(X86_EXC_GP, sel & 0xfffc);
  return x86_vread(s, base + index, desc, 8, 0);
}

X86Exc x86_desc_set_accessed(X86Sys *s, uint16_t sel, uint64_t desc) {
  if (desc & (1ull << 40))
    return X86_OK;
  uint64_t base = sel & 4 ? s->ldtr.base : s->gdtr.base;
  uint8_t b = (uint8_t)(desc >> 40) | 1;
  return x86_vwrite(s, base + (sel & ~7u) + 5, &b, 1, 0);
}

void x86_set_cpl(X86Sys *s, int cpl) {
  s->cpl = (uint8_t)cpl;
  emu_cpu_set_mode(s->cpu, cpl == 3 ? 1 : 0);
}

void x86_seg_set_cs(X86Sys *s, uint16_t sel, uint64_t desc, int cpl) {
  X86Seg *cs = &s->seg[X86_CS];
  cs->sel = (uint16_t)((sel & ~3u) | (unsigned)cpl);
  cs->base = 0;
  cs->limit = x86_desc_limit(desc);
  cs->attr = x86_desc_attr(desc) | 1; /* accessed */
  x86_set_cpl(s, cpl);
}

void x86_seg_flat(X86Seg *seg, uint16_t sel, bool code, int dpl) {
  seg->sel = sel;
  seg->base = 0;
  seg->limit = 0xffffffff;
  seg->attr = (uint16_t)((code ? 0xb : 0x3) | X86_ATTR_S | (unsigned)dpl << 5 | X86_ATTR_P |
                         X86_ATTR_G | (code ? X86_ATTR_L : X86_ATTR_DB));
}

/* FS and GS keep their base in X86Cpu, where the frontend reads it. */
static void set_base(X86Sys *s, int sreg, uint64_t base) {
  if (sreg == X86_FS)
    x86_guest(s)->fs_base = base;
  else if (sreg == X86_GS)
    x86_guest(s)->gs_base = base;
  s->seg[sreg].base = base;
}

X86Exc x86_seg_load_data(X86Sys *s, int sreg, uint16_t sel) {
  unsigned rpl = sel & 3, cpl = s->cpl;
  X86Seg *seg = &s->seg[sreg];
  if ((sel & ~3u) == 0) {
    /* 64-bit mode takes a null SS below CPL3 when RPL = CPL. Intel clears the
     * base of a null FS/GS (AMD does not: Linux's X86_BUG_NULL_SEG). */
    if (sreg == X86_SS && (cpl == 3 || rpl != cpl))
      return x86_gp0();
    seg->sel = sel;
    seg->limit = 0;
    seg->attr = 0;
    set_base(s, sreg, 0);
    return X86_OK;
  }
  uint64_t d;
  X86Exc x = x86_desc_read(s, sel, &d);
  if (x86_failed(x))
    return x;
  uint16_t a = x86_desc_attr(d);
  unsigned dpl = X86_ATTR_DPL(a), type = a & X86_ATTR_TYPE;
  bool code = type & 8;
  X86Exc gp = x86_exc(X86_EXC_GP, sel & 0xfffc);
  if (!(a & X86_ATTR_S))
    return gp;
  if (sreg == X86_SS) {
    if (rpl != cpl || code || !(type & 2) || dpl != cpl)
      return gp;
    if (!(a & X86_ATTR_P))
      return x86_exc(X86_EXC_SS, sel & 0xfffc);
  } else {
    if (code && !(type & 2)) /* execute-only code */
      return gp;
    if ((!code || !(type & 4)) && (rpl > dpl || cpl > dpl))
      return gp;
    if (!(a & X86_ATTR_P))
      return x86_exc(X86_EXC_NP, sel & 0xfffc);
  }
  x = x86_desc_set_accessed(s, sel, d);
  if (x86_failed(x))
    return x;
  seg->sel = sel;
  seg->limit = x86_desc_limit(d);
  seg->attr = a | 1;
  set_base(s, sreg, x86_desc_base(d));
  return X86_OK;
}
