/* Self-modifying and JIT-generated code: code written into executable memory,
 * run, rewritten and run again must always run the new code. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int (*fn_t)(int);

#ifdef __aarch64__
#define CODE_SIZE 16
/* movz w9, #lo; movk w9, #hi, lsl 16; add w0, w0, w9; ret. The caches are not
 * coherent for code: the kernel's cacheflush (clear_cache) is part of the rule. */
static void emit_add(uint8_t *p, int32_t k) {
  uint32_t c[4] = {0x52800009u | ((uint32_t)k & 0xffff) << 5,
                   0x72a00009u | ((uint32_t)k >> 16) << 5, 0x0b090000u, 0xd65f03c0u};
  memcpy(p, c, sizeof c);
  __builtin___clear_cache((char *)p, (char *)p + sizeof c);
}
#else
#define CODE_SIZE 8
/* mov eax, imm32; add eax, edi; ret */
static void emit_add(uint8_t *p, int32_t k) {
  p[0] = 0xb8;
  memcpy(p + 1, &k, 4);
  p[5] = 0x01; p[6] = 0xf8; /* add eax, edi */
  p[7] = 0xc3;
}
#endif

/* The same function a chained block would jump to: call it through a pointer. */
static int __attribute__((noinline)) call(fn_t f, int x) { return f(x); }

int main(void) {
  long sum = 0;
  /* 1. RWX mapping: write, run, rewrite, rerun (JIT style). */
  uint8_t *rwx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rwx == MAP_FAILED) return 1;
  for (int i = 0; i < 200; i++) {
    emit_add(rwx, i * 3);
    sum += call((fn_t)rwx, i);
  }
  printf("rwx: %ld\n", sum);
  /* 2. Several functions on one page, each rewritten while the others stay. */
  for (int i = 0; i < 16; i++) emit_add(rwx + 64 * i, i);
  sum = 0;
  for (int round = 0; round < 50; round++) {
    for (int i = 0; i < 16; i++) sum += call((fn_t)(rwx + 64 * i), round);
    emit_add(rwx + 64 * (round % 16), round * 100);
  }
  printf("many: %ld\n", sum);
  /* 3. W^X: RW to write, RX to run. */
  uint8_t *wx = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  sum = 0;
  for (int i = 0; i < 100; i++) {
    mprotect(wx, 8192, PROT_READ | PROT_WRITE);
    emit_add(wx + 4096 - 4, -i); /* crosses the page boundary */
    mprotect(wx, 8192, PROT_READ | PROT_EXEC);
    sum += call((fn_t)(wx + 4096 - 4), 1000);
  }
  printf("wx: %ld\n", sum);
  /* 4. Code and data sharing a page: the data is written while the code runs. */
  volatile int *data = (volatile int *)(rwx + 2048);
  emit_add(rwx, 7);
  for (int i = 0; i < 1000; i++) *data = call((fn_t)rwx, *data) & 0xffff;
  printf("shared page: %d\n", *data);
  /* 5. The kernel writes code: read() into an executable page. */
  int fds[2];
  if (pipe(fds)) return 1;
  uint8_t code[CODE_SIZE];
  emit_add(code, 12345);
  emit_add(rwx + 128, 1);
  printf("before read: %d\n", call((fn_t)(rwx + 128), 0));
  if (write(fds[1], code, CODE_SIZE) != CODE_SIZE || read(fds[0], rwx + 128, CODE_SIZE) != CODE_SIZE)
    return 1;
#ifdef __aarch64__
  __builtin___clear_cache((char *)rwx + 128, (char *)rwx + 128 + CODE_SIZE);
#endif
  printf("after read: %d\n", call((fn_t)(rwx + 128), 0));
  return 0;
}
