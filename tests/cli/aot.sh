#!/usr/bin/env bash
# aot.sh EMU-AOT EMU PROG: ahead-of-time translation. emu-aot fills a fresh
# cache folder from PROG without running it (no output of PROG's); the first
# real run then translates almost nothing (what only computed jumps reach)
# and prints what native prints.
# Without a cache folder emu-aot refuses with one line and status 1.
set -u
aot=$1 emu=$2 prog=$3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
"$prog" >"$t/native.out"
"$aot" -d stats --cache-dir="$t/c" "$prog" >"$t/aot.out" 2>"$t/aot.err" || bad "emu-aot failed: $(tail -3 "$t/aot.err")"
[ -s "$t/aot.out" ] && bad "emu-aot ran the program"
grep -q "^emu-aot: .* blocks from [1-9][0-9]* symbols" "$t/aot.err" || bad "no symbols found: $(cat "$t/aot.err")"
ls "$t"/c/*.tc >/dev/null 2>&1 || bad "no cache file written"
"$emu" -d stats -D "$t/run.log" --cache-dir="$t/c" "$prog" >"$t/run.out" 2>"$t/run.err" || bad "run failed"
cmp -s "$t/native.out" "$t/run.out" || bad "output differs from native"
cached=$(sed -n 's/^emu stats: \([0-9]*\) blocks from the cache.*/\1/p' "$t/run.log")
translated=$(sed -n 's/^emu stats: .*; \([0-9]*\) blocks translated.*/\1/p' "$t/run.log")
if grep -q __asan_init "$emu"; then
  echo "sanitizer build: the guest window moves every run, no cache hits expected"
elif [ "${cached:-0}" -lt 100 ] || [ $((${translated:-999999} * 20)) -gt "${cached:-0}" ]; then
  # static discovery misses only computed-jump targets: under 5% here
  bad "first run after emu-aot: ${cached:-0} blocks from the cache, ${translated:-?} translated"
fi
unset EMU_CACHE_DIR
"$aot" "$prog" >/dev/null 2>"$t/none.err"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$t/none.err")" = 1 ] || bad "without a cache folder: status $rc, $(cat "$t/none.err")"
[ $fail = 0 ] && echo "ok: emu-aot then run: ${cached:-0} blocks from the cache, ${translated:-?} translated"
exit $fail
