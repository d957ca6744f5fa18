/* threads.c — guest pthreads, compared with a native run: locked read-modify-
 * writes of every kind and __atomic builtins from several threads, a mutex
 * counter, producer/consumer on condition variables, a barrier, __thread
 * variables, threads creating threads, pthread_exit while others run, detached
 * threads, a robust mutex whose owner dies, glibc's raw clone() (the clone
 * syscall; pthread_create uses clone3), and at the end the main thread leaves
 * with pthread_exit while a detached thread finishes the program. Threads also
 * run a lot of varied libc code, so a small code cache flushes under them.
 * Output is printed by the main thread after joins: deterministic. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NT 4
#define MAX_ITER 20000
static int ITER = MAX_ITER; /* argv[1]: rounds per thread */

static int failures;
#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      printf("FAIL line %d: %s\n", __LINE__, #cond);                    \
      failures++;                                                       \
    }                                                                   \
  } while (0)

static void run_threads(int n, void *(*fn)(void *)) {
  pthread_t th[16];
  for (long i = 0; i < n; i++)
    CHECK(pthread_create(&th[i], NULL, fn, (void *)i) == 0);
  for (int i = 0; i < n; i++)
    CHECK(pthread_join(th[i], NULL) == 0);
}

/* -- Locked instructions --------------------------------------------------- */

static uint8_t add8;
static uint16_t add16;
static uint32_t add32, incdec32 = 1000000;
static uint64_t add64, sub64, xadd64, cas64, adc64, sbb64;
static uint64_t orand64, xor64, not64 = 0x0123456789abcdefull, neg64 = 12345, btc64;
static uint64_t spin_xchg, spin_bts, plain_xchg, plain_bts;
static uint64_t cas8b_lo, cas8b_hi;
static unsigned char xadd_seen[NT * MAX_ITER];
static struct { uint64_t lo, hi; } cas16 __attribute__((aligned(16)));
static uint8_t xadd8, cas8, orand8;
static uint16_t xadd16, inc16;
static uint32_t xadd32, cas32;
static uint64_t dec64 = 1ull << 40, bitstr[NT]; /* bitstr: bt with a register bit offset */

static int start_line; /* all threads race from here (spinning: all are on a cpu) */

#ifndef __x86_64__
/* The same read-modify-writes where there is no x86 lock prefix: __atomic
 * builtins (exclusive pairs or LSE atomics on AArch64) and, for the 128-bit
 * pair, a load/store-exclusive pair loop. The totals are x86's. */
