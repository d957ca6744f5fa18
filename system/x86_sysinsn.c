/* x86_sysinsn.c — the instructions the frontend leaves to the runner in system
 * mode (raise sys): decoded here with Zydis and carried out in C with the
 * SDM's checks for 64-bit mode. This file holds the dispatch, operand access,
 * and the small ones (cpuid, rdtsc, MSRs, cli/sti/popf, hlt, invlpg, swapgs,
 * int n); control registers and descriptor tables are in x86_sysinsn_cr.c,
 * segments and far transfers in x86_sysinsn_far.c, port I/O in
 * x86_sysinsn_io.c. */
#include <stdio.h>
#include <string.h>

#include "x86_sysinsn.h"

/* -- Operands -------------------------------------------------------------------- */

static bool high8(ZydisRegister r) {
  return r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH ||
         r == ZYDIS_REGISTER_BH;
}

static unsigned gpr_index(ZydisRegister r) {
  return ZydisRegisterGetId(ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r)) & 15;
}

static unsigned reg_width(ZydisRegister r) {
  return ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, r);
}

uint64_t x86_si_gpr(SysInsn *i, ZydisRegister r) {
  if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
    return i->next;
  uint64_t v = i->c->gpr[gpr_index(r)];
  unsigned w = reg_width(r);
  if (high8(r))
    return (v >> 8) & 0xff;
  return w >= 64 ? v : v & ((1ull << w) - 1);
}

void x86_si_set_gpr(SysInsn *i, ZydisRegister r, uint64_t v) {
  uint64_t *g = &i->c->gpr[gpr_index(r)];
  switch (reg_width(r)) {
  case 64: *g = v; break;
  case 32: *g = (uint32_t)v; break;
  case 16: *g = (*g & ~0xffffull) | (v & 0xffff); break;
  default:
    if (high8(r))
      *g = (*g & ~0xff00ull) | (v & 0xff) << 8;
    else
      *g = (*g & ~0xffull) | (v & 0xff);
  }
}

uint64_t x86_si_ea(SysInsn *i, int n) {
  const ZydisDecodedOperandMem *m = &i->op[n].mem;
  uint64_t a = (uint64_t)m->disp.value;
  if (m->base != ZYDIS_REGISTER_NONE)
    a += x86_si_gpr(i, m->base);
  if (m->index != ZYDIS_REGISTER_NONE)
    a += x86_si_gpr(i, m->index) * m->scale;
  if (i->in.address_width == 32)
    a = (uint32_t)a;
  if (m->segment == ZYDIS_REGISTER_FS)
    a += i->c->fs_base;
  else if (m->segment == ZYDIS_REGISTER_GS)
    a += i->c->gs_base;
  return a;
}

static uint64_t size_mask(unsigned bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }

X86Exc x86_si_read(SysInsn *i, int n, uint64_t *v) {
  const ZydisDecodedOperand *o = &i->op[n];
  switch (o->type) {
  case ZYDIS_OPERAND_TYPE_REGISTER: *v = x86_si_gpr(i, o->reg.value); return X86_OK;
  case ZYDIS_OPERAND_TYPE_IMMEDIATE: *v = o->imm.value.u & size_mask(o->size); return X86_OK;
  case ZYDIS_OPERAND_TYPE_MEMORY:
    *v = 0;
    return x86_vread(i->s, x86_si_ea(i, n), v, o->size / 8, i->s->cpl);
  default: return x86_ud();
  }
}

X86Exc x86_si_write(SysInsn *i, int n, uint64_t v) {
  const ZydisDecodedOperand *o = &i->op[n];
  if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
    x86_si_set_gpr(i, o->reg.value, v);
    return X86_OK;
  }
  if (o->type == ZYDIS_OPERAND_TYPE_MEMORY)
    return x86_vwrite(i->s, x86_si_ea(i, n), &v, o->size / 8, i->s->cpl);
  return x86_ud();
}

