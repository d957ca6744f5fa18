#!/usr/bin/env bash
# scripts/mkinitramfs.sh — the initramfs emu's system mode boots (and tests/system
# uses): Debian's busybox-static, the kernel modules that reach a virtio disk and
# mount ext2/ext4 on it, and an /init that loads them and starts a shell on the
# console. No root needed; nothing from the host's /lib/modules is used.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: scripts/mkinitramfs.sh [-o OUT] [-k KERNEL_DIR] [-r KVER] [-b BUSYBOX] [-m MODULE,...]
  -o OUT         the gzip'd newc cpio to write (default initramfs.cpio.gz)
  -k KERNEL_DIR  an unpacked kernel package, holding lib/modules/KVER or usr/lib/modules/KVER
                 (default $EMU_DEPS_DIR/linux-amd64, /var/cache/emu-deps/linux-amd64: scripts/deps.sh)
  -r KVER        the kernel version (default: the only one under KERNEL_DIR)
  -b BUSYBOX     a static busybox (default /bin/busybox, Debian's busybox-static)
  -m MODULE,...  more modules to load at boot, after the default ones
The kernel to boot with it is KERNEL_DIR/boot/vmlinuz-KVER.
EOF
  exit 1
}
die() { echo "mkinitramfs: $*" >&2; exit 1; }

# virtio-mmio is emu's disk transport (ACPI-described), virtio-pci qemu's
# (-drive if=virtio); ext4 also mounts ext2 (Debian: EXT4_USE_FOR_EXT2).
# Their dependencies come from the kernel's own module metadata.
MODULES=(virtio virtio_ring virtio_mmio virtio_pci virtio_blk ext4)

out=initramfs.cpio.gz kdir=${EMU_DEPS_DIR:-/var/cache/emu-deps}/linux-amd64 kver="" busybox=/bin/busybox
while getopts o:k:r:b:m:h opt; do
  case $opt in
    o) out=$OPTARG ;;
    k) kdir=$OPTARG ;;
    r) kver=$OPTARG ;;
    b) busybox=$OPTARG ;;
    m) IFS=, read -ra extra <<<"$OPTARG"; MODULES+=("${extra[@]}") ;;
    *) usage ;;
  esac
