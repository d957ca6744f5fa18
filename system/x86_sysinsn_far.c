/* x86_sysinsn_far.c — segment registers and far transfers in 64-bit mode:
 * mov/push/pop sreg, lfs/lgs/lss, far jmp/call/ret, iret, and the fast
 * system calls syscall/sysret (SDM vol. 2 pseudo-code, IA-32e parts). Only
 * 64-bit code segments are targets: a transfer to 16/32-bit code (or through
 * a call gate) is #GP, logged by -d unimp. */
#include <string.h>

#include "x86_sysinsn.h"

_Static_assert(ZYDIS_REGISTER_CS == ZYDIS_REGISTER_ES + X86_CS &&
                   ZYDIS_REGISTER_SS == ZYDIS_REGISTER_ES + X86_SS &&
                   ZYDIS_REGISTER_DS == ZYDIS_REGISTER_ES + X86_DS &&
                   ZYDIS_REGISTER_FS == ZYDIS_REGISTER_ES + X86_FS &&
                   ZYDIS_REGISTER_GS == ZYDIS_REGISTER_ES + X86_GS,
               "Zydis's segment registers are not in encoding order");

static int sreg_of(ZydisRegister r) { return (int)(r - ZYDIS_REGISTER_ES); }

/* -- Segment registers --------------------------------------------------------- */

static X86Exc load_sreg(SysInsn *i, int sreg, uint16_t sel) {
  if (sreg == X86_CS)
    return x86_ud();
  X86Exc x = x86_seg_load_data(i->s, sreg, sel);
  if (!x86_failed(x) && sreg == X86_SS) { /* no interrupt before the rsp load that follows */
    i->s->shadow = true;
    i->s->shadow_rip = i->next;
  }
  return x;
}

X86Exc x86_si_mov_sreg(SysInsn *i) {
  bool to_seg = ZydisRegisterGetClass(i->op[0].reg.value) == ZYDIS_REGCLASS_SEGMENT &&
                i->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER;
  if (!to_seg) /* a register gets the selector zero-extended; memory 16 bits */
    return x86_si_write(i, 0, i->s->seg[sreg_of(i->op[1].reg.value)].sel);
  uint64_t v;
  X86Exc x = x86_si_read(i, 1, &v);
  return x86_failed(x) ? x : load_sreg(i, sreg_of(i->op[0].reg.value), (uint16_t)v);
}

X86Exc x86_si_push_sreg(SysInsn *i) {
  return x86_si_push(i, i->s->seg[sreg_of(i->op[0].reg.value)].sel, x86_si_width(i));
}

X86Exc x86_si_pop_sreg(SysInsn *i) {
  unsigned w = x86_si_width(i);
  uint64_t v;
  X86Exc x = x86_si_stack_read(i, 0, w, &v);
  if (!x86_failed(x))
    x = load_sreg(i, sreg_of(i->op[0].reg.value), (uint16_t)v);
  if (!x86_failed(x))
    i->c->gpr[X86_RSP] += w;
  return x;
}

/* lfs/lgs/lss r, m16:16/32/64: the offset, then the selector after it. */
static X86Exc si_lfs(SysInsn *i) {
  int sreg = i->in.mnemonic == ZYDIS_MNEMONIC_LFS ? X86_FS
             : i->in.mnemonic == ZYDIS_MNEMONIC_LGS ? X86_GS
                                                    : X86_SS;
  unsigned w = x86_si_width(i);
  uint64_t a = x86_si_ea(i, 1), off = 0;
  uint16_t sel;
  X86Exc x = x86_vread(i->s, a, &off, w, i->s->cpl);
  if (!x86_failed(x))
    x = x86_vread(i->s, a + w, &sel, 2, i->s->cpl);
  if (!x86_failed(x))
    x = load_sreg(i, sreg, sel);
  if (!x86_failed(x))
    x86_si_set_gpr(i, i->op[0].reg.value, off);
  return x;
}

/* -- Far transfers --------------------------------------------------------------- */

static X86Exc unsupported(X86Sys *s, uint16_t sel, const char *what) {
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("x86: %s (selector %#x) is not supported: #GP\n", what, sel);
  return x86_exc(X86_EXC_GP, sel & 0xfffc);
}