#define SEQ __ATOMIC_SEQ_CST
static void locked_ops_generic(long me, uint64_t bit, uint64_t pattern) {
  __atomic_fetch_add(&add8, 1, SEQ);
  __atomic_fetch_add(&add16, 1, SEQ);
  __atomic_fetch_add(&add32, 1, SEQ);
  __atomic_fetch_add(&add64, 1, SEQ);
  __atomic_fetch_sub(&sub64, 1, SEQ);
  __atomic_fetch_add(&incdec32, 1, SEQ);
  __atomic_add_fetch(&incdec32, 1, SEQ);
  __atomic_sub_fetch(&incdec32, 1, SEQ);
  xadd_seen[__atomic_fetch_add(&xadd64, 1, SEQ)]++;
  uint64_t old = cas64;
  while (!__atomic_compare_exchange_n(&cas64, &old, old + 1, false, SEQ, SEQ))
    ;
  __atomic_fetch_add(&adc64, 3, SEQ);
  __atomic_fetch_sub(&sbb64, 3, SEQ);
  __atomic_fetch_or(&orand64, bit, SEQ);
  __atomic_fetch_and(&orand64, ~bit, SEQ);
  __atomic_fetch_xor(&xor64, pattern, SEQ);
  __atomic_fetch_xor(&not64, ~0ull, SEQ);
  uint64_t n = __atomic_load_n(&neg64, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(&neg64, &n, -n, true, SEQ, SEQ))
    ;
  __atomic_fetch_xor(&btc64, 1ull << me, SEQ);
  while (__atomic_exchange_n(&spin_xchg, 1, __ATOMIC_ACQUIRE))
    ;
  plain_xchg++;
  __atomic_store_n(&spin_xchg, 0, __ATOMIC_RELEASE);
  while (__atomic_fetch_or(&spin_bts, 1, __ATOMIC_ACQUIRE) & 1)
    ;
  plain_bts++;
  __atomic_fetch_and(&spin_bts, ~1ull, __ATOMIC_RELEASE);
  __atomic_fetch_add(&cas8b_lo, 1, SEQ);
  __atomic_fetch_add(&xadd8, 1, SEQ);
  __atomic_fetch_add(&xadd16, 1, SEQ);
  __atomic_fetch_add(&xadd32, 1, SEQ);
  uint8_t o8 = __atomic_load_n(&cas8, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(&cas8, &o8, (uint8_t)(o8 + 1), false, SEQ, SEQ))
    ;
  uint32_t o32 = __atomic_load_n(&cas32, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(&cas32, &o32, o32 + 1, false, SEQ, SEQ))
    ;
  __atomic_fetch_add(&inc16, 1, SEQ);
  __atomic_fetch_sub(&dec64, 1, SEQ);
  __atomic_fetch_or(&orand8, (uint8_t)(1u << me), SEQ);
  __atomic_fetch_and(&orand8, (uint8_t)~(1u << me), SEQ);
  __atomic_fetch_xor(&bitstr[me], 1ull << 3, SEQ);
#ifdef __aarch64__
  uint64_t lo, hi;
  uint32_t fail;
  __asm__ volatile("1: ldaxp %0, %1, [%3]\n\tadd %0, %0, #1\n\tadd %1, %1, #1\n\t"
                   "stlxp %w2, %0, %1, [%3]\n\tcbnz %w2, 1b"
                   : "=&r"(lo), "=&r"(hi), "=&r"(fail)
                   : "r"(&cas16)
                   : "memory");
#else
  __atomic_fetch_add(&cas16.lo, 1, SEQ); /* two halves: the totals are the same */
  __atomic_fetch_add(&cas16.hi, 1, SEQ);
#endif
}
#endif

