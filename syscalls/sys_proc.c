/* sys_proc.c — process lifetime: exit_group, fork-style clone, execve (which
 * stays under emu for guest programs and #! scripts), thread-id bookkeeping and
 * uname. Threads (clone with CLONE_VM) and exit: sys_thread.c. (/proc/self
 * views: sys_procfs.c.) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "elf_load.h"
#include "syscall_raw.h"
#include "sys.h"

int64_t sys_exit_group(UserThread *t, const uint64_t a[6]) { user_exit_group(t, (int)a[0]); }

int64_t sys_set_tid_address(UserThread *t, const uint64_t a[6]) {
  t->clear_child_tid = a[0];
  return t->tid;
}

int64_t sys_rseq(UserThread *t, const uint64_t a[6]) {
  (void)t;
  (void)a;
  return -ENOSYS; /* glibc then runs without restartable sequences */
}

/* The forked child: its own code cache, its own tid. */
static void after_fork_child(UserThread *t) {
  if (!emu_engine_after_fork(t->proc->engine)) {
    fprintf(stderr, "emu: cannot copy the code cache after fork\n");
    _exit(127);
  }
  t->tid = getpid();
  user_signal_after_fork(t); /* Linux clears the child's pending signals */
}

static int64_t do_fork(UserThread *t, uint64_t flags, uint64_t newsp, uint64_t ptid,
                       uint64_t ctid, uint64_t tls) {
  if (flags & (CLONE_THREAD | CLONE_SIGHAND))
    return -EINVAL;
  fflush(NULL);
  user_fork_prepare(t);
  pid_t pid = fork();
  int err = errno;
  user_fork_done(t, pid);
  if (pid < 0)
    return -err;
  const UserGuest *g = t->proc->guest;
  void *st = emu_guest(t->cpu);
  if (pid == 0) {
    after_fork_child(t);
    if (newsp)
      g->set_sp(st, newsp);
    if (flags & CLONE_SETTLS)
      g->set_tls(st, tls);
    if ((flags & CLONE_CHILD_SETTID) && user_ptr(ctid, 4))
      *(int32_t *)user_ptr(ctid, 4) = t->tid;
    if (flags & CLONE_CHILD_CLEARTID)
      t->clear_child_tid = ctid;
    return 0;
  }
  if ((flags & CLONE_PARENT_SETTID) && user_ptr(ptid, 4))
    *(int32_t *)user_ptr(ptid, 4) = pid;
  return pid;
}

int64_t sys_fork(UserThread *t, const uint64_t a[6]) {
  (void)a;
  return do_fork(t, 0, 0, 0, 0, 0);
}

int64_t sys_vfork(UserThread *t, const uint64_t a[6]) {
  (void)a;
  return do_fork(t, CLONE_VFORK, 0, 0, 0, 0);
}

int64_t sys_clone(UserThread *t, const uint64_t a[6]) {
  bool generic = t->proc->guest->clone_tls_before_ctid;
  uint64_t ctid = generic ? a[4] : a[3], tls = generic ? a[3] : a[4];
  if ((a[0] & CLONE_VM) && !(a[0] & CLONE_VFORK)) /* a thread (vfork runs as fork) */
    return user_thread_clone(t, a[0], a[1], a[2], ctid, tls);
  return do_fork(t, a[0], a[1], a[2], ctid, tls);
}

/* -- execve -------------------------------------------------------------- */

#define MAX_ARGS 4096

/* Copy a guest NULL-terminated pointer array of strings; returns the count. */
static int copy_strv(uint64_t addr, const char **out, int max) {
  int n = 0;
  if (!addr)
    return 0;
  for (;; n++) {
    const uint64_t *slot = user_ptr(addr + 8u * (uint64_t)n, 8);
    if (!slot)
      return -EFAULT;
    if (!*slot)
      break;
    if (n == max)
      return -E2BIG;
    out[n] = user_str(*slot);
    if (!out[n])
      return -EFAULT;
  }
  out[n] = NULL;
  return n;
}

