#!/usr/bin/env bash
# ansible-test bootstraps pip into each sanity-test virtualenv with a get-pip.py that it downloads from a CI
# host outside the package registries. This writes a stand-in at the cache path ansible-test checks first:
# it installs the same pinned pip (from the package index) with the pip of the given interpreter.
set -euo pipefail
python=${1:?usage: ansible-test-get-pip.sh PYTHON_WITH_ANSIBLE_TEST}
python=$(cd "$(dirname "$python")" && pwd)/$(basename "$python")
version=$("$python" - <<'PY'
import re, ansible_test, pathlib
src = pathlib.Path(ansible_test.__file__).parent.joinpath("_internal", "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
cache=~/.ansible/test/cache/get_pip_${version//./_}.py
mkdir -p "$(dirname "$cache")"
cat >"$cache" <<PY
# Written by lazypull.soci tests/utils/ansible-test-get-pip.sh in place of get-pip.py ${version}.
import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call(["$python", "-m", "pip", "--python", sys.executable, "install", "--quiet"] + args)
PY
