/* x86_sys.h — the x86-64 CPU in system mode: the privileged state the
 * frontend's X86Cpu does not hold (control registers, descriptor tables,
 * segment caches, MSRs, CPL, the softmmu TLB), the MMU, exception and
 * interrupt delivery, and the system instructions (docs/system.md, "CPU model"
 * and "Execution").
 *
 * The state lives in the runner's per-cpu area after the guest state
 * (EmuEngineConfig.cpu_extra, emu_cpu_extra). The machine (system/machine*.c)
 * owns RAM, the bus and the devices; it fills X86SysHooks, gets the engine's
 * callbacks from x86sys_engine_config, and in its loop:
 *
 *   for (;;) {
 *     x86sys_poll_irq(cpu);                  // deliver a pending interrupt
 *     if (x86sys_halted(cpu)) { sleep until a timer or input; continue; }
 *     EmuExit x = emu_exec(cpu);
 *     switch (x86sys_handle_exit(cpu, &x)) { HALT: sleep; RESET: reset; ... }
 *   }
 *
 * Only 64-bit code runs (Linux's 64-bit boot entry never leaves long mode):
 * a far transfer or return to a 16/32-bit code segment is #GP, logged by
 * -d unimp. One CPU (-smp 1). */
#ifndef EMU_SYS_X86_SYS_H
#define EMU_SYS_X86_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu.h"
#include "hw.h"
#include "softmmu.h"
#include "x86_frontend.h"

/* -- What the machine gives the CPU ------------------------------------------ */

typedef struct X86SysHooks {
  /* Guest RAM, as docs/system.md lays it out: guest-physical [0, low) at
   * ram[0, low) and [4 GiB, 4 GiB + ram_size - low) at ram[low, ram_size),
   * where low = min(ram_size, 3 GiB) (pc_layout.h). */
  uint8_t *ram;
  uint64_t ram_size;
  HwBus *bus; /* port I/O, MMIO (pages it claims, and everything not RAM) */
  void *ctx;  /* passed to the functions below */
  /* The interrupt controller (x86sys_poll_irq): an interrupt is pending, and
   * taking it (INTA), which returns its vector. NULL: none ever. */
  bool (*irq_pending)(void *ctx);
  int (*irq_ack)(void *ctx);
  bool (*nmi_pending)(void *ctx); /* NULL: no NMIs */
  void (*nmi_ack)(void *ctx);
  /* A triple fault: the machine resets (or stops under -no-reboot). */
  void (*reset)(void *ctx, const char *why);
  /* The machine clock in ns: the TSC (1 GHz, CPUID leaf 0x15). NULL: 0. */
  uint64_t (*clock_ns)(void *ctx);
  /* MSRs a device owns (IA32_APIC_BASE 0x1b, IA32_TSC_DEADLINE 0x6e0: the
   * LAPIC). false: #GP. NULL: #GP. */
  bool (*msr_read)(void *ctx, uint32_t index, uint64_t *value);
  bool (*msr_write)(void *ctx, uint32_t index, uint64_t value);
} X86SysHooks;

/* The register state Linux's 64-bit boot protocol starts the kernel with
 * (system/boot_linux.h's BootCpuState has the same fields). Segments cs/ds are
 * GDT selectors; the descriptors are read from the GDT in RAM. */
typedef struct X86BootRegs {
  uint64_t rip, rsp, rsi, rflags, cr0, cr3, cr4, efer, gdt_base, idt_base;
  uint16_t gdt_limit, idt_limit, cs, ds;
} X86BootRegs;

/* -- The state ---------------------------------------------------------------- */

/* Segment registers in their encoding order (mov sreg's reg field). */
enum { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NSEG };

/* A segment register with its descriptor cache. attr is the descriptor's
 * bits 40-47 and 52-55 as bits 0-7 and 12-15 (VMX access-rights format):
 * type 0-3, S 4, DPL 5-6, P 7, AVL 12, L 13, D/B 14, G 15. */
typedef struct X86Seg {
  uint64_t base;
  uint32_t limit; /* in bytes (G applied) */
  uint16_t sel;
  uint16_t attr;
} X86Seg;
#define X86_ATTR_TYPE 0x000fu
#define X86_ATTR_S 0x0010u
#define X86_ATTR_DPL(a) (((a) >> 5) & 3u)
#define X86_ATTR_P 0x0080u
#define X86_ATTR_L 0x2000u
#define X86_ATTR_DB 0x4000u
#define X86_ATTR_G 0x8000u

typedef struct X86Dtr {
  uint64_t base;
  uint16_t limit;
} X86Dtr;

/* Control register and EFER bits used here. */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_EM (1ull << 2)
#define X86_CR0_TS (1ull << 3)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_AM (1ull << 18)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_TSD (1ull << 2)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_PCE (1ull << 8)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)

