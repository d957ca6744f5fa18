/* test_block.c — hw/block.c and block_raw.c: raw images read and written at
 * byte offsets (checked against the file itself), scatter lists, range and
 * read-only refusals, the lock against a second writer, and the one-line
 * reasons block_open gives for files it will not take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "block.h"

#include <errno.h>

/* A temporary file holding len bytes of a known pattern (byte i = i * 7 + 3). */
static char *make_image(size_t len) {
  char *path = strdup("/tmp/emu_test_block_XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  uint8_t *buf = malloc(len ? len : 1);
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)(i * 7 + 3);
  assert_int_equal(write(fd, buf, len), (ssize_t)len);
  free(buf);
  close(fd);
  return path;
}

static void drop_image(char *path) {
  unlink(path);
  free(path);
}

/* The file's bytes at [off, off+len), read without the block layer. */
static void file_bytes(const char *path, uint64_t off, void *buf, size_t len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
  assert_int_equal(fread(buf, 1, len, f), len);
  fclose(f);
}

static void test_read_write(void **state) {
  char *path = make_image(8192);
  char err[256] = "";
  BlockDev *bd = block_open(path, false, err, sizeof err);
  assert_non_null(bd);
  assert_int_equal(block_size(bd), 8192);
  assert_false(block_readonly(bd));
  assert_string_equal(block_path(bd), path);

  uint8_t b[600];
  assert_int_equal(block_pread(bd, 1000, b, sizeof b), 0);
  for (size_t i = 0; i < sizeof b; i++)
    assert_int_equal(b[i], (uint8_t)((1000 + i) * 7 + 3));

  uint8_t w[1024];
  for (size_t i = 0; i < sizeof w; i++)
    w[i] = (uint8_t)(0xa5 ^ i);
  assert_int_equal(block_pwrite(bd, 512, w, sizeof w), 0);
  assert_int_equal(block_flush(bd), 0);
  uint8_t f[1024];
  file_bytes(path, 512, f, sizeof f);
  assert_memory_equal(f, w, sizeof w);
  file_bytes(path, 511, f, 1); /* neighbours untouched */
  assert_int_equal(f[0], (uint8_t)(511 * 7 + 3));
  file_bytes(path, 1536, f, 1);
  assert_int_equal(f[0], (uint8_t)(1536 * 7 + 3));

  /* Scatter lists, an empty entry among them, across the written range. */
  uint8_t p1[100], p2[412], p3[512];
  struct iovec iov[4] = {{p1, sizeof p1}, {NULL, 0}, {p2, sizeof p2}, {p3, sizeof p3}};
  assert_int_equal(block_preadv(bd, 512, iov, 4), 0);
  assert_memory_equal(p1, w, 100);
  assert_memory_equal(p2, w + 100, 412);
  assert_memory_equal(p3, w + 512, 512);
  memset(p1, 0x11, sizeof p1);
  memset(p2, 0x22, sizeof p2);
  assert_int_equal(block_pwritev(bd, 8192 - 512, iov, 3), 0);
  file_bytes(path, 8192 - 512, f, 512);
  assert_int_equal(f[0], 0x11);
  assert_int_equal(f[99], 0x11);
  assert_int_equal(f[100], 0x22);
  assert_int_equal(f[511], 0x22);
  block_close(bd);

  /* What was written is there after reopening. */
  bd = block_open(path, true, err, sizeof err);
  assert_non_null(bd);
  assert_int_equal(block_pread(bd, 512, f, sizeof w), 0);
  assert_memory_equal(f, w, sizeof w);
  block_close(bd);
  drop_image(path);
}

static void test_range_and_readonly(void **state) {
  char *path = make_image(4096);
  char err[256];
  BlockDev *bd = block_open(path, false, err, sizeof err);
  assert_non_null(bd);
  uint8_t b[1024] = {0};
  assert_int_equal(block_pread(bd, 4096 - 512, b, 1024), -EINVAL);
  assert_int_equal(block_pwrite(bd, 4096 - 512, b, 1024), -EINVAL);
  assert_int_equal(block_pread(bd, 4096 + 512, b, 0), -EINVAL);
  assert_int_equal(block_pread(bd, UINT64_MAX - 10, b, 512), -EINVAL);
  assert_int_equal(block_pread(bd, 4096 - 512, b, 512), 0); /* the last sector is fine */
  block_close(bd);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 4096); /* never grown */

  bd = block_open(path, true, err, sizeof err);
  assert_non_null(bd);
  assert_true(block_readonly(bd));
  assert_int_equal(block_pwrite(bd, 0, b, 512), -EROFS);
  assert_int_equal(block_pread(bd, 0, b, 512), 0);
  assert_int_equal(b[1], 10);
  assert_int_equal(block_flush(bd), 0);
  block_close(bd);
  drop_image(path);
}

static void test_lock(void **state) {
  char *path = make_image(1024);
  char err[256];
  BlockDev *rw = block_open(path, false, err, sizeof err);
  assert_non_null(rw);
  char expect[300];
  snprintf(expect, sizeof expect, "%s: in use: another process has it open", path);
  assert_null(block_open(path, false, err, sizeof err));
  assert_string_equal(err, expect);
  snprintf(expect, sizeof expect, "%s: in use: another process is writing it", path);
  assert_null(block_open(path, true, err, sizeof err));
  assert_string_equal(err, expect);
  block_close(rw);

  /* Readers share. */
  BlockDev *r1 = block_open(path, true, err, sizeof err);
  BlockDev *r2 = block_open(path, true, err, sizeof err);
  assert_non_null(r1);
  assert_non_null(r2);
  assert_null(block_open(path, false, err, sizeof err));
  block_close(r1);
  block_close(r2);
  rw = block_open(path, false, err, sizeof err);
  assert_non_null(rw);
  block_close(rw);
  drop_image(path);
}

/* block_open(path) fails with exactly "path: reason". */
static void expect_refused(const char *path, bool readonly, const char *reason) {
  char err[256] = "", expect[300];
  assert_null(block_open(path, readonly, err, sizeof err));
  snprintf(expect, sizeof expect, "%s: %s", path, reason);
  assert_string_equal(err, expect);
}

static void test_refusals(void **state) {
  expect_refused("/nonexistent/disk.img", false, "No such file or directory");
  expect_refused("/nonexistent/disk.img", true, "No such file or directory");
  expect_refused("/tmp", false, "is a directory");
  expect_refused("/tmp", true, "is a directory");
  expect_refused("/dev/null", true, "not a regular file or block device");

  char *path = make_image(0);
  expect_refused(path, false, "the image is empty");
  drop_image(path);
  path = make_image(1000);
  expect_refused(path, false, "its size (1000 bytes) is not a multiple of 512");
  drop_image(path);

  /* A qcow2 header: magic, version 3. Refused read-write and read-only. */
  path = make_image(4096);
  FILE *f = fopen(path, "r+b");
  fwrite("QFI\xfb\0\0\0\3", 1, 8, f);
  fclose(f);
  expect_refused(path, false, "qcow2 images are not supported yet; use format=raw");
  expect_refused(path, true, "qcow2 images are not supported yet; use format=raw");
  drop_image(path);

  /* A refused open leaves no lock behind. */
  path = make_image(1000);
  char err[256];
  assert_null(block_open(path, false, err, sizeof err));
  assert_int_equal(truncate(path, 1024), 0);
  BlockDev *bd = block_open(path, false, err, sizeof err);
  assert_non_null(bd);
  block_close(bd);
  drop_image(path);
  block_close(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_write),
      cmocka_unit_test(test_range_and_readonly),
      cmocka_unit_test(test_lock),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
