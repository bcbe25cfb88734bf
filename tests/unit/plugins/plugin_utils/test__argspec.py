# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The edit modules accept exactly the options their documentation shows (one source: the DOCUMENTATION string)."""

from __future__ import annotations

import yaml

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lazypull.soci.plugins.action import containerd_soci_patch, kubelet_image_endpoint
from ansible_collections.lazypull.soci.plugins.doc_fragments._file_edit import ModuleDocFragment
from ansible_collections.lazypull.soci.plugins.modules import containerd_soci_patch as patch_doc
from ansible_collections.lazypull.soci.plugins.modules import kubelet_image_endpoint as kubelet_doc
from ansible_collections.lazypull.soci.plugins.plugin_utils._argspec import argument_spec

MODULES = {"containerd_soci_patch": (containerd_soci_patch, patch_doc),
           "kubelet_image_endpoint": (kubelet_image_endpoint, kubelet_doc)}
FILES_OPTIONS = {"mode", "owner", "group", "seuser", "serole", "setype", "selevel", "unsafe_writes", "attributes"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_documented_option_is_accepted_and_nothing_else(name):
    action, doc = MODULES[name]
    documented = set(yaml.safe_load(doc.DOCUMENTATION)["options"]) | set(
        yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]) | FILES_OPTIONS
    assert set(action.ActionModule.argument_spec) == documented


def test_types_defaults_choices_and_aliases_come_from_the_documentation():
    spec = containerd_soci_patch.ActionModule.argument_spec
    assert spec["path"] == {"type": "path", "required": True}
    assert spec["config_version"] == {"type": "str", "choices": ["auto", "1", "2", "3", "4"], "default": "auto"}
    assert spec["backup_keep"] == {"type": "int", "default": 0}
    assert spec["attributes"] == {"type": "str", "aliases": ["attr"]}
    assert spec["mode"] == {"type": "raw"}


def test_the_spec_validates_like_a_module_would():
    validator = ArgumentSpecValidator(kubelet_image_endpoint.ActionModule.argument_spec)
    good = validator.validate({"path": "/etc/kubernetes/kubelet/config.json", "attr": "+i"})
    assert good.error_messages == [] and good.validated_parameters["format"] == "auto"
    assert good.validated_parameters["attributes"] == "+i" and good.validated_parameters["backup_keep"] == 0
    bad = validator.validate({"path": "/x", "format": "toml", "enpoint": "unix:///run/x.sock"})
    messages = " ".join(bad.error_messages)
    assert "format must be one of: auto, json, yaml, got: toml" in messages
    assert "enpoint. Supported parameters include: attributes, backup, backup_keep, create, endpoint" in messages


def test_a_later_document_overrides_an_option_and_keeps_the_rest():
    spec = argument_spec("options:\n  a: {type: int, default: 1, description: x}\n  b: {type: str}\n",
                         "options:\n  a: {type: str, default: one, version_added: 1.0.0}\n")
    assert spec == {"a": {"type": "str", "default": "one"}, "b": {"type": "str"}}
