# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filter the role reads containerd's version with (from its probe) says what the containerd_version module and
its action plugin say, on the real containerd binaries."""

from __future__ import annotations

import subprocess

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.containerd_version_facts import containerd_version_facts
from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_support import supported
from ansible_collections.lazypull.soci.tests.unit.plugins.modules.test_containerd_version import run


def version_line(binary):
    return subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]


@pytest.mark.parametrize("spec", [">=1.6.0", ">=2.0.0", ">=1.7,<2.2"])
def test_same_facts_as_the_module(capsys, containerd, spec):
    module = run(capsys, binary=containerd.path)
    for key in ("rc_exit", "changed", "invocation"):
        module.pop(key, None)
    module.update(supported(module, spec))  # what the action plugin adds
    assert containerd_version_facts(version_line(containerd.path), binary=containerd.path, supported=spec) == module
    release = (containerd.major, containerd.minor)
    assert module["supported"] == {">=1.6.0": True, ">=2.0.0": release >= (2, 0), ">=1.7,<2.2": (1, 7) <= release < (2, 2)}[spec]


def test_no_binary_is_not_installed_and_not_supported():
    assert containerd_version_facts("", binary="") == {"installed": False, "supported": False,
                                                       "supported_range": ">=1.6.0"}


def test_a_binary_that_prints_nothing_fails_naming_it():
    with pytest.raises(AnsibleFilterError, match=r"^/usr/bin/containerd --version: printed nothing$"):
        containerd_version_facts("", binary="/usr/bin/containerd")


def test_garbage_fails_with_the_text():
    with pytest.raises(AnsibleFilterError, match=r"^/x/containerd --version: no containerd version in 'exec format error'$"):
        containerd_version_facts("exec format error", binary="/x/containerd")


def test_a_bad_range_fails_naming_it():
    with pytest.raises(AnsibleFilterError, match=r"supported='at least 1.6' is not a PEP 440 version specifier"):
        containerd_version_facts("containerd github.com/containerd/containerd 1.7.24 abc", binary="/c",
                                 supported="at least 1.6")
