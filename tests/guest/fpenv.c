/* fpenv: the SSE exception flags (MXCSR) a C program sees through <fenv.h> —
 * each operation's flags from a clear state (arithmetic, sqrt, conversions,
 * quiet and signalling compares, min/max, rounding, in every rounding mode),
 * flags surviving calls, loops and a signal handler (whose frame carries the
 * interrupted MXCSR), FTZ/DAZ set through MXCSR, a thread inheriting MXCSR,
 * and feholdexcept/feupdateenv. Compared with the host CPU (compare.sh). */
#include <fenv.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <xmmintrin.h>

#define ALL (FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INEXACT)

static volatile double zero = 0.0, one = 1.0, three = 3.0, big = 1e308, tiny = 1e-308;
static volatile double minnorm = 0x1p-1022, small = 0x1.8p-1000;
static volatile double qnan, snan_d, den = 4.9e-324, mden = -4.9e-324, m1 = -1.0, half = 0.5;
static volatile float fone = 1.0f, fthree = 3.0f, fbig = 3e38f, ftiny = 1e-38f;
static volatile double sink;
static volatile float fsink;
static volatile long lsink;
static volatile int isink;

/* The flags set since the last clear, and the denormal flag MXCSR has besides. */
static void show(const char *what) {
  int f = fetestexcept(ALL);
  printf("%-28s %s%s%s%s%s%s\n", what, f & FE_INVALID ? " invalid" : "",
         f & FE_DIVBYZERO ? " divzero" : "", f & FE_OVERFLOW ? " overflow" : "",
         f & FE_UNDERFLOW ? " underflow" : "", f & FE_INEXACT ? " inexact" : "",
         _mm_getcsr() & 2 ? " denormal" : "");
  feclearexcept(ALL);
  _mm_setcsr(_mm_getcsr() & ~2u);
}

#define OP(name, expr) \
  do {                 \
    expr;              \
    show(name);        \
  } while (0)

static void arithmetic(void) {
  OP("1/3", sink = one / three);
  OP("1/0", sink = one / zero);
  OP("0/0", sink = zero / zero);
  OP("big*big", sink = big * big);
  OP("tiny*tiny", sink = tiny * tiny);
  OP("tiny*0.5 (exact denormal)", sink = tiny * half);
  OP("den+0", sink = den + zero);
  OP("1+1", sink = one + one);
  OP("qnan+1", sink = qnan + one);
  OP("snan+1", sink = snan_d + one);
  OP("sqrt(-1)", sink = sqrt(m1));
  OP("sqrt(-den)", sink = sqrt(mden));
  OP("sqrt(3)", sink = sqrt(three));
  OP("fma(big,big,-inf)", sink = fma(big, big, -INFINITY));
  OP("float 1/3", fsink = fone / fthree);
  OP("float big*10", fsink = fbig * 10.0f);
  OP("float tiny/1e10", fsink = ftiny / 1e10f);
  OP("double->float 1e300", fsink = (float)big);
  OP("double->float 1/3", fsink = (float)(one / three));
  OP("float->double snan", sink = (double)*(volatile float *)&(float){__builtin_nansf("")});
}

static void conversions(void) {
  OP("(int)2.5", isink = (int)(one * 2.5));
  OP("(int)1e10", isink = (int)(three * 1e10));
  OP("(int)nan", isink = (int)qnan);
  OP("(long)-0.75", lsink = (long)(m1 * 0.75));
  OP("lrint(2.5)", lsink = lrint(one * 2.5));
  OP("(double)(long)2^60+1", sink = (double)(long)((1L << 60) + 1 + (long)zero));
  OP("(float)(int)16777217", fsink = (float)(int)(16777217 + (int)zero));
  OP("(unsigned)-1.0", isink = (int)(unsigned)(m1 + 0.5));
}

static void compares(void) {
  OP("qnan < 1 (signalling)", isink = qnan < one);
  OP("isless(qnan, 1) (quiet)", isink = isless(qnan, one));
  OP("qnan == 1 (quiet)", isink = qnan == one);
  OP("snan == 1", isink = snan_d == one);
  OP("den < 1", isink = den < one);
  OP("fmin-like qnan", sink = qnan < one ? qnan : one);
  OP("fmax-like den", sink = den > zero ? den : zero);
  OP("isnan(qnan)", isink = isnan(qnan));
}

