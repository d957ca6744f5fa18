/* Integer-heavy: FNV and xorshift mixing over a buffer (rotates, multiplies). */
#include <stdint.h>
#include <stdio.h>
int main(void) {
  static uint8_t data[1 << 20];
  uint64_t x = 88172645463325252ull;
  for (unsigned i = 0; i < sizeof data; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; data[i] = (uint8_t)x; }
  uint64_t h = 0;
  for (int r = 0; r < 200; r++) {
    uint64_t f = 0xcbf29ce484222325ull;
    for (unsigned i = 0; i < sizeof data; i++) { f ^= data[i]; f *= 0x100000001b3ull; }
    h = (h << 5 | h >> 59) ^ f;
  }
  printf("%016llx\n", (unsigned long long)h);
  return 0;
}
