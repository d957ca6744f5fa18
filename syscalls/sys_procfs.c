/* sys_procfs.c — the guest's view of its own /proc entries. The host's would
 * describe emu: exe names the guest program; maps lists guest mappings only
 * (gmem_format_maps); auxv is the guest's auxiliary vector; cmdline and environ
 * read the guest's argument and environment strings, as Linux reads them from
 * the process's memory. Generated files are served through a memfd holding the
 * text, opened for the guest in place of the real one. Also open/openat/openat2
 * and readlink(at), which route through this view, and the -L sysroot for paths. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_mem.h"
#include "initstack.h"
#include "syscall_raw.h"
#include "sys.h"

/* Snapshots taken at start (procfs_init): what the kernel keeps in mm_struct. */
static uint8_t auxv_copy[64 * 16];
static size_t auxv_len;
static uint64_t arg_start, arg_end, env_start, env_end;

size_t procfs_auxv(const uint8_t **data) {
  *data = auxv_copy;
  return auxv_len;
}

/* The end (past the NUL) of the guest string at addr, or addr if unreadable. */
static uint64_t str_end(uint64_t addr) {
  const char *s = user_str(addr);
  return s ? addr + strlen(s) + 1 : addr;
}

void procfs_init(UserProcess *p, uint64_t sp) {
  uint64_t auxv, bytes;
  initstack_auxv(&auxv, &bytes);
  if (bytes <= sizeof auxv_copy && gmem_check(auxv, bytes, PROT_READ)) {
    memcpy(auxv_copy, gmem_g2h(auxv), bytes);
    auxv_len = bytes;
  }
  /* sp -> argc, argv[], NULL, envp[], NULL: the strings are contiguous. */
  const uint64_t *st = gmem_check(sp, 8, PROT_READ) ? gmem_g2h(sp) : NULL;
  uint64_t argc = st ? st[0] : 0, envc = 0;
  if (argc) {
    arg_start = st[1];
    arg_end = str_end(st[argc]);
  }
  while (st && gmem_check(sp + 8 * (argc + 2 + envc), 8, PROT_READ) && st[argc + 2 + envc])
    envc++;
  if (envc) {
    env_start = st[argc + 2];
    env_end = str_end(st[argc + 1 + envc]);
  }
  /* comm: as a native execve sets it, the last part of the path it was given
   * (AT_EXECFN: /usr/bin/python3, not the python3.11 it links to). */
  const char *name = p->exe_path;
  for (size_t i = 0; i + 16 <= auxv_len; i += 16) {
    uint64_t type, val;
    memcpy(&type, auxv_copy + i, 8);
    memcpy(&val, auxv_copy + i + 8, 8);
    if (type == AT_EXECFN && user_str(val))
      name = user_str(val);
  }
  const char *base = strrchr(name, '/');
  prctl(PR_SET_NAME, base ? base + 1 : name, 0, 0, 0);
}

/* -- Which entries are ours -------------------------------------------------- */

typedef enum ProcEntry { PROC_NONE, PROC_EXE, PROC_MAPS, PROC_AUXV, PROC_CMDLINE, PROC_ENVIRON } ProcEntry;

static const struct {
  const char *name;
  ProcEntry entry;
} proc_entries[] = {
    {"exe", PROC_EXE},         {"maps", PROC_MAPS},       {"auxv", PROC_AUXV},
    {"cmdline", PROC_CMDLINE}, {"environ", PROC_ENVIRON},
};

/* Skip the digits of a number followed by '/': past the '/', or NULL. */
static const char *skip_number(const char *p, long *value) {
  char *end;
  if (*p < '0' || *p > '9')
    return NULL;
  *value = strtol(p, &end, 10);
  return *end == '/' ? end + 1 : NULL;
}

/* "/proc/{self,thread-self,<our pid>}/[task/<tid>/]X": ours, as every thread
 * shares the address space, argv and auxv. */
static ProcEntry proc_entry(const char *path) {
  if (strncmp(path, "/proc/", 6) != 0)
    return PROC_NONE;
  const char *rest = path + 6;
  long n;
  if (!strncmp(rest, "self/", 5))
    rest += 5;
  else if (!strncmp(rest, "thread-self/", 12))
    rest += 12;
  else if (!(rest = skip_number(rest, &n)) || n != (long)getpid())
    return PROC_NONE;
  if (!strncmp(rest, "task/", 5) && !(rest = skip_number(rest + 5, &n)))
    return PROC_NONE;
  for (size_t i = 0; i < sizeof proc_entries / sizeof proc_entries[0]; i++)
    if (!strcmp(rest, proc_entries[i].name))
      return proc_entries[i].entry;
  return PROC_NONE;
}

/* With -L, an absolute path that exists under the prefix names that file
 * instead (QEMU's rule: a foreign guest's /lib/... lives in its sysroot). The
 * result lives in a small per-thread ring, enough for a call's two paths. */
