# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_undo_ledger
short_description: How to undo a failed run of the lazypull.soci role, file by file
version_added: 1.0.0
description:
  - Builds the ledger of the files a run changed from what its steps reported - the registered results of the
    module tasks that write files and the C(PATH BACKUP) lines of the role's C(write-files.sh) - and says, for each,
    how to give back its state before the run's first change of it (the backup to move back, or the new file to
    remove). Files the role writes that were not on the node before and that no step reported are removed too.
options:
  _input:
    description: Registered results of module tasks that write files (loops included).
    type: list
    elements: dict
    required: true
  written:
    description: C([PATH, BACKUP]) per file C(write-files.sh) wrote; BACKUP V(-) where the file was new.
    type: list
    elements: list
    default: []
  owned_files:
    description: The files the role writes on this node.
    type: list
    elements: str
    default: []
  owned_dirs:
    description: The folders the role creates on this node.
    type: list
    elements: str
    default: []
  present:
    description: The paths the role's probe found before the run.
    type: list
    elements: str
    default: []
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Put back what the run changed
  ansible.builtin.command:
    argv: "{{ ['/bin/sh', '-c', lookup('ansible.builtin.file', 'restore.sh'), 'rollback'] + ledger.restore | flatten
      + ['--'] + ledger.remove + ['--'] + ledger.remove_dirs }}"
  vars:
    ledger: "{{ [patched] | lazypull.soci.soci_undo_ledger(written=[['/etc/soci/config.toml', '-']], present=[]) }}"
"""

RETURN = r"""
_value:
  description: C(restore) (C([BACKUP, PATH]) pairs), C(remove) (files) and C(remove_dirs) (folders, if empty).
  type: dict
"""

from ansible_collections.lazypull.soci.plugins.plugin_utils._rollback import undo_ledger


def soci_undo_ledger(module_results, written=(), owned_files=(), owned_dirs=(), present=()):
    return undo_ledger(list(module_results or []), [list(map(str, pair)) for pair in written or []],
                       [str(p) for p in owned_files or []], [str(p) for p in owned_dirs or []],
                       {str(p) for p in present or []})


class FilterModule:
    def filters(self):
        return {"soci_undo_ledger": soci_undo_ledger}
