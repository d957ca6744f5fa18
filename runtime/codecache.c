/* codecache.c — see codecache.h. The two views share pages, so a write through
 * rw is visible at rx; x86 keeps instruction fetch coherent with data writes. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "codecache.h"

bool codecache_init(CodeCache *cc, size_t size) {
  int fd = memfd_create("emu-code", MFD_CLOEXEC);
  if (fd < 0)
    return false;
  if (ftruncate(fd, (off_t)size) != 0) {
    close(fd);
    return false;
  }
  void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  close(fd);
  if (rw == MAP_FAILED || rx == MAP_FAILED) {
    if (rw != MAP_FAILED)
      munmap(rw, size);
    if (rx != MAP_FAILED)
      munmap(rx, size);
    return false;
  }
  cc->rw = rw;
  cc->rx = rx;
  cc->size = size;
  cc->used = cc->reserved = 0;
  return true;
}

void codecache_destroy(CodeCache *cc) {
  if (cc->rw) {
    munmap(cc->rw, cc->size);
    munmap(cc->rx, cc->size);
  }
  cc->rw = cc->rx = NULL;
}

void codecache_reset(CodeCache *cc) { cc->used = cc->reserved; }

/* After fork the two processes would share the code cache's memfd and write
 * over each other's code: give the child its own copy at the same addresses. */
bool codecache_fork_child(CodeCache *cc) {
  if (!cc->rw)
    return true;
  int fd = memfd_create("emu-code", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, (off_t)cc->size) != 0)
    return false;
  for (size_t off = 0; off < cc->used;) {
    ssize_t n = pwrite(fd, cc->rw + off, cc->used - off, (off_t)off);
    if (n <= 0) {
      close(fd);
      return false;
    }
    off += (size_t)n;
  }
  void *rw = mmap(cc->rw, cc->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  void *rx = mmap(cc->rx, cc->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
  close(fd);
  return rw == cc->rw && rx == cc->rx;
}
