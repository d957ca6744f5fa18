#!/usr/bin/env bash
# tcache.sh EMU GUESTDIR: the persistent translation cache (EMU_CACHE_DIR).
# A static program, a self-modifying one and python3 each run twice on a fresh
# cache: output as native both times, the second run takes its blocks from the
# cache. A corrupt or truncated cache file is reported once and ignored; a
# cache written by another emu build (a changed byte) is not used; concurrent
# runs sharing the folder stay correct. Tier-2 regions (LLVM's code) compiled
# by one run of a loop-heavy program are installed by the next; a region whose
# guest code changed is not run, one whose object LLVM refuses is reported.
set -u
emu=$1 guests=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# Under ASan the guest window's base is the kernel's choice, different every
# run; it is part of the key, so nothing hits: check only that all runs are right.
sanitized=0
grep -q __asan_init "$emu" && sanitized=1 && echo "sanitizer build: cache hits not expected"
hit() { [ $sanitized = 0 ]; } # should this run have found blocks in the cache?

# cached NAME EXPECTED-OUT command...: run under emu with the cache in $t/c
# (log in $t/NAME.log, stderr in $t/NAME.err); check output and status 0.
cached() {
  local name=$1 want=$2; shift 2
  EMU_CACHE_DIR=$t/c "$emu" -d stats -D "$t/$name.log" "$@" >"$t/$name.out" 2>"$t/$name.err"
  local rc=$?
  [ $rc -eq 0 ] || bad "$name: exit $rc"
  cmp -s "$t/$name.out" "$want" || bad "$name: output differs from native"
}
from_cache() { sed -n 's/^emu stats: \([0-9]*\) blocks from the cache.*/\1/p' "$t/$1.log"; }
translated() { sed -n 's/^emu stats: .*; \([0-9]*\) blocks translated.*/\1/p' "$t/$1.log"; }

py=(/usr/bin/python3 -S -c 'import sys; print("py", sum(range(1000)), sys.version_info[0])')
declare -A cmd=([arith]="$guests/arith-O2" [smc]="$guests/smc-O2")
for name in arith smc py; do
  if [ $name = py ]; then run=("${py[@]}"); else run=(${cmd[$name]}); fi
  "${run[@]}" >"$t/$name.native" 2>/dev/null
  cached $name-1 "$t/$name.native" "${run[@]}"
  cached $name-2 "$t/$name.native" "${run[@]}"
  c1=$(translated $name-1) c2=$(translated $name-2) hits=$(from_cache $name-2)
  echo "$name: run 1 translated $c1 blocks; run 2 translated $c2, ${hits:-0} from the cache"
  hit || continue
  [ "${hits:-0}" -gt 0 ] || bad "$name: no blocks from the cache on the second run"
  # smc's generated code is in anonymous memory: never cached
  [ $name = smc ] || [ "$c2" -lt $((c1 / 10 + 5)) ] || bad "$name: second run still translated $c2 of $c1 blocks"
  [ -s "$t/$name-2.err" ] && bad "$name: unexpected stderr: $(cat "$t/$name-2.err")"
done

