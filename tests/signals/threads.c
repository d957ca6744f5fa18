/* Signals and threads: pthread_kill reaches the target thread's handler (also
 * out of a blocking read); a process-directed kill goes to the thread that does
 * not block it; a signal blocked everywhere waits until some thread unblocks it;
 * a fault in a thread runs the SIGSEGV handler on that thread; a new thread
 * inherits the creator's mask. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static volatile pid_t who;
static pid_t main_tid, worker_tid;
static pthread_barrier_t bar;
static int pipefd[2];
static volatile int read_done;
static __thread sigjmp_buf fault_env;

static void on_usr(int sig) { who = tid(); }
static void on_segv(int sig, siginfo_t *si, void *uc) {
  who = tid();
  siglongjmp(fault_env, 1);
}

static const char *name(pid_t t) {
  return t == main_tid ? "main" : t == worker_tid ? "worker" : t ? "?" : "nobody";
}

static void mask(int how, int sig) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  pthread_sigmask(how, &s, NULL);
}

static void *reader(void *arg) {
  worker_tid = tid();
  pthread_barrier_wait(&bar);
  char c;
  ssize_t n = read(pipefd[0], &c, 1); /* SIGUSR1 has no SA_RESTART */
  printf("worker read: %zd %s\n", n, n < 0 ? strerror(errno) : "");
  read_done = 1;
  return NULL;
}

static void *unblocker(void *arg) {
  worker_tid = tid();
  sigset_t cur;
  pthread_sigmask(SIG_BLOCK, NULL, &cur);
  printf("worker inherited USR2 blocked=%d\n", sigismember(&cur, SIGUSR2));
  mask(SIG_UNBLOCK, SIGUSR2);
  pthread_barrier_wait(&bar); /* ready */
  pthread_barrier_wait(&bar); /* main has sent */
  while (!who)
    ;
  return NULL;
}

static void *faulter(void *arg) {
  worker_tid = tid();
  if (sigsetjmp(fault_env, 1) == 0)
    *(volatile int *)16 = 1;
  printf("fault handled by %s\n", name(who));
  return NULL;
}

static void *waiter(void *arg) {
  worker_tid = tid();
  pthread_barrier_wait(&bar);
  pthread_barrier_wait(&bar);
  return NULL;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  main_tid = tid();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR2, &sa, NULL);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  pthread_barrier_init(&bar, NULL, 2);
  if (pipe(pipefd) != 0)
    return 1;
  pthread_t t;

  /* pthread_kill: the target's handler, and its blocking read ends with EINTR. */
  pthread_create(&t, NULL, reader, NULL);
  pthread_barrier_wait(&bar);
  while (!read_done) { /* one may come before the read starts: send until it ends */
    pthread_kill(t, SIGUSR1);
    usleep(10000);
  }
  pthread_join(t, NULL);
  printf("pthread_kill: handled by %s\n", name(who));

  /* kill(getpid()) with USR2 blocked in main: the worker takes it. */
  who = 0;
  mask(SIG_BLOCK, SIGUSR2);
  pthread_create(&t, NULL, unblocker, NULL);
  pthread_barrier_wait(&bar);
  kill(getpid(), SIGUSR2);
  pthread_barrier_wait(&bar);
  pthread_join(t, NULL);
  printf("process-directed: handled by %s\n", name(who));

  /* Blocked in every thread: pending until main unblocks it. */
  who = 0;
  pthread_create(&t, NULL, waiter, NULL);
  pthread_barrier_wait(&bar);
  kill(getpid(), SIGUSR2);
  sigset_t p;
  sigpending(&p);
  printf("blocked everywhere: pending=%d handled=%d\n", sigismember(&p, SIGUSR2), who != 0);
  pthread_barrier_wait(&bar);
  pthread_join(t, NULL);
  mask(SIG_UNBLOCK, SIGUSR2);
  printf("after unblock: handled by %s\n", name(who));

  /* A fault in a thread is that thread's signal. */
  who = 0;
  pthread_create(&t, NULL, faulter, NULL);
  pthread_join(t, NULL);
  return 0;
}
