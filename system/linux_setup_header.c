/* linux_setup_header.c — reading and validating a bzImage's setup header
 * (boot.rst "The Real-Mode Kernel Header"): what the 64-bit direct boot needs
 * from it, with one line of reason for every way an image can be unusable. */
#include <stdio.h>
#include <string.h>

#include "boot_linux.h"
#include "le_bytes.h"

/* Offsets in the image (= in boot_params) of the setup header fields. */
enum {
  HDR_SETUP_SECTS = 0x1f1,
  HDR_SYSSIZE = 0x1f4,
  HDR_BOOT_FLAG = 0x1fe,
  HDR_JUMP = 0x200,
  HDR_MAGIC = 0x202,
  HDR_VERSION = 0x206,
  HDR_LOADFLAGS = 0x211,
  HDR_INITRD_ADDR_MAX = 0x22c,
  HDR_KERNEL_ALIGNMENT = 0x230,
  HDR_RELOCATABLE = 0x234,
  HDR_XLOADFLAGS = 0x236,
  HDR_CMDLINE_SIZE = 0x238,
  HDR_PREF_ADDRESS = 0x258,
  HDR_INIT_SIZE = 0x260,
  HDR_HOLE_END = 0x290, /* boot_params has room for the header up to here */
  HEAD_MIN = 1024,
};

#define NEED_VERSION 0x020c /* 2.12: xloadflags, hence XLF_KERNEL_64 */

bool linux_setup_header_parse(const uint8_t *head, size_t head_len, uint64_t file_size,
                              LinuxSetupHeader *h, char *err, size_t errsize) {
  if (head_len < HEAD_MIN) {
    snprintf(err, errsize, "not a bzImage (only %zu bytes)", head_len);
    return false;
  }
  if (le_get16(head + HDR_BOOT_FLAG) != 0xaa55) {
    snprintf(err, errsize, "not a bzImage (no boot sector signature 0xAA55)");
    return false;
  }
  if (memcmp(head + HDR_MAGIC, "HdrS", 4) != 0) {
    snprintf(err, errsize, "not a bzImage (no HdrS signature)");
    return false;
  }
  memset(h, 0, sizeof *h);
  h->version = le_get16(head + HDR_VERSION);
  if (h->version < NEED_VERSION) {
    snprintf(err, errsize, "boot protocol %u.%02u is too old: need 2.12+ for 64-bit boot",
             h->version >> 8, h->version & 0xff);
    return false;
  }
  h->setup_sects = head[HDR_SETUP_SECTS];
  h->syssize = le_get32(head + HDR_SYSSIZE);
  h->loadflags = head[HDR_LOADFLAGS];
  h->initrd_addr_max = le_get32(head + HDR_INITRD_ADDR_MAX);
  h->kernel_alignment = le_get32(head + HDR_KERNEL_ALIGNMENT);
  h->relocatable = head[HDR_RELOCATABLE];
  h->xloadflags = le_get16(head + HDR_XLOADFLAGS);
  h->cmdline_size = le_get32(head + HDR_CMDLINE_SIZE);
  h->pref_address = le_get64(head + HDR_PREF_ADDRESS);
  h->init_size = le_get32(head + HDR_INIT_SIZE);
  h->header_end = 0x202u + head[HDR_JUMP + 1]; /* the jump's offset doubles as length */
  h->setup_size = ((uint64_t)(h->setup_sects ? h->setup_sects : 4) + 1) * 512;
  h->kernel_size = (uint64_t)h->syssize * 16;

  if (head[HDR_JUMP] != 0xeb || h->header_end > HDR_HOLE_END || h->header_end < HDR_INIT_SIZE + 4) {
    snprintf(err, errsize, "bad setup header (jump %02x %02x: header would end at 0x%x)",
             head[HDR_JUMP], head[HDR_JUMP + 1], h->header_end);
    return false;
  }
  if (!(h->xloadflags & LINUX_XLF_KERNEL_64)) {
    snprintf(err, errsize, "not a 64-bit kernel (no XLF_KERNEL_64 in xloadflags 0x%x)", h->xloadflags);
    return false;
  }
  if (!(h->loadflags & LINUX_LOADED_HIGH)) {
    snprintf(err, errsize, "not a bzImage (LOADED_HIGH is clear: a zImage)");
    return false;
  }
  if (h->kernel_alignment == 0 || (h->kernel_alignment & (h->kernel_alignment - 1))) {
    snprintf(err, errsize, "bad kernel_alignment 0x%x (not a power of two)", h->kernel_alignment);
    return false;
  }
  if (h->kernel_size == 0) {
    snprintf(err, errsize, "bad setup header (syssize is 0)");
    return false;
  }
  if (h->init_size < h->kernel_size) {
    snprintf(err, errsize, "bad setup header (init_size 0x%x is less than the kernel's 0x%llx bytes)",
             h->init_size, (unsigned long long)h->kernel_size);
    return false;
  }
  if (h->setup_size + h->kernel_size > file_size) {
    snprintf(err, errsize, "truncated (setup %llu + kernel %llu bytes, the file has %llu)",
             (unsigned long long)h->setup_size, (unsigned long long)h->kernel_size,
             (unsigned long long)file_size);
    return false;
  }
  return true;
}
