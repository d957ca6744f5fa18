/* a64test.h — freestanding support for the tests/arm64 programs: _start, raw
 * syscalls, buffered hex output, operand value sets.
 *
 * The programs use no libc, and are built with -mgeneral-regs-only: every
 * instruction they execute is either the one a test means to exercise (in
 * inline asm) or plain integer code, so a test of loads and stores does not
 * depend on glibc's SIMD string routines being lifted. Each program prints one
 * line per case; run.sh compares that output under qemu-aarch64 and emu. */
#ifndef A64TEST_H
#define A64TEST_H

#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;

/* -- Syscalls ---------------------------------------------------------------- */

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
}
#define SYS_write 64
#define SYS_exit_group 94
#define SYS_mmap 222

/* -- Output -------------------------------------------------------------------- */

static char out_buf[1 << 16];
static unsigned out_len;
/* Initialised data, so the RW segment has file bytes: emu's loader (unlike
 * Linux) rejects a bss-only segment whose file offset lies past the file. */
__attribute__((used)) static volatile int a64test_data = 1;

static void out_flush(void) {
  for (unsigned off = 0; off < out_len;) {
    long n = sys6(SYS_write, 1, (long)(out_buf + off), out_len - off, 0, 0, 0);
    if (n <= 0)
      break;
    off += (unsigned)n;
  }
  out_len = 0;
}

static void out_c(char c) {
  if (out_len == sizeof out_buf)
    out_flush();
  out_buf[out_len++] = c;
}

static void out_s(const char *s) {
  while (*s)
    out_c(*s++);
}

static void out_x(u64 v) { /* hex, no leading zeros */
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  while (n)
    out_c(tmp[--n]);
}

static void out_u(u64 v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n)
    out_c(tmp[--n]);
}

/* " name=hex" */
static void out_kv(const char *k, u64 v) {
  out_c(' ');
  out_s(k);
  out_c('=');
  out_x(v);
}

static void out_nl(void) { out_c('\n'); }

/* -- Values ---------------------------------------------------------------------- */

/* Edge values of 8, 16, 32 and 64 bits, and two patterns. */
static const u64 vals[] = {
    0,
    1,
    2,
    0x7f,
    0x80,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000,
    0x7fffffffffffffff,
    0x8000000000000000,
    0x8000000000000001,
    0xffffffffffffffff,
    0x123456789abcdef0,
    0xfedcba9876543210,
};
#define NVALS (sizeof vals / sizeof vals[0])

/* Shift counts, for the register-shift instructions. */
static const u64 counts[] = {0, 1, 7, 31, 32, 33, 63, 64, 65, 0xffffffffffffffc1};
#define NCOUNTS (sizeof counts / sizeof counts[0])

/* NZCV inputs: none, C only, all, N and V. */
static const u64 flag_ins[] = {0, 0x20000000, 0xf0000000, 0x90000000};
#define NFLAG_INS (sizeof flag_ins / sizeof flag_ins[0])

/* -- gcc's freestanding needs, and the entry point ---------------------------------- */

void *memset(void *d, int c, unsigned long n) {
  unsigned char *p = d;
  while (n--)
    *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned long n) {
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--)
    *p++ = *q++;
  return d;
}

static int test_main(void);
static int a64_argc;
static char **a64_argv;

/* sp: the initial stack (argc, argv..., envp...). */
__attribute__((noreturn, used)) static void start_c(u64 *sp) {
  a64_argc = (int)sp[0];
  a64_argv = (char **)(sp + 1);
  int rc = test_main();
  out_flush();
  sys6(SYS_exit_group, rc, 0, 0, 0, 0, 0);
  __builtin_unreachable();
}

__asm__(".globl _start\n"
        "_start:\n"
        "  mov x29, #0\n"
        "  mov x30, #0\n"
        "  mov x0, sp\n"
        "  b start_c\n");

#endif
