/* x86_sys_int.h — what the parts of the system-mode x86 CPU share: the MMU
 * (x86_mmu.c), physical memory, descriptors and segment loads (x86_seg.c),
 * exception delivery (x86_excp.c), MSRs (x86_msr.c), CPUID (x86_cpuid.c) and
 * the system instructions (x86_sysinsn*.c). Not for the machine: x86_sys.h
 * is its interface. */
#ifndef EMU_SYS_X86_SYS_INT_H
#define EMU_SYS_X86_SYS_INT_H

#include "x86_sys.h"

static inline X86Cpu *x86_guest(X86Sys *s) { return emu_guest(s->cpu); }

/* An exception an instruction or an access raises; vec < 0: none. err is
 * pushed for the vectors that have an error code; cr2 is #PF's address. */
typedef struct X86Exc {
  int vec;
  uint32_t err;
  uint64_t cr2;
} X86Exc;
#define X86_OK ((X86Exc){.vec = -1})
static inline X86Exc x86_exc(int vec, uint32_t err) { return (X86Exc){vec, err, 0}; }
static inline X86Exc x86_gp0(void) { return x86_exc(X86_EXC_GP, 0); }
static inline X86Exc x86_ud(void) { return x86_exc(X86_EXC_UD, 0); }
static inline bool x86_failed(X86Exc e) { return e.vec >= 0; }

static inline bool x86_canonical(uint64_t va) {
  return (uint64_t)((int64_t)(va << 16) >> 16) == va; /* shift unsigned: no UB */
}

/* -- Physical memory (x86_mmu.c) ----------------------------------------------- */

/* The host address of guest-physical RAM byte gpa, or NULL (not RAM). */
uint8_t *x86_phys_ram(X86Sys *s, uint64_t gpa);
/* RAM or the bus, byte by byte as needed; writes to RAM drop translated code. */
void x86_phys_read(X86Sys *s, uint64_t gpa, void *buf, size_t n);
void x86_phys_write(X86Sys *s, uint64_t gpa, const void *buf, size_t n);
/* Whether the RAM page holding gpa holds translated code. */
bool x86_code_page(X86Sys *s, uint64_t gpa);

/* -- The MMU (x86_mmu.c) ------------------------------------------------------- */

typedef enum X86Access { X86_ACC_READ, X86_ACC_WRITE, X86_ACC_FETCH } X86Access;

typedef struct X86Walk {
  uint64_t phys;      /* of the address walked */
  uint64_t page_mask; /* ~(page size - 1) of the mapping */
  bool writable;      /* a write at this privilege would succeed (and D is set) */
  bool global;        /* CR4.PGE and the leaf's G: a CR3 write keeps it */
} X86Walk;

/* Translate va for an access at cpl (0-2 supervisor, 3 user), setting the
 * accessed (and, for writes, dirty) bits. On a fault returns it (#PF with its
 * error code and cr2, or #GP(0) for a non-canonical address). */
X86Exc x86_mmu_translate(X86Sys *s, uint64_t va, X86Access acc, int cpl, X86Walk *out);
/* Record e as the fault the exit handler delivers for an IR_EXC_fault exit
 * at va, the access's address as the engine reports it (IrMemOps, slow
 * paths, code_key). */
void x86_mmu_record(X86Sys *s, X86Exc e, uint64_t va);
/* The recorded fault for an IR_EXC_fault exit at addr, consumed; re-derived
 * by a page walk if none was recorded (a fault the frontend raised itself). */
X86Exc x86_mmu_take_fault(X86Sys *s, uint64_t addr, bool write, uint64_t pc);
/* Virtual accesses returning the exception instead of recording it. */
X86Exc x86_vread(X86Sys *s, uint64_t va, void *buf, size_t n, int cpl);
X86Exc x86_vwrite(X86Sys *s, uint64_t va, const void *buf, size_t n, int cpl);
X86Exc x86_vfetch(X86Sys *s, uint64_t va, void *buf, size_t n, int cpl);

/* The engine's callbacks (x86sys_engine_config). */
extern const SoftmmuOps x86_softmmu_ops;
bool x86_code_key(EmuCpu *cpu, uint64_t pc, uint64_t *phys, uint32_t *mode);
void x86_code_added(EmuCpu *cpu, uint64_t lo, uint64_t hi);
size_t x86_code_fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max);
int x86_mem_load(void *ctx, uint64_t addr, unsigned size, void *out);
int x86_mem_store(void *ctx, uint64_t addr, unsigned size, const void *in);
void *x86_mem_atomic(void *ctx, uint64_t addr, unsigned size);

