/* Allocator heavy: build and free binary trees and variable-sized linked-list
 * nodes with malloc/free (glibc's malloc fast paths, pointer stores). */
#include <stdio.h>
#include <stdlib.h>
typedef struct Tree { struct Tree *l, *r; int v; } Tree;
typedef struct Item { struct Item *next; size_t n; char data[]; } Item;
static Tree *make(int d, int v) {
  Tree *t = malloc(sizeof *t);
  t->v = v;
  t->l = d ? make(d - 1, 2 * v) : NULL;
  t->r = d ? make(d - 1, 2 * v + 1) : NULL;
  return t;
}
static long check(const Tree *t) { return t->l ? t->v + check(t->l) - check(t->r) : t->v; }
static void drop(Tree *t) { if (t->l) { drop(t->l); drop(t->r); } free(t); }
int main(void) {
  long acc = 0;
  for (int r = 0; r < 50; r++) { Tree *t = make(16, r); acc += check(t); drop(t); }
  unsigned s = 9;
  for (int r = 0; r < 30; r++) {
    Item *head = NULL;
    for (int i = 0; i < 60000; i++) {
      s = s * 1664525u + 1013904223u;
      size_t n = 8 + (s >> 24) % 200;
      Item *it = malloc(sizeof *it + n);
      it->n = n; it->data[0] = (char)i; it->data[n - 1] = (char)(i >> 3);
      it->next = head; head = it;
      if ((s & 3) == 0 && head->next) { Item *x = head->next; head->next = x->next; acc += (long)x->n + x->data[0]; free(x); }
    }
    while (head) { Item *x = head; head = x->next; acc += x->data[x->n - 1]; free(x); }
  }
  printf("%ld\n", acc);
  return 0;
}
