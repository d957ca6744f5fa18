/* simd_vec.c — plain C loops that gcc -O3 vectorises, against qemu-aarch64:
 * integer arithmetic on every lane size, min/max/abs, shifts by constants and
 * by variables, compares and selects, reductions, widening and narrowing,
 * multiply-accumulate, averages and absolute differences, popcounts, byte
 * swaps, interleaved (struct) loads and stores, float and double arithmetic,
 * fma, sqrt, fmin/fmax, conversions between ints, floats and doubles. Each
 * kernel prints a hash of its output array and a few elements. */
#include "a64test.h"

typedef int8_t i8;
typedef uint8_t u8;
typedef int16_t i16;
typedef uint16_t u16;
typedef int32_t i32;

#define N 259 /* not a multiple of any vector length: the scalar tails run too */

static u8 ua[N], ub[N], uc[N];
static i8 sa[N], sb[N];
static i16 ha[N], hb[N], hc[N];
static u16 hu[N];
static i32 wa[N], wb[N], wc[N];
static uint32_t wu[N];
static i64 da[N], db[N], dc[N];
static float fa[N], fb[N], fc[N];
static double ga[N], gb[N], gc[N];

static u64 rng = 0x9e3779b97f4a7c15;
static u64 next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void init(void) {
  for (int i = 0; i < N; i++) {
    u64 r = next(), s = next();
    ua[i] = (u8)r, ub[i] = (u8)(r >> 8), sa[i] = (i8)(r >> 16), sb[i] = (i8)(r >> 24);
    ha[i] = (i16)(r >> 32), hb[i] = (i16)(r >> 48), hu[i] = (u16)s;
    wa[i] = (i32)s, wb[i] = (i32)(s >> 32), wu[i] = (uint32_t)(s >> 16);
    da[i] = (i64)(r ^ s), db[i] = (i64)(r * 3 + s);
    fa[i] = (float)(i32)(r >> 40) / 1024.0f, fb[i] = (float)(i16)s / 7.0f;
    ga[i] = (double)(i64)r / 1e6, gb[i] = (double)(i32)(s >> 8) / 3.0;
  }
  fa[3] = 0.0f, fb[3] = -0.0f, fa[5] = 1e30f, fb[5] = 1e30f, ga[7] = 1e300, gb[7] = -1e300;
}

static u64 hash(const void *p, unsigned bytes) {
  const u8 *b = p;
  u64 h = 0xcbf29ce484222325;
  for (unsigned i = 0; i < bytes; i++)
    h = (h ^ b[i]) * 0x100000001b3;
  return h;
}

static void report(const char *name, const void *p, unsigned bytes) {
  out_s(name);
  out_kv("hash", hash(p, bytes));
  u64 first;
  memcpy(&first, p, 8);
  out_kv("first", first);
  out_nl();
}
#define REPORT(name, arr) report(name, arr, sizeof arr)
static void report_val(const char *name, u64 v) {
  out_s(name);
  out_kv("v", v);
  out_nl();
}
static u64 fbits(float f) {
  uint32_t w;
  memcpy(&w, &f, 4);
  return w;
}
static u64 dbits(double d) {
  u64 w;
  memcpy(&w, &d, 8);
  return w;
}

/* noinline: each kernel is its own loop, vectorised on its own. */
#define K static __attribute__((noinline)) void

K k_int8(void) {
  for (int i = 0; i < N; i++) uc[i] = (u8)(ua[i] + ub[i] * 3);
  REPORT("u8 add mul", uc);
  for (int i = 0; i < N; i++) uc[i] = ua[i] > ub[i] ? ua[i] : ub[i];
  REPORT("u8 max", uc);
  for (int i = 0; i < N; i++) uc[i] = (u8)((ua[i] + ub[i] + 1) >> 1);
  REPORT("u8 avg", uc);
  for (int i = 0; i < N; i++) uc[i] = (u8)(ua[i] > ub[i] ? ua[i] - ub[i] : ub[i] - ua[i]);
  REPORT("u8 absdiff", uc);
  for (int i = 0; i < N; i++) { int s = ua[i] + ub[i]; uc[i] = (u8)(s > 255 ? 255 : s); }
  REPORT("u8 sat add", uc);
  for (int i = 0; i < N; i++) sa[i] = (i8)(sa[i] < 0 ? -sa[i] : sa[i]);
  REPORT("i8 abs", sa);
  for (int i = 0; i < N; i++) uc[i] = (u8)(sa[i] >> 3);
  REPORT("i8 asr", uc);
  for (int i = 0; i < N; i++) uc[i] = (u8)__builtin_popcount(ua[i]);
  REPORT("u8 popcount", uc);
  for (int i = 0; i < N; i++) uc[i] = ua[i] == ub[i] || ua[i] < 16 ? 0xff : ua[i] & 0x0f;
  REPORT("u8 cmp select", uc);
}

