/* dt_gen.c — one instruction from a class-table row, through the Zydis encoder.
 * Operands are chosen at random within the row's shape (any GPR incl. AH..BH and
 * r8b..r15b, every listed size, immediates at their edges); memory operands are
 * [base + index*scale + disp] whose registers are solved so the address lands in
 * the scratch region (or, now and then, somewhere that surely faults). The
 * encoder refuses impossible mixes (AH with REX), and every result is decoded
 * back and its addresses recomputed, so the harness cannot test what it did not
 * mean to. */
#include <stdlib.h>
#include <string.h>

#include "dt_gen_int.h"

#define R(x) ZYDIS_REGISTER_##x
static const ZydisRegister gpr_regs[4][16] = {
    {R(AL), R(CL), R(DL), R(BL), R(SPL), R(BPL), R(SIL), R(DIL), R(R8B), R(R9B), R(R10B),
     R(R11B), R(R12B), R(R13B), R(R14B), R(R15B)},
    {R(AX), R(CX), R(DX), R(BX), R(SP), R(BP), R(SI), R(DI), R(R8W), R(R9W), R(R10W), R(R11W),
     R(R12W), R(R13W), R(R14W), R(R15W)},
    {R(EAX), R(ECX), R(EDX), R(EBX), R(ESP), R(EBP), R(ESI), R(EDI), R(R8D), R(R9D), R(R10D),
     R(R11D), R(R12D), R(R13D), R(R14D), R(R15D)},
    {R(RAX), R(RCX), R(RDX), R(RBX), R(RSP), R(RBP), R(RSI), R(RDI), R(R8), R(R9), R(R10),
     R(R11), R(R12), R(R13), R(R14), R(R15)},
};
static const ZydisRegister high8[4] = {R(AH), R(CH), R(DH), R(BH)};

/* Fixed registers an operand shape may name literally (lowercase tokens). */
static const struct {
  const char *name;
  ZydisRegister reg;
} literal_regs[] = {{"al", R(AL)}, {"cl", R(CL)}, {"ax", R(AX)},  {"dx", R(DX)},
                    {"eax", R(EAX)}, {"rax", R(RAX)}, {"xmm0", R(XMM0)}, {"st0", R(ST0)}};
#undef R

enum { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7 };

static unsigned size_index(unsigned bits) { return bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3; }
static uint64_t mask_of(unsigned bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }
static uint64_t sext(uint64_t v, unsigned bits) {
  return bits >= 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static int gpr_num(ZydisRegister r) {
  ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
  return big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15 ? (int)(big - ZYDIS_REGISTER_RAX)
                                                                 : -1;
}

/* -- Values ------------------------------------------------------------------ */

/* An interesting value in the low `w` bits. */
static uint64_t edge_at(DtRng *r, unsigned w) {
  uint64_t m = mask_of(w), top = 1ull << (w - 1);
  switch (dt_below(r, 7)) {
  case 0: return 0;
  case 1: return 1;
  case 2: return m;           /* -1 */
  case 3: return top - 1;     /* largest signed */
  case 4: return top;         /* smallest signed */
  case 5: return dt_below(r, 16);
  default: return dt_rand(r) & m;
  }
}

uint64_t dt_gen_value(DtRng *r) {
  static const unsigned widths[4] = {8, 16, 32, 64};
  if (dt_below(r, 8) < 3)
    return dt_rand(r);
  unsigned w = widths[dt_below(r, 4)];
  uint64_t v = edge_at(r, w), m = mask_of(w);
  switch (dt_below(r, 3)) {
  case 0: return v;
  case 1: return v | ~m;
  default: return v | (dt_rand(r) & ~m);
  }
}

uint64_t dt_gen_stack_ptr(DtRng *r) {
  uint64_t sp = DT_STACK_MID - 0x400 + 8 * dt_below(r, 0x100);
  if (dt_below(r, 16) == 0)
    sp += 1 + dt_below(r, 7); /* misaligned stacks are legal in user mode */
  return sp;
}

void dt_gen_state(DtRng *r, DtState *s, uint8_t *mem) {
  static uint32_t mxcsr_mask;
  if (!mxcsr_mask)
    mxcsr_mask = dt_mxcsr_mask();
  memset(s, 0, sizeof *s);
  for (int i = 0; i < 16; i++)
    s->gpr[i] = dt_gen_value(r);
  s->gpr[RSP] = dt_gen_stack_ptr(r);
  s->rflags = dt_rand(r) & DT_FLAGS_ALL;
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k += 8) {
      uint64_t v = dt_gen_value(r);
      memcpy(&s->xmm[i][k], &v, 8);
    }
  /* Exceptions stay masked: an unmasked one would trap in unrelated code. The
   * sticky flags start clear half the time, so every flag an op raises shows. */
  s->mxcsr = (0x1f80u | (uint32_t)(dt_below(r, 2) ? dt_rand(r) & 0x3f : 0) |
              (uint32_t)dt_below(r, 4) << 13 | (dt_below(r, 4) == 0 ? 0x8040u : 0)) & mxcsr_mask;
  s->fcw = (uint16_t)(0x7f | dt_below(r, 4) << 8 | dt_below(r, 4) << 10);
  s->fsw = (uint16_t)(dt_rand(r) & 0x477f); /* flags, SF, C0..C3; ES/B clear */
  s->ftop = (uint8_t)dt_below(r, 8);
  s->ftag = (uint8_t)dt_rand(r);
  for (int i = 0; i < 8; i++) {
    s->st[i].mant = dt_rand(r);
    s->st[i].sexp = (uint16_t)dt_rand(r);
  }
  for (unsigned i = 0; i < DT_SCRATCH_SIZE; i += 8) {
    uint64_t v = dt_rand(r);
    memcpy(mem + i, &v, 8);
  }
}

