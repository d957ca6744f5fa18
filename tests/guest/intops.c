/* The rest of the integer ISA through inline asm, so every form runs whatever
 * the compiler would pick: mul/imul/div/idiv, shifts and rotates by CL and
 * imm, shld/shrd, the bt family on registers and on memory with big offsets,
 * bit counts, rep string ops in both directions, cmpxchg/8b/16b, xadd, lock
 * adc/sbb/bts, two threads racing on lock xadd and cmpxchg16b, and at the end
 * a divide error (death by SIGFPE). Results and the flags the manual defines
 * are hashed per family. */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}
/* Values with edge cases mixed in. */
static uint64_t val(void) {
  static const uint64_t edge[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                  0x80000000, 0xffffffff, 0x7fffffffffffffff,
                                  0x8000000000000000, ~0ull};
  uint64_t r = next();
  return r % 4 == 0 ? edge[(r >> 8) % (sizeof edge / sizeof edge[0])] : next();
}

static uint64_t h;
static void mix(uint64_t x) {
  h = (h ^ x) * 0x100000001b3ull;
  h ^= h >> 29;
}

/* Run `insn` on a (rax), b (rcx), d (rdx) with input flags f; hash the outputs
 * and the flags in mask. */
#define RUN(insn, mask)                                                               \
  do {                                                                                \
    uint64_t ra = a, rc = b, rd = d, fl = f;                                          \
    __asm__ volatile("push %3; popfq; " insn "; pushfq; pop %3"                       \
                     : "+a"(ra), "+c"(rc), "+d"(rd), "+r"(fl)                         \
                     :                                                                \
                     : "cc", "memory");                                               \
    mix(ra), mix(rc), mix(rd), mix(fl & (mask));                                      \
  } while (0)

static void muldiv(void) {
  for (int i = 0; i < 1000; i++) {
    /* b odd with bit 1 clear: never 0 nor -1 at any width, so nothing traps */
    uint64_t a = val(), b = (val() | 1) & ~2ull, d = val(), f = next() & 0x8d5;
    RUN("mul %%cl", CF | OF);
    RUN("mul %%cx", CF | OF);
    RUN("mul %%ecx", CF | OF);
    RUN("mul %%rcx", CF | OF);
    RUN("imul %%rcx", CF | OF);
    RUN("imul %%ecx", CF | OF);
    RUN("imul %%cx, %%ax", CF | OF);
    RUN("imul $-77, %%rcx, %%rax", CF | OF);
    RUN("imul $0x12345, %%ecx, %%eax", CF | OF);
    d = 0;
    RUN("div %%rcx", 0);
    RUN("xor %%edx, %%edx; div %%ecx", 0);
    RUN("xor %%edx, %%edx; div %%cx", 0);
    RUN("movzbl %%al, %%eax; div %%cl", 0);
    RUN("cqo; idiv %%rcx", 0);
    RUN("cdq; idiv %%ecx", 0);
    d = b - 1; /* rdx < rcx: the quotient fits */
    RUN("div %%rcx", 0);
  }
}

static void shifts(void) {
  for (int i = 0; i < 1000; i++) {
    uint64_t a = val(), b = next() % 70, d = val(), f = next() & 0x8d5;
    unsigned one = (b & 31) == 1 ? OF : 0;
    RUN("shl %%cl, %%al", CF | SF | ZF | PF | one);
    RUN("shl %%cl, %%ax", CF | SF | ZF | PF | one);
    RUN("shl %%cl, %%eax", CF | SF | ZF | PF | one);
    RUN("shl %%cl, %%rax", CF | SF | ZF | PF | one);
    RUN("shr %%cl, %%ax", CF | SF | ZF | PF | one);
    RUN("shr %%cl, %%rax", CF | SF | ZF | PF | one);
    RUN("sar %%cl, %%al", CF | SF | ZF | PF | one);
    RUN("sar %%cl, %%eax", CF | SF | ZF | PF | one);
    RUN("rol %%cl, %%ax", CF | one);
    RUN("ror %%cl, %%rax", CF | one);
    RUN("rcl %%cl, %%al", CF | one);
    RUN("rcr %%cl, %%ax", CF | one);
    RUN("rcl %%cl, %%eax", CF | one);
    RUN("rcr %%cl, %%rax", CF | one);
    RUN("shl $1, %%eax", CF | SF | ZF | PF | OF);
    RUN("sar $7, %%rax", CF | SF | ZF | PF);
    RUN("rcr $1, %%eax", CF | OF);
    RUN("shld %%cl, %%rdx, %%rax", CF | SF | ZF | PF | one);
    RUN("shrd %%cl, %%edx, %%eax", CF | SF | ZF | PF | one);
    RUN("shld $5, %%dx, %%ax", CF | SF | ZF | PF);
    RUN("shrd $13, %%rdx, %%rax", CF | SF | ZF | PF);
  }
}

