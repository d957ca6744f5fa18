/* x86_sys.c — the system-mode x86 CPU as the machine sees it: the engine's
 * configuration, the CPU's reset and boot states, and the exit handler that
 * turns what emu_exec returns into architectural behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pc_layout.h"
#include "x86_sys_int.h"

/* The runtime puts the extra area after the guest state, rounded to 64 bytes
 * (emu.h, emu_cpu_extra); the TLB is its first field. */
static size_t extra_offset(void) { return (x86_regfile.state_size + 63) & ~(size_t)63; }

_Static_assert(offsetof(X86Sys, tlb) == 0, "the TLB must open the extra area");

X86Sys *x86sys_state(EmuCpu *cpu) { return emu_cpu_extra(cpu); }

void x86sys_engine_config(EmuEngineConfig *cfg) {
  static SoftmmuOps ops;
  ops = x86_softmmu_ops;
  ops.tlb_offset = (int32_t)extra_offset();
  x86_frontend_init();
  x86_frontend_set_sys(&x86_lifted_calls);
  cfg->frontend = &x86_frontend;
  cfg->fetch = (IrCodeFetch){.fetch = x86_code_fetch};
  cfg->mem = (IrMemOps){.load = x86_mem_load, .store = x86_mem_store, .atomic_ptr = x86_mem_atomic};
  cfg->softmmu = &ops;
  cfg->code_key = x86_code_key;
  cfg->code_added = x86_code_added;
  cfg->cpu_extra = sizeof(X86Sys);
  cfg->passes.precise_classes = IR_PRECISE_ALL; /* every fault is restartable */
  cfg->guest_base = 0;
  cfg->guest_limit = 0;
}

bool x86sys_cpu_init(EmuCpu *cpu, const X86SysHooks *hooks) {
  X86Sys *s = x86sys_state(cpu);
  if ((uint8_t *)s != cpu->guest + extra_offset()) {
    fprintf(stderr, "emu: internal error: the cpu's extra area is not where the TLB offset says\n");
    return false;
  }
  s->hooks = *hooks;
  s->cpu = cpu;
  s->ram_low = pc_low_ram_end(hooks->ram_size);
  uint64_t pages = (hooks->ram_size + SOFTMMU_PAGE_SIZE - 1) >> SOFTMMU_PAGE_BITS;
  s->code_bits = calloc((pages + 63) / 64 + 1, sizeof(uint64_t));
  if (!s->code_bits) {
    fprintf(stderr, "emu: out of memory\n");
    return false;
  }
  x86sys_reset(cpu);
  return true;
}

void x86sys_cpu_fini(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  free(s->code_bits);
  s->code_bits = NULL;
}

static void seg_real(X86Seg *g, uint16_t sel, uint64_t base, uint16_t attr) {
  *g = (X86Seg){.base = base, .limit = 0xffff, .sel = sel, .attr = attr};
}

void x86sys_reset(EmuCpu *cpu) {
  X86Sys *s = x86sys_state(cpu);
  X86Cpu *c = emu_guest(cpu);
  /* Keep what the machine attached; everything after `cr0` is CPU state. */
  size_t from = offsetof(X86Sys, cr0);
  memset((char *)s + from, 0, sizeof *s - from);
  x86_cpu_reset(c);
  c->rflags_rest = 0; /* IF = 0 */
  c->rip = 0xfff0;
  c->gpr[X86_RDX] = 0x000906ea; /* the CPUID signature */
  s->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
  for (int i = 0; i < X86_NSEG; i++)
    seg_real(&s->seg[i], 0, 0, 0x93);
  seg_real(&s->seg[X86_CS], 0xf000, 0xffff0000, 0x9b);
  seg_real(&s->ldtr, 0, 0, 0x82);
  seg_real(&s->tr, 0, 0, 0x8b);
  s->gdtr.limit = s->idtr.limit = 0xffff;
  s->dr[6] = 0xffff0ff0;
  s->dr[7] = 0x400;
  s->pat = 0x0007040600070406ull;
  s->misc_enable = 1 | 1u << 11 | 1u << 12; /* fast strings; no BTS, no PEBS */
  s->mtrr_deftype = 0x806; /* MTRRs on, write-back: what firmware leaves */
  s->stale_pc = ~0ull;
  s->tsc_offset = -(s->hooks.clock_ns ? s->hooks.clock_ns(s->hooks.ctx) : 0);
  x86_set_cpl(s, 0);
  x86sys_tlb_flush(cpu);
}

