/* simd_string.c — glibc's Advanced SIMD string and memory routines (static
 * glibc, ifunc-selected by the hwcaps emu advertises) against qemu-aarch64:
 * strlen strnlen strchr strchrnul strrchr memchr memrchr rawmemchr memcmp
 * strcmp strncmp memcpy memmove memset strcpy stpcpy strncpy, over every
 * source/destination alignment within 16 bytes, lengths 0..130, the match at
 * each position, and strings that end at a page whose successor is not
 * readable (the routines must not fault). Each routine prints one hash of all
 * its results; a mismatch names the routine. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t h;
static void mix(uint64_t v) { h = (h ^ v) * 0x100000001b3ull; }
static void mixp(const void *p, const void *base) { mix(p ? (uint64_t)((const char *)p - (const char *)base) : ~0ull); }
static void done(const char *name) {
  printf("%-10s %016llx\n", name, (unsigned long long)h);
  h = 0xcbf29ce484222325ull;
}

#define MAXLEN 130
static char *page; /* two pages: the second is PROT_NONE */
static long pagesz;
static char buf[4][512] __attribute__((aligned(64)));

/* A string of len non-zero bytes at page end (its NUL the page's last byte)
 * or in buf at alignment al. */
static char *place(int at_end, unsigned al, unsigned len, unsigned seed) {
  char *s = at_end ? page + pagesz - 1 - len : buf[0] + al;
  for (unsigned i = 0; i < len; i++)
    s[i] = (char)('a' + (i * 7 + seed) % 26);
  s[len] = 0;
  return s;
}

static void t_search(void) {
  for (int end = 0; end < 2; end++)
    for (unsigned al = 0; al < 16; al++)
      for (unsigned len = 0; len <= MAXLEN; len++) {
        char *s = place(end, al, len, len);
        mix(strlen(s));
        mix(strnlen(s, len / 2));
        mix(strnlen(s, len + 5));
      }
  done("strlen");
  for (int end = 0; end < 2; end++)
    for (unsigned al = 0; al < 16; al++)
      for (unsigned len = 0; len <= MAXLEN; len += 3) {
        char *s = place(end, al, len, 0);
        for (unsigned pos = 0; pos < len; pos += 5) {
          char c = s[pos];
          mixp(strchr(s, c), s);
          mixp(strrchr(s, c), s);
          mixp(strchrnul(s, c), s);
          mixp(memchr(s, c, len), s);
          mixp(memrchr(s, c, len), s);
          mixp(rawmemchr(s, c), s);
        }
        mixp(strchr(s, 'Z'), s);
        mixp(strchr(s, 0), s);
        mixp(strrchr(s, 0), s);
        mixp(strchrnul(s, '#'), s);
        mixp(memchr(s, 'Z', len), s);
        mixp(memchr(s, 0, len + 1), s);
      }
  done("strchr etc");
}

static void t_compare(void) {
  for (unsigned a1 = 0; a1 < 16; a1++)
    for (unsigned a2 = 0; a2 < 16; a2 += 3)
      for (unsigned len = 0; len <= MAXLEN; len += 7) {
        char *s1 = buf[1] + a1, *s2 = buf[2] + a2;
        for (unsigned i = 0; i < len; i++)
          s1[i] = s2[i] = (char)(0x41 + i % 50);
        s1[len] = s2[len] = 0;
        mix((uint64_t)(strcmp(s1, s2) > 0) << 1 | (strcmp(s1, s2) < 0));
        mix(memcmp(s1, s2, len) == 0);
        for (unsigned pos = 0; pos < len; pos += 4) {
          char save = s2[pos];
          s2[pos] = (char)(save + (pos & 1 ? 1 : -1));
          if (pos & 2)
            s2[pos] = (char)0x80; /* signed vs unsigned char order */
          int c = strcmp(s1, s2), m = memcmp(s1, s2, len), n = strncmp(s1, s2, pos + 1);
          int n2 = strncmp(s1, s2, pos);
          mix((uint64_t)(c > 0) | (uint64_t)(c < 0) << 1 | (uint64_t)(m > 0) << 2 | (uint64_t)(m < 0) << 3 |
              (uint64_t)(n > 0) << 4 | (uint64_t)(n < 0) << 5 | (uint64_t)(n2 != 0) << 6);
          s2[pos] = save;
        }
      }
  /* A string ending at the unreadable page against a longer one. */
  for (unsigned len = 0; len <= MAXLEN; len++) {
    char *s = place(1, 0, len, 3), *t = buf[3] + (len & 15);
    memcpy(t, s, len + 1);
    t[len] = 'x', t[len + 1] = 0;
    int c = strcmp(s, t);
    mix((uint64_t)(c < 0) | (uint64_t)(c > 0) << 1);
    mix(strncmp(s, t, len + 10) < 0);
  }
  done("strcmp etc");
}

static void t_copy(void) {
  for (unsigned a1 = 0; a1 < 16; a1++)
    for (unsigned a2 = 0; a2 < 16; a2 += 5)
      for (unsigned len = 0; len <= MAXLEN * 2; len += (len < 40 ? 1 : 13)) {
        char *src = buf[1] + a1, *dst = buf[2] + a2;
        for (unsigned i = 0; i < len + 32; i++)
          src[i] = (char)(i * 13 + a1);
        memset(buf[2], 0x5a, sizeof buf[2]);
        memcpy(dst, src, len);
        mix(memcmp(dst, src, len));
        mix(dst[len]);
        mix(dst[-1 + (a2 == 0)]);
        memset(dst + 3, (int)a1, len);
        for (unsigned i = 0; i < len + 8; i++)
          mix((unsigned char)dst[i]);
        memmove(buf[1] + a1 + 5, buf[1] + a1, len); /* overlapping forwards */
        memmove(buf[1] + a2, buf[1] + a2 + 9, len); /* and backwards */
        for (unsigned i = 0; i < len + 16; i++)
          mix((unsigned char)buf[1][i]);
      }
  done("mem*");
  for (int end = 0; end < 2; end++)
    for (unsigned al = 0; al < 16; al++)
      for (unsigned len = 0; len <= MAXLEN; len++) {
        char *s = place(end, al, len, al);
        char *d = buf[2] + (len * 3 + al) % 16;
        memset(buf[2], 0x77, sizeof buf[2]);
        mixp(stpcpy(d, s), d);
        mix(strcmp(d, s));
        mix((unsigned char)d[len + 1]);
        strcpy(d + 1, s);
        mix(d[0]);
        strncpy(d, s, len / 2 + 3);
        for (unsigned i = 0; i < len + 4; i++)
          mix((unsigned char)d[i]);
      }
  done("strcpy etc");
}

int main(void) {
  h = 0xcbf29ce484222325ull;
  pagesz = sysconf(_SC_PAGESIZE);
  page = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED || mprotect(page + pagesz, pagesz, PROT_NONE))
    return 1;
  t_search();
  t_compare();
  t_copy();
  return 0;
}
