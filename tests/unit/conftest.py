# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import SEARCH, discover

CONTAINERDS = discover()


def pytest_generate_tests(metafunc):
    """Tests that take `containerd` run once per real containerd binary, and fail when there is none."""
    if "containerd" in metafunc.fixturenames:
        metafunc.parametrize("containerd", CONTAINERDS or [None], ids=[c.suite for c in CONTAINERDS] or ["missing"])


@pytest.fixture(autouse=True)
def _require_containerd(request):
    if "containerd" in request.fixturenames and request.getfixturevalue("containerd") is None:
        pytest.fail("no containerd binaries under %s; run `make containerd` (tests/utils/fetch-deb.sh)" % SEARCH)
