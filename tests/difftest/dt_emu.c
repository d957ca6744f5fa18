/* dt_emu.c — a case through the emulator: the input state as an X86Cpu, the
 * case's bytes translated by the x86 frontend at the same guest pc the native
 * code runs at, then an executor from the table below. Guest memory is a private
 * copy of the scratch region at its native address; anything else faults. The
 * IrExit becomes the outcome the native side would have produced. */
#include <signal.h>
#include <string.h>

#include "dt.h"
#include "x86_frontend.h"

/* The executors, by name. */
const DtExecutor dt_executors[] = {
    {"interp", false, ir_interp, 0},
    {"interp-opt", true, ir_interp, 0},
    {"fast", true, dt_fast_exec, 0},   /* as emu-x86_64 runs blocks */
    {"fast-noopt", false, dt_fast_exec, 0},/* the backend on unoptimised IR too */
    {"llvm", true, dt_llvm_exec, 16},  /* backend_llvm, as --tier=llvm runs blocks */
};
const size_t dt_nexecutors = sizeof dt_executors / sizeof dt_executors[0];

const DtExecutor *dt_executor_find(const char *name) {
  for (size_t i = 0; i < dt_nexecutors; i++)
    if (strcmp(dt_executors[i].name, name) == 0)
      return &dt_executors[i];
  return NULL;
}

/* -- Guest memory and code -------------------------------------------------- */

static uint8_t *scratch_at(uint8_t *mem, uint64_t addr, unsigned size) {
  if (addr < DT_SCRATCH_BASE || addr - DT_SCRATCH_BASE > DT_SCRATCH_SIZE - size)
    return NULL;
  return mem + (addr - DT_SCRATCH_BASE);
}

static int mem_load(void *ctx, uint64_t addr, unsigned size, void *out) {
  uint8_t *p = scratch_at(ctx, addr, size);
  if (!p)
    return 1;
  memcpy(out, p, size);
  return 0;
}

static int mem_store(void *ctx, uint64_t addr, unsigned size, const void *in) {
  uint8_t *p = scratch_at(ctx, addr, size);
  if (!p)
    return 1;
  memcpy(p, in, size);
  return 0;
}

static void *mem_atomic(void *ctx, uint64_t addr, unsigned size) {
  return scratch_at(ctx, addr, size);
}

/* Code fetch: the case's bytes at DT_CASE_PC and nothing else. */
static size_t code_fetch(void *ctx, uint64_t pc, uint8_t *buf, size_t max) {
  const DtCase *c = ctx;
  if (pc < DT_CASE_PC || pc >= DT_CASE_PC + c->len)
    return 0;
  size_t off = pc - DT_CASE_PC, n = c->len - off < max ? c->len - off : max;
  memcpy(buf, c->bytes + off, n);
  return n;
}

/* -- State -------------------------------------------------------------------- */

/* Returns the FP environment word (MXCSR's flags, DAZ, FTZ; x86_cpu.h), which
 * the executors run under as the thread's. */
static uint32_t cpu_from_state(X86Cpu *cpu, const DtState *s) {
  x86_cpu_reset(cpu);
  memcpy(cpu->gpr, s->gpr, sizeof cpu->gpr);
  cpu->rip = DT_CASE_PC;
  x86_rflags_set(cpu, (s->rflags & DT_FLAGS_ALL) | 0x202);
  memcpy(cpu->xmm, s->xmm, sizeof cpu->xmm);
  uint32_t fenv = x86_mxcsr_write(cpu, s->mxcsr);
  cpu->fcw = s->fcw;
  cpu->fsw = s->fsw;
  cpu->ftop = s->ftop;
  cpu->ftag = s->ftag;
  for (int i = 0; i < 8; i++) {
    cpu->st[i].mant = s->st[i].mant;
    cpu->st[i].sexp = s->st[i].sexp;
  }
  return fenv;
}

static void state_from_cpu(DtState *s, const X86Cpu *cpu, uint32_t fenv) {
  memcpy(s->gpr, cpu->gpr, sizeof s->gpr);
  s->rflags = x86_rflags_get(cpu);
  memcpy(s->xmm, cpu->xmm, sizeof s->xmm);
  s->mxcsr = x86_mxcsr_read(cpu, fenv);
  s->fcw = cpu->fcw;
  s->fsw = cpu->fsw;
  s->ftop = cpu->ftop;
  s->ftag = cpu->ftag;
  for (int i = 0; i < 8; i++) {
    s->st[i].mant = cpu->st[i].mant;
    s->st[i].sexp = cpu->st[i].sexp;
  }
}

