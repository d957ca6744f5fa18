/* cli.c — emu-system-x86_64's command line (cli.h). One row per option in
 * `options` (name, argument, handler, help); the usage text is made from the
 * same rows. Values QEMU would take but emu-pc cannot honour are refused with
 * a reason rather than ignored. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MIB (1ull << 20)

static bool fail(char *err, size_t errsize, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errsize, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsize, fmt, ap);
  va_end(ap);
  return false;
}

/* -- QEMU option lists: "key=value,key=value", ",," a comma in a value ------- */

typedef struct Param {
  char key[32];
  char val[SYS_PATH_MAX];
  bool has_val;
} Param;

/* The next parameter of *s into p; false at the end. *ok turns false if a key
 * or value does not fit. */
static bool param_next(const char **s, Param *p, bool *ok) {
  const char *c = *s;
  if (!*c)
    return false;
  size_t k = 0, v = 0;
  while (*c && *c != '=' && *c != ',') {
    if (k + 1 < sizeof p->key)
      p->key[k++] = *c;
    else
      *ok = false;
    c++;
  }
  p->key[k] = 0;
  p->has_val = *c == '=';
  if (p->has_val) {
    for (c++; *c && (*c != ',' || c[1] == ','); c++) {
      c += *c == ','; /* ",," */
      if (v + 1 < sizeof p->val)
        p->val[v++] = *c;
      else
        *ok = false;
    }
  }
  p->val[v] = 0;
  *s = *c ? c + 1 : c;
  return true;
}

/* -- Handlers, one per option --------------------------------------------------- */

typedef bool (*SysOptFn)(SysOptions *o, const char *arg, char *err, size_t errsize);

static bool need_name(const char *opt, const char *arg, char *err, size_t errsize) {
  if (!*arg)
    return fail(err, errsize, "-%s: empty file name", opt);
  if (strlen(arg) >= SYS_PATH_MAX)
    return fail(err, errsize, "-%s: file name too long", opt);
  return true;
}

static bool opt_kernel(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->kernel = arg;
  return need_name("kernel", arg, err, errsize);
}

static bool opt_initrd(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->initrd = arg;
  return need_name("initrd", arg, err, errsize);
}

static bool opt_append(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->append = arg;
  return true;
}

/* QEMU's -m: [size=]N with N in MiB, or with a K, M, G or T suffix. */
static bool opt_m(SysOptions *o, const char *arg, char *err, size_t errsize) {
  const char *v = strncmp(arg, "size=", 5) ? arg : arg + 5;
  if (strchr(v, ','))
    return fail(err, errsize, "-m %s: only a size is supported (no slots or maxmem)", arg);
  if (!isdigit((unsigned char)*v))
    return fail(err, errsize, "-m %s: not a size (MiB, or a number with a K, M, G or T suffix)", arg);
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno == ERANGE)
    n = ULLONG_MAX; /* refused below as too large */
  unsigned shift = 20;
  switch (*end) {
  case 'K': case 'k': shift = 10; end++; break;
  case 'M': case 'm': shift = 20; end++; break;
  case 'G': case 'g': shift = 30; end++; break;
  case 'T': case 't': shift = 40; end++; break;
  }
  if (*end)
    return fail(err, errsize, "-m %s: not a size (MiB, or a number with a K, M, G or T suffix)", arg);
  if (n > (SYS_RAM_MAX >> shift))
    return fail(err, errsize, "-m %s: more than the %lluG emu-system-x86_64 supports", arg,
                 SYS_RAM_MAX >> 30);
  if ((n << shift) < SYS_RAM_MIN)
    return fail(err, errsize, "-m %s: too small to boot Linux (at least %lluM)", arg, SYS_RAM_MIN >> 20);
  uint64_t bytes = ((n << shift) + 4095) & ~4095ull; /* whole pages, as QEMU rounds */
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0 && bytes > (uint64_t)pages * (uint64_t)page)
    return fail(err, errsize, "-m %s: more than this host's %llu MiB of RAM", arg,
                 (unsigned long long)((uint64_t)pages * (uint64_t)page / MIB));
  o->ram_size = bytes;
  return true;
}

