#!/usr/bin/env bash
# run.sh EMU PROBE: the guest must not reach emu's own memory. With address-space
# randomisation off, emu's mappings (its binary, heap, libraries, code cache,
# stacks) are at the same addresses in every run: read them from a running emu,
# then have a guest probe each one (store, load, and a syscall reading it).
set -u
emu=$1 probe=$2
command -v setarch >/dev/null || { echo "setarch missing"; exit 1; }
fifo=$(mktemp -u); mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
setarch -R "$emu" /bin/busybox sh -c "read x < $fifo" &
pid=$!
sleep 0.5
# The first address of every emu mapping outside the guest window (>= 2^46).
addrs=$(awk '{split($1, r, "-"); if (length(r[1]) >= 12 && r[1] >= "400000000000") print r[1]}' /proc/$pid/maps | sort -u)
echo go > "$fifo"; wait $pid
[ -n "$addrs" ] || { echo "no emu mappings found"; exit 1; }
echo "probing $(echo $addrs | wc -w) emu mappings"
setarch -R "$emu" "$probe" $addrs