/* The code segment of a far transfer, checked: a return (lret, iret) goes to
 * the selector's RPL, jmp/call stay at the CPL. */
static X86Exc code_target(X86Sys *s, uint16_t sel, bool ret, uint64_t *d, int *cpl) {
  if ((sel & ~3u) == 0)
    return x86_gp0();
  X86Exc x = x86_desc_read(s, sel, d);
  if (x86_failed(x))
    return x;
  uint16_t a = x86_desc_attr(*d);
  unsigned dpl = X86_ATTR_DPL(a), rpl = sel & 3;
  X86Exc gp = x86_exc(X86_EXC_GP, sel & 0xfffc);
  if (!(a & X86_ATTR_S))
    return unsupported(s, sel, "a far transfer through a gate");
  if (!(a & 8))
    return gp;
  bool conforming = a & 4;
  if (ret) {
    if (rpl < s->cpl || (conforming ? dpl > rpl : dpl != rpl))
      return gp;
    *cpl = (int)rpl;
  } else {
    if (conforming ? dpl > s->cpl : rpl > s->cpl || dpl != s->cpl)
      return gp;
    *cpl = s->cpl;
  }
  if (!(a & X86_ATTR_P))
    return x86_exc(X86_EXC_NP, sel & 0xfffc);
  if (!(a & X86_ATTR_L) || (a & X86_ATTR_DB))
    return unsupported(s, sel, "a far transfer to 16/32-bit code");
  return X86_OK;
}

/* The stack segment a return to an outer level (or iret) loads. A null SS is
 * fine for 64-bit code below CPL3. */
static X86Exc ss_target(X86Sys *s, uint16_t sel, int cpl, uint64_t *d) {
  *d = 0;
  if ((sel & ~3u) == 0)
    return cpl == 3 ? x86_gp0() : X86_OK;
  X86Exc gp = x86_exc(X86_EXC_GP, sel & 0xfffc);
  if ((int)(sel & 3) != cpl)
    return gp;
  X86Exc x = x86_desc_read(s, sel, d);
  if (x86_failed(x))
    return x;
  uint16_t a = x86_desc_attr(*d);
  if (!(a & X86_ATTR_S) || (a & 8) || !(a & 2) || (int)X86_ATTR_DPL(a) != cpl)
    return gp;
  if (!(a & X86_ATTR_P))
    return x86_exc(X86_EXC_SS, sel & 0xfffc);
  return X86_OK;
}

static void set_ss(X86Sys *s, uint16_t sel, uint64_t d) {
  X86Seg *ss = &s->seg[X86_SS];
  ss->sel = sel;
  ss->base = d ? x86_desc_base(d) : 0;
  ss->limit = d ? x86_desc_limit(d) : 0;
  ss->attr = d ? x86_desc_attr(d) | 1 : 0;
}

/* Returning to an outer level: data segments the new CPL may not use become
 * null (conforming code stays). */
static void null_outer_segs(X86Sys *s, int cpl) {
  static const int segs[] = {X86_ES, X86_DS, X86_FS, X86_GS};
  for (size_t k = 0; k < sizeof segs / sizeof segs[0]; k++) {
    X86Seg *g = &s->seg[segs[k]];
    bool conforming = (g->attr & 0xc) == 0xc;
    if ((g->attr & X86_ATTR_S) && !conforming && (int)X86_ATTR_DPL(g->attr) < cpl) {
      g->sel = 0;
      g->attr = 0;
    }
  }
}

static bool far(SysInsn *i) { return i->in.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR; }

