# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_node_plan
short_description: What a node is and whether the lazypull.soci role can go on with it, from the role's probe
version_added: 1.0.0
description:
  - Reads the lines the role's probe printed (C(roles/soci/files/probe.sh)) and decides, with the role's settings,
    the node layout, architecture, GPU, how SOCI gets there, the files found, the credential sources, and the first
    reason to stop (C(problem)), in one place instead of a task per check.
options:
  _input:
    description: The probe's output lines (C(key=value)).
    type: list
    elements: str
    required: true
  settings:
    description:
      - The role's variables without their C(soci_) prefix (C(state), C(layout), C(gpu), C(install_method), C(version),
        C(bin_dir), C(unsupported_action), C(containerd_binary), C(containerd_supported), C(convert_running_node),
        C(snapshotter_name), C(remove_data), C(root_dir), C(pull_mode), C(socket), C(auth), C(cri_keychain),
        C(kubeconfig), C(kubelet_configs)), and C(ansible_version), C(python_fallbacks), C(min_node_python),
        C(docker_config), C(helper_path), C(platform_daemon).
    type: dict
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Decide what this node is
  ansible.builtin.set_fact:
    plan: "{{ probe.stdout_lines | lazypull.soci.soci_node_plan(settings) }}"

- name: Stop where the role cannot go on
  ansible.builtin.assert:
    that: plan.problem == ''
    fail_msg: "{{ plan.problem }}"
"""

RETURN = r"""
_value:
  description: >-
    C(node) (the probe's keys), C(containerd) (as M(lazypull.soci.containerd_version) returns it), C(arch), C(layout),
    C(gpu), C(skip), C(method), C(own_units), C(daemon_version), C(present), C(kubelet_configs), C(auth),
    C(cri_keychain) and C(problem) (empty when the role can go on).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.containerd_version_facts import containerd_version_facts
from ansible_collections.lazypull.soci.plugins.plugin_utils._node_plan import parse_probe, plan


def soci_node_plan(lines, settings):
    if not isinstance(lines, list) or not isinstance(settings, dict):
        raise AnsibleFilterError("soci_node_plan needs the probe's lines and the role's settings")
    node = parse_probe([str(line) for line in lines])
    containerd = containerd_version_facts(node.get("containerd_version", ""), binary=node.get("containerd_binary", ""),
                                          supported=settings.get("containerd_supported", ">=1.6.0"))
    try:
        return dict(plan(node, containerd, settings), node=node, containerd=containerd)
    except ValueError as exc:
        raise AnsibleFilterError("soci_node_plan: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_node_plan": soci_node_plan}
