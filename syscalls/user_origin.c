/* user_origin.c — where guest code comes from, for the persistent translation
 * cache: the file mapping holding a pc, the file identified by a hash of its
 * content (computed once per file and process) and the object's load base. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_mem.h"
#include "user.h"

typedef struct OriginFile {
  char *path;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  uint64_t key;          /* 0: not usable */
  uint64_t vstart, vend; /* the mapping last checked against the file */
} OriginFile;

static OriginFile *files;
static size_t nfiles, capfiles;
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t content_key(const char *path, const struct stat *st) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  uint64_t key = 0;
  void *m = st->st_size > 0 ? mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                            : MAP_FAILED;
  if (m != MAP_FAILED) {
    key = emu_hash64(m, (size_t)st->st_size, 5) | 1;
    munmap(m, (size_t)st->st_size);
  }
  close(fd);
  return key;
}

static bool same_file(const OriginFile *f, const struct stat *st) {
  return f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
         f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The content key of the file mapped at v (0: unknown): hashed the first time
 * a path is seen, re-checked (stat) when a new mapping of it appears. */
static uint64_t file_key(const GmemVmaInfo *v) {
  struct stat st;
  pthread_mutex_lock(&files_lock);
  uint64_t key = 0;
  size_t i = 0;
  for (; i < nfiles && strcmp(files[i].path, v->name); i++)
    ;
  if (i < nfiles && files[i].vstart == v->start && files[i].vend == v->end) {
    key = files[i].key;
  } else if (stat(v->name, &st) != 0 || !S_ISREG(st.st_mode)) {
    key = 0;
  } else {
    if (i == nfiles) {
      if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 32;
        files = realloc(files, capfiles * sizeof *files);
        if (!files)
          abort();
      }
      files[nfiles++] = (OriginFile){.path = strdup(v->name)};
    }
    OriginFile *f = &files[i];
    if (!f->key || !same_file(f, &st)) {
      f->key = content_key(v->name, &st);
      f->dev = st.st_dev, f->ino = st.st_ino, f->size = st.st_size, f->mtime = st.st_mtim;
    }
    f->vstart = v->start, f->vend = v->end;
    key = f->key;
  }
  pthread_mutex_unlock(&files_lock);
  return key;
}

bool user_code_origin(void *ctx, uint64_t pc, EmuCodeOrigin *out) {
  (void)ctx;
  GmemVmaInfo v;
  if (!gmem_lookup(pc, &v) || (v.flags & MAP_ANONYMOUS) || !v.name || v.name[0] != '/')
    return false;
  uint64_t key = file_key(&v);
  if (!key)
    return false;
  *out = (EmuCodeOrigin){.key = key, .base = v.start - v.offset, .lo = v.start, .hi = v.end,
                         .writable = (v.prot & PROT_WRITE) != 0, .name = v.name};
  return true;
}
