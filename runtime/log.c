/* log.c — QEMU-style debug logging: `-d item,item` chooses what, `-D file` where. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "emu.h"

uint32_t emu_log_mask;
static FILE *log_file;

static const struct { const char *name, *help; } log_items[EMU_LOG__COUNT] = {
#define EMU_LOG_ROW(name, help) {#name, help},
    EMU_LOGDEF(EMU_LOG_ROW)
#undef EMU_LOG_ROW
};

bool emu_log_parse(const char *items, char *err, size_t errsize) {
  const char *p = items;
  while (*p) {
    size_t n = strcspn(p, ",");
    int found = -1;
    for (int i = 0; i < EMU_LOG__COUNT; i++) {
      const char *name = log_items[i].name;
      bool same = strlen(name) == n;
      for (size_t k = 0; same && k < n; k++) /* llvm-ir and llvm_ir alike */
        same = p[k] == name[k] || (p[k] == '-' && name[k] == '_');
      if (same)
        found = i;
    }
    if (found < 0) {
      snprintf(err, errsize, "unknown -d item '%.*s' (try -d help)", (int)n, p);
      return false;
    }
    emu_log_mask |= 1u << found;
    p += n;
    if (*p == ',')
      p++;
  }
  return true;
}

void emu_log_help(void *file) {
  fprintf(file, "Log items (comma separated):\n");
  for (int i = 0; i < EMU_LOG__COUNT; i++)
    fprintf(file, "%-10s %s\n", log_items[i].name, log_items[i].help);
}

bool emu_log_set_file(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f)
    return false;
  setvbuf(f, NULL, _IOLBF, 0);
  log_file = f;
  return true;
}

void emu_log(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(log_file ? log_file : stderr, fmt, ap);
  va_end(ap);
}

/* -d stats: the engine's counters, at exit (both runners). */
void emu_engine_log_stats(EmuEngine *e) {
  if (!emu_log_on(EMU_LOG_stats))
    return;
  const EmuStats *s = emu_engine_stats(e);
  emu_log("emu stats: %" PRIu64 " guest insns executed; %" PRIu64 " blocks translated (%" PRIu64
          " guest insns, %.2f us/insn, %" PRIu64 " bytes of code); %" PRIu64
          " dispatcher entries, %" PRIu64 " chains, %" PRIu64 " flushes\n",
          s->insns_executed, s->blocks_translated, s->insns_translated,
          s->insns_translated ? (double)s->translate_ns / 1000.0 / (double)s->insns_translated : 0.0,
          s->code_bytes, s->blocks_executed, s->chains, s->flushes);
  if (s->blocks_cached || s->cache_ns)
    emu_log("emu stats: %" PRIu64 " blocks from the cache (%" PRIu64 " guest insns, %.1f ms)\n",
            s->blocks_cached, s->insns_cached, (double)s->cache_ns / 1e6);
  if (s->llvm_blocks || s->llvm_dropped || s->llvm_failed || s->llvm_noloop ||
      s->llvm_regions_cached)
    emu_log("emu stats: tier2: %" PRIu64 " regions (%" PRIu64 " blocks, %" PRIu64
            " guest insns, %.2f us/insn), %" PRIu64 " without a loop, %" PRIu64
            " dropped, %" PRIu64 " failed, %" PRIu64 " from the cache\n",
            s->llvm_regions, s->llvm_blocks, s->llvm_insns,
            s->llvm_insns ? (double)s->llvm_ns / 1000.0 / (double)s->llvm_insns : 0.0,
            s->llvm_noloop, s->llvm_dropped, s->llvm_failed, s->llvm_regions_cached);
}
