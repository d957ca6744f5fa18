/* SIGBUS: a shared file mapping read and written past the end of its file
 * (BUS_ADRERR, si_addr exact, trap fields), left by siglongjmp; the handler
 * runs again for a second page. Compiled tiers only: the interpreter tier reads
 * guest memory with memcpy and cannot take a host SIGBUS yet. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static struct {
  int code;
  uintptr_t addr;
  long trapno, err;
} last;

static void on_bus(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  last.code = si->si_code;
  last.addr = (uintptr_t)si->si_addr;
#ifdef __x86_64__
  last.trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
  last.err = uc->uc_mcontext.gregs[REG_ERR];
#else /* AArch64 has no trap number; its fault_address (faults_a64.c) qemu-user,
          the oracle, leaves 0 for SIGBUS where Linux fills it in */
  (void)uc;
#endif
  siglongjmp(env, sig);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_bus;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGBUS, &sa, NULL);
  char path[] = "/tmp/emu-sigbus-XXXXXX";
  int fd = mkstemp(path);
  unlink(path);
  if (fd < 0 || ftruncate(fd, 100) != 0)
    return 1;
  long pg = sysconf(_SC_PAGESIZE);
  volatile char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  m[50] = 7;
  printf("inside the file: %d\n", m[50]);
  for (int i = 1; i < 3; i++) {
    for (int write = 0; write < 2; write++) {
      volatile char *p = m + i * pg + 8 * i + write;
      int sig = sigsetjmp(env, 1);
      if (!sig) {
        if (write)
          *p = 1;
        else
          (void)*p;
        printf("page %d: no fault\n", i);
        continue;
      }
      printf("page %d %s: %s %s addr_ok=%d trapno=%ld err=%#lx\n", i, write ? "write" : "read",
             strsignal(sig), last.code == BUS_ADRERR ? "BUS_ADRERR" : "?",
             last.addr == (uintptr_t)p, last.trapno, last.err);
    }
  }
  return 0;
}
