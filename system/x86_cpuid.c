/* x86_cpuid.c — CPUID in system mode (docs/system.md, "CPU model"): what the
 * frontend lifts (x86_cpuid_user, the user-mode table) plus what this CPU
 * model implements in system/: MSRs, PAE/PSE/PGE paging with NX and 1 GiB
 * pages, the xAPIC with the TSC-deadline timer, PAT and MTRRs, rdtscp, an
 * invariant 1 GHz TSC (leaf 0x15: crystal = TSC = the machine clock in ns;
 * leaf 0x16: the CPU runs at 1000 MHz, so Linux measures neither),
 * IA32_ARCH_CAPABILITIES and IA32_SPEC_CTRL (registers only), and the
 * hypervisor bit. Nothing else: no XSAVE, AVX,
 * PCID, SMEP/SMAP, FSGSBASE, x2APIC, RDRAND, SYSENTER, MCE, VME, DE. */
#include "x86_sys_int.h"

#define BIT(n) (1u << (n))
#define MAX_BASIC_LEAF 0x16u

/* A leaf whose registers are OR-ed into (or, with replace, replace) the
 * user-mode answer. */
typedef struct SysLeaf {
  uint32_t leaf, subleaf; /* subleaf ~0: any */
  bool replace;
  uint32_t r[4];
} SysLeaf;

static const SysLeaf sys_leaves[] = {
    {0, ~0u, true, {MAX_BASIC_LEAF, 0x756e6547, 0x6c65746e, 0x49656e69}}, /* GenuineIntel */
    {1, ~0u, false,
     {0, 0, BIT(24) /* tsc-deadline */ | BIT(31) /* hypervisor */,
      BIT(3) /* pse */ | BIT(5) /* msr */ | BIT(6) /* pae */ | BIT(9) /* apic */ |
          BIT(12) /* mtrr */ | BIT(13) /* pge */ | BIT(16) /* pat */}},
    {6, ~0u, true, {BIT(2) /* arat: the APIC timer never stops */, 0, 0, 0}},
    /* IA32_ARCH_CAPABILITIES; IBRS/IBPB (IA32_SPEC_CTRL, IA32_PRED_CMD: registers
     * without effect, for enhanced IBRS in ARCH_CAPABILITIES), and in subleaf 2
     * BHI_CTRL (SPEC_CTRL.BHI_DIS_S: else Linux clears the branch history in a
     * loop on every syscall, as it must assume eIBRS parts are exposed). */
    {7, 0, true, {2, 0, 0, BIT(26) | BIT(29)}},
    {7, 2, true, {0, 0, 0, BIT(4)}},
    {0x15, ~0u, true, {1, 1, 1000000000, 0}}, /* TSC = crystal * 1/1, 1 GHz */
    {0x16, ~0u, true, {1000, 1000, 100, 0}}, /* base, max, bus MHz: no PIT calibration */
    {0x80000001, ~0u, false, {0, 0, 0, BIT(26) /* pdpe1gb */ | BIT(27) /* rdtscp */}},
    {0x80000007, ~0u, true, {0, 0, 0, BIT(8) /* invariant TSC */}},
};

void x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]) {
  x86_cpuid_user(leaf, sub, out);
  if (leaf > MAX_BASIC_LEAF && leaf < 0x80000000u)
    out[0] = out[1] = out[2] = out[3] = 0; /* no hypervisor leaves either */
  for (size_t i = 0; i < sizeof sys_leaves / sizeof sys_leaves[0]; i++) {
    const SysLeaf *l = &sys_leaves[i];
    if (l->leaf != leaf || (l->subleaf != ~0u && l->subleaf != sub))
      continue;
    for (int r = 0; r < 4; r++)
      out[r] = l->replace ? l->r[r] : out[r] | l->r[r];
  }
}
