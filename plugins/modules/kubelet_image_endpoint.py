#!/usr/bin/python
# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done on the controller by the action plugin of the same name (YAML is parsed with the
# controller's PyYAML); this file holds the documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: kubelet_image_endpoint
short_description: Set or remove imageServiceEndpoint in a KubeletConfiguration file
version_added: 1.0.0
description:
  - Points kubelet's image service at the SOCI snapshotter's CRI proxy, which caches registry credentials for lazy
    loading from private registries, by setting C(imageServiceEndpoint) in a KubeletConfiguration file.
  - Works on JSON files (EKS AL2 C(/etc/kubernetes/kubelet/kubelet-config.json), EKS AL2023
    C(/etc/kubernetes/kubelet/config.json.d/) drop-ins) and YAML files (kubeadm C(/var/lib/kubelet/config.yaml)).
  - Only that one key is touched; every other byte keeps its place, indentation style included. The edited file is
    parsed again and must equal the original plus the one change, otherwise the task fails and the file is untouched.
extends_documentation_fragment:
  - ansible.builtin.files
  - lazypull.soci._file_edit
options:
  path:
    description: The KubeletConfiguration file.
    type: path
    required: true
  state:
    description: V(present) sets C(imageServiceEndpoint) to O(endpoint); V(absent) removes the key.
    type: str
    choices: [present, absent]
    default: present
  endpoint:
    description: The image service endpoint.
    type: str
    default: unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock
  format:
    description:
      - File format. V(auto) treats C(.json) and C(.conf) files and files that start with C({) as JSON, others as YAML.
    type: str
    choices: [auto, json, yaml]
    default: auto
  create:
    description:
      - Create the file as a minimal KubeletConfiguration (for example a drop-in) when it does not exist.
    type: bool
    default: false
requirements:
  - PyYAML (on the controller; ansible-core depends on it)
notes:
  - Restart kubelet after a change. The SOCI snapshotter must serve its CRI proxy (C([cri_keychain] enable_keychain = true))
    before kubelet starts, or kubelet cannot pull images.
  - On EKS AL2023 nodeadm regenerates the kubelet configuration at every boot; use a NodeConfig drop-in for
    settings that must survive a reboot.
seealso:
  - module: lazypull.soci.containerd_soci_patch
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Send kubelet's image requests through SOCI (EKS AL2)
  lazypull.soci.kubelet_image_endpoint:
    path: /etc/kubernetes/kubelet/kubelet-config.json
    backup: true
  notify: Restart kubelet

- name: Same on a kubeadm node
  lazypull.soci.kubelet_image_endpoint:
    path: /var/lib/kubelet/config.yaml

- name: Give kubelet back its own image service
  lazypull.soci.kubelet_image_endpoint:
    path: /etc/kubernetes/kubelet/kubelet-config.json
    state: absent
"""

RETURN = r"""
path:
  description: The file that was edited.
  returned: always
  type: str
  sample: /etc/kubernetes/kubelet/kubelet-config.json
previous:
  description: The value of C(imageServiceEndpoint) before the change, V(null) if it was not set.
  returned: success
  type: str
  sample: null
format:
  description: The format the file was handled as, V(null) when O(state=absent) found no file.
  returned: success
  type: str
  sample: json
sha256:
  description:
    - The SHA-256 of the file's content after the task (in check mode, of the content it would have).
    - The role records it, so that a re-run can tell from its probe that the file needs no edit.
  returned: success, where the file exists or is written
  type: str
  sample: 0c5e8d6a3f0b3b4a1c9e7d2f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b
backup_file:
  description: The backup copy of the original file.
  returned: changed and O(backup=true)
  type: str
  sample: /etc/kubernetes/kubelet/kubelet-config.json.2345.2026-11-21@10:00:00~
backups_removed:
  description: Older backup copies deleted to keep O(backup_keep) of them.
  returned: changed, O(backup=true) and O(backup_keep) above 0
  type: list
  elements: str
  sample: [/etc/kubernetes/kubelet/kubelet-config.json.2210.2026-11-01@10:00:00~]
"""
