/* lift_atomic.c — exclusives, acquire/release, LSE atomics and barriers:
 * ldxr stxr ldaxr stlxr (b h w x), ldxp stxp ldaxp stlxp, ldar stlr (ldlar
 * stllr), ldapr, ldadd ldclr ldeor ldset ldsmax ldsmin ldumax ldumin swp
 * (with their a/l variants), cas casp, clrex dmb dsb isb sb.
 *
 * The exclusive monitor is a compare-and-swap: a load-exclusive records the
 * address and the value it saw (A64_SLOT_EXCL_*); a store-exclusive to that
 * address succeeds iff memory still holds that value, swapped atomically for
 * the new one. That misses an ABA change in between, which no lock-free
 * algorithm built on ll/sc depends on (qemu makes the same trade).
 *
 * 128-bit compare-and-swap (stxp and casp of X pairs) has no IR op: a helper
 * does it with the host's lock cmpxchg16b on the pointer the runner gives
 * (ir_helper_mem), and returns a status the IR branches on, so faults are
 * raised by the IR. Accesses follow qemu: exclusives, ldar/stlr, the LSE
 * atomics, cas and casp fault when misaligned; ldapr does not. */
#include <string.h>

#include "a64_lift.h"

static IrRef excl_clear_value(A64Lift *l) { return a64_i64(l, ~0ull); }

static IrType size_type(unsigned size) { return ir_type_int_of_bits(8u << size); }

/* [Xn|SP] without its tag (a64_data_addr): what the monitor records and cas,
 * armw and the helper access. */
static IrRef base_addr(A64Lift *l) { return a64_data_addr(l, a64_xsp(l, F(rn), true)); }

/* The i64 v cut to the access type t. */
static IrRef narrow(A64Lift *l, IrRef v, IrType t) {
  return t == IR_T_i64 ? v : ir_cast(l->fn, IR_OP_trunc, t, v);
}

/* The W pair Wlo, Whi as one 64-bit value (Wlo at the lower address). */
static IrRef wpair(A64Lift *l, unsigned lo, unsigned hi) {
  IrFunc *fn = l->fn;
  IrRef w = ir_cast(fn, IR_OP_zext, IR_T_i64, a64_x(l, lo, false));
  return ir_op2(fn, IR_OP_or, w, ir_op2(fn, IR_OP_shl, a64_x(l, hi, true), a64_i64(l, 32)));
}

/* -- 128-bit compare-and-swap --------------------------------------------- */

enum { CAS128_EQUAL = 0, CAS128_DIFFER = 1, CAS128_FAULT = 2, CAS128_MISALIGNED = 3 };
/* The helper's `from` argument when the expected value is the monitor's. */
enum { CAS128_FROM_MONITOR = 64 };

/* (cpu, addr, new lo, new hi, from) -> CAS128_*. from = CAS128_FROM_MONITOR:
 * expect the monitor's pair (stxp); else from is casp's even register Xs:
 * expect Xs:Xs+1 and load the old pair into them (register 31 is XZR). */
static uint64_t helper_cas128(void *opaque, uint64_t addr, uint64_t nlo, uint64_t nhi,
                              uint64_t from) {
  A64Cpu *cpu = opaque;
  if (addr & 15)
    return CAS128_MISALIGNED;
  const IrMemOps *mem = ir_helper_mem();
  void *p = mem && mem->atomic_ptr ? mem->atomic_ptr(mem->ctx, addr, 16) : NULL;
  if (!p)
    return CAS128_FAULT;
  bool monitor = from == CAS128_FROM_MONITOR;
  uint64_t lo = monitor ? cpu->excl_val : cpu->x[from];
  uint64_t hi = monitor ? cpu->excl_val2 : from + 1 < 31 ? cpu->x[from + 1] : 0;
  bool ok = ir_cas128(p, &lo, &hi, nlo, nhi);
  if (!monitor) {
    cpu->x[from] = lo;
    if (from + 1 < 31)
      cpu->x[from + 1] = hi;
  }
  return ok ? CAS128_EQUAL : CAS128_DIFFER;
}

