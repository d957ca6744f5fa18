/* sys_kind.h — syscall argument kinds: one character per argument in a SysRow's
 * args string (a result kind and ':' may come first). One table (sys_kind.c)
 * says for each letter whether the argument is a guest pointer the kernel
 * follows (how many bytes, read or written) and how -strace prints it, so
 * sys_passthrough's checking and the strace output can never disagree.
 *
 * Values:   d int  l long (64-bit signed: offsets)  u unsigned  x hex  f fd  m mode (octal)  o open flags
 *           P mmap prot  M mmap flags  C clone flags  F fcntl command  A socket family
 *           N socket type  g signal  h sigprocmask how  a AT_* flags  c clock id
 *           w lseek whence  r rlimit resource  O prctl option  I ioctl request
 *           X futex op  W wait options  R mremap flags  - unused
 *           q open flags as the asm-generic ABI (AArch64) numbers them
 * Pointers: s string (path) read
 *           b buffer read, length = next argument   B buffer written, length = next
 *           argument (strace shows the result's length of it at exit)
 *           v buffer read, length = previous argument   V buffer written, likewise
 *           k buffer written, length = the socklen_t the next argument points to
 *           L struct pollfd array (read and written), count = next argument
 *           E struct epoll_event array written, count = next argument
 *           i struct read by the kernel   p struct written (or read and written)
 * Structs (i, p) are checked for one page: no syscall struct is larger, and the
 * window's last page (above the stack) never holds one.
 */
#ifndef EMU_SYS_KIND_H
#define EMU_SYS_KIND_H

#include <stdbool.h>
#include <stdint.h>

typedef enum SysPtr { SYS_VALUE, SYS_READ, SYS_WRITE } SysPtr;

typedef enum SysLen {
  SYS_LEN_NONE,
  SYS_LEN_STR,      /* NUL-terminated */
  SYS_LEN_NEXT,     /* the next argument's value */
  SYS_LEN_PREV,     /* the previous argument's value */
  SYS_LEN_NEXT_PTR, /* the socklen_t at the next argument */
  SYS_LEN_POLLFD,   /* next argument x 8 */
  SYS_LEN_EPOLL,    /* next argument x 12 (struct epoll_event, packed on x86-64) */
  SYS_LEN_STRUCT,   /* up to a page */
} SysLen;

typedef enum SysShow {
  SYS_SHOW_DEC, SYS_SHOW_LONG, SYS_SHOW_UDEC, SYS_SHOW_HEX, SYS_SHOW_FD, SYS_SHOW_OCT,
  SYS_SHOW_FLAGS, /* names of the matching entries joined by '|', the rest in hex */
  SYS_SHOW_ENUM,  /* the first matching entry's name, else decimal */
  SYS_SHOW_STR, SYS_SHOW_BUF, SYS_SHOW_PTR,
  SYS_SHOW_IOCTL, /* sys_ioctl_name, else hex */
} SysShow;

/* A named value: matches v when (v & mask) == value. */
typedef struct SysName {
  uint64_t value, mask;
  const char *name;
} SysName;

typedef struct SysKind {
  char letter;
  uint8_t ptr;  /* SysPtr */
  uint8_t len;  /* SysLen */
  uint8_t show; /* SysShow */
  const SysName *names; /* FLAGS / ENUM: ended by a NULL name */
} SysKind;

/* The name of an ioctl request emu knows the shape of, or NULL (sys_ioctl.c). */
const char *sys_ioctl_name(uint64_t req);

/* The kind of a letter; unknown letters and '-' are hex values. */
const SysKind *sys_kind(char letter);

/* The argument kinds of a row's args string (past any "r:" result kind), and
 * the result kind ('d' when none is given). */
const char *sys_kinds_args(const char *args, char *result);

/* The guest span argument i (of kind) names, if it is a non-NULL pointer the kernel
 * follows: its address, length (SYS_LEN_STR: the string's, with the NUL) and
 * whether the kernel writes it. False for values and NULL pointers. A string
 * not inside readable memory gets *len = 0. */
typedef struct SysSpan {
  uint64_t addr, len;
  bool write, is_str;
} SysSpan;
bool sys_arg_span(char kind, int i, const uint64_t a[6], SysSpan *out);

#endif
