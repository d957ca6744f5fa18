/* test_cli.c — emu-system-x86_64's command line: QEMU's syntax for each option
 * (sizes, option lists with ",," escapes, --opt=value), the values emu-pc
 * refuses and the one-line reason for each, help and version actions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

#define MIB (1ull << 20)

/* sys_cli_parse on "emu-system-x86_64 args..." (NULL-terminated). */
static bool parse_v(SysOptions *o, char *err, size_t errsize, va_list ap) {
  char *argv[64] = {"emu-system-x86_64"};
  int argc = 1;
  for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
    assert_true(argc < 63);
    argv[argc++] = (char *)a;
  }
  argv[argc] = NULL;
  return sys_cli_parse(argc, argv, o, err, errsize);
}

static void ok(SysOptions *o, ...) {
  char err[512] = "";
  va_list ap;
  va_start(ap, o);
  bool r = parse_v(o, err, sizeof err, ap);
  va_end(ap);
  if (!r) {
    print_message("unexpected error: %s\n", err);
    fail();
  }
}

/* Parsing must fail with exactly one line containing want. */
static void bad(const char *want, ...) {
  SysOptions o;
  char err[512] = "";
  va_list ap;
  va_start(ap, want);
  bool r = parse_v(&o, err, sizeof err, ap);
  va_end(ap);
  if (r || !strstr(err, want) || strchr(err, '\n') || !err[0]) {
    print_message("want an error with '%s', got %s: '%s'\n", want, r ? "success" : "error", err);
    fail();
  }
}

static void test_defaults(void **state) {
  (void)state;
  SysOptions o;
  ok(&o, "-kernel", "vmlinuz", NULL);
  assert_int_equal(o.action, SYS_CLI_RUN);
  assert_string_equal(o.kernel, "vmlinuz");
  assert_null(o.initrd);
  assert_null(o.append);
  assert_int_equal(o.ram_size, 128 * MIB);
  assert_int_equal(o.serial, SYS_SERIAL_MON_STDIO);
  assert_false(o.serial_given);
  assert_int_equal(o.ndrives, 0);
  assert_false(o.no_reboot);
  assert_false(o.nographic);
  assert_int_equal(o.tier, EMU_TIER_FAST);
  assert_string_equal(o.cpu_model, "max");
}

static void test_full_line(void **state) {
  (void)state;
  SysOptions o;
  ok(&o, "-kernel", "bzImage", "-initrd", "initrd.img", "-append", "console=ttyS0 root=/dev/vda",
     "-m", "256", "-nographic", "-serial", "stdio", "-hda", "a.img", "-drive",
     "file=b.img,format=raw,if=virtio,readonly=on", "-no-reboot", "-smp", "1", "-accel", "tcg",
     "-cpu", "max", "--tier", "interp", NULL);
  assert_string_equal(o.kernel, "bzImage");
  assert_string_equal(o.initrd, "initrd.img");
  assert_string_equal(o.append, "console=ttyS0 root=/dev/vda");
  assert_int_equal(o.ram_size, 256 * MIB);
  assert_true(o.nographic);
  assert_int_equal(o.serial, SYS_SERIAL_STDIO);
  assert_int_equal(o.ndrives, 2);
  assert_string_equal(o.drives[0].file, "a.img");
  assert_false(o.drives[0].readonly);
  assert_string_equal(o.drives[1].file, "b.img");
  assert_true(o.drives[1].readonly);
  assert_true(o.no_reboot);
  assert_int_equal(o.tier, EMU_TIER_INTERP);
  /* --opt=value and -opt value alike; the last of a repeated option wins. */
  ok(&o, "--kernel=k1", "-kernel", "k2", "--tier=fast", "--m=1G", NULL);
  assert_string_equal(o.kernel, "k2");
  assert_int_equal(o.tier, EMU_TIER_FAST);
  assert_int_equal(o.ram_size, 1ull << 30);
}

static void test_ram_sizes(void **state) {
  (void)state;
  static const struct {
    const char *arg;
    uint64_t bytes;
  } cases[] = {
      {"64", 64 * MIB},          /* plain number: MiB */
      {"512m", 512 * MIB},       {"512M", 512 * MIB},  {"2G", 2ull << 30},
      {"131072K", 128 * MIB},    {"size=96M", 96 * MIB},
      {"65537K", 64 * MIB + 4096}, /* rounded up to whole pages */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    SysOptions o;
    ok(&o, "-kernel", "k", "-m", cases[i].arg, NULL);
    assert_int_equal(o.ram_size, cases[i].bytes);
  }
  bad("-m 32: too small to boot Linux (at least 64M)", "-kernel", "k", "-m", "32", NULL);
  bad("-m 65535K: too small to boot Linux", "-kernel", "k", "-m", "65535K", NULL);
  bad("-m 100G: more than the 64G emu-system-x86_64 supports", "-kernel", "k", "-m", "100G", NULL);
  bad("-m 1T: more than the 64G", "-kernel", "k", "-m", "1T", NULL);
  bad("-m 99999999999999999999999: more than the 64G", "-kernel", "k", "-m", "99999999999999999999999", NULL);
  bad("-m 12x: not a size", "-kernel", "k", "-m", "12x", NULL);
  bad("-m : not a size", "-kernel", "k", "-m", "", NULL);
  bad("-m -5: not a size", "-kernel", "k", "-m", "-5", NULL);
  bad("-m 128,slots=2: only a size is supported", "-kernel", "k", "-m", "128,slots=2", NULL);
  /* More than this host has (when the host has less than the 64G maximum). */
  uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGE_SIZE);
  if (host < SYS_RAM_MAX - (1ull << 30)) {
    char arg[32];
    snprintf(arg, sizeof arg, "%lluM", (unsigned long long)(host / MIB + 1024));
    bad("more than this host's", "-kernel", "k", "-m", arg, NULL);
  }
}

