#!/usr/bin/python
# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done on the controller by the action plugin of the same name;
# this file holds the documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: containerd_soci_patch
short_description: Point containerd's CRI at the SOCI snapshotter by patching only the keys SOCI needs
version_added: 1.0.0
description:
  - Patches a containerd C(config.toml) so that the CRI plugin pulls through a remote snapshotter (SOCI by default). It
    sets C(snapshotter) and C(disable_snapshot_annotations) in the CRI image table of the file's schema and
    registers the C([proxy_plugins.<snapshotter>]) table with C(type), C(address) and C(exports.root).
  - Handles config schema 1 (no C(version) key, C(plugins.cri)), 2 (C(plugins."io.containerd.grpc.v1.cri".containerd)),
    3 and 4 (C(plugins."io.containerd.cri.v1.images")), in nested, dotted-key and inline-table spellings.
    Existing tables are merged into; no table is ever appended twice.
  - Everything else in the file is kept byte for byte, including comments, key order, quoting and placeholders such
    as C(sandbox_image = "SANDBOX_IMAGE") in the EKS AL2 template.
  - "A key the patch adds or changes gets a trailing C(# lazypull.soci: added) or C(# lazypull.soci: was <value>)
    comment, as does a table header it adds, so that O(state=absent) gives back exactly the previous file."
  - The file is edited as text on the controller, only where the patch writes; Python's C(tomllib) checks that the
    result holds exactly the original settings plus the intended ones, or nothing is written. The managed node
    needs nothing beyond Python.
extends_documentation_fragment:
  - ansible.builtin.files
  - lazypull.soci._file_edit
attributes:
  check_mode:
    details: With O(validate), the validation command still runs on a temporary copy in check mode.
options:
  path:
    description:
      - The containerd configuration file, for example C(/etc/containerd/config.toml) or the EKS AL2 template
        C(/etc/eks/containerd/containerd-config.toml).
    type: path
    required: true
  state:
    description:
      - V(present) configures the snapshotter; V(absent) undoes it.
      - V(absent) restores every key that carries a C(lazypull.soci) marker to its previous value, sets an unmarked
        C(snapshotter) equal to O(snapshotter) back to O(restore_snapshotter), and removes the proxy plugin table.
    type: str
    choices: [present, absent]
    default: present
  snapshotter:
    description:
      - Name of the snapshotter, used both as the CRI C(snapshotter) value and as the C(proxy_plugins) table name.
    type: str
    default: soci
  address:
    description: The snapshotter's gRPC socket.
    type: str
    default: /run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock
  root:
    description:
      - The snapshotter's data directory, exported to containerd as C(exports.root) so that kubelet can compute
        disk usage and run image garbage collection. An empty string leaves C(exports) alone.
    type: str
    default: /var/lib/soci-snapshotter-grpc
  config_version:
    description:
      - The config schema to patch. V(auto) reads the file's C(version) key (no key means schema 1).
      - An explicit value must match the file, except that a file without plugin settings gets that C(version)
        key; a missing file needs an explicit value with O(create=true).
    type: str
    choices: [auto, "1", "2", "3", "4"]
    default: auto
  disable_snapshot_annotations:
    description:
      - Value for the CRI C(disable_snapshot_annotations) key. It must be V(false) for lazy loading, because the
        annotations tell the snapshotter which image a layer belongs to.
    type: bool
    default: false
  discard_unpacked_layers:
    description:
      - Value for the CRI C(discard_unpacked_layers) key. Unset leaves the key as it is.
    type: bool
  restore_snapshotter:
    description:
      - With O(state=absent), the snapshotter to set where C(snapshotter) equals O(snapshotter) and carries no
        C(lazypull.soci) marker recording its previous value.
    type: str
    default: overlayfs
  validate:
    description:
      - Command run on a temporary copy of the new content before it replaces the file; C(%s) is that copy, made
        next to the file (so that relative C(imports) resolve as they will for the file) and removed afterwards.
        A non-zero exit fails the task and leaves the file untouched.
      - When the command prints a containerd config dump (as V(containerd --config %s config dump) does), the
        effective configuration is checked too, catching files that containerd accepts but partly ignores
        (a version 1 file on containerd 2.x, a version 3 file on containerd 1.6, an C(imports) drop-in that
        replaces the CRI section).
    type: str
  create:
    description: Create the file when it does not exist (needs an explicit O(config_version)).
    type: bool
    default: false
requirements:
  - Python 3.11 or later on the controller (C(tomllib)), as ansible-core 2.19 needs anyway
notes:
  - Restart containerd after a change for it to take effect; the SOCI snapshotter must be running first.
  - "Values inside inline tables cannot carry comments of their own; their markers go at the end of the line that
    holds the inline table and name the keys, for example C(# lazypull.soci: containerd.snapshotter was \"overlayfs\")."
  - On containerd 2.1 and later, C(disable_snapshot_annotations = false) keeps CRI image pulls on the local
    (non transfer-service) path, which is what SOCI lazy loading uses.
seealso:
  - module: lazypull.soci.containerd_version
  - module: lazypull.soci.kubelet_image_endpoint
  - name: SOCI snapshotter on Kubernetes
    description: The containerd settings SOCI needs.
    link: https://github.com/awslabs/soci-snapshotter/blob/main/docs/kubernetes.md
author:
  - lazypull.soci maintainers (@lazypull)
"""

EXAMPLES = r"""
- name: Configure containerd for SOCI, checked by the node's own containerd
  lazypull.soci.containerd_soci_patch:
    path: /etc/containerd/config.toml
    validate: containerd --config %s config dump
    backup: true
  notify: Restart containerd

- name: Patch the EKS AL2 template that bootstrap.sh copies at every boot
  lazypull.soci.containerd_soci_patch:
    path: /etc/eks/containerd/containerd-config.toml

- name: Write a new config for containerd 2.x
  lazypull.soci.containerd_soci_patch:
    path: /etc/containerd/config.toml
    create: true
    config_version: "3"
    mode: "0644"

- name: Go back to overlayfs
  lazypull.soci.containerd_soci_patch:
    path: /etc/containerd/config.toml
    state: absent
"""

RETURN = r"""
path:
  description: The file that was patched.
  returned: always
  type: str
  sample: /etc/containerd/config.toml
config_version:
  description: The config schema of the file, V(null) when O(state=absent) found no file.
  returned: success
  type: int
  sample: 2
cri_table:
  description: The TOML table that holds C(snapshotter) in that schema.
  returned: success
  type: str
  sample: plugins."io.containerd.grpc.v1.cri".containerd
patched_keys:
  description: TOML paths of the keys this run set, restored or removed. Empty when nothing changed.
  returned: success
  type: list
  elements: str
  sample: ['plugins."io.containerd.grpc.v1.cri".containerd.snapshotter', proxy_plugins.soci.address]
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
  sample: /etc/containerd/config.toml.2345.2026-11-21@10:00:00~
backups_removed:
  description: Older backup copies deleted to keep O(backup_keep) of them.
  returned: changed, O(backup=true) and O(backup_keep) above 0
  type: list
  elements: str
  sample: [/etc/containerd/config.toml.2210.2026-11-01@10:00:00~]
"""
