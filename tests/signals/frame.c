/* The x86-64 signal frame as a handler sees it and as rt_sigreturn reads it
 * back: the registers at handler entry (rsp % 16 == 8, rax 0, DF clear, fresh
 * FPU and SSE state), the ucontext's general registers, flags and FXSAVE image
 * (x87 stack, MXCSR, xmm), changes the handler makes to all of them, a NULL
 * fpstate (reset FPU), the saved and in-handler masks, nested and SA_NODEFER
 * handlers, and a handler without SA_SIGINFO. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

typedef struct Out {
  uint64_t rbx, r12;
  uint8_t xmm1[16];
  uint8_t st0[16];
  uint32_t mxcsr, pad;
  uint64_t flags;
} Out;

void trigger(const uint32_t *mxcsr, Out *o);
void entry_stub(int, siginfo_t *, void *);
extern char trig_ud2[];
uint64_t entry_rsp, entry_rax, entry_flags, entry_xmm0[2];
uint32_t entry_mxcsr;
uint16_t entry_fcw, entry_fsw;
void (*entry_next)(int, siginfo_t *, void *);
__asm__(".text\n"
        ".globl trigger\ntrigger:\n"
        "  push %rbx\n  push %r12\n  sub $8, %rsp\n  stmxcsr (%rsp)\n"
        "  mov $0x1111, %rbx\n  mov $0x2222, %r12\n"
        "  pcmpeqb %xmm1, %xmm1\n  pcmpeqb %xmm0, %xmm0\n  fld1\n"
        "  ldmxcsr (%rdi)\n  std\n"
        ".globl trig_ud2\ntrig_ud2:\n  ud2\n"
        "  pushfq\n  popq 56(%rsi)\n  cld\n"
        "  mov %rbx, 0(%rsi)\n  mov %r12, 8(%rsi)\n  movdqu %xmm1, 16(%rsi)\n"
        "  fstpt 32(%rsi)\n  stmxcsr 48(%rsi)\n"
        "  ldmxcsr (%rsp)\n  add $8, %rsp\n  pop %r12\n  pop %rbx\n  ret\n"
        ".globl entry_stub\nentry_stub:\n"
        "  mov %rsp, entry_rsp(%rip)\n  mov %rax, entry_rax(%rip)\n"
        "  pushfq\n  popq entry_flags(%rip)\n"
        "  movdqu %xmm0, entry_xmm0(%rip)\n  stmxcsr entry_mxcsr(%rip)\n"
        "  fnstcw entry_fcw(%rip)\n  fnstsw entry_fsw(%rip)\n"
        "  jmp *entry_next(%rip)\n");

static int in_mask(int sig) {
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  return sigismember(&cur, sig);
}

static void check_entry(void) {
  printf("entry: rsp%%16=%lu rax=%lu DF=%lu xmm0=%lx:%lx mxcsr=%#x fcw=%#x fsw=%#x\n",
         (unsigned long)(entry_rsp % 16), (unsigned long)entry_rax,
         (unsigned long)(entry_flags >> 10 & 1), (unsigned long)entry_xmm0[0],
         (unsigned long)entry_xmm0[1], entry_mxcsr, entry_fcw, entry_fsw);
}

static void on_ill_edit(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  greg_t *g = uc->uc_mcontext.gregs;
  fpregset_t fp = uc->uc_mcontext.fpregs;
  check_entry();
  printf("frame: sig=%d code=%d rip_ok=%d rbx=%#llx r12=%#llx DF=%lld uc_flags&6=%lu link=%p\n",
         sig, si->si_code, g[REG_RIP] == (greg_t)(uintptr_t)trig_ud2, g[REG_RBX], g[REG_R12],
         g[REG_EFL] >> 10 & 1, uc->uc_flags & 6, (void *)uc->uc_link);
  printf("stack: ss_flags=%d ss_size=%zu\n", uc->uc_stack.ss_flags, uc->uc_stack.ss_size);
  printf("masks: saved has USR2=%d, now ILL=%d USR2=%d\n", sigismember(&uc->uc_sigmask, SIGUSR2),
         in_mask(SIGILL), in_mask(SIGUSR2));
  printf("fpstate: aligned=%d cwd=%#x top=%d ftw=%#x mxcsr=%#x st0=%04x:%04x%04x%04x%04x\n",
         ((uintptr_t)fp & 63) == 0, fp->cwd, fp->swd >> 11 & 7, fp->ftw, fp->mxcsr,
         fp->_st[0].exponent, fp->_st[0].significand[3], fp->_st[0].significand[2],
         fp->_st[0].significand[1], fp->_st[0].significand[0]);
  uint32_t *x1 = fp->_xmm[1].element;
  printf("fpstate: xmm1=%08x%08x%08x%08x\n", x1[3], x1[2], x1[1], x1[0]);
  g[REG_RBX] = 0xaaaa;
  g[REG_R12] = 0xbbbb;
  g[REG_EFL] |= 1; /* CF */
  g[REG_RIP] += 2;
  fp->mxcsr = 0x5f80;
  x1[0] = 0x89abcdef, x1[1] = 0x01234567, x1[2] = 0xfedcba98, x1[3] = 0x76543210;
  fp->_st[0].exponent = 0x4000; /* 1.0 -> 2.0 */
}

