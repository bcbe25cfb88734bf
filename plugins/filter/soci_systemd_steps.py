# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_systemd_steps
short_description: The ordered systemd steps a run takes, from what it changed and what the role's probe found
version_added: 1.0.0
description:
  - Returns the steps the role's health check (C(roles/soci/files/health.sh)) takes in one round trip, in this order
    - C(reload) where a unit or drop-in changed, C(enable:UNIT) for boot units that are not enabled, C(restart:soci)
    where SOCI's binaries, units or config.toml changed (not under running containers unless allowed),
    C(restart:containerd.service), C(restart:kubelet.service) where kubelet runs, and once the node answers
    C(import:lazypull-soci-sandbox-import.service) and C(drop:PATH) per replaced binary's copy.
options:
  _input:
    description:
      - What the run changed - C(files) (paths written, or in check mode to be written), C(package) (bool),
        C(containerd) (its configuration or default runtime changed), C(kubelet) (its image endpoint changed),
        C(old_copies) (the backups it kept only until the node proved healthy).
    type: dict
    required: true
  node:
    description: What the probe found (C(running), C(kubelet), C(sandbox_archive), C(enabled:UNIT) keys).
    type: dict
    required: true
  files:
    description:
      - The role's C(unit_dir), C(soci_files) (whose change restarts SOCI), C(containerd_dropin), C(sandbox_unit),
        C(boot_units) (to enable for every boot) and C(restart_under_running) (soci_restart_under_running_containers);
        optional C(bake) (soci_bake, an image build; no restarts, the snapshotter tried once, then its data folder
        C(root_dir) emptied).
    type: dict
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Restart what changed and wait for the snapshotter
  ansible.builtin.command:
    argv: "{{ ['/bin/sh', '-c', health_script, 'health'] + health_args
      + (changed | lazypull.soci.soci_systemd_steps(probed, role_files)) + ['--'] + run_units }}"
"""

RETURN = r"""
_value:
  description: The steps, in the order health.sh takes them.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._systemd_steps import steps


def soci_systemd_steps(changed, node, files):
    if not isinstance(changed, dict) or not isinstance(node, dict) or not isinstance(files, dict):
        raise AnsibleFilterError("soci_systemd_steps needs the changes' dict, the probe's dict and the files' dict")
    try:
        return steps(changed, node, files)
    except ValueError as exc:
        raise AnsibleFilterError("soci_systemd_steps: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_systemd_steps": soci_systemd_steps}
