/* Pointer chasing: a random cyclic linked list, walked repeatedly. */
#include <stdio.h>
#include <stdlib.h>
typedef struct Node { struct Node *next; long v; } Node;
int main(void) {
  enum { N = 1 << 20 };
  Node *nodes = malloc(sizeof(Node) * N);
  int *perm = malloc(sizeof(int) * N);
  for (int i = 0; i < N; i++) perm[i] = i;
  unsigned s = 42;
  for (int i = N - 1; i > 0; i--) { s = s * 1103515245 + 12345; int j = (int)(s % (unsigned)(i + 1)); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
  for (int i = 0; i < N; i++) { nodes[perm[i]].next = &nodes[perm[(i + 1) % N]]; nodes[i].v = i; }
  long sum = 0;
  Node *p = &nodes[perm[0]];
  for (long k = 0; k < 20000000; k++) { sum += p->v; p = p->next; }
  printf("%ld\n", sum);
  return 0;
}
