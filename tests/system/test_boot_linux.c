/* test_boot_linux.c — the 64-bit Linux boot loader on small fake bzImages built
 * here (setup header fields as boot.rst defines them): placement of kernel,
 * initrd and command line, boot_params, e820, page tables, GDT and CPU state,
 * and a one-line error for every bad input. With EMU_TEST_VMLINUZ pointing at a
 * real kernel, its header is parsed and it is loaded too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "boot_linux.h"
#include "le_bytes.h"
#include "pc_layout.h"

#define MIB (1ull << 20)
#define BP LINUX_BOOT_PARAMS

/* -- Fake bzImages ---------------------------------------------------------- */

enum { KERNEL_LEN = 8192 };
static uint8_t img[(4 + 1) * 512 + KERNEL_LEN + 64];
static size_t img_len;
static char paths[16][64];
static int npaths;

/* A protocol 2.15 relocatable 64-bit bzImage: setup_sects 0 (means 4), the
 * protected-mode part a byte pattern, pref_address 16 MiB, init_size 1 MiB. */
static void fake_init(void) {
  memset(img, 0, sizeof img);
  img_len = 5 * 512 + KERNEL_LEN;
  img[0x1f1] = 0;
  le_put32(img + 0x1f4, KERNEL_LEN / 16);
  le_put16(img + 0x1fe, 0xaa55);
  img[0x200] = 0xeb;
  img[0x201] = 0x6a; /* header ends at 0x26c, as in 2.15 kernels */
  memcpy(img + 0x202, "HdrS", 4);
  le_put16(img + 0x206, 0x020f);
  img[0x211] = LINUX_LOADED_HIGH;
  le_put32(img + 0x22c, 0x7fffffff);
  le_put32(img + 0x230, 0x200000);
  img[0x234] = 1;
  img[0x235] = 21;
  le_put16(img + 0x236, LINUX_XLF_KERNEL_64 | LINUX_XLF_CAN_BE_LOADED_ABOVE_4G);
  le_put32(img + 0x238, 0x7ff);
  le_put64(img + 0x258, 16 * MIB);
  le_put32(img + 0x260, (uint32_t)MIB);
  for (size_t i = 0; i < KERNEL_LEN; i++)
    img[5 * 512 + i] = (uint8_t)(i * 7 + 3);
}

static const char *write_temp(const void *data, size_t len) {
  assert_true(npaths < 16);
  char *p = paths[npaths++];
  snprintf(p, 64, "/tmp/emu-test-boot-XXXXXX");
  int fd = mkstemp(p);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  close(fd);
  return p;
}

static const char *fake_path(void) { return write_temp(img, img_len); }

static uint8_t *ram_new(uint64_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  assert_true(p != MAP_FAILED);
  return p;
}

static int teardown(void **state) {
  (void)state;
  for (int i = 0; i < npaths; i++)
    unlink(paths[i]);
  npaths = 0;
  return 0;
}

static void load_ok(const LinuxBootArgs *a, uint8_t *ram, uint64_t size, BootCpuState *s) {
  char err[256];
  if (!linux_boot_load(a, ram, size, s, err, sizeof err)) {
    print_message("linux_boot_load: %s\n", err);
    fail();
  }
}

/* linux_boot_load must fail with a message containing want. */
static void load_fails(const LinuxBootArgs *a, uint64_t size, const char *want) {
  uint8_t *ram = ram_new(size);
  char err[256] = "";
  BootCpuState s;
  bool ok = linux_boot_load(a, ram, size, &s, err, sizeof err);
  munmap(ram, size);
  if (ok || !strstr(err, want) || strchr(err, '\n')) {
    print_message("want failure with '%s', got %s '%s'\n", want, ok ? "success" : "failure", err);
    fail();
  }
}

/* -- The page-table walk the CPU will do -------------------------------------- */

