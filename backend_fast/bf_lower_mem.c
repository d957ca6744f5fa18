/* bf_lower_mem.c — guest memory: load, store, cas, armw, fence.
 *
 * User mode: the guest address is checked against cfg->guest_limit (the whole
 * access must fit below it) and, for IR_MEM_ALIGN, its alignment; a failed
 * check jumps to a stub that raises IR_EXC_fault with the address. Accesses go
 * to [r14 + addr] (or [addr + guest_base] when that fits a disp32).
 *
 * System mode (cfg->off_tlb): the address is virtual. The page of the access's
 * last byte is compared with the TLB entry's tag for the access's page (a miss,
 * an I/O page or a page-crossing access fails), and a hit adds the entry's
 * addend. A miss jumps to an out-of-line stub that saves every caller-saved
 * register, calls the runner's slow path (which may fault and never return),
 * and resumes after the access; atomics retry the lookup instead, since the
 * slow path only makes the entry usable for them.
 *
 * x86 loads and stores are already acquire and release, so those flags need no
 * code. */
#include "bf_int.h"

/* Where a softmmu access resumes or retries: the stub's index in c->stubs. */
typedef struct MmuSite {
  uint32_t stub;
  bool on;
} MmuSite;

static bool softmmu(const BfCtx *c) { return c->cfg->off_tlb != 0; }

/* System mode: the inline TLB check for `size` bytes at virtual address A; the
 * host operand on a hit. atomic: the stub retries from here. */
static X64Mem mmu_access(BfCtx *c, X64Reg A, unsigned size, bool write, bool atomic,
                         MmuSite *site) {
  X64Asm *a = &c->a;
  X64Reg t1 = bf_tmp(c), t2 = bf_tmp(c);
  uint32_t si = bf_stub_new(c, BF_STUB_MMU);
  BfStub *s = &c->stubs[si];
  s->reg = (uint8_t)A;
  s->write = write;
  s->vreg = BF_NOREG;
  s->info = size | (uint32_t)c->fn->mmu_idx << 8 | (uint32_t)write << 12 |
            (atomic ? BF_MMU_INFO_ATOMIC : 0);
  if (atomic)
    x64_bind(a, &s->resume);
  int32_t base = c->cfg->off_tlb + (int32_t)c->fn->mmu_idx * (BF_TLB_ENTRY << BF_TLB_BITS);
  x64_mov_rr(a, X64_S64, t1, A);
  x64_shift_ri(a, X64_SHR, X64_S64, t1, BF_TLB_PAGE_BITS - 5);
  x64_alu_ri(a, X64_AND, X64_S32, t1, ((1 << BF_TLB_BITS) - 1) * BF_TLB_ENTRY);
  if (size > 1)
    x64_lea(a, X64_S64, t2, x64_mem(A, (int32_t)size - 1));
  else
    x64_mov_rr(a, X64_S64, t2, A);
  x64_alu_ri(a, X64_AND, X64_S64, t2, -(1 << BF_TLB_PAGE_BITS));
  x64_alu_rm(a, X64_CMP, X64_S64, t2,
             x64_mem_sib(X64_R15, t1, 1, base + (write ? BF_TLB_TAG_WRITE : BF_TLB_TAG_READ)));
  x64_jcc_label(a, X64_CC_NE, &c->stubs[si].label);
  x64_mov_rr(a, X64_S64, t2, A);
  x64_alu_rm(a, X64_ADD, X64_S64, t2, x64_mem_sib(X64_R15, t1, 1, base + BF_TLB_ADDEND));
  *site = (MmuSite){si, true};
  return x64_mem(t2, 0);
}

/* After a load or store: the value's register and type for the stub, and the
 * point the stub resumes at. */
static void mmu_resume(BfCtx *c, const MmuSite *site, unsigned vreg, IrType t) {
  if (!site->on)
    return;
  BfStub *s = &c->stubs[site->stub];
  s->vreg = (uint8_t)vreg;
  s->vtype = (uint8_t)t;
  x64_bind(&c->a, &s->resume);
}

static const X64Reg mmu_saved_gpr[] = {X64_RAX, X64_RCX, X64_RDX, X64_RSI, X64_RDI,
                                       X64_R8,  X64_R9,  X64_R10, X64_R11};
/* The thunk's frame: entered with rsp = 8 mod 16, it keeps the call aligned. */
enum { MMU_GPR_BYTES = 80, MMU_SAVE_BYTES = MMU_GPR_BYTES + 16 * 16 + 8 };

