/* test_elf_reject.c — every malformed or foreign ELF is refused with -1, the
 * expected one-line reason, no crash and nothing left mapped (guest list and host
 * window); then thousands of random mutations of valid files, which may load or
 * not but must never crash or leak a mapping. */
#include "loader_test.h"

#include <fcntl.h>
#include <limits.h>

#include "elf_load.h"

typedef struct Reject {
  const char *name;
  void (*mutate)(TestElf *t);
  const char *want; /* a substring of the reason */
} Reject;

static void m_magic(TestElf *t) { t->eh.e_ident[EI_MAG1] = 'X'; }
static void m_class32(TestElf *t) { t->eh.e_ident[EI_CLASS] = ELFCLASS32; }
static void m_class7(TestElf *t) { t->eh.e_ident[EI_CLASS] = 7; }
static void m_msb(TestElf *t) { t->eh.e_ident[EI_DATA] = ELFDATA2MSB; }
static void m_data0(TestElf *t) { t->eh.e_ident[EI_DATA] = ELFDATANONE; }
static void m_idversion(TestElf *t) { t->eh.e_ident[EI_VERSION] = 0; }
static void m_version(TestElf *t) { t->eh.e_version = 2; }
static void m_aarch64(TestElf *t) { t->eh.e_machine = EM_AARCH64; }
static void m_machine(TestElf *t) { t->eh.e_machine = 0x1234; }
static void m_rel(TestElf *t) { t->eh.e_type = ET_REL; }
static void m_core(TestElf *t) { t->eh.e_type = ET_CORE; }
static void m_trunc40(TestElf *t) { t->size = 40; }
static void m_trunc3(TestElf *t) { t->size = 3; }
static void m_empty(TestElf *t) { t->size = 0; }
static void m_phentsize(TestElf *t) { t->eh.e_phentsize = 32; }
static void m_phnum0(TestElf *t) { t->nph = 0; }
static void m_phnum_huge(TestElf *t) { t->eh.e_phnum = 1000; }
static void m_phnum_xnum(TestElf *t) { t->eh.e_phnum = PN_XNUM; }
static void m_phoff_far(TestElf *t) { t->eh.e_phoff = 0x100000; }
static void m_phoff_wrap(TestElf *t) { t->eh.e_phoff = 0xffffffffffffffc0ull; }
static void m_phoff_end(TestElf *t) { t->eh.e_phoff = t->size - 10; }
static void m_filesz(TestElf *t) { t->ph[2].p_filesz = t->ph[2].p_memsz + 1; }
static void m_offset_far(TestElf *t) { t->ph[1].p_offset = 0x10000; }
static void m_offset_wrap(TestElf *t) { t->ph[1].p_offset = 0xfffffffffffff000ull; }
static void m_filesz_far(TestElf *t) { t->ph[1].p_filesz = t->ph[1].p_memsz = 0x2001; }
static void m_congruent(TestElf *t) { t->ph[1].p_offset = 0x1100; }
static void m_vaddr_wrap(TestElf *t) { t->ph[2].p_vaddr = 0xfffffffffffff100ull; }
static void m_vaddr_window(TestElf *t) { t->ph[2].p_vaddr = gmem_limit + 0x100; }
static void m_memsz_huge(TestElf *t) { t->ph[2].p_memsz = 1ull << 62; }
static void m_overlap(TestElf *t) { t->ph[1].p_vaddr = 0x400800, t->ph[1].p_offset = 0x800; }
static void m_order(TestElf *t) {
  Elf64_Phdr p = t->ph[0];
  t->ph[0] = t->ph[1];
  t->ph[1] = p;
}
static void m_noload(TestElf *t) {
  for (int i = 0; i < 3; i++)
    t->ph[i].p_type = PT_NOTE;
}
static void m_low(TestElf *t) {
  for (int i = 0; i < 3; i++)
    t->ph[i].p_vaddr -= 0x3ff000;
}
static void add_interp(TestElf *t, const char *s, uint64_t off, uint64_t size) {
  te_add(t, PT_INTERP, PF_R, 0x400300, off, size, size);
  memcpy(t->data + 0x300, s, 6);
}
static void m_interp_nonul(TestElf *t) { add_interp(t, "abcdef", 0x300, 6); }
static void m_interp_midnul(TestElf *t) { add_interp(t, "ab\0de\0", 0x300, 6); }
static void m_interp_short(TestElf *t) { add_interp(t, "\0\0\0\0\0\0", 0x300, 1); }
static void m_interp_long(TestElf *t) { add_interp(t, "/x\0\0\0\0", 0x300, PATH_MAX + 1); }
static void m_interp_far(TestElf *t) { add_interp(t, "/x\0\0\0\0", 0x2ffe, 3); }
static void m_entry(TestElf *t) { t->eh.e_entry = gmem_limit; }
static void m_dyn_span(TestElf *t) {
  t->eh.e_type = ET_DYN;
  for (int i = 0; i < 3; i++)
    t->ph[i].p_vaddr -= 0x400000;
  t->eh.e_entry = 0x1000;
  t->ph[2].p_memsz = gmem_limit - 0x3100 - 0x10;
}

