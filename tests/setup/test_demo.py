# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo` (examples/demo/demo.sh) as a new user runs it: the whole way, and its failure paths."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import pytest

from conftest import REPO, listening, node_exists, run, PORTS

DEMO = os.path.join("examples", "demo", "demo.sh")
NODE = "lazypull-demo"


@pytest.fixture
def no_demo_node(free_ports):
    subprocess.run(["podman", "rm", "--force", NODE], capture_output=True, check=False)
    yield
    subprocess.run(["podman", "rm", "--force", NODE], capture_output=True, check=False)
    subprocess.run(["podman", "volume", "rm", "--force", NODE + "-containerd", NODE + "-soci"],
                   capture_output=True, check=False)


def test_the_demo_proves_a_pull_through_soci_and_leaves_only_the_node(no_demo_node):
    proc = run([DEMO])
    assert proc.returncode == 0, proc.stdout[-4000:]
    steps = dict(re.findall(r"^== (.+?) \.\.\. (done|FAILED)", proc.stdout, re.M))
    assert set(steps.values()) == {"done"}, steps
    assert {title.split(" (")[0] for title in steps} >= {
        "checking podman", "booting lazypull-demo", "ansible-playbook lazypull.soci.install",
        "pulling SOCI-indexed images through CRI and running them"}
    assert re.search(r"^\s+\S*lazypull-demo\s+True\s", proc.stdout, re.M), "the verify table has no healthy row"
    assert "its 32 MiB layer was mounted lazily over FUSE instead of being downloaded" in proc.stdout
    assert "Remove the node: make demo-clean" in proc.stdout
    assert node_exists(NODE)


def test_a_broken_podman_configuration_shows_podmans_error(no_demo_node, tmp_path):
    conf = tmp_path / "containers.conf"
    conf.write_text('[engine]\nruntime = "no-such-runtime"\n')
    proc = run([DEMO], env={"CONTAINERS_CONF": str(conf)}, timeout=120)
    assert proc.returncode != 0
    assert re.search(r"^== checking podman \.\.\. FAILED after \d+ s \(exit 125\)$", proc.stdout, re.M)
    assert 'default OCI runtime "no-such-runtime" not found' in proc.stdout


def test_a_failed_install_shows_the_roles_error_removes_the_node_and_stops_the_services(no_demo_node):
    proc = run([DEMO], env={"SOCI_RELEASE_URL": "http://127.0.0.1:9/releases"})
    assert proc.returncode != 0
    assert re.search(r"^== ansible-playbook lazypull.soci.install .*FAILED after", proc.stdout, re.M)
    assert "SOCI was not set up" in proc.stdout and "http://127.0.0.1:9/releases" in proc.stdout
    assert "demo: did not finish; the node was removed and the local services stopped" in proc.stdout
    assert not node_exists(NODE)


def test_ctrl_c_while_booting_leaves_nothing_running(no_demo_node):
    # SIGINT back to its default in the demo: a runner that starts the tests in the background (`cmd &` in a
    # script) hands them SIGINT ignored, and a shell cannot trap a signal it was started with ignored.
    demo = subprocess.Popen([DEMO], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in demo.stdout:
            if line.startswith("== booting"):
                break
        assert all(listening(port) for port in PORTS), "the services should be up once the node boots"
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole foreground group
        rest = demo.stdout.read()
        assert demo.wait(timeout=120) == 130
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    assert "demo: did not finish" in rest
    assert not node_exists(NODE)
