/* AArch64 faults as a handler sees them (the x86-64 version is faults.c):
 * SIGSEGV for a write to an unmapped and to a read-only page and for a jump to
 * unmapped memory (si_code, si_addr, the sigcontext's pc and fault_address),
 * SIGILL from udf and SIGTRAP from brk (pc at the instruction, skipped by
 * editing pc in the ucontext, x0 edited too), then death by SIGILL while
 * SIGILL is blocked. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

int f_udf(void);
int f_brk(void);
extern char f_udf_insn[], f_brk_insn[];
__asm__(".text\n"
        ".globl f_udf\nf_udf: mov x0, #5\n"
        ".globl f_udf_insn\nf_udf_insn: udf #0\n add x0, x0, #2\n ret\n"
        ".globl f_brk\nf_brk: mov x0, #3\n"
        ".globl f_brk_insn\nf_brk_insn: brk #0x3e8\n add x0, x0, #6\n ret\n");

static sigjmp_buf env;
static int jump_out;
static struct {
  int sig, code;
  uintptr_t addr, pc, fault;
} last;

static void on_fault(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  last.sig = sig;
  last.code = si->si_code;
  last.addr = (uintptr_t)si->si_addr;
  last.pc = uc->uc_mcontext.pc;
  last.fault = uc->uc_mcontext.fault_address;
  if (jump_out)
    siglongjmp(env, 1);
  uc->uc_mcontext.pc += 4;        /* over udf / brk */
  uc->uc_mcontext.regs[0] += 100; /* the function returns x0 */
}

static const char *code_name(int sig, int code) {
  if (sig == SIGSEGV)
    return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "?";
  if (sig == SIGILL) /* Linux says ILL_ILLOPC, qemu-user (the oracle) ILL_ILLOPN */
    return code == ILL_ILLOPC || code == ILL_ILLOPN ? "ILL_ILLOP[CN]" : "?";
  if (sig == SIGTRAP)
    return code == TRAP_BRKPT ? "TRAP_BRKPT" : "?";
  if (sig == SIGBUS)
    return code == BUS_ADRALN ? "BUS_ADRALN" : "?";
  return "?";
}

static void fault_case(const char *what, volatile char *p, int exec) {
  jump_out = 1;
  memset(&last, 0, sizeof last);
  if (!sigsetjmp(env, 1)) {
    long v;
    if (exec == 1)
      ((void (*)(void))(uintptr_t)p)();
    else if (exec == 2) /* exclusives must be aligned: an alignment fault */
      __asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    else
      *p = 1;
    printf("%s: no fault\n", what);
    return;
  }
  printf("%s: %s %s addr_ok=%d pc_ok=%d fault_address_ok=%d\n", what, strsignal(last.sig),
         code_name(last.sig, last.code), last.addr == (uintptr_t)p,
         exec == 1 ? last.pc == (uintptr_t)p : last.pc != 0, last.fault == (uintptr_t)p);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + pg, pg);
  mprotect(m, pg, PROT_READ);
  fault_case("write unmapped", m + pg + 24, 0);
  fault_case("write read-only", m + 40, 0);
  fault_case("jump unmapped", m + pg + 64, 1);
  fault_case("ldxr misaligned", m + 3, 2);

  jump_out = 0;
  int r = f_udf();
  printf("udf: %s %s addr_ok=%d pc_ok=%d -> %d\n", strsignal(last.sig),
         code_name(last.sig, last.code), last.addr == (uintptr_t)f_udf_insn,
         last.pc == (uintptr_t)f_udf_insn, r);
  r = f_brk();
  printf("brk: %s %s addr_ok=%d pc_ok=%d -> %d\n", strsignal(last.sig),
         code_name(last.sig, last.code), last.addr == (uintptr_t)f_brk_insn,
         last.pc == (uintptr_t)f_brk_insn, r);

  /* A synchronous signal that is blocked kills (the kernel forces it). */
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGILL);
  sigprocmask(SIG_BLOCK, &s, NULL);
  printf("udf with SIGILL blocked:\n");
  f_udf();
  printf("not reached\n");
  return 0;
}
