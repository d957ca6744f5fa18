/* Memory-bound: matrix multiply over arrays larger than L2. */
#include <stdio.h>
#include <stdlib.h>
enum { N = 800 };
int main(void) {
  double *a = malloc(sizeof(double) * N * N), *b = malloc(sizeof(double) * N * N), *c = calloc(N * N, sizeof(double));
  for (int i = 0; i < N * N; i++) { a[i] = (i % 17) * 0.5; b[i] = (i % 13) * 0.25; }
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++) {
      double aik = a[i * N + k];
      for (int j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
    }
  double s = 0;
  for (int i = 0; i < N * N; i++) s += c[i];
  printf("%.3f\n", s);
  return 0;
}
