/* test_initstack.c — the initial stack, walked back from the returned sp: argc,
 * argv, envp, every auxv entry and string, AT_RANDOM, 16-byte alignment for many
 * argument counts, the "[stack]" mapping, errors; and a loaded ELF's AT_PHDR
 * really pointing at its program headers. */
#include "loader_test.h"

#include <limits.h>
#include <sys/auxv.h>

#include "elf_load.h"
#include "initstack.h"

static uint64_t rd(uint64_t a) {
  uint64_t v;
  memcpy(&v, gmem_g2h(a), sizeof v);
  return v;
}
static const char *str(uint64_t a) { return gmem_g2h(a); }

static ElfImage fake_exe(void) {
  ElfImage e = {0};
  e.phdr = 0x400040;
  e.phent = 56;
  e.phnum = 7;
  e.entry = 0x401000;
  return e;
}

typedef struct Walk {
  uint64_t argc, argv, envp, auxv, naux;
  uint64_t aux[64]; /* value by AT_ type; aux_seen marks presence */
  int aux_seen[64];
} Walk;

/* Walk the table from sp; checks the NULL terminators and AT_NULL on the way. */
static Walk walk(uint64_t sp) {
  Walk w = {0};
  assert_int_equal(sp % 16, 0);
  w.argc = rd(sp);
  w.argv = sp + 8;
  assert_int_equal(rd(w.argv + 8 * w.argc), 0);
  w.envp = w.argv + 8 * (w.argc + 1);
  uint64_t p = w.envp;
  while (rd(p))
    p += 8;
  w.auxv = p + 8;
  for (p = w.auxv;; p += 16) {
    uint64_t type = rd(p);
    w.naux++;
    if (type == AT_NULL)
      break;
    assert_true(type < 64);
    assert_false(w.aux_seen[type]); /* no duplicates */
    w.aux_seen[type] = 1;
    w.aux[type] = rd(p + 8);
  }
  return w;
}

