#!/usr/bin/env python3
"""Issue 8's acceptance scenario: boot Debian's stock kernel to a busybox shell
on the serial console, use it, write a file to a virtio disk, power off; boot
again and read the file back.

    persist.py [--emulator BIN] [--args 'EXTRA ARGS'] [--kernel VMLINUZ]
               [--initrd CPIO] [--workdir DIR] [--log FILE] [--boot-timeout S]

The emulator (EMU_SYSTEM, default qemu-system-x86_64) gets
    -kernel VMLINUZ -initrd CPIO -append console=ttyS0 -nographic -m 512M
    -drive file=disk.img,format=raw,if=virtio  EXTRA ARGS (EMU_SYSTEM_ARGS)
Without --initrd, scripts/mkinitramfs.sh builds one; the disk is always new
(scripts/mkdisk.sh). Each power-off must end the emulator with status 0, and the
disk is checked from the host too (e2fsck, debugfs). Exit status 0 passed,
1 failed, 77 skipped (no emulator, or no kernel: scripts/deps.sh fetches it).
"""
import argparse
import glob
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Console, ConsoleError  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPS = os.environ.get("EMU_DEPS_DIR", "/var/cache/emu-deps")
READY = r"emu-initramfs: ready[^\n]*\n"
PROMPT = r"# "
SKIP = 77


class Failed(Exception):
    pass


def default_kernel():
    found = sorted(glob.glob(os.path.join(DEPS, "linux-amd64", "boot", "vmlinuz-*")))
    return found[-1] if found else None


def host(*argv):
    """A host tool's exit status and output."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def boot(a, disk, log, steps):
    """One boot: wait for the shell, steps(con), power off; status 0 required."""
    argv = [a.emulator, "-kernel", a.kernel, "-initrd", a.initrd, "-append", "console=ttyS0",
            "-nographic", "-m", "512M", "-drive", f"file={disk},format=raw,if=virtio"] + a.args
    with Console(argv, log=log, prompt=PROMPT) as con:
        ready = con.expect(READY, a.boot_timeout)
        con.expect(PROMPT, 60)
        print(f"  shell after {con.elapsed():.1f} s: {ready.group(0).strip()}", flush=True)
        if "vda" not in ready.group(0):
            con.fail("the guest found no virtio disk (vda)")
        steps(con)
        con.sendline("poweroff -f")
        rc = con.wait(a.timeout)
        print(f"  powered off after {con.elapsed():.1f} s, exit status {rc}", flush=True)
        if rc != 0:
            con.fail(f"the emulator exited with status {rc} after poweroff (expected 0)")


def scenario(a, work):
    disk = os.path.join(work, "disk.img")
    subprocess.run([os.path.join(ROOT, "scripts", "mkdisk.sh"), disk, "16M"], check=True)
    token = secrets.token_hex(16)

    def first(con):
        out = con.check("uname -a")
        if "Linux" not in out or "x86_64" not in out:
            con.fail(f"uname -a printed {out!r}")
        out = con.check("cat /proc/cpuinfo | head")
        if "processor" not in out or "vendor_id" not in out:
            con.fail(f"/proc/cpuinfo has no processor/vendor_id lines: {out!r}")
        con.check("mount /dev/vda /mnt")
        con.check(f"echo {token} > /mnt/token")
        con.check("sync")
        con.check("umount /mnt")

    def second(con):
        con.check("mount /dev/vda /mnt")
        out = con.check("cat /mnt/token")
        if token not in out:
            con.fail(f"the token {token} did not come back: cat printed {out!r}")
        con.check("umount /mnt")

    print(f"boot 1: write the token {token}", flush=True)
    boot(a, disk, a.log, first)
    # The host reads the disk independently of the guest's kernel.
    rc, out = host("e2fsck", "-fn", disk)
    if rc != 0:
        raise Failed(f"e2fsck -fn on the disk after boot 1 exited {rc}:\n{out}")
    rc, out = host("debugfs", "-R", "cat /token", disk)
    if token not in out:
        raise Failed(f"debugfs does not find the token in the disk after boot 1:\n{out}")
    print("host: e2fsck clean, debugfs reads the token", flush=True)
    print("boot 2: read it back", flush=True)
    log2 = a.log + ".2" if a.log else None
    boot(a, disk, log2, second)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emulator", default=os.environ.get("EMU_SYSTEM", "qemu-system-x86_64"))
    ap.add_argument("--args", default=os.environ.get("EMU_SYSTEM_ARGS", ""),
                    help="extra emulator arguments, one shell-quoted string (qemu: '-accel tcg')")
    ap.add_argument("--kernel", default=None, help=f"default: {DEPS}/linux-amd64/boot/vmlinuz-*")
    ap.add_argument("--initrd", default=None, help="default: built by scripts/mkinitramfs.sh")
    ap.add_argument("--workdir", default=None, help="default: a temporary directory, removed")
    ap.add_argument("--log", default=None, help="console transcript of boot 1 (boot 2: LOG.2)")
    ap.add_argument("--boot-timeout", type=float, default=600, help="seconds to the shell (default 600)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds for each command (default 300)")
    a = ap.parse_args()
    a.args = shlex.split(a.args)

    emulator = shutil.which(a.emulator)
    if not emulator:
        print(f"persist: SKIP: no emulator {a.emulator}")
        return SKIP
    a.emulator = emulator
    if a.kernel and not os.path.isfile(a.kernel):
        print(f"persist: no kernel {a.kernel}", file=sys.stderr)
        return 1
    a.kernel = a.kernel or default_kernel()
    if not a.kernel:
        print(f"persist: SKIP: no kernel (scripts/deps.sh unpacks Debian's into {DEPS}/linux-amd64)")
        return SKIP
    if not shutil.which("mke2fs") and os.path.isdir("/sbin"):
        os.environ["PATH"] += ":/sbin:/usr/sbin"

    work = a.workdir or tempfile.mkdtemp(prefix="emu-persist-")
    os.makedirs(work, exist_ok=True)
    try:
        if not a.initrd:
            a.initrd = os.path.join(work, "initramfs.cpio.gz")
            kver = os.path.basename(a.kernel).removeprefix("vmlinuz-")
            kdir = os.path.dirname(os.path.dirname(a.kernel))
            subprocess.run([os.path.join(ROOT, "scripts", "mkinitramfs.sh"), "-o", a.initrd,
                            "-k", kdir, "-r", kver], check=True)
        print(f"persist: {a.emulator} {' '.join(a.args)}", flush=True)
        scenario(a, work)
    except (ConsoleError, Failed, subprocess.CalledProcessError) as e:
        print(f"persist: FAIL: {e}", flush=True)
        return 1
    finally:
        if not a.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print("persist: PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
