/* sys_pass.c — passthrough syscalls: the row's argument kinds say which
 * arguments are guest pointers; each is checked against the guest window and
 * translated, so the kernel can never be aimed at emu's own memory. */
#define _GNU_SOURCE
#include <errno.h>

#include "guest_mem.h"
#include "syscall_raw.h"
#include "user.h"

int64_t sys_passthrough(UserThread *t, const SysRow *row, const uint64_t a[6]) {
  (void)t;
  uint64_t h[6];
  const char *k = row->args;
  if (k[0] && k[1] == ':')
    k += 2; /* result kind */
  for (int i = 0; i < 6; i++) {
    char kind = *k ? *k++ : '-';
    h[i] = a[i];
    if (a[i] == 0 && (kind == 'p' || kind == 's' || kind == 'b' || kind == 'B'))
      continue; /* NULL is the kernel's to judge */
    void *p;
    switch (kind) {
    case 'p':
      p = user_ptr(a[i], 1);
      break;
    case 's':
      p = (void *)user_str(a[i]);
      break;
    case 'b':
    case 'B':
      p = user_ptr(a[i], i < 5 ? a[i + 1] : 1);
      break;
    default:
      continue;
    }
    if (!p)
      return -EFAULT;
    /* The kernel may write it: a page watched for code would give EFAULT. */
    user_smc_release(a[i], a[i] + ((kind == 'b' || kind == 'B') && i < 5 ? a[i + 1] : GMEM_PAGE));
    h[i] = (uint64_t)(uintptr_t)p;
  }
  return raw_syscall6(row->host_nr, h[0], h[1], h[2], h[3], h[4], h[5]);
}