size_t bf_emit_mmu_thunks(uint8_t *rw, uint8_t *rx, size_t cap, BfConfig *cfg) {
  X64Asm a;
  x64_init(&a, rw, cap);
  const uint8_t *entry[2];
  for (int store = 0; store < 2; store++) {
    x64_align(&a, 16);
    entry[store] = rx + x64_len(&a);
    x64_alu_ri(&a, X64_SUB, X64_S64, X64_RSP, MMU_SAVE_BYTES);
    for (unsigned i = 0; i < sizeof mmu_saved_gpr / sizeof *mmu_saved_gpr; i++)
      x64_mov_mr(&a, X64_S64, x64_mem(X64_RSP, (int32_t)(8 * i)), mmu_saved_gpr[i]);
    for (unsigned i = 0; i < 16; i++)
      x64_sse_mr(&a, X64_MOVDQU_ST, x64_mem(X64_RSP, MMU_GPR_BYTES + 16 * (int32_t)i), i);
    x64_mov_rr(&a, X64_S64, X64_RDI, X64_R15);
    x64_mov_rm(&a, X64_S64, X64_RSI, x64_mem(X64_R15, cfg->off_mmu_addr));
    x64_mov_rm(&a, X64_S32, X64_RDX, x64_mem(X64_R15, cfg->off_mmu_info));
    x64_lea(&a, X64_S64, X64_RCX, x64_mem(X64_R15, cfg->off_mmu_scratch));
    x64_mov_ri(&a, X64_S64, X64_RAX, (int64_t)(uintptr_t)(store ? cfg->mmu_store : cfg->mmu_load));
    x64_call_r(&a, X64_RAX);
    for (unsigned i = 0; i < 16; i++)
      x64_sse_rm(&a, X64_MOVDQU, i, x64_mem(X64_RSP, MMU_GPR_BYTES + 16 * (int32_t)i));
    for (unsigned i = 0; i < sizeof mmu_saved_gpr / sizeof *mmu_saved_gpr; i++)
      x64_mov_rm(&a, X64_S64, mmu_saved_gpr[i], x64_mem(X64_RSP, (int32_t)(8 * i)));
    x64_alu_ri(&a, X64_ADD, X64_S64, X64_RSP, MMU_SAVE_BYTES);
    x64_ret(&a);
  }
  if (!x64_ok(&a))
    return 0;
  cfg->mmu_thunk_load = entry[0];
  cfg->mmu_thunk_store = entry[1];
  return x64_len(&a);
}

/* Move between a value register and the 16-byte scratch buffer. */
static void mmu_scratch_move(BfCtx *c, unsigned reg, IrType t, bool to_scratch) {
  X64Asm *a = &c->a;
  X64Mem m = bf_cpu(c->cfg->off_mmu_scratch);
  if (bf_cls(t) == BF_GPR) {
    unsigned bytes = ir_type_info[t].bytes;
    if (to_scratch)
      x64_mov_mr(a, bf_size(t), m, (X64Reg)reg);
    else if (bytes == 1)
      x64_widen_rm(a, X64_MOVZX8, X64_S32, (X64Reg)reg, m);
    else if (bytes == 2)
      x64_widen_rm(a, X64_MOVZX16, X64_S32, (X64Reg)reg, m);
    else
      x64_mov_rm(a, bf_size(t), (X64Reg)reg, m);
    return;
  }
  if (to_scratch)
    x64_sse_mr(a, t == IR_T_f32 ? X64_MOVSS_ST : t == IR_T_f64 ? X64_MOVSD_ST : X64_MOVDQU_ST, m,
               reg);
  else
    x64_sse_rm(a, t == IR_T_f32 ? X64_MOVSS : t == IR_T_f64 ? X64_MOVSD : X64_MOVDQU, reg, m);
}

/* The stub: the access's address, info word and guest pc into the cpu, the
 * stored value into the scratch buffer, a call to the shared thunk (which
 * keeps every register), the loaded value out of the scratch buffer. */
void bf_emit_mmu_stub(BfCtx *c, BfStub *s) {
  X64Asm *a = &c->a;
  const BfConfig *cfg = c->cfg;
  bool load = !s->write && s->vreg != BF_NOREG;
  bool store = s->write && s->vreg != BF_NOREG;
  x64_mov_mr(a, X64_S64, bf_cpu(cfg->off_mmu_addr), (X64Reg)s->reg);
  x64_mov_mi(a, X64_S32, bf_cpu(cfg->off_mmu_info), s->info);
  if ((int64_t)s->pc == (int32_t)s->pc) {
    x64_mov_mi(a, X64_S64, bf_cpu(cfg->off_mmu_pc), (int64_t)s->pc);
  } else { /* rax is live here: keep it */
    x64_push_r(a, X64_RAX);
    x64_mov_ri(a, X64_S64, X64_RAX, (int64_t)s->pc);
    x64_mov_mr(a, X64_S64, bf_cpu(cfg->off_mmu_pc), X64_RAX);
    x64_pop_r(a, X64_RAX);
  }
  if (store)
    mmu_scratch_move(c, s->vreg, (IrType)s->vtype, true);
  bf_call_abs(c, store ? cfg->mmu_thunk_store : cfg->mmu_thunk_load);
  if (load)
    mmu_scratch_move(c, s->vreg, (IrType)s->vtype, false);
  x64_jmp_label(a, &s->resume);
}

