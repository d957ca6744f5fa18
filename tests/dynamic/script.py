# script.py — a non-trivial Python program for tests/dynamic (run natively and
# under emu; outputs must match): json, hashlib, re, subprocess, zlib, big
# buffers (realloc -> mremap), sorting, decimal and fractions, struct, dates,
# threads (a pool, a queue, a lock-protected counter).
import collections, decimal, fractions, hashlib, json, math, os, re, struct, subprocess, sys, zlib
import concurrent.futures, datetime, queue, threading

data = {"name": "emu", "values": [1, 2.5, None, True, "x" * 5], "nested": {"k": list(range(10))}}
text = json.dumps(data, sort_keys=True, indent=1)
print(hashlib.sha256(text.encode()).hexdigest(), json.loads(text) == data)
for algo in ("md5", "sha1", "sha512", "blake2b", "sha3_256"):
    print(algo, hashlib.new(algo, b"emulator" * 1000).hexdigest()[:32])

log = "\n".join("2024-0%d-1%d user%d@host%d.example.com status=%s" % (i % 9 + 1, i % 10, i, i % 7, "ok" if i % 3 else "fail")
                for i in range(2000))
pat = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\w+)@(host\d)\.example\.com status=(ok|fail)$", re.M)
m = pat.findall(log)
print(len(m), collections.Counter(x[5] for x in m).most_common(), m[-1])
print(re.sub(r"(\w+)@(\w+)", r"\2:\1", "alice@wonder bob@builder"))

out = subprocess.run([sys.executable, "-c", "import sys; print('child', sys.argv[1:])", "a", "b c"],
                     capture_output=True, text=True)
print(out.stdout.strip(), out.returncode)
print(subprocess.check_output("printf 'x\\ny\\nz\\n' | sort -r | head -2", shell=True).decode().split())

blob = bytearray()
for i in range(40):
    blob += bytes([i]) * (1 << 20)          # grows to 40 MiB through realloc
print(len(blob), zlib.crc32(blob), len(zlib.compress(bytes(blob[:1 << 22]))))

decimal.getcontext().prec = 50
print(decimal.Decimal(2).sqrt(), fractions.Fraction(3, 7) + fractions.Fraction(2, 9))
print(math.factorial(50) % 1000003, f"{math.pi:.12f}", math.lgamma(10.5))
print(struct.pack("<iqd", -5, 1 << 40, 2.5).hex(), struct.unpack(">H", b"\x01\x02"))
print(sorted(((i * 7919) % 1009, str(i)) for i in range(3000))[:3])
print(datetime.date(2024, 2, 29) + datetime.timedelta(days=400))
print(os.path.basename(os.readlink("/proc/self/exe")).startswith("python3"), open("/proc/self/comm").read().strip())

results = queue.Queue()
def digest(n):
    h = hashlib.sha256()
    for i in range(3000):
        h.update(str(n * i).encode())
    results.put((n, h.hexdigest()[:12]))
workers = [threading.Thread(target=digest, args=(i,)) for i in range(6)]
for w in workers: w.start()
for w in workers: w.join()
print(sorted(results.get() for _ in workers))
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    print(sum(pool.map(lambda x: x * x, range(1000))))
lock, count = threading.Lock(), [0]
def bump():
    for _ in range(20000):
        with lock:
            count[0] += 1
workers = [threading.Thread(target=bump) for _ in range(4)]
for w in workers: w.start()
for w in workers: w.join()
print(count[0], threading.active_count())
