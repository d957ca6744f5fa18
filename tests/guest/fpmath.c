/* fpmath: printf of doubles and long doubles (%f %e %g %a %La), strtod/strtof/strtold,
 * libm (double, float, long double) over edge values in every rounding mode, and the
 * x87 transcendental instructions glibc's long double code is built from. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <fenv.h>
#include <float.h>
#include <string.h>

static volatile double vd[] = {0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e300, -1e-300, 4.9e-324,
                               2.5, 0.1, 123456.789, 1.0/3.0, 6.02214076e23, 1e16, 9007199254740993.0};
static volatile long double vl[] = {0.0L, -0.0L, 1.0L, 3.14159265358979323846264338327950288L,
                                    1e4000L, -1e-4000L, 0.1L, 2.5L, 1.0L/3.0L, 18446744073709551615.0L};
static const char *strs[] = {"0", "-0", "1e-320", "3.14159265358979323846", "1e308", "2e308", "0x1.8p3",
                             "inf", "-nan", "123456789012345678901234567890", "2.2250738585072011e-308",
                             "4.9406564584124654e-324", "0.1", "1.7976931348623157e308"};

int main(void) {
  for (size_t i = 0; i < sizeof vd / sizeof vd[0]; i++) {
    double x = vd[i];
    printf("d %zu: %f %e %g %a %.17g %La\n", i, x, x, x, x, x, (long double)x);
    printf("  sin %.17g cos %.17g tan %.17g exp %.17g log %.17g\n", sin(x), cos(x), tan(x), exp(x), log(fabs(x)));
    printf("  pow %.17g sqrt %.17g floor %.17g ceil %.17g trunc %.17g round %.17g\n", pow(fabs(x), 0.3), sqrt(fabs(x)),
           floor(x), ceil(x), trunc(x), round(x));
    printf("  lrint %ld llround %lld atan2 %.17g cbrt %.17g hypot %.17g fmod %.17g\n", lrint(x), llround(x),
           atan2(x, 2.0), cbrt(x), hypot(x, 3.0), fmod(x, 0.7));
    printf("  exp2 %.17g log2 %.17g log10 %.17g expm1 %.17g log1p %.17g sinh %.17g asin %.17g\n", exp2(x), log2(fabs(x)),
           log10(fabs(x)), expm1(x), log1p(fabs(x)), sinh(x), asin(fmod(x, 1.0)));
    float f = (float)x;
    printf("  float %f %e %g %a sinf %.9g expf %.9g logf %.9g powf %.9g\n", f, f, f, f, sinf(f), expf(f), logf(fabsf(f)), powf(fabsf(f), 1.7f));
  }
  for (size_t i = 0; i < sizeof vl / sizeof vl[0]; i++) {
    long double x = vl[i];
    printf("ld %zu: %Lf %Le %Lg %La %.25Lg\n", i, x, x, x, x, x);
    printf("  sinl %.21Lg expl %.21Lg logl %.21Lg sqrtl %.21Lg powl %.21Lg floorl %.21Lg\n", sinl(x), expl(x),
           logl(fabsl(x)), sqrtl(fabsl(x)), powl(fabsl(x), 0.7L), floorl(x));
  }
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
    char *end;
    double d = strtod(strs[i], &end);
    float f = strtof(strs[i], &end);
    long double l = strtold(strs[i], &end);
    printf("strtod(%s) = %a %.17g | f %a | ld %La\n", strs[i], d, d, f, l);
  }
  static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  for (int m = 0; m < 4; m++) {
    fesetround(modes[m]);
    volatile double a = 1.0, b = 3.0;
    volatile long double la = 1.0L, lb = 3.0L;
    printf("mode %d: %a %La %ld %.17g %f\n", m, a / b, la / lb, lrint(2.5), sqrt(2.0), 0.1 + 0.2);
    printf("  strtod %a nearbyint %g rint %g\n", strtod("0.1", NULL), nearbyint(-2.5), rint(3.5));
  }
  fesetround(FE_TONEAREST);
  feclearexcept(FE_ALL_EXCEPT);
  volatile double z = 0.0;
  volatile double r = 1.0 / z;
  printf("div0 %g\n", r);
  double acc = 0;
  for (int i = 1; i < 20000; i++) acc += sin(i * 0.001) * exp(-i * 1e-5) / sqrt((double)i);
  printf("acc %.17g\n", acc);
  long double lacc = 0;
  for (int i = 1; i < 3000; i++) lacc += sinl(i * 0.001L) / (long double)i;
  printf("lacc %.21Lg\n", lacc);
#ifdef __x86_64__
  /* The x87 transcendental instructions, straight (libm's long double code uses
   * some; their results are the hardware's approximations, bit for bit). */
  static const long double xs[] = {0.5L, -0.75L, 1e-5L, 3.0L, 100.25L, 1e18L};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    long double x = xs[i], s, c, t, one, a, l2, e2, sc, pr;
    __asm__("fsincos" : "=t"(c), "=u"(s) : "0"(x));
    __asm__("fptan" : "=t"(one), "=u"(t) : "0"(x));
    __asm__("fpatan" : "=t"(a) : "0"(x), "u"(2.0L) : "st(1)");
    __asm__("fyl2x" : "=t"(l2) : "0"(x < 0 ? -x : x), "u"(1.5L) : "st(1)");
    __asm__("f2xm1" : "=t"(e2) : "0"(x > 1 || x < -1 ? 0.25L : x));
    __asm__("fscale" : "=t"(sc) : "0"(x), "u"(7.0L));
    __asm__("1: fprem; fnstsw %%ax; testb $4, %%ah; jnz 1b" : "=t"(pr) : "0"(x), "u"(0.3L) : "ax", "cc");
    printf("x87 %La: %La %La %La %La %La %La %La %La %La\n", x, s, c, t, one, a, l2, e2, sc, pr);
  }
#endif
  return 0;
}
