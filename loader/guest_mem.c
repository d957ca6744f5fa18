/* guest_mem.c — the guest address window and its VMA list (see guest_mem.h).
 *
 * The list is a sorted array of non-overlapping Vma. Every change first makes the
 * host match (mmap MAP_FIXED into the window, or re-reserve with PROT_NONE), then
 * edits the array, all under one mutex. Names are interned, so splitting a VMA
 * never allocates a string and equal names compare as equal pointers.
 */
#define _GNU_SOURCE
#include "guest_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

uintptr_t gmem_base;
uint64_t gmem_limit;

typedef struct Vma {
  uint64_t start, end, offset;
  uint64_t dev, ino;
  int prot, flags; /* guest prot; type | MAP_ANONYMOUS | MAP_GROWSDOWN */
  const char *name; /* interned, never NULL */
} Vma;

#define RESERVE_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)
#define LOW32_LO 0x40000000ull /* MAP_32BIT range, as Linux x86-64 searches it */
#define LOW32_HI 0x80000000ull

static pthread_mutex_t gmem_lock = PTHREAD_MUTEX_INITIALIZER;
static Vma *vmas;
static size_t nvma, vma_cap;
static char **names;
static size_t nnames, names_cap;
static uint64_t brk_start, brk_cur;

/* -- Window ---------------------------------------------------------------- */

int gmem_init(void) { return gmem_init_ex(0, GMEM_WINDOW_BITS_MAX); }

int gmem_init_ex(unsigned flags, unsigned max_bits) {
  int rc = 0;
  pthread_mutex_lock(&gmem_lock);
  if (gmem_limit)
    goto out;
  if (max_bits > GMEM_WINDOW_BITS_MAX || max_bits < GMEM_WINDOW_BITS_MIN) {
    rc = -EINVAL;
    goto out;
  }
  if (!(flags & GMEM_INIT_NO_IDENTITY)) {
    uint64_t len = (1ull << max_bits) - GMEM_MIN_ADDR;
    void *want = (void *)(uintptr_t)GMEM_MIN_ADDR;
    void *p = mmap(want, len, PROT_NONE, RESERVE_FLAGS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == want) {
      gmem_base = 0;
      gmem_limit = 1ull << max_bits;
      goto out;
    }
    if (p != MAP_FAILED) /* a pre-4.17 kernel took NOREPLACE as a mere hint */
      munmap(p, len);
  }
  for (unsigned bits = max_bits; bits >= GMEM_WINDOW_BITS_MIN; bits--) {
    void *p = mmap(NULL, 1ull << bits, PROT_NONE, RESERVE_FLAGS, -1, 0);
    if (p != MAP_FAILED) {
      gmem_base = (uintptr_t)p;
      gmem_limit = 1ull << bits;
      goto out;
    }
  }
  rc = -ENOMEM;
out:
  pthread_mutex_unlock(&gmem_lock);
  return rc;
}

uint64_t gmem_mmap_base(void) { return gmem_limit - GMEM_STACK_GAP; }
uint64_t gmem_stack_top(void) { return gmem_limit - GMEM_PAGE; }

/* Give [start, end) back to the reservation. Below GMEM_MIN_ADDR nothing is ours
 * in identity mode (and nothing is ever mapped there in offset mode). */
static int host_reserve(uint64_t start, uint64_t end) {
  if (start < GMEM_MIN_ADDR)
    start = GMEM_MIN_ADDR;
  if (start >= end)
    return 0;
  void *p = mmap(gmem_g2h(start), end - start, PROT_NONE, RESERVE_FLAGS | MAP_FIXED, -1, 0);
  return p == MAP_FAILED ? -errno : 0;
}

/* Guest X becomes host R: code is read by the translator, never run in place. */
static int host_prot(int prot) {
  return (prot & (PROT_READ | PROT_WRITE)) | (prot & PROT_EXEC ? PROT_READ : 0);
}

/* Map host [start, start+len). When it replaces live mappings they must survive a
 * failure, so map elsewhere first and move it in with mremap (atomic replace). */