/* RFLAGS bits kept in X86Cpu.rflags_rest. */
#define X86_FLAG_TF (1ull << 8)
#define X86_FLAG_IF (1ull << 9)
#define X86_FLAG_IOPL (3ull << 12)
#define X86_FLAG_NT (1ull << 14)
#define X86_FLAG_RF (1ull << 16)
#define X86_FLAG_VM (1ull << 17)
#define X86_FLAG_AC (1ull << 18)
#define X86_FLAG_VIF (1ull << 19)
#define X86_FLAG_VIP (1ull << 20)
#define X86_FLAG_ID (1ull << 21)

/* Exception vectors. */
enum {
  X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_NMI = 2, X86_EXC_BP = 3, X86_EXC_OF = 4,
  X86_EXC_BR = 5, X86_EXC_UD = 6, X86_EXC_NM = 7, X86_EXC_DF = 8, X86_EXC_TS = 10,
  X86_EXC_NP = 11, X86_EXC_SS = 12, X86_EXC_GP = 13, X86_EXC_PF = 14, X86_EXC_MF = 16,
  X86_EXC_AC = 17, X86_EXC_MC = 18, X86_EXC_XM = 19,
};

/* #PF error code bits. */
#define X86_PF_P 1u    /* a protection violation (the page was present) */
#define X86_PF_W 2u    /* a write */
#define X86_PF_U 4u    /* from CPL3 */
#define X86_PF_RSVD 8u /* a reserved bit was set in a paging entry */
#define X86_PF_I 16u   /* an instruction fetch (EFER.NXE = 1) */

/* The MTRRs (MTRRcap says 8 variable ranges and the fixed ones). */
#define X86_MTRR_VAR 8
#define X86_MTRR_FIXED 11

/* The instruction TLB code_key looks virtual pcs up in (per MMU index). */
#define X86_ITLB_SIZE 64

typedef struct X86Sys {
  SoftTlb tlb; /* first: the generated code reaches it at a fixed offset */
  /* Per TLB entry: the mask of the page it came from (4K, 2M or 1G), so
   * invlpg drops every piece of a large page. */
  uint64_t tlb_vmask[SOFTMMU_MMU_MAX][SOFTMMU_TLB_SIZE];
  /* Per TLB entry: it came from a global mapping (CR4.PGE and the leaf's G),
   * so a CR3 write keeps it. */
  bool tlb_global[SOFTMMU_MMU_MAX][SOFTMMU_TLB_SIZE];
  struct {
    uint64_t vpage; /* virtual page; ~0: empty */
    uint64_t ppage;
    uint8_t global; /* bool; memset to 0xff with the rest when emptied */
  } itlb[SOFTMMU_MMU_MAX][X86_ITLB_SIZE];
  /* CPL0 code was fetched through a non-global mapping since the runtime's
   * virtual lookups were last all dropped: a CR3 write must drop CPL0's too
   * (otherwise only CPL3's go). */
  bool exec_local0;
  /* The mappings code was fetched through since the runtime's virtual lookups
   * were last dropped, hashed (a bit per (page base, size)): invlpg of a page
   * no code came from leaves those lookups alone. */
  uint64_t exec_pages[64];
  /* The large mappings (2M, 1G) TLB entries came from since the TLB was last
   * emptied, hashed the same way: invlpg of an address in none of them looks
   * at its own slot only, not the whole TLB. */
  uint64_t large_pages[64];
  X86SysHooks hooks;
  EmuCpu *cpu;
  /* Guest-physical RAM pages holding translated code (bit per page of ram[]). */
  uint64_t *code_bits;
  uint64_t ram_low; /* min(ram_size, 3 GiB) */

  /* From here on: the CPU's state (x86sys_reset clears it). */
  uint64_t cr0, cr2, cr3, cr4, cr8, efer;
  uint64_t dr[8];
  X86Dtr gdtr, idtr;
  X86Seg seg[X86_NSEG], ldtr, tr;
  uint8_t cpl;

  /* MSRs (fs_base/gs_base are X86Cpu's slots; swapgs swaps gs_base with
   * kernel_gs_base). The TSC is clock_ns + tsc_offset. */
  uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux, tsc_offset;
  uint64_t pat, misc_enable, spec_ctrl, debugctl, sysenter_cs, sysenter_esp, sysenter_eip;
  uint64_t mtrr_deftype, mtrr_var[2 * X86_MTRR_VAR], mtrr_fixed[X86_MTRR_FIXED];

  /* Events. */
  bool halted;        /* hlt: until an interrupt (or NMI) */
  bool nmi_blocked;   /* an NMI handler runs: until iret */
  bool shadow;        /* sti / mov ss: no interrupt before the next instruction */
  uint64_t shadow_rip; /* ... which starts here */
  bool triple;        /* a triple fault happened: reset requested */
  uint64_t stale_pc;  /* a raise sys found no system instruction here */

  /* The fault the MMU recorded for the exit emu_exec is about to return. */
  struct {
    bool valid;
    uint8_t vector; /* X86_EXC_PF, or X86_EXC_GP for a non-canonical address */
    uint32_t error;
    uint64_t addr;   /* CR2 for #PF */
    uint64_t access; /* the access's address, as the exit reports it */
  } fault;
} X86Sys;