/* Translate va through 4-level tables at cr3; UINT64_MAX if not mapped. */
static uint64_t walk(const uint8_t *ram, uint64_t cr3, uint64_t va) {
  uint64_t table = cr3 & ~0xfffull;
  for (int level = 3; level >= 0; level--) {
    uint64_t e = le_get64(ram + table + ((va >> (12 + 9 * level)) & 511) * 8);
    if (!(e & 1))
      return UINT64_MAX;
    assert_true(e & 2); /* writable: the kernel writes its own data there */
    uint64_t frame = e & 0x000ffffffffff000ull;
    if (level == 1 && (e & 0x80))
      return (frame & ~0x1fffffull) | (va & 0x1fffff);
    assert_false(e & 0x80); /* no 1 GiB pages */
    table = frame;
  }
  return table | (va & 0xfff);
}

/* -- Tests -------------------------------------------------------------------- */

static void test_cpu_state_and_kernel(void **state) {
  (void)state;
  fake_init();
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path(), .cmdline = "console=ttyS0 root=/dev/vda"};
  load_ok(&a, ram, 64 * MIB, &s);

  assert_int_equal(s.rip, 16 * MIB + 0x200); /* startup_64 of a kernel at pref_address */
  assert_memory_equal(ram + 16 * MIB, img + 5 * 512, KERNEL_LEN);
  assert_int_equal(s.rsi, BP);
  assert_int_equal(s.cr0, 0x80000033); /* PG | NE | ET | MP | PE */
  assert_int_equal(s.cr4, 0x20);       /* PAE */
  assert_int_equal(s.efer, 0x500);     /* LMA | LME */
  assert_int_equal(s.rflags & 0x200, 0); /* interrupts disabled */
  assert_int_equal(s.cs, 0x10);
  assert_int_equal(s.ds, 0x18);
  assert_int_equal(s.cr3, LINUX_BOOT_PML4);
  assert_true(s.rsp > LINUX_BOOT_PARAMS + 0x1000 && s.rsp <= LINUX_BOOT_PML4 && s.rsp % 16 == 0);
  munmap(ram, 64 * MIB);
}

static void test_gdt(void **state) {
  (void)state;
  fake_init();
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path()};
  load_ok(&a, ram, 64 * MIB, &s);
  assert_true(s.gdt_limit >= 0x1f);
  uint64_t cs = le_get64(ram + s.gdt_base + s.cs);
  uint64_t ds = le_get64(ram + s.gdt_base + s.ds);
  /* Code: present, S, type execute/read, DPL 0, L=1 and D=0 (64-bit). */
  assert_true(cs >> 47 & 1);
  assert_true(cs >> 44 & 1);
  assert_int_equal(cs >> 40 & 0xa, 0xa);
  assert_int_equal(cs >> 45 & 3, 0);
  assert_true(cs >> 53 & 1);
  assert_false(cs >> 54 & 1);
  /* Data: present, S, type read/write, flat 4 GiB (limit 0xfffff, G). */
  assert_true(ds >> 47 & 1);
  assert_true(ds >> 44 & 1);
  assert_int_equal(ds >> 40 & 0xa, 0x2);
  assert_int_equal((ds & 0xffff) | (ds >> 32 & 0xf0000), 0xfffff);
  assert_true(ds >> 55 & 1);
  assert_int_equal((ds >> 16 & 0xffffff) | (ds >> 32 & 0xff000000), 0); /* base 0 */
  munmap(ram, 64 * MIB);
}

static void test_page_tables(void **state) {
  (void)state;
  fake_init();
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path()};
  load_ok(&a, ram, 64 * MIB, &s);
  static const uint64_t probes[] = {0,          0x1234,     BP,         LINUX_BOOT_CMDLINE,
                                    16 * MIB + 0x200, 63 * MIB + 5, 0xfeb00000, 0xfee00000,
                                    0xffffffff};
  for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
    assert_int_equal(walk(ram, s.cr3, probes[i]), probes[i]);
  assert_int_equal(walk(ram, s.cr3, 1ull << 32), UINT64_MAX); /* 4 GiB and up: not needed */
  /* The tables sit in low RAM the e820 map calls usable and the kernel
   * reserves, clear of boot_params, the GDT, the stack and the command line. */
  assert_true(LINUX_BOOT_PML4 >= s.rsp && LINUX_BOOT_PGTABLE_END <= LINUX_BOOT_CMDLINE);
  assert_true(LINUX_BOOT_PGTABLE_END <= PC_EBDA_START);
  assert_true(s.gdt_base + s.gdt_limit < BP);
  munmap(ram, 64 * MIB);
}

