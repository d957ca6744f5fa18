/* dt_native.h — the block the native trampoline (dt_native.S) reads its input
 * from and writes its output to. Offsets are plain numbers so the assembler can
 * use them; dt_native.c checks them against the C struct with static asserts. */
#ifndef EMU_DT_NATIVE_H
#define EMU_DT_NATIVE_H

#define DT_IO_IN_GPR 0       /* 16 x u64, hardware order */
#define DT_IO_IN_RFLAGS 128
#define DT_IO_OUT_GPR 136
#define DT_IO_OUT_RFLAGS 264
#define DT_IO_CODE 272       /* where to jump */
#define DT_IO_HOST_RSP 280
#define DT_IO_HOST_REGS 288  /* rbx rbp r12 r13 r14 r15 */
#define DT_IO_IN_GUEST 336   /* u64: 1 while guest code runs */
#define DT_IO_IN_FX 352      /* 512-byte fxsave images, 16-aligned */
#define DT_IO_OUT_FX 864
#define DT_IO_HOST_FX 1376
#define DT_IO_STACK_TOP 2144 /* top of a small private stack (for pushfq/popfq) */
#define DT_IO_SIZE 2144

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct DtNativeIo {
  uint64_t in_gpr[16];
  uint64_t in_rflags;
  uint64_t out_gpr[16];
  uint64_t out_rflags;
  uint64_t code;
  uint64_t host_rsp;
  uint64_t host_regs[6];
  uint64_t in_guest;
  uint64_t pad0;
  uint8_t in_fx[512] __attribute__((aligned(16)));
  uint8_t out_fx[512] __attribute__((aligned(16)));
  uint8_t host_fx[512] __attribute__((aligned(16)));
  uint8_t stack[256] __attribute__((aligned(16)));
} DtNativeIo;

/* Hidden: the trampoline reaches it rip-relatively, never through the GOT. */
extern DtNativeIo dt_nio __attribute__((visibility("hidden")));

/* Loads dt_nio's input state, jumps to dt_nio.code and returns 0 when the code
 * reaches dt_native_capture, or 1 when a signal handler redirected the guest to
 * dt_native_resume (the handler filled the outputs from the ucontext). */
int dt_native_enter(void);
void dt_native_capture(void); /* the guest jumps here at its end */
void dt_native_resume(void);  /* signal handlers point the ucontext's rip here */
#endif

#endif /* EMU_DT_NATIVE_H */
