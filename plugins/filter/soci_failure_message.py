# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_failure_message
short_description: The lazypull.soci role's one-line failure message after a rollback
version_added: 1.0.0
description:
  - Says which step failed and why (its first failed item's response, stderr or message; a checksum mismatch with
    where the expected sum came from; a download with its URL and the attempts made), what the rollback put back,
    removed, stopped and restarted, and where the logs are.
options:
  _input:
    description: The failed task's result (C(ansible_failed_result)).
    type: dict
    required: true
  task:
    description: The failed task's name.
    type: str
    default: ""
  rolled_back:
    description: The lines the role's C(restore.sh) printed (C(restored PATH), C(removed PATH)).
    type: list
    elements: str
    default: []
  soci_disabled:
    description: Whether the rollback stopped and disabled SOCI units this run had brought.
    type: bool
    default: false
  soci_restart:
    description: The registered result of restarting the SOCI the node ran before (skipped or absent if not done).
    type: dict
    default: {}
  containerd_restart:
    description: The registered result of restarting containerd on its previous configuration.
    type: dict
    default: {}
  applied:
    description: Whether the run had restarted anything (then the logs are worth reading).
    type: bool
    default: false
  vouched_by:
    description: Where the expected sha256 of the release came from.
    type: str
    default: ""
  attempts:
    description: How many times a failed download was tried (0 where it was not retried).
    type: int
    default: 0
  kept:
    description: Changes of this run the rollback deliberately kept (the GPU settings), in words.
    type: list
    elements: str
    default: []
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Fail with the cause and what was undone
  ansible.builtin.fail:
    msg: "{{ ansible_failed_result | lazypull.soci.soci_failure_message(task=ansible_failed_task.name,
      rolled_back=undone.stdout_lines) }}"
"""

RETURN = r"""
_value:
  description: "One line: C(SOCI was not set up: STEP: CAUSE. Rolled back: ...) or C(... Nothing on the node was changed.)"
  type: str
"""

from ansible_collections.lazypull.soci.plugins.plugin_utils._rollback import failure_message, undo_report


def soci_failure_message(failed, task="", rolled_back=(), soci_disabled=False, soci_restart=None,
                         containerd_restart=None, applied=False, vouched_by="", attempts=0, kept=()):
    done = undo_report([str(line) for line in rolled_back or []], bool(soci_disabled), soci_restart or {},
                       containerd_restart or {})
    return failure_message(failed or {}, str(task or ""), bool(applied), str(vouched_by or ""), int(attempts or 0), done,
                           [str(item) for item in kept or []])


class FilterModule:
    def filters(self):
        return {"soci_failure_message": soci_failure_message}
