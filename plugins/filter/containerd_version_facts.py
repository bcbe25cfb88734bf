# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: containerd_version_facts
short_description: What C(containerd --version) output says, as the containerd_version module returns it
version_added: 1.0.0
description:
  - Parses the first line C(containerd --version) printed, read on the node by a command of your own (the
    C(lazypull.soci.soci) role reads it in its probe, saving the module's round trip), and checks it against a PEP 440
    range on the controller.
  - Returns the same keys as M(lazypull.soci.containerd_version).
options:
  _input:
    description: What C(containerd --version) printed; empty when there is no containerd.
    type: str
    required: true
  binary:
    description: The containerd binary that printed it; empty (or missing) when the node has none.
    type: str
    default: ""
  supported:
    description: PEP 440 version specifier the version must satisfy.
    type: str
    default: ">=1.6.0"
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Read the version with other facts in one command
  ansible.builtin.shell: |
    command -v containerd
    containerd --version
  register: probe
  changed_when: false

- name: Parse it
  ansible.builtin.set_fact:
    containerd: "{{ probe.stdout_lines[1] | default('') | lazypull.soci.containerd_version_facts(
      binary=probe.stdout_lines[0] | default(''), supported='>=1.7,<3') }}"
"""

RETURN = r"""
_value:
  description: >-
    The keys of M(lazypull.soci.containerd_version): C(installed), C(binary), C(version), C(major), C(minor),
    C(patch), C(prerelease), C(pep440), C(raw), C(config_version), C(cri_images_table), C(supported),
    C(supported_range). Without a binary only C(installed=false), C(supported) and C(supported_range).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.module_utils._containerd_version import VersionError, parse_version
from ansible_collections.lazypull.soci.plugins.plugin_utils._containerd_support import SupportError, supported as in_range


def containerd_version_facts(output, binary="", supported=">=1.6.0"):
    binary = str(binary or "")
    try:
        if not binary:
            return dict(in_range({"installed": False}, supported), installed=False)
        if not str(output or "").strip():
            raise VersionError("printed nothing")
        facts = dict(parse_version(str(output)), installed=True, binary=binary)
        return dict(facts, **in_range(facts, supported))
    except VersionError as exc:
        raise AnsibleFilterError("%s --version: %s" % (binary, exc))
    except SupportError as exc:
        raise AnsibleFilterError("containerd_version_facts: %s" % exc)


class FilterModule:
    def filters(self):
        return {"containerd_version_facts": containerd_version_facts}
