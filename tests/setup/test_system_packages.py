# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/utils/system-packages.sh: what `make test`, `make demo` and .ci/run install before anything else."""

from __future__ import annotations

import os

import pytest

from conftest import run

SCRIPT = os.path.join("tests", "utils", "system-packages.sh")


def test_a_second_run_installs_nothing_and_says_nothing():
    # .ci/run (or `make`) has already run it on this machine: everything it names is installed now.
    for argv in ([SCRIPT], [SCRIPT], [SCRIPT, "--check"]):
        proc = run(argv)
        assert (proc.returncode, proc.stdout) == (0, "")


@pytest.fixture
def doubles(tmp_path):
    """TEST DOUBLES on PATH: a dpkg-query that says podman is missing, an apt-get that fails and records its call,
    and (when asked) an id that says this is not root. The real ones would change the machine."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-get.calls"

    def write(name, body):
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)

    write("dpkg-query", 'for p; do :; done; [ "$p" = podman ] && exit 1; printf installed\n')
    write("apt-get", 'echo "$*" >> %s\necho "E: Unable to locate package podman" >&2\nexit 100\n' % calls)

    def env(root=True):
        if not root:
            write("id", "echo 1000\n")
        return {"PATH": "%s:%s" % (bin_dir, os.environ["PATH"])}

    return env, calls


def test_without_root_it_names_the_packages_and_the_command_and_installs_nothing(doubles):
    env, calls = doubles
    proc = run([SCRIPT], env=env(root=False))
    assert proc.returncode == 1
    assert proc.stdout == ("setup: missing system packages (podman) and this is not root; install them with: "
                           "sudo apt-get install -y podman\n")
    assert not calls.exists()


def test_check_mode_names_the_packages_and_installs_nothing(doubles):
    env, calls = doubles
    proc = run([SCRIPT, "--check"], env=env())
    assert (proc.returncode, proc.stdout) == (1, "setup: missing system packages: podman\n")
    assert not calls.exists()


def test_a_failing_apt_get_shows_its_own_error(doubles):
    env, calls = doubles
    proc = run([SCRIPT], env=env())
    assert proc.returncode == 1
    assert "setup: installing system packages: podman" in proc.stdout
    assert "setup: apt-get failed; its last lines:\nE: Unable to locate package podman\n" in proc.stdout
    assert calls.read_text() == "update -q\n"  # install is not attempted after a failed update