/* A segment for the boot state, from the GDT in RAM (the boot loader gives a
 * physical address). */
static uint64_t boot_desc(X86Sys *s, const X86BootRegs *b, uint16_t sel) {
  uint64_t d = 0;
  if ((sel & ~7u) + 7u <= b->gdt_limit)
    x86_phys_read(s, b->gdt_base + (sel & ~7u), &d, 8);
  return d;
}

void x86sys_apply_boot(EmuCpu *cpu, const X86BootRegs *b) {
  X86Sys *s = x86sys_state(cpu);
  X86Cpu *c = emu_guest(cpu);
  s->gdtr = (X86Dtr){b->gdt_base, b->gdt_limit};
  s->idtr = (X86Dtr){b->idt_base, b->idt_limit};
  s->cr0 = b->cr0 | X86_CR0_ET;
  s->cr3 = b->cr3;
  s->cr4 = b->cr4;
  s->efer = b->efer & (X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE);
  if ((s->cr0 & X86_CR0_PG) && (s->efer & X86_EFER_LME))
    s->efer |= X86_EFER_LMA;
  uint64_t cs = boot_desc(s, b, b->cs), ds = boot_desc(s, b, b->ds);
  x86_seg_set_cs(s, b->cs, cs, 0);
  static const int data[] = {X86_ES, X86_SS, X86_DS};
  for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
    s->seg[data[i]] = (X86Seg){x86_desc_base(ds), x86_desc_limit(ds), b->ds, x86_desc_attr(ds)};
  s->seg[X86_FS] = s->seg[X86_GS] = (X86Seg){0};
  c->fs_base = c->gs_base = 0;
  c->rip = b->rip;
  c->gpr[X86_RSP] = b->rsp;
  c->gpr[X86_RSI] = b->rsi;
  x86_rflags_set(c, b->rflags);
  s->halted = false;
  x86sys_tlb_flush(cpu);
}

/* -- Exits ------------------------------------------------------------------------ */

static X86SysEvent fault(X86Sys *s, X86Exc e) {
  return x86_deliver(s, e, X86_SRC_EXC, x86_guest(s)->rip);
}

X86SysEvent x86sys_handle_exit(EmuCpu *cpu, const EmuExit *x) {
  X86Sys *s = x86sys_state(cpu);
  X86Cpu *c = emu_guest(cpu);
  if (x->reason == EMU_EXIT_INTERRUPT)
    return X86SYS_CONTINUE;
  if (x->reason == EMU_EXIT_SYSCALL)
    return x86_syscall(s);
  switch (x->exc) {
  case IR_EXC_sys: return x86_sysinsn(s);
  case IR_EXC_fault: {
    X86Exc e = x86_mmu_take_fault(s, x->addr, x->is_write, c->rip);
    return x86_failed(e) ? fault(s, e) : X86SYS_CONTINUE;
  }
  case IR_EXC_undef:
    if (x->addr == IR_UNDEF_UNIMPL && emu_log_on(EMU_LOG_unimp))
      x86_log_insn(s, c->rip, "unimplemented instruction");
    return fault(s, x86_ud());
  case IR_EXC_divide: /* #DE, or #MF from an x87/MMX instruction */
    return fault(s, x86_exc(x86_insn_is_x87(s, c->rip) ? X86_EXC_MF : X86_EXC_DE, 0));
  case IR_EXC_breakpt: /* int3 (not raised in system mode: it is a system instruction) */
    return x86_deliver(s, x86_exc(X86_EXC_BP, 0), X86_SRC_SOFT, c->rip + 1);
  case IR_EXC_trap: /* int n, 2 bytes (likewise) */
    return x86_deliver(s, x86_exc((int)(x->addr & 0xff), 0), X86_SRC_SOFT, c->rip + 2);
  case IR_EXC_halt:
    s->halted = true;
    return X86SYS_HALT;
  case IR_EXC_priv:
  default: return fault(s, x86_gp0());
  }
}
