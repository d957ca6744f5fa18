/* crash.c — the report of an emulator crash (emu.h, "Crash reports"): what and
 * where, a host backtrace with frames in generated code named by guest pc, the
 * guest registers, then exit(EMU_CRASH_EXIT). Runs inside a signal handler, so
 * it formats into a small buffer and write(2)s it; nothing here mallocs.
 * Generated code has no unwind info: frames there are left by replaying the
 * entry trampoline's epilogue on a copy of the registers (crash_leave_jit). */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "engine.h"

enum { CRASH_MAX_FRAMES = 64, CRASH_MAX_NAMERS = 4, CRASH_SCAN_BYTES = 4096 };

static const char *crash_prog = "emu";

/* -- Output: a line buffer written with write(2) ----------------------------- */

static struct {
  char buf[512];
  size_t n;
} out;

static void out_flush(void) {
  for (size_t done = 0; done < out.n;) {
    ssize_t w = write(2, out.buf + done, out.n - done);
    if (w <= 0)
      break;
    done += (size_t)w;
  }
  out.n = 0;
}

static void out_str(const char *s) {
  for (; *s; s++) {
    if (out.n == sizeof out.buf)
      out_flush();
    out.buf[out.n++] = *s;
  }
}

static void out_hex(uint64_t v, int digits) { /* at least digits, 0x prefixed */
  char t[19];
  int i = sizeof t - 1;
  t[i] = 0;
  do {
    t[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v || sizeof t - 1 - (size_t)i < (size_t)digits);
  t[--i] = 'x';
  t[--i] = '0';
  out_str(t + i);
}

static void out_dec(uint64_t v) {
  char t[21];
  int i = sizeof t - 1;
  t[i] = 0;
  do {
    t[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  out_str(t + i);
}

static void out_line(const char *s) {
  out_str(s);
  out_str("\n");
  out_flush();
}

/* -- Naming generated code ----------------------------------------------------- */

static EmuCrashNamer crash_namers[CRASH_MAX_NAMERS];

bool emu_crash_add_namer(EmuCrashNamer fn) {
  for (int i = 0; i < CRASH_MAX_NAMERS; i++)
    if (!crash_namers[i] || crash_namers[i] == fn) {
      crash_namers[i] = fn;
      return true;
    }
  return false;
}

/* The block map needs e->lock. Its holder may be this very thread (a crash in
 * translation) or one that never gives it back, so wait briefly, then give up. */
static bool crash_lock(EmuEngine *e) {
  static bool gave_up;
  for (int i = 0; !gave_up && i < 50; i++) {
    if (pthread_mutex_trylock(&e->lock) == 0)
      return true;
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  gave_up = true;
  return false;
}

/* backend_fast's code cache: the trampolines at its start, then the blocks. */
static bool crash_name_fast(EmuEngine *e, uintptr_t pc, EmuCrashName *nm) {
  if (!e || !codecache_contains(&e->cc, pc))
    return false;
  *nm = (EmuCrashName){.kind = "fast"};
  if (pc < (uintptr_t)e->cc.rx + e->cc.reserved) {
    nm->kind = "emu entry trampoline";
    return true;
  }
  if (!crash_lock(e)) {
    nm->kind = "generated code; block map locked";
    return true;
  }
  Tb *t = tb_by_code(e, pc);
  if (t) {
    nm->known = true;
    nm->block_pc = t->pc;
    nm->guest_pc = bf_pc_at(&t->bf, (uint32_t)(pc - (uintptr_t)t->code));
  } else {
    nm->kind = "generated code, no block";
  }
  pthread_mutex_unlock(&e->lock);
  return true;
}

static bool crash_name(EmuEngine *e, uintptr_t pc, EmuCrashName *nm) {
  if (crash_name_fast(e, pc, nm))
    return true;
  for (int i = 0; i < CRASH_MAX_NAMERS && crash_namers[i]; i++)
    if (crash_namers[i](e, pc, nm))
      return true;
  return false;
}

static void out_name(const EmuCrashName *nm) {
  out_str("[");
  if (nm->known) {
    out_str("guest ");
    out_hex(nm->guest_pc, 0);
    out_str(" in ");
    out_str(nm->kind);
    out_str(" block ");
    out_hex(nm->block_pc, 0);
  } else {
    out_str(nm->kind);
  }
  out_str("]");
}

/* -- Leaving generated code ---------------------------------------------------- */

/* Stack words may lie in a poisoned ASan redzone left by an earlier frame. */
__attribute__((no_sanitize("address"))) static uint64_t crash_peek(uint64_t addr) {
  return *(const volatile uint64_t *)(uintptr_t)addr;
}

/* x86 register number -> its mcontext slot. */
static const uint8_t crash_greg[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                       REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                       REG_R12, REG_R13, REG_R14, REG_R15};

/* Run the epilogue generated code leaves by (add rsp, imm; pop reg...; ret) on
 * uc's registers, from stack pointer rsp: afterwards uc is the state at the
 * trampoline's return into its C caller. False on an instruction it does not
 * know (the epilogue changed: teach it here). */
static bool crash_replay_epilogue(const uint8_t *p, uint64_t rsp, ucontext_t *uc) {
  greg_t *g = uc->uc_mcontext.gregs;
  for (int n = 0; n < 16; n++) {
    unsigned rex = (p[0] & 0xf0) == 0x40 ? *p++ : 0;
    if (rex == 0x48 && p[0] == 0x81 && p[1] == 0xc4) { /* add rsp, imm32 */
      int32_t imm;
      memcpy(&imm, p + 2, 4);
      rsp += (uint64_t)(int64_t)imm;
      p += 6;
    } else if (rex == 0x48 && p[0] == 0x83 && p[1] == 0xc4) { /* add rsp, imm8 */
      rsp += (uint64_t)(int64_t)(int8_t)p[2];
      p += 3;
    } else if (p[0] >= 0x58 && p[0] <= 0x5f) { /* pop reg */
      unsigned reg = (p[0] - 0x58u) | (rex & 1) << 3;
      if (reg == 4) /* pop rsp */
        return false;
      g[crash_greg[reg]] = (greg_t)crash_peek(rsp);
      rsp += 8;
      p++;
    } else if (p[0] == 0xc3 && !rex) { /* ret */
      g[REG_RIP] = (greg_t)crash_peek(rsp);
      g[REG_RSP] = (greg_t)(rsp + 8);
      return true;
    } else {
      return false;
    }
  }
  return false;
}

static ucontext_t crash_ctx; /* registers after leaving generated code (one report per process) */

/* cur is at a frame in generated code: re-point it at the trampoline's caller.
 * The frame's rsp is where block code keeps it, unless the block grew its
 * frame (or cur is in code a block called, such as tier-2 code behind a thunk),
 * so if the return address found there is not code with unwind info, look
 * further up the stack. */
static bool crash_leave_jit(EmuEngine *e, unw_cursor_t *cur, const ucontext_t *regs,
                            bool *scanned) {
  unw_word_t sp;
  if (!e || !e->tramp.epilogue || unw_get_reg(cur, UNW_X86_64_RSP, &sp) < 0)
    return false;
  for (uint64_t extra = 0; extra < CRASH_SCAN_BYTES; extra += 8) {
    crash_ctx = *regs;
    if (!crash_replay_epilogue(e->tramp.epilogue, sp + extra, &crash_ctx))
      return false;
    uintptr_t ra = (uintptr_t)crash_ctx.uc_mcontext.gregs[REG_RIP];
    unw_proc_info_t pi;
    if (crash_name(e, ra - 1, &(EmuCrashName){0}) || unw_init_local(cur, &crash_ctx) < 0 ||
        unw_get_proc_info(cur, &pi) < 0)
      continue;
    *scanned = extra != 0;
    return true;
  }
  return false;
}

/* -- The report ---------------------------------------------------------------- */

static void crash_frame_line(int i, uint64_t ip) {
  out_str("  #");
  out_dec((uint64_t)i);
  out_str(i < 10 ? "  " : " ");
  out_hex(ip, 16);
  out_str(" ");
}

/* regs: the registers at the crash; exact: its ip is the faulting instruction
 * (a signal), not a return address. */
static void crash_backtrace(EmuEngine *e, ucontext_t *regs, bool exact) {
  out_str(crash_prog);
  out_line(": host backtrace:");
  unw_cursor_t cur;
  int rc = exact ? unw_init_local2(&cur, regs, UNW_INIT_SIGNAL_FRAME) : unw_init_local(&cur, regs);
  for (int i = 0; rc >= 0 && i < CRASH_MAX_FRAMES; i++) {
    unw_word_t ip = 0, off = 0;
    unw_get_reg(&cur, UNW_REG_IP, &ip);
    if (!ip)
      return;
    crash_frame_line(i, ip);
    EmuCrashName nm;
    char sym[256] = "";
    bool jit = crash_name(e, exact ? ip : ip - 1, &nm);
    if (jit)
      out_name(&nm);
    else if (unw_get_proc_name(&cur, sym, sizeof sym, &off) == 0 || sym[0]) {
      sym[sizeof sym - 1] = 0;
      out_str(sym);
      out_str("+");
      out_hex(off, 0);
    } else {
      out_str("??");
    }
    out_line("");
    exact = false;
    if (jit) {
      bool scanned = false;
      if (!crash_leave_jit(e, &cur, regs, &scanned)) {
        out_line("  (cannot unwind past generated code)");
        return;
      }
      if (scanned)
        out_line("  (caller found by scanning the stack)");
      continue;
    }
    rc = unw_step(&cur);
    if (rc == 0)
      return;
  }
  if (rc < 0) {
    out_str("  (unwinding stopped: libunwind error ");
    out_dec((uint64_t)-rc);
    out_line(")");
  }
}

/* Registers of these classes, by name; vector and fp state stays out. */
static const uint8_t crash_dump_classes[] = {IR_RC_PC, IR_RC_GPR, IR_RC_SYS, IR_RC_FLAG};

static void crash_guest_state(EmuCpu *cpu) {
  out_str(crash_prog);
  if (!cpu) {
    out_line(": no guest cpu on this thread");
    return;
  }
  const IrRegFile *rf = cpu->rt.engine->cfg.frontend->rf;
  out_str(": guest registers (");
  out_str(rf->name);
  out_line(", as last stored by guest code):");
  for (size_t c = 0; c < sizeof crash_dump_classes; c++) {
    unsigned col = 0;
    for (uint32_t i = 0; i < rf->count; i++) {
      const IrReg *r = &rf->regs[i];
      unsigned bytes = ir_type_info[r->type].bytes;
      if (r->cls != crash_dump_classes[c] || bytes > 8 || !r->name)
        continue;
      uint64_t v = 0;
      memcpy(&v, cpu->guest + r->offset, bytes);
      out_str("  ");
      out_str(r->name);
      for (size_t pad = strlen(r->name); pad < 3; pad++)
        out_str(" ");
      out_str(" ");
      if (r->type == IR_T_i1)
        out_dec(v & 1);
      else
        out_hex(v, (int)bytes * 2);
      if (++col == (r->cls == IR_RC_FLAG ? 8u : 4u)) {
        out_line("");
        col = 0;
      }
    }
    if (col)
      out_line("");
  }
}

static const char *crash_signame(int signo) {
  const char *abbrev = signo ? sigabbrev_np(signo) : NULL;
  return abbrev ? abbrev : "signal";
}

static void crash_headline(int signo, const siginfo_t *si, const ucontext_t *uc, const char *why,
                           EmuCpu *cpu, EmuEngine *e) {
  out_str(crash_prog);
  out_str(": internal error: ");
  uint64_t guest_pc = cpu ? emu_cpu_pc(cpu) : 0;
  if (signo) {
    out_str("SIG");
    out_str(crash_signame(signo));
    if (uc) {
      uintptr_t host_pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
      EmuCrashName nm;
      if (crash_name(e, host_pc, &nm) && nm.known)
        guest_pc = nm.guest_pc;
      out_str(" at host pc ");
      out_hex(host_pc, 0);
    }
    if (si && (signo == SIGSEGV || signo == SIGBUS)) {
      out_str(" (fault address ");
      out_hex((uintptr_t)si->si_addr, 0);
      out_str(")");
    }
  } else {
    out_str(why ? why : "crash");
  }
  if (cpu) {
    out_str(" while running guest code at ");
    out_hex(guest_pc, 0);
  }
  out_line("");
}

static __thread volatile sig_atomic_t crash_depth;
static int crash_owner; /* tid of the thread reporting */

/* One report per process: a second crashing thread waits for the first to end
 * the process; a fault inside the report ends it at once. */
static void crash_enter(void) {
  if (crash_depth++) {
    out.n = 0;
    out_str(crash_prog);
    out_line(": internal error: crashed again while writing the crash report");
    _exit(EMU_CRASH_EXIT);
  }
  int none = 0;
  if (!__atomic_compare_exchange_n(&crash_owner, &none, gettid(), false, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST))
    for (;;)
      pause();
  sigset_t async; /* no guest signal handling interleaved with the report */
  sigfillset(&async);
  sigdelset(&async, SIGSEGV);
  sigdelset(&async, SIGBUS);
  sigdelset(&async, SIGILL);
  sigdelset(&async, SIGFPE);
  pthread_sigmask(SIG_BLOCK, &async, NULL);
}

void emu_crash_report(int signo, const siginfo_t *si, void *ucontext, const char *why) {
  crash_enter();
  EmuCpu *cpu = emu_cpu_current();
  EmuEngine *e = cpu ? cpu->rt.engine : NULL;
  ucontext_t here;
  if (!ucontext)
    unw_getcontext(&here);
  crash_headline(signo, si, ucontext, why, cpu, e);
  crash_backtrace(e, ucontext ? ucontext : &here, ucontext != NULL);
  crash_guest_state(cpu);
  out_str(crash_prog);
  out_str(": exiting with status ");
  out_dec(EMU_CRASH_EXIT);
  out_line(" (emulator failure, not the guest's)");
  _exit(EMU_CRASH_EXIT);
}

/* libunwind is left alone until a crash: setting it up opens a pipe (it probes
 * addresses with write(2)), two descriptors the guest would see and could close. */
void emu_crash_init(const char *prog) { crash_prog = prog; }