/* -- Operand shapes ----------------------------------------------------------- */

/* One operand code: kind letter (Intel's E G R M A I J V W, '#' for a fixed
 * immediate, 'L' for a literal register) and size letter (b w d q x, or v/z/none). */
typedef struct OpSpec {
  char kind, size;
  ZydisRegister literal;
  uint64_t value; /* '#': a fixed immediate */
} OpSpec;

static unsigned parse_ops(const char *s, OpSpec *out) {
  unsigned n = 0;
  while (*s && n < 4) {
    char tok[8] = {0};
    size_t k = 0;
    while (*s && *s != ',' && k + 1 < sizeof tok)
      tok[k++] = *s++;
    if (*s == ',')
      s++;
    OpSpec o = {tok[0], tok[1], ZYDIS_REGISTER_NONE, 0};
    if (tok[0] >= '0' && tok[0] <= '9') {
      o.kind = '#';
      o.size = 0;
      o.value = strtoull(tok, NULL, 0);
    } else if (tok[0] >= 'a' && tok[0] <= 'z') {
      o.kind = 'L';
      for (size_t i = 0; i < sizeof literal_regs / sizeof literal_regs[0]; i++)
        if (strcmp(tok, literal_regs[i].name) == 0)
          o.literal = literal_regs[i].reg;
      if (o.literal == ZYDIS_REGISTER_NONE)
        abort(); /* a class table typo */
    }
    out[n++] = o;
  }
  return n;
}

static unsigned spec_bits(char size, unsigned opsize) {
  switch (size) {
  case 'b': return 8;
  case 'w': return 16;
  case 'd': return 32;
  case 'q': return 64;
  case 'x': return 128;
  case 't': return 80;       /* x87 m80 */
  case 'e': return 28 * 8;   /* x87 environment (fldenv, fnstenv) */
  case 'f': return 512 * 8;  /* fxsave image */
  case 'l': return 64 * 8;   /* a cache line (clflush) */
  case 'z': return opsize > 32 ? 32 : opsize;
  default: return opsize;
  }
}

/* Bit-string instructions address m + (r >> 3) for bt m, r (SDM Vol. 1, 3.4.5,
 * "bit offset"): the offset register must stay small or the native run could
 * touch the harness's own memory. A property of the ISA, so not a row flag. */
