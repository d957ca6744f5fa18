/* dta_exec.c — running a batch of cases through one executor: a process
 * `<executor argv> runner --skip K < cases > outcomes`, killed if it outlives
 * its time. If it dies (an emulator crash, a hang) the case it was on is
 * recorded as such with the tail of its stderr, and a new process resumes at
 * the next case; outcomes are written per case, so nothing before is lost. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dta.h"

extern char **environ;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs argv with stdin/stdout/stderr redirected; the exit status (as waitpid
 * gives it), or -1 if it could not start; *timed_out if it was killed. */
static int run(char *const argv[], const char *in, const char *out, const char *err,
               double timeout, bool *timed_out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  double end = now() + timeout;
  *timed_out = false;
  int status = 0;
  for (unsigned sleep_us = 200;; sleep_us = sleep_us < 20000 ? sleep_us * 2 : 20000) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return status;
    if (r < 0 && errno != EINTR)
      return -1;
    if (now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      *timed_out = true;
      return status;
    }
    usleep(sleep_us);
  }
}

/* The most telling line of the process's stderr: emu's "internal error" line,
 * the runner's own complaint, or the last line. */
static void stderr_summary(const char *path, char *out, size_t size) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  char line[512], last[512] = "";
  bool best = false;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0])
      continue;
    if (!best && (strstr(line, "internal error") || strstr(line, "runner:"))) {
      snprintf(out, size, "%.*s", (int)size - 1, line);
      best = true;
    }
    snprintf(last, sizeof last, "%s", line);
  }
  fclose(f);
  if (!best)
    snprintf(out, size, "%.*s", (int)size - 1, last);
}

/* Parse complete outcome records from path into res; returns how many. */
static size_t read_outcomes(const char *path, DtaResult *res, size_t max) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  size_t k = 0;
  while (k < max) {
    DtaResult *r = &res[k];
    memset(r, 0, sizeof *r);
    if (fread(&r->o, sizeof r->o, 1, f) != 1 || r->o.magic != DTA_MAGIC_OUTCOME ||
        r->o.nmem > DTA_SCRATCH_WORDS)
      break;
    r->nmem = r->o.nmem;
    if (r->nmem) {
      r->mem = malloc(r->nmem * sizeof *r->mem);
      if (!r->mem || fread(r->mem, sizeof *r->mem, r->nmem, f) != r->nmem) {
        free(r->mem);
        r->mem = NULL;
        break;
      }
    }
    k++;
  }
  fclose(f);
  return k;
}

static void describe_death(int status, bool timed_out, double timeout, char *out, size_t size) {
  if (timed_out)
    snprintf(out, size, "killed after %.0f s", timeout);
  else if (status < 0)
    snprintf(out, size, "could not start: %s", strerror(errno));
  else if (WIFSIGNALED(status))
    snprintf(out, size, "killed by signal %d", WTERMSIG(status));
  else
    snprintf(out, size, "exit status %d", WEXITSTATUS(status));
}

bool dta_exec_batch(const DtaExecutor *ex, char *const *runner_argv, const char *case_file,
                    const char *tmpdir, size_t n, DtaResult *res) {
  char out[4096], err[4096], skip[32];
  snprintf(out, sizeof out, "%s/out-%s", tmpdir, ex->name);
  snprintf(err, sizeof err, "%s/err-%s", tmpdir, ex->name);
  char *argv[40];
  unsigned a = 0;
  for (unsigned i = 0; i < ex->argc && a < 16; i++)
    argv[a++] = ex->argv[i];
  for (char *const *r = runner_argv; *r && a < 36; r++)
    argv[a++] = *r;
  argv[a++] = "--skip";
  argv[a++] = skip;
  argv[a] = NULL;
  size_t done = 0;
  unsigned empty_starts = 0;
  while (done < n) {
    snprintf(skip, sizeof skip, "%zu", done);
    bool timed_out;
    double timeout = ex->timeout * (double)(n - done) + 30;
    int status = run(argv, case_file, out, err, timeout, &timed_out);
    size_t got = read_outcomes(out, res + done, n - done);
    done += got;
    if (done == n)
      break;
    /* The process stopped early: blame the case it was on, resume after it. */
    DtaResult *r = &res[done];
    memset(r, 0, sizeof *r);
    r->died = true;
    char how[96], tail[160];
    describe_death(status, timed_out, timeout, how, sizeof how);
    stderr_summary(err, tail, sizeof tail);
    snprintf(r->note, sizeof r->note, "%.31s: %.95s%s%.120s", ex->name, how, tail[0] ? ": " : "",
             tail);
    done++;
    empty_starts = got ? 0 : empty_starts + 1;
    if (empty_starts >= 8 || status < 0) { /* it cannot run anything: give up on the batch */
      char last[sizeof r->note];
      memcpy(last, r->note, sizeof last);
      for (size_t i = done; i < n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].died = true;
        snprintf(res[i].note, sizeof res[i].note, "%s: gave up after %u starts that ran no case (%.180s)",
                 ex->name, empty_starts, last);
      }
      return false;
    }
  }
  return true;
}

void dta_result_free(DtaResult *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(r[i].mem);
    r[i].mem = NULL;
  }
}
