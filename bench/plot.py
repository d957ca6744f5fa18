#!/usr/bin/env python3
"""bench/plot.py TSV PNG — bar chart of each program's time over native time, one
bar per emu tier and qemu, log scale, CPU-bound programs + their geomean, then the
start-up rows. Standard library only: a 5x7 bitmap font and zlib write the PNG."""
import math
import struct
import sys
import zlib

import results

# 5x7 glyphs, one 5-bit row each (top row first); text is drawn upper-case.
FONT = {
    "A": (14, 17, 17, 17, 31, 17, 17), "B": (30, 17, 17, 30, 17, 17, 30), "C": (14, 17, 16, 16, 16, 17, 14),
    "D": (28, 18, 17, 17, 17, 18, 28), "E": (31, 16, 16, 30, 16, 16, 31), "F": (31, 16, 16, 30, 16, 16, 16),
    "G": (14, 17, 16, 23, 17, 17, 15), "H": (17, 17, 17, 31, 17, 17, 17), "I": (14, 4, 4, 4, 4, 4, 14),
    "J": (7, 2, 2, 2, 2, 18, 12), "K": (17, 18, 20, 24, 20, 18, 17), "L": (16, 16, 16, 16, 16, 16, 31),
    "M": (17, 27, 21, 21, 17, 17, 17), "N": (17, 17, 25, 21, 19, 17, 17), "O": (14, 17, 17, 17, 17, 17, 14),
    "P": (30, 17, 17, 30, 16, 16, 16), "Q": (14, 17, 17, 17, 21, 18, 13), "R": (30, 17, 17, 30, 20, 18, 17),
    "S": (15, 16, 16, 14, 1, 1, 30), "T": (31, 4, 4, 4, 4, 4, 4), "U": (17, 17, 17, 17, 17, 17, 14),
    "V": (17, 17, 17, 17, 17, 10, 4), "W": (17, 17, 17, 21, 21, 21, 10), "X": (17, 17, 10, 4, 10, 17, 17),
    "Y": (17, 17, 17, 10, 4, 4, 4), "Z": (31, 1, 2, 4, 8, 16, 31),
    "0": (14, 17, 19, 21, 25, 17, 14), "1": (4, 12, 4, 4, 4, 4, 14), "2": (14, 17, 1, 2, 4, 8, 31),
    "3": (31, 2, 4, 2, 1, 17, 14), "4": (2, 6, 10, 18, 31, 2, 2), "5": (31, 16, 30, 1, 1, 17, 14),
    "6": (6, 8, 16, 30, 17, 17, 14), "7": (31, 1, 2, 4, 8, 8, 8), "8": (14, 17, 17, 14, 17, 17, 14),
    "9": (14, 17, 17, 15, 1, 2, 12), " ": (0,) * 7, ".": (0, 0, 0, 0, 0, 12, 12),
    "-": (0, 0, 0, 31, 0, 0, 0), "/": (0, 1, 2, 4, 8, 16, 0), "(": (2, 4, 8, 8, 8, 4, 2),
    ")": (8, 4, 2, 2, 2, 4, 8), "=": (0, 0, 31, 0, 31, 0, 0), ":": (0, 12, 12, 0, 12, 12, 0),
    "_": (0, 0, 0, 0, 0, 0, 31), ",": (0, 0, 0, 0, 12, 4, 8), "+": (0, 4, 4, 31, 4, 4, 0),
    "%": (24, 25, 2, 4, 8, 19, 3), ";": (0, 12, 12, 0, 12, 4, 8), "?": (14, 17, 1, 2, 4, 0, 4),
}
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (23, 190, 207), (188, 189, 34), (127, 127, 127)]
QEMU_COLOR = (214, 39, 40)
TICKS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(b"\xff" * (w * h * 3))

    def rect(self, x0, y0, x1, y1, color):
        x0, x1 = max(0, min(x0, x1)), min(self.w, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.h, max(y0, y1))
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            i = (y * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def text(self, x, y, s, color=(0, 0, 0), scale=2):
        for ch in s.upper():
            for r, bits in enumerate(FONT.get(ch, FONT["?"])):
                for c in range(5):
                    if bits >> (4 - c) & 1:
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, color)
            x += 6 * scale

    def png(self):
        raw = b"".join(b"\0" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def text_w(s, scale=2):
    return 6 * scale * len(s)


def groups_of(res):
    """[(label, {series: ratio or None})], series names, index where start-up begins."""
    cpu, cpu_cols = res.section("cpu")
    start, start_cols = res.section("startup")
    series = [c for c in cpu_cols + start_cols if c not in ("native", "qemu")]
    series = list(dict.fromkeys(series)) + (["qemu"] if "qemu" in cpu_cols + start_cols else [])
    def ratios(p, cols):  # a series the section did not run gets no key: no slot
        return {s: res.ratio(p, s, "native") for s in series if s in cols}
    groups = [(p, ratios(p, cpu_cols)) for p in cpu]
    if cpu:
        geo = {}
        for s in (s for s in series if s in cpu_cols):
            v = [x for x in (res.ratio(p, s, "native") for p in cpu) if x]
            geo[s] = math.exp(sum(map(math.log, v)) / len(v)) if v else None
        groups.append(("geomean", geo))
    split = len(groups)
    groups += [(p, ratios(p, start_cols)) for p in start]
    return groups, series, split


def draw(res):
    groups, series, split = groups_of(res)
    bar, sep = 14, 40

    def width(g):  # a group has a slot per series its section ran
        return max(len(g[1]) * bar, text_w(g[0])) + 24
    left, top, bottom = 90, 90, 50
    plot_h = 480
    w = left + sum(map(width, groups)) + (sep if split < len(groups) else 0) + 20
    cv = Canvas(max(w, 700), top + plot_h + bottom)
    vals = [v for _, g in groups for v in g.values() if v]
    lo = max([t for t in TICKS if t <= min(vals + [0.5])] or [TICKS[0]])
    hi = min([t for t in TICKS if t >= max(vals + [2])] or [TICKS[-1]])

    def y_of(v):
        f = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return top + plot_h - round(f * plot_h)

    cv.text(left, 10, f"emu: time / native time (log scale, lower is better); {res.meta_value('date')}")
    x = left
    for i, s in enumerate(series):  # legend
        color = QEMU_COLOR if s == "qemu" else PALETTE[i % len(PALETTE)]
        cv.rect(x, 40, x + 14, 54, color)
        cv.text(x + 20, 41, s)
        x += 20 + text_w(s) + 24
    for t in TICKS:  # grid and y labels
        if lo <= t <= hi:
            y = y_of(t)
            cv.rect(left, y, cv.w - 20, y + (2 if t == 1 else 1), (0, 0, 0) if t == 1 else (215, 215, 215))
            label = f"{t:g}X"
            cv.text(left - 8 - text_w(label), y - 7, label)
    cv.rect(left - 1, top, left + 1, top + plot_h, (0, 0, 0))
    x = left
    for gi, (name, ratios) in enumerate(groups):
        gw = width((name, ratios))
        if gi == split:
            x += sep
            cv.rect(x - sep // 2, top - 16, x - sep // 2 + 2, top + plot_h, (120, 120, 120))
            cv.text(x - sep // 2 + 6, top - 16, "start-up", (90, 90, 90))
        bx = x + (gw - len(ratios) * bar) // 2
        for i, s in enumerate(series):
            if s not in ratios:
                continue
            v = ratios[s]
            color = QEMU_COLOR if s == "qemu" else PALETTE[i % len(PALETTE)]
            if v:
                cv.rect(bx, y_of(1), bx + bar - 2, y_of(min(max(v, lo), hi)), color)
            else:  # a cell without a time (FAIL, WRONG, TIMEOUT, n/a): a small x on the baseline
                cv.text(bx + 1, y_of(1) - 5, "x", (200, 0, 0), 1)
            bx += bar
        cv.text(x + (gw - text_w(name)) // 2, top + plot_h + 14, name)
        x += gw
    return cv


def main():
    res = results.load(sys.argv[1])
    with open(sys.argv[2], "wb") as f:
        f.write(draw(res).png())


if __name__ == "__main__":
    main()