static void rounding(void) {
  static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  static const char *names[] = {"nearest", "down", "up", "zero"};
  for (int i = 0; i < 4; i++) {
    fesetround(modes[i]);
    feclearexcept(ALL);
    sink = one / three;
    double a = sink;
    sink = rint(one * 2.5);
    double b = sink;
    sink = nearbyint(one * 2.5);
    lsink = lrint(m1 * 2.5);
    printf("%-8s 1/3 %a rint %a lrint %ld", names[i], a, b, lsink);
    show("");
  }
  fesetround(FE_TONEAREST);
}

/* Flags raised before a call survive it and a loop; a clear in a callee shows. */
static __attribute__((noinline)) double callee(double x) { return x / three; }
static void across(void) {
  sink = one / zero;
  for (int i = 0; i < 1000; i++)
    sink = callee(sink + i);
  show("divzero then 1000 calls");
  sink = one / three;
  feclearexcept(FE_INEXACT);
  sink = big * 10.0;
  show("cleared inexact, overflow");
  fenv_t env;
  sink = one / zero;
  feholdexcept(&env); /* saves divzero, clears */
  sink = one / three;
  feupdateenv(&env); /* divzero back, inexact raised on top */
  show("feholdexcept/feupdateenv");
  feraiseexcept(FE_UNDERFLOW);
  show("feraiseexcept underflow");
}

static void flush(void) {
  unsigned saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8000); /* FTZ */
  OP("ftz: small*small", sink = small * small);
  OP("ftz: minnorm*0.5 (exact)", sink = minnorm * half);
  printf("ftz: minnorm*0.5 = %a\n", sink);
  OP("ftz: den+0", sink = den + zero);
  _mm_setcsr(saved | 0x8040); /* FTZ | DAZ */
  OP("ftz+daz: tiny*tiny", sink = tiny * tiny);
  OP("ftz+daz: minnorm*0.5", sink = minnorm * half);
  OP("daz: den+0", sink = den + zero);
  printf("daz: den+0 = %a, den>0 %d\n", sink, den > zero);
  show("daz: compare");
  _mm_setcsr(saved);
  OP("after: den+0", sink = den + zero);
  printf("after: den+0 = %a\n", sink);
}

static volatile unsigned handler_mxcsr;
static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  (void)sig, (void)si;
  ucontext_t *uc = ucv;
  handler_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
  printf("in handler: flags %#x (a handler starts clean)\n", _mm_getcsr() & 0x3f);
  sink = one / three; /* the handler's flags do not reach the interrupted code */
  uc->uc_mcontext.fpregs->mxcsr |= 0x10; /* but an edited frame does: underflow */
}
static void signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  sink = one / zero;
  raise(SIGUSR1);
  printf("frame mxcsr flags %#x\n", handler_mxcsr & 0x3f);
  show("after the handler");
}

static void *thread_main(void *arg) {
  (void)arg;
  printf("thread starts with flags %#x, ftz %d\n", _mm_getcsr() & 0x3f, !!(_mm_getcsr() & 0x8000));
  sink = one / zero;
  return NULL;
}
static void threads(void) {
  unsigned saved = _mm_getcsr();
  sink = big * big; /* overflow, inexact */
  _mm_setcsr(_mm_getcsr() | 0x8000);
  pthread_t t;
  pthread_create(&t, NULL, thread_main, NULL);
  pthread_join(t, NULL);
  show("parent after the thread");
  _mm_setcsr(saved & ~0x3fu);
}

int main(void) {
  uint64_t q = 0x7ff8000000000000ull, s = 0x7ff4000000000000ull;
  memcpy((void *)&qnan, &q, 8);
  memcpy((void *)&snan_d, &s, 8);
  feclearexcept(ALL);
  arithmetic();
  conversions();
  compares();
  rounding();
  across();
  flush();
  signals();
  threads();
  return 0;
}
