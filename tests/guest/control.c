/* Recursion, qsort callbacks, switch jump tables, function pointers, setjmp/longjmp. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int ack(int m, int n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmp_rev(const void *a, const void *b) { return cmp_int(b, a); }

static const char *day(int d) {
  switch (d) {
  case 0: return "sun"; case 1: return "mon"; case 2: return "tue"; case 3: return "wed";
  case 4: return "thu"; case 5: return "fri"; case 6: return "sat"; case 17: return "seventeen";
  default: return "?";
  }
}

static int op_add(int a, int b) { return a + b; }
static int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }
static int (*const ops[])(int, int) = {op_add, op_sub, op_mul};

static jmp_buf env;
static void deep(int n) { if (n == 0) longjmp(env, 42); deep(n - 1); }

int main(void) {
  printf("fib(25) = %d, ack(2,3) = %d\n", fib(25), ack(2, 3));
  int v[1000];
  unsigned seed = 12345;
  for (int i = 0; i < 1000; i++) { seed = seed * 1103515245 + 12345; v[i] = (int)(seed >> 8) % 10000 - 5000; }
  qsort(v, 1000, sizeof v[0], cmp_int);
  printf("sorted %d %d %d\n", v[0], v[500], v[999]);
  qsort(v, 1000, sizeof v[0], cmp_rev);
  printf("reversed %d %d\n", v[0], v[999]);
  for (int d = -1; d < 19; d++) printf("%s ", day(d));
  printf("\n");
  int acc = 1;
  for (int i = 0; i < 30; i++) acc = ops[i % 3](acc, i + 1);
  printf("ops %d\n", acc);
  int r = setjmp(env);
  if (r == 0) deep(100);
  printf("longjmp returned %d\n", r);
  return 0;
}
