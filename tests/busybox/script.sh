# Runs under busybox sh, natively and under emu; the outputs must match.
set -e
T=$1
seq 1 2000 | awk '{ s += $1; if ($1 % 400 == 0) print "at", $1, s } END { print "sum", s }'
seq 1 500 | sort -rn | head -5
seq 1 30 | sort -k1,1 | tail -3
echo "hello world foo bar" | sed -e 's/o/0/g' -e 's/^h/H/'
printf 'alpha\nbeta\ngamma\ndelta\n' | grep -n -e a -e z | grep -v gamma
printf 'x y z\n1 2 3\n' | awk '{ print $3, $1 }'
seq 1 1000 | wc -l
printf 'abc' | md5sum
mkdir -p "$T/d/sub/deeper"
echo one > "$T/d/a.txt"; echo two > "$T/d/sub/b.txt"; seq 1 100 > "$T/d/sub/deeper/c.txt"
find "$T/d" | xargs touch -t 202001020304.05   # tar records mtimes: pin them
(cd "$T" && tar -cf a.tar d && tar -tf a.tar | sort)
gzip -c "$T/a.tar" > "$T/a.tgz"
gzip -dc "$T/a.tgz" | md5sum
md5sum < "$T/a.tar"
find "$T/d" -type f | sed "s|$T/||" | sort
find "$T/d" -name '*.txt' | xargs cat | wc -c
seq 1 20 | xargs -n 5 echo
echo "$(( 6 * 7 )) $(( 1 << 20 )) $(( -17 / 5 ))"
for i in 1 2 3; do printf '%s-' "$i"; done; echo
x=0; while [ $x -lt 5 ]; do x=$((x + 1)); done; echo "loop $x"
case "emulator" in emu*) echo matched;; *) echo nope;; esac
echo "tr" | tr 'a-z' 'A-Z'
printf '3\n1\n2\n' | sort | uniq -c | sed 's/^ *//'
echo cut:me:now | cut -d: -f2
od -An -tx1 "$T/d/a.txt"
sha256sum "$T/d/sub/deeper/c.txt" | cut -d' ' -f1
rm -r "$T/d"; ls "$T" | sort
