# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_edit_record
short_description: The record of containerd's and kubelet's files a run leaves on the node, for the next run's probe
version_added: 1.0.0
description:
  - Takes the registered results of the role's file-edit tasks, and returns the lines (C(STAMP SHA256 PATH)) that
    let the next run decide from its probe alone that those files need no edit (C(lazypull.soci.soci_edits_in_place)).
  - Returns an empty string where the node's record has those lines already, or where there is nothing to record.
options:
  _input:
    description: One dict per file-edit task, with C(kind) (V(containerd) or V(kubelet)), C(options) (as given to
      C(lazypull.soci.soci_edits_in_place)) and C(results) (the task's registered result, a loop).
    type: list
    elements: dict
    required: true
  node:
    description: What the probe found (its C(file:PATH) and C(edited:PATH) keys).
    type: dict
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Keep the record once the node proved healthy
  ansible.builtin.copy:
    dest: /var/lib/lazypull-soci/edits
    content: "{{ record }}\n"
    mode: "0644"
  vars:
    record: "{{ [{'kind': 'containerd', 'options': edit, 'results': patched}] | lazypull.soci.soci_edit_record(probed) }}"
  when: record != ''
"""

RETURN = r"""
_value:
  description: The record's lines, one per file, or an empty string.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._edit_record import record


def soci_edit_record(edits, node):
    if not isinstance(edits, list) or not isinstance(node, dict):
        raise AnsibleFilterError("soci_edit_record needs a list of edits and the probe's dict")
    try:
        return record(node, edits)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("soci_edit_record: each edit needs kind, options and results: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_edit_record": soci_edit_record}
