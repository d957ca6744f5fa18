/* Floating point: arithmetic, conversions, libm, rounding, printing. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static volatile double vd = 0.1;
static volatile float vf = 1.0f / 3.0f;

int main(void) {
  double s = 0;
  for (int i = 1; i <= 1000; i++) s += 1.0 / (i * (double)i);
  printf("basel %.17g\n", s);
  printf("sqrt %.17g %.9g\n", sqrt(2.0), sqrtf(3.0f));
  printf("libm %.15g %.15g %.15g %.15g %.15g\n", sin(1.0), cos(0.5), exp(1.5), log(10.0), pow(2.5, 3.7));
  printf("atan2 %.15g tanh %.15g cbrt %.15g\n", atan2(1.0, -2.0), tanh(0.7), cbrt(27.5));
  printf("round %g %g %g %g %ld %ld\n", floor(-2.5), ceil(-2.5), round(2.5), trunc(-2.7), lrint(2.5), lrint(3.5));
  printf("conv %d %u %lld %d %f\n", (int)-3.99, (unsigned)3.99e9, (long long)-1e18, (int)vf, (double)vf);
  printf("float %a %a %.9g\n", vd, (double)vf, vf * 3.0f);
  volatile double z = 0.0, one = 1.0;
  printf("special %f %f %f %d %d\n", one / z, -one / z, z / z, isnan(z / z), isinf(one / z));
  double nums[] = {0.5, -0.0, 1e-310, 1e308, 123456.789, -9.87654321e-5};
  for (int i = 0; i < 6; i++) printf("%e %g %.3f %a\n", nums[i], nums[i], nums[i], nums[i]);
  printf("strtod %.17g %.17g\n", strtod("3.14159265358979323846", NULL), strtod("-1e-5", NULL));
  long double ld = 1.0L / 3.0L;
  printf("long double %.20Lf %Lg %La\n", ld, ld * 1e100L, ld);
  printf("long double ops %.18Lg %.18Lg\n", sqrtl(2.0L), ld * 7.0L - 2.0L);
  fesetround(FE_UPWARD);
  volatile double up = 1.0 / 3.0;
  fesetround(FE_DOWNWARD);
  volatile double down = 1.0 / 3.0;
  fesetround(FE_TONEAREST);
  printf("rounding %d %a %a\n", up > down, up, down);
  float fs = 0;
  for (int i = 0; i < 100; i++) fs += (float)i * 0.37f;
  printf("fsum %.9g fmaf %.9g\n", fs, fmaf(1.1f, 2.2f, 3.3f));
  return 0;
}
