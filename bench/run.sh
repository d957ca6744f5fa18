#!/usr/bin/env bash
# bench/run.sh — one command: build the suite (static, -O2) and emu, run every
# program natively, under emu-x86_64 in each tier asked for and under qemu-x86_64
# when installed, check each run printed what the native run printed, and write
# $BENCH_BUILD/bench/results.tsv; bench/report.py prints it as markdown tables
# (medians, ratios, geometric means, compile cost) and bench/plot.py draws
# ratios.png. Timing lives here only; tests never assert on time.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

usage() {
  cat >&2 <<'EOF'
usage: bench/run.sh [--guest x86_64|aarch64] [--runs N] [--tiers T,...] [--startup-tiers T,...] [--only P,...] [--no-qemu] [--quick]
  --guest G          x86_64 (default): emu-x86_64 vs native and qemu-x86_64;
                     aarch64: the suite cross-built for AArch64 under emu-aarch64 and qemu-aarch64
                     (the reference output is qemu-aarch64's; the native column is the same
                     source built for the x86-64 host, for scale)
  --runs N           runs per cell, the median is reported (default 3; start-up rows use max(N,5))
  --tiers T,...      emu tiers for the CPU-bound programs (default fast,auto,aot; llvm on request: it compiles every block); names below
  --startup-tiers    tiers for the start-up rows (default: --tiers plus cache-cold,cache-warm)
  --only P,...       only these programs (CPU-bound names or busybox, python3, boot: bench/boot.sh)
  --no-qemu          skip qemu-x86_64 even when it is installed
  --quick            smoke run: 1 run, a few programs, start-up of busybox only
environment: BENCH_BUILD (build dir, default build), EMU (an emu binary to use as is, not built),
             BENCH_TIMEOUT (seconds per run, default 120)
EOF
  exit 1
}

# Tier specs: name, emu arguments, environment. In the environment, @fresh is a new
# empty directory per run, @warm a directory filled by one unmeasured run first,
# @aot a directory the AOT tool fills once per program (n/a when build/emu-aot is
# absent). The translation cache reads EMU_CACHE_DIR; until it exists, the cache-*
# and aot columns measure plain auto.
TIER_TABLE='
interp       | --tier=interp |
fast         | --tier=fast   |
fast-nocheck | --tier=fast   | EMU_UNSAFE_NO_BOUNDS_CHECK=1
llvm         | --tier=llvm   |
auto         | --tier=auto   |
aot          | --tier=auto   | EMU_CACHE_DIR=@aot
cache-cold   | --tier=auto   | EMU_CACHE_DIR=@fresh
cache-warm   | --tier=auto   | EMU_CACHE_DIR=@warm
'
# fast-nocheck prices memory isolation: it removes the guest-address bounds check
# and lets the guest reach emu's memory. A measurement knob only.
declare -A tier_args tier_env
while IFS='|' read -r name args env; do
  name=${name// /}
  if [ -n "$name" ]; then tier_args[$name]=$args tier_env[$name]=$env; fi
done <<<"$TIER_TABLE"

# Start-up rows: name and command line (not CPU-bound: own table, not in the geomean).
STARTUP_TABLE='
busybox  /bin/busybox true
python3  /usr/bin/python3 -c pass
'
# --guest aarch64: Debian's arm64 busybox-static, unpacked by scripts/deps.sh.
STARTUP_TABLE_AARCH64='
busybox  /var/cache/emu-deps/busybox-arm64/bin/busybox true
'
QUICK_SET=sieve,nbody,calls,interp,strops,threads,busybox

runs=3 tiers=fast,auto,aot startup_tiers="" only="" use_qemu=1 guest=x86_64
while [ $# -gt 0 ]; do
  case $1 in
    --guest) guest=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --tiers) tiers=$2; shift 2 ;;
    --startup-tiers) startup_tiers=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-qemu) use_qemu=0; shift ;;
    --quick) runs=1; only=${only:-$QUICK_SET}; shift ;;
    *) usage ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
