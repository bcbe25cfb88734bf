# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_ignored_keys
short_description: The keys of a SOCI configuration that SOCI would ignore
version_added: 1.0.0
description:
  - SOCI does not reject unknown keys in its C(config.toml); a misspelt key is silently ignored. This filter compares
    a configuration with what the real daemon printed for it (C(soci-snapshotter-grpc --config FILE config dump))
    and returns every key the daemon did not show, with the keys it knows at that place.
options:
  _input:
    description: The configuration that was given to the daemon.
    type: dict
    required: true
  dump:
    description: What C(config dump) printed for it.
    type: str
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Refuse keys SOCI does not know
  ansible.builtin.assert:
    that: config | lazypull.soci.soci_ignored_keys(dump.stdout) | length == 0
"""

RETURN = r"""
_value:
  description:
    - One entry per unknown key, such as C(pull_modes.soci_v2.enabel (known there - enable)); empty if none.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._soci_config import SociConfigError, ignored_keys


def soci_ignored_keys(config, dump):
    if not isinstance(config, dict):
        raise AnsibleFilterError("soci_ignored_keys expects a dictionary, got %s" % type(config).__name__)
    try:
        found = ignored_keys(config, str(dump))
    except SociConfigError as exc:
        raise AnsibleFilterError("soci_ignored_keys: %s" % exc)
    return ["%s (known there - %s)" % (path, ", ".join(known) or "none") for path, known in found]


class FilterModule:
    def filters(self):
        return {"soci_ignored_keys": soci_ignored_keys}
