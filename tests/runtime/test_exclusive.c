/* test_exclusive.c — the runtime under several threads: exclusive sections stop
 * every cpu running generated code (and only those), and code-cache flushes
 * (cache full, or asked for) and invalidations happen while other threads run
 * blocks, chain them and fill their jump caches. The guest is a table frontend:
 * a ring of NBLK blocks, each adding 1 to r0 and going on to the next block
 * (by a chained or a computed exit) until r0 reaches r1, then a syscall. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu.h"
#include "engine.h"
#include "ir_copy.h"
#include "test_regfile.h"

#define RING 0x100000ull
#define NBLK 512u
#define END 0x900000ull

static uint64_t ring_next(uint64_t pc) { return RING + (pc - RING + 16) % (NBLK * 16); }

static void ring_translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info) {
  char text[512], exit_text[96];
  if ((pc / 16) % 3 == 0) /* a computed exit: the jump cache */
    snprintf(exit_text, sizeof exit_text, "  %%n:i64 = const 0x%llx\n  exiti %%n\n",
             (unsigned long long)ring_next(pc));
  else
    snprintf(exit_text, sizeof exit_text, "  exit 0x%llx\n", (unsigned long long)ring_next(pc));
  snprintf(text, sizeof text,
           "func {\nb0:\n  insn 0x%llx, 16\n  %%a:i64 = get r0\n  %%one:i64 = const 1\n"
           "  %%b:i64 = add %%a, %%one\n  set r0, %%b\n  %%lim:i64 = get r1\n"
           "  %%lt:i1 = cmp.ult %%b, %%lim\n  br %%lt, b1, b2\nb1:\n%sb2:\n  syscall 0x%llx\n}\n",
           (unsigned long long)pc, exit_text, (unsigned long long)END);
  char err[128];
  IrFunc *parsed = ir_parse(text, &test_regfile, err, sizeof err);
  if (!parsed) {
    fprintf(stderr, "ring frontend: %s\n%s", err, text);
    abort();
  }
  test_ir_copy_into(fn, parsed);
  ir_func_free(parsed);
  fn->entry = pc;
  *info = (IrBlockInfo){pc, 16, 1};
}

static const IrFrontend ring_frontend = {.name = "ring", .rf = &test_regfile, .pc_slot = T_PC,
                                         .max_insn_bytes = 16, .translate = ring_translate};

static EmuEngine *new_engine(EmuTier tier, size_t cache) {
  EmuEngineConfig cfg = {.frontend = &ring_frontend, .tier = tier, .code_cache_size = cache};
  EmuEngine *e = emu_engine_new(&cfg);
  assert_non_null(e);
  return e;
}

static uint64_t load64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static TestCpu *state_of(EmuCpu *c) { return emu_guest(c); }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A worker runs its cpu around the ring until r0 reaches r1 (the syscall exit)
 * or stop is set; interrupts (kicks) just re-enter emu_exec. */
typedef struct Worker {
  pthread_t th;
  EmuCpu *cpu;
  volatile int *stop;
  unsigned interrupts;
  EmuExitReason last;
} Worker;

static void *worker_main(void *arg) {
  Worker *w = arg;
  for (;;) {
    EmuExit x = emu_exec(w->cpu);
    w->last = x.reason;
    if (x.reason == EMU_EXIT_SYSCALL || x.reason == EMU_EXIT_EXCEPTION)
      break;
    w->interrupts++;
    if (__atomic_load_n(w->stop, __ATOMIC_RELAXED))
      break;
  }
  return NULL;
}

static void start_workers(EmuEngine *e, Worker *w, unsigned n, uint64_t limit, volatile int *stop) {
  for (unsigned i = 0; i < n; i++) {
    w[i] = (Worker){.cpu = emu_cpu_new(e, NULL), .stop = stop};
    assert_non_null(w[i].cpu);
    TestCpu *s = state_of(w[i].cpu);
    memset(s, 0, sizeof *s);
    s->r[1] = limit;
    emu_cpu_set_pc(w[i].cpu, RING + 16 * ((i * 97) % NBLK)); /* each starts elsewhere */
    assert_int_equal(pthread_create(&w[i].th, NULL, worker_main, &w[i]), 0);
  }
}

static void stop_workers(Worker *w, unsigned n, volatile int *stop) {
  __atomic_store_n(stop, 1, __ATOMIC_RELAXED);
  for (unsigned i = 0; i < n; i++) {
    emu_cpu_kick(w[i].cpu);
    pthread_join(w[i].th, NULL);
  }
}