static void on_ill_nofp(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  uc->uc_mcontext.gregs[REG_RIP] += 2;
  uc->uc_mcontext.fpregs = NULL; /* sigreturn resets the FPU */
}

static void print_out(const char *what, const Out *o) {
  printf("%s: rbx=%#lx r12=%#lx CF=%lu DF=%lu mxcsr=%#x xmm1=", what, (unsigned long)o->rbx,
         (unsigned long)o->r12, (unsigned long)(o->flags & 1), (unsigned long)(o->flags >> 10 & 1),
         o->mxcsr);
  for (int i = 15; i >= 0; i--)
    printf("%02x", o->xmm1[i]);
  printf(" st0=");
  for (int i = 9; i >= 0; i--)
    printf("%02x", o->st0[i]);
  printf("\n");
}

static int depth;
static void on_usr1(int sig) {
  int d = ++depth;
  printf("usr1 enter depth %d, USR1 blocked=%d\n", d, in_mask(SIGUSR1));
  if (d < 3)
    raise(SIGUSR1); /* SA_NODEFER: nests */
  printf("usr1 leave depth %d\n", d);
}

static void on_usr2(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  printf("usr2: code=%d, saved mask has USR2=%d, TERM blocked now=%d\n", si->si_code,
         sigismember(&uc->uc_sigmask, SIGUSR2), in_mask(SIGTERM));
  raise(SIGHUP); /* not blocked: a nested frame runs before raise returns */
  printf("usr2: after raise(SIGHUP)\n");
}

static void on_hup(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  printf("hup (no SA_SIGINFO) sig=%d, saved mask has USR2=%d\n", sig, sigismember(&uc->uc_sigmask, SIGUSR2));
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  entry_next = on_ill_edit;
  sa.sa_sigaction = entry_stub;
  sa.sa_flags = SA_SIGINFO;
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaction(SIGILL, &sa, NULL);
  uint32_t mxcsr = 0x3f80; /* round down */
  Out o;
  memset(&o, 0, sizeof o);
  trigger(&mxcsr, &o);
  print_out("after edit", &o);
  printf("after: USR2 blocked=%d ILL blocked=%d\n", in_mask(SIGUSR2), in_mask(SIGILL));

  sa.sa_sigaction = on_ill_nofp;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGILL, &sa, NULL);
  memset(&o, 0, sizeof o);
  trigger(&mxcsr, &o);
  print_out("after NULL fpstate", &o);

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("depth %d\n", depth);

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr2;
  sa.sa_flags = SA_SIGINFO;
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGUSR2, &sa, NULL);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void (*)(int))on_hup; /* reads the ucontext anyway, like some programs do */
  sigaction(SIGHUP, &sa, NULL);
  raise(SIGUSR2);
  printf("done: TERM blocked=%d\n", in_mask(SIGTERM));
  return 0;
}
