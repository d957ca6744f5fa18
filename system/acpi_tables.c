/* acpi_tables.c — emu-pc's ACPI tables (ACPI 6.x chapter 5): the fixed hardware
 * of pc_layout.h described as data, placed one after another in the firmware
 * area after the RSDP. What each field says and why: at the field. */
#include <string.h>

#include "acpi_tables.h"
#include "aml.h"
#include "le_bytes.h"
#include "pc_layout.h"

/* -- Common header and checksums -------------------------------------------- */

enum { HDR_LENGTH = 4, HDR_REVISION = 8, HDR_CHECKSUM = 9, HDR_OEM_ID = 10 };

static void checksum(uint8_t *t, size_t len, size_t at) {
  uint8_t sum = 0;
  t[at] = 0;
  for (size_t i = 0; i < len; i++)
    sum = (uint8_t)(sum + t[i]);
  t[at] = (uint8_t)-sum;
}

static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t revision) {
  memcpy(t, sig, 4);
  le_put32(t + HDR_LENGTH, len);
  t[HDR_REVISION] = revision;
  memcpy(t + HDR_OEM_ID, "EMU   ", 6);
  memcpy(t + 16, "EMU-PC  ", 8); /* OEM table id */
  le_put32(t + 24, 1);           /* OEM revision */
  memcpy(t + 28, "EMU ", 4);     /* creator id */
  le_put32(t + 32, 1);           /* creator revision */
}

static void finish(uint8_t *t) { checksum(t, le_get32(t + HDR_LENGTH), HDR_CHECKSUM); }

/* Generic Address Structure (5.2.3.2). */
enum { GAS_SYSTEM_IO = 1, GAS_BYTE = 1, GAS_WORD = 2, GAS_DWORD = 3 };
static void gas(uint8_t *p, uint8_t space, uint8_t bits, uint8_t access, uint64_t addr) {
  p[0] = space;
  p[1] = bits;
  p[2] = 0; /* bit offset */
  p[3] = access;
  le_put64(p + 4, addr);
}

/* -- FADT (5.2.9) ------------------------------------------------------------- */

enum {
  FADT_FIRMWARE_CTRL = 36,
  FADT_DSDT = 40,
  FADT_SCI_INT = 46,
  FADT_SMI_CMD = 48,
  FADT_PM1A_EVT_BLK = 56,
  FADT_PM1A_CNT_BLK = 64,
  FADT_PM_TMR_BLK = 76,
  FADT_PM1_EVT_LEN = 88,
  FADT_PM1_CNT_LEN = 89,
  FADT_PM_TMR_LEN = 91,
  FADT_P_LVL2_LAT = 96,
  FADT_P_LVL3_LAT = 98,
  FADT_CENTURY = 108,
  FADT_IAPC_BOOT_ARCH = 109,
  FADT_FLAGS = 112,
  FADT_RESET_REG = 116,
  FADT_RESET_VALUE = 128,
  FADT_MINOR_VERSION = 131,
  FADT_X_FIRMWARE_CTRL = 132,
  FADT_X_DSDT = 140,
  FADT_X_PM1A_EVT_BLK = 148,
  FADT_X_PM1A_CNT_BLK = 172,
  FADT_X_PM_TMR_BLK = 208,
};

/* Fixed feature flags (5.2.9 table 5.10). */
enum {
  FADT_F_WBINVD = 1 << 0,        /* wbinvd flushes the caches: trivially true */
  FADT_F_PROC_C1 = 1 << 2,       /* C1 (hlt) works: the idle loop uses it */
  FADT_F_SLP_BUTTON = 1 << 5,    /* no fixed-feature sleep button (PWR_BUTTON, bit 4,
                                    stays clear: the PM1 block has the power button) */
  FADT_F_FIX_RTC = 1 << 6,       /* no RTC wake status in PM1 */
  FADT_F_TMR_VAL_EXT = 1 << 8,   /* the PM timer counts 32 bits */
  FADT_F_RESET_REG_SUP = 1 << 10,
};

/* IA-PC boot architecture flags (5.2.9.3). The RTC is present, so "CMOS RTC not
 * present" (bit 5) stays clear; there is no VGA (Linux then keeps vgacon off). */
enum {
  BOOT_ARCH_LEGACY_DEVICES = 1 << 0, /* ISA-style devices: COM1, PIT, RTC */
  BOOT_ARCH_8042 = 1 << 1,           /* i8042 at 0x60/0x64 (reset line) */
  BOOT_ARCH_NO_VGA = 1 << 2,
};

