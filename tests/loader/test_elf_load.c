/* test_elf_load.c — elf_load on generated ELF files (static ET_EXEC, PIE with
 * alignment, interpreter, bss sharing a page, read-only bss, AArch64) and on real
 * binaries of this machine (the test itself, its ld.so, static-pie ldconfig):
 * addresses, protections, file-backing, zeroed bss, entry/phdr/brk values. */
#include "loader_test.h"

#include <fcntl.h>
#include <limits.h>

#include "elf_load.h"

#define P GMEM_PAGE

static const char *line_at(uint64_t a) {
  static char line[PATH_MAX + 128];
  lt_guest_line(a, line, sizeof line);
  return line;
}

/* The guest maps line at a: perms, offset, and whether it names path. */
static void expect_vma(uint64_t a, uint64_t end, const char *perms, uint64_t off, const char *path) {
  char want[64];
  snprintf(want, sizeof want, "%08llx-%08llx %s %08llx ", (unsigned long long)a,
           (unsigned long long)end, perms, (unsigned long long)off);
  const char *l = line_at(a);
  assert_true(!strncmp(l, want, strlen(want)));
  if (path) {
    char real[PATH_MAX];
    assert_non_null(realpath(path, real));
    assert_string_equal(l + 73, real);
  } else {
    assert_string_equal(l + strlen(l) - 8, "00:00 0 ");
  }
}

/* elf_load / elf_load_interp that must succeed; prints the reason if not. */
static void load_ok(const char *path, uint16_t machine, unsigned flags, ElfImage *img) {
  char err[256];
  int rc = flags ? elf_load_interp(path, machine, img, err, sizeof err)
                 : elf_load(path, machine, img, err, sizeof err);
  if (rc != 0) {
    print_message("loading %s: %s\n", path, err);
    fail();
  }
}

