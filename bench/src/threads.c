/* Multi-threaded: 4 pthreads share a work counter (atomic fetch-add), hash their
 * chunks, bump a shared histogram with atomics and fold partial sums into a
 * mutex-protected total. Output is the same whatever the interleaving. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
enum { THREADS = 4, CHUNKS = 4096, CHUNK = 2048, BINS = 64 };
static atomic_int next_chunk;
static uint64_t round_no; /* written before the workers start, read-only while they run */
static atomic_uint_fast64_t hist[BINS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t total, xored;
static uint64_t mix(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}
static void *worker(void *arg) {
  (void)arg;
  for (int c; (c = atomic_fetch_add(&next_chunk, 1)) < CHUNKS;) {
    uint64_t sum = 0, x = 0;
    for (uint64_t i = 0; i < CHUNK; i++) {
      uint64_t h = mix((round_no * CHUNKS + (uint64_t)c) * CHUNK + i);
      sum += h >> 20; x ^= h;
      if ((i & 15) == 0) atomic_fetch_add_explicit(&hist[h % BINS], 1, memory_order_relaxed);
    }
    pthread_mutex_lock(&lock);
    total += sum; xored ^= x;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}
int main(void) {
  pthread_t t[THREADS];
  for (int r = 0; r < 10; r++) {
    round_no = (uint64_t)r;
    atomic_store(&next_chunk, 0);
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  }
  uint64_t hsum = 0;
  for (int i = 0; i < BINS; i++) hsum = hsum * 31 + atomic_load(&hist[i]);
  printf("%016llx %016llx %016llx\n", (unsigned long long)total, (unsigned long long)xored,
         (unsigned long long)hsum);
  return 0;
}
