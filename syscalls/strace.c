/* strace.c — `-strace` in QEMU's format: "PID name(args) = result", each
 * argument printed by its kind from the syscall's row. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"
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

static void put_open_flags(uint64_t f) {
  static const struct { uint64_t bit; const char *name; } names[] = {
      {O_WRONLY, "O_WRONLY"}, {O_RDWR, "O_RDWR"}, {O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"},
      {O_NOCTTY, "O_NOCTTY"}, {O_TRUNC, "O_TRUNC"}, {O_APPEND, "O_APPEND"},
      {O_NONBLOCK, "O_NONBLOCK"}, {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
      {O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"}, {O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE"},
  };
  if ((f & O_ACCMODE) == O_RDONLY)
    emu_log("O_RDONLY");
  bool first = (f & O_ACCMODE) != O_RDONLY;
  uint64_t rest = f;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if ((f & names[i].bit) == names[i].bit && names[i].bit) {
      emu_log("%s%s", first ? "" : "|", names[i].name);
      first = false;
      rest &= ~names[i].bit;
    }
  rest &= ~(uint64_t)O_ACCMODE;
  if (rest)
    emu_log("|0x%" PRIx64, rest);
}

static const char *arg_kinds(const SysRow *row, char *result) {
  const char *k = row->args;
  *result = 'd';
  if (k[0] && k[1] == ':') {
    *result = k[0];
    k += 2;
  }
  return k;
}

void strace_enter(UserThread *t, const SysRow *row, const uint64_t a[6]) {
  char res;
  const char *k = arg_kinds(row, &res);
  emu_log("%d %s(", (int)t->tid, row->name);
  for (int i = 0; k[i] && i < 6; i++) {
    if (i)
      emu_log(",");
    switch (k[i]) {
    case 'd': emu_log("%" PRId64, (int64_t)a[i]); break;
    case 'u': emu_log("%" PRIu64, a[i]); break;
    case 'f': emu_log((int32_t)a[i] == AT_FDCWD ? "AT_FDCWD" : "%d", (int)a[i]); break;
    case 's': put_string(a[i], 256); break;
    case 'b': put_buffer(a[i], i < 5 ? (int64_t)a[i + 1] : 0); break;
    case 'o': put_open_flags(a[i]); break;
    case 'm': emu_log("0%" PRIo64, a[i]); break;
    case '-': emu_log("?"); break;
    default: emu_log("0x%" PRIx64, a[i]); break; /* x, p, B */
    }
  }
  emu_log(")");
}

void strace_exit(UserThread *t, const SysRow *row, const uint64_t a[6], int64_t ret) {
  (void)t;
  char res;
  const char *k = arg_kinds(row, &res);
  if (ret < 0 && ret >= -4095) {
    emu_log(" = -1 errno=%d (%s)\n", (int)-ret, strerror((int)-ret));
    return;
  }
  if (res == 'x' || res == 'p')
    emu_log(" = 0x%" PRIx64, (uint64_t)ret);
  else
    emu_log(" = %" PRId64, ret);
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