X86Exc x86_si_stack_read(SysInsn *i, uint64_t off, unsigned n, uint64_t *v) {
  *v = 0;
  return x86_vread(i->s, i->c->gpr[X86_RSP] + off, v, n, i->s->cpl);
}

X86Exc x86_si_push(SysInsn *i, uint64_t v, unsigned n) {
  uint64_t sp = i->c->gpr[X86_RSP] - n;
  X86Exc x = x86_vwrite(i->s, sp, &v, n, i->s->cpl);
  if (!x86_failed(x))
    i->c->gpr[X86_RSP] = sp;
  return x;
}

/* -- Small instructions ----------------------------------------------------------- */

static void set_edx_eax(SysInsn *i, uint64_t v) {
  i->c->gpr[X86_RAX] = (uint32_t)v;
  i->c->gpr[X86_RDX] = v >> 32;
}

static X86Exc si_cpuid(SysInsn *i) {
  uint32_t r[4];
  x86_cpuid((uint32_t)i->c->gpr[X86_RAX], (uint32_t)i->c->gpr[X86_RCX], r);
  i->c->gpr[X86_RAX] = r[0];
  i->c->gpr[X86_RBX] = r[1];
  i->c->gpr[X86_RCX] = r[2];
  i->c->gpr[X86_RDX] = r[3];
  return X86_OK;
}

static X86Exc si_rdtsc(SysInsn *i) {
  if ((i->s->cr4 & X86_CR4_TSD) && i->s->cpl != 0)
    return x86_gp0();
  set_edx_eax(i, x86_tsc(i->s));
  if (i->in.mnemonic == ZYDIS_MNEMONIC_RDTSCP)
    i->c->gpr[X86_RCX] = (uint32_t)i->s->tsc_aux;
  return X86_OK;
}

static X86Exc si_rdmsr(SysInsn *i) {
  uint64_t v;
  if (!x86_msr_read(i->s, (uint32_t)i->c->gpr[X86_RCX], &v))
    return x86_gp0();
  set_edx_eax(i, v);
  return X86_OK;
}

static X86Exc si_wrmsr(SysInsn *i) {
  uint64_t v = (uint32_t)i->c->gpr[X86_RAX] | i->c->gpr[X86_RDX] << 32;
  return x86_msr_write(i->s, (uint32_t)i->c->gpr[X86_RCX], v) ? X86_OK : x86_gp0();
}

/* cli/sti: IOPL-sensitive (no VME/PVI in this model). sti's interrupt
 * shadow covers the next instruction when IF was clear. */
/* sti: IF = 1; if it was 0, no interrupt before the instruction at next. */
static void sti(X86Sys *s, uint64_t next) {
  X86Cpu *c = x86_guest(s);
  if (c->rflags_rest & X86_FLAG_IF)
    return;
  c->rflags_rest |= X86_FLAG_IF;
  s->shadow = true;
  s->shadow_rip = next;
}

static X86Exc si_cli_sti(SysInsn *i) {
  if (i->s->cpl > x86_iopl(i->s))
    return x86_gp0();
  if (i->in.mnemonic == ZYDIS_MNEMONIC_CLI)
    x86_set_flags(i->s, x86_flags(i->s) & ~X86_FLAG_IF);
  else
    sti(i->s, i->next);
  return X86_OK;
}

/* -- Lifted at CPL0 (the frontend calls these from generated code) ----------------- */

static X86Sys *sys_of_guest(void *guest) { return x86sys_state(emu_cpu_of_guest(guest)); }
static uint64_t lifted_tsc(void *guest) { return x86_tsc(sys_of_guest(guest)); }
static uint64_t lifted_tsc_aux(void *guest) { return (uint32_t)sys_of_guest(guest)->tsc_aux; }

/* An interrupt sti lets in is taken where the block ends, after the shadowed
 * instruction (the frontend ends it there): make the block return. */
