/* x64_asm.c — the emitter buffer and the one encoder core every instruction
 * group goes through: legacy prefixes, REX, opcode map, ModRM/SIB with all of
 * x86-64's addressing special cases, displacement, immediate. An instruction
 * is built in a local buffer and committed whole, so an overflow never leaves
 * half an instruction and never writes past `end`. */
#include "x64_asm_enc.h"

#include <assert.h>
#include <string.h>

void x64_init(X64Asm *a, void *buf, size_t len) {
  assert(len < (1u << 28)); /* label fixups keep offsets in 28 bits */
  a->start = a->p = buf;
  a->end = a->start + len;
  a->overflow = a->error = false;
  a->last_rip = -1;
  a->last_rip_tail = 0;
}

void x64_bytes(X64Asm *a, const void *bytes, size_t n) {
  if ((size_t)(a->end - a->p) < n) {
    a->overflow = true;
    return;
  }
  memcpy(a->p, bytes, n);
  a->p += n;
  a->last_rip = -1;
}

/* The recommended multi-byte nops (Intel SDM vol. 2B, NOP), by length. */
static const char *const x64_nops[10] = {
    "",
    "\x90",
    "\x66\x90",
    "\x0F\x1F\x00",
    "\x0F\x1F\x40\x00",
    "\x0F\x1F\x44\x00\x00",
    "\x66\x0F\x1F\x44\x00\x00",
    "\x0F\x1F\x80\x00\x00\x00\x00",
    "\x0F\x1F\x84\x00\x00\x00\x00\x00",
    "\x66\x0F\x1F\x84\x00\x00\x00\x00\x00",
};

void x64_nop(X64Asm *a, unsigned n) {
  while (n > 0 && !a->overflow) {
    unsigned k = n < 9 ? n : 9;
    x64_bytes(a, x64_nops[k], k);
    n -= k;
  }
}

void x64_align(X64Asm *a, unsigned pow2) {
  x64_nop(a, (unsigned)(-(uintptr_t)a->p & (pow2 - 1)));
}

/* -- ModRM, SIB, displacement --------------------------------------------- */

static uint8_t x64_modrm_byte(unsigned mod, unsigned reg, unsigned rm) {
  return (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7));
}

static int x64_scale_bits(unsigned scale) {
  switch (scale) {
  case 1: return 0;
  case 2: return 1;
  case 4: return 2;
  case 8: return 3;
  default: return -1;
  }
}

static bool x64_mem_valid(X64Mem m) {
  if (x64_scale_bits(m.scale) < 0 || m.base > X64_RIP || m.index > X64_NOREG) return false;
  if (m.index == X64_RSP) return false; /* index 100b means "none" */
  return !(m.base == X64_RIP && m.index != X64_NOREG);
}

/* Writes ModRM (+SIB, +disp) for ModRM.reg = reg and the memory operand m;
 * returns the new length and sets *disp32_at if the operand ends in a disp32. */
static unsigned x64_put_mem(uint8_t *b, unsigned n, unsigned reg, X64Mem m, unsigned *disp32_at) {
  unsigned ss = m.index == X64_NOREG ? 0 : (unsigned)x64_scale_bits(m.scale);
  unsigned index = m.index == X64_NOREG ? 4u : m.index; /* SIB.index 100b: none */
  unsigned disp_len;
  if (m.base == X64_RIP) {
    b[n++] = x64_modrm_byte(0, reg, 5);
    disp_len = 4;
  } else if (m.base == X64_NOREG) {
    /* mod 00 rm 101 is RIP-relative in 64-bit mode: absolute goes through SIB base 101. */
    b[n++] = x64_modrm_byte(0, reg, 4);
    b[n++] = (uint8_t)(ss << 6 | (index & 7) << 3 | 5);
    disp_len = 4;
  } else {
    /* Base 101b (RBP/R13) with mod 00 means "no base": give it a disp8 of 0. */
    unsigned mod = m.disp == 0 && (m.base & 7) != 5 ? 0 : x64_fits_i8(m.disp) ? 1 : 2;
    disp_len = mod == 0 ? 0 : mod == 1 ? 1 : 4;
    /* rm 100b (RSP/R12) means "SIB follows". */
    if (m.index != X64_NOREG || (m.base & 7) == 4) {
      b[n++] = x64_modrm_byte(mod, reg, 4);
      b[n++] = (uint8_t)(ss << 6 | (index & 7) << 3 | (m.base & 7));
    } else {
      b[n++] = x64_modrm_byte(mod, reg, m.base);
    }
  }
  if (disp_len == 4) *disp32_at = n;
  for (unsigned i = 0; i < disp_len; i++) b[n++] = (uint8_t)((uint32_t)m.disp >> (8 * i));
  return n;
}