static bool add_drive(SysOptions *o, const SysDrive *d, char *err, size_t errsize) {
  if (o->ndrives == SYS_MAX_DRIVES)
    return fail(err, errsize, "too many disks: emu-pc has %u virtio-mmio slots", SYS_MAX_DRIVES);
  o->drives[o->ndrives++] = *d;
  return true;
}

static bool opt_hda(SysOptions *o, const char *arg, char *err, size_t errsize) {
  if (!need_name("hda", arg, err, errsize))
    return false;
  SysDrive d = {.readonly = false};
  memcpy(d.file, arg, strlen(arg) + 1);
  return add_drive(o, &d, err, errsize);
}

static bool opt_drive(SysOptions *o, const char *arg, char *err, size_t errsize) {
  SysDrive d = {.readonly = false};
  Param p;
  bool ok = true;
  const char *s = arg;
  while (param_next(&s, &p, &ok)) {
    if (!p.has_val)
      return fail(err, errsize, "-drive: '%s' needs a value (key=value)", p.key);
    if (!strcmp(p.key, "file"))
      memcpy(d.file, p.val, sizeof d.file);
    else if (!strcmp(p.key, "format")) {
      if (strcmp(p.val, "raw"))
        return fail(err, errsize, "-drive: format=%s is not supported (raw images only)", p.val);
    } else if (!strcmp(p.key, "if")) {
      if (strcmp(p.val, "virtio"))
        return fail(err, errsize, "-drive: if=%s is not supported; emu's disks are virtio", p.val);
    } else if (!strcmp(p.key, "readonly")) {
      if (strcmp(p.val, "on") && strcmp(p.val, "off"))
        return fail(err, errsize, "-drive: readonly=%s: on or off", p.val);
      d.readonly = !strcmp(p.val, "on");
    } else if (!strcmp(p.key, "media")) {
      if (strcmp(p.val, "disk"))
        return fail(err, errsize, "-drive: media=%s is not supported (disks only)", p.val);
    } else if (strcmp(p.key, "id")) /* id= only names the drive: nothing to do */
      return fail(err, errsize, "-drive: unknown parameter '%s'", p.key);
  }
  if (!ok)
    return fail(err, errsize, "-drive: a parameter is too long");
  if (!d.file[0])
    return fail(err, errsize, "-drive %s: no file=FILE", arg);
  return add_drive(o, &d, err, errsize);
}

static bool opt_serial(SysOptions *o, const char *arg, char *err, size_t errsize) {
  if (o->serial_given)
    return fail(err, errsize, "-serial %s: only one -serial (COM1) is supported", arg);
  o->serial_given = true;
  o->serial_path = NULL;
  if (!strcmp(arg, "mon:stdio"))
    o->serial = SYS_SERIAL_MON_STDIO;
  else if (!strcmp(arg, "stdio"))
    o->serial = SYS_SERIAL_STDIO;
  else if (!strcmp(arg, "none") || !strcmp(arg, "null"))
    o->serial = SYS_SERIAL_NONE;
  else if (!strncmp(arg, "file:", 5) && arg[5]) {
    o->serial = SYS_SERIAL_FILE;
    o->serial_path = arg + 5;
  } else
    return fail(err, errsize, "-serial %s is not supported (mon:stdio, stdio, none, file:PATH)", arg);
  return true;
}

static bool opt_nographic(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->nographic = true;
  return true;
}

static bool opt_no_reboot(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->no_reboot = true;
  return true;
}

