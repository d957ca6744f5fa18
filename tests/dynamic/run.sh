#!/usr/bin/env bash
# run.sh EMU CASE BINDIR: the host's own dynamic programs, natively and under
# EMU (ld.so, libc and everything they exec run emulated: execve re-runs emu).
# Most cases must give the same stdout and exit status both ways; strace,
# binfmt and options check emu-only behaviour. BINDIR holds procview.
set -u
emu=$1 case=$2 bin=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

# same NAME CMD...: CMD with RUN="" and RUN=$emu; stdout and status must match.
same() {
  local name=$1
  shift
  RUN="" "$@" >native.out 2>native.err
  local nrc=$?
  RUN="$emu" "$@" >emu.out 2>emu.err
  local erc=$?
  if [ ! -s native.out ] || [ $nrc = 126 ] || [ $nrc = 127 ]; then
    echo "FAIL $name: nothing to compare (native exit $nrc, no output)"; head -5 native.err
    fail=1
  elif ! cmp -s native.out emu.out || [ $nrc != $erc ]; then
    echo "FAIL $name: native exit $nrc, emu exit $erc"
    diff native.out emu.out | head -20
    echo "--- emu stderr:"; head -20 emu.err
    fail=1
  else
    echo "ok: $name ($(wc -l <native.out) lines, exit $nrc)"
  fi
}

# expect NAME PATTERN FILE: FILE has a line matching the extended regex.
expect() {
  if grep -Eq -- "$2" "$3"; then echo "ok: $1"; else echo "FAIL $1: no /$2/ in $3"; head -5 "$3"; fail=1; fi
}

# -- Programs ---------------------------------------------------------------------

py() { $RUN /usr/bin/python3 "$here/script.py"; }
pl() { $RUN /usr/bin/perl "$here/regex.pl"; }
sql() { rm -f db.sqlite; $RUN /usr/bin/sqlite3 db.sqlite <"$here/queries.sql"; }
procview() { PROCVIEW_VAR=hello $RUN "$bin/procview" one "two words"; }
js() { # node: threads (V8's platform workers, libuv's pool), epoll, child processes
  $RUN /usr/bin/node -e '
    const c = require("crypto"), fs = require("fs"), cp = require("child_process");
    console.log(c.createHash("sha256").update("emu".repeat(1000)).digest("hex"));
    console.log([5, 3, 9, 1].sort((a, b) => a - b), JSON.stringify({a: [1, {b: 2}]}));
    console.log(fs.readdirSync("/usr/include/linux").filter(f => f.startsWith("if_")).length > 5);
    c.pbkdf2("pw", "salt", 1000, 16, "sha256", (e, k) => {
      console.log("pbkdf2", k.toString("hex"));
      cp.exec("echo from a child | tr a-z A-Z", (e, out) => console.log(out.trim()));
    });'
}

# gcc drives cc1, as, collect2 and ld: all exec'd, so all emulated under emu.
cc() {
  $RUN /usr/bin/gcc -O2 -S -o - "$here/hello.c" | sha256sum
  $RUN /usr/bin/gcc -O2 -c -o hello.o "$here/hello.c" && sha256sum <hello.o
  $RUN /usr/bin/gcc -O2 -o hello hello.o -lm && ./hello 7
}

big() { # ~16 MiB of varied lines, made natively once
  [ -f big.txt ] || awk 'BEGIN { for (i = 0; i < 600000; i++)
    printf "%08x %d line-%d\n", (i * 2654435761) % 4294967296, (i * 7919) % 100003, i }' >big.txt
}
coreutils() {
  big
  $RUN /usr/bin/sort -k2,2n -k1,1 big.txt | $RUN /usr/bin/sha256sum
  $RUN /usr/bin/sha256sum big.txt
  $RUN /usr/bin/wc big.txt
  $RUN /usr/bin/sort -u -t' ' -k2,2 big.txt | $RUN /usr/bin/tail -2
  $RUN /usr/bin/cut -d' ' -f3 big.txt | $RUN /usr/bin/grep -c '7$'
}