static void *locked_ops(void *arg) {
  long me = (long)arg;
  __atomic_fetch_add(&start_line, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&start_line, __ATOMIC_ACQUIRE) < NT)
    sched_yield();
  uint64_t bit = 1ull << me, pattern = 0x1111111111111111ull << me;
  for (int i = 0; i < ITER; i++) {
#ifdef __x86_64__
    __asm__ volatile("lock addb $1, %0" : "+m"(add8));
    __asm__ volatile("lock addw $1, %0" : "+m"(add16));
    __asm__ volatile("lock addl $1, %0" : "+m"(add32));
    __asm__ volatile("lock addq $1, %0" : "+m"(add64));
    __asm__ volatile("lock subq $1, %0" : "+m"(sub64));
    __asm__ volatile("lock incl %0\n\tlock incl %0\n\tlock decl %0" : "+m"(incdec32));
    uint64_t ticket = 1;
    __asm__ volatile("lock xaddq %0, %1" : "+r"(ticket), "+m"(xadd64));
    xadd_seen[ticket]++; /* each ticket goes to exactly one thread */
    uint64_t old = cas64, upd;
    do
      upd = old + 1;
    while (!__atomic_compare_exchange_n(&cas64, &old, upd, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST));
    __asm__ volatile("stc\n\tlock adcq $2, %0" : "+m"(adc64)::"cc");  /* +3 */
    __asm__ volatile("stc\n\tlock sbbq $2, %0" : "+m"(sbb64)::"cc");  /* -3 */
    __asm__ volatile("lock orq %1, %0" : "+m"(orand64) : "r"(bit));
    __asm__ volatile("lock andq %1, %0" : "+m"(orand64) : "r"(~bit));
    __asm__ volatile("lock xorq %1, %0" : "+m"(xor64) : "r"(pattern));
    __asm__ volatile("lock notq %0" : "+m"(not64));
    __asm__ volatile("lock negq %0" : "+m"(neg64)::"cc");
    __asm__ volatile("lock btcq %1, %0" : "+m"(btc64) : "r"(me)  : "cc");
    /* xchg (always locked) as a spinlock around a plain counter */
    uint64_t v;
    do {
      v = 1;
      __asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(spin_xchg));
    } while (v);
    plain_xchg++;
    __atomic_store_n(&spin_xchg, 0, __ATOMIC_RELEASE);
    /* lock bts / lock btr as another */
    unsigned char was;
    do
      __asm__ volatile("lock btsq $0, %0\n\tsetc %1" : "+m"(spin_bts), "=q"(was)::"cc");
    while (was);
    plain_bts++;
    __asm__ volatile("lock btrq $0, %0" : "+m"(spin_bts)::"cc");
    /* cmpxchg8b: a 64-bit counter in edx:eax halves; cmpxchg16b: a 128-bit one */
    uint32_t lo = (uint32_t)cas8b_lo, hi = 0;
    unsigned char ok;
    do {
      uint32_t nlo = lo + 1, nhi = hi + (nlo == 0);
      __asm__ volatile("lock cmpxchg8b %2\n\tsete %3"
                       : "+a"(lo), "+d"(hi), "+m"(cas8b_lo), "=q"(ok)
                       : "b"(nlo), "c"(nhi)
                       : "cc");
    } while (!ok);
    /* the other operand sizes */
    uint8_t one8 = 1, bit8 = (uint8_t)(1u << me);
    uint16_t one16 = 1;
    uint32_t one32 = 1;
    __asm__ volatile("lock xaddb %0, %1" : "+q"(one8), "+m"(xadd8));
    __asm__ volatile("lock xaddw %0, %1" : "+r"(one16), "+m"(xadd16));
    __asm__ volatile("lock xaddl %0, %1" : "+r"(one32), "+m"(xadd32));
    uint8_t o8 = __atomic_load_n(&cas8, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&cas8, &o8, (uint8_t)(o8 + 1), false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
      ;
    uint32_t o32 = __atomic_load_n(&cas32, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&cas32, &o32, o32 + 1, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
      ;
    __asm__ volatile("lock incw %0" : "+m"(inc16)::"cc");
    __asm__ volatile("lock decq %0" : "+m"(dec64)::"cc");
    __asm__ volatile("lock orb %1, %0" : "+m"(orand8) : "q"(bit8) : "cc");
    __asm__ volatile("lock andb %1, %0" : "+m"(orand8) : "q"((uint8_t)~bit8) : "cc");
    __asm__ volatile("lock btcq %1, (%0)" ::"r"(bitstr), "r"(64 * me + 3) : "memory", "cc");
    uint64_t olo = cas16.lo, ohi = cas16.hi;
    do
      __asm__ volatile("lock cmpxchg16b %2\n\tsete %3"
                       : "+a"(olo), "+d"(ohi), "+m"(cas16), "=q"(ok)
                       : "b"(olo + 1), "c"(ohi + 1)
                       : "cc");
    while (!ok);
#else
    locked_ops_generic(me, bit, pattern);
#endif
  }
  return NULL;
}

static void test_locked_ops(void) {
  uint64_t total = (uint64_t)NT * ITER;
  sub64 = total;
  sbb64 = 3 * total;
  run_threads(NT, locked_ops);
  printf("lock add: %u %u %u %llu\n", add8, add16, add32, (unsigned long long)add64);
  CHECK(add8 == (uint8_t)total && add16 == (uint16_t)total && add32 == total && add64 == total);
  CHECK(sub64 == 0 && incdec32 == 1000000 + total);
  CHECK(xadd64 == total && cas64 == total && adc64 == 3 * total && sbb64 == 0);
  int dup = 0;
  for (uint64_t i = 0; i < total; i++)
    dup += xadd_seen[i] != 1;
  CHECK(dup == 0);
  CHECK(orand64 == 0);
  uint64_t want_xor = 0;
  for (int t = 0; t < NT; t++)
    if (ITER & 1)
      want_xor ^= 0x1111111111111111ull << t;
  CHECK(xor64 == want_xor);
  CHECK(not64 == ((total & 1) ? ~0x0123456789abcdefull : 0x0123456789abcdefull));
  CHECK(neg64 == ((total & 1) ? (uint64_t)-12345 : 12345));
  CHECK(btc64 == ((ITER & 1) ? (1ull << NT) - 1 : 0));
  CHECK(plain_xchg == total && plain_bts == total && spin_xchg == 0 && spin_bts == 0);
  CHECK(cas8b_lo == total && cas8b_hi == 0);
  CHECK(cas16.lo == total && cas16.hi == total);
  CHECK(xadd8 == (uint8_t)total && xadd16 == (uint16_t)total && xadd32 == total);
  CHECK(cas8 == (uint8_t)total && cas32 == total && inc16 == (uint16_t)total);
  CHECK(dec64 == (1ull << 40) - total && orand8 == 0);
  for (int t = 0; t < NT; t++)
    CHECK(bitstr[t] == ((ITER & 1) ? 8u : 0u));
  printf("sizes: xadd %u %u %u cas %u %u inc16 %u dec %llu\n", xadd8, xadd16, xadd32, cas8, cas32,
         inc16, (unsigned long long)dec64);
  printf("locked rmw: xadd %llu cas %llu adc %llu xor %llx spin %llu/%llu cas16 %llu:%llu\n",
         (unsigned long long)xadd64, (unsigned long long)cas64, (unsigned long long)adc64,
         (unsigned long long)xor64, (unsigned long long)plain_xchg,
         (unsigned long long)plain_bts, (unsigned long long)cas16.hi,
         (unsigned long long)cas16.lo);
}

