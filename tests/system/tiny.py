#!/usr/bin/env python3
"""Tiny hand-written kernels under emu-system-x86_64: the behaviours of issue 8
that a Linux boot does not pin down (power-off, resets, exceptions, -d unimp,
timer interrupts and idle, CPL3).

    tiny.py --emulator BIN [--cc CC] [--objcopy OBJCOPY] [--nm NM] [--workdir DIR] [CASE...]

Each tests/system/tiny/NAME.S is linked with lib.S at the loader's
pref_address (tiny.ld), flattened with objcopy and wrapped here in a bzImage
setup header (boot protocol 2.15, XLF_KERNEL_64, not relocatable), so it goes
through emu's real Linux boot-protocol loader and starts at the 64-bit entry,
offset 0x200. A case checks the exit status, the exact COM1 output (stdout)
and stderr; the interactive ones type on COM1 when a line appears. Prints one
line per case and "N passed, N failed"; exits 1 if any failed.
"""
import argparse
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "tiny")
TIMEOUT = 120  # seconds for one run: generous for a loaded machine; runs take well under 1 s
LOAD_ADDR = 0x1000000  # tiny.ld's base = pref_address


class Failed(Exception):
    pass


# -- Building ------------------------------------------------------------------

def setup_header(flat_len, init_size):
    """The two setup sectors: boot sector signature, the "HdrS" setup header
    (Documentation/arch/x86/boot.rst) with what a 64-bit loader reads."""
    h = bytearray(1024)
    h[0x1f1] = 1                                       # setup_sects: the kernel starts at 1024
    struct.pack_into("<I", h, 0x1f4, flat_len // 16)   # syssize, 16-byte units
    struct.pack_into("<H", h, 0x1fe, 0xaa55)           # boot_flag
    h[0x200:0x202] = b"\xeb\x66"                       # jump over the header: it ends at 0x268
    h[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", h, 0x206, 0x020f)           # protocol 2.15
    h[0x211] = 0x01                                    # loadflags: LOADED_HIGH
    struct.pack_into("<I", h, 0x22c, 0x7fffffff)       # initrd_addr_max
    struct.pack_into("<I", h, 0x230, 0x200000)         # kernel_alignment
    h[0x234] = 0                                       # relocatable: no, it runs at pref_address
    struct.pack_into("<H", h, 0x236, 0x1)              # xloadflags: XLF_KERNEL_64
    struct.pack_into("<I", h, 0x238, 255)              # cmdline_size
    struct.pack_into("<Q", h, 0x258, LOAD_ADDR)        # pref_address
    struct.pack_into("<I", h, 0x260, init_size)        # init_size: through .bss
    return bytes(h)


BUILT = set()


def build(a, name):
    """NAME.S + lib.S -> NAME.bzImage in the work directory (once a run)."""
    out = os.path.join(a.workdir, name + ".bzImage")
    if out in BUILT:
        return out
    elf = os.path.join(a.workdir, name + ".elf")
    flat = os.path.join(a.workdir, name + ".bin")
    cmds = [[a.cc, "-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none",
             "-Wl,-T," + os.path.join(SRC, "tiny.ld"), "-I" + SRC,
             os.path.join(SRC, "lib.S"), os.path.join(SRC, name + ".S"), "-o", elf],
            [a.objcopy, "-O", "binary", elf, flat]]
    for cmd in cmds:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise Failed(f"building {name}: {' '.join(cmd)}:\n{p.stdout}")
    syms = subprocess.run([a.nm, elf], stdout=subprocess.PIPE, text=True, check=True).stdout
    end = int(re.search(r"^([0-9a-f]+) \w _end$", syms, re.M).group(1), 16)
    with open(flat, "rb") as f:
        body = f.read()
    body += bytes(-len(body) % 16)
    init_size = (end - LOAD_ADDR + 0xfff) & ~0xfff
    with open(out, "wb") as f:
        f.write(setup_header(len(body), init_size) + body)
    BUILT.add(out)
    return out


# -- Running -------------------------------------------------------------------

class Run:
    """One emulator run: exit status, COM1 output, stderr, CPU and wall time."""

    def __init__(self, rc, out, err, cpu, wall):
        self.rc, self.out, self.err, self.cpu, self.wall = rc, out, err, cpu, wall

    def err_lines(self):
        return [l for l in self.err.replace("\r", "").split("\n") if l]


def run(a, kernel, args=(), append=None, steps=()):
    """Run the emulator on kernel; steps are (text, bytes), in order: once
    COM1's output contains text, type bytes on COM1."""
    argv = [a.emulator, "-kernel", kernel, "-nographic", "-m", "64M", *args]
    if append is not None:
        argv += ["-append", append]
    steps = list(steps)
    start = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = b"", b""
    open_fds = {p.stdout.fileno(): "out", p.stderr.fileno(): "err"}
    try:
        while open_fds:
            while steps and steps[0][0].encode() in out:
                try:
                    p.stdin.write(steps.pop(0)[1])
                    p.stdin.flush()
                except BrokenPipeError:  # it exited: the checks will say how
                    pass
            left = start + TIMEOUT - time.monotonic()
            if left <= 0:
                raise Failed(f"no exit within {TIMEOUT} s; COM1 so far: {out!r}, stderr: {err!r}")
            ready, _, _ = select.select(list(open_fds), [], [], left)
            for fd in ready:
                data = os.read(fd, 65536)
                if not data:
                    del open_fds[fd]
                elif open_fds[fd] == "out":
                    out += data
                else:
                    err += data
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if p.returncode is None:
            p.kill()
            p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except BrokenPipeError:
                pass
    if steps:
        raise Failed(f"COM1 never showed {steps[0][0]!r}: {out!r}")
    return Run(p.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
               ru.ru_utime + ru.ru_stime, time.monotonic() - start)


def check(r, rc=0, out=None, err=None):
    """Exit status, exact COM1 output, stderr lines matching the regexes in err
    (none when err is empty)."""
    what = []
    if r.rc != rc:
        what.append(f"exit status {r.rc}, expected {rc}")
    if out is not None and r.out != out:
        what.append(f"COM1 printed\n{r.out}--- expected ---\n{out}---")
    lines = r.err_lines()
    want = err or []
    if len(lines) != len(want) or any(not re.search(w, l) for w, l in zip(want, lines)):
        what.append(f"stderr was {lines!r}, expected lines matching {want!r}")
    if what:
        raise Failed("; ".join(what))


# -- Cases ---------------------------------------------------------------------

def case_hello(a, tier):
    r = run(a, build(a, "hello"), tier, append="console=ttyS0 tiny")
    check(r, out="hello from a tiny kernel\ncmdline: console=ttyS0 tiny\n")


RESETS = {"triple": r"triple fault", "kbd": r"keyboard controller", "cf9": r"0xcf9"}


def case_reset_exit(a, tier):
    """Each reset under -no-reboot: one line naming the cause, status 0."""
    for method, cause in RESETS.items():
        r = run(a, build(a, "reset"), ["-no-reboot", *tier], append=method,
                steps=[("reset: boot\n", b"r")])
        try:
            check(r, out="reset: boot\n",
                  err=[rf"^emu-system-x86_64: guest reset \([^)]*{cause}[^)]*\); exiting \(-no-reboot\)$"])
        except Failed as e:
            raise Failed(f"{method}: {e}") from None


def case_reset_reboot(a, tier):
    """Each reset without -no-reboot: the machine is built again and the
    program runs again (its banner twice); the second boot gets 'q' from the
    test and powers off. RAM and CMOS are new after a reset, so the input on
    COM1 is what tells the two boots apart."""
    for method, cause in RESETS.items():
        r = run(a, build(a, "reset"), tier, append=method,
                steps=[("reset: boot\n", b"r"), ("reset: boot\nreset: boot\n", b"q")])
        try:
            check(r, out="reset: boot\nreset: boot\n",
                  err=[rf"^emu-system-x86_64: guest reset \([^)]*{cause}[^)]*\); rebooting$"])
        except Failed as e:
            raise Failed(f"{method}: {e}") from None


EXCP_OUT = """\
vec=6 rip=at+0x0
vec=0 rip=at+0x0
vec=3 rip=at+0x1
vec=128 rip=at+0x2
vec=13 err=0x0 rip=at+0x0
vec=14 err=0x0 rip=at+0x0 cr2=0x100000000
vec=14 err=0x2 rip=at+0x0 cr2=0x100000008
pte after a read: 0x23
pte after a write: 0x63
vec=14 err=0x0 rip=at+0x0 cr2=0x1401000
write with CR0.WP clear: 0x5678
vec=14 err=0x3 rip=at+0x0 cr2=0x1401008
vec=14 err=0x9 rip=at+0x0 cr2=0x1401010
vec=14 err=0x0 rip=at+0x0 cr2=0x100000000
vec=14 err=0x10 rip=at+0x0 cr2=0x100000000
vec=14 err=0x11 rip=at+0x0 cr2=0x1401000
vec=11 err=0x40a rip=at+0x0
vec=8 err=0x0
done
"""


def case_exceptions(a, tier):
    check(run(a, build(a, "excp"), tier), out=EXCP_OUT)


def case_unimp(a, tier):
    log = os.path.join(a.workdir, "unimp.log")
    r = run(a, build(a, "unimp"), ["-d", "unimp", "-D", log, *tier])
    m = re.match(r"avx at 0x([0-9a-f]+)\n", r.out)
    if not m:
        raise Failed(f"COM1 printed {r.out!r}")
    avx = int(m.group(1), 16)
    check(r, out=m.group(0) + """\
vec=6 rip=at+0x0
mmio 32-bit: 0xffffffff
mmio 64-bit: 0xffffffffffffffff
mmio after a write: 0xffffffff
port 8-bit: 0xff
port 16-bit: 0xffff
""")
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    insn = rf"^emu: unimplemented instruction at {avx:#x}: c5 f4 58 d0\b"  # vaddps %ymm0,%ymm1,%ymm2
    if not re.search(insn, text, re.M):
        raise Failed(f"-d unimp log lacks {insn!r}:\n{text}")
    # One line per access the program makes to nothing, with its size.
    bus = [l for l in text.splitlines() if l.startswith("hw: ")]
    want = ["hw: unassigned memory read at 0xfed00000 size 4",
            "hw: unassigned memory read at 0xfed00000 size 8",
            "hw: unassigned memory write at 0xfed00000 size 4",
            "hw: unassigned memory read at 0xfed00000 size 4",
            "hw: unassigned port read at 0x2f8 size 1",
            "hw: unassigned port read at 0x2f8 size 2"]
    if bus != want:
        raise Failed(f"-d unimp logged {bus!r}, expected {want!r}")


def case_timer(a, tier):
    check(run(a, build(a, "timer"), tier),
          out="lapic timer: 10 interrupts after >= 10000000 ns\n"
              "pit: 5 interrupts after >= 50000000 ns\n")


def case_idle(a, tier):
    """A guest halted for 2 s of guest time (one TSC-deadline interrupt). The
    CPU time emu takes for it is printed; that it is under half the wall time
    is checked: an idle guest must sleep in the host, not spin (a property of
    the machine loop, not a speed; on a loaded host, contention only makes the
    wall time longer)."""
    r = run(a, build(a, "timer"), tier, append="idle")
    check(r, out="idle: woke after >= 2000000000 ns\n")
    print(f"  idle: {r.cpu:.3f} s of host CPU over {r.wall:.3f} s wall ({100 * r.cpu / r.wall:.1f}%)")
    if r.cpu >= r.wall / 2:
        raise Failed(f"an idle guest took {r.cpu:.3f} s of CPU in {r.wall:.3f} s")


USER_OUT = """\
kernel: to CPL3
syscall: cs=0x10 ss=0x18 rflags=0x2 r11=0x602 user cs=0x33 ss=0x2b
syscall: rcx=at+0x0
syscall: user rflags after sysret=0x202
vec=13 err=0x402 rip=at+0x0
  cs=0x33 ss=0x2b rsp=user_stack_top-0x0 frame=rsp0_top-0x30
vec=13 err=0x0 rip=at+0x0
  cs=0x33 ss=0x2b rsp=user_stack_top-0x0 frame=rsp0_top-0x30
syscall: cs=0x10 ss=0x18 rflags=0x2 r11=0x202 user cs=0x33 ss=0x2b
syscall: rcx=at+0x0
vec=14 err=0x5 rip=at+0x0 cr2=0x2000000
  cs=0x33 ss=0x2b rsp=user_stack_top-0x0 frame=rsp0_top-0x30
"""


def case_user(a, tier):
    check(run(a, build(a, "user"), tier), out=USER_OUT)


# (name, function, tiers): the CPU-side cases also run in the interpreter tier.
FAST, INTERP = [], ["--tier", "interp"]
CASES = [
    ("hello", case_hello, [FAST]),
    ("reset_exit", case_reset_exit, [FAST]),
    ("reset_reboot", case_reset_reboot, [FAST]),
    ("exceptions", case_exceptions, [FAST, INTERP]),
    ("unimp", case_unimp, [FAST, INTERP]),
    ("timer", case_timer, [FAST]),
    ("idle", case_idle, [FAST]),
    ("user", case_user, [FAST, INTERP]),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--objcopy", default="objcopy")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--workdir", help="keep the images and logs here (default: a temporary directory)")
    ap.add_argument("cases", nargs="*", help="run only these (default: all)")
    a = ap.parse_args()
    names = [c[0] for c in CASES]
    unknown = [c for c in a.cases if c not in names]
    if unknown:
        ap.error(f"unknown case {unknown[0]!r} (cases: {', '.join(names)})")
    tmp = None
    if not a.workdir:
        a.workdir = tmp = tempfile.mkdtemp(prefix="emu-tiny-")
    os.makedirs(a.workdir, exist_ok=True)
    passed = failed = 0
    try:
        for name, fn, tiers in CASES:
            if a.cases and name not in a.cases:
                continue
            for tier in tiers:
                label = name + (" (" + " ".join(tier) + ")" if tier else "")
                try:
                    fn(a, tier)
                    print(f"ok: {label}", flush=True)
                    passed += 1
                except Failed as e:
                    print(f"FAIL: {label}: {e}", flush=True)
                    failed += 1
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
