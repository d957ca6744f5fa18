/* Self-modifying and JIT-generated code: code written into executable memory,
 * run, rewritten and run again must always run the new code. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int (*fn_t)(int);

/* mov eax, imm32; add eax, edi; ret */
static void emit_add(uint8_t *p, int32_t k) {
  p[0] = 0xb8;
  memcpy(p + 1, &k, 4);
  p[5] = 0x01; p[6] = 0xf8; /* add eax, edi */
  p[7] = 0xc3;
}

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
  uint8_t code[8];
  emit_add(code, 12345);
  emit_add(rwx + 128, 1);
  printf("before read: %d\n", call((fn_t)(rwx + 128), 0));
  if (write(fds[1], code, 8) != 8 || read(fds[0], rwx + 128, 8) != 8) return 1;
  printf("after read: %d\n", call((fn_t)(rwx + 128), 0));
  return 0;
}
