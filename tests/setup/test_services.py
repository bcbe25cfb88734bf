# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""molecule/resources/services.sh: the loopback release server and registry that the demo and the tests use."""

from __future__ import annotations

import os
import socket

import pytest

from conftest import PORTS, listening, run

SCRIPT = os.path.join("molecule", "resources", "services.sh")


@pytest.mark.parametrize("port", sorted(PORTS))
def test_a_taken_port_is_named_and_nothing_is_left_running(port, free_ports, tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        proc = run([SCRIPT, "start", str(tmp_path)])
        assert proc.returncode == 1
        assert ("services.sh: 127.0.0.1:%d (%s) is taken by a process this script did not start; stop it first"
                % (port, PORTS[port])) in proc.stdout
        others = [p for p in PORTS if p != port]
        assert not [p for p in others if listening(p)], "the service started before the failure is still up"
    assert not list(tmp_path.glob("*.pid"))


def test_start_is_reentrant_and_stop_frees_the_ports(free_ports, tmp_path):
    for _attempt in range(2):
        proc = run([SCRIPT, "start", str(tmp_path)])
        assert proc.returncode == 0, proc.stdout
    assert all(listening(port) for port in PORTS)
    assert run([SCRIPT, "stop", str(tmp_path)]).returncode == 0
