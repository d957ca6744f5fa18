/* Synchronous signals with handlers: SIGSEGV (read, write, fetch; unmapped,
 * PROT_NONE, read-only, non-canonical) left by siglongjmp; SIGFPE from idiv
 * skipped by editing rip and rax in the ucontext; SIGILL from ud2; SIGTRAP from
 * int3 (rip after it); hlt (#GP). Prints siginfo and the sigcontext's trap
 * fields, with addresses relative to the mapping or function they belong to. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

int f_load(const void *p);
void f_store(void *p);
int f_div(int a, int b);
int f_ud2(void);
int f_int3(void);
void f_hlt(void);
extern char f_div_insn[], f_ud2_insn[], f_int3_after[];
__asm__(".text\n"
        ".globl f_load\nf_load: mov (%rdi), %eax\n ret\n"
        ".globl f_store\nf_store: movl $1, (%rdi)\n ret\n"
        ".globl f_div\nf_div: mov %edi, %eax\n cltd\n"
        ".globl f_div_insn\nf_div_insn: idivl %esi\n ret\n"
        ".globl f_ud2\nf_ud2: mov $5, %eax\n"
        ".globl f_ud2_insn\nf_ud2_insn: ud2\n add $2, %eax\n ret\n"
        ".globl f_int3\nf_int3: mov $3, %eax\n int3\n"
        ".globl f_int3_after\nf_int3_after: add $6, %eax\n ret\n"
        ".globl f_hlt\nf_hlt: hlt\n ret\n"
        ".globl f_int3b\nf_int3b: mov $3, %eax\n int $3\n"
        ".globl f_int3b_after\nf_int3b_after: add $6, %eax\n ret\n"
        ".globl f_int41\nf_int41: int $0x41\n ret\n"
        /* x87 #MF: unmask divide-by-zero, divide, and the fwait takes it */
        ".globl f_mf\nf_mf: sub $8, %rsp\n fnstcw (%rsp)\n andw $~4, (%rsp)\n fldcw (%rsp)\n"
        " fld1\n fldz\n fdivrp\n"
        ".globl f_mf_wait\nf_mf_wait: fwait\n fninit\n add $8, %rsp\n ret\n");
int f_int3b(void);
void f_int41(void);
void f_mf(void);
extern char f_int3b_after[], f_mf_wait[];

static sigjmp_buf env;
static struct {
  int sig, code;
  uintptr_t addr, rip;
  long err, trapno, cr2;
} last;

static void record(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  last.sig = sig;
  last.code = si->si_code;
  last.addr = (uintptr_t)si->si_addr;
  last.rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  last.err = uc->uc_mcontext.gregs[REG_ERR];
  last.trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
  last.cr2 = uc->uc_mcontext.gregs[REG_CR2];
}

static void on_segv(int sig, siginfo_t *si, void *uc) {
  record(sig, si, uc);
  siglongjmp(env, 1);
}

static void on_fpe(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  record(sig, si, ucv);
  uc->uc_mcontext.gregs[REG_RIP] += 2; /* idivl %esi is 2 bytes */
  uc->uc_mcontext.gregs[REG_RAX] = -77;
}

static void on_ill(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  record(sig, si, ucv);
  uc->uc_mcontext.gregs[REG_RIP] += 2; /* over ud2 */
}

static void on_trap(int sig, siginfo_t *si, void *ucv) { record(sig, si, ucv); }

static unsigned short mf_swd;
static void on_fpe_x87(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  record(sig, si, ucv);
  mf_swd = uc->uc_mcontext.fpregs->swd;
  uc->uc_mcontext.fpregs->swd &= ~0x80ff; /* clear ES and the flags: fwait passes */
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO;
  sigaction(sig, &sa, NULL);
}

static const char *code_name(int sig, int code) {
  if (code == SI_KERNEL) return "SI_KERNEL";
  if (sig == SIGSEGV) return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "?";
  if (sig == SIGFPE) return code == FPE_INTDIV ? "FPE_INTDIV" : code == FPE_FLTDIV ? "FPE_FLTDIV" : "?";
  if (sig == SIGILL) return code == ILL_ILLOPN ? "ILL_ILLOPN" : "?";
  return "?";
}

