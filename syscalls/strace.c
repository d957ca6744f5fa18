/* strace.c — `-strace` in QEMU's format: "PID name(args) = result", each
 * argument printed by its kind from the syscall's row (sys_kind.c: flag and
 * enum names, strings quoted, buffers' first bytes, struct pointers as pointers).
 * Each part is formatted into a line buffer and logged in one write, so the
 * processes of a pipeline sharing stderr do not cut into each other's calls. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "sys_kind.h"
#include "user.h"

typedef struct Line {
  char buf[2048];
  size_t n;
} Line;

static void out(Line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(Line *l, const char *fmt, ...) {
  if (l->n >= sizeof l->buf - 1)
    return; /* full: the rest is dropped */
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(l->buf + l->n, sizeof l->buf - l->n, fmt, ap);
  va_end(ap);
  if (n > 0)
    l->n = l->n + (size_t)n < sizeof l->buf ? l->n + (size_t)n : sizeof l->buf - 1;
}

/* One byte of a quoted string or buffer, escaped as strace does. */
static void put_char(Line *l, unsigned char c) {
  if (c == '"' || c == '\\')
    out(l, "\\%c", c);
  else if (c == '\n')
    out(l, "\\n");
  else if (c < 32 || c >= 127)
    out(l, "\\%o", c);
  else
    out(l, "%c", c);
}

static void put_string(Line *l, uint64_t addr, uint64_t maxlen) {
  const char *s = addr ? user_str(addr) : NULL;
  if (!s) {
    out(l, addr ? "0x%" PRIx64 : "NULL", addr);
    return;
  }
  out(l, "\"");
  uint64_t n = 0;
  for (; s[n] && n < maxlen; n++)
    put_char(l, (unsigned char)s[n]);
  out(l, s[n] ? "\"..." : "\"");
}

/* A buffer of len bytes: the first few as a string, like strace. */
static void put_buffer(Line *l, uint64_t addr, int64_t len) {
  if (len < 0 || !addr || !gmem_check(addr, (uint64_t)len, PROT_READ)) {
    out(l, "0x%" PRIx64, addr);
    return;
  }
  const unsigned char *p = gmem_g2h(addr);
  out(l, "\"");
  for (int64_t i = 0; i < len && i < 32; i++)
    put_char(l, p[i]);
  out(l, len > 32 ? "\"..." : "\"");
}

/* Flags: every matching entry's name, '|'-joined, then what is left in hex. */
static void put_flags(Line *l, uint64_t v, const SysName *names) {
  uint64_t rest = v;
  bool first = true;
  for (const SysName *n = names; n->name; n++) {
    if (!n->mask || (v & n->mask) != n->value || (n->value & ~rest)) /* bits taken already */
      continue;
    out(l, "%s%s", first ? "" : "|", n->name);
    first = false;
    rest &= ~n->mask;
  }
  if (first && !rest)
    out(l, "0");
  else if (rest)
    out(l, first ? "0x%" PRIx64 : "|0x%" PRIx64, rest);
}

static void put_enum(Line *l, uint64_t v, const SysName *names) {
  for (const SysName *n = names; n->name; n++)
    if ((v & n->mask) == n->value) {
      out(l, "%s", n->name);
      return;
    }
  out(l, "%" PRId64, (int64_t)v);
}

static void put_arg(Line *l, const char *kinds, int i, const uint64_t a[6]) {
  const SysKind *k = sys_kind(kinds[i]);
  uint64_t v = a[i];
  switch ((SysShow)k->show) {
  case SYS_SHOW_DEC: out(l, "%d", (int)v); break; /* an int: the upper half is not its */
  case SYS_SHOW_LONG: out(l, "%" PRId64, (int64_t)v); break;
  case SYS_SHOW_UDEC: out(l, "%" PRIu64, v); break;
  case SYS_SHOW_FD: out(l, (int32_t)v == AT_FDCWD ? "AT_FDCWD" : "%d", (int)v); break;
  case SYS_SHOW_OCT: out(l, "0%" PRIo64, v); break;
  case SYS_SHOW_FLAGS: put_flags(l, v, k->names); break;
  case SYS_SHOW_ENUM: put_enum(l, v, k->names); break;
  case SYS_SHOW_STR: put_string(l, v, 256); break;
  case SYS_SHOW_BUF: put_buffer(l, v, i < 5 ? (int64_t)a[i + 1] : 0); break;
  case SYS_SHOW_PTR: out(l, v ? "0x%" PRIx64 : "NULL", v); break;
  case SYS_SHOW_IOCTL:
    if (sys_ioctl_name(v))
      out(l, "%s", sys_ioctl_name(v));
    else
      out(l, "0x%" PRIx64, v);
    break;
  case SYS_SHOW_HEX: out(l, "0x%" PRIx64, v); break;
  }
}

void strace_enter(UserThread *t, const SysRow *row, const uint64_t a[6]) {
  char res;
  const char *k = sys_kinds_args(row->args, &res);
  Line l = {.n = 0};
  out(&l, "%d %s(", (int)t->tid, row->name);
  for (int i = 0; k[i] && i < 6; i++) {
    if (i)
      out(&l, ",");
    put_arg(&l, k, i, a);
  }
  out(&l, ")");
  emu_log("%s", l.buf);
}

void strace_exit(UserThread *t, const SysRow *row, const uint64_t a[6], int64_t ret) {
  (void)t;
  char res;
  const char *k = sys_kinds_args(row->args, &res);
  Line l = {.n = 0};
  if (ret < 0 && ret >= -4095) {
    emu_log(" = -1 errno=%d (%s)\n", (int)-ret, strerror((int)-ret));
    return;
  }
  switch (res) {
  case 'x': case 'p': out(&l, " = 0x%" PRIx64, (uint64_t)ret); break;
  case 'm': out(&l, " = 0%" PRIo64, (uint64_t)ret); break;
  default: out(&l, " = %" PRId64, ret); break;
  }
  for (int i = 0; k[i] && i < 6; i++)
    if (k[i] == 'B' && ret > 0) { /* show what a read returned */
      out(&l, " ");
      put_buffer(&l, a[i], ret);
    }
  emu_log("%s\n", l.buf);
}

void strace_unknown(UserThread *t, uint64_t nr, const uint64_t a[6], int64_t ret) {
  emu_log("%d Unknown syscall %" PRIu64 "(0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64 ") = %" PRId64
          "\n",
          (int)t->tid, nr, a[0], a[1], a[2], ret);
}
