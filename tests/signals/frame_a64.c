/* The AArch64 signal frame as a handler sees it and as rt_sigreturn reads it
 * back (the x86-64 version is frame.c): the registers at handler entry (x0 the
 * signal, x1/x2 siginfo and ucontext, sp 16-aligned, x29 a frame record of the
 * interrupted x29/x30, x30 a sigreturn trampoline), the ucontext's registers,
 * pc, NZCV and its __reserved records (fpsimd: fpcr, fpsr, v regs, then the
 * terminator), changes the handler makes to all of them, the saved and
 * in-handler masks, nested SA_NODEFER handlers and one without SA_SIGINFO. */
#define _GNU_SOURCE
#include <asm/sigcontext.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

typedef struct Out {
  uint64_t nzcv, x19;
  uint8_t v8[16];
  uint64_t fpcr;
} Out;

void trigger(uint64_t fpcr, Out *o);
void entry_stub(int, siginfo_t *, void *);
extern char trig_udf[];
uint64_t entry_regs[8]; /* sp x0 x1 x2 x29 x30 nzcv fpcr */
void (*entry_next)(int, siginfo_t *, void *);
__asm__(".text\n"
        ".globl trigger\ntrigger:\n"
        "  stp x29, x30, [sp, #-64]!\n  mov x29, sp\n  stp x19, x20, [sp, #16]\n"
        "  str q8, [sp, #32]\n  mrs x9, fpcr\n  str x9, [sp, #48]\n"
        "  mov x19, #0x1111\n  movi v8.16b, #0x5a\n  msr fpcr, x0\n"
        "  mov x9, #1\n  cmp x9, #2\n" /* N=1 C=0: NZCV 0x8 */
        ".globl trig_udf\ntrig_udf:\n  udf #0\n"
        "  mrs x9, nzcv\n  str x9, [x1]\n  str x19, [x1, #8]\n  str q8, [x1, #16]\n"
        "  mrs x9, fpcr\n  str x9, [x1, #32]\n"
        "  ldr x9, [sp, #48]\n  msr fpcr, x9\n  ldr q8, [sp, #32]\n"
        "  ldp x19, x20, [sp, #16]\n  ldp x29, x30, [sp], #64\n  ret\n"
        ".globl entry_stub\nentry_stub:\n"
        "  adrp x16, entry_regs\n  add x16, x16, :lo12:entry_regs\n"
        "  mov x17, sp\n  stp x17, x0, [x16]\n  stp x1, x2, [x16, #16]\n"
        "  stp x29, x30, [x16, #32]\n  mrs x17, nzcv\n  mrs x9, fpcr\n  stp x17, x9, [x16, #48]\n"
        "  adrp x16, entry_next\n  ldr x16, [x16, :lo12:entry_next]\n  br x16\n");

static int in_mask(int sig) {
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  return sigismember(&cur, sig);
}

/* The first record of type magic in __reserved, or NULL; *end_ok: the list
 * ends with a zero record inside the area. */
static struct _aarch64_ctx *find_record(mcontext_t *mc, uint32_t magic, int *end_ok) {
  uint8_t *base = (uint8_t *)mc->__reserved, *found = NULL;
  *end_ok = 0;
  for (size_t off = 0; off + 8 <= sizeof mc->__reserved;) {
    struct _aarch64_ctx *h = (struct _aarch64_ctx *)(base + off);
    if (h->magic == 0 && h->size == 0) {
      *end_ok = 1;
      break;
    }
    if (h->size < 8)
      break;
    if (h->magic == magic && !found)
      found = base + off;
    off += h->size;
  }
  return (struct _aarch64_ctx *)found;
}

static void on_ill_edit(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  mcontext_t *mc = &uc->uc_mcontext;
  const uint64_t *rec = (const uint64_t *)entry_regs[4];
  const uint32_t *tramp = (const uint32_t *)entry_regs[5];
  printf("entry: sp%%16=%lu x0=sig:%d x1=info:%d x2=uc:%d record=x29,x30:%d tramp=%d "
         "nzcv=%#lx fpcr=%#lx\n",
         (unsigned long)(entry_regs[0] % 16), entry_regs[1] == (uint64_t)sig,
         entry_regs[2] == (uintptr_t)si, entry_regs[3] == (uintptr_t)uc,
         rec[0] == mc->regs[29] && rec[1] == mc->regs[30],
         tramp[0] == 0xd2801168 && tramp[1] == 0xd4000001, (unsigned long)entry_regs[6] >> 28,
         (unsigned long)entry_regs[7]);
  printf("frame: sig=%d pc_ok=%d x19=%#llx nzcv=%#llx uc_flags=%lu link=%p sp_ok=%d\n", sig,
         mc->pc == (uintptr_t)trig_udf, mc->regs[19], mc->pstate >> 28, uc->uc_flags,
         (void *)uc->uc_link, mc->sp > entry_regs[0]);
  /* No altstack: Linux shows the flags exec left (0), qemu-user SS_DISABLE. */
  int ssf = uc->uc_stack.ss_flags;
  printf("stack: ss_flags=%s ss_size=%zu\n", ssf == 0 || ssf == SS_DISABLE ? "off" : "on",
         uc->uc_stack.ss_size);
  printf("masks: saved has USR2=%d, now ILL=%d USR2=%d\n", sigismember(&uc->uc_sigmask, SIGUSR2),
         in_mask(SIGILL), in_mask(SIGUSR2));
  int end_ok;
  struct fpsimd_context *fp = (struct fpsimd_context *)find_record(mc, FPSIMD_MAGIC, &end_ok);
  if (!fp) {
    printf("fpsimd: missing\n");
    return;
  }
  uint8_t v8[16];
  memcpy(v8, &fp->vregs[8], 16);
  printf("fpsimd: size=%u fpcr=%#x v8=%02x%02x..%02x terminated=%d\n", fp->head.size, fp->fpcr,
         v8[15], v8[14], v8[0], end_ok);
  mc->regs[19] = 0xaaaa;
  mc->pstate = (mc->pstate & ~0xf0000000ull) | 0x60000000ull; /* Z C */
  mc->pc += 4;
  fp->fpcr = 0x800000; /* RMode = round towards plus infinity */
  memset(&fp->vregs[8], 0xc3, 16);
}

static void print_out(const char *what, const Out *o) {
  printf("%s: nzcv=%#lx x19=%#lx fpcr=%#lx v8=", what, (unsigned long)o->nzcv >> 28,
         (unsigned long)o->x19, (unsigned long)o->fpcr);
  for (int i = 15; i >= 0; i--)
    printf("%02x", o->v8[i]);
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

static void on_hup(int sig) { printf("hup (no SA_SIGINFO) sig=%d\n", sig); }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  entry_next = on_ill_edit;
  sa.sa_sigaction = entry_stub;
  sa.sa_flags = SA_SIGINFO;
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaction(SIGILL, &sa, NULL);
  Out o;
  memset(&o, 0, sizeof o);
  trigger(0x400000 /* RMode = round towards minus infinity */, &o);
  print_out("after edit", &o);
  printf("after: USR2 blocked=%d ILL blocked=%d\n", in_mask(SIGUSR2), in_mask(SIGILL));

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
  sa.sa_handler = on_hup;
  sigaction(SIGHUP, &sa, NULL);
  raise(SIGUSR2);
  printf("done: TERM blocked=%d\n", in_mask(SIGTERM));
  return 0;
}
