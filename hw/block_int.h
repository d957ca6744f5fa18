/* block_int.h — what a disk image format implements (block.c is the generic
 * part: opening the file, locking, probing the format, range checks). */
#ifndef EMU_HW_BLOCK_INT_H
#define EMU_HW_BLOCK_INT_H

#include "block.h"

typedef struct BlockDriver {
  const char *format; /* "raw" */
  /* Set bd->size (the guest-visible size) from the open file, or fail with a
   * reason that block_open prefixes with the path. */
  bool (*open)(BlockDev *bd, char *err, size_t errsize);
  void (*close)(BlockDev *bd); /* NULL: nothing beyond the fd */
  /* Called with [offset, offset + iov_size) inside [0, size) and, for writes,
   * a writable image. */
  int (*preadv)(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt);
  int (*pwritev)(BlockDev *bd, uint64_t offset, const struct iovec *iov, int iovcnt);
  int (*flush)(BlockDev *bd);
} BlockDriver;

struct BlockDev {
  const BlockDriver *drv;
  int fd;
  bool readonly;
  uint64_t size;
  char *path;
  void *state; /* the driver's own (qcow2: tables and caches) */
};

extern const BlockDriver block_raw;

#endif
