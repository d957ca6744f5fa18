/* Indirect-call heavy: function pointers and virtual-dispatch style calls. */
#include <stdio.h>
typedef struct Shape { double (*area)(const struct Shape *); double a, b; } Shape;
static double sq(const Shape *s) { return s->a * s->a; }
static double rect(const Shape *s) { return s->a * s->b; }
static double tri(const Shape *s) { return 0.5 * s->a * s->b; }
static unsigned step(unsigned x) { return x * 1664525u + 1013904223u; }
static unsigned (*volatile fn)(unsigned) = step;
int main(void) {
  Shape shapes[64];
  double (*kinds[3])(const Shape *) = {sq, rect, tri};
  for (int i = 0; i < 64; i++) shapes[i] = (Shape){kinds[(i * 7) % 3], i * 0.5, i * 0.25};
  double total = 0;
  unsigned x = 1;
  for (int r = 0; r < 2000000; r++)
    for (int i = 0; i < 64; i++) { total += shapes[i].area(&shapes[i]); x = fn(x); }
  printf("%.1f %u\n", total, x);
  return 0;
}
