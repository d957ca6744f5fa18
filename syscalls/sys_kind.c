/* sys_kind.c — the argument-kind table (see sys_kind.h): per letter, whether
 * the argument is a guest pointer and how -strace shows it, with the names of
 * flag bits and enumerated values. Names are the host's constants: x86-64 and
 * the generic Linux ABI share them for everything listed here. */
#define _GNU_SOURCE
#include "sys_kind.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_mem.h"
#include "user.h"

#define B(x) {(uint64_t)(x), (uint64_t)(x), #x}     /* a flag bit (or bits) */
#define V(x) {(uint64_t)(x), ~0ull, #x}             /* a whole value */
#define F(x, m) {(uint64_t)(x), (uint64_t)(m), #x}  /* a value of the field m */
#define END {0, 0, NULL}

/* O_SYNC and O_TMPFILE include O_DSYNC and O_DIRECTORY: named by their own bit.
 * Four bits sit elsewhere in the asm-generic ABI (AArch64): the list is spelled
 * once with those four as parameters. O_LARGEFILE is the kernel's (libc's is 0). */
#define OWN(x, with) {(uint64_t)((x) & ~(with)), (uint64_t)((x) & ~(with)), #x}
#define BIT(v, name) {(v), (v), name}
#define OPEN_FLAGS(direct, largefile, directory, nofollow)                                    \
  F(O_RDONLY, O_ACCMODE), F(O_WRONLY, O_ACCMODE), F(O_RDWR, O_ACCMODE), B(O_CREAT),           \
      B(O_EXCL), B(O_NOCTTY), B(O_TRUNC), B(O_APPEND), B(O_NONBLOCK), B(O_DSYNC),             \
      OWN(O_SYNC, O_DSYNC), B(O_ASYNC), BIT(direct, "O_DIRECT"),                              \
      BIT(largefile, "O_LARGEFILE"), BIT(directory, "O_DIRECTORY"),                           \
      BIT(nofollow, "O_NOFOLLOW"), B(O_NOATIME), B(O_CLOEXEC), B(O_PATH),                     \
      OWN(O_TMPFILE, O_DIRECTORY), END
static const SysName open_flags[] = {OPEN_FLAGS(O_DIRECT, 0100000, O_DIRECTORY, O_NOFOLLOW)};
static const SysName open_flags_generic[] = {OPEN_FLAGS(0200000, 0400000, 040000, 0100000)};

static const SysName prot_flags[] = {V(PROT_NONE), B(PROT_READ), B(PROT_WRITE), B(PROT_EXEC),
                                     B(PROT_GROWSDOWN), B(PROT_GROWSUP), END};

static const SysName mmap_flags[] = {
    F(MAP_SHARED, MAP_TYPE), F(MAP_PRIVATE, MAP_TYPE), F(MAP_SHARED_VALIDATE, MAP_TYPE),
    B(MAP_FIXED), B(MAP_ANONYMOUS), B(MAP_32BIT), B(MAP_GROWSDOWN), B(MAP_DENYWRITE),
    B(MAP_EXECUTABLE), B(MAP_LOCKED), B(MAP_NORESERVE), B(MAP_POPULATE), B(MAP_NONBLOCK),
    B(MAP_STACK), B(MAP_HUGETLB), B(MAP_SYNC), B(MAP_FIXED_NOREPLACE), END};

static const SysName mremap_flags[] = {B(MREMAP_MAYMOVE), B(MREMAP_FIXED), B(MREMAP_DONTUNMAP),
                                       END};

static const SysName signals[] = {
    V(SIGHUP),  V(SIGINT),    V(SIGQUIT), V(SIGILL),  V(SIGTRAP), V(SIGABRT), V(SIGBUS),
    V(SIGFPE),  V(SIGKILL),   V(SIGUSR1), V(SIGSEGV), V(SIGUSR2), V(SIGPIPE), V(SIGALRM),
    V(SIGTERM), V(SIGSTKFLT), V(SIGCHLD), V(SIGCONT), V(SIGSTOP), V(SIGTSTP), V(SIGTTIN),
    V(SIGTTOU), V(SIGURG),    V(SIGXCPU), V(SIGXFSZ), V(SIGVTALRM), V(SIGPROF),
    V(SIGWINCH), V(SIGIO),    V(SIGPWR),  V(SIGSYS),  END};