static uint64_t bitmem[64];

static void bits(void) {
  for (int i = 0; i < 1000; i++) {
    uint64_t a = val(), b = val(), d = val(), f = next() & 0x8d5;
    RUN("bt %%rcx, %%rax", CF);
    RUN("bts %%ecx, %%eax", CF);
    RUN("btr %%cx, %%ax", CF);
    RUN("btc $37, %%rax", CF);
    RUN("bsf %%rcx, %%rax", ZF);
    RUN("bsr %%ecx, %%eax", ZF);
    RUN("lzcnt %%rcx, %%rax", CF | ZF);
    RUN("tzcnt %%cx, %%ax", CF | ZF);
    RUN("popcnt %%rcx, %%rax", CF | ZF | SF | OF | PF | AF);
    /* Memory bit strings: a signed offset reaches anywhere in the array. */
    int64_t off = (int64_t)(next() % (60 * 64)) - 30 * 64; /* 8(%0) stays inside too */
    uint64_t *mid = &bitmem[32];
    uint64_t fl = f;
    __asm__ volatile("push %2; popfq; btsq %1, (%0); btcq %1, 8(%0); lock btrq %1, (%0); "
                     "btq %1, (%0); pushfq; pop %2"
                     : "+r"(mid), "+r"(off), "+r"(fl)
                     :
                     : "cc", "memory");
    mix(fl & CF);
  }
  for (int i = 0; i < 64; i++)
    mix(bitmem[i]);
}

static char sbuf[2][4096];