done
[ $OPTIND -gt $# ] || usage

# BASE/lib/modules/KVER: BASE is the package root, or its usr/ when /lib is merged.
base=""
for b in "$kdir" "$kdir/usr"; do [ -d "$b/lib/modules" ] && { base=$b; break; }; done
[ -n "$base" ] || die "no lib/modules under $kdir (run scripts/deps.sh, or give -k)"
if [ -z "$kver" ]; then
  vers=("$base"/lib/modules/*/)
  [ ${#vers[@]} -eq 1 ] || die "several kernels under $base/lib/modules: choose one with -r"
  kver=$(basename "${vers[0]}")
fi
moddir=$base/lib/modules/$kver
[ -d "$moddir/kernel" ] || die "no modules for kernel $kver in $moddir"
[ -x "$busybox" ] || die "$busybox: no busybox (apt-get install busybox-static)"
"$busybox" --list | grep -qx cttyhack || die "$busybox has no cttyhack applet: is it busybox-static?"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The module database: "path: deps..." and "alias NAME module" lines. A package
# ships no modules.dep (its postinst runs depmod); busybox's depmod makes one.
if [ -f "$moddir/modules.dep" ]; then
  cat "$moddir/modules.dep" "$moddir/modules.alias" 2>/dev/null >"$tmp/db" || true
else
  "$busybox" depmod -n -b "$base" "$kver" >"$tmp/db" 2>/dev/null ||
    die "busybox depmod failed on $moddir"
fi

# resolve NAME...: the modules to load, dependencies first, one "path required|optional"
# per line. A name is a module or an alias (softdep names such as crypto-crc32c
# are aliases; every module providing one is taken, optional: crc32c-intel
# fails without SSE4.2 and crc32c-generic is there for that).
resolve() {
  awk -v want="$*" -v softdeps="$tmp/softdeps" '
    function norm(s) { gsub(/-/, "_", s); return s }
    function modname(p, n) { n = p; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); return norm(n) }
    function visit(n, kind,   d, i, k) {
      if (n in done) return
      done[n] = 1
      k = split(soft[n], d, " ")
      for (i = 1; i <= k; i++) visit_name(d[i], "optional")
      k = split(deps[n], d, " ")
      for (i = 1; i <= k; i++) visit(modname(d[i]), kind)
      print path[n], kind
    }
    function visit_name(a, kind,   m, i, k) {
      if (norm(a) in path) { visit(norm(a), kind); return }
      k = split(alias[a], m, " ")
      if (k == 0) { print "mkinitramfs: no module or alias named " a > "/dev/stderr"; bad = 1 }
      for (i = 1; i <= k; i++) visit(m[i], "optional")
    }
    FILENAME == softdeps { soft[$1] = soft[$1] " " $2; next }
    /^alias / { alias[$2] = alias[$2] " " norm($3); next }
    /\.ko[^ ]*:/ { p = $1; sub(/:$/, "", p); n = modname(p); path[n] = p; $1 = ""; deps[n] = $0 }
    END {
      k = split(want, w, " ")
      for (i = 1; i <= k; i++) visit_name(w[i], "required")
      exit bad
    }' "$tmp/softdeps" "$tmp/db"
}

# stage PATH: copy one module into the tree, uncompressed (busybox insmod
# takes plain ELF), and note its "softdep=pre:" names.
stage() {
  local rel=$1 src=$moddir/$1 dst=$tmp/root/lib/modules/$kver/${1%.ko*}.ko
  [ -f "$dst" ] && return 0
  mkdir -p "$(dirname "$dst")"
  case $src in
    *.ko) cp "$src" "$dst" ;;
    *.ko.xz) xz -dc "$src" >"$dst" ;;
    *.ko.zst) zstd -qdc "$src" >"$dst" ;;
    *.ko.gz) gzip -dc "$src" >"$dst" ;;
    *) die "$rel: unknown module compression" ;;
  esac
  local s
  s=$(tr '\0' '\n' <"$dst" | sed -n 's/^softdep=//p')
  # "pre: a b post: c": the names between pre: and the next keyword
  awk -v m="$(basename "${rel%.ko*}" | tr - _)" '{
      for (i = 1; i <= NF; i++) { if ($i ~ /:$/) pre = ($i == "pre:"); else if (pre) print m, $i } }' \
    <<<"$s" >>"$tmp/softdeps"
}

# Resolve, stage, and again while staging found new softdeps (ext4 -> crc32c).
mkdir -p "$tmp/root"
: >"$tmp/softdeps"
nsoft=-1
while [ "$nsoft" != "$(wc -l <"$tmp/softdeps")" ]; do
  nsoft=$(wc -l <"$tmp/softdeps")
  resolve "${MODULES[@]}" >"$tmp/order" || die "cannot resolve the modules"
  while read -r rel _; do stage "$rel"; done <"$tmp/order"
done

root=$tmp/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,mnt,tmp,root,etc}
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
ln -s ../bin/busybox "$root/sbin/modprobe" # the kernel's request_module() runs /sbin/modprobe
sed 's/\.ko\(\.[a-z]*\)\? /.ko /' "$tmp/order" >"$root/lib/modules/$kver/load.list"
# modules.dep and modules.alias for these modules only: busybox modprobe, lsmod, modinfo work
"$busybox" depmod -b "$root" "$kver" || die "busybox depmod failed on the staged modules"

cat >"$root/init" <<'EOF'
#!/bin/sh
# /init (scripts/mkinitramfs.sh): mount the kernel's filesystems, load the
# modules in load.list (dependencies first), start a shell on the console.
export PATH=/bin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
kver=$(uname -r)
while read -r mod kind; do
  if [ "$kind" = optional ]; then insmod "/lib/modules/$kver/$mod" 2>/dev/null
  else insmod "/lib/modules/$kver/$mod" || echo "init: $mod did not load"; fi
done <"/lib/modules/$kver/load.list"
echo "emu-initramfs: ready: kernel $kver, disks: $(cd /sys/block && ls -d vd* 2>/dev/null | tr '\n' ' ')"
echo "emu-initramfs: 'mount /dev/vda /mnt' mounts the first disk; 'poweroff -f' (or exit) ends"
# setsid + cttyhack: the shell gets the console as its controlling tty (job control, ^C)
setsid cttyhack sh
poweroff -f
EOF
chmod 755 "$root/init"

out_abs=$(realpath -m "$out")
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet --reproducible | gzip -9n) >"$out_abs.tmp"
mv "$out_abs.tmp" "$out_abs"
echo "mkinitramfs: $out ($(du -k "$out_abs" | cut -f1) KiB), kernel $kver, modules:" \
  "$(awk '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); printf "%s%s", sep, n; sep = " " }' "$tmp/order")" >&2
echo "mkinitramfs: boot it with $kdir/boot/vmlinuz-$kver" >&2
