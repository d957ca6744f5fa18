/* procview.c — a dynamic guest that checks what a program sees of itself and
 * of the syscalls emu has to translate: /proc/self views (exe, maps, auxv,
 * cmdline, environ, comm), rlimits, uname, mremap, madvise, vectored and
 * message I/O with fd passing, fcntl locks, ioctl, pselect, SysV semaphores.
 * It prints facts that hold natively and under emu alike; run.sh compares the
 * two outputs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv);

#define CHECK(what, cond) printf("%-44s %s\n", what, (cond) ? "yes" : "NO")

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  for (size_t got; (got = fread(b + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap)
      b = realloc(b, cap *= 2);
  }
  fclose(f);
  b[n] = '\0';
  *len = n;
  return b;
}

/* The /proc/self/maps line covering addr, copied into line. */
static int maps_line(const char *maps, const void *addr, char *line, size_t size) {
  for (const char *l = maps; *l;) {
    const char *nl = strchr(l, '\n');
    unsigned long lo, hi;
    if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && (uintptr_t)addr >= lo && (uintptr_t)addr < hi) {
      snprintf(line, size, "%.*s", (int)(nl - l), l);
      return 1;
    }
    l = nl ? nl + 1 : l + strlen(l);
  }
  return 0;
}

static const char *line_name(const char *line) {
  const char *p = line;
  for (int field = 0; field < 5 && p; field++)
    p = strchr(p + 1, ' ');
  while (p && *p == ' ')
    p++;
  return p ? p : "";
}

static void proc_views(int argc, char **argv) {
  char exe[PATH_MAX], real[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  CHECK("/proc/self/exe is this program", realpath(argv[0], real) && !strcmp(exe, real));

  size_t len;
  char *maps = slurp("/proc/self/maps", &len), line[PATH_MAX + 128];
  int local;
  void *small = malloc(16);
  CHECK("maps: main is r-xp in this program",
        maps_line(maps, (void *)main, line, sizeof line) && strstr(line, " r-xp ") &&
            !strcmp(line_name(line), exe));
  CHECK("maps: a local is in [stack]",
        maps_line(maps, &local, line, sizeof line) && !strcmp(line_name(line), "[stack]"));
  CHECK("maps: a small malloc is in [heap]",
        maps_line(maps, small, line, sizeof line) && !strcmp(line_name(line), "[heap]"));
  CHECK("maps: printf is r-xp in libc.so.6",
        maps_line(maps, (void *)printf, line, sizeof line) && strstr(line, " r-xp ") &&
            strstr(line_name(line), "/libc.so.6"));
  CHECK("maps: no emu in it", !strstr(maps, "emu-"));
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)getpid());
  char *pid_maps = slurp(path, &len), *thread_maps = slurp("/proc/thread-self/maps", &len);
  snprintf(path, sizeof path, "/proc/self/task/%d/maps", (int)gettid());
  char *task_maps = slurp(path, &len);
  CHECK("maps: /proc/<pid>, thread-self, task agree",
        pid_maps && thread_maps && task_maps && !strncmp(pid_maps, maps, 40) &&
            !strncmp(thread_maps, maps, 40) && !strncmp(task_maps, maps, 40));
  free(task_maps);
  free(small);

  char *auxv = slurp("/proc/self/auxv", &len);
  int agree = auxv && len % 16 == 0 && len >= 16, have = 0;
  for (size_t i = 0; agree && i + 16 <= len; i += 16) {
    uint64_t type, val;
    memcpy(&type, auxv + i, 8);
    memcpy(&val, auxv + i + 8, 8);
    if (type == AT_NULL)
      break;
    if (type != AT_HWCAP && type != AT_HWCAP2) /* glibc's getauxval rewrites these */
      agree = getauxval(type) == val;
    have += type == AT_PHDR || type == AT_ENTRY || type == AT_PAGESZ || type == AT_RANDOM;
  }
  CHECK("auxv agrees with getauxval", agree && have == 4);

  char *cmd = slurp("/proc/self/cmdline", &len);
  int same = cmd != NULL;
  size_t off = 0;
  for (int i = 0; same && i < argc; i++) {
    same = off < len && !strcmp(cmd + off, argv[i]);
    off += strlen(argv[i]) + 1;
  }
  CHECK("cmdline is argv", same && off == len);
  char *env = slurp("/proc/self/environ", &len);
  int found = 0;
  for (size_t o = 0; env && o < len; o += strlen(env + o) + 1)
    found |= !strcmp(env + o, "PROCVIEW_VAR=hello");
  CHECK("environ has PROCVIEW_VAR", found);

  char *comm = slurp("/proc/self/comm", &len);
  CHECK("comm is procview", comm && !strcmp(comm, "procview\n"));
  char name[16] = "";
  prctl(PR_SET_NAME, "renamed", 0, 0, 0);
  prctl(PR_GET_NAME, name, 0, 0, 0);
  free(comm);
  comm = slurp("/proc/thread-self/comm", &len);
  CHECK("PR_SET_NAME shows in PR_GET_NAME and comm",
        !strcmp(name, "renamed") && comm && !strcmp(comm, "renamed\n"));
  CHECK("PR_SET_SECCOMP with a bad mode fails", prctl(PR_SET_SECCOMP, 12345, 0, 0, 0) == -1);
  free(maps), free(pid_maps), free(thread_maps), free(auxv), free(cmd), free(env), free(comm);
}

