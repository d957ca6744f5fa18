/* block.c — opening disk images and the checks every format shares: the file
 * type, an OFD lock against a second writer, formats we recognise but do not
 * implement (refused by their magic rather than shown to the guest as raw
 * bytes), and range/read-only checks before a driver sees a request. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include "block_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Formats known by their first bytes that we cannot read yet. */
static const struct {
  const char *magic;
  size_t len;
  const char *reason;
} unsupported_formats[] = {
    {"QFI\xfb", 4, "qcow2 images are not supported yet; use format=raw"},
};

static const char *unsupported_format(int fd) {
  char head[16];
  ssize_t n = pread(fd, head, sizeof head, 0);
  for (size_t i = 0; i < sizeof unsupported_formats / sizeof *unsupported_formats; i++)
    if (n >= (ssize_t)unsupported_formats[i].len &&
        memcmp(head, unsupported_formats[i].magic, unsupported_formats[i].len) == 0)
      return unsupported_formats[i].reason;
  return NULL;
}

/* Shared lock when read-only, exclusive otherwise, held by this open file
 * description (so even a second open in this process conflicts). A filesystem
 * without locks is no reason to refuse the image. */
static bool lock_image(int fd, bool readonly) {
  struct flock fl = {.l_type = readonly ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET};
  if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
    return true;
  return errno != EAGAIN && errno != EACCES;
}

BlockDev *block_open(const char *path, bool readonly, char *err, size_t errsize) {
  int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errsize, "%s: %s", path, errno == EISDIR ? "is a directory" : strerror(errno));
    return NULL;
  }
  struct stat st;
  const char *why = NULL;
  if (fstat(fd, &st) != 0)
    why = strerror(errno);
  else if (S_ISDIR(st.st_mode))
    why = "is a directory";
  else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
    why = "not a regular file or block device";
  else if (!lock_image(fd, readonly))
    why = readonly ? "in use: another process is writing it"
                   : "in use: another process has it open";
  else
    why = unsupported_format(fd);
  if (why) {
    snprintf(err, errsize, "%s: %s", path, why);
    close(fd);
    return NULL;
  }

  BlockDev *bd = calloc(1, sizeof *bd);
  char *copy = strdup(path);
  if (!bd || !copy) {
    snprintf(err, errsize, "%s: out of memory", path);
    free(bd);
    free(copy);
    close(fd);
    return NULL;
  }
  *bd = (BlockDev){.drv = &block_raw, .fd = fd, .readonly = readonly, .path = copy};
  char reason[200];
  if (!bd->drv->open(bd, reason, sizeof reason)) {
    snprintf(err, errsize, "%s: %s", path, reason);
    bd->drv = NULL; /* nothing of the driver's to close */
    block_close(bd);
    return NULL;
  }
  return bd;
}

void block_close(BlockDev *bd) {
  if (!bd)
    return;
  if (bd->drv && bd->drv->close)
    bd->drv->close(bd);
  close(bd->fd);
  free(bd->path);
  free(bd);
}

uint64_t block_size(const BlockDev *bd) { return bd->size; }
bool block_readonly(const BlockDev *bd) { return bd->readonly; }
const char *block_path(const BlockDev *bd) { return bd->path; }

static bool in_range(const BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt) {
  uint64_t len = 0;
  for (int i = 0; i < iovcnt; i++)
    len += iov[i].iov_len;
  return offset <= bd->size && len <= bd->size - offset;
}

int block_preadv(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt) {
  if (!in_range(bd, offset, iov, iovcnt))
    return -EINVAL;
  return bd->drv->preadv(bd, offset, iov, iovcnt);
}

int block_pwritev(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt) {
  if (bd->readonly)
    return -EROFS;
  if (!in_range(bd, offset, iov, iovcnt))
    return -EINVAL;
  return bd->drv->pwritev(bd, offset, iov, iovcnt);
}

int block_pread(BlockDev *bd, uint64_t offset, void *buf, size_t len) {
  struct iovec iov = {buf, len};
  return block_preadv(bd, offset, &iov, 1);
}

int block_pwrite(BlockDev *bd, uint64_t offset, const void *buf, size_t len) {
  struct iovec iov = {(void *)buf, len};
  return block_pwritev(bd, offset, &iov, 1);
}

int block_flush(BlockDev *bd) { return bd->drv->flush(bd); }
