#!/usr/bin/env bash
# crash_report.sh EMU: an emulator crash (EMU_DEBUG_CRASH makes one at the first
# syscall dispatch) gets the crash report on stderr -- the internal-error line,
# a host backtrace through emu's own functions, the guest registers -- and exit
# status 70, in every tier; the guest never runs on. A bad value is bad input.
set -u
emu=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "FAIL: $*"; cat "$t/err"; fail=1; }

check() { # signal tier
  local sig=$1 tier=$2 what="EMU_DEBUG_CRASH=$1 --tier=$2"
  EMU_DEBUG_CRASH=$sig "$emu" --tier="$tier" /bin/busybox echo guest-ran >"$t/out" 2>"$t/err"
  local rc=$?
  local SIG; SIG=$(echo "$sig" | tr a-z A-Z)
  [ $rc -eq 70 ] || bad "$what: exit $rc, expected 70"
  [ -s "$t/out" ] && bad "$what: the guest ran on: $(cat "$t/out")"
  grep -qE "^emu-x86_64: internal error: SIG$SIG at host pc 0x[0-9a-f]+ \(fault address 0x[0-9a-f]+\) while running guest code at 0x[0-9a-f]+$" "$t/err" ||
    bad "$what: no internal-error line"
  grep -qx "emu-x86_64: host backtrace:" "$t/err" || bad "$what: no backtrace header"
  local frames; frames=$(grep -cE '^  #[0-9]+ +0x[0-9a-f]{16} [A-Za-z_]' "$t/err")
  [ "$frames" -ge 3 ] || bad "$what: $frames named frames, expected at least 3"
  # The frames from the crash up to the CPU loop, in order.
  local f0 f1 f2
  f0=$(grep -nE '^  #0 .* crash_debug_'"$sig"'\+0x' "$t/err" | cut -d: -f1)
  f1=$(grep -nE '^  #[0-9]+ .* emu_crash_debug_point\+0x' "$t/err" | cut -d: -f1)
  f2=$(grep -nE '^  #[0-9]+ .* user_cpu_loop\+0x' "$t/err" | cut -d: -f1)
  { [ -n "$f0" ] && [ -n "$f1" ] && [ -n "$f2" ] && [ "$f0" -lt "$f1" ] && [ "$f1" -lt "$f2" ]; } ||
    bad "$what: frames crash_debug_$sig, emu_crash_debug_point, user_cpu_loop missing or out of order"
  grep -qE '^  #[0-9]+ +0x[0-9a-f]{16} user_main\+0x' "$t/err" || bad "$what: no frame for user_main"
  grep -qx "emu-x86_64: guest registers (x86_64, as last stored by guest code):" "$t/err" ||
    bad "$what: no guest register header"
  # rip: the syscall's successor, inside busybox; rsp: on the guest stack.
  grep -qE '^  rip 0x0000000000[4-9a-f][0-9a-f]{5}$' "$t/err" || bad "$what: no plausible rip"
  grep -qE '  rsp 0x[0-9a-f]{16}' "$t/err" || bad "$what: no rsp"
  grep -qE '^  cf  [01]  pf  [01]' "$t/err" || bad "$what: no flags"
  grep -qx "emu-x86_64: exiting with status 70 (emulator failure, not the guest's)" "$t/err" ||
    bad "$what: no closing line"
  [ $fail -eq 0 ] && echo "ok: $what"
}

for tier in fast interp; do
  check segv $tier
  check bus $tier
done
[ $fail -eq 0 ] && sed 's/^/  | /' "$t/err" # one sample report in the log

EMU_DEBUG_CRASH=nonsense "$emu" /bin/busybox true >"$t/out" 2>"$t/err"
rc=$?
if [ $rc -ne 1 ] || ! grep -q "unknown EMU_DEBUG_CRASH value 'nonsense'" "$t/err"; then
  bad "EMU_DEBUG_CRASH=nonsense: exit $rc"
else
  echo "ok: $(cat "$t/err")"
fi
exit $fail