/* -smp 1, -smp cpus=1, -smp 1,sockets=1,cores=1,threads=1: every count 1. */
static bool opt_smp(SysOptions *o, const char *arg, char *err, size_t errsize) {
  Param p;
  bool ok = true, any = false;
  const char *s = arg;
  while (param_next(&s, &p, &ok)) {
    const char *count = p.has_val ? p.val : p.key;
    bool known = !p.has_val || !strcmp(p.key, "cpus") || !strcmp(p.key, "sockets") ||
                 !strcmp(p.key, "cores") || !strcmp(p.key, "threads") || !strcmp(p.key, "maxcpus");
    if (!known || strcmp(count, "1"))
      return fail(err, errsize, "-smp %s: only -smp 1 is supported", arg);
    any = true;
  }
  if (!any || !ok)
    return fail(err, errsize, "-smp %s: only -smp 1 is supported", arg);
  return true;
}

/* One model: the CPU docs/system.md describes. "host" is refused: it promises
 * the host's CPUID, which emu-pc does not give. */
static bool opt_cpu(SysOptions *o, const char *arg, char *err, size_t errsize) {
  if (!strcmp(arg, "help"))
    o->action = SYS_CLI_CPU_HELP;
  else if (strcmp(arg, "max"))
    return fail(err, errsize, "unknown CPU model '%s' (emu-system-x86_64 has one: max)", arg);
  o->cpu_model = "max";
  return true;
}

static bool opt_accel(SysOptions *o, const char *arg, char *err, size_t errsize) {
  Param p;
  bool ok = true;
  const char *s = arg;
  if (!param_next(&s, &p, &ok) || p.has_val || strcmp(p.key, "tcg"))
    return fail(err, errsize, "-accel %s is not supported: emu translates (-accel tcg)", arg);
  while (param_next(&s, &p, &ok))
    if (strcmp(p.key, "thread") || strcmp(p.val, "single"))
      return fail(err, errsize, "-accel %s: tcg takes only thread=single here", arg);
  return true;
}

static bool opt_enable_kvm(SysOptions *o, const char *arg, char *err, size_t errsize) {
  return fail(err, errsize, "-enable-kvm is not supported: emu translates (-accel tcg)");
}

static bool opt_tier(SysOptions *o, const char *arg, char *err, size_t errsize) {
  if (!strcmp(arg, "fast"))
    o->tier = EMU_TIER_FAST;
  else if (!strcmp(arg, "interp"))
    o->tier = EMU_TIER_INTERP;
  else if (!strcmp(arg, "llvm") || !strcmp(arg, "auto"))
    return fail(err, errsize, "--tier %s: system mode runs --tier fast or interp", arg);
  else
    return fail(err, errsize, "unknown tier '%s' (fast, interp)", arg);
  return true;
}

static bool opt_d(SysOptions *o, const char *arg, char *err, size_t errsize) {
  if (!strcmp(arg, "help")) {
    o->action = SYS_CLI_LOG_HELP;
    return true;
  }
  return emu_log_parse(arg, err, errsize);
}

static bool opt_D(SysOptions *o, const char *arg, char *err, size_t errsize) {
  if (!emu_log_set_file(arg))
    return fail(err, errsize, "-D %s: %s", arg, strerror(errno));
  return true;
}

static bool opt_help(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->action = SYS_CLI_HELP;
  return true;
}

static bool opt_version(SysOptions *o, const char *arg, char *err, size_t errsize) {
  o->action = SYS_CLI_VERSION;
  return true;
}

/* -- The table --------------------------------------------------------------------- */

typedef struct SysOpt {
  const char *name; /* after '-' or '--' */
  const char *arg;  /* the argument in the help; NULL: a flag */
  SysOptFn fn;
  const char *help; /* NULL: an alias or a refusal, not listed */
} SysOpt;

