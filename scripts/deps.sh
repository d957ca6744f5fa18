#!/usr/bin/env bash
# Install what emu needs from Debian's packages; quick and silent when all is there.
# Every entry point (README commands, .ci/run) calls this. Why each: docs/dependencies.md.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config   # toolchain
  llvm-16-dev                                    # backend_llvm: the one pinned LLVM
  libelf-dev libunwind-dev                       # loader, crash backtraces
  libcmocka-dev                                  # unit tests
  libzydis-dev                                   # x86 decoder
  zlib1g-dev libzstd-dev libffi-dev libedit-dev libxml2-dev libncurses-dev  # llvm-16 link deps
  busybox-static                                 # guest test programs (tests/busybox)
  python3 perl sqlite3                           # dynamic host programs run under emu (tests/dynamic)
  qemu-user                                      # benchmark peer; AArch64 test oracle
  acpica-tools                                   # iasl: tests/system disassembles emu's ACPI tables
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross    # AArch64 guest programs for the tests
  qemu-system-x86 e2fsprogs cpio                 # system mode: the peer, disk images, initramfs
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
# Debian's arm64 busybox, unpacked (never installed: it is a guest program, not
# ours to run natively), for tests/busybox under emu-aarch64 and qemu-aarch64.
BB_A64_DIR=${EMU_DEPS_DIR:-/var/cache/emu-deps}/busybox-arm64
# Debian's stock amd64 kernel, unpacked (never installed: it is the system-mode
# guest), for scripts/mkinitramfs.sh and tests/system.
KERNEL_DIR=${EMU_DEPS_DIR:-/var/cache/emu-deps}/linux-amd64
have_kernel() { compgen -G "$KERNEL_DIR/boot/vmlinuz-*" >/dev/null; }
[ ${#missing[@]} -eq 0 ] && [ -x "$BB_A64_DIR/bin/busybox" ] && have_kernel && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -ne 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -x "$BB_A64_DIR/bin/busybox" ]; then
  echo "deps: fetching busybox-static:arm64 into $BB_A64_DIR" >&2
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
    $SUDO apt-get update -qq
  fi
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq busybox-static:arm64 2>/dev/null) ||
    { $SUDO apt-get update -qq && (cd "$tmp" && apt-get download -qq busybox-static:arm64); }
  $SUDO mkdir -p "$BB_A64_DIR"
  $SUDO dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$BB_A64_DIR"
  rm -rf "$tmp"
fi
if ! have_kernel; then
  # linux-image-amd64 is a metapackage: the kernel is the package it depends on.
  kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ && !n++ { print $2 }' || true; }
  pkg=$(kpkg)
  [ -n "$pkg" ] || { $SUDO apt-get update -qq; pkg=$(kpkg); }
  [ -n "$pkg" ] || { echo "deps: cannot resolve linux-image-amd64's kernel package" >&2; exit 1; }
  echo "deps: fetching $pkg into $KERNEL_DIR" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq "$pkg" 2>/dev/null) ||
    { $SUDO apt-get update -qq && (cd "$tmp" && apt-get download -qq "$pkg"); }
  $SUDO mkdir -p "$KERNEL_DIR"
  $SUDO dpkg-deb -x "$tmp"/"$pkg"_*.deb "$KERNEL_DIR"
  rm -rf "$tmp"
fi