static bool bit_string(ZydisMnemonic mn) {
  return mn == ZYDIS_MNEMONIC_BT || mn == ZYDIS_MNEMONIC_BTS || mn == ZYDIS_MNEMONIC_BTR ||
         mn == ZYDIS_MNEMONIC_BTC;
}

static bool cmpxchg(ZydisMnemonic mn) {
  return mn == ZYDIS_MNEMONIC_CMPXCHG || mn == ZYDIS_MNEMONIC_CMPXCHG8B ||
         mn == ZYDIS_MNEMONIC_CMPXCHG16B;
}

/* -- Memory operands ---------------------------------------------------------- */

typedef struct MemPlan {
  bool used, noaccess, fault;
  unsigned abits;
  uint64_t target;
} MemPlan;

static uint64_t amask(unsigned abits) { return abits == 32 ? 0xffffffffull : ~0ull; }

/* Somewhere an access of `bytes` surely faults, the whole access inside it. */
static uint64_t pick_fault_addr(DtRng *r, bool a32, unsigned bytes) {
  switch (dt_below(r, a32 ? 3 : 5)) {
  case 0: return DT_SCRATCH_BASE - DT_GUARD_SIZE + dt_below(r, DT_GUARD_SIZE - bytes + 1);
  case 1: return DT_SCRATCH_BASE + DT_SCRATCH_SIZE + dt_below(r, DT_GUARD_SIZE - bytes + 1);
  case 2: return dt_below(r, 0x10000 - bytes + 1); /* below vm.mmap_min_addr */
  case 3: {                                        /* non-canonical: #GP */
    uint64_t hi = dt_rand(r) & 0x1ffff;
    if (hi == 0 || hi == 0x1ffff)
      hi = 0x10000;
    return hi << 47 | (dt_rand(r) & 0x7fffffff000ull) | dt_below(r, 0x1000 - bytes + 1);
  }
  default: /* the kernel half, away from the vsyscall page */
    return 0xffff800000000000ull + (dt_rand(r) & 0x3ffffffff000ull) +
           dt_below(r, 0x1000 - bytes + 1);
  }
}

static uint64_t pick_scratch_addr(DtGen *g, const DtForm *f, unsigned bytes) {
  /* Margins: a pop through [rsp+x] addresses 8 past the value solved for; a
   * bit offset (DT_F_BITOFF) reaches 256 bytes either way. */
  uint64_t margin = bit_string(f->mn) ? 0x120 : 0x20;
  uint64_t lo = margin, hi = DT_SCRATCH_SIZE - 2 * margin - bytes;
  uint64_t off = lo + dt_below(g->r, hi - lo);
  if ((f->flags & DT_F_ATOMIC) && bytes <= 64) /* no split locks: stay in one line */
    off = (off & ~63ull) + dt_below(g->r, 64 - bytes + 1);
  if ((f->flags & DT_F_ALIGN) || bit_string(f->mn)) {
    off &= ~(uint64_t)(bytes - 1);
    if ((f->flags & DT_F_ALIGN) && !g->seq && dt_below(g->r, 8) == 0)
      off += 1 + dt_below(g->r, bytes - 1); /* misaligned on purpose: #GP */
  }
  return DT_SCRATCH_BASE + off;
}

static void set_reg(DtGen *g, int num, uint64_t v, unsigned abits) {
  if (abits == 32) /* the upper half is ignored by a 32-bit address: make it noise */
    v = (v & 0xffffffffull) | (dt_gen_value(g->r) & ~0xffffffffull);
  g->st->gpr[num] = v;
  g->pinned |= (uint16_t)(1u << num);
}

static uint64_t inverse_odd(uint64_t m) {
  uint64_t x = m; /* Newton's iteration doubles the correct low bits each time */
  for (int i = 0; i < 6; i++)
    x *= 2 - m * x;
  return x;
}

/* Gives the free ones of base/index values, then the displacement, so that
 * base + index*scale + disp == T (mod the address size). */
