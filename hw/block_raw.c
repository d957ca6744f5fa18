/* block_raw.c — the raw format: the file's bytes are the disk's bytes. */
#define _GNU_SOURCE /* IOV_MAX */
#include "block_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool raw_open(BlockDev *bd, char *err, size_t errsize) {
  off_t end = lseek(bd->fd, 0, SEEK_END);
  if (end < 0) {
    snprintf(err, errsize, "cannot find its size (%s)", strerror(errno));
    return false;
  }
  if (end == 0) {
    snprintf(err, errsize, "the image is empty");
    return false;
  }
  if (end % BLOCK_SECTOR_SIZE) {
    snprintf(err, errsize, "its size (%lld bytes) is not a multiple of %d", (long long)end,
             BLOCK_SECTOR_SIZE);
    return false;
  }
  bd->size = (uint64_t)end;
  return true;
}

/* preadv/pwritev until every byte is moved: a short transfer resumes where it
 * stopped (mid-iovec included); end of file inside the range is -EIO (the file
 * shrank behind our back). */
static int raw_rw(int fd, uint64_t offset, const struct iovec *iov, int iovcnt, bool write) {
  int i = 0;
  while (i < iovcnt) {
    if (iov[i].iov_len == 0) {
      i++;
      continue;
    }
    int n = iovcnt - i < IOV_MAX ? iovcnt - i : IOV_MAX;
    ssize_t r = write ? pwritev(fd, iov + i, n, (off_t)offset)
                      : preadv(fd, iov + i, n, (off_t)offset);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    if (r == 0)
      return -EIO;
    offset += (uint64_t)r;
    size_t done = (size_t)r;
    while (i < iovcnt && done >= iov[i].iov_len)
      done -= iov[i++].iov_len;
    if (done) { /* finish the partly moved iovec on its own */
      struct iovec rest = {(char *)iov[i].iov_base + done, iov[i].iov_len - done};
      int e = raw_rw(fd, offset, &rest, 1, write);
      if (e)
        return e;
      offset += rest.iov_len;
      i++;
    }
  }
  return 0;
}

static int raw_preadv(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt) {
  return raw_rw(bd->fd, offset, iov, iovcnt, false);
}

static int raw_pwritev(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt) {
  return raw_rw(bd->fd, offset, iov, iovcnt, true);
}

static int raw_flush(BlockDev *bd) { return fdatasync(bd->fd) ? -errno : 0; }

const BlockDriver block_raw = {
    .format = "raw",
    .open = raw_open,
    .preadv = raw_preadv,
    .pwritev = raw_pwritev,
    .flush = raw_flush,
};
