/* guest_x86_64.c — the x86-64 Linux guest ABI: register conventions and the
 * syscall table. Guest and host numbers and layouts agree, so most rows pass
 * straight through (with their pointers checked); the rest are emulated. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "sys.h"
#include "x86_frontend.h"

static void init_regs(void *st, uint64_t entry, uint64_t sp) {
  X86Cpu *c = st;
  x86_cpu_reset(c);
  c->rip = entry;
  c->gpr[X86_RSP] = sp;
}

static uint64_t syscall_nr(const void *st) { return ((const X86Cpu *)st)->gpr[X86_RAX]; }

static void syscall_args(const void *st, uint64_t a[6]) {
  const X86Cpu *c = st;
  static const int regs[6] = {X86_RDI, X86_RSI, X86_RDX, X86_R10, X86_R8, X86_R9};
  for (int i = 0; i < 6; i++)
    a[i] = c->gpr[regs[i]];
}

/* The kernel's syscall instruction also clobbers rcx (return rip) and r11 (rflags). */
static void syscall_ret(void *st, int64_t ret) {
  X86Cpu *c = st;
  c->gpr[X86_RAX] = (uint64_t)ret;
  c->gpr[X86_RCX] = c->rip;
  c->gpr[X86_R11] = x86_rflags_get(c);
}

static uint64_t x86_hwcap(void) { return x86_cpuid_hwcap(); }

static void set_tls(void *st, uint64_t tls) { ((X86Cpu *)st)->fs_base = tls; }
static void set_sp(void *st, uint64_t sp) { ((X86Cpu *)st)->gpr[X86_RSP] = sp; }

static void dump_regs(const void *st, void *file) {
  const X86Cpu *c = st;
  static const char *const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  for (int i = 0; i < 16; i++)
    fprintf(file, "%-3s=%016llx%s", names[i], (unsigned long long)c->gpr[i], i % 4 == 3 ? "\n" : " ");
  fprintf(file, "rip=%016llx rflags=%08llx fs_base=%016llx\n", (unsigned long long)c->rip,
          (unsigned long long)x86_rflags_get(c), (unsigned long long)c->fs_base);
}

static int64_t sys_arch_prctl(UserThread *t, const uint64_t a[6]) {
  X86Cpu *c = emu_guest(t->cpu);
  switch (a[0]) {
  case ARCH_SET_FS: c->fs_base = a[1]; return 0;
  case ARCH_SET_GS: c->gs_base = a[1]; return 0;
  case ARCH_GET_FS:
  case ARCH_GET_GS: {
    uint64_t *out = user_ptr(a[1], 8);
    if (!out)
      return -EFAULT;
    *out = a[0] == ARCH_GET_FS ? c->fs_base : c->gs_base;
    return 0;
  }
  default:
    return -EINVAL;
  }
}

#define PASS(name, args) {SYS_##name, #name, NULL, args, SYS_##name}
#define EMUL(name, args) {SYS_##name, #name, sys_##name, args, SYS_##name}
#define NOSYS(name, args) {SYS_##name, #name, sys_nosys, args, SYS_##name}
/* By number. Argument kinds: sys_kind.h. NOSYS rows are refused on purpose:
 * they would act on emu itself (ptrace, seccomp, pkeys, userfaultfd, LDT,
 * execveat -> glibc's fexecve falls back to execve of /proc/self/fd/N), hold
 * guest pointers emu does not translate yet (SysV shm attach,
 * vmsplice, process_vm_*, keyctl, AIO, io_uring, NUMA policies). */
