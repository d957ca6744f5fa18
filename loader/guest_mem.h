/* guest_mem.h — the user-mode guest address space.
 *
 * Guest addresses [0, gmem_limit) live at host [gmem_base, gmem_base + gmem_limit):
 * host = gmem_base + guest. gmem_init reserves the whole window (PROT_NONE) so the
 * emulator's own heap, libraries, code cache and thread stacks never land in it.
 * Identity (gmem_base == 0) is preferred; under ASan or a legacy layout the kernel
 * picks the base. A VMA list mirrors Linux mmap/munmap/mprotect/brk inside the window.
 */
#ifndef EMU_GUEST_MEM_H
#define EMU_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GMEM_PAGE 4096ull                    /* guest page = host page */
#define GMEM_MIN_ADDR 0x10000ull             /* lowest mappable guest address (mmap_min_addr) */
#define GMEM_STACK_GAP (256ull << 20)        /* top of the window kept for the stack */
#define GMEM_WINDOW_BITS_MAX 46
#define GMEM_WINDOW_BITS_MIN 36

/* Read-only after gmem_init. The JIT checks `guest addr < gmem_limit` and adds
 * gmem_base when it is nonzero; nothing else may hard-code either value. */
extern uintptr_t gmem_base;
extern uint64_t gmem_limit;

static inline void *gmem_g2h(uint64_t addr) { return (void *)(gmem_base + (uintptr_t)addr); }
static inline uint64_t gmem_h2g(const void *p) { return (uint64_t)((uintptr_t)p - gmem_base); }
static inline uint64_t gmem_page_up(uint64_t a) { return (a + GMEM_PAGE - 1) & ~(GMEM_PAGE - 1); }
static inline uint64_t gmem_page_down(uint64_t a) { return a & ~(GMEM_PAGE - 1); }

enum {
  GMEM_INIT_NO_IDENTITY = 1, /* skip the gmem_base == 0 attempt (tests, debugging) */
};

/* Reserve the window: identity [GMEM_MIN_ADDR, 2^max_bits) first, then a
 * kernel-chosen base for 2^max_bits, 2^(max_bits-1) ... 2^36 bytes. 0 or -errno.
 * Idempotent: a second call keeps the first window. gmem_init() = (0, 46). */
int gmem_init(void);
int gmem_init_ex(unsigned flags, unsigned max_bits);

/* Top of the top-down mmap search; the stack lives in [mmap_base, limit). */
uint64_t gmem_mmap_base(void);
/* Default initial stack top (one page below the window's end). */
uint64_t gmem_stack_top(void);

/* Guest mmap: Linux semantics, guest flag/prot values (x86-64 and AArch64 share
 * them; MAP_32BIT is honoured, the syscall layer drops it for AArch64). fd < 0 or
 * MAP_ANONYMOUS: anonymous. name: the /proc/self/maps name ("[heap]", "[stack]");
 * NULL derives it (file mappings: the fd's path). Returns the guest address or -errno.
 * The host mapping never gets PROT_EXEC; guest X becomes host R (the JIT reads code). */
int64_t gmem_map(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset,
                 const char *name);
int gmem_unmap(uint64_t addr, uint64_t len);             /* 0 or -errno */
int gmem_protect(uint64_t addr, uint64_t len, int prot); /* 0 or -errno */
/* mremap: Linux semantics for MREMAP_MAYMOVE and MREMAP_FIXED (MREMAP_DONTUNMAP
 * and old_len 0 are -EINVAL). [addr, addr+old_len) must lie in one VMA. Shrinks
 * in place; grows in place when the pages after it are free; otherwise moves
 * (with MAYMOVE) to a free range or new_addr (FIXED). Returns the guest address
 * or -errno. The host's mremap moves the pages, so contents never copy. */
int64_t gmem_remap(uint64_t addr, uint64_t old_len, uint64_t new_len, int flags,
                   uint64_t new_addr);

/* brk: gmem_brk_init sets the area's start (page-aligned up; the loader calls it
 * with the end of the image). gmem_brk(0) or an invalid value returns the current
 * break; otherwise the new one, growing by anonymous "[heap]" pages. */
void gmem_brk_init(uint64_t start);
uint64_t gmem_brk(uint64_t new_brk);

/* Is [addr, addr+len) inside the window and mapped with at least prot? */
bool gmem_check(uint64_t addr, uint64_t len, int prot);

typedef struct GmemVmaInfo {
  uint64_t start, end, offset;
  int prot, flags; /* guest prot; MAP_SHARED/MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN */
  const char *name; /* interned: valid until gmem_reset */
} GmemVmaInfo;

/* The VMA containing addr, if any. */
bool gmem_lookup(uint64_t addr, GmemVmaInfo *out);

/* /proc/self/maps lines for the guest mappings, snprintf-style: writes at most
 * size bytes (NUL-terminated when size > 0), returns the full length. */
size_t gmem_format_maps(char *buf, size_t size);

/* Drop every guest mapping (re-reserving the window) and the brk: execve, tests. */
void gmem_reset(void);

/* Around fork() in a threaded process: hold the VMA list still, so the child
 * does not inherit it locked by a thread that does not exist there. Unlock in
 * both parent and child. */
void gmem_fork_lock(void);
void gmem_fork_unlock(void);

#endif
