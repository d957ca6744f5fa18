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

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "elf_load.h"
#include "emu.h"

typedef struct UserThread UserThread;
typedef struct UserProcess UserProcess;

/* -- Signal state (signal.c) -------------------------------------------------- */

/* The guest's struct sigaction: the kernel's layout on x86-64 and AArch64. */
typedef struct UserSigAction {
  uint64_t handler, flags, restorer, mask;
} UserSigAction;

/* Per guest thread. A signal the host delivers to this thread waits in info[]
 * with its bit in queued until the CPU loop delivers it; queued and blocked come
 * first because the safe-syscall stub reads them (signal.c). */
typedef struct UserSigThread {
  volatile uint64_t queued;  /* bit sig-1: info[sig-1] holds a pending signal */
  volatile uint64_t blocked; /* the guest's signal mask */
  volatile uint32_t host_count; /* host signals received (a syscall's EINTR was ours) */
  bool restore_mask;         /* sigsuspend, pselect6...: put saved_mask back after */
  uint64_t saved_mask;
  int32_t restart;           /* an interrupted syscall's ERESTART* code, 0: none */
  uint64_t restart_nr;
  uint64_t ss_sp, ss_size;   /* sigaltstack */
  int32_t ss_flags;
  int32_t fault_signo;       /* the host signal behind the last guest fault */
  uint64_t trapno, err, cr2; /* the last fault, as signal frames report it */
  uint32_t seq_next;         /* arrival order: delivery is first come, first served */
  uint32_t seq[64];
  uint8_t info[64][128];     /* siginfo_t, the kernel's layout */
} UserSigThread;

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
  uint64_t (*hwcap2)(void); /* AT_HWCAP2; NULL: 0 */
  uint64_t minsigstksz;     /* AT_MINSIGSTKSZ (the signal frame's size); 0: no entry */
  const SysRow *syscalls; /* table, any order; user_loop indexes it */
  uint32_t nsyscalls;
  uint32_t max_nr;        /* highest syscall number + 1 */
  void (*frontend_init)(void);
  /* Register conventions. */
  void (*init_regs)(void *state, uint64_t entry, uint64_t sp);
  uint64_t (*syscall_nr)(const void *state);
  void (*syscall_args)(const void *state, uint64_t a[6]);
  void (*syscall_ret)(void *state, int64_t ret);
  /* The return register's value (-strace after rt_sigreturn); NULL: syscall_nr's. */
  uint64_t (*syscall_result)(const void *state);
  void (*set_tls)(void *state, uint64_t tls);
  void (*set_sp)(void *state, uint64_t sp);
  bool clone_tls_before_ctid; /* clone's argument order: generic ABI (tls, ctid) vs x86-64 */
  void (*dump_regs)(const void *state, void *file);
  const struct UserSigArch *sig; /* signal frames (signal_<arch>.c); NULL: default actions only */
  const struct UserBinfmt *binfmt; /* binfmt_misc magic and mask for its ELF files */
} UserGuest;

/* Options from the command line and EMU_* variables (QEMU's names). */
typedef struct UserOptions {
  const char *sysroot;   /* -L, EMU_LD_PREFIX */
  const char *cpu_model; /* -cpu */
  bool strace;           /* -strace, EMU_STRACE */
  bool aot;              /* --aot (emu-aot): translate ahead of time, do not run */
  EmuTier tier;          /* --tier, EMU_TIER */
  uint64_t stack_size;   /* -s, EMU_STACK_SIZE */
  const char *argv0;     /* -0, EMU_ARGV0 */
  uint64_t code_cache;   /* --code-cache, EMU_CODE_CACHE (0: default) */
  uint32_t jit_threshold; /* --jit-threshold, EMU_JIT_THRESHOLD (0: default) */
  const char *cache_dir; /* --cache-dir, EMU_CACHE_DIR: persistent translation cache (NULL: off) */
  uint64_t cache_max;    /* EMU_CACHE_MAX: bytes that folder may hold (0: default) */
} UserOptions;

/* user_origin.c: EmuEngineConfig.code_origin (the file mapping holding pc). */
bool user_code_origin(void *ctx, uint64_t pc, EmuCodeOrigin *out);