static int all_zero(uint64_t a, uint64_t n) {
  const unsigned char *p = gmem_g2h(a);
  for (uint64_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

static void test_static_exec(void **state) {
  TestElf t;
  te_standard(&t, ET_EXEC, 0x400000);
  const char *path = te_write(&t, "static");
  ElfImage img;
  load_ok(path, EM_X86_64, 0, &img);
  assert_int_equal(img.type, ET_EXEC);
  assert_int_equal(img.machine, EM_X86_64);
  assert_int_equal(img.entry, 0x401000);
  assert_int_equal(img.phdr, 0x400040); /* inside the first PT_LOAD */
  assert_int_equal(img.phent, sizeof(Elf64_Phdr));
  assert_int_equal(img.phnum, 4);
  assert_int_equal(img.bias, 0);
  assert_int_equal(img.base, 0x400000);
  assert_int_equal(img.end, 0x408100);
  assert_int_equal(img.brk, 0x409000);
  assert_int_equal(img.map_start, 0x400000);
  assert_int_equal(img.map_end, 0x409000);
  assert_false(img.has_interp);
  assert_false(img.exec_stack);

  expect_vma(0x400000, 0x401000, "r--p", 0, path);
  expect_vma(0x401000, 0x402000, "r-xp", 0x1000, path);
  assert_string_equal(line_at(0x402000), ""); /* the hole is unmapped */
  expect_vma(0x403000, 0x404000, "rw-p", 0x2000, path);
  expect_vma(0x404000, 0x409000, "rw-p", 0, NULL);
  assert_int_equal(lt_guest_vmas(), 4);

  /* Contents: file bytes, then zeroed bss from p_filesz to p_memsz. */
  assert_memory_equal(gmem_g2h(0x400000), t.data, 0x1000);
  assert_memory_equal(gmem_g2h(0x401000), t.data + 0x1000, 0x800);
  assert_memory_equal(gmem_g2h(0x403000), t.data + 0x2000, 0x300);
  assert_true(all_zero(0x403300, 0x409000 - 0x403300));
  assert_int_equal(t.data[0x2300], lt_fill(0x2300)); /* the file had nonzero bytes there */

  /* Host side: file-backed, no host X, hole reserved. */
  char pr[8], hpath[PATH_MAX];
  assert_true(lt_host_line(gmem_g2h(0x401000), pr, hpath, sizeof hpath));
  assert_string_equal(pr, "r--p");
  assert_non_null(strstr(hpath, "static"));
  assert_true(lt_host_line(gmem_g2h(0x402000), pr, hpath, sizeof hpath));
  assert_string_equal(pr, "---p");
  assert_true(gmem_check(0x401000, 0x800, PROT_READ | PROT_EXEC));
  assert_false(gmem_check(0x401000, 0x800, PROT_WRITE));

  /* The brk area starts at the image's end. */
  assert_int_equal(gmem_brk(0), 0x409000);
  assert_int_equal(gmem_brk(0x40a010), 0x40a010);
  assert_true(gmem_check(0x409000, 0x1010, PROT_READ | PROT_WRITE));
  gmem_brk(0x409000);

  elf_unload(&img);
  assert_int_equal(lt_guest_vmas(), 0);
  te_free(&t);
}

static uint64_t expected_dyn_base(uint64_t align) {
  return ((gmem_limit / 3 & ~(P - 1)) + align - 1) & ~(align - 1);
}

static void test_pie(void **state) {
  TestElf t;
  te_standard(&t, ET_DYN, 0);
  for (int i = 0; i < 3; i++)
    t.ph[i].p_align = 0x200000;
  const char *path = te_write(&t, "pie");
  ElfImage a, b;
  load_ok(path, EM_X86_64, 0, &a);
  uint64_t bias = expected_dyn_base(0x200000);
  assert_int_equal(a.bias, bias);
  assert_true(bias < gmem_limit / 2 && bias % 0x200000 == 0);
  assert_int_equal(a.type, ET_DYN);
  assert_int_equal(a.entry, bias + 0x1000);
  assert_int_equal(a.phdr, bias + 0x40);
  assert_int_equal(a.base, bias);
  assert_int_equal(a.end, bias + 0x8100);
  assert_int_equal(a.brk, bias + 0x9000);
  assert_int_equal(gmem_brk(0), bias + 0x9000);
  expect_vma(bias, bias + 0x1000, "r--p", 0, path);
  expect_vma(bias + 0x1000, bias + 0x2000, "r-xp", 0x1000, path);
  expect_vma(bias + 0x4000, bias + 0x9000, "rw-p", 0, NULL);
  assert_memory_equal(gmem_g2h(bias + 0x1000), t.data + 0x1000, 0x800);

  /* The default base is taken now: a second copy goes top-down, still aligned. */
  load_ok(path, EM_X86_64, 0, &b);
  assert_true(b.map_end <= gmem_mmap_base() && b.map_start > a.map_end);
  assert_int_equal(b.bias % 0x200000, 0);
  assert_int_equal(b.entry, b.bias + 0x1000);
  assert_memory_equal(gmem_g2h(b.bias + 0x1000), t.data + 0x1000, 0x800);
  elf_unload(&b);
  elf_unload(&a);
  assert_int_equal(lt_guest_vmas(), 0);
  te_free(&t);
}

static void test_interp(void **state) {
  static const char interp_path[] = "/lib/ld-fake.so.1";
  TestElf m, i;
  te_standard(&m, ET_DYN, 0);
  te_add(&m, PT_INTERP, PF_R, 0x300, 0x300, sizeof interp_path, sizeof interp_path);
  te_add(&m, PT_PHDR, PF_R, 0x40, 0x40, 6 * sizeof(Elf64_Phdr), 6 * sizeof(Elf64_Phdr));
  memcpy(m.data + 0x300, interp_path, sizeof interp_path);
  m.ph[3].p_flags = PF_R | PF_W | PF_X; /* PT_GNU_STACK asks for an executable stack */
  te_standard(&i, ET_DYN, 0);
  te_add(&i, PT_INTERP, PF_R, 0x300, 0x300, 4, 4); /* an interpreter's own is ignored */
  memcpy(i.data + 0x300, "bad", 4);
  i.eh.e_entry = 0x1234;
  const char *mp = te_write(&m, "main"), *ip = te_write(&i, "ld.so");

  ElfImage prog, ld;
  load_ok(mp, EM_X86_64, 0, &prog);
  assert_true(prog.has_interp);
  assert_string_equal(prog.interp, interp_path);
  assert_true(prog.exec_stack);
  assert_int_equal(prog.phdr, prog.bias + 0x40);
  assert_int_equal(prog.phnum, 6);

  load_ok(ip, EM_X86_64, 1, &ld);
  assert_false(ld.has_interp);
  assert_int_equal(ld.type, ET_DYN);
  assert_true(ld.map_end <= gmem_mmap_base());
  assert_int_equal(ld.map_end, gmem_mmap_base()); /* first top-down mapping */
  assert_true(ld.map_start > prog.map_end);
  assert_int_equal(ld.base, ld.bias);
  assert_int_equal(ld.entry, ld.bias + 0x1234);
  assert_memory_equal(gmem_g2h(ld.base), i.data, 64); /* AT_BASE points at its ELF header */
  expect_vma(ld.bias + 0x1000, ld.bias + 0x2000, "r-xp", 0x1000, ip);
  assert_int_equal(gmem_brk(0), prog.brk); /* the interpreter leaves the brk alone */
  te_free(&m);
  te_free(&i);
}

/* A bss-only segment starting inside the previous segment's last page must not
 * wipe it; a read-only segment's bss tail is zeroed all the same. */
static void test_shared_page_and_ro_bss(void **state) {
  TestElf t;
  te_init(&t, ET_EXEC, EM_X86_64, 0x2000);
  te_add(&t, PT_LOAD, PF_R, 0x500000, 0, 0x1080, 0x3000);           /* RO with bss */
  te_add(&t, PT_LOAD, PF_R | PF_W, 0x600000, 0x0, 0x100, 0x100);     /* data, no bss */
  te_add(&t, PT_LOAD, PF_R | PF_W, 0x600200, 0x200, 0, 0x3000);      /* bss-only, same page */
  t.eh.e_entry = 0x500100;
  const char *path = te_write(&t, "shared");
  ElfImage img;
  load_ok(path, EM_X86_64, 0, &img);
  assert_memory_equal(gmem_g2h(0x500000), t.data, 0x1080);
  assert_true(all_zero(0x501080, 0x1f80));
  expect_vma(0x500000, 0x502000, "r--p", 0, path);
  expect_vma(0x502000, 0x503000, "r--p", 0, NULL);
  assert_memory_equal(gmem_g2h(0x600000), t.data, 0x100);
  assert_true(all_zero(0x600200, 0x3000));
  expect_vma(0x600000, 0x601000, "rw-p", 0, path);
  expect_vma(0x601000, 0x604000, "rw-p", 0, NULL);
  assert_int_equal(img.end, 0x603200);
  assert_int_equal(img.brk, 0x604000);
  assert_int_equal(lt_guest_vmas(), 4);
  elf_unload(&img);
  te_free(&t);
}

/* A bss-only segment may name a file offset past the end of the file (ld
 * writes such headers when a program's RW segment has no initialised data):
 * Linux maps nothing from the file for it, and neither does emu. */
static void test_bss_offset_past_eof(void **state) {
  TestElf t;
  te_init(&t, ET_EXEC, EM_AARCH64, 0x2000);
  te_add(&t, PT_LOAD, PF_R | PF_X, 0x500000, 0, 0x1000, 0x1000);
  te_add(&t, PT_LOAD, PF_R | PF_W, 0x612ff0, 0x12ff0, 0, 0x10000); /* offset > file size */
  t.eh.e_entry = 0x500100;
  const char *path = te_write(&t, "bss_past_eof");
  ElfImage img;
  load_ok(path, EM_AARCH64, 0, &img);
  assert_true(all_zero(0x612ff0, 0x10000));
  assert_int_equal(img.end, 0x622ff0);
  elf_unload(&img);
  te_free(&t);
}

/* The loader is guest-neutral: AArch64 loads the same way, 64 KiB alignment too. */
static void test_aarch64(void **state) {
  TestElf t;
  te_standard(&t, ET_DYN, 0);
  t.eh.e_machine = EM_AARCH64;
  for (int i = 0; i < 3; i++)
    t.ph[i].p_align = 0x10000;
  const char *path = te_write(&t, "a64");
  ElfImage img;
  load_ok(path, EM_AARCH64, 0, &img);
  assert_int_equal(img.machine, EM_AARCH64);
  assert_int_equal(img.bias, expected_dyn_base(0x10000));
  elf_unload(&img);
  te_free(&t);
}

/* -- Real binaries ----------------------------------------------------------------- */

static unsigned char *read_whole(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0)
    return NULL;
  unsigned char *b = malloc((size_t)st.st_size);
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = pread(fd, b + got, (size_t)st.st_size - got, (off_t)got);
    assert_true(n > 0);
    got += (size_t)n;
  }
  close(fd);
  *size = got;
  return b;
}

