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

static LLVMDisasmContextRef disasm_for(const char *features) {
  static bool inited;
  if (!inited) {
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64Disassembler();
    inited = true;
  }
  return LLVMCreateDisasmCPUFeatures("aarch64-linux-gnu", "generic", features, NULL, 0, NULL, NULL);
}

static bool disasm(LLVMDisasmContextRef dis, uint32_t insn, uint64_t pc, char *text, size_t size) {
  uint8_t b[4];
  memcpy(b, &insn, 4);
  return dis && LLVMDisasmInstruction(dis, b, 4, pc, text, size) == 4;
}

/* Every extension, so the text names what qemu's max CPU decodes. */
static LLVMDisasmContextRef disasm_all(void) {
  static LLVMDisasmContextRef dis;
  if (!dis)
    dis = disasm_for("+all");
  return dis;
}

/* The LLVM features of the extensions emu advertises in AT_HWCAP/AT_HWCAP2. */
static const struct {
  int word, bit;
  const char *feature;
} hwcap_features[] = {
    {1, 0, "+fp-armv8"}, {1, 1, "+neon"},     {1, 3, "+aes"},       {1, 5, "+sha2"},
    {1, 6, "+sha2"},     {1, 7, "+crc"},      {1, 8, "+lse"},       {1, 9, "+fullfp16"},
    {1, 12, "+rdm"},     {1, 13, "+jsconv"},  {1, 14, "+complxnum"}, {1, 15, "+rcpc"},
    {1, 16, "+ccpp"},    {1, 17, "+sha3"},    {1, 18, "+sm4"},      {1, 20, "+dotprod"},
    {1, 22, "+sve"},     {1, 23, "+fp16fml"}, {1, 24, "+dit"},      {1, 26, "+rcpc-immo"},
    {1, 27, "+flagm"},   {1, 28, "+ssbs"},    {1, 29, "+sb"},       {1, 30, "+pauth"},
    {2, 0, "+ccdp"},     {2, 7, "+altnzcv"},  {2, 8, "+fptoint"},   {2, 13, "+i8mm"},
    {2, 14, "+bf16"},    {2, 16, "+rand"},    {2, 17, "+bti"},      {2, 18, "+mte"},
};

bool dta_in_emu_isa(uint32_t insn) {
  static LLVMDisasmContextRef dis;
  if (!dis) {
    char features[512] = "+v8a";
    uint64_t caps[3] = {0, a64_hwcap(), a64_hwcap2()};
    for (size_t i = 0; i < sizeof hwcap_features / sizeof hwcap_features[0]; i++)
      if (caps[hwcap_features[i].word] >> hwcap_features[i].bit & 1) {
        size_t n = strlen(features);
        snprintf(features + n, sizeof features - n, ",%s", hwcap_features[i].feature);
      }
    dis = disasm_for(features);
  }
  char text[128];
  return disasm(dis, insn, 0, text, sizeof text);
}

void dta_disas(uint32_t insn, uint64_t pc, char *out, size_t size) {
  char text[128] = "";
  if (!disasm(disasm_all(), insn, pc, text, sizeof text))
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
