# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_edits_in_place
short_description: The files a file-edit module would leave as they are, decided from the role's probe alone
version_added: 1.0.0
description:
  - Takes paths and what the role's probe found on the node, and returns the paths whose file is, by its SHA-256, the
    recorded result of the same edit (same module, same options, same version of its code). Editing such a file again
    would change nothing, so the role does not read it.
  - The record is the role's own (one line per file, written by its health check after a healthy run); see
    C(lazypull.soci.soci_edit_record).
options:
  _input:
    description: The files the role would edit.
    type: list
    elements: str
    required: true
  node:
    description: What the probe found (its C(file:PATH) and C(edited:PATH) keys).
    type: dict
    required: true
  kind:
    description: Which edit.
    type: str
    choices: [containerd, kubelet]
    required: true
  options:
    description: The module options that shape the file's content, as the task passes them.
    type: dict
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Patch containerd's configuration where it is not the recorded result already
  lazypull.soci.containerd_soci_patch:
    path: "{{ item }}"
    snapshotter: "{{ edit.snapshotter }}"
    address: "{{ edit.address }}"
    root: "{{ edit.root }}"
  loop: "{{ configs }}"
  when: item not in configs | lazypull.soci.soci_edits_in_place(probed, 'containerd', edit)
"""

RETURN = r"""
_value:
  description: The paths to leave alone, in the order given.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._edit_record import in_place


def soci_edits_in_place(paths, node, kind, options):
    if not isinstance(paths, list) or not isinstance(node, dict) or not isinstance(options, dict):
        raise AnsibleFilterError("soci_edits_in_place needs a list of paths, the probe's dict and the options' dict")
    try:
        return in_place([str(path) for path in paths], node, str(kind), dict(options))
    except ValueError as exc:
        raise AnsibleFilterError("soci_edits_in_place: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_edits_in_place": soci_edits_in_place}