static const IrHelper cas128_helper = {
    "a64_cas128", helper_cas128, 4, IR_T_i64,
    IR_HELPER_READS_STATE | IR_HELPER_WRITES_STATE | IR_HELPER_MEMORY};
static uint32_t cas128_index;

void a64_atomic_init(void) { cas128_index = (uint32_t)ir_helper_register(&cas128_helper); }

/* Call the helper; a fault or misalignment raises a fault at addr. Returns the
 * status (EQUAL or DIFFER) in the block that continues. */
static IrRef cas128(A64Lift *l, IrRef addr, IrRef nlo, IrRef nhi, unsigned from) {
  IrFunc *fn = l->fn;
  IrRef args[4] = {addr, nlo, nhi, a64_i64(l, from)};
  IrRef st = ir_call(fn, cas128_index, 4, args);
  uint32_t bad = ir_block_new(fn), ok = ir_block_new(fn);
  ir_br(fn, ir_cmp(fn, IR_PRED_uge, st, a64_i64(l, CAS128_FAULT)), bad, ok);
  ir_block_set(fn, bad);
  ir_raise(fn, IR_EXC_fault, addr);
  ir_block_set(fn, ok);
  return st;
}

/* -- Exclusives ------------------------------------------------------------ */

/* ldxr ldaxr (o0: acquire), size 0..3: record the address and value. */
static bool lift_ldxr(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  IrRef addr = base_addr(l);
  IrRef v = a64_load(l, size_type(F(size)), addr, IR_MEM_ALIGN | (F(o0) ? IR_MEM_ACQUIRE : 0));
  a64_set_x(l, F(rt), v);
  ir_set(fn, A64_SLOT_EXCL_VAL, F(size) == 3 ? v : ir_cast(fn, IR_OP_zext, IR_T_i64, v));
  ir_set(fn, A64_SLOT_EXCL_ADDR, addr);
  return true;
}

/* ldxp ldaxp: a W pair is one 64-bit access; an X pair one 16-byte aligned
 * 128-bit load (both halves go to the monitor). */
static bool lift_ldxp(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  uint32_t flags = IR_MEM_ALIGN | (F(o0) ? IR_MEM_ACQUIRE : 0);
  IrRef addr = base_addr(l), lo, hi;
  if (F(size) == 0) {
    IrRef v = a64_load(l, IR_T_i64, addr, flags);
    ir_set(fn, A64_SLOT_EXCL_VAL, v);
    lo = ir_cast(fn, IR_OP_trunc, IR_T_i32, v);
    hi = ir_cast(fn, IR_OP_trunc, IR_T_i32, ir_op2(fn, IR_OP_lshr, v, a64_i64(l, 32)));
  } else {
    IrRef v = a64_load(l, IR_T_v2i64, addr, flags);
    lo = ir_emit(fn, IR_OP_vextract, IR_T_i64, 1, &v, 0, 0);
    hi = ir_emit(fn, IR_OP_vextract, IR_T_i64, 1, &v, 1, 0);
    ir_set(fn, A64_SLOT_EXCL_VAL, lo);
    ir_set(fn, A64_SLOT_EXCL_VAL2, hi);
  }
  a64_set_x(l, F(rt), lo);
  a64_set_x(l, F(rt2), hi);
  ir_set(fn, A64_SLOT_EXCL_ADDR, addr);
  return true;
}

/* stxr stlxr stxp stlxp (r->a: pair; o0: release): if the monitor holds this
 * address, compare-and-swap the recorded value for the new one; Ws = 0 on
 * success, else 1. The monitor is cleared either way. */
