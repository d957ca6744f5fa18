/* fork/waitpid, exit codes, pipes between processes, getpid/getppid sanity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int fds[2];
  if (pipe(fds)) return 1;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const char *msg = "hello from the child";
    if (write(fds[1], msg, strlen(msg)) < 0) _exit(9);
    _exit(getppid() > 1 ? 7 : 8);
  }
  close(fds[1]);
  char buf[64] = {0};
  ssize_t n = read(fds[0], buf, sizeof buf - 1);
  int status;
  waitpid(pid, &status, 0);
  printf("read %zd [%s] exited %d status %d\n", n, buf, WIFEXITED(status), WEXITSTATUS(status));
  for (int i = 0; i < 3; i++) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) { printf("child %d\n", i); exit(i * 10); }
    waitpid(c, &status, 0);
    printf("child %d -> %d\n", i, WEXITSTATUS(status));
  }
  return 5;
}