K k_int16(void) {
  for (int i = 0; i < N; i++) hc[i] = (i16)(ha[i] * hb[i] + ha[i]);
  REPORT("i16 mla", hc);
  for (int i = 0; i < N; i++) hc[i] = ha[i] < hb[i] ? ha[i] : hb[i];
  REPORT("i16 min", hc);
  for (int i = 0; i < N; i++) hc[i] = (i16)(ha[i] >> (hu[i] & 15));
  REPORT("i16 var asr", hc);
  for (int i = 0; i < N; i++) hc[i] = (i16)((u16)ha[i] << (hu[i] & 15));
  REPORT("i16 var lsl", hc);
  for (int i = 0; i < N; i++) hu[i] = (u16)(ua[i] * ub[i]);
  REPORT("u8*u8 -> u16", hu);
  for (int i = 0; i < N; i++) { int s = ha[i] - hb[i]; hc[i] = (i16)(s > 32767 ? 32767 : s < -32768 ? -32768 : s); }
  REPORT("i16 sat sub", hc);
  for (int i = 0; i < N; i++) hu[i] = (u16)__builtin_bswap16((u16)ha[i]);
  REPORT("u16 bswap", hu);
  for (int i = 0; i < N; i++) uc[i] = (u8)(hu[i] >> 4);
  REPORT("u16 shr narrow", uc);
}

K k_int32(void) {
  for (int i = 0; i < N; i++) wc[i] = wa[i] * wb[i] - wa[i] / 4;
  REPORT("i32 mul sub", wc);
  for (int i = 0; i < N; i++) wc[i] = wa[i] > wb[i] ? wa[i] : wb[i];
  REPORT("i32 max", wc);
  for (int i = 0; i < N; i++) wc[i] = (i32)((uint32_t)wa[i] >> (wb[i] & 31));
  REPORT("u32 var lsr", wc);
  for (int i = 0; i < N; i++) wc[i] = ha[i] * hb[i];
  REPORT("i16*i16 -> i32", wc);
  for (int i = 0; i < N; i++) wc[i] = (i32)__builtin_bswap32((uint32_t)wa[i]);
  REPORT("u32 bswap", wc);
  for (int i = 0; i < N; i++) wc[i] = wa[i] < 0 ? -wa[i] : wa[i];
  REPORT("i32 abs", wc);
  for (int i = 0; i < N; i++) hc[i] = (i16)wa[i];
  REPORT("i32 -> i16", hc);
  for (int i = 0; i < N; i++) wc[i] = (wa[i] & 0xff00ff) | (wb[i] << 7);
  REPORT("i32 logic", wc);
}

K k_int64(void) {
  for (int i = 0; i < N; i++) dc[i] = da[i] + db[i] * 5;
  REPORT("i64 add mul", dc);
  for (int i = 0; i < N; i++) dc[i] = da[i] > db[i] ? da[i] : db[i];
  REPORT("i64 max", dc);
  for (int i = 0; i < N; i++) dc[i] = (i64)wa[i] * wb[i];
  REPORT("i32*i32 -> i64", dc);
  for (int i = 0; i < N; i++) dc[i] = da[i] >> 13 ^ (i64)((u64)db[i] >> 3);
  REPORT("i64 shifts", dc);
  for (int i = 0; i < N; i++) dc[i] = wu[i];
  REPORT("u32 -> u64", dc);
  for (int i = 0; i < N; i++) wc[i] = (i32)(da[i] >> 32);
  REPORT("i64 -> i32 high", wc);
}

K k_reduce(void) {
  uint32_t s8 = 0;
  for (int i = 0; i < N; i++) s8 += ua[i];
  report_val("sum u8", s8);
  i32 s16 = 0;
  for (int i = 0; i < N; i++) s16 += ha[i];
  report_val("sum i16", (u64)s16);
  i64 s32 = 0;
  for (int i = 0; i < N; i++) s32 += wa[i];
  report_val("sum i32 -> i64", (u64)s32);
  u8 mx = 0;
  for (int i = 0; i < N; i++) mx = ua[i] > mx ? ua[i] : mx;
  report_val("max u8", mx);
  i16 mn = 32767;
  for (int i = 0; i < N; i++) mn = ha[i] < mn ? ha[i] : mn;
  report_val("min i16", (u64)mn);
  i32 dot = 0;
  for (int i = 0; i < N; i++) dot += ha[i] * hb[i];
  report_val("dot i16", (u64)dot);
  i64 m64 = 0;
  for (int i = 0; i < N; i++) m64 = da[i] > m64 ? da[i] : m64;
  report_val("max i64", (u64)m64);
  uint32_t sad = 0;
  for (int i = 0; i < N; i++) sad += (uint32_t)(ua[i] > ub[i] ? ua[i] - ub[i] : ub[i] - ua[i]);
  report_val("sad u8", sad);
  int cnt = 0;
  for (int i = 0; i < N; i++) cnt += wa[i] > wb[i];
  report_val("count i32 gt", (u64)cnt);
}

