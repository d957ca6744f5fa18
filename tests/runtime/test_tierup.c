/* test_tierup.c — the auto tier: hot loops are found by the tier-1 counters,
 * grown into regions along taken edges, compiled by backend_llvm in the
 * background and installed in place of the entry block. The guest is a table
 * frontend with two loops: a one-block loop at LOOP1 and a two-block loop at
 * LOOP2/LOOP2B; each counts r3 up to r1 adding r2 to r0 on the way, then
 * leaves by a syscall. Results must be exact whichever tier ran them. */
#define _GNU_SOURCE /* nftw */
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu.h"
#include "engine.h"
#include "ir_copy.h"
#include "test_regfile.h"

#define LOOP1 0x1000ull
#define LOOP2 0x2000ull
#define LOOP2B 0x2010ull
#define DONE 0x9000ull

static const char *block_text(uint64_t pc, char *buf, size_t size) {
  static const char *const step = "  %a:i64 = get r0\n  %d:i64 = get r2\n"
                                  "  %b:i64 = add %a, %d\n  set r0, %b\n";
  static const char *const count = "  %c:i64 = get r3\n  %one:i64 = const 1\n"
                                   "  %c2:i64 = add %c, %one\n  set r3, %c2\n"
                                   "  %lim:i64 = get r1\n  %lt:i1 = cmp.ult %c2, %lim\n";
  if (pc == LOOP1)
    snprintf(buf, size, "func {\nb0:\n  insn 0x%llx, 16\n%s%s  br %%lt, b1, b2\nb1:\n"
             "  exit 0x%llx\nb2:\n  syscall 0x%llx\n}\n", (unsigned long long)pc, step, count,
             (unsigned long long)LOOP1, (unsigned long long)DONE);
  else if (pc == LOOP2)
    snprintf(buf, size, "func {\nb0:\n  insn 0x%llx, 16\n%s  exit 0x%llx\n}\n",
             (unsigned long long)pc, step, (unsigned long long)LOOP2B);
  else if (pc == LOOP2B)
    snprintf(buf, size, "func {\nb0:\n  insn 0x%llx, 16\n%s  br %%lt, b1, b2\nb1:\n"
             "  exit 0x%llx\nb2:\n  syscall 0x%llx\n}\n", (unsigned long long)pc, count,
             (unsigned long long)LOOP2, (unsigned long long)DONE);
  else
    snprintf(buf, size, "func {\nb0:\n  insn 0x%llx, 16\n  %%z:i64 = const 0\n"
             "  raise.undef %%z\n}\n", (unsigned long long)pc);
  return buf;
}

static void table_translate(IrFunc *fn, uint64_t pc, const IrCodeFetch *fetch, IrBlockInfo *info) {
  char text[1024], err[128];
  IrFunc *parsed = ir_parse(block_text(pc, text, sizeof text), &test_regfile, err, sizeof err);
  if (!parsed) {
    fprintf(stderr, "table frontend: %s\n%s", err, text);
    abort();
  }
  test_ir_copy_into(fn, parsed);
  ir_func_free(parsed);
  fn->entry = pc;
  *info = (IrBlockInfo){pc, 16, 1};
}

static const IrFrontend table_frontend = {.name = "table", .rf = &test_regfile, .pc_slot = T_PC,
                                          .max_insn_bytes = 16, .translate = table_translate};

static EmuEngine *new_engine(EmuTier tier, uint32_t threshold) {
  EmuEngineConfig cfg = {.frontend = &table_frontend, .tier = tier, .jit_threshold = threshold};
  EmuEngine *e = emu_engine_new(&cfg);
  assert_non_null(e);
  return e;
}

static TestCpu *state_of(EmuCpu *c) { return emu_guest(c); }

/* A cpu with zeroed state whose loops add `step` to r0 per iteration. */
static EmuCpu *new_cpu(EmuEngine *e, uint64_t step) {
  EmuCpu *cpu = emu_cpu_new(e, NULL);
  assert_non_null(cpu);
  memset(state_of(cpu), 0, sizeof(TestCpu));
  state_of(cpu)->r[2] = step;
  return cpu;
}

