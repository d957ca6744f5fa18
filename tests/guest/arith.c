/* Integer arithmetic on every width: overflow, division, shifts, bit tricks. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static volatile int64_t sink;

static uint64_t mix(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

int main(void) {
  uint64_t h = 0;
  for (int64_t i = -300; i < 300; i += 7) {
    for (int64_t j = -250; j < 250; j += 11) {
      int8_t a8 = (int8_t)i, b8 = (int8_t)j;
      int16_t a16 = (int16_t)(i * 131), b16 = (int16_t)(j * 97);
      int32_t a32 = (int32_t)(uint32_t)(i * 1000003), b32 = (int32_t)(uint32_t)(j * 999983);
      int64_t a64 = (int64_t)((uint64_t)i * 0x123456789ull), b64 = (int64_t)((uint64_t)j * 0x987654321ull);
      h = mix(h + (uint8_t)(a8 + b8) + (uint8_t)(a8 * b8) + (uint16_t)(a16 - b16));
      h = mix(h + (uint32_t)a32 * (uint32_t)b32 + (uint64_t)a64 * (uint64_t)b64 + (uint64_t)(a64 ^ b64));
      if (b8) h = mix(h + (uint8_t)(a8 / b8) + (uint8_t)(a8 % b8));
      if (b16) h = mix(h + (uint16_t)(a16 / b16) + (uint16_t)(a16 % b16));
      if (b32) h = mix(h + (uint32_t)(a32 / b32) + (uint32_t)((uint32_t)a32 % (uint32_t)b32));
      if (b64) h = mix(h + (uint64_t)(a64 / b64) + (uint64_t)((uint64_t)a64 % (uint64_t)b64));
      h = mix(h + ((uint64_t)a64 >> (j & 63)) + (uint64_t)(a64 >> ((uint64_t)i & 63)) + ((uint64_t)a32 << (j & 31)));
      h = mix(h + (uint64_t)__builtin_popcountll((uint64_t)a64) + (uint64_t)__builtin_clzll((uint64_t)a64 | 1) +
              (uint64_t)__builtin_ctzll((uint64_t)b64 | 0x8000000000000000ull));
      unsigned __int128 wide = (unsigned __int128)(uint64_t)a64 * (uint64_t)b64;
      __int128 swide = (__int128)a64 * b64;
      h = mix(h + (uint64_t)(wide >> 64) + (uint64_t)(swide >> 64));
      h = mix(h + (a32 < b32) + (a64 <= b64) * 2 + ((uint32_t)a32 > (uint32_t)b32) * 4);
      h = mix(h + __builtin_bswap64((uint64_t)a64) + __builtin_bswap32((uint32_t)b32));
      uint64_t r = (uint64_t)a64;
      h = mix(h + ((r << 13) | (r >> 51)) + (uint64_t)(int64_t)(int8_t)b64);
    }
  }
  sink = (int64_t)h;
  printf("hash %016" PRIx64 "\n", h);
  printf("limits %d %d %lld %u\n", INT8_MIN / -1, INT16_MIN / -1, (long long)(INT32_MIN / -1ll), 0u - 1u);
  return 0;
}
