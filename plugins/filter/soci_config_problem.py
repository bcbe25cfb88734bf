# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_config_problem
short_description: Why SOCI cannot use a configuration, from what its own daemon said about it
version_added: 1.0.0
description:
  - Reads the result of C(soci-snapshotter-grpc --config FILE config dump) run on a configuration and returns, in
    one line, why SOCI cannot use it - the daemon's own error for a bad value, or the keys it does not know.
  - SOCI does not reject unknown keys in its C(config.toml); a misspelt key is silently ignored. A key the daemon's
    effective configuration does not show is one it would ignore; the message lists the keys it knows there.
options:
  _input:
    description: The configuration that was given to the daemon.
    type: dict
    required: true
  result:
    description: The registered result of the C(config dump) command (C(rc), C(stdout), C(stderr)).
    type: dict
    required: true
  path:
    description: The file the configuration is for, named in the message.
    type: str
    required: true
  timeout:
    description: The time limit the command ran under (C(timeout) returns 124 when it ends it).
    type: int
    default: 30
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Refuse a configuration SOCI cannot use
  ansible.builtin.assert:
    that: __problem == ''
    fail_msg: "{{ __problem }}"
  vars:
    __problem: "{{ config | lazypull.soci.soci_config_problem(dump, '/etc/soci-snapshotter-grpc/config.toml') }}"
"""

RETURN = r"""
_value:
  description:
    - Empty when the daemon reads every key, else one line, such as
      C(soci-snapshotter-grpc would ignore these keys of the new /etc/soci-snapshotter-grpc/config.toml ... enabel).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._soci_config import SociConfigError, problem


def soci_config_problem(config, result, path, timeout=30):
    if not isinstance(config, dict) or not isinstance(result, dict):
        raise AnsibleFilterError("soci_config_problem expects a dictionary and a registered command result")
    try:
        return problem(config, int(result.get("rc", 1)), str(result.get("stdout", "")), str(result.get("stderr", "")),
                       str(path), timeout)
    except SociConfigError as exc:
        raise AnsibleFilterError("soci_config_problem: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_config_problem": soci_config_problem}
