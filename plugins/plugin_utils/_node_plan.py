# Copyright (c) 2026, lazypull.soci contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What a node is and whether the role can go on with it, decided once on the controller from the role's probe
(roles/soci/files/probe.sh) and the role's settings: the layout, architecture, GPU, how SOCI gets there, the files
found, the credential sources, and the first reason to stop, in the order the role used to check them one task at a
time. Pure Python: the unit tests run it without Ansible."""

from __future__ import annotations

import re

from ansible.module_utils.compat.version import LooseVersion
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.lazypull.soci.plugins.plugin_utils._node_layouts import LAYOUTS

ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
# The oldest SOCI that can run each pull mode (SOCI index manifest v2, parallel pull, parallel pull as a fallback).
MODE_MIN_VERSION = {"lazy": "0.10.0", "parallel": "0.11.0", "lazy+parallel-fallback": "0.14.0"}
PARALLEL_MODES = ("parallel", "lazy+parallel-fallback")
# What plan() reads from the role's settings.
SETTINGS = ("state", "layout", "gpu", "install_method", "version", "bin_dir", "unsupported_action", "containerd_binary",
            "containerd_supported", "convert_running_node", "snapshotter_name", "remove_data", "root_dir", "pull_mode",
            "socket", "auth", "cri_keychain", "kubeconfig", "kubelet_configs", "ansible_version", "python_fallbacks",
            "min_node_python", "docker_config", "helper_path", "platform_daemon")
_PROBE_LINE = re.compile(r"[a-z0-9_]+(:.*)?=")


def parse_probe(lines):
    """The probe's key=value lines as a dict (a key printed twice keeps its first place and its last value)."""
    node = {}
    for line in lines:
        line = line.rstrip("\r")  # a terminal (ssh -tt) ends lines with CR LF
        if _PROBE_LINE.match(line):
            key, value = line.split("=", 1)
            node[key] = value
    return node


def _version_at_least(version, minimum):
    return LooseVersion(version) >= LooseVersion(minimum)


def _flag(settings, name):
    """A boolean setting, as Ansible reads one (true, "yes", 1...); a one-line error naming it otherwise."""
    try:
        return boolean(settings[name])
    except TypeError as exc:
        raise ValueError("soci_%s: %s" % (name, exc))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def detect_layout(node):
    """The first layout whose marker the probe found (the last one has none)."""
    return next(name for name, record in LAYOUTS.items() if record["detect"] == "" or node.get(record["detect"]) == "1")


def plan(node, containerd, settings):
    """node: parse_probe's dict; containerd: the containerd_version_facts of the probed binary; settings: the role's
    variables (soci_* without the prefix) and ansible_version, python_fallbacks, min_node_python, docker_config,
    helper_path, platform_daemon. Returns the decisions, with "problem" the first reason to stop ("" when there is none)."""
    s = settings
    missing = [key for key in SETTINGS if key not in s]
    if missing:
        raise ValueError("settings has no %s" % ", ".join(missing))
    layout = s["layout"] if s["layout"] != "auto" else detect_layout(node)
    if layout not in LAYOUTS:
        raise ValueError("soci_layout %r is not one of %s" % (layout, ", ".join(LAYOUTS)))
    record = LAYOUTS[layout]
    method = s["install_method"] if s["install_method"] != "auto" else ("package" if node.get("soci_package") else "release")
    platform_version = re.search(r"version v?([0-9][^ ]*)", node.get("platform_soci", ""))
    present = [key[len("file:"):] for key in node if key.startswith("file:")]
    auth = list(s["auth"]) if _flag(s, "cri_keychain") else [a for a in s["auth"] if a != "cri"]
    decided = {
        "arch": ARCHITECTURES.get(node.get("arch", ""), ""),
        "layout": layout,
        "gpu": _int(node.get("gpu")) > 0 if s["gpu"] == "auto" else _flag(s, "gpu"),
        "skip": s["state"] == "present" and not containerd.get("supported") and s["unsupported_action"] == "skip",
        "method": method,
        "own_units": node.get("soci_units") != "platform",
        "daemon_version": s["version"] if method == "release" else (platform_version.group(1) if platform_version else "0"),
        "present": present,
        "kubelet_configs": list(s["kubelet_configs"]) or [p for p in record["kubelet_configs"] if p in present],
        "auth": auth,
        "cri_keychain": "cri" in auth,
    }
    decided["problem"] = _problem(node, containerd, s, decided, record)
    return decided


def _problem(node, containerd, s, d, record):
    for check in (_python_problem, _node_problem, _running_problem, _remove_data_problem, _pull_mode_problem,
                  _socket_problem, _auth_problem):
        problem = check(node, containerd, s, d, record)
        if problem:
            return problem
    return ""


# Before the first module: the node's Python must be one this ansible-core runs modules with.
def _python_problem(node, containerd, s, d, record):
    version = node.get("python_version", "")
    if version and _version_at_least(version, s["min_node_python"]):
        return ""
    found = ("Python %s (%s)" % (version, node.get("python", ""))) if version else (
        "No Python found (%s)" % (node.get("python") or "none of " + ", ".join(s["python_fallbacks"])))
    advice = ("Stock EKS AL2 has Python 3.7 and AL2 reached end of support: move the node group to AL2023, or install a "
              "newer Python on the node and set ansible_python_interpreter to it (ansible-core 2.19 with "
              "amazon-linux-extras python3.8)." if version == "3.7"
              else "Install one, or set ansible_python_interpreter to it.")
    return "%s on this node; ansible-core %s runs modules on Python %s or later. %s" % (
        found, s["ansible_version"], s["min_node_python"], advice)


