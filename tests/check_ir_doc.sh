#!/usr/bin/env bash
# Every op in ir/ir_ops.def is documented in docs/ir.md and docs/ir-semantics.md.
root=${1:-.}
fail=0
for op in $(sed -n 's/^IR_OP(\([a-z0-9_]*\),.*/\1/p' "$root/ir/ir_ops.def"); do
  grep -q "| \`$op\` |" "$root/docs/ir.md" || { echo "docs/ir.md does not list op $op"; fail=1; }
  grep -qw "$op" "$root/docs/ir-semantics.md" || { echo "docs/ir-semantics.md does not define op $op"; fail=1; }
done
[ $fail -eq 0 ] && echo "ir docs: every op listed"
exit $fail