/* -- Segments and descriptors (x86_seg.c) ------------------------------------- */

/* A descriptor's attributes (X86Seg.attr) from its low 8 bytes, and its base
 * and limit (a system descriptor's base also takes the next 8 bytes' low 32). */
uint16_t x86_desc_attr(uint64_t d);
uint32_t x86_desc_limit(uint64_t d);
uint64_t x86_desc_base(uint64_t d);
/* Read the 8-byte descriptor sel names from the GDT or LDT (supervisor access).
 * #GP(sel) (err: sel & 0xfffc) if outside the table's limit; a memory fault
 * passes through. */
X86Exc x86_desc_read(X86Sys *s, uint16_t sel, uint64_t *desc);
/* Set the descriptor's accessed bit (type bit 0) if clear. */
X86Exc x86_desc_set_accessed(X86Sys *s, uint16_t sel, uint64_t desc);
/* Load a data segment register (ES, SS, DS, FS, GS) with sel, with the checks
 * of mov sreg / pop sreg; FS/GS load their base into X86Cpu's slots. */
X86Exc x86_seg_load_data(X86Sys *s, int sreg, uint16_t sel);
/* Load CS for a far transfer to a 64-bit code segment at privilege cpl (its
 * descriptor already checked), and make cpl current. */
void x86_seg_set_cs(X86Sys *s, uint16_t sel, uint64_t desc, int cpl);
/* The CPL changed (or may have): switch the runtime's mode. */
void x86_set_cpl(X86Sys *s, int cpl);
/* Fixed flat segments, as syscall/sysret load them. */
void x86_seg_flat(X86Seg *seg, uint16_t sel, bool code, int dpl);

/* -- Exceptions and interrupts (x86_excp.c) ----------------------------------- */

typedef enum X86Src {
  X86_SRC_EXC,  /* an exception an instruction caused */
  X86_SRC_SOFT, /* int n, int3: the gate's DPL must allow the CPL */
  X86_SRC_EXT,  /* an external interrupt or NMI: EXT set in error codes */
} X86Src;

/* Deliver e through the IDT with ret_rip pushed (the faulting instruction for
 * faults, the next one for traps and interrupts). A fault while delivering
 * becomes #DF, one while delivering #DF a triple fault (hooks.reset). */
X86SysEvent x86_deliver(X86Sys *s, X86Exc e, X86Src src, uint64_t ret_rip);
/* e has an error code on the stack. */
bool x86_exc_has_error(int vec);

/* -- RFLAGS ------------------------------------------------------------------- */

static inline uint64_t x86_flags(X86Sys *s) { return x86_rflags_get(x86_guest(s)); }
static inline void x86_set_flags(X86Sys *s, uint64_t f) { x86_rflags_set(x86_guest(s), f); }
static inline int x86_iopl(X86Sys *s) { return (int)((x86_flags(s) >> 12) & 3); }

/* -- MSRs and CPUID ------------------------------------------------------------- */

/* rdmsr/wrmsr: false = #GP (unknown MSRs are logged with -d unimp). */
bool x86_msr_read(X86Sys *s, uint32_t index, uint64_t *value);
bool x86_msr_write(X86Sys *s, uint32_t index, uint64_t value);
uint64_t x86_tsc(X86Sys *s);
/* What the frontend calls for sti and rdtsc/rdtscp lifted at CPL0
 * (x86_sysinsn.c; x86sys_engine_config registers it). */
extern const X86SysCalls x86_lifted_calls;
/* iretq at CPL0 from generated code (x86_sysinsn_far.c): the new rip, or
 * X86_IRET_DECLINED with nothing changed (a fault, another CPL). */
uint64_t x86_iret_lifted(X86Sys *s);
/* EFER writes (wrmsr and the boot state): false = #GP. */
bool x86_efer_write(X86Sys *s, uint64_t v);
void x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]);

/* -- System instructions (x86_sysinsn*.c) --------------------------------------- */

/* Carry out the instruction at rip that raised sys. */
X86SysEvent x86_sysinsn(X86Sys *s);
/* mov to CRn (x86_sysinsn_cr.c): every check, and the TLB flushes it implies. */
X86Exc x86_write_cr(X86Sys *s, int n, uint64_t v);
/* The SYSCALL transition; rip is already past the instruction. */
X86SysEvent x86_syscall(X86Sys *s);
/* The instruction at pc is x87 or MMX (a pending x87 exception is #MF). */
bool x86_insn_is_x87(X86Sys *s, uint64_t pc);
/* -d unimp: "emu: what at pc: bytes (disassembly)". */
void x86_log_insn(X86Sys *s, uint64_t pc, const char *what);

#endif
