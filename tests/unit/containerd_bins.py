# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real containerd binaries for the tests: Debian's containerd 1.6 (bookworm), 1.7 (trixie) and 2.x (sid),
unpacked by tests/utils/fetch-deb.sh. `make test` fetches them; tests that need them fail without them."""

from __future__ import annotations

import os
import re
import subprocess
from collections import namedtuple

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
SEARCH = [os.path.join(COLLECTION_ROOT, "tests", "output", "containerd"), os.path.join(COLLECTION_ROOT, ".cache", "containerd")]

Containerd = namedtuple("Containerd", "suite path version major minor")


def discover():
    for folder in SEARCH:
        found = []
        for suite in ("bookworm", "trixie", "sid"):
            path = os.path.join(folder, suite, "usr", "bin", "containerd")
            if os.access(path, os.X_OK):
                out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
                major, minor, patch = map(int, re.search(r" v?(\d+)\.(\d+)\.(\d+)", out).groups())
                found.append(Containerd(suite, path, "%d.%d.%d" % (major, minor, patch), major, minor))
        if found:
            return found
    return []


def dump(containerd, config_path):
    """`containerd --config FILE config dump`: the node's own check of a config file."""
    proc = subprocess.run([containerd.path, "--config", config_path, "config", "dump"],
                          capture_output=True, text=True, timeout=60, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def fixture_text(*parts):
    with open(os.path.join(FIXTURES, *parts)) as handle:
        return handle.read()
