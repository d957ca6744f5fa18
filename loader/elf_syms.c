/* elf_syms.c — the function symbols of an ELF file (.symtab, else .dynsym),
 * for ahead-of-time translation: each STT_FUNC with a size is a known start
 * of code. Read with libelf; a file without symbols just gives none. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include "elf_load.h"

int elf_func_symbols(const char *path, uint64_t bias, void (*fn)(void *ctx, uint64_t addr),
                     void *ctx) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  elf_version(EV_CURRENT);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  int n = -1;
  if (elf) {
    Elf_Scn *want = NULL, *scn = NULL;
    GElf_Shdr sh;
    while ((scn = elf_nextscn(elf, scn)))
      if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_SYMTAB ||
                                      (sh.sh_type == SHT_DYNSYM && !want)))
        want = scn;
    n = 0;
    Elf_Data *d = want && gelf_getshdr(want, &sh) ? elf_getdata(want, NULL) : NULL;
    size_t count = d && sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
    for (size_t i = 0; i < count; i++) {
      GElf_Sym s;
      if (gelf_getsym(d, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_FUNC &&
          s.st_shndx != SHN_UNDEF && s.st_value) {
        fn(ctx, s.st_value + bias);
        n++;
      }
    }
    elf_end(elf);
  }
  close(fd);
  return n;
}
