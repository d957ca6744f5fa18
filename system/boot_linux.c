/* boot_linux.c — the 64-bit Linux boot protocol as a boot loader does it: kernel,
 * initrd, command line and boot_params into guest RAM, identity page tables and
 * a GDT, and the CPU state at startup_64 (layout and contract: boot_linux.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_linux.h"
#include "le_bytes.h"
#include "pc_layout.h"

/* boot_params ("zero page", Documentation/arch/x86/zero-page.rst) offsets; the
 * setup header sits at 0x1f1 with the same offsets as in the image. */
enum {
  BP_ACPI_RSDP_ADDR = 0x070,
  BP_EXT_RAMDISK_IMAGE = 0x0c0,
  BP_EXT_RAMDISK_SIZE = 0x0c4,
  BP_EXT_CMD_LINE_PTR = 0x0c8,
  BP_E820_ENTRIES = 0x1e8,
  BP_HDR = 0x1f1,
  BP_TYPE_OF_LOADER = 0x210,
  BP_LOADFLAGS = 0x211,
  BP_CODE32_START = 0x214,
  BP_RAMDISK_IMAGE = 0x218,
  BP_RAMDISK_SIZE = 0x21c,
  BP_HEAP_END_PTR = 0x224,
  BP_CMD_LINE_PTR = 0x228,
  BP_E820_TABLE = 0x2d0,
  BP_SIZE = 0x1000,
  E820_ENTRY_SIZE = 20,
};

#define HEAD_LEN 1024      /* the setup header lies in the first two sectors */
#define PAGE 4096ull
#define MIB (1ull << 20)
#define ENTRY_64 0x200     /* startup_64: the loaded kernel + 0x200 */
/* type_of_loader 0xff: a loader without an assigned id (boot.rst). */
#define LOADER_UNDEFINED 0xff
/* heap_end_ptr only matters to the real-mode setup code, which a 64-bit entry
 * skips; the protocol pairs it with CAN_USE_HEAP, and 0xfe00 is the usual value
 * (the heap up to the end of a 64 KiB real-mode segment). */
#define HEAP_END_PTR 0xfe00

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
static unsigned long long mib_up(uint64_t v) { return (unsigned long long)((v + MIB - 1) / MIB); }

/* -- Files -------------------------------------------------------------------- */

static bool file_open(const char *path, int *fd, uint64_t *size, char *err, size_t errsize) {
  struct stat st;
  *fd = open(path, O_RDONLY | O_CLOEXEC);
  if (*fd < 0 || fstat(*fd, &st) != 0) {
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    if (*fd >= 0)
      close(*fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errsize, "%s: not a regular file", path);
    close(*fd);
    return false;
  }
  *size = (uint64_t)st.st_size;
  return true;
}

static bool file_read_at(int fd, const char *path, void *dst, uint64_t len, uint64_t off,
                         char *err, size_t errsize) {
  uint8_t *p = dst;
  while (len) {
    ssize_t n = pread(fd, p, len > (1u << 30) ? (1u << 30) : len, (off_t)off);
    if (n <= 0) {
      snprintf(err, errsize, "%s: %s", path, n < 0 ? strerror(errno) : "file shrank while loading");
      return false;
    }
    p += n;
    off += (uint64_t)n;
    len -= (uint64_t)n;
  }
  return true;
}

/* -- Placement ---------------------------------------------------------------- */

/* The kernel runs at pref_address (a relocatable one anywhere kernel_alignment
 * allows, but Linux's decompressor never runs below pref_address =
 * LOAD_PHYSICAL_ADDR: loading lower saves nothing). It needs init_size bytes
 * there before it reads the memory map. */
static bool place_kernel(const LinuxSetupHeader *h, uint64_t low_end, uint64_t *addr,
                         const char *path, char *err, size_t errsize) {
  uint64_t a = h->pref_address < PC_HIGH_MEMORY ? PC_HIGH_MEMORY : h->pref_address;
  if (h->relocatable)
    a = align_up(a, h->kernel_alignment);
  if (a + h->init_size > low_end) {
    snprintf(err, errsize,
             "%s: the kernel needs RAM up to %llu MiB (loaded at %llu MiB, init_size %llu MiB); "
             "there is %llu MiB",
             path, mib_up(a + h->init_size), (unsigned long long)(a / MIB), mib_up(h->init_size),
             (unsigned long long)(low_end / MIB));
    return false;
  }
  *addr = a;
  return true;
}

