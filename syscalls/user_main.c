/* user_main.c — the user-mode runner's entry: QEMU-style command line and EMU_*
 * environment variables, guest address space, program (and interpreter) load,
 * initial stack, engine and first thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include "guest_mem.h"
#include "initstack.h"
#include "user.h"

#define EMU_VERSION "0.1"

static const char *prog_name = "emu";

static void usage(FILE *f, const UserGuest *g) {
  fprintf(f,
          "usage: %s [options] program [arguments...]\n"
          "Linux %s user-mode emulator\n\n"
          "Options and their environment variables:\n"
          "  -h                   print this help\n"
          "  -L path              EMU_LD_PREFIX      prefix for the ELF interpreter and libraries\n"
          "  -E var=value         EMU_SET_ENV        set a variable for the guest (comma list in the env var)\n"
          "  -U var               EMU_UNSET_ENV      unset a variable for the guest\n"
          "  -0 argv0             EMU_ARGV0          argv[0] for the guest\n"
          "  -cpu model           EMU_CPU            CPU model ('help' lists them)\n"
          "  -s size              EMU_STACK_SIZE     guest stack size (suffixes k, M, G)\n"
          "  -d item[,...]        EMU_LOG            log items ('-d help' lists them)\n"
          "  -D file              EMU_LOG_FILENAME   write the log to file\n"
          "  -strace              EMU_STRACE         log system calls\n"
          "  --tier=T             EMU_TIER           interp | fast | llvm | auto (default fast)\n"
          "  --code-cache=size    EMU_CODE_CACHE     translated code cache size (default 256M)\n"
          "  --jit-threshold=N    EMU_JIT_THRESHOLD  auto tier: executions that make a block hot (default 2000)\n"
          "  --cache-dir=DIR      EMU_CACHE_DIR      keep translations in DIR for later runs (default off)\n"
          "  --aot                                   translate the program into --cache-dir, do not run it\n"
          "                       EMU_CACHE_MAX      size bound of that folder (default 512M)\n"
          "  -version                                print the version and exit\n"
          "  --binfmt-print                          print the binfmt_misc registration line\n"
          "  --binfmt-install                        register emu with binfmt_misc (root)\n"
          "  --binfmt-remove                         remove that registration (root)\n"
          "  --binfmt-flags=FLAGS                    registration flags, letters of POCF\n"
          "The binfmt_misc rule matches the guest's ELF files: for an x86-64 guest on an\n"
          "x86-64 host that is every native program too, so installing it there runs the\n"
          "whole system under emu (for testing only).\n",
          prog_name, g->name);
}

static void die(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "%s: ", prog_name);
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  exit(1);
}

static uint64_t parse_size(const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || end == s)
    die("invalid size '%s'%s", s, "");
  switch (*end) {
  case 'k': case 'K': v <<= 10; end++; break;
  case 'm': case 'M': v <<= 20; end++; break;
  case 'g': case 'G': v <<= 30; end++; break;
  }
  if (*end)
    die("invalid size '%s'%s", s, "");
  return v;
}

static uint32_t parse_count(const char *s) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 0);
  if (errno || end == s || *end || v == 0 || v > UINT32_MAX)
    die("invalid count '%s' (a positive integer)%s", s, "");
  return (uint32_t)v;
}

static EmuTier parse_tier(const char *s) {
  static const char *const names[] = {"interp", "fast", "llvm", "auto"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0)
      return (EmuTier)i;
  die("unknown tier '%s' (interp, fast, llvm, auto)%s", s, "");
  return EMU_TIER_FAST;
}

/* The guest environment: ours, with -E/-U applied in order. */
typedef struct EnvList {
  char **v;
  size_t n, cap;
} EnvList;

static void env_unset(EnvList *e, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < e->n; i++)
    if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=') {
      memmove(&e->v[i], &e->v[i + 1], (e->n - i) * sizeof *e->v);
      e->n--;
      i--;
    }
}