static int host_map(uint64_t start, uint64_t len, int prot, int hflags, int fd, uint64_t off,
                    bool replace) {
  void *at = gmem_g2h(start);
  if (!replace) {
    if (mmap(at, len, prot, hflags | MAP_FIXED, fd, (off_t)off) != MAP_FAILED)
      return 0;
    int e = errno;
    host_reserve(start, start + len);
    return -e;
  }
  void *tmp = mmap(NULL, len, prot, hflags, fd, (off_t)off);
  if (tmp == MAP_FAILED)
    return -errno;
  if (mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, at) != MAP_FAILED)
    return 0;
  int e = errno;
  munmap(tmp, len);
  return -e;
}

/* -- Names and the VMA array (callers hold gmem_lock) ------------------------ */

static const char *name_intern(const char *s) {
  if (!s || !*s)
    return "";
  for (size_t i = 0; i < nnames; i++)
    if (!strcmp(names[i], s))
      return names[i];
  if (nnames == names_cap) {
    size_t cap = names_cap ? names_cap * 2 : 16;
    char **n = realloc(names, cap * sizeof *n);
    if (!n)
      return NULL;
    names = n;
    names_cap = cap;
  }
  char *copy = strdup(s);
  if (copy)
    names[nnames++] = copy;
  return copy;
}

static bool vma_room(size_t extra) {
  if (nvma + extra <= vma_cap)
    return true;
  size_t cap = vma_cap ? vma_cap * 2 : 64;
  while (cap < nvma + extra)
    cap *= 2;
  Vma *v = realloc(vmas, cap * sizeof *v);
  if (!v)
    return false;
  vmas = v;
  vma_cap = cap;
  return true;
}