/* -- Outcomes ------------------------------------------------------------------ */

/* Linux reports a non-canonical address (a #GP, not a page fault) as si_addr 0. */
static uint64_t fault_addr(uint64_t a) {
  int64_t s = (int64_t)a;
  return (s >> 47) == 0 || (s >> 47) == -1 ? a : 0;
}

/* The signal each guest exception is delivered as (Linux x86-64), and whether
 * si_addr is the exit's address. */
static const struct {
  int signo;
  bool has_addr;
} exc_signal[IR_EXC__COUNT] = {
    [IR_EXC_undef] = {SIGILL, false},   [IR_EXC_divide] = {SIGFPE, false},
    [IR_EXC_breakpt] = {SIGTRAP, false}, [IR_EXC_trap] = {SIGSEGV, false}, /* int n: #GP */
    [IR_EXC_priv] = {SIGSEGV, false},   [IR_EXC_halt] = {SIGSEGV, false},  /* hlt: #GP */
    [IR_EXC_fault] = {SIGSEGV, true},
};

/* Whether the access that faulted at addr went through SS (base rsp/rbp, or
 * the stack itself): a non-canonical address there is #SS, not #GP. The
 * access is the explicit operand whose address (from the state at the fault)
 * is addr; failing that, the implicit stack access if there is one, else the
 * explicit operand (bt m, r reaches past its operand's address). */
static bool fault_via_ss(const DtCase *c, uint64_t pc, uint64_t addr, const DtState *st) {
  if (pc < DT_CASE_PC || pc >= DT_CASE_PC + c->len)
    return false;
  ZydisDecodedInstruction in;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  size_t off = pc - DT_CASE_PC;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(dt_decoder(), c->bytes + off, c->len - off, &in, ops)))
    return false;
  ZydisRegisterContext ctx;
  memset(&ctx, 0, sizeof ctx);
  for (int i = 0; i < 16; i++) {
    ctx.values[ZYDIS_REGISTER_RAX + i] = st->gpr[i];
    ctx.values[ZYDIS_REGISTER_EAX + i] = st->gpr[i] & 0xffffffffull;
  }
  bool stack = false, explicit_ss = false;
  for (unsigned i = 0; i < in.operand_count; i++) {
    if (ops[i].type != ZYDIS_OPERAND_TYPE_MEMORY || ops[i].mem.type != ZYDIS_MEMOP_TYPE_MEM)
      continue;
    bool ss = ops[i].mem.segment == ZYDIS_REGISTER_SS;
    if (i >= in.operand_count_visible) {
      stack |= ss;
      continue;
    }
    ZyanU64 a;
    if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&in, &ops[i], pc, &ctx, &a)) && a == addr)
      return ss;
    explicit_ss |= ss;
  }
  return stack || explicit_ss;
}

/* Whether the fault x came from an IR_MEM_ALIGN check of the faulting
 * instruction (legacy SSE m128): x86 raises #GP there before any page fault,
 * which Linux reports as si_addr 0, while the IR reports the address. */
static bool align_fault(const IrFunc *fn, const IrExit *x) {
  if (x->kind != IR_EXIT_EXCEPTION || x->exc != IR_EXC_fault)
    return false;
  uint64_t pc = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      if (in->op == IR_OP_insn)
        pc = in->imm;
      if (pc != x->pc || (in->op != IR_OP_load && in->op != IR_OP_store) ||
          !(in->imm & IR_MEM_ALIGN))
        continue;
      IrType t = in->op == IR_OP_load ? (IrType)in->type : ir_typeof(fn, in->args[1]);
      if (x->addr & (ir_type_info[t].bytes - 1u))
        return true;
    }
  return false;
}

static void outcome_of_exit(const DtCase *c, const IrExit *x, DtOutcome *out) {
  out->st.rip = x->pc;
  if (x->kind == IR_EXIT_EXCEPTION) {
    out->signo = exc_signal[x->exc].signo;
    if (x->exc == IR_EXC_trap && x->addr == 3)
      out->signo = SIGTRAP; /* int 3 is a breakpoint too */
    out->sigaddr = exc_signal[x->exc].has_addr ? fault_addr(x->addr) : 0;
    /* Linux delivers #SS (a non-canonical stack-segment address) as SIGBUS. */
    if (x->exc == IR_EXC_fault && fault_addr(x->addr) == 0 && x->addr != 0 &&
        fault_via_ss(c, x->pc, x->addr, &out->st))
      out->signo = SIGBUS;
    snprintf(out->note, sizeof out->note, "raise.%s(%#llx)", ir_exc_name[x->exc],
             (unsigned long long)x->addr);
    return;
  }
  if (x->kind == IR_EXIT_SYSCALL) {
    out->signo = DT_SIG_HARNESS;
    snprintf(out->note, sizeof out->note, "syscall exit (not tested here)");
    return;
  }
  /* A jump out of the code region: natively the fetch there faults. */
  if (x->pc < DT_CODE_BASE || x->pc >= DT_CODE_BASE + DT_CODE_SIZE) {
    out->signo = SIGSEGV;
    out->sigaddr = fault_addr(x->pc);
  }
}