static void env_set(EnvList *e, const char *assign) {
  const char *eq = strchr(assign, '=');
  if (!eq)
    die("-E needs var=value, got '%s'%s", assign, "");
  char name[256];
  snprintf(name, sizeof name, "%.*s", (int)(eq - assign), assign);
  env_unset(e, name);
  if (e->n + 2 > e->cap) {
    e->cap = e->cap * 2 + 16;
    e->v = realloc(e->v, e->cap * sizeof *e->v);
  }
  e->v[e->n++] = strdup(assign);
  e->v[e->n] = NULL;
}

static void env_from_list(EnvList *e, const char *list, bool set) {
  char *copy = strdup(list), *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    set ? env_set(e, tok) : env_unset(e, tok);
  free(copy);
}

/* The guest sees our environment unchanged (as under QEMU, EMU_* included). */
static void env_init(EnvList *e) {
  extern char **environ;
  e->n = 0;
  for (char **p = environ; *p; p++)
    e->n++;
  e->cap = e->n + 16;
  e->v = calloc(e->cap, sizeof *e->v);
  e->n = 0;
  for (char **p = environ; *p; p++)
    e->v[e->n++] = *p;
  e->v[e->n] = NULL;
}

/* Guest code bytes for the frontend: only from executable guest mappings. */
static size_t fetch_code(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  (void)ctx;
  size_t n = 0;
  while (n < max) {
    uint64_t page_end = gmem_page_down(pc + n) + GMEM_PAGE;
    size_t chunk = max - n < page_end - (pc + n) ? max - n : page_end - (pc + n);
    if (!gmem_check(pc + n, chunk, PROT_EXEC))
      break;
    user_smc_watch(gmem_page_down(pc + n)); /* before reading: writes after this fault */
    memcpy(buf + n, gmem_g2h(pc + n), chunk);
    n += chunk;
  }
  return n;
}

/* The interpreter tier's memory: checked against the VMA list, so a guest
 * access never faults in the host. */
/* Mapped is not enough: a file mapping past the end of its file raises SIGBUS
 * on access. The interpreter's copies run under a recovery point the fault
 * handler jumps back to, so that becomes a guest fault, not an emu crash. */
static __thread sigjmp_buf *volatile copy_recover; /* volatile: read by the handler */

static int guarded_copy(void *dst, const void *src, size_t n) {
  sigjmp_buf jb;
  if (sigsetjmp(jb, 0)) {
    copy_recover = NULL;
    return -1;
  }
  copy_recover = &jb;
  memcpy(dst, src, n);
  copy_recover = NULL;
  return 0;
}

static int mem_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  (void)ctx;
  if (!gmem_check(addr, size, PROT_READ))
    return -1;
  return guarded_copy(out, gmem_g2h(addr), size);
}

static int mem_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  (void)ctx;
  if (!gmem_check(addr, size, PROT_WRITE))
    return -1;
  return guarded_copy(gmem_g2h(addr), in, size);
}

static void *mem_atomic(void *ctx, uint64_t addr, unsigned size) {
  (void)ctx;
  return gmem_check(addr, size, PROT_READ | PROT_WRITE) ? gmem_g2h(addr) : NULL;
}

/* A host fault: the guest's (becomes a guest SIGSEGV) or ours (a crash). */
static void on_host_fault(int sig, siginfo_t *si, void *uc) {
  if (si->si_code <= 0) { /* sent (kill, tgkill, sigqueue): an ordinary guest signal */
    user_signal_host(sig, si, uc);
    return;
  }
  ucontext_t *ctx = uc;
  bool is_write = (ctx->uc_mcontext.gregs[REG_ERR] & 2) != 0;
  if (sig == SIGSEGV && user_smc_fault(gmem_h2g(si->si_addr), is_write))
    return; /* a write to a page we protected for code: retry it */
  user_signal_note_fault(sig); /* SIGBUS stays SIGBUS for the guest */
  if (copy_recover) /* the interpreter's access to guest memory */
    siglongjmp(*copy_recover, 1);
  if (emu_host_fault(sig, si->si_addr, uc))
    return;
  emu_crash_report(sig, si, uc, NULL); /* ours: report, exit status EMU_CRASH_EXIT */
}

