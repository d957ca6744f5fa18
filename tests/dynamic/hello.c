/* hello.c — compiled and linked by gcc under emu in tests/dynamic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point { double x, y; };

static int by_dist(const void *a, const void *b) {
  const struct point *p = a, *q = b;
  double d = hypot(p->x, p->y) - hypot(q->x, q->y);
  return (d > 0) - (d < 0);
}

int main(int argc, char **argv) {
  struct point pts[100];
  for (int i = 0; i < 100; i++)
    pts[i] = (struct point){cos(i * 0.7) * i, sin(i * 1.3) * (100 - i)};
  qsort(pts, 100, sizeof pts[0], by_dist);
  printf("nearest (%.4f, %.4f) farthest (%.4f, %.4f)\n", pts[0].x, pts[0].y, pts[99].x, pts[99].y);
  char buf[64];
  snprintf(buf, sizeof buf, "%s has %d args", argv[0][0] ? "prog" : "?", argc - 1);
  printf("%s, strlen %zu\n", buf, strlen(buf));
  return argc > 1 ? atoi(argv[1]) : 0;
}
