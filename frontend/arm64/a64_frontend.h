/* a64_frontend.h — the AArch64 guest frontend: decode (a pattern table,
 * a64_decode.c) and lift to IR. */
#ifndef EMU_A64_FRONTEND_H
#define EMU_A64_FRONTEND_H

#include "a64_cpu.h"
#include "ir_frontend.h"

/* IR slots of the AArch64 register file, in a64_regs.c's table order. */
enum {
  A64_SLOT_X0 = 0, /* x0 .. x30 */
  A64_SLOT_SP = 31,
  A64_SLOT_PC,
  A64_SLOT_N, A64_SLOT_Z, A64_SLOT_C, A64_SLOT_V,
  A64_SLOT_FRM, A64_SLOT_FPCR, A64_SLOT_FPSR, A64_SLOT_TPIDR,
  A64_SLOT_EXCL_ADDR, A64_SLOT_EXCL_VAL, A64_SLOT_EXCL_VAL2,
  A64_SLOT_V0, /* v0 .. v31, v2i64 */
  /* Scratch, not guest state: where the two paths of a rare-case split meet
   * (a64_fparm.c), one slot per type (f32, f64, v2i64). */
  A64_SLOT_FTMP_S = A64_SLOT_V0 + 32, A64_SLOT_FTMP_D, A64_SLOT_FTMP_Q,
  A64_SLOT__COUNT
};

extern const IrRegFile a64_regfile;
extern const IrFrontend a64_frontend;

/* Registers the frontend's helpers and builds the decoder; call once before
 * translating (translate calls it too). */
void a64_frontend_init(void);

/* AT_HWCAP / AT_HWCAP2: exactly the features the lifters implement. */
uint64_t a64_hwcap(void);
uint64_t a64_hwcap2(void);

/* Emulated system registers userspace reads with mrs (ctr_el0, midr_el1...). */
uint64_t a64_ctr_el0(void);
uint64_t a64_midr_el1(void);

#endif
