/* sigaltstack: the initial state, its checks (EINVAL, ENOMEM, EPERM while on
 * it), SS_ONSTACK seen from a handler running there, the frame placed on it,
 * nested handlers staying on it, SS_DISABLE, SS_AUTODISARM, and a stack
 * overflow caught by a SIGSEGV handler on the altstack (left by siglongjmp). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char *alt;
static size_t alt_size = 64 * 1024;
static sigjmp_buf env;
static int overflow_depth;

static int on_alt(const void *p) { return (char *)p >= alt && (char *)p < alt + alt_size; }

static void on_usr2(int sig, siginfo_t *si, void *ucv) {
  int local;
  stack_t now;
  sigaltstack(NULL, &now);
  printf("  usr2: on altstack=%d ss_flags=%d\n", on_alt(&local), now.ss_flags);
}

static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  int local;
  stack_t now, ss = {.ss_sp = alt, .ss_size = alt_size};
  sigaltstack(NULL, &now);
  printf("  usr1: on altstack=%d frame on it=%d ss_flags=%d uc_stack.ss_flags=%d size_ok=%d\n",
         on_alt(&local), on_alt(uc), now.ss_flags, uc->uc_stack.ss_flags,
         uc->uc_stack.ss_size == alt_size);
  errno = 0;
  int r = sigaltstack(&ss, NULL);
  printf("  usr1: sigaltstack while on it: %d %s\n", r, strerror(errno));
  raise(SIGUSR2); /* nested: SA_ONSTACK again, stays on the altstack */
}

static void on_segv(int sig, siginfo_t *si, void *ucv) {
  int local;
#ifdef ORACLE_QEMU_USER /* Linux: the guard gap is unmapped (MAPERR); qemu-user maps it PROT_NONE */
  const char *code = si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR ? "SEGV_*" : "?";
#else
  const char *code = si->si_code == SEGV_MAPERR   ? "SEGV_MAPERR"
                     : si->si_code == SEGV_ACCERR ? "SEGV_ACCERR"
                                                  : "?";
#endif
  printf("overflow: SIGSEGV %s on altstack=%d\n", code, on_alt(&local));
  siglongjmp(env, 1);
}

static int recurse(int n) {
  volatile char buf[4096];
  buf[0] = (char)n;
  overflow_depth = n;
  if (n > 100000000)
    return 0;
  return recurse(n + 1) + buf[0];
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigaction(sig, &sa, NULL);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  alt = malloc(alt_size);
  stack_t ss, old;
  sigaltstack(NULL, &old);
  printf("initial: ss_flags=%d ss_size=%zu\n", old.ss_flags, old.ss_size);

  ss = (stack_t){.ss_sp = alt, .ss_size = 1024, .ss_flags = 0};
  errno = 0;
  int r = sigaltstack(&ss, NULL);
  printf("too small: %d %s\n", r, strerror(errno));
  ss = (stack_t){.ss_sp = alt, .ss_size = alt_size, .ss_flags = 4};
  errno = 0;
  r = sigaltstack(&ss, NULL);
  printf("bad flags: %d %s\n", r, strerror(errno));
  ss = (stack_t){.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
  r = sigaltstack(&ss, &old);
  printf("set: %d, old ss_flags=%d\n", r, old.ss_flags);
  sigaltstack(NULL, &old);
  printf("query: ss_flags=%d sp_ok=%d size_ok=%d\n", old.ss_flags, old.ss_sp == alt,
         old.ss_size == alt_size);

  install(SIGUSR1, on_usr1, SA_ONSTACK);
  install(SIGUSR2, on_usr2, SA_ONSTACK);
  raise(SIGUSR1);
  install(SIGUSR2, on_usr2, 0);
  printf("handler without SA_ONSTACK:\n");
  raise(SIGUSR2);

  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  sigaltstack(NULL, &old);
  printf("disabled: ss_flags=%d size=%zu\n", old.ss_flags, old.ss_size);
  install(SIGUSR2, on_usr2, SA_ONSTACK);
  raise(SIGUSR2);

#ifndef ORACLE_QEMU_USER /* qemu-user (the AArch64 oracle) refuses SS_AUTODISARM */
  /* SS_AUTODISARM: the altstack is off while its handler runs, back after. */
  ss = (stack_t){.ss_sp = alt, .ss_size = alt_size, .ss_flags = SS_AUTODISARM};
  r = sigaltstack(&ss, NULL);
  sigaltstack(NULL, &old);
  printf("autodisarm: %d ss_flags=%#x\n", r, (unsigned)old.ss_flags);
  raise(SIGUSR2);
  sigaltstack(NULL, &old);
  printf("after: ss_flags=%#x size_ok=%d\n", (unsigned)old.ss_flags, old.ss_size == alt_size);
#endif

  /* Stack overflow: only an altstack can run the handler. */
  ss = (stack_t){.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  install(SIGSEGV, on_segv, SA_ONSTACK | SA_NODEFER);
  for (int i = 0; i < 2; i++) {
    if (sigsetjmp(env, 1) == 0)
      printf("not reached %d\n", recurse(0));
    printf("recovered, depth > 100: %d\n", overflow_depth > 100);
  }
  return 0;
}
