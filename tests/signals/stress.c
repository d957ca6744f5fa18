/* Many signals while the guest computes and makes syscalls: a fast interval
 * timer (SA_RESTART) whose handler clobbers integer, SSE and x87 registers and
 * makes syscalls itself, over a loop of integer, SSE and x87 arithmetic, pipe
 * I/O and other syscalls. The results must equal those of the same loop run
 * with the signal blocked; what is printed does not depend on timing. */
#define _GNU_SOURCE
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int ticks;
static volatile double sink;

static void on_alrm(int sig) {
  if (++ticks == 300) { /* enough: a slow tier must not starve the loop */
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
  }
  double d = 0;
  long double x = 1.0L;
  for (int i = 1; i < 20; i++) {
    d += sqrt((double)i * ticks);
    x = x * 1.0001L + (long double)d;
  }
  sink = d + (double)x;
  (void)getppid();
}

typedef struct Result {
  uint64_t h;
  double d;
  long double x;
  long bytes;
} Result;

static Result work(int iters, int fd[2]) {
  Result r = {1469598103934665603ull, 0.0, 1.0L, 0};
  char buf[256];
  for (int i = 0; i < iters; i++) {
    for (int k = 0; k < 100; k++) {
      r.h = (r.h ^ (uint64_t)(i * 100 + k)) * 1099511628211ull;
      r.d += 1.0 / (1.0 + (double)((i + k) % 97));
      r.x = r.x * 0.999999L + (long double)(k & 7);
    }
    memset(buf, i & 0xff, sizeof buf);
    if (write(fd[1], buf, sizeof buf) != (ssize_t)sizeof buf)
      return r;
    ssize_t n = read(fd[0], buf, sizeof buf);
    r.bytes += n;
    r.h ^= (uint64_t)(unsigned char)buf[n - 1];
    r.h += (uint64_t)(getpid() > 0);
  }
  return r;
}

int main(void) {
  int fd[2];
  if (pipe(fd) != 0)
    return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alrm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGALRM);

  sigprocmask(SIG_BLOCK, &s, NULL);
  Result quiet = work(400, fd);
  struct itimerval it = {{0, 200}, {0, 200}};
  setitimer(ITIMER_REAL, &it, NULL);
  ticks = 0;
  sigprocmask(SIG_UNBLOCK, &s, NULL);
  int rounds = 0, same = 1;
  while (rounds < 3 || ticks < 100) {
    Result noisy = work(400, fd);
    same &= noisy.h == quiet.h && noisy.d == quiet.d && noisy.x == quiet.x &&
            noisy.bytes == quiet.bytes;
    rounds++;
  }
  it = (struct itimerval){{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &it, NULL);
  printf("results with signals %s those without\n", same ? "equal" : "DIFFER from");
  printf("handler ran often: %d\n", ticks >= 100);
  return 0;
}
