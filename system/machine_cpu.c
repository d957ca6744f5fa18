/* machine_cpu.c — the engine and the one vCPU, glued to the machine: RAM, the
 * bus, the LAPIC/i8259 interrupt chain, the clock as the TSC, the LAPIC's MSRs,
 * and DMA writes that drop translated code. */
#include <stdio.h>

#include "machine_cpu.h"
#include "x86_sys.h"

/* -- Interrupts: the LAPIC decides; its ExtINT answer means the i8259's ------ */

static bool irq_pending(void *ctx) {
  Machine *m = ctx;
  return lapic_irq_pending(m->lapic);
}

static int irq_ack(void *ctx) {
  Machine *m = ctx;
  int v = lapic_irq_ack(m->lapic);
  return v == LAPIC_ACK_EXTINT ? i8259_ack(m->pic) : v;
}

static bool nmi_pending(void *ctx) {
  Machine *m = ctx;
  return lapic_nmi_pending(m->lapic);
}

static void nmi_ack(void *ctx) {
  Machine *m = ctx;
  lapic_nmi_ack(m->lapic);
}

static void cpu_reset(void *ctx, const char *why) { machine_request_reset(ctx, why); }

static uint64_t clock_ns(void *ctx) {
  Machine *m = ctx;
  return hw_clock_ns(m->clock);
}

enum { MSR_APIC_BASE = 0x1b, MSR_TSC_DEADLINE = 0x6e0 };

/* The guest's TSC is the machine clock plus this (it starts at 0 at reset,
 * and the guest may write it). */
static uint64_t tsc_offset(Machine *m) { return m->cpu ? x86sys_state(m->cpu)->tsc_offset : 0; }

static bool msr_read(void *ctx, uint32_t index, uint64_t *value) {
  Machine *m = ctx;
  switch (index) {
  case MSR_APIC_BASE: *value = lapic_get_base(m->lapic); return true;
  case MSR_TSC_DEADLINE: {
    uint64_t d = lapic_get_tsc_deadline(m->lapic);
    *value = d ? d + tsc_offset(m) : 0;
    return true;
  }
  default: return false;
  }
}

static bool msr_write(void *ctx, uint32_t index, uint64_t value) {
  Machine *m = ctx;
  switch (index) {
  case MSR_APIC_BASE: return lapic_set_base(m->lapic, value);
  case MSR_TSC_DEADLINE:
    /* 0 disarms; anything else is a guest TSC value, which the LAPIC compares
     * with the machine clock. */
    lapic_set_tsc_deadline(m->lapic, value ? value - tsc_offset(m) : 0);
    return true;
  default: return false;
  }
}

static void dma_written(void *ctx, uint64_t gpa, uint64_t len) {
  Machine *m = ctx;
  if (m->cpu)
    x86sys_phys_written(m->cpu, gpa, len);
}

/* -- The vCPU -------------------------------------------------------------------- */

bool machine_cpu_new(Machine *m, char *err, size_t errsize) {
  EmuEngineConfig cfg = {0};
  x86sys_engine_config(&cfg);
  cfg.tier = m->opt.tier;
  m->engine = emu_engine_new(&cfg);
  if (!m->engine) {
    snprintf(err, errsize, "cannot create the translation engine");
    return false;
  }
  EmuCpu *cpu = emu_cpu_new(m->engine, m);
  X86SysHooks hooks = {
      .ram = m->ram, .ram_size = m->ram_size, .bus = m->bus, .ctx = m,
      .irq_pending = irq_pending, .irq_ack = irq_ack, .nmi_pending = nmi_pending,
      .nmi_ack = nmi_ack, .reset = cpu_reset, .clock_ns = clock_ns,
      .msr_read = msr_read, .msr_write = msr_write,
  };
  if (!cpu || !x86sys_cpu_init(cpu, &hooks)) {
    if (cpu)
      emu_cpu_free(cpu);
    snprintf(err, errsize, "cannot create the CPU");
    return false;
  }
  const BootCpuState *b = &m->boot;
  X86BootRegs r = {
      .rip = b->rip, .rsp = b->rsp, .rsi = b->rsi, .rflags = b->rflags, .cr0 = b->cr0,
      .cr3 = b->cr3, .cr4 = b->cr4, .efer = b->efer, .gdt_base = b->gdt_base,
      .idt_base = b->idt_base, .gdt_limit = b->gdt_limit, .idt_limit = b->idt_limit,
      .cs = b->cs, .ds = b->ds,
  };
  x86sys_apply_boot(cpu, &r);
  hw_bus_set_dma_hook(m->bus, dma_written, m);
  m->cpu = cpu;
  return true;
}

void machine_cpu_free(Machine *m) {
  if (m->cpu) {
    x86sys_cpu_fini(m->cpu);
    emu_cpu_free(m->cpu);
    m->cpu = NULL;
  }
  if (m->engine) {
    emu_engine_free(m->engine);
    m->engine = NULL;
  }
}

bool machine_cpu_take_interrupt(Machine *m) { return x86sys_poll_irq(m->cpu); }
bool machine_cpu_halted(Machine *m) { return x86sys_halted(m->cpu); }

MachineCpuEvent machine_cpu_run(Machine *m) {
  if (x86sys_halted(m->cpu))
    return MACHINE_CPU_HALT;
  EmuExit x = emu_exec(m->cpu);
  switch (x86sys_handle_exit(m->cpu, &x)) {
  case X86SYS_HALT: return MACHINE_CPU_HALT;
  case X86SYS_RESET: return MACHINE_CPU_CONTINUE; /* hooks.reset asked the loop */
  case X86SYS_CONTINUE: break;
  }
  return MACHINE_CPU_CONTINUE;
}
