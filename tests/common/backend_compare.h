/* backend_compare.h — a backend under test against the reference interpreter:
 * one random guest state and memory, the function run both ways, and exits,
 * every register slot and memory compared (a report naming the backend and
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
  IrMemOps ops = {&ma, mem_load, mem_store, mem_atomic};
  IrExit xa = ir_interp(fn, &a, &ops);
  IrExit xb = run(ctx, &b, &mb);
  bool ok = bc_same_exit(xa, xb);
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
