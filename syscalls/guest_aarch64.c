/* guest_aarch64.c — the AArch64 Linux guest ABI: register conventions (svc #0
 * with the number in x8, arguments in x0..x5, the result in x0) and the
 * syscall table in asm-generic numbering (nr_generic.def). Most rows pass
 * through to the x86-64 host's syscall of the same name; the ones whose flags
 * or structs differ convert (sys_generic.c). */
#define _GNU_SOURCE
#include <elf.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "a64_frontend.h"
#include "signal_aarch64.h"
#include "sys_generic.h"

/* The kernel's orig_x0: x0 as the syscall found it. The result overwrites x0,
 * and a restarted syscall must see its first argument again (rewind_syscall).
 * Per host thread = per guest thread. */
static __thread uint64_t orig_x0;

uint64_t a64_user_orig_x0(void) { return orig_x0; }

static void init_regs(void *st, uint64_t entry, uint64_t sp) {
  A64Cpu *c = st;
  a64_cpu_reset(c);
  c->pc = entry;
  c->sp = sp;
}

/* do_syscall reads the number first, while x0 still holds the argument. */
static uint64_t syscall_nr(const void *st) {
  const A64Cpu *c = st;
  orig_x0 = c->x[0];
  return c->x[8];
}

static void syscall_args(const void *st, uint64_t a[6]) {
  const A64Cpu *c = st;
  for (int i = 0; i < 6; i++)
    a[i] = c->x[i];
}

static void syscall_ret(void *st, int64_t ret) { ((A64Cpu *)st)->x[0] = (uint64_t)ret; }
static uint64_t syscall_result(const void *st) { return ((const A64Cpu *)st)->x[0]; }

static void set_tls(void *st, uint64_t tls) { ((A64Cpu *)st)->tpidr = tls; }
static void set_sp(void *st, uint64_t sp) { ((A64Cpu *)st)->sp = sp; }

static void dump_regs(const void *st, void *file) {
  const A64Cpu *c = st;
  for (int i = 0; i < 31; i++)
    fprintf(file, "x%-2d=%016llx%s", i, (unsigned long long)c->x[i], i % 4 == 3 ? "\n" : " ");
  fprintf(file, "sp =%016llx\npc =%016llx nzcv=%x fpcr=%08x fpsr=%08x tpidr=%016llx\n",
          (unsigned long long)c->sp, (unsigned long long)c->pc, a64_nzcv_get(c) >> 28, c->fpcr,
          c->fpsr, (unsigned long long)c->tpidr);
}

#define PASS(name, args) {GEN_NR_##name, #name, NULL, args, SYS_##name}
#define EMUL(name, args) {GEN_NR_##name, #name, sys_##name, args, SYS_##name}
#define GEN(name, args) {GEN_NR_##name, #name, sys_gen_##name, args, SYS_##name}
#define NOSYS(name, args) {GEN_NR_##name, #name, sys_nosys, args, SYS_##name}
/* By number: every syscall of x86-64's table that arm64 has (it has no open,
 * stat, fork, pipe...: only the *at and newer forms). NOSYS rows are refused
 * for the reasons guest_x86_64.c gives. Argument kinds: sys_kind.h ('q': open
 * flags in generic numbering); clone's are flags, newsp, ptid, tls, ctid. */
