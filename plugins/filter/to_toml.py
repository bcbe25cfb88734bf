# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: to_toml
short_description: Render a dictionary as a TOML document
version_added: 1.0.0
description:
  - Renders nested dictionaries as TOML tables, with C(tomlkit) on the controller.
  - Used by the C(lazypull.soci.soci) role for C(/etc/soci-snapshotter-grpc/config.toml) and for the containerd
    settings in the EKS AL2023 NodeConfig drop-in.
options:
  _input:
    description: The data to render. Keys must be strings; values strings, numbers, booleans, lists or dictionaries.
    type: dict
    required: true
requirements:
  - tomlkit (on the controller)
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Write SOCI's configuration
  ansible.builtin.copy:
    dest: /etc/soci-snapshotter-grpc/config.toml
    content: "{{ {'cri_keychain': {'enable_keychain': true}} | lazypull.soci.to_toml }}"
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The TOML document.
  type: string
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

try:
    import tomlkit
except ImportError:
    tomlkit = None


def _plain(value):
    """Turn Ansible's wrapped values (tagged strings, lazy containers) into plain Python types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def to_toml(data):
    if tomlkit is None:
        raise AnsibleFilterError("to_toml needs the Python library tomlkit on the controller")
    if not isinstance(data, dict):
        raise AnsibleFilterError("to_toml expects a dictionary, got %s" % type(data).__name__)
    plain = _plain(data)
    if any(v is None for v in _leaves(plain)):
        raise AnsibleFilterError("to_toml: TOML has no null value; drop the keys that are null")
    try:
        return tomlkit.dumps(plain)
    except Exception as exc:  # tomlkit raises several types for unrepresentable input
        raise AnsibleFilterError("to_toml: %s" % to_native(exc))


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


class FilterModule:
    def filters(self):
        return {"to_toml": to_toml}
