# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: node_layouts
short_description: The node layouts the lazypull.soci role knows, one record each
version_added: 1.0.0
description:
  - Where each node layout keeps containerd's and kubelet's settings, what rewrites them at boot and how the role
    recognises it. The role, the C(lazypull.soci.verify) playbook and the collection's tests read the same records.
  - Without terms, returns every layout by name; with layout names, the record of each.
options:
  _terms:
    description: Layout names (V(eks_al2023), V(eks_al2), V(generic)); none for all.
    type: list
    elements: str
    required: false
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: The kubelet configuration files of every layout
  ansible.builtin.debug:
    msg: "{{ lookup('lazypull.soci.node_layouts').values() | map(attribute='kubelet_configs') | flatten }}"

- name: The record of the EKS AL2023 layout
  ansible.builtin.debug:
    msg: "{{ lookup('lazypull.soci.node_layouts', 'eks_al2023') }}"
"""

RETURN = r"""
_raw:
  description:
    - Without terms, one dictionary of every layout by name; otherwise one record per term.
    - "Each record: C(detect) (the probe's marker, empty for the fallback), C(containerd_configs) and
      C(kubelet_configs) (the files patched, in order), C(kubelet_format) (V(json) or V(yaml)), C(nodeadm_dropin)
      (the NodeConfig drop-in that keeps SOCI across boots, or empty), C(persistent_config) (the file that carries
      SOCI's settings across a reboot), C(containerd_config_to_create) (written when the node has none, or empty),
      C(written_at_boot) (whether the platform writes containerd's and kubelet's configs at every boot)."
  type: list
  elements: dict
"""

import copy

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.lazypull.soci.plugins.plugin_utils._node_layouts import LAYOUTS


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not terms:
            return [copy.deepcopy(LAYOUTS)]
        unknown = [str(term) for term in terms if term not in LAYOUTS]
        if unknown:
            raise AnsibleLookupError("node_layouts: unknown layout %s (known: %s)" % (", ".join(unknown), ", ".join(LAYOUTS)))
        return [copy.deepcopy(LAYOUTS[term]) for term in terms]