/* One faulting access; addresses printed relative to base. */
static void segv_case(const char *what, int kind, char *p, char *base) {
  last.sig = 0;
  if (sigsetjmp(env, 1) == 0) {
    if (kind == 0) f_load(p);
    else if (kind == 1) f_store(p);
    else ((void (*)(void))p)();
    printf("%s: no fault\n", what);
    return;
  }
  uintptr_t expect_rip = kind == 0 ? (uintptr_t)f_load : kind == 1 ? (uintptr_t)f_store : (uintptr_t)p;
  printf("%s: %s %s addr=base+%#lx rip_ok=%d trapno=%ld err=%#lx cr2_ok=%d\n", what,
         strsignal(last.sig), code_name(last.sig, last.code), (unsigned long)(last.addr - (uintptr_t)base),
         last.rip == expect_rip, last.trapno, last.err, (uintptr_t)last.cr2 == last.addr);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  install(SIGSEGV, on_segv);
  install(SIGFPE, on_fpe);
  install(SIGILL, on_ill);
  install(SIGTRAP, on_trap);

  long pg = sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 0xc3, 4 * pg); /* ret everywhere, and every page touched */
  mprotect(m + pg, pg, PROT_NONE);
  mprotect(m + 2 * pg, pg, PROT_READ);
  munmap(m + 3 * pg, pg);
  for (int round = 0; round < 3; round++) { /* the handler runs again and again */
    segv_case("read PROT_NONE", 0, m + pg + 8 * round, m);
    segv_case("write PROT_NONE", 1, m + pg + 100 + round, m);
    segv_case("write read-only", 1, m + 2 * pg + 64 * round, m);
    segv_case("read unmapped", 0, m + 3 * pg + 4 * round, m);
    segv_case("write unmapped", 1, m + 3 * pg + 12 + round, m);
  }
  segv_case("read ok", 0, m + 16, m);
  segv_case("call read-only page", 2, m + 2 * pg, m);
  segv_case("call unmapped page", 2, m + 3 * pg + 32, m);
  segv_case("read non-canonical", 0, (char *)0x8000000000001000ull, (char *)0);
  segv_case("read null", 0, (char *)0, (char *)0);

  last.sig = 0;
  if (sigsetjmp(env, 1) == 0) {
    f_hlt();
    printf("hlt: no fault\n");
  } else {
    printf("hlt: %s %s addr=%#lx rip_ok=%d trapno=%ld err=%ld\n", strsignal(last.sig),
           code_name(last.sig, last.code), (unsigned long)last.addr, last.rip == (uintptr_t)f_hlt,
           last.trapno, last.err);
  }

  for (int round = 0; round < 2; round++) {
    int r = f_div(100 + round, 0);
    printf("idiv by zero: %s %s addr_ok=%d rip_ok=%d trapno=%ld -> %d\n", strsignal(last.sig),
           code_name(last.sig, last.code), last.addr == (uintptr_t)f_div_insn,
           last.rip == (uintptr_t)f_div_insn, last.trapno, r);
  }
  last.sig = 0;
  printf("idiv ok: %d (handler ran: %d)\n", f_div(100, 7), last.sig != 0);
  int r = f_div(-2147483647 - 1, -1); /* quotient overflow: #DE too */
  printf("idiv overflow: %s %s -> %d\n", strsignal(last.sig), code_name(last.sig, last.code), r);

  r = f_ud2();
  printf("ud2: %s %s addr_ok=%d rip_ok=%d trapno=%ld -> %d\n", strsignal(last.sig),
         code_name(last.sig, last.code), last.addr == (uintptr_t)f_ud2_insn,
         last.rip == (uintptr_t)f_ud2_insn, last.trapno, r);
  r = f_int3();
  printf("int3: %s %s addr=%#lx rip_after=%d trapno=%ld -> %d\n", strsignal(last.sig),
         code_name(last.sig, last.code), (unsigned long)last.addr,
         last.rip == (uintptr_t)f_int3_after, last.trapno, r);
  r = f_int3b();
  printf("int $3: %s %s rip_after=%d trapno=%ld -> %d\n", strsignal(last.sig),
         code_name(last.sig, last.code), last.rip == (uintptr_t)f_int3b_after, last.trapno, r);
  last.sig = 0;
  if (sigsetjmp(env, 1) == 0) {
    f_int41();
    printf("int $0x41: no fault\n");
  } else {
    printf("int $0x41: %s %s rip_ok=%d trapno=%ld err=%#lx\n", strsignal(last.sig),
           code_name(last.sig, last.code), last.rip == (uintptr_t)f_int41, last.trapno, last.err);
  }

  install(SIGFPE, on_fpe_x87);
  f_mf();
  printf("x87 #MF: %s %s addr_ok=%d rip_ok=%d trapno=%ld swd=%#x\n", strsignal(last.sig),
         code_name(last.sig, last.code), last.addr == (uintptr_t)f_mf_wait,
         last.rip == (uintptr_t)f_mf_wait, last.trapno, mf_swd);
  return 0;
}