struct UserProcess {
  const UserGuest *guest;
  UserOptions opt;
  EmuEngine *engine;
  ElfImage exe, interp;
  char exe_path[4096]; /* absolute path of the guest program (/proc/self/exe) */
  const SysRow **by_nr; /* max_nr entries */
  UserSigAction sigact[65]; /* the guest's dispositions (signal.c; under sig_lock) */
  pthread_mutex_t sig_lock;
  char **argv_emu;      /* emu's own options, to re-run emu on execve */
  int argc_emu;
  uint8_t *unimpl_logged;
};

struct UserThread {
  UserProcess *proc;
  EmuCpu *cpu;
  pid_t tid;
  uint64_t clear_child_tid; /* set_tid_address */
  UserSigThread sig;        /* mask, pending signals, altstack (signal.c) */
};

/* The whole runner: parse args, load, run; returns the exit status. */
int user_main(int argc, char **argv, const UserGuest *guest);
/* --aot: translate the loaded program (and its interpreter) into the
 * persistent cache without running it (user_aot.c). Exit status. */
int user_aot(UserProcess *p, const char *interp_path);

/* Run a thread until the process exits (never returns then) or fatal error. */
void user_cpu_loop(UserThread *t) __attribute__((noreturn));

/* Terminate like the guest would: exit status, or death by the signal. */
void user_exit_group(UserThread *t, int status) __attribute__((noreturn));
void user_die_by_signal(UserThread *t, int sig) __attribute__((noreturn));
/* Both start with this (sys_thread.c): the first thread to end the process
 * goes on (its stats and logs are flushed once); any later one waits to die. */
void user_exit_claim(void);

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

/* -- Guest signals (signal.c, signal_<arch>.c, sys_signal.c) ---------------- */

/* The kernel's internal syscall results (never seen by the guest): an
 * interrupted syscall is restarted or fails with EINTR once the signal is
 * handled (Linux's rules); USER_ESIGRETURN leaves every register as it is. */
enum {
  USER_ERESTARTSYS = 512,           /* restart if the handler has SA_RESTART */
  USER_ERESTARTNOINTR = 513,        /* always restart (e.g. it never ran) */
  USER_ERESTARTNOHAND = 514,        /* restart only if no handler ran */
  USER_ERESTART_RESTARTBLOCK = 516, /* likewise (nanosleep) */
  USER_ESIGRETURN = 530,            /* rt_sigreturn: registers are the frame's */
};

/* Process start, before the first thread runs: the guest's initial mask and
 * ignored signals are what the host process inherited (exec keeps them); host
 * handlers go on every signal the guest may see. */
void user_signal_init(UserProcess *p, UserThread *main_thread);
/* For the threads engineer, when a guest thread is created: the child inherits
 * the parent's mask, starts with nothing pending and no altstack. Create the
 * host thread with every host signal blocked; user_cpu_loop then sets its host
 * mask and alternate signal stack (user_signal_thread_start). */
void user_signal_thread_init(UserThread *child, const UserThread *parent);
void user_signal_thread_start(UserThread *t);
/* A host thread leaving for good: frees what thread_start set up. */
void user_signal_thread_exit(UserThread *t);
/* In a forked child: nothing is pending (Linux clears the child's queue). */
void user_signal_after_fork(UserThread *t);

/* A host signal handler's work (on_host_fault calls it for SIGSEGV/SIGBUS sent
 * by kill and the like): queue the signal for the calling thread, kick its CPU. */
void user_signal_host(int sig, void *siginfo, void *ucontext);
/* on_host_fault, before emu_host_fault: which host signal a guest fault came as. */
void user_signal_note_fault(int sig);

/* Deliver what is pending (the CPU loop, between guest blocks). */
void user_signal_deliver(UserThread *t);
/* A synchronous signal (a fault): delivered next; if blocked or ignored, the
 * default action is forced (Linux kills the process). */
void user_signal_force(UserThread *t, int sig, const uint8_t info[128]);
/* After a syscall: an EINTR caused by our host handler becomes the syscall's
 * restart code; restart codes are recorded and the guest sees EINTR until the
 * signal is handled. Returns the value for the guest's return register. */