/* -- Setting up ------------------------------------------------------------------- */

/* Fill cfg's frontend, fetch, mem, softmmu, code_key, code_added, cpu_extra
 * and passes (precise state at faults) for this CPU model; the caller sets
 * the tier (interp or fast) and the rest. */
void x86sys_engine_config(EmuEngineConfig *cfg);
/* After emu_cpu_new on such an engine: attach the machine and reset the CPU.
 * false (with a line on stderr) if out of memory or the layout disagrees. */
bool x86sys_cpu_init(EmuCpu *cpu, const X86SysHooks *hooks);
void x86sys_cpu_fini(EmuCpu *cpu); /* before emu_cpu_free */
X86Sys *x86sys_state(EmuCpu *cpu);
/* RESET: the SDM's power-up values (real mode, paging off, TSC 0) and an
 * empty TLB. The machine then applies the boot state. */
void x86sys_reset(EmuCpu *cpu);
/* Linux's 64-bit boot entry: long mode, paging, CPL0, cs/ds loaded from the
 * GDT (ss/es = ds, fs/gs null), the given registers; the rest from reset. */
void x86sys_apply_boot(EmuCpu *cpu, const X86BootRegs *b);

/* -- Running ---------------------------------------------------------------------- */

typedef enum X86SysEvent {
  X86SYS_CONTINUE, /* call emu_exec again */
  X86SYS_HALT,     /* hlt: sleep until an interrupt is pending (x86sys_poll_irq
                      delivers it and clears halted); with IF = 0 only an NMI
                      or a reset ends it */
  X86SYS_RESET,    /* triple fault: hooks.reset was called */
} X86SysEvent;

/* What emu_exec returned, carried out architecturally: the SYSCALL
 * transition, IR exceptions as x86 exceptions (#UD, #DE/#MF, #GP, #PF with
 * the recorded error code) delivered through the IDT, system instructions
 * (raise sys) executed. EMU_EXIT_INTERRUPT: nothing to do. */
X86SysEvent x86sys_handle_exit(EmuCpu *cpu, const EmuExit *x);
/* A maskable interrupt can be taken now: RFLAGS.IF = 1 and no interrupt
 * shadow (sti, mov ss) covers the instruction at rip. */
bool x86sys_irq_ready(EmuCpu *cpu);
/* Deliver external interrupt vector now (the caller checked irq_ready);
 * wakes a halted CPU. A triple fault calls hooks.reset. */
void x86sys_interrupt(EmuCpu *cpu, int vector);
/* Deliver an NMI unless one is being handled (blocked until iret). */
void x86sys_nmi(EmuCpu *cpu);
/* Take what the hooks say is pending (NMI, then a maskable interrupt when
 * irq_ready); true if something was delivered. */
bool x86sys_poll_irq(EmuCpu *cpu);
bool x86sys_halted(EmuCpu *cpu);

/* Guest RAM at [gpa, gpa + len) changed behind the CPU (DMA): translated code
 * there is dropped (hw_bus_set_dma_hook's callback). */
void x86sys_phys_written(EmuCpu *cpu, uint64_t gpa, uint64_t len);

/* -- Memory, as the CPU sees it (x86_mmu.c) ------------------------------------- */

/* Virtual memory accesses at privilege cpl (0 or 3): false = the access faulted
 * (#PF or #GP recorded in the state's fault, CR2 unchanged until delivery).
 * MMIO pages go to the bus; writes to code pages drop its translations. */
bool x86sys_vread(EmuCpu *cpu, uint64_t va, void *buf, size_t n, int cpl);
bool x86sys_vwrite(EmuCpu *cpu, uint64_t va, const void *buf, size_t n, int cpl);
/* Drop every translation of the TLBs and the runtime's virtual lookups
 * (paging mode changes, CR4.PGE toggled, reset). */
void x86sys_tlb_flush(EmuCpu *cpu);
/* A CR3 write: drop the translations that did not come from global pages. */
void x86sys_tlb_flush_nonglobal(EmuCpu *cpu);
void x86sys_tlb_flush_page(EmuCpu *cpu, uint64_t va); /* invlpg */

#endif