static void test_layout(void **state) {
  const char *argv[] = {"/bin/prog", "-x", "hello world"};
  const char *envp[] = {"A=1", "LONGER=two words", NULL};
  ElfImage exe = fake_exe();
  InitStackArgs a = {.argc = 3, .argv = argv, .envp = envp, .platform = "x86_64", .exe = &exe,
                     .interp_base = 0x7000000, .hwcap = 0x178bfbff, .hwcap2 = 2,
                     .vdso = 0x5000000, .minsigstksz = 3632};
  uint64_t sp = initstack_build(&a);
  assert_true(sp != 0);
  uint64_t top = gmem_stack_top(), bottom = top - INITSTACK_DEFAULT_SIZE;
  assert_true(sp > bottom && sp < top);

  /* The mapping: 8 MiB, rw-p (no PT_GNU_STACK X), named [stack]. */
  char line[256];
  assert_true(lt_guest_line(bottom, line, sizeof line));
  assert_non_null(strstr(line, " rw-p 00000000 00:00 0 "));
  assert_string_equal(line + strlen(line) - 7, "[stack]");
  GmemVmaInfo v;
  assert_true(gmem_lookup(sp, &v));
  assert_int_equal(v.start, bottom);
  assert_int_equal(v.end, top);
  assert_true(v.flags & MAP_GROWSDOWN);

  Walk w = walk(sp);
  assert_int_equal(w.argc, 3);
  for (int i = 0; i < 3; i++)
    assert_string_equal(str(rd(w.argv + 8 * i)), argv[i]);
  assert_string_equal(str(rd(w.envp)), "A=1");
  assert_string_equal(str(rd(w.envp + 8)), "LONGER=two words");
  assert_int_equal(rd(w.envp + 16), 0);

  /* Strings sit in order above the table: argv, envp, execfn, then 8 zero bytes. */
  assert_true(rd(w.argv) > w.auxv + 16 * w.naux);
  assert_int_equal(rd(w.argv + 8), rd(w.argv) + strlen(argv[0]) + 1);
  assert_int_equal(rd(w.envp), rd(w.argv + 16) + strlen(argv[2]) + 1);
  assert_int_equal(rd(top - 8), 0);

  /* Every auxv entry. */
  static const int expected[] = {AT_SYSINFO_EHDR, AT_MINSIGSTKSZ, AT_HWCAP, AT_PAGESZ, AT_CLKTCK,
                                 AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY,
                                 AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM,
                                 AT_HWCAP2, AT_EXECFN, AT_PLATFORM};
  size_t nexp = sizeof expected / sizeof expected[0];
  for (size_t i = 0; i < nexp; i++)
    assert_true(w.aux_seen[expected[i]]);
  assert_int_equal(w.naux, nexp + 1);
  assert_int_equal(rd(w.auxv), AT_SYSINFO_EHDR); /* Linux's order: ARCH_DLINFO first */
  assert_int_equal(w.aux[AT_SYSINFO_EHDR], 0x5000000);
  assert_int_equal(w.aux[AT_MINSIGSTKSZ], 3632);
  assert_int_equal(w.aux[AT_HWCAP], 0x178bfbff);
  assert_int_equal(w.aux[AT_HWCAP2], 2);
  assert_int_equal(w.aux[AT_PAGESZ], 4096);
  assert_int_equal(w.aux[AT_CLKTCK], sysconf(_SC_CLK_TCK));
  assert_int_equal(w.aux[AT_PHDR], 0x400040);
  assert_int_equal(w.aux[AT_PHENT], 56);
  assert_int_equal(w.aux[AT_PHNUM], 7);
  assert_int_equal(w.aux[AT_BASE], 0x7000000);
  assert_int_equal(w.aux[AT_FLAGS], 0);
  assert_int_equal(w.aux[AT_ENTRY], 0x401000);
  assert_int_equal(w.aux[AT_UID], getuid());
  assert_int_equal(w.aux[AT_EUID], geteuid());
  assert_int_equal(w.aux[AT_GID], getgid());
  assert_int_equal(w.aux[AT_EGID], getegid());
  assert_int_equal(w.aux[AT_SECURE], getauxval(AT_SECURE));
  /* AT_EXECFN defaults to argv[0], at the very top; AT_PLATFORM below the strings. */
  assert_string_equal(str(w.aux[AT_EXECFN]), "/bin/prog");
  assert_int_equal(w.aux[AT_EXECFN], top - 8 - sizeof "/bin/prog");
  assert_string_equal(str(w.aux[AT_PLATFORM]), "x86_64");
  assert_int_equal(w.aux[AT_PLATFORM] + sizeof "x86_64", rd(w.argv));
  /* 16 random bytes between the table and the strings. */
  uint64_t rnd = w.aux[AT_RANDOM];
  assert_true(rnd >= w.auxv + 16 * w.naux && rnd + 16 <= w.aux[AT_PLATFORM]);

  uint64_t aux_at, aux_bytes;
  initstack_auxv(&aux_at, &aux_bytes);
  assert_int_equal(aux_at, w.auxv);
  assert_int_equal(aux_bytes, 16 * w.naux);

  /* A second build gets new random bytes (the stack must be remapped first). */
  unsigned char first[16];
  memcpy(first, gmem_g2h(rnd), 16);
  gmem_reset();
  sp = initstack_build(&a);
  assert_true(sp != 0);
  assert_memory_not_equal(gmem_g2h(walk(sp).aux[AT_RANDOM]), first, 16);
}

/* Optional entries stay out when not asked for; execfn can differ from argv[0]. */
static void test_optional_entries(void **state) {
  const char *argv[] = {"prog"};
  ElfImage exe = fake_exe();
  exe.exec_stack = true;
  InitStackArgs a = {.argc = 1, .argv = argv, .execfn = "/usr/bin/prog", .exe = &exe};
  uint64_t sp = initstack_build(&a);
  assert_true(sp != 0);
  Walk w = walk(sp);
  assert_false(w.aux_seen[AT_SYSINFO_EHDR]);
  assert_false(w.aux_seen[AT_MINSIGSTKSZ]);
  assert_false(w.aux_seen[AT_PLATFORM]);
  assert_int_equal(w.aux[AT_BASE], 0);
  assert_int_equal(rd(w.envp), 0); /* no environment */
  assert_string_equal(str(w.aux[AT_EXECFN]), "/usr/bin/prog");
  assert_string_equal(str(rd(w.argv)), "prog");
  char line[256];
  assert_true(lt_guest_line(gmem_stack_top() - INITSTACK_DEFAULT_SIZE, line, sizeof line));
  assert_non_null(strstr(line, " rwxp ")); /* PT_GNU_STACK with PF_X */
}