static const SysName clone_flags[] = {
    F(SIGCHLD, CSIGNAL), B(CLONE_VM), B(CLONE_FS), B(CLONE_FILES), B(CLONE_SIGHAND),
    B(CLONE_PIDFD), B(CLONE_PTRACE), B(CLONE_VFORK), B(CLONE_PARENT), B(CLONE_THREAD),
    B(CLONE_NEWNS), B(CLONE_SYSVSEM), B(CLONE_SETTLS), B(CLONE_PARENT_SETTID),
    B(CLONE_CHILD_CLEARTID), B(CLONE_DETACHED), B(CLONE_UNTRACED), B(CLONE_CHILD_SETTID),
    B(CLONE_NEWCGROUP), B(CLONE_NEWUTS), B(CLONE_NEWIPC), B(CLONE_NEWUSER), B(CLONE_NEWPID),
    B(CLONE_NEWNET), B(CLONE_IO), END};

static const SysName fcntl_cmds[] = {
    V(F_DUPFD), V(F_GETFD), V(F_SETFD), V(F_GETFL), V(F_SETFL), V(F_GETLK), V(F_SETLK),
    V(F_SETLKW), V(F_SETOWN), V(F_GETOWN), V(F_SETSIG), V(F_GETSIG), V(F_SETOWN_EX),
    V(F_GETOWN_EX), V(F_OFD_GETLK), V(F_OFD_SETLK), V(F_OFD_SETLKW), V(F_SETLEASE),
    V(F_GETLEASE), V(F_NOTIFY), V(F_DUPFD_CLOEXEC), V(F_SETPIPE_SZ), V(F_GETPIPE_SZ),
    V(F_ADD_SEALS), V(F_GET_SEALS), END};

static const SysName families[] = {V(AF_UNSPEC), V(AF_UNIX), V(AF_INET), V(AF_INET6),
                                   V(AF_NETLINK), V(AF_PACKET), V(AF_ALG), V(AF_VSOCK), END};

static const SysName sock_types[] = {
    F(SOCK_STREAM, 0xf), F(SOCK_DGRAM, 0xf), F(SOCK_RAW, 0xf), F(SOCK_RDM, 0xf),
    F(SOCK_SEQPACKET, 0xf), F(SOCK_PACKET, 0xf), B(SOCK_NONBLOCK), B(SOCK_CLOEXEC), END};

static const SysName sigmask_how[] = {V(SIG_BLOCK), V(SIG_UNBLOCK), V(SIG_SETMASK), END};

static const SysName at_flags[] = {B(AT_SYMLINK_NOFOLLOW), B(AT_REMOVEDIR), B(AT_SYMLINK_FOLLOW),
                                   B(AT_NO_AUTOMOUNT), B(AT_EMPTY_PATH), B(AT_EACCESS), END};

static const SysName clocks[] = {
    V(CLOCK_REALTIME), V(CLOCK_MONOTONIC), V(CLOCK_PROCESS_CPUTIME_ID),
    V(CLOCK_THREAD_CPUTIME_ID), V(CLOCK_MONOTONIC_RAW), V(CLOCK_REALTIME_COARSE),
    V(CLOCK_MONOTONIC_COARSE), V(CLOCK_BOOTTIME), V(CLOCK_REALTIME_ALARM),
    V(CLOCK_BOOTTIME_ALARM), V(CLOCK_TAI), END};

static const SysName whence[] = {V(SEEK_SET), V(SEEK_CUR), V(SEEK_END), V(SEEK_DATA),
                                 V(SEEK_HOLE), END};

