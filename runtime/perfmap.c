/* perfmap.c — `-d perfmap`: generated code listed in /tmp/perf-<pid>.map, the
 * file perf reads for JIT code (one "start size name" line per function), so
 * `perf report` names samples in it by guest pc: "fast 0x400660" for a tier-1
 * block, "llvm 0x400660" for a tier-2 region entered there. Code freed by a
 * flush and reused keeps its old lines too; perf takes the latest. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "engine.h"

static pthread_mutex_t perfmap_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *perfmap_file;

void emu_perfmap_add(const void *code, size_t size, const char *tier, uint64_t pc) {
  if (!emu_log_on(EMU_LOG_perfmap) || !code || !size)
    return;
  pthread_mutex_lock(&perfmap_lock);
  if (!perfmap_file) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
    perfmap_file = fopen(path, "w");
    if (perfmap_file)
      setvbuf(perfmap_file, NULL, _IOLBF, 0); /* whole lines, even if emu dies */
  }
  if (perfmap_file)
    fprintf(perfmap_file, "%" PRIxPTR " %zx %s 0x%" PRIx64 "\n", (uintptr_t)code, size, tier, pc);
  pthread_mutex_unlock(&perfmap_lock);
}
