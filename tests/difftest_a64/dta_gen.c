/* dta_gen.c — random AArch64 cases from the frontend's pattern rows: the
 * fixed bits from the row, random field values (biased towards register 31
 * and edge immediates), and a random input state drawn from interesting
 * values. Rows are classified once: memory rows get their base register
 * pointed into scratch, branches get targets inside the case, a few rows are
 * never generated (the table below says why). */
#include <stdlib.h>
#include <string.h>

#include "a64_lift.h"
#include "dta.h"

/* -- Randomness -------------------------------------------------------------- */

typedef struct Rng {
  uint64_t s;
} Rng;

static uint64_t rnd(Rng *r) { return dta_mix(&r->s); }
static uint64_t below(Rng *r, uint64_t n) { return n ? rnd(r) % n : 0; }
static bool one_in(Rng *r, unsigned n) { return below(r, n) == 0; }

uint64_t dta_hash(uint64_t seed, const char *stream, uint64_t index) {
  uint64_t h = seed ^ 0x6a09e667f3bcc909ull;
  for (const char *p = stream; *p; p++) {
    h ^= (uint8_t)*p;
    dta_mix(&h);
  }
  h ^= index * 0x9e3779b97f4a7c15ull;
  return dta_mix(&h);
}

/* -- Row classification ------------------------------------------------------- */

/* Rows the generator treats specially by name. Anything else in the branch
 * table is excluded: the generator would not know where it goes. */
static const struct {
  const char *name;
  DtaKind kind;
  const char *why;
} special_rows[] = {
    {"b", DTA_BR_IMM, NULL},      {"bl", DTA_BR_IMM, NULL},  {"b.cond", DTA_BR_IMM, NULL},
    {"cbz", DTA_BR_IMM, NULL},    {"tbz", DTA_BR_IMM, NULL}, {"br", DTA_BR_REG, NULL},
    {"blr", DTA_BR_REG, NULL},    {"ret", DTA_BR_REG, NULL}, {"brk", DTA_PLAIN, NULL},
    {"udf", DTA_PLAIN, NULL},
    {"svc", DTA_EXCLUDED, "a system call with random arguments"},
    {"sys", DTA_MEM, NULL}, /* dc zva, dc cvau, ic ivau...: Xt is an address */
};

/* Encodings never generated (fields are drawn again): what they read is
 * nondeterministic or a CPU-model choice in which emu and qemu's max CPU may
 * rightly differ. */
static const struct {
  uint32_t mask, value;
} excluded_encodings[] = {
    {0xfffff000, 0xd5380000}, /* mrs of the ID registers (midr, mpidr, id_aa64*) */
    {0xffffffe0, 0xd53b0020}, /* mrs ctr_el0: the cache geometry */
    {0xfffff000, 0xd53be000}, /* mrs of the generic timer (cntvct, cntfrq...): time */
    {0xffffffc0, 0xd53b2400}, /* mrs rndr, rndrrs: random numbers */
    {0xffffffe0, 0xd50b7460}, /* dc gva: MTE tags (qemu's max CPU has MTE) */
    {0xffffffe0, 0xd50b7480}, /* dc gzva */
    /* DCZID_EL0 and dc zva: the zeroing block size (qemu max: 512 bytes) or
     * whether dc zva is allowed at all (emu: DZP=1) is the CPU model's. */
    {0xffffffe0, 0xd53b00e0}, /* mrs dczid_el0 */
    {0xffffffe0, 0xd50b7420}, /* dc zva */
};

/* Rows whose random fields almost never make an allocated encoding: three
 * times in four the fixed part comes from this list instead (register fields
 * stay random). */
static const struct {
  const char *row;
  uint32_t insn[16];
} templates[] = {
    {"sys", {0xd50b7a20 /* dc cvac */, 0xd50b7b20 /* dc cvau */, 0xd50b7e20 /* dc civac */,
             0xd50b7520 /* ic ivau */}},
    /* (not dit, ssbs, tco: PSTATE fields of extensions emu does not advertise) */
    {"mrs_msr", {0xd53b4200 /* mrs nzcv */, 0xd53b4400 /* mrs fpcr */, 0xd53b4420 /* mrs fpsr */,
                 0xd53bd040 /* mrs tpidr_el0 */, 0xd53bd060 /* mrs tpidrro_el0 */,
                 0xd51b4200 /* msr nzcv */, 0xd51b4400 /* msr fpcr */, 0xd51b4420 /* msr fpsr */,
                 0xd51bd040 /* msr tpidr_el0 */}},
};

