/* user_loop.c — the user-mode CPU loop: run guest code, dispatch syscalls
 * through the guest's table, turn guest exceptions into signals, and end the
 * process the way the guest would (exit status, or death by the same signal). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest_mem.h"
#include "syscall_raw.h"
#include "user.h"

void *user_ptr(uint64_t addr, uint64_t len) {
  if (addr >= gmem_limit || len > gmem_limit - addr)
    return NULL;
  return gmem_g2h(addr);
}

const char *user_str(uint64_t addr) {
  /* Walk page by page so the string cannot run out of mapped guest memory. */
  uint64_t a = addr;
  for (;;) {
    uint64_t page_end = gmem_page_down(a) + GMEM_PAGE;
    if (!gmem_check(a, page_end - a, PROT_READ))
      return NULL;
    if (memchr(gmem_g2h(a), 0, page_end - a))
      return gmem_g2h(addr);
    a = page_end;
  }
}

void user_report_stats(UserProcess *p) { emu_engine_log_stats(p->engine); }

void user_exit_group(UserThread *t, int status) {
  user_exit_claim();
  user_report_stats(t->proc);
  emu_engine_cache_save(t->proc->engine);
  fflush(NULL);
  _exit(status & 0xff);
}

void user_die_by_signal(UserThread *t, int sig) {
  user_exit_claim();
  user_report_stats(t->proc);
  emu_engine_cache_save(t->proc->engine);
  fflush(NULL);
  /* Die of the same signal so the parent sees what it would natively; no core
   * of the emulator itself. */
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  /* Raw calls: glibc refuses its internal signals (32, 33), the guest's may. */
  uint64_t dfl[4] = {(uint64_t)(uintptr_t)SIG_DFL, 0, 0, 0}, bit = 1ull << (sig - 1);
  raw_syscall6(SYS_rt_sigaction, (uint64_t)sig, (uint64_t)(uintptr_t)dfl, 0, 8, 0, 0);
  raw_syscall6(SYS_rt_sigprocmask, SIG_UNBLOCK, (uint64_t)(uintptr_t)&bit, 0, 8, 0, 0);
  raw_syscall6(SYS_tgkill, (uint64_t)getpid(), (uint64_t)raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0),
               (uint64_t)sig, 0, 0, 0);
  _exit(128 + sig);
}

static void do_syscall(UserThread *t) {
  UserProcess *p = t->proc;
  const UserGuest *g = p->guest;
  void *st = emu_guest(t->cpu);
  uint64_t nr = g->syscall_nr(st), a[6];
  emu_crash_debug_point(); /* EMU_DEBUG_CRASH: crash here, on purpose */
  if (g->sig && (t->sig.queued & ~t->sig.blocked)) {
    /* A signal came first: deliver it, run the syscall when the handler returns. */
    g->sig->rewind_syscall(st, nr);
    return;
  }
  g->syscall_args(st, a);
  const SysRow *row = nr < g->max_nr ? p->by_nr[nr] : NULL;
  uint32_t host_signals = t->sig.host_count;
  int64_t ret;
  if (row) {
    if (p->opt.strace)
      strace_enter(t, row, a);
    ret = row->fn ? row->fn(t, a) : sys_passthrough(t, row, a);
    if (p->opt.strace && ret == -USER_ESIGRETURN) /* the result register it restored, as strace shows */
      strace_exit(t, row, a, (int64_t)(g->syscall_result ? g->syscall_result(st) : g->syscall_nr(st)));
    else if (p->opt.strace)
      strace_exit(t, row, a, ret);
  } else {
    ret = -ENOSYS;
    if (nr < 4096 && !p->unimpl_logged[nr] && emu_log_on(EMU_LOG_unimp)) {
      p->unimpl_logged[nr] = 1;
      emu_log("emu: unimplemented syscall %" PRIu64 " (returns -ENOSYS)\n", nr);
    }
    if (p->opt.strace)
      strace_unknown(t, nr, a, ret);
  }
  if (ret == -USER_ESIGRETURN)
    return; /* the registers are the signal frame's */
  g->syscall_ret(st, user_signal_syscall_end(t, row, nr, a, ret, host_signals));
}

static void log_unimp(UserThread *t, uint64_t pc) {
  uint8_t bytes[16];
  size_t n = 0;
  while (n < sizeof bytes && gmem_check(pc + n, 1, PROT_READ)) {
    bytes[n] = *(uint8_t *)gmem_g2h(pc + n);
    n++;
  }
  char text[128];
  const IrFrontend *fe = t->proc->guest->frontend;
  fe->disas(pc, bytes, n, text, sizeof text);
  emu_log("emu: unimplemented instruction at 0x%" PRIx64 ":", pc);
  for (size_t i = 0; i < n && i < fe->max_insn_bytes; i++)
    emu_log(" %02x", bytes[i]);
  emu_log("  (%s)\n", text);
}

static void do_exception(UserThread *t, const EmuExit *x) {
  uint64_t pc = emu_cpu_pc(t->cpu);
  if (x->exc == IR_EXC_undef && x->addr == IR_UNDEF_UNIMPL && emu_log_on(EMU_LOG_unimp))
    log_unimp(t, pc);
  const UserSigArch *arch = t->proc->guest->sig;
  uint8_t info[128];
  int sig = arch ? arch->exception(t, x, info) : SIGSEGV;
  if (!arch)
    user_die_by_signal(t, sig);
  user_signal_force(t, sig, info);
}

void user_cpu_loop(UserThread *t) {
  user_signal_thread_start(t);
  for (;;) {
    if (user_signal_pending(t))
      user_signal_deliver(t);
    EmuExit x = emu_exec(t->cpu);
    switch (x.reason) {
    case EMU_EXIT_SYSCALL:
      do_syscall(t);
      break;
    case EMU_EXIT_EXCEPTION:
      do_exception(t, &x);
      break;
    case EMU_EXIT_INTERRUPT: /* a kick: signals are delivered at the top */
      break;
    }
  }
}