/* -- Builtins, a mutex, and plenty of libc code ---------------------------- */

static long atomic_sum;
static long mutex_sum;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long libc_digest[NT];

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* Deterministic work through printf, strtod, qsort, string functions. */
static unsigned long libc_work(long me, int round) {
  char buf[256];
  int n = snprintf(buf, sizeof buf, "%ld:%d %s %08x %.3f %g %e %-5s|%c", me, round, "thr",
                   round * 2654435761u, round / 7.0, me * 1e10 + round, round * 0.5, "ab",
                   'a' + round % 26);
  unsigned long h = (unsigned long)n;
  for (int i = 0; i < n; i++)
    h = h * 31 + (unsigned char)buf[i];
  double d = strtod("12345.6789e-3", NULL) * round;
  h += (unsigned long)(long)d;
  int v[32];
  for (int i = 0; i < 32; i++)
    v[i] = (int)((i * 7919 + round * 104729 + me) % 1000);
  qsort(v, 32, sizeof v[0], cmp_int);
  for (int i = 0; i < 32; i++)
    h = h * 3 + (unsigned long)v[i];
  char *dup = strdup(buf);
  h += strlen(dup) + (strstr(dup, "thr") ? 1 : 0);
  free(dup);
  return h;
}

static void *builtins_and_mutex(void *arg) {
  long me = (long)arg;
  unsigned long h = 0;
  for (int i = 0; i < ITER; i++) {
    __atomic_fetch_add(&atomic_sum, i, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&mutex);
    mutex_sum += i;
    pthread_mutex_unlock(&mutex);
    if (i % 40 == 0)
      h += libc_work(me, i);
  }
  libc_digest[me] = h;
  return NULL;
}

static void test_builtins_and_mutex(void) {
  run_threads(NT, builtins_and_mutex);
  long want = (long)NT * ITER * (ITER - 1) / 2;
  CHECK(atomic_sum == want && mutex_sum == want);
  printf("atomic sum %ld, mutex sum %ld\n", atomic_sum, mutex_sum);
  for (int i = 0; i < NT; i++)
    printf("libc digest %d: %lx\n", i, libc_digest[i]);
}

/* -- Producer / consumer ---------------------------------------------------- */

#define QCAP 8
#define ITEMS 5000
static int queue[QCAP], qhead, qcount, produced_done;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long consumed_sum[2], consumed_n[2];

static void *producer(void *arg) {
  long me = (long)arg;
  for (int i = 1; i <= ITEMS; i++) {
    pthread_mutex_lock(&qlock);
    while (qcount == QCAP)
      pthread_cond_wait(&not_full, &qlock);
    queue[(qhead + qcount++) % QCAP] = i * (int)(me + 1);
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&qlock);
  }
  pthread_mutex_lock(&qlock);
  produced_done++;
  pthread_cond_broadcast(&not_empty);
  pthread_mutex_unlock(&qlock);
  return NULL;
}

static void *consumer(void *arg) {
  long me = (long)arg - 2;
  for (;;) {
    pthread_mutex_lock(&qlock);
    while (qcount == 0 && produced_done < 2)
      pthread_cond_wait(&not_empty, &qlock);
    if (qcount == 0) {
      pthread_mutex_unlock(&qlock);
      return NULL;
    }
    int v = queue[qhead];
    qhead = (qhead + 1) % QCAP;
    qcount--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&qlock);
    consumed_sum[me] += v;
    consumed_n[me]++;
  }
}

