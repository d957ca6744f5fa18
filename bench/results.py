"""bench/results.py — read bench/run.sh's results.tsv (one row per program and
column: native, an emu tier, or qemu) for report.py and plot.py."""
import csv


class Results:
    def __init__(self, meta, rows):
        self.meta = meta
        self.rows = rows  # (program, column) -> row dict
        self.order = []  # (section, program, column) in file order

    def meta_value(self, key):
        for word in self.meta.split():
            k, _, v = word.partition("=")
            if k == key:
                return v
        return "?"

    def section(self, name):
        """(programs, columns) of one section, in the order run.sh wrote them."""
        progs, cols = [], []
        for s, p, c in self.order:
            if s == name:
                progs += [p] if p not in progs else []
                cols += [c] if c not in cols else []
        return progs, cols

    def ms(self, prog, col):
        r = self.rows.get((prog, col))
        return float(r["median_ms"]) if r and r["status"] == "ok" else None

    def cell_text(self, prog, col, digits=0):
        r = self.rows.get((prog, col))
        if r is None:
            return "-"
        return f"{float(r['median_ms']):.{digits}f}" if r["status"] == "ok" else r["status"]

    def ratio(self, prog, num, den):
        a, b = self.ms(prog, num), self.ms(prog, den)
        return a / b if a is not None and b else None

    def cost(self, prog, col):
        r = self.rows.get((prog, col))
        return float(r["us_per_insn"]) if r and r["us_per_insn"] != "-" else None

    def extra(self, prog, col):
        """'segment what' -> number for extra stats segments (e.g. tier2's regions);
        like cost(), also for a run that failed (its translation was still measured)."""
        r = self.rows.get((prog, col))
        if not r or r["extra"] == "-":
            return {}
        return {k: float(v) for k, _, v in (kv.partition("=") for kv in r["extra"].split(","))}


def load(path):
    with open(path, newline="") as f:
        lines = f.read().splitlines()
    meta = lines[0].lstrip("# ") if lines and lines[0].startswith("#") else ""
    body = [l for l in lines if not l.startswith("#")]
    res = Results(meta, {})
    for row in csv.DictReader(body, delimiter="\t"):
        res.rows[(row["program"], row["column"])] = row
        res.order.append((row["section"], row["program"], row["column"]))
    return res
