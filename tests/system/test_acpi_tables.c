/* test_acpi_tables.c — emu-pc's ACPI tables by structure and checksums against
 * the ACPI 6.x layouts (RSDP, XSDT, FADT, FACS, MADT, DSDT), the AML encoder's
 * PkgLength against the spec's rules, and — when iasl (acpica-tools) is
 * installed — ACPICA's own disassembly of the DSDT, FADT and MADT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "acpi_tables.h"
#include "aml.h"
#include "le_bytes.h"
#include "pc_layout.h"

static uint8_t ram[2 << 20];

static uint8_t sum(const uint8_t *p, size_t n) {
  uint8_t s = 0;
  while (n--)
    s = (uint8_t)(s + *p++);
  return s;
}

/* A table at a: signature and a valid checksum over its length. */
static const uint8_t *table(uint64_t a, const char *sig) {
  assert_true(a >= PC_ACPI_START && a < PC_ACPI_END);
  const uint8_t *t = ram + a;
  assert_memory_equal(t, sig, 4);
  uint32_t len = le_get32(t + 4);
  assert_true(len >= ACPI_HEADER_LEN && a + len <= PC_ACPI_END);
  assert_int_equal(sum(t, len), 0);
  return t;
}

static uint64_t build(unsigned ndev) {
  memset(ram, 0xa5, sizeof ram); /* the tables must not rely on zeroed RAM */
  AcpiConfig c = {.virtio_mmio_count = ndev};
  uint64_t rsdp = acpi_build(ram, sizeof ram, &c);
  assert_int_not_equal(rsdp, 0);
  return rsdp;
}

static const uint8_t *xsdt_entry(uint64_t rsdp, const char *sig) {
  const uint8_t *x = table(le_get64(ram + rsdp + 24), "XSDT");
  uint32_t n = (le_get32(x + 4) - ACPI_HEADER_LEN) / 8;
  for (uint32_t i = 0; i < n; i++)
    if (!memcmp(ram + le_get64(x + ACPI_HEADER_LEN + i * 8), sig, 4))
      return table(le_get64(x + ACPI_HEADER_LEN + i * 8), sig);
  fail_msg("no %s in the XSDT", sig);
  return NULL;
}

static void test_rsdp(void **state) {
  (void)state;
  uint64_t rsdp = build(1);
  const uint8_t *r = ram + rsdp;
  assert_int_equal(rsdp % 16, 0);
  assert_memory_equal(r, "RSD PTR ", 8);
  assert_int_equal(sum(r, 20), 0); /* ACPI 1.0 checksum */
  assert_int_equal(r[15], 2);      /* revision: 2.0+ */
  assert_int_equal(le_get32(r + 20), 36);
  assert_int_equal(sum(r, 36), 0); /* extended checksum */
  /* Linux's legacy scan: 16-byte steps through [0xe0000, 0x100000), the first
   * signature with a valid checksum. */
  uint64_t found = 0;
  for (uint64_t a = PC_ACPI_START; a < PC_ACPI_END && !found; a += 16)
    if (!memcmp(ram + a, "RSD PTR ", 8) && sum(ram + a, 20) == 0)
      found = a;
  assert_int_equal(found, rsdp);
  const uint8_t *x = table(le_get64(r + 24), "XSDT");
  assert_int_equal(le_get32(x + 4), ACPI_HEADER_LEN + 16); /* FADT, MADT */
}

