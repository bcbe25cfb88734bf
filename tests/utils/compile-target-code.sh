#!/usr/bin/env bash
# Byte-compile the code that runs on managed nodes (modules, module_utils) with every Python from 3.8 to 3.13
# found on this machine: EKS AL2 nodes run python3.8, AL2023 nodes python3.9. Prints what it checked.
set -euo pipefail
files=(plugins/modules/*.py plugins/module_utils/*.py)
checked=()
for v in 3.8 3.9 3.10 3.11 3.12 3.13; do
  for py in "$(command -v "python$v" 2>/dev/null || true)" "$HOME"/.pyenv/versions/"$v".*/bin/"python$v"; do
    if ! { [ -x "$py" ] && "$py" -c 'import sys' 2>/dev/null; }; then continue; fi
    "$py" - "${files[@]}" <<'PY'
import sys
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        compile(handle.read(), path, "exec", dont_inherit=True)
PY
    checked+=("$v")
    break
  done
done
[ ${#checked[@]} -gt 0 ] || { echo "compile-target-code: no Python 3.8-3.13 found" >&2; exit 1; }
echo "target-side code compiles on Python ${checked[*]} (${#files[@]} files)"