static void *pc_role(void *arg) { return (long)arg < 2 ? producer(arg) : consumer(arg); }

static void test_producer_consumer(void) {
  run_threads(4, pc_role);
  long n = consumed_n[0] + consumed_n[1], sum = consumed_sum[0] + consumed_sum[1];
  long want = (long)ITEMS * (ITEMS + 1) / 2 * 3;
  CHECK(n == 2 * ITEMS && sum == want);
  printf("producer/consumer: %ld items, sum %ld\n", n, sum);
}

/* -- Barrier, __thread ------------------------------------------------------ */

static __thread int tls_counter = 42;
static __thread char tls_name[32] = "initial";
static pthread_barrier_t barrier;
static int tls_ok[NT];

static void *tls_worker(void *arg) {
  long me = (long)arg;
  int ok = tls_counter == 42 && strcmp(tls_name, "initial") == 0; /* a fresh TLS image */
  tls_counter = (int)me * 1000;
  snprintf(tls_name, sizeof tls_name, "thread-%ld", me);
  pthread_barrier_wait(&barrier); /* everybody has written theirs */
  for (int i = 0; i < 1000; i++) {
    tls_counter++;
    if (i % 100 == 0)
      sched_yield();
  }
  pthread_barrier_wait(&barrier);
  char want[32];
  snprintf(want, sizeof want, "thread-%ld", me);
  ok = ok && tls_counter == (int)me * 1000 + 1000 && strcmp(tls_name, want) == 0;
  tls_ok[me] = ok;
  return NULL;
}

static void test_tls_barrier(void) {
  pthread_barrier_init(&barrier, NULL, NT);
  tls_counter = 7; /* the main thread's copy only */
  run_threads(NT, tls_worker);
  pthread_barrier_destroy(&barrier);
  for (int i = 0; i < NT; i++)
    CHECK(tls_ok[i]);
  CHECK(tls_counter == 7 && strcmp(tls_name, "initial") == 0);
  printf("tls: %d %d %d %d, main %d\n", tls_ok[0], tls_ok[1], tls_ok[2], tls_ok[3], tls_counter);
}

/* -- Threads creating threads, pthread_exit, detached --------------------- */

static void *tree(void *arg) {
  long depth = (long)arg;
  if (depth == 0)
    return (void *)1;
  pthread_t a, b;
  void *ra, *rb;
  CHECK(pthread_create(&a, NULL, tree, (void *)(depth - 1)) == 0);
  CHECK(pthread_create(&b, NULL, tree, (void *)(depth - 1)) == 0);
  pthread_join(a, &ra);
  pthread_join(b, &rb);
  return (void *)(1 + (long)ra + (long)rb);
}

static int busy_stop;
static long busy_count;
static void *busy(void *arg) {
  while (!__atomic_load_n(&busy_stop, __ATOMIC_ACQUIRE))
    __atomic_fetch_add(&busy_count, 1, __ATOMIC_RELAXED);
  return arg;
}

static void leave_deep(int n) {
  if (n == 0)
    pthread_exit((void *)123);
  leave_deep(n - 1);
  printf("not reached\n");
}

static void *exits_early(void *arg) {
  leave_deep(5);
  return NULL;
}

static int detached_done;
static pthread_mutex_t dlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dcond = PTHREAD_COND_INITIALIZER;

static void *detached(void *arg) {
  unsigned long h = libc_work((long)arg, 3);
  pthread_mutex_lock(&dlock);
  detached_done += h != 0;
  pthread_cond_signal(&dcond);
  pthread_mutex_unlock(&dlock);
  return NULL;
}

static void test_lifetimes(void) {
  pthread_t t;
  void *r;
  CHECK(pthread_create(&t, NULL, tree, (void *)4) == 0);
  pthread_join(t, &r);
  printf("thread tree: %ld threads\n", (long)r);
  CHECK((long)r == 31);

  pthread_t b[2], e;
  for (long i = 0; i < 2; i++)
    pthread_create(&b[i], NULL, busy, (void *)i);
  CHECK(pthread_create(&e, NULL, exits_early, NULL) == 0);
  pthread_join(e, &r);
  printf("pthread_exit value: %ld\n", (long)r);
  CHECK((long)r == 123);
  __atomic_store_n(&busy_stop, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < 2; i++) {
    pthread_join(b[i], &r);
    CHECK((long)r == i);
  }

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  for (long i = 0; i < 8; i++)
    CHECK(pthread_create(&t, &attr, detached, (void *)i) == 0);
  pthread_attr_destroy(&attr);
  pthread_mutex_lock(&dlock);
  while (detached_done < 8)
    pthread_cond_wait(&dcond, &dlock);
  pthread_mutex_unlock(&dlock);
  printf("detached threads: %d\n", detached_done);
}