static const SysOpt options[] = {
    {"kernel", "FILE", opt_kernel, "the Linux bzImage to boot (required: there is no firmware)"},
    {"initrd", "FILE", opt_initrd, "initial ramdisk"},
    {"append", "STRING", opt_append, "kernel command line"},
    {"m", "SIZE", opt_m, "RAM: MiB, or with a K, M, G suffix (64M..64G, default 128M)"},
    {"hda", "FILE", opt_hda, "a raw disk image, as a virtio-mmio block device"},
    {"drive", "file=FILE[,format=raw][,if=virtio][,readonly=on]", opt_drive,
     "the same, with options (',,' is a comma in FILE)"},
    {"serial", "DEV", opt_serial, "COM1: mon:stdio (default), stdio, none, file:PATH"},
    {"nographic", NULL, opt_nographic, "no display (emu never has one)"},
    {"no-reboot", NULL, opt_no_reboot, "exit when the guest reboots"},
    {"smp", "1", opt_smp, "one CPU (the only choice)"},
    {"cpu", "MODEL", opt_cpu, "max, the one CPU model ('-cpu help' describes it)"},
    {"accel", "tcg", opt_accel, "translation (the only accelerator)"},
    {"enable-kvm", NULL, opt_enable_kvm, NULL},
    {"tier", "T", opt_tier, "translation tier, also --tier=T: fast (default) or interp"},
    {"d", "ITEM[,...]", opt_d, "log items ('-d help' lists them)"},
    {"D", "FILE", opt_D, "write the log to FILE"},
    {"h", NULL, opt_help, "print this help"},
    {"help", NULL, opt_help, NULL},
    {"version", NULL, opt_version, "print the version"},
};

static const SysOpt *find_option(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof options / sizeof *options; i++)
    if (strlen(options[i].name) == len && !strncmp(options[i].name, name, len))
      return &options[i];
  return NULL;
}

void sys_cli_usage(FILE *f, const char *prog) {
  fprintf(f, "usage: %s -kernel bzImage [options]\n"
             "emu-pc: an x86-64 PC without firmware (ACPI, virtio-mmio disks) that boots Linux directly\n\n",
          prog);
  for (size_t i = 0; i < sizeof options / sizeof *options; i++) {
    const SysOpt *o = &options[i];
    if (!o->help)
      continue;
    char left[80];
    snprintf(left, sizeof left, "-%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    if (strlen(left) > 20)
      fprintf(f, "  %s\n  %-20s  %s\n", left, "", o->help);
    else
      fprintf(f, "  %-20s  %s\n", left, o->help);
  }
}

void sys_cli_cpu_help(FILE *f) {
  fprintf(f, "Available CPUs:\n"
             "  max  GenuineIntel family 6, one core, x86-64 with SSE4.2 and POPCNT, no AVX or XSAVE\n"
             "       (docs/system.md lists its CPUID)\n");
}

bool sys_cli_parse(int argc, char **argv, SysOptions *o, char *err, size_t errsize) {
  memset(o, 0, sizeof *o);
  o->action = SYS_CLI_RUN;
  o->ram_size = SYS_RAM_DEFAULT;
  o->serial = SYS_SERIAL_MON_STDIO;
  o->tier = EMU_TIER_FAST;
  o->cpu_model = "max";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || !a[1])
      return fail(err, errsize, "unexpected argument '%s' (disk images go in -hda or -drive)", a);
    const char *name = a + 1 + (a[1] == '-'); /* -opt or --opt */
    const char *eq = strchr(name, '=');        /* --opt=value */
    const SysOpt *opt = find_option(name, eq ? (size_t)(eq - name) : strlen(name));
    if (!opt)
      return fail(err, errsize, "unknown option '%s' (try -help)", a);
    const char *arg = NULL;
    if (!opt->arg && eq)
      return fail(err, errsize, "option '-%s' takes no argument", opt->name);
    if (opt->arg && eq)
      arg = eq + 1;
    else if (opt->arg && i + 1 < argc)
      arg = argv[++i];
    else if (opt->arg)
      return fail(err, errsize, "option '%s' needs an argument", a);
    if (!opt->fn(o, arg, err, errsize))
      return false;
    if (o->action != SYS_CLI_RUN)
      return true; /* help and friends: print and exit, whatever follows */
  }
  if (!o->kernel)
    return fail(err, errsize, "no kernel to boot: -kernel FILE (emu-pc has no firmware)");
  return true;
}
