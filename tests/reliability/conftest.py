# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: the services, the prepared node images (EKS AL2023 AMI-like, EKS AL2-style), a fresh node per case, the
results record."""

from __future__ import annotations

import json
import os

import pytest

from node import AL2, AL2023, ARCH, BROKEN_UPGRADE, REPO, RESOURCES, SOCI_VERSION, STATE, WORK, Node, prepared_image, run
from report import write_report

IMAGE = "localhost/lazypull-reliability:prepared"
RESULTS = []


def fresh_nodes(image):
    """boot(case_id) for a test: nodes booted from image, removed afterwards (unless LAZYPULL_KEEP_NODES=1)."""
    nodes = []

    def boot(case_id):
        node = Node("lazypull-rel-" + case_id, image).boot()
        nodes.append(node)
        return node

    yield boot
    if os.environ.get("LAZYPULL_KEEP_NODES") != "1":
        for node in nodes:
            node.remove()


@pytest.fixture(scope="session")
def node_image():
    """Services up, faulty mirrors built, and an image of a node laid out like an EKS AL2 worker (containerd 1.7)."""
    run(os.path.join(RESOURCES, "services.sh"), "start", STATE)
    faults = os.path.join(REPO, "tests", "reliability", "make-fault-releases.sh")
    run(faults, SOCI_VERSION, os.path.join(STATE, "releases", "faults"))
    run(faults, BROKEN_UPGRADE, os.path.join(STATE, "releases", "faults-" + BROKEN_UPGRADE))
    return prepared_image("trixie", {"lazypull_layout": "eks_al2"}, IMAGE)


# A node laid out like today's EKS AL2023 AMI: containerd 2.x, the AMI's SOCI package (stand-in package holding the
# real binaries) and units, nodeadm (stand-in) with FastImagePull on in the user data on a node large enough for it,
# so nodeadm already runs SOCI for parallel pulls when the role arrives.
AL2023_VARS = {"lazypull_layout": "eks_al2023", "lazypull_containerd_major": 2, "lazypull_fast_image_pull": True,
               "lazypull_nodeadm_resources": {"cpu_millicores": 4000, "memory_mib": 16384}}
AL2023_IMAGE = "localhost/lazypull-reliability:al2023-ami"


@pytest.fixture(scope="session")
def al2023_image(node_image):  # node_image: the services and mirrors it starts
    del node_image
    return prepared_image("containerd2", AL2023_VARS, AL2023_IMAGE)


@pytest.fixture
def fresh_node(node_image):
    """fresh_node(name): a node booted from the prepared EKS AL2 image, removed after the test."""
    yield from fresh_nodes(node_image)


@pytest.fixture
def fresh_al2023_node(al2023_image):
    """fresh_al2023_node(name): a node booted from the prepared EKS AL2023 AMI image, removed after the test."""
    yield from fresh_nodes(al2023_image)


@pytest.fixture
def record(request):
    """The row this case adds to docs/reliability.md; the test fills in what it observed."""
    row = {"id": request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name[5:].replace("_", "-"),
           "node": AL2023 if "fresh_al2023_node" in request.fixturenames else AL2}
    RESULTS.append(row)
    return row


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    row = item.funcargs.get("record") if hasattr(item, "funcargs") else None
    if row is not None and (report.when == "call" or report.failed):
        row["result"] = "passed" if report.passed else "FAILED"
        if report.failed:
            row["failure"] = str(report.longrepr).strip().splitlines()[-1][:300]


def pytest_sessionfinish(session):
    if not RESULTS:
        return
    os.makedirs(WORK, exist_ok=True)
    with open(os.path.join(WORK, "results.json"), "w") as handle:
        json.dump(RESULTS, handle, indent=1)
    target = os.environ.get("LAZYPULL_RELIABILITY_REPORT")
    if target:
        write_report(RESULTS, target)


@pytest.fixture(scope="session")
def good_archive(node_image):
    """The real release archive (tests/soci) as an air-gapped user would have it on the controller."""
    return os.path.join(STATE, "releases", "v" + SOCI_VERSION, "soci-snapshotter-%s-linux-%s.tar.gz" % (SOCI_VERSION, ARCH))
