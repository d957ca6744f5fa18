/* Memory-bound streaming: memset, memcpy and STREAM-style copy/scale/add/triad
 * over three 16 MiB arrays (far beyond L2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
enum { N = 2 << 20 };
int main(void) {
  double *a = malloc(N * sizeof(double)), *b = malloc(N * sizeof(double)), *c = malloc(N * sizeof(double));
  for (long i = 0; i < N; i++) { a[i] = 1.0; b[i] = 2.0; }
  memset(c, 0, N * sizeof(double));
  for (int r = 0; r < 30; r++) {
    for (long i = 0; i < N; i++) c[i] = a[i];                    /* copy */
    for (long i = 0; i < N; i++) b[i] = 3.0 * c[i];              /* scale */
    for (long i = 0; i < N; i++) c[i] = a[i] + b[i];             /* add */
    for (long i = 0; i < N; i++) a[i] = b[i] + 0.5 * c[i];       /* triad */
    memcpy(b, a, N * sizeof(double));
    memset(c, r, N * sizeof(double) / 2);
    for (long i = 0; i < N; i += 4096) a[i] *= 0.25;             /* keep the values bounded */
  }
  double s = 0;
  for (long i = 0; i < N; i += 97) s += a[i] + b[i] + (unsigned char)((char *)c)[i];
  printf("%.6e\n", s);
  return 0;
}
