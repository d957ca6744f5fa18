/* x86_excp.c — exception and interrupt delivery in IA-32e mode (SDM vol. 3
 * 6.14): 16-byte IDT gates (64-bit interrupt and trap gates only), the gate's
 * DPL for int n, the target code segment, the stack switch to TSS.RSPn on a
 * privilege change or to an IST stack, the 16-byte aligned frame SS, RSP,
 * RFLAGS, CS, RIP and error code, and double and triple faults (6.15,
 * interrupt 8). Also the machine's side: interrupts, NMIs, hlt wake-up. */
#include "x86_sys_int.h"

bool x86_exc_has_error(int vec) {
  return vec == X86_EXC_DF || (vec >= X86_EXC_TS && vec <= X86_EXC_PF) || vec == X86_EXC_AC ||
         vec == 21;
}

enum { BENIGN, CONTRIBUTORY, PAGE_FAULT };

static int exc_class(int vec) {
  if (vec == X86_EXC_DE || (vec >= X86_EXC_TS && vec <= X86_EXC_GP))
    return CONTRIBUTORY;
  return vec == X86_EXC_PF ? PAGE_FAULT : BENIGN;
}

/* SDM table 6-5: the second exception while delivering the first is #DF. */
static bool is_double_fault(int first, int second) {
  int a = exc_class(first), b = exc_class(second);
  return (a == CONTRIBUTORY && b == CONTRIBUTORY) || (a == PAGE_FAULT && b != BENIGN);
}

/* RSPn or ISTn from the 64-bit TSS (offsets 4 + 8n and 0x24 + 8(n-1)). */
static X86Exc tss_stack(X86Sys *s, uint32_t off, uint32_t ext, uint64_t *rsp) {
  if (!(s->tr.attr & X86_ATTR_P) || off + 7 > s->tr.limit)
    return x86_exc(X86_EXC_TS, (s->tr.sel & 0xfffc) | ext);
  X86Exc x = x86_vread(s, s->tr.base + off, rsp, 8, 0);
  if (x86_failed(x))
    return x;
  if (!x86_canonical(*rsp))
    return x86_exc(X86_EXC_SS, ext);
  return X86_OK;
}

/* One attempt: the exception it raised instead, or X86_OK with the handler
 * entered. Nothing changes in the state before the frame is written. */
static X86Exc deliver_once(X86Sys *s, X86Exc e, X86Src src, uint64_t ret_rip) {
  X86Cpu *c = x86_guest(s);
  int vec = e.vec;
  uint32_t ext = src == X86_SRC_SOFT ? 0 : 1;
  uint32_t idt_err = (uint32_t)vec * 8 + 2 + ext;
  if ((uint32_t)vec * 16 + 15 > s->idtr.limit)
    return x86_exc(X86_EXC_GP, idt_err);
  uint64_t gate[2];
  X86Exc x = x86_vread(s, s->idtr.base + (uint64_t)vec * 16, gate, 16, 0);
  if (x86_failed(x))
    return x;
  unsigned type = (gate[0] >> 40) & 15, gate_dpl = (gate[0] >> 45) & 3;
  if (type != 14 && type != 15)
    return x86_exc(X86_EXC_GP, idt_err);
  if (src == X86_SRC_SOFT && gate_dpl < s->cpl)
    return x86_exc(X86_EXC_GP, idt_err);
  if (!((gate[0] >> 47) & 1))
    return x86_exc(X86_EXC_NP, idt_err);
  uint16_t sel = (uint16_t)(gate[0] >> 16);
  unsigned ist = (gate[0] >> 32) & 7;
  uint64_t target = (gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000) | gate[1] << 32;

  if ((sel & ~3u) == 0)
    return x86_exc(X86_EXC_GP, ext);
  uint64_t d;
  x = x86_desc_read(s, sel, &d);
  if (x86_failed(x))
    return x86_exc(x.vec, x.vec == X86_EXC_GP ? x.err | ext : x.err);
  uint16_t a = x86_desc_attr(d);
  unsigned dpl = X86_ATTR_DPL(a);
  if (!(a & X86_ATTR_S) || !(a & 8) || dpl > s->cpl)
    return x86_exc(X86_EXC_GP, (sel & 0xfffc) | ext);
  if (!(a & X86_ATTR_P))
    return x86_exc(X86_EXC_NP, (sel & 0xfffc) | ext);
  if (!(a & X86_ATTR_L) || (a & X86_ATTR_DB))
    return x86_exc(X86_EXC_GP, (sel & 0xfffc) | ext); /* only 64-bit handlers */
  unsigned cpl = a & 4 ? s->cpl : dpl; /* conforming code keeps the CPL */
  if (!x86_canonical(target))
    return x86_exc(X86_EXC_GP, ext);

  uint64_t rsp = c->gpr[X86_RSP];
  if (ist)
    x = tss_stack(s, 0x24 + 8 * (ist - 1), ext, &rsp);
  else if (cpl < s->cpl)
    x = tss_stack(s, 4 + 8 * cpl, ext, &rsp);
  if (x86_failed(x))
    return x;
  rsp &= ~15ull;
  uint64_t frame[6];
  int n = 0;
  bool err = src == X86_SRC_EXC && x86_exc_has_error(vec);
  if (err)
    frame[n++] = e.err;
  frame[n++] = ret_rip;
  frame[n++] = s->seg[X86_CS].sel;
  frame[n++] = x86_rflags_get(c);
  frame[n++] = c->gpr[X86_RSP];
  frame[n++] = s->seg[X86_SS].sel;
  rsp -= 8 * (uint64_t)n;
  x = x86_vwrite(s, rsp, frame, 8 * (size_t)n, (int)cpl);
  if (x86_failed(x))
    return x;

  /* Committed. */
  if (cpl != s->cpl) {
    s->seg[X86_SS].sel = (uint16_t)cpl; /* a null SS with RPL = the new CPL */
    s->seg[X86_SS].attr = 0;
  }
  c->gpr[X86_RSP] = rsp;
  x86_seg_set_cs(s, sel, d, (int)cpl);
  c->rip = target;
  uint64_t f = x86_rflags_get(c) & ~(X86_FLAG_TF | X86_FLAG_NT | X86_FLAG_RF | X86_FLAG_VM);
  if (type == 14)
    f &= ~X86_FLAG_IF;
  x86_rflags_set(c, f);
  if (vec == X86_EXC_NMI && src == X86_SRC_EXT)
    s->nmi_blocked = true;
  s->halted = false;
  s->shadow = false;
  return X86_OK;
}

