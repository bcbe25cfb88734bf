# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The node layouts the role knows, one record each: where containerd and kubelet keep their settings, what
rewrites them at boot, and how the layout is recognised. The role (through the node_layouts lookup), the verify
playbooks and the tests read them from here; adding a layout is adding a record."""

from __future__ import annotations

# The NodeConfig drop-in that keeps SOCI's settings where nodeadm regenerates the configs at every boot. Named apart
# from nodeadm's own drop-ins; no backup is ever left next to it (nodeadm would read it too).
NODEADM_DROPIN = "/etc/eks/nodeadm.d/50-lazypull-soci.yaml"

# In the order the role tries them: the first whose marker (a key of the role's probe, "1" where the node has it)
# matches is the node's layout; the last has none and takes every other node.
LAYOUTS = {
    # EKS AL2023 (nodeadm): containerd's and kubelet's configs are written by nodeadm at every boot, from the user data
    # and the drop-ins in /etc/eks/nodeadm.d; the GPU AMI's nodeadm sets the nvidia runtime itself.
    "eks_al2023": {
        "detect": "nodeadm",
        "containerd_configs": ["/etc/containerd/config.toml"],
        "kubelet_configs": ["/etc/kubernetes/kubelet/config.json"],
        "kubelet_format": "json",
        "nodeadm_dropin": NODEADM_DROPIN,
        "persistent_config": NODEADM_DROPIN,
        "containerd_config_to_create": "",
        "written_at_boot": True,
    },
    # EKS AL2 (bootstrap.sh): the template in /etc/eks/containerd is copied to /etc/containerd/config.toml at boot,
    # so both get SOCI.
    "eks_al2": {
        "detect": "eks_al2",
        "containerd_configs": ["/etc/eks/containerd/containerd-config.toml", "/etc/containerd/config.toml"],
        "kubelet_configs": ["/etc/kubernetes/kubelet/kubelet-config.json"],
        "kubelet_format": "json",
        "nodeadm_dropin": "",
        "persistent_config": "/etc/eks/containerd/containerd-config.toml",
        "containerd_config_to_create": "",
        "written_at_boot": False,
    },
    # kubeadm and other nodes: the files are the live ones; a node without a containerd config gets one
    # (containerd's defaults plus SOCI).
    "generic": {
        "detect": "",
        "containerd_configs": ["/etc/containerd/config.toml"],
        "kubelet_configs": ["/var/lib/kubelet/config.yaml"],
        "kubelet_format": "yaml",
        "nodeadm_dropin": "",
        "persistent_config": "/etc/containerd/config.toml",
        "containerd_config_to_create": "/etc/containerd/config.toml",
        "written_at_boot": False,
    },
}
