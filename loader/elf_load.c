/* elf_load.c — the ELF64 loader (see elf_load.h); Linux's binfmt_elf is the model.
 *
 * 1. Read the ELF and program headers ourselves and check them against the file;
 *    libelf then decodes only that checked copy, never the file itself.
 * 2. Check every PT_LOAD (sizes, file range, congruence, order, the window).
 * 3. Reserve the image's whole span, map each segment over it, zero partial bss
 *    pages, unmap the holes between segments. Any failure unmaps the span.
 */
#define _GNU_SOURCE
#include "elf_load.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_mem.h"

#define ELF_MAX_PHDR_BYTES 4096   /* Linux: e_phnum * e_phentsize <= ELF_MIN_ALIGN */
#define ELF_MAX_PHNUM (ELF_MAX_PHDR_BYTES / sizeof(Elf64_Phdr))
#define ELF_MAX_ALIGN (1ull << 30) /* a larger p_align is ignored, not honoured */

typedef struct ElfCtx {
  int fd;
  uint64_t fsize;
  unsigned flags;
  Elf64_Ehdr eh;
  GElf_Phdr ph[ELF_MAX_PHNUM];
  size_t nph;
  char *err;
  size_t errsize;
} ElfCtx;

static int fail(ElfCtx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (c->errsize)
    vsnprintf(c->err, c->errsize, fmt, ap);
  va_end(ap);
  return -1;
}

/* strerror, lower-cased to fit in a one-line reason. */
static const char *errno_text(int e, char *buf, size_t size) {
  snprintf(buf, size, "%s", strerror(e));
  buf[0] = (char)tolower((unsigned char)buf[0]);
  return buf;
}

static const struct {
  uint16_t em;
  const char *name;
} machine_names[] = {
    {EM_X86_64, "x86-64"}, {EM_AARCH64, "aarch64"}, {EM_386, "i386"},     {EM_ARM, "arm"},
    {EM_RISCV, "riscv"},   {EM_PPC64, "ppc64"},     {EM_PPC, "ppc"},      {EM_S390, "s390"},
    {EM_MIPS, "mips"},     {EM_SPARCV9, "sparc64"}, {EM_IA_64, "ia64"},   {EM_LOONGARCH, "loongarch"},
};

const char *elf_machine_name(uint16_t machine) {
  for (size_t i = 0; i < sizeof machine_names / sizeof machine_names[0]; i++)
    if (machine_names[i].em == machine)
      return machine_names[i].name;
  return NULL;
}

static bool read_full(int fd, void *buf, size_t len, uint64_t off) {
  for (size_t done = 0; done < len;) {
    ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += (size_t)n;
  }
  return true;
}

/* -- Step 1: headers --------------------------------------------------------- */

static int check_ident(ElfCtx *c, uint16_t machine) {
  unsigned char *id = c->eh.e_ident;
  size_t got = c->fsize < sizeof c->eh ? (size_t)c->fsize : sizeof c->eh;
  if (got < SELFMAG || !read_full(c->fd, &c->eh, got, 0) || memcmp(id, ELFMAG, SELFMAG))
    return fail(c, "not an ELF file");
  if (got < sizeof c->eh)
    return fail(c, "truncated ELF header");
  if (id[EI_CLASS] == ELFCLASS32)
    return fail(c, "exec format error: 32-bit ELF (ELFCLASS32), expected ELFCLASS64");
  if (id[EI_CLASS] != ELFCLASS64)
    return fail(c, "invalid ELF class %u", id[EI_CLASS]);
  if (id[EI_DATA] == ELFDATA2MSB)
    return fail(c, "exec format error: big-endian ELF, expected little-endian");
  if (id[EI_DATA] != ELFDATA2LSB)
    return fail(c, "invalid ELF data encoding %u", id[EI_DATA]);
  if (id[EI_VERSION] != EV_CURRENT || c->eh.e_version != EV_CURRENT)
    return fail(c, "unsupported ELF version");
  if (c->eh.e_machine != machine) {
    const char *have = elf_machine_name(c->eh.e_machine), *want = elf_machine_name(machine);
    char num[24];
    snprintf(num, sizeof num, "machine %u", c->eh.e_machine);
    return fail(c, "exec format error: ELF for %s, expected %s", have ? have : num,
                want ? want : "?");
  }
  if (c->eh.e_type != ET_EXEC && c->eh.e_type != ET_DYN)
    return fail(c, "not an executable (ELF type %u)", c->eh.e_type);
  return 0;
}

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static void libelf_init(void) { elf_version(EV_CURRENT); }