static void test_fadt(void **state) {
  (void)state;
  uint64_t rsdp = build(1);
  const uint8_t *f = xsdt_entry(rsdp, "FACP");
  assert_int_equal(le_get32(f + 4), 276);
  assert_int_equal(f[8], 6);
  assert_int_equal(le_get16(f + 46), 9);     /* SCI_INT */
  assert_int_equal(le_get32(f + 48), 0);     /* SMI_CMD: ACPI always on */
  assert_int_equal(le_get32(f + 56), 0x600); /* PM1a_EVT_BLK */
  assert_int_equal(le_get32(f + 64), 0x604); /* PM1a_CNT_BLK */
  assert_int_equal(le_get32(f + 76), 0x608); /* PM_TMR_BLK */
  assert_int_equal(f[88], 4);
  assert_int_equal(f[89], 2);
  assert_int_equal(f[91], 4);
  uint16_t boot_arch = le_get16(f + 109);
  assert_true(boot_arch & 2);     /* 8042 present */
  assert_true(boot_arch & 4);     /* no VGA */
  assert_false(boot_arch & 0x20); /* the CMOS RTC is present */
  uint32_t flags = le_get32(f + 112);
  assert_true(flags & (1 << 0));   /* WBINVD */
  assert_true(flags & (1 << 8));   /* TMR_VAL_EXT */
  assert_true(flags & (1 << 10));  /* RESET_REG_SUP */
  assert_false(flags & (1 << 20)); /* not HW_REDUCED_ACPI */
  assert_false(flags & (1 << 4));  /* a fixed-feature power button (PM1 PWRBTN_STS) */
  assert_int_equal(f[108], 0x32);  /* CENTURY: CMOS index of the century byte */
  /* RESET_REG: SystemIO, 8 bits at 0xcf9; value 6. */
  const uint8_t reset[12] = {1, 8, 0, 1, 0xf9, 0x0c, 0, 0, 0, 0, 0, 0};
  assert_memory_equal(f + 116, reset, 12);
  assert_int_equal(f[128], 6);
  /* X_ blocks agree with the 32-bit ones. */
  assert_int_equal(f[148], 1);
  assert_int_equal(le_get64(f + 152), 0x600);
  assert_int_equal(f[149], 32);
  assert_int_equal(le_get64(f + 176), 0x604);
  assert_int_equal(f[173], 16);
  assert_int_equal(le_get64(f + 212), 0x608);
  assert_int_equal(f[209], 32);
  /* FACS: 64-byte aligned, in X_FIRMWARE_CTRL only (not listed twice). */
  uint64_t facs = le_get64(f + 132);
  assert_int_equal(le_get32(f + 36), 0);
  assert_int_equal(facs % 64, 0);
  assert_memory_equal(ram + facs, "FACS", 4);
  assert_int_equal(le_get32(ram + facs + 4), 64);
  assert_int_equal(le_get64(f + 140), le_get32(f + 40));
  table(le_get64(f + 140), "DSDT");
}

static void test_madt(void **state) {
  (void)state;
  uint64_t rsdp = build(1);
  const uint8_t *m = xsdt_entry(rsdp, "APIC");
  assert_int_equal(le_get32(m + 36), 0xfee00000);
  assert_int_equal(le_get32(m + 40) & 1, 1); /* PCAT_COMPAT */
  uint32_t len = le_get32(m + 4);
  int lapics = 0, ioapics = 0, irq0 = 0, sci = 0, nmi = 0;
  for (uint32_t off = 44; off < len; off += m[off + 1]) {
    const uint8_t *e = m + off;
    assert_true(e[1] >= 2 && off + e[1] <= len);
    switch (e[0]) {
    case 0: /* processor local APIC: UID 0, id 0, enabled */
      assert_int_equal(e[1], 8);
      assert_int_equal(e[3], 0);
      assert_int_equal(le_get32(e + 4) & 1, 1);
      lapics++;
      break;
    case 1:
      assert_int_equal(e[1], 12);
      assert_int_equal(e[2], 0);
      assert_int_equal(le_get32(e + 4), 0xfec00000);
      assert_int_equal(le_get32(e + 8), 0);
      ioapics++;
      break;
    case 2:
      assert_int_equal(e[1], 10);
      assert_int_equal(e[2], 0); /* ISA */
      if (e[3] == 0) {
        assert_int_equal(le_get32(e + 4), 2);
        irq0++;
      } else {
        assert_int_equal(e[3], 9);
        assert_int_equal(le_get32(e + 4), 9);
        assert_int_equal(le_get16(e + 8) & 3, 1);        /* active high */
        assert_int_equal(le_get16(e + 8) >> 2 & 3, 3);   /* level */
        sci++;
      }
      break;
    case 4:
      assert_int_equal(e[1], 6);
      assert_int_equal(e[5], 1); /* LINT1 */
      nmi++;
      break;
    default:
      fail_msg("unexpected MADT entry type %u", e[0]);
    }
  }
  assert_int_equal(lapics, 1);
  assert_int_equal(ioapics, 1);
  assert_int_equal(irq0, 1);
  assert_int_equal(sci, 1);
  assert_int_equal(nmi, 1);
}

static const uint8_t *find(const uint8_t *p, size_t n, const void *what, size_t wn) {
  for (size_t i = 0; i + wn <= n; i++)
    if (!memcmp(p + i, what, wn))
      return p + i;
  return NULL;
}

