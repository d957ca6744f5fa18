/* elf_load.h — load an ELF64 executable or interpreter into the guest window.
 *
 * Validates the file before trusting any of it (ident, headers, every PT_LOAD),
 * maps its PT_LOAD segments with gmem_map and reports what the initial stack and
 * the runner need. Every rejection is -1 with a one-line reason, never a crash,
 * and leaves nothing mapped.
 */
#ifndef EMU_ELF_LOAD_H
#define EMU_ELF_LOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ElfImage {
  uint16_t machine, type;      /* EM_*, ET_EXEC or ET_DYN */
  uint64_t entry;              /* guest entry point (bias applied) */
  uint64_t phdr, phent, phnum; /* AT_PHDR, AT_PHENT, AT_PHNUM */
  uint64_t bias;               /* added to every p_vaddr (0 for ET_EXEC) */
  uint64_t base;               /* guest address of file offset 0: AT_BASE for an interpreter */
  uint64_t map_start, map_end; /* the page-aligned span the image occupies */
  uint64_t end;                /* end of the highest segment (last bss byte + 1) */
  uint64_t brk;                /* page-aligned end: where the brk area starts */
  bool exec_stack;             /* PT_GNU_STACK has PF_X (or is absent) */
  bool has_interp;
  char interp[PATH_MAX];       /* PT_INTERP path when has_interp */
} ElfImage;

enum {
  ELF_LOAD_INTERP = 1, /* an interpreter: placed top-down below the mmap base, no brk */
};

/* Load the executable at path for a guest of expected_machine (EM_X86_64 or
 * EM_AARCH64). Sets the brk area to start at out->brk. 0, or -1 with err set. */
int elf_load(const char *path, uint16_t expected_machine, ElfImage *out, char *err,
             size_t errsize);
/* Load a dynamic program's interpreter (PT_INTERP): ET_DYN (or ET_EXEC) anywhere. */
int elf_load_interp(const char *path, uint16_t expected_machine, ElfImage *out, char *err,
                    size_t errsize);
/* The same from an open file (execveat, memfd, fuzzing); flags: ELF_LOAD_*. */
int elf_load_fd(int fd, uint16_t expected_machine, unsigned flags, ElfImage *out, char *err,
                size_t errsize);

/* Call fn for every defined function symbol of the file at path (.symtab, or
 * .dynsym without one), its address plus bias. Returns how many, or -1 if the
 * file cannot be read as ELF. For ahead-of-time translation. */
int elf_func_symbols(const char *path, uint64_t bias, void (*fn)(void *ctx, uint64_t addr),
                     void *ctx);

/* Unmap a loaded image's span. */
void elf_unload(const ElfImage *img);

/* "x86-64", "aarch64", ... or NULL for a machine we have no name for. */
const char *elf_machine_name(uint16_t machine);

#endif