/* Read the program headers; libelf decodes a copy holding only the checked ELF
 * header (section headers dropped: the loader never needs them) and the table. */
static int read_phdrs(ElfCtx *c) {
  const Elf64_Ehdr *eh = &c->eh;
  if (eh->e_phentsize != sizeof(Elf64_Phdr))
    return fail(c, "bad program header size %u", eh->e_phentsize);
  if (eh->e_phnum == 0)
    return fail(c, "no program headers");
  if (eh->e_phnum > ELF_MAX_PHNUM)
    return fail(c, "too many program headers (%u)", eh->e_phnum);
  size_t phsize = (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
  if (eh->e_phoff > c->fsize || phsize > c->fsize - eh->e_phoff)
    return fail(c, "program headers outside the file");

  union {
    Elf64_Ehdr eh;
    char bytes[sizeof(Elf64_Ehdr) + ELF_MAX_PHDR_BYTES];
  } copy;
  copy.eh = *eh;
  copy.eh.e_phoff = sizeof(Elf64_Ehdr);
  copy.eh.e_shoff = 0;
  copy.eh.e_shnum = 0;
  copy.eh.e_shstrndx = SHN_UNDEF;
  if (!read_full(c->fd, copy.bytes + sizeof(Elf64_Ehdr), phsize, eh->e_phoff))
    return fail(c, "cannot read program headers");

  pthread_once(&libelf_once, libelf_init);
  Elf *elf = elf_memory(copy.bytes, sizeof(Elf64_Ehdr) + phsize);
  size_t n = 0;
  int rc = 0;
  if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n) != 0 || n != eh->e_phnum)
    rc = fail(c, "libelf: %s", elf_errmsg(-1) ? elf_errmsg(-1) : "bad program headers");
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (!gelf_getphdr(elf, (int)i, &c->ph[i]))
      rc = fail(c, "libelf: %s", elf_errmsg(-1));
  c->nph = n;
  elf_end(elf);
  return rc;
}

/* -- Step 2: segments ---------------------------------------------------------- */

typedef struct Layout {
  uint64_t lo, hi, align; /* page span of the PT_LOADs (unbiased), alignment of the bias */
  const GElf_Phdr *first; /* lowest PT_LOAD (with p_memsz > 0) */
  const GElf_Phdr *phdr;  /* PT_PHDR, if any */
} Layout;

static int check_load(ElfCtx *c, const GElf_Phdr *p, uint64_t *prev_end) {
  if (p->p_filesz > p->p_memsz)
    return fail(c, "segment p_filesz > p_memsz");
  /* A segment with no file bytes (.bss alone) may name any offset: Linux maps
   * nothing from the file for it. */
  if (p->p_filesz && (p->p_offset > c->fsize || p->p_filesz > c->fsize - p->p_offset))
    return fail(c, "segment data outside the file");
  if ((p->p_vaddr - p->p_offset) % GMEM_PAGE)
    return fail(c, "segment p_vaddr and p_offset differ modulo the page size");
  if (p->p_memsz > gmem_limit || p->p_vaddr > gmem_limit - p->p_memsz)
    return fail(c, "segment outside the guest address space");
  if (p->p_memsz && p->p_vaddr < *prev_end)
    return fail(c, "PT_LOAD segments overlap or are out of order");
  if (p->p_memsz)
    *prev_end = p->p_vaddr + p->p_memsz;
  return 0;
}

