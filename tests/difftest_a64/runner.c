/* runner.c — the AArch64 difftest's case runner (a static guest program, no
 * libc: it needs nothing from an emulator but a few syscalls and the
 * instructions in this file and runner.S).
 *
 *   runner [--skip K] [--wx] < cases > outcomes
 *
 * For each DtaCase on stdin: fill the scratch memory from the case's seed,
 * write the case into its code slot (x17 setup, the instructions, two tails),
 * run it through dta_enter with the whole input state, and write a DtaOutcome:
 * the whole state at the end (or from the signal frame if a signal hit), how
 * it ended, and the scratch words that changed. Outcomes are written one
 * write() each, so a crash of the emulator loses nothing before it.
 * --skip K starts at case K (the driver resumes after a crash); --wx writes
 * code through RW -> RX mprotect instead of an RWX mapping.
 */
#include <stddef.h>
#include <stdint.h>

#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/unistd.h>

#include "dta_proto.h"

long dta_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
int dta_setjmp(uint64_t *buf);
void dta_longjmp(uint64_t *buf, int v) __attribute__((noreturn));
void dta_enter(void);
void dta_epilogue_a(void);
void dta_epilogue_b(void);

#define SYS(nr, a0, a1, a2, a3, a4, a5)                                                        \
  dta_syscall(nr, (long)(a0), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5))

/* runner.S's offsets. */
_Static_assert(offsetof(DtaState, sp) == 248 && offsetof(DtaState, nzcv) == 256 &&
                   offsetof(DtaState, fpcr) == 264 && offsetof(DtaState, fpsr) == 272 &&
                   offsetof(DtaState, tpidr) == 280 && offsetof(DtaState, v) == 288 &&
                   sizeof(DtaState) == 800,
               "runner.S assumes this DtaState layout");
enum { H_TPIDR = 168 / 8, H_FPCR = 176 / 8 };

/* Shared with runner.S. */
DtaState dta_in;
struct {
  DtaState st;
  uint64_t tail_b;
} dta_out;
/* Initialised, so the RW segment has file data: emu's loader (loader/elf_load.c
 * check_load) rejects a bss-only PT_LOAD whose p_offset lies past the end of
 * the file, which Linux accepts. */
uint64_t dta_host[24] = {1};
uint8_t dta_use_clrex;

static DtaCase cur;
static struct {
  DtaOutcome o;
  DtaMemWord mem[DTA_SCRATCH_WORDS];
} out;
static uint64_t scratch_init[DTA_SCRATCH_WORDS];
static uint64_t jb[22];
static volatile int in_case; /* 1: a case runs; 2: probing an instruction */
static uint8_t altstack[65536] __attribute__((aligned(16)));
static int wx;

/* gcc may call these for struct copies even when freestanding. By words when
 * aligned: under an interpreter every guest instruction of the runner counts. */
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *dp = d;
  const uint8_t *sp = s;
  if (((uintptr_t)dp | (uintptr_t)sp) % 8 == 0)
    for (; n >= 8; n -= 8, dp += 8, sp += 8)
      *(uint64_t *)dp = *(const uint64_t *)sp;
  while (n--)
    *dp++ = *sp++;
  return d;
}
void *memset(void *d, int c, size_t n) {
  uint8_t *dp = d;
  if ((uintptr_t)dp % 8 == 0)
    for (uint64_t w = 0x0101010101010101ull * (uint8_t)c; n >= 8; n -= 8, dp += 8)
      *(uint64_t *)dp = w;
  while (n--)
    *dp++ = (uint8_t)c;
  return d;
}