shell() {
  $RUN /bin/sh -c '
    ls / | sort | head -3
    seq 1 500 | sort -rn | head -2 | tr "\n" " "; echo
    echo "$(printf "%s-" a b c | tr a-z A-Z)"
    printf "3\n1\n2\n" | sort | uniq -c | sed "s/^ *//"
    find /usr/include/linux -name "*.h" | sort | head -2 | xargs -n1 basename
    for p in cat sort; do readlink /proc/self/exe </dev/null >/dev/null && echo "$p ok"; done
    cat /proc/self/cmdline | tr "\0" " "; echo
    (exit 3); echo "status $?"
    sh -c "exit 7"; echo "nested $?"
    uname -m; exit 5'
}

# -- emu-only behaviour -----------------------------------------------------------

strace_case() {
  "$emu" -strace "$bin/procview" >/dev/null 2>trace.txt
  expect "strace: open flags and AT_FDCWD" 'openat\(AT_FDCWD,"/proc/self/maps",O_RDONLY(\|O_[A-Z]+)*,' trace.txt
  expect "strace: mmap prot and flags" 'mmap\(0x0,[0-9]+,PROT_READ\|PROT_WRITE,MAP_PRIVATE\|MAP_ANONYMOUS,-1,0x0\) = 0x' trace.txt
  expect "strace: mremap flags" 'mremap\(0x[0-9a-f]+,1048576,67108864,MREMAP_MAYMOVE,0x0\) = 0x' trace.txt
  expect "strace: socket family and type" 'socketpair\(AF_UNIX,SOCK_STREAM,0,0x' trace.txt
  expect "strace: fcntl command" 'fcntl\([0-9]+,F_SETLK,0x[0-9a-f]+\) = 0' trace.txt
  expect "strace: rlimit resource" 'prlimit64\(0,RLIMIT_AS,' trace.txt
  expect "strace: prctl option and error" 'prctl\(PR_SET_SECCOMP,.* = -1 errno=22' trace.txt
  expect "strace: ioctl request" 'ioctl\([0-9]+,FIONREAD,0x' trace.txt
  expect "strace: buffer contents" 'write\(1,"/proc/self/exe is this' trace.txt
  "$emu" -strace /bin/sh -c '/bin/true; (exit 2); exit 3' >/dev/null 2>trace2.txt
  local rc=$?
  expect "strace: clone flags" 'clone\(SIGCHLD\|CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID,' trace2.txt
  expect "strace: exec'd child traced too (options propagate)" '[0-9]+ execve\("/bin/true"' trace2.txt
  [ "$(grep -c 'exit_group' trace2.txt)" -ge 2 ] && echo "ok: strace: both programs exit" ||
    { echo "FAIL: strace: one exit_group"; fail=1; }
  [ $rc = 3 ] && echo "ok: strace: exit status 3" || { echo "FAIL: exit $rc"; fail=1; }
  EMU_STRACE=1 "$emu" /bin/sh -c 'cat /dev/null' 2>trace3.txt
  expect "strace: EMU_STRACE reaches the exec'd cat" 'openat\(AT_FDCWD,"/dev/null"' trace3.txt
}