static const Reject rejects[] = {
    {"magic", m_magic, "not an ELF file"},
    {"class32", m_class32, "32-bit ELF"},
    {"class7", m_class7, "invalid ELF class 7"},
    {"big-endian", m_msb, "big-endian"},
    {"data0", m_data0, "invalid ELF data encoding"},
    {"ident version", m_idversion, "unsupported ELF version"},
    {"e_version", m_version, "unsupported ELF version"},
    {"aarch64", m_aarch64, "exec format error: ELF for aarch64, expected x86-64"},
    {"machine", m_machine, "exec format error: ELF for machine 4660, expected x86-64"},
    {"ET_REL", m_rel, "not an executable"},
    {"ET_CORE", m_core, "not an executable"},
    {"truncated", m_trunc40, "truncated ELF header"},
    {"tiny", m_trunc3, "not an ELF file"},
    {"empty", m_empty, "not an ELF file"},
    {"phentsize", m_phentsize, "bad program header size"},
    {"phnum 0", m_phnum0, "no program headers"},
    {"phnum huge", m_phnum_huge, "too many program headers"},
    {"phnum xnum", m_phnum_xnum, "too many program headers"},
    {"phoff far", m_phoff_far, "program headers outside the file"},
    {"phoff wrap", m_phoff_wrap, "program headers outside the file"},
    {"phoff end", m_phoff_end, "program headers outside the file"},
    {"filesz > memsz", m_filesz, "segment p_filesz > p_memsz"},
    {"offset far", m_offset_far, "segment data outside the file"},
    {"offset wrap", m_offset_wrap, "segment data outside the file"},
    {"filesz far", m_filesz_far, "segment data outside the file"},
    {"congruence", m_congruent, "differ modulo the page size"},
    {"vaddr wrap", m_vaddr_wrap, "outside the guest address space"},
    {"vaddr window", m_vaddr_window, "outside the guest address space"},
    {"memsz huge", m_memsz_huge, "outside the guest address space"},
    {"overlap", m_overlap, "overlap or are out of order"},
    {"order", m_order, "overlap or are out of order"},
    {"no PT_LOAD", m_noload, "no loadable segments"},
    {"low", m_low, "below the lowest mappable address"},
    {"interp no NUL", m_interp_nonul, "PT_INTERP is not a NUL-terminated path"},
    {"interp mid NUL", m_interp_midnul, "PT_INTERP is not a NUL-terminated path"},
    {"interp short", m_interp_short, "invalid PT_INTERP size"},
    {"interp long", m_interp_long, "invalid PT_INTERP size"},
    {"interp far", m_interp_far, "PT_INTERP outside the file"},
    {"entry", m_entry, "entry point outside the guest address space"},
    {"dyn span", m_dyn_span, "no room for the image"},
};

