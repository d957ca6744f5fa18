/* threads_stress.c — many short guest threads: waves of joinable threads, a
 * churn of detached ones (their exits overlap new creations and a blocking
 * waiter), fork while other threads map and unmap memory (the child must not
 * inherit a lock held by a thread it lacks), then exit() from a worker while
 * other threads spin and the main thread waits in pthread_join: the exit
 * status must be that worker's. stdout is compared with a native run; the
 * creation cost goes to stderr. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long counter;
static int live_detached;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_gone = PTHREAD_COND_INITIALIZER;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *short_one(void *arg) {
  __atomic_fetch_add(&counter, (long)arg, __ATOMIC_SEQ_CST);
  return arg;
}

static void *detached_one(void *arg) {
  __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_lock(&lock);
  if (--live_detached == 0)
    pthread_cond_signal(&all_gone);
  pthread_mutex_unlock(&lock);
  return NULL;
}

static int stop_mapping;
static void *mapper(void *arg) {
  while (!__atomic_load_n(&stop_mapping, __ATOMIC_RELAXED)) {
    void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
      munmap(p, 1 << 16);
  }
  return arg;
}

/* A child that hangs (an inherited lock) is killed after 10 s and counts as bad. */
static int fork_while_mapping(int n) {
  pthread_t m[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&m[i], NULL, mapper, NULL);
  int ok = 0;
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      char *s = malloc(100);
      _exit(p == MAP_FAILED || !s);
    }
    int st = 0, waited = 0;
    while (waitpid(pid, &st, WNOHANG) == 0) {
      if (++waited == 10000)
        kill(pid, SIGKILL);
      usleep(1000);
    }
    ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  __atomic_store_n(&stop_mapping, 1, __ATOMIC_RELAXED);
  for (int i = 0; i < 2; i++)
    pthread_join(m[i], NULL);
  return ok;
}

static int stop;
static void *spinner(void *arg) {
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
    __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
  return NULL;
}

static void *exiter(void *arg) {
  usleep(20000);
  printf("worker calls exit(3)\n");
  exit(3); /* every thread goes; stdio is flushed once */
}

int main(int argc, char **argv) {
  int waves = argc > 1 ? atoi(argv[1]) : 250, width = 8;
  long want = 0;
  double t0 = now();
  for (int w = 0; w < waves; w++) {
    pthread_t th[8];
    for (long i = 0; i < width; i++) {
      if (pthread_create(&th[i], NULL, short_one, (void *)(i + 1)) != 0) {
        printf("create failed\n");
        return 1;
      }
      want += i + 1;
    }
    for (long i = 0; i < width; i++) {
      void *r;
      pthread_join(th[i], &r);
      if ((long)r != i + 1)
        printf("bad join value\n");
    }
  }
  double t1 = now();
  printf("%d joinable threads: counter %ld (want %ld)\n", waves * width, counter, want);
  fprintf(stderr, "thread create+join: %.1f us each\n", (t1 - t0) * 1e6 / (waves * width));

  counter = 0;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int n = waves * 2;
  live_detached = n;
  pthread_mutex_lock(&lock); /* they block on it until main waits: overlap */
  for (int i = 0; i < n; i++) {
    pthread_t t;
    if (pthread_create(&t, &attr, detached_one, NULL) != 0) {
      printf("create failed\n");
      return 1;
    }
  }
  while (live_detached > 0)
    pthread_cond_wait(&all_gone, &lock);
  pthread_mutex_unlock(&lock);
  printf("%d detached threads: counter %ld\n", n, counter);

  int forks = waves / 2;
  printf("fork while threads map: %d of %d children ok\n", fork_while_mapping(forks), forks);

  /* glibc's posix_spawn: clone3 with CLONE_VM|CLONE_VFORK, the fork-like path. */
  extern char **environ;
  char *sh[] = {"/bin/sh", "-c", "exit 7", NULL};
  pid_t pid;
  int st = 0, rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, sh, environ);
  if (rc == 0)
    waitpid(pid, &st, 0);
  printf("posix_spawn: rc %d, exit %d\n", rc, WEXITSTATUS(st));

  pthread_t s[3], e;
  for (int i = 0; i < 3; i++)
    pthread_create(&s[i], NULL, spinner, NULL);
  pthread_create(&e, NULL, exiter, NULL);
  pthread_join(s[0], NULL); /* never returns: the exiter ends the process */
  printf("not reached\n");
  return 0;
}
