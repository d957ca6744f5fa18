/* initstack.h — the initial guest stack of a new process, as Linux's
 * create_elf_tables lays it out (x86-64 and AArch64 agree):
 *
 *   sp -> argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs, AT_NULL 0
 *         ... AT_RANDOM bytes, AT_PLATFORM string, argv strings, envp strings,
 *         AT_EXECFN string, 8 zero bytes <- stack top
 *
 * sp is 16-byte aligned. The stack is an 8 MiB "[stack]" mapping by default.
 */
#ifndef EMU_INITSTACK_H
#define EMU_INITSTACK_H

#include <stdint.h>

#include "elf_load.h"

#define INITSTACK_DEFAULT_SIZE (8ull << 20)

typedef struct InitStackArgs {
  int argc;
  const char *const *argv; /* argc strings */
  const char *const *envp; /* NULL-terminated; NULL for none */
  const char *execfn;      /* AT_EXECFN; NULL: argv[0] (or "") */
  const char *platform;    /* AT_PLATFORM ("x86_64", "aarch64"); NULL: no entry */
  const ElfImage *exe;     /* the program: AT_PHDR, AT_PHENT, AT_PHNUM, AT_ENTRY, stack X */
  uint64_t interp_base;    /* AT_BASE: the interpreter's ElfImage.base, 0 without one */
  uint64_t hwcap, hwcap2;  /* AT_HWCAP, AT_HWCAP2: the guest CPU's features */
  uint64_t vdso;           /* AT_SYSINFO_EHDR when nonzero */
  uint64_t minsigstksz;    /* AT_MINSIGSTKSZ when nonzero */
  uint64_t stack_size;     /* 0: INITSTACK_DEFAULT_SIZE */
  uint64_t stack_top;      /* 0: gmem_stack_top() */
} InitStackArgs;

/* Map the stack and fill it. Returns the guest sp, or 0 with errno set
 * (EINVAL bad arguments, E2BIG strings over a quarter of the stack, EEXIST/ENOMEM
 * no room for the mapping). */
uint64_t initstack_build(const InitStackArgs *a);

/* Where the last built auxv lives (for /proc/self/auxv): guest address and bytes,
 * AT_NULL pair included. Both 0 before the first build. */
void initstack_auxv(uint64_t *addr, uint64_t *bytes);

#endif
