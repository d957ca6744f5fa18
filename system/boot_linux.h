/* boot_linux.h — direct boot of an x86-64 Linux bzImage through the 64-bit boot
 * protocol (Documentation/arch/x86/boot.rst): no firmware, no real-mode setup
 * code. The loader places kernel, initrd, command line and boot_params ("zero
 * page") in guest RAM, builds identity page tables and a GDT, and returns the
 * CPU state startup_64 expects; system/'s CPU code applies it.
 *
 * Guest-physical layout it uses below 1 MiB (all inside e820 RAM [0, 0x9fc00),
 * which Linux reserves at boot; boot_params and the command line are copied by
 * the kernel before it reuses that memory):
 *   0x00500  GDT (null, null, __BOOT_CS 0x10, __BOOT_DS 0x18)
 *   0x07000  boot_params (4 KiB)
 *   0x08000  stack [0x8000, 0x9000), rsp = 0x9000
 *   0x09000  PML4, 0xa000 PDPT, 0xb000-0xefff four page directories: 0-4 GiB
 *            identity-mapped with 2 MiB pages
 *   0x20000  command line (NUL-terminated)
 * The kernel goes at pref_address (16 MiB for Debian's), the initrd as high as
 * it may below min(initrd_addr_max, end of low RAM). */
#ifndef EMU_BOOT_LINUX_H
#define EMU_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINUX_BOOT_GDT 0x500ull
#define LINUX_BOOT_PARAMS 0x7000ull
#define LINUX_BOOT_STACK_TOP 0x9000ull
#define LINUX_BOOT_PML4 0x9000ull
#define LINUX_BOOT_PGTABLE_END 0xf000ull /* PML4, PDPT, 4 PDs */
#define LINUX_BOOT_CMDLINE 0x20000ull
#define LINUX_BOOT_CMDLINE_MAX 0x10000u /* our cap, below the kernel's cmdline_size if larger */

#define LINUX_BOOT_CS 0x10 /* __BOOT_CS: 64-bit code, DPL 0 */
#define LINUX_BOOT_DS 0x18 /* __BOOT_DS: flat data */

/* Control register bits the initial state uses. */
#define LINUX_CR0_PE (1ull << 0)
#define LINUX_CR0_MP (1ull << 1)
#define LINUX_CR0_ET (1ull << 4)
#define LINUX_CR0_NE (1ull << 5)
#define LINUX_CR0_PG (1ull << 31)
#define LINUX_CR4_PAE (1ull << 5)
#define LINUX_EFER_LME (1ull << 8)
#define LINUX_EFER_LMA (1ull << 10)

/* The CPU at the 64-bit entry: long mode, paging on, interrupts off (rflags =
 * 0x2). cs selects the 64-bit code descriptor, ds the data descriptor, which
 * also goes to es, ss, fs and gs; both descriptors are in the GDT at gdt_base
 * (flat, base 0). No IDT is loaded (idt_base = idt_limit = 0): the kernel loads
 * its own before it enables interrupts. Every general register not named here
 * is zero. */
typedef struct BootCpuState {
  uint64_t rip, rsp, rsi, rflags, cr0, cr3, cr4, efer, gdt_base, idt_base;
  uint16_t gdt_limit, idt_limit, cs, ds;
} BootCpuState;

typedef struct LinuxBootArgs {
  const char *kernel;  /* bzImage path */
  const char *initrd;  /* NULL: none */
  const char *cmdline; /* NULL: empty */
  uint64_t rsdp_addr;  /* boot_params.acpi_rsdp_addr; 0: the kernel scans for it */
} LinuxBootArgs;

/* Load the kernel (and initrd) into guest RAM: ram[gpa] for gpa below
 * min(ram_size, 3 GiB) (the rest of ram_size is RAM from 4 GiB, which the e820
 * map passed to the kernel describes but nothing here writes). On success fills
 * *out and returns true; otherwise writes a one-line reason to err (e.g.
 * "vmlinuz: not a bzImage (no HdrS signature)") and returns false, having
 * possibly written to RAM. */
bool linux_boot_load(const LinuxBootArgs *a, uint8_t *ram, uint64_t ram_size,
                     BootCpuState *out, char *err, size_t errsize);

/* -- The bzImage's setup header ------------------------------------------------ */

/* The fields of the setup header (offset 0x1f1 of the image) the loader reads. */
typedef struct LinuxSetupHeader {
  uint16_t version;      /* boot protocol, 0x020f = 2.15 */
  uint8_t setup_sects;   /* as stored (0 means 4) */
  uint8_t loadflags;
  uint16_t xloadflags;
  uint8_t relocatable;
  uint32_t syssize;      /* protected-mode code, 16-byte units */
  uint32_t kernel_alignment;
  uint32_t initrd_addr_max;
  uint32_t cmdline_size;
  uint64_t pref_address;
  uint32_t init_size;
  unsigned header_end;   /* offset just past the setup header: 0x202 + byte at 0x201 */
  uint64_t setup_size;   /* (setup_sects or 4, + 1) * 512: file offset of the kernel */
  uint64_t kernel_size;  /* syssize * 16: protected-mode bytes to load */
} LinuxSetupHeader;

#define LINUX_XLF_KERNEL_64 (1u << 0)
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define LINUX_LOADED_HIGH (1u << 0)
#define LINUX_CAN_USE_HEAP (1u << 7)

/* Parse and validate the first head_len bytes of a bzImage whose file is
 * file_size bytes long (head_len >= 1024 or the whole file if shorter). Checks
 * the 0xAA55 and "HdrS" signatures, protocol 2.12+ with XLF_KERNEL_64, a sane
 * kernel_alignment and init_size, and that setup code and kernel fit in the
 * file. false: a one-line reason (without the file name) in err. */
bool linux_setup_header_parse(const uint8_t *head, size_t head_len, uint64_t file_size,
                              LinuxSetupHeader *h, char *err, size_t errsize);

#endif
