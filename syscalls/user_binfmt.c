/* user_binfmt.c — emu as a binfmt_misc interpreter: the registration line for
 * the guest's ELF magic and mask (each UserGuest gives its own), installing and
 * removing it under /proc/sys/fs/binfmt_misc, and how the kernel started us.
 *
 * The kernel runs "emu path args..." for a matching binary; with flag P it
 * passes "emu path argv0 args..." and sets AT_FLAGS_PRESERVE_ARGV0 in emu's own
 * auxv (Linux 5.12); with O (or C) it also passes the binary open in
 * AT_EXECFD. An x86-64 guest's magic matches the host's own programs on an
 * x86-64 host, so registering emu-x86_64 there runs every native x86-64
 * binary under emu: useful only for testing; the real use is foreign guests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user.h"

#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define AT_FLAGS_PRESERVE_ARGV0_BIT 1u

/* EMU_TEST_AT_FLAGS / EMU_TEST_AT_EXECFD stand in for emu's own AT_FLAGS and
 * AT_EXECFD so tests can lay argv out as the kernel would without registering
 * anything; they are removed from the guest's environment. Tests only. */
void user_binfmt_detect(UserBinfmtCall *c) {
  const char *f = getenv("EMU_TEST_AT_FLAGS"), *fd = getenv("EMU_TEST_AT_EXECFD");
  unsigned long flags = f ? strtoul(f, NULL, 0) : getauxval(AT_FLAGS);
  errno = 0;
  unsigned long execfd = fd ? strtoul(fd, NULL, 0) : getauxval(AT_EXECFD);
  bool have_fd = fd || errno != ENOENT; /* getauxval: 0 and ENOENT when absent */
  c->preserve_argv0 = flags & AT_FLAGS_PRESERVE_ARGV0_BIT;
  c->execfd = have_fd ? (int)execfd : -1;
}

static void put_escaped(FILE *out, const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    fprintf(out, "\\x%02x", b[i]);
}

/* ":name:M::magic:mask:interpreter:flags" (binfmt-misc.rst). */
static int format_rule(const UserGuest *g, const char *flags, char *out, size_t size) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return -errno;
  self[n] = '\0';
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    return -ENOMEM;
  fprintf(f, ":emu-%s:M::", g->name);
  put_escaped(f, g->binfmt->magic, sizeof g->binfmt->magic);
  fputc(':', f);
  put_escaped(f, g->binfmt->mask, sizeof g->binfmt->mask);
  fprintf(f, ":%s:%s", self, flags ? flags : "");
  fclose(f);
  int rc = len < size ? 0 : -ENAMETOOLONG;
  snprintf(out, size, "%s", buf);
  free(buf);
  return rc;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  ssize_t n = write(fd, text, strlen(text));
  int e = n < 0 ? errno : 0;
  close(fd);
  return n < 0 ? -e : 0;
}

static bool valid_flags(const char *flags) {
  return !flags || strspn(flags, "POCF") == strlen(flags);
}

int user_binfmt_command(const UserGuest *g, UserBinfmtCmd cmd, const char *flags) {
  char rule[2 * PATH_MAX], entry[PATH_MAX];
  if (!valid_flags(flags)) {
    fprintf(stderr, "emu-%s: binfmt flags are letters of POCF, got '%s'\n", g->name, flags);
    return 1;
  }
  int rc = format_rule(g, flags, rule, sizeof rule);
  if (rc < 0) {
    fprintf(stderr, "emu-%s: cannot build the binfmt rule: %s\n", g->name, strerror(-rc));
    return 1;
  }
  snprintf(entry, sizeof entry, BINFMT_DIR "/emu-%s", g->name);
  switch (cmd) {
  case USER_BINFMT_NONE:
    return 0;
  case USER_BINFMT_PRINT:
    printf("%s\n", rule);
    return 0;
  case USER_BINFMT_INSTALL:
    if (access(BINFMT_DIR "/register", F_OK) != 0 &&
        mount("binfmt_misc", BINFMT_DIR, "binfmt_misc", 0, NULL) != 0) {
      fprintf(stderr, "emu-%s: cannot mount binfmt_misc on " BINFMT_DIR ": %s\n", g->name,
              strerror(errno));
      return 1;
    }
    if (access(entry, F_OK) == 0) {
      fprintf(stderr, "emu-%s: %s exists; --binfmt-remove it first\n", g->name, entry);
      return 1;
    }
    rc = write_file(BINFMT_DIR "/register", rule);
    break;
  case USER_BINFMT_REMOVE:
    rc = write_file(entry, "-1");
    break;
  }
  if (rc < 0) {
    fprintf(stderr, "emu-%s: %s: %s\n", g->name,
            cmd == USER_BINFMT_REMOVE ? entry : BINFMT_DIR "/register", strerror(-rc));
    return 1;
  }
  return 0;
}
