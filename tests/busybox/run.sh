#!/usr/bin/env bash
# run.sh EMU [BUSYBOX [REFERENCE]]: run script.sh with a static BUSYBOX (the
# host's by default) under EMU, and with REFERENCE (default: BUSYBOX natively);
# the outputs and exit statuses must be identical. For an arm64 BUSYBOX the
# reference is the host's busybox of the same Debian version: the script's
# output does not depend on the architecture, and qemu-user cannot be the
# reference here -- busybox execs itself (/proc/self/exe) for applets, which
# qemu-user cannot do without binfmt_misc, so its shell falls back to host
# programs (GNU tar pads differently).
set -u
emu=$1
bb=${2:-/bin/busybox}
ref=${3:-$bb}
here=$(cd "$(dirname "$0")" && pwd)
for b in "$bb" "$ref"; do
  [ -x "$b" ] || { echo "$b is not there: scripts/deps.sh installs it"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/native" "$work/emu"
"$ref" sh "$here/script.sh" "$work/native" >"$work/native.out" 2>&1; nrc=$?
"$emu" "$bb" sh "$here/script.sh" "$work/emu" >"$work/emu.out" 2>&1; erc=$?
sed -i "s|$work/native|T|g" "$work/native.out"
sed -i "s|$work/emu|T|g" "$work/emu.out"
if ! cmp -s "$work/native.out" "$work/emu.out" || [ $nrc != $erc ]; then
  echo "busybox: $ref (exit $nrc) and emu (exit $erc) differ:"
  diff "$work/native.out" "$work/emu.out" | head -40
  exit 1
fi
echo "busybox: $(wc -l <"$work/native.out") lines identical (exit $nrc)"
