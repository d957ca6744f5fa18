/* test_guest_mem.c — the guest window and gmem_map/unmap/protect/brk/check with
 * Linux semantics: fixed replaces, noreplace fails, hints, top-down search, hole
 * splitting, mprotect splitting and merging, file mappings, the maps format, and
 * that the host mappings (/proc/self/maps) agree with the VMA list. */
#include "loader_test.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/sysmacros.h>

#define P GMEM_PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* The maps line Linux would print: prefix, padding to column 73, name. */
static const char *named(const char *prefix, const char *name) {
  static char out[2 * PATH_MAX + 128];
  snprintf(out, sizeof out, "%s%*s%s", prefix, 73 - (int)strlen(prefix), "", name);
  return out;
}

static void expect_host(uint64_t guest, const char *perms) {
  char pr[8], path[4096];
  assert_true(lt_host_line(gmem_g2h(guest), pr, path, sizeof path));
  assert_string_equal(pr, perms);
}

static void test_window(void **state) {
  assert_true(gmem_limit >= 1ull << GMEM_WINDOW_BITS_MIN);
  assert_true(gmem_limit <= 1ull << GMEM_WINDOW_BITS_MAX);
  assert_int_equal(gmem_limit & (gmem_limit - 1), 0);
  assert_int_equal(gmem_base % P, 0);
  assert_int_equal(gmem_init(), 0); /* idempotent: keeps the window */
  const char *mode = getenv(LT_MODE_ENV);
  struct rlimit rl;
  getrlimit(RLIMIT_STACK, &rl);
  if (!mode && !LT_ASAN && rl.rlim_cur != RLIM_INFINITY) /* identity is the normal case */
    assert_int_equal(gmem_base, 0);
  if (mode)
    assert_true(gmem_base != 0 && gmem_limit == 1ull << LT_SMALL_BITS);
  /* Reserved, inaccessible, all the way up. */
  expect_host(GMEM_MIN_ADDR, "---p");
  expect_host(gmem_limit - 1, "---p");
  assert_true(gmem_mmap_base() < gmem_stack_top() && gmem_stack_top() < gmem_limit);
  /* The emulator's own heap and stack are outside. */
  void *heap = malloc(64);
  int local;
  uint64_t hg = gmem_h2g(heap), sg = gmem_h2g(&local);
  assert_true(hg >= gmem_limit);
  assert_true(sg >= gmem_limit);
  free(heap);
  assert_ptr_equal(gmem_g2h(gmem_h2g((void *)0x12345678)), (void *)0x12345678);
}

static void test_anon_topdown(void **state) {
  int64_t a = gmem_map(0, 3 * P, RW, ANON, -1, 0, NULL);
  assert_int_equal(a, gmem_mmap_base() - 3 * P);
  int64_t b = gmem_map(0, 100, RW, ANON, -1, 0, NULL); /* rounded up to a page */
  assert_int_equal(b, a - P);
  memset(gmem_g2h(a), 0x5a, 3 * P);
  assert_int_equal(((unsigned char *)gmem_g2h(a))[3 * P - 1], 0x5a);
  assert_int_equal(*(unsigned char *)gmem_g2h(b), 0);
  expect_host(a, "rw-p");
  /* Equal anonymous neighbours merge, as in Linux. */
  assert_int_equal(lt_guest_vmas(), 1);
  /* A hole is found again, top-down. */
  assert_int_equal(gmem_unmap(a + P, P), 0);
  assert_int_equal(lt_guest_vmas(), 2);
  expect_host(a + P, "---p");
  assert_int_equal(gmem_map(0, P, PROT_READ, ANON, -1, 0, NULL), a + P);
  expect_host(a + P, "r--p");
}

