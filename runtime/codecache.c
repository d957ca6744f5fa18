/* codecache.c — see codecache.h. The two views share pages, so a write through
 * rw is visible at rx; x86 keeps instruction fetch coherent with data writes. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "codecache.h"

bool codecache_init(CodeCache *cc, size_t size) {
  cc->fork_fd = -1;
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
 * over each other's code: the child gets its own copy at the same addresses.
 * The copy is made before fork, while the parent holds the engine's lock: a
 * copy made in the child would race with the parent translating and patching
 * chains into blocks the child does not have. */
static int copy_to_memfd(const CodeCache *cc) {
  int fd = memfd_create("emu-code", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, (off_t)cc->size) != 0)
    goto fail;
  for (size_t off = 0; off < cc->used;) {
    ssize_t n = pwrite(fd, cc->rw + off, cc->used - off, (off_t)off);
    if (n <= 0)
      goto fail;
    off += (size_t)n;
  }
  return fd;
fail:
  if (fd >= 0)
    close(fd);
  return -1;
}

bool codecache_fork_prepare(CodeCache *cc) {
  if (!cc->rw)
    return true;
  codecache_fork_parent(cc);
  cc->fork_fd = copy_to_memfd(cc);
  return cc->fork_fd >= 0;
}

void codecache_fork_parent(CodeCache *cc) {
  if (cc->rw && cc->fork_fd >= 0)
    close(cc->fork_fd);
  cc->fork_fd = -1;
}

bool codecache_fork_child(CodeCache *cc) {
  if (!cc->rw)
    return true;
  int fd = cc->fork_fd >= 0 ? cc->fork_fd : copy_to_memfd(cc); /* no prepare: best effort */
  cc->fork_fd = -1;
  if (fd < 0)
    return false;
  void *rw = mmap(cc->rw, cc->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  void *rx = mmap(cc->rx, cc->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
  close(fd);
  return rw == cc->rw && rx == cc->rx;
}