static bool solve(DtGen *g, int base, int index, unsigned scale, int64_t *disp, uint64_t T,
                  unsigned abits) {
  uint64_t M = amask(abits);
  bool bfree = base >= 0 && !(g->pinned >> base & 1);
  bool ifree = index >= 0 && !(g->pinned >> index & 1);
  uint64_t want = (T - (uint64_t)*disp) & M;
  if (base >= 0 && base == index) {
    if (bfree) {
      uint64_t m = 1 + scale, v;
      if (m == 2) /* two solutions: v and v + 2^(abits-1) */
        v = (want >> 1) | (dt_rand(g->r) & 1) << (abits - 1);
      else
        v = want * inverse_odd(m);
      set_reg(g, base, v & M, abits);
    }
  } else if (ifree && !bfree) {
    uint64_t x = (want - (base >= 0 ? g->st->gpr[base] : 0)) & M;
    uint64_t v = x / scale + dt_below(g->r, scale) * ((M / scale) + 1);
    set_reg(g, index, v & M, abits);
  } else {
    if (ifree)
      set_reg(g, index, dt_gen_value(g->r), 64);
    if (bfree) {
      uint64_t iv = index >= 0 ? g->st->gpr[index] : 0;
      set_reg(g, base, (want - iv * scale) & M, abits);
    }
  }
  uint64_t bv = base >= 0 ? g->st->gpr[base] : 0, iv = index >= 0 ? g->st->gpr[index] : 0;
  uint64_t need = (T - bv - iv * scale) & M;
  int64_t d = abits == 32 ? (int64_t)(int32_t)(uint32_t)need : (int64_t)need;
  if (d < INT32_MIN || d > INT32_MAX)
    return false;
  *disp = d;
  return true;
}

static int64_t pick_disp(DtRng *r) {
  switch (dt_below(r, 3)) {
  case 0: return 0;
  case 1: return (int8_t)dt_rand(r);
  default: return (int32_t)dt_rand(r);
  }
}

/* A random register number among `allowed` (bit mask), or -1 if none. */
static int pick_reg(DtRng *r, uint32_t allowed) {
  int n = __builtin_popcount(allowed);
  if (!n)
    return -1;
  int k = (int)dt_below(r, (uint64_t)n);
  for (int i = 0; i < 16; i++)
    if ((allowed >> i & 1) && k-- == 0)
      return i;
  return -1;
}

static bool gen_mem(DtGen *g, const DtForm *f, unsigned bytes, bool a32, ZydisEncoderOperand *o,
                    MemPlan *p) {
  DtRng *r = g->r;
  unsigned abits = a32 ? 32 : 64;
  const ZydisRegister *regs = gpr_regs[a32 ? 2 : 3];
  o->type = ZYDIS_OPERAND_TYPE_MEMORY;
  o->mem.size = (ZyanU16)bytes;
  p->used = true;
  p->abits = abits;
  p->noaccess = (f->flags & DT_F_NOACCESS) != 0;
  uint32_t any_base = 0xffff, any_index = 0xffff & ~(1u << RSP);
  if (g->seq && !p->noaccess) {
    any_base = g->addr_regs | 1u << RSP;
    any_index = g->addr_regs;
  }
  int base = dt_below(r, 10) == 0 ? -1 : pick_reg(r, any_base);
  int index = dt_below(r, 3) == 0 ? -1 : pick_reg(r, any_index);
  unsigned scale = index >= 0 ? 1u << dt_below(r, 4) : 0;
  int64_t disp = pick_disp(r);
  uint64_t T = 0;
  if (!p->noaccess) {
    p->fault = !g->seq && dt_below(r, 24) == 0;
    T = p->fault ? pick_fault_addr(r, a32, bytes) : pick_scratch_addr(g, f, bytes);
    if (g->seq && base == RSP) { /* near rsp, whatever pushes come before */
      int64_t off = (int64_t)(g->st->gpr[RSP] - DT_SCRATCH_BASE) - 0x100 +
                    (int64_t)dt_below(r, 0x200);
      T = DT_SCRATCH_BASE + (uint64_t)off;
    }
    p->target = T;
    unsigned mode = (unsigned)dt_below(r, 16);
    if (mode == 0 && !a32) { /* rip-relative; the encoder's absolute API wants T */
      o->mem.base = ZYDIS_REGISTER_RIP;
      o->mem.displacement = (ZyanI64)T;
      return true;
    }
    if (mode == 1) { /* [disp32] alone */
      base = index = -1;
      scale = 0;
    }
    if (!solve(g, base, index, scale, &disp, T, abits))
      return false;
  }
  o->mem.base = base >= 0 ? regs[base] : ZYDIS_REGISTER_NONE;
  o->mem.index = index >= 0 ? regs[index] : ZYDIS_REGISTER_NONE;
  o->mem.scale = (ZyanU8)scale;
  o->mem.displacement = disp;
  return true;
}

