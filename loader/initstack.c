/* initstack.c — build the initial guest stack (see initstack.h).
 *
 * Everything is sized first, then written top-down into a fresh "[stack]"
 * mapping through gmem_g2h; the auxv order follows Linux x86-64 (AArch64 has
 * the same entries without the ones we leave out).
 */
#define _GNU_SOURCE
#include "initstack.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "guest_mem.h"

#define INITSTACK_MAX_AUX 32

typedef struct Aux {
  uint64_t type, val;
} Aux;

static uint64_t last_auxv, last_auxv_bytes;

void initstack_auxv(uint64_t *addr, uint64_t *bytes) {
  *addr = last_auxv;
  *bytes = last_auxv_bytes;
}

static void put_u64(uint64_t addr, uint64_t v) { memcpy(gmem_g2h(addr), &v, sizeof v); }

/* Copy s with its NUL to *at, advance *at, return where it went. */
static uint64_t put_str(uint64_t *at, const char *s) {
  uint64_t where = *at, n = strlen(s) + 1;
  memcpy(gmem_g2h(where), s, n);
  *at += n;
  return where;
}

static void fill_random(uint64_t addr) {
  unsigned char b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = getrandom(b + got, sizeof b - got, 0);
    if (n > 0)
      got += (size_t)n;
    else if (errno != EINTR)
      break;
  }
  memcpy(gmem_g2h(addr), b, sizeof b);
}

static size_t build_aux(Aux *aux, const InitStackArgs *a, uint64_t random, uint64_t execfn,
                        uint64_t platform) {
  const ElfImage *e = a->exe;
  long clk = sysconf(_SC_CLK_TCK);
  size_t n = 0;
  if (a->vdso)
    aux[n++] = (Aux){AT_SYSINFO_EHDR, a->vdso};
  if (a->minsigstksz)
    aux[n++] = (Aux){AT_MINSIGSTKSZ, a->minsigstksz};
  aux[n++] = (Aux){AT_HWCAP, a->hwcap};
  aux[n++] = (Aux){AT_PAGESZ, GMEM_PAGE};
  aux[n++] = (Aux){AT_CLKTCK, clk > 0 ? (uint64_t)clk : 100};
  aux[n++] = (Aux){AT_PHDR, e->phdr};
  aux[n++] = (Aux){AT_PHENT, e->phent};
  aux[n++] = (Aux){AT_PHNUM, e->phnum};
  aux[n++] = (Aux){AT_BASE, a->interp_base};
  aux[n++] = (Aux){AT_FLAGS, 0};
  aux[n++] = (Aux){AT_ENTRY, e->entry};
  aux[n++] = (Aux){AT_UID, getuid()};
  aux[n++] = (Aux){AT_EUID, geteuid()};
  aux[n++] = (Aux){AT_GID, getgid()};
  aux[n++] = (Aux){AT_EGID, getegid()};
  aux[n++] = (Aux){AT_SECURE, getauxval(AT_SECURE)};
  aux[n++] = (Aux){AT_RANDOM, random};
  aux[n++] = (Aux){AT_HWCAP2, a->hwcap2};
  aux[n++] = (Aux){AT_EXECFN, execfn};
  if (platform)
    aux[n++] = (Aux){AT_PLATFORM, platform};
  aux[n++] = (Aux){AT_NULL, 0};
  return n;
}

uint64_t initstack_build(const InitStackArgs *a) {
  if (!a || !a->exe || a->argc < 0 || (a->argc && !a->argv)) {
    errno = EINVAL;
    return 0;
  }
  uint64_t argc = (uint64_t)a->argc, envc = 0, strbytes = 0;
  for (uint64_t i = 0; i < argc; i++) {
    if (!a->argv[i]) {
      errno = EINVAL;
      return 0;
    }
    strbytes += strlen(a->argv[i]) + 1;
  }
  for (; a->envp && a->envp[envc]; envc++)
    strbytes += strlen(a->envp[envc]) + 1;
  const char *execfn = a->execfn ? a->execfn : argc ? a->argv[0] : "";
  strbytes += strlen(execfn) + 1;

  uint64_t size = a->stack_size ? gmem_page_up(a->stack_size) : INITSTACK_DEFAULT_SIZE;
  uint64_t top = a->stack_top ? a->stack_top : gmem_stack_top();
  if ((top & (GMEM_PAGE - 1)) || size > top || top > gmem_limit) {
    errno = EINVAL;
    return 0;
  }
  if (strbytes + (argc + envc) * 8 > size / 4) { /* Linux: a quarter of the stack rlimit */
    errno = E2BIG;
    return 0;
  }
  int prot = PROT_READ | PROT_WRITE | (a->exe->exec_stack ? PROT_EXEC : 0);
  int64_t r = gmem_map(top - size, size, prot,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN, -1, 0,
                       "[stack]");
  if (r < 0) {
    errno = (int)-r;
    return 0;
  }

  /* Strings, ascending from strings_lo: argv, envp, execfn; then 8 zero bytes. */
  uint64_t strings_lo = top - 8 - strbytes;
  uint64_t platform = a->platform ? strings_lo - (strlen(a->platform) + 1) : 0;
  uint64_t random = (platform ? platform : strings_lo) - 16;
  uint64_t execfn_at = top - 8 - (strlen(execfn) + 1);
  Aux aux[INITSTACK_MAX_AUX];
  size_t naux = build_aux(aux, a, random, execfn_at, platform);
  uint64_t words = 1 + argc + 1 + envc + 1 + 2 * naux;
  uint64_t sp = ((random & ~15ull) - words * 8) & ~15ull;

  uint64_t s = strings_lo, w = sp;
  put_u64(w, argc);
  w += 8;
  for (uint64_t i = 0; i < argc; i++, w += 8)
    put_u64(w, put_str(&s, a->argv[i]));
  put_u64(w, 0);
  w += 8;
  for (uint64_t i = 0; i < envc; i++, w += 8)
    put_u64(w, put_str(&s, a->envp[i]));
  put_u64(w, 0);
  w += 8;
  put_str(&s, execfn);
  put_u64(top - 8, 0);
  if (platform) {
    uint64_t at = platform;
    put_str(&at, a->platform);
  }
  fill_random(random);
  last_auxv = w;
  last_auxv_bytes = naux * sizeof(Aux);
  for (size_t i = 0; i < naux; i++, w += 16) {
    put_u64(w, aux[i].type);
    put_u64(w + 8, aux[i].val);
  }
  return sp;
}
