# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/execution-environment.yml tells ansible-builder which Python packages the plugins need on the controller (an
AWX / Automation Platform execution environment). It must name every third-party package the plugins import, accept
the versions the tests run with, ship in the collection artifact, and be what the real ansible-builder finds."""

from __future__ import annotations

import ast
import fnmatch
import os
import subprocess
import sys

import yaml
from packaging.requirements import Requirement

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

# Imported by the plugins but installed with ansible-core itself.
WITH_ANSIBLE_CORE = {"ansible", "ansible_collections", "yaml", "jinja2"}


def read(path):
    with open(os.path.join(COLLECTION_ROOT, path)) as handle:
        return handle.read()


def requirements(path):
    lines = (line.split("#", 1)[0].strip() for line in read(path).splitlines())
    return {req.name: req for req in (Requirement(line) for line in lines if line)}


EE = yaml.safe_load(read(os.path.join("meta", "execution-environment.yml")))
LISTED = requirements(EE["dependencies"]["python"])


def third_party_imports():
    found = set()
    for folder, _dirs, files in os.walk(os.path.join(COLLECTION_ROOT, "plugins")):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(folder, name)) as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name not in WITH_ANSIBLE_CORE}


def test_every_third_party_import_is_listed():
    assert sorted(third_party_imports()) == sorted(LISTED)


def test_the_tested_versions_meet_the_listed_ones():
    pinned = requirements(os.path.join("requirements", "test.txt"))
    for name, req in LISTED.items():
        version = str(next(iter(pinned[name].specifier)).version)
        assert req.specifier.contains(version), "%s %s is tested, %s listed" % (name, version, req)


def test_the_files_ship_in_the_collection():
    ignored = yaml.safe_load(read("galaxy.yml")).get("build_ignore") or []
    for path in (os.path.join("meta", "execution-environment.yml"), EE["dependencies"]["python"]):
        assert os.path.isfile(os.path.join(COLLECTION_ROOT, path))
        assert not [pattern for pattern in ignored if fnmatch.fnmatch(path, pattern)
                    or path.startswith(pattern.rstrip("/") + "/")], path


def test_ansible_builder_finds_them():
    """ansible-builder's own introspection (what `ansible-builder build` runs) over the folder holding the collection."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
    out = subprocess.run([sys.executable, "-m", "ansible_builder", "introspect", "--sanitize", root],
                         capture_output=True, text=True, check=True).stdout
    found = [line.split("#", 1)[0].strip() for line in yaml.safe_load(out[out.index("---"):])["python"]
             if line.endswith("# from collection lazypull.soci")]
    assert sorted(found) == sorted(str(req) for req in LISTED.values())
