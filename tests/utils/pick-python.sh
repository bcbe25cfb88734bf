#!/usr/bin/env bash
# Print the Python the controller tools run on: the first 3.12 or 3.13 this machine has (on PATH or installed by
# pyenv), since ansible-core 2.20+ needs >= 3.12; else python3 (ansible-core 2.19 on 3.11, see requirements/).
# `make` and .ci/run both ask this script, so they pick the same one; PYTHON=... overrides it.
set -euo pipefail
for candidate in python3.12 python3.13; do
  for path in $(command -v "$candidate" 2>/dev/null) "$HOME"/.pyenv/versions/"${candidate#python}".*/bin/"$candidate"; do
    if [ -x "$path" ] && "$path" -c 'import venv, ensurepip' 2>/dev/null; then echo "$path"; exit 0; fi
  done
done
command -v python3 || { echo "pick-python: no python3 on this machine" >&2; exit 1; }