/* -- The core --------------------------------------------------------------- */

static bool x64_byte_needs_rex(bool is_byte, unsigned r) { return is_byte && r >= 4 && r < 8; }

/* The VEX prefix in place of mandatory prefix, REX and escape bytes: R, X, B
 * and vvvv stored inverted, pp the implied prefix, mmmmm the map. The 2-byte
 * form (C5) when it can say everything: map 0F, no W, X or B. */
static unsigned x64_put_vex(uint8_t *b, unsigned n, const X64Ins *in, unsigned rex) {
  unsigned pp = in->pfx == 0x66 ? 1 : in->pfx == 0xF3 ? 2 : in->pfx == 0xF2 ? 3 : 0;
  unsigned r = rex >> 2 & 1, x = rex >> 1 & 1, bb = rex & 1, w = rex >> 3 & 1;
  unsigned tail = (~in->vvvv & 15u) << 3 | pp; /* L = 0 */
  if (in->map == X64_MAP_0F && !w && !x && !bb) {
    b[n++] = 0xC5;
    b[n++] = (uint8_t)(!r << 7 | tail);
  } else {
    b[n++] = 0xC4;
    b[n++] = (uint8_t)(!r << 7 | !x << 6 | !bb << 5 | in->map);
    b[n++] = (uint8_t)(w << 7 | tail);
  }
  return n;
}

void x64_emit(X64Asm *a, const X64Ins *in) {
  uint8_t b[16];
  unsigned n = 0, rex = 0, disp32_at = 0;
  if (in->reg > 15 || (!in->is_mem && in->rm > 15) || (in->is_mem && !x64_mem_valid(in->mem))) {
    a->error = true;
    return;
  }
  if (in->size == 8 || in->w) rex |= 8;
  if (!in->oreg && (in->reg & 8)) rex |= 4;
  if (!in->is_mem) {
    if (in->rm & 8) rex |= 1;
  } else {
    if (in->mem.index < 16 && (in->mem.index & 8)) rex |= 2;
    if (in->mem.base < 16 && (in->mem.base & 8)) rex |= 1;
  }
  if (in->vex) {
    n = x64_put_vex(b, n, in, rex);
  } else {
    if (in->size == 2) b[n++] = 0x66;
    if (in->pfx) b[n++] = in->pfx; /* mandatory prefix sits last, next to REX */
    /* An empty REX turns AH/CH/DH/BH into SPL/BPL/SIL/DIL. */
    if (rex || x64_byte_needs_rex(in->reg8 && !in->oreg, in->reg) ||
        x64_byte_needs_rex(in->rm8 && !in->is_mem, in->rm))
      b[n++] = (uint8_t)(0x40 | rex);
    if (in->map != X64_MAP_NONE) b[n++] = 0x0F;
    if (in->map == X64_MAP_0F38) b[n++] = 0x38;
    if (in->map == X64_MAP_0F3A) b[n++] = 0x3A;
  }
  if (in->oreg) {
    b[n++] = (uint8_t)(in->opc | (in->rm & 7));
  } else {
    b[n++] = in->opc;
    if (in->is_mem)
      n = x64_put_mem(b, n, in->reg, in->mem, &disp32_at);
    else
      b[n++] = x64_modrm_byte(3, in->reg, in->rm);
  }
  for (unsigned i = 0; i < in->imm_len; i++) b[n++] = (uint8_t)((uint64_t)in->imm >> (8 * i));

  if ((size_t)(a->end - a->p) < n) {
    a->overflow = true;
    a->last_rip = -1;
    return;
  }
  memcpy(a->p, b, n);
  bool rip = in->is_mem && in->mem.base == X64_RIP;
  a->last_rip = rip ? (int32_t)(x64_len(a) + disp32_at) : -1;
  a->last_rip_tail = in->imm_len;
  a->p += n;
}
