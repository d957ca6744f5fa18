#!/usr/bin/env bash
# bench/boot.sh — system mode: seconds from starting the emulator to the busybox
# shell prompt on the serial console (Debian's kernel, scripts/mkinitramfs.sh,
# a virtio disk), median of N runs, for emu-system-x86_64 and
# qemu-system-x86_64 (TCG), and their ratio. Each run then types 'poweroff -f'
# and must end with status 0. Prints a markdown table; writes
# $BENCH_BUILD/bench/boot.tsv. Timing lives here only: tests never assert on time.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

usage() {
  cat >&2 <<'EOF'
usage: bench/boot.sh [--runs N] [--no-qemu]
environment: BENCH_BUILD (build dir, default build), EMU_SYSTEM (an emu-system-x86_64 to use
             as is; default: built in BENCH_BUILD when CMake has the target), EMU_SYSTEM_ARGS
             (its extra arguments), QEMU_SYSTEM (default qemu-system-x86_64), BENCH_TIMEOUT
             (seconds per run, default 300)
EOF
  exit 1
}
runs=5 use_qemu=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=${2:-}; shift 2 || usage ;;
    --no-qemu) use_qemu=0; shift ;;
    *) usage ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
timeout_s=${BENCH_TIMEOUT:-300}
build=${BENCH_BUILD:-build}
out=$build/bench/boot
mkdir -p "$out"

scripts/deps.sh
kernel=$(ls "${EMU_DEPS_DIR:-/var/cache/emu-deps}"/linux-amd64/boot/vmlinuz-* 2>/dev/null | tail -1)
[ -n "$kernel" ] || { echo "bench/boot: no kernel (scripts/deps.sh unpacks it)" >&2; exit 1; }
kver=${kernel##*/vmlinuz-}
scripts/mkinitramfs.sh -o "$out/initramfs.cpio.gz" -k "$(dirname "$(dirname "$kernel")")" -r "$kver" 2>/dev/null
scripts/mkdisk.sh "$out/disk.img" 16M 2>/dev/null

emu=${EMU_SYSTEM:-}
emu_note="not available"
if [ -z "$emu" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  if ninja -C "$build" -t targets all 2>/dev/null | grep -q '^emu-system-x86_64:'; then
    if ninja -C "$build" emu-system-x86_64 >"$out/build.log" 2>&1; then emu=$build/emu-system-x86_64
    else emu_note="build failed ($out/build.log)"; fi
  fi
fi
qemu="" qemu_note="not installed"
if [ $use_qemu = 0 ]; then qemu_note="skipped (--no-qemu)"
else qemu=$(command -v "${QEMU_SYSTEM:-qemu-system-x86_64}" || true); fi

# boot_once EMULATOR ARGS...: sets st (ok, FAIL) and secs (to the prompt).
boot_once() {
  local log=$out/last.log res
  res=$(timeout $((timeout_s + 30)) python3 tests/system/console.py --timeout "$timeout_s" \
      --until 'emu-initramfs: ready[^\n]*\n' --until '# ' --send 'poweroff -f' -- \
      "$@" -kernel "$kernel" -initrd "$out/initramfs.cpio.gz" -append console=ttyS0 -nographic \
      -m 512M -drive "file=$out/disk.img,format=raw,if=virtio" 2>"$log") || { st=FAIL; return; }
  secs=$(sed -n "s/^console: '# ' after \([0-9.]*\) s$/\1/p" <<<"$res")
  st=ok
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# The emulators take turns, run by run, so both see the same load on a shared
# machine. record NAME RESULT TIMES...: a row of the TSV and a table cell.
record() {
  local name=$1 status=$2; shift 2
  local med=- all="$*"
  [ $status = ok ] && med=$(median "$@")
  printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$med" "${all// /,}" >>"$tsv"
  cell="$med s | ${all// /, }"
  [ $status = ok ] || cell="FAIL | ${all// /, }"
  rec_med=$med
}

tsv=$build/bench/boot.tsv
printf 'emulator\tstatus\tmedian_s\truns_s\n' >"$tsv"
read -ra emu_args <<<"${EMU_SYSTEM_ARGS:-}"
emu_times=() qemu_times=() emu_status=ok qemu_status=ok
for ((i = 0; i < runs; i++)); do
  if [ -n "$emu" ] && [ $emu_status = ok ]; then
    boot_once "$emu" "${emu_args[@]}"
    if [ $st = ok ]; then emu_times+=("$secs"); echo "  boot  emu-system-x86_64  $secs s" >&2
    else emu_status=FAIL; echo "bench/boot: emu failed, console tail:" >&2; tail -20 "$out/last.log" >&2; fi
  fi
  if [ -n "$qemu" ] && [ $qemu_status = ok ]; then
    boot_once "$qemu" -accel tcg
    if [ $st = ok ]; then qemu_times+=("$secs"); echo "  boot  qemu-system-x86_64  $secs s" >&2
    else qemu_status=FAIL; echo "bench/boot: qemu failed, console tail:" >&2; tail -20 "$out/last.log" >&2; fi
  fi
done
emu_med=- qemu_med=-
if [ -n "$emu" ]; then
  record emu-system-x86_64 $emu_status "${emu_times[@]}"; emu_cell=$cell emu_med=$rec_med
else
  emu_cell="$emu_note |"
  printf 'emu-system-x86_64\tn/a\t-\t\n' >>"$tsv"
fi
if [ -n "$qemu" ]; then
  record qemu-system-x86_64 $qemu_status "${qemu_times[@]}"; qemu_cell=$cell qemu_med=$rec_med
else
  qemu_cell="$qemu_note |"
  printf 'qemu-system-x86_64\tn/a\t-\t\n' >>"$tsv"
fi
ratio=n/a
if [ "$emu_med" != - ] && [ "$qemu_med" != - ]; then
  ratio=$(awk -v e="$emu_med" -v q="$qemu_med" 'BEGIN { printf "%.2fx", e / q }')
fi

echo
echo "### System mode: boot to the shell prompt ($kver, median of $runs)"
echo
echo "| emulator | median | runs |"
echo "| --- | --- | --- |"
echo "| emu-system-x86_64 | $emu_cell |"
echo "| qemu-system-x86_64 (TCG) | $qemu_cell |"
echo
echo "emu / qemu: $ratio (lower is faster for emu)"
