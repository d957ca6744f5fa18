#!/usr/bin/env python3
"""tcache_edit.py FILE WHAT PC: damage the tier-2 region entered at PC (hex) in a
persistent translation cache file (runtime/tcache.c, format version 2) the way
only a deliberate edit could, then fix the file's checksum so that nothing but
the region's own checks can catch it.

WHAT: stale  -- the hash of its first member's guest bytes no longer matches
               (as if that code had changed): a silent miss, never run;
      badobj -- its object file's section header table points past its end:
               LLVM refuses it, emu warns and drops it.
"""
import struct
import sys

MASK = (1 << 64) - 1
HEADER = struct.Struct("<8sIIQQQQQQ")  # TcHeader
HEAD = struct.Struct("<QII")  # TcHead: pc, kind, total
REGION = struct.Struct("<QIIQIIII")  # TcRegion: head, key, nranges, ninsns, size, pad
RANGE = struct.Struct("<QQQ")  # TcRange: lo, hi, hash
TC_REGION = 1


def mix(a, b):
    r = a * b
    return (r & MASK) ^ (r >> 64)


def emu_hash64(data, seed):
    """runtime/tcache.c's emu_hash64."""
    k0, k1 = 0xA0761D6478BD642F, 0xE7037ED1A0B428DB
    k2, k3 = 0x8EBC6AF09C88C6E3, 0x589965CC75374CC3
    n = len(data)
    a, b = (seed ^ k0 ^ n) & MASK, (seed ^ k1) & MASK
    words = struct.unpack_from("<%dQ" % (n // 32 * 4), data)
    for i in range(0, len(words), 4):
        a = mix(words[i] ^ k2, words[i + 1] ^ a)
        b = mix(words[i + 2] ^ k3, words[i + 3] ^ b)
    rest = n % 32
    tail = struct.unpack("<4Q", data[n - rest:] + bytes(32 - rest))
    a = mix(tail[0] ^ k2, tail[1] ^ a ^ rest)
    b = mix(tail[2] ^ k3, tail[3] ^ b)
    return mix(a ^ k1, b ^ k0)


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("stale", "badobj"):
        sys.exit(__doc__)
    path, what, want = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
    data = bytearray(open(path, "rb").read())
    magic, version, nentries, *_ = HEADER.unpack_from(data)
    if magic != b"EMUTCACH" or version != 2:
        sys.exit("%s: not a version 2 translation cache" % path)
    at = HEADER.size
    for _ in range(nentries):
        pc, kind, total = HEAD.unpack_from(data, at)
        if kind == TC_REGION and pc == want:
            break
        at += total
    else:
        sys.exit("%s: no region entry at %x" % (path, want))
    _, _, _, _, nranges, _, size, _ = REGION.unpack_from(data, at)
    ranges = at + REGION.size
    obj = ranges + nranges * RANGE.size
    if what == "stale":
        (hash0,) = struct.unpack_from("<Q", data, ranges + 16)
        struct.pack_into("<Q", data, ranges + 16, hash0 ^ 1)
    else:
        struct.pack_into("<Q", data, obj + 0x28, size * 16)  # ELF64 e_shoff
    payload = bytes(data[HEADER.size:])
    struct.pack_into("<Q", data, HEADER.size - 8, emu_hash64(payload, 3))
    open(path, "wb").write(data)


main()
