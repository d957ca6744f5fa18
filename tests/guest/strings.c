/* libc string routines on many sizes and alignments (glibc picks SIMD versions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static unsigned h = 5381;
static void add(unsigned v) { h = h * 33 + v; }

int main(void) {
  static char a[4096 + 64], b[4096 + 64];
  for (int i = 0; i < (int)sizeof a; i++) { a[i] = (char)('a' + i % 26); b[i] = a[i]; }
  for (int off = 0; off < 17; off++) {
    for (int len = 0; len < 300; len += 1 + len / 8) {
      char *s = a + off;
      char saved = s[len];
      s[len] = 0;
      add((unsigned)strlen(s));
      add((unsigned)(strchr(s, 'q') ? strchr(s, 'q') - s : 1000));
      add((unsigned)(strrchr(s, 'c') ? strrchr(s, 'c') - s : 1000));
      add((unsigned)(memchr(s, 'z', (size_t)len) ? (char *)memchr(s, 'z', (size_t)len) - s : 1000));
      memcpy(b + 3, s, (size_t)len + 1);
      add((unsigned)strcmp(b + 3, s) + 7);
      b[3 + len / 2] ^= 1;
      int c = strcmp(b + 3, s);
      add(len ? (unsigned)(c > 0 ? 1 : c < 0 ? 2 : 3) : 0);
      add((unsigned)(memcmp(b + 3, s, (size_t)len) > 0));
      add((unsigned)strncmp(b + 3, s, (size_t)len / 2));
      memmove(b + 1, b + 3, (size_t)len);
      memset(b + 100, off, (size_t)len);
      add((unsigned char)b[100 + len / 3]);
      add((unsigned)strspn(s, "abcdefg"));
      add((unsigned)strcspn(s, "xyz"));
      add((unsigned)(strstr(s, "mnop") ? strstr(s, "mnop") - s : 1000));
      s[len] = saved;
    }
  }
  char buf[256];
  snprintf(buf, sizeof buf, "%s-%d-%x-%05.1f-%c-%10s|%-6d|", "abc", -42, 0xbeef, 3.14159, 'Z', "right", 7);
  puts(buf);
  char *dup = strdup("Hello, Emulated World");
  for (char *p = dup; *p; p++) *p = (char)toupper((unsigned char)*p);
  puts(dup);
  free(dup);
  char tok[] = "alpha beta,gamma;delta";
  for (char *t = strtok(tok, " ,;"); t; t = strtok(NULL, " ,;")) printf("[%s]", t);
  printf("\nstrings hash %08x\n", h);
  return 0;
}
