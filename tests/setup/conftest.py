# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a new user meets first: the set-up script, `make demo`, and the loopback services both start."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PORTS = {5124: "release", 5123: "registry", 5125: "registry-private"}


def listening(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def node_exists(name):
    return subprocess.run(["podman", "container", "exists", name], check=False).returncode == 0


def run(argv, env=None, timeout=900):
    """Run a project command as a user would; stdout and stderr together, as a terminal shows them."""
    merged = dict(os.environ, **(env or {}))
    return subprocess.run(argv, cwd=REPO, env=merged, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)


@pytest.fixture
def free_ports():
    """The tests start and stop the project's services; another run holding the ports would spoil them."""
    taken = [port for port in PORTS if listening(port)]
    if taken:
        pytest.fail("127.0.0.1:%s already taken: stop the other test run or demo first" % taken)
    yield
    assert not [port for port in PORTS if listening(port)], "a service was left running"
