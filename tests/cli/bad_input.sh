#!/usr/bin/env bash
# bad_input.sh EMU: every kind of bad input gets one line naming the reason on
# stderr and exit status 1 -- never a crash, never a guest run.
set -u
emu=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
echo "just text" >"$t/text"
printf '\177ELF\002\001\001' >"$t/truncated"
{ printf '\177ELF\001\001\001'; head -c 57 /dev/zero; } >"$t/elf32"   # a 32-bit ELF
head -c 64 /bin/busybox >"$t/header-only"          # headers point past the end
cp /bin/busybox "$t/aarch64" && printf '\267\000' | dd of="$t/aarch64" bs=1 seek=18 conv=notrunc 2>/dev/null
: >"$t/empty"
fail=0
check() { # expected-substring command...
  local want=$1; shift
  "$@" >"$t/out" 2>"$t/err"; local rc=$?
  local lines; lines=$(wc -l <"$t/err")
  if [ $rc -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$want" "$t/err" || [ -s "$t/out" ]; then
    echo "FAIL: $* -> exit $rc, stderr:"; cat "$t/err"; fail=1
  else
    echo "ok: $(cat "$t/err")"
  fi
}
check "not an ELF file" "$emu" "$t/text"
check "truncated ELF header" "$emu" "$t/truncated"
check "32-bit" "$emu" "$t/elf32"
check "outside the file" "$emu" "$t/header-only"
check "aarch64, expected x86-64" "$emu" "$t/aarch64"
check "not an ELF file" "$emu" "$t/empty"
check "no such file" "$emu" "$t/missing"
check "directory" "$emu" "$t"
check "unknown option" "$emu" -no-such-option /bin/true
check "unknown -d item" "$emu" -d nonsense /bin/true
check "unknown tier" "$emu" --tier=warp /bin/true
check "invalid size" "$emu" -s lots /bin/true
check "needs an argument" "$emu" -L
exit $fail