static void test_boot_params(void **state) {
  (void)state;
  fake_init();
  uint8_t *ram = ram_new(64 * MIB);
  memset(ram + BP, 0x5a, 4096); /* boot_params must start from zero */
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path(), .cmdline = "console=ttyS0 quiet", .rsdp_addr = 0xe0000};
  load_ok(&a, ram, 64 * MIB, &s);
  const uint8_t *bp = ram + BP;
  /* The image's setup header, then what a loader writes. */
  assert_int_equal(le_get16(bp + 0x206), 0x020f);
  assert_memory_equal(bp + 0x202, "HdrS", 4);
  assert_int_equal(le_get64(bp + 0x258), 16 * MIB);
  assert_int_equal(le_get32(bp + 0x260), MIB);
  assert_int_equal(bp[0x210], 0xff); /* type_of_loader: undefined */
  assert_int_equal(bp[0x211], LINUX_LOADED_HIGH | LINUX_CAN_USE_HEAP);
  assert_int_not_equal(le_get16(bp + 0x224), 0); /* heap_end_ptr */
  assert_int_equal(le_get32(bp + 0x214), 16 * MIB); /* code32_start: where it went */
  uint32_t cmd = le_get32(bp + 0x228);
  assert_int_equal(le_get32(bp + 0xc8), 0);
  assert_string_equal((const char *)ram + cmd, "console=ttyS0 quiet");
  assert_int_equal(le_get32(bp + 0x218), 0); /* no initrd */
  assert_int_equal(le_get32(bp + 0x21c), 0);
  assert_int_equal(le_get64(bp + 0x70), 0xe0000); /* acpi_rsdp_addr */
  assert_int_equal(bp[0x1ef], 0);                 /* sentinel: the loader copied only the header */
  assert_int_equal(bp[0x26c], 0);                 /* nothing past the header */
  assert_int_equal(bp[0x100], 0);
  munmap(ram, 64 * MIB);
}

/* The e820 map of docs/system.md, as boot_params carries it. */
static void expect_e820(const uint8_t *bp, const PcE820Entry *want, unsigned n) {
  assert_int_equal(bp[0x1e8], n);
  for (unsigned i = 0; i < n; i++) {
    const uint8_t *e = bp + 0x2d0 + i * 20;
    assert_int_equal(le_get64(e), want[i].addr);
    assert_int_equal(le_get64(e + 8), want[i].size);
    assert_int_equal(le_get32(e + 16), want[i].type);
  }
}

static void test_e820(void **state) {
  (void)state;
  fake_init();
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path()};
  load_ok(&a, ram, 64 * MIB, &s);
  const PcE820Entry want[] = {{0, 0x9fc00, 1}, {0x9fc00, 0x60400, 2}, {MIB, 63 * MIB, 1}};
  expect_e820(ram + BP, want, 3);
  munmap(ram, 64 * MIB);

  /* More than 3 GiB: low RAM stops at 3 GiB, the rest is from 4 GiB. */
  PcE820Entry map[PC_E820_MAX];
  assert_int_equal(pc_e820_map(5ull << 30, map), 4);
  assert_int_equal(map[2].addr, MIB);
  assert_int_equal(map[2].size, (3ull << 30) - MIB);
  assert_int_equal(map[3].addr, 4ull << 30);
  assert_int_equal(map[3].size, 2ull << 30);
  assert_int_equal(map[3].type, PC_E820_RAM);
  assert_int_equal(pc_e820_map(3ull << 30, map), 3); /* exactly 3 GiB: nothing high */
}

