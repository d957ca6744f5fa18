/* strace.c — `-strace` in QEMU's format: "PID name(args) = result", each
 * argument printed by its kind from the syscall's row (sys_kind.c: flag and
 * enum names, strings quoted, buffers' first bytes, struct pointers as pointers). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
#include "sys_kind.h"
#include "user.h"

static void put_string(uint64_t addr, uint64_t maxlen) {
  const char *s = addr ? user_str(addr) : NULL;
  if (!s) {
    emu_log(addr ? "0x%" PRIx64 : "NULL", addr);
    return;
  }
  emu_log("\"");
  uint64_t n = 0;
  for (; s[n] && n < maxlen; n++) {
    unsigned char c = (unsigned char)s[n];
    if (c == '"' || c == '\\')
      emu_log("\\%c", c);
    else if (c == '\n')
      emu_log("\\n");
    else if (c < 32 || c >= 127)
      emu_log("\\%03o", c);
    else
      emu_log("%c", c);
  }
  emu_log(s[n] ? "\"..." : "\"");
}

/* A buffer of len bytes: the first few as a string, like strace. */
static void put_buffer(uint64_t addr, int64_t len) {
  if (len < 0 || !addr || !gmem_check(addr, (uint64_t)len, PROT_READ)) {
    emu_log("0x%" PRIx64, addr);
    return;
  }
  const unsigned char *p = gmem_g2h(addr);
  emu_log("\"");
  for (int64_t i = 0; i < len && i < 32; i++) {
    unsigned char c = p[i];
    if (c == '\n')
      emu_log("\\n");
    else if (c == '"' || c == '\\')
      emu_log("\\%c", c);
    else if (c < 32 || c >= 127)
      emu_log("\\%o", c);
    else
      emu_log("%c", c);
  }
  emu_log(len > 32 ? "\"..." : "\"");
}

/* Flags: every matching entry's name, '|'-joined, then what is left in hex. */
static void put_flags(uint64_t v, const SysName *names) {
  uint64_t rest = v;
  bool first = true;
  for (const SysName *n = names; n->name; n++) {
    if (!n->mask || (v & n->mask) != n->value || (n->value & ~rest)) /* bits taken already */
      continue;
    emu_log("%s%s", first ? "" : "|", n->name);
    first = false;
    rest &= ~n->mask;
  }
  if (first && !rest)
    emu_log("0");
  else if (rest)
    emu_log(first ? "0x%" PRIx64 : "|0x%" PRIx64, rest);
}

static void put_enum(uint64_t v, const SysName *names) {
  for (const SysName *n = names; n->name; n++)
    if ((v & n->mask) == n->value) {
      emu_log("%s", n->name);
      return;
    }
  emu_log("%" PRId64, (int64_t)v);
}

static void put_arg(const char *kinds, int i, const uint64_t a[6]) {
  const SysKind *k = sys_kind(kinds[i]);
  uint64_t v = a[i];
  switch ((SysShow)k->show) {
  case SYS_SHOW_DEC: emu_log("%" PRId64, (int64_t)v); break;
  case SYS_SHOW_UDEC: emu_log("%" PRIu64, v); break;
  case SYS_SHOW_FD: emu_log((int32_t)v == AT_FDCWD ? "AT_FDCWD" : "%d", (int)v); break;
  case SYS_SHOW_OCT: emu_log("0%" PRIo64, v); break;
  case SYS_SHOW_FLAGS: put_flags(v, k->names); break;
  case SYS_SHOW_ENUM: put_enum(v, k->names); break;
  case SYS_SHOW_STR: put_string(v, 256); break;
  case SYS_SHOW_BUF: put_buffer(v, i < 5 ? (int64_t)a[i + 1] : 0); break;
  case SYS_SHOW_PTR: emu_log(v ? "0x%" PRIx64 : "NULL", v); break;
  case SYS_SHOW_IOCTL:
    if (sys_ioctl_name(v))
      emu_log("%s", sys_ioctl_name(v));
    else
      emu_log("0x%" PRIx64, v);
    break;
  case SYS_SHOW_HEX: emu_log("0x%" PRIx64, v); break;
  }
}

void strace_enter(UserThread *t, const SysRow *row, const uint64_t a[6]) {
  char res;
  const char *k = sys_kinds_args(row->args, &res);
  emu_log("%d %s(", (int)t->tid, row->name);
  for (int i = 0; k[i] && i < 6; i++) {
    if (i)
      emu_log(",");
    put_arg(k, i, a);
  }
  emu_log(")");
}

void strace_exit(UserThread *t, const SysRow *row, const uint64_t a[6], int64_t ret) {
  (void)t;
  char res;
  const char *k = sys_kinds_args(row->args, &res);
  if (ret < 0 && ret >= -4095) {
    emu_log(" = -1 errno=%d (%s)\n", (int)-ret, strerror((int)-ret));
    return;
  }
  switch (res) {
  case 'x': case 'p': emu_log(" = 0x%" PRIx64, (uint64_t)ret); break;
  case 'm': emu_log(" = 0%" PRIo64, (uint64_t)ret); break;
  default: emu_log(" = %" PRId64, ret); break;
  }
  for (int i = 0; k[i] && i < 6; i++)
    if (k[i] == 'B' && ret > 0) { /* show what a read returned */
      emu_log(" ");
      put_buffer(a[i], ret);
    }
  emu_log("\n");
}

void strace_unknown(UserThread *t, uint64_t nr, const uint64_t a[6], int64_t ret) {
  emu_log("%d Unknown syscall %" PRIu64 "(0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64 ") = %" PRId64
          "\n",
          (int)t->tid, nr, a[0], a[1], a[2], ret);
}
