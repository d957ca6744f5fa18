/* x87_helpers.c — the x87 FPU, run on the host's own x87. The host is x86-64, so
 * its FPU *is* the 80-bit model: each helper loads the guest's x87 state into it
 * (frstor), executes the guest's instruction there, and reads the state back
 * (fnsave). Results, rounding and precision control, C0..C3, stack faults, tags
 * and exception flags are then the hardware's to the bit, including f2xm1,
 * fyl2x, fptan, fsin, fprem and the rest that libm relies on.
 *
 * The instruction runs from a stub table: one 4-byte stub (esc, modrm, ret) for
 * every register form and for every memory form with its operand at [rdi].
 * Guest memory is never touched here: the lifter loads what the instruction
 * reads and passes it in (mem0, mem1), and stores what a dry run (x87_peek)
 * says it writes before committing, so faults stay precise in the IR. */
#include <string.h>

#include "x86_fp.h"

/* -- The fnsave image (the 108-byte 32-bit layout, which 64-bit mode uses) - */

typedef struct X87Image {
  uint32_t fcw, fsw, ftw; /* ftw: 2 bits per physical register, 3 = empty */
  uint32_t fip, fop_fcs, fdp, fds;
  uint8_t st[8][10]; /* stack order: st[0] is physical register TOP */
} X87Image;
_Static_assert(sizeof(X87Image) == 108, "fnsave layout");

#define X87_FSW_TOP 0x3800u

static void image_from_cpu(const X86Cpu *cpu, X87Image *img) {
  memset(img, 0, sizeof *img);
  img->fcw = cpu->fcw;
  img->fsw = (cpu->fsw & ~X87_FSW_TOP) | (cpu->ftop & 7u) << 11;
  for (unsigned i = 0; i < 8; i++)
    if (cpu->ftag >> i & 1)
      img->ftw |= 3u << (2 * i);
  for (unsigned k = 0; k < 8; k++) {
    const X86Float80 *r = &cpu->st[(cpu->ftop + k) & 7];
    memcpy(img->st[k], &r->mant, 8);
    memcpy(img->st[k] + 8, &r->sexp, 2);
  }
}

static void cpu_from_image(X86Cpu *cpu, const X87Image *img) {
  cpu->fcw = (uint16_t)img->fcw;
  cpu->fsw = (uint16_t)(img->fsw & ~X87_FSW_TOP);
  cpu->ftop = (img->fsw & X87_FSW_TOP) >> 11;
  cpu->ftag = 0;
  for (unsigned i = 0; i < 8; i++)
    if ((img->ftw >> (2 * i) & 3) == 3)
      cpu->ftag |= (uint8_t)(1u << i);
  for (unsigned k = 0; k < 8; k++) {
    X86Float80 *r = &cpu->st[(cpu->ftop + k) & 7];
    memcpy(&r->mant, img->st[k], 8);
    memcpy(&r->sexp, img->st[k] + 8, 2);
  }
}

/* -- The stub table and the host run ---------------------------------------- */

/* Per escape d8..df: 8 memory forms (ModRM reg/7, operand [rdi]), then the 64
 * register forms (ModRM c0..ff): X87_OP's numbering. */
__asm__(".pushsection .text\n"
        ".balign 16\n"
        "x87_stubs:\n"
        ".irp esc, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf\n"
        "  .set x87_r, 0\n"
        "  .rept 8\n"
        "    .byte \\esc, (x87_r << 3) | 7, 0xc3, 0xcc\n"
        "    .set x87_r, x87_r + 1\n"
        "  .endr\n"
        "  .set x87_m, 0\n"
        "  .rept 64\n"
        "    .byte \\esc, 0xc0 + x87_m, 0xc3, 0xcc\n"
        "    .set x87_m, x87_m + 1\n"
        "  .endr\n"
        ".endr\n"
        ".popsection\n");
extern const uint8_t x87_stubs[] __attribute__((visibility("hidden")));
#define X87_NSTUBS (8u * 72u)

/* Runs stub `op` on the guest state in img with the operand bytes at mem and
 * EFLAGS loaded from ah (sahf); img is updated. Returns ax (fnstsw ax) in bits
 * 0..15 and the lahf image afterwards in bits 16..23. The call skips the red
 * zone; lea (not sub) keeps the flags. fnsave leaves the FPU initialised, which
 * is the state the ABI wants; the host's control word is put back explicitly. */
static uint64_t host_run(X87Image *img, void *mem, unsigned op, uint64_t ah) {
  uint64_t rax = (ah & 0xff) << 8, ax;
  uint16_t host_cw;
  __asm__ volatile("fnstcw %[cw]\n\t"
                   "frstor %[img]\n\t"
                   "sahf\n\t"
                   "lea -128(%%rsp), %%rsp\n\t"
                   "call *%[stub]\n\t"
                   "lea 128(%%rsp), %%rsp\n\t"
                   "mov %%rax, %[ax]\n\t"
                   "lahf\n\t"
                   "fnsave %[img]\n\t"
                   "fldcw %[cw]"
                   : [img] "+m"(*img), "+a"(rax), [ax] "=&r"(ax), [cw] "=m"(host_cw)
                   : [stub] "r"(x87_stubs + 4 * op), "D"(mem)
                   : "memory", "cc");
  return (ax & 0xffff) | ((rax >> 8) & 0xff) << X87_RES_FLAGS_SHIFT;
}

/* An exception flag set whose mask is clear: the next waiting x87 instruction
 * takes #MF (SIGFPE) before it executes. */