static int read_interp(ElfCtx *c, const GElf_Phdr *p, ElfImage *out) {
  if (p->p_filesz < 2 || p->p_filesz > sizeof out->interp)
    return fail(c, "invalid PT_INTERP size");
  if (p->p_offset > c->fsize || p->p_filesz > c->fsize - p->p_offset)
    return fail(c, "PT_INTERP outside the file");
  if (!read_full(c->fd, out->interp, p->p_filesz, p->p_offset))
    return fail(c, "cannot read PT_INTERP");
  if (out->interp[p->p_filesz - 1] != '\0' || strlen(out->interp) != p->p_filesz - 1)
    return fail(c, "PT_INTERP is not a NUL-terminated path");
  out->has_interp = true;
  return 0;
}

static int check_segments(ElfCtx *c, ElfImage *out, Layout *l) {
  uint64_t prev_end = 0;
  *l = (Layout){.align = GMEM_PAGE};
  out->exec_stack = true; /* Linux's default without PT_GNU_STACK */
  for (size_t i = 0; i < c->nph; i++) {
    const GElf_Phdr *p = &c->ph[i];
    if (p->p_type == PT_LOAD) {
      if (check_load(c, p, &prev_end) < 0)
        return -1;
      if (!p->p_memsz)
        continue;
      if (!l->first)
        l->first = p;
      l->hi = gmem_page_up(p->p_vaddr + p->p_memsz);
      if (p->p_align > l->align && p->p_align <= ELF_MAX_ALIGN && !(p->p_align & (p->p_align - 1)))
        l->align = p->p_align;
    } else if (p->p_type == PT_INTERP && !out->has_interp && !(c->flags & ELF_LOAD_INTERP)) {
      if (read_interp(c, p, out) < 0)
        return -1;
    } else if (p->p_type == PT_GNU_STACK) {
      out->exec_stack = p->p_flags & PF_X;
    } else if (p->p_type == PT_PHDR && !l->phdr) {
      l->phdr = p;
    }
  }
  if (!l->first)
    return fail(c, "no loadable segments");
  l->lo = gmem_page_down(l->first->p_vaddr);
  return 0;
}

/* -- Step 3: mapping ------------------------------------------------------------- */

static int map_error(ElfCtx *c, const char *what, int64_t rc) {
  char buf[96];
  if (rc == -EEXIST)
    return fail(c, "%s: address range already in use", what);
  if (rc == -EPERM)
    return fail(c, "%s: below the lowest mappable address", what);
  return fail(c, "%s: %s", what, errno_text((int)-rc, buf, sizeof buf));
}

/* Reserve [lo, hi) + bias as PROT_NONE: ET_EXEC where it says; a program at the
 * ET_DYN base (scaled to the window, like Linux's 2/3 of TASK_SIZE but lower);
 * an interpreter, or a program whose base is taken, top-down below the mmap base. */
static int reserve_span(ElfCtx *c, const Layout *l, uint64_t *bias) {
  const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
  uint64_t span = l->hi - l->lo;
  int64_t r;
  if (c->eh.e_type == ET_EXEC) {
    r = gmem_map(l->lo, span, PROT_NONE, anon | MAP_FIXED_NOREPLACE, -1, 0, NULL);
    if (r < 0)
      return map_error(c, "cannot place the image", r);
    *bias = 0;
    return 0;
  }
  if (!(c->flags & ELF_LOAD_INTERP)) {
    uint64_t want = (gmem_page_down(gmem_limit / 3) + l->align - 1) & ~(l->align - 1);
    r = gmem_map(want, span, PROT_NONE, anon | MAP_FIXED_NOREPLACE, -1, 0, NULL);
    if (r >= 0) {
      *bias = want - l->lo;
      return 0;
    }
  }
  uint64_t len = span + l->align - GMEM_PAGE;
  r = gmem_map(0, len, PROT_NONE, anon, -1, 0, NULL);
  if (r < 0)
    return map_error(c, "no room for the image", r);
  uint64_t start = ((uint64_t)r + l->align - 1) & ~(l->align - 1);
  if (start > (uint64_t)r)
    gmem_unmap((uint64_t)r, start - (uint64_t)r);
  if ((uint64_t)r + len > start + span)
    gmem_unmap(start + span, (uint64_t)r + len - (start + span));
  *bias = start - l->lo;
  return 0;
}

