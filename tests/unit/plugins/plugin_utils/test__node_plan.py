# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the role decides from its probe, without Ansible: the node's facts as the real probe.sh prints them (run here
on this machine where the keys come from the machine itself), and the first reason to stop, in the role's order.
make reliability checks the same messages on real nodes (docs/reliability.md)."""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.lazypull.soci.plugins.filter.soci_node_plan import soci_node_plan
from ansible_collections.lazypull.soci.plugins.plugin_utils._node_plan import parse_probe

from ansible_collections.lazypull.soci.tests.unit.containerd_bins import COLLECTION_ROOT

with open(os.path.join(COLLECTION_ROOT, "roles", "soci", "defaults", "main.yml")) as handle:
    DEFAULTS = yaml.safe_load(handle)

SETTINGS = dict({key[len("soci_"):]: value for key, value in DEFAULTS.items()},
                ansible_version="2.21.5", python_fallbacks=["python3.12", "python3", "/usr/bin/python3"],
                min_node_python="3.9", docker_config="/root/.docker/config.json",
                helper_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                platform_daemon="/usr/bin/soci-snapshotter-grpc")
KUBELET = "/etc/kubernetes/kubelet/kubelet-config.json"
# An EKS AL2-style node that can take SOCI: what the probe prints there (the keys the plan reads).
AL2 = {"python": "/usr/bin/python3", "python_version": "3.11", "arch": "x86_64", "eks_al2": "1", "nodeadm": "0",
       "containerd_binary": "/usr/bin/containerd", "containerd_version": "containerd github.com/containerd/containerd "
       "1.7.24 61f9fd88", "soci_units": "none", "platform_soci": "", "soci_package": "", "running": "0",
       "cri_snapshotter": "overlayfs", "docker_config": "missing", "gpu": "0", "file:" + KUBELET: "ab 644 0 0"}


def decide(node=None, **settings):
    lines = ["%s=%s" % item for item in (AL2 if node is None else node).items()]
    return soci_node_plan(lines, dict(SETTINGS, **settings))


def test_an_eks_al2_node():
    plan = decide()
    assert plan["problem"] == ""
    assert {k: plan[k] for k in ("arch", "layout", "gpu", "skip", "method", "own_units", "daemon_version",
                                 "kubelet_configs", "auth", "cri_keychain")} == {
        "arch": "amd64", "layout": "eks_al2", "gpu": False, "skip": False, "method": "release", "own_units": True,
        "daemon_version": SETTINGS["version"], "kubelet_configs": [KUBELET], "auth": ["cri"], "cri_keychain": True}
    assert plan["containerd"]["version"] == "1.7.24" and plan["containerd"]["supported"]
    assert plan["present"] == [KUBELET]


def test_the_probe_lines_are_read_as_the_role_reads_them():
    node = parse_probe(["noise without a key", "arch=x86_64\r", "file:/a b=1", "file:/etc/x=old", "soci=", "x=a=b",
                        "file:/etc/x=new", "Upper=1"])
    assert node == {"arch": "x86_64", "file:/a b": "1", "file:/etc/x": "new", "soci": "", "x": "a=b"}
    assert list(node) == ["arch", "file:/a b", "file:/etc/x", "soci", "x"]


def test_the_real_probe_on_this_machine_gives_a_plan(tmp_path):
    probe = os.path.join(COLLECTION_ROOT, "roles", "soci", "files", "probe.sh")
    out = subprocess.run(["/bin/sh", probe, "/nonexistent", "", "", "5", "auto", "python3", "", "", "containerd",
                          str(tmp_path / "record")], capture_output=True, text=True, check=True).stdout
    plan = soci_node_plan(out.splitlines(), dict(SETTINGS, unsupported_action="skip"))
    assert plan["node"]["python_version"] and plan["arch"] in ("amd64", "arm64")
    assert plan["layout"] == "generic" and plan["problem"] == ""


@pytest.mark.parametrize("node, layout", [({"nodeadm": "1", "eks_al2": "1"}, "eks_al2023"),
                                          ({"nodeadm": "0", "eks_al2": "0"}, "generic")])
def test_the_layout_is_the_first_whose_marker_the_probe_found(node, layout):
    assert decide(dict(AL2, **node))["layout"] == layout
    assert decide(dict(AL2, **node), layout="eks_al2")["layout"] == "eks_al2"


PROBLEMS = [
    ({"python_version": "3.7", "python": "/usr/local/bin/python3.7"}, {},
     "Python 3.7 (/usr/local/bin/python3.7) on this node; ansible-core 2.21.5 runs modules on Python 3.9 or later. "
     "Stock EKS AL2 has Python 3.7 and AL2 reached end of support: move the node group to AL2023, or install a newer "
     "Python on the node and set ansible_python_interpreter to it (ansible-core 2.19 with amazon-linux-extras "
     "python3.8)."),
    ({"python_version": "", "python": ""}, {},
     "No Python found (none of python3.12, python3, /usr/bin/python3) on this node; ansible-core 2.21.5 runs modules "
     "on Python 3.9 or later. Install one, or set ansible_python_interpreter to it."),
    ({"arch": "riscv64"}, {"state": "absent"}, "Unsupported architecture riscv64 (SOCI ships amd64 and arm64)"),
    ({"containerd_binary": "", "containerd_version": ""}, {"unsupported_action": "fail"},
     "containerd not found (containerd)"),
    ({}, {"containerd_supported": ">=2.0.0", "unsupported_action": "fail"},
     "containerd 1.7.24 is outside soci_containerd_supported >=2.0.0"),
    ({"running": "1"}, {},
     "1 containers run in containerd's k8s.io namespace with the overlayfs snapshotter. Their images were unpacked "
     "by it, and a node switched to SOCI cannot start them again (SOCI must be used for all containers and configured "
     "at node launch). Drain the node, or set soci_convert_running_node=true to convert it anyway."),
    ({"running": "2", "cri_snapshotter": "soci"}, {"state": "absent", "remove_data": True},
     "2 containers run with the soci snapshotter: their filesystems are mounted from /var/lib/soci-snapshotter-grpc. "
     "Drain the node before uninstalling with soci_remove_data=true"),
    ({"soci_units": "platform", "soci_package": "soci-snapshotter-0.9.0-1.amzn2023"},
     {"state": "absent", "remove_data": True},
     "the SOCI this node ships (soci-snapshotter-0.9.0-1.amzn2023) stays after uninstall and keeps its data in "
     "/var/lib/soci-snapshotter-grpc: set soci_remove_data=false"),
    ({"soci_units": "platform", "soci_package": "soci-snapshotter-0.9.0-1.amzn2023",
      "platform_soci": "soci-snapshotter-grpc version v0.9.0 abc"}, {"pull_mode": "parallel", "auth": ["anonymous"]},
     "The SOCI this node has (soci-snapshotter-0.9.0-1.amzn2023, /usr/bin/soci-snapshotter-grpc version 0.9.0) cannot "
     "run pull mode parallel, which needs SOCI 0.11.0 or later. Set soci_install_method=release to run SOCI %s from "
     "/usr/local/bin with the node's own units (its package stays as it is)." % SETTINGS["version"]),
    ({"soci_units": "platform", "platform_socket": "/run/soci.sock"}, {"install_method": "release"},
     "soci_socket is /run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock, but this node's own soci-snapshotter.socket "
     "listens on /run/soci.sock, and the role leaves the platform's units as they are: set soci_socket to "
     "/run/soci.sock."),
    ({}, {"auth": ["anonymous", "cri"]}, "soci_auth: anonymous (public images only) cannot be combined with cri"),
    ({}, {"auth": ["docker_config"]}, "soci_auth: docker_config, but /root/.docker/config.json does not exist (SOCI "
                                      "reads root's docker config; write it before this role runs)"),
    ({"docker_config": "invalid"}, {"auth": ["docker_config"]},
     "soci_auth: docker_config, but /root/.docker/config.json is not valid JSON (SOCI reads root's docker config; "
     "write it before this role runs)"),
    ({"docker_config": "present", "docker_helpers_missing": "ecr-login gcr"}, {"auth": ["docker_config"]},
     "soci_auth: docker_config, but /root/.docker/config.json names credential helpers SOCI cannot run: "
     "docker-credential-ecr-login, docker-credential-gcr (not in /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
     "/sbin:/bin)"),
    ({}, {"auth": ["kubeconfig"]},
     "soci_auth: kubeconfig needs soci_kubeconfig, the kubeconfig SOCI watches image pull secrets with"),
    ({}, {"auth": ["kubeconfig"], "kubeconfig": "/var/lib/kubelet/kubeconfig"},
     "soci_auth: kubeconfig, but soci_kubeconfig /var/lib/kubelet/kubeconfig does not exist on the node"),
    ({}, {"auth": [], "pull_mode": "parallel"},
     "soci_pull_mode=parallel downloads every layer through SOCI, which would have no registry credentials (soci_auth "
     "is empty). Add docker_config or kubeconfig to soci_auth, or set soci_auth=[anonymous] if every image is public"),
    ({"file:" + KUBELET: None}, {"pull_mode": "lazy+parallel-fallback"},
     "soci_pull_mode=lazy+parallel-fallback downloads every layer through SOCI, which would have no registry "
     "credentials (cri: no kubelet configuration to point at SOCI, so kubelet passes it none). Add docker_config or "
     "kubeconfig to soci_auth, or set soci_auth=[anonymous] if every image is public"),
]


@pytest.mark.parametrize("node, settings, problem", PROBLEMS, ids=range(len(PROBLEMS)))
def test_each_reason_to_stop_is_one_line(node, settings, problem):
    probed = {k: v for k, v in dict(AL2, **node).items() if v is not None}
    assert decide(probed, **settings)["problem"] == problem


@pytest.mark.parametrize("node, settings", [
    ({"running": "1"}, {"convert_running_node": True}),
    ({"running": "1", "cri_snapshotter": "soci"}, {}),  # a re-run, or an AMI whose pods run through SOCI already
    ({"running": "1"}, {"state": "absent"}),
    ({"containerd_binary": "", "containerd_version": ""}, {}),  # skipped (the default soci_unsupported_action)
    ({"soci_units": "platform", "platform_socket": "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"}, {}),
    ({"nodeadm": "1", "file:" + KUBELET: None}, {"pull_mode": "parallel"}),  # nodeadm writes kubelet's file at boot
    ({"soci_units": "platform", "platform_soci": "soci-snapshotter-grpc version v0.11.1 abc",
      "soci_package": "soci-snapshotter-0.11.1-1.amzn2023"}, {"pull_mode": "parallel", "auth": ["anonymous"]}),
])
def test_what_may_go_on(node, settings):
    probed = {k: v for k, v in dict(AL2, **node).items() if v is not None}
    assert decide(probed, **settings)["problem"] == ""


def test_the_first_reason_is_the_one_given():
    plan = decide(dict(AL2, arch="riscv64", running="3"), auth=[])
    assert plan["problem"].startswith("Unsupported architecture riscv64")


def test_a_node_skipped_for_its_containerd_is_not_checked_further():
    plan = decide(dict(AL2, running="1"), containerd_supported=">=2.0.0")
    assert plan["skip"] and plan["problem"] == ""


def test_the_platform_package_and_its_version():
    node = dict(AL2, soci_package="soci-snapshotter-0.12.0-1.amzn2023", soci_units="platform",
                platform_soci="soci-snapshotter-grpc version v0.12.0 c1a3b0b")
    plan = decide(node)
    assert (plan["method"], plan["own_units"], plan["daemon_version"]) == ("package", False, "0.12.0")
    assert decide(node, install_method="release")["daemon_version"] == SETTINGS["version"]


def test_settings_it_lacks_are_named():
    with pytest.raises(AnsibleFilterError, match="^soci_node_plan: settings has no pull_mode, socket$"):
        soci_node_plan(["arch=x86_64"], {k: v for k, v in SETTINGS.items() if k not in ("pull_mode", "socket")})


@pytest.mark.parametrize("name, value", [("gpu", "AUTO"), ("convert_running_node", None), ("cri_keychain", "maybe")])
def test_a_setting_that_is_not_a_boolean_is_named(name, value):
    with pytest.raises(AnsibleFilterError, match="^soci_node_plan: soci_%s: The value '%s' is not a valid boolean" % (
            name, value)):
        decide(dict(AL2, running="1"), **{name: value})


def test_booleans_as_ansible_reads_them():
    assert decide(dict(AL2, running="1"), convert_running_node="yes")["problem"] == ""
    assert decide(cri_keychain="false")["auth"] == []
