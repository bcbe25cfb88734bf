# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filters the role decides its containerd and kubelet edits with (the logic: test__edit_record.py)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.soci_edit_record import soci_edit_record
from ansible_collections.lazypull.soci.plugins.filter.soci_edits_in_place import soci_edits_in_place
from ansible_collections.lazypull.soci.plugins.plugin_utils._edit_record import stamp

PATH = "/etc/containerd/config.toml"
SHA = "a" * 64


def test_the_filters_agree_on_a_file():
    options = {"state": "present", "snapshotter": "soci"}
    results = {"results": [{"item": PATH, "changed": True, "sha256": SHA}]}
    lines = soci_edit_record([{"kind": "containerd", "options": options, "results": results}], {})
    assert lines == "%s %s %s" % (stamp("containerd", options), SHA, PATH)
    node = {"file:" + PATH: SHA + " 644 0 0", "edited:" + PATH: lines.rsplit(" ", 1)[0]}
    assert soci_edits_in_place([PATH, "/etc/other.toml"], node, "containerd", options) == [PATH]


@pytest.mark.parametrize("call, message", [
    (lambda: soci_edits_in_place(PATH, {}, "containerd", {}), "needs a list of paths"),
    (lambda: soci_edits_in_place([PATH], {}, "docker", {}), "unknown kind of edit 'docker'"),
    (lambda: soci_edit_record([{"options": {}}], {}), "each edit needs kind, options and results"),
    (lambda: soci_edit_record({}, {}), "needs a list of edits"),
])
def test_wrong_input_is_one_line(call, message):
    with pytest.raises(AnsibleFilterError, match=message):
        call()