static void test_dsdt(void **state) {
  (void)state;
  uint64_t rsdp = build(3);
  const uint8_t *f = xsdt_entry(rsdp, "FACP");
  const uint8_t *d = table(le_get64(f + 140), "DSDT");
  assert_int_equal(d[8], 2); /* 64-bit integers */
  size_t len = le_get32(d + 4);
  /* Name(_S5, Package(){5, 5, 0, 0}) as AML. */
  const uint8_t s5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 5, 0x0a, 5, 0x00, 0x00};
  assert_non_null(find(d + 36, len - 36, s5, sizeof s5));
  /* Each device: _HID "LNRO0005", its _UID, and a _CRS buffer holding
   * Memory32Fixed(ReadWrite, base, 0x200) and Interrupt(level, high) {16+n}. */
  for (unsigned n = 0; n < 3; n++) {
    char dev[5];
    snprintf(dev, sizeof dev, "VR%02u", n);
    const uint8_t *p = find(d + 36, len - 36, dev, 4);
    assert_non_null(p);
    const uint8_t hid[] = {0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0};
    assert_memory_equal(p + 4, hid, sizeof hid);
    uint8_t mem[12] = {0x86, 9, 0, 1};
    le_put32(mem + 4, 0xfeb00000 + n * 0x200);
    le_put32(mem + 8, 0x200);
    const uint8_t *m = find(p, len - (size_t)(p - d), mem, sizeof mem);
    assert_non_null(m);
    const uint8_t irq[9] = {0x89, 6, 0, 0x01, 1, (uint8_t)(16 + n), 0, 0, 0};
    assert_memory_equal(m + 12, irq, sizeof irq);
    assert_memory_equal(m + 21, "\x79\x00", 2);
  }
  assert_null(find(d + 36, len - 36, "VR03", 4));
}

static void test_device_limits(void **state) {
  (void)state;
  AcpiConfig c = {.virtio_mmio_count = 0};
  assert_int_not_equal(acpi_build(ram, sizeof ram, &c), 0);
  c.virtio_mmio_count = PC_VIRTIO_MMIO_MAX; /* GSI 23, the IOAPIC's last pin */
  assert_int_not_equal(acpi_build(ram, sizeof ram, &c), 0);
  c.virtio_mmio_count = PC_VIRTIO_MMIO_MAX + 1;
  assert_int_equal(acpi_build(ram, sizeof ram, &c), 0);
  c.virtio_mmio_count = 1;
  assert_int_equal(acpi_build(ram, 512 * 1024, &c), 0); /* no firmware area */
}

/* PkgLength (ACPI 20.2.4): one byte up to 63, then 2-4 bytes with the count in
 * bits 7:6 and the low nibble first; the length counts its own bytes. */
static void test_aml_pkglength(void **state) {
  (void)state;
  uint8_t b[4];
  assert_int_equal(aml_pkglength(0, b), 1);
  assert_int_equal(b[0], 1);
  assert_int_equal(aml_pkglength(62, b), 1);
  assert_int_equal(b[0], 63);
  assert_int_equal(aml_pkglength(63, b), 2); /* 65 = 0x41 */
  assert_int_equal(b[0], 0x41);
  assert_int_equal(b[1], 0x04);
  assert_int_equal(aml_pkglength(4093, b), 2); /* 4095: the 2-byte maximum */
  assert_int_equal(b[0], 0x4f);
  assert_int_equal(b[1], 0xff);
  assert_int_equal(aml_pkglength(4094, b), 3); /* 4097 */
  assert_int_equal(b[0], 0x81);
  assert_int_equal(b[1], 0x00);
  assert_int_equal(b[2], 0x01);
  assert_int_equal(aml_pkglength(1u << 20, b), 4);
  assert_int_equal(aml_pkglength(1u << 28, b), 0);
}

