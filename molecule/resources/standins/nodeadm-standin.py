# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TEST STAND-IN for EKS AL2023's nodeadm (awslabs/amazon-eks-ami nodeadm, modelled on tag v20260724), run at every
boot like nodeadm-config.service (`config`) and nodeadm-run.service (`run`).

config: like nodeadm it rewrites /etc/containerd/config.toml and /etc/kubernetes/kubelet/config.json wholesale from a
base (what nodeadm's templates give) and the NodeConfig documents it reads: the user data (here
/etc/eks/lazypull-standin/user-data.yaml) and then every file in /etc/eks/nodeadm.d/, in file-name order, drop-ins
last. `spec.containerd.config` is TOML merged key by key, `spec.kubelet.config` is merged as JSON, and
`spec.featureGates` are merged. When FastImagePull is on and the node is large enough (nodeadm's UseSOCISnapshotter:
>= 4000 millicores and >= 7 GiB online; a container sees its host's, so the test knob
/etc/eks/lazypull-standin/resources.json can state others), it also does what nodeadm does for SOCI: the soci
snapshotter in containerd's config, its own config.toml for SOCI (parallel pull, nodeadm's embedded file, byte for
byte), the containerd.service drop-in that requires SOCI, and kubelet's imageServiceEndpoint.
run: (re)starts containerd on the configuration just written and, on FastImagePull nodes, imports the pause image
archive into the soci snapshotter (nodeadm's importSandboxImageForSOCI).
A document that is not a node.eks.aws/v1alpha1 NodeConfig, or whose TOML does not parse, fails the boot as nodeadm
would.
"""

import glob
import json
import os
import subprocess
import sys
import tomllib

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toml_dump import dump_toml  # noqa: E402  (the stand-ins' shared TOML writer)

BASE = "/etc/eks/lazypull-standin"
STATE = "/run/eks/lazypull-standin.json"
SOCKET = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
# nodeadm/internal/containerd/snapshotter/soci-snapshotter.config.toml
SOCI_CONFIG = """debug = false

[content_store]
type = 'containerd'

[cri_keychain]
enable_keychain = true
image_service_path = '/run/containerd/containerd.sock'

[pull_modes.parallel_pull_unpack]
enable = true
concurrent_download_chunk_size = "16mb"
discard_unpacked_layers = true
max_concurrent_downloads = -1
max_concurrent_downloads_per_image = 20
max_concurrent_unpacks = -1
max_concurrent_unpacks_per_image = 12

[pull_modes.parallel_pull_unpack.decompress_streams."gzip"]
path = '/usr/bin/unpigz'
args = ['-d', '-c']
"""
# nodeadm/internal/containerd/sandbox_image.go
SOCI_DEPENDENCY = "/etc/systemd/system/containerd.service.d/10-soci-snapshotter.conf"
SOCI_DEPENDENCY_TEXT = "[Unit]\nRequires=soci-snapshotter.service\nAfter=soci-snapshotter.service\n"


def merge(into, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def documents():
    paths = [os.path.join(BASE, "user-data.yaml")] if os.path.exists(os.path.join(BASE, "user-data.yaml")) else []
    paths += [p for p in sorted(glob.glob("/etc/eks/nodeadm.d/*")) if p.endswith((".yaml", ".yml", ".json"))]
    for path in paths:
        with open(path) as handle:
            doc = yaml.safe_load(handle)
        if not isinstance(doc, dict) or doc.get("apiVersion") != "node.eks.aws/v1alpha1" or doc.get("kind") != "NodeConfig":
            sys.exit(f"nodeadm (stand-in): {path} is not a node.eks.aws/v1alpha1 NodeConfig")
        yield path, doc.get("spec") or {}


def resources():
    """Online CPU millicores and memory, as nodeadm counts them, unless the test knob says otherwise."""
    knob = os.path.join(BASE, "resources.json")
    if os.path.exists(knob):
        with open(knob) as handle:
            return json.load(handle)
    with open("/proc/meminfo") as handle:
        mem_kib = int(next(line.split()[1] for line in handle if line.startswith("MemTotal:")))
    return {"cpu_millicores": 1000 * (os.cpu_count() or 1), "memory_mib": mem_kib // 1024}


def use_soci(gates):
    have = resources()
    return bool(gates.get("FastImagePull")) and have["cpu_millicores"] >= 4000 and have["memory_mib"] >= 7 * 1024


def config():
    with open(os.path.join(BASE, "containerd-base.toml"), "rb") as handle:
        containerd = tomllib.load(handle)
    with open(os.path.join(BASE, "kubelet-base.json")) as handle:
        kubelet = json.load(handle)
    user_containerd, gates = {}, {}
    for path, spec in documents():
        if (spec.get("containerd") or {}).get("config"):
            try:
                merge(user_containerd, tomllib.loads(spec["containerd"]["config"]))
            except tomllib.TOMLDecodeError as exc:
                sys.exit(f"nodeadm (stand-in): {path}: spec.containerd.config: {exc}")
        merge(kubelet, (spec.get("kubelet") or {}).get("config") or {})
        gates.update(spec.get("featureGates") or {})
        print(f"nodeadm (stand-in): merged {path}")
    soci = use_soci(gates)
    if soci:
        images = ("plugins", "io.containerd.cri.v1.images") if containerd.get("version") == 3 else \
            ("plugins", "io.containerd.grpc.v1.cri", "containerd")
        table = containerd
        for key in images:
            table = table.setdefault(key, {})
        table.update({"snapshotter": "soci", "disable_snapshot_annotations": False})
        containerd.setdefault("proxy_plugins", {})["soci"] = {
            "type": "snapshot", "address": SOCKET, "exports": {"root": "/var/lib/soci-snapshotter-grpc"}}
        kubelet["imageServiceEndpoint"] = "unix://" + SOCKET
        os.makedirs("/etc/soci-snapshotter-grpc", exist_ok=True)
        with open("/etc/soci-snapshotter-grpc/config.toml", "w") as handle:
            handle.write(SOCI_CONFIG)
        os.makedirs(os.path.dirname(SOCI_DEPENDENCY), exist_ok=True)
        with open(SOCI_DEPENDENCY, "w") as handle:
            handle.write(SOCI_DEPENDENCY_TEXT)
        subprocess.run(["systemctl", "daemon-reload"], check=True)
        print("nodeadm (stand-in): FastImagePull: SOCI snapshotter configured")
    merge(containerd, user_containerd)  # nodeadm merges the user's TOML over its own render
    with open("/etc/containerd/config.toml", "w") as handle:
        handle.write(dump_toml(containerd).lstrip("\n"))
    os.makedirs("/etc/kubernetes/kubelet", exist_ok=True)
    with open("/etc/kubernetes/kubelet/config.json", "w") as handle:
        json.dump(kubelet, handle, indent=4)
        handle.write("\n")
    os.makedirs(os.path.dirname(STATE), exist_ok=True)
    with open(STATE, "w") as handle:
        json.dump({"use_soci": soci}, handle)


def run():
    subprocess.run(["systemctl", "restart", "containerd"], check=True)  # nodeadm's run phase (re)starts containerd
    with open(STATE) as handle:
        if not json.load(handle)["use_soci"]:
            return
    if not os.path.exists("/etc/eks/pause.tar"):
        print("nodeadm (stand-in): pause image archive not found, skipping SOCI import")
        return
    subprocess.run(["ctr", "--namespace", "k8s.io", "images", "import", "--snapshotter", "soci",
                    "--discard-unpacked-layers=false", "--local", "/etc/eks/pause.tar"], check=True)
    print("nodeadm (stand-in): pause image imported into the soci snapshotter")


if __name__ == "__main__":
    {"config": config, "run": run}[sys.argv[1] if len(sys.argv) > 1 else "config"]()
