# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.lazypull.soci.plugins.module_utils._containerd_version import (
    VersionError, config_version, parse_version)

V2 = 'plugins."io.containerd.grpc.v1.cri".containerd'
V3 = 'plugins."io.containerd.cri.v1.images"'


@pytest.mark.parametrize("output, version, pre, pep440, schema, table", [
    ("containerd github.com/containerd/containerd 1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da\n",
     "1.7.27", None, "1.7.27", 2, V2),
    ("containerd github.com/containerd/containerd/v2 v2.2.4 1c4457e00facac03ce1d75f7b6777a7a851e5c41\n",
     "2.2.4", None, "2.2.4", 3, V3),
    ("containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n",
     "1.6.20", None, "1.6.20", 2, V2),
    ("containerd github.com/containerd/containerd/v2 2.1.9+unknown \n", "2.1.9", None, "2.1.9", 3, V3),
    ("containerd github.com/containerd/containerd 2.0.0-rc.6 e0c04ae5\n", "2.0.0", "rc.6", "2.0.0rc6", 3, V3),
    ("containerd containerd.io 2.3.1 6f31aa58\n", "2.3.1", None, "2.3.1", 4, V3),
    ("containerd github.com/containerd/containerd 1.7.29-1.eks.amzn2.0.1 \n", "1.7.29", None, "1.7.29", 2, V2),
])
def test_parses_real_version_lines(output, version, pre, pep440, schema, table):
    facts = parse_version(output)
    assert (facts["version"], facts["prerelease"], facts["pep440"]) == (version, pre, pep440)
    assert (facts["config_version"], facts["cri_images_table"]) == (schema, table)
    assert facts["raw"] == output.strip()
    assert [facts["major"], facts["minor"], facts["patch"]] == [int(p) for p in version.split(".")]


@pytest.mark.parametrize("output", ["", "containerd: command not found", "Segmentation fault", "containerd version unknown"])
def test_garbage_is_an_error(output):
    with pytest.raises(VersionError, match="no containerd version"):
        parse_version(output)


@pytest.mark.parametrize("major, minor, schema", [(1, 6, 2), (1, 7, 2), (2, 0, 3), (2, 2, 3), (2, 3, 4), (3, 0, 4)])
def test_config_version(major, minor, schema):
    assert config_version(major, minor) == schema


def test_parses_the_real_binaries(containerd):
    out = subprocess.run([containerd.path, "--version"], capture_output=True, text=True, check=True).stdout
    facts = parse_version(out)
    assert facts["version"] == containerd.version
    assert facts["config_version"] == (2 if containerd.major == 1 else 3)
