/* Timer signals (setitimer, alarm) arriving while the guest runs or blocks: a
 * busy loop sees the handler's flag; blocking read, nanosleep, pause, poll,
 * pselect and wait4 are interrupted (EINTR) or restarted (SA_RESTART) by
 * Linux's rules; rep movs copies stay exact under a stream of signals. Only
 * outcomes are printed, never counts that depend on timing; the timers repeat,
 * so a tick that comes before a call blocks (a loaded machine) is followed by
 * one that interrupts it. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t fired;
static int pipefd[2];

static void on_alrm(int sig) { fired++; }
static void on_alrm_write(int sig) {
  fired++;
  if (write(pipefd[1], "x", 1) != 1)
    _exit(9);
}

static void handler(int sig, void (*fn)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sa.sa_flags = flags;
  sigaction(sig, &sa, NULL);
}

static void timer_us(long first, long interval) {
  struct itimerval it = {{0, interval}, {0, first}};
  setitimer(ITIMER_REAL, &it, NULL);
}

/* A tick every 20 ms until disarm(). */
static void arm(void) { timer_us(20000, 20000); }
static void disarm(void) { timer_us(0, 0); }

static const char *ran(void) { return fired ? "yes" : "no"; }

/* A fresh empty pipe for each case (a handler may have written to the last). */
static void new_pipe(void) {
  close(pipefd[0]);
  close(pipefd[1]);
  if (pipe(pipefd) != 0)
    _exit(8);
}

#ifdef __x86_64__
static void rep_movsb(void *d, const void *s, size_t n) {
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static void rep_stosq(void *d, uint64_t v, size_t n) {
  __asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}
#else /* no string instructions: the same work as plain loops */
static void rep_movsb(void *d, const void *s, size_t n) {
  volatile uint8_t *dd = d;
  const uint8_t *ss = s;
  while (n--)
    *dd++ = *ss++;
}

static void rep_stosq(void *d, uint64_t v, size_t n) {
  volatile uint64_t *dd = d;
  while (n--)
    *dd++ = v;
}
#endif

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);

  /* A busy loop: only the signal can end it. */
  handler(SIGALRM, on_alrm, 0);
  timer_us(20000, 0);
  volatile unsigned long spins = 0;
  while (!fired)
    spins++;
  printf("busy loop ended by the handler: %s\n", ran());

  /* read on an empty pipe: EINTR without SA_RESTART. */
  if (pipe(pipefd) != 0)
    return 1;
  fired = 0;
  arm();
  char c = 0;
  ssize_t n = read(pipefd[0], &c, 1);
  disarm();
  printf("read, no SA_RESTART: %zd %s, handler ran: %s\n", n, n < 0 ? strerror(errno) : "", ran());

  /* With SA_RESTART the read starts again and gets what the handler wrote. */
  handler(SIGALRM, on_alrm_write, SA_RESTART);
  new_pipe();
  fired = 0;
  arm();
  n = read(pipefd[0], &c, 1);
  disarm();
  printf("read, SA_RESTART: %zd '%c', handler ran: %s\n", n, c, ran());
  new_pipe();

  /* nanosleep: EINTR with the remaining time, even with SA_RESTART. */
  handler(SIGALRM, on_alrm, SA_RESTART);
  arm();
  struct timespec req = {5, 0}, rem = {0, 0};
  int r = nanosleep(&req, &rem);
  disarm();
  printf("nanosleep: %d %s, remaining %s\n", r, r ? strerror(errno) : "",
         rem.tv_sec >= 3 && rem.tv_sec <= 5 ? "about 5s" : "wrong");

  /* pause: always EINTR. */
  fired = 0;
  arm();
  r = pause();
  int e = errno;
  disarm();
  printf("pause: %d %s, handler ran: %s\n", r, strerror(e), ran());

  /* poll and select: EINTR even with SA_RESTART. */
  struct pollfd pfd = {pipefd[0], POLLIN, 0};
  arm();
  r = poll(&pfd, 1, 5000);
  e = errno;
  disarm();
  printf("poll: %d %s\n", r, r < 0 ? strerror(e) : "");
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(pipefd[0], &rd);
  struct timeval tv = {5, 0};
  arm();
  r = select(pipefd[0] + 1, &rd, NULL, NULL, &tv);
  e = errno;
  disarm();
  printf("select: %d %s\n", r, r < 0 ? strerror(e) : "");

  /* pselect with SIGALRM blocked outside and unblocked while waiting. */
  sigset_t blk, empty, cur;
  sigemptyset(&blk);
  sigaddset(&blk, SIGALRM);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &blk, NULL);
  fired = 0;
  arm();
  struct timespec pts = {5, 0};
  FD_ZERO(&rd);
  FD_SET(pipefd[0], &rd);
  r = pselect(pipefd[0] + 1, &rd, NULL, NULL, &pts, &empty);
  e = errno;
  disarm();
  sigprocmask(SIG_BLOCK, NULL, &cur);
  printf("pselect: %d %s, handler ran: %s, ALRM blocked again=%d\n", r, strerror(e), ran(),
         sigismember(&cur, SIGALRM));
  sigprocmask(SIG_UNBLOCK, &blk, NULL);

  /* wait4 is restarted under SA_RESTART, interrupted without it. */
  for (int restart = 0; restart < 2; restart++) {
    handler(SIGALRM, on_alrm, restart ? SA_RESTART : 0);
    pid_t pid = fork();
    if (pid == 0) {
      struct timespec t = {0, 200 * 1000 * 1000};
      nanosleep(&t, NULL);
      _exit(5);
    }
    fired = 0;
    arm();
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    e = errno;
    disarm();
    printf("waitpid, %s: %s, handler ran: %s\n", restart ? "SA_RESTART" : "no SA_RESTART",
           w == pid ? (WIFEXITED(st) && WEXITSTATUS(st) == 5 ? "child exit 5" : "bad status")
                    : strerror(e), ran());
    if (w != pid)
      waitpid(pid, &st, 0);
  }

  /* alarm(): the classic form. */
  handler(SIGALRM, on_alrm, 0);
  fired = 0;
  alarm(1);
  while (!fired)
    ;
  printf("alarm: handler ran: %s\n", ran());

  /* rep movs / rep stos interrupted many times: the copies stay exact. */
  size_t len = 1 << 20;
  char *a = malloc(len), *b = malloc(len);
  for (size_t i = 0; i < len; i++)
    a[i] = (char)(i * 7 + (i >> 12));
  fired = 0;
  timer_us(1000, 1000);
  int bad = 0, rounds = 0;
  while (fired < 10 || rounds < 3) {
    memset(b, 0, len);
    rep_movsb(b, a, len);
    bad += memcmp(a, b, len) != 0;
    rep_stosq(b, 0x0101010101010101ull * (unsigned)(rounds & 0xff), len / 8);
    for (size_t i = 0; i < len; i += 4093)
      bad += b[i] != (char)(rounds & 0xff);
    rounds++;
  }
  timer_us(0, 0);
  printf("rep movs/stos under signals: %s\n", bad ? "CORRUPTED" : "exact");
  return 0;
}
