/* fp_env.c — FPSR's cumulative exception flags and FPCR's FZ, DN and AHP on emu
 * against qemu-aarch64, through <fenv.h> (feclearexcept/fetestexcept/fesetenv)
 * and msr/mrs: each operation's flags from a clear state (scalar and vector
 * arithmetic, conversions, quiet and signalling compares, min/max, rounding,
 * estimates, half precision), FZ's flushing, DN's default NaN, AHP's half
 * format, flags across a signal handler (the fpsimd record of its frame) and
 * into a new thread. Values print as bit patterns. Left out on purpose (emu
 * models them the host's way, docs/design.md): IDC, and IXC of a result FZ
 * flushes. */
#include <arm_neon.h>
#include <fenv.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define ALL (FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INEXACT)
#define FZ (1u << 24)
#define DN (1u << 25)
#define AHP (1u << 26)

static uint64_t get_fpcr(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  return v;
}
static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" ::"r"(v)); }
static uint64_t get_fpsr(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, fpsr" : "=r"(v));
  return v;
}
static void set_fpsr(uint64_t v) { __asm__ volatile("msr fpsr, %0" ::"r"(v)); }

static volatile double zero = 0.0, one = 1.0, three = 3.0, big = 1e308, tiny = 1e-308;
static volatile double minnorm = 0x1p-1022, half = 0.5, m1 = -1.0, den = 4.9e-324;
static volatile double qnan, snan_d;
static volatile float fone = 1.0f, fthree = 3.0f, fbig = 3e38f, fden = 1e-40f, fmin_n = 0x1p-126f;
static volatile double sink;
static volatile float fsink;
static volatile int64_t isink;
static volatile uint32_t usink;

static uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static uint32_t fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* The flags raised since the last clear (mask: which to show), then clear. */
static void show_mask(const char *what, int mask) {
  int f = fetestexcept(ALL) & mask;
  printf("%-30s%s%s%s%s%s\n", what, f & FE_INVALID ? " invalid" : "", f & FE_DIVBYZERO ? " divzero" : "",
         f & FE_OVERFLOW ? " overflow" : "", f & FE_UNDERFLOW ? " underflow" : "",
         f & FE_INEXACT ? " inexact" : "");
  feclearexcept(ALL);
}
static void show(const char *what) { show_mask(what, ALL); }

#define OP(name, expr) \
  do {                 \
    expr;              \
    show(name);        \
  } while (0)

static void scalar(void) {
  OP("1/3", sink = one / three);
  OP("1/0", sink = one / zero);
  OP("0/0", sink = zero / zero);
  OP("big*big", sink = big * big);
  OP("tiny*tiny", sink = tiny * tiny);
  OP("minnorm*0.5 (exact)", sink = minnorm * half);
  OP("minnorm*(1-2^-53) (rounds up)", sink = minnorm * (1.0 - 0x1p-53 * one));
  printf("  = %016" PRIx64 "\n", dbits(sink));
  OP("snan+1", sink = snan_d + one);
  OP("qnan+1", sink = qnan + one);
  OP("sqrt(-1)", sink = sqrt(m1));
  OP("fma(big,big,-inf)", sink = fma(big, big, -INFINITY));
  OP("fma(inf,0,qnan)", sink = fma(INFINITY * one, zero, qnan));
  OP("float big*10", fsink = fbig * 10.0f);
  OP("float den*1", fsink = fden * fone);
  OP("(float)1e300", fsink = (float)big);
  OP("(float)(1/3)", fsink = (float)(one / three));
}

static void conversions(void) {
  OP("(int)2.5", isink = (int)(one * 2.5));
  OP("(int)1e10", isink = (int)(three * 1e10));
  OP("(int)nan", isink = (int)qnan);
  OP("(unsigned)-0.5", usink = (unsigned)(m1 * 0.5));
  OP("(unsigned)-1.5", usink = (unsigned)(m1 * 1.5));
  OP("(unsigned)5e9", usink = (unsigned)(three * 5e9));
  OP("(uint64_t)-2.0", isink = (int64_t)(uint64_t)(m1 * 2.0));
  OP("lround(-2.5)", isink = lround(m1 * 2.5));
  OP("lround(1e300)", isink = lround(big));
  OP("rint(2.5)", sink = rint(one * 2.5));
  OP("nearbyint(2.5)", sink = nearbyint(one * 2.5));
  OP("round(inf)", sink = round(INFINITY * one));
  OP("(double)(2^60+1)", sink = (double)(int64_t)((1LL << 60) + 1 + (int64_t)zero));
  OP("(float)16777217", fsink = (float)(int)(16777217 + (int)zero));
}