binfmt() {
  local self rule
  self=$(readlink -f "$emu")
  rule=$("$emu" --binfmt-print --binfmt-flags=POCF)
  local want=':emu-x86_64:M::\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00:\xff\xff\xff\xff\xff\xfe\xfe\xfc\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'"$self"':POCF'
  [ "$rule" = "$want" ] && echo "ok: binfmt: rule" || { echo "FAIL binfmt rule: $rule"; fail=1; }
  "$emu" --binfmt-print --binfmt-flags=Z >/dev/null 2>&1 && { echo "FAIL: flag Z taken"; fail=1; }
  # Argument layouts as binfmt_misc makes them (EMU_TEST_AT_* stand in for
  # emu's own AT_FLAGS and AT_EXECFD; nothing is registered).
  local prog='import sys, os; print(sys.orig_argv, open("/proc/self/cmdline").read().split("\0"), sorted(os.listdir("/proc/self/fd")))'
  same "binfmt P: argv0 preserved" binfmt_p "$prog"
  same "binfmt O: loaded from AT_EXECFD" binfmt_o
  same "binfmt P+O" binfmt_po
  same "binfmt without flags" binfmt_plain
}
binfmt_p() {
  if [ -n "$RUN" ]; then EMU_TEST_AT_FLAGS=1 $RUN /usr/bin/python3 MYNAME -c "$1" x
  else (exec -a MYNAME /usr/bin/python3 -c "$1" x); fi
}
binfmt_o() { # the path given is never opened: the fd is the binary
  if [ -n "$RUN" ]; then EMU_TEST_AT_EXECFD=9 $RUN /nonexistent/echo via fd 9</bin/echo
  else /bin/echo via fd; fi
}
binfmt_po() {
  if [ -n "$RUN" ]; then EMU_TEST_AT_FLAGS=1 EMU_TEST_AT_EXECFD=9 $RUN /bin/sh NAME -c 'echo "$0"; ls /proc/$$/fd' 9</bin/sh
  else (exec -a NAME /bin/sh -c 'echo "$0"; ls /proc/$$/fd'); fi
}
binfmt_plain() { $RUN /bin/sh -c 'echo "$0" "$@"' a b; }

options() { # -L / EMU_LD_PREFIX: the interpreter comes from the prefix, in exec'd programs too
  mkdir -p root/lib64
  cp /lib64/ld-linux-x86-64.so.2 root/lib64/
  "$emu" -L "$work/root" /bin/sh -c 'cat /proc/self/maps' >maps.txt
  expect "sysroot: -L interpreter (in the exec'd cat)" "$work/root/lib64/ld-linux-x86-64.so.2\$" maps.txt
  EMU_LD_PREFIX="$work/root" "$emu" /bin/cat /proc/self/maps >maps2.txt
  expect "sysroot: EMU_LD_PREFIX" "$work/root/lib64/ld-linux-x86-64.so.2\$" maps2.txt
  mkdir -p root/etc && echo "from the sysroot" >root/etc/emu-marker
  [ "$("$emu" -L "$work/root" /bin/sh -c 'cat /etc/emu-marker; test -e /etc/passwd && echo host')" = \
    "$(printf 'from the sysroot\nhost')" ] && echo "ok: sysroot: paths under the prefix win, others stay" ||
    { echo "FAIL: sysroot path lookup"; fail=1; }
  "$emu" -L "$work/nonexistent" /bin/true && echo "ok: sysroot: missing prefix falls back" ||
    { echo "FAIL: missing prefix"; fail=1; }
  # -E/-U are for the first program only: children get what their parent passes.
  local got
  got=$("$emu" -E FOO=1 -U HOME /bin/sh -c 'echo "$FOO[$HOME]"; FOO=2 HOME=/h /bin/sh -c "echo \$FOO\$HOME"')
  [ "$got" = "$(printf '1[]\n2/h')" ] && echo "ok: options: -E/-U not re-applied to children" ||
    { echo "FAIL: -E/-U in children: $got"; fail=1; }
}

case $case in
python) same "python3 script.py" py ;;
perl) same "perl regex.pl" pl ;;
sqlite) same "sqlite3 queries.sql" sql ;;
gcc) same "gcc -S, -c, link (cc1 as collect2 ld emulated)" cc ;;
coreutils) same "sort/sha256sum/wc/cut/grep over 16 MiB" coreutils ;;
shell) same "sh -c pipelines" shell ;;
procview) same "procview (/proc/self, rlimits, mremap, msg I/O)" procview ;;
node) [ -x /usr/bin/node ] || { echo "skip: no /usr/bin/node"; exit 77; }
  same "node (crypto, fs, a thread-pool callback, child_process)" js ;;
strace) strace_case ;;
binfmt) binfmt ;;
options) options ;;
*) echo "unknown case $case"; exit 2 ;;
esac
exit $fail