static uint32_t template_insn(Rng *r, const A64Pattern *p) {
  for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
    if (strcmp(templates[i].row, p->row->name))
      continue;
    unsigned n = 0;
    while (n < 16 && templates[i].insn[n])
      n++;
    return templates[i].insn[below(r, n)];
  }
  return 0;
}

static bool excluded_encoding(uint32_t insn) {
  for (size_t i = 0; i < sizeof excluded_encodings / sizeof excluded_encodings[0]; i++)
    if ((insn & excluded_encodings[i].mask) == excluded_encodings[i].value)
      return true;
  return false;
}

static bool in_table(const A64Row *table, const A64Row *r) {
  for (const A64Row *t = table; t->fn; t++)
    if (t == r)
      return true;
  return false;
}

static int field_index(const A64Pattern *p, A64Field id) {
  for (unsigned i = 0; i < p->nfields; i++)
    if (p->field[i].id == id)
      return (int)i;
  return -1;
}

static DtaRow classify(const A64Pattern *p) {
  DtaRow r = {p, DTA_PLAIN, NULL};
  for (size_t i = 0; i < sizeof special_rows / sizeof special_rows[0]; i++)
    if (!strcmp(special_rows[i].name, p->row->name)) {
      r.kind = special_rows[i].kind;
      r.why = special_rows[i].why;
      return r;
    }
  if (in_table(a64_rows_branch, p->row)) {
    r.kind = DTA_EXCLUDED;
    r.why = "a branch row the generator does not know (add it to special_rows)";
  } else if (in_table(a64_rows_ldst, p->row) || in_table(a64_rows_atomic, p->row) ||
             !strncmp(p->row->name, "ldst", 4)) { /* SIMD ld1..st4 live in the simd table */
    int imm = field_index(p, A64_F_imm);
    if (field_index(p, A64_F_rn) >= 0)
      r.kind = DTA_MEM;
    else if (imm >= 0 && p->field[imm].width == 19)
      r.kind = DTA_LIT; /* pc-relative: ldr (literal), prfm (literal) */
  }
  return r;
}

const DtaRow *dta_rows(unsigned *count) {
  static DtaRow *rows;
  static unsigned n;
  if (!rows) {
    const A64Pattern *p = a64_patterns(&n);
    rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows)
      abort();
    for (unsigned i = 0; i < n; i++)
      rows[i] = classify(&p[i]);
  }
  *count = n;
  return rows;
}

/* -- Values ---------------------------------------------------------------- */

static uint64_t gpr_value(Rng *r) {
  static const uint64_t special[] = {
      0, 1, 2, ~0ull, ~1ull, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
      0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
      0xffffffff80000000ull, 0xffffffff7fffffffull, 0xffff0000ull, 31, 32, 63, 64,
      0x3ff0000000000000ull, 0x0000000100000001ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull};
  switch (below(r, 8)) {
  case 0: case 1: case 2: return special[below(r, sizeof special / sizeof special[0])];
  case 3: return below(r, 130) - 65;                           /* small, either sign */
  case 4: return (uint32_t)rnd(r);                             /* a W value */
  case 5: return (uint64_t)(int64_t)(int32_t)rnd(r);           /* sign-extended W */
  default: return rnd(r);
  }
}

/* Floating-point bit patterns of width 16, 32 or 64: signed zeros, infinities,
 * quiet and signalling NaNs (with payloads), denormals, the normal extremes,
 * values that round at .5, integer-conversion edges, or random. */
