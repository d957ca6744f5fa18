/* test_gmem_remap.c — gmem_remap (mremap) with Linux semantics: shrink, grow in
 * place, grow by moving (contents kept, old range given back), MREMAP_FIXED
 * over existing mappings, shared mappings staying shared, file mappings keeping
 * their offsets, and the errors; the host mappings must agree with the list. */
#include "loader_test.h"

#include <fcntl.h>

#define P GMEM_PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void expect_host(uint64_t guest, const char *perms) {
  char pr[8], path[4096];
  assert_true(lt_host_line(gmem_g2h(guest), pr, path, sizeof path));
  assert_string_equal(pr, perms);
}

static void fill(uint64_t a, uint64_t len, unsigned char seed) {
  unsigned char *p = gmem_g2h(a);
  for (uint64_t i = 0; i < len; i++)
    p[i] = (unsigned char)(seed + i * 7);
}

static int filled(uint64_t a, uint64_t len, unsigned char seed) {
  const unsigned char *p = gmem_g2h(a);
  for (uint64_t i = 0; i < len; i++)
    if (p[i] != (unsigned char)(seed + i * 7))
      return 0;
  return 1;
}

static int zero(uint64_t a, uint64_t len) {
  const unsigned char *p = gmem_g2h(a);
  for (uint64_t i = 0; i < len; i++)
    if (p[i])
      return 0;
  return 1;
}

static void test_shrink(void **state) {
  int64_t a = gmem_map(0, 8 * P, RW, ANON, -1, 0, NULL);
  assert_true(a > 0);
  fill(a, 8 * P, 1);
  assert_int_equal(gmem_remap(a, 8 * P, 3 * P, 0, 0), a);
  assert_true(filled(a, 3 * P, 1));
  assert_true(gmem_check(a, 3 * P, RW));
  assert_false(gmem_check(a + 3 * P, P, PROT_READ));
  expect_host(a + 3 * P, "---p"); /* back in the reservation */
  assert_int_equal(lt_guest_vmas(), 1);
}

static void test_grow_in_place(void **state) {
  int64_t a = gmem_map(0, 4 * P, RW, ANON, -1, 0, NULL);
  gmem_unmap(a, 4 * P);
  a = gmem_map(a, 2 * P, RW, ANON | MAP_FIXED, -1, 0, NULL); /* free pages above */
  fill(a, 2 * P, 3);
  assert_int_equal(gmem_remap(a, 2 * P, 4 * P, 0, 0), a);
  assert_true(filled(a, 2 * P, 3));
  assert_true(zero(a + 2 * P, 2 * P));
  assert_true(gmem_check(a, 4 * P, RW));
  assert_int_equal(lt_guest_vmas(), 1); /* one VMA, grown */
  expect_host(a + 3 * P, "rw-p");
  /* Without MAYMOVE and no room: ENOMEM, nothing changes. */
  int64_t b = gmem_map(a + 4 * P, P, PROT_READ, ANON | MAP_FIXED, -1, 0, NULL);
  assert_int_equal(b, a + 4 * P);
  assert_int_equal(gmem_remap(a, 4 * P, 6 * P, 0, 0), -ENOMEM);
  assert_true(filled(a, 2 * P, 3));
  assert_int_equal(lt_guest_vmas(), 2);
}

static void test_grow_by_moving(void **state) {
  int64_t a = gmem_map(0, 2 * P, RW, ANON, -1, 0, NULL);
  int64_t blocker = gmem_map(a + 2 * P, P, RW, ANON | MAP_FIXED, -1, 0, NULL);
  assert_int_equal(blocker, a + 2 * P);
  fill(a, 2 * P, 5);
  int64_t n = gmem_remap(a, 2 * P, 64 * P, MREMAP_MAYMOVE, 0);
  assert_true(n > 0 && n != a);
  assert_true(filled(n, 2 * P, 5));
  assert_true(zero(n + 2 * P, 62 * P));
  assert_true(gmem_check(n, 64 * P, RW));
  assert_false(gmem_check(a, P, PROT_READ)); /* the old range is gone */
  expect_host(a, "---p");
  expect_host(n + 63 * P, "rw-p");
  GmemVmaInfo v;
  assert_true(gmem_lookup(n, &v));
  assert_int_equal(v.start, n);
  assert_int_equal(v.end, n + 64 * P);
  assert_int_equal(v.prot, RW);
}

