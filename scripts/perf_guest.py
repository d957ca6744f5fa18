#!/usr/bin/env python3
"""perf_guest.py PERF_DATA [N]: where a profile of emu spent its time, with
samples in generated code named by guest pc ("fast 0x400660": the tier-1 block
at that pc, "llvm 0x400660": the tier-2 region entered there) and the rest by
host symbol. Record with `-d perfmap` so emu writes /tmp/perf-<pid>.map:

    perf record -o p.data -- build/emu-aarch64 -d perfmap --tier=auto ./prog
    scripts/perf_guest.py p.data 30

perf report alone cannot use the map: the code cache is a memfd mapping, which
perf treats as a file, not as anonymous JIT memory. The map is found from the
pid of the profile's emu process (or pass it: --map FILE)."""
import bisect
import collections
import re
import subprocess
import sys


def main():
    args = sys.argv[1:]
    mapf = None
    if '--map' in args:
        i = args.index('--map')
        mapf = args[i + 1]
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    data, top = args[0], int(args[1]) if len(args) > 1 else 30
    out = subprocess.run(['perf', 'script', '-i', data, '-F', 'pid,ip,sym,dso'],
                         capture_output=True, text=True, check=True).stdout
    samples = []
    for line in out.splitlines():
        m = re.match(r'\s*(\d+)\s+([0-9a-f]+)\s*(.*)', line)
        if m:
            samples.append((int(m.group(1)), int(m.group(2), 16), m.group(3)))
    if not samples:
        sys.exit('no samples')
    if mapf is None:  # the first pid with a map: emu itself, not a child it ran natively
        for pid in sorted({s[0] for s in samples}):
            try:
                open(f'/tmp/perf-{pid}.map').close()
                mapf = f'/tmp/perf-{pid}.map'
                break
            except OSError:
                pass
    ents = []
    if mapf:
        for line in open(mapf):
            start, size, name = line.split(' ', 2)
            ents.append((int(start, 16), int(size, 16), name.strip()))
    ents.sort(key=lambda e: e[0])  # stable: for code reused after a flush, the later line wins
    starts = [e[0] for e in ents]
    count = collections.Counter()
    for _, ip, rest in samples:
        i = bisect.bisect_right(starts, ip) - 1
        if i >= 0 and 'emu-code' in rest and ents[i][0] <= ip < ents[i][0] + ents[i][1]:
            count[ents[i][2]] += 1
        else:
            count[re.sub(r'\+0x[0-9a-f]+', '', rest) or '?'] += 1
    print(f'{len(samples)} samples, map {mapf or "none"}')
    for name, n in count.most_common(top):
        print(f'{100.0 * n / len(samples):6.2f}%  {name}')


if __name__ == '__main__':
    main()