int64_t user_signal_syscall_end(UserThread *t, const SysRow *row, uint64_t nr, const uint64_t a[6],
                                int64_t ret, uint32_t host_count_before);

/* A host syscall that a signal arriving just before it cannot miss: if one is
 * deliverable it does not enter the kernel and returns -USER_ERESTARTNOINTR;
 * a signal arriving while it blocks makes it return -EINTR (QEMU's safe_syscall). */
int64_t user_safe_syscall(UserSigThread *s, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
                          uint64_t a3, uint64_t a4, uint64_t a5);

/* The guest ABI's part: frames, sigreturn, faults (signal_<arch>.c). */
typedef struct UserSigArch {
  /* Build the frame for sig on the guest stack (or altstack) and enter the
   * handler; false if it cannot be written (the caller forces SIGSEGV). */
  bool (*setup_frame)(UserThread *t, int sig, const UserSigAction *act,
                      const uint8_t info[128], uint64_t saved_mask);
  int64_t (*sigreturn)(UserThread *t); /* rt_sigreturn */
  /* An exception exit as the kernel reports it: the signal and its siginfo; sets
   * t->sig.trapno/err/cr2 and moves the pc where the kernel leaves it. */
  int (*exception)(UserThread *t, const EmuExit *x, uint8_t info[128]);
  void (*rewind_syscall)(void *state, uint64_t nr); /* to re-execute the syscall */
  uint64_t (*get_sp)(const void *state);
  /* At process start, before the program's first mmap (NULL: nothing), like
   * the kernel's vDSO: a sigreturn trampoline mapped later could land in a
   * hole the program just made. */
  void (*process_init)(void);
  uint32_t minsigstksz; /* the kernel's MINSIGSTKSZ: the smallest altstack sigaltstack takes */
} UserSigArch;
extern const UserSigArch user_sig_x86_64;
extern const UserSigArch user_sig_aarch64;

#define USER_SS_AUTODISARM (1u << 31) /* flags the kernel knows that glibc does not export */
#define USER_SA_RESTORER 0x04000000
/* Shared by the frame code: the altstack as the kernel sees it at sp. */
bool user_sig_on_altstack(const UserThread *t, uint64_t sp);
int user_sig_ss_flags(const UserThread *t, uint64_t sp);
/* sigaltstack's rules (sigaltstack and rt_sigreturn): 0 or -errno. */
int user_sig_set_altstack(UserThread *t, uint64_t ss_sp, int32_t ss_flags, uint64_t ss_size,
                          uint64_t sp);
/* Set the guest mask (SIGKILL/SIGSTOP stay unblocked) and mirror it to the host. */
void user_sig_set_blocked(UserThread *t, uint64_t mask);
/* The host mask that mirrors t's guest mask (for a host sigsuspend). */
uint64_t user_sig_host_mask(const UserThread *t);
/* rt_sigaction's work: old gets the current action, act (if any) replaces it. */
void user_signal_set_action(UserThread *t, int sig, const UserSigAction *act, UserSigAction *old);
/* Dequeue the first pending signal of want (rt_sigtimedwait): its number and
 * siginfo, or 0 if none. */
int user_sig_take(UserThread *t, uint64_t want, uint8_t info[128]);

/* Does t have a signal to deliver, or an interrupted syscall to finish? */
static inline bool user_signal_pending(const UserThread *t) {
  return (t->sig.queued & ~t->sig.blocked) != 0 || t->sig.restart != 0 || t->sig.restore_mask;
}

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
void user_smc_fork_lock(void);   /* around fork(): unlock in parent and child */
void user_smc_fork_unlock(void);

/* -- Syscall tables and strace ---------------------------------------------- */

extern const UserGuest user_guest_x86_64;
extern const UserGuest user_guest_aarch64;
void strace_enter(UserThread *t, const SysRow *row, const uint64_t a[6]);
void strace_exit(UserThread *t, const SysRow *row, const uint64_t a[6], int64_t ret);
void strace_unknown(UserThread *t, uint64_t nr, const uint64_t a[6], int64_t ret);

#endif
