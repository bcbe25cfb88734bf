# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Code that runs on managed nodes must parse as Python 3.8 (EKS AL2's python3.8), whatever runs the tests.
`make test` also byte-compiles it with every Python 3.8-3.13 the machine has (tests/utils/compile-target-code.sh)."""

from __future__ import annotations

import ast
import glob
import os

import pytest

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

TARGET_CODE = sorted(glob.glob(os.path.join(COLLECTION_ROOT, "plugins", "modules", "*.py"))
                     + glob.glob(os.path.join(COLLECTION_ROOT, "plugins", "module_utils", "*.py")))


def test_there_is_target_code():
    assert len(TARGET_CODE) >= 4


@pytest.mark.parametrize("path", TARGET_CODE, ids=os.path.basename)
def test_parses_as_python_38(path):
    with open(path) as handle:
        ast.parse(handle.read(), filename=path, feature_version=(3, 8))