/* -- Branch targets ------------------------------------------------------------ */

/* Valid targets: the case's end (the capture stub) or an int3 of the pad. */
static bool target_ok(uint64_t t, uint64_t end) {
  if (t == end)
    return true;
  if (t < DT_CODE_BASE || t >= DT_CODE_BASE + DT_CODE_SIZE)
    return false;
  return t < DT_CASE_PC || t >= end + DT_STUB_LEN;
}

static uint64_t pick_target(DtRng *r, uint64_t end) {
  if (dt_below(r, 4) == 0)
    return end;
  uint64_t before = DT_CASE_PC - DT_CODE_BASE;
  uint64_t after = DT_CODE_BASE + DT_CODE_SIZE - (end + DT_STUB_LEN);
  uint64_t k = dt_below(r, before + after);
  return k < before ? DT_CODE_BASE + k : end + DT_STUB_LEN + (k - before);
}

static uint64_t pick_rel8_target(DtRng *r, uint64_t end) {
  for (int i = 0; i < 64; i++) {
    uint64_t t = end + (uint64_t)(int64_t)(int8_t)dt_rand(r);
    if (target_ok(t, end))
      return t;
  }
  return end;
}

/* -- One instruction ------------------------------------------------------------ */

static bool encode(const ZydisEncoderRequest *req, uint64_t pc, uint8_t *buf, size_t *len) {
  ZydisEncoderRequest tmp = *req; /* the absolute API rewrites its request */
  ZyanUSize n = 15;
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstructionAbsolute(&tmp, buf, &n, pc)))
    return false;
  *len = n;
  return true;
}

/* Sequence mode: an instruction may not write the address registers, nor name
 * rsp as a destination (push/pop move it by a little, which is fine). */