static void test_fixed_replaces(void **state) {
  uint64_t x = 0x10000000;
  assert_int_equal(gmem_map(x, 4 * P, RW, ANON | MAP_FIXED, -1, 0, NULL), x);
  memset(gmem_g2h(x), 0x11, 4 * P);
  assert_int_equal(gmem_map(x + P, P, PROT_READ, ANON | MAP_FIXED, -1, 0, NULL), x + P);
  char line[256];
  assert_true(lt_guest_line(x, line, sizeof line));
  assert_string_equal(line, "10000000-10001000 rw-p 00000000 00:00 0 ");
  assert_true(lt_guest_line(x + P, line, sizeof line));
  assert_string_equal(line, "10001000-10002000 r--p 00000000 00:00 0 ");
  assert_true(lt_guest_line(x + 2 * P, line, sizeof line));
  assert_string_equal(line, "10002000-10004000 rw-p 00000000 00:00 0 ");
  const unsigned char *m = gmem_g2h(x);
  assert_int_equal(m[0], 0x11);
  assert_int_equal(m[P], 0); /* replaced by fresh zero pages */
  assert_int_equal(m[2 * P], 0x11);
  expect_host(x + P, "r--p");
}

static void test_noreplace_and_errors(void **state) {
  uint64_t x = 0x20000000;
  assert_int_equal(gmem_map(x, 2 * P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0, NULL), x);
  assert_int_equal(gmem_map(x + P, 2 * P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0, NULL), -EEXIST);
  assert_int_equal(gmem_map(x + 2 * P, P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0, NULL), x + 2 * P);
  assert_int_equal(gmem_map(x + 1, P, RW, ANON | MAP_FIXED, -1, 0, NULL), -EINVAL);
  assert_int_equal(gmem_map(0x1000, P, RW, ANON | MAP_FIXED, -1, 0, NULL), -EPERM);
  assert_int_equal(gmem_map(gmem_limit, P, RW, ANON | MAP_FIXED, -1, 0, NULL), -ENOMEM);
  assert_int_equal(gmem_map(gmem_limit - P, 2 * P, RW, ANON | MAP_FIXED, -1, 0, NULL), -ENOMEM);
  assert_int_equal(gmem_map(0, 0, RW, ANON, -1, 0, NULL), -EINVAL);
  assert_int_equal(gmem_map(0, UINT64_MAX, RW, ANON, -1, 0, NULL), -ENOMEM);
  assert_int_equal(gmem_map(0, P, RW, MAP_ANONYMOUS, -1, 0, NULL), -EINVAL); /* no type */
  assert_int_equal(gmem_map(0, P, 0x100, ANON, -1, 0, NULL), -EINVAL);
  assert_int_equal(gmem_map(0, P, RW, MAP_PRIVATE, -1, 0, NULL), -EBADF);
  assert_int_equal(gmem_map(0, P, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x40000000, -1, 0, NULL),
                   -EOPNOTSUPP);
  assert_int_equal(lt_guest_vmas(), 1);
}

static void test_hint(void **state) {
  uint64_t h = 0x30000000;
  assert_int_equal(gmem_map(h, P, RW, ANON, -1, 0, NULL), h);
  assert_int_equal(gmem_map(h + 5 * P + 123, P, RW, ANON, -1, 0, NULL), h + 5 * P); /* aligned down */
  int64_t r = gmem_map(h, P, RW, ANON, -1, 0, NULL); /* taken: searched instead */
  assert_true(r > 0 && (uint64_t)r != h);
  assert_int_equal(r, gmem_mmap_base() - P);
  assert_int_equal(gmem_map(gmem_limit + P, P, RW, ANON, -1, 0, NULL), gmem_mmap_base() - 2 * P);
  int64_t low = gmem_map(0, 2 * P, RW, ANON | MAP_32BIT, -1, 0, NULL);
  assert_true(low >= 0x40000000 && low + 2 * P <= 0x80000000);
}

static void test_unmap_split(void **state) {
  uint64_t x = 0x40000000;
  assert_int_equal(gmem_map(x, 5 * P, RW, ANON | MAP_FIXED, -1, 0, NULL), x);
  assert_int_equal(gmem_unmap(x + 2 * P, P), 0);
  assert_int_equal(lt_guest_vmas(), 2);
  assert_true(gmem_check(x, 2 * P, RW));
  assert_false(gmem_check(x, 3 * P, PROT_READ));
  assert_true(gmem_check(x + 3 * P, 2 * P, RW));
  expect_host(x + 2 * P, "---p");
  expect_host(x + 3 * P, "rw-p");
  GmemVmaInfo v;
  assert_true(gmem_lookup(x + 4 * P, &v));
  assert_int_equal(v.start, x + 3 * P);
  assert_int_equal(v.end, x + 5 * P);
  assert_false(gmem_lookup(x + 2 * P, &v));
  assert_int_equal(gmem_unmap(x + 1, P), -EINVAL);
  assert_int_equal(gmem_unmap(x, 0), -EINVAL);
  assert_int_equal(gmem_unmap(gmem_limit - P, 2 * P), -EINVAL);
  assert_int_equal(gmem_unmap(0x50000000, 10 * P), 0); /* nothing there: fine */
  assert_int_equal(gmem_unmap(x, 5 * P), 0);             /* across the hole */
  assert_int_equal(lt_guest_vmas(), 0);
  expect_host(x, "---p");
}