# The largest cache file is python's: damage it in the middle.
big=$(ls -S "$t"/c/*.tc | head -1)
size=$(stat -c %s "$big")
head -c 64 /dev/urandom | dd of="$big" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cached corrupt "$t/py.native" "${py[@]}"
! hit || grep -q "^emu: warning: ignoring corrupt translation cache $big: " "$t/corrupt.err" ||
  bad "corrupt file: no warning (stderr: $(cat "$t/corrupt.err"))"
[ "$(wc -l <"$t/corrupt.err")" -eq $(hit && echo 1 || echo 0) ] || bad "corrupt file: more than one line on stderr"
cached rewritten "$t/py.native" "${py[@]}" # the corrupt run wrote a good file again
[ -s "$t/rewritten.err" ] && bad "rewritten file: stderr: $(cat "$t/rewritten.err")"

truncate -s $(( $(stat -c %s "$big") / 3 )) "$big"
cached truncated "$t/py.native" "${py[@]}"
! hit || grep -q "^emu: warning: ignoring corrupt translation cache $big: " "$t/truncated.err" ||
  bad "truncated file: no warning (stderr: $(cat "$t/truncated.err"))"

# Another emu build: one byte of the binary's .comment changed.
cached again "$t/arith.native" "$guests/arith-O2"
cp "$emu" "$t/emu2"
off=$(grep -abo 'GCC: (' "$t/emu2" | head -1 | cut -d: -f1)
[ -n "$off" ] || off=$(( $(stat -c %s "$t/emu2") - 1 ))
printf 'X' | dd of="$t/emu2" bs=1 seek="$off" conv=notrunc 2>/dev/null
cmp -s "$emu" "$t/emu2" && bad "could not change the binary"
emu_saved=$emu; emu=$t/emu2
cached other "$t/arith.native" "$guests/arith-O2"
emu=$emu_saved
[ "$(from_cache other)" = "" ] || [ "$(from_cache other)" -eq 0 ] ||
  bad "another emu build used the cache: $(from_cache other) blocks"
[ -s "$t/other.err" ] && bad "another build: stderr: $(cat "$t/other.err")"

# Concurrent writers and readers of one folder.
rm -rf "$t/c"
for i in 1 2 3 4 5 6; do
  # -d stats as in the check below: it changes the code (exact counters)
  EMU_CACHE_DIR=$t/c "$emu" -d stats -D /dev/null "${py[@]}" >"$t/par$i.out" 2>"$t/par$i.err" &
done
wait
for i in 1 2 3 4 5 6; do
  cmp -s "$t/par$i.out" "$t/py.native" || bad "concurrent run $i: wrong output"
  [ -s "$t/par$i.err" ] && bad "concurrent run $i: stderr: $(cat "$t/par$i.err")"
done
cached after-par "$t/py.native" "${py[@]}"
! hit || [ "$(from_cache after-par)" -gt 0 ] || bad "no cache hits after concurrent runs"
ls "$t"/c | grep -q tmp && bad "temporary files left behind"

# Tier-2 regions: what LLVM compiled in one run of a loop-heavy program is
# installed from the cache by the next one (-d stats: "N from the cache").
rm -rf "$t/c"
auto=(--tier=auto --jit-threshold=50)
"$guests/fpmath-O2" >"$t/fp.native"
regions_cached() { sed -n 's/^emu stats: tier2: .*, \([0-9]*\) from the cache$/\1/p' "$t/$1.log"; }
regions_compiled() { sed -n 's/^emu stats: tier2: \([0-9]*\) regions.*/\1/p' "$t/$1.log"; }
# first_cached NAME: a region run NAME installed from the cache (-d tierup). Its
# entry is reached the same way in the next run: no region that run loads or
# compiles can hold it inside (regions grow only over tier-1 blocks).
first_cached() {
  sed -n 's/^tier2: region at 0x\([0-9a-f]*\) from the cache.*/\1/p' "$t/$1.log" | head -1
}
auto+=(-d tierup)
cached fp-cold "$t/fp.native" "${auto[@]}" "$guests/fpmath-O2"
cached fp-warm "$t/fp.native" "${auto[@]}" "$guests/fpmath-O2"
warm=$(regions_cached fp-warm)
echo "fpmath: run 1 compiled $(regions_compiled fp-cold) regions; run 2 took ${warm:-0} from the cache"
if hit; then
  [ "$(regions_compiled fp-cold)" -gt 0 ] || bad "fpmath: no region compiled in the first run"
  [ "${warm:-0}" -gt 0 ] || bad "fpmath: no region from the cache in the second run"
  [ -s "$t/fp-warm.err" ] && bad "fpmath warm: unexpected stderr: $(cat "$t/fp-warm.err")"
  fpfile=$(ls "$t"/c/fpmath-O2-*.tc)
  # A region whose member's guest bytes no longer match is not run (silently,
  # as a stale block is not); the run compiles it again and saves it.
  pc=$(first_cached fp-warm)
  python3 "$(dirname "$0")/tcache_edit.py" "$fpfile" stale "$pc" || bad "tcache_edit stale failed"
  cached fp-stale "$t/fp.native" "${auto[@]}" "$guests/fpmath-O2"
  grep -q "^tier2: cached region at 0x$pc is stale" "$t/fp-stale.log" ||
    bad "stale region at $pc: not refused"
  grep -q "^tier2: region at 0x$pc from the cache" "$t/fp-stale.log" &&
    bad "stale region at $pc was installed"
  [ -s "$t/fp-stale.err" ] && bad "stale region: stderr: $(cat "$t/fp-stale.err")"
  # An object LLVM cannot link is refused with the corrupt-cache warning, once:
  # the run drops it from the file.
  pc=$(first_cached fp-stale)
  python3 "$(dirname "$0")/tcache_edit.py" "$fpfile" badobj "$pc" || bad "tcache_edit badobj failed"
  cached fp-badobj "$t/fp.native" "${auto[@]}" "$guests/fpmath-O2"
  grep -q "^emu: warning: ignoring corrupt translation cache $fpfile: region at 0x$pc: " "$t/fp-badobj.err" ||
    bad "region with a broken object: no warning (stderr: $(cat "$t/fp-badobj.err"))"
  [ "$(wc -l <"$t/fp-badobj.err")" -eq 1 ] || bad "broken object: more than one line on stderr"
  cached fp-after "$t/fp.native" "${auto[@]}" "$guests/fpmath-O2"
  [ -s "$t/fp-after.err" ] && bad "after the broken object: stderr: $(cat "$t/fp-after.err")"
  after=$(regions_cached fp-after)
  [ "${after:-0}" -gt 0 ] || bad "no region from the cache after the broken one was dropped"
fi

# The size bound: a tiny EMU_CACHE_MAX leaves the folder under it.
EMU_CACHE_MAX=100k EMU_CACHE_DIR=$t/c "$emu" "$guests/arith-O2" >/dev/null
total=$(du -cb "$t"/c/*.tc 2>/dev/null | tail -1 | cut -f1)
[ "${total:-0}" -le 102400 ] || bad "EMU_CACHE_MAX=100k left $total bytes"

[ $fail -eq 0 ] && echo "all ok"
exit $fail