static void limits(void) {
  struct rlimit r;
  getrlimit(RLIMIT_STACK, &r);
  CHECK("stack limit at least 1 MiB", r.rlim_cur >= (1u << 20));
  struct rlimit as = {4ull << 30, RLIM_INFINITY};
  CHECK("setrlimit AS 4 GiB", setrlimit(RLIMIT_AS, &as) == 0);
  getrlimit(RLIMIT_AS, &r);
  CHECK("getrlimit AS reads it back", r.rlim_cur == 4ull << 30);
  void *big = malloc(100 << 20);
  CHECK("100 MiB malloc under it", big != NULL);
  free(big);
  struct rlimit got;
  CHECK("prlimit64 own pid", prlimit(getpid(), RLIMIT_AS, NULL, &got) == 0 && got.rlim_cur == 4ull << 30);
  as.rlim_cur = RLIM_INFINITY;
  setrlimit(RLIMIT_AS, &as);
  struct utsname u;
  uname(&u);
  printf("uname machine %s\n", u.machine);
  cpu_set_t set;
  CHECK("sched_getaffinity", sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0);
  unsigned char rnd[16];
  CHECK("getrandom 16", getrandom(rnd, sizeof rnd, 0) == 16);
}

static uint64_t sum(const unsigned char *p, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++)
    s = s * 31 + p[i];
  return s;
}