static void build_fadt(uint8_t *t, uint32_t facs, uint32_t dsdt) {
  header(t, "FACP", ACPI_FADT_LEN, ACPI_FADT_REVISION);
  /* The FACS only in X_FIRMWARE_CTRL: ACPICA installs each non-zero FACS
   * pointer as a table of its own (Linux listed it twice). The DSDT in both,
   * equal, which ACPICA takes once and without a mismatch warning. */
  le_put32(t + FADT_FIRMWARE_CTRL, 0);
  le_put32(t + FADT_DSDT, dsdt);
  le_put64(t + FADT_X_FIRMWARE_CTRL, facs);
  le_put64(t + FADT_X_DSDT, dsdt);
  le_put16(t + FADT_SCI_INT, PC_ACPI_SCI_GSI);
  le_put32(t + FADT_SMI_CMD, 0); /* no SMM: ACPI mode is always on */
  le_put32(t + FADT_PM1A_EVT_BLK, PC_ACPI_PM1A_EVT);
  le_put32(t + FADT_PM1A_CNT_BLK, PC_ACPI_PM1A_CNT);
  le_put32(t + FADT_PM_TMR_BLK, PC_ACPI_PM_TMR);
  t[FADT_PM1_EVT_LEN] = 4;
  t[FADT_PM1_CNT_LEN] = 2;
  t[FADT_PM_TMR_LEN] = 4;
  le_put16(t + FADT_P_LVL2_LAT, 101);  /* > 100: no C2 */
  le_put16(t + FADT_P_LVL3_LAT, 1001); /* > 1000: no C3 */
  t[FADT_CENTURY] = PC_RTC_CENTURY; /* the CMOS byte rtc-cmos reads the century from */
  le_put16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042 | BOOT_ARCH_NO_VGA);
  le_put32(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON |
                               FADT_F_FIX_RTC | FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP);
  gas(t + FADT_RESET_REG, GAS_SYSTEM_IO, 8, GAS_BYTE, PC_RESET_PORT);
  t[FADT_RESET_VALUE] = PC_RESET_VALUE;
  t[FADT_MINOR_VERSION] = 0; /* ACPI 6.0 */
  /* PM1 status/enable and control are 16-bit registers, the timer 32-bit. */
  gas(t + FADT_X_PM1A_EVT_BLK, GAS_SYSTEM_IO, 32, GAS_WORD, PC_ACPI_PM1A_EVT);
  gas(t + FADT_X_PM1A_CNT_BLK, GAS_SYSTEM_IO, 16, GAS_WORD, PC_ACPI_PM1A_CNT);
  gas(t + FADT_X_PM_TMR_BLK, GAS_SYSTEM_IO, 32, GAS_DWORD, PC_ACPI_PM_TMR);
  finish(t);
}

/* -- FACS (5.2.10): no firmware waking vector, no global lock users ---------- */

static void build_facs(uint8_t *t) {
  memcpy(t, "FACS", 4);
  le_put32(t + 4, ACPI_FACS_LEN);
  t[32] = 2; /* version */
}

/* -- MADT (5.2.12) ------------------------------------------------------------ */

enum {
  MADT_LOCAL_APIC = 0,
  MADT_IO_APIC = 1,
  MADT_INT_OVERRIDE = 2,
  MADT_LAPIC_NMI = 4,
  MADT_PCAT_COMPAT = 1,  /* an i8259 pair is present (Linux masks it) */
  MPS_HIGH_LEVEL = 0xd,  /* polarity 01 active high, trigger 11 level */
};

static size_t madt_override(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags) {
  p[0] = MADT_INT_OVERRIDE;
  p[1] = 10;
  p[2] = 0; /* bus: ISA */
  p[3] = irq;
  le_put32(p + 4, gsi);
  le_put16(p + 8, flags);
  return 10;
}

static uint32_t build_madt(uint8_t *t) {
  size_t n = ACPI_HEADER_LEN;
  le_put32(t + n, PC_LAPIC_BASE);
  le_put32(t + n + 4, MADT_PCAT_COMPAT);
  n += 8;
  /* The one CPU: processor UID 0, APIC id 0, enabled. */
  const uint8_t lapic[8] = {MADT_LOCAL_APIC, 8, 0, 0, 1, 0, 0, 0};
  memcpy(t + n, lapic, 8);
  n += 8;
  /* IOAPIC id 0 (its own name space on an xAPIC system), GSIs from 0. */
  t[n] = MADT_IO_APIC;
  t[n + 1] = 12;
  t[n + 2] = 0;
  le_put32(t + n + 4, PC_IOAPIC_BASE);
  le_put32(t + n + 8, 0);
  n += 12;
  /* The PIT's IRQ 0 is wired to pin 2 (flags 0: ISA's edge, active high); the
   * SCI is level-triggered, active high, as the PM device drives it. */
  n += madt_override(t + n, 0, 2, 0);
  n += madt_override(t + n, PC_ACPI_SCI_GSI, PC_ACPI_SCI_GSI, MPS_HIGH_LEVEL);
  /* NMI on LINT1 of every processor (UID 0xff), bus-default polarity/trigger. */
  const uint8_t nmi[6] = {MADT_LAPIC_NMI, 6, 0xff, 0, 0, 1};
  memcpy(t + n, nmi, 6);
  n += 6;
  header(t, "APIC", (uint32_t)n, 4); /* revision 4: ACPI 6.0 */
  finish(t);
  return (uint32_t)n;
}

