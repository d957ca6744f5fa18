/* Death by SIGSEGV from a wild guest pointer (outside anything mapped). */
#include <stdio.h>
#include <stdint.h>
int main(void) {
  printf("before\n");
  fflush(stdout);
  volatile int *p = (int *)(uintptr_t)0x7fff00001234ull;
  *p = 1;
  printf("not reached\n");
  return 0;
}