static bool writes_pinned(const DtGen *g, const ZydisDecodedInstruction *in,
                          const ZydisDecodedOperand *ops) {
  for (unsigned i = 0; i < in->operand_count; i++) {
    if (ops[i].type != ZYDIS_OPERAND_TYPE_REGISTER ||
        !(ops[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
      continue;
    int num = gpr_num(ops[i].reg.value);
    if (num >= 0 && ((g->addr_regs >> num & 1) || (num == RSP && i < in->operand_count_visible)))
      return true;
  }
  return false;
}

/* Harness self-check: the encoded memory operands address what was solved for. */
static void check_addresses(const DtGen *g, const ZydisDecodedInstruction *in,
                            const ZydisDecodedOperand *ops, const MemPlan *plan) {
  ZydisRegisterContext ctx;
  memset(&ctx, 0, sizeof ctx);
  for (int i = 0; i < 16; i++) {
    ctx.values[gpr_regs[3][i]] = g->st->gpr[i];
    ctx.values[gpr_regs[2][i]] = g->st->gpr[i] & 0xffffffffull;
  }
  for (unsigned i = 0; i < in->operand_count_visible; i++) {
    if (ops[i].type != ZYDIS_OPERAND_TYPE_MEMORY || !plan[i].used || plan[i].noaccess)
      continue;
    ZyanU64 a = 0;
    if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(in, &ops[i], g->pc, &ctx, &a)) ||
        (a & amask(plan[i].abits)) != plan[i].target) {
      fprintf(stderr, "difftest: generator bug: operand %u addresses %#llx, not %#llx\n", i,
              (unsigned long long)a, (unsigned long long)plan[i].target);
      abort();
    }
  }
}

static void put64(uint8_t *mem, uint64_t addr, uint64_t v) {
  if (addr >= DT_SCRATCH_BASE && addr - DT_SCRATCH_BASE <= DT_SCRATCH_SIZE - 8)
    memcpy(mem + (addr - DT_SCRATCH_BASE), &v, 8);
}

bool dt_gen_insn(DtGen *g, const DtForm *f, uint8_t *buf, size_t *len) {
  DtRng *r = g->r;
  OpSpec spec[4];
  unsigned nops = parse_ops(f->ops, spec);
  unsigned opsize = 64;
  if (f->sizes) {
    static const unsigned bits[4] = {8, 16, 32, 64};
    do
      opsize = bits[dt_below(r, 4)];
    while (!(f->sizes & (1u << size_index(opsize))));
  }
  bool a32 = (f->flags & DT_F_A32) || (!g->seq && dt_below(r, 16) == 0);
  bool has_mem = false;
  ZydisEncoderRequest req;
  memset(&req, 0, sizeof req);
  req.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
  req.mnemonic = f->mn;
  req.operand_count = (ZyanU8)nops;
  MemPlan plan[4];
  memset(plan, 0, sizeof plan);
  int rel_op = -1;
  if (f->flags & DT_F_STRING) {
    /* rsi/rdi in scratch with room either way; 1 in 8, one of them a few
     * 8-byte steps short of the end DF walks towards, so that a rep runs off
     * scratch and faults mid-way (rcx/rsi/rdi must be those of that iteration),
     * each access aligned so that it faults whole, never straddling. */
    int edge = dt_below(r, 8) == 0 ? RSI + (int)dt_below(r, 2) : -1;
    bool down = (g->st->rflags & DT_FLAG_DF) != 0;
    for (int reg = RSI; reg <= RDI; reg++) {
      uint64_t steps = 8 * dt_below(r, 8);
      uint64_t a = reg != edge ? DT_SCRATCH_BASE + 0x200 + dt_below(r, DT_SCRATCH_SIZE - 0x400)
                   : down      ? DT_SCRATCH_BASE + steps
                               : DT_SCRATCH_BASE + DT_SCRATCH_SIZE - 8 - steps;
      if (!(g->pinned >> reg & 1))
        set_reg(g, reg, a, a32 ? 32 : 64);
    }
  }
  if (f->mn == ZYDIS_MNEMONIC_XLAT && !(g->pinned >> RBX & 1)) /* the table [rbx + al] */
    set_reg(g, RBX, DT_SCRATCH_BASE + 0x200 + dt_below(r, DT_SCRATCH_SIZE - 0x400), a32 ? 32 : 64);
  if ((f->flags & (DT_F_REP | DT_F_REPCC)) && dt_below(r, 2) && !(g->pinned >> RCX & 1)) {
    static const ZydisInstructionAttributes repcc[2] = {ZYDIS_ATTRIB_HAS_REPE,
                                                        ZYDIS_ATTRIB_HAS_REPNE};
    req.prefixes |= f->flags & DT_F_REP ? ZYDIS_ATTRIB_HAS_REP : repcc[dt_below(r, 2)];
    set_reg(g, RCX, dt_below(r, 16), a32 ? 32 : 64);
  }
  for (unsigned i = 0; i < nops; i++) {
    ZydisEncoderOperand *o = &req.operands[i];
    unsigned b = spec_bits(spec[i].size, opsize);
    char kind = spec[i].kind;
    if (kind == 'E' || kind == 'W' || kind == 'Q')
      kind = dt_below(r, 2) ? 'M' : kind == 'E' ? 'G' : kind == 'W' ? 'V' : 'P';
    if (kind == 'M' && g->seq && bit_string(f->mn) && spec[1].kind != 'I')
      kind = 'G'; /* a sequence could not keep the offset register small */
    switch (kind) {
    case 'G':
    case 'R': {
      o->type = ZYDIS_OPERAND_TYPE_REGISTER;
      unsigned k = (unsigned)dt_below(r, b == 8 ? 20 : 16);
      o->reg.value = k >= 16 ? high8[k - 16] : gpr_regs[size_index(b)][k];
      if (bit_string(f->mn) && plan[0].used && !plan[0].noaccess) {
        /* bt [m], r reaches m + (r >> 3): keep r a small signed offset */
        if (k >= 16 || (g->pinned >> k & 1))
          return false;
        set_reg(g, (int)k, (uint64_t)((int64_t)dt_below(r, 4096) - 2048), 64);
      }
      break;
    }
    case 'A':
      o->type = ZYDIS_OPERAND_TYPE_REGISTER;
      o->reg.value = gpr_regs[size_index(b)][0];
      break;
    case 'L':
      o->type = ZYDIS_OPERAND_TYPE_REGISTER;
      o->reg.value = spec[i].literal;
      break;
    case 'V':
      o->type = ZYDIS_OPERAND_TYPE_REGISTER;
      o->reg.value = (ZydisRegister)(ZYDIS_REGISTER_XMM0 + dt_below(r, 16));
      break;
    case 'P': /* mm register (Intel's P and N) */
    case 'N':
      o->type = ZYDIS_OPERAND_TYPE_REGISTER;
      o->reg.value = (ZydisRegister)(ZYDIS_REGISTER_MM0 + dt_below(r, 8));
      break;
    case 'S': /* x87 st(i) */
      o->type = ZYDIS_OPERAND_TYPE_REGISTER;
      o->reg.value = (ZydisRegister)(ZYDIS_REGISTER_ST0 + dt_below(r, 8));
      break;
    case 'M': {
      /* lea and friends name no access size: the encoder wants the address size */
      unsigned bytes = spec[i].size ? b / 8 : a32 ? 4 : 8;
      if (!gen_mem(g, f, bytes, a32, o, &plan[i]))
        return false;
      has_mem = true;
      break;
    }
    case 'I':
      o->type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
      o->imm.u = sext(edge_at(r, b), b);
      if ((f->flags & DT_F_NOT80) && (o->imm.u & 0xff) == 0x80)
        o->imm.u = 0x81;
      break;
    case '#':
      o->type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
      o->imm.u = spec[i].value;
      break;
    case 'J':
      o->type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
      o->imm.u = g->pc; /* a placeholder until the length is known */
      req.branch_width = b == 8 ? ZYDIS_BRANCH_WIDTH_8 : ZYDIS_BRANCH_WIDTH_32;
      rel_op = (int)i;
      break;
    default:
      abort(); /* a class table typo */
    }
  }
  if (f->sizes) { /* push imm16 vs push imm32: only the hint tells them apart */
    static const ZydisOperandSizeHint hint[4] = {ZYDIS_OPERAND_SIZE_HINT_8, ZYDIS_OPERAND_SIZE_HINT_16,
                                                 ZYDIS_OPERAND_SIZE_HINT_32, ZYDIS_OPERAND_SIZE_HINT_64};
    req.operand_size_hint = hint[size_index(opsize)];
  }
  if ((f->flags & DT_F_A32) || (a32 && (has_mem || (f->flags & DT_F_STRING))))
    req.address_size_hint = ZYDIS_ADDRESS_SIZE_HINT_32;
  if ((f->flags & DT_F_LOCK) && plan[0].used && dt_below(r, 2))
    req.prefixes |= ZYDIS_ATTRIB_HAS_LOCK;

  if (!encode(&req, g->pc, buf, len)) {
    /* Unsigned immediate fields (int n, ret n, enter) reject sign extension. */
    bool retry = false;
    for (unsigned i = 0; i < nops; i++)
      if (spec[i].kind == 'I') {
        unsigned b = spec_bits(spec[i].size, opsize);
        retry |= req.operands[i].imm.u != (req.operands[i].imm.u & mask_of(b));
        req.operands[i].imm.u &= mask_of(b);
      }
    if (!retry || !encode(&req, g->pc, buf, len))
      return false;
  }
  uint64_t end = g->pc + *len;
  if (rel_op >= 0) {
    req.operands[rel_op].imm.u =
        req.branch_width == ZYDIS_BRANCH_WIDTH_8 ? pick_rel8_target(r, end) : pick_target(r, end);
    size_t len2;
    if (!encode(&req, g->pc, buf, &len2) || len2 != *len)
      return false;
  }

  ZydisDecodedInstruction in;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dt_decoder(), buf, *len, &in, ops)) ||
      in.mnemonic != f->mn || in.operand_count_visible != nops)
    return false; /* e.g. xchg eax, eax encodes as nop */
  if (g->seq && writes_pinned(g, &in, ops))
    return false;

  /* Compare-and-exchange: half the time memory holds what the accumulator
   * (edx:eax, rdx:rax) expects, so the exchanging path is drawn too. */
  if (plan[0].used && !plan[0].fault && cmpxchg(f->mn) && dt_below(r, 2)) {
    uint64_t lo = g->st->gpr[RAX], hi = g->st->gpr[RDX];
    bool pair32 = f->mn == ZYDIS_MNEMONIC_CMPXCHG8B;
    put64(g->mem, plan[0].target, pair32 ? (lo & 0xffffffffull) | hi << 32 : lo);
    if (f->mn == ZYDIS_MNEMONIC_CMPXCHG16B)
      put64(g->mem, plan[0].target + 8, hi);
  }

  /* Branch targets the code must find in registers or memory. */
  if (f->flags & DT_F_TARGET) {
    uint64_t t = pick_target(r, end);
    if (plan[0].used) {
      put64(g->mem, plan[0].target, t);
    } else {
      int num = gpr_num(req.operands[0].reg.value);
      if (!(g->pinned >> num & 1))
        set_reg(g, num, t, 64);
    }
  }
  if (f->flags & DT_F_FP)
    for (unsigned i = 0; i < nops; i++)
      if (plan[i].used && !plan[i].fault && !plan[i].noaccess)
        dt_gen_fp_mem(r, f, g->mem, plan[i].target, g->seq);
  if (f->flags & DT_F_RET)
    put64(g->mem, g->st->gpr[RSP], pick_target(r, end));
  if (f->flags & DT_F_POPF) /* the user-settable flags, never TF or AC */
    put64(g->mem, g->st->gpr[RSP],
          (dt_rand(r) & DT_FLAGS_ALL) | 0x202 | (dt_below(r, 2) ? 0x200000 : 0));
  check_addresses(g, &in, ops, plan);
  return true;
}