/* -- DSDT ----------------------------------------------------------------------- */

/* Name(_S5, Package(){5, 5, 0, 0}): SLP_TYPa/b for soft-off, written to
 * PM1a_CNT by Linux's poweroff. Then under \_SB one LNRO0005 device per
 * virtio-mmio disk with its registers and interrupt, which the virtio-mmio
 * driver matches (Debian's kernel cannot take them from the command line). */
static size_t dsdt_aml(uint8_t *buf, size_t cap, unsigned ndev) {
  Aml a;
  aml_init(&a, buf, cap);
  aml_name(&a, "_S5");
  size_t pkg = aml_package_open(&a, 4);
  aml_integer(&a, 5);
  aml_integer(&a, 5);
  aml_integer(&a, 0);
  aml_integer(&a, 0);
  aml_close(&a, pkg);

  size_t sb = aml_scope_open(&a, "\\_SB");
  for (unsigned i = 0; i < ndev; i++) {
    char name[5] = {'V', 'R', (char)('0' + i / 10), (char)('0' + i % 10), 0};
    size_t dev = aml_device_open(&a, name);
    aml_name(&a, "_HID");
    aml_string(&a, "LNRO0005");
    aml_name(&a, "_UID");
    aml_integer(&a, i);
    uint8_t crs[32];
    size_t n = aml_res_memory32_fixed(crs, true, PC_VIRTIO_MMIO_BASE + i * PC_VIRTIO_MMIO_SIZE,
                                      PC_VIRTIO_MMIO_SIZE);
    n += aml_res_interrupt(crs + n, true, false, PC_VIRTIO_MMIO_FIRST_GSI + i);
    n += aml_res_end(crs + n);
    aml_name(&a, "_CRS");
    aml_buffer(&a, crs, n);
    aml_close(&a, dev);
  }
  aml_close(&a, sb);
  return a.overflow ? 0 : a.len;
}

/* -- The whole set -------------------------------------------------------------- */

static uint64_t bump(uint64_t *next, uint64_t size, uint64_t align) {
  uint64_t at = (*next + align - 1) & ~(align - 1);
  *next = at + size;
  return at;
}

uint64_t acpi_build(uint8_t *ram, uint64_t ram_size, const AcpiConfig *c) {
  if (ram_size < PC_ACPI_END || c->virtio_mmio_count > PC_VIRTIO_MMIO_MAX)
    return 0;
  memset(ram + PC_ACPI_START, 0, PC_ACPI_END - PC_ACPI_START);
  uint8_t aml[4096];
  size_t aml_len = dsdt_aml(aml, sizeof aml, c->virtio_mmio_count);
  if (aml_len == 0)
    return 0;

  uint64_t next = PC_ACPI_START;
  uint64_t rsdp = bump(&next, ACPI_RSDP_LEN, 16);
  uint64_t facs = bump(&next, ACPI_FACS_LEN, 64); /* FACS must be 64-byte aligned */
  uint64_t dsdt = bump(&next, ACPI_HEADER_LEN + aml_len, 16);
  uint64_t fadt = bump(&next, ACPI_FADT_LEN, 16);
  uint64_t madt = next = (next + 15) & ~15ull;
  next += build_madt(ram + madt);
  uint64_t xsdt = bump(&next, ACPI_HEADER_LEN + 2 * 8, 16);

  build_facs(ram + facs);
  header(ram + dsdt, "DSDT", (uint32_t)(ACPI_HEADER_LEN + aml_len), 2); /* 2: 64-bit integers */
  memcpy(ram + dsdt + ACPI_HEADER_LEN, aml, aml_len);
  finish(ram + dsdt);
  build_fadt(ram + fadt, (uint32_t)facs, (uint32_t)dsdt);
  header(ram + xsdt, "XSDT", ACPI_HEADER_LEN + 2 * 8, 1);
  le_put64(ram + xsdt + ACPI_HEADER_LEN, fadt);
  le_put64(ram + xsdt + ACPI_HEADER_LEN + 8, madt);
  finish(ram + xsdt);

  /* RSDP 2.0: no RSDT (RsdtAddress 0), the XSDT; checksum over the first 20
   * bytes (ACPI 1.0 part), extended checksum over all 36. */
  uint8_t *r = ram + rsdp;
  memcpy(r, "RSD PTR ", 8);
  memcpy(r + 9, "EMU   ", 6);
  r[15] = 2;
  le_put32(r + 20, ACPI_RSDP_LEN);
  le_put64(r + 24, xsdt);
  checksum(r, 20, 8);
  checksum(r, ACPI_RSDP_LEN, 32);
  return rsdp;
}