/* sp stays 16-byte aligned at argc whatever the counts and string lengths. */
static void test_alignment(void **state) {
  static const char *words[] = {"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"};
  ElfImage exe = fake_exe();
  for (int argc = 0; argc <= 6; argc++)
    for (int envc = 0; envc <= 4; envc++)
      for (int plat = 0; plat < 2; plat++) {
        const char *env[6] = {0};
        for (int i = 0; i < envc; i++)
          env[i] = words[6 - i];
        InitStackArgs a = {.argc = argc, .argv = words, .envp = env, .exe = &exe,
                           .platform = plat ? "aarch64" : NULL, .stack_size = 64 << 10};
        gmem_reset();
        uint64_t sp = initstack_build(&a);
        assert_true(sp != 0);
        Walk w = walk(sp);
        assert_int_equal(w.argc, (uint64_t)argc);
        for (int i = 0; i < argc; i++)
          assert_string_equal(str(rd(w.argv + 8 * i)), words[i]);
        for (int i = 0; i < envc; i++)
          assert_string_equal(str(rd(w.envp + 8 * i)), env[i]);
        assert_string_equal(str(w.aux[AT_EXECFN]), argc ? words[0] : "");
      }
}

static void test_errors(void **state) {
  ElfImage exe = fake_exe();
  const char *argv[] = {"prog", NULL};
  InitStackArgs a = {.argc = 1, .argv = argv, .exe = &exe};
  assert_true(initstack_build(&a) != 0);
  errno = 0;
  assert_int_equal(initstack_build(&a), 0); /* the stack is there already */
  assert_int_equal(errno, EEXIST);
  gmem_reset();
  InitStackArgs bad = a;
  bad.exe = NULL;
  assert_int_equal(initstack_build(&bad), 0);
  assert_int_equal(errno, EINVAL);
  bad = a;
  bad.argc = 2; /* argv[1] is NULL */
  assert_int_equal(initstack_build(&bad), 0);
  assert_int_equal(errno, EINVAL);
  bad = a;
  bad.stack_top = gmem_stack_top() + 1;
  assert_int_equal(initstack_build(&bad), 0);
  assert_int_equal(errno, EINVAL);
  /* Strings over a quarter of the stack: E2BIG, nothing mapped. */
  static char big[20000];
  memset(big, 'x', sizeof big - 1);
  const char *bigv[] = {big};
  bad = a;
  bad.argv = bigv;
  bad.stack_size = 64 << 10;
  assert_int_equal(initstack_build(&bad), 0);
  assert_int_equal(errno, E2BIG);
  assert_int_equal(lt_guest_vmas(), 0);
  /* A custom top and size. */
  bad = a;
  bad.stack_top = 0x7000000;
  bad.stack_size = 0x3000;
  uint64_t sp = initstack_build(&bad);
  assert_true(sp > 0x7000000 - 0x3000 && sp < 0x7000000);
}

/* The real flow: load an ELF, build the stack from its image, and AT_PHDR must
 * point at its program headers in guest memory. */
static void test_with_loaded_elf(void **state) {
  TestElf t;
  te_standard(&t, ET_DYN, 0);
  te_add(&t, PT_PHDR, PF_R, 0x40, 0x40, 5 * sizeof(Elf64_Phdr), 5 * sizeof(Elf64_Phdr));
  const char *path = te_write(&t, "prog");
  ElfImage img;
  char err[256];
  assert_int_equal(elf_load(path, EM_X86_64, &img, err, sizeof err), 0);
  const char *argv[] = {path};
  InitStackArgs a = {.argc = 1, .argv = argv, .exe = &img, .platform = "x86_64"};
  Walk w = walk(initstack_build(&a));
  assert_int_equal(w.aux[AT_ENTRY], img.bias + 0x1000);
  assert_int_equal(w.aux[AT_PHNUM], 5);
  Elf64_Phdr ph[5];
  memcpy(ph, gmem_g2h(w.aux[AT_PHDR]), sizeof ph);
  assert_memory_equal(ph, t.ph, sizeof ph);
  assert_int_equal(ph[4].p_type, PT_PHDR);
  assert_true(gmem_check(w.aux[AT_PHDR], sizeof ph, PROT_READ));
  te_free(&t);
}

static const struct CMUnitTest initstack_tests[] = {
    LT_TEST(test_layout),
    LT_TEST(test_optional_entries),
    LT_TEST(test_alignment),
    LT_TEST(test_errors),
    LT_TEST(test_with_loaded_elf),
};

LOADER_TEST_MAIN(initstack_tests)
