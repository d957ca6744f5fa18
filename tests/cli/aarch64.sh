#!/usr/bin/env bash
# aarch64.sh EMU_AARCH64 ENOSYS_PROG [BUSYBOX]: what emu-aarch64 itself must do,
# beyond what the guest corpus compares with qemu-aarch64: refuse an x86-64
# program with one line and exit 1; print its binfmt_misc rule (EM_AARCH64);
# answer an unknown syscall with -ENOSYS and log it once under -d unimp; raise
# SIGILL for an instruction it does not implement and log its address and
# bytes under -d unimp; and
# exec a guest program from a guest (busybox's applets exec /proc/self/exe).
set -u
emu=$1 enosys=$2 bb=${3:-}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

"$emu" /bin/true >"$t/out" 2>"$t/err"; rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$t/err")" -eq 1 ] && grep -q "ELF for x86-64, expected aarch64" "$t/err" &&
   [ ! -s "$t/out" ]; then
  ok "$(cat "$t/err")"
else
  bad "x86-64 program: exit $rc, stderr: $(cat "$t/err")"
fi

rule=$("$emu" --binfmt-print)
if [[ "$rule" == ":emu-aarch64:M::"*'\x02\x00\xb7\x00:'* ]]; then ok "binfmt rule names EM_AARCH64"
else bad "binfmt rule: $rule"; fi

"$emu" -d unimp "$enosys" >"$t/out" 2>"$t/err"; rc=$?
n400=$(grep -c "unimplemented syscall 400 " "$t/err")
n244=$(grep -c "unimplemented syscall 244 " "$t/err")
if [ $rc -eq 218 ] && [ "$n400" -eq 1 ] && [ "$n244" -eq 1 ]; then
  ok "unknown syscalls return -ENOSYS (exit $rc), each logged once"
else
  bad "unknown syscalls: exit $rc (want 218), logged 400: $n400, 244: $n244 times"; cat "$t/err"
fi

"$emu" -d unimp "$enosys" sve >"$t/out" 2>"$t/err"; rc=$?
if [ $rc -eq 132 ] && grep -Eq "unimplemented instruction at 0x[0-9a-f]+: e0 e3 a0 04" "$t/err"; then
  ok "an SVE instruction raises SIGILL, -d unimp logs: $(grep unimplemented "$t/err")"
else
  bad "SVE instruction: exit $rc (want 132 = SIGILL), stderr: $(cat "$t/err")"
fi

if [ -n "$bb" ]; then
  out=$(cd "$t" && "$emu" "$bb" sh -c 'printf "one\ntwo\n" > f; echo f | xargs cat; echo rc=$?' 2>&1)
  if [ "$out" = "$(printf 'one\ntwo\nrc=0')" ]; then ok "busybox xargs execs cat under emu"
  else bad "exec from the guest: $out"; fi
fi
exit $fail