static void memory(void) {
  size_t mb = 1 << 20;
  unsigned char *a = mmap(NULL, mb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (size_t i = 0; i < mb; i++)
    a[i] = (unsigned char)(i * 13 + 5);
  uint64_t before = sum(a, mb);
  unsigned char *b = mremap(a, mb, 64 * mb, MREMAP_MAYMOVE);
  int zero = b != MAP_FAILED;
  for (size_t i = mb; zero && i < 64 * mb; i += 4096)
    zero = b[i] == 0;
  CHECK("mremap grow keeps data, new pages zero", b != MAP_FAILED && sum(b, mb) == before && zero);
  unsigned char *c = mremap(b, 64 * mb, 2 * mb, 0);
  CHECK("mremap shrink in place", c == b && sum(c, mb) == before);
  unsigned char *dst = mmap(NULL, 4 * mb, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char *d = mremap(c, 2 * mb, 2 * mb, MREMAP_MAYMOVE | MREMAP_FIXED, dst + mb);
  CHECK("mremap fixed", d == dst + mb && sum(d, mb) == before);
  errno = 0;
  CHECK("mremap of unmapped memory: EFAULT", mremap(c, mb, 2 * mb, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT);
  madvise(d, 2 * mb, MADV_DONTNEED);
  CHECK("madvise DONTNEED zero-fills", d[0] == 0 && d[mb + 7] == 0);
  munmap(dst, 4 * mb);

  /* glibc realloc of mmapped chunks uses mremap. */
  size_t n = 8 * mb;
  unsigned char *r = malloc(n);
  memset(r, 0x5a, n);
  for (int i = 0; i < 5; i++) {
    r = realloc(r, n * 2);
    memset(r + n, 0x5a + i, n);
    n *= 2;
  }
  printf("realloc to %zu MiB, checksum %016llx\n", n >> 20, (unsigned long long)sum(r, n));
  free(r);
}

static void io(void) {
  int p[2];
  pipe(p);
  struct iovec out[3] = {{"vec", 3}, {"tored ", 6}, {"io\n", 3}};
  writev(p[1], out, 3);
  int avail = 0;
  ioctl(p[0], FIONREAD, &avail);
  char a[5] = "", b[16] = "";
  struct iovec in[2] = {{a, 4}, {b, sizeof b - 1}};
  ssize_t got = readv(p[0], in, 2);
  printf("FIONREAD %d, readv %zd: %s|%s", avail, got, a, b);
  struct termios tio;
  errno = 0;
  CHECK("TCGETS on a pipe: ENOTTY", tcgetattr(p[0], &tio) == -1 && errno == ENOTTY);
  close(p[0]), close(p[1]);

  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int fd = open("/proc/self/cmdline", O_RDONLY);
  char cbuf[CMSG_SPACE(sizeof(int))] = {0};
  struct msghdr m = {.msg_iov = out, .msg_iovlen = 2, .msg_control = cbuf,
                     .msg_controllen = sizeof cbuf};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  ssize_t sent = sendmsg(sv[0], &m, 0);
  char rbuf[32] = "", rcbuf[CMSG_SPACE(sizeof(int))];
  struct iovec riov = {rbuf, sizeof rbuf - 1};
  struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcbuf,
                      .msg_controllen = sizeof rcbuf};
  ssize_t recvd = recvmsg(sv[1], &rm, 0);
  int passed = -1;
  struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
  if (rc && rc->cmsg_type == SCM_RIGHTS)
    memcpy(&passed, CMSG_DATA(rc), sizeof passed);
  char first[8] = "";
  if (passed >= 0)
    pread(passed, first, 7, 0);
  printf("sendmsg %zd, recvmsg %zd '%s', fd passed reads '%s'\n", sent, recvd, rbuf, first);
  struct mmsghdr mm[2] = {{.msg_hdr = {.msg_iov = &out[0], .msg_iovlen = 1}},
                          {.msg_hdr = {.msg_iov = &out[2], .msg_iovlen = 1}}};
  int ns = sendmmsg(sv[0], mm, 2, 0);
  printf("sendmmsg %d: %u %u\n", ns, mm[0].msg_len, mm[1].msg_len);
  close(sv[0]), close(sv[1]), close(fd), close(passed);

  char tmpl[] = "/tmp/procview-XXXXXX";
  int t = mkstemp(tmpl);
  struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10};
  CHECK("fcntl F_SETLK", fcntl(t, F_SETLK, &lk) == 0);
  lk.l_type = F_RDLCK;
  CHECK("fcntl F_GETLK (own lock: unlocked)", fcntl(t, F_GETLK, &lk) == 0 && lk.l_type == F_UNLCK);
  CHECK("fcntl F_GETFL", (fcntl(t, F_GETFL) & O_ACCMODE) == O_RDWR);
  unlink(tmpl);
  close(t);

  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(0, &rd);
  struct timespec ts = {0, 1000};
  sigset_t mask;
  sigemptyset(&mask);
  CHECK("pselect with a sigmask", pselect(1, NULL, NULL, NULL, &ts, &mask) == 0);
}

/* SysV semaphores: semctl's argument is a pointer for some commands only. */
static void ipc(void) {
  int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
  unsigned short set[3] = {4, 5, 6}, got[3] = {0};
  struct semid_ds ds;
  int ok = id >= 0 && semctl(id, 0, SETALL, set) == 0;
  struct sembuf op = {1, -2, 0};
  ok = ok && semop(id, &op, 1) == 0 && semctl(id, 0, GETALL, got) == 0;
  ok = ok && semctl(id, 0, IPC_STAT, &ds) == 0;
  printf("sysv sem: %d, values %u %u %u, nsems %lu, getval %d\n", ok, got[0], got[1], got[2],
         (unsigned long)ds.sem_nsems, semctl(id, 2, GETVAL));
  semctl(id, 0, IPC_RMID);
}

int main(int argc, char **argv) {
  proc_views(argc, argv);
  ipc();
  limits();
  memory();
  io();
  return 0;
}
