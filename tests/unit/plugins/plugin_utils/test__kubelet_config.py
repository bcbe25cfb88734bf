# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import difflib
import json

import pytest
import yaml

from ansible_collections.lazypull.soci.plugins.plugin_utils._kubelet_config import KubeletConfigError, edit
from ansible_collections.lazypull.soci.tests.unit.containerd_bins import fixture_text

SOCI = "unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
FILES = ["eks-al2-kubelet-config.json", "al2023-config-drop-in.json", "kubeadm-config.yaml", "kubeadm-with-endpoint.yaml"]


def load(name, text):
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


@pytest.mark.parametrize("name", FILES)
def test_sets_the_endpoint_and_nothing_else(name):
    original = fixture_text("kubelet", name)
    result = edit(original, name, SOCI)
    assert result.changed and result.format == ("json" if name.endswith(".json") else "yaml")
    expected = dict(load(name, original), imageServiceEndpoint=SOCI)
    assert load(name, result.text) == expected
    diff = list(difflib.ndiff(original.splitlines(), result.text.splitlines()))
    removed = [d[2:] for d in diff if d.startswith("- ") and "imageServiceEndpoint" not in d]
    added = [d[2:] for d in diff if d.startswith("+ ") and "imageServiceEndpoint" not in d]
    # The only change to an existing line: the last JSON member gains its comma.
    assert [line + "," for line in removed] == added
    assert len(removed) <= 1


@pytest.mark.parametrize("name", FILES)
def test_idempotent_and_reversible(name):
    original = fixture_text("kubelet", name)
    once = edit(original, name, SOCI)
    twice = edit(once.text, name, SOCI)
    assert not twice.changed and twice.text == once.text
    back = edit(once.text, name, None)
    if "imageServiceEndpoint" in original:
        assert load(name, back.text) == {k: v for k, v in load(name, original).items() if k != "imageServiceEndpoint"}
    else:
        assert back.text == original
    assert not edit(back.text, name, None).changed


def test_one_line_arrays_and_indent_survive():
    original = fixture_text("kubelet", "eks-al2-kubelet-config.json")
    text = edit(original, "kubelet-config.json", SOCI).text
    assert '  "tlsCipherSuites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ' in text
    assert text.endswith('  "maxPods": 29,\n  "imageServiceEndpoint": "%s"\n}\n' % SOCI)


def test_four_space_drop_in_keeps_its_indent():
    text = edit(fixture_text("kubelet", "al2023-config-drop-in.json"), "40-soci.conf", SOCI).text
    assert '    ],\n    "imageServiceEndpoint": "%s"\n}' % SOCI in text


def test_yaml_value_is_replaced_in_place():
    original = fixture_text("kubelet", "kubeadm-with-endpoint.yaml")
    text = edit(original, "config.yaml", SOCI).text
    assert text == original.replace("unix:///run/containerd/containerd.sock", SOCI)


def test_json_value_is_replaced_in_place():
    original = '{"kind": "KubeletConfiguration", "imageServiceEndpoint": "unix:///old.sock", "maxPods": 3}'
    result = edit(original, "k.json", SOCI)
    assert result.text == original.replace("unix:///old.sock", SOCI)
    assert result.previous == "unix:///old.sock"
    assert edit(result.text, "k.json", None).text == '{"kind": "KubeletConfiguration", "maxPods": 3}'


def test_duplicate_keys_collapse_to_one():
    original = '{\n  "imageServiceEndpoint": "a",\n  "kind": "KubeletConfiguration",\n  "imageServiceEndpoint": "b"\n}\n'
    text = edit(original, "k.json", SOCI).text
    assert text.count("imageServiceEndpoint") == 1 and json.loads(text)["imageServiceEndpoint"] == SOCI


def test_empty_files():
    assert json.loads(edit("{}", "k.json", SOCI).text) == {"imageServiceEndpoint": SOCI}
    assert yaml.safe_load(edit("", "k.yaml", SOCI).text) == {"imageServiceEndpoint": SOCI}


@pytest.mark.parametrize("name, message", [
    ("malformed.json", r"^malformed.json: invalid JSON at line 4, column 1: "),
    ("malformed-yaml.txt", r"^malformed-yaml.txt: invalid YAML at line \d+, column \d+: "),
    ("not-kubelet.yaml", r"^not-kubelet.yaml: kind is 'Pod', not KubeletConfiguration$"),
])
def test_bad_files_are_refused_with_file_and_place(name, message):
    with pytest.raises(KubeletConfigError, match=message):
        edit(fixture_text("kubelet", name), name, SOCI)


def test_non_mapping_is_refused():
    with pytest.raises(KubeletConfigError, match="expected a KubeletConfiguration mapping, found a list"):
        edit("[1, 2]", "k.json", SOCI)