const char *user_path(UserThread *t, const char *path) {
  if (proc_entry(path) == PROC_EXE)
    return t->proc->exe_path;
  const char *root = t->proc->opt.sysroot;
  if (!root || path[0] != '/' || !path[1])
    return path;
  static __thread char ring[4][PATH_MAX];
  static __thread unsigned next;
  char *buf = ring[next++ % 4];
  struct stat st;
  if (snprintf(buf, PATH_MAX, "%s%s", root, path) >= PATH_MAX || lstat(buf, &st) != 0)
    return path;
  return buf;
}

/* -- Generated files ----------------------------------------------------------- */

/* A readable fd holding len bytes of data, positioned at 0; or -errno. */
static int64_t memfd_with(const void *data, size_t len, uint64_t oflags) {
  int fd = (int)raw_syscall6(SYS_memfd_create, (uint64_t)(uintptr_t)"emu-proc",
                             oflags & O_CLOEXEC ? MFD_CLOEXEC : 0, 0, 0, 0, 0);
  if (fd < 0)
    return fd;
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      return -e;
    }
    p += n;
    len -= (size_t)n;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

/* Guest memory [start, end) as Linux's cmdline/environ read it: what is readable. */
static int64_t memfd_with_guest(uint64_t start, uint64_t end, uint64_t oflags) {
  uint64_t len = end > start && gmem_check(start, end - start, PROT_READ) ? end - start : 0;
  return memfd_with(len ? gmem_g2h(start) : "", len, oflags);
}

static int64_t open_generated(ProcEntry e, uint64_t oflags) {
  if ((oflags & O_ACCMODE) != O_RDONLY)
    return -EACCES;
  switch (e) {
  case PROC_MAPS: {
    size_t need = gmem_format_maps(NULL, 0) + 1;
    char *buf = malloc(need);
    if (!buf)
      return -ENOMEM;
    size_t len = gmem_format_maps(buf, need);
    int64_t fd = memfd_with(buf, len < need ? len : need - 1, oflags);
    free(buf);
    return fd;
  }
  case PROC_AUXV: return memfd_with(auxv_copy, auxv_len, oflags);
  case PROC_CMDLINE: return memfd_with_guest(arg_start, arg_end, oflags);
  case PROC_ENVIRON: return memfd_with_guest(env_start, env_end, oflags);
  default: return -ENOENT;
  }
}

/* -- open, openat, openat2 ------------------------------------------------------ */

int64_t user_openat(UserThread *t, int dirfd, uint64_t pathp, uint64_t flags, uint64_t mode,
                    const void *how, uint64_t howsize) {
  const char *path = user_str(pathp);
  if (!path)
    return -EFAULT;
  ProcEntry e = proc_entry(path);
  if (e != PROC_NONE && e != PROC_EXE)
    return open_generated(e, flags);
  path = user_path(t, path);
  if (how)
    return user_safe_syscall(&t->sig, SYS_openat2, (uint64_t)dirfd, (uint64_t)(uintptr_t)path,
                             (uint64_t)(uintptr_t)how, howsize, 0, 0);
  /* Opening a FIFO blocks until the other end opens. */
  return user_safe_syscall(&t->sig, SYS_openat, (uint64_t)dirfd, (uint64_t)(uintptr_t)path,
                           flags, mode, 0, 0);
}

int64_t sys_open(UserThread *t, const uint64_t a[6]) {
  return user_openat(t, AT_FDCWD, a[0], a[1], a[2], NULL, 0);
}

int64_t sys_creat(UserThread *t, const uint64_t a[6]) {
  return user_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1], NULL, 0);
}

int64_t sys_openat(UserThread *t, const uint64_t a[6]) {
  return user_openat(t, (int)a[0], a[1], a[2], a[3], NULL, 0);
}

int64_t sys_openat2(UserThread *t, const uint64_t a[6]) {
  const struct open_how *h = a[2] && a[3] >= sizeof *h ? user_ptr(a[2], a[3]) : NULL;
  if (!h)
    return a[3] < sizeof *h ? -EINVAL : -EFAULT;
  return user_openat(t, (int)a[0], a[1], h->flags, h->mode, h, a[3]);
}

/* -- readlink ------------------------------------------------------------------ */

/* readlink of /proc/self/exe names the guest program, not emu. */
static int64_t do_readlink(UserThread *t, int dirfd, uint64_t pathp, uint64_t buf, uint64_t size) {
  const char *path = user_str(pathp);
  if (!path)
    return -EFAULT;
  char *out = user_ptr(buf, size);
  if (!out)
    return -EFAULT;
  if ((int64_t)size <= 0)
    return -EINVAL;
  user_smc_release(buf, buf + size);
  if (proc_entry(path) == PROC_EXE) {
    size_t len = strlen(t->proc->exe_path);
    if (len > size)
      len = size;
    memcpy(out, t->proc->exe_path, len);
    return (int64_t)len;
  }
  return raw_syscall6(SYS_readlinkat, (uint64_t)dirfd, (uint64_t)(uintptr_t)path,
                      (uint64_t)(uintptr_t)out, size, 0, 0);
}

int64_t sys_readlink(UserThread *t, const uint64_t a[6]) {
  return do_readlink(t, AT_FDCWD, a[0], a[1], a[2]);
}

int64_t sys_readlinkat(UserThread *t, const uint64_t a[6]) {
  return do_readlink(t, (int)a[0], a[1], a[2], a[3]);
}