static bool lift_stxr(A64Lift *l, const A64Row *r) {
  IrFunc *fn = l->fn;
  bool pair = r->a;
  IrRef addr = base_addr(l);
  uint32_t yes = ir_block_new(fn), no = ir_block_new(fn), join = ir_block_new(fn);
  ir_br(fn, ir_cmp(fn, IR_PRED_eq, ir_get(fn, A64_SLOT_EXCL_ADDR), addr), yes, no);
  ir_block_set(fn, yes);
  IrRef status; /* i32 0 / 1 */
  if (pair && F(size) == 1) {
    status = cas128(l, addr, a64_x(l, F(rt), true), a64_x(l, F(rt2), true), CAS128_FROM_MONITOR);
    status = ir_cast(fn, IR_OP_trunc, IR_T_i32, status);
  } else {
    IrType t = pair ? IR_T_i64 : size_type(F(size));
    IrRef expect = narrow(l, ir_get(fn, A64_SLOT_EXCL_VAL), t);
    IrRef v = pair ? wpair(l, F(rt), F(rt2)) : narrow(l, a64_x(l, F(rt), true), t);
    IrRef args[3] = {addr, expect, v};
    IrRef old = ir_emit(fn, IR_OP_cas, t, 3, args, IR_MEM_ALIGN | (F(o0) ? IR_MEM_RELEASE : 0), 0);
    status = ir_cast(fn, IR_OP_zext, IR_T_i32, ir_cmp(fn, IR_PRED_ne, old, expect));
  }
  a64_set_x(l, F(rs), status);
  ir_jmp(fn, join);
  ir_block_set(fn, no);
  a64_set_x(l, F(rs), a64_i32(l, 1));
  ir_jmp(fn, join);
  ir_block_set(fn, join);
  ir_set(fn, A64_SLOT_EXCL_ADDR, excl_clear_value(l));
  return true;
}

/* -- Acquire / release ----------------------------------------------------- */

/* ldar ldlar (r->a = 1), stlr stllr (0); ldapr (2, any alignment). */
static bool lift_ldar(A64Lift *l, const A64Row *r) {
  IrType t = size_type(F(size));
  IrRef addr = base_addr(l);
  if (r->a == 0) {
    a64_store(l, addr, narrow(l, a64_x(l, F(rt), true), t), IR_MEM_RELEASE | IR_MEM_ALIGN);
  } else {
    a64_set_x(l, F(rt), a64_load(l, t, addr, IR_MEM_ACQUIRE | (r->a == 1 ? IR_MEM_ALIGN : 0)));
  }
  return true;
}

/* -- LSE ------------------------------------------------------------------- */

/* ldadd ldclr ldeor ldset ldsmax ldsmin ldumax ldumin swp, by opc (8 = swp):
 * Xt = the old value; memory gets op(old, Xs). ldclr is and with ~Xs. The
 * acquire/release bits need nothing: armw is a full barrier. armw checks no
 * alignment, so an aligned load of the word goes first: a misaligned address
 * faults there, as the architecture requires. */
static bool lift_ldop(A64Lift *l, const A64Row *r) {
  static const uint8_t kinds[9] = {IR_RMW_add,  IR_RMW_and,  IR_RMW_xor,  IR_RMW_or,  IR_RMW_smax,
                                   IR_RMW_smin, IR_RMW_umax, IR_RMW_umin, IR_RMW_xchg};
  IrFunc *fn = l->fn;
  unsigned op = r->a ? (unsigned)r->a : F(opc);
  IrType t = size_type(F(size));
  IrRef v = narrow(l, a64_x(l, F(rs), true), t);
  if (op == 1)
    v = ir_op1(fn, IR_OP_not, v);
  IrRef args[2] = {base_addr(l), v};
  ir_load(fn, t, args[0], IR_MEM_ALIGN);
  a64_set_x(l, F(rt), ir_emit(fn, IR_OP_armw, t, 2, args, kinds[op], 0));
  return true;
}

static uint32_t ar_flags(A64Lift *l) {
  return IR_MEM_ALIGN | (F(L) ? IR_MEM_ACQUIRE : 0) | (F(o0) ? IR_MEM_RELEASE : 0);
}

/* cas casa casl casal (b h w x): Xs = the old value; memory = Xt if it was Xs. */
static bool lift_cas(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  IrType t = size_type(F(size));
  IrRef args[3] = {base_addr(l), narrow(l, a64_x(l, F(rs), true), t),
                   narrow(l, a64_x(l, F(rt), true), t)};
  a64_set_x(l, F(rs), ir_emit(fn, IR_OP_cas, t, 3, args, ar_flags(l), 0));
  return true;
}

