/* aml.h — a small ACPI Machine Language encoder (ACPI 6.x, chapter 20): the few
 * terms emu's DSDT needs (names, integers, strings, buffers, packages, scopes,
 * devices) and the resource descriptors of a _CRS (chapter 6.4), written into a
 * caller's buffer. Packages nest: *_open returns a mark, aml_close fills in the
 * PkgLength once the body is known. */
#ifndef EMU_AML_H
#define EMU_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Aml {
  uint8_t *buf;
  size_t len, cap;
  bool overflow; /* something did not fit: the output is incomplete */
} Aml;

void aml_init(Aml *a, uint8_t *buf, size_t cap);
void aml_bytes(Aml *a, const void *p, size_t n);

/* A NameString: optional leading '\' (root) or '^'s (parent), then NameSegs of
 * up to 4 characters separated by '.' ("\\_SB.VR00"); short segs are padded
 * with '_' as ASL does. */
void aml_namestring(Aml *a, const char *path);
/* The shortest encoding: ZeroOp, OneOp, Byte/Word/DWord/QWordPrefix. */
void aml_integer(Aml *a, uint64_t v);
void aml_string(Aml *a, const char *s); /* StringPrefix ... NUL */
void aml_buffer(Aml *a, const uint8_t *data, size_t n); /* BufferOp with its size */
void aml_name(Aml *a, const char *name); /* NameOp name: the object follows */

/* Opening terms with a PkgLength; each returns the mark aml_close takes. */
size_t aml_scope_open(Aml *a, const char *name);
size_t aml_device_open(Aml *a, const char *name);
size_t aml_package_open(Aml *a, uint8_t num_elements);
void aml_close(Aml *a, size_t mark);

/* PkgLength of a term whose body is body_len bytes, into out (1-4 bytes);
 * returns the bytes used, 0 if too long for AML (2^28). */
size_t aml_pkglength(size_t body_len, uint8_t out[4]);

/* -- Resource descriptors (a ResourceTemplate is their concatenation) -------- */

/* Memory32Fixed (large item 0x86): 12 bytes. */
size_t aml_res_memory32_fixed(uint8_t *p, bool writable, uint32_t base, uint32_t len);
/* Extended Interrupt (large item 0x89) with one interrupt, as a consumer,
 * exclusive: 9 bytes. */
size_t aml_res_interrupt(uint8_t *p, bool level, bool active_low, uint32_t gsi);
/* End Tag (small item 0x79), checksum 0 ("treat as correct"): 2 bytes. */
size_t aml_res_end(uint8_t *p);

#endif
