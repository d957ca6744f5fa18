#!/usr/bin/env bash
# bad_input.sh EMU_SYSTEM [KERNEL]: every kind of bad input to emu-system-x86_64
# gets one line naming the reason on stderr and exit status 1, before any guest
# runs (issue 8's "Bad input"). KERNEL (a real bzImage) checks the files that
# come after it; without one those cases are skipped, the rest still run.
set -u
emu=$1 kernel=${2:-}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
echo "just text" >"$t/text"
: >"$t/empty"
head -c 4096 /dev/zero >"$t/zeros"
printf 'QFI\373\000\000\000\003' >"$t/qcow2" && head -c 1016 /dev/zero >>"$t/qcow2"
head -c 1000 /dev/zero >"$t/odd-size"
fail=0
check() { # expected-substring command...
  local want=$1; shift
  timeout 20 "$@" >"$t/out" 2>"$t/err" </dev/null; local rc=$?
  local lines; lines=$(wc -l <"$t/err")
  if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$want" "$t/err" || [ -s "$t/out" ]; then
    echo "FAIL: $* -> exit $rc, stderr:"; cat "$t/err"; fail=1
  else
    echo "ok: $(cat "$t/err")"
  fi
}
check "no kernel to boot" "$emu"
check "No such file" "$emu" -kernel "$t/missing"
check "not a bzImage" "$emu" -kernel "$t/text"
check "not a bzImage" "$emu" -kernel "$t/empty"
check "not a bzImage" "$emu" -kernel "$t/zeros"
check "unknown option" "$emu" -kernel "$t/text" -no-such-option
check "too small" "$emu" -kernel "$t/text" -m 16M
check "more than" "$emu" -kernel "$t/text" -m 100T
check "only -smp 1" "$emu" -kernel "$t/text" -smp 2
check "unknown -d item" "$emu" -kernel "$t/text" -d nonsense
check "needs an argument" "$emu" -kernel
if [ -n "$kernel" ] && [ -f "$kernel" ]; then
  check "No such file" "$emu" -kernel "$kernel" -initrd "$t/missing"
  check "No such file" "$emu" -kernel "$kernel" -hda "$t/missing"
  check "directory" "$emu" -kernel "$kernel" -drive "file=$t,format=raw"
  check "qcow2 images are not supported" "$emu" -kernel "$kernel" -hda "$t/qcow2"
  check "not a multiple of 512" "$emu" -kernel "$kernel" -hda "$t/odd-size"
  check "empty" "$emu" -kernel "$kernel" -initrd "$t/empty"
else
  echo "skipped: the cases after -kernel (no kernel given)"
fi
exit $fail