def _node_problem(node, containerd, s, d, record):
    if d["arch"] == "":
        return "Unsupported architecture %s (SOCI ships amd64 and arm64)" % node.get("arch", "")
    if s["state"] == "absent" or s["unsupported_action"] == "skip":
        return ""
    if not containerd.get("installed"):
        return "containerd not found (%s)" % s["containerd_binary"]
    if not containerd.get("supported"):
        return "containerd %s is outside soci_containerd_supported %s" % (containerd.get("version"),
                                                                          s["containerd_supported"])
    return ""


# Only containers whose snapshots another snapshotter made are at risk: on a node whose pods already run through
# SOCI (a re-run, or an AMI where nodeadm set SOCI up) the role may go on.
def _running_problem(node, containerd, s, d, record):
    running, snapshotter = _int(node.get("running")), node.get("cri_snapshotter", "")
    if (s["state"] == "absent" or d["skip"] or _flag(s, "convert_running_node") or running == 0
            or snapshotter == s["snapshotter_name"]):
        return ""
    return ("%s containers run in containerd's k8s.io namespace with the %s snapshotter. Their images were unpacked "
            "by it, and a node switched to SOCI cannot start them again (SOCI must be used for all containers and "
            "configured at node launch). Drain the node, or set soci_convert_running_node=true to convert it anyway."
            % (node.get("running", ""), snapshotter or "overlayfs"))


def _remove_data_problem(node, containerd, s, d, record):
    if s["state"] != "absent" or d["skip"] or not _flag(s, "remove_data"):
        return ""
    if node.get("soci_units") == "platform":
        return ("the SOCI this node ships (%s) stays after uninstall and keeps its data in %s: set "
                "soci_remove_data=false" % (node.get("soci_package") or "its own units", s["root_dir"]))
    if _int(node.get("running")) == 0 or node.get("cri_snapshotter", "") != s["snapshotter_name"]:
        return ""
    return ("%s containers run with the %s snapshotter: their filesystems are mounted from %s. Drain the node before "
            "uninstalling with soci_remove_data=true" % (node.get("running", ""), s["snapshotter_name"], s["root_dir"]))


def _pull_mode_problem(node, containerd, s, d, record):
    if s["state"] != "present" or d["skip"] or d["method"] == "release" or not node.get("platform_soci"):
        return ""
    needed = MODE_MIN_VERSION[s["pull_mode"]]
    if _version_at_least(d["daemon_version"], needed):
        return ""
    return ("The SOCI this node has (%s, %s version %s) cannot run pull mode %s, which needs SOCI %s or later. Set "
            "soci_install_method=release to run SOCI %s from %s with the node's own units (its package stays as it is)."
            % (node.get("soci_package", ""), s["platform_daemon"], d["daemon_version"], s["pull_mode"], needed,
               s["version"], s["bin_dir"]))


# The platform's socket unit stays as shipped, and SOCI listens where it says (an --address fd:// daemon started
# without its socket would listen on SOCI's default path, whatever containerd was told).
def _socket_problem(node, containerd, s, d, record):
    listens = node.get("platform_socket", "")
    if s["state"] != "present" or d["skip"] or d["own_units"] or listens in ("", s["socket"]):
        return ""
    return ("soci_socket is %s, but this node's own soci-snapshotter.socket listens on %s, and the role leaves the "
            "platform's units as they are: set soci_socket to %s." % (s["socket"], listens, listens))


def _auth_problem(node, containerd, s, d, record):
    """Why the credential sources cannot work on this node."""
    if s["state"] != "present" or d["skip"]:
        return ""
    auth, kubeconfig = d["auth"], s["kubeconfig"]
    if "anonymous" in auth and len(auth) > 1:
        return "soci_auth: anonymous (public images only) cannot be combined with " + ", ".join(
            a for a in auth if a != "anonymous")
    if "docker_config" in auth and node.get("docker_config") != "present":
        return "soci_auth: docker_config, but %s %s (SOCI reads root's docker config; write it before this role runs)" % (
            s["docker_config"], "does not exist" if node.get("docker_config") == "missing" else "is not valid JSON")
    if "docker_config" in auth and node.get("docker_helpers_missing", ""):
        return "soci_auth: docker_config, but %s names credential helpers SOCI cannot run: %s (not in %s)" % (
            s["docker_config"], ", ".join("docker-credential-" + h for h in node["docker_helpers_missing"].split()),
            s["helper_path"])
    if "kubeconfig" in auth and kubeconfig == "":
        return "soci_auth: kubeconfig needs soci_kubeconfig, the kubeconfig SOCI watches image pull secrets with"
    if "kubeconfig" in auth and kubeconfig not in d["present"]:
        return "soci_auth: kubeconfig, but soci_kubeconfig %s does not exist on the node" % kubeconfig
    # In the parallel modes SOCI downloads every layer itself: without credentials a private image cannot be pulled
    # at all (in lazy mode containerd pulls it instead, without lazy loading).
    if (s["pull_mode"] in PARALLEL_MODES and not any(a in ("docker_config", "kubeconfig", "anonymous") for a in auth)
            and not (d["cri_keychain"] and (d["kubelet_configs"] or record["written_at_boot"]))):
        return ("soci_pull_mode=%s downloads every layer through SOCI, which would have no registry credentials (%s). "
                "Add docker_config or kubeconfig to soci_auth, or set soci_auth=[anonymous] if every image is public"
                % (s["pull_mode"], "soci_auth is empty" if not auth
                   else "cri: no kubelet configuration to point at SOCI, so kubelet passes it none"))
    return ""