static void install_fault_handlers(void) {
  static char altstack[64 * 1024];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_host_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

int user_main(int argc, char **argv, const UserGuest *g) {
  prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  emu_crash_init(prog_name);
  UserProcess *p = calloc(1, sizeof *p);
  p->guest = g;
  p->opt.tier = EMU_TIER_FAST;
  p->opt.aot = strcmp(prog_name, "emu-aot") == 0; /* emu-aot is emu-x86_64 --aot */
  EnvList env;
  env_init(&env);
  char err[256];

  /* Environment settings first; the command line overrides them. */
  const char *v;
  if ((v = getenv("EMU_LD_PREFIX"))) p->opt.sysroot = v;
  if ((v = getenv("EMU_CPU"))) p->opt.cpu_model = v;
  if ((v = getenv("EMU_STRACE"))) p->opt.strace = true;
  if ((v = getenv("EMU_TIER"))) p->opt.tier = parse_tier(v);
  if ((v = getenv("EMU_STACK_SIZE"))) p->opt.stack_size = parse_size(v);
  if ((v = getenv("EMU_ARGV0"))) p->opt.argv0 = v;
  if ((v = getenv("EMU_CODE_CACHE"))) p->opt.code_cache = parse_size(v);
  if ((v = getenv("EMU_JIT_THRESHOLD"))) p->opt.jit_threshold = parse_count(v);
  if ((v = getenv("EMU_CACHE_DIR")) && *v) p->opt.cache_dir = v;
  if ((v = getenv("EMU_CACHE_MAX"))) p->opt.cache_max = parse_size(v);
  if ((v = getenv("EMU_SET_ENV"))) env_from_list(&env, v, true);
  if ((v = getenv("EMU_UNSET_ENV"))) env_from_list(&env, v, false);
  if ((v = getenv("EMU_LOG")) && !emu_log_parse(v, err, sizeof err)) die("%s%s", err, "");
  if ((v = getenv("EMU_LOG_FILENAME")) && !emu_log_set_file(v))
    die("cannot open log file '%s': %s", v, strerror(errno));
  if ((v = getenv("EMU_DEBUG_CRASH")) && !emu_crash_debug_set(v)) /* hidden: tests */
    die("unknown EMU_DEBUG_CRASH value '%s'%s", v, "");

  UserBinfmtCmd binfmt_cmd = USER_BINFMT_NONE;
  const char *binfmt_flags = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *o = argv[i] + (argv[i][1] == '-' ? 2 : 1); /* -opt or --opt */
    const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
    if (!*o) { i++; break; } /* "--" */
#define NEEDS_ARG() do { if (!arg) die("option '%s' needs an argument%s", argv[i], ""); i++; } while (0)
    if (!strcmp(o, "h") || !strcmp(o, "help")) { usage(stdout, g); return 0; }
    else if (!strcmp(o, "version")) { printf("emu-%s version " EMU_VERSION "\n", g->name); return 0; }
    else if (!strcmp(o, "L")) { NEEDS_ARG(); p->opt.sysroot = arg; }
    else if (!strcmp(o, "E")) { NEEDS_ARG(); env_set(&env, arg); }
    else if (!strcmp(o, "U")) { NEEDS_ARG(); env_unset(&env, arg); }
    else if (!strcmp(o, "0")) { NEEDS_ARG(); p->opt.argv0 = arg; }
    else if (!strcmp(o, "cpu")) {
      NEEDS_ARG();
      if (!strcmp(arg, "help")) { printf("Available CPUs:\n  max (default)\n"); return 0; }
      if (strcmp(arg, "max") && strcmp(arg, "host")) die("unknown CPU model '%s'%s", arg, "");
      p->opt.cpu_model = arg;
    }
    else if (!strcmp(o, "s")) { NEEDS_ARG(); p->opt.stack_size = parse_size(arg); }
    else if (!strcmp(o, "d")) {
      NEEDS_ARG();
      if (!strcmp(arg, "help")) { emu_log_help(stdout); return 0; }
      if (!emu_log_parse(arg, err, sizeof err)) die("%s%s", err, "");
    }
    else if (!strcmp(o, "D")) {
      NEEDS_ARG();
      if (!emu_log_set_file(arg)) die("cannot open log file '%s': %s", arg, strerror(errno));
    }
    else if (!strcmp(o, "strace")) p->opt.strace = true;
    else if (!strncmp(o, "tier=", 5)) p->opt.tier = parse_tier(o + 5);
    else if (!strcmp(o, "tier")) { NEEDS_ARG(); p->opt.tier = parse_tier(arg); }
    else if (!strncmp(o, "code-cache=", 11)) p->opt.code_cache = parse_size(o + 11);
    else if (!strncmp(o, "jit-threshold=", 14)) p->opt.jit_threshold = parse_count(o + 14);
    else if (!strcmp(o, "jit-threshold")) { NEEDS_ARG(); p->opt.jit_threshold = parse_count(arg); }
    else if (!strcmp(o, "aot")) p->opt.aot = true;
    else if (!strncmp(o, "cache-dir=", 10)) p->opt.cache_dir = o + 10;
    else if (!strcmp(o, "cache-dir")) { NEEDS_ARG(); p->opt.cache_dir = arg; }
    else if (!strcmp(o, "binfmt-print")) binfmt_cmd = USER_BINFMT_PRINT;
    else if (!strcmp(o, "binfmt-install")) binfmt_cmd = USER_BINFMT_INSTALL;
    else if (!strcmp(o, "binfmt-remove")) binfmt_cmd = USER_BINFMT_REMOVE;
    else if (!strncmp(o, "binfmt-flags=", 13)) binfmt_flags = o + 13;
    else if (!strcmp(o, "binfmt-flags")) { NEEDS_ARG(); binfmt_flags = arg; }
    else die("unknown option '%s' (try -h)%s", argv[i], "");
#undef NEEDS_ARG
  }
  if (binfmt_cmd != USER_BINFMT_NONE) {
    int rc = user_binfmt_command(g, binfmt_cmd, binfmt_flags);
    free(env.v);
    free(p);
    return rc;
  }
  if (i >= argc) {
    usage(stderr, g);
    return 1;
  }
  /* Started by binfmt_misc? With flag P argv is "emu path argv0 args...". */
  UserBinfmtCall bc;
  user_binfmt_detect(&bc);
  env_unset(&env, "EMU_TEST_AT_FLAGS");
  env_unset(&env, "EMU_TEST_AT_EXECFD");
  int first_arg = bc.preserve_argv0 && i + 1 < argc ? i + 1 : i;
  if (emu_log_on(EMU_LOG_strace))
    p->opt.strace = true;
  const char *path = argv[i];
  /* execve re-runs emu with these options, but not the per-program ones: -0,
   * and -E/-U (a child gets the environment its parent passes to execve). */
  p->argv_emu = calloc((size_t)i + 1, sizeof *p->argv_emu);
  for (int k = 0; k < i; k++) {
    const char *o = argv[k] + (argv[k][0] == '-' && argv[k][1] == '-');
    if (!strcmp(o, "-0") || !strcmp(o, "-E") || !strcmp(o, "-U")) {
      k++;
      continue;
    }
    p->argv_emu[p->argc_emu++] = argv[k];
  }

  int rc = gmem_init();
  if (rc < 0)
    die("cannot reserve the guest address space: %s%s", strerror(-rc), "");
  g->frontend_init();

  if (bc.execfd >= 0) { /* flag O: the kernel opened the binary for us */
    if (elf_load_fd(bc.execfd, g->elf_machine, 0, &p->exe, err, sizeof err) < 0)
      die("%s: %s", path, err);
    close(bc.execfd);
  } else if (elf_load(path, g->elf_machine, &p->exe, err, sizeof err) < 0) {
    die("%s: %s", path, err);
  }
  if (!realpath(path, p->exe_path))
    snprintf(p->exe_path, sizeof p->exe_path, "%s", path);
  uint64_t entry = p->exe.entry, interp_base = 0;
  static char ipath[PATH_MAX * 2];
  if (p->exe.has_interp) {
    snprintf(ipath, sizeof ipath, "%s%s", p->opt.sysroot ? p->opt.sysroot : "", p->exe.interp);
    if (p->opt.sysroot && access(ipath, F_OK) != 0)
      snprintf(ipath, sizeof ipath, "%s", p->exe.interp);
    if (elf_load_interp(ipath, g->elf_machine, &p->interp, err, sizeof err) < 0)
      die("%s: %s", ipath, err);
    entry = p->interp.entry;
    interp_base = p->interp.base;
  }

  const char **gargv = calloc((size_t)(argc - first_arg + 1), sizeof *gargv);
  int gargc = 0;
  for (int k = first_arg; k < argc; k++)
    gargv[gargc++] = argv[k];
  if (p->opt.argv0)
    gargv[0] = p->opt.argv0;
  InitStackArgs sa = {
      .argc = gargc, .argv = gargv, .envp = (const char *const *)env.v,
      .execfn = path, .platform = g->platform, .exe = &p->exe, .interp_base = interp_base,
      .hwcap = g->hwcap(), .hwcap2 = g->hwcap2 ? g->hwcap2() : 0,
      .minsigstksz = g->minsigstksz, .stack_size = p->opt.stack_size,
  };
  uint64_t sp = initstack_build(&sa);
  if (!sp)
    die("cannot build the initial stack: %s%s", strerror(errno), "");
  procfs_init(p, sp);

  EmuEngineConfig ec = {
      .frontend = g->frontend,
      .tier = p->opt.tier,
      .fetch = {NULL, fetch_code},
      .mem = {NULL, mem_load, mem_store, mem_atomic},
      .guest_base = gmem_base,
      .guest_limit = gmem_limit,
      .passes = {.precise_classes = IR_PRECISE_ALL},
      .code_cache_size = p->opt.code_cache,
      .jit_threshold = p->opt.jit_threshold,
      .cache_dir = p->opt.cache_dir,
      .cache_max = p->opt.cache_max,
      .code_origin = user_code_origin,
  };
  /* Measurement only (bench/run.sh --tiers fast-nocheck): drop the bounds check
   * on guest accesses to price isolation. Unsafe: the guest can then reach emu. */
  if (getenv("EMU_UNSAFE_NO_BOUNDS_CHECK"))
    ec.guest_limit = 0;
  p->engine = emu_engine_new(&ec);
  if (!p->engine)
    die("cannot create the execution engine (code cache)%s%s", "", "");
  user_smc_init(p->engine);
  if (p->opt.aot)
    exit(user_aot(p, p->exe.has_interp ? ipath : NULL));
  p->by_nr = calloc(g->max_nr, sizeof *p->by_nr);
  p->unimpl_logged = calloc(4096, 1);
  for (uint32_t k = 0; k < g->nsyscalls; k++)
    p->by_nr[g->syscalls[k].nr] = &g->syscalls[k];

  UserThread *t = calloc(1, sizeof *t);
  t->proc = p;
  t->tid = getpid();
  t->cpu = emu_cpu_new(p->engine, t);
  g->init_regs(emu_guest(t->cpu), entry, sp);
  user_signal_init(p, t);
  install_fault_handlers();
  user_cpu_loop(t);
}