static void expect_nothing_mapped(void) {
  char pr[8], path[PATH_MAX];
  assert_int_equal(lt_guest_vmas(), 0);
  for (uint64_t a = 0x400000; a < 0x409000; a += GMEM_PAGE) {
    assert_true(lt_host_line(gmem_g2h(a), pr, path, sizeof path));
    assert_string_equal(pr, "---p");
  }
}

static void expect_reject(const char *path, uint16_t machine, unsigned flags, const char *want) {
  ElfImage img;
  char err[256] = "";
  int rc = flags ? elf_load_interp(path, machine, &img, err, sizeof err)
                 : elf_load(path, machine, &img, err, sizeof err);
  if (rc != -1 || !strstr(err, want)) {
    print_message("%s: rc %d, reason \"%s\", wanted \"%s\"\n", path, rc, err, want);
    fail();
  }
  assert_null(strchr(err, '\n'));
  expect_nothing_mapped();
}

static void test_rejects(void **state) {
  for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
    TestElf t;
    te_standard(&t, ET_EXEC, 0x400000);
    rejects[i].mutate(&t);
    char name[32];
    snprintf(name, sizeof name, "reject%zu", i);
    expect_reject(te_write(&t, name), EM_X86_64, 0, rejects[i].want);
    if (!strstr(rejects[i].want, "PT_INTERP")) /* an interpreter's PT_INTERP is ignored */
      expect_reject(lt_files[lt_nfiles - 1], EM_X86_64, 1, rejects[i].want);
    te_free(&t);
  }
}

static void test_file_errors(void **state) {
  expect_reject("/nonexistent/emu-loader-test", EM_X86_64, 0, "no such file or directory");
  expect_reject("/tmp", EM_X86_64, 0, "is a directory");
  expect_reject("/dev/null", EM_X86_64, 0, "not a regular file");
  TestElf t;
  te_standard(&t, ET_EXEC, 0x400000);
  expect_reject(te_write(&t, "x86"), EM_AARCH64, 0,
                "exec format error: ELF for x86-64, expected aarch64");
  te_free(&t);
  ElfImage img;
  char err[8];
  /* A short err buffer still gets a truncated, terminated reason. */
  assert_int_equal(elf_load("/nonexistent", EM_X86_64, &img, err, sizeof err), -1);
  assert_string_equal(err, "no such");
  assert_int_equal(elf_load("/nonexistent", EM_X86_64, &img, NULL, 0), -1);
}

/* An ET_EXEC over a live mapping is refused, and the mapping is kept. */
static void test_collision(void **state) {
  uint64_t x = 0x401000;
  assert_int_equal(gmem_map(x, GMEM_PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL), x);
  memset(gmem_g2h(x), 0x77, GMEM_PAGE);
  TestElf t;
  te_standard(&t, ET_EXEC, 0x400000);
  ElfImage img;
  char err[256];
  assert_int_equal(elf_load(te_write(&t, "collide"), EM_X86_64, &img, err, sizeof err), -1);
  assert_non_null(strstr(err, "already in use"));
  assert_int_equal(lt_guest_vmas(), 1);
  assert_int_equal(((unsigned char *)gmem_g2h(x))[100], 0x77);
  te_free(&t);
}

/* A failure after some segments are mapped (a bss the host cannot commit)
 * unmaps them. Only meaningful where the kernel refuses huge commits. */
static void test_cleanup_after_partial_map(void **state) {
  FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
  int mode = f ? fgetc(f) : '1';
  if (f)
    fclose(f);
  if (mode == '1')
    skip();
  TestElf t;
  te_standard(&t, ET_EXEC, 0x400000);
  t.ph[2].p_memsz = gmem_limit / 2 - 0x400000; /* far beyond RAM + swap, within the window */
  expect_reject(te_write(&t, "hugebss"), EM_X86_64, 0, "cannot map bss");
  te_free(&t);
}

