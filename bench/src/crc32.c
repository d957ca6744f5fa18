/* Integer bit manipulation: table-driven and bitwise CRC-32, popcount, bit
 * reversal and leading-zero counts over a buffer. */
#include <stdint.h>
#include <stdio.h>
static uint32_t table[256];
static uint32_t crc_bitwise(uint32_t c, const uint8_t *p, int n) {
  for (int i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return c;
}
static uint32_t reverse(uint32_t x) {
  x = (x >> 1 & 0x55555555u) | (x & 0x55555555u) << 1;
  x = (x >> 2 & 0x33333333u) | (x & 0x33333333u) << 2;
  x = (x >> 4 & 0x0f0f0f0fu) | (x & 0x0f0f0f0fu) << 4;
  return __builtin_bswap32(x);
}
int main(void) {
  static uint8_t data[1 << 18];
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    table[i] = c;
  }
  uint32_t s = 1;
  for (unsigned i = 0; i < sizeof data; i++) { s = s * 1103515245u + 12345u; data[i] = (uint8_t)(s >> 16); }
  uint32_t crc = 0, bits = 0;
  for (int r = 0; r < 300; r++) {
    uint32_t c = ~0u;
    for (unsigned i = 0; i < sizeof data; i++) c = (c >> 8) ^ table[(c ^ data[i]) & 0xff];
    crc ^= ~c;
    data[r] ^= (uint8_t)crc;
  }
  crc ^= crc_bitwise(~0u, data, 1 << 16);
  const uint32_t *w = (const uint32_t *)data;
  for (int r = 0; r < 300; r++)
    for (unsigned i = 0; i < sizeof data / 4; i++) {
      uint32_t x = w[i] + (uint32_t)r;
      bits += (uint32_t)__builtin_popcount(x) + (uint32_t)(x ? __builtin_clz(x) : 32) + (reverse(x) >> 28);
    }
  printf("%08x %u\n", crc, bits);
  return 0;
}
