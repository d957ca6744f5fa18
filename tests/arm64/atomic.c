/* atomic.c — exclusives, acquire/release, LSE atomics and barriers against
 * qemu-aarch64: ldxr/stxr (b h w x, with acquire/release) and their monitor
 * rules (no ldxr, clrex, another address, a changed value), ldxp/stxp,
 * ldar/stlr/ldapr, every LSE op in every size and ordering, cas and casp, the
 * barriers; then threads contending on one counter with ldxr/stxr loops,
 * ldadd, cas loops and casp, whose totals must come out exact. */
#include "a64test.h"

static u64 mem[4] __attribute__((aligned(16)));
static u64 other[2] __attribute__((aligned(16)));

/* -- Exclusives, one thread ------------------------------------------------------- */

/* Each returns the status of the store-exclusive; `v` is the value it stores. */
typedef u64 (*ExFn)(u64 *p, u64 v, u64 *loaded);

#define EX(name, text)                                                                     \
  static u64 name(u64 *p, u64 v, u64 *loaded) {                                            \
    u64 st, ld;                                                                            \
    __asm__ volatile(text                                                                  \
                     : [st] "=&r"(st), [ld] "=&r"(ld)                                      \
                     : [p] "r"(p), [v] "r"(v), [q] "r"(other)                              \
                     : "memory", "x1", "x2", "x3");                                        \
    *loaded = ld;                                                                          \
    return st;                                                                             \
  }

#define EX_CASES(_)                                                                        \
  _(ldxrb_stxrb, "ldxrb %w[ld], [%[p]]\n\tstxrb %w[st], %w[v], [%[p]]")                    \
  _(ldxrh_stlxrh, "ldxrh %w[ld], [%[p]]\n\tstlxrh %w[st], %w[v], [%[p]]")                  \
  _(ldaxr_stxr_w, "ldaxr %w[ld], [%[p]]\n\tstxr %w[st], %w[v], [%[p]]")                    \
  _(ldaxr_stlxr_x, "ldaxr %[ld], [%[p]]\n\tstlxr %w[st], %[v], [%[p]]")                    \
  _(ldxr_add_stxr, "ldxr %[ld], [%[p]]\n\tadd x1, %[ld], %[v]\n\tstxr %w[st], x1, [%[p]]") \
  /* no load-exclusive: the monitor is clear (the previous case's store cleared it) */    \
  _(stxr_alone, "mov %[ld], #0\n\tstxr %w[st], %[v], [%[p]]")                              \
  _(clrex_between, "ldxr %[ld], [%[p]]\n\tclrex\n\tstxr %w[st], %[v], [%[p]]")             \
  _(other_address, "ldxr %[ld], [%[p]]\n\tstxr %w[st], %[v], [%[q]]")                      \
  /* the value changes between (a plain store): the store-exclusive fails */               \
  _(changed_between,                                                                       \
    "ldxr %[ld], [%[p]]\n\tadd x1, %[ld], #1\n\tstr x1, [%[p]]\n\tstxr %w[st], %[v], [%[p]]") \
  _(twice, "ldxr %[ld], [%[p]]\n\tstxr w1, %[v], [%[p]]\n\tstxr %w[st], %[v], [%[p]]")       \
  _(ldxp_stxp_w,                                                                           \
    "ldxp w1, w2, [%[p]]\n\tstxp %w[st], %w[v], w1, [%[p]]\n\tadd %[ld], x2, x1, lsl #32") \
  _(ldaxp_stlxp_x,                                                                         \
    "ldaxp x1, x2, [%[p]]\n\tstlxp %w[st], x2, %[v], [%[p]]\n\teor %[ld], x1, x2, ror #8") \
  _(ldxp_stxp_x_changed,                                                                   \
    "ldxp x1, x2, [%[p]]\n\tstr xzr, [%[p], #8]\n\tstxp %w[st], %[v], %[v], [%[p]]\n\t"    \
    "eor %[ld], x1, x2")                                                                   \
  _(ldxp_w_stxr_x,                                                                         \
    "ldxp w1, w2, [%[p]]\n\tstxr %w[st], %[v], [%[p]]\n\tadd %[ld], x1, x2")

