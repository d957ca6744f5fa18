/* sys.c — system instructions against qemu-aarch64: msr/mrs of nzcv (every
 * flag combination, and its reserved bits), fpcr and fpsr (which bits stick),
 * tpidr_el0, tpidrro_el0, cntfrq_el0, cntvct_el0 (it counts up); cfinv
 * xaflag axflag under all 16 flag inputs; the hint space (nop yield wfe wfi
 * sev sevl, pointer authentication's and bti's hints, an unallocated hint)
 * and the cache maintenance EL0 may do, which must all execute. ctr_el0 and
 * dczid_el0 are emu's own CPU model (not qemu's): only their fixed bits are
 * checked. */
#include "a64test.h"

#define MRS(reg) ({ u64 v_; __asm__ volatile("mrs %0, " reg : "=r"(v_)); v_; })
#define MSR(reg, v) __asm__ volatile("msr " reg ", %0" : : "r"((u64)(v)))

static const u64 patterns[] = {0, 0xffffffffffffffff, 0x00c00000, 0x00400000, 0x00800000,
                               0x07ff0000, 0xf800009f, 0x123456789abcdef0, 0x0000000080000000};

typedef u64 (*FlagFn)(u64 nzcv);
#define FLAGOP(name, text)                                                                 \
  static u64 name(u64 f) {                                                                 \
    __asm__ volatile("msr nzcv, %0\n\t" text "\n\tmrs %0, nzcv" : "+r"(f));                \
    return f;                                                                              \
  }
FLAGOP(nzcv_, "")
FLAGOP(cfinv_, "cfinv")
FLAGOP(xaflag_, "xaflag")
FLAGOP(axflag_, "axflag")
FLAGOP(hints_, "nop\n\tyield\n\twfe\n\twfi\n\tsev\n\tsevl\n\twfe\n\tdgh\n\tcsdb\n\tesb\n\t"
               "bti c\n\tbti j\n\tpaciasp\n\tautiasp\n\tpacibsp\n\tautibsp\n\txpaclri\n\t"
               "hint #0x7f\n\thint #0x2a")

static char line[64] __attribute__((aligned(64)));

static int test_main(void) {
  for (u64 f = 0; f < 16; f++) {
    u64 in = f << 28 | 0x0fffffff; /* the reserved bits must read as zero */
    out_s("nzcv");
    out_kv("in", in);
    out_kv("out", nzcv_(in));
    out_kv("cfinv", cfinv_(f << 28));
    out_kv("xaflag", xaflag_(f << 28));
    out_kv("axflag", axflag_(f << 28));
    out_kv("hints", hints_(f << 28));
    out_nl();
  }
  for (unsigned i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
    u64 p = patterns[i];
    MSR("fpcr", p);
    u64 fpcr = MRS("fpcr");
    MSR("fpcr", 0);
    MSR("fpsr", p);
    u64 fpsr = MRS("fpsr");
    MSR("fpsr", 0);
    MSR("tpidr_el0", p);
    u64 tpidr = MRS("tpidr_el0");
    out_s("sysreg");
    out_kv("in", p);
    out_kv("fpcr", fpcr);
    out_kv("fpsr", fpsr);
    out_kv("tpidr", tpidr);
    out_nl();
  }
  out_s("tpidrro");
  out_kv("v", MRS("tpidrro_el0"));
  out_kv("cntfrq", MRS("cntfrq_el0"));
  out_nl();
  /* The counter moves forward: across a busy loop it must grow. */
  u64 t0 = MRS("cntvct_el0"), t1 = t0;
  for (unsigned i = 0; i < 100000 && t1 == t0; i++)
    t1 = MRS("cntvct_el0");
  out_s(t1 > t0 ? "cntvct counts up\n" : "cntvct stuck\n");
  /* CTR_EL0: bit 31 is RES1, the line sizes are sane; DCZID_EL0: BS or DZP. */
  u64 ctr = MRS("ctr_el0"), dczid = MRS("dczid_el0");
  out_s("ctr_el0");
  out_kv("res1", ctr >> 31 & 1);
  out_kv("dline_ok", (ctr >> 16 & 15) >= 2 && (ctr >> 16 & 15) <= 9);
  out_kv("iline_ok", (ctr & 15) >= 2 && (ctr & 15) <= 9);
  out_kv("dczid_ok", (dczid & 0x10) || (dczid & 15) >= 2);
  out_nl();
  __asm__ volatile("dc cvau, %0\n\tdc cvac, %0\n\tdc civac, %0\n\tic ivau, %0\n\t"
                   "dsb ish\n\tisb"
                   :
                   : "r"(line)
                   : "memory");
  out_s("cache maintenance done\n");
  return 0;
}