static void test_fixed(void **state) {
  int64_t a = gmem_map(0, 2 * P, PROT_READ | PROT_EXEC, ANON, -1, 0, NULL);
  int64_t dst = gmem_map(0, 8 * P, RW, ANON, -1, 0, NULL); /* replaced */
  assert_true(a > 0 && dst > 0);
  assert_int_equal(gmem_remap(a, 2 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, dst + P), dst + P);
  GmemVmaInfo v;
  assert_true(gmem_lookup(dst + P, &v));
  assert_int_equal(v.start, dst + P);
  assert_int_equal(v.end, dst + 5 * P);
  assert_int_equal(v.prot, PROT_READ | PROT_EXEC); /* the moved mapping's, not the old dst's */
  expect_host(dst + P, "r--p");
  assert_true(gmem_check(dst, P, RW)); /* the rest of dst survives around it */
  assert_true(gmem_check(dst + 5 * P, 3 * P, RW));
  assert_false(gmem_check(a, P, PROT_READ));
  /* Errors: FIXED without MAYMOVE, overlap, unaligned, DONTUNMAP, not mapped. */
  assert_int_equal(gmem_remap(dst, P, P, MREMAP_FIXED, dst + 6 * P), -EINVAL);
  assert_int_equal(gmem_remap(dst + P, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * P),
                   -EINVAL);
  assert_int_equal(gmem_remap(dst + 1, P, P, 0, 0), -EINVAL);
  assert_int_equal(gmem_remap(dst, P, 2 * P, MREMAP_MAYMOVE | 4 /* DONTUNMAP */, 0), -EINVAL);
  assert_int_equal(gmem_remap(a, P, 2 * P, MREMAP_MAYMOVE, 0), -EFAULT);
  assert_int_equal(gmem_remap(dst, 8 * P, 9 * P, MREMAP_MAYMOVE, 0), -EFAULT); /* spans VMAs */
}

/* A shared anonymous mapping stays one object: a fork-free check through a
 * second view is not possible, so check the flags and that content moves. */
static void test_shared_and_file(void **state) {
  int64_t s = gmem_map(0, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0, NULL);
  fill(s, 2 * P, 9);
  int64_t blocker = gmem_map(s + 2 * P, P, RW, ANON | MAP_FIXED, -1, 0, NULL);
  assert_int_equal(blocker, s + 2 * P);
  int64_t n = gmem_remap(s, 2 * P, 3 * P, MREMAP_MAYMOVE, 0);
  assert_true(n > 0);
  assert_true(filled(n, 2 * P, 9));
  expect_host(n, "rw-s");

  unsigned char data[4 * P];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)(i / P + 1);
  const char *path = lt_write_file("remap-file", data, sizeof data);
  int fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  int64_t f = gmem_map(0, P, PROT_READ, MAP_PRIVATE, fd, P, NULL); /* file page 1 */
  close(fd);
  assert_true(f > 0);
  int64_t g = gmem_remap(f, P, 3 * P, MREMAP_MAYMOVE, 0); /* pages 1..3 */
  assert_true(g > 0);
  assert_int_equal(((unsigned char *)gmem_g2h(g))[0], 2);
  assert_int_equal(((unsigned char *)gmem_g2h(g))[2 * P], 4);
  GmemVmaInfo v;
  assert_true(gmem_lookup(g, &v));
  assert_int_equal(v.offset, P);
  assert_int_equal(v.end - v.start, 3 * P);
  assert_false(v.flags & MAP_ANONYMOUS);
}

/* Are guest a and b in the same host mapping (one /proc/self/maps line)? */
static int host_same(uint64_t a, uint64_t b) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[4096];
  int same = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && (uintptr_t)gmem_g2h(a) >= lo &&
        (uintptr_t)gmem_g2h(a) < hi)
      same = (uintptr_t)gmem_g2h(b) >= lo && (uintptr_t)gmem_g2h(b) < hi;
  }
  if (f)
    fclose(f);
  return same;
}

/* One guest VMA made of two host mappings (a fixed map over touched pages
 * replaces by moving a new mapping in, which the kernel does not merge): the
 * host cannot mremap it whole, so growing maps fresh pages and moving copies. */
static void test_split_host(void **state) {
  int64_t a = gmem_map(0, 2 * P, RW, ANON, -1, 0, NULL);
  fill(a, 2 * P, 11);
  assert_int_equal(gmem_map(a + P, P, RW, ANON | MAP_FIXED, -1, 0, NULL), a + P);
  fill(a + P, P, 13);
  assert_int_equal(lt_guest_vmas(), 1);
  assert_false(host_same(a, a + P)); /* what this test is about */
  gmem_unmap(a + 2 * P, 2 * P);
  assert_int_equal(gmem_remap(a, 2 * P, 4 * P, 0, 0), a); /* grow in place */
  assert_true(filled(a, P, 11) && filled(a + P, P, 13) && zero(a + 2 * P, 2 * P));
  assert_int_equal(gmem_map(a + 4 * P, P, RW, ANON | MAP_FIXED, -1, 0, NULL), a + 4 * P);
  int64_t n = gmem_remap(a, 4 * P, 8 * P, MREMAP_MAYMOVE, 0); /* move: copied */
  assert_true(n > 0 && n != a);
  assert_true(filled(n, P, 11) && filled(n + P, P, 13) && zero(n + 2 * P, 6 * P));
  assert_true(gmem_check(n, 8 * P, RW));
  assert_false(gmem_check(a, P, PROT_READ));
  expect_host(a, "---p");
}

static const struct CMUnitTest gmem_remap_tests[] = {
    LT_TEST(test_split_host),
    LT_TEST(test_shrink),        LT_TEST(test_grow_in_place), LT_TEST(test_grow_by_moving),
    LT_TEST(test_fixed),         LT_TEST(test_shared_and_file),
};

LOADER_TEST_MAIN(gmem_remap_tests)
