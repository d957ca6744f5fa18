#!/usr/bin/env bash
# run.sh EMU [BUSYBOX ORACLE]: run script.sh with a static busybox (the host's
# by default), natively -- or as `ORACLE BUSYBOX ...` for a foreign busybox, e.g.
# ORACLE = qemu-aarch64 -- and under EMU; the outputs and exit statuses must be
# identical. qemu-user cannot exec a foreign program without binfmt_misc, so
# with an ORACLE the script skips its lines that exec an applet
# (BUSYBOX_NO_EXEC); tests/cli/aarch64.sh covers exec under emu-aarch64.
set -u
emu=$1
bb=${2:-/bin/busybox}
oracle=()
if [ -n "${3:-}" ]; then
  read -r -a oracle <<<"$3"
  export BUSYBOX_NO_EXEC=1
fi
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$bb" ] || { echo "$bb is not there: scripts/deps.sh installs it"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/native" "$work/emu"
"${oracle[@]}" "$bb" sh "$here/script.sh" "$work/native" >"$work/native.out" 2>&1; nrc=$?
"$emu" "$bb" sh "$here/script.sh" "$work/emu" >"$work/emu.out" 2>&1; erc=$?
sed -i "s|$work/native|T|g" "$work/native.out"
sed -i "s|$work/emu|T|g" "$work/emu.out"
if ! cmp -s "$work/native.out" "$work/emu.out" || [ $nrc != $erc ]; then
  echo "busybox: ${oracle[*]:-native} (exit $nrc) and emu (exit $erc) differ:"
  diff "$work/native.out" "$work/emu.out" | head -40
  exit 1
fi
echo "busybox: $(wc -l <"$work/native.out") lines identical (exit $nrc)"