/* Every PT_LOAD's bytes, bss and protection as the file's own headers say. */
static void check_real(const char *path, const ElfImage *img) {
  size_t size;
  unsigned char *f = read_whole(path, &size);
  assert_non_null(f);
  Elf64_Ehdr eh;
  memcpy(&eh, f, sizeof eh);
  assert_int_equal(img->entry, img->bias + eh.e_entry);
  assert_int_equal(img->phnum, eh.e_phnum);
  uint64_t prev_end = 0;
  int loads = 0;
  for (int i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr p;
    memcpy(&p, f + eh.e_phoff + i * sizeof p, sizeof p);
    if (p.p_type == PT_PHDR)
      assert_int_equal(img->phdr, img->bias + p.p_vaddr);
    if (p.p_type != PT_LOAD)
      continue;
    uint64_t a = img->bias + p.p_vaddr;
    assert_memory_equal(gmem_g2h(a), f + p.p_offset, p.p_filesz);
    /* With bss, the rest of the file's last page is zeroed too (Linux's padzero):
     * ld.so's early malloc uses it (its bss ends mid-page after the file bytes). */
    uint64_t zero = p.p_memsz - p.p_filesz, tail = gmem_page_up(a + p.p_filesz) - (a + p.p_filesz);
    assert_true(all_zero(a + p.p_filesz, zero && tail > zero ? tail : zero));
    int prot = (p.p_flags & PF_R ? PROT_READ : 0) | (p.p_flags & PF_W ? PROT_WRITE : 0) |
               (p.p_flags & PF_X ? PROT_EXEC : 0);
    GmemVmaInfo v;
    uint64_t probe = gmem_page_down(a) >= prev_end ? a : gmem_page_up(a); /* skip a shared page */
    if (probe < a + p.p_memsz) {
      assert_true(gmem_lookup(probe, &v));
      assert_int_equal(v.prot, prot);
    }
    prev_end = gmem_page_up(a + p.p_memsz);
    loads++;
  }
  assert_true(loads >= 2);
  free(f);
}