static int seg_prot(uint32_t pf) {
  return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) | (pf & PF_X ? PROT_EXEC : 0);
}

/* Map the file part (falling back to a copy when the file cannot be mapped) and the
 * anonymous part from anon_start. The page holding p's start may belong to the
 * previous segment too: then only a file part maps over it, as Linux does. */
static int map_segment(ElfCtx *c, const GElf_Phdr *p, uint64_t bias, uint64_t anon_start) {
  uint64_t start = bias + p->p_vaddr, page = gmem_page_down(start);
  uint64_t file_end = start + p->p_filesz, mem_end = gmem_page_up(start + p->p_memsz);
  int prot = seg_prot(p->p_flags);
  int64_t r;
  if (p->p_filesz) {
    uint64_t len = gmem_page_up(file_end) - page, off = p->p_offset - (start - page);
    r = gmem_map(page, len, prot, MAP_PRIVATE | MAP_FIXED, c->fd, off, NULL);
    if (r < 0) {
      r = gmem_map(page, len, prot | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0,
                   NULL);
      if (r < 0)
        return map_error(c, "cannot map segment", r);
      if (!read_full(c->fd, gmem_g2h(page), file_end - page, off))
        return fail(c, "cannot read segment");
      if ((r = gmem_protect(page, len, prot)) < 0)
        return map_error(c, "cannot protect segment", r);
    }
  }
  if (mem_end > anon_start) {
    r = gmem_map(anon_start, mem_end - anon_start, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0, NULL);
    if (r < 0)
      return map_error(c, "cannot map bss", r);
  }
  return 0;
}

/* Zero [from, to), inside one page, lending it PROT_WRITE if it lacks it. */
static int zero_bss(ElfCtx *c, uint64_t from, uint64_t to) {
  uint64_t page = gmem_page_down(from);
  GmemVmaInfo v;
  if (from >= to)
    return 0;
  if (!gmem_lookup(page, &v))
    return fail(c, "bss page not mapped");
  bool lend = !(v.prot & PROT_WRITE);
  if (lend && gmem_protect(page, GMEM_PAGE, v.prot | PROT_WRITE) < 0)
    return fail(c, "cannot zero bss");
  memset(gmem_g2h(from), 0, to - from);
  if (lend)
    gmem_protect(page, GMEM_PAGE, v.prot);
  return 0;
}

static int map_segments(ElfCtx *c, uint64_t bias) {
  uint64_t prev_hi = 0; /* page end of the previous segment, biased */
  for (size_t i = 0; i < c->nph; i++) {
    const GElf_Phdr *p = &c->ph[i];
    if (p->p_type != PT_LOAD || !p->p_memsz)
      continue;
    uint64_t start = bias + p->p_vaddr, file_end = start + p->p_filesz;
    uint64_t anon_start = p->p_filesz ? gmem_page_up(file_end) : gmem_page_down(start);
    if (anon_start < prev_hi)
      anon_start = prev_hi;
    if (prev_hi && gmem_page_down(start) > prev_hi)
      gmem_unmap(prev_hi, gmem_page_down(start) - prev_hi); /* hole between segments */
    if (map_segment(c, p, bias, anon_start) < 0)
      return -1;
    /* With bss, Linux zeroes the rest of the file's last page (padzero), not just
     * to p_memsz: ld.so's early malloc hands out that tail assuming zeroes. */
    uint64_t zero_end = p->p_memsz > p->p_filesz ? anon_start : file_end;
    if (zero_bss(c, file_end, zero_end) < 0)
      return -1;
    prev_hi = gmem_page_up(start + p->p_memsz);
  }
  return 0;
}

/* AT_PHDR: PT_PHDR, else the PT_LOAD whose file bytes hold the table, else where
 * Linux puts it (first segment's load address + e_phoff). */
