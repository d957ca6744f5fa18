#!/usr/bin/env bash
# run.sh EMU: run script.sh with the host's static busybox, natively and under EMU;
# the outputs and exit statuses must be identical.
set -u
emu=$1
here=$(cd "$(dirname "$0")" && pwd)
bb=/bin/busybox
[ -x "$bb" ] || { echo "busybox-static is not installed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/native" "$work/emu"
"$bb" sh "$here/script.sh" "$work/native" >"$work/native.out" 2>&1; nrc=$?
"$emu" "$bb" sh "$here/script.sh" "$work/emu" >"$work/emu.out" 2>&1; erc=$?
sed -i "s|$work/native|T|g" "$work/native.out"
sed -i "s|$work/emu|T|g" "$work/emu.out"
if ! cmp -s "$work/native.out" "$work/emu.out" || [ $nrc != $erc ]; then
  echo "busybox: native (exit $nrc) and emu (exit $erc) differ:"
  diff "$work/native.out" "$work/emu.out" | head -40
  exit 1
fi
echo "busybox: $(wc -l <"$work/native.out") lines identical (exit $nrc)"
