/* argv, environment and the auxiliary vector as a program sees them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
int main(int argc, char **argv) {
  printf("argc %d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  printf("GUEST_TEST_VAR=%s\n", getenv("GUEST_TEST_VAR") ? getenv("GUEST_TEST_VAR") : "(unset)");
  printf("pagesz %lu platform %s secure %lu\n", getauxval(AT_PAGESZ), (char *)getauxval(AT_PLATFORM), getauxval(AT_SECURE));
  printf("random %d execfn-set %d\n", getauxval(AT_RANDOM) != 0, getauxval(AT_EXECFN) != 0);
  struct utsname u;
  uname(&u);
  printf("machine %s\n", u.machine);
  return argc;
}