static X86Exc si_ret_far(SysInsn *i) {
  X86Sys *s = i->s;
  if (!far(i))
    return x86_si_not_system(i);
  unsigned w = x86_si_width(i);
  uint64_t imm = i->op[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? i->op[0].imm.value.u & 0xffff : 0;
  uint64_t rip, cs, rsp, ss, d, ssd;
  int cpl;
  X86Exc x = x86_si_stack_read(i, 0, w, &rip);
  if (!x86_failed(x))
    x = x86_si_stack_read(i, w, w, &cs);
  if (!x86_failed(x))
    x = code_target(s, (uint16_t)cs, true, &d, &cpl);
  if (x86_failed(x))
    return x;
  if (!x86_canonical(rip))
    return x86_gp0();
  if (cpl == s->cpl) {
    i->c->gpr[X86_RSP] += 2 * w + imm;
  } else {
    x = x86_si_stack_read(i, 2 * w + imm, w, &rsp);
    if (!x86_failed(x))
      x = x86_si_stack_read(i, 3 * w + imm, w, &ss);
    if (!x86_failed(x))
      x = ss_target(s, (uint16_t)ss, cpl, &ssd);
    if (x86_failed(x))
      return x;
    set_ss(s, (uint16_t)ss, ssd);
    i->c->gpr[X86_RSP] = rsp + imm;
    null_outer_segs(s, cpl);
  }
  x86_seg_set_cs(s, (uint16_t)cs, d, cpl);
  i->c->rip = rip;
  i->jumped = true;
  return X86_OK;
}

/* jmp/call far m16:xx: the offset (operand size), then the selector. */
static X86Exc si_jmp_call_far(SysInsn *i) {
  X86Sys *s = i->s;
  if (!far(i))
    return x86_si_not_system(i);
  unsigned ow = (i->op[0].size - 16) / 8, w = x86_si_width(i);
  uint64_t a = x86_si_ea(i, 0), off = 0, d;
  uint16_t sel;
  int cpl;
  X86Exc x = x86_vread(s, a, &off, ow, s->cpl);
  if (!x86_failed(x))
    x = x86_vread(s, a + ow, &sel, 2, s->cpl);
  if (!x86_failed(x))
    x = code_target(s, sel, false, &d, &cpl);
  if (x86_failed(x))
    return x;
  if (!x86_canonical(off))
    return x86_gp0();
  if (i->in.mnemonic == ZYDIS_MNEMONIC_CALL) {
    uint64_t frame[2] = {i->next, s->seg[X86_CS].sel}; /* rip below cs */
    uint8_t bytes[16];
    memcpy(bytes, &frame[0], w);
    memcpy(bytes + w, &frame[1], w);
    uint64_t sp = i->c->gpr[X86_RSP] - 2 * w;
    x = x86_vwrite(s, sp, bytes, 2 * w, s->cpl);
    if (x86_failed(x))
      return x;
    i->c->gpr[X86_RSP] = sp;
  }
  x86_seg_set_cs(s, sel, d, cpl);
  i->c->rip = off;
  i->jumped = true;
  return X86_OK;
}

/* iret in 64-bit mode: always pops RIP, CS, RFLAGS, RSP, SS; no task returns. */
/* iret with operand width w. same_cpl: only a return to the current CPL is
 * wanted (the lifted one); *declined: it was not, and nothing changed. */
static X86Exc iret(X86Sys *s, unsigned w, bool same_cpl, bool *declined) {
  X86Cpu *c = x86_guest(s);
  *declined = false;
  uint64_t f = x86_flags(s);
  if (f & X86_FLAG_NT)
    return x86_gp0();
  uint64_t v[5] = {0}, d, ssd;
  X86Exc x = X86_OK;
  for (int k = 0; k < 5 && !x86_failed(x); k++)
    x = x86_vread(s, c->gpr[X86_RSP] + (uint64_t)k * w, &v[k], w, s->cpl);
  int cpl;
  if (!x86_failed(x))
    x = code_target(s, (uint16_t)v[1], true, &d, &cpl);
  if (x86_failed(x))
    return x;
  if (same_cpl && cpl != s->cpl) {
    *declined = true;
    return X86_OK;
  }
  if (!x86_canonical(v[0]))
    return x86_gp0();
  x = ss_target(s, (uint16_t)v[4], cpl, &ssd);
  if (x86_failed(x))
    return x;
  uint64_t mask = x86_si_flags_mask(s) | X86_FLAG_RF;
  if (w < 8)
    mask &= (1ull << (8 * w)) - 1;
  x86_set_flags(s, (f & ~mask) | (v[2] & mask));
  int old = s->cpl;
  x86_seg_set_cs(s, (uint16_t)v[1], d, cpl);
  set_ss(s, (uint16_t)v[4], ssd);
  if (cpl > old)
    null_outer_segs(s, cpl);
  c->rip = v[0];
  c->gpr[X86_RSP] = v[3];
  s->nmi_blocked = false;
  return X86_OK;
}

static X86Exc si_iret(SysInsn *i) {
  bool declined;
  X86Exc x = iret(i->s, x86_si_width(i), false, &declined);
  i->jumped = !x86_failed(x);
  return x;
}

uint64_t x86_iret_lifted(X86Sys *s) {
  X86Cpu *c = x86_guest(s);
  bool was_if = c->rflags_rest & X86_FLAG_IF, was_nmi_blocked = s->nmi_blocked, declined;
  X86Exc x = iret(s, 8, true, &declined);
  if (x86_failed(x) || declined)
    return X86_IRET_DECLINED; /* the runner does it again and delivers the fault */
  const X86SysHooks *h = &s->hooks;
  bool irq = !was_if && (c->rflags_rest & X86_FLAG_IF) && h->irq_pending && h->irq_pending(h->ctx);
  bool nmi = was_nmi_blocked && h->nmi_pending && h->nmi_pending(h->ctx);
  if (irq || nmi) /* let the runner deliver it where the block ends */
    emu_cpu_kick(s->cpu);
  return c->rip;
}

/* -- syscall / sysret ------------------------------------------------------------------ */

X86SysEvent x86_syscall(X86Sys *s) {
  X86Cpu *c = x86_guest(s);
  if (!(s->efer & X86_EFER_SCE)) {
    c->rip -= 2; /* 0f 05 */
    return x86_deliver(s, x86_ud(), X86_SRC_EXC, c->rip);
  }
  uint64_t f = x86_rflags_get(c);
  c->gpr[X86_RCX] = c->rip;
  c->gpr[X86_R11] = f;
  x86_rflags_set(c, f & ~s->fmask & ~X86_FLAG_RF);
  uint16_t sel = (uint16_t)(s->star >> 32);
  x86_seg_flat(&s->seg[X86_CS], sel & 0xfffc, true, 0);
  x86_seg_flat(&s->seg[X86_SS], (uint16_t)((sel + 8) & 0xfffc), false, 0);
  x86_set_cpl(s, 0);
  c->rip = s->lstar;
  s->shadow = false;
  return X86SYS_CONTINUE;
}

static X86Exc si_sysret(SysInsn *i) {
  X86Sys *s = i->s;
  if (!(s->efer & X86_EFER_SCE))
    return x86_ud();
  if (s->cpl != 0)
    return x86_gp0();
  uint16_t sel = (uint16_t)(s->star >> 48);
  if (x86_si_width(i) != 8)
    return unsupported(s, sel | 3, "sysret to 32-bit code");
  uint64_t rip = i->c->gpr[X86_RCX];
  if (!x86_canonical(rip))
    return x86_gp0();
  x86_set_flags(s, (i->c->gpr[X86_R11] & 0x3c7fd7) | 2);
  x86_seg_flat(&s->seg[X86_CS], (uint16_t)((sel + 16) | 3), true, 3);
  x86_seg_flat(&s->seg[X86_SS], (uint16_t)((sel + 8) | 3), false, 3);
  x86_set_cpl(s, 3);
  i->c->rip = rip;
  i->jumped = true;
  return X86_OK;
}

const SysInsnRow x86_sysinsn_far[] = {
    {ZYDIS_MNEMONIC_LFS, si_lfs, 0},
    {ZYDIS_MNEMONIC_LGS, si_lfs, 0},
    {ZYDIS_MNEMONIC_LSS, si_lfs, 0},
    {ZYDIS_MNEMONIC_RET, si_ret_far, 0},
    {ZYDIS_MNEMONIC_JMP, si_jmp_call_far, 0},
    {ZYDIS_MNEMONIC_CALL, si_jmp_call_far, 0},
    {ZYDIS_MNEMONIC_IRET, si_iret, 0},
    {ZYDIS_MNEMONIC_IRETD, si_iret, 0},
    {ZYDIS_MNEMONIC_IRETQ, si_iret, 0},
    {ZYDIS_MNEMONIC_SYSRET, si_sysret, 0},
    {0, NULL, 0},
};
