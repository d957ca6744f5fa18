/* x86_sysinsn_io.c — port I/O: in, out, ins, outs (with rep) to the bus.
 * Allowed when CPL <= IOPL, else when the TSS's I/O permission bitmap clears
 * every port the access touches (SDM vol. 1 19.5). */
#include "x86_sysinsn.h"

static X86Exc io_allowed(SysInsn *i, uint16_t port, unsigned size) {
  X86Sys *s = i->s;
  if (s->cpl <= x86_iopl(s))
    return X86_OK;
  const X86Seg *tr = &s->tr;
  uint16_t base, bits;
  if (!(tr->attr & X86_ATTR_P) || tr->limit < 0x67)
    return x86_gp0();
  X86Exc x = x86_vread(s, tr->base + 0x66, &base, 2, 0);
  if (x86_failed(x))
    return x;
  uint32_t off = (uint32_t)base + port / 8;
  if (off + 1 > tr->limit)
    return x86_gp0();
  x = x86_vread(s, tr->base + off, &bits, 2, 0);
  if (x86_failed(x))
    return x;
  return (bits >> (port & 7)) & ((1u << size) - 1) ? x86_gp0() : X86_OK;
}

static HwBus *bus(SysInsn *i) { return i->s->hooks.bus; }

static uint64_t pio_read(SysInsn *i, uint16_t port, unsigned size) {
  return bus(i) ? hw_pio_read(bus(i), port, size) : ~0ull >> (64 - 8 * size);
}

static void pio_write(SysInsn *i, uint16_t port, uint64_t v, unsigned size) {
  if (bus(i))
    hw_pio_write(bus(i), port, v, size);
}

/* in al/ax/eax, imm8|dx  and  out imm8|dx, al/ax/eax */
static X86Exc si_in_out(SysInsn *i) {
  bool in = i->in.mnemonic == ZYDIS_MNEMONIC_IN;
  const ZydisDecodedOperand *reg = &i->op[in ? 0 : 1];
  uint64_t port;
  X86Exc x = x86_si_read(i, in ? 1 : 0, &port);
  unsigned size = reg->size / 8;
  if (!x86_failed(x))
    x = io_allowed(i, (uint16_t)port, size);
  if (x86_failed(x))
    return x;
  if (in)
    x86_si_set_gpr(i, reg->reg.value, pio_read(i, (uint16_t)port, size));
  else
    pio_write(i, (uint16_t)port, x86_si_gpr(i, reg->reg.value), size);
  return X86_OK;
}

/* ins/outs, rep or not: one element at a time, registers updated after each
 * so a fault leaves a restartable state. */
static X86Exc si_ins_outs(SysInsn *i) {
  X86Cpu *c = i->c;
  ZydisMnemonic m = i->in.mnemonic;
  bool in = m == ZYDIS_MNEMONIC_INSB || m == ZYDIS_MNEMONIC_INSW || m == ZYDIS_MNEMONIC_INSD;
  unsigned size = m == ZYDIS_MNEMONIC_INSB || m == ZYDIS_MNEMONIC_OUTSB   ? 1
                  : m == ZYDIS_MNEMONIC_INSW || m == ZYDIS_MNEMONIC_OUTSW ? 2
                                                                          : 4;
  bool rep = i->in.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                                 ZYDIS_ATTRIB_HAS_REPNE);
  bool a32 = i->in.address_width == 32;
  uint64_t amask = a32 ? 0xffffffffull : ~0ull;
  uint16_t port = (uint16_t)c->gpr[X86_RDX];
  X86Exc x = io_allowed(i, port, size);
  if (x86_failed(x))
    return x;
  /* The memory operand's segment: es for ins, ds or an override for outs. */
  uint64_t seg = 0;
  for (unsigned k = 0; k < i->in.operand_count; k++)
    if (!in && i->op[k].type == ZYDIS_OPERAND_TYPE_MEMORY)
      seg = i->op[k].mem.segment == ZYDIS_REGISTER_FS   ? c->fs_base
            : i->op[k].mem.segment == ZYDIS_REGISTER_GS ? c->gs_base
                                                        : 0;
  int idx = in ? X86_RDI : X86_RSI;
  int64_t step = c->df ? -(int64_t)size : (int64_t)size;
  while (!rep || (c->gpr[X86_RCX] & amask)) {
    uint64_t a = (c->gpr[idx] & amask) + seg, v = 0;
    if (in) {
      v = pio_read(i, port, size);
      x = x86_vwrite(i->s, a, &v, size, i->s->cpl);
    } else {
      x = x86_vread(i->s, a, &v, size, i->s->cpl);
      if (!x86_failed(x))
        pio_write(i, port, v, size);
    }
    if (x86_failed(x))
      return x;
    c->gpr[idx] = (c->gpr[idx] + (uint64_t)step) & amask; /* 32-bit: zero-extended */
    if (!rep)
      break;
    c->gpr[X86_RCX] = (c->gpr[X86_RCX] - 1) & amask;
  }
  return X86_OK;
}

const SysInsnRow x86_sysinsn_io[] = {
    {ZYDIS_MNEMONIC_IN, si_in_out, 0},
    {ZYDIS_MNEMONIC_OUT, si_in_out, 0},
    {ZYDIS_MNEMONIC_INSB, si_ins_outs, 0},
    {ZYDIS_MNEMONIC_INSW, si_ins_outs, 0},
    {ZYDIS_MNEMONIC_INSD, si_ins_outs, 0},
    {ZYDIS_MNEMONIC_OUTSB, si_ins_outs, 0},
    {ZYDIS_MNEMONIC_OUTSW, si_ins_outs, 0},
    {ZYDIS_MNEMONIC_OUTSD, si_ins_outs, 0},
    {0, NULL, 0},
};
