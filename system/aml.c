/* aml.c — encoding AML terms and resource descriptors (ACPI 6.x 20.2 and 6.4).
 * Only what emu's DSDT uses; see aml.h. */
#include <string.h>

#include "aml.h"
#include "le_bytes.h"

enum {
  AML_ZERO_OP = 0x00,
  AML_ONE_OP = 0x01,
  AML_NAME_OP = 0x08,
  AML_BYTE_PREFIX = 0x0a,
  AML_WORD_PREFIX = 0x0b,
  AML_DWORD_PREFIX = 0x0c,
  AML_STRING_PREFIX = 0x0d,
  AML_QWORD_PREFIX = 0x0e,
  AML_SCOPE_OP = 0x10,
  AML_BUFFER_OP = 0x11,
  AML_PACKAGE_OP = 0x12,
  AML_DUAL_NAME_PREFIX = 0x2e,
  AML_MULTI_NAME_PREFIX = 0x2f,
  AML_EXT_OP_PREFIX = 0x5b,
  AML_DEVICE_OP = 0x82, /* after ExtOpPrefix */
  PKGLEN_RESERVED = 4,  /* bytes held open for a PkgLength until aml_close */
};

void aml_init(Aml *a, uint8_t *buf, size_t cap) { *a = (Aml){.buf = buf, .cap = cap}; }

void aml_bytes(Aml *a, const void *p, size_t n) {
  if (a->overflow || n > a->cap - a->len) {
    a->overflow = true;
    return;
  }
  memcpy(a->buf + a->len, p, n);
  a->len += n;
}

static void aml_byte(Aml *a, uint8_t b) { aml_bytes(a, &b, 1); }

void aml_namestring(Aml *a, const char *path) {
  while (*path == '\\' || *path == '^')
    aml_byte(a, (uint8_t)*path++);
  unsigned nsegs = 1;
  for (const char *p = path; *p; p++)
    nsegs += *p == '.';
  if (nsegs == 2)
    aml_byte(a, AML_DUAL_NAME_PREFIX);
  else if (nsegs > 2) {
    aml_byte(a, AML_MULTI_NAME_PREFIX);
    aml_byte(a, (uint8_t)nsegs);
  }
  while (nsegs--) {
    char seg[4] = {'_', '_', '_', '_'};
    for (int i = 0; *path && *path != '.'; path++)
      if (i < 4)
        seg[i++] = *path;
    aml_bytes(a, seg, 4);
    path += *path == '.';
  }
}

void aml_integer(Aml *a, uint64_t v) {
  uint8_t b[9];
  if (v <= 1) {
    aml_byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
    return;
  }
  size_t n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffff ? 4 : 8;
  b[0] = n == 1 ? AML_BYTE_PREFIX : n == 2 ? AML_WORD_PREFIX : n == 4 ? AML_DWORD_PREFIX : AML_QWORD_PREFIX;
  le_put64(b + 1, v);
  aml_bytes(a, b, 1 + n);
}

void aml_string(Aml *a, const char *s) {
  aml_byte(a, AML_STRING_PREFIX);
  aml_bytes(a, s, strlen(s) + 1);
}

void aml_name(Aml *a, const char *name) {
  aml_byte(a, AML_NAME_OP);
  aml_namestring(a, name);
}

/* -- Terms with a PkgLength ----------------------------------------------------- */

size_t aml_pkglength(size_t body_len, uint8_t out[4]) {
  /* The length counts its own bytes. One byte holds up to 63; longer ones put
   * the count of following bytes in bits 7:6 and the low nibble in bits 3:0. */
  for (size_t n = 1; n <= 4; n++) {
    size_t total = body_len + n;
    if (n == 1 && total <= 0x3f) {
      out[0] = (uint8_t)total;
      return 1;
    }
    if (n > 1 && total < (size_t)1 << (4 + 8 * (n - 1))) {
      out[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
      for (size_t i = 1; i < n; i++)
        out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
      return n;
    }
  }
  return 0;
}

static size_t pkg_open(Aml *a) {
  static const uint8_t hold[PKGLEN_RESERVED];
  size_t mark = a->len;
  aml_bytes(a, hold, sizeof hold);
  return mark;
}

void aml_close(Aml *a, size_t mark) {
  if (a->overflow)
    return;
  size_t body = a->len - mark - PKGLEN_RESERVED;
  uint8_t enc[4];
  size_t n = aml_pkglength(body, enc);
  if (n == 0) {
    a->overflow = true;
    return;
  }
  memmove(a->buf + mark + n, a->buf + mark + PKGLEN_RESERVED, body);
  memcpy(a->buf + mark, enc, n);
  a->len -= PKGLEN_RESERVED - n;
}

size_t aml_scope_open(Aml *a, const char *name) {
  aml_byte(a, AML_SCOPE_OP);
  size_t mark = pkg_open(a);
  aml_namestring(a, name);
  return mark;
}

size_t aml_device_open(Aml *a, const char *name) {
  aml_byte(a, AML_EXT_OP_PREFIX);
  aml_byte(a, AML_DEVICE_OP);
  size_t mark = pkg_open(a);
  aml_namestring(a, name);
  return mark;
}

size_t aml_package_open(Aml *a, uint8_t num_elements) {
  aml_byte(a, AML_PACKAGE_OP);
  size_t mark = pkg_open(a);
  aml_byte(a, num_elements);
  return mark;
}

void aml_buffer(Aml *a, const uint8_t *data, size_t n) {
  aml_byte(a, AML_BUFFER_OP);
  size_t mark = pkg_open(a);
  aml_integer(a, n);
  aml_bytes(a, data, n);
  aml_close(a, mark);
}

/* -- Resource descriptors ------------------------------------------------------- */

enum {
  RES_MEMORY32_FIXED = 0x86,
  RES_EXTENDED_IRQ = 0x89,
  RES_END_TAG = 0x79, /* small item 0xf, length 1 */
  IRQ_CONSUMER = 1 << 0,
  IRQ_EDGE = 1 << 1,
  IRQ_ACTIVE_LOW = 1 << 2,
};

size_t aml_res_memory32_fixed(uint8_t *p, bool writable, uint32_t base, uint32_t len) {
  p[0] = RES_MEMORY32_FIXED;
  le_put16(p + 1, 9);
  p[3] = writable;
  le_put32(p + 4, base);
  le_put32(p + 8, len);
  return 12;
}

size_t aml_res_interrupt(uint8_t *p, bool level, bool active_low, uint32_t gsi) {
  p[0] = RES_EXTENDED_IRQ;
  le_put16(p + 1, 6);
  p[3] = (uint8_t)(IRQ_CONSUMER | (level ? 0 : IRQ_EDGE) | (active_low ? IRQ_ACTIVE_LOW : 0));
  p[4] = 1; /* interrupt table length */
  le_put32(p + 5, gsi);
  return 9;
}

size_t aml_res_end(uint8_t *p) {
  p[0] = RES_END_TAG;
  p[1] = 0;
  return 2;
}
