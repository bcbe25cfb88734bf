# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The node layout records as the role and the verify playbook get them (Molecule runs the role on each layout)."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

KEYS = {"detect", "containerd_configs", "kubelet_configs", "kubelet_format", "nodeadm_dropin", "persistent_config",
        "containerd_config_to_create", "written_at_boot"}


@pytest.fixture
def lookup():
    return lookup_loader.get("lazypull.soci.node_layouts")


def test_every_layout_has_every_key(lookup):
    layouts = lookup.run([], variables={})[0]
    assert list(layouts) == ["eks_al2023", "eks_al2", "generic"]
    for name, record in layouts.items():
        assert set(record) == KEYS, name
        assert record["kubelet_format"] in ("json", "yaml") and record["kubelet_configs"][0].endswith(record["kubelet_format"])


def test_only_the_last_layout_takes_every_node(lookup):
    detects = [record["detect"] for record in lookup.run([], variables={})[0].values()]
    assert detects[-1] == "" and all(detects[:-1])


def test_settings_survive_a_reboot_in_a_file_the_role_writes(lookup):
    for name, record in lookup.run([], variables={})[0].items():
        assert record["persistent_config"] in record["containerd_configs"] + [record["nodeadm_dropin"]], name
        assert (record["nodeadm_dropin"] != "") == record["written_at_boot"], name


def test_one_layout_and_its_copy(lookup):
    record = lookup.run(["eks_al2023"], variables={})[0]
    record["containerd_configs"].append("/changed")
    assert lookup.run(["eks_al2023"], variables={})[0]["containerd_configs"] == ["/etc/containerd/config.toml"]


def test_unknown_layout_fails_naming_the_known_ones(lookup):
    with pytest.raises(AnsibleLookupError, match=r"unknown layout bottlerocket \(known: eks_al2023, eks_al2, generic\)"):
        lookup.run(["bottlerocket"], variables={})
