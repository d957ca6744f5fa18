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
static const SysRow x86_64_syscalls[] = {
    PASS(read, "fBu"), PASS(write, "fbu"), EMUL(open, "som"), PASS(close, "f"),
    PASS(stat, "sp"), PASS(fstat, "fp"), PASS(lstat, "sp"), PASS(poll, "pud"),
    PASS(lseek, "fdd"), EMUL(mmap, "x:xuxxfx"), EMUL(mprotect, "xux"), EMUL(munmap, "xu"),
    EMUL(brk, "x:x"), EMUL(rt_sigaction, "dppu"), EMUL(rt_sigprocmask, "dppu"),
    PASS(ioctl, "fxx"), PASS(pread64, "fBud"), PASS(pwrite64, "fbud"), EMUL(readv, "fpu"),
    EMUL(writev, "fpu"), PASS(access, "sd"), PASS(pipe, "p"), PASS(select, "dpppp"),
    PASS(sched_yield, ""), EMUL(mremap, "x:xuuxx"), PASS(madvise, "xud"), PASS(dup, "f"),
    PASS(dup2, "ff"), PASS(pause, ""), PASS(nanosleep, "pp"), PASS(getitimer, "dp"),
    PASS(alarm, "u"), PASS(setitimer, "dpp"), PASS(getpid, ""), PASS(sendfile, "ffpu"),
    PASS(socket, "ddd"), PASS(connect, "fpu"), PASS(accept, "fpp"), PASS(sendto, "fbudpu"),
    PASS(recvfrom, "fBudpp"), PASS(shutdown, "fd"), PASS(bind, "fpu"), PASS(listen, "fd"),
    PASS(getsockname, "fpp"), PASS(getpeername, "fpp"), PASS(socketpair, "dddp"),
    PASS(setsockopt, "fddpu"), PASS(getsockopt, "fddpp"), EMUL(clone, "xxppx"),
    EMUL(fork, ""), EMUL(vfork, ""), EMUL(execve, "spp"), EMUL(exit, "d"), PASS(wait4, "dpdp"),
    PASS(kill, "dd"), EMUL(uname, "p"), PASS(fcntl, "fdx"), PASS(flock, "fd"),
    PASS(fsync, "f"), PASS(fdatasync, "f"), PASS(truncate, "sd"), PASS(ftruncate, "fd"),
    PASS(getdents, "fBu"), PASS(getdents64, "fBu"), PASS(getcwd, "Bu"), PASS(chdir, "s"), PASS(fchdir, "f"),
    PASS(rename, "ss"), PASS(mkdir, "sm"), PASS(rmdir, "s"), PASS(creat, "sm"), PASS(link, "ss"),
    PASS(unlink, "s"), PASS(symlink, "ss"), EMUL(readlink, "sBu"), PASS(chmod, "sm"),
    PASS(fchmod, "fm"), PASS(chown, "sdd"), PASS(fchown, "fdd"), PASS(lchown, "sdd"),
    PASS(umask, "m:m"), PASS(gettimeofday, "pp"), PASS(getrlimit, "dp"), PASS(getrusage, "dp"),
    PASS(sysinfo, "p"), PASS(times, "p"), PASS(getuid, ""), PASS(getgid, ""), PASS(setuid, "d"),
    PASS(setgid, "d"), PASS(geteuid, ""), PASS(getegid, ""), PASS(setpgid, "dd"),
    PASS(getppid, ""), PASS(getpgrp, ""), PASS(setsid, ""), PASS(setreuid, "dd"),
    PASS(setregid, "dd"), PASS(getgroups, "dp"), PASS(setgroups, "dp"), PASS(setresuid, "ddd"),
    PASS(getresuid, "ppp"), PASS(setresgid, "ddd"), PASS(getresgid, "ppp"), PASS(getpgid, "d"),
    PASS(getsid, "d"), PASS(rt_sigpending, "pu"), PASS(rt_sigtimedwait, "pppu"),
    PASS(rt_sigsuspend, "pu"), EMUL(sigaltstack, "pp"), PASS(utime, "sp"), PASS(mknod, "smx"),
    PASS(statfs, "sp"), PASS(fstatfs, "fp"), PASS(getpriority, "dd"), PASS(setpriority, "ddd"),
    PASS(sched_getparam, "dp"), PASS(sched_getscheduler, "d"), PASS(mlock, "xu"),
    PASS(munlock, "xu"), PASS(prctl, "dxxxx"), EMUL(arch_prctl, "dx"), PASS(setrlimit, "dp"),
    PASS(sync, ""), PASS(gettid, ""), PASS(time, "p"), PASS(futex, "pdxpxx"),
    PASS(sched_setaffinity, "dup"), PASS(sched_getaffinity, "duB"), EMUL(set_tid_address, "p"),
    PASS(fadvise64, "fddd"), PASS(clock_gettime, "dp"), PASS(clock_getres, "dp"),
    PASS(clock_nanosleep, "ddpp"), EMUL(exit_group, "d"), PASS(tgkill, "ddd"),
    PASS(utimes, "sp"), EMUL(openat, "fsom"), PASS(mkdirat, "fsm"), PASS(fchownat, "fsddd"),
    PASS(newfstatat, "fspx"), PASS(unlinkat, "fsx"), PASS(renameat, "fsfs"),
    PASS(linkat, "fsfsx"), PASS(symlinkat, "sfs"), EMUL(readlinkat, "fsBu"),
    PASS(fchmodat, "fsm"), PASS(faccessat, "fsd"), PASS(pselect6, "dppppp"), PASS(ppoll, "pupp"),
    EMUL(set_robust_list, "pu"), PASS(utimensat, "fspx"), PASS(fallocate, "fddd"),
    PASS(accept4, "fppx"), PASS(eventfd2, "ux"), PASS(epoll_create1, "x"), PASS(dup3, "ffx"),
    PASS(pipe2, "px"), EMUL(preadv, "fpud"), EMUL(pwritev, "fpud"), PASS(prlimit64, "ddpp"),
    PASS(getrandom, "Bux"), PASS(memfd_create, "sx"), PASS(statx, "fsxxp"), EMUL(rseq, "puxx"),
    PASS(faccessat2, "fsdx"), PASS(kill, "dd"),
};
#undef PASS
#undef EMUL

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
};