static uint64_t fp_value(Rng *r, unsigned bits) {
  static const uint64_t f64[] = {
      0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
      0x7ff8000000000000ull, 0x7ff8000000000123ull, 0x7ff0000000000001ull, 0xfff4000000000000ull,
      1, 0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
      0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3fe0000000000000ull, 0x3ff8000000000000ull,
      0x4004000000000000ull, 0xc004000000000000ull, 0x41e0000000000000ull, 0x41f0000000000000ull,
      0x43e0000000000000ull, 0xc3e0000000000000ull, 0x43f0000000000000ull, 0xc1e0000000000000ull};
  static const uint64_t f32[] = {
      0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00123, 0x7f800001, 0xffa00000,
      1, 0x007fffff, 0x00800000, 0x7f7fffff, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000,
      0x40200000, 0xc0200000, 0x4f000000, 0x4f800000, 0x5f000000, 0xdf000000, 0xcf000000};
  static const uint64_t f16[] = {0,      0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7d00, 0xfe01,
                                 0x0001, 0x03ff, 0x0400, 0x7bff, 0x3c00, 0xbc00, 0x3800,
                                 0x3e00, 0x4100, 0xc100, 0x7800, 0xf800};
  const uint64_t *t = bits == 64 ? f64 : bits == 32 ? f32 : f16;
  size_t n = bits == 64 ? sizeof f64 / 8 : bits == 32 ? sizeof f32 / 8 : sizeof f16 / 8;
  unsigned ebits = bits == 64 ? 11 : bits == 32 ? 8 : 5, mbits = bits - 1 - ebits;
  uint64_t bias = (1ull << (ebits - 1)) - 1;
  switch (below(r, 4)) {
  case 0: case 1: return t[below(r, n)];
  case 2: { /* a normal number of moderate size */
    uint64_t e = bias + below(r, 2 * (ebits > 5 ? 40 : 10)) - (ebits > 5 ? 40 : 10);
    return (rnd(r) & 1) << (bits - 1) | e << mbits | (rnd(r) & ((1ull << mbits) - 1));
  }
  default: return bits == 64 ? rnd(r) : rnd(r) & ((1ull << bits) - 1);
  }
}

static void vec_value(Rng *r, uint8_t v[16]) {
  unsigned lanebits[4] = {16, 32, 64, 0}, bits = lanebits[below(r, 4)];
  if (bits == 0) { /* integer lanes: bytes from the GPR pool */
    for (int i = 0; i < 16; i += 8) {
      uint64_t x = gpr_value(r);
      memcpy(v + i, &x, 8);
    }
    return;
  }
  for (unsigned i = 0; i < 16; i += bits / 8) {
    uint64_t x = fp_value(r, bits);
    memcpy(v + i, &x, bits / 8);
  }
}

/* A pointer into scratch (its middle, mostly aligned), sometimes with a top-byte
 * tag: Linux runs EL0 with TBI, so tagged pointers must reach the same memory. */
static uint64_t scratch_ptr(const DtaGenOpts *o, Rng *r) {
  uint64_t off = DTA_SCRATCH_SIZE / 4 + below(r, DTA_SCRATCH_SIZE / 2);
  switch (below(r, 8)) {
  case 0: break;                    /* any byte */
  case 1: off &= ~7ull; break;      /* 8-aligned */
  default: off &= ~15ull; break;    /* 16-aligned */
  }
  uint64_t p = DTA_SCRATCH_ADDR + off;
  if (!o->no_tbi && one_in(r, 8))
    p |= rnd(r) << 56;
  return p;
}

static uint64_t scratch_word_at(uint64_t seed, uint64_t addr) {
  static uint64_t img[DTA_SCRATCH_WORDS], img_seed;
  static bool have;
  if (!have || img_seed != seed) {
    dta_fill_scratch(seed, img);
    img_seed = seed;
    have = true;
  }
  uint64_t off = (addr & 0x00ffffffffffffffull) - DTA_SCRATCH_ADDR;
  uint64_t v = 0;
  if (off <= DTA_SCRATCH_SIZE - 8)
    memcpy(&v, (const uint8_t *)img + off, 8);
  return v;
}

/* -- Fields ---------------------------------------------------------------- */

static bool is_reg_field(unsigned id) {
  return id == A64_F_rd || id == A64_F_rn || id == A64_F_rm || id == A64_F_ra ||
         id == A64_F_rt || id == A64_F_rt2 || id == A64_F_rs;
}

/* Registers mostly uniform, 31 (SP or ZR) one time in eight; immediates at
 * their edges half the time. */
static uint32_t field_value(Rng *r, unsigned id, unsigned width) {
  uint32_t max = (uint32_t)((1ull << width) - 1);
  if (is_reg_field(id))
    return one_in(r, 8) ? 31 : (uint32_t)below(r, 31);
  switch (below(r, 8)) {
  case 0: return 0;
  case 1: return max;
  case 2: return (uint32_t)(1u << (width - 1));
  case 3: return (uint32_t)below(r, 8) & max;
  default: return (uint32_t)rnd(r) & max;
  }
}

