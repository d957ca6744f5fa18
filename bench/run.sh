#!/usr/bin/env bash
# bench/run.sh — one command: build the suite (static, -O2), run each program
# natively, under emu-x86_64 (each tier asked for) and under qemu-x86_64 when it
# is installed, check the outputs agree, and print medians, ratios to native, and
# geometric means. Also emu's translation cost (us per guest instruction).
#
#   bench/run.sh [--runs N] [--tiers fast[,interp,...]] [--only prog,prog] [--no-qemu]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 tiers=fast only="" use_qemu=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --tiers) tiers=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-qemu) use_qemu=0; shift ;;
    *) echo "usage: bench/run.sh [--runs N] [--tiers fast,interp] [--only p,q] [--no-qemu]" >&2; exit 1 ;;
  esac
done
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build emu-x86_64 >/dev/null
emu=${EMU:-build/emu-x86_64}
out=build/bench
mkdir -p "$out"
qemu=""
if [ $use_qemu = 1 ] && command -v qemu-x86_64 >/dev/null; then qemu=$(command -v qemu-x86_64); fi

progs=()
for src in bench/src/*.c; do
  p=$(basename "$src" .c)
  if [ -n "$only" ] && [[ ",$only," != *",$p,"* ]]; then continue; fi
  if [ ! "$out/$p" -nt "$src" ]; then cc -static -O2 -o "$out/$p" "$src" -lm -lpthread; fi
  progs+=("$p")
done

# median_ms CMD...: run CMD $runs times, print the median wall time in ms; the
# output of the first run goes to $out/last.out.
median_ms() {
  local times=()
  for ((i = 0; i < runs; i++)); do
    local t0 t1
    t0=$(date +%s%N)
    if ! "$@" >"$out/last.out" 2>"$out/last.err"; then echo "FAIL"; return; fi
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

IFS=, read -ra tierlist <<<"$tiers"
header="program      native_ms"
for t in "${tierlist[@]}"; do header+=$(printf ' %12s %8s' "emu-$t" "x_nat"); done
[ -n "$qemu" ] && header+=$(printf ' %10s %8s' "qemu" "x_nat")
[ -n "$qemu" ] && for t in "${tierlist[@]}"; do header+=$(printf ' %10s' "qemu/$t"); done
header+="   us/insn"
echo "$header"
declare -A logsum logn
for p in "${progs[@]}"; do
  nat=$(median_ms "$out/$p")
  cp "$out/last.out" "$out/$p.expected"
  line=$(printf '%-12s %9s' "$p" "$nat")
  declare -A emu_ms=()
  for t in "${tierlist[@]}"; do
    if [ "$t" = fast-nocheck ]; then # isolation's price: no bounds check (unsafe, measuring only)
      ms=$(EMU_UNSAFE_NO_BOUNDS_CHECK=1 median_ms "$emu" --tier=fast "$out/$p")
    else
      ms=$(median_ms "$emu" --tier="$t" "$out/$p")
    fi
    if [ "$ms" != FAIL ] && ! cmp -s "$out/last.out" "$out/$p.expected"; then ms=WRONG; fi
    emu_ms[$t]=$ms
    if [[ $ms =~ ^[0-9]+$ ]]; then
      r=$(awk -v a="$ms" -v b="$nat" 'BEGIN {printf "%.2f", a / (b > 0 ? b : 1)}')
      logsum[$t]=$(awk -v s="${logsum[$t]:-0}" -v r="$r" 'BEGIN {print s + log(r)}'); logn[$t]=$(( ${logn[$t]:-0} + 1 ))
    else r="-"; fi
    line+=$(printf ' %12s %8s' "$ms" "$r")
  done
  if [ -n "$qemu" ]; then
    q=$(median_ms "$qemu" "$out/$p")
    if [ "$q" != FAIL ] && ! cmp -s "$out/last.out" "$out/$p.expected"; then q=WRONG; fi
    if [[ $q =~ ^[0-9]+$ ]]; then
      r=$(awk -v a="$q" -v b="$nat" 'BEGIN {printf "%.2f", a / (b > 0 ? b : 1)}')
      logsum[qemu]=$(awk -v s="${logsum[qemu]:-0}" -v r="$r" 'BEGIN {print s + log(r)}'); logn[qemu]=$(( ${logn[qemu]:-0} + 1 ))
    else r="-"; fi
    line+=$(printf ' %10s %8s' "$q" "$r")
    for t in "${tierlist[@]}"; do
      if [[ $q =~ ^[0-9]+$ && ${emu_ms[$t]} =~ ^[0-9]+$ ]]; then
        line+=$(awk -v a="$q" -v b="${emu_ms[$t]}" 'BEGIN {printf " %10.2f", a / (b > 0 ? b : 1)}')
      else line+=$(printf ' %10s' -); fi
    done
  fi
  cost=$("$emu" -d stats "$out/$p" 2>&1 >/dev/null | sed -n 's/.* \([0-9.]*\) us\/insn.*/\1/p' | head -1)
  line+=$(printf ' %9s' "${cost:--}")
  echo "$line"
done
geo="geomean (x native):"
for k in "${tierlist[@]}" ${qemu:+qemu}; do
  if [ "${logn[$k]:-0}" -gt 0 ]; then
    geo+=$(awk -v s="${logsum[$k]}" -v n="${logn[$k]}" -v k="$k" 'BEGIN {printf "  %s %.2f", k, exp(s / n)}')
  fi
done
echo "$geo"