/* The initrd as high as it may go (boot.rst: below initrd_addr_max, page
 * aligned), above the kernel's init_size area, or else between 1 MiB and the
 * kernel. */
static bool place_initrd(uint64_t size, const LinuxSetupHeader *h, uint64_t low_end,
                         uint64_t kernel, uint64_t kernel_end, uint64_t *addr) {
  uint64_t limit = (uint64_t)h->initrd_addr_max + 1;
  if (limit > low_end)
    limit = low_end;
  if (size <= limit && align_down(limit - size, PAGE) >= kernel_end) {
    *addr = align_down(limit - size, PAGE);
    return true;
  }
  if (size <= kernel && align_down(kernel - size, PAGE) >= PC_HIGH_MEMORY) {
    *addr = align_down(kernel - size, PAGE);
    return true;
  }
  return false;
}

static bool load_initrd(const char *path, const LinuxSetupHeader *h, uint8_t *ram, uint64_t low_end,
                        uint64_t kernel, uint64_t *addr, uint64_t *size, char *err, size_t errsize) {
  int fd;
  if (!file_open(path, &fd, size, err, errsize))
    return false;
  bool ok = false;
  if (*size == 0)
    snprintf(err, errsize, "%s: the initrd is empty", path);
  else if (!place_initrd(*size, h, low_end, kernel, kernel + h->init_size, addr))
    snprintf(err, errsize,
             "%s: the initrd (%llu MiB) does not fit in RAM below %llu MiB beside the kernel "
             "(%llu MiB at %llu MiB)",
             path, mib_up(*size), (unsigned long long)(low_end / MIB), mib_up(h->init_size),
             (unsigned long long)(kernel / MIB));
  else
    ok = file_read_at(fd, path, ram + *addr, *size, 0, err, errsize);
  close(fd);
  return ok;
}

/* -- Tables the CPU starts with ----------------------------------------------- */

/* null, null, then __BOOT_CS (64-bit code: L, P, DPL 0, execute/read) and
 * __BOOT_DS (flat 4 GiB read/write data), as Linux's own boot GDT has them. */
static const uint64_t boot_gdt[] = {0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull};

/* PML4 -> PDPT -> 4 page directories of 2 MiB pages: [0, 4 GiB) identity. */
static void build_page_tables(uint8_t *ram) {
  enum { PT_P = 1, PT_RW = 2, PT_PS = 0x80 };
  uint64_t pml4 = LINUX_BOOT_PML4, pdpt = pml4 + PAGE, pd = pdpt + PAGE;
  memset(ram + pml4, 0, LINUX_BOOT_PGTABLE_END - pml4);
  le_put64(ram + pml4, pdpt | PT_P | PT_RW);
  for (uint64_t i = 0; i < 4; i++) {
    le_put64(ram + pdpt + i * 8, (pd + i * PAGE) | PT_P | PT_RW);
    for (uint64_t j = 0; j < 512; j++)
      le_put64(ram + pd + i * PAGE + j * 8, ((i * 512 + j) << 21) | PT_P | PT_RW | PT_PS);
  }
}

static void build_boot_params(uint8_t *ram, uint64_t ram_size, const uint8_t *head,
                              const LinuxSetupHeader *h, uint64_t kernel, uint64_t initrd,
                              uint64_t initrd_size, uint64_t rsdp) {
  uint8_t *bp = ram + LINUX_BOOT_PARAMS;
  memset(bp, 0, BP_SIZE); /* boot.rst: all zero, then the image's setup header */
  memcpy(bp + BP_HDR, head + BP_HDR, h->header_end - BP_HDR);
  bp[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
  bp[BP_LOADFLAGS] |= LINUX_CAN_USE_HEAP;
  le_put16(bp + BP_HEAP_END_PTR, HEAP_END_PTR);
  le_put32(bp + BP_CODE32_START, (uint32_t)kernel); /* relocatable: where it was loaded */
  le_put32(bp + BP_CMD_LINE_PTR, (uint32_t)LINUX_BOOT_CMDLINE);
  le_put32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(LINUX_BOOT_CMDLINE >> 32));
  le_put32(bp + BP_RAMDISK_IMAGE, (uint32_t)initrd);
  le_put32(bp + BP_RAMDISK_SIZE, (uint32_t)initrd_size);
  le_put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
  le_put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
  /* A boot_params field, not a header one (the 2.14 header field was withdrawn):
   * kernels before 4.20 see padding here, later ones take the RSDP from it. */
  le_put64(bp + BP_ACPI_RSDP_ADDR, rsdp);
  PcE820Entry map[PC_E820_MAX];
  unsigned n = pc_e820_map(ram_size, map);
  bp[BP_E820_ENTRIES] = (uint8_t)n;
  for (unsigned i = 0; i < n; i++) {
    uint8_t *e = bp + BP_E820_TABLE + i * E820_ENTRY_SIZE;
    le_put64(e, map[i].addr);
    le_put64(e + 8, map[i].size);
    le_put32(e + 16, map[i].type);
  }
}

