#!/usr/bin/env bash
# compare.sh [--oracle CMD] EMU TIER PROG [ARGS...]: run PROG natively (or as
# `CMD PROG ARGS...`, e.g. CMD = qemu-aarch64 for a foreign guest) and under EMU
# (--tier=TIER) in the same directory and environment; stdout and exit status
# must match.
set -u
oracle=()
if [ "$1" = --oracle ]; then
  read -r -a oracle <<<"$2"
  shift 2
fi
emu=$1 tier=$2 prog=$3
shift 3
# A missing program would "match": both sides print the same error.
[ -x "$prog" ] || { echo "no such guest program: $prog"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export GUEST_TEST_VAR="set for the guest"
"${oracle[@]}" "$prog" "$@" >"$out/native" 2>"$out/native.err"; native_rc=$?
run_emu() {
  "$emu" --tier="$tier" -d stats -D "$out/stats" "$prog" "$@" >"$out/emu" 2>"$out/emu.err"; emu_rc=$?
  tier2=$(grep -o 'tier2: [0-9]* regions ([0-9]* blocks' "$out/stats" 2>/dev/null | head -1)
}
run_emu "$@"
# EMU_EXPECT_TIER2=1: the auto tier must have compiled and installed regions.
# The compiler thread competes for the CPU with parallel tests; a run that
# ended before it got any says nothing, so up to two more runs may show it
# (each must still print the right output).
for retry in 1 2; do
  [ -n "${EMU_EXPECT_TIER2:-}" ] && ! [[ "$tier2" =~ tier2:\ [1-9] ]] &&
    cmp -s "$out/native" "$out/emu" || break
  echo "no tier-2 region in run $retry of $prog; running again"
  run_emu "$@"
done
fail=0
if [ -n "${EMU_EXPECT_TIER2:-}" ] && ! [[ "$tier2" =~ tier2:\ [1-9] ]]; then
  echo "no tier-2 region was installed for $prog (${tier2:-no tier2 stats})"; fail=1
fi
if ! cmp -s "$out/native" "$out/emu"; then
  echo "stdout differs for $prog:"; diff "$out/native" "$out/emu" | head -20; fail=1
fi
if [ "$native_rc" != "$emu_rc" ]; then
  echo "exit status differs for $prog: native $native_rc, emu $emu_rc"; fail=1
fi
if [ $fail -ne 0 ]; then
  echo "--- emu stderr:"; head -20 "$out/emu.err"
  exit 1
fi
echo "ok: $(basename "$prog") $* (exit $native_rc, $(wc -l <"$out/native") lines) tier=$tier${tier2:+ $tier2)}"