static uint64_t find_phdr(const ElfCtx *c, const Layout *l, uint64_t bias) {
  uint64_t phsize = (uint64_t)c->nph * sizeof(Elf64_Phdr), off = c->eh.e_phoff;
  if (l->phdr)
    return bias + l->phdr->p_vaddr;
  for (size_t i = 0; i < c->nph; i++) {
    const GElf_Phdr *p = &c->ph[i];
    if (p->p_type == PT_LOAD && p->p_offset <= off && off + phsize <= p->p_offset + p->p_filesz)
      return bias + p->p_vaddr + (off - p->p_offset);
  }
  return bias + l->first->p_vaddr - l->first->p_offset + off;
}

static int load(ElfCtx *c, uint16_t machine, ElfImage *out) {
  Layout l;
  uint64_t bias = 0;
  memset(out, 0, sizeof *out);
  if (!gmem_limit)
    return fail(c, "guest memory not initialized");
  if (check_ident(c, machine) < 0 || read_phdrs(c) < 0 || check_segments(c, out, &l) < 0)
    return -1;
  if (c->eh.e_type == ET_EXEC && l.lo < GMEM_MIN_ADDR)
    return fail(c, "segment below the lowest mappable address");
  if (reserve_span(c, &l, &bias) < 0)
    return -1;
  out->map_start = l.lo + bias;
  out->map_end = l.hi + bias;
  if (c->eh.e_entry >= gmem_limit || bias + c->eh.e_entry >= gmem_limit) {
    elf_unload(out);
    return fail(c, "entry point outside the guest address space");
  }
  if (map_segments(c, bias) < 0) {
    elf_unload(out);
    return -1;
  }
  uint64_t end = 0;
  for (size_t i = 0; i < c->nph; i++)
    if (c->ph[i].p_type == PT_LOAD && c->ph[i].p_memsz &&
        c->ph[i].p_vaddr + c->ph[i].p_memsz > end)
      end = c->ph[i].p_vaddr + c->ph[i].p_memsz;
  out->machine = c->eh.e_machine;
  out->type = c->eh.e_type;
  out->entry = bias + c->eh.e_entry;
  out->phdr = find_phdr(c, &l, bias);
  out->phent = sizeof(Elf64_Phdr);
  out->phnum = c->nph;
  out->bias = bias;
  out->base = bias + l.first->p_vaddr - l.first->p_offset;
  out->end = bias + end;
  out->brk = gmem_page_up(out->end);
  return 0;
}

int elf_load_fd(int fd, uint16_t machine, unsigned flags, ElfImage *out, char *err,
                size_t errsize) {
  ElfCtx c = {.fd = fd, .flags = flags, .err = err, .errsize = errsize};
  struct stat st;
  char buf[96];
  if (errsize)
    err[0] = '\0';
  if (fstat(fd, &st) < 0) {
    memset(out, 0, sizeof *out);
    return fail(&c, "%s", errno_text(errno, buf, sizeof buf));
  }
  if (!S_ISREG(st.st_mode)) {
    memset(out, 0, sizeof *out);
    return fail(&c, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
  }
  c.fsize = (uint64_t)st.st_size;
  if (load(&c, machine, out) < 0)
    return -1;
  if (!(flags & ELF_LOAD_INTERP))
    gmem_brk_init(out->brk);
  return 0;
}

static int load_path(const char *path, uint16_t machine, unsigned flags, ElfImage *out,
                     char *err, size_t errsize) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ElfCtx c = {.err = err, .errsize = errsize};
    char buf[96];
    memset(out, 0, sizeof *out);
    return fail(&c, "%s", errno_text(errno, buf, sizeof buf));
  }
  int rc = elf_load_fd(fd, machine, flags, out, err, errsize);
  close(fd);
  return rc;
}

int elf_load(const char *path, uint16_t machine, ElfImage *out, char *err, size_t errsize) {
  return load_path(path, machine, 0, out, err, errsize);
}

int elf_load_interp(const char *path, uint16_t machine, ElfImage *out, char *err,
                    size_t errsize) {
  return load_path(path, machine, ELF_LOAD_INTERP, out, err, errsize);
}

void elf_unload(const ElfImage *img) {
  if (img->map_end > img->map_start)
    gmem_unmap(img->map_start, img->map_end - img->map_start);
}
