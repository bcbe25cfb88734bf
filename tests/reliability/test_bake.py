# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Packer bake, then boot, for real (`make bake-test`; `make reliability` runs it too).

The real Packer (Debian's packer 1.6.6) runs the build block of examples/packer/eks-al2023.pkr.hcl over SSH into a
node laid out like an instance launched from the EKS AL2023 AMI. That block holds the ansible provisioner (the
collection installed from its built artifact through galaxy_file, the wrapper playbook, soci_bake) and AWS's
clean-up script. The one change to the example's files: its build takes a `null` source (SSH to the node) instead of
`amazon-ebs`, as there is no AWS here. The node is then committed as an image (the AMI). A fresh node boots from that
image with user data of its own, and SOCI must serve at boot with no Ansible run.

Boot-to-ready (from `podman run` to containerd's CRI serving images through the soci snapshotter) is measured against
a stock node running the seed's bash userData at boot, in the same run. That is an EKS AL2-style node, the layout
the seed was written for. The times are printed and kept in .cache/reliability/bake.json; nothing is asserted on them.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import time

from node import RELEASES, REPO, SOCI_VERSION, STAGE, WORK, Node, podman, run

EXAMPLE = os.path.join(REPO, "examples", "packer")
# The example's files the test build uses as they are; plugins.pkr.hcl is left out: its required_plugins block
# came with Packer 1.7, and 1.6.6 carries the amazon and ansible plugins built in.
EXAMPLE_FILES = ("variables.pkr.hcl", "eks-al2023.pkr.hcl", "bake.yml", "requirements.yml", "cleanup.sh")
SOURCES = 'sources = ["source.amazon-ebs.eks_al2023"]'
SSH_PORT = 5128  # the node's sshd, on this machine's loopback (the nodes share its network)
NULL_SOURCE = """# TEST ONLY: the example's build against a node container over SSH instead of an EC2 instance.
source "null" "node" {
  ssh_host             = "127.0.0.1"
  ssh_port             = %d
  ssh_username         = "root"
  ssh_private_key_file = "%s"
}
"""
# Like an instance Packer launches from the EKS AL2023 AMI: no NodeConfig in its user data, so nodeadm neither
# configured containerd for a cluster nor started it (the AMI does not enable containerd: nodeadm starts it). sshd
# runs, as on EC2, for Packer to come in: installed without being started or enabled (the image would start it with
# no host keys: the clean-up removes them, and cloud-init makes new ones on EC2), then started on the test's port.
BUILDER = """set -e
rm -f /etc/eks/lazypull-standin/user-data.yaml /etc/eks/lazypull-standin/resources.json
systemctl disable --now --quiet containerd.service
printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive
apt-get -qq -o Acquire::Check-Valid-Until=false update >/dev/null
apt-get -qq install -y --no-install-recommends openssh-server >/dev/null
rm -f /usr/sbin/policy-rc.d && systemctl disable --quiet ssh.service
install -d -m 700 /root/.ssh && cat > /root/.ssh/authorized_keys && mkdir -p /run/sshd
systemd-run --quiet --unit lazypull-test-sshd /usr/sbin/sshd -D -e -p %d -o ListenAddress=127.0.0.1
""" % SSH_PORT
# The user data the baked image's instances get (the stand-in nodeadm reads it where nodeadm reads IMDS).
USER_DATA = """apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster: {name: lazypull-test, apiServerEndpoint: "https://127.0.0.1:6443", certificateAuthority: "", cidr: 10.100.0.0/16}
"""
# What must not be in the image: machine identity, SSH keys, the run's backups (write-files.sh's and the file-edit
# modules' PATH.<pid>.<time>~), and no drop-in but the role's where nodeadm reads every file.
IMAGE_CHECK = r"""
import glob, os, re
found = []
if os.path.getsize("/etc/machine-id"):
    found.append("/etc/machine-id is not empty")
found += glob.glob("/etc/ssh/ssh_host_*") + glob.glob("/root/.ssh/authorized_keys")
backup = re.compile(r"\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$")
for root in ("/etc", "/usr/local", "/var/lib/lazypull-soci"):
    for folder, _dirs, names in os.walk(root):
        found += [os.path.join(folder, n) for n in names if backup.search(n)]
found += [p for p in glob.glob("/etc/eks/nodeadm.d/*") if not p.endswith("/50-lazypull-soci.yaml")]
print("\n".join(found))
"""
# The seed's userData as cloud-final runs it at every first boot of an instance.
SEED_UNIT = """[Unit]
Description=The seed's bash userData (tests/bench/seed-userdata.sh), at boot
After=network-online.target containerd.service

[Service]
Type=oneshot
Environment=SOCI_RELEASE_VERSION=%s SOCI_RELEASE_BASE_URL=%s
ExecStart=/bin/bash /usr/local/lib/seed-userdata.sh

[Install]
WantedBy=multi-user.target
""" % (SOCI_VERSION, RELEASES)


def packer_folder(folder, key):
    """The example's files, the collection's artifact under the name requirements.yml gives, and the null source."""
    os.makedirs(folder)
    for name in EXAMPLE_FILES:
        shutil.copy2(os.path.join(EXAMPLE, name), folder)
    template = os.path.join(folder, "eks-al2023.pkr.hcl")
    with open(template) as handle:
        text = handle.read()
    assert text.count(SOURCES) == 1, "the example's build no longer reads " + SOURCES
    with open(template, "w") as handle:
        handle.write(text.replace(SOURCES, 'sources = ["source.null.node"]'))
    with open(os.path.join(folder, "node.pkr.hcl"), "w") as handle:
        handle.write(NULL_SOURCE % (SSH_PORT, key))
    run("ansible-galaxy", "collection", "build", "--output-path", folder, STAGE)
    artifact = glob.glob(os.path.join(folder, "lazypull-soci-*.tar.gz"))
    os.rename(artifact[0], os.path.join(folder, "lazypull-soci.tar.gz"))


def ready_after(node, started, limit=120):
    """Seconds from `started` until containerd's CRI names the soci snapshotter and serves through it."""
    script = ("timeout 5 ctr --namespace k8s.io snapshots --snapshotter soci ls >/dev/null 2>&1 && "
              "timeout 5 ctr --namespace k8s.io plugins ls 2>/dev/null | grep -Eq '^io.containerd.snapshotter.v1 +soci .* ok *$'")
    while time.monotonic() - started < limit:
        if node.sh(script, check=False).returncode == 0 and node.cri_snapshotter() == "soci":
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError("%s: SOCI not ready %d s after boot:\n%s" % (node.name, limit, node.sh(
        "systemctl --no-pager --failed; journalctl --no-pager -b -n 40", check=False).stdout))


def boot_timed(name, image, run_args=()):
    node = Node(name, image, run_args)
    started = time.monotonic()
    node.boot()
    return node, ready_after(node, started)


def test_packer_bake_then_boot_serves_soci_without_ansible(al2023_image, node_image, tmp_path):
    work = os.path.join(WORK, "bake")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    key = os.path.join(work, "id_ed25519")
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
    folder = os.path.join(work, "packer")
    packer_folder(folder, key)
    baked_image = "localhost/lazypull-reliability:baked"
    nodes = []
    try:
        builder = Node("lazypull-rel-bake-builder", al2023_image)
        nodes.append(builder)
        builder.boot()
        with open(key + ".pub") as handle:
            builder.sh(BUILDER, stdin=handle.read())

        # Packer: the example's provisioners, its collection from the artifact only (not the staged copy).
        env = {k: v for k, v in os.environ.items() if k != "ANSIBLE_COLLECTIONS_PATH"}
        env.update(CHECKPOINT_DISABLE="1", PACKER_NO_COLOR="1", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(folder, "collections"))
        log = os.path.join(work, "packer.log")
        started = time.monotonic()
        with open(log, "w") as out:
            built = subprocess.run(["packer", "build", "-color=false", "-var", "ssh_username=root", "."], cwd=folder,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
        bake_seconds = time.monotonic() - started
        with open(log) as handle:
            packer_out = handle.read()
        assert built.returncode == 0, "packer build failed, see %s:\n%s" % (log, packer_out[-4000:])
        assert "Installing 'lazypull.soci:" in packer_out, packer_out[-4000:]
        assert "soci_bake" in packer_out and "failed=0" in packer_out, packer_out[-4000:]
        # The snapshotter was tried and its data removed; nothing of the builder's runs SOCI now.
        assert builder.sh("ls -A /var/lib/soci-snapshotter-grpc").stdout == ""
        assert builder.sh("systemctl is-active soci-snapshotter.service", check=False).stdout.strip() == "inactive"
        assert builder.sh("systemctl is-active containerd.service", check=False).stdout.strip() == "inactive"

        # The AMI: the builder's disk, stopped (its volumes, containerd's and SOCI's data, are not in it).
        podman("stop", "--time", "20", builder.name)
        podman("rmi", "--force", baked_image, check=False)
        podman("commit", "--quiet", builder.name, baked_image)
        left = podman("run", "--rm", "--systemd=false", "--entrypoint", "python3", baked_image, "-c", IMAGE_CHECK).stdout
        assert left.strip() == "", "left in the image: " + left

        # An instance of it: user data of its own, SOCI ready at boot, no Ansible.
        user_data = os.path.join(work, "user-data.yaml")
        with open(user_data, "w") as handle:
            handle.write(USER_DATA)
        baked, baked_ready = boot_timed("lazypull-rel-baked", baked_image,
                                        ["--volume", user_data + ":/etc/eks/lazypull-standin/user-data.yaml:ro"])
        nodes.append(baked)
        assert baked.runs_a_container() == "soci"
        kubelet = json.loads(baked.sh("cat /etc/kubernetes/kubelet/config.json").stdout)
        assert kubelet.get("imageServiceEndpoint") == "unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
        # The pause image came into the soci snapshotter at boot (the role's boot unit: FastImagePull is off here).
        assert "pause" in baked.sh("ctr --namespace k8s.io images ls -q").stdout
        assert baked.sh("systemctl show -p Result --value lazypull-soci-sandbox-import.service").stdout.strip() == "success"

        # The seed's userData at boot of a stock node, measured the same way in the same run.
        seed_base = Node("lazypull-rel-seed-base", node_image)
        nodes.append(seed_base)
        seed_base.boot()
        with open(os.path.join(REPO, "tests", "bench", "seed-userdata.sh")) as handle:
            seed_base.sh("cat > /usr/local/lib/seed-userdata.sh", stdin=handle.read())
        seed_base.sh("cat > /etc/systemd/system/seed-userdata.service && systemctl enable --quiet seed-userdata.service",
                     stdin=SEED_UNIT)
        podman("stop", "--time", "20", seed_base.name)
        seed_image = "localhost/lazypull-reliability:seed-at-boot"
        podman("rmi", "--force", seed_image, check=False)
        podman("commit", "--quiet", seed_base.name, seed_image)
        seeded, seed_ready = boot_timed("lazypull-rel-seeded", seed_image)
        nodes.append(seeded)
        assert seeded.runs_a_container() == "soci"
    finally:
        if os.environ.get("LAZYPULL_KEEP_NODES") != "1":
            for node in nodes:
                node.remove()
    times = {"packer_build_s": round(bake_seconds, 1), "baked_boot_to_ready_s": round(baked_ready, 1),
             "seed_at_boot_boot_to_ready_s": round(seed_ready, 1)}
    with open(os.path.join(WORK, "bake.json"), "w") as handle:
        json.dump(times, handle, indent=1)
    print("bake: packer build %(packer_build_s).1f s; boot to SOCI ready: baked image %(baked_boot_to_ready_s).1f s, "
          "stock node with the seed's userData at boot %(seed_at_boot_boot_to_ready_s).1f s" % times)