static const SysRow aarch64_syscalls[] = {
    NOSYS(io_setup, "up"), NOSYS(io_destroy, "x"), NOSYS(io_submit, "xdp"),
    NOSYS(io_cancel, "xpp"), NOSYS(io_getevents, "xddpp"), PASS(setxattr, "ssbux"),
    PASS(lsetxattr, "ssbux"), PASS(fsetxattr, "fsbux"), PASS(getxattr, "ssBu"),
    PASS(lgetxattr, "ssBu"), PASS(fgetxattr, "fsBu"), PASS(listxattr, "sBu"),
    PASS(llistxattr, "sBu"), PASS(flistxattr, "fBu"), PASS(removexattr, "ss"),
    PASS(lremovexattr, "ss"), PASS(fremovexattr, "fs"), PASS(getcwd, "Bu"), PASS(eventfd2, "ux"),
    PASS(epoll_create1, "x"), GEN(epoll_ctl, "fdfi"), GEN(epoll_pwait, "fpddiu"), PASS(dup, "f"),
    PASS(dup3, "ffq"), GEN(fcntl, "fFx"), PASS(inotify_init1, "x"), PASS(inotify_add_watch, "fsx"),
    PASS(inotify_rm_watch, "fd"), EMUL(ioctl, "fIx"), PASS(ioprio_set, "ddd"),
    PASS(ioprio_get, "dd"), PASS(flock, "fd"), PASS(mknodat, "fsmx"), PASS(mkdirat, "fsm"),
    PASS(unlinkat, "fsa"), PASS(symlinkat, "sfs"), PASS(linkat, "fsfsa"), PASS(renameat, "fsfs"),
    PASS(umount2, "sx"), PASS(mount, "sssxi"), PASS(pivot_root, "ss"), PASS(statfs, "sp"),
    PASS(fstatfs, "fp"), PASS(truncate, "sl"), PASS(ftruncate, "fl"), PASS(fallocate, "fdll"),
    PASS(faccessat, "fsd"), PASS(chdir, "s"), PASS(fchdir, "f"), PASS(chroot, "s"),
    PASS(fchmod, "fm"), PASS(fchmodat, "fsm"), PASS(fchownat, "fsdda"), PASS(fchown, "fdd"),
    GEN(openat, "fsqm"), PASS(close, "f"), PASS(vhangup, ""), GEN(pipe2, "pq"),
    PASS(quotactl, "xsdp"), PASS(getdents64, "fBu"), PASS(lseek, "flw"), PASS(read, "fBu"),
    PASS(write, "fbu"), EMUL(readv, "fpu"), EMUL(writev, "fiu"), PASS(pread64, "fBul"),
    PASS(pwrite64, "fbul"), EMUL(preadv, "fpul"), EMUL(pwritev, "fiul"), PASS(sendfile, "ffpu"),
    EMUL(pselect6, "dppppi"), PASS(ppoll, "Lupiu"), PASS(signalfd4, "fiux"),
    NOSYS(vmsplice, "fiux"), PASS(splice, "fpfpux"), PASS(tee, "ffux"), EMUL(readlinkat, "fsBu"),
    GEN(newfstatat, "fspa"), GEN(fstat, "fp"), PASS(sync, ""), PASS(fsync, "f"),
    PASS(fdatasync, "f"), PASS(sync_file_range, "fllx"), PASS(timerfd_create, "cx"),
    PASS(timerfd_settime, "fxip"), PASS(timerfd_gettime, "fp"), PASS(utimensat, "fsia"),
    PASS(acct, "s"), PASS(capget, "pp"), PASS(capset, "ii"), PASS(personality, "x:x"),
    EMUL(exit, "d"), EMUL(exit_group, "d"), PASS(waitid, "ddpWp"), EMUL(set_tid_address, "p"),
    PASS(unshare, "C"), PASS(futex, "pXxpxx"), EMUL(set_robust_list, "pu"),
    EMUL(get_robust_list, "dpp"), PASS(nanosleep, "ip"), PASS(getitimer, "dp"),
    PASS(setitimer, "dip"), NOSYS(kexec_load, "xupx"), PASS(init_module, "bus"),
    PASS(delete_module, "sx"), PASS(timer_create, "cip"), PASS(timer_gettime, "xp"),
    PASS(timer_getoverrun, "x"), PASS(timer_settime, "xdip"), PASS(timer_delete, "x"),
    PASS(clock_settime, "ci"), PASS(clock_gettime, "cp"), PASS(clock_getres, "cp"),
    PASS(clock_nanosleep, "cdip"), PASS(syslog, "dBu"), NOSYS(ptrace, "dddx"),
    PASS(sched_setparam, "di"), PASS(sched_setscheduler, "ddi"), PASS(sched_getscheduler, "d"),
    PASS(sched_getparam, "dp"), PASS(sched_setaffinity, "duv"), PASS(sched_getaffinity, "duV"),
    PASS(sched_yield, ""), PASS(sched_get_priority_max, "d"), PASS(sched_get_priority_min, "d"),
    PASS(sched_rr_get_interval, "dp"), PASS(restart_syscall, ""), PASS(kill, "dg"),
    PASS(tkill, "dg"), PASS(tgkill, "ddg"), EMUL(sigaltstack, "ip"), EMUL(rt_sigsuspend, "iu"),
    EMUL(rt_sigaction, "gipu"), EMUL(rt_sigprocmask, "hipu"), EMUL(rt_sigpending, "pu"),
    EMUL(rt_sigtimedwait, "ipiu"), PASS(rt_sigqueueinfo, "dgi"), EMUL(rt_sigreturn, ""),
    PASS(setpriority, "ddd"), PASS(getpriority, "dd"), PASS(reboot, "xxxi"), PASS(setregid, "dd"),
    PASS(setgid, "d"), PASS(setreuid, "dd"), PASS(setuid, "d"), PASS(setresuid, "ddd"),
    PASS(getresuid, "ppp"), PASS(setresgid, "ddd"), PASS(getresgid, "ppp"), PASS(setfsuid, "d"),
    PASS(setfsgid, "d"), PASS(times, "p"), PASS(setpgid, "dd"), PASS(getpgid, "d"),
    PASS(getsid, "d"), PASS(setsid, ""), PASS(getgroups, "dp"), PASS(setgroups, "di"),
    EMUL(uname, "p"), PASS(sethostname, "bu"), PASS(setdomainname, "bu"), EMUL(getrlimit, "rp"),
    EMUL(setrlimit, "ri"), PASS(getrusage, "dp"), PASS(umask, "m:m"), EMUL(prctl, "Oxxxx"),
    PASS(getcpu, "ppp"), PASS(gettimeofday, "pp"), PASS(settimeofday, "ii"), PASS(adjtimex, "p"),
    PASS(getpid, ""), PASS(getppid, ""), PASS(getuid, ""), PASS(geteuid, ""), PASS(getgid, ""),
    PASS(getegid, ""), PASS(gettid, ""), PASS(sysinfo, "p"), PASS(mq_open, "sqmi"),
    PASS(mq_unlink, "s"), PASS(mq_timedsend, "fbuui"), PASS(mq_timedreceive, "fBupi"),
    PASS(mq_notify, "fi"), PASS(mq_getsetattr, "fip"), PASS(msgget, "dd"), PASS(msgctl, "ddp"),
    PASS(msgrcv, "dpudd"), PASS(msgsnd, "diud"), PASS(semget, "ddd"), GEN(semctl, "dddx"),
    PASS(semtimedop, "diui"), PASS(semop, "diu"), PASS(shmget, "dud"), PASS(shmctl, "ddp"),
    NOSYS(shmat, "dxd"), NOSYS(shmdt, "x"), PASS(socket, "ANd"), PASS(socketpair, "ANdp"),
    PASS(bind, "fbu"), PASS(listen, "fd"), PASS(accept, "fkp"), PASS(connect, "fbu"),
    PASS(getsockname, "fkp"), PASS(getpeername, "fkp"), PASS(sendto, "fbudbu"),
    PASS(recvfrom, "fBudkp"), PASS(setsockopt, "fddbu"), PASS(getsockopt, "fddkp"),
    PASS(shutdown, "fd"), EMUL(sendmsg, "fix"), EMUL(recvmsg, "fpx"), PASS(readahead, "flu"),
    EMUL(brk, "x:x"), EMUL(munmap, "xu"), EMUL(mremap, "x:xuuRx"), PASS(add_key, "ssbud"),
    PASS(request_key, "sssd"), NOSYS(keyctl, "dxxxx"), EMUL(clone, "Cxpxp"), EMUL(execve, "spp"),
    GEN(mmap, "x:xuPMfx"), PASS(fadvise64, "flld"), PASS(swapon, "sx"), PASS(swapoff, "s"),
    GEN(mprotect, "xuP"), EMUL(msync, "xud"), EMUL(mlock, "xu"), EMUL(munlock, "xu"),
    PASS(mlockall, "x"), PASS(munlockall, ""), EMUL(mincore, "xup"), EMUL(madvise, "xud"),
    NOSYS(remap_file_pages, "xuddx"), NOSYS(mbind, "xudpux"), NOSYS(get_mempolicy, "ppuxx"),
    NOSYS(set_mempolicy, "dpu"), NOSYS(migrate_pages, "duii"), NOSYS(move_pages, "duippx"),
    PASS(rt_tgsigqueueinfo, "ddgi"), PASS(perf_event_open, "idffx"), PASS(accept4, "fkpx"),
    EMUL(recvmmsg, "fpuxp"), PASS(wait4, "dpWp"), EMUL(prlimit64, "drip"),
    GEN(fanotify_init, "xq"), PASS(fanotify_mark, "fxxfs"), PASS(name_to_handle_at, "fsppa"),
    GEN(open_by_handle_at, "fiq"), PASS(clock_adjtime, "cp"), PASS(syncfs, "f"), PASS(setns, "fC"),
    EMUL(sendmmsg, "fpux"), NOSYS(process_vm_readv, "dpupux"), NOSYS(process_vm_writev, "dpupux"),
    PASS(kcmp, "ddddx"), PASS(finit_module, "fsx"), PASS(sched_setattr, "dix"),
    PASS(sched_getattr, "dpux"), PASS(renameat2, "fsfsx"), NOSYS(seccomp, "xxp"),
    PASS(getrandom, "Bux"), PASS(memfd_create, "sx"), NOSYS(bpf, "dpu"), NOSYS(execveat, "fsppa"),
    NOSYS(userfaultfd, "x"), PASS(membarrier, "dxd"), EMUL(mlock2, "xux"),
    PASS(copy_file_range, "fpfpux"), EMUL(preadv2, "fpulxx"), EMUL(pwritev2, "fiulxx"),
    NOSYS(pkey_mprotect, "xuPd"), NOSYS(pkey_alloc, "xx"), NOSYS(pkey_free, "d"),
    PASS(statx, "fsaxp"), NOSYS(io_pgetevents, "xddppi"), EMUL(rseq, "puxx"),
    NOSYS(kexec_file_load, "ffusx"), PASS(pidfd_send_signal, "fgix"), NOSYS(io_uring_setup, "up"),
    NOSYS(io_uring_enter, "fuuxpu"), NOSYS(io_uring_register, "fupu"), PASS(open_tree, "fsx"),
    PASS(move_mount, "fsfsx"), PASS(fsopen, "sx"), PASS(fsconfig, "fdsid"), PASS(fsmount, "fxx"),
    PASS(fspick, "fsx"), PASS(pidfd_open, "dx"), EMUL(clone3, "pu"), PASS(close_range, "ffx"),
    GEN(openat2, "fsiu"), PASS(pidfd_getfd, "ffx"), PASS(faccessat2, "fsda"),
    NOSYS(process_madvise, "fiuxx"), GEN(epoll_pwait2, "fpdiiu"), PASS(mount_setattr, "fsaiu"),
    PASS(quotactl_fd, "fxdp"), PASS(landlock_create_ruleset, "iux"),
    PASS(landlock_add_rule, "fdix"), PASS(landlock_restrict_self, "fx"), NOSYS(memfd_secret, "x"),
    PASS(process_mrelease, "fx"), NOSYS(futex_waitv, "puxic"),
    NOSYS(set_mempolicy_home_node, "xuxx"),
};
#undef NOSYS
#undef GEN
#undef PASS
#undef EMUL