static void test_initrd_placement(void **state) {
  (void)state;
  fake_init();
  static uint8_t rd[100 * 1024 + 17];
  for (size_t i = 0; i < sizeof rd; i++)
    rd[i] = (uint8_t)(i ^ (i >> 8));
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path(), .initrd = write_temp(rd, sizeof rd)};
  load_ok(&a, ram, 64 * MIB, &s);
  uint32_t at = le_get32(ram + BP + 0x218);
  assert_int_equal(le_get32(ram + BP + 0x21c), sizeof rd);
  assert_int_equal(le_get32(ram + BP + 0xc0), 0); /* ext_ramdisk_image */
  assert_int_equal(at % 4096, 0);
  assert_int_equal(at, (64 * MIB - sizeof rd) & ~4095ull); /* as high as it goes */
  assert_memory_equal(ram + at, rd, sizeof rd);
  munmap(ram, 64 * MIB);

  /* initrd_addr_max below the end of RAM bounds it (the last byte it may use). */
  le_put32(img + 0x22c, 0x1ffffff);
  ram = ram_new(256 * MIB);
  a.kernel = fake_path();
  load_ok(&a, ram, 256 * MIB, &s);
  at = le_get32(ram + BP + 0x218);
  assert_int_equal(at, (32 * MIB - sizeof rd) & ~4095ull);
  assert_memory_equal(ram + at, rd, sizeof rd);
  munmap(ram, 256 * MIB);

  /* No room above the kernel's init_size area: below the kernel, above 1 MiB. */
  le_put32(img + 0x22c, 0x7fffffff);
  le_put32(img + 0x260, (uint32_t)(48 * MIB));
  ram = ram_new(64 * MIB);
  a.kernel = fake_path();
  load_ok(&a, ram, 64 * MIB, &s);
  at = le_get32(ram + BP + 0x218);
  assert_int_equal(at, (16 * MIB - sizeof rd) & ~4095ull);
  assert_memory_equal(ram + at, rd, sizeof rd);
  munmap(ram, 64 * MIB);
}

static void test_setup_sects_and_alignment(void **state) {
  (void)state;
  /* setup_sects 0 means 4; an explicit 4 gives the same image offset. */
  fake_init();
  img[0x1f1] = 4;
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = fake_path()};
  load_ok(&a, ram, 64 * MIB, &s);
  assert_memory_equal(ram + 16 * MIB, img + 5 * 512, KERNEL_LEN);
  /* A relocatable kernel whose pref_address is not aligned goes to the next
   * kernel_alignment boundary. */
  fake_init();
  le_put64(img + 0x258, 17 * MIB);
  a.kernel = fake_path();
  load_ok(&a, ram, 64 * MIB, &s);
  assert_int_equal(s.rip, 18 * MIB + 0x200);
  assert_memory_equal(ram + 18 * MIB, img + 5 * 512, KERNEL_LEN);
  munmap(ram, 64 * MIB);
}

static void test_bad_images(void **state) {
  (void)state;
  LinuxBootArgs a = {0};
  fake_init();
  le_put16(img + 0x1fe, 0);
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, "not a bzImage (no boot sector signature 0xAA55)");

  fake_init();
  memcpy(img + 0x202, "HdrX", 4);
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, ": not a bzImage (no HdrS signature)");

  fake_init();
  le_put16(img + 0x206, 0x0204);
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, "boot protocol 2.04 is too old: need 2.12+ for 64-bit boot");

  fake_init();
  le_put16(img + 0x236, 0);
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, "not a 64-bit kernel");

  fake_init();
  le_put32(img + 0x230, 0x300000);
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, "bad kernel_alignment 0x300000");

  fake_init();
  le_put32(img + 0x1f4, 0);
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, "syssize is 0");

  fake_init();
  le_put32(img + 0x1f4, KERNEL_LEN / 16 + 1); /* says more than the file holds */
  a.kernel = fake_path();
  load_fails(&a, 64 * MIB, "truncated");

  fake_init();
  a.kernel = write_temp(img, 600);
  load_fails(&a, 64 * MIB, "not a bzImage (only 600 bytes)");

  a.kernel = "/nonexistent/vmlinuz";
  load_fails(&a, 64 * MIB, "/nonexistent/vmlinuz: No such file or directory");
  a.kernel = "/tmp";
  load_fails(&a, 64 * MIB, "/tmp: not a regular file");
}

