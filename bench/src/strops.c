/* String/libc heavy: memcpy, strlen, strcmp, snprintf, strtol over many sizes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  static char buf[1 << 16], dst[1 << 16];
  for (int i = 0; i < (int)sizeof buf - 1; i++) buf[i] = (char)('a' + (i * 7) % 26);
  unsigned long acc = 0;
  for (int r = 0; r < 300000; r++) {
    int len = 1 + (r * 37) % 60000;
    memcpy(dst, buf + (r % 64), (size_t)len);
    dst[len] = 0;
    acc += strlen(dst);
    acc += (unsigned long)(strchr(dst, 'z') - dst);
    acc += (unsigned long)(strcmp(dst, buf) > 0);
    char num[32];
    snprintf(num, sizeof num, "%ld", (long)r * 12345);
    acc += (unsigned long)strtol(num, NULL, 10);
  }
  printf("%lu\n", acc);
  return 0;
}
