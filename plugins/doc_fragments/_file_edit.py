# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this doc fragment is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

from __future__ import annotations


class ModuleDocFragment:
    # The file-editing modules: an action plugin on the controller reads, edits and writes one file on the node
    # (plugin_utils/_file_edit_action.py).
    DOCUMENTATION = r"""
options:
  backup:
    description: Keep a timestamped copy of the original file next to it when the file changes.
    type: bool
    default: false
  backup_keep:
    description:
      - With O(backup=true), keep only this many backup copies of the file (the newest, by the time in their names)
        and delete older ones when a new one is made. V(0) keeps them all.
      - The copies keep the file's mode and whatever it holds, registry credentials included.
    type: int
    default: 0
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host.
    support: none
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
  safe_file_operations:
    description: Uses Ansible's strict file operation functions to ensure proper permissions and avoid data corruption.
    support: full
  vault:
    description: Can automatically decrypt Ansible vaulted files.
    support: none
"""