static void put_field(const A64Pattern *p, int fi, uint32_t *insn, uint32_t v) {
  const typeof(p->field[0]) *f = &p->field[fi];
  uint32_t m = (uint32_t)((1ull << f->width) - 1) << f->lsb;
  *insn = (*insn & ~m) | (v << f->lsb & m);
}

static uint32_t get_field(const A64Pattern *p, int fi, uint32_t insn) {
  return insn >> p->field[fi].lsb & (uint32_t)((1ull << p->field[fi].width) - 1);
}

/* A register number not in `used` (bit per register, 0..30), or r if all are. */
static uint32_t fresh_reg(Rng *r, uint32_t used, uint32_t want) {
  if (want != 31 && !(used >> want & 1))
    return want;
  uint32_t free = ~used & 0x7fffffffu;
  if (!free)
    return want;
  for (;;) {
    uint32_t k = (uint32_t)below(r, 31);
    if (free >> k & 1)
      return k;
  }
}

/* The case under construction. */
typedef struct Build {
  const DtaGenOpts *o;
  Rng r;
  DtaGenCase *g;
  unsigned n;        /* instructions so far */
  unsigned total;    /* instructions the case will have */
  uint32_t used;     /* registers named by earlier instructions (and x30 after bl/blr) */
  uint64_t seed;     /* the run's --seed */
} Build;

static uint32_t reg_mask_of(const A64Pattern *p, uint32_t insn) {
  uint32_t m = 0;
  for (unsigned i = 0; i < p->nfields; i++)
    if (is_reg_field(p->field[i].id)) {
      uint32_t v = get_field(p, (int)i, insn);
      if (v != 31)
        m |= 1u << v;
    }
  return m;
}

/* Memory rows: distinct registers (a base or status register equal to the
 * data register is CONSTRAINED UNPREDICTABLE), the base not written earlier in
 * a sequence, pointing into scratch; an index register small; rs (a compare or
 * operand value) half the time the memory word at the base, so cas succeeds. */
/* An even register whose odd partner is free too (casp's pairs), or 31 if none. */
static uint32_t fresh_pair(Rng *r, uint32_t taken) {
  for (unsigned tries = 0; tries < 64; tries++) {
    uint32_t k = 2 * (uint32_t)below(r, 15);
    if (!(taken >> k & 3))
      return k;
  }
  return 31;
}

/* casp: Rs and Rt name even/odd pairs (odd ones are unallocated); half the
 * time the compare pair is what memory holds, so the swap happens. */
static void aim_casp(Build *b, const A64Pattern *p, uint32_t *insn, uint32_t taken, uint64_t base) {
  int rs = field_index(p, A64_F_rs), rt = field_index(p, A64_F_rt);
  uint32_t s = fresh_pair(&b->r, taken);
  taken |= s == 31 ? 0 : 3u << s;
  uint32_t t = fresh_pair(&b->r, taken);
  if (s == 31 || t == 31)
    return;
  put_field(p, rs, insn, s);
  put_field(p, rt, insn, t);
  if (one_in(&b->r, 2)) {
    bool x_pair = get_field(p, field_index(p, A64_F_size), *insn) & 1;
    uint64_t lo = scratch_word_at(b->g->c.mem_seed, base);
    uint64_t hi = x_pair ? scratch_word_at(b->g->c.mem_seed, base + 8) : lo >> 32;
    b->g->c.in.x[s] = x_pair ? lo : (uint32_t)lo;
    b->g->c.in.x[s + 1] = hi;
  }
}

