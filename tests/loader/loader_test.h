/* loader_test.h — shared helpers for the loader tests: a scratch directory, an
 * ELF64 file builder, host /proc/self/maps lookups, and LOADER_TEST_MAIN, which
 * runs a group once in the default window (identity unless ASan) and again, in a
 * re-executed child, in a small kernel-placed window (2^38, nonzero gmem_base). */
#ifndef EMU_LOADER_TEST_H
#define EMU_LOADER_TEST_H

#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest_mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define LT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LT_ASAN 1
#endif
#endif
#ifndef LT_ASAN
#define LT_ASAN 0
#endif

#define LT_MODE_ENV "EMU_LOADER_TEST_WINDOW"
#define LT_SMALL_BITS 38

/* -- Scratch files ------------------------------------------------------------- */

static char lt_dir[64];
static char lt_files[256][128];
static int lt_nfiles;

static void lt_cleanup(void) {
  for (int i = 0; i < lt_nfiles; i++)
    unlink(lt_files[i]);
  if (lt_dir[0])
    rmdir(lt_dir);
}

/* Write size bytes to a new file in the scratch directory; returns its path. */
static inline const char *lt_write_file(const char *name, const void *data, size_t size) {
  if (!lt_dir[0]) {
    snprintf(lt_dir, sizeof lt_dir, "/tmp/emu-loader-XXXXXX");
    if (!mkdtemp(lt_dir))
      abort();
    atexit(lt_cleanup);
  }
  if (lt_nfiles == 256)
    abort();
  char *path = lt_files[lt_nfiles++];
  snprintf(path, sizeof lt_files[0], "%s/%s", lt_dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  return path;
}

/* -- ELF builder: header at 0, program headers at 64, contents set by the test -- */

typedef struct TestElf {
  Elf64_Ehdr eh;
  Elf64_Phdr ph[16];
  int nph;
  unsigned char *data; /* file image; bytes not set by the test hold lt_fill(offset) */
  size_t size;
} TestElf;

/* Nonzero file filler, so zeroed bss is told apart from file bytes. */
static inline unsigned char lt_fill(size_t off) { return (unsigned char)(off % 251 + 1); }

static inline void te_init(TestElf *t, uint16_t type, uint16_t machine, size_t size) {
  memset(t, 0, sizeof *t);
  memcpy(t->eh.e_ident, ELFMAG, SELFMAG);
  t->eh.e_ident[EI_CLASS] = ELFCLASS64;
  t->eh.e_ident[EI_DATA] = ELFDATA2LSB;
  t->eh.e_ident[EI_VERSION] = EV_CURRENT;
  t->eh.e_type = type;
  t->eh.e_machine = machine;
  t->eh.e_version = EV_CURRENT;
  t->eh.e_phoff = sizeof(Elf64_Ehdr);
  t->eh.e_ehsize = sizeof(Elf64_Ehdr);
  t->eh.e_phentsize = sizeof(Elf64_Phdr);
  t->data = malloc(size);
  t->size = size;
  for (size_t i = 0; i < size; i++)
    t->data[i] = lt_fill(i);
}

static inline int te_add(TestElf *t, uint32_t type, uint32_t flags, uint64_t vaddr, uint64_t off,
                         uint64_t filesz, uint64_t memsz) {
  Elf64_Phdr *p = &t->ph[t->nph];
  *p = (Elf64_Phdr){type, flags, off, vaddr, vaddr, filesz, memsz, 0x1000};
  return t->nph++;
}

/* Serialize the headers into the image (e_phnum = nph unless already set). */
static inline void te_finish(TestElf *t) {
  if (!t->eh.e_phnum)
    t->eh.e_phnum = (uint16_t)t->nph;
  memcpy(t->data, &t->eh, sizeof t->eh);
  size_t ph = t->nph * sizeof(Elf64_Phdr);
  if (t->eh.e_phoff <= t->size && ph <= t->size - t->eh.e_phoff)
    memcpy(t->data + t->eh.e_phoff, t->ph, ph);
}

static inline const char *te_write(TestElf *t, const char *name) {
  te_finish(t);
  return lt_write_file(name, t->data, t->size);
}

static inline void te_free(TestElf *t) { free(t->data); }

/* The standard static x86-64 executable: 3 PT_LOADs (R with the headers, RX,
 * RW with 0x200 file bytes and bss to 0x408100), a hole at 0x402000, PT_GNU_STACK. */
static inline void te_standard(TestElf *t, uint16_t type, uint64_t base) {
  te_init(t, type, EM_X86_64, 0x3000);
  te_add(t, PT_LOAD, PF_R, base + 0x0, 0x0, 0x1000, 0x1000);
  te_add(t, PT_LOAD, PF_R | PF_X, base + 0x1000, 0x1000, 0x800, 0x800);
  te_add(t, PT_LOAD, PF_R | PF_W, base + 0x3100, 0x2100, 0x200, 0x5000);
  te_add(t, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
  t->eh.e_entry = base + 0x1000;
}

/* -- Inspection ------------------------------------------------------------------ */

static inline size_t lt_guest_vmas(void) {
  char buf[8192];
  size_t n = gmem_format_maps(buf, sizeof buf), lines = 0;
  for (size_t i = 0; i < n && i < sizeof buf; i++)
    lines += buf[i] == '\n';
  return lines;
}

/* The host /proc/self/maps line covering host address p ("" if none): perms at +0. */
static inline int lt_host_line(const void *p, char *perms, char *path, size_t pathsize) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[4096];
  int found = 0;
  uintptr_t a = (uintptr_t)p;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    char pr[8] = "", name[4096] = "";
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095[^\n]", &lo, &hi, pr, name) < 3)
      continue;
    if (a >= lo && a < hi) {
      strcpy(perms, pr);
      char *n = name;
      while (*n == ' ')
        n++;
      snprintf(path, pathsize, "%s", n);
      found = 1;
      break;
    }
  }
  if (f)
    fclose(f);
  return found;
}

