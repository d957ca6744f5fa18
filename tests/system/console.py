#!/usr/bin/env python3
"""Drive a machine emulator through its serial console (Python standard library only).

The emulator runs with its stdio on a pseudo-terminal, as it would in a user's
terminal (`-nographic`: the serial port and monitor on stdio), so the same
driver serves qemu-system-x86_64 and emu-system-x86_64. Output is collected
with select(); expect() waits for a regular expression with a deadline and,
when it does not come, fails with the last console lines.

As a module:   con = Console(argv, log=path); con.expect(r"...", 300); rc = con.run("ls")
As a program:  console.py [--timeout S] [--log FILE] [--until REGEX]... [--send LINE] -- CMD...
               waits for each REGEX in turn (printing when each came), types LINE,
               waits for CMD to exit and exits with its status.
"""
import argparse
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc")
TAIL_LINES = 40


class ConsoleError(Exception):
    """A pattern did not come in time, or the emulator ended first."""


class Console:
    def __init__(self, argv, log=None, env=None, prompt=None):
        self.argv = list(argv)
        self.prompt = prompt  # run() waits for it after each command: no typing ahead
        self.buf = ""  # everything seen, \r removed
        self.pos = 0  # expect() searches from here
        self.start = time.monotonic()
        self.log = open(log, "w", encoding="utf-8", errors="replace") if log else None
        master, slave = pty.openpty()
        try:
            self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave,
                                         env=env, start_new_session=True)
        except OSError as e:
            os.close(master)
            raise ConsoleError(f"cannot start {self.argv[0]}: {e.strerror}") from None
        finally:
            os.close(slave)
        self.fd = master
        self.eof = False
        self.nruns = 0

    def elapsed(self):
        return time.monotonic() - self.start

    def _read(self, timeout):
        """Take what the emulator wrote within timeout seconds; False at end of output."""
        if self.eof:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every slave fd is closed, the emulator is gone
            data = b""
        if not data:
            self.eof = True
            return False
        text = data.decode("utf-8", errors="replace").replace("\r", "")
        self.buf += text
        if self.log:
            self.log.write(text)
            self.log.flush()
        return True

    def tail(self, n=TAIL_LINES):
        lines = ANSI.sub("", self.buf).split("\n")
        return "\n".join(lines[-n:])

    def fail(self, what):
        raise ConsoleError(f"{what} (after {self.elapsed():.1f} s; command: {' '.join(self.argv)})\n"
                           f"--- last {TAIL_LINES} console lines ---\n{self.tail()}\n--- end ---")

    def expect(self, pattern, timeout):
        """Wait for pattern (a regex) in output not yet matched; returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"timeout: no {pattern!r} within {timeout} s")
            if not self._read(min(left, 1.0)) and self.proc.poll() is not None:
                self.fail(f"the emulator ended (status {self.proc.returncode}) before {pattern!r}")

    def send(self, text):
        os.write(self.fd, text.encode())

    def sendline(self, line):
        self.send(line + "\r")  # what a terminal sends for Enter

    def run(self, cmd, timeout=120):
        """Type a shell command and wait for it; returns (exit status, output)."""
        self.nruns += 1
        tag = f"@rc{self.nruns}@"
        begin = len(self.buf)
        self.sendline(f"{cmd}; echo {tag}$?")  # the echoed line shows '$?', not digits
        m = self.expect(re.escape(tag) + r"(\d+)\n", timeout)
        out = self.buf[begin:m.start()]
        out = out.split("\n", 1)[1] if "\n" in out else ""  # drop the echoed command line
        if self.prompt:
            self.expect(self.prompt, timeout)
        return int(m.group(1)), ANSI.sub("", out)

    def check(self, cmd, timeout=120):
        """run() that fails unless the command exits 0; returns its output."""
        rc, out = self.run(cmd, timeout)
        if rc != 0:
            self.fail(f"{cmd!r} exited {rc}")
        return out

    def wait(self, timeout):
        """Wait for the emulator to exit (reading its output); returns its exit status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"timeout: the emulator did not exit within {timeout} s")
            if not self._read(min(left, 0.2)):
                time.sleep(0.05)  # output closed: the process is about to go
        while self._read(0):  # what it wrote last
            pass
        return self.proc.returncode

    def close(self):
        """Kill the emulator if it still runs (its whole process group)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        os.close(self.fd)
        if self.log:
            self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=300, help="seconds for each step (default 300)")
    ap.add_argument("--log", help="write the console output to this file")
    ap.add_argument("--until", action="append", default=[], metavar="REGEX",
                    help="wait for REGEX (in turn, when given several); prints when it came")
    ap.add_argument("--send", action="append", default=[], metavar="LINE", help="then type LINE")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- the emulator command line")
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    try:
        with Console(cmd, log=a.log) as con:
            for rx in a.until:
                con.expect(rx, a.timeout)
                print(f"console: {rx!r} after {con.elapsed():.3f} s", flush=True)
            for line in a.send:
                con.sendline(line)
            rc = con.wait(a.timeout)
            print(f"console: exit status {rc} after {con.elapsed():.3f} s", flush=True)
            return rc
    except ConsoleError as e:
        print(f"console: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
