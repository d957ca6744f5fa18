#!/usr/bin/env python3
"""bench/report.py — print bench/run.sh's results.tsv as markdown: CPU-bound medians,
ratios to native and qemu/tier with geometric means, start-up rows, and
translation cost (us per guest instruction). Standard library only."""
import math
import sys

import results


def fmt(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def fmt_num(x):
    return fmt(x, 0 if x is not None and x == int(x) else 2)


def segment_cell(extra, seg):
    """'X us/insn (N what, ...)' from one stats segment's name-what=N pairs; zeros left out."""
    pairs = [(k[len(seg) + 1:], v) for k, v in extra.items() if k.split(" ")[0] == seg and v]
    if not pairs:
        return "-"
    cost = [f"{fmt(v)} us/insn" for k, v in pairs if k == "us/insn"]
    rest = [f"{fmt_num(v)} {k}" for k, v in pairs if k != "us/insn"]
    return " ".join(cost + ([f"({', '.join(rest)})"] if rest else []))


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def ratio_cell(res, prog, num, den):
    """The ratio, or the status of a cell that has none (FAIL, WRONG, n/a...)."""
    r = res.ratio(prog, num, den)
    return fmt(r) if r is not None or res.ms(prog, num) is not None else res.cell_text(prog, num)


def geomean(values):
    """(geomean, count) over the numeric values; None when there are none."""
    v = [x for x in values if x is not None and x > 0]
    return (math.exp(sum(map(math.log, v)) / len(v)) if v else None), len(v)


def geo_cell(values, total):
    g, n = geomean(values)
    return "-" if g is None else f"**{g:.2f}** ({n}/{total})"


def cpu_tables(res, progs, cols):
    emu_cols = [c for c in cols if c not in ("native", "qemu")]
    has_qemu = "qemu" in cols
    times = [[p] + [res.cell_text(p, c) for c in cols] for p in progs]
    print(table(["program"] + [f"{c} ms" for c in cols], times))
    print()
    ratio_cols = [c for c in cols if c != "native"]
    head = ["program"] + [f"{c} x_nat" for c in ratio_cols]
    if has_qemu:
        head += [f"qemu/{c}" for c in emu_cols]
    rows = []
    for p in progs:
        r = [p] + [ratio_cell(res, p, c, "native") for c in ratio_cols]
        if has_qemu:
            r += [fmt(res.ratio(p, "qemu", c)) for c in emu_cols]
        rows.append(r)
    geo = ["geomean (n/total)"] + [geo_cell([res.ratio(p, c, "native") for p in progs], len(progs))
                                    for c in ratio_cols]
    if has_qemu:
        geo += [geo_cell([res.ratio(p, "qemu", c) for p in progs], len(progs)) for c in emu_cols]
    print(table(head, rows + [geo]))


def startup_table(res, progs, cols):
    emu_cols = [c for c in cols if c not in ("native", "qemu")]
    head = ["program", "native ms"] + [f"{c} ms (x_nat" + (f", qemu/{c})" if "qemu" in cols else ")")
                                       for c in emu_cols]
    if "qemu" in cols:
        head.append("qemu ms (x_nat)")
    rows = []
    for p in progs:
        r = [p, res.cell_text(p, "native", 1)]
        for c in emu_cols:
            q = res.ratio(p, "qemu", c) if "qemu" in cols else None
            extra = fmt(res.ratio(p, c, "native")) + (f", {fmt(q)}" if "qemu" in cols else "")
            r.append(res.cell_text(p, c, 1) + (f" ({extra})" if res.ms(p, c) is not None else ""))
        if "qemu" in cols:
            r.append(res.cell_text(p, "qemu", 1) + f" ({fmt(res.ratio(p, 'qemu', 'native'))})")
        rows.append(r)
    print(table(head, rows))


def cost_table(res, progs, cols):
    emu_cols = [c for c in cols if c not in ("native", "qemu")]
    # extra stats segments (e.g. "tier2: 4 regions (6 blocks, 24 guest insns, 5745.76 us/insn)"):
    # one column per tier and segment, only where present
    segs = list(dict.fromkeys((c, k.split(" ")[0]) for p in progs for c in emu_cols for k in res.extra(p, c)))
    head = ["program"] + emu_cols + [f"{c}: {seg}" for c, seg in segs]
    rows = [[p] + [fmt(res.cost(p, c)) for c in emu_cols] + [segment_cell(res.extra(p, c), seg) for c, seg in segs]
            for p in progs]
    geo = ["geomean"] + [geo_cell([res.cost(p, c) for p in progs], len(progs)) for c in emu_cols]
    geo += [geo_cell([res.extra(p, c).get(f"{seg} us/insn") for p in progs], len(progs)) for c, seg in segs]
    print(table(head, rows + [geo]))


def main():
    res = results.load(sys.argv[1])
    print(f"### emu benchmarks ({res.meta})\n")
    cpu, cpu_cols = res.section("cpu")
    if cpu:
        print(f"#### CPU-bound programs: median wall time of {res.meta_value('runs')} runs\n")
        cpu_tables(res, cpu, cpu_cols)
        guest = res.meta_value("guest")
        guest = "x86_64" if guest == "?" else guest
        native = ("native: the same source built for the x86-64 host and run on it, for scale. "
                  if guest != "x86_64" else "")
        print(f"\nx_nat: time over native time (lower is better). {native}qemu/T: "
              f"qemu-{guest}'s time over tier T's (above 1: emu is faster). Geomeans cover the n "
              "programs whose cells are numbers (FAIL, WRONG, TIMEOUT, n/a are left out).\n")
    start, start_cols = res.section("startup")
    if start:
        print(f"#### Start-up: median of {res.meta_value('startup_runs')} runs (not in the geomeans)\n")
        startup_table(res, start, start_cols)
        print("\ncache-cold: an empty translation cache per run; cache-warm: the cache filled by "
              "one unmeasured run; aot: the cache prepared by emu-aot.\n")
    if cpu or start:
        print("#### Translation cost: microseconds per guest instruction translated (from -d stats)\n")
        cost_table(res, cpu + start, cpu_cols + [c for c in start_cols if c not in cpu_cols])


if __name__ == "__main__":
    main()
