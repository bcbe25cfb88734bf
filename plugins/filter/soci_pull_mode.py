# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_pull_mode
short_description: The pull mode a SOCI config.toml runs the snapshotter in
version_added: 1.0.0
description:
  - Reads the text of a C(/etc/soci-snapshotter-grpc/config.toml) and says which pull mode it sets, by the same
    settings C(lazypull.soci.soci_config) writes for each mode (also on files nodeadm wrote for FastImagePull).
options:
  _input:
    description: The file's text; empty when the node has none.
    type: str
    required: true
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Read SOCI's configuration
  ansible.builtin.slurp:
    src: /etc/soci-snapshotter-grpc/config.toml
  register: soci_config

- name: Say its pull mode
  ansible.builtin.debug:
    msg: "{{ soci_config.content | b64decode | lazypull.soci.soci_pull_mode }}"
"""

RETURN = r"""
_value:
  description: V(lazy), V(parallel) or V(lazy+parallel-fallback); an empty string for an empty input.
  type: str
"""

import tomllib

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._soci_config import pull_mode


def soci_pull_mode(text):
    text = str(text or "")
    if not text.strip():
        return ""
    try:
        return pull_mode(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise AnsibleFilterError("soci_pull_mode: not a valid config.toml: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_pull_mode": soci_pull_mode}
