# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The real soci-snapshotter-grpc for the tests: built from its Go module by tests/soci/build.sh (`make soci`), at
the version the role installs by default. Tests that need it fail without it."""

from __future__ import annotations

import os
import re
import subprocess

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

SEARCH = [os.path.join(COLLECTION_ROOT, "tests", "output", "soci"), os.path.join(COLLECTION_ROOT, ".cache", "soci")]


def default_version():
    with open(os.path.join(COLLECTION_ROOT, "roles", "soci", "defaults", "main.yml")) as handle:
        return re.search(r'^soci_version: "(.+)"$', handle.read(), re.M).group(1)


def daemon():
    """Path of the real daemon, or None."""
    for folder in SEARCH:
        path = os.path.join(folder, default_version(), "dynamic", "soci-snapshotter-grpc")
        if os.access(path, os.X_OK):
            return path
    return None


def config_dump(path, text):
    """`soci-snapshotter-grpc --config FILE config dump` with FILE holding text, as the role runs it (stdin)."""
    proc = subprocess.run([path, "--config", "/dev/stdin", "config", "dump"], input=text, capture_output=True,
                          text=True, timeout=60, check=False)
    return proc.returncode, proc.stdout, proc.stderr