static const SysName rlimits[] = {
    V(RLIMIT_CPU), V(RLIMIT_FSIZE), V(RLIMIT_DATA), V(RLIMIT_STACK), V(RLIMIT_CORE),
    V(RLIMIT_RSS), V(RLIMIT_NPROC), V(RLIMIT_NOFILE), V(RLIMIT_MEMLOCK), V(RLIMIT_AS),
    V(RLIMIT_LOCKS), V(RLIMIT_SIGPENDING), V(RLIMIT_MSGQUEUE), V(RLIMIT_NICE),
    V(RLIMIT_RTPRIO), V(RLIMIT_RTTIME), END};

static const SysName prctl_options[] = {
    V(PR_SET_PDEATHSIG), V(PR_GET_PDEATHSIG), V(PR_GET_DUMPABLE), V(PR_SET_DUMPABLE),
    V(PR_GET_KEEPCAPS), V(PR_SET_KEEPCAPS), V(PR_SET_NAME), V(PR_GET_NAME), V(PR_GET_SECCOMP),
    V(PR_SET_SECCOMP), V(PR_CAPBSET_READ), V(PR_CAPBSET_DROP), V(PR_GET_TIMERSLACK),
    V(PR_SET_TIMERSLACK), V(PR_SET_MM), V(PR_SET_CHILD_SUBREAPER),
    V(PR_GET_CHILD_SUBREAPER), V(PR_SET_NO_NEW_PRIVS), V(PR_GET_NO_NEW_PRIVS),
    V(PR_GET_TID_ADDRESS), V(PR_SET_THP_DISABLE), V(PR_GET_THP_DISABLE), V(PR_CAP_AMBIENT),
    V(PR_SET_VMA), V(PR_SET_PTRACER), END};

static const SysName futex_ops[] = {
    F(FUTEX_WAIT, FUTEX_CMD_MASK), F(FUTEX_WAKE, FUTEX_CMD_MASK), F(FUTEX_FD, FUTEX_CMD_MASK),
    F(FUTEX_REQUEUE, FUTEX_CMD_MASK), F(FUTEX_CMP_REQUEUE, FUTEX_CMD_MASK),
    F(FUTEX_WAKE_OP, FUTEX_CMD_MASK), F(FUTEX_LOCK_PI, FUTEX_CMD_MASK),
    F(FUTEX_UNLOCK_PI, FUTEX_CMD_MASK), F(FUTEX_TRYLOCK_PI, FUTEX_CMD_MASK),
    F(FUTEX_WAIT_BITSET, FUTEX_CMD_MASK), F(FUTEX_WAKE_BITSET, FUTEX_CMD_MASK),
    F(FUTEX_WAIT_REQUEUE_PI, FUTEX_CMD_MASK), F(FUTEX_CMP_REQUEUE_PI, FUTEX_CMD_MASK),
    F(FUTEX_LOCK_PI2, FUTEX_CMD_MASK), B(FUTEX_PRIVATE_FLAG), B(FUTEX_CLOCK_REALTIME), END};

static const SysName wait_options[] = {B(WNOHANG), B(WUNTRACED), B(WEXITED), B(WCONTINUED),
                                       B(WNOWAIT), B(__WNOTHREAD), B(__WALL), B(__WCLONE), END};