struct rgb { u8 r, g, b; };
struct xy { float x, y; };
struct q4 { i16 a, b, c, d; };
static struct rgb pix[N];
static struct xy pts[N];
static struct q4 quads[N];

K k_struct(void) {
  for (int i = 0; i < N; i++) pix[i] = (struct rgb){ua[i], ub[i], (u8)sa[i]};
  for (int i = 0; i < N; i++) uc[i] = (u8)((pix[i].r * 77 + pix[i].g * 150 + pix[i].b * 29) >> 8);
  REPORT("rgb luma (ld3)", uc);
  for (int i = 0; i < N; i++) pix[i] = (struct rgb){pix[i].b, pix[i].r, (u8)(pix[i].g + 1)};
  REPORT("rgb swizzle (ld3 st3)", pix);
  for (int i = 0; i < N; i++) pts[i] = (struct xy){fa[i], fb[i]};
  for (int i = 0; i < N; i++) fc[i] = pts[i].x * pts[i].x + pts[i].y * pts[i].y;
  REPORT("xy norm (ld2)", fc);
  for (int i = 0; i < N; i++) quads[i] = (struct q4){ha[i], hb[i], (i16)i, (i16)-i};
  for (int i = 0; i < N; i++) { struct q4 q = quads[i]; quads[i] = (struct q4){q.d, q.c, (i16)(q.b + q.a), (i16)(q.a - q.b)}; }
  REPORT("quads (ld4 st4)", quads);
}

K k_float(void) {
  for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fc[i];
  REPORT("f32 fma", fc);
  for (int i = 0; i < N; i++) fc[i] = fa[i] / (fb[i] + 0.5f) - fa[i];
  REPORT("f32 div sub", fc);
  for (int i = 0; i < N; i++) fc[i] = __builtin_sqrtf(fa[i] < 0 ? -fa[i] : fa[i]);
  REPORT("f32 sqrt abs", fc);
  for (int i = 0; i < N; i++) fc[i] = __builtin_fmaxf(fa[i], fb[i]);
  REPORT("f32 fmax", fc);
  for (int i = 0; i < N; i++) fc[i] = fa[i] < fb[i] ? fa[i] : fb[i];
  REPORT("f32 select min", fc);
  for (int i = 0; i < N; i++) wc[i] = (i32)fa[i];
  REPORT("f32 -> i32", wc);
  for (int i = 0; i < N; i++) fc[i] = (float)wa[i];
  REPORT("i32 -> f32", fc);
  for (int i = 0; i < N; i++) fc[i] = (float)wu[i] * 0.25f;
  REPORT("u32 -> f32", fc);
  for (int i = 0; i < N; i++) gc[i] = fa[i];
  REPORT("f32 -> f64", gc);
  for (int i = 0; i < N; i++) fc[i] = (float)ga[i];
  REPORT("f64 -> f32", fc);
  for (int i = 0; i < N; i++) fc[i] = __builtin_floorf(fa[i]) + __builtin_roundf(fb[i]) + __builtin_truncf(fa[i] * 0.3f);
  REPORT("f32 floor round trunc", fc);
  float s = 0;
  for (int i = 0; i < N; i++) s += fa[i] * fb[i];
  report_val("f32 dot", fbits(s));
}

K k_double(void) {
  for (int i = 0; i < N; i++) gc[i] = ga[i] * gb[i] - gc[i];
  REPORT("f64 fms", gc);
  for (int i = 0; i < N; i++) gc[i] = __builtin_sqrt(ga[i] * ga[i] + 1.0);
  REPORT("f64 sqrt", gc);
  for (int i = 0; i < N; i++) gc[i] = __builtin_fmin(ga[i], gb[i]);
  REPORT("f64 fmin", gc);
  for (int i = 0; i < N; i++) dc[i] = (i64)gb[i];
  REPORT("f64 -> i64", dc);
  for (int i = 0; i < N; i++) gc[i] = (double)da[i];
  REPORT("i64 -> f64", gc);
  for (int i = 0; i < N; i++) gc[i] = ga[i] > 0 ? __builtin_ceil(ga[i]) : __builtin_nearbyint(gb[i]);
  REPORT("f64 ceil nearbyint", gc);
  double m = -1e308;
  for (int i = 0; i < N; i++) m = __builtin_fmax(m, gb[i]);
  report_val("f64 max", dbits(m));
}

static int test_main(void) {
  init();
  k_int8();
  k_int16();
  k_int32();
  k_int64();
  k_reduce();
  k_struct();
  k_float();
  k_double();
  return 0;
}
