/* test_sys_generic.c — the asm-generic (AArch64) open flags against the x86-64
 * host's, where the guest tests cannot tell: qemu-user, their oracle, drops
 * O_LARGEFILE from F_GETFL, while arm64 Linux reports it (its own bit,
 * 0400000); and the four bits that move must never leak into each other. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sys_generic.h"

/* The arm64 values (arch/arm64/include/uapi/asm/fcntl.h). */
enum { A_DIRECTORY = 040000, A_NOFOLLOW = 0100000, A_DIRECT = 0200000, A_LARGEFILE = 0400000 };
enum { H_LARGEFILE = 0100000 }; /* the x86-64 kernel's (glibc's O_LARGEFILE is 0) */

static void test_moved_bits(void **state) {
  (void)state;
  assert_int_equal(gen_open_flags_to_host(A_DIRECTORY), O_DIRECTORY);
  assert_int_equal(gen_open_flags_to_host(A_NOFOLLOW), O_NOFOLLOW);
  assert_int_equal(gen_open_flags_to_host(A_DIRECT), O_DIRECT);
  assert_int_equal(gen_open_flags_to_host(A_LARGEFILE), H_LARGEFILE);
  assert_int_equal(gen_open_flags_from_host(O_DIRECTORY), A_DIRECTORY);
  assert_int_equal(gen_open_flags_from_host(O_NOFOLLOW), A_NOFOLLOW);
  assert_int_equal(gen_open_flags_from_host(O_DIRECT), A_DIRECT);
  assert_int_equal(gen_open_flags_from_host(H_LARGEFILE), A_LARGEFILE);
}

/* What F_GETFL returns for a file opened O_RDWR|O_APPEND on a 64-bit host. */
static void test_getfl_largefile(void **state) {
  (void)state;
  assert_int_equal(gen_open_flags_from_host(O_RDWR | O_APPEND | H_LARGEFILE),
                   O_RDWR | O_APPEND | A_LARGEFILE);
}

/* The shared bits pass unchanged, and every combination of the moved ones
 * survives the round trip. */
static void test_round_trip(void **state) {
  (void)state;
  const uint64_t same = O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
                        O_NONBLOCK | O_DSYNC | O_ASYNC | O_NOATIME | O_CLOEXEC | O_PATH |
                        020000000 /* __O_TMPFILE */ | 04000000 /* __O_SYNC */;
  assert_int_equal(gen_open_flags_to_host(same), same);
  assert_int_equal(gen_open_flags_from_host(same), same);
  static const uint32_t moved[4] = {A_DIRECTORY, A_NOFOLLOW, A_DIRECT, A_LARGEFILE};
  for (unsigned m = 0; m < 16; m++) {
    uint64_t g = O_RDONLY | O_CLOEXEC;
    for (int i = 0; i < 4; i++)
      if (m & (1u << i))
        g |= moved[i];
    assert_int_equal(gen_open_flags_from_host(gen_open_flags_to_host(g)), g);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_moved_bits),
      cmocka_unit_test(test_getfl_largefile),
      cmocka_unit_test(test_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