#define VAL(l, show, names) [l] = {l, SYS_VALUE, SYS_LEN_NONE, show, names}
#define PTR(l, dir, len, show) [l] = {l, dir, len, show, NULL}
/* Indexed by letter: a syscall looks up each argument kind. */
static const SysKind kinds[128] = {
    VAL('d', SYS_SHOW_DEC, NULL),
    VAL('l', SYS_SHOW_LONG, NULL),
    VAL('u', SYS_SHOW_UDEC, NULL),
    VAL('x', SYS_SHOW_HEX, NULL),
    VAL('-', SYS_SHOW_HEX, NULL),
    VAL('f', SYS_SHOW_FD, NULL),
    VAL('m', SYS_SHOW_OCT, NULL),
    VAL('o', SYS_SHOW_FLAGS, open_flags),
    VAL('q', SYS_SHOW_FLAGS, open_flags_generic),
    VAL('P', SYS_SHOW_FLAGS, prot_flags),
    VAL('M', SYS_SHOW_FLAGS, mmap_flags),
    VAL('R', SYS_SHOW_FLAGS, mremap_flags),
    VAL('C', SYS_SHOW_FLAGS, clone_flags),
    VAL('F', SYS_SHOW_ENUM, fcntl_cmds),
    VAL('A', SYS_SHOW_ENUM, families),
    VAL('N', SYS_SHOW_FLAGS, sock_types),
    VAL('g', SYS_SHOW_ENUM, signals),
    VAL('h', SYS_SHOW_ENUM, sigmask_how),
    VAL('a', SYS_SHOW_FLAGS, at_flags),
    VAL('c', SYS_SHOW_ENUM, clocks),
    VAL('w', SYS_SHOW_ENUM, whence),
    VAL('r', SYS_SHOW_ENUM, rlimits),
    VAL('O', SYS_SHOW_ENUM, prctl_options),
    VAL('I', SYS_SHOW_IOCTL, NULL),
    VAL('X', SYS_SHOW_FLAGS, futex_ops),
    VAL('W', SYS_SHOW_FLAGS, wait_options),
    PTR('s', SYS_READ, SYS_LEN_STR, SYS_SHOW_STR),
    PTR('b', SYS_READ, SYS_LEN_NEXT, SYS_SHOW_BUF),
    PTR('B', SYS_WRITE, SYS_LEN_NEXT, SYS_SHOW_PTR),
    PTR('v', SYS_READ, SYS_LEN_PREV, SYS_SHOW_PTR),
    PTR('V', SYS_WRITE, SYS_LEN_PREV, SYS_SHOW_PTR),
    PTR('k', SYS_WRITE, SYS_LEN_NEXT_PTR, SYS_SHOW_PTR),
    PTR('L', SYS_WRITE, SYS_LEN_POLLFD, SYS_SHOW_PTR),
    PTR('E', SYS_WRITE, SYS_LEN_EPOLL, SYS_SHOW_PTR),
    PTR('i', SYS_READ, SYS_LEN_STRUCT, SYS_SHOW_PTR),
    PTR('p', SYS_WRITE, SYS_LEN_STRUCT, SYS_SHOW_PTR),
};

const SysKind *sys_kind(char letter) {
  const SysKind *k = &kinds[(unsigned char)letter & 127];
  return k->letter ? k : &kinds['-'];
}

const char *sys_kinds_args(const char *args, char *result) {
  *result = 'd';
  if (args[0] && args[1] == ':') {
    *result = args[0];
    return args + 2;
  }
  return args;
}

bool sys_arg_span(char kind, int i, const uint64_t a[6], SysSpan *out) {
  const SysKind *k = sys_kind(kind);
  if (k->ptr == SYS_VALUE || a[i] == 0)
    return false; /* NULL is the kernel's to judge */
  *out = (SysSpan){.addr = a[i], .write = k->ptr == SYS_WRITE};
  switch ((SysLen)k->len) {
  case SYS_LEN_STR: {
    const char *s = user_str(a[i]);
    out->is_str = true;
    out->len = s ? strlen(s) + 1 : 0;
    break;
  }
  case SYS_LEN_NEXT: out->len = i < 5 ? a[i + 1] : 0; break;
  case SYS_LEN_PREV: out->len = i > 0 ? a[i - 1] : 0; break;
  case SYS_LEN_POLLFD: out->len = i < 5 ? (a[i + 1] & 0xffffffffu) * 8 : 0; break;
  case SYS_LEN_EPOLL: out->len = i < 5 ? (a[i + 1] & 0x7fffffffu) * 12 : 0; break;
  case SYS_LEN_NEXT_PTR: {
    bool ok = i < 5 && gmem_check(a[i + 1], 4, PROT_READ);
    out->len = ok ? *(const uint32_t *)gmem_g2h(a[i + 1]) : 0;
    break;
  }
  case SYS_LEN_STRUCT:
  case SYS_LEN_NONE: out->len = GMEM_PAGE; break;
  }
  return true;
}