/* The checked host operand for an access of `size` bytes at guest address A. */
static X64Mem guest_access(BfCtx *c, X64Reg A, unsigned size, bool write, bool align) {
  X64Asm *a = &c->a;
  uint64_t limit = c->cfg->guest_limit;
  if (limit) {
    if (limit < size) {
      x64_jmp_label(a, bf_stub_exc(c, IR_EXC_fault, A, write));
    } else {
      uint64_t max = limit - size; /* the last address where it fits */
      if (max <= INT32_MAX) {
        x64_alu_ri(a, X64_CMP, X64_S64, A, (int64_t)max);
      } else {
        X64Reg t = bf_tmp(c);
        x64_mov_ri(a, X64_S64, t, (int64_t)max);
        x64_alu_rr(a, X64_CMP, X64_S64, A, t);
      }
      x64_jcc_label(a, X64_CC_A, bf_stub_exc(c, IR_EXC_fault, A, write));
    }
  }
  if (align && size > 1) {
    x64_test_ri(a, X64_S32, A, size - 1);
    x64_jcc_label(a, X64_CC_NE, bf_stub_exc(c, IR_EXC_fault, A, write));
  }
  return bf_guest_mem(c, A);
}

/* Either mode's host operand for the access (site->on: system mode). */
static X64Mem access(BfCtx *c, X64Reg A, unsigned size, bool write, bool align, bool atomic,
                     MmuSite *site) {
  *site = (MmuSite){0, false};
  if (!softmmu(c))
    return guest_access(c, A, size, write, align);
  if (align && size > 1) {
    x64_test_ri(&c->a, X64_S32, A, size - 1);
    x64_jcc_label(&c->a, X64_CC_NE, bf_stub_exc(c, IR_EXC_fault, A, write));
  }
  return mmu_access(c, A, size, write, atomic, site);
}

void bf_lower_load(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Reg A = bf_gpr(c, in->args[0]);
  /* The result register first: the stub resumes after the load and must not
   * skip any move the allocator would emit for the definition. */
  unsigned d = bf_cls(t) == BF_GPR ? (unsigned)bf_def(c, r) : (unsigned)bf_defx(c, r);
  MmuSite site;
  X64Mem m = access(c, A, ir_type_info[t].bytes, false, in->imm & IR_MEM_ALIGN, false, &site);
  switch (t) {
  case IR_T_i8: x64_widen_rm(a, X64_MOVZX8, X64_S32, (X64Reg)d, m); break;
  case IR_T_i16: x64_widen_rm(a, X64_MOVZX16, X64_S32, (X64Reg)d, m); break;
  case IR_T_i32: x64_mov_rm(a, X64_S32, (X64Reg)d, m); break;
  case IR_T_i64: x64_mov_rm(a, X64_S64, (X64Reg)d, m); break;
  case IR_T_f32: x64_sse_rm(a, X64_MOVSS, d, m); break;
  case IR_T_f64: x64_sse_rm(a, X64_MOVSD, d, m); break;
  default: x64_sse_rm(a, X64_MOVDQU, d, m); break;
  }
  mmu_resume(c, &site, d, t);
}

void bf_lower_store(BfCtx *c, IrRef r, const IrInst *in) {
  IrRef v = in->args[1];
  IrType t = ir_typeof(c->fn, v);
  X64Reg A = bf_gpr(c, in->args[0]);
  if (!softmmu(c)) {
    bf_store_value(c, guest_access(c, A, ir_type_info[t].bytes, true, in->imm & IR_MEM_ALIGN), v,
                   t);
    return;
  }
  /* The value in a register (the stub passes it on), then the lookup. */
  unsigned vr = bf_cls(t) == BF_GPR ? (unsigned)bf_gpr(c, v) : (unsigned)bf_xmm(c, v);
  MmuSite site;
  X64Mem m = access(c, A, ir_type_info[t].bytes, true, in->imm & IR_MEM_ALIGN, false, &site);
  /* Only the store between the check and the resume point: nothing the
   * allocator emits may be skipped by the stub's path. */
  if (bf_cls(t) == BF_GPR)
    x64_mov_mr(&c->a, bf_size(t), m, (X64Reg)vr);
  else
    x64_sse_mr(&c->a, t == IR_T_f32 ? X64_MOVSS_ST : t == IR_T_f64 ? X64_MOVSD_ST : X64_MOVDQU_ST,
               m, vr);
  mmu_resume(c, &site, vr, t);
}

