#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run a guest
# under emu-x86_64 with a one-line summary. With no arguments the guest is the
# demo program the repo builds (tests/guest/demo.c, static, -O2); otherwise
# `scripts/run.sh prog args...` runs prog.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build emu-x86_64 guest_programs >/dev/null
if [ $# -eq 0 ]; then
  set -- build/tests/guest/demo-O2
fi
start=$(date +%s%N)
status=0
build/emu-x86_64 -d stats "$@" || status=$?
end=$(date +%s%N)
echo "emu: exit status $status, $(( (end - start) / 1000000 )) ms wall" >&2
exit $status