/* Scans a translated function for raise.undef(unimplemented), per instruction. */
static void note_unimpl(const IrFunc *fn, const DtCase *c, DtEmuInfo *info) {
  uint64_t pc = 0;
  for (uint32_t b = 0; b < fn->nblocks; b++)
    for (uint32_t i = 0; i < fn->blocks[b].n; i++) {
      const IrInst *in = &fn->insts[fn->blocks[b].insts[i]];
      if (in->op == IR_OP_insn)
        pc = in->imm;
      if (in->op != IR_OP_raise || in->imm != IR_EXC_undef || !ir_is_const(fn, in->args[0]) ||
          fn->insts[in->args[0]].imm != IR_UNDEF_UNIMPL)
        continue;
      for (uint32_t k = 0; k < c->ninsns; k++)
        if (DT_CASE_PC + c->insn_off[k] == pc)
          info->unimpl[k] = true;
    }
}

#define DT_MAX_BLOCKS 4096 /* blocks one case may run (rep string ops loop per element) */

bool dt_emu_run(const DtExecutor *ex, const DtCase *c, DtOutcome *out, DtEmuInfo *info) {
  static bool inited;
  if (!inited) {
    x86_frontend_init();
    inited = true;
  }
  memset(out, 0, sizeof *out);
  memset(info, 0, sizeof *info);
  memcpy(out->mem, c->mem, DT_SCRATCH_SIZE);
  X86Cpu cpu;
  uint32_t runner_env = ir_fenv_host_get();
  ir_fenv_host_set(cpu_from_state(&cpu, &c->in)); /* the case's, for every executor */
  IrMemOps mem = {out->mem, mem_load, mem_store, mem_atomic};
  IrCodeFetch fetch = {(void *)c, code_fetch, 0};
  IrPassOptions opt = {.precise_classes = IR_PRECISE_ALL};
  IrFunc *fn = ir_func_new(&x86_regfile);
  uint64_t pc = DT_CASE_PC;
  bool ok = true;
  IrExit x = {.kind = IR_EXIT_JUMP, .pc = pc};
  for (int blocks = 0;; blocks++) {
    if (blocks == DT_MAX_BLOCKS) {
      out->signo = DT_SIG_HARNESS;
      snprintf(out->note, sizeof out->note, "still inside the case after %d blocks", blocks);
      break;
    }
    ir_func_reset(fn);
    x86_frontend.translate(fn, pc, &fetch, NULL);
    note_unimpl(fn, c, info);
    char err[200];
    if (!ir_validate(fn, err, sizeof err)) {
      snprintf(info->error, sizeof info->error, "translated IR invalid at %#llx: %s",
               (unsigned long long)pc, err);
      ok = false;
      break;
    }
    if (ex->optimize) {
      ir_optimize(fn, &opt);
      if (!ir_validate(fn, err, sizeof err)) {
        snprintf(info->error, sizeof info->error, "IR invalid after ir_optimize at %#llx: %s",
                 (unsigned long long)pc, err);
        ok = false;
        break;
      }
    }
    cpu.rip = pc;
    x = ex->exec(fn, &cpu, &mem);
    if (x.kind != IR_EXIT_JUMP || x.pc < DT_CASE_PC || x.pc >= DT_CASE_PC + c->len)
      break;
    pc = x.pc; /* the block ended inside the case: go on there */
  }
  bool misaligned = ok && align_fault(fn, &x);
  ir_func_free(fn);
  state_from_cpu(&out->st, &cpu, ir_fenv_host_get());
  ir_fenv_host_set(runner_env);
  if (ok && out->signo != DT_SIG_HARNESS) {
    outcome_of_exit(c, &x, out);
    if (misaligned) { /* #GP comes before #SS and #PF */
      out->signo = SIGSEGV;
      out->sigaddr = 0;
    }
  }
  return ok;
}
