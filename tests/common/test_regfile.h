/* test_regfile.h — a small guest register file for IR unit tests: no real guest,
 * just one slot of every class and type the IR must handle. */
#ifndef EMU_TEST_REGFILE_H
#define EMU_TEST_REGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

typedef struct TestCpu {
  uint64_t r[8];          /* r0..r7 : i64 */
  uint32_t w0;            /* w0 : i32 */
  uint16_t h0;            /* h0 : i16 */
  uint8_t b0;             /* b0 : i8 */
  uint8_t cf, zf, sf, of, pf, af; /* flags: i1 as bytes */
  double d0, d1;          /* d0, d1 : f64 */
  float s0, s1;           /* s0, s1 : f32 */
  uint8_t v[4][16] __attribute__((aligned(16))); /* v0..v3 : v128 in several lane types */
  uint64_t pc;
} TestCpu;

#define TR(name, field, type, cls) {name, offsetof(TestCpu, field), IR_T_##type, IR_RC_##cls}
static const IrReg test_regs[] = {
    TR("r0", r[0], i64, GPR), TR("r1", r[1], i64, GPR), TR("r2", r[2], i64, GPR),
    TR("r3", r[3], i64, GPR), TR("r4", r[4], i64, GPR), TR("r5", r[5], i64, GPR),
    TR("r6", r[6], i64, GPR), TR("r7", r[7], i64, GPR), TR("w0", w0, i32, GPR),
    TR("h0", h0, i16, GPR),   TR("b0", b0, i8, GPR),    TR("cf", cf, i1, FLAG),
    TR("zf", zf, i1, FLAG),   TR("sf", sf, i1, FLAG),   TR("of", of, i1, FLAG),
    TR("pf", pf, i1, FLAG),   TR("af", af, i1, FLAG),   TR("d0", d0, f64, FP),
    TR("d1", d1, f64, FP),    TR("s0", s0, f32, FP),    TR("s1", s1, f32, FP),
    TR("v0", v[0], v16i8, VEC), TR("v1", v[1], v4i32, VEC), TR("v2", v[2], v2i64, VEC),
    TR("v3", v[3], v2f64, VEC), TR("pc", pc, i64, PC),
};
#undef TR
static const IrRegFile test_regfile = {"test", test_regs, sizeof test_regs / sizeof test_regs[0],
                                       sizeof(TestCpu)};

/* Slot numbers, in table order. */
enum { T_R0, T_R1, T_R2, T_R3, T_R4, T_R5, T_R6, T_R7, T_W0, T_H0, T_B0, T_CF, T_ZF, T_SF,
       T_OF, T_PF, T_AF, T_D0, T_D1, T_S0, T_S1, T_V0, T_V1, T_V2, T_V3, T_PC };

#endif