static void aim_memory(Build *b, const A64Pattern *p, uint32_t *insn) {
  DtaState *in = &b->g->c.in;
  uint32_t taken = b->used;
  int rn = field_index(p, A64_F_rn);
  if (rn < 0) /* sys (dc zva...): the address is in Xt */
    rn = field_index(p, A64_F_rt);
  if (rn >= 0 && get_field(p, rn, *insn) != 31) {
    put_field(p, rn, insn, fresh_reg(&b->r, taken, get_field(p, rn, *insn)));
    taken |= 1u << get_field(p, rn, *insn);
  }
  for (unsigned i = 0; i < p->nfields; i++) {
    if (!is_reg_field(p->field[i].id) || (int)i == rn)
      continue;
    uint32_t v = get_field(p, (int)i, *insn);
    if (v == 31)
      continue;
    if (taken >> v & 1)
      put_field(p, (int)i, insn, v = fresh_reg(&b->r, taken, v));
    taken |= 1u << v;
  }
  uint64_t base = in->sp;
  if (rn >= 0 && get_field(p, rn, *insn) != 31)
    in->x[get_field(p, rn, *insn)] = base = scratch_ptr(b->o, &b->r);
  int rm = field_index(p, A64_F_rm);
  if (rm >= 0 && get_field(p, rm, *insn) != 31) {
    static const int64_t idx[] = {0, 1, 2, 4, 8, 16, -8, -16, 3, -1};
    int64_t v = one_in(&b->r, 2) ? idx[below(&b->r, 10)] : (int64_t)below(&b->r, 512) - 256;
    in->x[get_field(p, rm, *insn)] = (uint64_t)v;
  }
  int rs = field_index(p, A64_F_rs);
  if (!strcmp(p->row->name, "casp"))
    aim_casp(b, p, insn, b->used | (rn >= 0 ? 1u << get_field(p, rn, *insn) : 0) , base);
  else if (rs >= 0 && get_field(p, rs, *insn) != 31 && one_in(&b->r, 2))
    in->x[get_field(p, rs, *insn)] = scratch_word_at(b->g->c.mem_seed, base);
}

/* ldr (literal) and prfm (literal): imm19 words from the instruction to scratch. */
static void aim_literal(Build *b, const A64Pattern *p, uint32_t *insn) {
  uint64_t pc = dta_insn_addr(b->g->c.id, b->n);
  uint64_t target = DTA_SCRATCH_ADDR + (below(&b->r, DTA_SCRATCH_SIZE - 16) & ~3ull);
  put_field(p, field_index(p, A64_F_imm), insn, (uint32_t)((target - pc) >> 2));
}

/* A forward target: a later instruction, tail A (index total) or tail B
 * (total + 1). A single instruction aims at tail B, so taken != not taken. */
static unsigned branch_target(Build *b) {
  if (b->total == 1)
    return 2;
  return b->n + 1 + (unsigned)below(&b->r, b->total + 1 - b->n);
}

/* Give register reg an input value, unless an earlier instruction of the
 * sequence names it (its value may be a base or a branch target chosen for
 * that one, and it is that instruction's input anyway). */
static void set_input(Build *b, uint32_t reg, uint64_t v) {
  if (reg != 31 && !(b->used >> reg & 1))
    b->g->c.in.x[reg] = v;
}

/* msr fpcr, Xt: without --fpcr-all only RMode may be set, as in the input FPCR
 * (FZ, DN, AHP and FZ16 are drawn only with it: FZ changes what is compared). */
static void aim_fpcr_write(Build *b, uint32_t *insn) {
  if ((*insn & 0xffffffe0) != 0xd51b4400 || b->o->fpcr_all)
    return;
  *insn = (*insn & ~31u) | fresh_reg(&b->r, b->used, *insn & 31);
  set_input(b, *insn & 31, below(&b->r, 4) << 22);
}

static void aim_branch_imm(Build *b, const A64Pattern *p, uint32_t *insn) {
  int imm = field_index(p, A64_F_imm);
  put_field(p, imm, insn, branch_target(b) - b->n);
  int rt = field_index(p, A64_F_rt); /* cbz / tbz: zero half the time (W: high half set) */
  if (rt >= 0 && one_in(&b->r, 2))
    set_input(b, get_field(p, rt, *insn), one_in(&b->r, 2) ? 0 : rnd(&b->r) << 32);
}

static void aim_branch_reg(Build *b, const A64Pattern *p, uint32_t *insn) {
  int rn = field_index(p, A64_F_rn);
  uint32_t v = get_field(p, rn, *insn);
  if (v == 31) /* br xzr: to address 0, a fault both must report alike */
    return;
  put_field(p, rn, insn, v = fresh_reg(&b->r, b->used, v));
  b->g->c.in.x[v] = dta_insn_addr(b->g->c.id, branch_target(b));
}

