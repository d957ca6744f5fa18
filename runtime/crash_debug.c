/* crash_debug.c — EMU_DEBUG_CRASH, a hidden test hook: the emulator crashes on
 * purpose at the runner's first syscall dispatch (emu_crash_debug_point), with
 * real frames above it, so tests can check the crash report (crash.c) end to
 * end through the runner's own fault handler. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu.h"

static volatile uintptr_t crash_debug_addr = 8; /* never mapped: page 0 */

/* Noinline: the frames are what the test looks for. Not instrumented: the
 * fault must be the hardware's, not a sanitizer report. */
__attribute__((noinline, no_sanitize("address", "undefined"))) static void crash_debug_segv(void) {
  *(volatile int *)crash_debug_addr = 1;
}

/* A shared mapping past the end of its (empty) file: SIGBUS on access. */
__attribute__((noinline, no_sanitize("address", "undefined"))) static void crash_debug_bus(void) {
  int fd = memfd_create("emu-debug-crash", 0);
  volatile int *p = fd < 0 ? NULL : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p && p != MAP_FAILED)
    (void)*p;
  emu_crash_report(0, NULL, NULL, "EMU_DEBUG_CRASH=bus: no SIGBUS");
}

static const struct {
  const char *name;
  void (*fire)(void);
} crash_debug_kinds[] = {
    {"segv", crash_debug_segv},
    {"bus", crash_debug_bus},
};

static void (*crash_debug_armed)(void);

bool emu_crash_debug_set(const char *what) {
  for (size_t i = 0; i < sizeof crash_debug_kinds / sizeof crash_debug_kinds[0]; i++)
    if (!strcmp(what, crash_debug_kinds[i].name)) {
      crash_debug_armed = crash_debug_kinds[i].fire;
      return true;
    }
  return false;
}

__attribute__((noinline)) void emu_crash_debug_point(void) {
  if (crash_debug_armed)
    crash_debug_armed();
  __asm__ volatile(""); /* not a tail call: this frame stays in the backtrace */
}
