/* fuzz_elf.c — libFuzzer harness for the ELF loader. Each input is an ELF file
 * (in a memfd) loaded as a program and as an interpreter: a load must leave a sane
 * image that unmaps cleanly, a refusal must give a reason, and nothing may crash
 * or stay mapped. Built with -DEMU_FUZZ=ON and clang (tests/CMakeLists.txt); run
 * e.g. `fuzz_elf -max_total_time=300 corpus/` with real binaries as seeds. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_load.h"
#include "guest_mem.h"

static int fuzz_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (gmem_init() < 0)
    abort();
  fuzz_fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
  if (fuzz_fd < 0)
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (ftruncate(fuzz_fd, 0) < 0 || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
    abort();
  for (unsigned flags = 0; flags <= ELF_LOAD_INTERP; flags += ELF_LOAD_INTERP) {
    ElfImage img;
    char err[256] = "";
    if (elf_load_fd(fuzz_fd, EM_X86_64, flags, &img, err, sizeof err) == 0) {
      if (img.map_start < GMEM_MIN_ADDR || img.map_start >= img.map_end ||
          img.map_end > gmem_limit || img.end > img.map_end || img.entry >= gmem_limit)
        abort();
      elf_unload(&img);
    } else if (!err[0]) {
      abort();
    }
    if (gmem_format_maps(NULL, 0) != 0) /* something stayed mapped */
      abort();
  }
  gmem_reset();
  return 0;
}