static void lifted_sti(void *guest, uint64_t next) {
  X86Sys *s = sys_of_guest(guest);
  bool was = x86_guest(s)->rflags_rest & X86_FLAG_IF;
  sti(s, next);
  if (!was && s->hooks.irq_pending && s->hooks.irq_pending(s->hooks.ctx))
    emu_cpu_kick(s->cpu);
}

static uint64_t lifted_sreg(void *guest, uint64_t seg) {
  return seg < X86_NSEG ? sys_of_guest(guest)->seg[seg].sel : 0;
}

static uint64_t lifted_iret(void *guest) { return x86_iret_lifted(sys_of_guest(guest)); }

const X86SysCalls x86_lifted_calls = {lifted_tsc, lifted_tsc_aux, lifted_sti, lifted_sreg,
                                      lifted_iret};

uint64_t x86_si_flags_mask(X86Sys *s) {
  uint64_t m = 0xcd5 | X86_FLAG_TF | X86_FLAG_NT | X86_FLAG_AC | X86_FLAG_ID;
  if (s->cpl == 0)
    m |= X86_FLAG_IOPL;
  if (s->cpl <= x86_iopl(s))
    m |= X86_FLAG_IF;
  return m;
}

static X86Exc si_popf(SysInsn *i) {
  unsigned w = x86_si_width(i);
  uint64_t v;
  X86Exc x = x86_si_stack_read(i, 0, w, &v);
  if (x86_failed(x))
    return x;
  uint64_t mask = x86_si_flags_mask(i->s) & size_mask(8 * w);
  uint64_t f = x86_flags(i->s);
  x86_set_flags(i->s, ((f & ~mask) | (v & mask)) & ~X86_FLAG_RF);
  i->c->gpr[X86_RSP] += w;
  return X86_OK;
}

static X86Exc si_hlt(SysInsn *i) {
  i->s->halted = true;
  i->event = X86SYS_HALT;
  return X86_OK;
}

static X86Exc si_nop(SysInsn *i) { /* wbinvd, invd: no caches to write back */
  (void)i;
  return X86_OK;
}

static X86Exc si_invlpg(SysInsn *i) {
  x86sys_tlb_flush_page(i->s->cpu, x86_si_ea(i, 0));
  return X86_OK;
}

static X86Exc si_swapgs(SysInsn *i) {
  uint64_t t = i->c->gs_base;
  i->c->gs_base = i->s->seg[X86_GS].base = i->s->kernel_gs_base;
  i->s->kernel_gs_base = t;
  return X86_OK;
}

/* int n, int3 (software: the gate's DPL is checked), int1 (like a hardware
 * #DB); all push the next instruction. */
static X86Exc si_intn(SysInsn *i) {
  int vec;
  X86Src src = X86_SRC_SOFT;
  switch (i->in.mnemonic) {
  case ZYDIS_MNEMONIC_INT3: vec = X86_EXC_BP; break;
  case ZYDIS_MNEMONIC_INT1: vec = X86_EXC_DB, src = X86_SRC_EXC; break;
  case ZYDIS_MNEMONIC_INT: vec = (int)(i->op[0].imm.value.u & 0xff); break;
  default: return x86_ud(); /* into: invalid in 64-bit mode */
  }
  i->event = x86_deliver(i->s, x86_exc(vec, 0), src, i->next);
  i->jumped = true;
  return X86_OK;
}

static X86Exc si_ud(SysInsn *i) { /* sysenter/sysexit, rdpid: not in this CPU model */
  (void)i;
  return x86_ud();
}

/* mov and push/pop reach here only in their system forms. */
static ZydisRegisterClass reg_class(SysInsn *i, int n) {
  if (i->op[n].type != ZYDIS_OPERAND_TYPE_REGISTER)
    return ZYDIS_REGCLASS_INVALID;
  return ZydisRegisterGetClass(i->op[n].reg.value);
}

X86Exc x86_si_not_system(SysInsn *i) {
  i->stale = true;
  return X86_OK;
}