static X86SysEvent triple_fault(X86Sys *s) {
  s->triple = true;
  s->halted = true;
  if (emu_log_on(EMU_LOG_unimp))
    emu_log("x86: triple fault at rip %#llx\n", (unsigned long long)x86_guest(s)->rip);
  if (s->hooks.reset)
    s->hooks.reset(s->hooks.ctx, "triple fault");
  return X86SYS_RESET;
}

X86SysEvent x86_deliver(X86Sys *s, X86Exc e, X86Src src, uint64_t ret_rip) {
  for (;;) {
    if (e.vec == X86_EXC_PF)
      s->cr2 = e.cr2;
    X86Exc f = deliver_once(s, e, src, ret_rip);
    if (!x86_failed(f))
      return X86SYS_CONTINUE;
    if (e.vec == X86_EXC_DF && src == X86_SRC_EXC)
      return triple_fault(s);
    /* Benign first events are dropped and the second one delivered (it
     * reports the instruction that was running, with EXT set). */
    e = src == X86_SRC_EXC && is_double_fault(e.vec, f.vec) ? x86_exc(X86_EXC_DF, 0) : f;
    src = X86_SRC_EXC;
    ret_rip = x86_guest(s)->rip;
  }
}

/* -- The machine's side --------------------------------------------------------- */

static bool shadowed(X86Sys *s) { return s->shadow && x86_guest(s)->rip == s->shadow_rip; }

bool x86sys_irq_ready(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  return (x86_guest(s)->rflags_rest & X86_FLAG_IF) && !shadowed(s) && !s->triple;
}

void x86sys_interrupt(EmuCpu *cpu, int vector) {
  X86Sys *s = x86sys_state(cpu);
  x86_deliver(s, x86_exc(vector & 0xff, 0), X86_SRC_EXT, x86_guest(s)->rip);
}

void x86sys_nmi(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  if (!s->nmi_blocked && !s->triple)
    x86_deliver(s, x86_exc(X86_EXC_NMI, 0), X86_SRC_EXT, x86_guest(s)->rip);
}

bool x86sys_poll_irq(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  const X86SysHooks *h = &s->hooks;
  if (s->triple)
    return false;
  if (h->nmi_pending && !s->nmi_blocked && !shadowed(s) && h->nmi_pending(h->ctx)) {
    if (h->nmi_ack)
      h->nmi_ack(h->ctx);
    x86sys_nmi(cpu);
    return true;
  }
  if (h->irq_pending && x86sys_irq_ready(cpu) && h->irq_pending(h->ctx)) {
    x86sys_interrupt(cpu, h->irq_ack(h->ctx));
    return true;
  }
  return false;
}

bool x86sys_halted(EmuCpu *cpu) { return x86sys_state(cpu)->halted; }