/* -- Whole cases ---------------------------------------------------------------- */

DtRng dt_rng_for(uint64_t seed, const char *stream, uint64_t k) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the stream name */
  for (; *stream; stream++)
    h = (h ^ (uint8_t)*stream) * 0x100000001b3ull;
  DtRng r = {seed ^ h};
  r.s = dt_rand(&r) ^ k * 0xd1342543de82ef95ull;
  dt_rand(&r);
  return r;
}

bool dt_gen_single(DtRng *r, const DtForm *f, DtCase *c) {
  for (int attempt = 0; attempt < 200; attempt++) {
    memset(c, 0, sizeof *c);
    dt_gen_state(r, &c->in, c->mem);
    if (f->flags & DT_F_FP)
      dt_gen_fp_state(r, &c->in, c->mem);
    DtGen g = {.r = r, .st = &c->in, .mem = c->mem, .pinned = 1u << RSP, .pc = DT_CASE_PC};
    if (f->flags & DT_F_RBP) {
      c->in.gpr[RBP] = dt_gen_stack_ptr(r) & ~7ull;
      g.pinned |= 1u << RBP;
    }
    size_t len;
    if (!dt_gen_insn(&g, f, c->bytes, &len))
      continue;
    c->len = (uint32_t)len;
    ZydisDecodedInstruction in;
    if (!dt_decode_case(c) ||
        !ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(dt_decoder(), NULL, c->bytes, c->len, &in)))
      continue;
    c->undef_before[0] = 0;
    c->undef_before[1] = dt_undef_flags(&in);
    c->form[0] = (uint16_t)(f - dt_forms);
    return true;
  }
  return false;
}
