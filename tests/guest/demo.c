/* demo.c — the README's default guest: a little of everything (fp, integer,
 * strings, libc), with output anyone can eyeball. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  for (int y = -12; y <= 12; y++) {
    for (int x = -39; x <= 20; x++) {
      double cr = x / 20.0, ci = y / 10.0, zr = 0, zi = 0;
      int i = 0;
      while (i < 200 && zr * zr + zi * zi < 4) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        i++;
      }
      putchar(" .:-=+*#%@"[i == 200 ? 9 : i % 9]);
    }
    putchar('\n');
  }
  enum { N = 2000000 };
  char *composite = calloc(N, 1);
  int primes = 0;
  for (int i = 2; i < N; i++) {
    if (composite[i]) continue;
    primes++;
    for (long j = (long)i * i; j < N; j += i) composite[j] = 1;
  }
  free(composite);
  printf("primes below %d: %d\n", N, primes);
  const char *words[] = {"translate", "emulate", "decode", "lift", "optimise", "chain", "execute"};
  qsort(words, 7, sizeof words[0], cmp);
  printf("sorted:");
  for (int i = 0; i < 7; i++) printf(" %s", words[i]);
  printf("\n");
  return 0;
}
