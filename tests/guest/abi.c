/* The syscalls whose flags or structs differ between guest ABIs (x86-64 and
 * the asm-generic AArch64 one): struct stat from fstat/fstatat/lstat, open
 * flags in openat, openat2, fcntl F_GETFL/F_SETFL and pipe2 (O_DIRECTORY,
 * O_NOFOLLOW, O_DIRECT, O_LARGEFILE sit on different bits), struct epoll_event
 * (packed on x86-64 only), struct semid_ds, and an mmap flag AArch64 lacks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __aarch64__
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

static const char *err(int r) { return r < 0 ? strerror(errno) : "ok"; }

static void show_stat(const char *what, int r, const struct stat *st) {
  if (r < 0) {
    printf("%s: %s\n", what, strerror(errno));
    return;
  }
  /* Only the file's times are ours (futimens); the rest are "now". */
  long long sec = S_ISREG(st->st_mode) ? (long long)st->st_mtim.tv_sec : 0;
  long nsec = S_ISREG(st->st_mode) ? (long)st->st_mtim.tv_nsec : 0;
  long long asec = S_ISREG(st->st_mode) ? (long long)st->st_atim.tv_sec : 0;
  printf("%s: type %s mode %o nlink %lu size %lld blocks>0 %d blksize>0 %d mtime %lld.%09ld "
         "atime %lld ino>0 %d\n",
         what, S_ISREG(st->st_mode) ? "file" : S_ISDIR(st->st_mode) ? "dir" : S_ISLNK(st->st_mode) ? "link" : "?",
         st->st_mode & 07777, (unsigned long)st->st_nlink, (long long)st->st_size,
         st->st_blocks > 0, st->st_blksize > 0, sec, nsec, asec, st->st_ino > 0);
}

