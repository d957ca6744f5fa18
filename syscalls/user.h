/* user.h — user-mode emulation: a guest Linux process on the host kernel.
 *
 * One UserGuest describes a guest ABI as data (frontend, ELF machine, syscall
 * table, register conventions); the CPU loop (user_loop.c) runs the runtime and
 * dispatches syscalls through the table; handlers live in per-area files
 * (sys_fs.c, sys_mem.c, sys_proc.c, sys_time.c, sys_signal.c ...). Each syscall
 * is one row: number, name, handler, argument kinds. The row drives dispatch,
 * -strace and the "unimplemented" report.
 */
#ifndef EMU_USER_H
#define EMU_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "elf_load.h"
#include "emu.h"

typedef struct UserThread UserThread;
typedef struct UserProcess UserProcess;

/* A handler gets the guest's six argument registers and returns the value for the
 * guest's return register: a result, or -errno (Linux convention). */
typedef int64_t (*SysHandler)(UserThread *t, const uint64_t a[6]);

/* Argument kinds for -strace, one char per argument:
 *   d signed decimal   u unsigned   x hex   p guest pointer   s guest string (path)
 *   f file descriptor  o open flags m mode (octal)   b buffer of length next arg
 *   B buffer written, length = result   - unused
 * and the result kind as the string's first char followed by ':' (default 'd'). */
typedef struct SysRow {
  uint32_t nr;
  const char *name;
  SysHandler fn;    /* NULL: pass through to host syscall host_nr */
  const char *args; /* argument kinds; for passthrough they also say which are pointers */
  int32_t host_nr;
} SysRow;

/* Pass a syscall to the host, translating and checking the guest pointers the
 * row's argument kinds name. */
int64_t sys_passthrough(UserThread *t, const SysRow *row, const uint64_t a[6]);

typedef struct UserGuest {
  const char *name;     /* "x86_64" */
  const char *platform; /* AT_PLATFORM */
  const IrFrontend *frontend;
  uint16_t elf_machine;
  uint64_t (*hwcap)(void); /* AT_HWCAP: from the frontend's CPU model */
  uint64_t hwcap2;
  const SysRow *syscalls; /* table, any order; user_loop indexes it */
  uint32_t nsyscalls;
  uint32_t max_nr;        /* highest syscall number + 1 */
  void (*frontend_init)(void);
  /* Register conventions. */
  void (*init_regs)(void *state, uint64_t entry, uint64_t sp);
  uint64_t (*syscall_nr)(const void *state);
  void (*syscall_args)(const void *state, uint64_t a[6]);
  void (*syscall_ret)(void *state, int64_t ret);
  void (*set_tls)(void *state, uint64_t tls);
  void (*set_sp)(void *state, uint64_t sp);
  bool clone_tls_before_ctid; /* clone's argument order: generic ABI (tls, ctid) vs x86-64 */
  void (*dump_regs)(const void *state, void *file);
  const struct UserBinfmt *binfmt; /* binfmt_misc magic and mask for its ELF files */
} UserGuest;

/* Options from the command line and EMU_* variables (QEMU's names). */
typedef struct UserOptions {
  const char *sysroot;   /* -L, EMU_LD_PREFIX */
  const char *cpu_model; /* -cpu */
  bool strace;           /* -strace, EMU_STRACE */
  EmuTier tier;          /* --tier, EMU_TIER */
  uint64_t stack_size;   /* -s, EMU_STACK_SIZE */
  const char *argv0;     /* -0, EMU_ARGV0 */
  uint64_t code_cache;   /* --code-cache, EMU_CODE_CACHE (0: default) */
} UserOptions;

struct UserProcess {
  const UserGuest *guest;
  UserOptions opt;
  EmuEngine *engine;
  ElfImage exe, interp;
  char exe_path[4096]; /* absolute path of the guest program (/proc/self/exe) */
  const SysRow **by_nr; /* max_nr entries */
  uint8_t sigactions[65][32]; /* the guest's struct sigaction per signal, as given */
  char **argv_emu;      /* emu's own options, to re-run emu on execve */
  int argc_emu;
  uint8_t *unimpl_logged;
};

struct UserThread {
  UserProcess *proc;
  EmuCpu *cpu;
  pid_t tid;
  uint64_t clear_child_tid; /* set_tid_address */
  uint64_t sigmask;         /* the guest's blocked signals */
  uint8_t altstack[24];     /* the guest's sigaltstack (stack_t) */
};

/* The whole runner: parse args, load, run; returns the exit status. */
int user_main(int argc, char **argv, const UserGuest *guest);

/* Run a thread until the process exits (never returns then) or fatal error. */
void user_cpu_loop(UserThread *t) __attribute__((noreturn));

/* Terminate like the guest would: exit status, or death by the signal. */
void user_exit_group(UserThread *t, int status) __attribute__((noreturn));
void user_die_by_signal(UserThread *t, int sig) __attribute__((noreturn));

/* -- binfmt_misc (user_binfmt.c) ---------------------------------------------- */

/* The first 20 bytes of the guest's ELF files (ident, e_type, e_machine). */
typedef struct UserBinfmt {
  uint8_t magic[20], mask[20];
} UserBinfmt;

/* How binfmt_misc started emu: flag P preserves argv[0] (argv: emu path argv0
 * args...), flag O passes the binary open (execfd, else -1). */
typedef struct UserBinfmtCall {
  bool preserve_argv0;
  int execfd;
} UserBinfmtCall;
void user_binfmt_detect(UserBinfmtCall *c);

typedef enum UserBinfmtCmd {
  USER_BINFMT_NONE, USER_BINFMT_PRINT, USER_BINFMT_INSTALL, USER_BINFMT_REMOVE,
} UserBinfmtCmd;
/* --binfmt-print / -install / -remove; flags: "" or letters of POCF. Exit status. */
int user_binfmt_command(const UserGuest *g, UserBinfmtCmd cmd, const char *flags);

/* Snapshot what /proc/self/{auxv,cmdline,environ} show, from the initial stack
 * at sp, and name the process after the guest program (sys_procfs.c). */
void procfs_init(UserProcess *p, uint64_t sp);

/* Print the -d stats line; called at exit. */
void user_report_stats(UserProcess *p);

/* -- Guest memory access for handlers --------------------------------------- */

/* Host pointer for guest [addr, addr+len) if it lies in the guest window (the
 * kernel reports EFAULT for unmapped pages inside it); NULL otherwise. */
void *user_ptr(uint64_t addr, uint64_t len);
/* A guest NUL-terminated string (path), or NULL if it is not inside mapped memory. */
const char *user_str(uint64_t addr);

/* -- Self-modifying code (user_smc.c) ---------------------------------------- */

void user_smc_init(EmuEngine *e);
void user_smc_watch(uint64_t page);                /* code was read from this page */
bool user_smc_release(uint64_t start, uint64_t end); /* the guest range will change */
bool user_smc_fault(uint64_t guest_addr, bool is_write); /* host fault: was it ours? */
uint64_t user_smc_count(void);                     /* invalidations so far */

/* -- Syscall tables and strace ---------------------------------------------- */

extern const UserGuest user_guest_x86_64;
void strace_enter(UserThread *t, const SysRow *row, const uint64_t a[6]);
void strace_exit(UserThread *t, const SysRow *row, const uint64_t a[6], int64_t ret);
void strace_unknown(UserThread *t, uint64_t nr, const uint64_t a[6], int64_t ret);

#endif