static void add_insn(Build *b, const DtaRow *row) {
  const A64Pattern *p = row->p;
  uint32_t insn;
  for (unsigned tries = 0; tries < 64; tries++) {
    insn = p->value | ((uint32_t)rnd(&b->r) & ~p->mask); /* don't-care bits random */
    uint32_t t = template_insn(&b->r, p);
    bool use_template = t && !one_in(&b->r, 4);
    if (use_template)
      insn = t;
    for (unsigned i = 0; i < p->nfields; i++)
      if (!use_template || is_reg_field(p->field[i].id))
        put_field(p, (int)i, &insn, field_value(&b->r, p->field[i].id, p->field[i].width));
    if (!excluded_encoding(insn) &&
        !(b->o->no_fpsr_read && (insn & 0xffffffe0) == 0xd53b4420 /* mrs xN, fpsr */))
      break;
  }
  switch (row->kind) {
  case DTA_MEM: aim_memory(b, p, &insn); break;
  case DTA_LIT: aim_literal(b, p, &insn); break;
  case DTA_BR_IMM: aim_branch_imm(b, p, &insn); break;
  case DTA_BR_REG: aim_branch_reg(b, p, &insn); break;
  default: aim_fpcr_write(b, &insn); break;
  }
  b->used |= reg_mask_of(p, insn);
  if (!strcmp(p->row->name, "bl") || !strcmp(p->row->name, "blr"))
    b->used |= 1u << 30;
  b->g->c.insn[b->n] = insn;
  b->g->rows[b->n] = row;
  b->n++;
}

static void init_case(Build *b, const DtaGenOpts *o, uint64_t seed, uint64_t h, uint64_t index,
                      unsigned total, DtaGenCase *g) {
  memset(g, 0, sizeof *g);
  *b = (Build){.o = o, .r = {h}, .g = g, .total = total, .seed = seed};
  DtaCase *c = &g->c;
  c->magic = DTA_MAGIC_CASE;
  c->ninsns = total;
  c->id = index;
  /* Shared by runs of 16 consecutive indices: the runner then restores only
   * the words a case changed instead of rebuilding scratch. */
  c->mem_seed = dta_hash(b->seed, "scratch", index / 16);
  DtaState *in = &c->in;
  for (int i = 0; i < 31; i++)
    in->x[i] = gpr_value(&b->r);
  /* SP: 16-aligned in scratch (a misaligned SP base faults on Linux), rarely not. */
  in->sp = DTA_SCRATCH_ADDR + DTA_SCRATCH_SIZE / 2 + 16 * (below(&b->r, 64) - 32);
  if (one_in(&b->r, 32))
    in->sp += 8;
  in->nzcv = (uint64_t)below(&b->r, 16) << 28;
  uint64_t fpcr = one_in(&b->r, 2) ? below(&b->r, 4) << 22 : 0; /* RMode */
  if (o->fpcr_all)
    fpcr |= rnd(&b->r) & (1u << 26 | 1u << 25 | 1u << 24 | 1u << 19); /* AHP DN FZ FZ16 */
  in->fpcr = fpcr;
  in->fpsr = one_in(&b->r, 4) ? rnd(&b->r) & 0x0800009fu : 0; /* QC, cumulative flags */
  in->tpidr = rnd(&b->r);
  for (int i = 0; i < 32; i++)
    vec_value(&b->r, in->v[i]);
}

void dta_gen_single(const DtaGenOpts *o, const DtaRow *row, uint64_t seed, uint64_t index,
                    DtaGenCase *out) {
  Build b;
  init_case(&b, o, seed, dta_hash(seed, row->p->row->name, index), index, 1, out);
  add_insn(&b, row);
}

void dta_gen_seq(const DtaGenOpts *o, const DtaRow *const *rows, unsigned nrows, unsigned max_len,
                 uint64_t seed, uint64_t index, DtaGenCase *out) {
  Build b;
  uint64_t h = dta_hash(seed, "seq", index);
  Rng r = {h};
  unsigned len = 2 + (unsigned)below(&r, max_len > 2 ? max_len - 1 : 1);
  if (len > DTA_MAX_INSNS)
    len = DTA_MAX_INSNS;
  init_case(&b, o, seed, rnd(&r), index, len, out);
  while (b.n < len)
    add_insn(&b, rows[below(&b.r, nrows)]);
}
