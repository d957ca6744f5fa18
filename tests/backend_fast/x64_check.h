/* x64_check.h — the oracle for the x64_asm tests: decode what the assembler
 * emitted with Zydis, format it in Intel syntax and compare with the text we
 * expect; Zydis must consume exactly the emitted bytes. Also names registers
 * and memory operands the way Zydis prints them, and lists the register and
 * addressing combinations every table row is tried with. */
#ifndef EMU_TEST_X64_CHECK_H
#define EMU_TEST_X64_CHECK_H

#include <Zydis/Zydis.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "x64_asm.h"

/* -- Names as Zydis prints them ---------------------------------------------- */

static const char *const chk_gpr[4][16] = {
    {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
     "r13b", "r14b", "r15b"},
    {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w",
     "r14w", "r15w"},
    {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d",
     "r13d", "r14d", "r15d"},
    {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
     "r14", "r15"},
};
/* Zydis's condition suffixes (jnb, not jae), in Intel order. */
static const char *const chk_cc[16] = {"o", "no", "b", "nb", "z", "nz", "be", "nbe",
                                       "s", "ns", "p", "np", "l", "nl", "le", "nle"};

static inline unsigned chk_log2(unsigned s) { return s == 1 ? 0 : s == 2 ? 1 : s == 4 ? 2 : 3; }
static inline const char *chk_reg(unsigned size, unsigned r) { return chk_gpr[chk_log2(size)][r]; }
static inline const char *chk_xmm(unsigned r) {
  static const char *const n[16] = {"xmm0", "xmm1", "xmm2",  "xmm3",  "xmm4",  "xmm5",
                                    "xmm6", "xmm7", "xmm8",  "xmm9",  "xmm10", "xmm11",
                                    "xmm12", "xmm13", "xmm14", "xmm15"};
  return n[r];
}
static inline uint64_t chk_mask(unsigned size) {
  return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* "0x1f": an immediate as Zydis prints it, unsigned at the operand size. */
static inline const char *chk_imm(char *buf, unsigned size, int64_t v) {
  snprintf(buf, 32, "0x%llx", (unsigned long long)((uint64_t)v & chk_mask(size)));
  return buf;
}

/* "dword ptr [rbp+rcx*8-0x8]"; size 0 prints no "ptr" (lea). */
static inline const char *chk_mem(char *buf, unsigned size, X64Mem m) {
  static const char *const ptr[17] = {[1] = "byte ptr ", [2] = "word ptr ", [4] = "dword ptr ",
                                      [8] = "qword ptr ", [16] = "xmmword ptr "};
  const char *base = m.base == X64_RIP ? "rip" : m.base == X64_NOREG ? "" : chk_gpr[3][m.base];
  int n = snprintf(buf, 96, "%s[%s", size ? ptr[size] : "", base);
  bool any = *base != 0;
  if (m.index != X64_NOREG) {
    n += snprintf(buf + n, 96 - n, "%s%s*%u", any ? "+" : "", chk_gpr[3][m.index], m.scale);
    any = true;
  }
  if (!any)
    n += snprintf(buf + n, 96 - n, "0x%llx", (unsigned long long)(int64_t)m.disp);
  else if (m.disp > 0)
    n += snprintf(buf + n, 96 - n, "+0x%x", (unsigned)m.disp);
  else if (m.disp < 0)
    n += snprintf(buf + n, 96 - n, "-0x%x", (unsigned)-(int64_t)m.disp);
  snprintf(buf + n, 96 - n, "]");
  return buf;
}

/* The shortest displacement x86-64 allows for m, in bits. */
static inline unsigned chk_disp_bits(X64Mem m) {
  if (m.base == X64_RIP || m.base == X64_NOREG) return 32;
  if (m.disp == 0 && (m.base & 7) != 5) return 0;
  return m.disp >= -128 && m.disp <= 127 ? 8 : 32;
}

/* -- Operand combinations ----------------------------------------------------- */

static const X64Mem chk_mems[] = {
    {X64_RAX, X64_NOREG, 1, 0},          {X64_RCX, X64_NOREG, 1, 0x10},
    {X64_RDX, X64_NOREG, 1, -0x80},      {X64_RBX, X64_NOREG, 1, 0x80},
    {X64_RSI, X64_NOREG, 1, 0x12345678}, {X64_RDI, X64_NOREG, 1, -0x81},
    {X64_RSP, X64_NOREG, 1, 0},          {X64_RSP, X64_NOREG, 1, 8},
    {X64_RSP, X64_NOREG, 1, 0x400},      {X64_R12, X64_NOREG, 1, 0},
    {X64_R12, X64_NOREG, 1, -8},         {X64_RBP, X64_NOREG, 1, 0},
    {X64_RBP, X64_NOREG, 1, -8},         {X64_R13, X64_NOREG, 1, 0},
    {X64_R13, X64_NOREG, 1, 0x1000},     {X64_R8, X64_NOREG, 1, 0},
    {X64_R15, X64_NOREG, 1, 0x7f},       {X64_RAX, X64_RBX, 1, 0},
    {X64_RSI, X64_RDI, 2, 0x10},         {X64_R8, X64_R9, 4, 0x12345},
    {X64_RSP, X64_R12, 8, 0},            {X64_RBP, X64_RCX, 8, 0},
    {X64_R13, X64_R14, 2, -4},           {X64_R12, X64_R13, 4, 0x80},
    {X64_RDX, X64_R15, 1, -0x100},       {X64_RSP, X64_RBP, 2, 0x7fffffff},
    {X64_NOREG, X64_RCX, 4, 0x10},       {X64_NOREG, X64_R11, 8, 0},
    {X64_NOREG, X64_NOREG, 1, 0x12345678}, {X64_NOREG, X64_NOREG, 1, 0x100},
    {X64_NOREG, X64_NOREG, 1, INT32_MIN}, {X64_RIP, X64_NOREG, 1, 0x10},
    {X64_RIP, X64_NOREG, 1, -0x20},      {X64_RIP, X64_NOREG, 1, 0},
};
#define CHK_NMEMS (sizeof chk_mems / sizeof chk_mems[0])
static const unsigned chk_sizes[4] = {1, 2, 4, 8};

/* -- The check ----------------------------------------------------------------- */

typedef struct Chk {
  ZydisDecoder dec;
  ZydisFormatter fmt;
  unsigned checked, failed;
  uint8_t buf[64];
  X64Asm a;
} Chk;
static Chk chk;

static inline void chk_init(void) {
  ZydisDecoderInit(&chk.dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatterInit(&chk.fmt, ZYDIS_FORMATTER_STYLE_INTEL);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_FORCE_SCALE_ONE, ZYAN_TRUE);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_FORCE_RELATIVE_RIPREL, ZYAN_TRUE);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_IMM_PADDING, ZYDIS_PADDING_DISABLED);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_DISP_PADDING, ZYDIS_PADDING_DISABLED);
  ZydisFormatterSetProperty(&chk.fmt, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE,
                            ZYDIS_PADDING_DISABLED);
  chk.checked = chk.failed = 0;
}