/* Guest maps line starting at guest address a, copied into out ("" if none). */
static inline int lt_guest_line(uint64_t a, char *out, size_t size) {
  static char buf[1 << 16];
  char key[32];
  gmem_format_maps(buf, sizeof buf);
  snprintf(key, sizeof key, "%08llx-", (unsigned long long)a);
  for (char *l = buf; *l;) {
    char *nl = strchr(l, '\n');
    if (!strncmp(l, key, strlen(key))) {
      size_t n = (size_t)(nl - l);
      snprintf(out, size, "%.*s", (int)n, l);
      return 1;
    }
    l = nl + 1;
  }
  out[0] = '\0';
  return 0;
}

static inline int lt_reset(void **state) {
  gmem_reset();
  return 0;
}

/* Every test starts and ends with an empty guest address space. */
#define LT_TEST(f) cmocka_unit_test_setup_teardown(f, lt_reset, lt_reset)

/* -- Main: both window kinds ------------------------------------------------------ */

static inline int lt_main(int argc, char **argv, const char *group, const struct CMUnitTest *tests,
                          size_t n) {
  const char *mode = getenv(LT_MODE_ENV);
  int small = mode && !strcmp(mode, "small");
  int rc = small ? gmem_init_ex(GMEM_INIT_NO_IDENTITY, LT_SMALL_BITS) : gmem_init();
  if (rc < 0) {
    fprintf(stderr, "gmem_init: %s\n", strerror(-rc));
    return 1;
  }
  printf("%s: window base %#lx limit %#llx\n", group, (unsigned long)gmem_base,
         (unsigned long long)gmem_limit);
  int failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
  if (small)
    return failed;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    setenv(LT_MODE_ENV, "small", 1);
    execv("/proc/self/exe", argv);
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
    failed++;
  return failed;
}

#define LOADER_TEST_MAIN(tests)                                                   \
  int main(int argc, char **argv) {                                               \
    return lt_main(argc, argv, #tests, tests, sizeof tests / sizeof tests[0]);    \
  }

#endif