/* -- A robust mutex whose owner dies holding it ---------------------------- */

static pthread_mutex_t robust;
static int robust_locked;

static void *robust_owner(void *arg) {
  pthread_mutex_lock(&robust);
  __atomic_store_n(&robust_locked, 1, __ATOMIC_RELEASE);
  usleep(50000); /* main is waiting in pthread_mutex_lock by now (most likely) */
  return NULL;   /* exits holding it */
}

static void test_robust(void) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &a);
  pthread_t t;
  pthread_create(&t, NULL, robust_owner, NULL);
  while (!__atomic_load_n(&robust_locked, __ATOMIC_ACQUIRE))
    sched_yield();
  int rc = pthread_mutex_lock(&robust); /* woken by the owner's death */
  printf("robust mutex after owner death: %s\n", rc == EOWNERDEAD ? "EOWNERDEAD" : strerror(rc));
  CHECK(rc == EOWNERDEAD);
  pthread_mutex_consistent(&robust);
  pthread_mutex_unlock(&robust);
  pthread_join(t, NULL);
  CHECK(pthread_mutex_lock(&robust) == 0);
  pthread_mutex_unlock(&robust);
}

/* -- glibc's clone(): the clone syscall with a TLS of our own --------------- */

struct fake_tcb { /* enough for %fs:0 (self) and the stack protector's %fs:0x28 */
  struct fake_tcb *self;
  char pad[0x200];
};

static struct fake_tcb tcb;
static volatile uintptr_t child_fs0;
static int child_runs;

static int clone_child(void *arg) {
  uintptr_t fs0;
#ifdef __aarch64__
  __asm__ volatile("mrs %0, tpidr_el0" : "=r"(fs0)); /* the thread pointer is the tls argument */
#else
  __asm__ volatile("movq %%fs:0, %0" : "=r"(fs0));
#endif
  child_fs0 = fs0;
  __atomic_fetch_add(&child_runs, *(int *)arg, __ATOMIC_SEQ_CST);
  return 0; /* glibc's clone then calls exit: this thread only */
}

static void test_raw_clone(void) {
  enum { STACK = 64 * 1024 };
  char *stack = malloc(STACK);
  tcb.self = &tcb;
  pid_t ptid = 0, ctid = 1;
  int add = 5;
  int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
              CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
  int tid = clone(clone_child, stack + STACK, flags, &add, &ptid, &tcb, &ctid);
  CHECK(tid > 0);
  int v;
  while ((v = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE)) != 0) /* CLONE_CHILD_CLEARTID */
    syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
  CHECK(ptid == tid && tid != getpid());
  CHECK(child_fs0 == (uintptr_t)&tcb && child_runs == 5);
  printf("raw clone: ptid %s, child saw its TLS %s, ran %d\n", ptid == tid ? "ok" : "wrong",
         child_fs0 == (uintptr_t)&tcb ? "yes" : "no", child_runs);
  free(stack);
}

/* -- The end: main leaves first ------------------------------------------- */

static void *finisher(void *arg) {
  usleep(20000); /* main has called pthread_exit */
  printf("finisher: %s\n", failures ? "FAILURES" : "all ok");
  fflush(stdout);
  return NULL; /* the last thread: glibc ends the process with status 0 */
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && atoi(argv[1]) > 0 && atoi(argv[1]) <= MAX_ITER)
    ITER = atoi(argv[1]);
  test_locked_ops();
  test_builtins_and_mutex();
  test_producer_consumer();
  test_tls_barrier();
  test_lifetimes();
#ifndef ORACLE_QEMU_USER /* qemu-user, the AArch64 oracle, has no robust futex lists */
  test_robust();
#endif
  test_raw_clone();
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&t, &attr, finisher, NULL);
  pthread_exit(NULL);
}