/* Index of the first VMA ending above addr (nvma if none). */
static size_t vma_find(uint64_t addr) {
  size_t lo = 0, hi = nvma;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (vmas[mid].end > addr)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

static bool range_free(uint64_t start, uint64_t end) {
  size_t i = vma_find(start);
  return i == nvma || vmas[i].start >= end;
}

/* Cut the VMA straddling addr in two. Needs room for one more. */
static void vma_split_at(uint64_t addr) {
  size_t i = vma_find(addr);
  if (i == nvma || vmas[i].start >= addr)
    return;
  memmove(&vmas[i + 1], &vmas[i], (nvma - i) * sizeof *vmas);
  nvma++;
  vmas[i].end = addr;
  vmas[i + 1].offset += addr - vmas[i + 1].start;
  vmas[i + 1].start = addr;
}

/* Drop [start, end) from the list. Needs room for two more. */
static void vma_remove(uint64_t start, uint64_t end) {
  vma_split_at(start);
  vma_split_at(end);
  size_t i = vma_find(start), j = i;
  while (j < nvma && vmas[j].end <= end)
    j++;
  memmove(&vmas[i], &vmas[j], (nvma - j) * sizeof *vmas);
  nvma -= j - i;
}

static bool vma_mergeable(const Vma *a, const Vma *b) {
  if (a->end != b->start || a->prot != b->prot || a->flags != b->flags || a->name != b->name ||
      a->dev != b->dev || a->ino != b->ino)
    return false;
  if (a->flags & MAP_ANONYMOUS) /* each shared anonymous mapping is its own object */
    return (a->flags & MAP_TYPE) != MAP_SHARED;
  return a->offset + (a->end - a->start) == b->offset;
}

/* Merge equal neighbours touching [start, end], as Linux does. */
static void vma_merge_around(uint64_t start, uint64_t end) {
  size_t i = vma_find(start);
  if (i > 0)
    i--;
  while (i + 1 < nvma && vmas[i].start <= end) {
    if (vma_mergeable(&vmas[i], &vmas[i + 1])) {
      vmas[i].end = vmas[i + 1].end;
      memmove(&vmas[i + 1], &vmas[i + 2], (nvma - i - 2) * sizeof *vmas);
      nvma--;
    } else {
      i++;
    }
  }
}

/* Highest free [a, a+len) inside [lo, hi); 0 if none (0 is never mappable). */
static uint64_t find_topdown(uint64_t len, uint64_t lo, uint64_t hi) {
  uint64_t top = hi;
  for (size_t i = nvma; i-- > 0 && top > lo;) {
    const Vma *v = &vmas[i];
    if (v->start >= top)
      continue;
    uint64_t gap_lo = v->end > lo ? v->end : lo;
    if (v->end < top && top - gap_lo >= len)
      return top - len;
    top = v->start;
  }
  return top > lo && top - lo >= len ? top - len : 0;
}

/* Where a non-fixed mapping goes: the hint if free, else top-down below the mmap
 * base, else anywhere (Linux falls back to a bottom-up search of the rest). */
static uint64_t pick_free(uint64_t hint, uint64_t len, bool low32) {
  if (low32)
    return find_topdown(len, LOW32_LO, LOW32_HI < gmem_limit ? LOW32_HI : gmem_limit);
  hint = gmem_page_down(hint);
  if (hint >= GMEM_MIN_ADDR && hint <= gmem_limit - len && range_free(hint, hint + len))
    return hint;
  uint64_t a = find_topdown(len, GMEM_MIN_ADDR, gmem_mmap_base());
  return a ? a : find_topdown(len, GMEM_MIN_ADDR, gmem_limit);
}

/* Map [start, start+len) on the host and record it. Needs room for three more. */
static int map_locked(uint64_t start, uint64_t len, int prot, int vflags, int hflags, int fd,
                      uint64_t offset, const struct stat *st, const char *name) {
  int rc = host_map(start, len, host_prot(prot), hflags, fd, offset,
                    !range_free(start, start + len));
  if (rc < 0)
    return rc;
  vma_remove(start, start + len);
  Vma v = {start, start + len, offset, st ? st->st_dev : 0, st ? st->st_ino : 0,
           prot, vflags, name};
  size_t i = vma_find(start);
  memmove(&vmas[i + 1], &vmas[i], (nvma - i) * sizeof *vmas);
  vmas[i] = v;
  nvma++;
  vma_merge_around(start, start + len);
  return 0;
}

/* -- mmap / munmap / mprotect ---------------------------------------------- */

#define MAP_KNOWN                                                                          \
  (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_DENYWRITE |     \
   MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | \
   MAP_HUGETLB | MAP_SYNC | MAP_FIXED_NOREPLACE)

static void fd_path(int fd, char *buf, size_t size) {
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(proc, buf, size - 1);
  buf[n > 0 ? n : 0] = '\0';
}

int64_t gmem_map(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset,
                 const char *name) {
  int type = flags & MAP_TYPE;
  bool anon = flags & MAP_ANONYMOUS;
  bool noreplace = flags & MAP_FIXED_NOREPLACE;
  bool fixed = noreplace || (flags & MAP_FIXED);
  if (!gmem_limit)
    return -ENOMEM;
  if (type == MAP_SHARED_VALIDATE) {
    if (flags & ~MAP_KNOWN)
      return -EOPNOTSUPP;
    type = MAP_SHARED;
  } else if (type != MAP_SHARED && type != MAP_PRIVATE) {
    return -EINVAL;
  }
  if ((prot & ~PROT_RWX) || len == 0 || (offset & (GMEM_PAGE - 1)))
    return -EINVAL;
  uint64_t size = gmem_page_up(len);
  if (size < len || size > gmem_limit)
    return -ENOMEM;
  if (!anon && offset + size < offset)
    return -EOVERFLOW;
  if (fixed && (addr & (GMEM_PAGE - 1)))
    return -EINVAL;
  if (fixed && addr < GMEM_MIN_ADDR)
    return -EPERM;
  if (fixed && addr > gmem_limit - size)
    return -ENOMEM;

  struct stat st;
  char path[PATH_MAX];
  if (anon) {
    fd = -1;
    offset = 0;
  } else {
    if (fstat(fd, &st) < 0)
      return -errno;
    if (!name) {
      fd_path(fd, path, sizeof path);
      name = path;
    }
  }
  int hflags = type | (anon ? MAP_ANONYMOUS : 0) | (flags & (MAP_NORESERVE | MAP_POPULATE));
  int vflags = type | (anon ? MAP_ANONYMOUS : 0) | (flags & MAP_GROWSDOWN);

  int64_t rc;
  pthread_mutex_lock(&gmem_lock);
  const char *nm = name_intern(name);
  uint64_t start = addr;
  if (!nm || !vma_room(3))
    rc = -ENOMEM;
  else if (noreplace && !range_free(addr, addr + size))
    rc = -EEXIST;
  else if (!fixed && !(start = pick_free(addr, size, flags & MAP_32BIT)))
    rc = -ENOMEM;
  else
    rc = map_locked(start, size, prot, vflags, hflags, fd, offset, anon ? NULL : &st, nm);
  pthread_mutex_unlock(&gmem_lock);
  return rc < 0 ? rc : (int64_t)start;
}

int gmem_unmap(uint64_t addr, uint64_t len) {
  if ((addr & (GMEM_PAGE - 1)) || len == 0)
    return -EINVAL;
  uint64_t size = gmem_page_up(len);
  if (size < len || addr > gmem_limit || size > gmem_limit - addr)
    return -EINVAL;
  int rc = 0;
  pthread_mutex_lock(&gmem_lock);
  if (!vma_room(2))
    rc = -ENOMEM;
  else if (!range_free(addr, addr + size) && (rc = host_reserve(addr, addr + size)) == 0)
    vma_remove(addr, addr + size);
  pthread_mutex_unlock(&gmem_lock);
  return rc;
}

/* Like Linux, VMA by VMA: a hole stops it with -ENOMEM, earlier parts stay changed. */
int gmem_protect(uint64_t addr, uint64_t len, int prot) {
  if ((addr & (GMEM_PAGE - 1)) || (prot & ~PROT_RWX))
    return -EINVAL;
  if (len == 0)
    return 0;
  uint64_t size = gmem_page_up(len);
  if (size < len || addr > gmem_limit || size > gmem_limit - addr)
    return -ENOMEM;
  uint64_t end = addr + size, cur = addr;
  int rc = 0;
  pthread_mutex_lock(&gmem_lock);
  if (!vma_room(2)) {
    pthread_mutex_unlock(&gmem_lock);
    return -ENOMEM;
  }
  vma_split_at(addr);
  vma_split_at(end);
  for (size_t i = vma_find(addr); cur < end; i++) {
    if (i == nvma || vmas[i].start != cur) {
      rc = -ENOMEM;
      break;
    }
    if (mprotect(gmem_g2h(cur), vmas[i].end - cur, host_prot(prot)) < 0) {
      rc = -errno;
      break;
    }
    vmas[i].prot = prot;
    cur = vmas[i].end;
  }
  vma_merge_around(addr, end);
  pthread_mutex_unlock(&gmem_lock);
  return rc;
}

/* -- mremap ------------------------------------------------------------------- */

/* Grow the VMA at index i (ending at addr + old_len) in place to new_len. The
 * reservation after it is unmapped first so the host can extend the mapping
 * itself (same object: a shared mapping stays shared); if that fails (the range
 * is several host mappings), a private anonymous one gets fresh zero pages. */
static int grow_in_place(size_t i, uint64_t addr, uint64_t old_len, uint64_t new_len) {
  uint64_t old_end = addr + old_len, new_end = addr + new_len;
  Vma *v = &vmas[i];
  int rc = 0;
  if (munmap(gmem_g2h(old_end), new_end - old_end) < 0)
    return -errno;
  if (mremap(gmem_g2h(addr), old_len, new_len, 0) == MAP_FAILED) {
    rc = -errno;
    host_reserve(old_end, new_end);
    if ((v->flags & (MAP_TYPE | MAP_ANONYMOUS)) == (MAP_PRIVATE | MAP_ANONYMOUS))
      rc = host_map(old_end, new_end - old_end, host_prot(v->prot),
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, false);
    if (rc < 0)
      return rc;
  }
  v->end = new_end;
  vma_merge_around(v->start, new_end);
  return 0;
}

/* Move [addr, addr+old_len) of the VMA at index i to dst, new_len long, with
 * the host's mremap (one atomic replace of the reservation at dst), then give
 * the old range back to the reservation. Needs room for four more VMAs. */
static int move_to(size_t i, uint64_t addr, uint64_t old_len, uint64_t new_len, uint64_t dst) {
  Vma moved = vmas[i];
  moved.offset += addr - moved.start;
  void *p = mremap(gmem_g2h(addr), old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED,
                   gmem_g2h(dst));
  if (p == MAP_FAILED) {
    int rc = -errno;
    if (rc != -EFAULT || (moved.flags & (MAP_TYPE | MAP_ANONYMOUS)) != (MAP_PRIVATE | MAP_ANONYMOUS))
      return rc;
    /* Several host mappings (private anonymous): copy them instead. */
    rc = host_map(dst, new_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
                  !range_free(dst, dst + new_len));
    if (rc < 0 || mprotect(gmem_g2h(addr), old_len, PROT_READ) < 0)
      return rc < 0 ? rc : -errno;
    memcpy(gmem_g2h(dst), gmem_g2h(addr), old_len);
    mprotect(gmem_g2h(dst), new_len, host_prot(moved.prot));
  }
  host_reserve(addr, addr + old_len);
  vma_remove(addr, addr + old_len);
  vma_remove(dst, dst + new_len);
  moved.start = dst;
  moved.end = dst + new_len;
  size_t j = vma_find(dst);
  memmove(&vmas[j + 1], &vmas[j], (nvma - j) * sizeof *vmas);
  vmas[j] = moved;
  nvma++;
  vma_merge_around(dst, dst + new_len);
  return 0;
}

static int64_t remap_locked(uint64_t addr, uint64_t old_len, uint64_t new_len, int flags,
                            uint64_t new_addr) {
  size_t i = vma_find(addr);
  if (i == nvma || vmas[i].start > addr || vmas[i].end < addr + old_len)
    return -EFAULT;
  if (flags & MREMAP_FIXED) {
    if (new_addr < GMEM_MIN_ADDR || new_addr > gmem_limit - new_len)
      return -EINVAL;
    if (new_addr < addr + old_len && addr < new_addr + new_len)
      return -EINVAL;
    if (new_len < old_len) { /* Linux drops the tail first */
      host_reserve(addr + new_len, addr + old_len);
      vma_remove(addr + new_len, addr + old_len);
      old_len = new_len;
    }
    int rc = move_to(vma_find(addr), addr, old_len, new_len, new_addr);
    return rc < 0 ? rc : (int64_t)new_addr;
  }
  if (new_len <= old_len) {
    int rc = new_len < old_len ? host_reserve(addr + new_len, addr + old_len) : 0;
    if (rc == 0)
      vma_remove(addr + new_len, addr + old_len);
    return rc < 0 ? rc : (int64_t)addr;
  }
  int rc = -ENOMEM;
  if (vmas[i].end == addr + old_len && new_len <= gmem_limit - addr &&
      range_free(addr + old_len, addr + new_len))
    rc = grow_in_place(i, addr, old_len, new_len);
  if (rc == 0)
    return (int64_t)addr;
  if (!(flags & MREMAP_MAYMOVE))
    return rc;
  uint64_t dst = pick_free(0, new_len, false);
  if (!dst)
    return -ENOMEM;
  rc = move_to(i, addr, old_len, new_len, dst);
  return rc < 0 ? rc : (int64_t)dst;
}

int64_t gmem_remap(uint64_t addr, uint64_t old_len, uint64_t new_len, int flags,
                   uint64_t new_addr) {
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
    return -EINVAL; /* MREMAP_DONTUNMAP is not supported */
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
    return -EINVAL;
  if ((addr & (GMEM_PAGE - 1)) || ((flags & MREMAP_FIXED) && (new_addr & (GMEM_PAGE - 1))))
    return -EINVAL;
  old_len = gmem_page_up(old_len);
  new_len = gmem_page_up(new_len);
  if (!old_len || !new_len || new_len > gmem_limit)
    return -EINVAL; /* also old_len 0, which duplicates a shared mapping in Linux */
  if (addr > gmem_limit || old_len > gmem_limit - addr)
    return -EFAULT;
  int64_t rc;
  pthread_mutex_lock(&gmem_lock);
  rc = vma_room(7) ? remap_locked(addr, old_len, new_len, flags, new_addr) : -ENOMEM;
  pthread_mutex_unlock(&gmem_lock);
  return rc;
}

/* -- brk --------------------------------------------------------------------- */

void gmem_brk_init(uint64_t start) {
  pthread_mutex_lock(&gmem_lock);
  brk_start = brk_cur = gmem_page_up(start);
  pthread_mutex_unlock(&gmem_lock);
}

uint64_t gmem_brk(uint64_t want) {
  pthread_mutex_lock(&gmem_lock);
  uint64_t old_end = gmem_page_up(brk_cur), new_end = gmem_page_up(want);
  bool ok = brk_start && want >= brk_start && want <= gmem_limit - GMEM_PAGE;
  if (ok && new_end < old_end) {
    ok = vma_room(2) && host_reserve(new_end, old_end) == 0;
    if (ok)
      vma_remove(new_end, old_end);
  } else if (ok && new_end > old_end) {
    /* Linux keeps a page between the heap and the next mapping. */
    ok = range_free(old_end, new_end + GMEM_PAGE) && vma_room(3);
    const char *heap = ok ? name_intern("[heap]") : NULL;
    ok = heap && map_locked(old_end, new_end - old_end, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
                            NULL, heap) == 0;
  }
  if (ok)
    brk_cur = want;
  uint64_t r = brk_cur;
  pthread_mutex_unlock(&gmem_lock);
  return r;
}

/* -- Queries ------------------------------------------------------------------- */

bool gmem_check(uint64_t addr, uint64_t len, int prot) {
  if (addr > gmem_limit || len > gmem_limit - addr)
    return false;
  uint64_t cur = addr, end = addr + len;
  bool ok = true;
  pthread_mutex_lock(&gmem_lock);
  for (size_t i = vma_find(addr); cur < end; i++) {
    if (i == nvma || vmas[i].start > cur || (vmas[i].prot & prot) != prot) {
      ok = false;
      break;
    }
    cur = vmas[i].end;
  }
  pthread_mutex_unlock(&gmem_lock);
  return ok;
}

bool gmem_lookup(uint64_t addr, GmemVmaInfo *out) {
  pthread_mutex_lock(&gmem_lock);
  size_t i = vma_find(addr);
  bool found = i < nvma && vmas[i].start <= addr;
  if (found)
    *out = (GmemVmaInfo){vmas[i].start, vmas[i].end, vmas[i].offset, vmas[i].prot,
                         vmas[i].flags, vmas[i].name};
  pthread_mutex_unlock(&gmem_lock);
  return found;
}

/* One line as Linux's show_map_vma writes it: the name starts at column 73. */
static int format_vma(char *line, size_t size, const Vma *v) {
  bool file = !(v->flags & MAP_ANONYMOUS);
  int n = snprintf(line, size, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ",
                   v->start, v->end, v->prot & PROT_READ ? 'r' : '-',
                   v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
                   (v->flags & MAP_TYPE) == MAP_SHARED ? 's' : 'p', file ? v->offset : 0,
                   major(v->dev), minor(v->dev), v->ino);
  if (*v->name)
    n += snprintf(line + n, size - n, "%*s%s", n < 73 ? 73 - n : 1, "", v->name);
  n += snprintf(line + n, size - n, "\n");
  return n;
}

size_t gmem_format_maps(char *buf, size_t size) {
  char line[PATH_MAX + 160];
  size_t total = 0;
  pthread_mutex_lock(&gmem_lock);
  for (size_t i = 0; i < nvma; i++) {
    size_t n = (size_t)format_vma(line, sizeof line, &vmas[i]);
    if (n >= sizeof line)
      n = sizeof line - 1;
    if (total < size)
      memcpy(buf + total, line, total + n < size ? n : size - total);
    total += n;
  }
  pthread_mutex_unlock(&gmem_lock);
  if (size)
    buf[total < size ? total : size - 1] = '\0';
  return total;
}

void gmem_reset(void) {
  pthread_mutex_lock(&gmem_lock);
  for (size_t i = 0; i < nvma; i++)
    host_reserve(vmas[i].start, vmas[i].end);
  nvma = 0;
  for (size_t i = 0; i < nnames; i++)
    free(names[i]);
  nnames = 0;
  brk_start = brk_cur = 0;
  pthread_mutex_unlock(&gmem_lock);
}

void gmem_fork_lock(void) { pthread_mutex_lock(&gmem_lock); }
void gmem_fork_unlock(void) { pthread_mutex_unlock(&gmem_lock); }