case $guest in x86_64 | aarch64) ;; *) usage ;; esac
startup_tiers=${startup_tiers:-$tiers,cache-cold,cache-warm}
IFS=, read -ra tierlist <<<"$tiers"
IFS=, read -ra stierlist <<<"$startup_tiers"
stierlist=($(printf '%s\n' "${stierlist[@]}" | awk '!seen[$0]++'))
for t in "${tierlist[@]}" "${stierlist[@]}"; do
  [ -n "${tier_args[$t]:-}" ] || { echo "bench: unknown tier '$t' (known: ${!tier_args[*]})" >&2; exit 1; }
done
srun=$(( runs > 5 ? runs : 5 )); [ "$runs" = 1 ] && srun=1
timeout_s=${BENCH_TIMEOUT:-120}
with_stats=""

build=${BENCH_BUILD:-build}
scripts/deps.sh
out=$build/bench
mkdir -p "$out"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# build NAME...: ninja quietly, its log shown when it fails
build() { ninja -C "$build" "$@" >"$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; return 1; }; }
if [ -z "${EMU:-}" ]; then build emu-$guest || { echo "bench: building emu failed" >&2; exit 1; }; fi
emu=${EMU:-$build/emu-$guest}
aot_tool=()
targets=$(ninja -C "$build" -t targets all 2>/dev/null || true) # not a pipe into grep -q: pipefail
if [ $guest = aarch64 ]; then aot_tool=("$emu" --aot) # emu-aot is emu-x86_64's name only
elif grep -q '^emu-aot:' <<<"$targets" && build emu-aot; then aot_tool=("$build/emu-aot"); fi
rm -rf "$out/cache"
qemu=""
if [ $guest = aarch64 ]; then
  qemu=$(command -v qemu-aarch64) || { echo "bench: --guest aarch64 needs qemu-aarch64 (the reference)" >&2; exit 1; }
elif [ $use_qemu = 1 ] && command -v qemu-x86_64 >/dev/null; then qemu=$(command -v qemu-x86_64); fi
selected() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

progs=()
for src in bench/src/*.c; do
  p=$(basename "$src" .c)
  selected "$p" || continue
  if [ ! "$out/$p" -nt "$src" ]; then cc -static -O2 -pthread -o "$out/$p" "$src" -lm; fi
  if [ $guest = aarch64 ] && [ ! "$out/a64/$p" -nt "$src" ]; then
    mkdir -p "$out/a64"
    aarch64-linux-gnu-gcc -static -O2 -pthread -o "$out/a64/$p" "$src" -lm
  fi
  progs+=("$p")
done

# emu-aot (a link to emu-x86_64: emu-x86_64 --aot) fills the cache folder.
# The same tier as the timed runs: the tier shapes the code (block counters), and
# the cache only serves runs whose code it holds.
aot_prepare() { "${aot_tool[@]}" ${tier_args[aot]} --cache-dir="$1" "${@:2}"; }

# run_once KIND CMD...: one run, KIND is native, qemu or emu:<tier>. Sets st (ok,
# FAIL, TIMEOUT, WRONG against $expected when set), us (wall time), stats line.
# Uses $cache_dir for @warm/@aot.
run_once() {
  local kind=$1; shift
  local pre=() envs=() fresh=""
  rm -f "$out/last.stats"
  case $kind in
    qemu) pre=("$qemu") ;;
    emu:*)
      local t=${kind#emu:} e
      for e in ${tier_env[$t]}; do
        case $e in
          *=@fresh) fresh=$(mktemp -d "$out/cache/fresh.XXXXXX"); e=${e%@fresh}$fresh ;;
          *=@warm | *=@aot) e=${e%=@*}=$cache_dir ;;
        esac
        envs+=("$e")
      done
      pre=(env "${envs[@]}" "$emu" ${tier_args[$t]})
      # -d stats makes block counters exact (a cache line every thread writes):
      # only the untimed stats run asks for it.
      [ -n "$with_stats" ] && pre+=(-d stats -D "$out/last.stats") ;;
  esac
  local t0=${EPOCHREALTIME/./} rc=0
  timeout "$timeout_s" "${pre[@]}" "$@" >"$out/last.out" 2>"$out/last.err" || rc=$?
  us=$(( ${EPOCHREALTIME/./} - t0 ))
  [ -n "$fresh" ] && rm -rf "$fresh"
  # every "emu stats:" line (tier 2 adds its own), joined as ;-separated segments
  stats=$(sed -n 's/^.*emu stats: *//p' "$out/last.stats" 2>/dev/null | paste -sd';' || true)
  if [ $rc = 124 ]; then st=TIMEOUT
  elif [ $rc != 0 ]; then st=FAIL
  elif [ -n "$expected" ] && ! cmp -s "$out/last.out" "$expected"; then st=WRONG
  else st=ok; fi
}