static void strings(void) {
  for (int i = 0; i < 300; i++) {
    for (int k = 0; k < 4096; k++)
      sbuf[0][k] = (char)(next() % 3), sbuf[1][k] = (char)(next() % 3);
    uint64_t n = next() % 300, o1 = 400 + next() % 3000, o2 = 400 + next() % 3000;
    int down = next() & 1;
    char *s = sbuf[0] + o1, *d = sbuf[1] + o2;
    uint64_t c = n, fl;
    uint64_t ax = val();
    switch (i % 6) {
    case 0:
      __asm__ volatile("cmp $0, %4; je 1f; std; 1: rep movsb; cld"
                       : "+S"(s), "+D"(d), "+c"(c) : "a"(ax), "r"(down) : "cc", "memory");
      break;
    case 1:
      c /= 8;
      __asm__ volatile("cmp $0, %4; je 1f; std; 1: rep stosq; cld"
                       : "+S"(s), "+D"(d), "+c"(c) : "a"(ax), "r"(down) : "cc", "memory");
      break;
    case 2:
      c /= 4;
      __asm__ volatile("cmp $0, %4; je 1f; std; 1: rep lodsw; cld"
                       : "+S"(s), "+D"(d), "+c"(c), "+a"(ax) : "r"(down) : "cc", "memory");
      break;
    case 3:
      __asm__ volatile("repe cmpsb; pushfq; pop %4"
                       : "+S"(s), "+D"(d), "+c"(c), "+a"(ax), "=r"(fl) : : "cc", "memory");
      mix(fl & 0x8d5);
      break;
    case 4:
      ax %= 3;
      __asm__ volatile("repne scasb; pushfq; pop %4"
                       : "+S"(s), "+D"(d), "+c"(c), "+a"(ax), "=r"(fl) : : "cc", "memory");
      mix(fl & 0x8d5);
      break;
    default:
      c /= 8;
      __asm__ volatile("rep movsq" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
      break;
    }
    mix((uint64_t)(s - sbuf[0])), mix((uint64_t)(d - sbuf[1])), mix(c), mix(ax);
  }
  for (int k = 0; k < 4096; k += 8) {
    uint64_t w;
    memcpy(&w, sbuf[1] + k, 8);
    mix(w);
  }
}

static unsigned __int128 cx16_word __attribute__((aligned(16)));

#undef RUN
#define RUNM(insn, mask)                                                              \
  do {                                                                                \
    uint64_t ra = a, rc = b, rd = d, fl = f;                                          \
    __asm__ volatile("push %3; popfq; " insn "; pushfq; pop %3"                       \
                     : "+a"(ra), "+c"(rc), "+d"(rd), "+r"(fl), "+m"(*m)               \
                     : "b"(bx)                                                        \
                     : "cc", "memory");                                               \
    mix(ra), mix(rc), mix(rd), mix(fl & (mask)), mix(m[0]), mix(m[1]);                \
  } while (0)

static void cas_ops(void) {
  static uint64_t m[2] __attribute__((aligned(16)));
  for (int i = 0; i < 1000; i++) {
    uint64_t a = val(), b = val(), d = val(), bx = val(), f = next() & 0x8d5;
    m[0] = next() & 1 ? a : val();
    m[1] = next() & 1 ? d : val();
    RUNM("lock cmpxchg %%rcx, %4", CF | PF | AF | ZF | SF | OF);
    RUNM("cmpxchg %%cx, %4", CF | PF | AF | ZF | SF | OF);
    RUNM("cmpxchg %%ecx, %%edx", CF | PF | AF | ZF | SF | OF);
    RUNM("lock cmpxchg8b %4", ZF);
    RUNM("lock cmpxchg16b %4", ZF);
    RUNM("lock xadd %%ecx, %4", CF | PF | AF | ZF | SF | OF);
    RUNM("xadd %%rcx, %%rdx", CF | PF | AF | ZF | SF | OF);
    RUNM("lock adcq %%rcx, %4", CF | PF | AF | ZF | SF | OF);
    RUNM("lock sbbw %%cx, %4", CF | PF | AF | ZF | SF | OF);
    RUNM("lock btsq $45, %4", CF);
  }
}

/* Two threads, each adding 1 to a counter 5000 times through lock xadd and
 * through a cmpxchg16b loop on a 128-bit pair: both must end at 10000. */
static uint64_t counter;
static void *racer(void *arg) {
  (void)arg;
  for (int i = 0; i < 5000; i++) {
    uint64_t one = 1;
    __asm__ volatile("lock xadd %0, %1" : "+r"(one), "+m"(counter) : : "memory", "cc");
    uint64_t lo = (uint64_t)cx16_word, hi = (uint64_t)(cx16_word >> 64);
    unsigned char ok;
    do /* a failed cmpxchg16b loads rdx:rax with what memory holds */
      __asm__ volatile("lock cmpxchg16b %1; sete %0"
                       : "=q"(ok), "+m"(cx16_word), "+a"(lo), "+d"(hi)
                       : "b"(lo + 1), "c"(hi + 1)
                       : "memory", "cc");
    while (!ok);
  }
  return NULL;
}

static void threads(void) {
  pthread_t t[2];
  bool made[2];
  for (int i = 0; i < 2; i++) /* without threads (an emulator lacking them) run it here */
    if (!(made[i] = pthread_create(&t[i], NULL, racer, NULL) == 0))
      racer(NULL);
  for (int i = 0; i < 2; i++)
    if (made[i])
      pthread_join(t[i], NULL);
  printf("threads: counter %" PRIu64 " pair %" PRIu64 ":%" PRIu64 "\n", counter,
         (uint64_t)(cx16_word >> 64), (uint64_t)cx16_word);
}

int main(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } parts[] = {{"muldiv", muldiv}, {"shifts", shifts}, {"bits", bits}, {"strings", strings},
               {"cas", cas_ops}};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    h = 0;
    parts[i].fn();
    printf("%s %016" PRIx64 "\n", parts[i].name, h);
  }
  threads();
  /* A divide error ends the program with SIGFPE (no handler: exit status 136). */
  fflush(stdout);
  uint64_t lo = 5, hi = 0, zero = 0;
  __asm__ volatile("div %2" : "+a"(lo), "+d"(hi) : "r"(zero));
  return 0;
}
