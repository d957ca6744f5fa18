/* Death by signal: raise(SIGABRT) after output, which must be flushed first. */
#include <signal.h>
#include <stdio.h>
int main(void) {
  printf("about to abort\n");
  fflush(stdout);
  raise(SIGABRT);
  printf("not reached\n");
  return 0;
}
