#!/usr/bin/env bash
# run.sh QEMU EMU TIER PROG [ARGS...]: run PROG under qemu-aarch64 (the oracle)
# and under emu-aarch64 --tier=TIER; stdout and exit status must match.
set -u
qemu=$1 emu=$2 tier=$3 prog=$4
shift 4
# A missing program would "match": both sides print the same error.
[ -x "$prog" ] || { echo "no such guest program: $prog"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$qemu" "$prog" "$@" >"$out/qemu" 2>"$out/qemu.err"; qemu_rc=$?
"$emu" --tier="$tier" "$prog" "$@" >"$out/emu" 2>"$out/emu.err"; emu_rc=$?
fail=0
if ! cmp -s "$out/qemu" "$out/emu"; then
  echo "stdout differs for $prog $* (< qemu, > emu):"; diff "$out/qemu" "$out/emu" | head -30; fail=1
fi
if [ "$qemu_rc" != "$emu_rc" ]; then
  echo "exit status differs for $prog $*: qemu $qemu_rc, emu $emu_rc"; fail=1
fi
if [ $fail -ne 0 ]; then
  echo "--- emu stderr:"; head -20 "$out/emu.err"
  exit 1
fi
echo "ok: $(basename "$prog") $* (exit $qemu_rc, $(wc -l <"$out/qemu") lines) tier=$tier"