/* -- The loader --------------------------------------------------------------- */

static bool load_kernel(const char *path, uint8_t *ram, uint64_t low_end, uint8_t head[HEAD_LEN],
                        LinuxSetupHeader *h, uint64_t *addr, char *err, size_t errsize) {
  int fd;
  uint64_t size;
  if (!file_open(path, &fd, &size, err, errsize))
    return false;
  size_t head_len = size < HEAD_LEN ? (size_t)size : HEAD_LEN;
  char why[200];
  bool ok = false;
  if (!file_read_at(fd, path, head, head_len, 0, err, errsize))
    goto out;
  if (!linux_setup_header_parse(head, head_len, size, h, why, sizeof why)) {
    snprintf(err, errsize, "%s: %s", path, why);
    goto out;
  }
  if (!place_kernel(h, low_end, addr, path, err, errsize))
    goto out;
  ok = file_read_at(fd, path, ram + *addr, h->kernel_size, h->setup_size, err, errsize);
out:
  close(fd);
  return ok;
}

bool linux_boot_load(const LinuxBootArgs *a, uint8_t *ram, uint64_t ram_size,
                     BootCpuState *out, char *err, size_t errsize) {
  uint64_t low_end = pc_low_ram_end(ram_size);
  if (ram_size < 2 * PC_HIGH_MEMORY) {
    snprintf(err, errsize, "%llu KiB of RAM is too small to boot Linux",
             (unsigned long long)(ram_size >> 10));
    return false;
  }
  const char *cmdline = a->cmdline ? a->cmdline : "";
  size_t cmdline_len = strlen(cmdline);
  uint8_t head[HEAD_LEN];
  LinuxSetupHeader h;
  uint64_t kernel, initrd = 0, initrd_size = 0;
  if (!load_kernel(a->kernel, ram, low_end, head, &h, &kernel, err, errsize))
    return false;
  if (cmdline_len > h.cmdline_size || cmdline_len >= LINUX_BOOT_CMDLINE_MAX) {
    snprintf(err, errsize, "the kernel command line is %zu bytes; %s takes at most %u", cmdline_len,
             a->kernel, h.cmdline_size < LINUX_BOOT_CMDLINE_MAX ? h.cmdline_size : LINUX_BOOT_CMDLINE_MAX - 1);
    return false;
  }
  if (a->initrd &&
      !load_initrd(a->initrd, &h, ram, low_end, kernel, &initrd, &initrd_size, err, errsize))
    return false;

  memcpy(ram + LINUX_BOOT_CMDLINE, cmdline, cmdline_len + 1);
  build_boot_params(ram, ram_size, head, &h, kernel, initrd, initrd_size, a->rsdp_addr);
  for (size_t i = 0; i < sizeof boot_gdt / sizeof *boot_gdt; i++)
    le_put64(ram + LINUX_BOOT_GDT + i * 8, boot_gdt[i]);
  build_page_tables(ram);

  *out = (BootCpuState){
      .rip = kernel + ENTRY_64,
      .rsp = LINUX_BOOT_STACK_TOP,
      .rsi = LINUX_BOOT_PARAMS,
      .rflags = 0x2, /* bit 1 is always set; IF clear */
      .cr0 = LINUX_CR0_PE | LINUX_CR0_MP | LINUX_CR0_ET | LINUX_CR0_NE | LINUX_CR0_PG,
      .cr3 = LINUX_BOOT_PML4,
      .cr4 = LINUX_CR4_PAE,
      .efer = LINUX_EFER_LME | LINUX_EFER_LMA,
      .gdt_base = LINUX_BOOT_GDT,
      .gdt_limit = sizeof boot_gdt - 1,
      .cs = LINUX_BOOT_CS,
      .ds = LINUX_BOOT_DS,
  };
  return true;
}
