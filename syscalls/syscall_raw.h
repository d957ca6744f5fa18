/* syscall_raw.h — a host syscall returning the kernel's raw value (-4095..-1 is
 * -errno), which is what the guest's return register wants; libc's syscall()
 * would fold it into errno. */
#ifndef EMU_SYSCALL_RAW_H
#define EMU_SYSCALL_RAW_H

#include <stdint.h>
#include <sys/syscall.h>

static inline int64_t raw_syscall6(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                   uint64_t a4, uint64_t a5) {
  int64_t ret;
  register uint64_t r10 __asm__("r10") = a3;
  register uint64_t r8 __asm__("r8") = a4;
  register uint64_t r9 __asm__("r9") = a5;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

#endif
