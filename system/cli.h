/* cli.h — emu-system-x86_64's command line, in QEMU's syntax for the options a
 * direct Linux boot uses (-kernel, -initrd, -append, -m, -hda, -drive, -serial,
 * ...). Parsing only: files are opened by whoever uses them. Every bad option
 * or value is a one-line error; main prints it and exits with status 1. */
#ifndef EMU_SYS_CLI_H
#define EMU_SYS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emu.h"
#include "pc_layout.h"

#define SYS_VERSION "0.1"
#define SYS_RAM_DEFAULT (128ull << 20) /* QEMU's default */
#define SYS_RAM_MIN (64ull << 20)      /* below this Linux cannot boot */
#define SYS_RAM_MAX (64ull << 30)
#define SYS_MAX_DRIVES PC_VIRTIO_MMIO_MAX /* one virtio-mmio slot each */
#define SYS_PATH_MAX 4096

/* What main does after parsing: run the machine, or print and exit 0. */
typedef enum SysCliAction {
  SYS_CLI_RUN,
  SYS_CLI_HELP,     /* -h, -help, --help: sys_cli_usage */
  SYS_CLI_VERSION,  /* -version */
  SYS_CLI_LOG_HELP, /* -d help: emu_log_help */
  SYS_CLI_CPU_HELP, /* -cpu help: sys_cli_cpu_help */
} SysCliAction;

typedef enum SysSerial {
  SYS_SERIAL_MON_STDIO, /* COM1 on the terminal, with the monitor's escape (default) */
  SYS_SERIAL_STDIO,     /* COM1 on the terminal */
  SYS_SERIAL_NONE,      /* COM1 present, output dropped (also "null") */
  SYS_SERIAL_FILE,      /* COM1 output appended to serial_path, no input */
} SysSerial;

/* A virtio-blk disk: a raw image. file is unescaped (QEMU's ",," = ','). */
typedef struct SysDrive {
  char file[SYS_PATH_MAX];
  bool readonly;
} SysDrive;

typedef struct SysOptions {
  SysCliAction action;
  const char *kernel;  /* -kernel (required to run) */
  const char *initrd;  /* -initrd, or NULL */
  const char *append;  /* -append, or NULL */
  uint64_t ram_size;   /* -m, bytes, 4 KiB multiple */
  bool nographic;      /* -nographic (emu has no display either way) */
  SysSerial serial;
  const char *serial_path; /* SYS_SERIAL_FILE */
  bool serial_given;       /* -serial was on the command line (once at most) */
  SysDrive drives[SYS_MAX_DRIVES]; /* -hda and -drive in order: virtio-mmio 0, 1, ... */
  unsigned ndrives;
  bool no_reboot;      /* -no-reboot: a reset ends emu (status 0) */
  EmuTier tier;        /* --tier: EMU_TIER_FAST (default) or EMU_TIER_INTERP */
  const char *cpu_model; /* "max" */
} SysOptions;

/* Parse argv[1..argc-1] into *o (which it initialises with the defaults). -d
 * and -D take effect at once (emu_log_parse, emu_log_set_file). false: a
 * one-line reason in err. Strings in *o point into argv, except drive files. */
bool sys_cli_parse(int argc, char **argv, SysOptions *o, char *err, size_t errsize);
void sys_cli_usage(FILE *f, const char *prog);
void sys_cli_cpu_help(FILE *f);

#endif