/* casp caspa caspl caspal, W or X pairs (size): even registers only. */
static bool lift_casp(A64Lift *l, const A64Row *r) {
  (void)r;
  IrFunc *fn = l->fn;
  unsigned rs = F(rs), rt = F(rt);
  if ((rs | rt) & 1)
    return false;
  IrRef addr = base_addr(l);
  if (F(size)) {
    cas128(l, addr, a64_x(l, rt, true), a64_x(l, rt + 1, true), rs);
    return true;
  }
  IrRef args[3] = {addr, wpair(l, rs, rs + 1), wpair(l, rt, rt + 1)};
  IrRef old = ir_emit(fn, IR_OP_cas, IR_T_i64, 3, args, ar_flags(l), 0);
  a64_set_x(l, rs, ir_cast(fn, IR_OP_trunc, IR_T_i32, old));
  a64_set_x(l, rs + 1, ir_op2(fn, IR_OP_lshr, old, a64_i64(l, 32)));
  return true;
}

/* -- Barriers -------------------------------------------------------------- */

static bool lift_clrex(A64Lift *l, const A64Row *r) {
  (void)r;
  ir_set(l->fn, A64_SLOT_EXCL_ADDR, excl_clear_value(l));
  return true;
}

/* dsb dmb (CRm's low bits: 1 loads, 2 stores, else all), sb (r->a). The IR's
 * fences order this thread's accesses; completion (dsb) needs nothing more. */
static bool lift_barrier(A64Lift *l, const A64Row *r) {
  unsigned kind = r->a ? IR_FENCE_FULL
                       : (F(crm) & 3) == 1 ? IR_FENCE_LOAD
                       : (F(crm) & 3) == 2 ? IR_FENCE_STORE
                                           : IR_FENCE_FULL;
  ir_emit(l->fn, IR_OP_fence, IR_T_void, 0, NULL, kind, 0);
  return true;
}

/* isb: fetched code is already what memory holds (self-modifying code is
 * caught by the runner), so there is nothing to synchronise. */
static bool lift_isb(A64Lift *l, const A64Row *r) {
  (void)l, (void)r;
  return true;
}

const A64Row a64_rows_atomic[] = {
    {"stxr", "size:2 001000 0 0 0 rs:5 o0:1 rt2:5 rn:5 rt:5", lift_stxr, 0, 0},
    {"ldxr", "size:2 001000 0 1 0 rs:5 o0:1 rt2:5 rn:5 rt:5", lift_ldxr, 0, 0},
    {"stxp", "1 size:1 001000 0 0 1 rs:5 o0:1 rt2:5 rn:5 rt:5", lift_stxr, 1, 0},
    {"ldxp", "1 size:1 001000 0 1 1 rs:5 o0:1 rt2:5 rn:5 rt:5", lift_ldxp, 0, 0},
    {"casp", "0 size:1 001000 0 L:1 1 rs:5 o0:1 11111 rn:5 rt:5", lift_casp, 0, 0},
    {"stlr", "size:2 001000 1 0 0 rs:5 o0:1 rt2:5 rn:5 rt:5", lift_ldar, 0, 0},
    {"ldar", "size:2 001000 1 1 0 rs:5 o0:1 rt2:5 rn:5 rt:5", lift_ldar, 1, 0},
    {"cas", "size:2 001000 1 L:1 1 rs:5 o0:1 11111 rn:5 rt:5", lift_cas, 0, 0},
    {"ldapr", "size:2 111 0 00 1 0 1 11111 1 100 00 rn:5 rt:5", lift_ldar, 2, 0},
    {"ldop", "size:2 111 0 00 A:1 R:1 1 rs:5 0 opc:3 00 rn:5 rt:5", lift_ldop, 0, 0},
    {"swp", "size:2 111 0 00 A:1 R:1 1 rs:5 1 000 00 rn:5 rt:5", lift_ldop, 8, 0},
    {"clrex", "11010101000000110011 crm:4 010 11111", lift_clrex, 0, 0},
    {"dsb", "11010101000000110011 crm:4 100 11111", lift_barrier, 0, 0},
    {"dmb", "11010101000000110011 crm:4 101 11111", lift_barrier, 0, 0},
    {"isb", "11010101000000110011 crm:4 110 11111", lift_isb, 0, 0},
    {"sb", "11010101000000110011 0000 111 11111", lift_barrier, 1, 0},
    {0},
};
