/* probe.c ADDR...: for each address, try (in a child each) to store to it, to
 * load from it, and to have the kernel read from it; print what happened. Run
 * under emu with emu's own addresses, every attempt must fail: stores and loads
 * die of SIGSEGV, the syscall returns EFAULT. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *attempt(uintptr_t addr, int kind) {
  pid_t pid = fork();
  if (pid == 0) {
    volatile uint64_t *p = (volatile uint64_t *)addr;
    if (kind == 0) *p = 0x4141414141414141ull;
    else if (kind == 1) (void)*p;
    else {
      int fds[2];
      if (pipe(fds)) _exit(3);
      _exit(write(fds[1], (const void *)addr, 8) < 0 && errno == EFAULT ? 2 : 4);
    }
    _exit(0); /* the access went through */
  }
  int st;
  waitpid(pid, &st, 0);
  if (WIFSIGNALED(st)) return WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : "other-signal";
  switch (WEXITSTATUS(st)) {
  case 0: return "ACCESSED";
  case 2: return "EFAULT";
  default: return "other";
  }
}

int main(int argc, char **argv) {
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    uintptr_t a = (uintptr_t)strtoull(argv[i], NULL, 16);
    const char *w = attempt(a, 0), *r = attempt(a, 1), *s = attempt(a, 2);
    int ok = w[0] == 'S' && r[0] == 'S' && s[0] == 'E';
    bad += !ok;
    printf("%#lx store %s load %s syscall %s%s\n", (unsigned long)a, w, r, s, ok ? "" : "  <-- NOT ISOLATED");
  }
  printf("%d of %d addresses isolated\n", argc - 1 - bad, argc - 1);
  return bad != 0;
}