static void test_protect_split_merge(void **state) {
  uint64_t x = 0x50000000;
  assert_int_equal(gmem_map(x, 5 * P, RW, ANON | MAP_FIXED, -1, 0, NULL), x);
  assert_int_equal(gmem_protect(x + 2 * P, P, PROT_READ), 0);
  assert_int_equal(lt_guest_vmas(), 3);
  expect_host(x + 2 * P, "r--p");
  assert_false(gmem_check(x, 5 * P, PROT_WRITE));
  assert_true(gmem_check(x, 5 * P, PROT_READ));
  assert_int_equal(gmem_protect(x + 2 * P, P, RW), 0);
  assert_int_equal(lt_guest_vmas(), 1); /* merged back */
  /* Guest X is host R: the translator reads code, never runs it. */
  assert_int_equal(gmem_protect(x, P, PROT_EXEC), 0);
  expect_host(x, "r--p");
  char line[256];
  assert_true(lt_guest_line(x, line, sizeof line));
  assert_string_equal(line + 18, "--xp 00000000 00:00 0 ");
  assert_true(gmem_check(x, P, PROT_EXEC));
  assert_false(gmem_check(x, P, PROT_READ));
  /* A hole stops it with ENOMEM; the part before it is changed (Linux order). */
  assert_int_equal(gmem_unmap(x + 3 * P, P), 0);
  assert_int_equal(gmem_protect(x + 2 * P, 3 * P, PROT_READ), -ENOMEM);
  assert_true(gmem_check(x + 2 * P, P, PROT_READ));
  assert_false(gmem_check(x + 2 * P, P, PROT_WRITE));
  assert_true(gmem_check(x + 4 * P, P, PROT_WRITE));
  assert_int_equal(gmem_protect(x + 1, P, PROT_READ), -EINVAL);
  assert_int_equal(gmem_protect(x, P, 0x1000), -EINVAL);
  assert_int_equal(gmem_protect(x, 0, PROT_READ), 0);
}

static void test_check(void **state) {
  uint64_t x = 0x60000000;
  assert_int_equal(gmem_map(x, 2 * P, PROT_READ, ANON | MAP_FIXED, -1, 0, NULL), x);
  assert_int_equal(gmem_map(x + 2 * P, 2 * P, RW, ANON | MAP_FIXED, -1, 0, NULL), x + 2 * P);
  assert_true(gmem_check(x + 10, 4 * P - 10, PROT_READ)); /* spans both VMAs */
  assert_false(gmem_check(x + 10, 4 * P - 10, PROT_WRITE));
  assert_true(gmem_check(x + 2 * P, 2 * P, RW));
  assert_false(gmem_check(x, 4 * P + 1, PROT_READ));
  assert_false(gmem_check(x - 1, 2, PROT_READ));
  assert_false(gmem_check(x, UINT64_MAX, PROT_READ)); /* wraps */
  assert_false(gmem_check(UINT64_MAX - 1, 4, 0));
  assert_false(gmem_check(gmem_limit, 1, 0));
  assert_true(gmem_check(x, 0, PROT_READ));
  assert_true(gmem_check(x + 4 * P, 0, PROT_READ));
}