/* Run a loop from pc for n more iterations; returns how emu_exec came back. */
static EmuExit run_loop(EmuCpu *cpu, uint64_t pc, uint64_t n) {
  TestCpu *s = state_of(cpu);
  s->r[1] = s->r[3] + n;
  emu_cpu_set_pc(cpu, pc);
  EmuExit x;
  do
    x = emu_exec(cpu);
  while (x.reason == EMU_EXIT_INTERRUPT);
  return x;
}

/* Loop in chunks until the background compiler installed a region (30 s at
 * most: a loaded machine), and return the stats then. */
static const EmuStats *run_until_tiered(EmuEngine *e, EmuCpu *cpu, uint64_t pc) {
  for (int i = 0; i < 3000 && !emu_engine_stats(e)->llvm_regions; i++) {
    assert_int_equal(run_loop(cpu, pc, 20000).reason, EMU_EXIT_SYSCALL);
    usleep(10000);
  }
  const EmuStats *st = emu_engine_stats(e);
  assert_true(st->llvm_regions >= 1);
  return st;
}

/* Once installed, the loop runs inside the region: the tier-1 counters (which
 * give insns_executed) barely move while millions of iterations go by, and the
 * sums are exact. */
static void check_loop_tiers_up(uint64_t pc, uint32_t want_blocks) {
  EmuEngine *e = new_engine(EMU_TIER_AUTO, 500);
  EmuCpu *cpu = new_cpu(e, 3);
  TestCpu *s = state_of(cpu);
  const EmuStats *st = run_until_tiered(e, cpu, pc);
  assert_true(st->llvm_blocks >= want_blocks);
  assert_int_equal(st->llvm_failed, 0);
  uint64_t before = st->insns_executed, iters0 = s->r[3];
  const uint64_t n = 5000000;
  EmuExit x = run_loop(cpu, pc, n);
  assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
  assert_int_equal(emu_cpu_pc(cpu), DONE);
  assert_int_equal(s->r[3], iters0 + n);
  assert_int_equal(s->r[0], 3 * s->r[3]);
  uint64_t tier1 = emu_engine_stats(e)->insns_executed - before;
  printf("%llu iterations after tier-up; %llu counted by tier-1 blocks and thunks\n",
         (unsigned long long)n, (unsigned long long)tier1);
  assert_true(tier1 < n / 100);
  emu_cpu_free(cpu);
  emu_engine_free(e);
}

static void test_one_block_loop(void **unused) { check_loop_tiers_up(LOOP1, 1); }
static void test_two_block_loop_is_one_region(void **unused) {
  check_loop_tiers_up(LOOP2, 2);
}

/* A region loops without returning to the dispatcher: its back edges must
 * still see a kick (signals, exclusive sections) and stop at a block boundary
 * with exact state. */
typedef struct Runner {
  pthread_t th;
  EmuCpu *cpu;
  EmuExit x;
} Runner;

static void *runner_main(void *arg) {
  Runner *r = arg;
  r->x = emu_exec(r->cpu);
  return NULL;
}

static void test_kick_stops_a_region(void **unused) {
  EmuEngine *e = new_engine(EMU_TIER_AUTO, 500);
  EmuCpu *cpu = new_cpu(e, 5);
  TestCpu *s = state_of(cpu);
  run_until_tiered(e, cpu, LOOP2);
  s->r[1] = UINT64_MAX; /* forever */
  emu_cpu_set_pc(cpu, LOOP2);
  Runner r = {.cpu = cpu};
  assert_int_equal(pthread_create(&r.th, NULL, runner_main, &r), 0);
  usleep(50000);
  emu_cpu_kick(cpu);
  pthread_join(r.th, NULL);
  assert_int_equal(r.x.reason, EMU_EXIT_INTERRUPT);
  uint64_t pc = emu_cpu_pc(cpu);
  assert_true(pc == LOOP2 || pc == LOOP2B);
  /* State at a block boundary: r0 = 5 * r3 at LOOP2; one step more at LOOP2B. */
  assert_int_equal(s->r[0], 5 * s->r[3] + (pc == LOOP2B ? 5 : 0));
  /* And it goes on from there. */
  uint64_t n0 = s->r[3];
  EmuExit x = run_loop(cpu, pc, 1000);
  assert_int_equal(x.reason, EMU_EXIT_SYSCALL);
  assert_true(s->r[3] >= n0 + 1000);
  emu_cpu_free(cpu);
  emu_engine_free(e);
}

