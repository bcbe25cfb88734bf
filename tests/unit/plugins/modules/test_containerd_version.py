# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module's main(), run against the real containerd binaries (and a stand-in that prints garbage)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.lazypull.soci.plugins.modules import containerd_version


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        containerd_version.main()
    result = json.loads(capsys.readouterr().out)
    result["rc_exit"] = exc.value.code
    return result


def test_reports_the_real_binary(capsys, containerd):
    result = run(capsys, binary=containerd.path)
    assert result["rc_exit"] == 0 and result["changed"] is False
    assert result["installed"] is True and result["binary"] == containerd.path
    assert result["version"] == containerd.version
    assert result["config_version"] == (2 if containerd.major == 1 else 3)
    assert result["raw"].startswith("containerd github.com/containerd/containerd")


def test_missing_binary_fails_by_default(capsys, tmp_path):
    result = run(capsys, binary=str(tmp_path / "containerd"))
    assert result["rc_exit"] == 1 and result["failed"] is True
    assert result["msg"].startswith("containerd binary '%s' not found on the node" % (tmp_path / "containerd"))


def test_missing_binary_can_be_accepted(capsys):
    result = run(capsys, binary="no-such-containerd-binary", fail_on_missing=False)
    assert result["rc_exit"] == 0 and result["installed"] is False and "version" not in result


def test_garbage_output_fails_with_the_text(capsys, tmp_path):
    # Stand-in for a broken binary: prints something that is not a version.
    fake = tmp_path / "containerd"
    fake.write_text("#!/bin/sh\necho 'containerd: version unavailable'\n")
    fake.chmod(0o755)
    result = run(capsys, binary=str(fake))
    assert result["failed"] is True
    assert result["msg"] == "%s --version: no containerd version in 'containerd: version unavailable'" % fake


def test_failing_binary_reports_rc(capsys, tmp_path):
    fake = tmp_path / "containerd"
    fake.write_text("#!/bin/sh\necho 'exec format error' >&2\nexit 126\n")
    fake.chmod(0o755)
    result = run(capsys, binary=str(fake))
    assert result["failed"] is True and result["rc"] == 126
    assert result["msg"] == "%s --version failed (rc=126): exec format error" % fake