static void compares(void) {
  OP("qnan < 1", isink = qnan < one);
  OP("isless(qnan, 1)", isink = isless(qnan, one));
  OP("qnan == 1", isink = qnan == one);
  OP("snan == 1", isink = snan_d == one);
  OP("fmin(qnan, 1)", sink = fmin(qnan, one));
  OP("fmin(snan, 1)", sink = fmin(snan_d, one));
  OP("fmax(den, 0)", sink = fmax(den, zero));
}

/* Vectors from volatile memory: the compiler folds constant operands. */
static float32x4_t vf(float a, float b, float c, float d) {
  volatile float v[4] = {a, b, c, d};
  return vld1q_f32((const float *)v);
}
static float64x2_t vd(double a, double b) {
  volatile double v[2] = {a, b};
  return vld1q_f64((const double *)v);
}

static void vectors(void) {
  float32x4_t a = vf(1.0f, 3e38f, 0.0f, 1e-30f), b = vf(3.0f, 10.0f, 0.0f, 1e-30f);
  volatile float32x4_t r;
  volatile float32x2_t r2;
  volatile uint32x4_t m;
  OP("vdivq 1/3 big/10 0/0 tiny/tiny", r = vdivq_f32(a, b));
  OP("vdiv (2 lanes) 1/3 big/10", r2 = vdiv_f32(vget_low_f32(a), vget_low_f32(b)));
  OP("vmulq 1*3 big*10 0*0 tiny*tiny", r = vmulq_f32(a, b));
  float32x4_t n = vf(__builtin_nanf(""), 1.0f, 2.0f, 3.0f);
  OP("vceqq qnan (quiet)", m = vceqq_f32(n, a));
  OP("vcgtq qnan (signalling)", m = vcgtq_f32(n, a));
  OP("vclezq qnan (signalling)", m = vclezq_f32(n));
  OP("vmaxnmq qnan", r = vmaxnmq_f32(n, a));
  OP("vmaxq qnan", r = vmaxq_f32(n, a));
  float32x4_t c = vf(-1.5f, 5e9f, 0.5f, 2.0f);
  OP("vcvtq_u32 -1.5 5e9 .5 2", m = vcvtq_u32_f32(c));
  printf("  = %08x %08x %08x %08x\n", m[0], m[1], m[2], m[3]);
  OP("vcvtaq_s32 -1.5 5e9 .5 2", m = vreinterpretq_u32_s32(vcvtaq_s32_f32(c)));
  OP("vcvtq_n_s32 (#8) -1.5 5e9 .5 2", m = vreinterpretq_u32_s32(vcvtq_n_s32_f32(c, 8)));
  float32x4_t z = vf(0.0f, -0.0f, 4.0f, -4.0f);
  OP("vrecpeq 0 -0 4 -4", r = vrecpeq_f32(z));
  OP("vrsqrteq 0 -0 4 -4", r = vrsqrteq_f32(z));
  float32x4_t inf = vf(INFINITY, 1.0f, 1.0f, 1.0f), zr = vf(0.0f, 1.0f, 1.0f, 1.0f);
  OP("vmulxq inf*0", r = vmulxq_f32(inf, zr));
  printf("  = %08x\n", fbits(r[0]));
  OP("vrecpsq inf*0", r = vrecpsq_f32(inf, zr));
  OP("vrsqrtsq inf*0", r = vrsqrtsq_f32(inf, zr));
  OP("vrsqrtsq 8*4.7e37 (3-ab overflows)", r = vrsqrtsq_f32(vf(8.0f, 1, 1, 1), vf(4.7e37f, 1, 1, 1)));
  printf("  = %08x\n", fbits(r[0]));
  float64x2_t d = vd(1e300, 3.0), e = vd(1e10, 1.0);
  OP("vcvt_f32_f64 1e300 3", r2 = vcvt_f32_f64(d));
  OP("vcvtx_f32_f64 1e300 3", r2 = vcvtx_f32_f64(d));
  volatile float64x2_t s;
  OP("vfmaq 1e300*1e10+3", s = vfmaq_f64(d, d, e));
  OP("vsqrtq -1 4", s = vsqrtq_f64(vd(-1.0, 4.0)));
  OP("vrndxq 2.5 3 (inexact)", s = vrndxq_f64(vd(2.5, 3.0)));
  OP("vrndaq 2.5 1e300 (exact)", s = vrndaq_f64(vd(2.5, 1e300)));
}

static void halfp(void) {
  volatile float f[] = {1.0f / 3.0f, 70000.0f, 1e-8f, __builtin_nansf(""), INFINITY, 65504.0f};
  for (int i = 0; i < 6; i++) {
    __fp16 h = (__fp16)f[i];
    uint16_t hb;
    memcpy(&hb, &h, 2);
    printf("half %-10a -> %04x", f[i], hb);
    show("");
  }
  volatile uint16_t hs[] = {0x7c01, 0x3555, 0x7bff, 0x0001};
  for (int i = 0; i < 4; i++) {
    __fp16 h;
    memcpy(&h, (const void *)&hs[i], 2);
    float g = h;
    printf("half %04x -> %08x", hs[i], fbits(g));
    show("");
  }
}