static void test_aml_terms(void **state) {
  (void)state;
  uint8_t buf[256];
  Aml a;
  aml_init(&a, buf, sizeof buf);
  aml_integer(&a, 0);
  aml_integer(&a, 1);
  aml_integer(&a, 0x20);
  aml_integer(&a, 0x1234);
  aml_integer(&a, 0x12345678);
  aml_integer(&a, 0x100000000ull);
  const uint8_t ints[] = {0x00, 0x01, 0x0a, 0x20, 0x0b, 0x34, 0x12, 0x0c, 0x78, 0x56, 0x34, 0x12,
                          0x0e, 0, 0, 0, 0, 1, 0, 0, 0};
  assert_int_equal(a.len, sizeof ints);
  assert_memory_equal(buf, ints, sizeof ints);
  aml_init(&a, buf, sizeof buf);
  aml_namestring(&a, "\\_SB");
  aml_namestring(&a, "\\_SB.PCI0");
  aml_namestring(&a, "A.B.C");
  const uint8_t names[] = {'\\', '_', 'S', 'B', '_', '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
                           0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C', '_', '_', '_'};
  assert_int_equal(a.len, sizeof names);
  assert_memory_equal(buf, names, sizeof names);
  /* A scope whose body needs a 2-byte PkgLength, around a 1-byte one. */
  aml_init(&a, buf, sizeof buf);
  size_t s = aml_scope_open(&a, "\\_SB");
  size_t d = aml_device_open(&a, "DEV0");
  aml_close(&a, d);
  for (int i = 0; i < 20; i++)
    aml_integer(&a, 0x1234);
  aml_close(&a, s);
  /* 0x10, PkgLength(2), "\_SB_" (5), device 5b 82 05 "DEV0" (7), 60 bytes */
  assert_int_equal(a.len, 1 + 2 + 5 + 7 + 60);
  assert_int_equal(buf[0], 0x10);
  assert_int_equal(buf[1], 0x40 | ((2 + 5 + 7 + 60) & 0xf));
  assert_int_equal(buf[2], (2 + 5 + 7 + 60) >> 4);
  const uint8_t dev[] = {0x5b, 0x82, 0x05, 'D', 'E', 'V', '0'};
  assert_memory_equal(buf + 8, dev, sizeof dev);
  /* Overflow is reported, never written past. */
  aml_init(&a, buf, 4);
  aml_string(&a, "LNRO0005");
  assert_true(a.overflow);
}

/* -- ACPICA's view ------------------------------------------------------------ */

static bool have_iasl(void) { return system("command -v iasl >/dev/null 2>&1") == 0; }

/* Disassemble the table at a with iasl -d; returns the .dsl text (malloc). */
static char *iasl_disassemble(const char *dir, const char *name, uint64_t a) {
  char path[256], cmd[600];
  snprintf(path, sizeof path, "%s/%s.dat", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(ram + a, 1, le_get32(ram + a + 4), f), le_get32(ram + a + 4));
  fclose(f);
  snprintf(cmd, sizeof cmd, "cd %s && iasl -d %s.dat > %s.log 2>&1", dir, name, name);
  assert_int_equal(system(cmd), 0);
  snprintf(path, sizeof path, "%s/%s.dsl", dir, name);
  f = fopen(path, "rb");
  assert_non_null(f);
  static char text[1 << 16];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  return text;
}

static void expect_in(const char *text, const char *what) {
  if (!strstr(text, what)) {
    print_message("iasl output lacks '%s'\n", what);
    fail();
  }
}

static void test_iasl(void **state) {
  (void)state;
  if (!have_iasl())
    skip();
  uint64_t rsdp = build(PC_VIRTIO_MMIO_MAX); /* 8 devices: multi-byte PkgLengths */
  const uint8_t *f = xsdt_entry(rsdp, "FACP");
  char dir[] = "/tmp/emu-test-acpi-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char *t = iasl_disassemble(dir, "dsdt", le_get64(f + 140));
  expect_in(t, "Name (_S5, Package (0x04)");
  expect_in(t, "Scope (\\_SB)");
  expect_in(t, "Name (_HID, \"LNRO0005\")");
  expect_in(t, "Name (_UID, One)");
  expect_in(t, "Memory32Fixed (ReadWrite,\n                    0xFEB00200,         // Address Base\n"
               "                    0x00000200,         // Address Length");
  expect_in(t, "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )\n"
               "                {\n                    0x00000011,");
  expect_in(t, "Device (VR07)");
  expect_in(t, "0xFEB00E00,         // Address Base");
  expect_in(t, "0x00000017,");
  assert_null(strstr(t, "Incorrect"));
  t = iasl_disassemble(dir, "facp", (uint64_t)(f - ram));
  expect_in(t, "Hardware Reduced (V5) : 0");
  expect_in(t, "Address : 0000000000000CF9");
  expect_in(t, "Value to cause reset : 06");
  expect_in(t, "32-bit PM Timer (V1) : 1");
  expect_in(t, "PM1A Event Block Address : 00000600");
  expect_in(t, "8042 Present on ports 60/64 (V2) : 1");
  assert_null(strstr(t, "Incorrect"));
  t = iasl_disassemble(dir, "apic", le_get64(ram + le_get64(ram + rsdp + 24) + 44));
  expect_in(t, "Local Apic Address : FEE00000");
  expect_in(t, "Subtable Type : 01 [I/O APIC]");
  expect_in(t, "Address : FEC00000");
  expect_in(t, "Interrupt Input LINT : 01");
  assert_null(strstr(t, "Incorrect"));
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rsdp),          cmocka_unit_test(test_fadt),
      cmocka_unit_test(test_madt),          cmocka_unit_test(test_dsdt),
      cmocka_unit_test(test_device_limits), cmocka_unit_test(test_aml_pkglength),
      cmocka_unit_test(test_aml_terms),     cmocka_unit_test(test_iasl),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