static void test_real_pie_and_ld_so(void **state) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  assert_true(n > 0);
  self[n] = '\0';
  ElfImage prog, ld;
  load_ok(self, EM_X86_64, 0, &prog);
  assert_true(prog.has_interp);
  assert_int_equal(prog.interp[0], '/');
  check_real(self, &prog);
  load_ok(prog.interp, EM_X86_64, 1, &ld);
  check_real(prog.interp, &ld);
  assert_memory_equal(gmem_g2h(ld.base), "\177ELF", 4);
  assert_true(ld.map_end <= gmem_mmap_base());
}

static void test_real_static_pie(void **state) {
  const char *path = "/sbin/ldconfig"; /* Debian's static-pie */
  if (access(path, R_OK) != 0)
    skip();
  ElfImage img;
  load_ok(path, EM_X86_64, 0, &img);
  assert_false(img.has_interp);
  assert_int_equal(img.type, ET_DYN);
  check_real(path, &img);
  assert_int_equal(gmem_brk(0), img.brk);
}

static const struct CMUnitTest elf_load_tests[] = {
    LT_TEST(test_static_exec),
    LT_TEST(test_pie),
    LT_TEST(test_interp),
    LT_TEST(test_shared_page_and_ro_bss),
    LT_TEST(test_bss_offset_past_eof),
    LT_TEST(test_aarch64),
    LT_TEST(test_real_pie_and_ld_so),
    LT_TEST(test_real_static_pie),
};

LOADER_TEST_MAIN(elf_load_tests)
