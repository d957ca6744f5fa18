/* sys_pass.c — passthrough syscalls: the row's argument kinds (sys_kind.h) say
 * which arguments are guest pointers, how long and whether the kernel writes
 * them; each is checked against the guest window and translated, so the kernel
 * can never be aimed at emu's own memory. */
#define _GNU_SOURCE
#include <errno.h>

#include "guest_mem.h"
#include "sys_kind.h"
#include "syscall_raw.h"
#include "sys.h"

int64_t sys_passthrough(UserThread *t, const SysRow *row, const uint64_t a[6]) {
  uint64_t h[6];
  char res;
  const char *k = sys_kinds_args(row->args, &res);
  for (int i = 0; i < 6; i++) {
    SysSpan s;
    h[i] = a[i];
    if (!k[0] || !sys_arg_span(*k++, i, a, &s))
      continue;
    const void *p = s.is_str ? (s.len ? user_path(t, gmem_g2h(s.addr)) : NULL)
                             : user_ptr(s.addr, s.len);
    if (!p)
      return -EFAULT;
    /* The kernel writes it: a page watched for code would give EFAULT. */
    if (s.write)
      user_smc_release(s.addr, s.addr + s.len);
    h[i] = (uint64_t)(uintptr_t)p;
  }
  /* A signal arriving just before a blocking call must not be slept through. */
  return user_safe_syscall(&t->sig, row->host_nr, h[0], h[1], h[2], h[3], h[4], h[5]);
}

/* Rows emu refuses (the table says why): the guest sees ENOSYS and takes its
 * fallback, and -strace still names the call. */
int64_t sys_nosys(UserThread *t, const uint64_t a[6]) {
  (void)t;
  (void)a;
  return -ENOSYS;
}
