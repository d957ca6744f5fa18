#!/usr/bin/env bash
# scripts/mkdisk.sh — an empty ext2 disk image for emu-system-x86_64 (or qemu):
# -drive file=IMAGE,format=raw,if=virtio; the guest mounts it as /dev/vda.
# No root needed: mke2fs formats a regular file.
set -euo pipefail
usage() {
  echo "usage: scripts/mkdisk.sh IMAGE [SIZE]   (SIZE as truncate takes it, default 64M; IMAGE is overwritten)" >&2
  exit 1
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
img=$1 size=${2:-64M}
[[ $size =~ ^[0-9]+[KMG]?$ ]] || { echo "mkdisk: bad size '$size' (e.g. 64M)" >&2; exit 1; }
command -v mke2fs >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v mke2fs >/dev/null || { echo "mkdisk: no mke2fs (apt-get install e2fsprogs)" >&2; exit 1; }
rm -f "$img"
truncate -s "$size" "$img"
mke2fs -q -t ext2 -F -L emu-disk "$img"
echo "mkdisk: $img ($size, ext2)" >&2