EX_CASES(EX)

#define EX_ENTRY(name, text) {#name, name},
static const struct {
  const char *name;
  ExFn fn;
} ex_cases[] = {EX_CASES(EX_ENTRY)};

static void out_mem(void) {
  for (unsigned i = 0; i < 4; i++)
    out_kv("m", mem[i]);
}

static void set_mem(u64 seed) {
  for (unsigned i = 0; i < 4; i++)
    mem[i] = seed * (i + 3) ^ 0x0123456789abcdefull;
  other[0] = other[1] = 0x5555;
}

/* -- Load-acquire / store-release, LSE ----------------------------------------------- */

typedef u64 (*OpFn)(u64 *p, u64 s);
#define OP(name, text)                                                                     \
  static u64 name(u64 *p, u64 s) {                                                         \
    u64 t;                                                                                 \
    __asm__ volatile(text : [t] "=&r"(t), [s] "+r"(s) : [p] "r"(p) : "memory", "x2", "x3", \
                     "x4", "x5");                                                          \
    return t ^ s << 1; /* cas and casp return in s */                                      \
  }

/* Every LSE op in sizes b h w x and orderings (none) a l al: twelve forms each. */
#define LSE_OP(M, op)                                                                      \
  M(op, b, w) M(op, h, w) M(op, , w) M(op, , x) M(op, ab, w) M(op, lh, w) M(op, al, w)      \
  M(op, a, x) M(op, l, x) M(op, alb, w) M(op, alh, w) M(op, al, x)
#define LSE_ALL(M)                                                                         \
  LSE_OP(M, ldadd) LSE_OP(M, ldclr) LSE_OP(M, ldeor) LSE_OP(M, ldset) LSE_OP(M, ldsmax)    \
  LSE_OP(M, ldsmin) LSE_OP(M, ldumax) LSE_OP(M, ldumin) LSE_OP(M, swp)