/* cas(addr, expected, new) -> old: lock cmpxchg, old value in rax. */
void bf_lower_cas(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  bf_reserve(c, X64_RAX);
  bf_load_into(c, in->args[1], BF_GPR, X64_RAX);
  X64Reg N = bf_gpr(c, in->args[2]);
  X64Reg A = bf_gpr(c, in->args[0]);
  MmuSite site;
  X64Mem m = access(c, A, ir_type_info[t].bytes, true, in->imm & IR_MEM_ALIGN, true, &site);
  x64_lock(a);
  x64_rmreg_mr(a, X64_CMPXCHG, bf_size(t), m, N);
  bf_def_in(c, r, X64_RAX);
}

/* armw.KIND: xchg and xadd where x86 has them, else a lock cmpxchg loop. */
static const X64AluOp rmw_alu[IR_RMW__COUNT] = {
    [IR_RMW_and] = X64_AND, [IR_RMW_or] = X64_OR, [IR_RMW_xor] = X64_XOR};
/* min/max: replace the old value by v when old compares this way to v. */
static const X64Cond rmw_cc[IR_RMW__COUNT] = {
    [IR_RMW_smin] = X64_CC_G, [IR_RMW_smax] = X64_CC_L,
    [IR_RMW_umin] = X64_CC_A, [IR_RMW_umax] = X64_CC_B};

void bf_lower_armw(BfCtx *c, IrRef r, const IrInst *in) {
  X64Asm *a = &c->a;
  IrType t = (IrType)in->type;
  X64Size s = bf_size(t);
  unsigned kind = (unsigned)in->imm;
  if (kind == IR_RMW_xchg || kind == IR_RMW_add) {
    X64Reg A = bf_gpr(c, in->args[0]);
    X64Reg d = bf_def_over(c, r, in->args[1]);
    MmuSite site;
    X64Mem m = access(c, A, ir_type_info[t].bytes, true, false, true, &site);
    if (kind == IR_RMW_add)
      x64_lock(a);
    x64_rmreg_mr(a, kind == IR_RMW_add ? X64_XADD : X64_XCHG, s, m, d);
    return;
  }
  bf_reserve(c, X64_RAX);
  X64Reg V = bf_gpr(c, in->args[1]);
  X64Reg A = bf_gpr(c, in->args[0]);
  X64Reg n = bf_tmp(c);
  MmuSite site;
  X64Mem m = access(c, A, ir_type_info[t].bytes, true, false, true, &site);
  X64Size wide = s == X64_S64 ? X64_S64 : X64_S32; /* cmov has no byte form */
  /* The first read is a locked xadd of 0, not a plain load: if it faults, the
   * fault is a write's (bf_fault_is_write), as an atomic's must be. */
  x64_alu_rr(a, X64_XOR, X64_S32, X64_RAX, X64_RAX);
  x64_lock(a);
  x64_rmreg_mr(a, X64_XADD, s, m, X64_RAX);
  X64Label loop = X64_LABEL_INIT;
  x64_bind(a, &loop);
  x64_mov_rr(a, X64_S64, n, X64_RAX);
  if (kind == IR_RMW_and || kind == IR_RMW_or || kind == IR_RMW_xor) {
    x64_alu_rr(a, rmw_alu[kind], s, n, V);
  } else {
    x64_alu_rr(a, X64_CMP, s, n, V);
    x64_cmov_rr(a, rmw_cc[kind], wide, n, V);
  }
  x64_lock(a);
  x64_rmreg_mr(a, X64_CMPXCHG, s, m, n);
  x64_jcc_label(a, X64_CC_NE, &loop);
  bf_def_in(c, r, X64_RAX);
}

void bf_lower_fence(BfCtx *c, IrRef r, const IrInst *in) {
  static const X64FixedOp op[] = {[IR_FENCE_FULL] = X64_MFENCE, [IR_FENCE_LOAD] = X64_LFENCE,
                                  [IR_FENCE_STORE] = X64_SFENCE};
  x64_fixed(&c->a, in->imm < 3 ? op[in->imm] : X64_MFENCE);
}
