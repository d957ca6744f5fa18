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
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