/* ELF64, little-endian, version 1, OS ABI SYSV or GNU (mask 0xfc), ET_EXEC or
 * ET_DYN (mask 0xfe), EM_AARCH64. */
static const UserBinfmt aarch64_binfmt = {
    .magic = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, EM_AARCH64, 0},
    .mask = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfe, 0xfc, 0xff, 0xff,
             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff},
};

const UserGuest user_guest_aarch64 = {
    .name = "aarch64",
    .platform = "aarch64",
    .frontend = &a64_frontend,
    .elf_machine = EM_AARCH64,
    .hwcap = a64_hwcap,
    .hwcap2 = a64_hwcap2,
    .minsigstksz = A64_MINSIGSTKSZ,
    .syscalls = aarch64_syscalls,
    .nsyscalls = sizeof aarch64_syscalls / sizeof aarch64_syscalls[0],
    .max_nr = 512,
    .frontend_init = a64_frontend_init,
    .init_regs = init_regs,
    .syscall_nr = syscall_nr,
    .syscall_args = syscall_args,
    .syscall_ret = syscall_ret,
    .syscall_result = syscall_result,
    .set_tls = set_tls,
    .set_sp = set_sp,
    .clone_tls_before_ctid = true,
    .dump_regs = dump_regs,
    .binfmt = &aarch64_binfmt,
    .sig = &user_sig_aarch64,
};