/* Inside a section no cpu moves, and none is running; after it they go on. */
static void test_exclusive_stops_running_cpus(void **unused) {
  EmuEngine *e = new_engine(EMU_TIER_FAST, 0);
  enum { N = 4 };
  Worker w[N];
  volatile int stop = 0;
  start_workers(e, w, N, UINT64_MAX, &stop);
  usleep(20000);
  for (int round = 0; round < 20; round++) {
    uint64_t before[N], after[N];
    emu_exclusive_start(e);
    for (int i = 0; i < N; i++) {
      /* A cpu that re-entered emu_exec just now shows running = 1 until it
       * sees the section and parks (running = 0): it runs no guest code. */
      int running = 1;
      for (int wait = 0; wait < 10000 && running; wait++) {
        running = __atomic_load_n(&w[i].cpu->rt.running, __ATOMIC_SEQ_CST);
        if (running)
          usleep(100);
      }
      assert_int_equal(running, 0);
      before[i] = load64(&state_of(w[i].cpu)->r[0]);
    }
    usleep(2000);
    for (int i = 0; i < N; i++)
      assert_int_equal(load64(&state_of(w[i].cpu)->r[0]), before[i]);
    emu_exclusive_end(e);
    for (int i = 0; i < N; i++) { /* each goes on (within 10 s: loaded machines) */
      for (int wait = 0; wait < 10000 && load64(&state_of(w[i].cpu)->r[0]) == before[i]; wait++)
        usleep(1000);
      after[i] = load64(&state_of(w[i].cpu)->r[0]);
      assert_true(after[i] > before[i]);
    }
  }
  stop_workers(w, N, &stop);
  for (int i = 0; i < N; i++) {
    assert_true(w[i].interrupts >= 20); /* every section kicked every cpu */
    emu_cpu_free(w[i].cpu);
  }
  emu_engine_free(e);
}

/* A cpu whose thread is outside emu_exec (a runner blocked in a syscall) does
 * not hold a section up, and waits at its next entry if one is on. */
static void test_blocked_cpu_does_not_delay(void **unused) {
  EmuEngine *e = new_engine(EMU_TIER_FAST, 0);
  EmuCpu *idle = emu_cpu_new(e, NULL); /* registered, never entering emu_exec */
  Worker w[1];
  volatile int stop = 0;
  start_workers(e, w, 1, UINT64_MAX, &stop);
  usleep(10000);
  double t0 = now_s();
  for (int i = 0; i < 50; i++)
    emu_engine_flush(e);
  double dt = now_s() - t0;
  printf("flush with one running cpu and one idle: %.0f us each\n", dt * 1e6 / 50);
  assert_true(dt < 2.0);
  assert_true(emu_engine_stats(e)->flushes >= 50);
  /* A cpu entering emu_exec during a section waits for its end. */
  TestCpu *s = state_of(idle);
  memset(s, 0, sizeof *s);
  s->r[1] = 100;
  emu_cpu_set_pc(idle, RING);
  emu_exclusive_start(e);
  Worker late = {.cpu = idle, .stop = &stop};
  assert_int_equal(pthread_create(&late.th, NULL, worker_main, &late), 0);
  usleep(20000);
  assert_int_equal(load64(&s->r[0]), 0);
  emu_exclusive_end(e);
  pthread_join(late.th, NULL);
  assert_int_equal(late.last, EMU_EXIT_SYSCALL);
  assert_int_equal(s->r[0], 100);
  stop_workers(w, 1, &stop);
  emu_cpu_free(w[0].cpu);
  emu_cpu_free(idle);
  emu_engine_free(e);
}

/* Threads run the ring to a count while the cache (64 KiB, far smaller than the
 * ring's code) fills and flushes again and again, and another thread flushes
 * and invalidates too. Every count must come out exact. */
static void run_under_flushes(EmuTier tier, size_t cache) {
  EmuEngine *e = new_engine(tier, cache);
  enum { N = 4 };
  const uint64_t limit = 20000;
  Worker w[N];
  volatile int stop = 0;
  start_workers(e, w, N, limit, &stop);
  uint64_t seed = 12345;
  int done = 0;
  uint64_t asked = 0;
  while (!done) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t at = RING + 16 * ((seed >> 33) % NBLK);
    if ((seed >> 20) % 8 == 0) {
      emu_engine_flush(e);
      asked++;
    } else {
      emu_engine_invalidate(e, at, at + 16 * ((seed >> 40) % 8 + 1));
    }
    usleep(200);
    done = 1;
    for (int i = 0; i < N; i++)
      if (load64(&state_of(w[i].cpu)->r[0]) < limit)
        done = 0;
  }
  for (int i = 0; i < N; i++) {
    pthread_join(w[i].th, NULL);
    assert_int_equal(w[i].last, EMU_EXIT_SYSCALL);
    assert_int_equal(state_of(w[i].cpu)->r[0], limit);
    assert_int_equal(emu_cpu_pc(w[i].cpu), END);
    emu_cpu_free(w[i].cpu);
  }
  const EmuStats *st = emu_engine_stats(e);
  assert_true(st->flushes >= asked);
  if (tier != EMU_TIER_INTERP)
    assert_true(st->flushes > asked + 10); /* the cache also ran full, often */
  assert_true(st->blocks_executed > 0);
  printf("%s: %llu flushes (%llu asked for), %llu blocks translated\n",
         tier == EMU_TIER_INTERP ? "interp" : "fast", (unsigned long long)st->flushes,
         (unsigned long long)asked, (unsigned long long)st->blocks_translated);
  emu_engine_free(e);
}

static void test_flush_while_running_fast(void **unused) {
  run_under_flushes(EMU_TIER_FAST, 64 << 10);
}

static void test_flush_while_running_interp(void **unused) {
  run_under_flushes(EMU_TIER_INTERP, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exclusive_stops_running_cpus),
      cmocka_unit_test(test_blocked_cpu_does_not_delay),
      cmocka_unit_test(test_flush_while_running_fast),
      cmocka_unit_test(test_flush_while_running_interp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