static void test_drives(void **state) {
  (void)state;
  SysOptions o;
  ok(&o, "-kernel", "k", "-drive", "file=a,,b.img,readonly=off,id=disk0,media=disk", NULL);
  assert_int_equal(o.ndrives, 1);
  assert_string_equal(o.drives[0].file, "a,b.img"); /* ",," is a comma */
  assert_false(o.drives[0].readonly);
  ok(&o, "-kernel", "k", "-drive", "if=virtio,file=/x/y.raw", NULL);
  assert_string_equal(o.drives[0].file, "/x/y.raw");
  bad("-drive: if=ide is not supported; emu's disks are virtio", "-kernel", "k", "-drive",
      "file=a.img,if=ide", NULL);
  bad("-drive: if=scsi is not supported; emu's disks are virtio", "-kernel", "k", "-drive",
      "file=a.img,if=scsi", NULL);
  bad("-drive: format=qcow2 is not supported (raw images only)", "-kernel", "k", "-drive",
      "file=a.img,format=qcow2", NULL);
  bad("-drive: readonly=yes: on or off", "-kernel", "k", "-drive", "file=a,readonly=yes", NULL);
  bad("-drive: unknown parameter 'cache'", "-kernel", "k", "-drive", "file=a,cache=none", NULL);
  bad("-drive: media=cdrom is not supported", "-kernel", "k", "-drive", "file=a,media=cdrom", NULL);
  bad("-drive format=raw: no file=FILE", "-kernel", "k", "-drive", "format=raw", NULL);
  bad("-drive: 'snapshot' needs a value", "-kernel", "k", "-drive", "file=a,snapshot", NULL);
  bad("-hda: empty file name", "-kernel", "k", "-hda", "", NULL);
  /* Eight virtio-mmio slots. */
  ok(&o, "-kernel", "k", "-hda", "1", "-hda", "2", "-hda", "3", "-hda", "4", "-hda", "5", "-hda", "6",
     "-hda", "7", "-drive", "file=8", NULL);
  assert_int_equal(o.ndrives, 8);
  assert_string_equal(o.drives[7].file, "8");
  bad("too many disks: emu-pc has 8 virtio-mmio slots", "-kernel", "k", "-hda", "1", "-hda", "2",
      "-hda", "3", "-hda", "4", "-hda", "5", "-hda", "6", "-hda", "7", "-hda", "8", "-hda", "9", NULL);
}

static void test_serial(void **state) {
  (void)state;
  SysOptions o;
  ok(&o, "-kernel", "k", "-serial", "none", NULL);
  assert_int_equal(o.serial, SYS_SERIAL_NONE);
  assert_true(o.serial_given);
  ok(&o, "-kernel", "k", "-serial", "null", NULL);
  assert_int_equal(o.serial, SYS_SERIAL_NONE);
  ok(&o, "-kernel", "k", "-serial", "mon:stdio", NULL);
  assert_int_equal(o.serial, SYS_SERIAL_MON_STDIO);
  ok(&o, "-kernel", "k", "-serial", "file:/tmp/serial.log", NULL);
  assert_int_equal(o.serial, SYS_SERIAL_FILE);
  assert_string_equal(o.serial_path, "/tmp/serial.log");
  bad("-serial pty is not supported (mon:stdio, stdio, none, file:PATH)", "-kernel", "k", "-serial",
      "pty", NULL);
  bad("-serial file: is not supported", "-kernel", "k", "-serial", "file:", NULL);
  bad("-serial stdio: only one -serial (COM1) is supported", "-kernel", "k", "-serial", "none",
      "-serial", "stdio", NULL);
}