/* -- Random mutations --------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) { /* xorshift64*: reproducible */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static const uint64_t interesting[] = {0, 1, 0x7f, 0x1000, 0xfff, 0x10000, 0x400000,
                                       0x7fffffffffffull, 1ull << 46, 0x8000000000000000ull,
                                       0xffffffffffffffffull, 0xfffffffffffff000ull};

static size_t mutate(unsigned char *b, size_t len, size_t hdr) {
  int n = 1 + (int)(rnd() % 4);
  for (int k = 0; k < n && len > 0; k++) {
    uint64_t v = interesting[rnd() % (sizeof interesting / sizeof interesting[0])];
    size_t at = (size_t)(rnd() % (hdr < len ? hdr : len));
    switch (rnd() % 6) {
    case 0: b[at] ^= (unsigned char)(1u << (rnd() % 8)); break;         /* header bit */
    case 1: b[rnd() % len] = (unsigned char)rnd(); break;                 /* any byte */
    case 2: if (at + 8 <= len) memcpy(b + (at & ~7ul), &v, 8); break;  /* header field */
    case 3: if (at + 2 <= len) memcpy(b + (at & ~1ul), &v, 2); break;
    case 4: len = (size_t)(rnd() % len); break;                          /* truncate */
    default: b[at] = (unsigned char)rnd(); break;
    }
  }
  return len;
}

static void fuzz_one(const TestElf *base, unsigned flags, int rounds, int *loaded, int *refused) {
  int fd = memfd_create("emu-mutant", MFD_CLOEXEC);
  assert_true(fd >= 0);
  unsigned char *buf = malloc(base->size);
  size_t hdr = sizeof(Elf64_Ehdr) + base->nph * sizeof(Elf64_Phdr);
  for (int i = 0; i < rounds; i++) {
    memcpy(buf, base->data, base->size);
    size_t len = mutate(buf, base->size, hdr);
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
    ElfImage img;
    char err[256] = "";
    if (elf_load_fd(fd, EM_X86_64, flags, &img, err, sizeof err) == 0) {
      assert_true(img.map_start >= GMEM_MIN_ADDR && img.map_start < img.map_end);
      assert_true(img.map_end <= gmem_limit);
      assert_true(img.end <= img.map_end && img.brk == gmem_page_up(img.end));
      assert_true(img.entry < gmem_limit);
      elf_unload(&img);
      ++*loaded;
    } else {
      assert_true(err[0] != '\0' && !strchr(err, '\n'));
      ++*refused;
    }
    if (lt_guest_vmas() != 0) {
      print_message("round %d left mappings (%s)\n", i, err);
      fail();
    }
  }
  free(buf);
  close(fd);
}

static void test_mutations(void **state) {
  TestElf exec, dyn;
  te_standard(&exec, ET_EXEC, 0x400000);
  add_interp(&exec, "/ld.so", 0x300, 7);
  memcpy(exec.data + 0x300, "/ld.so", 7);
  te_add(&exec, PT_PHDR, PF_R, 0x400040, 0x40, 6 * sizeof(Elf64_Phdr), 6 * sizeof(Elf64_Phdr));
  te_finish(&exec);
  te_standard(&dyn, ET_DYN, 0);
  dyn.ph[1].p_align = 0x200000;
  te_finish(&dyn);
  int loaded = 0, refused = 0;
  fuzz_one(&exec, 0, 2500, &loaded, &refused);
  fuzz_one(&dyn, 0, 1500, &loaded, &refused);
  fuzz_one(&dyn, ELF_LOAD_INTERP, 1000, &loaded, &refused);
  print_message("mutations: %d loaded, %d refused\n", loaded, refused);
  assert_true(loaded > 100 && refused > 100);
  te_free(&exec);
  te_free(&dyn);
}

static const struct CMUnitTest elf_reject_tests[] = {
    LT_TEST(test_rejects),
    LT_TEST(test_file_errors),
    LT_TEST(test_collision),
    LT_TEST(test_cleanup_after_partial_map),
    LT_TEST(test_mutations),
};

LOADER_TEST_MAIN(elf_reject_tests)