/* FZ, DN, AHP through msr fpcr (and fesetenv). */
static void controls(void) {
  uint64_t fpcr = get_fpcr();
  set_fpcr(fpcr | FZ);
  OP("fz: den+0", sink = den + zero);
  printf("  = %016" PRIx64 "\n", dbits(sink));
  sink = minnorm * half;
  show_mask("fz: minnorm*0.5 (flushed)", ~FE_INEXACT);
  printf("  = %016" PRIx64 "\n", dbits(sink));
  fsink = fmin_n * 0.75f;
  show_mask("fz: float flushed", ~FE_INEXACT);
  printf("  = %08x\n", fbits(fsink));
  sink = minnorm * (1.0 - 0x1p-53 * one); /* tiny before rounding: flushed */
  show_mask("fz: rounds up to minnorm", ~FE_INEXACT);
  printf("  = %016" PRIx64 "\n", dbits(sink));
  OP("fz: fmin(den, 1)", sink = fmin(den, one));
  printf("  = %016" PRIx64 "\n", dbits(sink));
  OP("fz: 1/den", sink = one / den);
  set_fpcr(fpcr | DN);
  OP("dn: qnan+1", sink = qnan + one);
  printf("  = %016" PRIx64 "\n", dbits(sink));
  OP("dn: snan*1", sink = snan_d * one);
  printf("  = %016" PRIx64 "\n", dbits(sink));
  OP("dn: (float)qnan", fsink = (float)qnan);
  printf("  = %08x\n", fbits(fsink));
  OP("dn: rint(nan)", sink = rint(-qnan));
  printf("  = %016" PRIx64 "\n", dbits(sink));
  set_fpcr(fpcr | AHP);
  volatile float f[] = {70000.0f, INFINITY, __builtin_nanf(""), 200000.0f};
  for (int i = 0; i < 4; i++) {
    __fp16 h = (__fp16)f[i];
    uint16_t hb;
    memcpy(&hb, &h, 2);
    printf("ahp %-10a -> %04x", f[i], hb);
    show("");
  }
  volatile uint16_t hb = 0x7fff;
  __fp16 h;
  memcpy(&h, (const void *)&hb, 2);
  OP("ahp 7fff -> float", fsink = h);
  printf("  = %08x\n", fbits(fsink));
  set_fpcr(fpcr);
  /* fesetenv restores FPCR and FPSR together */
  fenv_t env;
  fegetenv(&env);
  set_fpcr(fpcr | FZ | DN);
  sink = one / zero;
  fesetenv(&env);
  printf("fesetenv: fpcr %#" PRIx64 " flags %#x\n", get_fpcr(), fetestexcept(ALL));
  set_fpsr(0x1f);
  printf("msr fpsr 0x1f: flags %#x\n", fetestexcept(ALL));
  set_fpsr(0);
  printf("fpsr after clear %#" PRIx64 "\n", get_fpsr());
}

static volatile uint32_t frame_fpsr, handler_fpsr;
static void on_usr1(int sig, siginfo_t *si, void *ucv) {
  (void)sig, (void)si;
  ucontext_t *uc = ucv;
  struct fpsimd_context *fp = (struct fpsimd_context *)uc->uc_mcontext.__reserved;
  frame_fpsr = fp->fpsr;
  handler_fpsr = (uint32_t)get_fpsr();
  fp->fpsr |= FE_UNDERFLOW; /* the interrupted code gets it back */
}
static void signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  sink = one / zero;
  raise(SIGUSR1);
  printf("frame fpsr %#x, handler's %#x\n", frame_fpsr, handler_fpsr);
  show("after the handler");
}

static void *thread_main(void *arg) {
  (void)arg;
  printf("thread: fpcr %#" PRIx64 " flags %#x\n", get_fpcr(), fetestexcept(ALL));
  sink = one / zero;
  return NULL;
}
static void threads(void) {
  uint64_t fpcr = get_fpcr();
  sink = big * big;
  set_fpcr(fpcr | DN);
  pthread_t t;
  pthread_create(&t, NULL, thread_main, NULL);
  pthread_join(t, NULL);
  show("parent after the thread");
  set_fpcr(fpcr);
}

int main(void) {
  uint64_t q = 0x7ff8000000000000ull, s = 0x7ff4000000000000ull;
  memcpy((void *)&qnan, &q, 8);
  memcpy((void *)&snan_d, &s, 8);
  feclearexcept(ALL);
  scalar();
  conversions();
  compares();
  vectors();
  halfp();
  controls();
  signals();
  threads();
  return 0;
}
