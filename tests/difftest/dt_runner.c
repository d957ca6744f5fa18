/* dt_runner.c — the native oracle's process: a forked child that maps the fixed
 * code and scratch regions once and then runs batches of cases from shared
 * memory, so a case that kills or hangs it costs one restart, not the harness.
 * The parent sends a batch size over a socket; the child marks each case it
 * starts in shared memory and answers when the batch is done. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt_native_run.h"

#define DT_BATCH 64
#define DT_HANG_MS 5000 /* a case making no progress for this long has hung */

typedef struct DtShared {
  volatile uint32_t started; /* 1 + the index of the case the child runs */
  DtCase cases[DT_BATCH];
  DtOutcome outs[DT_BATCH];
} DtShared;

struct DtRunner {
  pid_t pid; /* 0: no child */
  int sock;
  char setup_error[96]; /* the child could not map its regions */
  DtShared *sh;
};

static void child_main(int sock, DtShared *sh) {
  int32_t status = dt_native_setup() ? 0 : (errno ? errno : EINVAL);
  if (send(sock, &status, sizeof status, MSG_NOSIGNAL) != sizeof status || status)
    _exit(2);
  uint32_t n;
  while (recv(sock, &n, sizeof n, MSG_WAITALL) == sizeof n) {
    for (uint32_t i = 0; i < n && i < DT_BATCH; i++) {
      sh->started = i + 1;
      dt_native_run(&sh->cases[i], &sh->outs[i]);
    }
    if (send(sock, &n, sizeof n, MSG_NOSIGNAL) != sizeof n)
      break;
  }
  _exit(0); /* no atexit handlers, no leak check: the parent owns everything */
}

static void child_stop(DtRunner *r) {
  if (r->pid <= 0)
    return;
  close(r->sock);
  kill(r->pid, SIGKILL);
  waitpid(r->pid, NULL, 0);
  r->pid = 0;
}

static bool child_start(DtRunner *r) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return false;
  fflush(NULL); /* do not let the child inherit buffered output */
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return false;
  }
  if (pid == 0) {
    close(sv[0]);
    child_main(sv[1], r->sh);
  }
  close(sv[1]);
  r->pid = pid;
  r->sock = sv[0];
  int32_t status = -1;
  if (recv(r->sock, &status, sizeof status, MSG_WAITALL) != sizeof status || status != 0) {
    snprintf(r->setup_error, sizeof r->setup_error, "native setup failed: %s",
             status > 0 ? strerror(status) : "child died");
    child_stop(r);
    return false;
  }
  return true;
}

DtRunner *dt_runner_new(void) {
  DtRunner *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  void *sh = mmap(NULL, sizeof(DtShared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
  if (sh == MAP_FAILED) {
    free(r);
    return NULL;
  }
  r->sh = sh;
  return r;
}

void dt_runner_free(DtRunner *r) {
  if (!r)
    return;
  child_stop(r);
  munmap(r->sh, sizeof(DtShared));
  free(r);
}

static void harness_outcome(DtOutcome *o, const char *what) {
  memset(o, 0, sizeof *o);
  o->signo = DT_SIG_HARNESS;
  snprintf(o->note, sizeof o->note, "%s", what);
}

/* Waits for the child to finish a batch of n. Returns how many outcomes are
 * good; when fewer than n, the case at that index broke the child (it has been
 * given a harness outcome) and the child is gone. */
static uint32_t wait_batch(DtRunner *r, uint32_t n) {
  uint32_t last = 0;
  for (;;) {
    struct pollfd p = {.fd = r->sock, .events = POLLIN};
    int k = poll(&p, 1, DT_HANG_MS);
    if (k < 0 && errno == EINTR)
      continue;
    uint32_t reply = 0;
    if (k > 0 && recv(r->sock, &reply, sizeof reply, MSG_WAITALL) == sizeof reply)
      return n;
    uint32_t now = r->sh->started;
    if (k == 0 && now != last) { /* slow but moving */
      last = now;
      continue;
    }
    uint32_t bad = now ? now - 1 : 0;
    int status = 0;
    if (k == 0)
      kill(r->pid, SIGKILL);
    close(r->sock);
    waitpid(r->pid, &status, 0);
    r->pid = 0;
    char what[96];
    if (k == 0)
      snprintf(what, sizeof what, "native run hung (killed after %d ms)", DT_HANG_MS);
    else if (WIFSIGNALED(status))
      snprintf(what, sizeof what, "native child died of signal %d", WTERMSIG(status));
    else
      snprintf(what, sizeof what, "native child exited (%d)", WEXITSTATUS(status));
    harness_outcome(&r->sh->outs[bad], what);
    return bad;
  }
}

void dt_runner_run(DtRunner *r, const DtCase *cases, DtOutcome *outs, size_t n) {
  size_t done = 0;
  while (done < n) {
    if (r->pid <= 0 && !child_start(r)) {
      for (; done < n; done++)
        harness_outcome(&outs[done], r->setup_error[0] ? r->setup_error : "fork failed");
      return;
    }
    uint32_t k = (uint32_t)(n - done < DT_BATCH ? n - done : DT_BATCH);
    memcpy(r->sh->cases, cases + done, k * sizeof *cases);
    r->sh->started = 0;
    uint32_t good = k;
    if (send(r->sock, &k, sizeof k, MSG_NOSIGNAL) != sizeof k) {
      child_stop(r);
      continue;
    }
    good = wait_batch(r, k);
    uint32_t copy = good < k ? good + 1 : k; /* include the harness outcome */
    memcpy(outs + done, r->sh->outs, copy * sizeof *outs);
    done += copy;
  }
}
