/* Integer: sieve of Eratosthenes, repeated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  enum { N = 8000000 };
  char *c = malloc(N);
  int total = 0;
  for (int rep = 0; rep < 6; rep++) {
    memset(c, 0, N);
    int n = 0;
    for (int i = 2; i < N; i++) {
      if (c[i]) continue;
      n++;
      for (long j = (long)i * i; j < N; j += i) c[j] = 1;
    }
    total += n;
  }
  printf("%d\n", total);
  return 0;
}
