/* bl_llvm.c — libLLVM on demand. Linking libLLVM-16.so would cost every emu
 * process ~15 ms before main (its ~420k relocations, its static constructors
 * and those of what it pulls in), tier 2 used or not. Instead each LLVM C
 * function backend_llvm calls (bl_llvm_api.def) is defined here as a stub that
 * jumps through a pointer, and bl_llvm_load dlopens the library and fills the
 * pointers; a BlJit calls it before its first use of LLVM. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "bl_int.h"

#define BL_LLVM_FN(name) __attribute__((visibility("hidden"))) void *bl_llvm_p_##name;
#include "bl_llvm_api.def"
#undef BL_LLVM_FN

/* A tail jump keeps the caller's arguments and return value as they are,
 * whatever the signature. Hidden: libLLVM's own calls never bind to these. */
#define BL_LLVM_FN(name)                                                              \
  __asm__(".text\n.globl " #name "\n.hidden " #name "\n.type " #name ", @function\n" \
          ".p2align 4\n" #name ":\n\tjmp *bl_llvm_p_" #name "(%rip)\n"                \
          ".size " #name ", .-" #name "\n");
#include "bl_llvm_api.def"
#undef BL_LLVM_FN

static const struct {
  const char *name;
  void **ptr;
} api[] = {
#define BL_LLVM_FN(name) {#name, &bl_llvm_p_##name},
#include "bl_llvm_api.def"
#undef BL_LLVM_FN
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char why[320];

static void load(void) {
  /* The library emu was built against, else whatever the loader finds by
   * soname. Global: the code LLVM generates may call libgcc and libm
   * functions (__udivti3, fmod), found through the process's symbols. Lazy,
   * as a linked library binds: binding all of its calls now costs ~1.5 ms. */
  static const char *const paths[] = {BL_LLVM_LIB, BL_LLVM_SONAME};
  void *lib = NULL;
  for (size_t i = 0; !lib && i < sizeof paths / sizeof paths[0]; i++)
    lib = dlopen(paths[i], RTLD_LAZY | RTLD_GLOBAL);
  if (!lib) {
    snprintf(why, sizeof why, "cannot load %s: %s", BL_LLVM_SONAME, dlerror());
    return;
  }
  for (size_t i = 0; i < sizeof api / sizeof api[0]; i++)
    if (!(*api[i].ptr = dlsym(lib, api[i].name))) {
      snprintf(why, sizeof why, "%s has no %s", BL_LLVM_SONAME, api[i].name);
      return;
    }
  loaded = true;
}

bool bl_llvm_load(char *err, size_t errsize) {
  pthread_once(&once, load);
  if (!loaded)
    snprintf(err, errsize, "%s", why);
  return loaded;
}