static bool pending(const X86Cpu *cpu) { return (cpu->fsw & ~cpu->fcw & 0x3f) != 0; }

/* -- Helpers ---------------------------------------------------------------- */

static uint64_t run(X86Cpu *cpu, uint64_t op, uint64_t m0, uint64_t m1, uint64_t ah,
                    bool commit) {
  unsigned stub = (unsigned)(op & 0x3ff);
  if (stub >= X87_NSTUBS)
    return X87_RES_MF; /* cannot happen: the lifter only builds valid ops */
  if (!(op & X87_NOWAIT) && pending(cpu))
    return X87_RES_MF;
  uint64_t mem[4] = {m0, m1, 0, 0};
  X87Image img;
  image_from_cpu(cpu, &img);
  uint64_t r = host_run(&img, mem, stub, ah);
  if (!commit)
    return mem[(op & X87_HIGH) ? 1 : 0];
  cpu_from_image(cpu, &img);
  return r;
}

static uint64_t helper_exec(void *cpu, uint64_t op, uint64_t m0, uint64_t m1, uint64_t ah) {
  return run(cpu, op, m0, m1, ah, true);
}

static uint64_t helper_peek(void *cpu, uint64_t op, uint64_t m0, uint64_t m1, uint64_t ah) {
  return run(cpu, op, m0, m1, ah, false);
}

/* Whether a store form writes: always with every exception masked; else run
 * it on two different buffers and see whether the bytes came out the same. */
static uint64_t helper_check(void *opaque, uint64_t op, uint64_t size, uint64_t a2, uint64_t a3) {
  (void)a2, (void)a3;
  X86Cpu *cpu = opaque;
  if (pending(cpu) && !(op & X87_NOWAIT))
    return X87_CHECK_MF; /* and the op must not run on the host: it would trap */
  if (size == 0 || (cpu->fcw & 0x3f) == 0x3f)
    return size ? X87_CHECK_STORE : 0;
  uint64_t a[4] = {0, 0, 0, 0}, b[4] = {~0ull, ~0ull, ~0ull, ~0ull};
  X87Image img;
  image_from_cpu(cpu, &img);
  host_run(&img, a, (unsigned)(op & 0x3ff), 0);
  image_from_cpu(cpu, &img);
  host_run(&img, b, (unsigned)(op & 0x3ff), 0);
  return size <= sizeof a && memcmp(a, b, size) == 0 ? X87_CHECK_STORE : 0;
}

/* fxsave's first 160 bytes, qword k: FCW FSW(with TOP) abridged-FTW 0 FOP(0),
 * FIP and FDP (0: not tracked), MXCSR (the lifter's), then ST(0..7) in 16-byte
 * slots, the 6 bytes after each value zero. */
static uint64_t helper_fxget(void *opaque, uint64_t k, uint64_t a1, uint64_t a2, uint64_t a3) {
  (void)a1, (void)a2, (void)a3;
  const X86Cpu *cpu = opaque;
  if (k == 0)
    return cpu->fcw | (uint64_t)((cpu->fsw & ~X87_FSW_TOP) | (cpu->ftop & 7u) << 11) << 16 |
           (uint64_t)(uint8_t)~cpu->ftag << 32;
  if (k < 4 || k >= 20)
    return 0;
  const X86Float80 *r = &cpu->st[(cpu->ftop + (k - 4) / 2) & 7];
  return (k & 1) ? r->sexp : r->mant;
}

/* Loading FCW and FSW normalises them (reserved bits, ES and B recomputed from
 * the unmasked flags) as frstor does, so the values go through the host's:
 * an frstor/fnsave round trip around a no-wait stub (fnstsw m16). */
static uint64_t helper_fxset(void *opaque, uint64_t k, uint64_t v0, uint64_t v1, uint64_t a3) {
  (void)a3;
  X86Cpu *cpu = opaque;
  if (k == 0) {
    cpu->fcw = (uint16_t)v0;
    cpu->fsw = (uint16_t)(v0 >> 16) & ~X87_FSW_TOP;
    cpu->ftop = (v0 >> 27) & 7;
    cpu->ftag = (uint8_t)~(v0 >> 32);
    uint64_t scratch[4] = {0, 0, 0, 0};
    X87Image img;
    image_from_cpu(cpu, &img);
    host_run(&img, scratch, X87_OP(0xdd, 0, 7, 7), 0);
    cpu_from_image(cpu, &img);
  } else if (k <= 8) {
    X86Float80 *r = &cpu->st[(cpu->ftop + k - 1) & 7];
    r->mant = v0;
    r->sexp = (uint16_t)v1;
  }
  return 0;
}

#define RW (IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE)
static const IrHelper x87_defs[X87_H__COUNT] = {
    [X87_H_EXEC] = {"x87_exec", helper_exec, 4, IR_T_i64, RW},
    [X87_H_PEEK] = {"x87_peek", helper_peek, 4, IR_T_i64, IR_HELPER_READS_STATE},
    [X87_H_CHECK] = {"x87_check", helper_check, 2, IR_T_i64, IR_HELPER_READS_STATE},
    [X87_H_FXGET] = {"x87_fxget", helper_fxget, 1, IR_T_i64, IR_HELPER_READS_STATE},
    [X87_H_FXSET] = {"x87_fxset", helper_fxset, 3, IR_T_void, RW},
};
#undef RW
uint32_t x87_helper[X87_H__COUNT];

void x87_helpers_register(void) {
  for (int i = 0; i < X87_H__COUNT; i++)
    x87_helper[i] = (uint32_t)ir_helper_register(&x87_defs[i]);
}