static void test_bad_placement(void **state) {
  (void)state;
  fake_init();
  /* A kernel whose init_size reaches past the end of RAM. */
  le_put32(img + 0x260, (uint32_t)(60 * MIB));
  LinuxBootArgs a = {.kernel = fake_path()};
  load_fails(&a, 64 * MIB, "the kernel needs RAM up to 76 MiB (loaded at 16 MiB, init_size 60 MiB); there is 64 MiB");
  load_fails(&a, 512 * 1024, "512 KiB of RAM is too small to boot Linux");

  /* Command line longer than cmdline_size. */
  fake_init();
  le_put32(img + 0x238, 10);
  a.kernel = fake_path();
  a.cmdline = "console=ttyS0";
  load_fails(&a, 64 * MIB, "the kernel command line is 13 bytes;");
  a.cmdline = "0123456789"; /* exactly cmdline_size: fits */
  uint8_t *ram = ram_new(64 * MIB);
  BootCpuState s;
  load_ok(&a, ram, 64 * MIB, &s);
  assert_string_equal((const char *)ram + LINUX_BOOT_CMDLINE, "0123456789");
  munmap(ram, 64 * MIB);
}

static void test_bad_initrd(void **state) {
  (void)state;
  fake_init();
  LinuxBootArgs a = {.kernel = fake_path(), .initrd = "/nonexistent/initrd.img"};
  load_fails(&a, 64 * MIB, "/nonexistent/initrd.img: No such file or directory");
  a.initrd = write_temp("", 0);
  load_fails(&a, 64 * MIB, "the initrd is empty");
  /* 50 MiB: neither above the kernel (17-64 MiB) nor below it (1-16 MiB). A
   * sparse file: the loader fails before reading it. */
  a.initrd = write_temp("x", 1);
  assert_int_equal(truncate(a.initrd, 50 * MIB), 0);
  load_fails(&a, 64 * MIB, "the initrd (50 MiB) does not fit in RAM below 64 MiB");
}

/* EMU_TEST_VMLINUZ: a real kernel's header, and a load of it. */
static void test_real_vmlinuz(void **state) {
  (void)state;
  const char *path = getenv("EMU_TEST_VMLINUZ");
  if (!path || !*path)
    skip();
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  uint8_t head[1024];
  assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  LinuxSetupHeader h;
  char err[256];
  if (!linux_setup_header_parse(head, sizeof head, (uint64_t)size, &h, err, sizeof err)) {
    print_message("%s: %s\n", path, err);
    fail();
  }
  print_message("%s: protocol %u.%02u, setup_sects %u, syssize 0x%x, loadflags 0x%x, "
                "xloadflags 0x%x, relocatable %u, kernel_alignment 0x%x, pref_address 0x%llx, "
                "init_size 0x%x, initrd_addr_max 0x%x, cmdline_size 0x%x\n",
                path, h.version >> 8, h.version & 0xff, h.setup_sects, h.syssize, h.loadflags,
                h.xloadflags, h.relocatable, h.kernel_alignment, (unsigned long long)h.pref_address,
                h.init_size, h.initrd_addr_max, h.cmdline_size);
  assert_true(h.xloadflags & LINUX_XLF_KERNEL_64);
  uint64_t ram_size = 256 * MIB;
  uint8_t *ram = ram_new(ram_size);
  BootCpuState s;
  LinuxBootArgs a = {.kernel = path, .cmdline = "console=ttyS0"};
  load_ok(&a, ram, ram_size, &s);
  assert_int_equal(s.rip, h.pref_address + 0x200);
  f = fopen(path, "rb");
  static uint8_t first[4096];
  fseek(f, (long)h.setup_size, SEEK_SET);
  assert_int_equal(fread(first, 1, sizeof first, f), sizeof first);
  fclose(f);
  assert_memory_equal(ram + h.pref_address, first, sizeof first);
  munmap(ram, ram_size);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_cpu_state_and_kernel, teardown),
      cmocka_unit_test_teardown(test_gdt, teardown),
      cmocka_unit_test_teardown(test_page_tables, teardown),
      cmocka_unit_test_teardown(test_boot_params, teardown),
      cmocka_unit_test_teardown(test_e820, teardown),
      cmocka_unit_test_teardown(test_initrd_placement, teardown),
      cmocka_unit_test_teardown(test_setup_sects_and_alignment, teardown),
      cmocka_unit_test_teardown(test_bad_images, teardown),
      cmocka_unit_test_teardown(test_bad_placement, teardown),
      cmocka_unit_test_teardown(test_bad_initrd, teardown),
      cmocka_unit_test_teardown(test_real_vmlinuz, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