static void test_cpu_smp_accel_tier(void **state) {
  (void)state;
  SysOptions o;
  ok(&o, "-kernel", "k", "-smp", "cpus=1", "-smp", "1,sockets=1,cores=1,threads=1", NULL);
  bad("-smp 2: only -smp 1 is supported", "-kernel", "k", "-smp", "2", NULL);
  bad("-smp cpus=4: only -smp 1 is supported", "-kernel", "k", "-smp", "cpus=4", NULL);
  bad("-smp 1,cores=2: only -smp 1 is supported", "-kernel", "k", "-smp", "1,cores=2", NULL);
  bad("-smp : only -smp 1 is supported", "-kernel", "k", "-smp", "", NULL);
  bad("unknown CPU model 'host' (emu-system-x86_64 has one: max)", "-kernel", "k", "-cpu", "host", NULL);
  bad("unknown CPU model 'qemu64'", "-kernel", "k", "-cpu", "qemu64", NULL);
  ok(&o, "-kernel", "k", "-accel", "tcg,thread=single", NULL);
  bad("-accel kvm is not supported: emu translates (-accel tcg)", "-kernel", "k", "-accel", "kvm", NULL);
  bad("-accel tcg,thread=multi: tcg takes only thread=single", "-kernel", "k", "-accel",
      "tcg,thread=multi", NULL);
  bad("-enable-kvm is not supported", "-kernel", "k", "-enable-kvm", NULL);
  ok(&o, "-kernel", "k", "-tier", "interp", NULL);
  assert_int_equal(o.tier, EMU_TIER_INTERP);
  bad("--tier llvm: system mode runs --tier fast or interp", "-kernel", "k", "--tier", "llvm", NULL);
  bad("--tier auto: system mode runs", "-kernel", "k", "--tier=auto", NULL);
  bad("unknown tier 'slow' (fast, interp)", "-kernel", "k", "--tier", "slow", NULL);
}

static void test_logging(void **state) {
  (void)state;
  uint32_t saved = emu_log_mask;
  SysOptions o;
  emu_log_mask = 0;
  ok(&o, "-kernel", "k", "-d", "in_asm,unimp", NULL);
  assert_true(emu_log_on(EMU_LOG_in_asm));
  assert_true(emu_log_on(EMU_LOG_unimp));
  assert_false(emu_log_on(EMU_LOG_exec));
  bad("unknown -d item 'bogus' (try -d help)", "-kernel", "k", "-d", "bogus", NULL);
  emu_log_mask = saved;
  char path[] = "/tmp/emu-test-cli-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  ok(&o, "-kernel", "k", "-D", path, NULL);
  unlink(path);
  bad("-D /nonexistent/dir/log: No such file or directory", "-kernel", "k", "-D",
      "/nonexistent/dir/log", NULL);
}

static void test_actions(void **state) {
  (void)state;
  SysOptions o;
  ok(&o, "-h", NULL);
  assert_int_equal(o.action, SYS_CLI_HELP);
  ok(&o, "--help", NULL);
  assert_int_equal(o.action, SYS_CLI_HELP);
  ok(&o, "-help", "-bogus", NULL); /* help wins over whatever follows */
  assert_int_equal(o.action, SYS_CLI_HELP);
  ok(&o, "-version", NULL);
  assert_int_equal(o.action, SYS_CLI_VERSION);
  ok(&o, "-d", "help", NULL);
  assert_int_equal(o.action, SYS_CLI_LOG_HELP);
  ok(&o, "-cpu", "help", NULL);
  assert_int_equal(o.action, SYS_CLI_CPU_HELP);
  /* The usage lists the options from the same table. */
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  sys_cli_usage(f, "emu-system-x86_64");
  fclose(f);
  static const char *const listed[] = {"-kernel FILE", "-initrd FILE", "-append STRING", "-m SIZE",
                                       "-hda FILE", "-drive file=FILE", "-serial DEV", "-nographic",
                                       "-no-reboot", "-smp 1", "-cpu MODEL", "-accel tcg",
                                       "-tier T", "-d ITEM", "-D FILE", "-h ", "-version"};
  for (size_t i = 0; i < sizeof listed / sizeof *listed; i++)
    if (!strstr(text, listed[i])) {
      print_message("usage lacks '%s'\n", listed[i]);
      fail();
    }
  free(text);
}

static void test_bad_lines(void **state) {
  (void)state;
  bad("unknown option '-foo' (try -help)", "-kernel", "k", "-foo", NULL);
  bad("unknown option '--bogus=1' (try -help)", "--bogus=1", NULL);
  bad("option '-nographic' takes no argument", "-kernel", "k", "--nographic=1", NULL);
  bad("option '-m' needs an argument", "-kernel", "k", "-m", NULL);
  bad("unexpected argument 'disk.img' (disk images go in -hda or -drive)", "-kernel", "k", "disk.img", NULL);
  bad("unexpected argument '-'", "-", NULL);
  bad("no kernel to boot: -kernel FILE (emu-pc has no firmware)", "-m", "128", NULL);
  bad("no kernel to boot", NULL);
  bad("-kernel: empty file name", "-kernel", "", NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),  cmocka_unit_test(test_full_line),
      cmocka_unit_test(test_ram_sizes), cmocka_unit_test(test_drives),
      cmocka_unit_test(test_serial),    cmocka_unit_test(test_cpu_smp_accel_tier),
      cmocka_unit_test(test_logging),   cmocka_unit_test(test_actions),
      cmocka_unit_test(test_bad_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