/* Is path something emu should run: an ELF of our guest machine or a script? */
static bool runs_under_emu(UserThread *t, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  unsigned char h[20];
  ssize_t n = read(fd, h, sizeof h);
  close(fd);
  if (n >= 2 && h[0] == '#' && h[1] == '!')
    return true;
  return n >= 20 && memcmp(h, "\177ELF", 4) == 0 &&
         (h[18] | h[19] << 8) == t->proc->guest->elf_machine;
}

/* argv, envp and nargv are the caller's (per call: threads may exec at once). */
static int64_t do_execve(UserThread *t, const uint64_t a[6], const char **argv,
                         const char **envp, const char **nargv) {
  const char *path = user_str(a[0]);
  if (!path)
    return -EFAULT;
  path = user_path(t, path); /* /proc/self/exe is the guest program */
  int argc = copy_strv(a[1], argv, MAX_ARGS);
  if (argc < 0)
    return argc;
  int envc = copy_strv(a[2], envp, MAX_ARGS);
  if (envc < 0)
    return envc;
  if (access(path, X_OK) != 0)
    return -errno;
  emu_engine_cache_save(t->proc->engine); /* this image ends here if the exec works */
  if (!runs_under_emu(t, path)) /* a host program: the kernel runs it */
    return raw_syscall6(SYS_execve, (uint64_t)(uintptr_t)path, (uint64_t)(uintptr_t)argv,
                        (uint64_t)(uintptr_t)envp, 0, 0, 0);
  /* Re-run emu (with our own options) on the program, or on a script's #!
   * interpreter, which the kernel would otherwise run natively. */
  UserProcess *p = t->proc;
  int k = 0;
  for (int i = 0; i < p->argc_emu; i++)
    nargv[k++] = p->argv_emu[i];
  char shebang[256];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, shebang, sizeof shebang - 1) : -1;
  if (fd >= 0)
    close(fd);
  if (n > 2 && shebang[0] == '#' && shebang[1] == '!') {
    shebang[n] = 0;
    char *nl = strchr(shebang, '\n');
    if (!nl)
      return -ENOEXEC;
    *nl = 0;
    char *interp = shebang + 2 + strspn(shebang + 2, " \t");
    char *sp = interp + strcspn(interp, " \t");
    char *opt = NULL;
    if (*sp) {
      *sp = 0;
      opt = sp + 1 + strspn(sp + 1, " \t");
      if (!*opt)
        opt = NULL;
    }
    if (!*interp || access(interp, X_OK) != 0)
      return -ENOEXEC;
    nargv[k++] = interp;
    if (opt)
      nargv[k++] = opt;
    nargv[k++] = path;
    for (int i = 1; i < argc && k < MAX_ARGS + 60; i++)
      nargv[k++] = argv[i];
  } else {
    nargv[k++] = "-0";
    nargv[k++] = argc > 0 ? argv[0] : path;
    nargv[k++] = path;
    for (int i = 1; i < argc && k < MAX_ARGS + 60; i++)
      nargv[k++] = argv[i];
  }
  nargv[k] = NULL;
  fflush(NULL);
  return raw_syscall6(SYS_execve, (uint64_t)(uintptr_t)"/proc/self/exe",
                      (uint64_t)(uintptr_t)nargv, (uint64_t)(uintptr_t)envp, 0, 0, 0);
}

int64_t sys_execve(UserThread *t, const uint64_t a[6]) {
  const char **buf = malloc((2 * (MAX_ARGS + 1) + MAX_ARGS + 64) * sizeof *buf);
  if (!buf)
    return -ENOMEM;
  int64_t r = do_execve(t, a, buf, buf + MAX_ARGS + 1, buf + 2 * (MAX_ARGS + 1));
  free(buf); /* only reached when the exec failed */
  return r;
}

/* -- Identity ------------------------------------------------------------ */

int64_t sys_uname(UserThread *t, const uint64_t a[6]) {
  struct utsname *u = user_ptr(a[0], sizeof *u);
  if (!u)
    return -EFAULT;
  if (uname(u) != 0)
    return -errno;
  snprintf(u->machine, sizeof u->machine, "%s", t->proc->guest->name);
  return 0;
}