static X86Exc si_mov(SysInsn *i) {
  for (int n = 0; n < 2; n++) {
    switch (reg_class(i, n)) {
    case ZYDIS_REGCLASS_CONTROL: return x86_si_mov_cr(i);
    case ZYDIS_REGCLASS_DEBUG: return x86_si_mov_dr(i);
    case ZYDIS_REGCLASS_SEGMENT: return x86_si_mov_sreg(i);
    default: break;
    }
  }
  return x86_si_not_system(i);
}

static X86Exc si_push(SysInsn *i) {
  return reg_class(i, 0) == ZYDIS_REGCLASS_SEGMENT ? x86_si_push_sreg(i) : x86_si_not_system(i);
}

static X86Exc si_pop(SysInsn *i) {
  return reg_class(i, 0) == ZYDIS_REGCLASS_SEGMENT ? x86_si_pop_sreg(i) : x86_si_not_system(i);
}

const SysInsnRow x86_sysinsn_misc[] = {
    {ZYDIS_MNEMONIC_CPUID, si_cpuid, 0},
    {ZYDIS_MNEMONIC_RDTSC, si_rdtsc, 0},
    {ZYDIS_MNEMONIC_RDTSCP, si_rdtsc, 0},
    {ZYDIS_MNEMONIC_RDPID, si_ud, 0},
    {ZYDIS_MNEMONIC_RDMSR, si_rdmsr, SI_CPL0},
    {ZYDIS_MNEMONIC_WRMSR, si_wrmsr, SI_CPL0},
    {ZYDIS_MNEMONIC_CLI, si_cli_sti, 0},
    {ZYDIS_MNEMONIC_STI, si_cli_sti, 0},
    {ZYDIS_MNEMONIC_POPF, si_popf, 0},
    {ZYDIS_MNEMONIC_POPFD, si_popf, 0},
    {ZYDIS_MNEMONIC_POPFQ, si_popf, 0},
    {ZYDIS_MNEMONIC_HLT, si_hlt, SI_CPL0},
    {ZYDIS_MNEMONIC_WBINVD, si_nop, SI_CPL0},
    {ZYDIS_MNEMONIC_INVD, si_nop, SI_CPL0},
    {ZYDIS_MNEMONIC_INVLPG, si_invlpg, SI_CPL0},
    {ZYDIS_MNEMONIC_SWAPGS, si_swapgs, SI_CPL0},
    {ZYDIS_MNEMONIC_INT, si_intn, 0},
    {ZYDIS_MNEMONIC_INT1, si_intn, 0},
    {ZYDIS_MNEMONIC_INT3, si_intn, 0},
    {ZYDIS_MNEMONIC_INTO, si_intn, 0},
    {ZYDIS_MNEMONIC_SYSENTER, si_ud, 0},
    {ZYDIS_MNEMONIC_SYSEXIT, si_ud, 0},
    {ZYDIS_MNEMONIC_MOV, si_mov, 0},
    {ZYDIS_MNEMONIC_PUSH, si_push, 0},
    {ZYDIS_MNEMONIC_POP, si_pop, 0},
    {0, NULL, 0},
};

/* -- Decoding and dispatch --------------------------------------------------------- */

static const SysInsnRow *const row_tables[] = {
    x86_sysinsn_misc, x86_sysinsn_cr, x86_sysinsn_far, x86_sysinsn_io,
};

static const SysInsnRow *find_row(ZydisMnemonic mn) {
  for (size_t t = 0; t < sizeof row_tables / sizeof row_tables[0]; t++)
    for (const SysInsnRow *r = row_tables[t]; r->fn; r++)
      if (r->mn == mn)
        return r;
  return NULL;
}

static ZydisDecoder *decoder(void) {
  static ZydisDecoder d;
  static bool done;
  if (!done) {
    ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    done = true;
  }
  return &d;
}