/* cmocka setup: each test counts its own failures. */
static inline int chk_reset(void **state) {
  (void)state;
  chk.checked = chk.failed = 0;
  return 0;
}

/* A fresh emitter on the check buffer. */
static inline X64Asm *chk_asm(void) {
  x64_init(&chk.a, chk.buf, sizeof chk.buf);
  return &chk.a;
}

/* Decodes one instruction at code (runtime address = its address) into text. */
static inline bool chk_decode(const uint8_t *code, size_t len, ZydisDecodedInstruction *ins,
                              char *text, size_t text_len) {
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&chk.dec, code, len, ins, ops))) return false;
  ZyanU64 runtime_address = (ZyanU64)(uintptr_t)code;
  ZyanU8 nops = ins->operand_count_visible;
  return ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&chk.fmt, ins, ops, nops, text, text_len,
                                                      runtime_address, NULL));
}

static inline void chk_fail(const char *want, const char *why, ...) {
  va_list ap;
  chk.failed++;
  if (chk.failed > 40) return; /* enough to see the pattern */
  fprintf(stderr, "FAIL want \"%s\": ", want);
  va_start(ap, why);
  vfprintf(stderr, why, ap);
  va_end(ap);
  fprintf(stderr, "\n   bytes:");
  for (const uint8_t *p = chk.a.start; p < chk.a.p; p++) fprintf(stderr, " %02x", *p);
  fprintf(stderr, "\n");
}