static const SysRow x86_64_syscalls[] = {
    PASS(read, "fBu"), PASS(write, "fbu"), EMUL(open, "som"), PASS(close, "f"),
    PASS(stat, "sp"), PASS(fstat, "fp"), PASS(lstat, "sp"), PASS(poll, "Lud"),
    PASS(lseek, "flw"), EMUL(mmap, "x:xuPMfx"), EMUL(mprotect, "xuP"), EMUL(munmap, "xu"),
    EMUL(brk, "x:x"), EMUL(rt_sigaction, "gipu"), EMUL(rt_sigprocmask, "hipu"), EMUL(rt_sigreturn, ""),
    EMUL(ioctl, "fIx"), PASS(pread64, "fBul"), PASS(pwrite64, "fbul"), EMUL(readv, "fpu"),
    EMUL(writev, "fiu"), PASS(access, "sd"), PASS(pipe, "p"), PASS(select, "dpppp"),
    PASS(sched_yield, ""), EMUL(mremap, "x:xuuRx"), EMUL(msync, "xud"), EMUL(mincore, "xup"),
    EMUL(madvise, "xud"), PASS(shmget, "dud"), NOSYS(shmat, "dxd"), PASS(shmctl, "ddp"),
    PASS(dup, "f"), PASS(dup2, "ff"), PASS(pause, ""), PASS(nanosleep, "ip"),
    PASS(getitimer, "dp"), PASS(alarm, "u"), PASS(setitimer, "dip"), PASS(getpid, ""),
    PASS(sendfile, "ffpu"), PASS(socket, "ANd"), PASS(connect, "fbu"), PASS(accept, "fkp"),
    PASS(sendto, "fbudbu"), PASS(recvfrom, "fBudkp"), EMUL(sendmsg, "fix"),
    EMUL(recvmsg, "fpx"), PASS(shutdown, "fd"), PASS(bind, "fbu"), PASS(listen, "fd"),
    PASS(getsockname, "fkp"), PASS(getpeername, "fkp"), PASS(socketpair, "ANdp"),
    PASS(setsockopt, "fddbu"), PASS(getsockopt, "fddkp"), EMUL(clone, "Cxppx"),
    EMUL(fork, ""), EMUL(vfork, ""), EMUL(execve, "spp"), EMUL(exit, "d"),
    PASS(wait4, "dpWp"), PASS(kill, "dg"), EMUL(uname, "p"), PASS(semget, "ddd"),
    PASS(semop, "diu"), EMUL(semctl, "dddx"), NOSYS(shmdt, "x"), PASS(msgget, "dd"),
    PASS(msgsnd, "diud"), PASS(msgrcv, "dpudd"), PASS(msgctl, "ddp"), EMUL(fcntl, "fFx"),
    PASS(flock, "fd"), PASS(fsync, "f"), PASS(fdatasync, "f"), PASS(truncate, "sl"),
    PASS(ftruncate, "fl"), PASS(getdents, "fBu"), PASS(getcwd, "Bu"), PASS(chdir, "s"),
    PASS(fchdir, "f"), PASS(rename, "ss"), PASS(mkdir, "sm"), PASS(rmdir, "s"),
    EMUL(creat, "sm"), PASS(link, "ss"), PASS(unlink, "s"), PASS(symlink, "ss"),
    EMUL(readlink, "sBu"), PASS(chmod, "sm"), PASS(fchmod, "fm"), PASS(chown, "sdd"),
    PASS(fchown, "fdd"), PASS(lchown, "sdd"), PASS(umask, "m:m"), PASS(gettimeofday, "pp"),
    EMUL(getrlimit, "rp"), PASS(getrusage, "dp"), PASS(sysinfo, "p"), PASS(times, "p"),
    NOSYS(ptrace, "dddx"), PASS(getuid, ""), PASS(syslog, "dBu"), PASS(getgid, ""),
    PASS(setuid, "d"), PASS(setgid, "d"), PASS(geteuid, ""), PASS(getegid, ""),
    PASS(setpgid, "dd"), PASS(getppid, ""), PASS(getpgrp, ""), PASS(setsid, ""),
    PASS(setreuid, "dd"), PASS(setregid, "dd"), PASS(getgroups, "dp"), PASS(setgroups, "di"),
    PASS(setresuid, "ddd"), PASS(getresuid, "ppp"), PASS(setresgid, "ddd"),
    PASS(getresgid, "ppp"), PASS(getpgid, "d"), PASS(setfsuid, "d"), PASS(setfsgid, "d"),
    PASS(getsid, "d"), PASS(capget, "pp"), PASS(capset, "ii"), EMUL(rt_sigpending, "pu"),
    EMUL(rt_sigtimedwait, "ipiu"), PASS(rt_sigqueueinfo, "dgi"), EMUL(rt_sigsuspend, "iu"),
    EMUL(sigaltstack, "ip"), PASS(utime, "si"), PASS(mknod, "smx"), NOSYS(uselib, "s"),
    PASS(personality, "x:x"), PASS(ustat, "xp"), PASS(statfs, "sp"), PASS(fstatfs, "fp"),
    NOSYS(sysfs, "dxx"), PASS(getpriority, "dd"), PASS(setpriority, "ddd"),
    PASS(sched_setparam, "di"), PASS(sched_getparam, "dp"), PASS(sched_setscheduler, "ddi"),
    PASS(sched_getscheduler, "d"), PASS(sched_get_priority_max, "d"),
    PASS(sched_get_priority_min, "d"), PASS(sched_rr_get_interval, "dp"), EMUL(mlock, "xu"),
    EMUL(munlock, "xu"), PASS(mlockall, "x"), PASS(munlockall, ""), PASS(vhangup, ""),
    NOSYS(modify_ldt, "dpu"), PASS(pivot_root, "ss"), NOSYS(_sysctl, "p"),
    EMUL(prctl, "Oxxxx"), EMUL(arch_prctl, "dx"), PASS(adjtimex, "p"), EMUL(setrlimit, "ri"),
    PASS(chroot, "s"), PASS(sync, ""), PASS(acct, "s"), PASS(settimeofday, "ii"),
    PASS(mount, "sssxi"), PASS(umount2, "sx"), PASS(swapon, "sx"), PASS(swapoff, "s"),
    PASS(reboot, "xxxi"), PASS(sethostname, "bu"), PASS(setdomainname, "bu"),
    NOSYS(iopl, "d"), NOSYS(ioperm, "xxd"), PASS(init_module, "bus"),
    PASS(delete_module, "sx"), PASS(quotactl, "xsdp"), PASS(gettid, ""),
    PASS(readahead, "flu"), PASS(setxattr, "ssbux"), PASS(lsetxattr, "ssbux"),
    PASS(fsetxattr, "fsbux"), PASS(getxattr, "ssBu"), PASS(lgetxattr, "ssBu"),
    PASS(fgetxattr, "fsBu"), PASS(listxattr, "sBu"), PASS(llistxattr, "sBu"),
    PASS(flistxattr, "fBu"), PASS(removexattr, "ss"), PASS(lremovexattr, "ss"),
    PASS(fremovexattr, "fs"), PASS(tkill, "dg"), PASS(time, "p"), PASS(futex, "pXxpxx"),
    PASS(sched_setaffinity, "duv"), PASS(sched_getaffinity, "duV"),
    NOSYS(set_thread_area, "p"), NOSYS(io_setup, "up"), NOSYS(io_destroy, "x"),
    NOSYS(io_getevents, "xddpp"), NOSYS(io_submit, "xdp"), NOSYS(io_cancel, "xpp"),
    NOSYS(get_thread_area, "p"), PASS(epoll_create, "d"), NOSYS(remap_file_pages, "xuddx"),
    PASS(getdents64, "fBu"), EMUL(set_tid_address, "p"), PASS(restart_syscall, ""),
    PASS(semtimedop, "diui"), PASS(fadvise64, "flld"), PASS(timer_create, "cip"),
    PASS(timer_settime, "xdip"), PASS(timer_gettime, "xp"), PASS(timer_getoverrun, "x"),
    PASS(timer_delete, "x"), PASS(clock_settime, "ci"), PASS(clock_gettime, "cp"),
    PASS(clock_getres, "cp"), PASS(clock_nanosleep, "cdip"), EMUL(exit_group, "d"),
    PASS(epoll_wait, "fEdd"), PASS(epoll_ctl, "fdfi"), PASS(tgkill, "ddg"),
    PASS(utimes, "si"), NOSYS(mbind, "xudpux"), NOSYS(set_mempolicy, "dpu"),
    NOSYS(get_mempolicy, "ppuxx"), PASS(mq_open, "somi"), PASS(mq_unlink, "s"),
    PASS(mq_timedsend, "fbuui"), PASS(mq_timedreceive, "fBupi"), PASS(mq_notify, "fi"),
    PASS(mq_getsetattr, "fip"), NOSYS(kexec_load, "xupx"), PASS(waitid, "ddpWp"),
    PASS(add_key, "ssbud"), PASS(request_key, "sssd"), NOSYS(keyctl, "dxxxx"),
    PASS(ioprio_set, "ddd"), PASS(ioprio_get, "dd"), PASS(inotify_init, ""),
    PASS(inotify_add_watch, "fsx"), PASS(inotify_rm_watch, "fd"),
    NOSYS(migrate_pages, "duii"), EMUL(openat, "fsom"), PASS(mkdirat, "fsm"),
    PASS(mknodat, "fsmx"), PASS(fchownat, "fsdda"), PASS(futimesat, "fsi"),
    PASS(newfstatat, "fspa"), PASS(unlinkat, "fsa"), PASS(renameat, "fsfs"),
    PASS(linkat, "fsfsa"), PASS(symlinkat, "sfs"), EMUL(readlinkat, "fsBu"),
    PASS(fchmodat, "fsm"), PASS(faccessat, "fsd"), EMUL(pselect6, "dppppi"),
    PASS(ppoll, "Lupiu"), PASS(unshare, "C"), EMUL(set_robust_list, "pu"),
    EMUL(get_robust_list, "dpp"), PASS(splice, "fpfpux"), PASS(tee, "ffux"),
    PASS(sync_file_range, "fllx"), NOSYS(vmsplice, "fiux"), NOSYS(move_pages, "duippx"),
    PASS(utimensat, "fsia"), PASS(epoll_pwait, "fEddiu"), PASS(signalfd, "fiu"),
    PASS(timerfd_create, "cx"), PASS(eventfd, "u"), PASS(fallocate, "fdll"),
    PASS(timerfd_settime, "fxip"), PASS(timerfd_gettime, "fp"), PASS(accept4, "fkpx"),
    PASS(signalfd4, "fiux"), PASS(eventfd2, "ux"), PASS(epoll_create1, "x"),
    PASS(dup3, "ffo"), PASS(pipe2, "po"), PASS(inotify_init1, "x"), EMUL(preadv, "fpul"),
    EMUL(pwritev, "fiul"), PASS(rt_tgsigqueueinfo, "ddgi"), PASS(perf_event_open, "idffx"),
    EMUL(recvmmsg, "fpuxp"), PASS(fanotify_init, "xx"), PASS(fanotify_mark, "fxxfs"),
    EMUL(prlimit64, "drip"), PASS(name_to_handle_at, "fsppa"),
    PASS(open_by_handle_at, "fio"), PASS(clock_adjtime, "cp"), PASS(syncfs, "f"),
    EMUL(sendmmsg, "fpux"), PASS(setns, "fC"), PASS(getcpu, "ppp"),
    NOSYS(process_vm_readv, "dpupux"), NOSYS(process_vm_writev, "dpupux"),
    PASS(kcmp, "ddddx"), PASS(finit_module, "fsx"), PASS(sched_setattr, "dix"),
    PASS(sched_getattr, "dpux"), PASS(renameat2, "fsfsx"), NOSYS(seccomp, "xxp"),
    PASS(getrandom, "Bux"), PASS(memfd_create, "sx"), NOSYS(kexec_file_load, "ffusx"),
    NOSYS(bpf, "dpu"), NOSYS(execveat, "fsppa"), NOSYS(userfaultfd, "x"),
    PASS(membarrier, "dxd"), EMUL(mlock2, "xux"), PASS(copy_file_range, "fpfpux"),
    EMUL(preadv2, "fpulxx"), EMUL(pwritev2, "fiulxx"), NOSYS(pkey_mprotect, "xuPd"),
    NOSYS(pkey_alloc, "xx"), NOSYS(pkey_free, "d"), PASS(statx, "fsaxp"),
    NOSYS(io_pgetevents, "xddppi"), EMUL(rseq, "puxx"), PASS(pidfd_send_signal, "fgix"),
    NOSYS(io_uring_setup, "up"), NOSYS(io_uring_enter, "fuuxpu"),
    NOSYS(io_uring_register, "fupu"), PASS(open_tree, "fsx"), PASS(move_mount, "fsfsx"),
    PASS(fsopen, "sx"), PASS(fsconfig, "fdsid"), PASS(fsmount, "fxx"), PASS(fspick, "fsx"),
    PASS(pidfd_open, "dx"), EMUL(clone3, "pu"), PASS(close_range, "ffx"),
    EMUL(openat2, "fsiu"), PASS(pidfd_getfd, "ffx"), PASS(faccessat2, "fsda"),
    NOSYS(process_madvise, "fiuxx"), PASS(epoll_pwait2, "fEdiiu"),
    PASS(mount_setattr, "fsaiu"), PASS(quotactl_fd, "fxdp"),
    PASS(landlock_create_ruleset, "iux"), PASS(landlock_add_rule, "fdix"),
    PASS(landlock_restrict_self, "fx"), NOSYS(memfd_secret, "x"),
    PASS(process_mrelease, "fx"), NOSYS(futex_waitv, "puxic"),
    NOSYS(set_mempolicy_home_node, "xuxx"),
};
#undef NOSYS
#undef PASS
#undef EMUL

/* ELF64, little-endian, version 1, OS ABI SYSV or GNU (mask 0xfc), ET_EXEC or
 * ET_DYN (mask 0xfe), EM_X86_64. */
static const UserBinfmt x86_64_binfmt = {
    .magic = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, EM_X86_64, 0},
    .mask = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfe, 0xfc, 0xff, 0xff,
             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff},
};

const UserGuest user_guest_x86_64 = {
    .name = "x86_64",
    .platform = "x86_64",
    .frontend = &x86_frontend,
    .elf_machine = EM_X86_64,
    .hwcap = x86_hwcap,
    .syscalls = x86_64_syscalls,
    .nsyscalls = sizeof x86_64_syscalls / sizeof x86_64_syscalls[0],
    .max_nr = 512,
    .frontend_init = x86_frontend_init,
    .init_regs = init_regs,
    .syscall_nr = syscall_nr,
    .syscall_args = syscall_args,
    .syscall_ret = syscall_ret,
    .set_tls = set_tls,
    .set_sp = set_sp,
    .clone_tls_before_ctid = false,
    .dump_regs = dump_regs,
    .binfmt = &x86_64_binfmt,
    .sig = &user_sig_x86_64,
};