static void test_file_mapping(void **state) {
  unsigned char data[3 * 4096];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = lt_fill(i);
  char path[PATH_MAX];
  assert_non_null(realpath(lt_write_file("mapped.bin", data, sizeof data), path));
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  struct stat st;
  fstat(fd, &st);
  uint64_t x = 0x70000000;
  assert_int_equal(gmem_map(x, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, P, NULL), x);
  assert_memory_equal(gmem_g2h(x), data + P, 2 * P);
  char line[512], want[512], pr[8], hpath[4096];
  assert_true(lt_guest_line(x, line, sizeof line));
  snprintf(want, sizeof want, "70000000-70002000 r--p 00001000 %02x:%02x %lu ",
           major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
  assert_string_equal(line, named(want, path)); /* name at column 73, like Linux */
  assert_true(lt_host_line(gmem_g2h(x), pr, hpath, sizeof hpath));
  assert_string_equal(hpath, path);
  /* Shared writes reach the file. */
  uint64_t y = 0x70100000;
  assert_int_equal(gmem_map(y, P, RW, MAP_SHARED | MAP_FIXED, fd, 0, "custom"), y);
  ((unsigned char *)gmem_g2h(y))[7] = 0xee;
  unsigned char b = 0;
  assert_int_equal(pread(fd, &b, 1, 7), 1);
  assert_int_equal(b, 0xee);
  assert_true(lt_guest_line(y, line, sizeof line));
  assert_non_null(strstr(line, " rw-s 00000000 "));
  assert_string_equal(line + strlen(line) - 7, " custom");
  assert_int_equal(gmem_map(0, P, PROT_READ, MAP_PRIVATE, fd, 100, NULL), -EINVAL);
  assert_int_equal(gmem_map(0, P, PROT_READ, MAP_PRIVATE, 9999, 0, NULL), -EBADF);
  close(fd);
}

/* Replacing a mapping with one that fails must leave the old one intact. */
static void test_failed_replace_keeps_old(void **state) {
  const char *path = lt_write_file("wronly.bin", "abcd", 4);
  int fd = open(path, O_WRONLY);
  uint64_t x = 0x71000000;
  assert_int_equal(gmem_map(x, 2 * P, RW, ANON | MAP_FIXED, -1, 0, NULL), x);
  memset(gmem_g2h(x), 0x33, 2 * P);
  assert_int_equal(gmem_map(x, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0, NULL), -EACCES);
  assert_int_equal(((unsigned char *)gmem_g2h(x))[0], 0x33);
  assert_int_equal(lt_guest_vmas(), 1);
  expect_host(x, "rw-p");
  close(fd);
  /* A failed map into free space leaves it reserved. */
  fd = open(path, O_WRONLY);
  assert_int_equal(gmem_map(x + 4 * P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0, NULL), -EACCES);
  expect_host(x + 4 * P, "---p");
  close(fd);
}

static void test_brk(void **state) {
  uint64_t start = 0x80000000 + 0x123; /* page-aligned up */
  uint64_t s = 0x80001000;
  gmem_brk_init(start);
  assert_int_equal(gmem_brk(0), s);
  assert_int_equal(gmem_brk(s + 100), s + 100);
  memset(gmem_g2h(s), 0x44, 100);
  char line[256];
  assert_true(lt_guest_line(s, line, sizeof line));
  assert_string_equal(line, named("80001000-80002000 rw-p 00000000 00:00 0 ", "[heap]"));
  assert_int_equal(gmem_brk(s + 5 * P + 1), s + 5 * P + 1);
  assert_true(gmem_check(s, 6 * P, RW));
  assert_int_equal(lt_guest_vmas(), 1); /* growth merges into one [heap] */
  assert_int_equal(gmem_brk(s + 10), s + 10);
  assert_true(gmem_check(s, P, RW));
  assert_false(gmem_check(s + P, 1, PROT_READ));
  expect_host(s + P, "---p");
  assert_int_equal(((unsigned char *)gmem_g2h(s))[9], 0x44);
  assert_int_equal(gmem_brk(s - 1), s + 10); /* below the start: unchanged */
  assert_int_equal(gmem_brk(gmem_limit), s + 10);
  /* Linux keeps a guard page before the next mapping. */
  assert_int_equal(gmem_map(s + 4 * P, P, RW, ANON | MAP_FIXED, -1, 0, NULL), s + 4 * P);
  assert_int_equal(gmem_brk(s + 4 * P), s + 10);
  assert_int_equal(gmem_brk(s + 3 * P), s + 3 * P);
  assert_int_equal(gmem_brk(s), s);
  assert_int_equal(lt_guest_vmas(), 1);
}

static void test_format_maps_truncation(void **state) {
  assert_int_equal(gmem_format_maps(NULL, 0), 0);
  assert_int_equal(gmem_map(0x90000000, P, RW, ANON | MAP_FIXED, -1, 0, "[stack]"), 0x90000000);
  const char *want = named("90000000-90001000 rw-p 00000000 00:00 0 ", "[stack]");
  char buf[256], small[10];
  assert_int_equal(strlen(want), 73 + 7);
  assert_int_equal(gmem_format_maps(buf, sizeof buf), strlen(want) + 1);
  assert_memory_equal(buf, want, strlen(want));
  assert_string_equal(buf + strlen(want), "\n");
  assert_int_equal(gmem_format_maps(small, sizeof small), strlen(want) + 1);
  assert_string_equal(small, "90000000-");
  /* Addresses above 32 bits print in full. */
  uint64_t hi = gmem_mmap_base() - P;
  assert_int_equal(gmem_map(hi, P, PROT_READ, ANON | MAP_FIXED, -1, 0, NULL), hi);
  char line[256], key[32];
  assert_true(lt_guest_line(hi, line, sizeof line));
  snprintf(key, sizeof key, "%llx-%llx r--p", (unsigned long long)hi, (unsigned long long)hi + P);
  assert_true(!strncmp(line, key, strlen(key)));
}

static void test_reset(void **state) {
  uint64_t x = 0xa0000000;
  assert_int_equal(gmem_map(x, P, RW, ANON | MAP_FIXED, -1, 0, "named"), x);
  gmem_brk_init(0xb0000000);
  assert_int_equal(gmem_brk(0xb0001000), 0xb0001000);
  gmem_reset();
  assert_int_equal(lt_guest_vmas(), 0);
  expect_host(x, "---p");
  assert_int_equal(gmem_brk(0xb0002000), 0); /* no brk area any more */
}

/* Threads map and unmap at once; the list must stay sorted and disjoint. */
static void *churn(void *arg) {
  for (int i = 0; i < 300; i++) {
    int64_t a = gmem_map(0, (uint64_t)(i % 7 + 1) * P, RW, ANON, -1, 0, NULL);
    if (a < 0)
      return (void *)1;
    *(volatile unsigned char *)gmem_g2h(a) = 1;
    if (i % 3 && gmem_unmap(a, (uint64_t)(i % 7 + 1) * P) < 0)
      return (void *)1;
  }
  return NULL;
}

static void test_threads(void **state) {
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, churn, NULL);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_null(r);
  }
  static char buf[1 << 18];
  gmem_format_maps(buf, sizeof buf);
  unsigned long long prev_end = 0, total = 0;
  for (char *l = buf; *l; l = strchr(l, '\n') + 1) {
    unsigned long long lo, hi;
    assert_int_equal(sscanf(l, "%llx-%llx", &lo, &hi), 2);
    assert_true(lo < hi && lo >= prev_end);
    prev_end = hi;
    total += hi - lo;
  }
  /* 4 threads x 100 kept mappings of (i % 7 + 1) pages, i = 0, 3, ..., 297. */
  unsigned long long want = 0;
  for (int i = 0; i < 300; i += 3)
    want += (unsigned long long)(i % 7 + 1) * P;
  assert_int_equal(total, 4 * want);
}

static const struct CMUnitTest guest_mem_tests[] = {
    LT_TEST(test_window),
    LT_TEST(test_anon_topdown),
    LT_TEST(test_fixed_replaces),
    LT_TEST(test_noreplace_and_errors),
    LT_TEST(test_hint),
    LT_TEST(test_unmap_split),
    LT_TEST(test_protect_split_merge),
    LT_TEST(test_check),
    LT_TEST(test_file_mapping),
    LT_TEST(test_failed_replace_keeps_old),
    LT_TEST(test_brk),
    LT_TEST(test_format_maps_truncation),
    LT_TEST(test_reset),
    LT_TEST(test_threads),
};

LOADER_TEST_MAIN(guest_mem_tests)
