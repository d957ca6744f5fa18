#!/usr/bin/env bash
# Dependencies point one way. The build's include paths already enforce it; this
# also catches relative includes ("../x/y.h") that would sneak around them.
set -u
root=${1:-.}
cd "$root" || exit 2
fail=0
# folder : folders it may include from (besides itself and system headers)
rules=(
  "ir:"
  "frontend/x86:ir"
  "frontend/arm64:ir"
  "backend_fast:ir"
  "backend_llvm:ir"
  "runtime:ir backend_fast backend_llvm"
  "loader:runtime ir backend_fast backend_llvm"
  "syscalls:loader runtime ir backend_fast backend_llvm frontend/x86 frontend/arm64"
  "hw:runtime ir backend_fast backend_llvm"
  "system:hw runtime ir backend_fast backend_llvm frontend/x86"
)
hdrs_of() { find "$1" -maxdepth 1 -name '*.h' -printf '%f\n' 2>/dev/null; }
for rule in "${rules[@]}"; do
  dir=${rule%%:*}; allowed=" $dir ${rule#*:} "
  [ -d "$dir" ] || continue
  for other in ir frontend/x86 frontend/arm64 backend_fast backend_llvm runtime loader syscalls hw system; do
    case "$allowed" in *" $other "*) continue ;; esac
    for h in $(hdrs_of "$other"); do
      hits=$(grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]*/)?$h\"" "$dir"/*.[ch] 2>/dev/null)
      for f in $hits; do echo "layering: $f includes $other/$h"; fail=1; done
    done
  done
  if grep -nE '#[[:space:]]*include[[:space:]]*"\.\./' "$dir"/*.[ch] 2>/dev/null; then fail=1; fi
done
[ $fail -eq 0 ] && echo "layering: ok"
exit $fail
