/* dta_print.c — cases and outcomes for humans: each instruction with LLVM's
 * disassembly, the row that generated it and the frontend's own decoding (row
 * and fields, from a64_frontend.disas), then the input state. */
#include <signal.h>
#include <string.h>

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include "a64_frontend.h"
#include "dta.h"

const char *dta_signame(int signo) {
  switch (signo) {
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGTRAP: return "SIGTRAP";
  case SIGALRM: return "SIGALRM";
  default: return "signal?";
  }
}

void dta_disas(uint32_t insn, uint64_t pc, char *out, size_t size) {
  static LLVMDisasmContextRef dis;
  if (!dis) {
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64Disassembler();
    /* Every extension, so the text names what qemu's max CPU decodes. */
    dis = LLVMCreateDisasmCPUFeatures("aarch64-linux-gnu", "generic", "+all", NULL, 0, NULL, NULL);
  }
  uint8_t b[4];
  memcpy(b, &insn, 4);
  char text[128] = "";
  if (!dis || LLVMDisasmInstruction(dis, b, 4, pc, text, sizeof text) != 4)
    snprintf(text, sizeof text, ".inst %#010x", insn);
  const char *t = text;
  while (*t == ' ' || *t == '\t')
    t++;
  snprintf(out, size, "%s", t);
  for (char *p = out; *p; p++)
    if (*p == '\t')
      *p = ' ';
}

static void print_vreg(FILE *f, const char *name, const uint8_t v[16]) {
  uint64_t lo, hi;
  memcpy(&lo, v, 8);
  memcpy(&hi, v + 8, 8);
  fprintf(f, "    %-4s=%016llx:%016llx\n", name, (unsigned long long)hi, (unsigned long long)lo);
}

void dta_print_case(FILE *f, const DtaGenCase *g) {
  const DtaCase *c = &g->c;
  uint32_t regs = 0; /* register numbers the instructions name (X or V) */
  for (unsigned i = 0; i < c->ninsns; i++) {
    char text[128], dec[256];
    dta_disas(c->insn[i], dta_insn_addr(c->id, i), text, sizeof text);
    uint8_t b[4];
    memcpy(b, &c->insn[i], 4);
    a64_frontend.disas(dta_insn_addr(c->id, i), b, 4, dec, sizeof dec);
    fprintf(f, "    %#llx  %-36s row %s; decodes as %s\n",
            (unsigned long long)dta_insn_addr(c->id, i), text, g->rows[i]->p->row->name, dec);
    const A64Pattern *p = g->rows[i]->p;
    for (unsigned k = 0; k < p->nfields; k++) {
      unsigned id = p->field[k].id;
      if (id == A64_F_rd || id == A64_F_rn || id == A64_F_rm || id == A64_F_ra ||
          id == A64_F_rt || id == A64_F_rt2 || id == A64_F_rs)
        regs |= 1u << (c->insn[i] >> p->field[k].lsb & 31);
    }
  }
  fprintf(f, "  input (slot %#llx, scratch seed %#llx):\n", (unsigned long long)dta_slot_addr(c->id),
          (unsigned long long)c->mem_seed);
  for (int i = 0; i < 31; i++)
    fprintf(f, "%sx%-2d=%016llx%s", i % 4 ? "  " : "    ", i, (unsigned long long)c->in.x[i],
            i % 4 == 3 ? "\n" : "");
  fprintf(f, "  sp =%016llx\n", (unsigned long long)c->in.sp);
  uint64_t nz = c->in.nzcv >> 28;
  fprintf(f, "    nzcv=%c%c%c%c fpcr=%#llx fpsr=%#llx tpidr=%#llx\n", nz & 8 ? 'N' : 'n',
          nz & 4 ? 'Z' : 'z', nz & 2 ? 'C' : 'c', nz & 1 ? 'V' : 'v',
          (unsigned long long)c->in.fpcr, (unsigned long long)c->in.fpsr,
          (unsigned long long)c->in.tpidr);
  for (int i = 0; i < 32; i++)
    if (regs >> i & 1) {
      char name[8];
      snprintf(name, sizeof name, "v%d", i);
      print_vreg(f, name, c->in.v[i]);
    }
}

void dta_print_result(FILE *f, const char *who, const DtaResult *r) {
  if (r->died) {
    fprintf(f, "  %s: process died: %s\n", who, r->note);
    return;
  }
  const DtaOutcome *o = &r->o;
  fprintf(f, "  %s: exit %u", who, o->exit);
  if (o->exit == DTA_EXIT_SIGNAL)
    fprintf(f, " %s code %d addr %#llx pc_off %lld", dta_signame(o->signo), o->code,
            (unsigned long long)o->addr, (long long)o->pc_off);
  fprintf(f, "\n");
  for (int i = 0; i < 31; i++)
    fprintf(f, "%sx%-2d=%016llx%s", i % 4 ? "  " : "    ", i, (unsigned long long)o->out.x[i],
            i % 4 == 3 ? "\n" : "");
  fprintf(f, "  sp =%016llx\n    nzcv=%#llx fpcr=%#llx fpsr=%#llx, %u scratch words changed\n",
          (unsigned long long)o->out.sp, (unsigned long long)o->out.nzcv,
          (unsigned long long)o->out.fpcr, (unsigned long long)o->out.fpsr, r->nmem);
}