# cost_of STATS: "base<TAB>extra": us/insn of the blocks-translated segment, and for
# any other "name: N what, ..., X us/insn" segment (e.g. "tier2: 4 regions (6 blocks,
# 24 guest insns, 5745.76 us/insn), 0 dropped") each "name what=N" pair, comma-separated.
cost_of() {
  awk -F';' '{ for (i = 1; i <= NF; i++) { s = $i
      if (s ~ /blocks translated/) { if (match(s, /[0-9.]+ us\/insn/)) base = substr(s, RSTART, RLENGTH - 8); continue }
      if (!match(s, /[A-Za-z0-9_-]+:/)) continue
      name = substr(s, RSTART, RLENGTH - 1); s = substr(s, RSTART + RLENGTH)
      while (match(s, /[0-9.]+ [A-Za-z\/_ -]*[A-Za-z\/_-]/)) {
        pair = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH); n = index(pair, " ")
        extra = extra (extra != "" ? "," : "") name " " substr(pair, n + 1) "=" substr(pair, 1, n - 1) } } }
    END { print (base != "" ? base : "-") "\t" (extra != "" ? extra : "-") }' <<<"$1"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# measure SECTION PROG N KIND CMD...: N runs, one TSV row; the first failure ends the cell.
measure() {
  local section=$1 prog=$2 n=$3 kind=$4; shift 4
  local col=${kind#emu:} times=() costs=() extra=- status=ok
  cache_dir=""
  if [[ $kind == emu:* && ${tier_env[$col]} == *@aot* ]]; then
    if [ ${#aot_tool[@]} = 0 ]; then status=n/a; n=0
    else
      cache_dir=$out/cache/aot-$prog; mkdir -p "$cache_dir"
      aot_prepare "$cache_dir" "$@" >/dev/null 2>&1 || { status=FAIL; n=0; }
    fi
  elif [[ $kind == emu:* && ${tier_env[$col]} == *@warm* ]]; then
    cache_dir=$out/cache/warm-$prog; mkdir -p "$cache_dir"
    run_once "$kind" "$@"; [ $st = ok ] || { status=$st; n=0; }
  fi
  # emu: one untimed run with -d stats first (translation cost), then n timed runs.
  local first=0
  [[ $kind == emu:* && $n -gt 0 ]] && first=-1
  for ((i = first; i < n; i++)); do
    with_stats=""; [ $i = -1 ] && with_stats=1
    run_once "$kind" "$@"
    if [ -n "$stats" ]; then # kept for a failed run too: translation cost is still measured
      local c; c=$(cost_of "$stats")
      costs+=("${c%%$'\t'*}"); extra=${c#*$'\t'}
    fi
    [ $st = ok ] || { status=$st; break; }
    [ $i -ge 0 ] && times+=($(awk -v u="$us" 'BEGIN {printf "%.3f", u / 1000}'))
  done
  local med=- cost=-
  [ $status = ok ] && med=$(median "${times[@]}")
  if [ ${#costs[@]} -gt 0 ] && [ "${costs[0]}" != - ]; then cost=$(median "${costs[@]}"); fi
  local all=${times[*]:-}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$prog" "$col" "$status" "$med" "${all// /,}" "$cost" "$extra" >>"$tsv"
  printf '  %-8s %-9s %-12s %s %s\n' "$section" "$prog" "$col" "$status" "$med" >&2
}

# bench_row SECTION PROG N TIER... -- CMD... [-- NATIVE_CMD...]: native first (its
# output is the reference). With a NATIVE_CMD (--guest aarch64: the host build of
# the same program), qemu runs first and its output is the reference instead.
bench_row() {
  local section=$1 prog=$2 n=$3; shift 3
  local tl=() cmd=() ref_qemu=0
  while [ "$1" != -- ]; do tl+=("$1"); shift; done
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
  expected=""
  if [ $# -gt 0 ]; then
    shift
    ref_qemu=1
    measure "$section" "$prog" "$n" qemu "${cmd[@]}"
    cp "$out/last.out" "$out/$prog.expected"
    [ -x "${1:-}" ] && measure "$section" "$prog" "$n" native "$@"
    expected=$out/$prog.expected
  else
    measure "$section" "$prog" "$n" native "${cmd[@]}"
    cp "$out/last.out" "$out/$prog.expected"
    expected=$out/$prog.expected
  fi
  for t in "${tl[@]}"; do measure "$section" "$prog" "$n" "emu:$t" "${cmd[@]}"; done
  [ -n "$qemu" ] && [ $ref_qemu = 0 ] && measure "$section" "$prog" "$n" qemu "${cmd[@]}"
  return 0
}

tsv=$out/results.tsv
{
  printf '# guest=%s runs=%s startup_runs=%s emu=%s qemu=%s host=%s date=%s\n' "$guest" "$runs" "$srun" "$emu" \
    "${qemu:-none}" "$(uname -m)/$(nproc)cpu" "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf 'section\tprogram\tcolumn\tstatus\tmedian_ms\truns_ms\tus_per_insn\textra\n'
} >"$tsv"
mkdir -p "$out/cache"
for p in "${progs[@]}"; do
  if [ $guest = aarch64 ]; then bench_row cpu "$p" "$runs" "${tierlist[@]}" -- "$out/a64/$p" -- "$out/$p"
  else bench_row cpu "$p" "$runs" "${tierlist[@]}" -- "$out/$p"; fi
done
[ $guest = aarch64 ] && STARTUP_TABLE=$STARTUP_TABLE_AARCH64
while read -r name cmd; do
  [ -n "$name" ] && selected "$name" || continue
  read -ra argv <<<"$cmd"
  [ -x "${argv[0]}" ] || { echo "bench: ${argv[0]} missing, start-up row $name skipped" >&2; continue; }
  if [ $guest = aarch64 ]; then # the host's own busybox is the native row
    bench_row startup "$name" "$srun" "${stierlist[@]}" -- "${argv[@]}" -- /bin/busybox "${argv[@]:1}"
  else bench_row startup "$name" "$srun" "${stierlist[@]}" -- "${argv[@]}"; fi
done <<<"$STARTUP_TABLE"
rm -rf "$out/cache"

python3 bench/report.py "$tsv"
python3 bench/plot.py "$tsv" "$out/ratios.png"
# System mode: boot to the shell prompt, emu-system-x86_64 vs qemu-system-x86_64 (its own table)
if [ $guest = x86_64 ] && selected boot; then
  qflag=(); [ $use_qemu = 1 ] || qflag=(--no-qemu)
  BENCH_BUILD=$build bench/boot.sh --runs "$srun" "${qflag[@]}" || echo "bench: bench/boot.sh failed" >&2
fi
echo "results: $tsv  plot: $out/ratios.png" >&2