/* What else to check besides the text: the displacement of memory operand m
 * is the shortest possible; the immediate has imm_bits bits (-1: any); the
 * whole instruction is len bytes (0: any). */
typedef struct ChkExtra {
  const X64Mem *m;
  int imm_bits;
  unsigned len;
} ChkExtra;

/* Why the last emitted instruction is not `want` (into why[]), or NULL. */
static inline const char *chk_mismatch(const char *want, ChkExtra x, char *why, size_t n) {
  ZydisDecodedInstruction ins;
  char text[160];
  size_t len = x64_len(&chk.a);
  if (chk.a.error || chk.a.overflow) return "emitter error/overflow flag set";
  if (!chk_decode(chk.a.start, len, &ins, text, sizeof text)) return "Zydis cannot decode it";
  if (ins.length != len) snprintf(why, n, "Zydis took %u of %zu bytes", ins.length, len);
  else if (strcmp(text, want) != 0) snprintf(why, n, "got \"%s\"", text);
  else if (x.m && ins.raw.disp.size != chk_disp_bits(*x.m))
    snprintf(why, n, "disp%u, shortest is disp%u", ins.raw.disp.size, chk_disp_bits(*x.m));
  else if (x.imm_bits >= 0 && ins.raw.imm[0].size != x.imm_bits)
    snprintf(why, n, "imm%u, want imm%d", ins.raw.imm[0].size, x.imm_bits);
  else if (x.len && len != x.len) snprintf(why, n, "%zu bytes, want %u", len, x.len);
  /* A REX with no bits set is only needed for SPL/BPL/SIL/DIL. */
  else if ((ins.attributes & ZYDIS_ATTRIB_HAS_REX) && !ins.raw.rex.W && !ins.raw.rex.R &&
           !ins.raw.rex.X && !ins.raw.rex.B && !strstr(want, "spl") && !strstr(want, "bpl") &&
           !strstr(want, "sil") && !strstr(want, "dil"))
    return "needless REX";
  else return NULL;
  return why;
}

/* The last emitted instruction must decode, as a whole, to `want`. */
static inline void chk_expect_x(const char *want, ChkExtra x) {
  char why[200];
  const char *bad = chk_mismatch(want, x, why, sizeof why);
  chk.checked++;
  if (bad) chk_fail(want, "%s", bad);
}
static inline void chk_expect(const char *want) { chk_expect_x(want, (ChkExtra){NULL, -1, 0}); }
static inline void chk_expect_m(const char *want, const X64Mem *m) {
  chk_expect_x(want, (ChkExtra){m, -1, 0});
}

/* The emitter must have refused the operands. */
static inline void chk_expect_error(const char *what) {
  chk.checked++;
  if (!chk.a.error || x64_len(&chk.a) != 0) {
    chk.failed++;
    fprintf(stderr, "FAIL %s: accepted (error=%d, %zu bytes)\n", what, chk.a.error,
            x64_len(&chk.a));
  }
}

/* Lowercased enum identifier must start with the row's mnemonic. */
static inline bool chk_name_matches(const char *id, const char *name) {
  for (; *name; id++, name++)
    if ((*id >= 'A' && *id <= 'Z' ? *id - 'A' + 'a' : *id) != *name) return false;
  return true;
}

#endif