#define REG_w "%w"
#define REG_x "%"
#define LSE_DEF(op, sfx, sz) \
  OP(op##sfx##_##sz, #op #sfx " " REG_##sz "[s], " REG_##sz "[t], [%[p]]")
#define LSE_ENTRY(op, sfx, sz) {#op #sfx " " #sz, op##sfx##_##sz},
LSE_ALL(LSE_DEF)

#define OP_CASES(_)                                                                        \
  _(ldarb, "ldarb %w[t], [%[p]]")                                                          \
  _(ldarh, "ldarh %w[t], [%[p]]")                                                          \
  _(ldar_w, "ldar %w[t], [%[p]]")                                                          \
  _(ldar_x, "ldar %[t], [%[p]]")                                                           \
  _(ldaprb, "ldaprb %w[t], [%[p]]")                                                        \
  _(ldaprh, "ldaprh %w[t], [%[p]]")                                                        \
  _(ldapr_w, "ldapr %w[t], [%[p]]")                                                        \
  _(ldapr_x, "ldapr %[t], [%[p]]")                                                         \
  _(ldlar_x, ".arch_extension lor\n\tldlar %[t], [%[p]]")                                  \
  _(stlrb, "stlrb %w[s], [%[p]]\n\tldr %[t], [%[p]]")                                      \
  _(stlrh, "stlrh %w[s], [%[p]]\n\tldr %[t], [%[p]]")                                      \
  _(stlr_w, "stlr %w[s], [%[p]]\n\tldr %[t], [%[p]]")                                      \
  _(stlr_x, "stlr %[s], [%[p]]\n\tldr %[t], [%[p]]")                                       \
  _(stllr_w, ".arch_extension lor\n\tstllr %w[s], [%[p]]\n\tldr %[t], [%[p]]")             \
  _(staddb, "staddb %w[s], [%[p]]\n\tmov %[t], #0")                                        \
  _(stclrl_x, "stclrl %[s], [%[p]]\n\tmov %[t], #0")                                       \
  _(stsmaxh, "stsmaxh %w[s], [%[p]]\n\tmov %[t], #0")                                      \
  _(stuminl_w, "stuminl %w[s], [%[p]]\n\tmov %[t], #0")                                    \
  /* cas: expected = s, new = ~s rotated; s gets the old value */                          \
  _(casb, "mvn %w[t], %w[s]\n\tcasb %w[s], %w[t], [%[p]]")                                 \
  _(casah, "mvn %w[t], %w[s]\n\tcasah %w[s], %w[t], [%[p]]")                               \
  _(casl_w, "mvn %w[t], %w[s]\n\tcasl %w[s], %w[t], [%[p]]")                               \
  _(casal_x, "ror %[t], %[s], #4\n\tcasal %[s], %[t], [%[p]]")                             \
  _(cas_x, "ror %[t], %[s], #4\n\tcas %[s], %[t], [%[p]]")                                 \
  /* casp: expected x2:x3 = s's words (W) or s, s (X), so equal to memory when s is; new \
   * x4:x5 = their complements; s gets the old pair */                                     \
  _(casp_w, "mov x2, %[s]\n\tlsr x3, %[s], #32\n\tmvn x4, x2\n\tmvn x5, x3\n\t"             \
            "casp w2, w3, w4, w5, [%[p]]\n\teor %[s], x2, x3, lsl #32\n\tmov %[t], #0")    \
  _(caspal_x, "mov x2, %[s]\n\tmov x3, %[s]\n\tmvn x4, x2\n\tmvn x5, x3\n\t"               \
              "caspal x2, x3, x4, x5, [%[p]]\n\teor %[s], x2, x3, ror #17\n\tmov %[t], #0") \
  _(barriers, "dmb ish\n\tdmb ishld\n\tdmb ishst\n\tdsb sy\n\tdsb nsh\n\tisb\n\tsb\n\t"    \
              "ssbb\n\tpssbb\n\tldr %[t], [%[p]]")

OP_CASES(OP)
#define OP_ENTRY(name, text) {#name, name},
static const struct {
  const char *name;
  OpFn fn;
} op_cases[] = {OP_CASES(OP_ENTRY) LSE_ALL(LSE_ENTRY)};

/* Memory words and operands: equal ones make cas succeed. */
static const u64 mem_vals[] = {0, 1, 0x7f, 0x80, 0x8000, 0xffffffff, 0x7fffffffffffffff,
                               0x8000000000000000, 0xfedcba9876543210};
static const u64 op_vals[] = {0, 1, 0x80, 0xffff, 0x80000000, 0xfedcba9876543210,
                              0xffffffffffffffff};

/* -- Threads ----------------------------------------------------------------------- */

#define SYS_clone 220
#define SYS_exit 93
#define SYS_sched_yield 124
#define NTHREADS 4
#define ROUNDS 20000

/* spawn(fn, arg, stack_top): a thread sharing everything; it runs fn(arg) on
 * its own stack and exits. */
long spawn(void (*fn)(void *), void *arg, void *stack_top);
__asm__(".globl spawn\n"
        "spawn:\n"
        "  mov x10, x0\n"
        "  mov x11, x1\n"
        "  mov x0, #0x0f00\n"     /* CLONE_VM FS FILES SIGHAND */
        "  movk x0, #0x5, lsl #16\n" /* CLONE_THREAD SYSVSEM */
        "  mov x1, x2\n"
        "  mov x2, #0\n"
        "  mov x3, #0\n"
        "  mov x4, #0\n"
        "  mov x8, #220\n"
        "  svc 0\n"
        "  cbz x0, 1f\n"
        "  ret\n"
        "1:\n"
        "  mov x0, x11\n"
        "  blr x10\n"
        "  mov x0, #0\n"
        "  mov x8, #93\n"
        "  svc 0\n");

static u64 counter, pair_counter[2] __attribute__((aligned(16))), done;
static unsigned char stacks[NTHREADS][16384] __attribute__((aligned(16)));

static void add_ldxr(u64 *p, u64 v) {
  __asm__ volatile("1: ldaxr x1, [%[p]]\n\tadd x1, x1, %[v]\n\tstlxr w2, x1, [%[p]]\n\tcbnz w2, 1b"
                   :
                   : [p] "r"(p), [v] "r"(v)
                   : "memory", "x1", "x2");
}
static void add_ldadd(u64 *p, u64 v) {
  __asm__ volatile("ldaddal %[v], xzr, [%[p]]" : : [p] "r"(p), [v] "r"(v) : "memory");
}
static void add_cas(u64 *p, u64 v) {
  __asm__ volatile("ldr x1, [%[p]]\n"
                   "1: add x2, x1, %[v]\n\tmov x3, x1\n\tcasal x1, x2, [%[p]]\n\tcmp x1, x3\n\tb.ne 1b"
                   :
                   : [p] "r"(p), [v] "r"(v)
                   : "memory", "x1", "x2", "x3", "cc");
}
/* Both words of the pair go up by v, in one casp (and in one ldxp/stxp). */
static void add_casp(u64 *p, u64 v) {
  __asm__ volatile("ldp x2, x3, [%[p]]\n"
                   "1: add x4, x2, %[v]\n\tadd x5, x3, %[v]\n\tmov x6, x2\n\tmov x7, x3\n\t"
                   "caspal x2, x3, x4, x5, [%[p]]\n\tcmp x2, x6\n\tccmp x3, x7, #0, eq\n\tb.ne 1b"
                   :
                   : [p] "r"(p), [v] "r"(v)
                   : "memory", "x2", "x3", "x4", "x5", "x6", "x7", "cc");
}
static void add_ldxp(u64 *p, u64 v) {
  __asm__ volatile("1: ldaxp x2, x3, [%[p]]\n\tadd x2, x2, %[v]\n\tadd x3, x3, %[v]\n\t"
                   "stlxp w4, x2, x3, [%[p]]\n\tcbnz w4, 1b"
                   :
                   : [p] "r"(p), [v] "r"(v)
                   : "memory", "x2", "x3", "x4");
}

static void worker(void *arg) {
  u64 id = (u64)arg;
  for (unsigned i = 0; i < ROUNDS; i++) {
    switch ((i + id) % 3) {
    case 0: add_ldxr(&counter, 1); break;
    case 1: add_ldadd(&counter, 2); break;
    default: add_cas(&counter, 3); break;
    }
    if (i % 2)
      add_casp(pair_counter, 1);
    else
      add_ldxp(pair_counter, 1);
  }
  add_ldadd(&done, 1);
}

static void threads(void) {
  for (u64 t = 0; t < NTHREADS; t++)
    spawn(worker, (void *)t, stacks[t] + sizeof stacks[t]);
  u64 d;
  do {
    sys6(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
    __asm__ volatile("ldar %0, [%1]" : "=r"(d) : "r"(&done) : "memory");
  } while (d != NTHREADS);
  out_s("threads");
  out_kv("counter", counter);
  out_kv("pair0", pair_counter[0]);
  out_kv("pair1", pair_counter[1]);
  out_nl();
}

static int test_main(void) {
  for (unsigned i = 0; i < sizeof ex_cases / sizeof ex_cases[0]; i++)
    for (unsigned k = 0; k < 3; k++) {
      set_mem(k);
      u64 v = op_vals[k + 4], ld;
      u64 st = ex_cases[i].fn(mem, v, &ld);
      out_s(ex_cases[i].name);
      out_kv("v", v);
      out_s(" ->");
      out_kv("st", st);
      out_kv("ld", ld);
      out_mem();
      out_kv("o", other[0]);
      out_nl();
    }
  for (unsigned i = 0; i < sizeof op_cases / sizeof op_cases[0]; i++)
    for (unsigned m = 0; m < sizeof mem_vals / sizeof mem_vals[0]; m++)
      for (unsigned k = 0; k < sizeof op_vals / sizeof op_vals[0]; k++) {
        mem[0] = mem[1] = mem_vals[m];
        /* half the cas cases expect what memory holds */
        u64 s = k % 2 ? mem_vals[m] : op_vals[k];
        u64 r = op_cases[i].fn(mem, s);
        out_s(op_cases[i].name);
        out_kv("m", mem_vals[m]);
        out_kv("s", s);
        out_s(" ->");
        out_kv("r", r);
        out_kv("m0", mem[0]);
        out_kv("m1", mem[1]);
        out_nl();
      }
  threads();
  return 0;
}
