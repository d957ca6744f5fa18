/* enosys.S — a libc-free AArch64 guest for tests/cli/aarch64.sh: syscall 400
 * (none on arm64) twice and 244 (the arch-specific hole) once, then exit with
 * the last result: -ENOSYS, so the exit status is 256 - 38 = 218. Given an
 * argument, it runs an SVE instruction instead (emu implements no SVE): SIGILL,
 * and -d unimp names its address and bytes. */
  .globl _start
_start:
  ldr x1, [sp] /* argc */
  cmp x1, #1
  b.eq 1f
  .inst 0x04a0e3e0 /* incw x0 (SVE) */
1:
  mov x8, #400
  svc #0
  mov x8, #400
  svc #0
  mov x8, #244
  svc #0
  mov x8, #94 /* exit_group(x0) */
  svc #0
