/* emu_system.c — emu-system-x86_64's main: parse QEMU-style options, build
 * the machine (system/machine.c), run it. Every error before the guest runs
 * is one line and exit status 1. */
#include <stdio.h>

#include "cli.h"
#include "emu.h"
#include "machine.h"

int main(int argc, char **argv) {
  emu_crash_init("emu-system-x86_64");
  SysOptions o;
  char err[512];
  if (!sys_cli_parse(argc, argv, &o, err, sizeof err)) {
    fprintf(stderr, "emu-system-x86_64: %s\n", err);
    return 1;
  }
  switch (o.action) {
  case SYS_CLI_HELP:
    sys_cli_usage(stdout, "emu-system-x86_64");
    return 0;
  case SYS_CLI_VERSION:
    printf("emu-system-x86_64 version %s\n", SYS_VERSION);
    return 0;
  case SYS_CLI_LOG_HELP:
    emu_log_help(stdout);
    return 0;
  case SYS_CLI_CPU_HELP:
    sys_cli_cpu_help(stdout);
    return 0;
  case SYS_CLI_RUN:
    break;
  }
  int status;
  do { /* a guest reset rebuilds the machine */
    Machine *m = machine_new(&o, err, sizeof err);
    if (!m) {
      fprintf(stderr, "emu-system-x86_64: %s\n", err);
      return 1;
    }
    status = machine_run(m);
    machine_free(m);
  } while (status == MACHINE_REBOOT);
  return status;
}
