/* fp_libm.c — glibc's libm and printf on emu against qemu-aarch64, in each
 * rounding mode set with fesetround: elementary functions, rint/lrint/
 * nearbyint/round, fma, conversions through strtod and printf("%a"/"%.17g"),
 * and fegetround reading FPCR back. Results print as bit patterns. */
#include <fenv.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static uint32_t fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static const double vals[] = {0.0, -0.0, 0.5, -1.5, 2.5, 3.141592653589793, 1e-310, -7.25e10,
                              1e300, 0.1, -0.7, 123456789.5, INFINITY, -INFINITY, NAN};
#define NV (sizeof vals / sizeof vals[0])

/* volatile: every call happens at run time, in the mode set then. */
static volatile double sink;

static void run_mode(int mode, const char *name) {
  fesetround(mode);
  printf("mode %s fegetround=%d\n", name, fegetround() == mode);
  for (unsigned i = 0; i < NV; i++) {
    volatile double x = vals[i];
    double r[] = {sin(x), cos(x), exp(x), log(fabs(x)), pow(fabs(x), 0.75), sqrt(fabs(x)),
                  cbrt(x), atan2(x, 3.0), tanh(x), rint(x), nearbyint(x), round(x),
                  trunc(x), floor(x), ceil(x), fma(x, 0.1, -x), x / 3.0, x * 1.1 + 0.3};
    printf("x=%016" PRIx64, bits(x));
    for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++)
      printf(" %016" PRIx64, bits(r[k]));
    float f = (float)x;
    printf(" f=%08" PRIx32 " sf=%08" PRIx32 " lrint=%ld", fbits(f), fbits(sinf(f)),
           isfinite(x) && fabs(x) < 1e18 ? lrint(x) : 0L);
    printf(" %a %.17g\n", x / 7.0, x * 1.0000001);
  }
  static const char *const strs[] = {"0.1", "1e-320", "2.5", "-3.4028235e38", "0x1.fffffffffffffp1023",
                                     "1.00000000000000011102230246251565404236316680908203125"};
  for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; i++)
    printf("strtod %s = %016" PRIx64 " strtof %08" PRIx32 "\n", strs[i], bits(strtod(strs[i], NULL)),
           fbits(strtof(strs[i], NULL)));
}

int main(void) {
  run_mode(FE_TONEAREST, "nearest");
  run_mode(FE_UPWARD, "upward");
  run_mode(FE_DOWNWARD, "downward");
  run_mode(FE_TOWARDZERO, "towardzero");
  fesetround(FE_TONEAREST);
  sink = 0;
  return 0;
}