/* Fetch (as far as the pages allow) and decode the instruction at pc. */
static X86Exc decode(X86Sys *s, uint64_t pc, ZydisDecodedInstruction *in, ZydisDecodedOperand *op) {
  uint8_t buf[15];
  size_t first = 0x1000 - (pc & 0xfff), n = first < sizeof buf ? first : sizeof buf;
  X86Exc x = x86_vfetch(s, pc, buf, n, s->cpl);
  if (x86_failed(x))
    return x;
  X86Exc rest = X86_OK;
  if (n < sizeof buf) {
    rest = x86_vfetch(s, pc + n, buf + n, sizeof buf - n, s->cpl);
    if (!x86_failed(rest))
      n = sizeof buf;
  }
  ZyanStatus st = ZydisDecoderDecodeFull(decoder(), buf, n, in, op);
  if (st == ZYDIS_STATUS_NO_MORE_DATA && x86_failed(rest))
    return rest;
  return ZYAN_SUCCESS(st) ? X86_OK : x86_ud();
}

bool x86_insn_is_x87(X86Sys *s, uint64_t pc) {
  ZydisDecodedInstruction in;
  ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
  if (x86_failed(decode(s, pc, &in, op)))
    return false;
  if (in.meta.isa_ext == ZYDIS_ISA_EXT_X87 || in.mnemonic == ZYDIS_MNEMONIC_FWAIT)
    return true;
  for (unsigned k = 0; k < in.operand_count_visible; k++)
    if (op[k].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        ZydisRegisterGetClass(op[k].reg.value) == ZYDIS_REGCLASS_MMX)
      return true;
  return false;
}

void x86_log_insn(X86Sys *s, uint64_t pc, const char *what) {
  uint8_t b[15];
  size_t n = 0;
  while (n < sizeof b && !x86_failed(x86_vfetch(s, pc + n, b + n, 1, s->cpl)))
    n++;
  char text[128];
  x86_frontend.disas(pc, b, n, text, sizeof text);
  emu_log("emu: %s at 0x%llx:", what, (unsigned long long)pc);
  for (size_t k = 0; k < n; k++)
    emu_log(" %02x", b[k]);
  emu_log("  (%s)\n", text);
}

/* The instruction at pc is not a system one any more: its block was
 * translated from bytes that have changed since. Drop the blocks there and
 * translate again; the same pc twice in a row would mean the frontend and
 * this file disagree on what a system instruction is (#UD, logged). */
static X86SysEvent stale(X86Sys *s, uint64_t pc) {
  uint64_t phys;
  uint32_t mode;
  if (s->stale_pc == pc) {
    s->stale_pc = ~0ull;
    if (emu_log_on(EMU_LOG_unimp))
      x86_log_insn(s, pc, "not a system instruction, but translated as one");
    return x86_deliver(s, x86_ud(), X86_SRC_EXC, pc);
  }
  s->stale_pc = pc;
  if (x86_code_key(s->cpu, pc, &phys, &mode))
    emu_engine_invalidate(s->cpu->rt.engine, phys, phys + 1);
  return X86SYS_CONTINUE;
}

X86SysEvent x86_sysinsn(X86Sys *s) {
  X86Cpu *c = x86_guest(s);
  SysInsn i = {.s = s, .c = c, .pc = c->rip, .event = X86SYS_CONTINUE};
  X86Exc x = decode(s, i.pc, &i.in, i.op);
  if (x86_failed(x))
    return x86_deliver(s, x, X86_SRC_EXC, i.pc);
  i.next = i.pc + i.in.length;
  const SysInsnRow *r = find_row(i.in.mnemonic);
  if (!r)
    return stale(s, i.pc);
  bool shadowed = s->shadow;
  s->shadow = false; /* this instruction was the one a shadow covered */
  x = (r->flags & SI_CPL0) && s->cpl != 0 ? x86_gp0() : r->fn(&i);
  if (i.stale) {
    s->shadow = shadowed;
    return stale(s, i.pc);
  }
  s->stale_pc = ~0ull;
  if (x86_failed(x))
    return x86_deliver(s, x, X86_SRC_EXC, i.pc);
  if (!i.jumped)
    c->rip = i.next;
  return i.event;
}
