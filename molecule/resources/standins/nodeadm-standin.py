# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TEST STAND-IN for the config phase of EKS AL2023's nodeadm (`nodeadm init --skip run`), run at every boot.

Like nodeadm it rewrites /etc/containerd/config.toml and /etc/kubernetes/kubelet/config.json wholesale: a base
(what nodeadm's templates give) deep-merged with every NodeConfig document in /etc/eks/nodeadm.d/, in file-name
order (`spec.containerd.config` is TOML, merged key by key; `spec.kubelet.config` is merged as JSON). A document
that is not a node.eks.aws/v1alpha1 NodeConfig, or whose TOML does not parse, fails the boot as nodeadm would.
"""

import glob
import json
import os
import sys
import tomllib

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toml_dump import dump_toml  # noqa: E402  (the stand-ins' shared TOML writer)

BASE = "/etc/eks/lazypull-standin"


def merge(into, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def main():
    with open(os.path.join(BASE, "containerd-base.toml"), "rb") as handle:
        containerd = tomllib.load(handle)
    with open(os.path.join(BASE, "kubelet-base.json")) as handle:
        kubelet = json.load(handle)
    for path in sorted(glob.glob("/etc/eks/nodeadm.d/*")):
        if not path.endswith((".yaml", ".yml", ".json")):
            continue
        with open(path) as handle:
            doc = yaml.safe_load(handle)
        if not isinstance(doc, dict) or doc.get("apiVersion") != "node.eks.aws/v1alpha1" or doc.get("kind") != "NodeConfig":
            sys.exit(f"nodeadm (stand-in): {path} is not a node.eks.aws/v1alpha1 NodeConfig")
        spec = doc.get("spec") or {}
        if (spec.get("containerd") or {}).get("config"):
            try:
                merge(containerd, tomllib.loads(spec["containerd"]["config"]))
            except tomllib.TOMLDecodeError as exc:
                sys.exit(f"nodeadm (stand-in): {path}: spec.containerd.config: {exc}")
        merge(kubelet, (spec.get("kubelet") or {}).get("config") or {})
        print(f"nodeadm (stand-in): merged {path}")
    with open("/etc/containerd/config.toml", "w") as handle:
        handle.write(dump_toml(containerd).lstrip("\n"))
    os.makedirs("/etc/kubernetes/kubelet", exist_ok=True)
    with open("/etc/kubernetes/kubelet/config.json", "w") as handle:
        json.dump(kubelet, handle, indent=4)
        handle.write("\n")


if __name__ == "__main__":
    main()
