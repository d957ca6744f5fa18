/* enosys.S — a libc-free AArch64 guest for tests/cli/aarch64.sh: syscall 400
 * (none on arm64) twice and 244 (the arch-specific hole) once, then exit with
 * the last result: -ENOSYS, so the exit status is 256 - 38 = 218. */
  .globl _start
_start:
  mov x8, #400
  svc #0
  mov x8, #400
  svc #0
  mov x8, #244
  svc #0
  mov x8, #94 /* exit_group(x0) */
  svc #0
