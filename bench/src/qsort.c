/* libc callbacks: qsort of two million integers with a comparison function. */
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
int main(void) {
  enum { N = 2000000 };
  int *v = malloc(sizeof(int) * N);
  unsigned s = 7;
  for (int i = 0; i < N; i++) { s = s * 1664525u + 1013904223u; v[i] = (int)(s >> 1); }
  qsort(v, N, sizeof(int), cmp);
  printf("%d %d %d\n", v[0], v[N / 2], v[N - 1]);
  return 0;
}
