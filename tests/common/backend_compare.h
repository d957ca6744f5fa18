/* backend_compare.h — a backend under test against the reference interpreter:
 * one random guest state, memory and FP environment, the function run both
 * ways, and exits, every register slot, memory and the FP environment compared (a report naming the backend and
 * the seed on a difference). Shared by backend_fast's and backend_llvm's
 * random-function tests. Include after cmocka.h, interp_cases.h, ir_randgen.h. */
#ifndef EMU_BACKEND_COMPARE_H
#define EMU_BACKEND_COMPARE_H

static inline bool bc_same_exit(IrExit a, IrExit b) {
  if (a.kind != b.kind || a.pc != b.pc)
    return false;
  return a.kind != IR_EXIT_EXCEPTION ||
         (a.exc == b.exc && a.addr == b.addr && a.is_write == b.is_write);
}

static inline void bc_show_exit(const char *who, IrExit x) {
  print_error("  %s: kind %d exc %s pc %#llx addr %#llx%s\n", who, x.kind,
              x.kind == IR_EXIT_EXCEPTION ? ir_exc_name[x.exc] : "-", (unsigned long long)x.pc,
              (unsigned long long)x.addr, x.is_write ? " write" : "");
}

/* run: the backend under test on (cpu, mem); ctx is passed through. */
typedef IrExit (*BcRunFn)(void *ctx, TestCpu *cpu, TestMem *mem);

static inline bool bc_compare_once(const IrFunc *fn, BcRunFn run, void *ctx, const char *who,
                                   IrRand *g, uint64_t seed) {
  TestCpu in, a, b;
  irr_state(g, &in);
  static TestMem mem_in, ma, mb;
  for (unsigned i = 0; i < MEM_SIZE; i++)
    mem_in.bytes[i] = (uint8_t)irr_next(g);
  a = b = in;
  ma = mb = mem_in;
  /* Both start in one FP environment (flags, and flushing one time in four)
   * and must end in the same one: the flags every op raised. */
  uint32_t env = (uint32_t)irr_next(g) & IR_FENV_FLAGS;
  if (irr_below(g, 4) == 0)
    env |= irr_below(g, 2) ? IR_FENV_CONTROLS : IR_FENV_FTZ;
  uint32_t saved = ir_fenv_host_get();
  IrMemOps ops = {&ma, mem_load, mem_store, mem_atomic};
  ir_fenv_host_set(env);
  IrExit xa = ir_interp(fn, &a, &ops);
  uint32_t env_a = ir_fenv_host_get();
  ir_fenv_host_set(env);
  IrExit xb = run(ctx, &b, &mb);
  uint32_t env_b = ir_fenv_host_get();
  ir_fenv_host_set(saved);
  bool ok = bc_same_exit(xa, xb);
  if (env_a != env_b) {
    print_error("seed %#llx: FP environment %#x (interp), %#x (%s), from %#x\n",
                (unsigned long long)seed, env_a, env_b, who, env);
    ok = false;
  }
  if (!ok) {
    print_error("seed %#llx: exits differ\n", (unsigned long long)seed);
    bc_show_exit("interp", xa);
    bc_show_exit(who, xb);
  }
  for (uint32_t i = 0; i < test_regfile.count; i++) {
    const IrReg *reg = &test_regfile.regs[i];
    unsigned n = ir_type_info[reg->type].bytes;
    if (memcmp((uint8_t *)&a + reg->offset, (uint8_t *)&b + reg->offset, n) != 0) {
      char sa[40], sb[40];
      hex_bytes(sa, sizeof sa, (uint8_t *)&a + reg->offset, n);
      hex_bytes(sb, sizeof sb, (uint8_t *)&b + reg->offset, n);
      print_error("seed %#llx: %s = %s (interp), %s (%s)\n", (unsigned long long)seed,
                  reg->name, sa, sb, who);
      ok = false;
    }
  }
  if (memcmp(&ma, &mb, sizeof ma) != 0) {
    print_error("seed %#llx: memory differs\n", (unsigned long long)seed);
    ok = false;
  }
  return ok;
}

#endif
