# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pull mode the verify playbook reports: read back from every config.toml the role writes, and from what the
real soci-snapshotter-grpc makes of it (`config dump`: every default filled in)."""

from __future__ import annotations

import itertools

import pytest
import tomlkit

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.soci_pull_mode import soci_pull_mode
from ansible_collections.lazypull.soci.plugins.plugin_utils._soci_config import PULL_MODES, build
from ansible_collections.lazypull.soci.tests.unit.plugins.plugin_utils.test__soci_config import AUTH_SETS, dump_of, soci  # noqa: F401 pylint: disable=unused-import


@pytest.mark.parametrize("mode,auth", list(itertools.product(PULL_MODES, AUTH_SETS)))
def test_the_mode_the_role_wrote(mode, auth):
    assert soci_pull_mode(tomlkit.dumps(build(mode, auth=auth, kubeconfig="/k", unpigz="/usr/bin/unpigz"))) == mode


@pytest.mark.parametrize("mode", PULL_MODES)
def test_the_mode_the_real_daemon_runs_with(soci, mode):  # noqa: F811 pylint: disable=redefined-outer-name
    assert soci_pull_mode(dump_of(soci, build(mode))) == mode


def test_no_file_no_mode():
    assert soci_pull_mode("") == ""


def test_not_toml_fails_naming_it():
    with pytest.raises(AnsibleFilterError, match=r"^soci_pull_mode: not a valid config.toml: "):
        soci_pull_mode("[pull_modes\nenable = true\n")