/* Invalidating a member's code unhooks the region; execution falls back to
 * tier 1 (re-translated) and stays exact; the loop may tier up again. */
static void test_invalidation_drops_the_region(void **unused) {
  EmuEngine *e = new_engine(EMU_TIER_AUTO, 500);
  EmuCpu *cpu = new_cpu(e, 7);
  TestCpu *s = state_of(cpu);
  run_until_tiered(e, cpu, LOOP2);
  pthread_mutex_lock(&e->lock);
  Tb *a = tb_lookup(e, LOOP2), *b = tb_lookup(e, LOOP2B);
  assert_true((a && a->tier2) || (b && b->tier2)); /* either may be the entry */
  Tb *region = a && a->tier2 ? a : b, *other = region == a ? b : a;
  assert_int_equal(region->nranges, 2);
  pthread_mutex_unlock(&e->lock);
  /* The member that is not the entry: the region must go all the same. */
  uint64_t lo = other ? other->pc : (region->pc == LOOP2 ? LOOP2B : LOOP2);
  emu_engine_invalidate(e, lo, lo + 1);
  pthread_mutex_lock(&e->lock);
  assert_true(region->invalid);
  assert_true(tb_lookup(e, region->pc) != region);
  pthread_mutex_unlock(&e->lock);
  assert_int_equal(run_loop(cpu, LOOP2, 100000).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(s->r[0], 7 * s->r[3]);
  emu_cpu_free(cpu);
  emu_engine_free(e);
}

/* Several threads run the same region at once, each on its own state. */
typedef struct Counter {
  pthread_t th;
  EmuCpu *cpu;
  uint64_t n;
} Counter;

static void *counter_main(void *arg) {
  Counter *c = arg;
  for (int i = 0; i < 40; i++)
    if (run_loop(c->cpu, LOOP1, c->n / 40).reason != EMU_EXIT_SYSCALL)
      abort();
  return NULL;
}

static void test_threads_share_regions(void **unused) {
  EmuEngine *e = new_engine(EMU_TIER_AUTO, 300);
  enum { N = 3 };
  Counter c[N];
  for (int i = 0; i < N; i++) {
    c[i] = (Counter){.cpu = new_cpu(e, (uint64_t)i + 1), .n = 4000000};
    assert_int_equal(pthread_create(&c[i].th, NULL, counter_main, &c[i]), 0);
  }
  for (int i = 0; i < N; i++)
    pthread_join(c[i].th, NULL);
  for (int i = 0; i < N; i++) {
    TestCpu *s = state_of(c[i].cpu);
    assert_int_equal(s->r[3], c[i].n);
    assert_int_equal(s->r[0], ((uint64_t)i + 1) * c[i].n);
    emu_cpu_free(c[i].cpu);
  }
  emu_engine_free(e);
}

/* --tier=llvm compiles every block with LLVM: the loop is exact there too. */
static void test_llvm_tier_every_block(void **unused) {
  EmuEngine *e = new_engine(EMU_TIER_LLVM, 0);
  EmuCpu *cpu = new_cpu(e, 11);
  TestCpu *s = state_of(cpu);
  assert_int_equal(run_loop(cpu, LOOP2, 300000).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(s->r[0], 11 * 300000ull);
  const EmuStats *st = emu_engine_stats(e);
  assert_int_equal(st->llvm_blocks, 2);
  assert_int_equal(st->llvm_failed, 0);
  emu_cpu_free(cpu);
  emu_engine_free(e);
}

/* -- Regions from the persistent translation cache --------------------------
 * The table's guest code "lives" in a read-only file mapping [0, 64K) whose
 * bytes are a function of the address and code_version: changing the version
 * is the guest's code changing under the cache. */
static unsigned code_version;

static size_t fake_fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  size_t n = 0;
  for (; n < max && pc + n < 0x10000; n++)
    buf[n] = (uint8_t)((pc + n) * 31 + code_version);
  return n;
}

static bool fake_origin(void *ctx, uint64_t pc, EmuCodeOrigin *out) {
  *out = (EmuCodeOrigin){.key = 0x7ab1e, .base = 0, .lo = 0, .hi = 0x10000, .name = "table"};
  return pc < 0x10000;
}

static EmuEngine *new_cached_engine(const char *dir) {
  EmuEngineConfig cfg = {.frontend = &table_frontend, .tier = EMU_TIER_AUTO, .jit_threshold = 500,
                         .fetch = {.fetch = fake_fetch}, .cache_dir = dir,
                         .code_origin = fake_origin};
  EmuEngine *e = emu_engine_new(&cfg);
  assert_non_null(e);
  assert_non_null(e->tcache);
  return e;
}

static uint64_t llvm_functions(EmuEngine *e) {
  BlStats st;
  bl_jit_stats(e->bl, &st);
  return st.functions;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  return remove(path);
}

/* Run 1 compiles the loop's region and saves it; a flush there makes the same
 * region again, reusing the function (one JIT must not define a name twice).
 * Run 2 installs it at the loop's first entry, without compiling, and again
 * after a flush; run 3, whose guest code changed, does not use it. */
static void test_regions_from_the_cache(void **unused) {
  char dir[] = "/tmp/emu-test-tierup-XXXXXX";
  assert_non_null(mkdtemp(dir));
  EmuEngine *e = new_cached_engine(dir);
  EmuCpu *cpu = new_cpu(e, 3);
  TestCpu *s = state_of(cpu);
  run_until_tiered(e, cpu, LOOP1);
  uint64_t fns = llvm_functions(e);
  emu_engine_flush(e);
  uint64_t regions = emu_engine_stats(e)->llvm_regions;
  for (int i = 0; i < 3000 && emu_engine_stats(e)->llvm_regions == regions; i++) {
    assert_int_equal(run_loop(cpu, LOOP1, 20000).reason, EMU_EXIT_SYSCALL);
    usleep(10000);
  }
  assert_int_equal(emu_engine_stats(e)->llvm_regions, regions + 1);
  assert_int_equal(llvm_functions(e), fns); /* the same identity: not compiled again */
  assert_int_equal(s->r[0], 3 * s->r[3]);
  emu_engine_cache_save(e);
  emu_cpu_free(cpu);
  emu_engine_free(e);

  e = new_cached_engine(dir);
  cpu = new_cpu(e, 5);
  s = state_of(cpu);
  assert_int_equal(run_loop(cpu, LOOP1, 100).reason, EMU_EXIT_SYSCALL);
  const EmuStats *st = emu_engine_stats(e);
  assert_int_equal(st->llvm_regions_cached, 1);
  assert_int_equal(st->llvm_regions, 0);
  assert_true(st->insns_executed < 10); /* the loop ran in the region from its first entry */
  emu_engine_flush(e);
  assert_int_equal(run_loop(cpu, LOOP1, 100).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(emu_engine_stats(e)->llvm_regions_cached, 2); /* the loaded function again */
  assert_int_equal(llvm_functions(e), 1);
  assert_int_equal(s->r[3], 200);
  assert_int_equal(s->r[0], 5 * 200);
  emu_cpu_free(cpu);
  emu_engine_free(e);

  code_version++;
  e = new_cached_engine(dir);
  cpu = new_cpu(e, 7);
  s = state_of(cpu);
  assert_int_equal(run_loop(cpu, LOOP1, 100).reason, EMU_EXIT_SYSCALL);
  assert_int_equal(emu_engine_stats(e)->llvm_regions_cached, 0);
  assert_int_equal(s->r[0], 7 * 100);
  emu_cpu_free(cpu);
  emu_engine_free(e);
  code_version--;
  nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
  emu_log_mask |= 1u << EMU_LOG_stats; /* exact tier-1 counters (no cap) */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_llvm_tier_every_block),
      cmocka_unit_test(test_one_block_loop),
      cmocka_unit_test(test_two_block_loop_is_one_region),
      cmocka_unit_test(test_kick_stops_a_region),
      cmocka_unit_test(test_invalidation_drops_the_region),
      cmocka_unit_test(test_threads_share_regions),
      cmocka_unit_test(test_regions_from_the_cache),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
