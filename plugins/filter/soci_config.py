# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: soci_config
short_description: SOCI's config.toml for a pull mode, as a dictionary
version_added: 1.0.0
description:
  - The settings the C(lazypull.soci.soci) role writes to C(/etc/soci-snapshotter-grpc/config.toml) for a pull mode,
    with the keychains of the credential sources, the C(unpigz) decompressor and the user's overrides merged in.
options:
  _input:
    description: The pull mode.
    type: str
    choices: [lazy, parallel, lazy+parallel-fallback]
    required: true
  auth:
    description:
      - Where SOCI finds registry credentials. V(cri) adds the CRI keychain (SOCI keeps the credentials kubelet sends
        through it), V(kubeconfig) the kubeconfig keychain (SOCI watches image pull secrets through O(kubeconfig)).
      - V(docker_config) (root's docker config, always read by SOCI) and V(anonymous) need no setting.
    type: list
    elements: str
    choices: [cri, docker_config, kubeconfig, anonymous]
    default: [cri]
  kubeconfig:
    description: Path of the kubeconfig on the node, for V(kubeconfig) in O(auth).
    type: str
    default: ""
  unpigz:
    description: Path of C(unpigz) on the node, for the parallel modes; empty when it has none.
    type: str
    default: ""
  overrides:
    description: Tables merged over the result, key by key.
    type: dict
    default: {}
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Write SOCI's configuration for parallel pulls
  ansible.builtin.copy:
    dest: /etc/soci-snapshotter-grpc/config.toml
    content: "{{ 'parallel' | lazypull.soci.soci_config(unpigz='/usr/bin/unpigz') | lazypull.soci.to_toml }}"
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The configuration, ready for C(lazypull.soci.to_toml).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.plugin_utils._soci_config import SociConfigError, build


def soci_config(mode, auth=("cri",), kubeconfig="", unpigz="", overrides=None):
    try:
        return build(str(mode), auth=[str(source) for source in auth], kubeconfig=str(kubeconfig or ""),
                     unpigz=str(unpigz or ""), overrides=overrides or {})
    except SociConfigError as exc:
        raise AnsibleFilterError("soci_config: %s" % exc)


class FilterModule:
    def filters(self):
        return {"soci_config": soci_config}