static size_t slen(const char *s) {
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

static void die(const char *msg, uint64_t v) {
  char buf[160], hex[17];
  size_t n = slen(msg);
  memcpy(buf, "runner: ", 8);
  memcpy(buf + 8, msg, n);
  for (int i = 0; i < 16; i++)
    hex[i] = "0123456789abcdef"[v >> (60 - 4 * i) & 15];
  hex[16] = '\n';
  memcpy(buf + 8 + n, " 0x", 3);
  memcpy(buf + 11 + n, hex, 17);
  SYS(__NR_write, 2, buf, 28 + n, 0, 0, 0);
  SYS(__NR_exit_group, 3, 0, 0, 0, 0, 0);
  __builtin_unreachable();
}

static int write_all(const void *p, size_t n) {
  const uint8_t *b = p;
  while (n) {
    long r = SYS(__NR_write, 1, b, n, 0, 0, 0);
    if (r <= 0)
      return -1;
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

/* 0 at end of input, 1 for a case. */
static int read_case(void) {
  uint8_t *b = (uint8_t *)&cur;
  size_t got = 0;
  while (got < sizeof cur) {
    long r = SYS(__NR_read, 0, b + got, sizeof cur - got, 0, 0, 0);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  if (got == 0)
    return 0;
  if (got != sizeof cur || cur.magic != DTA_MAGIC_CASE || cur.ninsns > DTA_MAX_INSNS)
    die("bad case record at byte count", got);
  return 1;
}

/* The signal frame's state: general registers, then the FP/SIMD record. */
static void state_from_frame(const struct sigcontext *sc) {
  DtaState *s = &out.o.out;
  for (int i = 0; i < 31; i++)
    s->x[i] = sc->regs[i];
  s->sp = sc->sp;
  s->nzcv = sc->pstate & 0xf0000000u;
  s->tpidr = cur.in.tpidr;
  for (size_t off = 0; off + sizeof(struct _aarch64_ctx) <= sizeof sc->__reserved;) {
    const struct _aarch64_ctx *h = (const void *)(sc->__reserved + off);
    if (h->magic == 0 || h->size == 0)
      break;
    if (h->magic == FPSIMD_MAGIC) {
      const struct fpsimd_context *f = (const void *)h;
      s->fpsr = f->fpsr;
      s->fpcr = f->fpcr;
      memcpy(s->v, f->vregs, sizeof s->v);
      return;
    }
    off += h->size;
  }
  die("no fpsimd record in the signal frame, magic", ((const struct _aarch64_ctx *)sc->__reserved)->magic);
}

/* The kernel's arm64 ucontext: the mcontext after a 1024-bit sigmask area. */
struct dta_ucontext {
  unsigned long uc_flags;
  void *uc_link;
  stack_t uc_stack;
  uint8_t uc_sigmask[128];
  struct sigcontext uc_mcontext;
};

static void on_signal(int sig, siginfo_t *si, void *ucv) {
  /* Whatever the case left in tpidr_el0 and fpcr, this code runs with ours. */
  __asm__ volatile("msr tpidr_el0, %0\n\tmsr fpcr, %1" ::"r"(dta_host[H_TPIDR]),
                   "r"(dta_host[H_FPCR]));
  const struct sigcontext *sc = &((struct dta_ucontext *)ucv)->uc_mcontext;
  if (in_case == 2) { /* a probe: the instruction is not there */
    in_case = 0;
    dta_longjmp(jb, 1);
  }
  if (in_case != 1) {
    if (sig == SIGALRM)
      return; /* the timer fired just as a case ended */
    die("signal outside a case at pc", sc->pc);
  }
  in_case = 0;
  out.o.exit = sig == SIGALRM ? DTA_EXIT_TIMEOUT : DTA_EXIT_SIGNAL;
  out.o.signo = sig;
  out.o.code = si->si_code;
  out.o.addr = (uint64_t)si->si_addr;
  out.o.pc_off = (int64_t)(sc->pc - dta_insn_addr(cur.id, 0));
  state_from_frame(sc);
  dta_longjmp(jb, 1);
}

static void set_timer(long seconds) {
  long it[4] = {0, 0, seconds, 0}; /* struct itimerval: interval, value */
  SYS(__NR_setitimer, 0 /* ITIMER_REAL */, it, 0, 0, 0, 0);
}

static void write_slot(void) {
  uint64_t slot = dta_slot_addr(cur.id);
  uint32_t *w = (uint32_t *)slot;
  uint64_t x17 = cur.in.x[17];
  unsigned n = 0;
  if (wx && SYS(__NR_mprotect, slot & ~0xfffull, 4096, 3 /* RW */, 0, 0, 0))
    die("mprotect RW failed at", slot);
  w[n++] = 0xd2800000u | (uint32_t)(x17 & 0xffff) << 5 | 17;                  /* movz */
  for (unsigned hw = 1; hw < 4; hw++)                                         /* movk */
    w[n++] = 0xf2800000u | hw << 21 | (uint32_t)(x17 >> (16 * hw) & 0xffff) << 5 | 17;
  for (unsigned i = 0; i < cur.ninsns; i++)
    w[n++] = cur.insn[i];
  uint64_t tails[2] = {(uint64_t)dta_epilogue_a, (uint64_t)dta_epilogue_b};
  for (int t = 0; t < 2; t++, n++)
    w[n] = 0x14000000u | (uint32_t)((tails[t] - (slot + 4 * n)) >> 2 & 0x3ffffff);
  if (wx && SYS(__NR_mprotect, slot & ~0xfffull, 4096, 5 /* RX */, 0, 0, 0))
    die("mprotect RX failed at", slot);
  __builtin___clear_cache((char *)w, (char *)(w + n));
}

/* Scratch as the case's seed says. Consecutive cases mostly share a seed, and
 * then only the words the last case changed need restoring. */
static void prepare_scratch(void) {
  static uint64_t seed;
  static int have;
  uint64_t *scratch = (uint64_t *)DTA_SCRATCH_ADDR;
  if (have && seed == cur.mem_seed) {
    for (uint32_t i = 0; i < out.o.nmem; i++)
      scratch[out.mem[i].index] = scratch_init[out.mem[i].index];
    return;
  }
  dta_fill_scratch(cur.mem_seed, scratch_init);
  memcpy(scratch, scratch_init, DTA_SCRATCH_SIZE);
  seed = cur.mem_seed;
  have = 1;
}

static void run_case(void) {
  uint64_t *scratch = (uint64_t *)DTA_SCRATCH_ADDR;
  prepare_scratch();
  write_slot();
  dta_in = cur.in;
  dta_in.x[17] = dta_slot_addr(cur.id);
  memset(&out.o, 0, sizeof out.o);
  out.o.magic = DTA_MAGIC_OUTCOME;
  out.o.id = cur.id;
  set_timer(5);
  in_case = 1;
  if (dta_setjmp(jb) == 0) {
    dta_enter();
    in_case = 0;
    out.o.exit = dta_out.tail_b ? DTA_EXIT_TAIL_B : DTA_EXIT_END;
    out.o.pc_off = 4 * (int64_t)(cur.ninsns + (dta_out.tail_b ? 1 : 0));
    out.o.out = dta_out.st;
    out.o.out.tpidr = cur.in.tpidr;
  }
  set_timer(0);
  uint32_t nmem = 0;
  for (uint32_t i = 0; i < DTA_SCRATCH_WORDS; i++)
    if (scratch[i] != scratch_init[i])
      out.mem[nmem++] = (DtaMemWord){.index = i, .val = scratch[i]};
  out.o.nmem = nmem;
  if (write_all(&out, sizeof out.o + nmem * sizeof(DtaMemWord)))
    die("write failed, case", cur.id);
}

static void map_fixed(uint64_t addr, uint64_t size, int prot) {
  long r = SYS(__NR_mmap, addr, size, prot, 0x22 | 0x100000 /* PRIVATE|ANON|FIXED_NOREPLACE */,
               -1, 0);
  if ((uint64_t)r != addr)
    die("cannot map the fixed address", addr);
}

static void install_handlers(void) {
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  if (SYS(__NR_sigaltstack, &ss, 0, 0, 0, 0, 0))
    die("sigaltstack failed", 0);
  static const int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE, SIGALRM};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct {
      void *handler;
      unsigned long flags;
      void *restorer;
      uint64_t mask;
    } sa = {(void *)on_signal, SA_SIGINFO | SA_ONSTACK | SA_NODEFER, 0, 0};
    if (SYS(__NR_rt_sigaction, sigs[i], &sa, 0, 8, 0, 0))
      die("rt_sigaction failed for signal", (uint64_t)sigs[i]);
  }
}

static uint64_t parse_u64(const char *s) {
  uint64_t v = 0;
  while (*s >= '0' && *s <= '9')
    v = v * 10 + (uint64_t)(*s++ - '0');
  return v;
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

int runner_main(uint64_t *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  uint64_t skip = 0;
  for (int i = 1; i < argc; i++) {
    if (streq(argv[i], "--skip") && i + 1 < argc)
      skip = parse_u64(argv[++i]);
    else if (streq(argv[i], "--wx"))
      wx = 1;
    else
      die("usage: runner [--skip K] [--wx] < cases; bad argument number", (uint64_t)i);
  }
  map_fixed(DTA_CODE_ADDR, DTA_CODE_SIZE, wx ? 5 : 7);
  map_fixed(DTA_SCRATCH_ADDR - DTA_GUARD, 2 * DTA_GUARD + DTA_SCRATCH_SIZE, 0);
  if ((uint64_t)SYS(__NR_mmap, DTA_SCRATCH_ADDR, DTA_SCRATCH_SIZE, 3, 0x32 /* PRIVATE|ANON|FIXED */,
                    -1, 0) != DTA_SCRATCH_ADDR)
    die("cannot map scratch at", DTA_SCRATCH_ADDR);
  install_handlers();
  /* clrex gives each case a clear exclusive monitor; an emulator without it
   * still runs everything else (exclusive pairs across cases may then differ). */
  in_case = 2;
  if (dta_setjmp(jb) == 0) {
    __asm__ volatile("clrex" ::: "memory");
    dta_use_clrex = 1;
  }
  in_case = 0;
  if (skip && SYS(__NR_lseek, 0, skip * sizeof(DtaCase), 0 /* SEEK_SET */, 0, 0, 0) < 0)
    die("cannot seek stdin to case", skip);
  while (read_case())
    run_case();
  return 0;
}
