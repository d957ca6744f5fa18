/* sys_ipc.c — System V IPC calls whose pointer argument depends on the command:
 * semctl's fourth argument is a union passed by value, a pointer for some
 * commands (struct semid_ds, struct seminfo, the array of semaphore values).
 * The rest of SysV IPC passes through with its argument kinds; shmat/shmdt are
 * refused (an attach would place host memory the guest window does not track). */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "syscall_raw.h"
#include "sys.h"

#ifndef IPC_64
#define IPC_64 0x100 /* the kernel's new-layout flag (linux/ipc.h) */
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif

/* Bytes the union's pointer covers for cmd, 0 when it is a value; *writes: the
 * kernel fills it. GETALL/SETALL need the set's size, asked with IPC_STAT. */
static uint64_t semctl_span(uint64_t semid, int cmd, bool *writes) {
  *writes = true;
  switch (cmd) {
  case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY: return sizeof(struct semid_ds);
  case IPC_INFO: case SEM_INFO: return sizeof(struct seminfo);
  case IPC_SET: *writes = false; return sizeof(struct semid_ds);
  case GETALL: case SETALL: {
    struct semid_ds ds;
    if (raw_syscall6(SYS_semctl, semid, 0, IPC_STAT, (uint64_t)(uintptr_t)&ds, 0, 0) < 0)
      return 0;
    *writes = cmd == GETALL;
    return ds.sem_nsems * sizeof(unsigned short);
  }
  default: return 0;
  }
}

int64_t sys_semctl(UserThread *t, const uint64_t a[6]) {
  (void)t;
  int cmd = (int)a[2] & ~IPC_64;
  bool writes;
  uint64_t len = semctl_span(a[0], cmd, &writes), arg = a[3];
  if (len) {
    void *p = user_ptr(a[3], len);
    if (!p)
      return -EFAULT;
    if (writes)
      user_smc_release(a[3], a[3] + len);
    arg = (uint64_t)(uintptr_t)p;
  }
  return raw_syscall6(SYS_semctl, a[0], a[1], a[2], arg, 0, 0);
}