int main(void) {
  char dir[] = "/tmp/emu-abi-XXXXXX";
  if (!mkdtemp(dir))
    return 1;
  char file[64], slink[64], sub[64];
  snprintf(file, sizeof file, "%s/f", dir);
  snprintf(slink, sizeof slink, "%s/l", dir);
  snprintf(sub, sizeof sub, "%s/d", dir);
  int fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0640);
  if (fd < 0 || write(fd, "0123456789", 10) != 10)
    return 2;
  fchmod(fd, 0640);
  struct timespec times[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
  futimens(fd, times);
  symlink("f", slink);
  mkdir(sub, 0750);
  char hard[80];
  snprintf(hard, sizeof hard, "%s/h", dir);
  link(file, hard);

  struct stat st;
  int r;
  show_stat("fstat", fstat(fd, &st), &st);
  show_stat("stat link", stat(slink, &st), &st);
  show_stat("lstat link", lstat(slink, &st), &st);
  show_stat("fstatat nofollow", fstatat(AT_FDCWD, slink, &st, AT_SYMLINK_NOFOLLOW), &st);
  show_stat("stat dir", stat(sub, &st), &st);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  show_stat("fstatat empty path", fstatat(dfd, "", &st, AT_EMPTY_PATH), &st);
  show_stat("fstatat relative", fstatat(dfd, "h", &st, 0), &st);
  show_stat("stat missing", stat("/nonexistent/x", &st), &st);
  struct statfs sfs;
  memset(&sfs, 0, sizeof sfs);
  r = statfs(dir, &sfs);
  printf("statfs: %s bsize>0 %d namelen %ld\n", err(r), sfs.f_bsize > 0, (long)sfs.f_namelen);

  /* Open flags: each of the four bits that move between ABIs must act. */
  r = open(file, O_RDONLY | O_DIRECTORY);
  printf("O_DIRECTORY on a file: %s\n", err(r));
  r = open(sub, O_RDONLY | O_DIRECTORY);
  printf("O_DIRECTORY on a dir: %s\n", err(r));
  if (r >= 0) close(r);
  r = open(slink, O_RDONLY | O_NOFOLLOW);
  printf("O_NOFOLLOW on a link: %s\n", err(r));
  r = open(file, O_RDONLY | O_NOFOLLOW);
  printf("O_NOFOLLOW on a file: %s\n", err(r));
  if (r >= 0) close(r);
  r = openat(dfd, "f", O_WRONLY | O_APPEND | O_NONBLOCK);
  int fl = fcntl(r, F_GETFL);
  /* The kernel adds O_LARGEFILE on 64-bit (qemu-user drops it): any other bit is wrong. */
  int other = fl & ~(O_ACCMODE | O_APPEND | O_NONBLOCK | KERNEL_O_LARGEFILE);
  printf("F_GETFL: accmode %d append %d nonblock %d direct %d other bits %#x\n", fl & O_ACCMODE,
         !!(fl & O_APPEND), !!(fl & O_NONBLOCK), !!(fl & O_DIRECT), other);
  fcntl(r, F_SETFL, O_DIRECT);
  fl = fcntl(r, F_GETFL);
  printf("F_SETFL O_DIRECT: append %d nonblock %d direct %s\n", !!(fl & O_APPEND),
         !!(fl & O_NONBLOCK), (fl & O_DIRECT) ? "set" : "refused by the fs");
  close(r);
  /* openat2 (qemu-user 7.2 lacks it: ENOSYS throughout is also right). */
  struct open_how how = {.flags = O_RDONLY | O_DIRECTORY};
  int e1 = syscall(SYS_openat2, dfd, "f", &how, sizeof how) < 0 ? errno : 0;
  how.flags = O_RDONLY | O_NOFOLLOW;
  int e2 = syscall(SYS_openat2, dfd, "l", &how, sizeof how) < 0 ? errno : 0;
  how.flags = O_RDONLY;
  r = (int)syscall(SYS_openat2, dfd, "f", &how, sizeof how);
  char buf[16] = {0};
  bool absent = e1 == ENOSYS && e2 == ENOSYS && r < 0 && errno == ENOSYS;
  bool right = e1 == ENOTDIR && e2 == ELOOP && r >= 0 && read(r, buf, 4) == 4;
  printf("openat2 O_DIRECTORY, O_NOFOLLOW, plain: %s\n", absent || right ? "as Linux" : "WRONG");

  /* pipe2 O_DIRECT: packet mode, one read returns one write. */
  int p[2];
  if (pipe2(p, O_DIRECT) == 0) {
    if (write(p[1], "abc", 3) != 3 || write(p[1], "defg", 4) != 4)
      return 3;
    ssize_t n1 = read(p[0], buf, sizeof buf), n2 = read(p[0], buf, sizeof buf);
    printf("pipe2 O_DIRECT: reads of %zd and %zd, F_GETFL direct %d\n", n1, n2,
           !!(fcntl(p[1], F_GETFL) & O_DIRECT));
  } else {
    printf("pipe2 O_DIRECT: %s\n", strerror(errno));
  }

  /* epoll: data must come back whole, events in the right slots. */
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int q[2];
  if (pipe(q))
    return 4;
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ull};
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = 0x99aabbccddeeff00ull;
  epoll_ctl(ep, EPOLL_CTL_ADD, q[1], &ev);
  if (write(p[1], "x", 1) != 1)
    return 5;
  struct epoll_event out[4];
  memset(out, 0, sizeof out);
  int n = epoll_wait(ep, out, 4, 1000);
  uint64_t sum = 0;
  for (int i = 0; i < n; i++)
    sum += out[i].data.u64 ^ out[i].events;
  printf("epoll_wait: %d events, digest %#llx\n", n, (unsigned long long)sum);
  sigset_t none;
  sigemptyset(&none);
  n = epoll_pwait(ep, out, 1, 0, &none);
  printf("epoll_pwait max 1: %d event\n", n);
  ev.events = EPOLLOUT;
  ev.data.u64 = 42;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  epoll_ctl(ep, EPOLL_CTL_DEL, q[1], NULL);
  n = epoll_wait(ep, out, 4, 0);
  printf("after MOD/DEL: %d events, data %llu\n", n, n > 0 ? (unsigned long long)out[0].data.u64 : 0);

  /* SysV semaphores: semid_ds has padding on x86-64 only. */
  int sem = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
  if (sem >= 0) {
    struct semid_ds ds;
    memset(&ds, 0, sizeof ds);
    semctl(sem, 0, IPC_STAT, &ds);
    printf("semctl IPC_STAT: nsems %lu mode %o otime %lld ctime>0 %d\n", (unsigned long)ds.sem_nsems,
           ds.sem_perm.mode & 0777, (long long)ds.sem_otime, ds.sem_ctime > 0);
    ds.sem_perm.mode = 0640;
    printf("semctl IPC_SET: %s\n", err(semctl(sem, 0, IPC_SET, &ds)));
    semctl(sem, 0, IPC_STAT, &ds);
    printf("mode after IPC_SET: %o nsems %lu\n", ds.sem_perm.mode & 0777, (unsigned long)ds.sem_nsems);
    semctl(sem, 0, IPC_RMID);
  }

  /* 0x40 is MAP_32BIT on x86-64 and nothing on AArch64: the mapping works either way. */
  void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | 0x40, -1, 0);
  printf("mmap with 0x40: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");

  unlink(hard);
  unlink(slink);
  unlink(file);
  rmdir(sub);
  rmdir(dir);
  return 0;
}
